//! `payrun result` and `payrun repay` (SPEC §7, §12.3, §12.4): their arguments and bodies
//! ([`payrun::bank`] does the work).
//! Both change the ledger the way `payrun run` does — under its lock, written to a temporary
//! file and renamed into place — and a refusal changes no byte of it.

use std::path::{Path, PathBuf};

use payrun::form::resolve_run_date;
use payrun::ingest::worker::Isolation;
use payrun::ledger::{self, Ledger};
use payrun::mediation::parse_period;
use payrun::money::plain;
use payrun::policy::Policy;

use payrun::bank::records::{self, Tracking};

use super::Failure;

/// 导入银行返回的代发处理结果（成功/失败），记入台账的发放状态
#[derive(clap::Args, Debug)]
#[command(override_usage = "payrun result --period <期间> [选项] <处理结果文件或文件夹>...")]
pub struct ResultArgs {
    /// 发放期间，如 2025-H1：银行处理的是该期间的代发文件（或该期间 payrun repay 的补发文件）
    #[arg(long, value_name = "期间")]
    pub period: String,
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策（其中各银行表示成功、失败的说法）
    #[arg(long, value_name = "文件")]
    pub policy: Option<PathBuf>,
    /// 输出文件夹（默认 out；台账默认为其中的 台账.xlsx）
    #[arg(long, value_name = "文件夹", default_value = "out")]
    pub out: PathBuf,
    /// 台账文件（默认 <输出文件夹>/台账.xlsx）
    #[arg(long, value_name = "文件")]
    pub ledger: Option<PathBuf>,
    /// 银行返回的处理结果：代发文件原样加“处理结果”（成功/失败）和“失败原因”两列；可给文件或文件夹
    #[arg(required = true, value_name = "处理结果文件或文件夹")]
    pub files: Vec<PathBuf>,
}

/// 补发发放失败（或待补账号）的款项：按账户更正表或申报表中的新账号生成补发表和代发文件
#[derive(clap::Args, Debug)]
#[command(override_usage = "payrun repay --period <期间> [选项] <文件夹>")]
pub struct RepayArgs {
    /// 补发期间，如 2025-H2：补发表和补发代发文件写入 <输出文件夹>/<期间>/补发/
    #[arg(long, value_name = "期间")]
    pub period: String,
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
    #[arg(long, value_name = "文件")]
    pub policy: Option<PathBuf>,
    /// 输出文件夹（默认 out）
    #[arg(long, value_name = "文件夹", default_value = "out")]
    pub out: PathBuf,
    /// 台账文件（默认 <输出文件夹>/台账.xlsx）
    #[arg(long, value_name = "文件")]
    pub ledger: Option<PathBuf>,
    /// 制表日期 YYYY-MM-DD（默认取环境变量 SOURCE_DATE_EPOCH，否则今天）
    #[arg(long, value_name = "日期")]
    pub run_date: Option<String>,
    /// 账户更正表和申报表所在文件夹（申报表中调解员最新一行的账号也可用于补发）
    #[arg(value_name = "文件夹")]
    pub dir: PathBuf,
}

fn load_ledger(path: &Path) -> Result<Ledger, String> {
    Ledger::load(path)?.ok_or_else(|| {
        format!(
            "台账 {} 不存在：没有发放记录可对照（请用 --ledger 指定台账，或先运行 payrun run）",
            path.display()
        )
    })
}

/// Before the ledger (and `files`) are replaced: every one of them can be (none is open in
/// Excel, SPEC §10.6), every folder in `folders` takes files, and the ledger is copied into
/// 台账备份/ (SPEC §10.4), as `payrun run` does. Returns the copy's path.
fn guard_ledger(
    path: &Path,
    files: &[PathBuf],
    folders: &[PathBuf],
    date: chrono::NaiveDate,
) -> Result<Option<PathBuf>, String> {
    let mut targets = files.to_vec();
    targets.push(path.to_path_buf());
    let mut dirs = folders.to_vec();
    dirs.push(path.parent().unwrap_or(Path::new(".")).to_path_buf());
    dirs.push(payrun::guard::backup::folder(path));
    payrun::guard::in_use::preflight(&targets, &dirs).map_err(|e| e.to_string())?;
    payrun::guard::backup::backup(path, date).map_err(|e| e.to_string())
}

fn write_ledger(l: &Ledger, path: &Path, date: chrono::NaiveDate) -> Result<(), String> {
    let bytes = l.render(date)?;
    payrun::report::write_atomic(path, &bytes)
        .map_err(|e| format!("无法写入台账 {}：{e}", path.display()))
}

/// Where the policy year's money stands, per county (SPEC §12.5).
fn print_tracking(l: &Ledger, year: i32) {
    let prefix = format!("{year}-");
    let t = records::tracking(l, &|p| p.starts_with(&prefix));
    let name = |code: &str| {
        l.entries
            .iter()
            .find(|e| e.county_code == code)
            .map(|e| e.county_name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    println!("{year} 年发放情况（元，补发后未回单的计入待发放）：");
    println!(
        "{}",
        payrun::form::console::table_line(
            &["县（市、区）", "已入账", "发放失败", "待发放"].map(String::from),
            &[26, 14, 14, 14]
        )
    );
    let mut sum = Tracking::default();
    for (code, x) in &t {
        println!(
            "{}",
            payrun::form::console::table_line(
                &[
                    name(code),
                    plain(x.credited),
                    plain(x.failed),
                    plain(x.pending)
                ],
                &[26, 14, 14, 14]
            )
        );
        sum.credited += x.credited;
        sum.failed += x.failed;
        sum.pending += x.pending;
    }
    println!(
        "{}",
        payrun::form::console::table_line(
            &[
                "合计".to_string(),
                plain(sum.credited),
                plain(sum.failed),
                plain(sum.pending)
            ],
            &[26, 14, 14, 14]
        )
    );
}

impl ResultArgs {
    pub fn exec(self) -> Result<u8, Failure> {
        Ok(result_command(self)?)
    }
}

impl RepayArgs {
    pub fn exec(self) -> Result<u8, Failure> {
        Ok(repay_command(self)?)
    }
}

/// `payrun result`: 0 done (or nothing new), Err = refused, nothing changed (exit 1).
fn result_command(a: ResultArgs) -> Result<u8, String> {
    let policy = Policy::load(a.policy.as_deref()).map_err(|e| e.to_string())?;
    let today = resolve_run_date(None).map_err(|e| e.to_string())?;
    let period = parse_period(&a.period, &policy, today).map_err(|e| e.to_string())?;
    let path = a.ledger.unwrap_or_else(|| a.out.join("台账.xlsx"));
    let _lock = ledger::lock(&path)?;
    let mut l = load_ledger(&path)?;
    let done = match payrun::bank::result::import(
        &mut l,
        &policy,
        &period.label,
        &a.files,
        &super::isolation().map_err(|e| e.to_string())?,
    ) {
        Ok(d) => d,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            return Err(format!(
                "处理结果有 {} 处问题，未导入任何一行，台账未改动",
                problems.len()
            ));
        }
    };
    if done.new_paid + done.new_failed == 0 {
        println!(
            "{} 行处理结果此前均已导入，台账未改动：{}",
            done.unchanged,
            path.display()
        );
        print_tracking(&l, policy.year);
        return Ok(0);
    }
    let backup = guard_ledger(&path, &[], &[], today)?;
    write_ledger(&l, &path, today)?;
    println!(
        "已导入 {} 的处理结果：成功 {} 行，失败 {} 行，此前已导入 {} 行。",
        period.label, done.new_paid, done.new_failed, done.unchanged
    );
    print_tracking(&l, policy.year);
    if done.new_failed > 0 {
        println!(
            "发放失败的款项请由县（市、区）填写账户更正表（payrun template 生成空白表）后运行 payrun repay 补发。"
        );
    }
    println!("台账：{}", path.display());
    if let Some(b) = backup {
        println!("改动前的台账已备份为：{}", b.display());
    }
    Ok(0)
}

/// `payrun repay`.
fn repay_command(a: RepayArgs) -> Result<u8, String> {
    let policy = Policy::load(a.policy.as_deref()).map_err(|e| e.to_string())?;
    let run_date = resolve_run_date(a.run_date.as_deref()).map_err(|e| e.to_string())?;
    let period = parse_period(&a.period, &policy, run_date).map_err(|e| e.to_string())?;
    if !a.dir.is_dir() {
        return Err(format!("文件夹 {} 不存在或不是文件夹", a.dir.display()));
    }
    let path = a.ledger.unwrap_or_else(|| a.out.join("台账.xlsx"));
    let _lock = ledger::lock(&path)?;
    let mut l = load_ledger(&path)?;
    let exe = std::env::current_exe().map_err(|e| format!("无法定位程序自身：{e}"))?;
    let iso = Isolation::Subprocess(exe);
    let found = payrun::form::find_inputs(&a.dir, &a.out, &iso).map_err(|e| e.to_string())?;
    for sk in &found.skipped {
        println!("注意：{}：{}", sk.rel, sk.message);
    }
    let inputs = payrun::bank::repay::read_inputs(&policy, &period, &found.files, &iso);
    for p in &inputs.problems {
        println!("注意：{p}");
    }
    let plan = payrun::bank::repay::plan(&l, &policy, &period, &inputs);
    for u in &plan.unused {
        println!("注意：{u}");
    }
    for u in &plan.unpaid {
        println!(
            "未补发：{} {} {}（{} {}，{} 元）：{}",
            u.owed.county_name,
            u.owed.name,
            u.owed.key.2,
            u.owed.key.0,
            u.owed.reason,
            plain(u.owed.amount),
            u.why
        );
    }
    if plan.new.is_empty() {
        println!("没有可补发的款项（已补发、已入账的不再补发），未写出任何文件，台账未改动。");
        return Ok(0);
    }
    let dir = a.out.join(&period.label).join("补发");
    let n = plan.new.len();
    let amount = payrun::money::fen(
        plan.new
            .iter()
            .map(|r| {
                r.amount
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_default()
            })
            .sum(),
    );
    let batch = plan.new[0].batch;
    let sheet = dir.join(format!(
        "补发表_{}.xlsx",
        payrun::report::style::file_component(&period.label)
    ));
    let backup = guard_ledger(
        &path,
        std::slice::from_ref(&sheet),
        std::slice::from_ref(&dir),
        run_date,
    )?;
    let files = payrun::bank::repay::write_batches(&policy, &period, &plan.new, &dir)?;
    payrun::bank::repay::record(&mut l, plan.new);
    payrun::bank::repay::write_sheet(&l, &period, &plan.unpaid, &sheet)?;
    write_ledger(&l, &path, run_date)?;
    println!(
        "{} 第 {batch} 批补发：{n} 笔，{} 元（{}）。",
        period.label,
        plain(amount),
        payrun::cell::format_daxie(amount)
    );
    println!("补发表：{}", sheet.display());
    for f in files {
        println!("代发文件：{}", dir.join(f).display());
    }
    println!("台账：{}", path.display());
    if let Some(b) = backup {
        println!("改动前的台账已备份为：{}", b.display());
    }
    Ok(0)
}
