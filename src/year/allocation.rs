//! Next year's draft (SPEC §14.2): each county's mediation cap proposed by the policy's
//! `[allocation_rule]`, the policy text moved to the next year with those caps (its comments
//! kept, by `toml_edit`), staff quotas unchanged, and what the bureau should look at: counties
//! graded 差 and posts vacant all year.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use toml_edit::{DocumentMut, Item, Value};

use super::execution::Execution;
use crate::money::{fen, plain};
use crate::policy::Policy;

#[derive(Debug, Clone)]
pub struct Proposal {
    pub code: String,
    pub name: String,
    pub cap: Decimal,
    pub approved: Decimal,
    pub held: Decimal,
    pub demand: Decimal,
    /// The county's share of the year's total by demand, before bounds and rounding.
    pub share: Decimal,
    pub lower: Decimal,
    pub upper: Decimal,
    pub proposed: Decimal,
    pub note: String,
}

/// A county the bureau should look at for the staff program.
#[derive(Debug, Clone)]
pub struct StaffFlag {
    pub name: String,
    pub quota: u64,
    pub posts_allocated: u64,
    pub score: Decimal,
    pub grade: String,
}

#[derive(Debug, Clone)]
pub struct Allocation {
    pub next_year: i32,
    pub lines: Vec<Proposal>,
    /// The year's total mediation cap: what is shared.
    pub total: Decimal,
    pub proposed_total: Decimal,
    /// total − Σ proposed: what the bounds left (negative when the floors take more).
    pub unallocated: Decimal,
    pub bound: Decimal,
    pub round_to: Decimal,
    /// Counties graded 差 by the staff run.
    pub poor: Vec<StaffFlag>,
    /// Counties with posts vacant all year (下达人数 below 定额).
    pub vacant: Vec<StaffFlag>,
    /// Whether the staff run was there to say.
    pub staff_known: bool,
    pub draft: String,
}

fn floor_to(x: Decimal, step: Decimal) -> Decimal {
    (x / step).floor() * step
}
fn ceil_to(x: Decimal, step: Decimal) -> Decimal {
    (x / step).ceil() * step
}

/// The caps proposed by the rule.
pub fn propose(policy: &Policy, x: &Execution) -> Vec<Proposal> {
    let rule = &policy.allocation_rule;
    let total = policy.total_mediation_cap;
    let all_demand: Decimal = x.counties.iter().map(|c| c.demand()).sum();
    x.counties
        .iter()
        .map(|c| {
            let demand = c.demand();
            let share = if all_demand.is_zero() {
                c.cap
            } else {
                fen(total * demand / all_demand)
            };
            let lower = ceil_to(c.cap * (Decimal::ONE - rule.bound), rule.round_to);
            let upper = floor_to(c.cap * (Decimal::ONE + rule.bound), rule.round_to);
            let proposed = fen(floor_to(share.min(upper), rule.round_to).max(lower));
            let mut notes = Vec::new();
            if all_demand.is_zero() {
                notes.push("全市本年无需求数据，维持现限额".to_string());
            } else if demand.is_zero() {
                notes.push("本年无核准案件，按下限保留".to_string());
            } else if share > upper {
                notes.push(format!("按需求应得 {} 元，受增幅上限约束", plain(share)));
            } else if share < lower {
                notes.push(format!("按需求应得 {} 元，受减幅下限约束", plain(share)));
            }
            if c.held > Decimal::ZERO {
                notes.push(format!("本年超限额待定 {} 元", plain(c.held)));
            }
            if proposed < c.approved {
                notes.push("建议限额低于本年核准额，请复核".to_string());
            }
            Proposal {
                code: c.code.clone(),
                name: c.name.clone(),
                cap: c.cap,
                approved: c.approved,
                held: c.held,
                demand,
                share,
                lower,
                upper,
                proposed,
                note: notes.join("；"),
            }
        })
        .collect()
}

/// `d` moved to `year` (29 February becomes 28 February).
fn moved(d: NaiveDate, year: i32) -> Option<NaiveDate> {
    d.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, d.month(), 28))
}

fn set_keep_decor(item: &mut Item, v: Value) {
    let decor = item.as_value().map(|x| x.decor().clone());
    let mut v = v;
    if let Some(d) = decor {
        *v.decor_mut() = d;
    }
    *item = Item::Value(v);
}

/// The policy text moved to the next year with the proposed caps; checked to load as a policy.
pub fn draft(
    policy: &Policy,
    text: &str,
    lines: &[Proposal],
    run_date: NaiveDate,
) -> Result<String, String> {
    let year = policy.year;
    let next = year + 1;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|_| format!("政策文件 {} 无法按 TOML 重写", policy.source))?;
    set_keep_decor(&mut doc["year"], Value::from(i64::from(next)));
    if let Some(name) = doc.get("name").and_then(|n| n.as_str()).map(str::to_string) {
        let renamed = name.replace(&year.to_string(), &next.to_string());
        set_keep_decor(&mut doc["name"], Value::from(renamed));
    }
    if let Some(periods) = doc
        .get_mut("periods")
        .and_then(|p| p.as_array_of_tables_mut())
    {
        for t in periods.iter_mut() {
            for key in ["start", "end", "pay_by"] {
                let Some(old) = t.get(key).and_then(|v| v.as_str()).map(str::to_string) else {
                    continue;
                };
                let new = NaiveDate::parse_from_str(&old, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| moved(d, next))
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .ok_or_else(|| format!("政策文件的期间日期“{old}”无法移到 {next} 年"))?;
                if let Some(item) = t.get_mut(key) {
                    set_keep_decor(item, Value::from(new));
                }
            }
        }
    }
    let mut sum = Decimal::ZERO;
    if let Some(counties) = doc
        .get_mut("counties")
        .and_then(|p| p.as_array_of_tables_mut())
    {
        for t in counties.iter_mut() {
            let code = t
                .get("code")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let Some(p) = lines.iter().find(|l| l.code == code) else {
                continue;
            };
            sum += p.proposed;
            if let Some(item) = t.get_mut("mediation_cap") {
                set_keep_decor(item, Value::from(plain(p.proposed)));
            }
        }
    }
    if let Some(item) = doc
        .get_mut("totals")
        .and_then(|t| t.as_table_like_mut())
        .and_then(|t| t.get_mut("mediation_cap"))
    {
        set_keep_decor(item, Value::from(plain(fen(sum))));
    }
    let head = format!(
        "# {next} 年政策草案：由 payrun year 于 {} 根据 {year} 年度执行情况生成（人民调解补贴限额按\n# [allocation_rule] 建议，协勤人员定额不变）。这是建议稿，须经局务会审定后方可使用。\n\n",
        run_date.format("%Y-%m-%d")
    );
    let out = format!("{head}{doc}");
    let name = format!("policy-{next}-草案.toml");
    Policy::from_toml(&out, &name).map_err(|e| {
        format!("生成的 {name} 无法作为政策文件载入（{e}），未写出；请检查原政策文件")
    })?;
    Ok(out)
}

/// The whole proposal for next year.
pub fn allocate(
    policy: &Policy,
    text: &str,
    x: &Execution,
    run_date: NaiveDate,
) -> Result<Allocation, String> {
    let lines = propose(policy, x);
    let proposed_total = fen(lines.iter().map(|l| l.proposed).sum());
    let draft = draft(policy, text, &lines, run_date)?;
    let flag = |s: &super::execution::StaffLine| StaffFlag {
        name: s.name.clone(),
        quota: s.quota,
        posts_allocated: s.posts_allocated,
        score: s.score,
        grade: s.grade.clone(),
    };
    let (poor, vacant) = match &x.staff {
        Some((counties, _)) => (
            counties
                .iter()
                .filter(|c| c.grade == "差")
                .map(flag)
                .collect(),
            counties
                .iter()
                .filter(|c| c.posts_allocated < c.quota)
                .map(flag)
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Allocation {
        next_year: policy.year + 1,
        total: policy.total_mediation_cap,
        unallocated: fen(policy.total_mediation_cap - proposed_total),
        proposed_total,
        bound: policy.allocation_rule.bound,
        round_to: policy.allocation_rule.round_to,
        lines,
        poor,
        vacant,
        staff_known: x.staff.is_some(),
        draft,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::year::execution::MediationLine;

    fn execution(policy: &Policy, demand: &[(i64, i64)]) -> Execution {
        let counties = policy
            .counties
            .iter()
            .zip(demand)
            .map(|(c, (approved, held))| MediationLine {
                code: c.code.as_str().to_string(),
                name: c.name.clone(),
                cap: c.mediation_cap,
                approved: Decimal::from(*approved),
                held: Decimal::from(*held),
                ..MediationLine::default()
            })
            .collect();
        Execution {
            year: policy.year,
            periods: Vec::new(),
            counties,
            total: MediationLine::default(),
            staff: None,
            staff_run_date: None,
            answered: false,
            lines: 0,
            lines_on_time: 0,
            gaps: Vec::new(),
        }
    }

    #[test]
    fn caps_stay_within_the_bounds_in_hundreds_and_add_up_with_what_is_left() {
        let p = Policy::default_policy().unwrap();
        // 红塔 asks for everything, 江川 nothing, the rest a little.
        let mut d = vec![(500_000, 300_000), (0, 0)];
        d.extend(std::iter::repeat_n((1_000, 0), 7));
        let x = execution(&p, &d);
        let lines = propose(&p, &x);
        let mut sum = Decimal::ZERO;
        for (l, c) in lines.iter().zip(&p.counties) {
            let b = c.mediation_cap * Decimal::new(20, 2);
            assert!(l.proposed >= c.mediation_cap - b && l.proposed <= c.mediation_cap + b);
            assert_eq!(l.proposed % Decimal::from(100), Decimal::ZERO);
            sum += l.proposed;
        }
        // 红塔 at its ceiling, 江川 (no demand) at its floor, flagged.
        assert_eq!(lines[0].proposed, Decimal::from(216_000));
        assert_eq!(lines[1].proposed, Decimal::from(64_000));
        assert!(lines[1].note.contains("无核准案件"), "{}", lines[1].note);
        assert!(sum <= p.total_mediation_cap);
    }

    #[test]
    fn no_demand_anywhere_keeps_every_cap() {
        let p = Policy::default_policy().unwrap();
        let x = execution(&p, &[(0, 0); 9]);
        for (l, c) in propose(&p, &x).iter().zip(&p.counties) {
            assert_eq!(l.proposed, c.mediation_cap);
        }
    }

    #[test]
    fn the_draft_moves_the_year_keeps_comments_and_loads() {
        let p = Policy::default_policy().unwrap();
        let x = execution(&p, &[(10_000, 0); 9]);
        let lines = propose(&p, &x);
        let d = draft(
            &p,
            crate::policy::DEFAULT_POLICY_TOML,
            &lines,
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        )
        .unwrap();
        assert!(d.contains("# 协勤人员每人每月市级补助标准（元）"));
        let q = Policy::from_toml(&d, "草案").unwrap();
        assert_eq!(q.year, 2026);
        assert_eq!(q.name, "玉溪市2026年人民调解一案一补及社区矫正协勤人员经费");
        assert_eq!(q.total_staff_quota, p.total_staff_quota);
        assert_eq!(
            q.total_mediation_cap,
            lines.iter().map(|l| l.proposed).sum::<Decimal>()
        );
        assert_eq!(q.performance, p.performance);
    }
}
