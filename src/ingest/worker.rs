//! Parsing each input file in a child process. calamine can abort the process on crafted input
//! (an allocation failure is an abort, not a panic), so the parent never parses a workbook
//! itself: it re-runs its own binary as `payrun __ingest-worker FILE REL`, under an address-space
//! limit and a wall-clock limit, and reads the result back over a pipe. A worker that dies, is
//! killed or prints garbage becomes that file's error; the batch goes on.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use super::header::{Column, Field, StaffField};
use super::{FileIngest, InputFile, limits};
use crate::codes::FileCode;

/// The hidden subcommand name.
pub const WORKER_ARG: &str = "__ingest-worker";
/// The worker schema that returns a file's sheets as plain cells (a bank's answer, an
/// 账户更正表: [`crate::bank::grid`]).
pub const GRID_SCHEMA: &str = "grid";

/// How files are parsed.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// In this process (tests, and the worker itself).
    InProcess,
    /// In a child process of this executable.
    Subprocess(PathBuf),
}

/// The worker's side: parse, serialise to stdout, exit. Returns the exit code.
pub fn worker_main(schema: &str, abs: &Path, rel: &str) -> i32 {
    limit_address_space(limits::WORKER_MEMORY_BYTES);
    // The parsed file is not freed: the process ends right after it is sent (see main).
    if schema == StaffField::SCHEMA {
        let fi = super::ingest_path::<StaffField>(abs, rel);
        let code = emit(&fi);
        std::mem::forget(fi);
        code
    } else if schema == super::discover::SNIFF_SCHEMA {
        super::discover::sniff_main(abs)
    } else if schema == Field::SCHEMA {
        let fi = super::ingest_path::<Field>(abs, rel);
        let code = emit(&fi);
        std::mem::forget(fi);
        code
    } else if schema == GRID_SCHEMA {
        emit(&crate::bank::grid::read_in_process(abs, rel))
    } else {
        2
    }
}

fn emit<T: serde::Serialize>(fi: &T) -> i32 {
    // postcard, not JSON: the parent decodes every row of every file, and a compact binary
    // form is several times cheaper to write and read than 3 MB of JSON per claim file.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match postcard::to_io(fi, &mut out) {
        Ok(_) => match out.flush() {
            Ok(()) => 0,
            Err(_) => 3,
        },
        Err(_) => 3,
    }
}

#[cfg(unix)]
fn limit_address_space(bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit only reads the struct we pass; failure just leaves the limit unset.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) };
    if rc != 0 {
        log::debug!("setrlimit(RLIMIT_AS) failed");
    }
}

/// On Windows the limit is a Job Object the parent puts the worker in (see `job`). The worker
/// waits for the parent's go-ahead byte on stdin first, so it parses nothing before it is in
/// the job; end of input (a worker started by hand) lets it go on at once.
#[cfg(windows)]
fn limit_address_space(_bytes: u64) {
    let mut go = [0u8; 1];
    let _ = std::io::stdin().read(&mut go);
}

#[cfg(not(any(unix, windows)))]
fn limit_address_space(_bytes: u64) {}

/// One Job Object per worker (SPEC §13.4): each process in it may commit at most the worker
/// limit, and every process in it dies when its last handle closes — when the worker is done,
/// on timeout, and when payrun itself ends, however it ends (the OS closes the handle then).
#[cfg(windows)]
mod job {
    use std::os::windows::io::AsRawHandle;
    use std::process::Child;

    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
        JOB_OBJECT_LIMIT_PROCESS_MEMORY, JOBOBJECT_BASIC_LIMIT_INFORMATION,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
        SetInformationJobObject, TerminateJobObject,
    };

    pub struct WorkerJob(HANDLE);

    impl WorkerJob {
        pub fn new(memory_bytes: u64) -> std::io::Result<WorkerJob> {
            // SAFETY: no security attributes (handle not inheritable, so no worker holds it) and
            // no name; the handle is owned by the returned value and closed on drop.
            let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
            if handle.is_null() {
                return Err(std::io::Error::last_os_error());
            }
            let job = WorkerJob(handle);
            // The same figure as the Unix address-space limit; Windows counts committed memory.
            let info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION {
                BasicLimitInformation: JOBOBJECT_BASIC_LIMIT_INFORMATION {
                    LimitFlags: JOB_OBJECT_LIMIT_PROCESS_MEMORY
                        | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
                    ..Default::default()
                },
                ProcessMemoryLimit: usize::try_from(memory_bytes).unwrap_or(usize::MAX),
                ..Default::default()
            };
            // SAFETY: `info` is the struct this information class expects, with its true size.
            let ok = unsafe {
                SetInformationJobObject(
                    job.0,
                    JobObjectExtendedLimitInformation,
                    (&raw const info).cast(),
                    std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
                )
            };
            if ok == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(job)
        }

        pub fn assign(&self, child: &Child) -> std::io::Result<()> {
            // SAFETY: both handles are valid for the call; the child's is borrowed from `child`.
            let ok = unsafe { AssignProcessToJobObject(self.0, child.as_raw_handle()) };
            if ok == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        }

        /// Ends every process of the job now (the timeout).
        pub fn terminate(&self) {
            // SAFETY: a valid job handle; failure leaves the caller's own kill to do the work.
            unsafe { TerminateJobObject(self.0, 1) };
        }
    }

    impl Drop for WorkerJob {
        fn drop(&mut self) {
            // SAFETY: the handle is owned and closed once.
            unsafe { CloseHandle(self.0) };
        }
    }
}

/// Parses one file according to `iso`.
pub fn ingest_file<F: Column>(file: &InputFile, iso: &Isolation) -> FileIngest<F> {
    match iso {
        Isolation::InProcess => super::ingest_path::<F>(&file.abs, &file.rel),
        Isolation::Subprocess(exe) => run_worker::<F>(exe, file),
    }
}

fn run_worker<F: Column>(exe: &Path, file: &InputFile) -> FileIngest<F> {
    let failed = |code: FileCode, msg: String| {
        let bytes = std::fs::metadata(&file.abs).map(|m| m.len()).unwrap_or(0);
        let sha = std::fs::read(&file.abs)
            .map(|b| super::sha256_hex(&b))
            .unwrap_or_default();
        FileIngest::failed(&file.rel, sha, bytes, code, msg)
    };
    match worker_output(exe, F::SCHEMA, file) {
        Ok(out) => match postcard::from_bytes::<FileIngest<F>>(&out) {
            Ok(fi) => fi,
            Err(e) => failed(FileCode::UnreadableFile, format!("解析结果无法读取：{e}")),
        },
        Err((code, msg)) => failed(code, msg),
    }
}

/// A file's sheets as plain cells ([`GRID_SCHEMA`]), parsed by a worker under the same limits as
/// the claim forms; Err is a Chinese sentence naming the file.
pub fn read_grids(exe: &Path, file: &InputFile) -> Result<Vec<crate::bank::grid::Grid>, String> {
    match worker_output(exe, GRID_SCHEMA, file) {
        Ok(out) => postcard::from_bytes::<Result<Vec<crate::bank::grid::Grid>, String>>(&out)
            .unwrap_or_else(|e| Err(format!("{}：解析结果无法读取：{e}", file.rel))),
        Err((_, msg)) => Err(format!("{}：{msg}，未读取", file.rel)),
    }
}

/// Runs a worker of `schema` on `file`: its output, or why it gave none.
fn worker_output(
    exe: &Path,
    schema: &str,
    file: &InputFile,
) -> Result<Vec<u8>, (FileCode, String)> {
    let failed = |code: FileCode, msg: String| Err((code, msg));
    // On Windows stdin carries the go-ahead once the worker is in its Job Object.
    let stdin = if cfg!(windows) {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    let mut child = match Command::new(exe)
        .arg(WORKER_ARG)
        .arg(schema)
        .arg(&file.abs)
        .arg(&file.rel)
        .env_remove("RUST_LOG")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            return failed(FileCode::UnreadableFile, format!("无法启动解析进程：{e}"));
        }
    };
    #[cfg(windows)]
    let job = {
        let job = job::WorkerJob::new(limits::WORKER_MEMORY_BYTES)
            .and_then(|j| j.assign(&child).map(|()| j));
        if let Err(e) = &job {
            // Like a failed setrlimit on Unix: the worker runs without the memory limit.
            log::debug!("job object for the worker of {}: {e}", file.rel);
        }
        if let Some(mut go) = child.stdin.take() {
            let _ = go.write_all(b"g");
        }
        job.ok()
    };
    let kill = |child: &mut std::process::Child| {
        #[cfg(windows)]
        if let Some(j) = &job {
            j.terminate();
        }
        let _ = child.kill();
        let _ = child.wait();
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut s) = stdout {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr {
            let _ = s.take(64 * 1024).read_to_end(&mut buf);
        }
        buf
    });
    let status = match child.wait_timeout(Duration::from_secs(limits::WORKER_SECONDS)) {
        Ok(Some(st)) => Some(st),
        Ok(None) | Err(_) => {
            kill(&mut child);
            None
        }
    };
    let out = out_thread.join().unwrap_or_default();
    let err = err_thread.join().unwrap_or_default();
    let err_text = String::from_utf8_lossy(&err);
    match status {
        None => failed(
            FileCode::FileTooLarge,
            format!(
                "解析超过 {} 秒仍未完成，已中止（文件过大或结构异常）",
                limits::WORKER_SECONDS
            ),
        ),
        Some(st) if st.success() => Ok(out),
        Some(_)
            if err_text.contains("memory allocation") || err_text.contains("capacity overflow") =>
        {
            failed(
                FileCode::FileTooLarge,
                format!(
                    "解析此文件所需内存超过上限 {} MiB（文件声明的表格范围异常巨大或结构异常），已中止",
                    limits::WORKER_MEMORY_BYTES / 1024 / 1024
                ),
            )
        }
        Some(st) => {
            log::debug!("worker for {} failed: {st}; {err_text}", file.rel);
            failed(
                FileCode::UnreadableFile,
                "解析此文件时解析程序异常退出（文件已损坏或结构异常）".to_string(),
            )
        }
    }
}
