//! One county of the claim samples: its name as written, its 司法所 and 调委会, its mediators
//! (with IDs and bank accounts), its workbook shape and the habits of its clerks.

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::SampleOptions;
use super::flavor::{
    COMMUNITIES, FEMALE_GIVEN, FLAVORS, GENERIC_STATIONS, MALE_GIVEN, OTHER_REGIONS, SURNAMES,
    VILLAGES, VOCABS, Vocab,
};
use crate::policy::Policy;
use crate::samples::people::{bank_account, digits, display_name, make_id, with_check_char};
use crate::samples::random::{CLAIM_SALT, pick_or, rng_for, weighted};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    A,
    B,
    C,
    D,
}

pub(super) struct Station {
    pub(super) base: String,
    pub(super) name: String,
}

pub(super) struct Committee {
    pub(super) name: String,
    pub(super) station: usize,
}

pub(super) struct Mediator {
    pub(super) name: String,
    pub(super) id: String,
    pub(super) bank: String,
    pub(super) account: String,
    pub(super) phone: String,
    pub(super) committee: usize,
}

pub(super) struct CountyModel {
    pub(super) index: usize,
    /// Name written in the files (canonical or alias).
    pub(super) display: String,
    pub(super) code: Option<String>,
    pub(super) cap: Option<Decimal>,
    pub(super) shape: Shape,
    pub(super) text_dates: bool,
    pub(super) date_format: &'static str,
    pub(super) quarterly: bool,
    pub(super) case_style: usize,
    pub(super) abbr: String,
    pub(super) vocab: &'static Vocab,
    pub(super) stations: Vec<Station>,
    pub(super) committees: Vec<Committee>,
    pub(super) mediators: Vec<Mediator>,
    pub(super) clerks: [String; 3],
}

fn person_name(rng: &mut ChaCha8Rng, male: bool) -> String {
    let s = weighted(rng, &SURNAMES).unwrap_or("李");
    let g = if male {
        pick_or(rng, &MALE_GIVEN, "明")
    } else {
        pick_or(rng, &FEMALE_GIVEN, "丽")
    };
    format!("{s}{g}")
}

pub(super) fn county_model(policy: &Policy, index: usize, opts: &SampleOptions) -> CountyModel {
    let mut rng = rng_for(opts.seed, CLAIM_SALT, index, 0);
    let n_policy = policy.counties.len();
    let (display, code, cap) = if index < n_policy {
        let c = &policy.counties[index];
        (
            display_name(policy, index),
            Some(c.code.as_str().to_string()),
            Some(c.mediation_cap),
        )
    } else {
        (format!("测试县{:03}", index - n_policy + 10), None, None)
    };
    let flavor = code
        .as_deref()
        .and_then(|c| FLAVORS.iter().find(|f| f.code == c));
    let abbr = match (flavor, &code) {
        (Some(f), _) => f.abbr.to_string(),
        (None, Some(c)) => c.clone(),
        (None, None) => format!("CS{:03}", index - n_policy + 10),
    };
    let station_pool: Vec<(&str, bool)> = match flavor {
        Some(f) => f.stations.to_vec(),
        None => GENERIC_STATIONS.to_vec(),
    };
    let shape = match index % 4 {
        0 => Shape::A,
        1 => Shape::B,
        2 => Shape::C,
        _ => Shape::D,
    };

    // 3–6 司法所: the urban seat first, then a random subset of the townships in list order.
    let want = rng.random_range(3..=6usize).min(station_pool.len());
    let mut chosen: Vec<usize> = vec![0];
    let mut rest: Vec<usize> = (1..station_pool.len()).collect();
    while chosen.len() < want && !rest.is_empty() {
        let k = rng.random_range(0..rest.len());
        chosen.push(rest.remove(k));
    }
    chosen.sort_unstable();

    let mut villages: Vec<&str> = VILLAGES.to_vec();
    let mut communities: Vec<&str> = COMMUNITIES.to_vec();
    let mut stations = Vec::new();
    let mut committees = Vec::new();
    for &si in &chosen {
        let (base, urban) = station_pool[si];
        let s_idx = stations.len();
        stations.push(Station {
            base: base.to_string(),
            name: format!("{base}司法所"),
        });
        let n_comm = rng.random_range(1..=3usize);
        for k in 0..n_comm {
            let name = if k == 0 && rng.random_bool(0.3) {
                if urban {
                    format!("{base}街道人民调解委员会")
                } else {
                    format!("{base}镇人民调解委员会")
                }
            } else if urban && !communities.is_empty() {
                let c = communities.remove(rng.random_range(0..communities.len()));
                format!("{c}社区人民调解委员会")
            } else if !villages.is_empty() {
                let v = villages.remove(rng.random_range(0..villages.len()));
                format!("{v}村人民调解委员会")
            } else {
                format!("{base}第{}人民调解委员会", k + 1)
            };
            committees.push(Committee {
                name,
                station: s_idx,
            });
        }
    }

    let bank_names: [(String, &str, u32); 5] = [
        (format!("中国农业银行{display}支行"), "622848", 30),
        ("中国农业银行玉溪分行".to_string(), "622848", 10),
        (
            if display.starts_with("红塔") {
                "玉溪农村商业银行".to_string()
            } else {
                format!("{display}农村信用合作联社")
            },
            "622369",
            35,
        ),
        (format!("中国邮政储蓄银行{display}支行"), "621799", 20),
        ("中国建设银行玉溪分行".to_string(), "621700", 5),
    ];
    let region = code.clone().unwrap_or_else(|| "530421".to_string());
    let mut mediators = Vec::new();
    for (ci, _) in committees.iter().enumerate() {
        for _ in 0..rng.random_range(2..=4usize) {
            let male = rng.random_bool(0.6);
            let name = person_name(&mut rng, male);
            let reg = if rng.random_bool(0.8) {
                region.clone()
            } else {
                pick_or(&mut rng, &OTHER_REGIONS, "530421").to_string()
            };
            let birth = birth_date(&mut rng);
            let seq = rng.random_range(0..500u32) * 2 + u32::from(male);
            let id = make_id(&reg, birth, seq);
            let bi = weighted(&mut rng, &[(0usize, 30), (1, 10), (2, 35), (3, 20), (4, 5)]);
            let (bank, bin, _) = &bank_names[bi.unwrap_or(0)];
            let account = bank_account(&mut rng, bin);
            let prefixes = ["38", "39", "51", "52", "57", "58", "59", "87", "88", "36"];
            let prefix = pick_or(&mut rng, &prefixes, "38");
            let phone = format!("1{prefix}{}", digits(&mut rng, 8));
            mediators.push(Mediator {
                name,
                id,
                bank: bank.clone(),
                account,
                phone,
                committee: ci,
            });
        }
    }
    // Make sure the pool has an ID ending in X (for the lower-case x row) and one ending in a
    // digit (for the ID-stored-as-number row), as real pools do.
    if !mediators.iter().any(|m| m.id.ends_with('X'))
        && let Some(m) = mediators.first_mut()
        && let Some(x) = same_sex_successors(&m.id).find(|id| id.ends_with('X'))
    {
        m.id = x;
    }
    if mediators.iter().all(|m| m.id.ends_with('X'))
        && let Some(m) = mediators.last_mut()
        && let Some(next) = same_sex_successors(&m.id).next()
    {
        m.id = next;
    }

    let clerks = [
        person_name(&mut rng, false),
        person_name(&mut rng, true),
        person_name(&mut rng, true),
    ];

    CountyModel {
        index,
        display,
        code,
        cap,
        shape,
        text_dates: index % 3 == 2,
        date_format: match index % 4 {
            0 => "yyyy-mm-dd",
            1 => "yyyy\"年\"m\"月\"d\"日\"",
            2 => "yyyy/m/d",
            _ => "yyyy.mm.dd",
        },
        quarterly: index.is_multiple_of(2),
        case_style: index % 3,
        abbr,
        vocab: &VOCABS[index % 3],
        stations,
        committees,
        mediators,
        clerks,
    }
}

/// The IDs that follow `id` for someone of the same region, birth date and sex: sequence + 2,
/// + 4 … (wrapping at 1000), each with its check character.
fn same_sex_successors(id: &str) -> impl Iterator<Item = String> + use<> {
    let head: String = id.chars().take(14).collect();
    let seq: u32 = id
        .chars()
        .skip(14)
        .take(3)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    (1..500u32).map(move |k| with_check_char(&format!("{head}{:03}", (seq + 2 * k) % 1000)))
}

fn birth_date(rng: &mut ChaCha8Rng) -> NaiveDate {
    let fallback = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    for _ in 0..8 {
        let y = rng.random_range(1955..=1995);
        let m = rng.random_range(1..=12);
        let d = rng.random_range(1..=31);
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
            return date;
        }
    }
    fallback
}
