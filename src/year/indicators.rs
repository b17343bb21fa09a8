//! The performance indicators of the two projects (SPEC §14.1): policy data, validated with the
//! rest of the policy. Each indicator names its level 1/2/3 heads, its target and how it is
//! compared, its points, and `measure`: a figure payrun computes, or `manual` (left 待填 for the
//! officer).

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

/// The project facts the national form (财预〔2020〕10号) heads with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub name: String,
    pub department: String,
    pub implementer: String,
    pub goal: String,
}

/// How an actual value meets its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// ≥: more is better.
    AtLeast,
    /// ≤: less is better (a cost).
    AtMost,
}

impl Compare {
    pub fn sign(self) -> &'static str {
        match self {
            Compare::AtLeast => "≥",
            Compare::AtMost => "≤",
        }
    }
}

/// The figures payrun computes for an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    Manual,
    // 一案一补
    CasesPaid,
    MediatorsPaid,
    OnTimeRate,
    BudgetExecution,
    FileCompliance,
    AverageSubsidy,
    // 协勤经费
    PostsFilled,
    FillRate,
    StaffExecution,
    StaffScore,
    MonthlyCost,
}

/// (code, measure, project: true = mediation, what it is, unit).
const MEASURES: &[(&str, Measure, bool, &str, &str)] = &[
    (
        "cases_paid",
        Measure::CasesPaid,
        true,
        "核准补贴案件数",
        "件",
    ),
    (
        "mediators_paid",
        Measure::MediatorsPaid,
        true,
        "受补贴调解员人数",
        "人",
    ),
    ("on_time_rate", Measure::OnTimeRate, true, "按时发放率", "%"),
    (
        "budget_execution",
        Measure::BudgetExecution,
        true,
        "预算执行率（已入账 ÷ 年度限额）",
        "%",
    ),
    (
        "file_compliance",
        Measure::FileCompliance,
        true,
        "卷宗规范率（审核通过 ÷ 申报件数）",
        "%",
    ),
    (
        "average_subsidy",
        Measure::AverageSubsidy,
        true,
        "平均每件补贴",
        "元/件",
    ),
    (
        "posts_filled",
        Measure::PostsFilled,
        false,
        "到岗人数（下达人数）",
        "人",
    ),
    ("fill_rate", Measure::FillRate, false, "岗位到位率", "%"),
    (
        "staff_execution",
        Measure::StaffExecution,
        false,
        "资金执行率（核准市级补助 ÷ 下达金额）",
        "%",
    ),
    (
        "staff_score",
        Measure::StaffScore,
        false,
        "全市绩效评价得分",
        "分",
    ),
    (
        "monthly_cost",
        Measure::MonthlyCost,
        false,
        "人均月补助",
        "元/人·月",
    ),
];

impl Measure {
    pub fn code(self) -> &'static str {
        if self == Measure::Manual {
            return "manual";
        }
        MEASURES
            .iter()
            .find(|m| m.1 == self)
            .map(|m| m.0)
            .unwrap_or("manual")
    }
    pub fn label(self) -> &'static str {
        MEASURES
            .iter()
            .find(|m| m.1 == self)
            .map(|m| m.3)
            .unwrap_or("人工填写")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub level1: String,
    pub level2: String,
    pub level3: String,
    pub compare: Compare,
    /// The target as written (a computed indicator's is a number).
    pub target_text: String,
    /// The target as a number; None only for a `manual` indicator whose target is words.
    pub target: Option<Decimal>,
    pub unit: String,
    pub points: Decimal,
    pub measure: Measure,
}

impl Indicator {
    /// 年度指标值 as the form shows it: "≥95%", "≤100元/件", or the words of a manual one.
    pub fn target_shown(&self) -> String {
        match self.target {
            Some(t) => format!("{}{}{}", self.compare.sign(), t.normalize(), self.unit),
            None => format!("{}{}", self.target_text, self.unit),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performance {
    pub mediation_project: Project,
    pub staff_project: Project,
    pub mediation: Vec<Indicator>,
    pub staff: Vec<Indicator>,
}

/// The points of the 项目资金 line of the national form; the indicators share the rest.
pub const FUNDS_POINTS: i64 = 10;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawProjects {
    #[serde(default)]
    mediation: Option<RawProject>,
    #[serde(default)]
    staff: Option<RawProject>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: String,
    department: String,
    implementer: String,
    #[serde(default)]
    goal: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawPerformance {
    #[serde(default)]
    mediation: Vec<Spanned<RawIndicator>>,
    #[serde(default)]
    staff: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    level1: String,
    level2: String,
    level3: String,
    #[serde(default = "default_compare")]
    compare: String,
    target: String,
    #[serde(default)]
    unit: String,
    #[serde(deserialize_with = "crate::policy::de_money")]
    points: Decimal,
    measure: String,
}

fn default_compare() -> String {
    ">=".into()
}

fn project(raw: &Option<RawProject>, name: &str, implementer: &str) -> Project {
    match raw {
        Some(p) => Project {
            name: p.name.trim().to_string(),
            department: p.department.trim().to_string(),
            implementer: p.implementer.trim().to_string(),
            goal: p.goal.trim().to_string(),
        },
        None => Project {
            name: name.into(),
            department: "玉溪市司法局".into(),
            implementer: implementer.into(),
            goal: String::new(),
        },
    }
}

fn indicators(
    raw: &[Spanned<RawIndicator>],
    mediation: bool,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<Vec<Indicator>, String> {
    let table = if mediation {
        "performance.mediation"
    } else {
        "performance.staff"
    };
    let mut out = Vec::new();
    let mut sum = Decimal::ZERO;
    for s in raw {
        let line = line_of(s.span().start);
        let r = s.get_ref();
        let at = |m: String| format!("政策文件第 {line} 行：绩效指标 [[{table}]] {m}");
        let measure = if r.measure.trim() == "manual" {
            Measure::Manual
        } else {
            match MEASURES.iter().find(|m| m.0 == r.measure.trim()) {
                Some(m) if m.2 == mediation => m.1,
                _ => {
                    let allowed: Vec<String> = MEASURES
                        .iter()
                        .filter(|m| m.2 == mediation)
                        .map(|m| format!("{}（{}）", m.0, m.3))
                        .collect();
                    return Err(at(format!(
                        "的取数方式 measure = \"{}\" 无效；可用：manual（人工填写）、{}",
                        r.measure,
                        allowed.join("、")
                    )));
                }
            }
        };
        let compare = match r.compare.trim() {
            ">=" | "≥" => Compare::AtLeast,
            "<=" | "≤" => Compare::AtMost,
            other => {
                return Err(at(format!(
                    "的比较方式 compare = \"{other}\" 无效，应为 \">=\"（不低于）或 \"<=\"（不高于）"
                )));
            }
        };
        let target = r.target.trim().parse::<Decimal>().ok();
        if measure != Measure::Manual && target.is_none_or(|t| t <= Decimal::ZERO) {
            return Err(at(format!(
                "“{}”的年度指标值 target = \"{}\" 应为大于 0 的数字（如 \"95\"），单位写在 unit 中",
                r.level3, r.target
            )));
        }
        if r.level1.trim().is_empty() || r.level2.trim().is_empty() || r.level3.trim().is_empty() {
            return Err(at("的一级、二级、三级指标名称都不能为空".into()));
        }
        sum += r.points;
        out.push(Indicator {
            level1: r.level1.trim().to_string(),
            level2: r.level2.trim().to_string(),
            level3: r.level3.trim().to_string(),
            compare,
            target_text: r.target.trim().to_string(),
            target,
            unit: r.unit.trim().to_string(),
            points: r.points,
            measure,
        });
    }
    let room = Decimal::from(100 - FUNDS_POINTS);
    if sum > room {
        let line = raw.first().map(|s| line_of(s.span().start)).unwrap_or(0);
        return Err(format!(
            "政策文件第 {line} 行起：[[{table}]] 各指标分值合计 {sum} 分，超过 {room} 分（满分 100 分，其中项目资金执行率占 {FUNDS_POINTS} 分）"
        ));
    }
    Ok(out)
}

/// The validated `[projects.*]` and `[[performance.*]]` of a policy.
pub fn validate(
    projects: &RawProjects,
    perf: &RawPerformance,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<Performance, String> {
    Ok(Performance {
        mediation_project: project(
            &projects.mediation,
            "人民调解“一案一补”补贴",
            "各县（市、区）司法局",
        ),
        staff_project: project(
            &projects.staff,
            "社区矫正协勤人员经费",
            "各县（市、区）司法局",
        ),
        mediation: indicators(&perf.mediation, true, line_of)?,
        staff: indicators(&perf.staff, false, line_of)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::policy::{DEFAULT_POLICY_TOML, Policy};

    fn refused(from: &str, to: &str) -> String {
        assert!(DEFAULT_POLICY_TOML.contains(from), "{from}");
        let t = DEFAULT_POLICY_TOML.replacen(from, to, 1);
        Policy::from_toml(&t, "x.toml").unwrap_err().0
    }

    #[test]
    fn the_embedded_set_covers_output_benefit_and_satisfaction() {
        let p = Policy::default_policy().unwrap();
        for list in [&p.performance.mediation, &p.performance.staff] {
            for l1 in ["产出指标", "效益指标", "满意度指标"] {
                assert!(list.iter().any(|i| i.level1 == l1), "{l1}");
            }
            for l2 in ["数量指标", "质量指标", "时效指标", "成本指标"] {
                assert!(list.iter().any(|i| i.level2 == l2), "{l2}");
            }
            let sum: rust_decimal::Decimal = list.iter().map(|i| i.points).sum();
            assert_eq!(sum, rust_decimal::Decimal::from(90));
        }
        assert_eq!(p.performance.mediation_project.department, "玉溪市司法局");
    }

    #[test]
    fn a_bad_indicator_is_told_in_chinese_at_its_line() {
        let e = refused("measure = \"cases_paid\"", "measure = \"cases\"");
        assert!(
            e.contains("取数方式") && e.contains("cases_paid") && e.contains("行"),
            "{e}"
        );
        let e = refused("measure = \"cases_paid\"", "measure = \"fill_rate\"");
        assert!(e.contains("无效"), "{e}");
        let e = refused(
            "compare = \">=\"\ntarget = \"2000\"",
            "compare = \">\"\ntarget = \"2000\"",
        );
        assert!(e.contains("比较方式"), "{e}");
        let e = refused("target = \"2000\"", "target = \"两千\"");
        assert!(e.contains("年度指标值"), "{e}");
        let e = refused(
            "points = 15\nmeasure = \"cases_paid\"",
            "points = 55\nmeasure = \"cases_paid\"",
        );
        assert!(e.contains("超过 90 分"), "{e}");
        let e = refused("bound = \"0.20\"", "bound = \"2\"");
        assert!(e.contains("bound"), "{e}");
        let e = refused("level3 = \"补贴案件数\"", "levl3 = \"补贴案件数\"");
        assert!(
            e.contains("未知的项 levl3") && e.contains("level3（三级指标）"),
            "{e}"
        );
    }
}
