//! Why a cell's value was not accepted. The messages are shown to county clerks (feedback
//! workbooks, `payrun check`), who then correct the cell, so each names the value it read.

use rust_decimal::Decimal;

use super::date::{MAX_YEAR, MIN_YEAR};

/// Longest excerpt of user input quoted back in an error message, so that a cell holding a whole
/// paragraph does not flood the report.
const QUOTE_MAX_CHARS: usize = 40;

fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(QUOTE_MAX_CHARS).collect();
    if s.chars().nth(QUOTE_MAX_CHARS).is_some() {
        out.push('…');
    }
    format!("“{out}”")
}

fn old_id_hint(len: usize) -> &'static str {
    if len == 15 {
        "，可能是旧版15位号码"
    } else {
        ""
    }
}

/// A value a cell parser refused. Text fields hold what the cell said (after normalisation);
/// `shown` fields hold a number as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    #[error("日期为空")]
    EmptyDate,
    #[error("无法识别的日期：{}", quote(.0))]
    UnreadableDate(String),
    #[error("日期不存在：{}", quote(.0))]
    NoSuchDate(String),
    #[error("日期年份超出范围（{MIN_YEAR}—{MAX_YEAR}）：{}", quote(.0))]
    YearOutOfRange(String),
    #[error("无法识别的日期数值：{shown}")]
    UnreadableDateNumber { shown: String },
    #[error("日期数值必须为正数：{shown}")]
    DateNumberNotPositive { shown: String },
    #[error("日期数值只有时间、没有日期：{shown}")]
    TimeWithoutDate { shown: String },
    #[error("日期数值超出 Excel 日期范围：{shown}")]
    SerialOutOfRange { shown: String },
    /// Serial 60 is Lotus 1-2-3's fictitious 1900-02-29, which Excel kept.
    #[error("日期数值 60 对应不存在的 1900-02-29：{shown}")]
    FictitiousLeapDay { shown: String },
    /// A cell of another kind (a boolean, an error value) where a date belongs.
    #[error("“{0}”不是日期")]
    NotADate(String),

    #[error("金额为空")]
    EmptyAmount,
    #[error("无法识别的金额：{}", quote(.0))]
    UnreadableAmount(String),
    #[error("无法识别的大写金额：{}", quote(.0))]
    UnreadableDaxie(String),
    #[error("金额不能为负数：{0}")]
    NegativeAmount(Decimal),
    #[error("金额不能为负数：{}", quote(.0))]
    NegativeAmountText(String),
    #[error("金额超过两位小数：{0}")]
    TooManyDecimals(Decimal),
    /// A cell of another kind where an amount belongs.
    #[error("“{0}”不是金额")]
    NotAnAmount(String),

    #[error("身份证号码为空")]
    EmptyId,
    #[error("身份证号码长度不是18位（实为{len}位{}）：{}", old_id_hint(*.len), quote(.id))]
    IdLength { len: usize, id: String },
    #[error("身份证号码含非法字符：{}", quote(.0))]
    IdCharacters(String),
    #[error("身份证号码地区码无效（{province:02}）：{id}")]
    IdRegion { province: u32, id: String },
    /// `birth` is the eight digits as written (yyyymmdd), which may not be a date at all.
    #[error("身份证号码出生日期无效（{birth}）：{id}")]
    IdBirthDate { birth: String, id: String },
    #[error("身份证号码校验码错误，应为{expected}：{id}")]
    IdCheckChar { expected: char, id: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_chinese_and_names_the_value() {
        let long = "很".repeat(50);
        let cases = [
            (CellError::EmptyDate, "日期为空".to_string()),
            (
                CellError::UnreadableDate("abc".into()),
                "无法识别的日期：“abc”".into(),
            ),
            (
                CellError::UnreadableDate(long.clone()),
                format!("无法识别的日期：“{}…”", "很".repeat(40)),
            ),
            (
                CellError::NoSuchDate("2025-02-30".into()),
                "日期不存在：“2025-02-30”".into(),
            ),
            (
                CellError::YearOutOfRange("1899-01-01".into()),
                "日期年份超出范围（1900—2999）：“1899-01-01”".into(),
            ),
            (
                CellError::UnreadableDateNumber {
                    shown: "1E+40".into(),
                },
                "无法识别的日期数值：1E+40".into(),
            ),
            (
                CellError::DateNumberNotPositive { shown: "-1".into() },
                "日期数值必须为正数：-1".into(),
            ),
            (
                CellError::TimeWithoutDate {
                    shown: "0.5".into(),
                },
                "日期数值只有时间、没有日期：0.5".into(),
            ),
            (
                CellError::SerialOutOfRange {
                    shown: "2958466".into(),
                },
                "日期数值超出 Excel 日期范围：2958466".into(),
            ),
            (
                CellError::FictitiousLeapDay { shown: "60".into() },
                "日期数值 60 对应不存在的 1900-02-29：60".into(),
            ),
            (CellError::NotADate("TRUE".into()), "“TRUE”不是日期".into()),
            (CellError::EmptyAmount, "金额为空".into()),
            (
                CellError::UnreadableAmount("abc".into()),
                "无法识别的金额：“abc”".into(),
            ),
            (
                CellError::UnreadableDaxie("壹佰伍".into()),
                "无法识别的大写金额：“壹佰伍”".into(),
            ),
            (
                CellError::NegativeAmount(Decimal::new(-1005, 1)),
                "金额不能为负数：-100.5".into(),
            ),
            (
                CellError::NegativeAmountText("-¥100".into()),
                "金额不能为负数：“-¥100”".into(),
            ),
            (
                CellError::TooManyDecimals(Decimal::new(1005, 3)),
                "金额超过两位小数：1.005".into(),
            ),
            (
                CellError::NotAnAmount("#N/A".into()),
                "“#N/A”不是金额".into(),
            ),
            (CellError::EmptyId, "身份证号码为空".into()),
            (
                CellError::IdLength {
                    len: 17,
                    id: "11010519491231002".into(),
                },
                "身份证号码长度不是18位（实为17位）：“11010519491231002”".into(),
            ),
            (
                CellError::IdLength {
                    len: 15,
                    id: "110105491231002".into(),
                },
                "身份证号码长度不是18位（实为15位，可能是旧版15位号码）：“110105491231002”".into(),
            ),
            (
                CellError::IdCharacters("11010519491231002Y".into()),
                "身份证号码含非法字符：“11010519491231002Y”".into(),
            ),
            (
                CellError::IdRegion {
                    province: 9,
                    id: "090105194912310021".into(),
                },
                "身份证号码地区码无效（09）：090105194912310021".into(),
            ),
            (
                CellError::IdBirthDate {
                    birth: "20250230".into(),
                    id: "110105202502300021".into(),
                },
                "身份证号码出生日期无效（20250230）：110105202502300021".into(),
            ),
            (
                CellError::IdCheckChar {
                    expected: 'X',
                    id: "110105194912310021".into(),
                },
                "身份证号码校验码错误，应为X：110105194912310021".into(),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want, "{e:?}");
        }
    }
}
