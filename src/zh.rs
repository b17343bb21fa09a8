//! Chinese wording of what the operating system and parser libraries say, so that no English
//! message of a library reaches a finance officer (SPEC §11.1).

use std::io;

/// Why a file could not be read or written, in Chinese. The raw OS text is never shown: it is
/// English (or the OS language) and means nothing to a county clerk.
pub fn io_reason(e: &io::Error) -> String {
    use io::ErrorKind as K;
    let reason = match e.kind() {
        K::NotFound => "文件或文件夹不存在",
        K::PermissionDenied => "没有权限（文件可能是只读的，或正被 Excel/WPS 打开）",
        K::AlreadyExists => "文件已存在",
        K::InvalidData => "内容不是有效的 UTF-8 文本（请用“记事本”另存为 UTF-8 编码）",
        K::IsADirectory => "这是一个文件夹，不是文件",
        K::NotADirectory => "路径中有一段不是文件夹",
        K::StorageFull => "磁盘空间已满",
        K::ReadOnlyFilesystem => "磁盘是只读的",
        K::Interrupted | K::TimedOut => "读写被中断，请重试",
        K::OutOfMemory => "内存不足",
        _ => {
            return match e.raw_os_error() {
                // ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows: the file is open.
                Some(32) | Some(33) if cfg!(windows) => {
                    "文件正被其他程序（如 Excel/WPS）打开".to_string()
                }
                Some(code) => format!("系统错误（代码 {code}）"),
                None => "读写失败".to_string(),
            };
        }
    };
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reasons_are_chinese() {
        let e = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(io_reason(&e), "文件或文件夹不存在");
        let e = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(io_reason(&e).contains("没有权限"));
        let e = io::Error::from_raw_os_error(9999);
        assert_eq!(io_reason(&e), "系统错误（代码 9999）");
        let e = io::Error::other("boom");
        assert!(!io_reason(&e).is_ascii());
    }
}
