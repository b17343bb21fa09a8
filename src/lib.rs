//! payrun: batch validation and payout of the 玉溪市司法局 key-area programs.

pub mod allocate;
pub mod cell;
pub mod check;
pub mod claim;
pub mod cli;
pub mod codes;
pub mod county;
pub mod decide;
pub mod guard;
pub mod ingest;
pub mod ledger;
pub mod money;
pub mod policy;
pub mod report;
pub mod run;
pub mod samples;
pub mod staff;
pub mod template;
pub mod usage;
