//! The claims of one payout period: clean rows, the injected faults, H2's re-claims and late
//! claims, the over-cap county's extra demand, case numbers in order of 受理日期, and which
//! workbook (quarter or half-year) each row goes to.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::SampleOptions;
use super::county::{CountyModel, Station, county_model};
use super::faults::{Fault, INJECTED};
use super::flavor::{DISPUTES, NOTES};
use crate::cell::id_check_char;
use crate::policy::{Form, Level, Policy};
use crate::samples::SamplesError;
use crate::samples::random::{CLAIM_SALT, pick, pick_or, random_day, rng_for, weighted};
use crate::samples::written::{DateStyle, chinese_number, date_text, full_width, ymd_or};

/// How clerks of counties with text date columns type a date, drawn at random per cell.
const DATE_STYLES: [DateStyle; 5] = [
    DateStyle::Dash,
    DateStyle::Slash,
    DateStyle::Dot,
    DateStyle::Chinese,
    DateStyle::Compact,
];

#[derive(Debug, Clone)]
pub(super) enum DateCell {
    Date(NaiveDate),
    Text(String),
    Blank,
}

#[derive(Debug, Clone)]
pub(super) enum IdCell {
    Text(String),
    /// An 18-digit ID Excel turned into a number (precision already lost).
    Number(u64),
}

#[derive(Debug, Clone)]
pub(super) enum AmountCell {
    Number(Decimal),
    Text(String),
    Blank,
}

#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) mediator: usize,
    pub(super) committee: usize,
    pub(super) station: usize,
    pub(super) case_no: String,
    pub(super) needs_number: bool,
    pub(super) dispute: &'static str,
    pub(super) level_label: &'static str,
    pub(super) level: Option<Level>,
    pub(super) form: Form,
    pub(super) accepted: NaiveDate,
    /// The real 结案日期, used for file placement and sorting.
    pub(super) concluded: NaiveDate,
    pub(super) accepted_cell: DateCell,
    pub(super) concluded_cell: DateCell,
    pub(super) result: &'static str,
    pub(super) dossier: &'static str,
    pub(super) station_review: &'static str,
    pub(super) county_review: &'static str,
    pub(super) mediator_name: String,
    pub(super) id_cell: IdCell,
    pub(super) bank: String,
    pub(super) account: String,
    pub(super) amount: AmountCell,
    pub(super) note: String,
    pub(super) fault: Option<Fault>,
    pub(super) eligible: bool,
    pub(super) standard: Option<Decimal>,
    pub(super) order: u64,
    /// Set on a `DuplicateCaseNo` row: the order of the row whose number it repeats.
    pub(super) dup_of: Option<u64>,
}

/// One claim workbook of a county.
#[derive(Debug, Clone, Copy)]
pub(super) struct FileSpec {
    /// Quarter 1–4, or `None` for a half-year workbook.
    pub(super) quarter: Option<u8>,
    pub(super) filed: NaiveDate,
}

pub(super) struct HalfPlan {
    pub(super) rows: Vec<Row>,
    /// Valid H1 cases the county did not claim in H1 (they come back in H2 as late claims).
    pub(super) withheld: Vec<Row>,
    pub(super) files: Vec<FileSpec>,
    pub(super) counters: BTreeMap<String, u32>,
}

pub(super) struct Period {
    pub(super) half: u8,
    pub(super) year: i32,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
}

fn period(policy: &Policy, half: u8) -> Result<Period, SamplesError> {
    let y = policy.year;
    let (a, b) = match half {
        1 => ((1, 1), (6, 30)),
        2 => ((7, 1), (12, 31)),
        _ => return Err(SamplesError::Half(half)),
    };
    let start = NaiveDate::from_ymd_opt(y, a.0, a.1);
    let end = NaiveDate::from_ymd_opt(y, b.0, b.1);
    match (start, end) {
        (Some(start), Some(end)) => Ok(Period {
            half,
            year: y,
            start,
            end,
        }),
        _ => Err(SamplesError::Year(y)),
    }
}

pub(super) fn over_cap_county(policy: &Policy, n_policy: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for i in 0..n_policy {
        match best {
            Some(b) if policy.counties[b].mediation_cap <= policy.counties[i].mediation_cap => {}
            _ => best = Some(i),
        }
    }
    best
}

/// Rows of a county in the given half (1.6 × for the over-cap county in H2).
fn row_count(opts: &SampleOptions, half: u8, over_cap: bool) -> usize {
    if half == 2 && over_cap {
        (opts.rows * 8).div_ceil(5)
    } else {
        opts.rows
    }
}

fn two_percent(n: usize) -> usize {
    ((n + 25) / 50).max(1)
}

/// The faults that must appear in this county so that every kind appears once per period.
fn mandatory_faults(half: u8, index: usize, n_policy: usize) -> Vec<Fault> {
    if index >= n_policy {
        return Vec::new();
    }
    INJECTED
        .iter()
        .enumerate()
        .filter(|(k, _)| (k + 3 * usize::from(half - 1)) % n_policy == index)
        .map(|(_, f)| *f)
        .collect()
}

struct Gen<'a> {
    policy: &'a Policy,
    county: &'a CountyModel,
    period: &'a Period,
    rng: ChaCha8Rng,
    /// (mediator, 纠纷类型, 结案日期) already used, so that only deliberate rows look alike.
    keys: BTreeSet<(usize, &'static str, NaiveDate)>,
    next_order: u64,
    last_day: NaiveDate,
}

impl Gen<'_> {
    fn order(&mut self) -> u64 {
        self.next_order += 2;
        self.next_order
    }

    fn pick_level_form(&mut self, heavy: bool) -> (Level, Form) {
        // The over-cap county's extra demand leans to the costlier levels.
        let weights = if heavy {
            [
                (Level::Simple, 5),
                (Level::Ordinary, 25),
                (Level::Complex, 40),
                (Level::Major, 30),
            ]
        } else {
            [
                (Level::Simple, 30),
                (Level::Ordinary, 55),
                (Level::Complex, 12),
                (Level::Major, 3),
            ]
        };
        let level = weighted(&mut self.rng, &weights).unwrap_or(Level::Ordinary);
        let form = match level {
            Level::Simple | Level::Ordinary if self.rng.random_bool(0.15) => Form::Oral,
            _ => Form::Written,
        };
        if self.policy.rate(level, form).is_some() {
            return (level, form);
        }
        if self.policy.rate(level, Form::Written).is_some() {
            return (level, Form::Written);
        }
        match self.policy.rates.keys().next() {
            Some(&(l, f)) => (l, f),
            None => (level, form),
        }
    }

    fn level_label(&self, level: Level) -> &'static str {
        match level {
            Level::Complex => self.county.vocab.complex,
            other => other.label(),
        }
    }

    fn date_cell(&mut self, d: NaiveDate) -> DateCell {
        if self.county.text_dates {
            {
                let form: u32 = self.rng.random_range(0..5);
                DateCell::Text(date_text(d, DATE_STYLES[form as usize % DATE_STYLES.len()]))
            }
        } else {
            DateCell::Date(d)
        }
    }

    fn amount_cell(&mut self, amount: Option<Decimal>) -> AmountCell {
        match amount {
            None => AmountCell::Blank,
            Some(a) if self.county.text_dates && self.rng.random_bool(0.3) => {
                if self.rng.random_bool(0.5) {
                    AmountCell::Text(format!("{}元", a.normalize()))
                } else {
                    AmountCell::Text(crate::money::plain(a))
                }
            }
            Some(a) => AmountCell::Number(a),
        }
    }

    fn mediator_choice(&mut self) -> usize {
        // Skewed: some mediators handle many more cases than others.
        let n = self.county.mediators.len();
        let a = self.rng.random_range(0..n);
        let b = self.rng.random_range(0..n);
        a.min(b)
    }

    /// A valid, eligible row with a fresh (mediator, type, date) key.
    fn clean_row(&mut self, mediator: Option<usize>, heavy: bool) -> Row {
        let m = mediator.unwrap_or_else(|| self.mediator_choice());
        let med = &self.county.mediators[m];
        let committee = med.committee;
        let station = self.county.committees[committee].station;
        let mut dispute = weighted(&mut self.rng, &DISPUTES).unwrap_or("邻里纠纷");
        let mut concluded = random_day(&mut self.rng, self.period.start, self.last_day);
        for _ in 0..60 {
            if !self.keys.contains(&(m, dispute, concluded)) {
                break;
            }
            dispute = weighted(&mut self.rng, &DISPUTES).unwrap_or("邻里纠纷");
            concluded = random_day(&mut self.rng, self.period.start, self.last_day);
        }
        self.keys.insert((m, dispute, concluded));
        let (level, form) = self.pick_level_form(heavy);
        let lead = match level {
            Level::Simple => self.rng.random_range(0..=7),
            Level::Ordinary => self.rng.random_range(2..=20),
            _ => self.rng.random_range(10..=45),
        };
        let accepted = concluded - Duration::days(lead);
        let standard = self.policy.rate(level, form);
        let note = if self.rng.random_bool(0.06) {
            pick_or(&mut self.rng, &NOTES, "").to_string()
        } else {
            String::new()
        };
        let accepted_cell = self.date_cell(accepted);
        let concluded_cell = self.date_cell(concluded);
        let amount = self.amount_cell(standard);
        let vocab = self.county.vocab;
        let order = self.order();
        Row {
            mediator: m,
            committee,
            station,
            case_no: String::new(),
            needs_number: true,
            dispute,
            level_label: self.level_label(level),
            level: Some(level),
            form,
            accepted,
            concluded,
            accepted_cell,
            concluded_cell,
            result: vocab.success,
            dossier: vocab.dossier_ok,
            station_review: vocab.station_ok,
            county_review: vocab.county_ok,
            mediator_name: med.name.clone(),
            id_cell: IdCell::Text(med.id.clone()),
            bank: med.bank.clone(),
            account: med.account.clone(),
            amount,
            note,
            fault: None,
            eligible: standard.is_some(),
            standard,
            order,
            dup_of: None,
        }
    }

    /// Rows carrying `fault` (two rows for `PossibleDuplicate`). `DuplicateCaseNo` copies an
    /// existing clean row of `rows`. Returns an empty vector when the policy makes the fault
    /// impossible (no rate-less combination for `NoRate`).
    fn fault_rows(&mut self, fault: Fault, rows: &[Row]) -> Vec<Row> {
        let vocab = self.county.vocab;
        let year = self.period.year;
        let mut r = match fault {
            Fault::LowercaseX | Fault::IdAsNumber => {
                let want_x = fault == Fault::LowercaseX;
                let candidates: Vec<usize> = self
                    .county
                    .mediators
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.id.ends_with('X') == want_x)
                    .map(|(i, _)| i)
                    .collect();
                let Some(&m) = pick(&mut self.rng, &candidates) else {
                    return Vec::new();
                };
                self.clean_row(Some(m), false)
            }
            Fault::DuplicateCaseNo => {
                let sources: Vec<&Row> = rows
                    .iter()
                    .filter(|r| r.fault.is_none() && r.needs_number)
                    .collect();
                let Some(&source) = pick(&mut self.rng, &sources) else {
                    return Vec::new();
                };
                let mut copy = source.clone();
                copy.dup_of = Some(copy.order);
                copy.order += 1;
                copy.needs_number = false;
                copy
            }
            _ => self.clean_row(None, false),
        };
        r.fault = Some(fault);
        match fault {
            Fault::MissingMediator => r.mediator_name.clear(),
            Fault::MissingCaseNo => {} // blanked after numbering
            Fault::MissingEndDate => r.concluded_cell = DateCell::Blank,
            Fault::NotSuccessful => {
                r.result = "不成功";
                r.note = "双方未达成协议".to_string();
            }
            Fault::DossierNonstandard => {
                r.dossier = vocab.dossier_bad;
                r.note = "卷宗材料不齐全".to_string();
            }
            Fault::StationRejected => {
                r.station_review = vocab.station_bad;
                r.county_review = vocab.county_bad;
                r.note = "缺调解协议书".to_string();
            }
            Fault::CountyRejected => {
                r.county_review = vocab.county_bad;
                r.note = "调解员非本委员会成员".to_string();
            }
            Fault::EndPrevYear => {
                let fallback = self.period.start - Duration::days(20);
                let d = ymd_or(year - 1, 12, self.rng.random_range(5..=28), fallback);
                r.accepted = d - Duration::days(self.rng.random_range(3..=20));
                r.accepted_cell = self.date_cell(r.accepted);
                r.concluded_cell = self.date_cell(d);
                r.concluded = self.period.start;
            }
            Fault::EndAfterPeriod => {
                let d = if self.period.half == 1 {
                    let a = self.period.end + Duration::days(15);
                    let b = ymd_or(year, 11, 30, a);
                    random_day(&mut self.rng, a, b)
                } else {
                    ymd_or(year + 1, 1, self.rng.random_range(3..=20), self.period.end)
                };
                r.concluded_cell = self.date_cell(d);
                r.concluded = self.last_day;
            }
            Fault::EndFuture => {
                // The year typed wrong: next year, same month and day.
                let d = r
                    .concluded
                    .with_year(year + 1)
                    .unwrap_or_else(|| ymd_or(year + 1, 3, 1, self.period.end));
                r.concluded_cell = self.date_cell(d);
            }
            Fault::BadDateText => {
                let d = r.concluded;
                let text = if self.rng.random_bool(0.5) {
                    format!("{}年13月{}日", d.year(), d.day())
                } else {
                    format!(
                        "{}月{}日",
                        chinese_number(d.month()),
                        chinese_number(d.day())
                    )
                };
                r.concluded_cell = DateCell::Text(text);
            }
            Fault::BadIdCheck => {
                let id = &self.county.mediators[r.mediator].id;
                let first17: String = id.chars().take(17).collect();
                let good = id_check_char(&first17);
                let bad = ['3', '7', '1', '5']
                    .into_iter()
                    .find(|c| Some(*c) != good)
                    .unwrap_or('0');
                r.id_cell = IdCell::Text(format!("{first17}{bad}"));
            }
            Fault::IdAsNumber => {
                let id = &self.county.mediators[r.mediator].id;
                r.id_cell = IdCell::Number(id.parse().unwrap_or(0));
            }
            Fault::NoRate => {
                let combo = [Level::Complex, Level::Major, Level::Ordinary, Level::Simple]
                    .into_iter()
                    .flat_map(|l| [(l, Form::Oral), (l, Form::Written)])
                    .find(|(l, f)| self.policy.rate(*l, *f).is_none());
                let Some((level, form)) = combo else {
                    return Vec::new();
                };
                r.level = Some(level);
                r.level_label = self.level_label(level);
                r.form = form;
                let guess = self.policy.rate(level, Form::Written);
                r.amount = self.amount_cell(guess);
            }
            Fault::UnknownLevel => {
                r.level = None;
                r.level_label = "特别复杂";
            }
            Fault::DuplicateCaseNo => r.note = String::new(),
            Fault::AmountDiffers => {
                let std = r.standard.unwrap_or(Decimal::ONE_HUNDRED);
                let claimed = if self.rng.random_bool(0.5) {
                    std * Decimal::TWO
                } else {
                    std + Decimal::from(50)
                };
                r.amount = self.amount_cell(Some(claimed));
            }
            Fault::MissingAccount => r.account.clear(),
            Fault::FullWidthId => {
                r.id_cell = IdCell::Text(full_width(&self.county.mediators[r.mediator].id))
            }
            Fault::LowercaseX => {
                r.id_cell = IdCell::Text(self.county.mediators[r.mediator].id.to_lowercase())
            }
            Fault::PossibleDuplicate | Fault::Reclaim | Fault::LateClaim => {}
        }
        self.finish(&mut r);
        if fault == Fault::PossibleDuplicate {
            // Same mediator, committee, type and date; another case number.
            let mut twin = r.clone();
            twin.order = self.order();
            let lead = self.rng.random_range(1..=10);
            twin.accepted = twin.concluded - Duration::days(lead);
            twin.accepted_cell = self.date_cell(twin.accepted);
            return vec![r, twin];
        }
        vec![r]
    }

    /// Recomputes the standard rate and eligibility after a fault was applied.
    fn finish(&self, r: &mut Row) {
        r.standard = r.level.and_then(|l| self.policy.rate(l, r.form));
        r.eligible = r.fault.is_none_or(Fault::still_eligible) && r.standard.is_some();
    }
}

fn format_case_no(county: &CountyModel, station: &Station, year: i32, n: u32) -> (String, String) {
    match county.case_style {
        0 => {
            let c = county.display.chars().next().unwrap_or('调');
            (
                station.base.clone(),
                format!("{c}调〔{year}〕{}第{n:04}号", station.base),
            )
        }
        1 => (String::new(), format!("{}-{year}-{n:04}", county.abbr)),
        _ => (
            station.base.clone(),
            format!("（{year}）{}调字第{n:03}号", station.base),
        ),
    }
}

fn filing_date(rng: &mut ChaCha8Rng, year: i32, quarter: u8, fallback: NaiveDate) -> NaiveDate {
    let month = u32::from(quarter) * 3;
    ymd_or(year, month, rng.random_range(24..=28), fallback)
}

fn gen_half(
    policy: &Policy,
    county: &CountyModel,
    opts: &SampleOptions,
    period: &Period,
    prev: Option<&HalfPlan>,
    over_cap: bool,
) -> HalfPlan {
    let n_policy = policy.counties.len().min(opts.counties);
    let mut rng = rng_for(opts.seed, CLAIM_SALT, county.index, u64::from(period.half));
    let q1 = period.half * 2 - 1;
    let files: Vec<FileSpec> = if county.quarterly {
        vec![
            FileSpec {
                quarter: Some(q1),
                filed: filing_date(&mut rng, period.year, q1, period.end),
            },
            FileSpec {
                quarter: Some(q1 + 1),
                filed: filing_date(&mut rng, period.year, q1 + 1, period.end),
            },
        ]
    } else {
        vec![FileSpec {
            quarter: None,
            filed: filing_date(&mut rng, period.year, q1 + 1, period.end),
        }]
    };
    let last_day = files
        .last()
        .map(|f| f.filed - Duration::days(1))
        .unwrap_or(period.end);

    let mut keys = BTreeSet::new();
    if let Some(p) = prev {
        for r in p.rows.iter().chain(&p.withheld) {
            keys.insert((r.mediator, r.dispute, r.concluded));
        }
    }
    let mut g = Gen {
        policy,
        county,
        period,
        rng,
        keys,
        next_order: u64::from(period.half) << 32,
        last_day,
    };

    let n = row_count(opts, period.half, over_cap);
    let heavy = over_cap && period.half == 2;
    let mandatory = mandatory_faults(period.half, county.index, n_policy);
    let fault_target = mandatory.len().max((n * 13 + 50) / 100);
    let carried = match prev {
        Some(p) => two_percent(n).min(p.rows.len()) + p.withheld.len(),
        None => 0,
    };
    let clean = n.saturating_sub(fault_target + carried);

    let mut rows: Vec<Row> = (0..clean).map(|_| g.clean_row(None, heavy)).collect();
    let mut faults = mandatory;
    while faults.len() < fault_target {
        let f = pick_or(&mut g.rng, &INJECTED, Fault::MissingMediator);
        faults.push(f);
    }
    for f in faults {
        if f == Fault::DuplicateCaseNo && rows.iter().all(|r| r.fault.is_some()) {
            let r = g.clean_row(None, heavy);
            rows.push(r);
        }
        let new = g.fault_rows(f, &rows);
        rows.extend(new);
    }

    // H2: re-claims of cases paid in H1 and late claims of H1 cases never claimed.
    if let Some(p) = prev {
        let paid: Vec<&Row> = p
            .rows
            .iter()
            .filter(|r| r.fault.is_none() && r.eligible)
            .collect();
        let mut picked = BTreeSet::new();
        for _ in 0..two_percent(n).min(paid.len()) {
            let mut k = g.rng.random_range(0..paid.len());
            while picked.contains(&k) {
                k = (k + 1) % paid.len();
            }
            picked.insert(k);
        }
        for k in picked {
            let mut r = paid[k].clone();
            r.fault = Some(Fault::Reclaim);
            r.eligible = false;
            r.order = g.order();
            rows.push(r);
        }
        for w in &p.withheld {
            let mut r = w.clone();
            r.fault = Some(Fault::LateClaim);
            r.eligible = r.standard.is_some();
            r.order = g.order();
            rows.push(r);
        }
    }

    // The over-cap county: enough eligible demand in H2 alone to exceed its cap.
    if heavy && let Some(cap) = county.cap {
        let target = cap * Decimal::new(115, 2);
        let mut demand: Decimal = rows
            .iter()
            .filter(|r| r.eligible)
            .filter_map(|r| r.standard)
            .sum();
        let mut guard = 0;
        while demand <= target && guard < 20_000 {
            let r = g.clean_row(None, true);
            if r.eligible {
                demand += r.standard.unwrap_or_default();
            }
            rows.push(r);
            guard += 1;
        }
    }

    // H1: valid cases concluded this half but not claimed; they return in H2 as late claims.
    let mut withheld = Vec::new();
    if period.half == 1 {
        let later = row_count(
            opts,
            2,
            over_cap_county(policy, n_policy) == Some(county.index),
        );
        for _ in 0..two_percent(later) {
            withheld.push(g.clean_row(None, false));
        }
    }

    // Case numbers in order of 受理日期, per 司法所 or per county depending on the style.
    let mut counters = prev.map(|p| p.counters.clone()).unwrap_or_default();
    let mut need: Vec<(NaiveDate, u64, bool, usize)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.needs_number)
        .map(|(i, r)| (r.accepted, r.order, false, i))
        .chain(
            withheld
                .iter()
                .enumerate()
                .map(|(i, r)| (r.accepted, r.order, true, i)),
        )
        .collect();
    need.sort();
    for (_, _, is_withheld, i) in need {
        let r = if is_withheld {
            &mut withheld[i]
        } else {
            &mut rows[i]
        };
        let station = &county.stations[r.station];
        let (key, _) = format_case_no(county, station, period.year, 0);
        let c = counters.entry(key).or_insert(0);
        *c += 1;
        r.case_no = format_case_no(county, station, period.year, *c).1;
        r.needs_number = false;
    }
    let by_order: BTreeMap<u64, String> =
        rows.iter().map(|r| (r.order, r.case_no.clone())).collect();
    for r in &mut rows {
        if let Some(src) = r.dup_of
            && let Some(no) = by_order.get(&src)
        {
            r.case_no = no.clone();
        }
        if r.fault == Some(Fault::MissingCaseNo) {
            r.case_no.clear();
        }
    }

    HalfPlan {
        rows,
        withheld,
        files,
        counters,
    }
}

pub(super) struct PeriodModel {
    pub(super) period: Period,
    pub(super) counties: Vec<(CountyModel, HalfPlan)>,
}

pub(super) fn build_model(
    policy: &Policy,
    half: u8,
    opts: &SampleOptions,
) -> Result<PeriodModel, SamplesError> {
    let period_now = period(policy, half)?;
    let n_policy = policy.counties.len().min(opts.counties);
    let over = over_cap_county(policy, n_policy);
    let mut counties = Vec::with_capacity(opts.counties);
    for index in 0..opts.counties {
        let county = county_model(policy, index, opts);
        let is_over = over == Some(index);
        let plan = if half == 2 {
            let p1 = period(policy, 1)?;
            let h1 = gen_half(policy, &county, opts, &p1, None, is_over);
            gen_half(policy, &county, opts, &period_now, Some(&h1), is_over)
        } else {
            gen_half(policy, &county, opts, &period_now, None, is_over)
        };
        counties.push((county, plan));
    }
    Ok(PeriodModel {
        period: period_now,
        counties,
    })
}
