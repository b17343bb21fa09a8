//! What a run prints, the same way for every form: the progress bar while files are read, the
//! summary table (one line per county), the file problems and notices under it, and the phase
//! log's memory note.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use super::FileReport;
use super::files::{SKIPPED_LABEL, SkippedFile};

/// The bar shown while `total` files are read (hidden when stderr is no terminal).
pub fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("读取 {bar:30} {pos}/{len} 个文件 {msg}") {
        b.set_style(style);
    }
    b
}

/// Columns a text takes in a terminal: two for a Chinese character, one for ASCII.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// One table line: the first cell left-aligned, the others right-aligned, each to its width.
pub fn table_line(cells: &[String], widths: &[usize]) -> String {
    let mut s = String::new();
    for (i, c) in cells.iter().enumerate() {
        let fill = " ".repeat(widths.get(i).copied().unwrap_or(8).saturating_sub(width(c)));
        if i > 0 {
            s.push_str(&fill);
            s.push_str(c);
        } else {
            s.push_str(c);
            s.push_str(&fill);
        }
        s.push(' ');
    }
    s.trim_end().to_string()
}

/// The console's list of the files not read (SPEC §10.1); nothing when there are none.
pub fn skipped_lines(skipped: &[SkippedFile]) -> Vec<String> {
    if skipped.is_empty() {
        return Vec::new();
    }
    let mut v = vec![format!("{SKIPPED_LABEL} {} 个：", skipped.len())];
    v.extend(skipped.iter().map(|s| format!("  {}", s.line())));
    v
}

/// Prints what follows a summary table: every file problem with its file, the files not read,
/// the notices, and where the outputs are.
pub fn print_tail(files: &[FileReport], skipped: &[SkippedFile], notices: &[String], dir: &Path) {
    let problems: Vec<String> = files.iter().flat_map(problem_lines).collect();
    if !problems.is_empty() {
        println!("文件问题 {} 个：", problems.len());
        for p in problems {
            println!("{p}");
        }
    }
    for l in skipped_lines(skipped) {
        println!("{l}");
    }
    for n in notices {
        println!("注意：{n}");
    }
    println!("输出：{}", dir.display());
}

/// A file's problems as the console shows them to a person: the problem in Chinese, never its
/// code (SPEC §11.1; the codes are in decisions.csv and summary.json).
fn problem_lines(f: &FileReport) -> Vec<String> {
    f.problems()
        .into_iter()
        .map(|(c, m, sheet)| {
            let at = sheet.map(|s| format!("｜{s}")).unwrap_or_default();
            format!("  {}{at}：{}：{m}", f.path, c.label())
        })
        .collect()
}

/// ", RSS x MiB, peak y MiB" of this process for the phase log (Linux; empty elsewhere), so the
/// phase that holds the memory shows without a profiler.
pub fn memory_note() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kib = |key: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    match (kib("VmRSS:"), kib("VmHWM:")) {
        (Some(now), Some(peak)) => format!(", RSS {} MiB, peak {} MiB", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lines_align_chinese_by_two_columns() {
        let line = table_line(
            &["红塔区".to_string(), "12".to_string(), "3".to_string()],
            &[10, 4, 3],
        );
        assert_eq!(line, "红塔区       12   3");
        assert_eq!(table_line(&["合计".into(), String::new()], &[6, 4]), "合计");
    }
}
