//! A bounded check of an OLE compound file (MS-CFB: .xls, and the container of an encrypted
//! xlsx) before calamine opens it.
//!
//! calamine 0.38 follows sector chains without remembering where it has been: a FAT entry that
//! points back into its own chain makes it append the same sectors until a 4 GiB allocation
//! fails, so a 13 KB file costs a worker 2 GB and seconds. Here every chain calamine can follow
//! is walked once, in time and memory linear in the file size, and a file whose chains loop,
//! share sectors or leave the file is refused before calamine sees it.
//!
//! The walk copies calamine's reading rules (which header fields it trusts, how it builds the
//! FAT, when it stops a chain, that it finds streams by name whatever their type), so a file
//! calamine reads correctly passes unchanged. Where the rules are unclear the check is lenient:
//! it exists to stop runaway reads, not to enforce the whole specification.
//!
//! The same walk gives the start of the workbook stream ([`workbook_head`]), which says how the
//! file's strings are to be decoded (see `xls_text`).

use std::fmt;

const HEADER_LEN: usize = 512;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// calamine follows the DIFAT chain while the next id is below this (MAXREGSECT + 1).
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
/// DIFAT entries at or above this are not FAT sectors (DIFSECT, FATSECT, ENDOFCHAIN, FREESECT).
const DIFSECT: u32 = 0xFFFF_FFFC;
const MINI_SECTOR_LEN: usize = 64;
/// Streams shorter than this live in the mini stream (MS-CFB's cutoff; calamine hard-codes it).
const MINI_CUTOFF: usize = 4096;
const DIR_ENTRY_LEN: usize = 128;
const DIFAT_IN_HEADER: usize = 109;
const STREAM_OBJECT: u8 = 2;
/// Streams calamine reads by name (the BIFF8 and the BIFF5 workbook). It takes the first
/// directory entry with the name, whatever its type, so these are checked even when the entry
/// does not claim to be a stream.
const LOOKED_UP: [&str; 2] = ["Workbook", "Book"];
/// calamine only asks whether this entry exists (the file is then an encrypted xlsx) and never
/// reads it. Its chain is left alone so that a cut-off encrypted file, whose large package stream
/// is the part that suffers, is still reported as encrypted: the actionable message.
const ENCRYPTED_PACKAGE: &str = "EncryptedPackage";

/// Why a compound file was refused, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect(String);

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn defect(msg: impl Into<String>) -> Defect {
    Defect(msg.into())
}

/// Checks the compound file in `bytes` (which start with the OLE signature). `Ok` means every
/// chain calamine may follow ends within the file without revisiting a sector.
pub fn check(bytes: &[u8]) -> Result<(), Defect> {
    let Container {
        file,
        fat,
        entries,
        minifat,
        mini_stream_len,
        mut owned,
        ..
    } = Container::open(bytes)?;
    let size = |id: u32| file.data(id).len();
    // calamine allows 8 short sectors per file sector whatever the sector size.
    let mini_max_id = file.max_id.saturating_mul(8);
    let mut mini_owned = Bitset::new(mini_max_id + 1);
    let mini_size = |id: u32| mini_sector_size(mini_stream_len, id);

    let mut checked = vec![false; entries.len()];
    for name in LOOKED_UP {
        if let Some(i) = entries.iter().position(|e| e.is_named(name)) {
            checked[i] = true;
        }
    }
    // Entry 0 is the root, whose chain is the mini stream walked by `open`.
    for (i, e) in entries.iter().enumerate().skip(1) {
        if !(checked[i] || e.kind == STREAM_OBJECT) || e.len == 0 || e.is_named(ENCRYPTED_PACKAGE) {
            continue;
        }
        let what = format!("数据流“{}”", e.display_name());
        if e.len < MINI_CUTOFF {
            walk(
                &what,
                e.start,
                e.len,
                &minifat,
                &mut mini_owned,
                mini_max_id,
                mini_size,
                |_, _| {},
            )?;
        } else {
            walk(
                &what,
                e.start,
                e.len,
                &fat,
                &mut owned,
                file.max_id,
                size,
                |_, _| {},
            )?;
        }
    }
    Ok(())
}

/// Whether a sound compound file holds a workbook stream (BIFF8 `Workbook` or BIFF5 `Book`,
/// found by name as calamine finds them). A Word 97 document or an Outlook message is a compound
/// file too, and holds neither.
pub fn holds_workbook(bytes: &[u8]) -> Result<bool, Defect> {
    check(bytes)?;
    let c = Container::open(bytes)?;
    Ok(c.entries
        .iter()
        .skip(1)
        .any(|e| LOOKED_UP.iter().any(|n| e.is_named(n))))
}

/// The first `max` bytes of the stream calamine reads as the workbook (the first entry named
/// "Workbook", else the first named "Book"), gathered the way calamine gathers them. For a file
/// [`check`] accepted; `None` when there is no such stream, or when it is a short stream in a
/// file without a MiniFAT (calamine then reads whatever follows in the file).
pub fn workbook_head(bytes: &[u8], max: usize) -> Option<Vec<u8>> {
    let c = Container::open(bytes).ok()?;
    let e = LOOKED_UP
        .iter()
        .find_map(|name| c.entries.iter().find(|e| e.is_named(name)))?;
    let want = e.len.min(max);
    let mut out = Vec::with_capacity(want);
    if e.len < MINI_CUTOFF {
        if c.minifat.is_empty() {
            return None;
        }
        let mini_max_id = c.file.max_id.saturating_mul(8);
        let mut owned = Bitset::new(mini_max_id + 1);
        walk(
            "",
            e.start,
            want,
            &c.minifat,
            &mut owned,
            mini_max_id,
            |id| mini_sector_size(c.mini_stream_len, id),
            |id, n| {
                // Short sector `id` is bytes id*64.. of the mini stream, which is the root
                // entry's chain; 64 divides the sector size, so it never straddles two sectors.
                let at = (id as usize).saturating_mul(MINI_SECTOR_LEN);
                let data = c
                    .mini_sectors
                    .get(at / c.file.len)
                    .map(|&s| c.file.data(s))
                    .unwrap_or(&[]);
                let part = data.get(at % c.file.len..).unwrap_or(&[]);
                out.extend_from_slice(part.get(..n).unwrap_or(part));
            },
        )
        .ok()?;
    } else {
        let mut owned = Bitset::new(c.file.max_id + 1);
        walk(
            "",
            e.start,
            want,
            &c.fat,
            &mut owned,
            c.file.max_id,
            |id| c.file.data(id).len(),
            |id, n| out.extend_from_slice(c.file.data(id).get(..n).unwrap_or(&[])),
        )
        .ok()?;
    }
    Some(out)
}

/// What calamine builds before it reads any stream: the FAT, the directory, the mini stream and
/// its FAT, each chain walked once.
struct Container<'a> {
    file: Sectors<'a>,
    fat: Vec<u32>,
    entries: Vec<Entry>,
    minifat: Vec<u32>,
    /// The root entry's chain (the mini stream), in order; empty without a MiniFAT.
    mini_sectors: Vec<u32>,
    mini_stream_len: usize,
    /// Sectors the chains walked so far use.
    owned: Bitset,
}

impl<'a> Container<'a> {
    fn open(bytes: &'a [u8]) -> Result<Container<'a>, Defect> {
        let header = bytes
            .get(..HEADER_LEN)
            .ok_or_else(|| defect("文件头不完整"))?;
        let sector_len = match u16_at(header, 30) {
            9 => 512,
            12 => 4096,
            _ => return Err(defect("文件头的扇区大小无效")),
        };
        if bytes.len() < sector_len {
            return Err(defect("文件头不完整"));
        }
        if u16_at(header, 32) != 6 {
            return Err(defect("文件头的短扇区大小无效"));
        }
        let file = Sectors {
            bytes,
            len: sector_len,
            // The highest id calamine accepts; that sector may lie partly or wholly past the end.
            max_id: bytes.len() / sector_len,
        };

        let fat = read_fat(&file, header)?;

        let mut owned = Bitset::new(file.max_id + 1);
        let size = |id: u32| file.data(id).len();
        let mut dir = Vec::new();
        walk(
            "目录",
            u32_at(header, 48),
            usize::MAX,
            &fat,
            &mut owned,
            file.max_id,
            size,
            |id, n| dir.extend_from_slice(file.data(id).get(..n).unwrap_or(&[])),
        )?;
        let entries: Vec<Entry> = dir
            .chunks_exact(DIR_ENTRY_LEN)
            .map(|e| Entry::parse(e, sector_len))
            .collect();
        let root = entries.first().ok_or_else(|| defect("目录为空"))?;

        // calamine loads the mini stream and its FAT only when the header counts MiniFAT
        // sectors; without them it has no short sectors, which the empty tables here stand for.
        let mut mini_stream_len = 0;
        let mut mini_sectors = Vec::new();
        let mut minifat_bytes = Vec::new();
        let minifat_sectors = u32_at(header, 64) as usize;
        if minifat_sectors > 0 {
            mini_stream_len = walk(
                "短流容器",
                root.start,
                root.len,
                &fat,
                &mut owned,
                file.max_id,
                size,
                |id, _| mini_sectors.push(id),
            )?;
            walk(
                "短流分配表",
                u32_at(header, 60),
                minifat_sectors.saturating_mul(sector_len),
                &fat,
                &mut owned,
                file.max_id,
                size,
                |id, n| minifat_bytes.extend_from_slice(file.data(id).get(..n).unwrap_or(&[])),
            )?;
        }
        let minifat: Vec<u32> = u32s(&minifat_bytes).collect();
        Ok(Container {
            file,
            fat,
            entries,
            minifat,
            mini_sectors,
            mini_stream_len,
            owned,
        })
    }
}

/// What calamine gets from short sector `id`: the part of it inside the mini stream.
fn mini_sector_size(mini_stream_len: usize, id: u32) -> usize {
    let start = (id as usize).saturating_mul(MINI_SECTOR_LEN);
    mini_stream_len.saturating_sub(start).min(MINI_SECTOR_LEN)
}

/// The file's sectors as calamine numbers them: sector `id` starts at `(id + 1) * len`.
struct Sectors<'a> {
    bytes: &'a [u8],
    len: usize,
    max_id: usize,
}

impl Sectors<'_> {
    /// The bytes of sector `id` that are in the file (a short or empty slice near the end).
    fn data(&self, id: u32) -> &[u8] {
        let start = (id as usize).saturating_add(1).saturating_mul(self.len);
        let end = start.saturating_add(self.len).min(self.bytes.len());
        self.bytes.get(start..end).unwrap_or(&[])
    }

    /// Sector `id` in full: table sectors are cut into 4-byte entries, and calamine panics on a
    /// table sector the file ends inside.
    fn full(&self, id: u32, what: &str) -> Result<&[u8], Defect> {
        if id as usize > self.max_id {
            return Err(defect(format!("{what}指向文件之外的扇区 {id}")));
        }
        let d = self.data(id);
        if d.len() == self.len {
            Ok(d)
        } else {
            Err(defect(format!("{what}所在的扇区 {id} 不完整，文件被截断")))
        }
    }
}

/// The FAT as calamine builds it: the sectors the DIFAT names, concatenated in DIFAT order.
fn read_fat(file: &Sectors<'_>, header: &[u8]) -> Result<Vec<u32>, Defect> {
    let mut difat: Vec<u32> = u32s(header.get(76..HEADER_LEN).unwrap_or(&[])).collect();
    let mut seen = Bitset::new(file.max_id + 1);
    let mut id = u32_at(header, 68);
    while id < RESERVED_SECTORS {
        let sector = file.full(id, "扩展分配表 DIFAT ")?;
        if !seen.insert(id as usize) {
            return Err(defect(format!(
                "扩展分配表 DIFAT 的扇区链在扇区 {id} 处成环"
            )));
        }
        difat.extend(u32s(sector));
        // The last entry of each DIFAT sector is the next DIFAT sector, not a FAT sector.
        let Some(next) = difat.pop() else { break };
        id = next;
    }
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
    // A file cannot hold more FAT sectors than it has sectors. The slack covers writers that pad
    // the header's and the last DIFAT sector's unused slots with 0 instead of FREESECT, which
    // calamine reads as sector 0 again. Without the bound, DIFAT sectors naming one sector over
    // and over would make calamine build a FAT up to 127 times the size of the file.
    let limit = file.max_id + 1 + DIFAT_IN_HEADER + file.len / 4;
    if fat_sectors.len() > limit {
        return Err(defect(format!(
            "分配表 FAT 声明了 {} 个扇区，超出文件大小",
            fat_sectors.len()
        )));
    }
    let mut fat = Vec::with_capacity(fat_sectors.len().saturating_mul(file.len / 4));
    for id in fat_sectors {
        fat.extend(u32s(file.full(id, "分配表 FAT ")?));
    }
    Ok(fat)
}

/// Follows a chain the way calamine's `get_chain` does: from `start` until ENDOFCHAIN or until
/// `len` bytes are gathered, with `next` as the table of successors. `size(id)` is what calamine
/// gets from sector `id`, at least: a sector the file ends inside counts short, so this walk goes
/// at least as far as calamine's. `sink(id, n)` takes the first `n` bytes of each sector used.
/// Each sector may be used once over all chains of one table (`owned`): that rules out loops,
/// and also two chains that merge, which no writer produces. Returns the bytes gathered.
#[allow(clippy::too_many_arguments)]
fn walk(
    what: &str,
    start: u32,
    len: usize,
    next: &[u32],
    owned: &mut Bitset,
    max_id: usize,
    size: impl Fn(u32) -> usize,
    mut sink: impl FnMut(u32, usize),
) -> Result<usize, Defect> {
    let mut got = 0usize;
    let mut id = start;
    while id != ENDOFCHAIN {
        if id as usize > max_id {
            return Err(defect(format!("{what}的扇区链指向文件之外的扇区 {id}")));
        }
        if len == 0 {
            // calamine touches the first sector of an empty chain and stops; nothing is read.
            break;
        }
        if !owned.insert(id as usize) {
            return Err(defect(format!(
                "{what}的扇区链在扇区 {id} 处成环或与其他数据重叠"
            )));
        }
        let n = size(id).min(len - got);
        sink(id, n);
        got += n;
        if got >= len {
            break;
        }
        // calamine indexes its table with the id unchecked: a missing entry is a panic there.
        id = *next
            .get(id as usize)
            .ok_or_else(|| defect(format!("{what}的扇区 {id} 在分配表中没有记录")))?;
    }
    Ok(got)
}

/// One directory entry, as much of it as calamine uses plus the object type.
struct Entry {
    /// The name as calamine decodes it: 32 UTF-16 units, cut at the first NUL.
    name: String,
    kind: u8,
    start: u32,
    len: usize,
}

impl Entry {
    fn parse(e: &[u8], sector_len: usize) -> Entry {
        let units: Vec<u16> = e
            .get(..64)
            .unwrap_or(&[])
            .chunks_exact(2)
            .map(|u| u16::from_le_bytes([u[0], u[1]]))
            .collect();
        let name: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .take_while(|&c| c != '\0')
            .collect();
        // calamine reads a 64-bit size only for 4096-byte sectors (version 4); version 3 files
        // may hold garbage in the high half.
        let len = if sector_len == 512 {
            u32_at(e, 120) as usize
        } else {
            usize::try_from(u64_at(e, 120)).unwrap_or(usize::MAX)
        };
        Entry {
            name,
            kind: e.get(66).copied().unwrap_or(0),
            start: u32_at(e, 116),
            len,
        }
    }

    fn is_named(&self, name: &str) -> bool {
        self.name.as_bytes().eq_ignore_ascii_case(name.as_bytes())
    }

    /// The name for a message: control characters (as in "\u{5}SummaryInformation") dropped.
    fn display_name(&self) -> String {
        self.name.chars().filter(|c| !c.is_control()).collect()
    }
}

/// One bit per sector id.
struct Bitset(Vec<u64>);

impl Bitset {
    fn new(bits: usize) -> Bitset {
        Bitset(vec![0; bits.div_ceil(64)])
    }

    /// Sets bit `i`; false when it was already set (or is out of range).
    fn insert(&mut self, i: usize) -> bool {
        match self.0.get_mut(i / 64) {
            Some(w) if *w & (1 << (i % 64)) == 0 => {
                *w |= 1 << (i % 64);
                true
            }
            _ => false,
        }
    }
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_le_bytes([x, y]),
        _ => 0,
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let lo = u32_at(b, at) as u64;
    let hi = u32_at(b, at + 4) as u64;
    lo | (hi << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREESECT: u32 = 0xFFFF_FFFF;
    const FATSECT: u32 = 0xFFFF_FFFD;
    const NOSTREAM: u32 = 0xFFFF_FFFF;

    /// Where the pieces of a file made by [`compound`] are.
    struct Made {
        bytes: Vec<u8>,
        /// First sector of each large stream, in the order given.
        big_start: Vec<u32>,
    }

    impl Made {
        fn set_fat(&mut self, index: u32, value: u32) {
            let at = 512 + 4 * index as usize;
            self.bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }

        /// MiniFAT entry `index` (the MiniFAT is sector 2).
        fn set_minifat(&mut self, index: u32, value: u32) {
            let at = 3 * 512 + 4 * index as usize;
            self.bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
    }

    /// A version 3 compound file laid out as writers do: sector 0 the FAT, 1 the directory,
    /// 2 the MiniFAT, then the mini stream, then each large stream. At most three streams and
    /// 128 sectors, which keeps the FAT and the directory one sector each.
    fn compound(streams: &[(&str, usize)]) -> Made {
        let mut fat = vec![FATSECT, ENDOFCHAIN, ENDOFCHAIN];
        let mut minifat: Vec<u32> = Vec::new();
        let mut mini = Vec::new();
        let mut big = Vec::new();
        let mut placed = Vec::new();
        for (i, &(_, len)) in streams.iter().enumerate() {
            let fill = b'a' + i as u8;
            if len < MINI_CUTOFF {
                let first = minifat.len() as u32;
                let n = len.div_ceil(MINI_SECTOR_LEN);
                for k in 0..n as u32 {
                    minifat.push(if k + 1 == n as u32 {
                        ENDOFCHAIN
                    } else {
                        first + k + 1
                    });
                }
                mini.resize(mini.len() + n * MINI_SECTOR_LEN, fill);
                placed.push((first, len, true));
            } else {
                placed.push((big.len() as u32, len, false));
                big.resize(big.len() + len.div_ceil(512) * 512, fill);
            }
        }
        let chain = |fat: &mut Vec<u32>, sectors: usize| -> u32 {
            let first = fat.len() as u32;
            for k in 0..sectors as u32 {
                fat.push(if k + 1 == sectors as u32 {
                    ENDOFCHAIN
                } else {
                    first + k + 1
                });
            }
            first
        };
        let mini_start = if mini.is_empty() {
            ENDOFCHAIN
        } else {
            chain(&mut fat, mini.len().div_ceil(512))
        };
        mini.resize(mini.len().div_ceil(512) * 512, 0);
        let big_base = fat.len() as u32;
        let mut big_start = Vec::new();
        let mut entries = Vec::new();
        for (i, &(first, len, small)) in placed.iter().enumerate() {
            let start = if small {
                first
            } else {
                let s = chain(&mut fat, len.div_ceil(512));
                big_start.push(s);
                debug_assert_eq!(s, big_base + first / 512);
                s
            };
            entries.push((streams[i].0, start, len));
        }
        assert!(fat.len() <= 128 && entries.len() <= 3);
        fat.resize(128, FREESECT);
        minifat.resize(128, FREESECT);

        let mut header = Vec::with_capacity(512);
        header.extend_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        header.extend_from_slice(&[0; 16]);
        for v in [0x3Eu16, 3, 0xFFFE, 9, 6] {
            header.extend_from_slice(&v.to_le_bytes());
        }
        header.extend_from_slice(&[0; 6]);
        let minifat_sectors = u32::from(!mini.is_empty());
        for v in [0u32, 1, 1, 0, 4096, 2, minifat_sectors, ENDOFCHAIN, 0, 0] {
            header.extend_from_slice(&v.to_le_bytes());
        }
        header.truncate(76);
        for _ in 0..DIFAT_IN_HEADER {
            header.extend_from_slice(&FREESECT.to_le_bytes());
        }
        header[76..80].copy_from_slice(&0u32.to_le_bytes());

        let entry = |name: &str, kind: u8, child: u32, start: u32, len: usize| {
            let mut e = vec![0u8; DIR_ENTRY_LEN];
            let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
            for (k, u) in units.iter().enumerate() {
                e[2 * k..2 * k + 2].copy_from_slice(&u.to_le_bytes());
            }
            e[64..66].copy_from_slice(&(2 * units.len() as u16).to_le_bytes());
            e[66] = kind;
            e[67] = 1;
            e[68..72].copy_from_slice(&NOSTREAM.to_le_bytes());
            e[72..76].copy_from_slice(&NOSTREAM.to_le_bytes());
            e[76..80].copy_from_slice(&child.to_le_bytes());
            e[116..120].copy_from_slice(&start.to_le_bytes());
            e[120..124].copy_from_slice(&(len as u32).to_le_bytes());
            e
        };
        let mut dir = entry("Root Entry", 5, 1, mini_start, mini.len());
        for (i, &(name, start, len)) in entries.iter().enumerate() {
            let mut e = entry(name, STREAM_OBJECT, NOSTREAM, start, len);
            // A right-leaning chain of siblings: a valid (if unbalanced) directory tree.
            let right = if i + 1 < entries.len() {
                i as u32 + 2
            } else {
                NOSTREAM
            };
            e[72..76].copy_from_slice(&right.to_le_bytes());
            dir.extend(e);
        }
        dir.resize(512, 0);

        let mut bytes = header;
        bytes.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
        bytes.extend(dir);
        bytes.extend(minifat.iter().flat_map(|v| v.to_le_bytes()));
        bytes.extend(mini);
        bytes.extend(big);
        Made { bytes, big_start }
    }

    fn refused(bytes: &[u8]) -> String {
        match check(bytes) {
            Ok(()) => panic!("accepted"),
            Err(d) => d.to_string(),
        }
    }

    #[test]
    fn sound_files_pass() {
        let made = compound(&[("Workbook", 5000), ("\u{5}SummaryInformation", 200)]);
        assert_eq!(check(&made.bytes), Ok(()));
        // Written by the corpus script (BIFF5 by hand), by xlwt, by LibreOffice, by WPS or Excel
        // (the 华宁县 sample), and msoffcrypto's encrypted xlsx.
        for bytes in [
            &include_bytes!("../../tests/fixtures/hostile/formats/biff5_gbk.xls")[..],
            include_bytes!("../../tests/fixtures/hostile/huge/dimensions_0x7fffffff.xls"),
            include_bytes!("../../tests/fixtures/external/lo_xls/libreoffice_two_row_header.xls"),
            include_bytes!("../../tests/fixtures/external/mixed/华宁县人民调解个案补贴申报表.xls"),
            include_bytes!("../../tests/fixtures/hostile/encrypted.xlsx"),
        ] {
            assert_eq!(check(bytes), Ok(()));
        }
    }

    #[test]
    fn a_workbook_stream_is_told_from_other_compound_files() {
        let book = compound(&[("Workbook", 5000), ("\u{5}SummaryInformation", 200)]);
        assert_eq!(holds_workbook(&book.bytes), Ok(true));
        let biff5 = compound(&[("Book", 5000)]);
        assert_eq!(holds_workbook(&biff5.bytes), Ok(true));
        // A Word 97 document; an encrypted OOXML package may be a .docx as well as an .xlsx.
        let doc = compound(&[("WordDocument", 5000), ("1Table", 300)]);
        assert_eq!(holds_workbook(&doc.bytes), Ok(false));
        let encrypted = include_bytes!("../../tests/fixtures/hostile/encrypted.xlsx");
        assert_eq!(holds_workbook(encrypted), Ok(false));
        let lo =
            include_bytes!("../../tests/fixtures/external/lo_xls/libreoffice_two_row_header.xls");
        assert_eq!(holds_workbook(lo), Ok(true));
    }

    #[test]
    fn a_looping_chain_is_refused() {
        // The fuzzer's case: the directory sector is its own successor.
        let mut made = compound(&[("Workbook", 5000)]);
        made.set_fat(1, 1);
        let msg = refused(&made.bytes);
        assert!(msg.contains("目录") && msg.contains("成环"), "{msg}");

        // A stream whose next-to-last sector leads back into its middle.
        let mut made = compound(&[("Workbook", 5000)]);
        let s = made.big_start[0];
        made.set_fat(s + 8, s + 3);
        let msg = refused(&made.bytes);
        assert!(msg.contains("Workbook") && msg.contains("成环"), "{msg}");

        // A short stream looping in the MiniFAT.
        let mut made = compound(&[("Workbook", 5000), ("Book", 300)]);
        made.set_minifat(3, 1);
        let msg = refused(&made.bytes);
        assert!(msg.contains("Book") && msg.contains("成环"), "{msg}");

        // The corpus files: the fuzzer's directory cycle and a workbook stream that loops.
        for bytes in [
            &include_bytes!("../../tests/fixtures/hostile/broken/ole_directory_cycle.xls")[..],
            include_bytes!("../../tests/fixtures/hostile/broken/ole_stream_chain_loop.xls"),
        ] {
            assert!(refused(bytes).contains("成环"));
        }

        // Two streams sharing their tail.
        let mut made = compound(&[("Workbook", 5000), ("Ole", 4096)]);
        let (a, b) = (made.big_start[0], made.big_start[1]);
        made.set_fat(b + 3, a + 5);
        assert!(refused(&made.bytes).contains("Ole"));
    }

    #[test]
    fn a_chain_that_loops_only_after_its_length_passes() {
        // calamine stops at the stream's length and never follows the last link.
        let mut made = compound(&[("Workbook", 4096)]);
        let s = made.big_start[0];
        made.set_fat(s + 7, s);
        assert_eq!(check(&made.bytes), Ok(()));
    }

    #[test]
    fn an_out_of_range_sector_is_refused() {
        let mut made = compound(&[("Workbook", 5000)]);
        let s = made.big_start[0];
        made.set_fat(s + 2, 5000);
        let msg = refused(&made.bytes);
        assert!(
            msg.contains("Workbook") && msg.contains("文件之外的扇区 5000"),
            "{msg}"
        );

        // A FAT sector beyond the end of the file.
        let mut made = compound(&[("Workbook", 5000)]);
        made.bytes[80..84].copy_from_slice(&900u32.to_le_bytes());
        assert!(refused(&made.bytes).contains("分配表 FAT"));

        // A directory chain running off the FAT: a sector in the file, past the FAT's 128 entries.
        let mut made = compound(&[("Workbook", 5000)]);
        made.bytes.resize(made.bytes.len() + 140 * 512, 0);
        made.set_fat(1, 129);
        assert!(refused(&made.bytes).contains("没有记录"));
    }

    #[test]
    fn a_bloated_or_looping_difat_is_refused() {
        // Nine DIFAT sectors, chained, each naming sector 0 as a FAT sector 127 times: calamine
        // would read the FAT over and over; the count gives it away.
        let mut made = compound(&[("Workbook", 5000)]);
        let s = made.big_start[0];
        for k in 0..9u32 {
            let at = (s + k + 1) as usize * 512;
            made.bytes[at..at + 512].fill(0);
            let next = if k == 8 { ENDOFCHAIN } else { s + k + 1 };
            made.bytes[at + 508..at + 512].copy_from_slice(&next.to_le_bytes());
        }
        made.bytes[68..72].copy_from_slice(&s.to_le_bytes());
        made.bytes[80..512].fill(0);
        assert!(refused(&made.bytes).contains("超出文件大小"));

        let mut made = compound(&[("Workbook", 5000)]);
        let at = (s + 1) as usize * 512;
        made.bytes[at + 508..at + 512].copy_from_slice(&s.to_le_bytes());
        made.bytes[68..72].copy_from_slice(&s.to_le_bytes());
        assert!(refused(&made.bytes).contains("DIFAT"));
    }

    #[test]
    fn the_workbook_head_is_the_stream_calamine_reads() {
        // A short stream lives in the mini stream, which starts at sector 3 here.
        let mut made = compound(&[("Workbook", 300)]);
        let pattern: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
        made.bytes[4 * 512..4 * 512 + 300].copy_from_slice(&pattern);
        assert_eq!(
            workbook_head(&made.bytes, 1000).as_deref(),
            Some(&pattern[..])
        );
        assert_eq!(
            workbook_head(&made.bytes, 10).as_deref(),
            Some(&pattern[..10])
        );

        // A large stream is read in chain order, not file order.
        let mut made = compound(&[("Workbook", 5000)]);
        let s = made.big_start[0];
        for k in 0..10u32 {
            let at = (s + k + 1) as usize * 512;
            made.bytes[at..at + 512].fill(k as u8);
        }
        made.set_fat(s, s + 2);
        made.set_fat(s + 2, s + 1);
        made.set_fat(s + 1, s + 3);
        assert_eq!(check(&made.bytes), Ok(()));
        let head = workbook_head(&made.bytes, 2048).unwrap();
        let firsts: Vec<u8> = head.chunks(512).map(|c| c[0]).collect();
        assert_eq!(firsts, [0, 2, 1, 3]);

        // "Workbook" before "Book", whatever the order of the entries; neither: nothing.
        let made = compound(&[("Book", 4096), ("Workbook", 5000)]);
        assert_eq!(workbook_head(&made.bytes, 4).unwrap(), b"bbbb");
        let made = compound(&[("Book", 4096)]);
        assert_eq!(workbook_head(&made.bytes, 4).unwrap(), b"aaaa");
        let made = compound(&[("Other", 5000)]);
        assert_eq!(workbook_head(&made.bytes, 4), None);

        // The real files start with their BOF record: BIFF8 (0x0600) or BIFF5 (0x0500).
        for (bytes, version) in [
            (
                &include_bytes!(
                    "../../tests/fixtures/external/lo_xls/libreoffice_two_row_header.xls"
                )[..],
                [0x00, 0x06],
            ),
            (
                include_bytes!("../../tests/fixtures/hostile/formats/biff5_gbk.xls"),
                [0x00, 0x05],
            ),
        ] {
            let head = workbook_head(bytes, 64).unwrap();
            assert_eq!(head.len(), 64);
            assert_eq!(head[..2], [0x09, 0x08]);
            assert_eq!(head[4..6], version);
        }
    }

    #[test]
    fn broken_headers_are_refused() {
        let made = compound(&[("Workbook", 5000)]);
        assert!(refused(&made.bytes[..300]).contains("文件头"));
        let mut b = made.bytes.clone();
        b[30] = 10;
        assert!(refused(&b).contains("扇区大小"));
        let mut b = made.bytes;
        b[32] = 7;
        assert!(refused(&b).contains("短扇区大小"));
    }
}
