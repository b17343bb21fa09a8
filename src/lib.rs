//! payrun: batch validation and payout of the 玉溪市司法局 key-area programs.
//!
//! After ingest every claim form goes through the same steps ([`form`]); program A
//! ([`mediation`]) and program B ([`staff`]) are two forms, and the county self-check
//! ([`check`]) applies their rules without the bureau's data.

pub mod bank;
pub mod cell;
pub mod check;
pub mod codes;
pub mod county;
pub mod form;
pub mod guard;
pub mod ingest;
pub mod ledger;
pub mod mediation;
pub mod money;
pub mod policy;
pub mod report;
pub mod samples;
pub mod staff;
pub mod template;
pub mod year;
pub mod zh;
