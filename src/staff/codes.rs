//! The reason codes of program B. The codes the two programs share (a field that cannot be read,
//! an invalid ID number, a missing bank account …) are the [`RowCode`]s of SPEC §4.7, unchanged;
//! the staff rules of SPEC §5.2 add their own.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::codes::{RowCode, Severity};
use crate::form::FormCode;

/// A finding on a staff row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StaffCode {
    /// A code shared with program A: `missing_field`, `bad_value`, `bad_date`, `bad_id_number`,
    /// `id_precision_lost`, `formula_not_calculated`, `duplicate_in_batch` (the same person
    /// twice in one county) and the warning `missing_bank_account`.
    Row(RowCode),
    /// 在岗月数 is not a whole number from 0 to 12.
    MonthsOutOfRange,
    /// 在岗月数 is more than the months the 入职/离职 dates allow in the year.
    MonthsInconsistent,
    /// 市级补助金额 is more than the monthly standard × 在岗月数.
    OverMonthlyStandard,
    /// The same ID number in two counties: rejected in both.
    DuplicatePerson,
    /// In post beyond the county's quota (the later 入职日期 gives way).
    OverQuota,
    /// Would take the county's municipal total past its budget line: held for the bureau.
    OverAllocation,
    /// Warning: 月补助标准 differs from the policy's monthly standard (the policy one applies).
    StandardMismatch,
    /// Warning: 性别 contradicts the sex digit of the ID number.
    GenderMismatch,
    /// Warning: 在岗月数 is 0; the person takes no post and is paid nothing.
    ZeroMonths,
}

impl StaffCode {
    pub const MISSING_FIELD: StaffCode = StaffCode::Row(RowCode::MissingField);
    pub const BAD_VALUE: StaffCode = StaffCode::Row(RowCode::BadValue);
    pub const BAD_DATE: StaffCode = StaffCode::Row(RowCode::BadDate);
    pub const BAD_ID_NUMBER: StaffCode = StaffCode::Row(RowCode::BadIdNumber);
    pub const ID_PRECISION_LOST: StaffCode = StaffCode::Row(RowCode::IdPrecisionLost);
    pub const FORMULA_NOT_CALCULATED: StaffCode = StaffCode::Row(RowCode::FormulaNotCalculated);
    pub const DUPLICATE_IN_BATCH: StaffCode = StaffCode::Row(RowCode::DuplicateInBatch);
    pub const MISSING_BANK_ACCOUNT: StaffCode = StaffCode::Row(RowCode::MissingBankAccount);

    /// Every staff-specific code, for documentation and tests.
    pub const OWN: [StaffCode; 9] = [
        StaffCode::MonthsOutOfRange,
        StaffCode::MonthsInconsistent,
        StaffCode::OverMonthlyStandard,
        StaffCode::DuplicatePerson,
        StaffCode::OverQuota,
        StaffCode::OverAllocation,
        StaffCode::StandardMismatch,
        StaffCode::GenderMismatch,
        StaffCode::ZeroMonths,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffCode::Row(c) => c.as_str(),
            StaffCode::MonthsOutOfRange => "months_out_of_range",
            StaffCode::MonthsInconsistent => "months_inconsistent",
            StaffCode::OverMonthlyStandard => "over_monthly_standard",
            StaffCode::DuplicatePerson => "duplicate_person",
            StaffCode::OverQuota => "over_quota",
            StaffCode::OverAllocation => "over_allocation",
            StaffCode::StandardMismatch => "standard_mismatch",
            StaffCode::GenderMismatch => "gender_mismatch",
            StaffCode::ZeroMonths => "zero_months",
        }
    }

    /// The Chinese name shown beside the code in workbooks.
    pub fn label(self) -> &'static str {
        match self {
            StaffCode::Row(RowCode::DuplicateInBatch) => "同一县重复申报",
            StaffCode::Row(c) => c.label(),
            StaffCode::MonthsOutOfRange => "在岗月数超出0至12",
            StaffCode::MonthsInconsistent => "在岗月数与入职离职日期不符",
            StaffCode::OverMonthlyStandard => "市级补助超过月标准",
            StaffCode::DuplicatePerson => "同一人在两个县申报",
            StaffCode::OverQuota => "超出定额",
            StaffCode::OverAllocation => "超出预算额度待定",
            StaffCode::StandardMismatch => "月补助标准与政策不符",
            StaffCode::GenderMismatch => "性别与身份证号码不符",
            StaffCode::ZeroMonths => "在岗月数为0",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            StaffCode::Row(c) => c.severity(),
            StaffCode::OverAllocation => Severity::Hold,
            StaffCode::StandardMismatch | StaffCode::GenderMismatch | StaffCode::ZeroMonths => {
                Severity::Warning
            }
            _ => Severity::Reject,
        }
    }
}

impl From<RowCode> for StaffCode {
    fn from(c: RowCode) -> Self {
        StaffCode::Row(c)
    }
}

impl FormCode for StaffCode {
    fn as_str(self) -> &'static str {
        StaffCode::as_str(self)
    }
    fn severity(self) -> Severity {
        StaffCode::severity(self)
    }
}

impl fmt::Display for StaffCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StaffCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_codes_have_distinct_names_and_labels() {
        let mut names: Vec<&str> = StaffCode::OWN.iter().map(|c| c.as_str()).collect();
        let mut labels: Vec<&str> = StaffCode::OWN.iter().map(|c| c.label()).collect();
        names.sort_unstable();
        names.dedup();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(names.len(), StaffCode::OWN.len());
        assert_eq!(labels.len(), StaffCode::OWN.len());
        assert_eq!(StaffCode::MISSING_FIELD.as_str(), "missing_field");
        assert_eq!(StaffCode::OverAllocation.severity(), Severity::Hold);
        assert_eq!(StaffCode::OverQuota.severity(), Severity::Reject);
        assert_eq!(StaffCode::ZeroMonths.severity(), Severity::Warning);
        assert_eq!(
            StaffCode::MISSING_BANK_ACCOUNT.severity(),
            Severity::Warning
        );
        assert_eq!(
            serde_json::to_string(&StaffCode::DuplicatePerson).unwrap(),
            "\"duplicate_person\""
        );
    }
}
