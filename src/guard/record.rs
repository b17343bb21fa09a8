//! The period's record in the ledger, before a run replaces it (SPEC §10.3, §10.5).
//!
//! **Never lowered by accident.** Re-running a period the ledger holds compares the new result
//! with the record, county by county. Two results are refused without `--replace`, as the SPEC
//! says: an input that holds no data row at all (the wrong or an empty folder), and a county with
//! approved cases on record that would have none (its files left out, a staff folder given to
//! `run`). Any other decrease of a county's approved amount is what re-running is for (a county
//! corrects and resends; a case found wrong is taken out), so it is not refused; it is named in
//! the run's notices (console, summary.json, the approval workbook), so that a file left out of
//! a county's several files does not pass unseen. With `--replace`, a refused result goes
//! through and the notices say what it replaced.
//!
//! **No ledger, no later period.** A period that is not the first of its policy year needs the
//! ledger: without it the earlier periods' cases would be paid again and the caps counted from
//! zero. `--without-ledger` runs it anyway (the bureau confirms nothing was paid before) and the
//! outputs say so. When the ledger exists, the flag changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

use super::Refusal;
use crate::form::console::table_line;
use crate::ledger::Ledger;
use crate::mediation::{RunOutput, RunPeriod};
use crate::policy::Policy;
use crate::staff::yuan_text;

/// One county: what the ledger holds for the period and what this run would approve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyRecord {
    pub name: String,
    pub recorded_cases: usize,
    pub recorded_amount: Decimal,
    pub cases: usize,
    pub amount: Decimal,
}

impl CountyRecord {
    fn lost(&self) -> Decimal {
        (self.recorded_amount - self.amount).max(Decimal::ZERO)
    }
}

/// The run's result against the period's record.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub period: String,
    /// The run date of the record.
    pub recorded_on: String,
    /// Data rows this run read.
    pub rows_read: usize,
    /// Counties with cases on record or approved now, in policy order (then any county the
    /// ledger names that the policy does not).
    pub counties: Vec<CountyRecord>,
}

/// The comparison, when the ledger holds the run's period.
pub fn compare(ledger: &Ledger, out: &RunOutput) -> Option<Comparison> {
    let label = &out.period.label;
    let record = ledger.periods.iter().find(|p| &p.period == label)?;
    let mut recorded: BTreeMap<&str, (&str, usize, Decimal)> = BTreeMap::new();
    for e in ledger.entries.iter().filter(|e| &e.period == label) {
        let r = recorded.entry(e.county_code.as_str()).or_insert((
            e.county_name.as_str(),
            0,
            Decimal::ZERO,
        ));
        r.1 += 1;
        r.2 += e.amount.parse::<Decimal>().unwrap_or(Decimal::ZERO);
    }
    let mut counties = Vec::new();
    for c in &out.counties {
        let code = c.code.as_ref().map(|k| k.as_str()).unwrap_or("");
        let (_, cases, amount) = recorded.remove(code).unwrap_or(("", 0, Decimal::ZERO));
        if cases > 0 || c.approved_rows > 0 {
            counties.push(CountyRecord {
                name: c.name.clone(),
                recorded_cases: cases,
                recorded_amount: crate::money::fen(amount),
                cases: c.approved_rows,
                amount: c.approved_amount,
            });
        }
    }
    for (code, (name, cases, amount)) in recorded {
        counties.push(CountyRecord {
            name: if name.is_empty() {
                code.to_string()
            } else {
                name.to_string()
            },
            recorded_cases: cases,
            recorded_amount: crate::money::fen(amount),
            cases: 0,
            amount: Decimal::ZERO,
        });
    }
    Some(Comparison {
        period: label.clone(),
        recorded_on: record.run_date.clone(),
        rows_read: out.claims.len(),
        counties,
    })
}

impl Comparison {
    /// Counties with approved cases on record that would have none.
    pub fn emptied(&self) -> Vec<&CountyRecord> {
        self.counties
            .iter()
            .filter(|c| c.recorded_cases > 0 && c.cases == 0)
            .collect()
    }

    /// SPEC §10.3: the run would lower the record (refused without `--replace`).
    pub fn lowers(&self) -> bool {
        self.rows_read == 0 || !self.emptied().is_empty()
    }

    /// Why the record would be lowered, in a sentence.
    fn why(&self) -> String {
        let mut why = Vec::new();
        if self.rows_read == 0 {
            why.push("输入中没有任何数据行".to_string());
        }
        let emptied: Vec<&str> = self.emptied().iter().map(|c| c.name.as_str()).collect();
        if !emptied.is_empty() {
            why.push(format!(
                "{} 在台账中有核准案件，本次一件也没有",
                emptied.join("、")
            ));
        }
        why.join("；")
    }

    fn totals(&self) -> (usize, Decimal, usize, Decimal) {
        self.counties
            .iter()
            .fold((0, Decimal::ZERO, 0, Decimal::ZERO), |(a, b, c, d), x| {
                (
                    a + x.recorded_cases,
                    b + x.recorded_amount,
                    c + x.cases,
                    d + x.amount,
                )
            })
    }

    /// What each county would lose, as a table for the console.
    pub fn table(&self) -> String {
        let head = [
            "县（市、区）",
            "台账件数",
            "台账金额",
            "本次件数",
            "本次金额",
            "减少金额",
        ];
        let widths = [26, 9, 14, 9, 14, 14];
        let line = |cells: [String; 6]| table_line(&cells, &widths);
        let mut out = vec![line(head.map(String::from))];
        for c in &self.counties {
            out.push(line([
                c.name.clone(),
                c.recorded_cases.to_string(),
                yuan_text(c.recorded_amount),
                c.cases.to_string(),
                yuan_text(c.amount),
                yuan_text(c.lost()),
            ]));
        }
        let (rc, ra, c, a) = self.totals();
        out.push(line([
            "合计".to_string(),
            rc.to_string(),
            yuan_text(ra),
            c.to_string(),
            yuan_text(a),
            yuan_text(self.counties.iter().map(CountyRecord::lost).sum()),
        ]));
        out.join("\n")
    }

    /// The refusal of SPEC §10.3.
    pub fn refusal(&self, ledger: &Path, input: &Path) -> Refusal {
        let (rc, ra, ..) = self.totals();
        Refusal(format!(
            "拒绝重新审核 {p}：台账 {l} 中已有本期记录（{d} 审核，核准 {rc} 件，{ra} 元），本次结果会降低这一记录：{why}。\n\n{table}\n\n未写入任何文件，台账和以前的输出保持不变。请检查输入文件夹 {i} 是否正确、各县的文件是否齐全；如确需以本次结果替换台账中 {p} 的记录，请加 --replace 重新运行（替换前的台账会备份到台账所在文件夹的 台账备份/ 中）。",
            p = self.period,
            l = ledger.display(),
            d = self.recorded_on,
            ra = yuan_text(ra),
            why = self.why(),
            table = self.table(),
            i = input.display(),
        ))
    }

    /// The notice a run that replaces the record carries: what `--replace` let through, and
    /// every county whose approved amount went down.
    pub fn notice(&self) -> Option<String> {
        let down: Vec<String> = self
            .counties
            .iter()
            .filter(|c| c.amount < c.recorded_amount)
            .map(|c| {
                format!(
                    "{} {} → {} 元（{} → {} 件）",
                    c.name,
                    yuan_text(c.recorded_amount),
                    yuan_text(c.amount),
                    c.recorded_cases,
                    c.cases
                )
            })
            .collect();
        let replaced = self.lowers().then(|| {
            format!(
                "按 --replace 以本次结果替换了台账中 {} 的记录（{}）",
                self.period,
                self.why()
            )
        });
        let lower = (!down.is_empty()).then(|| {
            format!(
                "与台账中 {} 的原有记录（{} 审核）相比，核准金额减少：{}；请核对各县报送的文件是否齐全",
                self.period,
                self.recorded_on,
                down.join("；")
            )
        });
        match (replaced, lower) {
            (None, None) => None,
            (Some(a), None) => Some(a),
            (None, Some(b)) => Some(b),
            (Some(a), Some(b)) => Some(format!("{a}。{b}")),
        }
    }
}

/// SPEC §10.5. `Ok(None)`: the period is the first of its year, no ledger is needed.
/// `Ok(Some(notice))`: a later period run with `--without-ledger`, and what the outputs say.
/// `Err`: the refusal.
pub fn ledger_needed(
    period: &RunPeriod,
    policy: &Policy,
    ledger: &Path,
    without_ledger: bool,
) -> Result<Option<String>, Refusal> {
    let earlier: Vec<String> = policy
        .periods
        .iter()
        .take_while(|p| p.id != period.def.id)
        .map(|p| format!("{}-{}", policy.year, p.id))
        .collect();
    if earlier.is_empty() {
        return Ok(None);
    }
    let earlier = earlier.join("、");
    if without_ledger {
        return Ok(Some(format!(
            "按 --without-ledger 在没有台账的情况下审核：台账 {} 不存在，本期按本年度以前期间（{earlier}）未发放任何补贴计算各县限额，也无法识别以前期间已发放的案件；须确认以前期间确实没有发放",
            ledger.display()
        )));
    }
    Err(Refusal(format!(
        "台账 {} 不存在，拒绝审核 {}：它不是 {} 年度的第一个发放期间，{earlier} 可能已发放，缺少台账会重复发放（以前期间已发放的案件无法识别，各县限额也会按未发放计算）。\n未写入任何文件。请用 --ledger 指定台账文件，或用 --out 指定上次审核的输出文件夹（台账默认在其中）；如确认本年度以前期间未发放任何补贴，可加 --without-ledger 运行。",
        ledger.display(),
        period.label,
        policy.year
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, rc: usize, ra: i64, c: usize, a: i64) -> CountyRecord {
        CountyRecord {
            name: name.into(),
            recorded_cases: rc,
            recorded_amount: Decimal::new(ra * 100, 2),
            cases: c,
            amount: Decimal::new(a * 100, 2),
        }
    }

    fn cmp(rows_read: usize, counties: Vec<CountyRecord>) -> Comparison {
        Comparison {
            period: "2025-H1".into(),
            recorded_on: "2025-06-30".into(),
            rows_read,
            counties,
        }
    }

    #[test]
    fn an_empty_input_or_an_emptied_county_lowers_the_record() {
        let same = cmp(300, vec![rec("红塔区", 10, 1000, 10, 1000)]);
        assert!(!same.lowers());
        assert_eq!(same.notice(), None);

        let empty = cmp(0, vec![rec("红塔区", 10, 1000, 0, 0)]);
        assert!(empty.lowers());
        let why = empty
            .refusal(Path::new("out/台账.xlsx"), Path::new("empty"))
            .to_string();
        assert!(why.contains("输入中没有任何数据行"), "{why}");
        assert!(
            why.contains("红塔区 在台账中有核准案件，本次一件也没有"),
            "{why}"
        );
        assert!(why.contains("--replace"), "{why}");

        // A county left out while the others come back.
        let left_out = cmp(
            200,
            vec![
                rec("红塔区", 10, 1000, 10, 1000),
                rec("江川区", 5, 500, 0, 0),
            ],
        );
        assert!(left_out.lowers());
        let table = left_out.table();
        let line = table.lines().find(|l| l.starts_with("江川区")).unwrap();
        assert!(line.ends_with("500.00"), "{table}");
        assert!(table.lines().last().unwrap().starts_with("合计"), "{table}");
        assert!(left_out.notice().unwrap().starts_with("按 --replace"));

        // A smaller amount is a correction: let through, but named.
        let corrected = cmp(290, vec![rec("红塔区", 10, 1000, 9, 900)]);
        assert!(!corrected.lowers());
        let n = corrected.notice().unwrap();
        assert!(
            n.contains("红塔区 1,000.00 → 900.00 元（10 → 9 件）"),
            "{n}"
        );

        // An empty period re-run on an empty folder is still an empty folder.
        assert!(cmp(0, vec![]).lowers());
    }

    #[test]
    fn a_later_period_needs_the_ledger_unless_told_otherwise() {
        let p = Policy::default_policy().unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let h1 = crate::mediation::parse_period("2025-H1", &p, day).unwrap();
        let h2 = crate::mediation::parse_period("2025-H2", &p, day).unwrap();
        let l = Path::new("o/台账.xlsx");
        assert_eq!(ledger_needed(&h1, &p, l, false), Ok(None));
        let e = ledger_needed(&h2, &p, l, false).unwrap_err().to_string();
        assert!(
            e.contains("2025-H1 可能已发放，缺少台账会重复发放") && e.contains("o/台账.xlsx"),
            "{e}"
        );
        let n = ledger_needed(&h2, &p, l, true).unwrap().unwrap();
        assert!(n.contains("--without-ledger"), "{n}");
    }
}
