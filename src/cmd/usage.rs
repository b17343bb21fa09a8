//! The command line as a clerk meets it (SPEC §10.7): `--help` of every command in Chinese, and a
//! usage error (unknown option, missing argument, value that does not parse) answered like every
//! other refusal — exit 1, a Chinese message and the usage line — never with clap's English text
//! and exit 2, which payrun reserves for "done, some inputs unreadable" (SPEC §8).
//!
//! clap does the parsing; this module only dresses it: a Chinese help template, our own `-h/--help`
//! and `-V/--version` flags (clap's say "Print help"), defaults written into the help text instead
//! of clap's `[default: …]`, and every [`ErrorKind`] turned into a Chinese sentence built from the
//! error's context (the option, the value, clap's suggestion).

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

const ROOT_TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n命令：\n{subcommands}\n\n选项：\n{options}\n\n查看某个命令的说明：payrun <命令> --help\n";
const COMMAND_TEMPLATE: &str =
    "{about-with-newline}\n用法：{usage}\n\n参数：\n{positionals}\n\n选项：\n{options}\n";
const COMMAND_TEMPLATE_NO_ARGS: &str = "{about-with-newline}\n用法：{usage}\n\n选项：\n{options}\n";

/// The usage line of `command` ("" for payrun itself), as its arguments struct writes it
/// (`override_usage`): shown in its help and under every usage error.
fn usage_line(cmd: &Command, command: &str) -> String {
    cmd.find_subcommand(command)
        .unwrap_or(cmd)
        .get_overridden_usage()
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// The clap command with Chinese help on every level.
pub fn localise(cmd: Command) -> Command {
    let cmd = cmd
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号"),
        );
    dress(cmd, true).mut_subcommands(|s| dress(s, false))
}

fn dress(cmd: Command, root: bool) -> Command {
    let template = if root {
        ROOT_TEMPLATE
    } else if cmd.get_positionals().next().is_some() {
        COMMAND_TEMPLATE
    } else {
        COMMAND_TEMPLATE_NO_ARGS
    };
    cmd.disable_help_flag(true)
        .mut_args(|a| a.hide_default_value(true))
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示本说明"),
        )
        .help_template(template)
}

/// What the shell does when the arguments do not give a command to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// 0 for `--help` and `--version`, 1 for a usage error.
    pub code: u8,
    /// What to print (stdout for code 0, stderr otherwise).
    pub text: String,
}

/// Parses `args` (program name first) into `T`, or the answer to print instead.
pub fn parse<T: CommandFactory + FromArgMatches>(
    args: impl IntoIterator<Item = OsString>,
) -> Result<T, Answer> {
    let args: Vec<OsString> = args.into_iter().collect();
    let cmd = localise(T::command());
    let command = command_named(&cmd, &args);
    let refuse = |e: &clap::Error| Answer {
        code: 1,
        text: refusal(e, &cmd, &command),
    };
    match cmd.clone().try_get_matches_from(&args) {
        Ok(m) => T::from_arg_matches(&m).map_err(|e| refuse(&e)),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let mut text = e.render().to_string();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                Err(Answer { code: 0, text })
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
                let mut root = cmd;
                Err(Answer {
                    code: 1,
                    text: format!("错误：请指定要执行的命令\n\n{}", root.render_help()),
                })
            }
            _ => Err(refuse(&e)),
        },
    }
}

/// The subcommand the arguments name (the first argument that is one), "" when none.
fn command_named(cmd: &Command, args: &[OsString]) -> String {
    args.iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| cmd.find_subcommand(a).is_some())
        .unwrap_or("")
        .to_string()
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// clap's suggestion of `kind`, as "（是否要写 …？）".
fn suggestion(e: &clap::Error, kind: ContextKind) -> String {
    context(e, kind)
        .map(|s| format!("（是否要写 {s}？）"))
        .unwrap_or_default()
}

/// A usage error in Chinese, with the usage line of the command it concerns (`command` of
/// `cmd`, "" for payrun itself).
fn refusal(e: &clap::Error, cmd: &Command, command: &str) -> String {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::UnknownArgument if arg.starts_with('-') => {
            format!(
                "不认识的选项 {arg}{}",
                suggestion(e, ContextKind::SuggestedArg)
            )
        }
        ErrorKind::UnknownArgument => format!("多余的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => {
            let name = context(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            let commands: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
            format!(
                "不认识的命令“{name}”{}；可用的命令：{}",
                suggestion(e, ContextKind::SuggestedSubcommand),
                commands.join("、")
            )
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::InvalidValue => {
            let valid = context(e, ContextKind::ValidValue)
                .map(|v| format!("；可选的值：{v}"))
                .unwrap_or_default();
            if value.is_empty() {
                format!("选项 {arg} 缺少取值{valid}")
            } else {
                format!("选项 {arg} 的值“{value}”无效{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!("：{s}"))
                .unwrap_or_default();
            format!("选项 {arg} 的值“{value}”无效{why}")
        }
        ErrorKind::ArgumentConflict => {
            let other = context(e, ContextKind::PriorArg).unwrap_or_default();
            // clap reports an option given twice as a conflict with itself.
            if other.is_empty() || other == arg {
                format!("选项 {arg} 只能指定一次")
            } else {
                format!("选项 {arg} 不能与 {other} 同时使用")
            }
        }
        ErrorKind::TooManyValues => format!("选项 {arg} 的取值过多：“{value}”"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("选项 {arg} 的取值个数不对")
        }
        ErrorKind::NoEquals => format!("选项 {arg} 的值须用 = 连接，如 {arg}=值"),
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符（不是有效的 UTF-8 文本）".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    let help = if command.is_empty() {
        "payrun --help".to_string()
    } else {
        format!("payrun {command} --help")
    };
    let usage = usage_line(cmd, command);
    format!("错误：{what}\n用法：{usage}\n查看全部参数和选项：{help}\n")
}

/// `--year`: a four-digit year.
pub fn year(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(y) if (1000..=9999).contains(&y) => Ok(y),
        _ => Err("应为四位数的年度，如 2025".to_string()),
    }
}

/// A whole number of things (`--threads`, `--counties`, `--rows`).
pub fn count(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| "应为不小于 0 的整数，如 4".to_string())
}

/// `--seed`: any whole number from 0.
pub fn seed(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| "应为不小于 0 的整数，如 2025".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::Cli;

    /// The usage line `command`'s arguments struct writes.
    fn usage(command: &str) -> String {
        usage_line(&localise(Cli::command()), command)
    }

    fn answer(args: &[&str]) -> Answer {
        let args = std::iter::once("payrun")
            .chain(args.iter().copied())
            .map(OsString::from);
        let Err(answer) = parse::<Cli>(args) else {
            panic!("parsed as a command")
        };
        answer
    }

    fn has_latin_words(s: &str) -> Vec<&str> {
        // clap's own words that must not reach a clerk.
        [
            "Usage",
            "Options",
            "Arguments",
            "Commands",
            "Print",
            "error:",
            "[default",
            "found",
        ]
        .into_iter()
        .filter(|w| s.contains(w))
        .collect()
    }

    #[test]
    fn a_misspelt_option_is_a_chinese_refusal_with_the_usage_line() {
        let a = answer(&["run", "--peroid", "2025-H1", "x"]);
        assert_eq!(a.code, 1);
        assert!(a.text.contains("不认识的选项 --peroid"), "{}", a.text);
        assert!(a.text.contains("是否要写 --period"), "{}", a.text);
        assert!(a.text.contains(&usage("run")), "{}", a.text);
        assert!(has_latin_words(&a.text).is_empty(), "{}", a.text);
    }

    #[test]
    fn a_value_that_does_not_parse_says_what_is_expected() {
        let a = answer(&["staff", "--year", "abc"]);
        assert_eq!(a.code, 1);
        assert!(a.text.contains("--year"), "{}", a.text);
        assert!(a.text.contains("“abc”无效：应为四位数的年度"), "{}", a.text);
        assert!(a.text.contains(&usage("staff")), "{}", a.text);
        let a = answer(&["run", "--period", "2025-H1", "--threads", "two", "x"]);
        assert!(a.text.contains("应为不小于 0 的整数"), "{}", a.text);
    }

    #[test]
    fn missing_arguments_extra_arguments_and_unknown_commands_are_refusals() {
        let a = answer(&["run", "x"]);
        assert!(
            a.text.contains("缺少必需的参数：--period <期间>"),
            "{}",
            a.text
        );
        let a = answer(&["run", "--period", "2025-H1", "x", "y"]);
        assert!(a.text.contains("多余的参数“y”"), "{}", a.text);
        let a = answer(&["rum"]);
        assert!(
            a.text
                .contains("不认识的命令“rum”（是否要写 run？）；可用的命令：run、staff、check、template、result、repay、samples"),
            "{}",
            a.text
        );
        let a = answer(&["staff", "--year", "2025", "--year", "2026"]);
        assert!(
            a.text.contains("选项 --year <年度> 只能指定一次"),
            "{}",
            a.text
        );
        let a = answer(&[]);
        assert_eq!(a.code, 1);
        assert!(a.text.contains("请指定要执行的命令"), "{}", a.text);
        for a in [answer(&["run", "x"]), answer(&["rum"]), answer(&[])] {
            assert_eq!(a.code, 1);
            assert!(has_latin_words(&a.text).is_empty(), "{}", a.text);
        }
    }

    #[test]
    fn help_and_version_are_answers_with_exit_0() {
        let h = answer(&["run", "--help"]);
        assert_eq!(h.code, 0);
        for want in [
            "用法：",
            "参数：",
            "选项：",
            "发放期间",
            "显示本说明",
            "默认 out",
        ] {
            assert!(h.text.contains(want), "{want}: {}", h.text);
        }
        assert!(has_latin_words(&h.text).is_empty(), "{}", h.text);
        let h = answer(&["-h"]);
        assert_eq!(h.code, 0);
        assert!(
            h.text.contains("命令：") && h.text.contains("显示版本号"),
            "{}",
            h.text
        );
        assert!(has_latin_words(&h.text).is_empty(), "{}", h.text);
        let v = answer(&["--version"]);
        assert_eq!(v.code, 0);
        assert!(v.text.contains(env!("CARGO_PKG_VERSION")), "{}", v.text);
    }

    #[test]
    fn good_arguments_parse() {
        let args = ["payrun", "run", "--period", "2025-H1", "in"].map(OsString::from);
        assert!(parse::<Cli>(args).is_ok());
    }

    #[test]
    fn every_command_has_its_usage_line_and_every_argument_its_help() {
        let cmd = localise(Cli::command());
        assert_eq!(usage(""), "payrun <命令> [选项]");
        let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
        assert_eq!(
            names,
            [
                "run", "staff", "check", "template", "result", "repay", "samples"
            ]
        );
        for c in cmd.get_subcommands() {
            let name = c.get_name();
            assert!(
                usage(name).starts_with(&format!("payrun {name} ")),
                "{name}"
            );
            assert!(c.get_about().is_some(), "{name}");
            for a in c.get_arguments() {
                assert!(a.get_help().is_some(), "{name} {}", a.get_id());
            }
        }
    }
}
