//! Every reason code of SPEC §4.7 in one place: its machine name, its Chinese label and whether
//! it rejects a row or only warns.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A row-level finding.
// Derived both ways (not a hand-written `serialize_str`): the worker pipe is postcard, which
// writes a variant index, and JSON gets the snake_case names `as_str` returns (tested).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowCode {
    MissingField,
    BadValue,
    BadDate,
    DateOutOfPeriod,
    DateInFuture,
    NotSuccessful,
    DossierNonstandard,
    ReviewNotPassed,
    NoRate,
    BadIdNumber,
    IdPrecisionLost,
    FormulaNotCalculated,
    DuplicateInBatch,
    AlreadyPaid,
    OverCap,
    AmountAdjusted,
    LateClaim,
    PossibleDuplicate,
    MissingBankAccount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Reject,
    Hold,
    Warning,
}

impl RowCode {
    /// Every code, in the order of SPEC §4.7.
    pub const ALL: [RowCode; 19] = [
        RowCode::MissingField,
        RowCode::BadValue,
        RowCode::BadDate,
        RowCode::DateOutOfPeriod,
        RowCode::DateInFuture,
        RowCode::NotSuccessful,
        RowCode::DossierNonstandard,
        RowCode::ReviewNotPassed,
        RowCode::NoRate,
        RowCode::BadIdNumber,
        RowCode::IdPrecisionLost,
        RowCode::FormulaNotCalculated,
        RowCode::DuplicateInBatch,
        RowCode::AlreadyPaid,
        RowCode::OverCap,
        RowCode::AmountAdjusted,
        RowCode::LateClaim,
        RowCode::PossibleDuplicate,
        RowCode::MissingBankAccount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RowCode::MissingField => "missing_field",
            RowCode::BadValue => "bad_value",
            RowCode::BadDate => "bad_date",
            RowCode::DateOutOfPeriod => "date_out_of_period",
            RowCode::DateInFuture => "date_in_future",
            RowCode::NotSuccessful => "not_successful",
            RowCode::DossierNonstandard => "dossier_nonstandard",
            RowCode::ReviewNotPassed => "review_not_passed",
            RowCode::NoRate => "no_rate",
            RowCode::BadIdNumber => "bad_id_number",
            RowCode::IdPrecisionLost => "id_precision_lost",
            RowCode::FormulaNotCalculated => "formula_not_calculated",
            RowCode::DuplicateInBatch => "duplicate_in_batch",
            RowCode::AlreadyPaid => "already_paid",
            RowCode::OverCap => "over_cap",
            RowCode::AmountAdjusted => "amount_adjusted",
            RowCode::LateClaim => "late_claim",
            RowCode::PossibleDuplicate => "possible_duplicate",
            RowCode::MissingBankAccount => "missing_bank_account",
        }
    }

    /// The Chinese name shown beside the code in workbooks.
    pub fn label(self) -> &'static str {
        match self {
            RowCode::MissingField => "必填项缺失",
            RowCode::BadValue => "取值无效",
            RowCode::BadDate => "日期无法识别",
            RowCode::DateOutOfPeriod => "结案日期不在本期",
            RowCode::DateInFuture => "结案日期晚于审核日",
            RowCode::NotSuccessful => "调解未成功",
            RowCode::DossierNonstandard => "卷宗不规范",
            RowCode::ReviewNotPassed => "审核未通过",
            RowCode::NoRate => "无补贴标准",
            RowCode::BadIdNumber => "身份证号码无效",
            RowCode::IdPrecisionLost => "号码被存成数字已失真",
            RowCode::FormulaNotCalculated => "公式未计算",
            RowCode::DuplicateInBatch => "本批重复申报",
            RowCode::AlreadyPaid => "以前期间已发放",
            RowCode::OverCap => "超出年度限额待定",
            RowCode::AmountAdjusted => "申报金额已按标准调整",
            RowCode::LateClaim => "跨期补报",
            RowCode::PossibleDuplicate => "疑似重复（请复核）",
            RowCode::MissingBankAccount => "缺少银行账号",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            RowCode::OverCap => Severity::Hold,
            RowCode::AmountAdjusted
            | RowCode::LateClaim
            | RowCode::PossibleDuplicate
            | RowCode::MissingBankAccount => Severity::Warning,
            _ => Severity::Reject,
        }
    }
}

impl fmt::Display for RowCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file- or sheet-level finding.
// Derived both ways (not a hand-written `serialize_str`): the worker pipe is postcard, which
// writes a variant index, and JSON gets the snake_case names `as_str` returns (tested).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileCode {
    UnreadableFile,
    EncryptedFile,
    NoClaimSheet,
    MissingColumn,
    UnknownCounty,
    FileTooLarge,
    /// The other program's form (SPEC §10.2): a staff form given to `run`, a claim form to
    /// `staff`.
    WrongForm,
}

impl FileCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FileCode::UnreadableFile => "unreadable_file",
            FileCode::EncryptedFile => "encrypted_file",
            FileCode::NoClaimSheet => "no_claim_sheet",
            FileCode::MissingColumn => "missing_column",
            FileCode::UnknownCounty => "unknown_county",
            FileCode::FileTooLarge => "file_too_large",
            FileCode::WrongForm => "wrong_form",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FileCode::UnreadableFile => "文件无法读取",
            FileCode::EncryptedFile => "文件已加密",
            FileCode::NoClaimSheet => "没有申报表",
            FileCode::MissingColumn => "缺少必需列",
            FileCode::UnknownCounty => "无法确定县（市、区）",
            FileCode::FileTooLarge => "文件超出大小限制",
            FileCode::WrongForm => "其他项目的申报表",
        }
    }
}

impl fmt::Display for FileCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// "B12" for 0-based (row, col).
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut c = col;
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names_and_round_trip_through_the_worker_pipe() {
        use FileCode::*;
        for c in RowCode::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            let bin = postcard::to_allocvec(&c).unwrap();
            assert_eq!(postcard::from_bytes::<RowCode>(&bin).unwrap(), c);
        }
        let files = [
            UnreadableFile,
            EncryptedFile,
            NoClaimSheet,
            MissingColumn,
            UnknownCounty,
            FileTooLarge,
            WrongForm,
        ];
        for c in files {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            let bin = postcard::to_allocvec(&c).unwrap();
            assert_eq!(postcard::from_bytes::<FileCode>(&bin).unwrap(), c);
        }
    }

    #[test]
    fn cell_refs_are_excel_style() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(11, 1), "B12");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn codes_serialize_as_spec_names() {
        assert_eq!(
            serde_json::to_string(&RowCode::IdPrecisionLost).unwrap(),
            "\"id_precision_lost\""
        );
        assert_eq!(FileCode::NoClaimSheet.to_string(), "no_claim_sheet");
        assert_eq!(RowCode::OverCap.severity(), Severity::Hold);
        assert_eq!(RowCode::LateClaim.severity(), Severity::Warning);
    }
}
