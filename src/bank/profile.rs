//! Bank profiles (SPEC §12.1): each paying bank's batch template as policy data, never code.
//! The bureau replaces the embedded illustrative profiles with its banks' own templates; a
//! profile says which 开户银行 it serves (`match`), the file kind, the columns in order and how
//! the bank writes its answer.

use serde::Deserialize;
use toml::Spanned;

use crate::cell::compact;

/// A column of a batch file (the closed list of SPEC §12.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankColumn {
    Seq,
    Name,
    Account,
    Amount,
    IdNumber,
    Bank,
    Purpose,
    Remark,
}

impl BankColumn {
    pub const ALL: [BankColumn; 8] = [
        BankColumn::Seq,
        BankColumn::Name,
        BankColumn::Account,
        BankColumn::Amount,
        BankColumn::IdNumber,
        BankColumn::Bank,
        BankColumn::Purpose,
        BankColumn::Remark,
    ];

    /// The header the column carries in a batch file (and is found by in an answer).
    pub fn label(self) -> &'static str {
        match self {
            BankColumn::Seq => "序号",
            BankColumn::Name => "户名",
            BankColumn::Account => "账号",
            BankColumn::Amount => "金额",
            BankColumn::IdNumber => "身份证号码",
            BankColumn::Bank => "开户银行",
            BankColumn::Purpose => "用途",
            BankColumn::Remark => "备注",
        }
    }

    fn parse(s: &str) -> Option<BankColumn> {
        let c = compact(s);
        BankColumn::ALL.into_iter().find(|k| k.label() == c)
    }
}

/// The file kind of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankFormat {
    Xlsx,
    Txt,
}

/// The text encoding of a txt batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxtEncoding {
    Gb18030,
    Utf8,
}

impl TxtEncoding {
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TxtEncoding::Gb18030 => encoding_rs::GB18030,
            TxtEncoding::Utf8 => encoding_rs::UTF_8,
        }
    }
}

/// How an xlsx batch carries its amounts: text "1200.00", or a number shown as 0.00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountCell {
    Text,
    Number,
}

/// One bank's batch template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankProfile {
    pub name: String,
    /// Words found in 开户银行, already compacted (NFKC, no whitespace).
    pub match_words: Vec<String>,
    pub format: BankFormat,
    pub encoding: TxtEncoding,
    pub delimiter: String,
    pub header: bool,
    pub columns: Vec<BankColumn>,
    /// Text of 用途; `{period}` becomes the period label.
    pub purpose: String,
    pub max_rows: Option<usize>,
    pub amount: AmountCell,
    /// Words of 处理结果 meaning paid (compacted), besides 成功.
    pub success_words: Vec<String>,
    /// Words of 处理结果 meaning failed (compacted), besides 失败.
    pub failure_words: Vec<String>,
}

impl BankProfile {
    /// Whether `bank` (a 开户银行 as typed) is this bank's.
    pub fn matches(&self, bank: &str) -> bool {
        let b = compact(bank);
        self.match_words.iter().any(|w| b.contains(w.as_str()))
    }

    /// The file extension of its batch files.
    pub fn extension(&self) -> &'static str {
        match self.format {
            BankFormat::Xlsx => "xlsx",
            BankFormat::Txt => "txt",
        }
    }

    /// 用途 for a period.
    pub fn purpose_for(&self, period: &str) -> String {
        self.purpose.replace("{period}", period)
    }
}

/// The first profile (policy order) that serves `bank`.
pub fn profile_for<'p>(profiles: &'p [BankProfile], bank: &str) -> Option<&'p BankProfile> {
    profiles.iter().find(|p| p.matches(bank))
}

/// `[[banks]]` as written in the policy file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBank {
    name: String,
    #[serde(rename = "match")]
    match_words: Vec<String>,
    format: Spanned<String>,
    #[serde(default)]
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    header: Option<bool>,
    columns: Spanned<Vec<String>>,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    max_rows: Option<Spanned<i64>>,
    #[serde(default)]
    amount: Option<Spanned<String>>,
    #[serde(default)]
    success_words: Vec<String>,
    #[serde(default)]
    failure_words: Vec<String>,
}

/// The keys of `[[banks]]` with their meaning, for the policy's messages.
pub const KEY_LABELS: &[(&str, &str)] = &[
    ("banks", "代发银行"),
    ("match", "开户银行中的关键字"),
    ("format", "代发文件格式"),
    ("encoding", "文本文件编码"),
    ("delimiter", "分隔符"),
    ("header", "是否有标题行"),
    ("columns", "代发文件的列"),
    ("purpose", "用途"),
    ("max_rows", "每个文件最多行数"),
    ("success_words", "表示成功的处理结果"),
    ("failure_words", "表示失败的处理结果"),
];

/// Validates the profiles. `line` gives the line of a byte offset of the policy text; every
/// message names the line and the field at fault.
pub fn validate(
    raw: &[Spanned<RawBank>],
    line: &dyn Fn(usize) -> usize,
) -> Result<Vec<BankProfile>, String> {
    let mut out: Vec<BankProfile> = Vec::new();
    for b in raw {
        let at = line(b.span().start);
        let v = b.get_ref();
        let name = v.name.trim().to_string();
        let err = |l: usize, m: String| format!("政策文件第 {l} 行：代发银行“{name}”{m}");
        if name.is_empty() {
            return Err(format!(
                "政策文件第 {at} 行：代发银行的 name（名称）不能为空"
            ));
        }
        if name
            .chars()
            .any(|c| "<>:\"/\\|?*".contains(c) || c.is_control())
        {
            return Err(err(
                at,
                "的名称含有不能用于文件名的字符（< > : \" / \\ | ? *）".into(),
            ));
        }
        if name == "其他银行" || out.iter().any(|p| p.name == name) {
            return Err(err(
                at,
                "重复（或与“其他银行”同名），每个代发银行只能写一次".into(),
            ));
        }
        let match_words: Vec<String> = v
            .match_words
            .iter()
            .map(|w| compact(w))
            .filter(|w| !w.is_empty())
            .collect();
        if match_words.is_empty() {
            return Err(err(
                at,
                "的 match（开户银行中的关键字）不能为空，如 [\"农村信用\", \"农信\"]".into(),
            ));
        }
        let format = match v.format.get_ref().trim() {
            "xlsx" => BankFormat::Xlsx,
            "txt" => BankFormat::Txt,
            other => {
                return Err(err(
                    line(v.format.span().start),
                    format!("的 format（代发文件格式）“{other}”无效，应为 xlsx 或 txt"),
                ));
            }
        };
        let encoding = match &v.encoding {
            None => TxtEncoding::Gb18030,
            Some(e) => match e.get_ref().trim().to_ascii_lowercase().as_str() {
                "gb18030" | "gbk" | "gb2312" => TxtEncoding::Gb18030,
                "utf-8" | "utf8" => TxtEncoding::Utf8,
                other => {
                    return Err(err(
                        line(e.span().start),
                        format!("的 encoding（文本文件编码）“{other}”无效，应为 gb18030 或 utf-8"),
                    ));
                }
            },
        };
        let delimiter = v.delimiter.clone().unwrap_or_else(|| ",".to_string());
        if format == BankFormat::Txt
            && (delimiter.is_empty() || delimiter.chars().any(|c| c == '\r' || c == '\n'))
        {
            return Err(err(
                at,
                "的 delimiter（分隔符）不能为空，也不能是换行".into(),
            ));
        }
        let mut columns = Vec::new();
        for c in v.columns.get_ref() {
            let Some(col) = BankColumn::parse(c) else {
                return Err(err(
                    line(v.columns.span().start),
                    format!(
                        "的 columns（代发文件的列）中“{c}”无效，可用：{}",
                        BankColumn::ALL.map(|k| k.label()).join("、")
                    ),
                ));
            };
            if columns.contains(&col) {
                return Err(err(
                    line(v.columns.span().start),
                    format!("的 columns 中“{c}”写了两次"),
                ));
            }
            columns.push(col);
        }
        for need in [BankColumn::Name, BankColumn::Account, BankColumn::Amount] {
            if !columns.contains(&need) {
                return Err(err(
                    line(v.columns.span().start),
                    format!(
                        "的 columns 缺少“{}”（户名、账号、金额必须有）",
                        need.label()
                    ),
                ));
            }
        }
        let max_rows = match &v.max_rows {
            None => None,
            Some(m) => {
                let n = *m.get_ref();
                if !(1..=1_000_000).contains(&n) {
                    return Err(err(
                        line(m.span().start),
                        format!("的 max_rows（每个文件最多行数）{n} 无效，应为 1 至 1000000"),
                    ));
                }
                usize::try_from(n).ok()
            }
        };
        let amount = match &v.amount {
            None => AmountCell::Number,
            Some(a) => match a.get_ref().trim() {
                "number" => AmountCell::Number,
                "text" => AmountCell::Text,
                other => {
                    return Err(err(
                        line(a.span().start),
                        format!(
                            "的 amount（金额写法）“{other}”无效，应为 number（数字，显示两位小数）或 text（文本，如 1200.00）"
                        ),
                    ));
                }
            },
        };
        let words = |ws: &[String]| -> Vec<String> {
            ws.iter()
                .map(|w| compact(w))
                .filter(|w| !w.is_empty())
                .collect()
        };
        let success_words = words(&v.success_words);
        let failure_words = words(&v.failure_words);
        if let Some(w) = success_words.iter().find(|w| failure_words.contains(w)) {
            return Err(err(at, format!("的“{w}”既表示成功又表示失败")));
        }
        out.push(BankProfile {
            name,
            match_words,
            format,
            encoding,
            delimiter,
            header: v.header.unwrap_or(true),
            columns,
            purpose: v.purpose.clone().unwrap_or_default(),
            max_rows,
            amount,
            success_words,
            failure_words,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    #[test]
    fn the_embedded_policy_has_the_samples_banks() {
        let p = Policy::default_policy().unwrap();
        let name = |bank: &str| profile_for(&p.banks, bank).map(|b| b.name.as_str());
        assert_eq!(name("中国农业银行红塔支行"), Some("中国农业银行"));
        assert_eq!(name("玉溪农村商业银行"), Some("农村信用社"));
        assert_eq!(name("峨山农村信用合作联社"), Some("农村信用社"));
        assert_eq!(name("中国邮政储蓄银行 通海支行"), Some("中国邮政储蓄银行"));
        // Deliberately without a profile: its lines go to 其他银行.
        assert_eq!(name("中国建设银行玉溪分行"), None);
        let txt = p
            .banks
            .iter()
            .find(|b| b.format == BankFormat::Txt)
            .unwrap();
        assert_eq!(txt.encoding, TxtEncoding::Gb18030);
    }

    fn refused(banks: &str) -> String {
        let text = format!("{}\n{banks}", crate::policy::DEFAULT_POLICY_TOML);
        Policy::from_toml(&text, "p.toml").unwrap_err().0
    }

    #[test]
    fn bad_profiles_are_refused_at_their_line_in_chinese() {
        let base = crate::policy::DEFAULT_POLICY_TOML.lines().count();
        let e = refused(
            "[[banks]]\nname = \"甲银行\"\nmatch = [\"甲\"]\nformat = \"pdf\"\ncolumns = [\"户名\", \"账号\", \"金额\"]\n",
        );
        assert!(e.contains(&format!("第 {} 行", base + 5)), "{e}");
        assert!(e.contains("xlsx 或 txt"), "{e}");
        let e = refused(
            "[[banks]]\nname = \"甲银行\"\nmatch = [\"甲\"]\nformat = \"txt\"\ncolumns = [\"户名\", \"金额\"]\n",
        );
        assert!(e.contains("缺少“账号”"), "{e}");
        let e = refused(
            "[[banks]]\nname = \"甲银行\"\nmatch = [\"甲\"]\nformat = \"txt\"\nencoding = \"latin1\"\ncolumns = [\"户名\", \"账号\", \"金额\"]\n",
        );
        assert!(e.contains("gb18030 或 utf-8"), "{e}");
        let e = refused(
            "[[banks]]\nname = \"甲银行\"\nmatch = [\"甲\"]\nformat = \"txt\"\ncolumns = [\"户名\", \"账号\", \"金额\", \"开户网点\"]\n",
        );
        assert!(e.contains("“开户网点”无效"), "{e}");
        let e = refused(
            "[[banks]]\nname = \"甲银行\"\nmatch = [\"甲\"]\nformat = \"txt\"\ncolumns = [\"户名\", \"账号\", \"金额\"]\nmax_row = 5\n",
        );
        assert!(
            e.contains("max_row") && e.contains("max_rows（每个文件最多行数）"),
            "{e}"
        );
    }
}
