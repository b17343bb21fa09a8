//! What the ledger records of the money's way out (SPEC §12.3–12.5): the bank's answers, line by
//! line, and the repayments. Each is kept like the ledger's entries: a visible sheet the bureau
//! reads and filters, and a copy in the hidden check sheet; a hand edit is refused on load.
//!
//! A payroll line is identified by (period, county code, ID number, account): the 发放表 line of
//! SPEC §9.11. Its 发放状态 follows from these records alone ([`line_status`]), so it can always
//! be recomputed and never drifts from them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};
use serde::{Deserialize, Serialize};

use crate::ledger::{Entry, Ledger};
use crate::money::fen;
use crate::report::sheet::{Columns, Sheet};
use crate::report::style::Styles;

pub const ANSWER_SHEET: &str = "银行回单";
pub const REPAY_SHEET: &str = "补发";
pub const STATUS_SHEET: &str = "发放情况";

pub const PENDING: &str = "待发放";
pub const CREDITED: &str = "已入账";

/// One line of a bank's answer, as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The period of the line answered: the run period for an original line, the repay
    /// period for a 补发 line.
    pub period: String,
    /// Whether the line answered is a 补发 line.
    pub repay: bool,
    pub county_code: String,
    pub id_number: String,
    pub account: String,
    pub name: String,
    pub amount: String,
    pub paid: bool,
    pub reason: String,
    /// Where the answer was read: file｜sheet｜第 N 行.
    pub source: String,
}

/// One repayment: a failed (or account-less) line paid again to a corrected account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repay {
    /// The repay period (`payrun repay --period`).
    pub period: String,
    /// 1, 2, … per repay run of that period that added lines.
    pub batch: u32,
    /// The original line: period, county, ID number, account ("" = 待补账号).
    pub orig_period: String,
    pub county_code: String,
    pub county_name: String,
    pub id_number: String,
    pub old_account: String,
    pub name: String,
    pub bank: String,
    pub account: String,
    pub amount: String,
    /// Why the original line was not paid.
    pub reason: String,
    /// Where the new account came from (更正表 or 申报表 place).
    pub source: String,
    pub run_date: String,
}

/// The key of a payroll line.
pub type LineKey = (String, String, String, String);

pub fn entry_key(e: &Entry) -> LineKey {
    (
        e.period.clone(),
        e.county_code.clone(),
        e.id_number.clone(),
        e.account.clone(),
    )
}

impl Repay {
    pub fn orig_key(&self) -> LineKey {
        (
            self.orig_period.clone(),
            self.county_code.clone(),
            self.id_number.clone(),
            self.old_account.clone(),
        )
    }
    /// The key of the 补发 line itself, as its answer names it.
    pub fn own_key(&self) -> LineKey {
        (
            self.period.clone(),
            self.county_code.clone(),
            self.id_number.clone(),
            self.account.clone(),
        )
    }
}

impl Answer {
    pub fn key(&self) -> LineKey {
        (
            self.period.clone(),
            self.county_code.clone(),
            self.id_number.clone(),
            self.account.clone(),
        )
    }
}

/// Where a line stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Pending,
    Credited,
    Failed(String),
    Repaid(String),
}

impl Status {
    pub fn text(&self) -> String {
        match self {
            Status::Pending => PENDING.into(),
            Status::Credited => CREDITED.into(),
            Status::Failed(r) => format!("发放失败（{r}）"),
            Status::Repaid(p) => format!("已补发（{p}）"),
        }
    }
}

/// The answers and repayments indexed by line.
pub struct Book<'l> {
    pub answers: BTreeMap<(bool, LineKey), &'l Answer>,
    /// The latest repayment of each original line.
    pub latest_repay: BTreeMap<LineKey, &'l Repay>,
}

impl<'l> Book<'l> {
    pub fn new(l: &'l Ledger) -> Book<'l> {
        let answers = l.answers.iter().map(|a| ((a.repay, a.key()), a)).collect();
        let mut latest_repay: BTreeMap<LineKey, &Repay> = BTreeMap::new();
        for r in &l.repays {
            // Records are kept in the order they were made: a later one supersedes.
            latest_repay.insert(r.orig_key(), r);
        }
        Book {
            answers,
            latest_repay,
        }
    }

    /// Status of an original payroll line.
    pub fn line_status(&self, key: &LineKey) -> Status {
        if let Some(r) = self.latest_repay.get(key) {
            return Status::Repaid(r.period.clone());
        }
        match self.answers.get(&(false, key.clone())) {
            Some(a) if a.paid => Status::Credited,
            Some(a) => Status::Failed(a.reason.clone()),
            None => Status::Pending,
        }
    }

    /// Status of a 补发 line.
    pub fn repay_status(&self, r: &Repay) -> Status {
        match self.answers.get(&(true, r.own_key())) {
            Some(a) if a.paid => Status::Credited,
            Some(a) => Status::Failed(a.reason.clone()),
            None => Status::Pending,
        }
    }
}

/// Recomputes every entry's 发放状态 from the answers and repayments.
pub fn refresh_status(l: &mut Ledger) {
    let statuses: Vec<String> = {
        let book = Book::new(l);
        l.entries
            .iter()
            .map(|e| book.line_status(&entry_key(e)).text())
            .collect()
    };
    for (e, s) in l.entries.iter_mut().zip(statuses) {
        e.status = s;
    }
}

/// Per county amounts of SPEC §12.5 over the periods `periods` (labels): 已入账, 发放失败
/// (failed and not repaid, or whose latest 补发 failed), 待发放 (no answer yet, 待补账号 lines
/// included, and 补发 lines without an answer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracking {
    pub credited: Decimal,
    pub failed: Decimal,
    pub pending: Decimal,
}

impl Tracking {
    pub fn total(&self) -> Decimal {
        fen(self.credited + self.failed + self.pending)
    }
    fn add(&mut self, s: &Status, amount: Decimal) {
        match s {
            Status::Credited => self.credited += amount,
            Status::Failed(_) => self.failed += amount,
            Status::Pending | Status::Repaid(_) => self.pending += amount,
        }
    }
}

/// Tracking per county code for the entries whose period `include` accepts.
pub fn tracking(l: &Ledger, include: &dyn Fn(&str) -> bool) -> BTreeMap<String, Tracking> {
    if l.answers.is_empty() && l.repays.is_empty() {
        // Nothing answered or repaid yet (every run before the bank's first answer, a
        // province's included): all of it waits, and no per-line index is built.
        let mut out: BTreeMap<String, Tracking> = BTreeMap::new();
        for e in l.entries.iter().filter(|e| include(&e.period)) {
            let amount = e.amount.parse::<Decimal>().unwrap_or_default();
            match out.get_mut(e.county_code.as_str()) {
                Some(t) => t.pending += amount,
                None => {
                    out.insert(
                        e.county_code.clone(),
                        Tracking {
                            pending: amount,
                            ..Tracking::default()
                        },
                    );
                }
            }
        }
        for t in out.values_mut() {
            t.pending = fen(t.pending);
        }
        return out;
    }
    let book = Book::new(l);
    let mut lines: BTreeMap<LineKey, Decimal> = BTreeMap::new();
    for e in l.entries.iter().filter(|e| include(&e.period)) {
        *lines.entry(entry_key(e)).or_default() += e.amount.parse::<Decimal>().unwrap_or_default();
    }
    let mut out: BTreeMap<String, Tracking> = BTreeMap::new();
    for (key, amount) in lines {
        let t = out.entry(key.1.clone()).or_default();
        match book.latest_repay.get(&key) {
            Some(r) => t.add(&book.repay_status(r), amount),
            None => t.add(&book.line_status(&key), amount),
        }
    }
    for t in out.values_mut() {
        t.credited = fen(t.credited);
        t.failed = fen(t.failed);
        t.pending = fen(t.pending);
    }
    out
}

pub const ANSWER_HEADERS: [&str; 10] = [
    "期间",
    "补发行",
    "区划代码",
    "身份证号码",
    "银行账号",
    "户名",
    "金额",
    "处理结果",
    "失败原因",
    "来源",
];

pub fn answer_fields(a: &Answer) -> [String; 10] {
    [
        a.period.clone(),
        if a.repay { "是" } else { "否" }.into(),
        a.county_code.clone(),
        a.id_number.clone(),
        a.account.clone(),
        a.name.clone(),
        a.amount.clone(),
        if a.paid { "成功" } else { "失败" }.into(),
        a.reason.clone(),
        a.source.clone(),
    ]
}

pub const REPAY_HEADERS: [&str; 15] = [
    "补发期间",
    "批次",
    "原期间",
    "区划代码",
    "县（市、区）",
    "身份证号码",
    "原账号",
    "户名",
    "开户银行",
    "银行账号",
    "金额",
    "失败原因",
    "更正来源",
    "补发日期",
    "补发状态",
];

pub fn repay_fields(r: &Repay) -> [String; 14] {
    [
        r.period.clone(),
        r.batch.to_string(),
        r.orig_period.clone(),
        r.county_code.clone(),
        r.county_name.clone(),
        r.id_number.clone(),
        r.old_account.clone(),
        r.name.clone(),
        r.bank.clone(),
        r.account.clone(),
        r.amount.clone(),
        r.reason.clone(),
        r.source.clone(),
        r.run_date.clone(),
    ]
}

/// Row `r` as high as its longest wrapped text.
fn fit_row(
    sh: &mut Sheet,
    cols: &Columns,
    r: u32,
    fields: &[String],
    wrapped: &[bool],
) -> Result<(), XlsxError> {
    let cells: Vec<(u16, &str)> = (0u16..)
        .zip(fields)
        .filter(|(c, _)| wrapped.get(usize::from(*c)).copied().unwrap_or(false))
        .map(|(c, v)| (c, v.as_str()))
        .collect();
    let lines = cols.lines(&cells);
    if lines > 1 {
        sh.height(r, crate::report::text::row_pixels(lines))?;
    }
    Ok(())
}

/// Writes the two sheets into the ledger workbook (after its own sheets).
pub fn render(wb: &mut Workbook, l: &Ledger, st: &Styles) -> Result<(), XlsxError> {
    let book = Book::new(l);
    {
        let ws = wb.add_worksheet().set_name(ANSWER_SHEET)?;
        // Printed at >= 75 % on A4 landscape (SPEC §11.4): the long texts wrap.
        let widths = [8.0, 6.0, 7.0, 19.5, 19.5, 7.0, 10.0, 8.0, 20.0, 30.0];
        let wrapped = [
            false, false, false, false, true, true, false, true, true, true,
        ];
        let cols = Columns::chars(&widths);
        cols.apply(ws)?;
        let mut sh = Sheet::new(ws, &cols);
        sh.header_fitted(0, &ANSWER_HEADERS, &st.header, 1)?;
        for (r, a) in (1u32..).zip(&l.answers) {
            let fields = answer_fields(a);
            for (c, v) in (0u16..).zip(&fields) {
                if c == 6 {
                    sh.money(r, c, v.parse().unwrap_or_default(), &st.money)?;
                } else if wrapped[usize::from(c)] {
                    sh.text(r, c, v, &st.id_wrap)?;
                } else {
                    sh.text(r, c, v, &st.id_text)?;
                }
            }
            fit_row(&mut sh, &cols, r, &fields, &wrapped)?;
        }
        ws.set_freeze_panes(1, 0)?;
        crate::report::style::page_setup(ws, Some((0, 0)), cols.total_px())?;
    }
    {
        let ws = wb.add_worksheet().set_name(REPAY_SHEET)?;
        let widths = [
            8.0, 5.0, 8.0, 7.0, 10.0, 19.5, 19.5, 7.0, 12.0, 19.5, 10.0, 12.0, 24.0, 10.5, 10.0,
        ];
        let wrapped = [
            false, false, false, false, true, false, true, true, true, true, false, true, true,
            false, true,
        ];
        let cols = Columns::chars(&widths);
        cols.apply(ws)?;
        let mut sh = Sheet::new(ws, &cols);
        sh.header_fitted(0, &REPAY_HEADERS, &st.header, 1)?;
        for (r, p) in (1u32..).zip(&l.repays) {
            let mut fields = repay_fields(p).to_vec();
            // Derived, not recorded: where the 补发 line stands now.
            fields.push(book.repay_status(p).text());
            for (c, v) in (0u16..).zip(&fields) {
                if c == 10 {
                    sh.money(r, c, v.parse().unwrap_or_default(), &st.money)?;
                } else if wrapped[usize::from(c)] {
                    sh.text(r, c, v, &st.id_wrap)?;
                } else {
                    sh.text(r, c, v, &st.id_text)?;
                }
            }
            fit_row(&mut sh, &cols, r, &fields, &wrapped)?;
        }
        ws.set_freeze_panes(1, 0)?;
        crate::report::style::page_setup(ws, Some((0, 0)), cols.total_px())?;
    }
    status_sheet(wb, l, st)
}

/// 发放情况: per period and county, the approved amount and where it stands at the bank
/// (SPEC §12.5). Derived from the records, so it is not part of the hand-edit check.
fn status_sheet(wb: &mut Workbook, l: &Ledger, st: &Styles) -> Result<(), XlsxError> {
    const HEAD: [&str; 7] = [
        "期间",
        "区划代码",
        "县（市、区）",
        "核准金额",
        "已入账",
        "发放失败",
        "待发放",
    ];
    let ws = wb.add_worksheet().set_name(STATUS_SHEET)?;
    let cols = Columns::chars(&[9.0, 10.0, 24.0, 15.0, 15.0, 15.0, 15.0]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.header(0, &HEAD, &st.header)?;
    let mut approved: BTreeMap<(&str, &str), (&str, Decimal)> = BTreeMap::new();
    for e in &l.entries {
        let v = approved
            .entry((e.period.as_str(), e.county_code.as_str()))
            .or_default();
        v.0 = e.county_name.as_str();
        v.1 += e.amount.parse::<Decimal>().unwrap_or_default();
    }
    let periods: std::collections::BTreeSet<&str> = approved.keys().map(|(p, _)| *p).collect();
    let mut r = 1u32;
    let mut sum = [Decimal::ZERO; 4];
    for p in periods {
        let t = tracking(l, &|x| x == p);
        for ((_, code), (name, amount)) in approved.iter().filter(|((q, _), _)| *q == p) {
            let Some(x) = t.get(*code) else { continue };
            sh.text(r, 0, p, &st.text)?;
            sh.text(r, 1, code, &st.text)?;
            sh.text(r, 2, name, &st.text)?;
            let v = [fen(*amount), x.credited, x.failed, x.pending];
            for (c, a) in (3u16..).zip(v) {
                sh.money(r, c, a, &st.money)?;
            }
            for (s, a) in sum.iter_mut().zip(v) {
                *s += a;
            }
            r += 1;
        }
    }
    sh.text(r, 0, "合计", &st.total_label)?;
    sh.blanks(r, 1..=2, &st.total_label)?;
    for (c, a) in (3u16..).zip(sum) {
        sh.money(r, c, a, &st.total_money)?;
    }
    ws.set_freeze_panes(1, 0)?;
    crate::report::style::page_setup(ws, Some((0, 0)), cols.total_px())
}

/// Compares the visible sheets with the recorded copies; the differences, in Chinese.
pub fn compare_visible(
    answers: Option<&calamine::Range<calamine::Data>>,
    repays: Option<&calamine::Range<calamine::Data>>,
    l: &Ledger,
    cell: &dyn Fn(Option<&calamine::Data>) -> String,
) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut compare = |sheet: &str,
                       range: Option<&calamine::Range<calamine::Data>>,
                       want: Vec<Vec<String>>,
                       heads: &[&str]| {
        let rows: Vec<Vec<String>> = match range {
            Some(r) => r
                .rows()
                .skip(1)
                .map(|row| {
                    (0..heads.len())
                        .map(|c| cell(row.get(c)))
                        .collect::<Vec<_>>()
                })
                .filter(|v: &Vec<String>| v.iter().any(|s| !s.is_empty()))
                .collect(),
            None if want.is_empty() => Vec::new(),
            None => {
                diffs.push(format!("缺少工作表“{sheet}”"));
                return;
            }
        };
        if rows.len() != want.len() {
            diffs.push(format!(
                "“{sheet}”表有 {} 行记录，应为 {} 行（有行被删除或添加）",
                rows.len(),
                want.len()
            ));
        }
        for (i, (g, w)) in rows.iter().zip(&want).enumerate() {
            for ((h, gv), wv) in heads.iter().zip(g).zip(w) {
                if gv != wv {
                    diffs.push(format!(
                        "“{sheet}”表第 {} 行“{h}”：记录为“{wv}”，现为“{gv}”",
                        i + 2
                    ));
                }
            }
        }
    };
    compare(
        ANSWER_SHEET,
        answers,
        l.answers
            .iter()
            .map(|a| answer_fields(a).to_vec())
            .collect(),
        &ANSWER_HEADERS,
    );
    compare(
        REPAY_SHEET,
        repays,
        l.repays.iter().map(|r| repay_fields(r).to_vec()).collect(),
        &REPAY_HEADERS[..14],
    );
    diffs
}
