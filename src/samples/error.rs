//! Why `payrun samples` could not write its workbooks.

use std::path::PathBuf;

use rust_xlsxwriter::XlsxError;

#[derive(Debug, thiserror::Error)]
pub enum SamplesError {
    #[error("发放期间须为上半年（1）或下半年（2），不能是 {0}")]
    Half(u8),
    #[error("政策年度 {0} 无法生成日期")]
    Year(i32),
    #[error("无法创建示例输出目录 {}：{source}", dir.display())]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("无法写入示例文件 {}：{source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("生成示例工作簿 {name} 失败：{source}")]
    Workbook { name: String, source: XlsxError },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_chinese_and_names_the_place() {
        let io = || std::io::Error::new(std::io::ErrorKind::PermissionDenied, "拒绝访问");
        let xlsx = || XlsxError::SheetnameCannotBeBlank(String::new());
        let cases = [
            (
                SamplesError::Half(3),
                "发放期间须为上半年（1）或下半年（2），不能是 3".to_string(),
            ),
            (
                SamplesError::Year(-1),
                "政策年度 -1 无法生成日期".to_string(),
            ),
            (
                SamplesError::CreateDir {
                    dir: PathBuf::from("/只读/示例"),
                    source: io(),
                },
                "无法创建示例输出目录 /只读/示例：拒绝访问".to_string(),
            ),
            (
                SamplesError::Write {
                    path: PathBuf::from("/只读/示例/a.xlsx"),
                    source: io(),
                },
                "无法写入示例文件 /只读/示例/a.xlsx：拒绝访问".to_string(),
            ),
            (
                SamplesError::Workbook {
                    name: "红塔区_申报表.xlsx".into(),
                    source: xlsx(),
                },
                format!("生成示例工作簿 红塔区_申报表.xlsx 失败：{}", xlsx()),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}
