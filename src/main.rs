//! The command-line shell: the worker hook, then parse the arguments, run the command
//! ([`cmd`]) and map its result to an exit status (SPEC §8: 0 done, 2 done with unreadable
//! inputs, 1 nothing written).

mod cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use payrun::ingest::worker::{WORKER_ARG, worker_main};

// mimalloc instead of glibc's malloc: a run allocates and frees millions of small strings across
// threads; measured on the yardstick's M set it cut wall time by ~9 % and peak memory by ~11 %.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` (mimalloc.h, `mi_option_e`): the bindings name no
/// constant for it.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

fn main() -> ExitCode {
    // Commit arena memory as it is used rather than whole arenas up front: on the M set this
    // took ~1 s of system time (page-table work) off a 12 s run and a little off the peak.
    // SAFETY: sets a process-wide allocator option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) };
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == WORKER_ARG) {
        let (Some(schema), Some(abs), Some(rel)) = (args.get(2), args.get(3), args.get(4)) else {
            return ExitCode::from(1);
        };
        let code = worker_main(
            &schema.to_string_lossy(),
            &PathBuf::from(abs),
            &rel.to_string_lossy(),
        );
        // Everything the parent needs is on the (flushed) pipe; ending the process here skips
        // the allocator's and the runtime's exit-time cleanup, ~2 % of a worker's time, paid
        // once per input file.
        #[cfg(unix)]
        // SAFETY: _exit only ends the process; stdout was flushed by worker_main.
        unsafe {
            libc::_exit(code)
        }
        #[cfg(not(unix))]
        return ExitCode::from(code as u8);
    }
    cmd::init_logging();
    // Usage errors are refusals (exit 1, Chinese); --help and --version answer with exit 0.
    let cli = match cmd::usage::parse::<cmd::Cli>(args) {
        Ok(cli) => cli,
        Err(answer) => {
            if answer.code == 0 {
                print!("{}", answer.text);
            } else {
                eprint!("{}", answer.text);
            }
            return ExitCode::from(answer.code);
        }
    };
    match cli.exec() {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("错误：{msg}");
            ExitCode::from(1)
        }
    }
}
