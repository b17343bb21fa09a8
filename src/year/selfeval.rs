//! The two 项目支出绩效自评表 (SPEC §14.1, 财预〔2020〕10号): the funds line (10 points × 执行率,
//! at most 10), each indicator scored from the year's figures or left 待填, 总分 and 等次.

use rust_decimal::Decimal;

use super::execution::{Execution, ratio};
use super::indicators::{Compare, FUNDS_POINTS, Indicator, Measure, Project};
use crate::money::{fen, plain};
use crate::policy::Policy;

/// Why an indicator has no score yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// `manual`: the officer judges it.
    Manual,
    /// Computed, but the year's records lack the figure (no bank answer, no staff run).
    NoData,
}

impl Pending {
    pub fn label(self) -> &'static str {
        match self {
            Pending::Manual => "待填",
            Pending::NoData => "缺数据",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scored {
    pub indicator: Indicator,
    pub actual: Option<Decimal>,
    pub score: Option<Decimal>,
    pub pending: Option<Pending>,
    /// The figure rests on an incomplete year (a period unreviewed).
    pub partial: bool,
    /// 偏差原因分析及改进措施 as far as payrun can say.
    pub deviation: String,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    /// "mediation" or "staff".
    pub key: &'static str,
    pub project: Project,
    /// 年初预算数 and 全年预算数 (元).
    pub budget_initial: Decimal,
    pub budget_full: Decimal,
    /// 全年执行数 (元); None when the records cannot say.
    pub executed: Option<Decimal>,
    pub execution_rate: Option<Decimal>,
    pub funds_score: Option<Decimal>,
    pub rows: Vec<Scored>,
    /// 实际完成情况, written from the figures.
    pub achieved: String,
    pub total: Decimal,
    /// Points not yet scored (待填 and 缺数据).
    pub pending_points: Decimal,
    pub grade: Option<&'static str>,
}

/// 等次 by 总分 (SPEC §14.1).
pub fn grade(total: Decimal) -> &'static str {
    if total >= Decimal::from(90) {
        "优"
    } else if total >= Decimal::from(80) {
        "良"
    } else if total >= Decimal::from(60) {
        "中"
    } else {
        "差"
    }
}

/// Full points when `actual` meets the target, else points × actual ÷ target (≥) or points ×
/// target ÷ actual (≤), to 0.01.
pub fn score(ind: &Indicator, target: Decimal, actual: Decimal) -> Decimal {
    let p = ind.points;
    let s = match ind.compare {
        Compare::AtLeast if actual >= target => p,
        Compare::AtLeast => p * actual / target,
        Compare::AtMost if actual <= target => p,
        Compare::AtMost if actual.is_zero() => p,
        Compare::AtMost => p * target / actual,
    };
    s.round_dp(2).min(p)
}

fn pct(r: Decimal) -> Decimal {
    (r * Decimal::from(100)).round_dp(2)
}

/// The figure payrun computes for `m`; None when the year's records lack it.
pub fn actual(m: Measure, x: &Execution) -> Option<Decimal> {
    let t = &x.total;
    let staff = x.staff.as_ref().map(|s| &s.1);
    match m {
        Measure::Manual => None,
        Measure::CasesPaid => Some(Decimal::from(t.approved_rows)),
        Measure::MediatorsPaid => Some(Decimal::from(t.mediators)),
        Measure::OnTimeRate => x.answered.then(|| {
            pct(ratio(
                Decimal::from(x.lines_on_time),
                Decimal::from(x.lines),
            ))
        }),
        Measure::BudgetExecution => x.answered.then(|| pct(ratio(t.credited, t.cap))),
        Measure::FileCompliance => Some(pct(ratio(
            Decimal::from(t.approved_rows + t.held_rows),
            Decimal::from(t.claimed_rows),
        ))),
        Measure::AverageSubsidy => {
            (t.approved_rows > 0).then(|| fen(t.approved / Decimal::from(t.approved_rows)))
        }
        Measure::PostsFilled => staff.map(|s| Decimal::from(s.posts_allocated)),
        Measure::FillRate => staff.map(|s| pct(s.fill_rate)),
        Measure::StaffExecution => staff.map(|s| pct(s.execution_rate)),
        Measure::StaffScore => staff.map(|s| s.score),
        Measure::MonthlyCost => staff
            .filter(|s| s.months > 0)
            .map(|s| fen(s.approved / Decimal::from(s.months))),
    }
}

fn scored(list: &[Indicator], x: &Execution, partial: bool) -> Vec<Scored> {
    list.iter()
        .map(|ind| {
            let a = actual(ind.measure, x);
            let (score, pending) = match (ind.measure, a, ind.target) {
                (Measure::Manual, _, _) => (None, Some(Pending::Manual)),
                (_, Some(a), Some(t)) => (Some(score(ind, t, a)), None),
                _ => (None, Some(Pending::NoData)),
            };
            let deviation = match (pending, score) {
                (Some(Pending::Manual), _) => "待填：由评价人员据实填写".to_string(),
                (Some(Pending::NoData), _) => {
                    "缺数据：本年度记录不全，见“一案一补执行情况”表的说明".to_string()
                }
                (None, Some(s)) if s < ind.points => format!(
                    "未达到年度指标值（扣 {} 分）；偏差原因和改进措施请据实填写",
                    (ind.points - s).normalize()
                ),
                _ if partial => "数据不全（有期间未审核），得分按现有数据计算".to_string(),
                _ => String::new(),
            };
            Scored {
                indicator: ind.clone(),
                actual: a,
                score,
                pending,
                partial,
                deviation,
            }
        })
        .collect()
}

fn finish(
    key: &'static str,
    project: Project,
    budget: Decimal,
    executed: Option<Decimal>,
    rows: Vec<Scored>,
    achieved: String,
) -> Evaluation {
    let execution_rate = executed.map(|e| ratio(e, budget));
    let funds_score = execution_rate.map(|r| {
        (Decimal::from(FUNDS_POINTS) * r)
            .round_dp(2)
            .min(Decimal::from(FUNDS_POINTS))
    });
    let mut total = funds_score.unwrap_or_default();
    let mut pending_points = if funds_score.is_none() {
        Decimal::from(FUNDS_POINTS)
    } else {
        Decimal::ZERO
    };
    for r in &rows {
        match r.score {
            Some(s) => total += s,
            None => pending_points += r.indicator.points,
        }
    }
    Evaluation {
        key,
        project,
        budget_initial: budget,
        budget_full: budget,
        executed,
        execution_rate,
        funds_score,
        rows,
        achieved,
        total,
        pending_points,
        grade: pending_points.is_zero().then(|| grade(total)),
    }
}

/// The 自评表 of 一案一补.
pub fn mediation(policy: &Policy, x: &Execution) -> Evaluation {
    let partial = x.periods.iter().any(|p| !p.reviewed);
    let t = &x.total;
    let executed = x.answered.then_some(t.credited);
    let reviewed: Vec<&str> = x
        .periods
        .iter()
        .filter(|p| p.reviewed)
        .map(|p| p.name.as_str())
        .collect();
    let mut achieved = format!(
        "{}年{}共核准补贴案件 {} 件、补贴 {} 元，受补贴调解员 {} 人次（按县计）；其中已入账 {} 元，发放失败未补发 {} 元，待发放 {} 元；超限额待定 {} 件、{} 元。",
        x.year,
        if reviewed.is_empty() {
            "（无已审核期间）".to_string()
        } else {
            reviewed.join("、")
        },
        t.approved_rows,
        plain(t.approved),
        t.mediators,
        plain(t.credited),
        plain(t.failed),
        plain(t.pending),
        t.held_rows,
        plain(t.held),
    );
    if x.answered {
        achieved.push_str(&format!(
            "预算执行率（已入账 ÷ 年度限额）{}%。",
            pct(ratio(t.credited, t.cap)).normalize()
        ));
    } else {
        achieved.push_str("尚无银行处理结果，执行数待银行回单导入后确定。");
    }
    let rows = scored(&policy.performance.mediation, x, partial);
    finish(
        "mediation",
        policy.performance.mediation_project.clone(),
        policy.total_mediation_cap,
        executed,
        rows,
        achieved,
    )
}

/// The 自评表 of 协勤经费.
pub fn staff(policy: &Policy, x: &Execution) -> Evaluation {
    let s = x.staff.as_ref().map(|s| &s.1);
    let achieved = match s {
        Some(s) => format!(
            "{}年全市定额 {} 人，下达协勤人员 {} 人，下达金额 {} 元，核准市级补助 {} 元；岗位到位率 {}%，资金执行率 {}%，县级绩效评价全市得分 {} 分（{}）。",
            x.year,
            s.quota,
            s.posts_allocated,
            plain(s.allocated),
            plain(s.approved),
            pct(s.fill_rate).normalize(),
            pct(s.execution_rate).normalize(),
            s.score.normalize(),
            s.grade
        ),
        None => format!("未找到{}年协勤经费审核结果，实际完成情况待补。", x.year),
    };
    let rows = scored(&policy.performance.staff, x, false);
    finish(
        "staff",
        policy.performance.staff_project.clone(),
        policy.total_staff_allocation,
        s.map(|s| s.approved),
        rows,
        achieved,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(compare: Compare, target: i64, points: i64) -> Indicator {
        Indicator {
            level1: "产出指标".into(),
            level2: "数量指标".into(),
            level3: "x".into(),
            compare,
            target_text: target.to_string(),
            target: Some(Decimal::from(target)),
            unit: String::new(),
            points: Decimal::from(points),
            measure: Measure::CasesPaid,
        }
    }

    #[test]
    fn full_points_when_met_else_in_proportion_to_the_hundredth() {
        let i = ind(Compare::AtLeast, 300, 10);
        assert_eq!(
            score(&i, Decimal::from(300), Decimal::from(301)),
            Decimal::from(10)
        );
        assert_eq!(
            score(&i, Decimal::from(300), Decimal::from(193)),
            Decimal::new(643, 2)
        );
        let c = ind(Compare::AtMost, 100, 10);
        assert_eq!(
            score(&c, Decimal::from(100), Decimal::from(90)),
            Decimal::from(10)
        );
        assert_eq!(
            score(&c, Decimal::from(100), Decimal::from(125)),
            Decimal::from(8)
        );
    }

    #[test]
    fn grades_by_the_thresholds() {
        assert_eq!(grade(Decimal::from(90)), "优");
        assert_eq!(grade(Decimal::new(8999, 2)), "良");
        assert_eq!(grade(Decimal::from(60)), "中");
        assert_eq!(grade(Decimal::new(5999, 2)), "差");
    }
}
