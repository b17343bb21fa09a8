//! What a person reads and prints (SPEC §11), on every workbook the real binary writes for the
//! samples: `run` H1 then H2 with the ledger, `staff`, `template`, and what `check` prints.
//!
//! - No cell a person reads holds a code word (`already_paid`, `hold` …): codes live in
//!   decisions.csv and summary.json, and in a workbook only in a 代码 column at the right edge.
//! - Every sheet is set up to print (A4, orientation by width, fitted to the page width,
//!   header rows repeated, 第 X 页，共 Y 页), read from the written XML, and its detail rows
//!   print at 75 % or more (the forms to fill in — feedback and blank templates — excepted).
//! - One date per run: every workbook shows the run date as 制表日期, and every sign-off line
//!   is dated with it.
//! - The feedback workbooks of H2 (峨山 sent two files) read back as the same decisions.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;

/// The samples run once for every test of this file.
struct Outputs {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// The ledger as H1 left it (H2 replaces it).
    ledger_h1: PathBuf,
    /// What each command printed (stdout and stderr), by command.
    consoles: Vec<(String, String)>,
}

fn samples(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn outputs() -> &'static Outputs {
    static ONCE: OnceLock<Outputs> = OnceLock::new();
    ONCE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let run = root.join("run");
        let mut consoles = Vec::new();
        let h1 = run_period(&samples("2025-H1"), &run, "2025-H1", "2025-06-30", &[]);
        consoles.push(("run H1".to_string(), h1.stdout + &h1.stderr));
        let ledger_h1 = root.join("台账-H1.xlsx");
        std::fs::copy(run.join("台账.xlsx"), &ledger_h1).unwrap();
        let h2 = run_period(&samples("2025-H2"), &run, "2025-H2", "2025-12-20", &[]);
        consoles.push(("run H2".to_string(), h2.stdout + &h2.stderr));
        let staff_out = root.join("staff");
        let staff = payrun(&[
            "staff",
            "--year",
            "2025",
            "--run-date",
            "2025-04-15",
            "--out",
            staff_out.to_str().unwrap(),
            samples("staff-2025").to_str().unwrap(),
        ]);
        assert_eq!(staff.code, 0, "{}{}", staff.stdout, staff.stderr);
        consoles.push(("staff".to_string(), staff.stdout + &staff.stderr));
        // The year's end over both periods and the staff run (SPEC §14).
        let year = payrun(&[
            "year",
            "--year",
            "2025",
            "--run-date",
            "2025-12-20",
            "--out",
            run.to_str().unwrap(),
            "--staff",
            staff_out.join("staff-2025").to_str().unwrap(),
        ]);
        assert_eq!(year.code, 0, "{}{}", year.stdout, year.stderr);
        consoles.push(("year".to_string(), year.stdout + &year.stderr));
        let tpl = root.join("template");
        let t = payrun(&["template", "--out", tpl.to_str().unwrap()]);
        assert_eq!(t.code, 0, "{}{}", t.stdout, t.stderr);
        consoles.push(("template".to_string(), t.stdout + &t.stderr));
        // A file that is no workbook beside a good one: run and staff name it on the console.
        for (cmd, sample, prefix) in [
            ("run", "2025-H1", "红塔区"),
            ("staff", "staff-2025", "红塔区"),
        ] {
            let input = root.join("inputs").join(cmd);
            std::fs::create_dir_all(&input).unwrap();
            std::fs::write(input.join("junk.xlsx"), b"not a workbook").unwrap();
            for e in std::fs::read_dir(samples(sample)).unwrap().flatten() {
                if e.file_name().to_string_lossy().starts_with(prefix) {
                    std::fs::copy(e.path(), input.join(e.file_name())).unwrap();
                }
            }
            let out = root.join(format!("{cmd}-junk"));
            let mut args = vec![
                cmd,
                "--run-date",
                "2025-06-30",
                "--out",
                out.to_str().unwrap(),
            ];
            args.extend(if cmd == "run" {
                ["--period", "2025-H1"]
            } else {
                ["--year", "2025"]
            });
            args.push(input.to_str().unwrap());
            let r = payrun(&args);
            assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
            assert!(r.stdout.contains("junk.xlsx"), "{}", r.stdout);
            consoles.push((format!("{cmd} with a broken file"), r.stdout + &r.stderr));
        }
        // check: a clerk's files, with problems (exit 2), and a file that is no workbook.
        let junk = root.join("junk.xlsx");
        std::fs::write(&junk, b"not a workbook").unwrap();
        let mut args = vec!["check", "--run-date", "2025-06-30"];
        let files: Vec<String> = std::fs::read_dir(samples("2025-H1"))
            .unwrap()
            .flatten()
            .map(|e| e.path().to_string_lossy().into_owned())
            .collect();
        args.extend(files.iter().map(String::as_str));
        args.push(junk.to_str().unwrap());
        let c = payrun(&args);
        assert_eq!(c.code, 2, "{}{}", c.stdout, c.stderr);
        consoles.push(("check".to_string(), c.stdout + &c.stderr));
        std::fs::remove_file(&junk).unwrap();
        Outputs {
            _tmp: tmp,
            root,
            ledger_h1,
            consoles,
        }
    })
}

/// Every workbook payrun wrote under `dir` (not the inputs made for it), sorted.
fn workbooks(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() && e.file_name() == "inputs" {
            continue;
        }
        if p.is_dir() {
            v.extend(workbooks(&p));
        } else if p.extension().is_some_and(|x| x == "xlsx") {
            v.push(p);
        }
    }
    v.sort();
    v
}

fn part(path: &Path, name: &str) -> Option<String> {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut e = z.by_name(name).ok()?;
    let mut s = String::new();
    e.read_to_string(&mut s).unwrap();
    Some(s)
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// A sheet of a workbook as its XML has it.
struct SheetXml {
    name: String,
    /// `hidden` / `veryHidden`, None when visible.
    state: Option<String>,
    xml: String,
    /// The definedName _xlnm.Print_Titles of the sheet.
    titles: Option<String>,
}

fn sheets_xml(path: &Path) -> Vec<SheetXml> {
    let wb = part(path, "xl/workbook.xml").unwrap();
    let rels = part(path, "xl/_rels/workbook.xml.rels").unwrap();
    let target = |rid: &str| {
        let at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
        let tag = &rels[rels[..at].rfind('<').unwrap()..at + rels[at..].find('>').unwrap()];
        format!("xl/{}", attr(tag, "Target").unwrap())
    };
    let mut titles: BTreeMap<usize, String> = BTreeMap::new();
    for chunk in wb.split("<definedName ").skip(1) {
        if attr(&format!(" {chunk}"), "name") == Some("_xlnm.Print_Titles") {
            let id: usize = attr(&format!(" {chunk}"), "localSheetId")
                .unwrap()
                .parse()
                .unwrap();
            let body = &chunk[chunk.find('>').unwrap() + 1..chunk.find("</definedName>").unwrap()];
            titles.insert(id, body.to_string());
        }
    }
    wb.split("<sheet ")
        .skip(1)
        .enumerate()
        .map(|(i, chunk)| {
            let tag = format!(" {}", &chunk[..chunk.find("/>").unwrap()]);
            let name = attr(&tag, "name").unwrap().replace("&amp;", "&");
            SheetXml {
                name,
                state: attr(&tag, "state").map(String::from),
                xml: part(path, &target(attr(&tag, "r:id").unwrap())).unwrap(),
                titles: titles.get(&i).cloned(),
            }
        })
        .collect()
}

/// 1-based column number of the letters of a cell reference ("AB12" → 28).
fn column_number(r: &str) -> u32 {
    r.chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .fold(0, |n, c| n * 26 + (c as u32 - 'A' as u32 + 1))
}

/// The width in pixels of the columns that print (up to the last one used), from `<col>`:
/// Excel's width in characters of the default font, 7 px each.
fn print_width_px(xml: &str) -> u32 {
    let dim = attr(&xml[xml.find("<dimension").unwrap()..], "ref").unwrap();
    let last = column_number(dim.rsplit(':').next().unwrap());
    let mut widths: BTreeMap<u32, u32> = BTreeMap::new();
    for chunk in xml.split("<col ").skip(1) {
        let tag = format!(" {}", &chunk[..chunk.find("/>").unwrap()]);
        let lo: u32 = attr(&tag, "min").unwrap().parse().unwrap();
        let hi: u32 = attr(&tag, "max").unwrap().parse().unwrap();
        let w: f64 = attr(&tag, "width").map_or(8.43, |w| w.parse().unwrap());
        let hidden = attr(&tag, "hidden") == Some("1");
        for c in lo..=hi.min(last) {
            widths.insert(c, if hidden { 0 } else { (w * 7.0 + 0.5) as u32 });
        }
    }
    (1..=last)
        .map(|c| widths.get(&c).copied().unwrap_or(64))
        .sum()
}

/// The width between the side margins of an A4 page, in pixels at 96 dpi.
fn printable_px(xml: &str, landscape: bool) -> u32 {
    let m = &xml[xml.find("<pageMargins").unwrap()..];
    let side: f64 = attr(m, "left").unwrap().parse::<f64>().unwrap()
        + attr(m, "right").unwrap().parse::<f64>().unwrap();
    let paper = if landscape { 297.0 } else { 210.0 };
    ((paper - side * 25.4) / 25.4 * 96.0) as u32
}

/// Forms a county fills in or corrects may print smaller (SPEC §11.4).
fn is_form(path: &Path, sheet: &str) -> bool {
    let p = path.to_string_lossy();
    p.contains("/feedback/") || (p.contains("/template/") && sheet == "申报表")
}

#[test]
fn every_sheet_prints_on_a4_fitted_to_its_width_with_headers_and_page_numbers() {
    let o = outputs();
    let books = workbooks(&o.root);
    // H2's run folder, H1's, the ledger twice, 3 staff, 2 templates, 18 feedback.
    assert!(books.len() >= 2 + 2 + 2 + 3 + 2 + 18, "{books:?}");
    let mut checked = 0;
    for path in &books {
        let rel = path.strip_prefix(&o.root).unwrap().display().to_string();
        for s in sheets_xml(path) {
            if s.state.is_some() {
                continue;
            }
            let at = format!("{rel} › {}", s.name);
            let x = &s.xml;
            let setup = &x[x
                .find("<pageSetup ")
                .unwrap_or_else(|| panic!("{at}: no pageSetup"))..];
            let setup = &setup[..setup.find("/>").unwrap()];
            assert_eq!(attr(setup, "paperSize"), Some("9"), "{at}: A4");
            // One page wide: fitToWidth 1, which Excel writes by leaving it out.
            assert!(
                matches!(attr(setup, "fitToWidth"), None | Some("1")),
                "{at}: one page wide"
            );
            assert_eq!(
                attr(setup, "fitToHeight"),
                Some("0"),
                "{at}: as many pages long as needed"
            );
            assert!(
                x.contains("<pageSetUpPr fitToPage=\"1\"/>"),
                "{at}: fitted to the page"
            );
            let landscape = attr(setup, "orientation") == Some("landscape");
            assert!(
                landscape || attr(setup, "orientation") == Some("portrait"),
                "{at}: orientation set"
            );
            let width = print_width_px(x);
            // Landscape exactly when the table is wider than a portrait page.
            assert_eq!(
                landscape,
                width > printable_px(x, false),
                "{at}: {width} px"
            );
            let scale = (printable_px(x, landscape) * 100 / width).min(100);
            if is_form(path, &s.name) {
                assert!(scale >= 55, "{at}: a form at {scale} %");
            } else {
                assert!(scale >= 75, "{at}: prints at {scale} % ({width} px)");
            }
            let footer = &x[x
                .find("<oddFooter>")
                .unwrap_or_else(|| panic!("{at}: no footer"))..];
            let footer = &footer[..footer.find("</oddFooter>").unwrap()];
            assert!(
                footer.contains("第 &amp;P 页") && footer.contains("共 &amp;N 页"),
                "{at}: {footer}"
            );
            // Header rows repeat on every page; the chart sheet is one page of its own.
            if s.name != "评价图表" {
                let t = s
                    .titles
                    .as_deref()
                    .unwrap_or_else(|| panic!("{at}: no repeated rows"));
                assert!(t.contains("!$"), "{at}: {t}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "{checked} sheets");
}

/// ASCII words a person may read: names of programs and file types, the check character X.
const WORDS: [&str; 13] = [
    "payrun",
    "Excel",
    "WPS",
    "ODS",
    "LibreOffice",
    "xlsx",
    "xls",
    "xlsm",
    "xlsb",
    "ods",
    "et",
    "X",
    "x",
];
const EXTENSIONS: [&str; 8] = [
    ".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".csv", ".json", ".toml",
];

/// The code words of `text`: runs of ASCII letters (with `_ . - / \`) that hold no digit and
/// are no file name or path, column letters, allowed word, or command typed after `payrun`.
fn code_words(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let token_char = c.is_ascii_alphanumeric() || "_.-/\\".contains(c);
        if token_char && start.is_none() {
            start = Some(i);
        }
        let end = k + 1 == chars.len() || !token_char;
        if let (true, Some(s)) = (end, start) {
            let e = if token_char { i + c.len_utf8() } else { i };
            let raw = &text[s..e];
            let token = raw.trim_matches(|c| ".-/\\".contains(c));
            let before = &text[..s];
            let allowed = !token.chars().any(|c| c.is_ascii_alphabetic())
                || token.chars().any(|c| c.is_ascii_digit())
                || WORDS.contains(&token)
                // A column's letters (the form's column list: A, B … AB).
                || (token.len() <= 2 && token.chars().all(|c| c.is_ascii_uppercase()))
                // A path: a folder and what is in it.
                || token.contains(['/', '\\'])
                || EXTENSIONS
                    .iter()
                    .any(|x| raw.to_ascii_lowercase().ends_with(x))
                || before.ends_with("payrun ");
            if !allowed {
                found.push(token.to_string());
            }
            start = None;
        }
    }
    found
}

#[test]
fn the_code_word_finder_finds_codes_and_passes_names() {
    assert_eq!(
        code_words("同一人在两个县申报 duplicate_person"),
        ["duplicate_person"]
    );
    assert_eq!(code_words("超限额处理：hold"), ["hold"]);
    assert!(code_words("红塔区_申报表_2025年第3季度.xlsx｜申报表｜第 42 行").is_empty());
    assert!(code_words("530402199001011234 E12 2025-H1 SHA-256 payrun 0.1.0").is_empty());
    assert!(
        code_words("请用 payrun check 文件名.xlsx 自查，内置 templates/policy-2025.toml")
            .is_empty()
    );
    assert!(code_words("末位 X 用大写；列 A、AB").is_empty());
    assert!(code_words("输出：/tmp/x/run/2025-H1").is_empty());
    assert_eq!(
        code_words("[no_claim_sheet] ABC"),
        ["no_claim_sheet", "ABC"]
    );
}

/// The columns of a sheet headed 代码 at the right edge of their header row, with that row.
fn code_columns(rows: &[Vec<Data>]) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let last = row.iter().rposition(|d| !matches!(d, Data::Empty));
        if let Some(c) = last
            && row[c] == Data::String("代码".into())
        {
            v.push((r, c));
        }
    }
    v
}

#[test]
fn no_code_word_reaches_a_person() {
    let o = outputs();
    let mut cells = 0usize;
    let mut in_code_columns = 0usize;
    let mut bad: Vec<String> = Vec::new();
    for path in workbooks(&o.root) {
        let rel = path.strip_prefix(&o.root).unwrap().display().to_string();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let visible: Vec<String> = wb
            .sheets_metadata()
            .iter()
            .filter(|m| m.visible == calamine::SheetVisible::Visible)
            .map(|m| m.name.clone())
            .collect();
        for name in visible {
            let range = wb.worksheet_range(&name).unwrap();
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let rows: Vec<Vec<Data>> = range
                .rows()
                .map(|r| {
                    let mut v = vec![Data::Empty; c0 as usize];
                    v.extend(r.iter().cloned());
                    v
                })
                .collect();
            let codes = code_columns(&rows);
            for (r, row) in rows.iter().enumerate() {
                for (c, d) in row.iter().enumerate() {
                    let Data::String(t) = d else { continue };
                    cells += 1;
                    if codes.iter().any(|&(hr, hc)| hc == c && r > hr) {
                        in_code_columns += 1;
                        continue;
                    }
                    let words = code_words(t);
                    if !words.is_empty() {
                        bad.push(format!(
                            "{rel} › {name}!{}{}: {words:?} in {t:?}",
                            column_letters(c),
                            r as u32 + r0 + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{} cells:\n{}", bad.len(), bad.join("\n"));
    assert!(cells > 50_000, "{cells} text cells read");
    // The rejected rows' and file problems' codes are there, in their column.
    assert!(in_code_columns > 300, "{in_code_columns}");
}

fn column_letters(c: usize) -> String {
    let mut n = c + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

#[test]
fn the_console_names_problems_in_chinese() {
    let o = outputs();
    let mut codes: Vec<&str> = payrun::codes::RowCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    codes.extend(
        payrun::staff::codes::StaffCode::OWN
            .iter()
            .map(|c| c.as_str()),
    );
    codes.extend([
        "unreadable_file",
        "encrypted_file",
        "no_claim_sheet",
        "missing_column",
        "unknown_county",
        "file_too_large",
        "wrong_form",
    ]);
    for (what, text) in &o.consoles {
        for code in &codes {
            assert!(!text.contains(code), "{what} prints {code}:\n{text}");
        }
        assert!(
            code_words(text).is_empty(),
            "{what}: {:?}",
            code_words(text)
        );
    }
    // The junk file is named, with what is wrong with it in Chinese.
    let check = &o.consoles.iter().find(|(w, _)| w == "check").unwrap().1;
    assert!(check.contains("junk.xlsx"), "{check}");
}

/// Every text cell of every visible sheet of a workbook.
fn texts(path: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|m| m.visible == calamine::SheetVisible::Visible)
        .map(|m| m.name.clone())
        .collect();
    let mut v = Vec::new();
    for n in names {
        let range = wb.worksheet_range(&n).unwrap();
        for row in range.rows() {
            let row: Vec<String> = row.iter().map(|d| d.to_string()).collect();
            // A label cell followed by its value (运行信息: 制表日期 | 2025年12月20日).
            for pair in row.windows(2) {
                if pair[0] == "制表日期" {
                    v.push(format!("制表日期：{}", pair[1]));
                }
            }
            v.extend(row.into_iter().filter(|t| !t.is_empty()));
        }
    }
    v
}

#[test]
fn every_workbook_of_a_run_is_dated_once_with_the_run_date() {
    let o = outputs();
    let runs = [
        (o.root.join("run/2025-H1"), "2025年6月30日"),
        (o.root.join("run/2025-H2"), "2025年12月20日"),
        (o.root.join("staff"), "2025年4月15日"),
    ];
    // The bank's batch files (代发/<county>/…) are the bank's upload template, row 1 its header:
    // they carry the run date in their document properties only. 代发汇总 is dated.
    let mut books: Vec<(PathBuf, &str)> = runs
        .iter()
        .flat_map(|(dir, day)| workbooks(dir).into_iter().map(move |p| (p, *day)))
        .filter(|(p, _)| {
            p.parent()
                .and_then(Path::parent)
                .and_then(Path::file_name)
                .is_none_or(|n| n != "代发")
        })
        .collect();
    books.push((o.root.join("run/台账.xlsx"), "2025年12月20日"));
    books.push((o.ledger_h1.clone(), "2025年6月30日"));
    // Per period: 审批汇总表, 发放表, 9 feedback workbooks and 代发汇总.
    assert_eq!(books.len(), 2 * (2 + 9 + 1) + 3 + 2);
    for (path, day) in &books {
        let t = texts(path);
        let made = format!("制表日期：{day}");
        assert!(
            t.iter().any(|c| c.contains(&made)),
            "{}: no {made}",
            path.display()
        );
        for c in &t {
            // Every sign-off is dated with the run date, never with a deadline.
            if c.starts_with("制表人：") {
                assert!(c.contains(&made), "{}: {c}", path.display());
            }
            assert!(!c.contains("审核日期："), "{}: {c}", path.display());
            assert!(!c.contains("评价日期"), "{}: {c}", path.display());
        }
    }
    // The year's workbooks are dated with the year run's date.
    for name in ["年度执行与绩效自评_2025.xlsx", "下年度分配建议_2026.xlsx"] {
        let path = o.root.join("run/2025年度").join(name);
        let t = texts(&path);
        assert!(
            t.iter().any(|c| c.contains("制表日期：2025年12月20日")),
            "{}",
            path.display()
        );
        for c in t.iter().filter(|c| c.starts_with("制表人：")) {
            assert!(c.contains("制表日期：2025年12月20日"), "{c}");
        }
    }
    // H2's deadline is shown only as such.
    let info = texts(&o.root.join("run/2025-H2/审批汇总表_2025-H2.xlsx"));
    let deadline = info.iter().position(|c| c == "发放截止日期").unwrap();
    assert_eq!(info[deadline + 1], "2025年12月31日");
}

/// SPEC §11.3, §9.9: feeding H2's feedback workbooks back (against the ledger H1 left) gives
/// the same decision for every row — rejections, late claims, 峨山's held cases — though 峨山
/// sent two files and its workbook has a sheet for each.
#[test]
fn h2_feedback_with_several_files_a_county_reads_back_as_the_same_decisions() {
    let o = outputs();
    let dir = o.root.join("run/2025-H2");
    let fb = dir.join("feedback");
    let eshan = fb.join("峨山彝族自治县_审核反馈_2025-H2.xlsx");
    let wb: Xlsx<_> = open_workbook(&eshan).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "峨山县_人民调解个案补贴申报表_2025年第3季度",
            "峨山县_人民调解个案补贴申报表_2025年第4季度"
        ]
    );
    let back = o.root.join("back");
    std::fs::create_dir_all(&back).unwrap();
    std::fs::copy(&o.ledger_h1, back.join("台账.xlsx")).unwrap();
    let r = run_period(&fb, &back, "2025-H2", "2025-12-20", &[]);
    assert_invariants(&r.dir("2025-H2"));
    let key = |r: &Row| {
        (
            r.county.clone(),
            r.case_id.clone(),
            r.decision.clone(),
            r.reasons.clone(),
            r.approved,
        )
    };
    let mut a: Vec<_> = read_decisions(&dir).iter().map(key).collect();
    let mut b: Vec<_> = read_decisions(&r.dir("2025-H2")).iter().map(key).collect();
    a.sort();
    b.sort();
    assert!(a.iter().any(|k| k.2 == "held") && a.iter().any(|k| k.3.contains("late_claim")));
    assert_eq!(
        a, b,
        "feedback resubmitted unchanged gives the same decisions"
    );
    let (s0, s1) = (read_summary(&dir), read_summary(&r.dir("2025-H2")));
    assert_eq!(s0["counties"], s1["counties"]);
}
