//! `payrun result` (SPEC §12.3): the banks' answers, line by line, into the ledger.
//!
//! An answer is the batch file as written plus 处理结果 and 失败原因. Each of its lines must match
//! exactly one payroll line of the period (an original 发放表 line or a 补发 line) by
//! (账号, 户名, 金额); 户名 is compared after NFKC and with all whitespace removed, so “张 三” and
//! “张三” (or a full-width letter) are one name. The import is all or nothing: any line that
//! matches none or several, a duplicated line, an unreadable file or an answer contradicting one
//! already recorded is reported with its place, and the ledger is not touched. The same answer
//! imported twice changes nothing — the ledger is not even rewritten.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::grid::{self, Cell, Grid, place};
use super::records::{Answer, Book, LineKey, Status, entry_key, refresh_status};
use crate::cell::compact;
use crate::ledger::Ledger;
use crate::money::plain;
use crate::policy::Policy;

/// A payroll line an answer can name.
#[derive(Debug, Clone)]
pub struct Payable {
    pub key: LineKey,
    pub repay: bool,
    pub county_name: String,
    pub name: String,
    pub account: String,
    pub amount: Decimal,
}

/// 户名 as compared: NFKC, no whitespace at all (SPEC is silent; README says so).
pub fn name_key(s: &str) -> String {
    compact(s)
}

/// The lines of `period` a bank can answer: 发放表 lines with an account, and 补发 lines.
pub fn payables(l: &Ledger, period: &str) -> Vec<Payable> {
    let mut lines: BTreeMap<LineKey, (String, BTreeSet<String>, Decimal)> = BTreeMap::new();
    for e in l
        .entries
        .iter()
        .filter(|e| e.period == period && !e.account.is_empty())
    {
        let v = lines.entry(entry_key(e)).or_default();
        v.0 = e.county_name.clone();
        v.1.insert(e.mediator.clone());
        v.2 += e.amount.parse::<Decimal>().unwrap_or_default();
    }
    let mut out: Vec<Payable> = lines
        .into_iter()
        .map(|(key, (county_name, names, amount))| Payable {
            account: key.3.clone(),
            key,
            repay: false,
            county_name,
            name: names.into_iter().collect::<Vec<_>>().join("、"),
            amount: crate::money::fen(amount),
        })
        .collect();
    for r in l.repays.iter().filter(|r| r.period == period) {
        out.push(Payable {
            key: r.own_key(),
            repay: true,
            county_name: r.county_name.clone(),
            name: r.name.clone(),
            account: r.account.clone(),
            amount: r.amount.parse().unwrap_or_default(),
        });
    }
    out
}

/// One answered line as read.
#[derive(Debug, Clone)]
struct Read {
    place: String,
    account: String,
    name: String,
    amount: Decimal,
    paid: bool,
    reason: String,
}

const ACCOUNT: &[&str] = &[
    "账号",
    "银行账号",
    "卡号",
    "银行卡号",
    "收款账号",
    "收款人账号",
    "账户",
    "收款卡号",
];
const NAME: &[&str] = &[
    "户名",
    "姓名",
    "收款人",
    "收款人姓名",
    "账户名称",
    "收款人户名",
];
const AMOUNT: &[&str] = &[
    "金额",
    "发放金额",
    "交易金额",
    "代发金额",
    "补贴金额",
    "实发金额",
];
const RESULT: &[&str] = &[
    "处理结果",
    "结果",
    "处理状态",
    "交易状态",
    "状态",
    "交易结果",
];
const REASON: &[&str] = &[
    "失败原因",
    "原因",
    "错误原因",
    "失败说明",
    "错误信息",
    "失败描述",
];

/// Whether a 处理结果 says paid (Some(true)), failed (Some(false)) or neither.
fn verdict(policy: &Policy, word: &str) -> Option<bool> {
    let w = compact(word);
    if w == "成功" || policy.banks.iter().any(|b| b.success_words.contains(&w)) {
        Some(true)
    } else if w == "失败" || policy.banks.iter().any(|b| b.failure_words.contains(&w)) {
        Some(false)
    } else {
        None
    }
}

fn read_grids(policy: &Policy, name: &str, grids: &[Grid], errors: &mut Vec<String>) -> Vec<Read> {
    let mut out = Vec::new();
    let mut found = false;
    for g in grids {
        let Some((head, cols)) =
            grid::find_header(&g.rows, &[ACCOUNT, NAME, AMOUNT, RESULT, REASON], 4)
        else {
            continue;
        };
        found = true;
        let col = |i: usize| cols[i].unwrap_or(usize::MAX);
        let get = |row: &[Cell], i: usize| row.get(col(i)).cloned().unwrap_or(Cell::Empty);
        for (r, row) in g.rows.iter().enumerate().skip(head + 1) {
            if row.iter().all(Cell::is_empty) {
                continue;
            }
            let first: String = row.iter().take(3).map(Cell::shown).collect();
            if first.contains("合计") || first.contains("小计") || first.contains("总计") {
                continue;
            }
            let at = place(name, &g.sheet, r);
            let account = match grid::digits_text(&get(row, 0)) {
                Ok(a) if !a.is_empty() => a,
                Ok(_) => {
                    errors.push(format!("{at}：账号为空"));
                    continue;
                }
                Err(e) => {
                    errors.push(format!("{at}：账号{e}"));
                    continue;
                }
            };
            let amount = match grid::amount(&get(row, 2)) {
                Ok(a) => a,
                Err(e) => {
                    errors.push(format!("{at}：{e}"));
                    continue;
                }
            };
            let word = get(row, 3).shown();
            let Some(paid) = verdict(policy, &word) else {
                errors.push(format!(
                    "{at}：处理结果“{word}”无法识别，应为“成功”或“失败”（或政策中该银行 success_words / failure_words 所列的说法）"
                ));
                continue;
            };
            let reason = get(row, 4).shown();
            out.push(Read {
                place: at,
                account,
                name: get(row, 1).shown(),
                amount,
                paid,
                reason: if paid {
                    String::new()
                } else if reason.is_empty() {
                    "银行未说明原因".into()
                } else {
                    reason
                },
            });
        }
    }
    if !found {
        errors.push(format!(
            "{name}：找不到表头（前 20 行中须有 账号、户名、金额、处理结果 四列，失败原因 可选），不是银行的处理结果文件"
        ));
    }
    out
}

/// The files given: files as they are, folders walked (sorted, hidden and lock files skipped).
fn expand(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(PathBuf, String)>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with('.') || n.starts_with("~$") {
                continue;
            }
            if p.is_dir() {
                walk(&p, base, out)?;
            } else {
                let rel = p
                    .strip_prefix(base)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or(n);
                out.push((p, rel));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for i in inputs {
        if i.is_dir() {
            walk(i, i, &mut out).map_err(|e| {
                format!(
                    "无法读取文件夹 {}：{}",
                    i.display(),
                    crate::zh::io_reason(&e)
                )
            })?;
        } else if i.is_file() {
            out.push((i.clone(), i.display().to_string()));
        } else {
            return Err(format!("{} 不存在", i.display()));
        }
    }
    if out.is_empty() {
        return Err("没有找到任何处理结果文件".into());
    }
    Ok(out)
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Imported {
    pub new_paid: usize,
    pub new_failed: usize,
    pub unchanged: usize,
}

/// Matches every answer line with the period's payroll lines and records the new answers in
/// `l`. Any problem: Err with every message, `l` untouched.
pub fn import(
    l: &mut Ledger,
    policy: &Policy,
    period: &str,
    inputs: &[PathBuf],
    iso: &crate::ingest::worker::Isolation,
) -> Result<Imported, Vec<String>> {
    if !l.periods.iter().any(|p| p.period == period) && !l.repays.iter().any(|r| r.period == period)
    {
        return Err(vec![format!(
            "台账中没有期间 {period} 的发放记录（请先运行 payrun run --period {period}，或核对期间）"
        )]);
    }
    let has_entries = l.entries.iter().any(|e| e.period == period);
    if has_entries
        && !l
            .entries
            .iter()
            .any(|e| e.period == period && !e.account.is_empty())
    {
        return Err(vec![format!(
            "台账中 {period} 的发放记录没有银行账号（台账由旧版 payrun 写成，或本期全部待补账号），无法对照银行处理结果；请用本版 payrun 重新运行 {period} 后再导入"
        )]);
    }
    let files = expand(inputs).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut read = Vec::new();
    for (path, name) in &files {
        match grid::read(path, name, iso) {
            Ok(g) => read.extend(read_grids(policy, name, &g, &mut errors)),
            Err(e) => errors.push(e),
        }
    }
    let lines = payables(l, period);
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in lines.iter().enumerate() {
        by_account.entry(p.account.as_str()).or_default().push(i);
    }
    // Line index → the answer line that named it.
    let mut matched: BTreeMap<usize, usize> = BTreeMap::new();
    for (ri, r) in read.iter().enumerate() {
        let Some(cands) = by_account.get(r.account.as_str()) else {
            errors.push(format!(
                "{}：账号 {} 不在 {period} 的发放记录中（不是本期代发的账号）",
                r.place, r.account
            ));
            continue;
        };
        let hits: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&i| {
                lines[i].amount == r.amount && name_key(&lines[i].name) == name_key(&r.name)
            })
            .collect();
        match hits.as_slice() {
            [i] => {
                if let Some(prev) = matched.insert(*i, ri) {
                    errors.push(format!(
                        "{}：与 {} 是同一发放行（{} {} {} 元），重复出现",
                        r.place,
                        read[prev].place,
                        lines[*i].name,
                        lines[*i].account,
                        plain(lines[*i].amount)
                    ));
                }
            }
            [] => {
                let p = &lines[cands[0]];
                let why = if name_key(&p.name) != name_key(&r.name) {
                    format!("户名“{}”与发放记录“{}”不符", r.name, p.name)
                } else {
                    format!(
                        "金额 {} 元与发放记录 {} 元不符（相差 {} 元）",
                        plain(r.amount),
                        plain(p.amount),
                        plain((r.amount - p.amount).abs())
                    )
                };
                errors.push(format!("{}：账号 {} {why}", r.place, r.account));
            }
            many => errors.push(format!(
                "{}：账号 {} 与 {period} 的 {} 个发放行相符（{}），无法确定是哪一行",
                r.place,
                r.account,
                many.len(),
                many.iter()
                    .map(|&i| lines[i].county_name.clone())
                    .collect::<Vec<_>>()
                    .join("、")
            )),
        }
    }
    // Against what is recorded: the same answer is nothing new, a different one is refused.
    let book = Book::new(l);
    let mut new = Vec::new();
    let mut done = Imported::default();
    for (&li, &ri) in &matched {
        let (p, r) = (&lines[li], &read[ri]);
        let earlier = book.answers.get(&(p.repay, p.key.clone()));
        match earlier {
            Some(a) if a.paid == r.paid => done.unchanged += 1,
            Some(a) => {
                let was = if a.paid {
                    "成功（已入账）".to_string()
                } else {
                    format!("失败（{}）", a.reason)
                };
                let now = if r.paid { "成功" } else { "失败" };
                let repaid = match (p.repay, book.line_status(&p.key)) {
                    (false, Status::Repaid(rp)) => {
                        format!("；该行已于 {rp} 补发，请与银行核实是否重复入账")
                    }
                    _ => String::new(),
                };
                errors.push(format!(
                    "{}：{} {} {} 元本次为“{now}”，与已导入的 {} 的“{was}”矛盾，拒绝导入{repaid}",
                    r.place,
                    p.name,
                    p.account,
                    plain(p.amount),
                    a.source
                ));
            }
            None => {
                if r.paid {
                    done.new_paid += 1;
                } else {
                    done.new_failed += 1;
                }
                new.push(Answer {
                    period: period.to_string(),
                    repay: p.repay,
                    county_code: p.key.1.clone(),
                    id_number: p.key.2.clone(),
                    account: p.account.clone(),
                    name: p.name.clone(),
                    amount: plain(p.amount),
                    paid: r.paid,
                    reason: crate::report::style::cell_text(&r.reason),
                    source: crate::report::style::cell_text(&r.place),
                });
            }
        }
    }
    if read.is_empty() && errors.is_empty() {
        errors.push("所给文件中没有任何处理结果行".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    l.answers.extend(new);
    refresh_status(l);
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_spaces_and_full_width_forms() {
        assert_eq!(name_key("张 三"), name_key("张三"));
        assert_eq!(name_key("ＡＢＣ　李"), name_key("ABC李"));
        assert_ne!(name_key("张三"), name_key("张山"));
    }
}
