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

const MAGIC: &str = "payrun-ledger-v1";
const ENTRY_SHEET: &str = "台账";
const PERIOD_SHEET: &str = "期间";
const CHECK_SHEET: &str = "_校验";

const ENTRY_HEADERS: [&str; 15] = [
    "期间",
    "县（市、区）代码",
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

fn canonical_lines(l: &Ledger) -> Vec<(String, String)> {
    let mut v = Vec::with_capacity(l.entries.len() + l.periods.len());
    for e in &l.entries {
        v.push((
            "entry".to_string(),
            serde_json::to_string(e).unwrap_or_default(),
        ));
    }
    for p in &l.periods {
        v.push((
            "period".to_string(),
            serde_json::to_string(p).unwrap_or_default(),
        ));
    }
    for a in &l.answers {
        v.push((
            "answer".to_string(),
            serde_json::to_string(a).unwrap_or_default(),
        ));
    }
    for r in &l.repays {
        v.push((
            "repay".to_string(),
            serde_json::to_string(r).unwrap_or_default(),
        ));
    }
    v
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

fn digest(lines: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    h.update(MAGIC.as_bytes());
    for (k, j) in lines {
        h.update(b"\n");
        h.update(k.as_bytes());
        h.update(b"\t");
        h.update(j.as_bytes());
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
        if digest(&lines) != stored_digest {
            return Err(format!(
                "台账 {shown} 的校验数据与其摘要不符（隐藏的校验表被改动），拒绝使用；请从备份恢复"
            ));
        }

        let visible = read_entries(&sheet(&mut wb, ENTRY_SHEET)?)?;
        let periods = read_periods(&sheet(&mut wb, PERIOD_SHEET)?)?;
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
    pub fn render(&self, run_date: chrono::NaiveDate) -> Result<Vec<u8>, String> {
        let mut wb = crate::report::style::workbook();
        wb.set_properties(&style::properties("人民调解“一案一补”发放台账", run_date));
        let st = Styles::new();
        let err = |e: rust_xlsxwriter::XlsxError| format!("生成台账失败：{e}");
        {
            let ws = wb
                .add_worksheet_with_constant_memory()
                .map_err(err)?
                .set_name(ENTRY_SHEET)
                .map_err(err)?;
            for (c, h) in ENTRY_HEADERS.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &st.header)
                    .map_err(err)?;
            }
            let widths = [
                9.0, 10.0, 16.0, 16.0, 24.0, 24.0, 24.0, 10.0, 21.0, 12.0, 13.0, 12.0, 40.0, 24.0,
                22.0,
            ];
            // Every cell is text but the amount's: the columns carry the formats, so the
            // entries are written without a format lookup each (see `report::sheet`).
            let cols = (0u16..)
                .zip(&widths)
                .fold(Columns::chars(&widths), |cols, (c, _)| {
                    cols.plain(c, if c == 10 { &st.money } else { &st.id_text })
                });
            cols.apply(ws).map_err(err)?;
            let mut sh = Sheet::new(ws, &cols);
            for (i, e) in self.entries.iter().enumerate() {
                let r = i as u32 + 1;
                for (c, (_, v)) in (0u16..).zip(entry_fields(e)) {
                    if c == 10 {
                        let amount: Decimal = v.parse().unwrap_or(Decimal::ZERO);
                        sh.money(r, c, amount, &st.money).map_err(err)?;
                    } else {
                        sh.text(r, c, v, &st.id_text).map_err(err)?;
                    }
                }
            }
            ws.set_freeze_panes(1, 0).map_err(err)?;
            ws.autofilter(
                0,
                0,
                self.entries.len() as u32,
                ENTRY_HEADERS.len() as u16 - 1,
            )
            .map_err(err)?;
            style::print_setup(ws, 0, 0).map_err(err)?;
            ws.set_active(true);
        }
        {
            let ws = wb.add_worksheet().set_name(PERIOD_SHEET).map_err(err)?;
            let cols = Columns::chars(&[16.0; PERIOD_HEADERS.len()]);
            cols.apply(ws).map_err(err)?;
            let mut sh = Sheet::new(ws, &cols);
            let mut rows = || -> Result<(), rust_xlsxwriter::XlsxError> {
                sh.header(0, &PERIOD_HEADERS, &st.header)?;
                for (r, p) in (1u32..).zip(&self.periods) {
                    let status = if p.finalized {
                        "已结束"
                    } else {
                        "未结束"
                    };
                    sh.text(r, 0, &p.period, &st.text)?;
                    sh.text(r, 1, status, &st.text)?;
                    sh.text(r, 2, &p.run_date, &st.text)?;
                    sh.count(r, 3, p.cases, &st.int)?;
                    let amount: Decimal = p.amount.parse().unwrap_or(Decimal::ZERO);
                    sh.money(r, 4, amount, &st.money)?;
                }
                Ok(())
            };
            rows().map_err(err)?;
            ws.set_freeze_panes(1, 0).map_err(err)?;
        }
        records::render(&mut wb, self, &st).map_err(err)?;
        {
            let lines = canonical_lines(self);
            // Constant memory (inline strings), written row by row: as a standard sheet this
            // check copy of every entry, with its shared-string table, was the largest
            // allocation of a province's output phase (≈ 130 MB on 400k rows).
            let ws = wb
                .add_worksheet_with_constant_memory()
                .map_err(err)?
                .set_name(CHECK_SHEET)
                .map_err(err)?;
            ws.write_string(0, 0, MAGIC).map_err(err)?;
            ws.write_string(0, 1, digest(&lines)).map_err(err)?;
            for (i, (k, j)) in lines.iter().enumerate() {
                ws.write_string(i as u32 + 1, 0, k).map_err(err)?;
                // A line longer than one cell holds continues in the next cells of the row.
                for (n, chunk) in chunks(j).into_iter().enumerate() {
                    let col = u16::try_from(n + 1).map_err(|_| "台账校验数据过长".to_string())?;
                    ws.write_string(i as u32 + 1, col, chunk).map_err(err)?;
                }
            }
            ws.set_very_hidden(true);
        }
        wb.save_to_buffer()
            .map_err(|e| format!("生成台账失败：{e}"))
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

fn read_entries(range: &calamine::Range<Data>) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        if i == 0 {
            continue;
        }
        let f = |c: usize| cell_string(row.get(c));
        if (0..15).all(|c| f(c).is_empty()) {
            continue;
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
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        if i == 0 {
            continue;
        }
        let f = |c: usize| cell_string(row.get(c));
        if f(0).is_empty() {
            continue;
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
