//! Placeholder until the generator lands.
pub struct SampleOptions {
    pub counties: usize,
    pub rows: usize,
    pub seed: u64,
}
pub fn write_claim_samples(
    _p: &crate::policy::Policy,
    _h: u8,
    _d: &std::path::Path,
    _o: &SampleOptions,
) -> Result<Vec<std::path::PathBuf>, String> {
    Err("样例生成尚未实现".into())
}
