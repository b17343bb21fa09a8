//! The 台账 (ledger): every case paid, kept across runs in a workbook the bureau can open
//! (SPEC §4.5). It is what makes a case paid in H1 `already_paid` in H2 and what tells H2 how much
//! of each county's cap is spent.
//!
//! Layout: sheet 台账 (one row per paid case, filterable), sheet 期间 (each period on record, open
//! or 已结束), and a very hidden sheet `_校验` holding the same records as canonical JSON plus a
//! SHA-256 over them. On load the visible sheets are compared with the hidden copy field by field:
//! an amount changed or a row deleted by hand is refused, naming the row and what differs. (The
//! digest detects edits made in Excel; it is not a signature against someone who rewrites both.)
//!
//! Safety: the ledger is replaced atomically (temp file + rename), so a run killed at any moment
//! leaves the old or the new ledger, never a broken one; a lock file held for the whole run makes
//! a second simultaneous run refuse instead of corrupting it.

use std::fs::File;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::bank::records::{self, Answer, Repay};
use crate::county::CountyCode;
use crate::form::Outcome;
use crate::mediation::RunOutput;
use crate::mediation::{PriorPayments, RunPeriod};
use crate::money::{fen, plain};
use crate::policy::Policy;
use crate::report::sheet::{Columns, Sheet};
use crate::report::style::{self, Styles};
use crate::report::text::{STANDARD_ROW_PIXELS, money_units, most_common, row_pixels};

const MAGIC: &str = "payrun-ledger-v1";
const ENTRY_SHEET: &str = "台账";
const PERIOD_SHEET: &str = "期间";
const CHECK_SHEET: &str = "_校验";
const LEDGER_TITLE: &str = "玉溪市人民调解“一案一补”补贴发放台账";
/// Title, info line, header: the header rows of the two visible sheets (0-based).
const ENTRY_HEADER_ROW: u32 = 2;
const PERIOD_HEADER_ROW: u32 = 2;
/// Column of 发放金额.
const ENTRY_AMOUNT: u16 = 10;

const ENTRY_HEADERS: [&str; 15] = [
    "期间",
    "区划代码",
    "县（市、区）",
    "司法所",
    "人民调解委员会",
    "案件编号",
    "案件标识",
    "调解员",
    "身份证号码",
    "结案日期",
    "发放金额",
    "审核日期",
    "来源",
    "银行账号",
    "发放状态",
];
const PERIOD_HEADERS: [&str; 5] = ["期间", "状态", "审核日期", "案件数", "发放金额合计"];

/// One paid case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub period: String,
    pub county_code: String,
    pub county_name: String,
    pub office: String,
    pub committee: String,
    pub case_no: String,
    pub case_key: String,
    pub mediator: String,
    pub id_number: String,
    pub close_date: String,
    /// Two decimals, as a string: the canonical form hashed.
    pub amount: String,
    pub run_date: String,
    pub source: String,
    /// The 发放表 line's account ("" = 待补账号); with period, county and ID number it names
    /// the line a bank answers (SPEC §12.3).
    #[serde(default)]
    pub account: String,
    /// 发放状态, derived from the bank's answers and the repayments (`bank::records`).
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodRecord {
    pub period: String,
    pub finalized: bool,
    pub run_date: String,
    pub cases: usize,
    pub amount: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub entries: Vec<Entry>,
    pub periods: Vec<PeriodRecord>,
    /// The banks' answers and the repayments (SPEC §12), in the order they were recorded.
    pub answers: Vec<Answer>,
    pub repays: Vec<Repay>,
}

/// Held for the whole run: a second run on the same ledger refuses.
#[derive(Debug)]
pub struct LedgerLock {
    _file: File,
    path: PathBuf,
}

impl Drop for LedgerLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub fn lock(ledger: &Path) -> Result<LedgerLock, String> {
    let name = ledger
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let path = ledger.with_file_name(format!(".{name}.lock"));
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("无法创建台账所在文件夹 {}：{e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("无法创建台账锁文件 {}：{e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(LedgerLock { _file: file, path }),
        Err(_) => Err(format!(
            "台账 {} 正被另一个 payrun 使用（锁文件 {}），请等其结束后再运行",
            ledger.display(),
            path.display()
        )),
    }
}

/// The ledger's records as the check sheet holds them: (kind, JSON), one a row. Made one at a
/// time, twice per save (for the digest, then for the rows), rather than held: on a province's
/// ledger the whole list would be the save's largest allocation.
fn canonical_lines(l: &Ledger) -> impl Iterator<Item = (&'static str, String)> + '_ {
    fn json<T: Serialize>(x: &T) -> String {
        serde_json::to_string(x).unwrap_or_default()
    }
    let entries = l.entries.iter().map(|e| ("entry", json(e)));
    let periods = l.periods.iter().map(|p| ("period", json(p)));
    let answers = l.answers.iter().map(|a| ("answer", json(a)));
    let repays = l.repays.iter().map(|r| ("repay", json(r)));
    entries.chain(periods).chain(answers).chain(repays)
}

/// Cells of at most CHUNK_UNITS UTF-16 units: a check-sheet JSON line can be longer than one
/// cell holds (32,767), e.g. for an entry with a 30,000-character mediator name.
const CHUNK_UNITS: usize = 16_000;

fn chunks(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut units = 0;
    for (i, ch) in s.char_indices() {
        if units + ch.len_utf16() > CHUNK_UNITS {
            out.push(&s[start..i]);
            start = i;
            units = 0;
        }
        units += ch.len_utf16();
    }
    if start < s.len() || out.is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// A recorded amount as payrun writes it: a non-negative decimal with at most 2 places.
fn is_amount(s: &str) -> bool {
    s.parse::<Decimal>()
        .is_ok_and(|d| !d.is_sign_negative() && d.scale() <= 2)
}

fn digest<K: AsRef<str>, J: AsRef<str>>(lines: impl IntoIterator<Item = (K, J)>) -> String {
    let mut h = Sha256::new();
    h.update(MAGIC.as_bytes());
    for (k, j) in lines {
        h.update(b"\n");
        h.update(k.as_ref().as_bytes());
        h.update(b"\t");
        h.update(j.as_ref().as_bytes());
    }
    crate::policy::hex(&h.finalize())
}

fn period_order(label: &str, policy: &Policy) -> (i32, usize) {
    let (y, id) = label.split_once('-').unwrap_or((label, ""));
    let y = y.parse().unwrap_or(0);
    let idx = policy
        .periods
        .iter()
        .position(|p| p.id == id)
        .unwrap_or(usize::MAX);
    (y, idx)
}

impl Ledger {
    /// Loads the ledger; Ok(None) when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Ledger>, String> {
        if !path.exists() {
            return Ok(None);
        }
        let shown = path.display();
        // The ledger is parsed in this process, not in a worker: anything but a zip (payrun writes
        // nothing else) is refused before calamine, whose OLE reader can exhaust memory on a
        // damaged compound file.
        let mut head = [0u8; 4];
        let is_zip = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|()| head == crate::ingest::read::ZIP_MAGIC);
        if !is_zip {
            return Err(format!(
                "台账 {shown} 不是 payrun 生成的 xlsx 文件（文件内容无法识别或已损坏），拒绝使用；请从备份恢复"
            ));
        }
        let mut wb: Xlsx<_> = open_workbook(path)
            .map_err(|e| format!("台账 {shown} 无法打开（{e}），拒绝使用；请从备份恢复"))?;
        let sheet = |wb: &mut Xlsx<_>, name: &str| {
            wb.worksheet_range(name).map_err(|_| {
                format!(
                    "台账 {shown} 缺少工作表“{name}”，不是 payrun 生成的台账或已被改动，拒绝使用"
                )
            })
        };
        let check = sheet(&mut wb, CHECK_SHEET)?;
        let mut stored_digest = String::new();
        let mut recorded = Ledger::default();
        let mut lines = Vec::new();
        for (i, row) in check.rows().enumerate() {
            let a = row.first().map(|d| d.to_string()).unwrap_or_default();
            let b: String = if i == 0 {
                row.get(1).map(|d| d.to_string()).unwrap_or_default()
            } else {
                row.iter().skip(1).map(|d| d.to_string()).collect()
            };
            if i == 0 {
                if a != MAGIC {
                    return Err(format!("台账 {shown} 的校验数据格式无法识别，拒绝使用"));
                }
                stored_digest = b;
                continue;
            }
            match a.as_str() {
                "entry" => recorded.entries.push(serde_json::from_str(&b).map_err(|_| {
                    format!("台账 {shown} 的校验数据第 {} 行已损坏，拒绝使用", i + 1)
                })?),
                "period" => recorded.periods.push(serde_json::from_str(&b).map_err(|_| {
                    format!("台账 {shown} 的校验数据第 {} 行已损坏，拒绝使用", i + 1)
                })?),
                "answer" => recorded.answers.push(serde_json::from_str(&b).map_err(|_| {
                    format!("台账 {shown} 的校验数据第 {} 行已损坏，拒绝使用", i + 1)
                })?),
                "repay" => recorded.repays.push(serde_json::from_str(&b).map_err(|_| {
                    format!("台账 {shown} 的校验数据第 {} 行已损坏，拒绝使用", i + 1)
                })?),
                "" => continue,
                _ => {
                    return Err(format!(
                        "台账 {shown} 的校验数据第 {} 行无法识别，拒绝使用",
                        i + 1
                    ));
                }
            }
            lines.push((a, b));
        }
        if digest(lines.iter().map(|(a, b)| (a, b))) != stored_digest {
            return Err(format!(
                "台账 {shown} 的校验数据与其摘要不符（隐藏的校验表被改动），拒绝使用；请从备份恢复"
            ));
        }

        let refused = |m: String| format!("台账 {shown}：{m}");
        let visible = read_entries(&sheet(&mut wb, ENTRY_SHEET)?).map_err(refused)?;
        let periods = read_periods(&sheet(&mut wb, PERIOD_SHEET)?).map_err(refused)?;
        let mut diffs = Vec::new();
        if visible.len() != recorded.entries.len() {
            diffs.push(format!(
                "“台账”表有 {} 行记录，应为 {} 行（有行被删除或添加）",
                visible.len(),
                recorded.entries.len()
            ));
        }
        for (i, (got, want)) in visible.iter().zip(&recorded.entries).enumerate() {
            for (label, g, w) in entry_fields(got)
                .into_iter()
                .zip(entry_fields(want))
                .map(|((l, g), (_, w))| (l, g, w))
            {
                if g != w {
                    diffs.push(format!(
                        "“台账”表第 {} 行“{label}”：记录为“{w}”，现为“{g}”",
                        i + 2
                    ));
                }
            }
        }
        if periods != recorded.periods {
            diffs.push("“期间”表与记录不符（期间状态或合计被改动）".to_string());
        }
        let answers = wb.worksheet_range(records::ANSWER_SHEET).ok();
        let repays = wb.worksheet_range(records::REPAY_SHEET).ok();
        diffs.extend(records::compare_visible(
            answers.as_ref(),
            repays.as_ref(),
            &recorded,
            &cell_string,
        ));
        // Money and county codes are used for the caps of later periods: a value that does not
        // parse would otherwise count as 0.00 元 paid (or be skipped) without a word.
        for (i, e) in recorded.entries.iter().enumerate() {
            if CountyCode::new(&e.county_code).is_none() {
                diffs.push(format!(
                    "“台账”表第 {} 行县代码“{}”无效",
                    i + 2,
                    e.county_code
                ));
            }
            if !is_amount(&e.amount) {
                diffs.push(format!("“台账”表第 {} 行发放金额“{}”无效", i + 2, e.amount));
            }
        }
        for p in &recorded.periods {
            if !is_amount(&p.amount) {
                diffs.push(format!(
                    "“期间”表 {} 的合计金额“{}”无效",
                    p.period, p.amount
                ));
            }
        }
        if !diffs.is_empty() {
            let more = if diffs.len() > 10 {
                format!("……共 {} 处", diffs.len())
            } else {
                String::new()
            };
            diffs.truncate(10);
            return Err(format!(
                "台账 {shown} 被手工改动过，拒绝使用：{}{more}。请从备份恢复台账，或改回原值后重新运行",
                diffs.join("；")
            ));
        }
        Ok(Some(recorded))
    }

    /// A period already closed, or a later period already on record, cannot be (re)run.
    pub fn check_can_run(&self, period: &RunPeriod, policy: &Policy) -> Result<(), String> {
        if let Some(p) = self.periods.iter().find(|p| p.period == period.label)
            && p.finalized
        {
            return Err(format!(
                "期间 {} 已于台账中结束（--finalize），不能重新审核；如确需更正，请由财务负责人从备份恢复台账",
                period.label
            ));
        }
        let me = period_order(&period.label, policy);
        if let Some(later) = self.periods.iter().find(|p| {
            let o = period_order(&p.period, policy);
            o.0 == me.0 && o.1 > me.1
        }) {
            return Err(format!(
                "台账中已有以后的期间 {}，不能再重新审核较早的期间 {}（否则以后期间的限额计算将失真）",
                later.period, period.label
            ));
        }
        Ok(())
    }

    /// What earlier periods of the same year paid.
    pub fn prior_for(&self, period: &RunPeriod, policy: &Policy) -> PriorPayments {
        let me = period_order(&period.label, policy);
        let mut prior = PriorPayments::default();
        for e in &self.entries {
            let o = period_order(&e.period, policy);
            if e.period == period.label || o.0 != me.0 || o.1 >= me.1 {
                continue;
            }
            let Some(code) = CountyCode::new(&e.county_code) else {
                continue;
            };
            let amount: Decimal = e.amount.parse().unwrap_or(Decimal::ZERO);
            *prior
                .paid_before
                .entry(code.clone())
                .or_insert(Decimal::ZERO) += amount;
            prior
                .cases
                .insert((code, e.case_key.clone()), e.period.clone());
        }
        prior
    }

    /// Replaces the run's period with its approved cases.
    pub fn replace_period(&mut self, out: &RunOutput, finalize: bool) {
        let label = &out.period.label;
        self.entries.retain(|e| &e.period != label);
        self.periods.retain(|p| &p.period != label);
        let run_date = out.period.run_date.to_string();
        let mut new: Vec<Entry> = Vec::new();
        let mut total = Decimal::ZERO;
        for (c, d) in out.claims.iter().zip(&out.decisions) {
            if d.outcome != Outcome::Approved {
                continue;
            }
            let Some(code) = &c.county else { continue };
            total += d.approved;
            // Text exactly as the visible sheet reads back (no control characters, within
            // Excel's cell limit): otherwise the next run would take the difference between the
            // visible and the recorded copy for a hand edit and refuse the ledger.
            let text =
                |v: &Option<crate::form::Text>| style::cell_text(v.as_deref().unwrap_or_default());
            new.push(Entry {
                period: label.clone(),
                county_code: code.to_string(),
                county_name: style::cell_text(&out.county_name(Some(code))),
                office: text(&c.office),
                committee: text(&c.committee),
                case_no: text(&c.case_no),
                case_key: text(&c.case_key),
                mediator: text(&c.mediator),
                id_number: text(&c.id_number),
                close_date: c.close_date.map(|d| d.to_string()).unwrap_or_default(),
                amount: plain(d.approved),
                run_date: run_date.clone(),
                source: style::cell_text(&c.origin.place()),
                account: c
                    .account
                    .as_deref()
                    .map(style::cell_text)
                    .unwrap_or_default(),
                status: records::PENDING.to_string(),
            });
        }
        new.sort_by(|a, b| (&a.county_code, &a.case_key).cmp(&(&b.county_code, &b.case_key)));
        self.periods.push(PeriodRecord {
            period: label.clone(),
            finalized: finalize,
            run_date,
            cases: new.len(),
            amount: plain(total),
        });
        self.entries.extend(new);
        self.entries.sort_by(|a, b| {
            (&a.period, &a.county_code, &a.case_key).cmp(&(&b.period, &b.county_code, &b.case_key))
        });
        self.periods.sort_by(|a, b| a.period.cmp(&b.period));
    }

    /// Writes the ledger atomically.
    pub fn save(&self, path: &Path, run_date: chrono::NaiveDate) -> Result<(), String> {
        let bytes = self.render(run_date)?;
        crate::report::write_atomic(path, &bytes)
            .map_err(|e| format!("无法写入台账 {}：{e}", path.display()))
    }

    /// The ledger workbook's bytes (built apart from writing, so a run can build it while its
    /// reports are written and put it in place only once they are).
    ///
    /// 台账 prints as a record (SPEC §11.4): a title and an info line above the table, the
    /// entries, then under a blank row each period's 小计, the 合计 and its 大写, and the
    /// sign-off line. 期间 likewise. The readers ([`read_entries`], [`read_periods`]) find the
    /// header row and stop at the first blank row, so the lines under the table are never read
    /// as records (and a ledger written before they existed still reads).
    pub fn render(&self, run_date: chrono::NaiveDate) -> Result<Vec<u8>, String> {
        let mut wb = crate::report::style::workbook();
        wb.set_properties(&style::properties(LEDGER_TITLE, run_date));
        let st = Styles::new();
        let err = |e: rust_xlsxwriter::XlsxError| format!("生成台账失败：{e}");
        {
            let ws = wb
                .add_worksheet_with_constant_memory()
                .map_err(err)?
                .set_name(ENTRY_SHEET)
                .map_err(err)?;
            self.write_entries(ws, &st, run_date).map_err(err)?;
            ws.set_active(true);
        }
        {
            let ws = wb.add_worksheet().set_name(PERIOD_SHEET).map_err(err)?;
            self.write_periods(ws, &st, run_date).map_err(err)?;
        }
        records::render(&mut wb, self, &st).map_err(err)?;
        {
            // Constant memory (inline strings), written row by row: as a standard sheet this
            // check copy of every entry, with its shared-string table, was the largest
            // allocation of a province's output phase (≈ 130 MB on 400k rows).
            let ws = wb
                .add_worksheet_with_constant_memory()
                .map_err(err)?
                .set_name(CHECK_SHEET)
                .map_err(err)?;
            ws.write_string(0, 0, MAGIC).map_err(err)?;
            ws.write_string(0, 1, digest(canonical_lines(self)))
                .map_err(err)?;
            for (i, (k, j)) in canonical_lines(self).enumerate() {
                ws.write_string(i as u32 + 1, 0, k).map_err(err)?;
                // A line longer than one cell holds continues in the next cells of the row.
                for (n, chunk) in chunks(&j).into_iter().enumerate() {
                    let col = u16::try_from(n + 1).map_err(|_| "台账校验数据过长".to_string())?;
                    ws.write_string(i as u32 + 1, col, chunk).map_err(err)?;
                }
            }
            ws.set_very_hidden(true);
        }
        wb.save_to_buffer()
            .map_err(|e| format!("生成台账失败：{e}"))
    }

    /// Cases and amount of every period on record, in period order, and their sum.
    fn totals(&self) -> (Vec<(&str, usize, Decimal)>, usize, Decimal) {
        let mut per: Vec<(&str, usize, Decimal)> = Vec::new();
        for e in &self.entries {
            let amount: Decimal = e.amount.parse().unwrap_or(Decimal::ZERO);
            match per.iter_mut().find(|(p, _, _)| *p == e.period) {
                Some(t) => {
                    t.1 += 1;
                    t.2 += amount;
                }
                None => per.push((&e.period, 1, amount)),
            }
        }
        let cases = per.iter().map(|t| t.1).sum();
        let amount = fen(per.iter().map(|t| t.2).sum());
        (per, cases, amount)
    }

    /// "制表日期：…　　记录期间：2025-H1（已结束）、2025-H2　　共 N 件，¥…".
    fn info_line(&self, run_date: chrono::NaiveDate) -> String {
        let (_, cases, amount) = self.totals();
        let periods: Vec<String> = self
            .periods
            .iter()
            .map(|p| {
                let closed = if p.finalized { "（已结束）" } else { "" };
                format!("{}{closed}", p.period)
            })
            .collect();
        let periods = if periods.is_empty() {
            "无".to_string()
        } else {
            periods.join("、")
        };
        format!(
            "{}　　记录期间：{periods}　　已发放案件共 {cases} 件，金额 {} 元",
            style::made_on(run_date),
            plain(amount)
        )
    }

    fn write_entries(
        &self,
        ws: &mut rust_xlsxwriter::Worksheet,
        st: &Styles,
        run_date: chrono::NaiveDate,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        let (per, cases, total) = self.totals();
        let money_w = f64::from(money_units(total) + 1).max(10.0);
        // The long texts wrap to two lines; IDs, dates and amounts never wrap.
        let widths = [
            7.5, 7.0, 10.0, 8.0, 11.0, 15.0, 12.0, 7.0, 19.5, 10.5, money_w, 10.5, 30.0, 19.5, 8.0,
        ];
        // 银行账号 wraps only when it is longer than the usual 19 digits.
        const WRAPPED: [bool; 15] = [
            false, false, true, true, true, true, true, true, false, false, false, false, true,
            true, true,
        ];
        // Every cell is text but the amount's: the columns carry the formats, so the entries
        // are written without a format lookup each (see `report::sheet`).
        let cols = (0u16..)
            .zip(WRAPPED)
            .fold(Columns::chars(&widths), |cols, (c, w)| {
                cols.plain(
                    c,
                    match (c, w) {
                        (ENTRY_AMOUNT, _) => &st.money,
                        (_, true) => &st.id_wrap,
                        (_, false) => &st.id_text,
                    },
                )
            });
        // Rows are as high as their longest wrapped text; the height most rows have is made
        // the sheet's default, so that only the others are sized one by one (every sized row
        // of a constant-memory sheet stays in memory until the save).
        let heights: Vec<u32> = self
            .entries
            .iter()
            .map(|e| {
                let cells: Vec<(u16, &str)> = (0u16..)
                    .zip(entry_fields(e))
                    .filter(|(c, _)| WRAPPED[usize::from(*c)])
                    .map(|(c, (_, v))| (c, v))
                    .collect();
                row_pixels(cols.lines(&cells))
            })
            .collect();
        let default = most_common(&heights).unwrap_or(STANDARD_ROW_PIXELS);
        ws.set_default_row_height_pixels(default);
        cols.apply(ws)?;
        let last = cols.count() - 1;
        let mut sh = Sheet::new(ws, &cols);
        sh.merged(0, 0, last, LEDGER_TITLE, &st.title)?;
        sh.height(0, 40)?;
        sh.merged(1, 0, last, &self.info_line(run_date), &st.subtitle)?;
        sh.height(1, 24)?;
        sh.header_fitted(ENTRY_HEADER_ROW, &ENTRY_HEADERS, &st.header, 2)?;
        let mut r = ENTRY_HEADER_ROW;
        for (e, h) in self.entries.iter().zip(&heights) {
            r += 1;
            for (c, (_, v)) in (0u16..).zip(entry_fields(e)) {
                if c == ENTRY_AMOUNT {
                    let amount: Decimal = v.parse().unwrap_or(Decimal::ZERO);
                    sh.money(r, c, amount, &st.money)?;
                } else {
                    let f = if WRAPPED[usize::from(c)] {
                        &st.id_wrap
                    } else {
                        &st.id_text
                    };
                    sh.text(r, c, v, f)?;
                }
            }
            if *h != default {
                sh.height(r, *h)?;
            }
        }
        let last_entry = r;
        sh.ws.set_freeze_panes(ENTRY_HEADER_ROW + 1, 0)?;
        sh.ws.autofilter(ENTRY_HEADER_ROW, 0, last_entry, last)?;
        // The lines under the table, after one blank row (where the readers stop). Cells left
        // empty there are written plainly: the columns' own format would draw table borders.
        r += 1;
        sh.blanks(r, 0..=last, &st.plain)?;
        r += 1;
        let one_line = row_pixels(1);
        for (period, n, amount) in &per {
            sh.merged(
                r,
                0,
                ENTRY_AMOUNT - 1,
                &format!("{period} 小计（{n} 件）"),
                &st.total_label,
            )?;
            sh.money(r, ENTRY_AMOUNT, fen(*amount), &st.total_money)?;
            sh.merged(r, ENTRY_AMOUNT + 1, last, "", &st.total_label)?;
            sh.height(r, one_line)?;
            r += 1;
        }
        sh.merged(
            r,
            0,
            ENTRY_AMOUNT - 1,
            &format!("合计（{cases} 件）"),
            &st.total_label,
        )?;
        sh.money(r, ENTRY_AMOUNT, total, &st.total_money)?;
        sh.merged(r, ENTRY_AMOUNT + 1, last, "", &st.total_label)?;
        sh.height(r, one_line)?;
        r += 1;
        let daxie = format!("合计金额（大写）：{}", crate::cell::format_daxie(total));
        sh.line(r, &daxie, &st.daxie, one_line)?;
        r += 1;
        sh.blanks(r, 0..=last, &st.plain)?;
        r += 1;
        sh.line(r, &style::sign_off(run_date), &st.sign_line, 28)?;
        style::page_setup(
            sh.ws,
            Some((ENTRY_HEADER_ROW, ENTRY_HEADER_ROW)),
            cols.total_px(),
        )
    }

    fn write_periods(
        &self,
        ws: &mut rust_xlsxwriter::Worksheet,
        st: &Styles,
        run_date: chrono::NaiveDate,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        let (_, cases, total) = self.totals();
        let money_w = f64::from(money_units(total) + 2).max(16.0);
        let cols = Columns::chars(&[12.0, 10.0, 14.0, 10.0, money_w]);
        cols.apply(ws)?;
        let last = cols.count() - 1;
        let mut sh = Sheet::new(ws, &cols);
        sh.merged(0, 0, last, &format!("{LEDGER_TITLE}（期间）"), &st.title)?;
        sh.height(0, 40)?;
        sh.merged(1, 0, last, &style::made_on(run_date), &st.subtitle)?;
        sh.height(1, 24)?;
        sh.header_fitted(PERIOD_HEADER_ROW, &PERIOD_HEADERS, &st.header, 2)?;
        let mut r = PERIOD_HEADER_ROW;
        for p in &self.periods {
            r += 1;
            let status = if p.finalized {
                "已结束"
            } else {
                "未结束"
            };
            sh.text(r, 0, &p.period, &st.center)?;
            sh.text(r, 1, status, &st.center)?;
            sh.text(r, 2, &p.run_date, &st.center)?;
            sh.count(r, 3, p.cases, &st.int)?;
            let amount: Decimal = p.amount.parse().unwrap_or(Decimal::ZERO);
            sh.money(r, 4, amount, &st.money)?;
        }
        sh.ws.set_freeze_panes(PERIOD_HEADER_ROW + 1, 0)?;
        // One blank row, where the reader stops; then the 合计 and the sign-off.
        r += 2;
        sh.merged(r, 0, 2, "合计", &st.total_center)?;
        sh.count(r, 3, cases, &st.total_int)?;
        sh.money(r, 4, total, &st.total_money)?;
        r += 1;
        let daxie = format!("合计金额（大写）：{}", crate::cell::format_daxie(total));
        sh.line(r, &daxie, &st.daxie, row_pixels(1))?;
        r += 2;
        // The sheet is narrow: the sign-off wraps onto two lines.
        sh.note(r, &style::sign_off(run_date), &st.note, 2)?;
        style::page_setup(
            sh.ws,
            Some((PERIOD_HEADER_ROW, PERIOD_HEADER_ROW)),
            cols.total_px(),
        )
    }

    /// Amount paid per county in one period.
    pub fn period_total(&self, label: &str) -> Decimal {
        fen(self
            .entries
            .iter()
            .filter(|e| e.period == label)
            .filter_map(|e| e.amount.parse::<Decimal>().ok())
            .sum())
    }
}

fn entry_fields(e: &Entry) -> [(&'static str, &str); 15] {
    [
        (ENTRY_HEADERS[0], &e.period),
        (ENTRY_HEADERS[1], &e.county_code),
        (ENTRY_HEADERS[2], &e.county_name),
        (ENTRY_HEADERS[3], &e.office),
        (ENTRY_HEADERS[4], &e.committee),
        (ENTRY_HEADERS[5], &e.case_no),
        (ENTRY_HEADERS[6], &e.case_key),
        (ENTRY_HEADERS[7], &e.mediator),
        (ENTRY_HEADERS[8], &e.id_number),
        (ENTRY_HEADERS[9], &e.close_date),
        (ENTRY_HEADERS[10], &e.amount),
        (ENTRY_HEADERS[11], &e.run_date),
        (ENTRY_HEADERS[12], &e.source),
        (ENTRY_HEADERS[13], &e.account),
        (ENTRY_HEADERS[14], &e.status),
    ]
}

fn cell_string(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::Float(f)) => Decimal::try_from(*f)
            .map(plain)
            .unwrap_or_else(|_| f.to_string()),
        Some(Data::Int(i)) => plain(Decimal::from(*i)),
        Some(other) => other.to_string(),
    }
}

/// The row of `range` (0-based, relative to its start) whose first cells are `heads`: the header
/// of a ledger table, on the first row of a ledger written before the title rows existed.
fn header_row(range: &calamine::Range<Data>, heads: &[&str]) -> Option<usize> {
    range.rows().take(10).position(|row| {
        heads
            .iter()
            .enumerate()
            .all(|(c, h)| cell_string(row.get(c)) == *h)
    })
}

/// What the 区划代码 column was headed before the title rows existed.
const OLD_CODE_HEADER: &str = "县（市、区）代码";

fn read_entries(range: &calamine::Range<Data>) -> Result<Vec<Entry>, String> {
    let head = header_row(range, &ENTRY_HEADERS[..2])
        .or_else(|| header_row(range, &[ENTRY_HEADERS[0], OLD_CODE_HEADER]));
    let Some(head) = head else {
        return Err(format!(
            "“{ENTRY_SHEET}”表找不到表头，台账已被改动，拒绝使用"
        ));
    };
    let mut out = Vec::new();
    for row in range.rows().skip(head + 1) {
        let f = |c: usize| cell_string(row.get(c));
        // The table ends at the first blank row; the 小计 and sign-off lines follow it.
        if (0..15).all(|c| f(c).is_empty()) {
            break;
        }
        out.push(Entry {
            period: f(0),
            county_code: f(1),
            county_name: f(2),
            office: f(3),
            committee: f(4),
            case_no: f(5),
            case_key: f(6),
            mediator: f(7),
            id_number: f(8),
            close_date: f(9),
            amount: f(10),
            run_date: f(11),
            source: f(12),
            account: f(13),
            status: f(14),
        });
    }
    Ok(out)
}

fn read_periods(range: &calamine::Range<Data>) -> Result<Vec<PeriodRecord>, String> {
    let Some(head) = header_row(range, &PERIOD_HEADERS[..2]) else {
        return Err(format!(
            "“{PERIOD_SHEET}”表找不到表头，台账已被改动，拒绝使用"
        ));
    };
    let mut out = Vec::new();
    for row in range.rows().skip(head + 1) {
        let f = |c: usize| cell_string(row.get(c));
        if f(0).is_empty() {
            break;
        }
        let cases: Decimal = f(3).parse().unwrap_or(Decimal::ZERO);
        out.push(PeriodRecord {
            period: f(0),
            finalized: f(1) == "已结束",
            run_date: f(2),
            cases: rust_decimal::prelude::ToPrimitive::to_usize(&cases).unwrap_or(usize::MAX),
            amount: f(4),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, amount: &str) -> Entry {
        Entry {
            period: "2025-H1".into(),
            county_code: code.into(),
            county_name: "红塔区".into(),
            office: "玉带路司法所".into(),
            committee: "北苑社区人民调解委员会".into(),
            case_no: "T-1".into(),
            case_key: "T-1".into(),
            mediator: "李明".into(),
            id_number: "530402197001010011".into(),
            close_date: "2025-03-10".into(),
            amount: amount.into(),
            run_date: "2025-06-30".into(),
            source: "a.xlsx｜Sheet1｜第 2 行".into(),
            account: "6228480000000001".into(),
            status: "待发放".into(),
        }
    }

    fn round_trip(l: &Ledger) -> Result<Option<Ledger>, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("台账.xlsx");
        let day = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        std::fs::write(&path, l.render(day).unwrap()).unwrap();
        Ledger::load(&path)
    }

    /// A ledger written before the title rows (header on the first row, no lines under the
    /// table, 县（市、区）代码 for 区划代码) still reads; the new layout reads back as written,
    /// its 小计 and sign-off lines never taken for records.
    #[test]
    fn a_ledger_of_either_layout_reads_back() {
        let l = Ledger {
            entries: vec![entry("530402", "100.00"), entry("530403", "50.00")],
            periods: vec![PeriodRecord {
                period: "2025-H1".into(),
                finalized: true,
                run_date: "2025-06-30".into(),
                cases: 2,
                amount: "150.00".into(),
            }],
            ..Default::default()
        };
        let mut l = l;
        l.entries[1].case_key = "T-2".into();
        assert_eq!(round_trip(&l).unwrap(), Some(l.clone()));

        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name(ENTRY_SHEET).unwrap();
        for (c, (h, _)) in (0u16..).zip(entry_fields(&l.entries[0])) {
            let h = if c == 1 { OLD_CODE_HEADER } else { h };
            ws.write_string(0, c, h).unwrap();
        }
        for (r, e) in (1u32..).zip(&l.entries) {
            for (c, (_, v)) in (0u16..).zip(entry_fields(e)) {
                if c == ENTRY_AMOUNT {
                    ws.write_number(r, c, v.parse::<f64>().unwrap()).unwrap();
                } else {
                    ws.write_string(r, c, v).unwrap();
                }
            }
        }
        let ws = wb.add_worksheet().set_name(PERIOD_SHEET).unwrap();
        for (c, h) in (0u16..).zip(PERIOD_HEADERS) {
            ws.write_string(0, c, h).unwrap();
        }
        ws.write_string(1, 0, "2025-H1").unwrap();
        ws.write_string(1, 1, "已结束").unwrap();
        ws.write_string(1, 2, "2025-06-30").unwrap();
        ws.write_number(1, 3, 2.0).unwrap();
        ws.write_number(1, 4, 150.0).unwrap();
        let ws = wb.add_worksheet().set_name(CHECK_SHEET).unwrap();
        let lines: Vec<_> = canonical_lines(&l).collect();
        ws.write_string(0, 0, MAGIC).unwrap();
        ws.write_string(0, 1, digest(lines.iter().map(|(k, j)| (k, j))))
            .unwrap();
        for (r, (k, j)) in (1u32..).zip(&lines) {
            ws.write_string(r, 0, *k).unwrap();
            ws.write_string(r, 1, j).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.xlsx");
        wb.save(&path).unwrap();
        assert_eq!(Ledger::load(&path).unwrap(), Some(l));
    }

    /// The bank's answers and the repayments survive a round trip, and the statuses derived
    /// from them are what the visible sheet shows; a visible answer changed by hand is refused.
    #[test]
    fn answers_and_repayments_round_trip_and_hand_edits_are_refused() {
        use crate::bank::records::{Answer, Repay, refresh_status};
        let mut e2 = entry("530402", "50.00");
        e2.case_key = "T-2".into();
        e2.account = "6228480000000002".into();
        let mut l = Ledger {
            entries: vec![entry("530402", "100.00"), e2],
            ..Default::default()
        };
        l.answers.push(Answer {
            period: "2025-H1".into(),
            repay: false,
            county_code: "530402".into(),
            id_number: "530402197001010011".into(),
            account: "6228480000000001".into(),
            name: "李明".into(),
            amount: "100.00".into(),
            paid: false,
            reason: "账户已销户".into(),
            source: "回单.xlsx｜Sheet1｜第 2 行".into(),
        });
        l.repays.push(Repay {
            period: "2025-H2".into(),
            batch: 1,
            orig_period: "2025-H1".into(),
            county_code: "530402".into(),
            county_name: "红塔区".into(),
            id_number: "530402197001010011".into(),
            old_account: "6228480000000001".into(),
            name: "李明".into(),
            bank: "中国农业银行".into(),
            account: "6228480000000009".into(),
            amount: "100.00".into(),
            reason: "账户已销户".into(),
            source: "更正.xlsx｜Sheet1｜第 4 行".into(),
            run_date: "2025-07-15".into(),
        });
        refresh_status(&mut l);
        assert_eq!(l.entries[0].status, "已补发（2025-H2）");
        assert_eq!(l.entries[1].status, "待发放");
        assert_eq!(round_trip(&l).unwrap(), Some(l.clone()));
        // The same answer with another reason in the visible sheet only: refused.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("台账.xlsx");
        let day = chrono::NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
        std::fs::write(&path, l.render(day).unwrap()).unwrap();
        let mut forged = l.clone();
        forged.answers[0].reason = "户名不符".into();
        let forged_bytes = forged.render(day).unwrap();
        let visible = zip_part(&forged_bytes, "xl/worksheets/sheet3.xml");
        let hidden = zip_part(&std::fs::read(&path).unwrap(), "xl/worksheets/sheet6.xml");
        let mixed = rezip(
            &forged_bytes,
            &[
                ("xl/worksheets/sheet3.xml", visible),
                ("xl/worksheets/sheet6.xml", hidden),
            ],
        );
        std::fs::write(&path, mixed).unwrap();
        let e = Ledger::load(&path).unwrap_err();
        assert!(e.contains("银行回单") && e.contains("失败原因"), "{e}");
    }

    fn zip_part(bytes: &[u8], name: &str) -> Vec<u8> {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut v = Vec::new();
        z.by_name(name).unwrap().read_to_end(&mut v).unwrap();
        v
    }

    /// `bytes` with the parts `replace` swapped in.
    fn rezip(bytes: &[u8], replace: &[(&str, Vec<u8>)]) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if let Some((_, new)) = replace.iter().find(|(n, _)| *n == name) {
                data = new.clone();
            }
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// A consistent (digest-correct) ledger whose money does not parse must be refused, not
    /// counted as 0.00 元 already paid.
    #[test]
    fn amounts_and_codes_that_do_not_parse_are_refused() {
        let good = Ledger {
            entries: vec![entry("530402", "100.00")],
            ..Default::default()
        };
        assert_eq!(round_trip(&good).unwrap(), Some(good));
        for (code, amount) in [("530402", "abc"), ("530402", "-5.00"), ("53x402", "100.00")] {
            let bad = Ledger {
                entries: vec![entry(code, amount)],
                ..Default::default()
            };
            let e = round_trip(&bad).unwrap_err();
            assert!(
                e.contains("无效") && e.contains("拒绝使用"),
                "{code} {amount}: {e}"
            );
        }
    }
}
