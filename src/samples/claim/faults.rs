//! The faults the claim samples inject: one rule broken (or one warning raised) per faulty row,
//! what a correct run must say about it, and which kinds every period must contain.

/// A deliberate problem in one row (or, for `PossibleDuplicate`, a pair of rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Fault {
    MissingMediator,
    MissingCaseNo,
    MissingEndDate,
    NotSuccessful,
    DossierNonstandard,
    StationRejected,
    CountyRejected,
    EndPrevYear,
    EndAfterPeriod,
    EndFuture,
    BadDateText,
    BadIdCheck,
    IdAsNumber,
    NoRate,
    UnknownLevel,
    DuplicateCaseNo,
    AmountDiffers,
    MissingAccount,
    PossibleDuplicate,
    FullWidthId,
    LowercaseX,
    // H2 only, generated from the H1 model rather than injected.
    Reclaim,
    LateClaim,
}

/// Every fault that must occur at least once in each period's files.
pub(super) const INJECTED: [Fault; 21] = [
    Fault::MissingMediator,
    Fault::MissingCaseNo,
    Fault::MissingEndDate,
    Fault::NotSuccessful,
    Fault::DossierNonstandard,
    Fault::StationRejected,
    Fault::CountyRejected,
    Fault::EndPrevYear,
    Fault::EndAfterPeriod,
    Fault::EndFuture,
    Fault::BadDateText,
    Fault::BadIdCheck,
    Fault::IdAsNumber,
    Fault::NoRate,
    Fault::UnknownLevel,
    Fault::DuplicateCaseNo,
    Fault::AmountDiffers,
    Fault::MissingAccount,
    Fault::PossibleDuplicate,
    Fault::FullWidthId,
    Fault::LowercaseX,
];

impl Fault {
    pub(super) fn slug(self) -> &'static str {
        match self {
            Fault::MissingMediator => "missing_mediator",
            Fault::MissingCaseNo => "missing_case_no",
            Fault::MissingEndDate => "missing_end_date",
            Fault::NotSuccessful => "not_successful",
            Fault::DossierNonstandard => "dossier_nonstandard",
            Fault::StationRejected => "station_rejected",
            Fault::CountyRejected => "county_rejected",
            Fault::EndPrevYear => "end_prev_year",
            Fault::EndAfterPeriod => "end_after_period",
            Fault::EndFuture => "end_future_year",
            Fault::BadDateText => "bad_date_text",
            Fault::BadIdCheck => "bad_id_check",
            Fault::IdAsNumber => "id_as_number",
            Fault::NoRate => "no_rate",
            Fault::UnknownLevel => "unknown_level",
            Fault::DuplicateCaseNo => "duplicate_case_no",
            Fault::AmountDiffers => "amount_differs",
            Fault::MissingAccount => "missing_account",
            Fault::PossibleDuplicate => "possible_duplicate",
            Fault::FullWidthId => "full_width_id",
            Fault::LowercaseX => "lowercase_x",
            Fault::Reclaim => "reclaim",
            Fault::LateClaim => "late_claim",
        }
    }

    /// The first code a correct run gives the row (SPEC §4.7).
    pub(super) fn expected_code(self) -> Option<&'static str> {
        Some(match self {
            Fault::MissingMediator | Fault::MissingCaseNo | Fault::MissingEndDate => {
                "missing_field"
            }
            Fault::NotSuccessful => "not_successful",
            Fault::DossierNonstandard => "dossier_nonstandard",
            Fault::StationRejected | Fault::CountyRejected => "review_not_passed",
            Fault::EndPrevYear | Fault::EndAfterPeriod | Fault::EndFuture => "date_out_of_period",
            Fault::BadDateText => "bad_date",
            Fault::BadIdCheck => "bad_id_number",
            Fault::IdAsNumber => "id_precision_lost",
            Fault::NoRate => "no_rate",
            Fault::UnknownLevel => "bad_value",
            Fault::DuplicateCaseNo => "duplicate_in_batch",
            Fault::AmountDiffers => "amount_adjusted",
            Fault::MissingAccount => "missing_bank_account",
            Fault::PossibleDuplicate => "possible_duplicate",
            Fault::FullWidthId | Fault::LowercaseX => return None,
            Fault::Reclaim => "already_paid",
            Fault::LateClaim => "late_claim",
        })
    }

    /// True when the row is still approved (a warning at most).
    pub(super) fn still_eligible(self) -> bool {
        matches!(
            self,
            Fault::AmountDiffers
                | Fault::MissingAccount
                | Fault::PossibleDuplicate
                | Fault::FullWidthId
                | Fault::LowercaseX
                | Fault::LateClaim
        )
    }
}
