//! What stands between an ordinary mistake and the bureau's records (SPEC §10.3–§10.6). Every
//! check here runs before anything is written, and a refusal is exit 1 with nothing changed:
//!
//! - [`record`]: a period the ledger holds is never lowered by accident (an empty or wrong input
//!   folder, a county's files left out) without `--replace`; and a period that is not the first
//!   of its year is not run without the ledger, which would pay earlier periods' cases again,
//!   unless `--without-ledger`;
//! - [`in_use`]: every output and the ledger can be replaced (not open in Excel or WPS, not
//!   read-only, the folder writable) before the first one is;
//! - [`backup`]: the ledger's history is kept in `台账备份/` before it is replaced.

pub mod backup;
pub mod in_use;
pub mod record;

/// A guard's refusal (exit 1, nothing written): the message names the file or the county and
/// what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// The run's answers to the guards, from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--replace`: the run's result replaces the period's record even when it lowers it.
    pub replace: bool,
    /// `--without-ledger`: a later period runs without a ledger (nothing paid before).
    pub without_ledger: bool,
}
