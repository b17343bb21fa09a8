//! The year's execution (SPEC §14.1): per county and 全市, what each period approved
//! (decisions.csv), where the money stands (the ledger, with the bank's answers), and the staff
//! run's figures (its summary.json). What is missing is a [`Gap`], said on the first sheet.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::bank::records::{self, Book, Status, entry_key};
use crate::ledger::Ledger;
use crate::money::fen;
use crate::policy::Policy;

/// Something the year's report lacks: said in Chinese on the first sheet, coded in summary.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub code: &'static str,
    pub text: String,
}

/// One payout period of the year, as far as payrun recorded it.
#[derive(Debug, Clone)]
pub struct PeriodState {
    /// "2025-H1".
    pub label: String,
    /// "上半年".
    pub name: String,
    pub pay_by: NaiveDate,
    /// Its decisions.csv was found and read.
    pub reviewed: bool,
    /// The ledger holds the period.
    pub in_ledger: bool,
    pub finalized: bool,
    /// The ledger's run date of the period.
    pub run_date: Option<NaiveDate>,
}

/// 一案一补执行情况 of one county (or 全市).
#[derive(Debug, Clone, Default)]
pub struct MediationLine {
    pub code: String,
    pub name: String,
    pub cap: Decimal,
    /// Approved per period, in the policy's period order.
    pub approved_by_period: Vec<Decimal>,
    pub approved: Decimal,
    pub credited: Decimal,
    pub failed: Decimal,
    pub pending: Decimal,
    /// Held over cap (SPEC §4.4), never paid: the standard amounts of the held rows.
    pub held: Decimal,
    pub held_rows: u64,
    pub approved_rows: u64,
    pub rejected_rows: u64,
    pub claimed_rows: u64,
    /// Distinct ID numbers paid (ledger).
    pub mediators: u64,
}

impl MediationLine {
    /// 预算执行率: 已入账 ÷ 年度限额 (0 when there is no cap).
    pub fn execution_rate(&self) -> Decimal {
        ratio(self.credited, self.cap)
    }
    /// What the county asked for that the rules allowed: approved plus held over cap.
    pub fn demand(&self) -> Decimal {
        self.approved + self.held
    }
}

/// `a ÷ b` to four decimals (a rate); 0 when `b` is 0.
pub fn ratio(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        Decimal::ZERO
    } else {
        (a / b).round_dp(4)
    }
}

/// 协勤经费执行情况 of one county (or 全市), from the staff run's summary.json.
#[derive(Debug, Clone, Default)]
pub struct StaffLine {
    pub code: String,
    pub name: String,
    pub quota: u64,
    pub posts_allocated: u64,
    pub allocated: Decimal,
    pub approved: Decimal,
    pub execution_rate: Decimal,
    pub fill_rate: Decimal,
    pub score: Decimal,
    pub grade: String,
    pub months: u64,
}

#[derive(Debug, Clone)]
pub struct Execution {
    pub year: i32,
    pub periods: Vec<PeriodState>,
    pub counties: Vec<MediationLine>,
    pub total: MediationLine,
    /// The staff run's lines and its 全市 line; None without a staff run.
    pub staff: Option<(Vec<StaffLine>, StaffLine)>,
    pub staff_run_date: Option<String>,
    /// Whether any bank answer is recorded for the year.
    pub answered: bool,
    /// Payroll lines of the year, and those credited at the first attempt with the period
    /// reviewed by its deadline (按时, README 年度).
    pub lines: u64,
    pub lines_on_time: u64,
    pub gaps: Vec<Gap>,
}

/// Where the year's sources are.
pub struct Sources {
    pub out: PathBuf,
    pub ledger: PathBuf,
    pub staff_dir: PathBuf,
}

/// A CSV reader's error in Chinese.
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => crate::zh::io_reason(io),
        csv::ErrorKind::Utf8 { .. } => "含有非 UTF-8 编码的内容".into(),
        csv::ErrorKind::UnequalLengths { .. } => "各行的列数不一致".into(),
        _ => "格式有误".into(),
    }
}

fn dec(s: &str) -> Decimal {
    s.trim().parse::<Decimal>().unwrap_or_default()
}

/// Per county code: (approved, approved rows, rejected rows, held, held rows, claimed rows).
type PeriodFigures = BTreeMap<String, (Decimal, u64, u64, Decimal, u64, u64)>;

/// Reads one period's decisions.csv: Ok(None) when there is none.
fn read_decisions(path: &Path) -> Result<Option<PeriodFigures>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let shown = path.display();
    let mut rdr = csv::Reader::from_path(path)
        .map_err(|e| format!("无法读取 {shown}：{}", csv_reason(&e)))?;
    let headers = rdr
        .headers()
        .map_err(|e| format!("无法读取 {shown}：{}", csv_reason(&e)))?
        .clone();
    let at = |h: &str| {
        headers.iter().position(|x| x == h).ok_or_else(|| {
            format!("{shown} 缺少列 {h}，不是 payrun run 写出的 decisions.csv，无法汇总")
        })
    };
    let (ic, id, is, ia) = (
        at("county_code")?,
        at("decision")?,
        at("standard_amount")?,
        at("approved_amount")?,
    );
    let mut out = PeriodFigures::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec =
            rec.map_err(|e| format!("{shown} 第 {} 行无法读取：{}", n + 2, csv_reason(&e)))?;
        let county = rec.get(ic).unwrap_or("").to_string();
        if county.is_empty() {
            continue;
        }
        let f = out.entry(county).or_default();
        f.5 += 1;
        match rec.get(id).unwrap_or("") {
            "approved" => {
                f.0 += dec(rec.get(ia).unwrap_or(""));
                f.1 += 1;
            }
            "rejected" => f.2 += 1,
            "held" => {
                f.3 += dec(rec.get(is).unwrap_or(""));
                f.4 += 1;
            }
            other => {
                return Err(format!(
                    "{shown} 第 {} 行：审核结果“{other}”无法识别，无法汇总",
                    n + 2
                ));
            }
        }
    }
    Ok(Some(out))
}

fn read_staff(
    dir: &Path,
    year: i32,
) -> Result<Option<(Vec<StaffLine>, StaffLine, String)>, String> {
    let path = dir.join("summary.json");
    if !path.exists() {
        return Ok(None);
    }
    let shown = path.display();
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("无法读取 {shown}：{}", crate::zh::io_reason(&e)))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| format!("{shown} 不是有效的 JSON，不是 payrun staff 写出的 summary.json"))?;
    if v.get("program").and_then(|p| p.as_str()) != Some("staff") {
        return Err(format!("{shown} 不是 payrun staff 写出的 summary.json"));
    }
    if v.get("year").and_then(|y| y.as_i64()) != Some(i64::from(year)) {
        return Err(format!(
            "{shown} 是 {} 年的协勤经费审核结果，不是 {year} 年的",
            v.get("year").map(|y| y.to_string()).unwrap_or_default()
        ));
    }
    let s = |c: &serde_json::Value, k: &str| c.get(k).and_then(|x| x.as_str()).map(dec);
    let n = |c: &serde_json::Value, k: &str| c.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
    let line = |c: &serde_json::Value| -> StaffLine {
        let p = c.get("performance").cloned().unwrap_or_default();
        StaffLine {
            code: c
                .get("code")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
            name: c
                .get("name")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
            quota: n(c, "quota"),
            posts_allocated: n(c, "posts_allocated"),
            allocated: s(c, "allocated_amount").unwrap_or_default(),
            approved: s(c, "approved_amount").unwrap_or_default(),
            execution_rate: s(&p, "execution_rate").unwrap_or_default(),
            fill_rate: s(&p, "fill_rate").unwrap_or_default(),
            score: s(&p, "score").unwrap_or_default(),
            grade: p
                .get("grade")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
            months: n(c, "months_in_post"),
        }
    };
    let counties = v
        .get("counties")
        .and_then(|c| c.as_array())
        .ok_or_else(|| format!("{shown} 缺少 counties，无法汇总"))?
        .iter()
        .map(line)
        .collect();
    let mut total = line(
        v.get("totals")
            .ok_or_else(|| format!("{shown} 缺少 totals，无法汇总"))?,
    );
    total.name = "全市".into();
    let run_date = v
        .get("run_date")
        .and_then(|x| x.as_str())
        .unwrap_or("")
        .to_string();
    Ok(Some((counties, total, run_date)))
}

/// Gathers the year from what payrun recorded. Err only when nothing can be reported: no
/// ledger, a ledger or output that cannot be read.
pub fn gather(policy: &Policy, src: &Sources) -> Result<Execution, String> {
    let year = policy.year;
    let ledger = Ledger::load(&src.ledger)?.ok_or_else(|| {
        format!(
            "台账 {} 不存在：没有本年度的发放记录（请用 --ledger 指定台账，或先运行 payrun run）",
            src.ledger.display()
        )
    })?;
    let labels: Vec<String> = policy
        .periods
        .iter()
        .map(|p| format!("{year}-{}", p.id))
        .collect();
    let mut gaps = Vec::new();
    let mut periods = Vec::new();
    let mut figures: Vec<Option<PeriodFigures>> = Vec::new();
    for (p, label) in policy.periods.iter().zip(&labels) {
        let rec = ledger.periods.iter().find(|r| &r.period == label);
        let path = src.out.join(label).join("decisions.csv");
        let f = read_decisions(&path)?;
        let state = PeriodState {
            label: label.clone(),
            name: if p.name.is_empty() {
                p.id.clone()
            } else {
                p.name.clone()
            },
            pay_by: p.pay_by,
            reviewed: f.is_some(),
            in_ledger: rec.is_some(),
            finalized: rec.is_some_and(|r| r.finalized),
            run_date: rec.and_then(|r| NaiveDate::parse_from_str(&r.run_date, "%Y-%m-%d").ok()),
        };
        if f.is_none() {
            gaps.push(Gap {
                code: "period_missing",
                text: format!(
                    "{label}（{}）未审核：找不到 {}，该期各栏标“未审核”，合计只含已审核的期间",
                    state.name,
                    path.display()
                ),
            });
        } else if !state.in_ledger {
            gaps.push(Gap {
                code: "period_not_in_ledger",
                text: format!(
                    "{label}（{}）有审核结果但台账 {} 中没有该期的记录：发放情况各栏不含该期",
                    state.name,
                    src.ledger.display()
                ),
            });
        } else if !state.finalized {
            gaps.push(Gap {
                code: "period_not_finalized",
                text: format!(
                    "{label}（{}）尚未结账（审核时未选择结账）：该期数字仍可能因重新审核而变动",
                    state.name
                ),
            });
        }
        periods.push(state);
        figures.push(f);
    }

    let in_year = |p: &str| labels.iter().any(|l| l == p);
    let answered = ledger
        .answers
        .iter()
        .any(|a| in_year(&a.period) || a.period.starts_with(&format!("{year}-")));
    if !answered {
        gaps.push(Gap {
            code: "no_bank_answers",
            text:
                "台账中没有本年度任何银行处理结果：已入账、发放失败均为 0，核准金额全部列为待发放"
                    .into(),
        });
    }
    let tracking = records::tracking(&ledger, &|p| in_year(p));

    // Distinct mediators paid, per county; ledger amounts per (county, period) for the check.
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut ledger_amounts: BTreeMap<(&str, &str), Decimal> = BTreeMap::new();
    for e in ledger.entries.iter().filter(|e| in_year(&e.period)) {
        ids.entry(e.county_code.as_str())
            .or_default()
            .insert(e.id_number.as_str());
        *ledger_amounts
            .entry((e.county_code.as_str(), e.period.as_str()))
            .or_default() += dec(&e.amount);
    }

    // 按时: each payroll line of the year credited at the first attempt, its period reviewed by
    // the period's deadline.
    let book = Book::new(&ledger);
    let mut line_keys = BTreeSet::new();
    for e in ledger.entries.iter().filter(|e| in_year(&e.period)) {
        line_keys.insert(entry_key(e));
    }
    let mut lines_on_time = 0u64;
    for k in &line_keys {
        let timely = periods
            .iter()
            .find(|p| p.label == k.0)
            .is_some_and(|p| p.run_date.is_some_and(|d| d <= p.pay_by));
        if timely && book.line_status(k) == Status::Credited {
            lines_on_time += 1;
        }
    }

    let mut counties = Vec::new();
    let mut total = MediationLine {
        code: String::new(),
        name: "全市".into(),
        approved_by_period: vec![Decimal::ZERO; periods.len()],
        ..MediationLine::default()
    };
    let mut mismatches = Vec::new();
    for c in &policy.counties {
        let code = c.code.as_str().to_string();
        let mut l = MediationLine {
            code: code.clone(),
            name: c.name.clone(),
            cap: c.mediation_cap,
            approved_by_period: vec![Decimal::ZERO; periods.len()],
            ..MediationLine::default()
        };
        for (i, f) in figures.iter().enumerate() {
            let Some(f) = f else { continue };
            if let Some(x) = f.get(&code) {
                l.approved_by_period[i] = fen(x.0);
                l.approved += x.0;
                l.approved_rows += x.1;
                l.rejected_rows += x.2;
                l.held += x.3;
                l.held_rows += x.4;
                l.claimed_rows += x.5;
            }
            let in_ledger = ledger_amounts
                .get(&(code.as_str(), periods[i].label.as_str()))
                .copied()
                .unwrap_or_default();
            let approved = l.approved_by_period[i];
            if periods[i].in_ledger && fen(in_ledger) != approved {
                mismatches.push(format!(
                    "{} {}：审核结果核准 {} 元，台账记 {} 元",
                    c.name,
                    periods[i].label,
                    crate::money::plain(approved),
                    crate::money::plain(fen(in_ledger))
                ));
            }
        }
        l.approved = fen(l.approved);
        l.held = fen(l.held);
        if let Some(t) = tracking.get(&code) {
            l.credited = t.credited;
            l.failed = t.failed;
            l.pending = t.pending;
        }
        l.mediators = ids.get(code.as_str()).map_or(0, |s| s.len() as u64);
        total.cap += l.cap;
        for (a, b) in total
            .approved_by_period
            .iter_mut()
            .zip(&l.approved_by_period)
        {
            *a += *b;
        }
        total.approved += l.approved;
        total.credited += l.credited;
        total.failed += l.failed;
        total.pending += l.pending;
        total.held += l.held;
        total.held_rows += l.held_rows;
        total.approved_rows += l.approved_rows;
        total.rejected_rows += l.rejected_rows;
        total.claimed_rows += l.claimed_rows;
        total.mediators += l.mediators;
        counties.push(l);
    }
    if !mismatches.is_empty() {
        gaps.push(Gap {
            code: "ledger_mismatch",
            text: format!(
                "审核结果与台账不一致（审核结果文件可能是在台账之后重新生成的）：{}",
                mismatches.join("；")
            ),
        });
    }

    let staff = read_staff(&src.staff_dir, year)?;
    let staff_run_date = staff.as_ref().map(|s| s.2.clone());
    if staff.is_none() {
        gaps.push(Gap {
            code: "staff_missing",
            text: format!(
                "未找到 {year} 年协勤经费审核结果（{}）：协勤经费执行情况及其绩效指标待补（先运行 payrun staff --year {year}）",
                src.staff_dir.join("summary.json").display()
            ),
        });
    }
    Ok(Execution {
        year,
        periods,
        counties,
        total,
        staff: staff.map(|(c, t, _)| (c, t)),
        staff_run_date,
        answered,
        lines: line_keys.len() as u64,
        lines_on_time,
        gaps,
    })
}
