//! payrun: batch validation and payout of the 玉溪市司法局 key-area programs.

pub mod cell;
pub mod county;
pub mod money;
pub mod policy;
