//! The zip reader. It reads the central directory (from the end record, which must end the
//! file), checks every central header, then walks the file once from offset 0: each local
//! header must sit exactly where the previous entry ended, agree with its central header, and
//! its data must decompress to exactly the declared size and CRC-32. The central directory
//! must follow the last entry without a gap and the end record must end the file.

use std::io::{self, Read as _, SeekFrom};

use super::inflate::Inflate;
use super::names::MAX_NAME_BYTES;
use super::source::BUF_LEN;
use super::{Collector, Fail, ReadSeek, Source, entry_problem, problem};
use crate::report::Code;

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const EOCD_LEN: u64 = 22;
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_EOCD_LEN: u64 = 56;
const LOCAL_LEN: usize = 30;
const CENTRAL_LEN: usize = 46;
const MAX_COMMENT: u64 = 0xFFFF;
const U32_SENTINEL: u32 = 0xFFFF_FFFF;
const U16_SENTINEL: u16 = 0xFFFF;

/// General-purpose flag bits.
const FLAG_ENCRYPTED: u16 = 0x0001;
const FLAG_DATA_DESCRIPTOR: u16 = 0x0008;
const FLAG_STRONG_ENCRYPTION: u16 = 0x0040;
const FLAG_UTF8: u16 = 0x0800;
const FLAG_MASKED_HEADERS: u16 = 0x2000;
/// Flags a reader may accept: deflate option bits 1-2 and the UTF-8 name flag.
const FLAGS_ALLOWED: u16 = 0x0002 | 0x0004 | FLAG_UTF8;

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const METHOD_AES: u16 = 99;

/// Little-endian field reader over a byte slice; `None` past the end.
struct Le<'a> {
    buf: &'a [u8],
}

impl<'a> Le<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Le { buf }
    }
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.buf.split_at_checked(n)?;
        self.buf = rest;
        Some(head)
    }
    fn u16(&mut self) -> Option<u16> {
        self.bytes(2)
            .map(|b| u16::from_le_bytes(b.try_into().expect("two bytes")))
    }
    fn u32(&mut self) -> Option<u32> {
        self.bytes(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")))
    }
    fn u64(&mut self) -> Option<u64> {
        self.bytes(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
    }
    fn rest(&self) -> usize {
        self.buf.len()
    }
}

/// The header fields a local header must repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Common {
    version_needed: u16,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
}

#[derive(Debug)]
struct Central {
    name: Vec<u8>,
    path: String,
    common: Common,
    offset: u64,
}

#[derive(Debug)]
struct Directory {
    entries: Vec<Central>,
    cd_offset: u64,
    /// Everything from the start of the central directory to the end of the file, as read
    /// through the seek; compared with the same bytes read by the sequential pass.
    trailer: Vec<u8>,
}

/// Read a whole zip: returns the outcome, the file size and its SHA-256.
pub(super) fn scan(
    input: &mut dyn ReadSeek,
    collector: &mut Collector<'_>,
) -> io::Result<(Result<(), Fail>, u64, [u8; 32])> {
    let directory = match read_directory(input, collector) {
        Err(Fail::Io(e)) => return Err(e),
        other => other,
    };
    input.seek(SeekFrom::Start(0))?;
    let mut src = Source::new(input);
    let outcome = match directory {
        Ok(dir) => read_entries(&mut src, &dir, collector),
        Err(fail) => Err(fail),
    };
    if let Err(Fail::Io(e)) = outcome {
        return Err(e);
    }
    let (size, sha256) = src.finish()?;
    Ok((outcome, size, sha256))
}

fn read_at(input: &mut dyn ReadSeek, offset: u64, len: u64) -> Result<Vec<u8>, Fail> {
    input.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    input.take(len).read_to_end(&mut buf)?;
    if (buf.len() as u64) < len {
        return Err(problem(Code::Truncated, "the file ended while being read"));
    }
    Ok(buf)
}

/// Find and check the end records, read the central directory and check every entry in it.
fn read_directory(
    input: &mut dyn ReadSeek,
    collector: &mut Collector<'_>,
) -> Result<Directory, Fail> {
    let len = input.seek(SeekFrom::End(0))?;
    let head = read_at(input, 0, len.min(4))?;
    let starts_like_zip = head == b"PK\x03\x04";
    if len < EOCD_LEN {
        return Err(problem(
            if starts_like_zip {
                Code::Truncated
            } else {
                Code::NotAnArchive
            },
            format!("{len} bytes: too short for a zip file"),
        ));
    }
    let tail_len = len.min(EOCD_LEN + MAX_COMMENT);
    let tail = read_at(input, len - tail_len, tail_len)?;
    let eocd_at = tail.len() - EOCD_LEN as usize;
    let eocd = tail
        .get(eocd_at..)
        .expect("tail holds at least the end record");
    let strict = eocd.starts_with(&EOCD_SIG.to_le_bytes()) && eocd.ends_with(&[0, 0]);
    if !strict {
        return Err(diagnose_tail(&tail, starts_like_zip));
    }
    let eocd_pos = len - EOCD_LEN;
    let mut r = Le::new(eocd.get(4..).expect("22 bytes"));
    let fields = (|| Some((r.u16()?, r.u16()?, r.u16()?, r.u16()?, r.u32()?, r.u32()?)))();
    let (disk, cd_disk, entries_disk, entries, cd_size32, cd_offset32) =
        fields.expect("the end record has fixed-size fields");
    if disk != 0 || cd_disk != 0 || entries_disk != entries {
        return Err(problem(
            Code::MultiDisk,
            "split (multi-disk) zip archives are not supported",
        ));
    }
    let needs_zip64 =
        entries == U16_SENTINEL || cd_size32 == U32_SENTINEL || cd_offset32 == U32_SENTINEL;
    let (entries, cd_size, cd_offset, cd_end) = if needs_zip64 {
        zip64_end(input, eocd_pos, entries, cd_size32, cd_offset32)?
    } else {
        (
            u64::from(entries),
            u64::from(cd_size32),
            u64::from(cd_offset32),
            eocd_pos,
        )
    };
    if entries > collector.limits().max_entries {
        return Err(problem(
            Code::TooManyEntries,
            format!(
                "{entries} entries, above the limit of {}",
                collector.limits().max_entries
            ),
        ));
    }
    match cd_offset.checked_add(cd_size) {
        Some(end) if end == cd_end => {}
        Some(end) if end < cd_end => {
            // Data prepended without adjusting the offsets (`cat stub.bin package.zip`): the
            // central directory sits exactly `cd_end - end` bytes later than recorded.
            let shifted = read_at(input, cd_end - cd_size, 4.min(cd_size))?;
            if shifted == CENTRAL_SIG.to_le_bytes() {
                return Err(problem(
                    Code::PrependedData,
                    format!(
                        "{} bytes before the archive (the zip offsets do not account for them)",
                        cd_end - end
                    ),
                ));
            }
            return Err(problem(
                Code::LayoutGap,
                format!(
                    "{} unaccounted bytes between the central directory and the end record",
                    cd_end - end
                ),
            ));
        }
        _ => {
            return Err(problem(
                Code::Corrupt,
                "the central directory runs past its end record",
            ));
        }
    }
    let max_cd = entries.saturating_mul((CENTRAL_LEN + MAX_NAME_BYTES + 64) as u64);
    if cd_size > max_cd {
        return Err(problem(
            Code::Corrupt,
            format!(
                "central directory of {cd_size} bytes is larger than {entries} entries can need"
            ),
        ));
    }
    let trailer = read_at(input, cd_offset, len - cd_offset)?;
    let cd = trailer
        .get(..usize::try_from(cd_size).expect("bounded by the file read into memory"))
        .expect("the trailer starts with the central directory");
    let mut r = Le::new(cd);
    let mut parsed: Vec<Central> = Vec::new();
    for index in 0..entries {
        let entry = parse_central(&mut r, index, collector)?;
        match parsed.last() {
            None if entry.offset != 0 => {
                return Err(problem(
                    Code::PrependedData,
                    format!("{} bytes before the first entry", entry.offset),
                ));
            }
            Some(prev) if entry.offset <= prev.offset => {
                return Err(entry_problem(
                    Code::LayoutGap,
                    &entry.name,
                    "the central directory is not in file order, or entries overlap",
                ));
            }
            _ => {}
        }
        parsed.push(entry);
    }
    if r.rest() != 0 {
        return Err(problem(
            Code::Corrupt,
            format!("{} bytes after the last central directory entry", r.rest()),
        ));
    }
    Ok(Directory {
        entries: parsed,
        cd_offset,
        trailer,
    })
}

/// Why the file does not end with an empty-comment end record.
fn diagnose_tail(tail: &[u8], starts_like_zip: bool) -> Fail {
    let sig = EOCD_SIG.to_le_bytes();
    let found = tail
        .windows(4)
        .rposition(|w| w == sig)
        .filter(|&i| i + EOCD_LEN as usize <= tail.len());
    match found {
        Some(i) => {
            let comment = tail
                .get(i + 20..i + 22)
                .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
            let after = tail.len() - i - EOCD_LEN as usize;
            if comment > 0 {
                problem(
                    Code::AppendedData,
                    format!(
                        "archive comment of {comment} bytes ({after} bytes after the end record); the package writer never writes one"
                    ),
                )
            } else {
                problem(
                    Code::AppendedData,
                    format!("{after} bytes after the end of central directory record"),
                )
            }
        }
        None if starts_like_zip => problem(
            Code::Truncated,
            "no end of central directory record: the zip file is truncated",
        ),
        None => problem(
            Code::NotAnArchive,
            "not a zip file (no end of central directory record)",
        ),
    }
}

/// Read the zip64 locator and end record that must precede the end record at `eocd_pos`.
fn zip64_end(
    input: &mut dyn ReadSeek,
    eocd_pos: u64,
    entries16: u16,
    cd_size32: u32,
    cd_offset32: u32,
) -> Result<(u64, u64, u64, u64), Fail> {
    let corrupt = |msg: &str| problem(Code::Corrupt, format!("zip64 end records: {msg}"));
    let Some(locator_pos) = eocd_pos.checked_sub(ZIP64_LOCATOR_LEN) else {
        return Err(corrupt("no room for the zip64 locator"));
    };
    let locator = read_at(input, locator_pos, ZIP64_LOCATOR_LEN)?;
    let mut r = Le::new(&locator);
    let (sig, disk, record_pos, disks) =
        (|| Some((r.u32()?, r.u32()?, r.u64()?, r.u32()?)))().expect("20 bytes were read");
    if sig != ZIP64_LOCATOR_SIG {
        return Err(corrupt(
            "the end record needs zip64 values but there is no zip64 locator",
        ));
    }
    if disk != 0 || disks > 1 {
        return Err(problem(
            Code::MultiDisk,
            "split (multi-disk) zip archives are not supported",
        ));
    }
    if record_pos.checked_add(ZIP64_EOCD_LEN) != Some(locator_pos) {
        return Err(corrupt(
            "the zip64 end record does not end where the locator starts",
        ));
    }
    let record = read_at(input, record_pos, ZIP64_EOCD_LEN)?;
    let mut r = Le::new(&record);
    let fields = (|| {
        Some((
            r.u32()?,
            r.u64()?,
            r.u16()?,
            r.u16()?,
            r.u32()?,
            r.u32()?,
            r.u64()?,
            r.u64()?,
            r.u64()?,
            r.u64()?,
        ))
    })();
    let (sig, size, _made_by, _needed, disk, cd_disk, entries_disk, entries, cd_size, cd_offset) =
        fields.expect("56 bytes were read");
    if sig != ZIP64_EOCD_SIG || size != ZIP64_EOCD_LEN - 12 {
        return Err(corrupt("bad zip64 end of central directory record"));
    }
    if disk != 0 || cd_disk != 0 || entries_disk != entries {
        return Err(problem(
            Code::MultiDisk,
            "split (multi-disk) zip archives are not supported",
        ));
    }
    let agrees = (entries16 == U16_SENTINEL || u64::from(entries16) == entries)
        && (cd_size32 == U32_SENTINEL || u64::from(cd_size32) == cd_size)
        && (cd_offset32 == U32_SENTINEL || u64::from(cd_offset32) == cd_offset);
    if !agrees {
        return Err(problem(
            Code::HeaderMismatch,
            "the end record and the zip64 end record disagree",
        ));
    }
    Ok((entries, cd_size, cd_offset, record_pos))
}

/// Parse and check one central directory header.
fn parse_central(
    r: &mut Le<'_>,
    index: u64,
    collector: &mut Collector<'_>,
) -> Result<Central, Fail> {
    let truncated = || {
        problem(
            Code::Corrupt,
            format!("central directory entry {index} runs past the end of the directory"),
        )
    };
    let fixed = r.bytes(CENTRAL_LEN).ok_or_else(truncated)?;
    let mut f = Le::new(fixed);
    let v = (|| {
        Some((
            f.u32()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u32()?,
            f.u32()?,
            f.u32()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u32()?,
            f.u32()?,
        ))
    })();
    let (
        sig,
        made_by,
        version_needed,
        flags,
        method,
        time,
        date,
        crc,
        csize32,
        usize32,
        name_len,
        extra_len,
        comment_len,
        disk,
        _internal,
        external,
        offset32,
    ) = v.expect("46 bytes");
    if sig != CENTRAL_SIG {
        return Err(problem(
            Code::Corrupt,
            format!("central directory entry {index} has no central header signature"),
        ));
    }
    let name = r.bytes(usize::from(name_len)).ok_or_else(truncated)?;
    let extra = r.bytes(usize::from(extra_len)).ok_or_else(truncated)?;
    r.bytes(usize::from(comment_len)).ok_or_else(truncated)?;

    if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS) != 0
        || method == METHOD_AES
    {
        return Err(entry_problem(Code::Encrypted, name, "encrypted entry"));
    }
    if comment_len != 0 {
        return Err(entry_problem(
            Code::EntryComment,
            name,
            format!("entry comment of {comment_len} bytes; the package writer never writes one"),
        ));
    }
    if usize::from(name_len) > MAX_NAME_BYTES {
        return Err(entry_problem(
            Code::NameTooLong,
            name,
            format!("name of {name_len} bytes, above {MAX_NAME_BYTES}"),
        ));
    }
    check_file_type(made_by, external, name)?;
    if flags & FLAG_DATA_DESCRIPTOR != 0 {
        return Err(entry_problem(
            Code::UnsupportedFlags,
            name,
            "uses a data descriptor (streamed zip); the package writer never does",
        ));
    }
    if flags & !FLAGS_ALLOWED != 0 {
        return Err(entry_problem(
            Code::UnsupportedFlags,
            name,
            format!(
                "general-purpose flags 0x{:04x} the package writer never sets",
                flags & !FLAGS_ALLOWED
            ),
        ));
    }
    if method != METHOD_STORED && method != METHOD_DEFLATE {
        return Err(entry_problem(
            Code::UnsupportedMethod,
            name,
            format!("compression method {method} (only stored and deflate are used)"),
        ));
    }
    if flags & FLAG_UTF8 == 0 && !name.is_ascii() {
        return Err(entry_problem(
            Code::NonUtf8Name,
            name,
            "non-ASCII name without the UTF-8 flag (zip tools would read it as CP437)",
        ));
    }
    let zip64 = parse_extra(
        extra,
        Need {
            uncompressed: usize32 == U32_SENTINEL,
            compressed: csize32 == U32_SENTINEL,
            offset: offset32 == U32_SENTINEL,
            disk: disk == U16_SENTINEL,
        },
        name,
    )?;
    if zip64.disk.unwrap_or(u32::from(disk)) != 0 {
        return Err(entry_problem(
            Code::MultiDisk,
            name,
            "entry on another disk",
        ));
    }
    let uncompressed = zip64.uncompressed.unwrap_or(u64::from(usize32));
    let compressed = zip64.compressed.unwrap_or(u64::from(csize32));
    let offset = zip64.offset.unwrap_or(u64::from(offset32));
    let path = collector.announce(name, uncompressed)?;
    if method == METHOD_STORED && compressed != uncompressed {
        return Err(entry_problem(
            Code::SizeMismatch,
            name,
            format!(
                "stored entry with compressed size {compressed} but uncompressed size {uncompressed}"
            ),
        ));
    }
    if collector.limits().ratio_exceeded(uncompressed, compressed) {
        return Err(entry_problem(
            Code::CompressionRatio,
            name,
            format!(
                "{uncompressed} bytes from {compressed} compressed bytes, a ratio above the limit of {}",
                collector.limits().max_ratio
            ),
        ));
    }
    Ok(Central {
        name: name.to_vec(),
        path,
        common: Common {
            version_needed,
            flags,
            method,
            time,
            date,
            crc,
            compressed,
            uncompressed,
        },
        offset,
    })
}

/// Reject links, folders and special files, from the Unix mode or the DOS attributes.
fn check_file_type(made_by: u16, external: u32, name: &[u8]) -> Result<(), Fail> {
    const UNIX: u16 = 3;
    const OSX: u16 = 19;
    const DOS_DIRECTORY: u32 = 0x10;
    let host = made_by >> 8;
    if host == UNIX || host == OSX {
        let mode = external >> 16;
        let rejected = match mode & 0o170_000 {
            0 | 0o100_000 => None,
            0o120_000 => Some((Code::Symlink, "symbolic link")),
            0o040_000 => Some((
                Code::Directory,
                "directory entry (the package stores files only)",
            )),
            0o020_000 => Some((Code::Device, "character device")),
            0o060_000 => Some((Code::Device, "block device")),
            0o140_000 => Some((Code::Device, "socket")),
            0o010_000 => Some((Code::Fifo, "named pipe (FIFO)")),
            _ => Some((Code::UnsupportedEntryType, "unknown Unix file type")),
        };
        if let Some((code, msg)) = rejected {
            return Err(entry_problem(code, name, msg));
        }
    }
    if external & DOS_DIRECTORY != 0 {
        return Err(entry_problem(
            Code::Directory,
            name,
            "directory entry (the package stores files only)",
        ));
    }
    Ok(())
}

/// Which header fields hold the zip64 sentinel and so must come from the zip64 extra field.
#[derive(Debug, Clone, Copy)]
struct Need {
    uncompressed: bool,
    compressed: bool,
    offset: bool,
    disk: bool,
}

#[derive(Debug, Default)]
struct Zip64 {
    uncompressed: Option<u64>,
    compressed: Option<u64>,
    offset: Option<u64>,
    disk: Option<u32>,
}

/// Parse the extra fields: only a zip64 field carrying exactly the values the header marks
/// (APPNOTE 4.5.3) is accepted; anything else is reported.
fn parse_extra(extra: &[u8], need: Need, name: &[u8]) -> Result<Zip64, Fail> {
    let mut r = Le::new(extra);
    let mut zip64: Option<Zip64> = None;
    while r.rest() > 0 {
        let header = (|| Some((r.u16()?, r.u16()?)))();
        let Some((id, size)) = header else {
            return Err(entry_problem(
                Code::Corrupt,
                name,
                "truncated extra field header",
            ));
        };
        let Some(data) = r.bytes(usize::from(size)) else {
            return Err(entry_problem(
                Code::Corrupt,
                name,
                format!("extra field 0x{id:04x} runs past the end of the extra data"),
            ));
        };
        match id {
            0x0001 if zip64.is_none() => {
                let mut d = Le::new(data);
                let mut z = Zip64::default();
                let mut ok = true;
                if need.uncompressed {
                    z.uncompressed = d.u64();
                    ok &= z.uncompressed.is_some();
                }
                if need.compressed {
                    z.compressed = d.u64();
                    ok &= z.compressed.is_some();
                }
                if need.offset {
                    z.offset = d.u64();
                    ok &= z.offset.is_some();
                }
                if need.disk {
                    z.disk = d.u32();
                    ok &= z.disk.is_some();
                }
                if !ok || d.rest() != 0 {
                    return Err(entry_problem(
                        Code::Corrupt,
                        name,
                        format!(
                            "zip64 extra field of {size} bytes does not hold exactly the values its header marks"
                        ),
                    ));
                }
                zip64 = Some(z);
            }
            0x0001 => {
                return Err(entry_problem(
                    Code::UnexpectedExtraField,
                    name,
                    "two zip64 extra fields",
                ));
            }
            0x9901 => return Err(entry_problem(Code::Encrypted, name, "AES-encrypted entry")),
            other => {
                return Err(entry_problem(
                    Code::UnexpectedExtraField,
                    name,
                    format!(
                        "extra field 0x{other:04x}{} is never written by the package writer",
                        extra_field_name(other)
                    ),
                ));
            }
        }
    }
    let needed = need.uncompressed || need.compressed || need.offset || need.disk;
    match zip64 {
        None if needed => Err(entry_problem(
            Code::Corrupt,
            name,
            "header marks zip64 values but has no zip64 extra field",
        )),
        Some(_) if !needed => Err(entry_problem(
            Code::UnexpectedExtraField,
            name,
            "zip64 extra field although no header value needs it",
        )),
        z => Ok(z.unwrap_or_default()),
    }
}

fn extra_field_name(id: u16) -> &'static str {
    match id {
        0x000a => " (NTFS times)",
        0x5455 => " (extended timestamp)",
        0x5855 => " (Info-ZIP Unix, old)",
        0x7855 => " (Info-ZIP Unix)",
        0x7875 => " (Info-ZIP Unix uid/gid)",
        0x6375 => " (Info-ZIP Unicode comment)",
        0x7075 => " (Info-ZIP Unicode path)",
        0xcafe => " (Java JAR marker)",
        _ => "",
    }
}

/// Walk the file from offset 0: every local header, every entry's data, then the central
/// directory and end records, each exactly where expected.
fn read_entries(
    src: &mut Source<'_>,
    dir: &Directory,
    collector: &mut Collector<'_>,
) -> Result<(), Fail> {
    let mut out = vec![0u8; BUF_LEN];
    let mut inflate = Inflate::new();
    for entry in &dir.entries {
        let pos = src.position();
        if pos != entry.offset {
            let msg = if pos < entry.offset {
                format!("{} unaccounted bytes before this entry", entry.offset - pos)
            } else {
                "this entry overlaps the previous one".to_owned()
            };
            return Err(entry_problem(Code::LayoutGap, &entry.name, msg));
        }
        read_local_header(src, entry)?;
        let data_end = src.position().checked_add(entry.common.compressed);
        if data_end.is_none_or(|end| end > dir.cd_offset) {
            return Err(entry_problem(
                Code::LayoutGap,
                &entry.name,
                "the entry's data runs into the central directory",
            ));
        }
        read_data(src, entry, collector, &mut inflate, &mut out)?;
    }
    let pos = src.position();
    if pos != dir.cd_offset {
        return Err(problem(
            Code::LayoutGap,
            format!(
                "{} unaccounted bytes between the last entry and the central directory",
                dir.cd_offset.saturating_sub(pos)
            ),
        ));
    }
    // The central directory and end records, read again in sequence, must be the bytes that
    // were parsed: otherwise the file changed while it was read.
    let mut same = true;
    let mut at = 0usize;
    let streamed = src.stream(dir.trailer.len() as u64, &mut |chunk| {
        same &= dir.trailer.get(at..at + chunk.len()) == Some(chunk);
        at += chunk.len();
    })?;
    if !same || streamed != dir.trailer.len() as u64 || !src.at_end()? {
        return Err(problem(
            Code::Corrupt,
            "the archive changed while it was being read",
        ));
    }
    Ok(())
}

fn read_local_header(src: &mut Source<'_>, entry: &Central) -> Result<(), Fail> {
    let name = &entry.name;
    let mut fixed = [0u8; LOCAL_LEN];
    if !src.read_exact(&mut fixed)? {
        return Err(entry_problem(
            Code::Truncated,
            name,
            "the file ends inside the local header",
        ));
    }
    let mut f = Le::new(&fixed);
    let v = (|| {
        Some((
            f.u32()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u16()?,
            f.u32()?,
            f.u32()?,
            f.u32()?,
            f.u16()?,
            f.u16()?,
        ))
    })();
    let (
        sig,
        version_needed,
        flags,
        method,
        time,
        date,
        crc,
        csize32,
        usize32,
        name_len,
        extra_len,
    ) = v.expect("30 bytes");
    if sig != LOCAL_SIG {
        return Err(entry_problem(
            Code::Corrupt,
            name,
            format!("no local header at offset {}", entry.offset),
        ));
    }
    if usize::from(name_len) > MAX_NAME_BYTES {
        return Err(entry_problem(
            Code::HeaderMismatch,
            name,
            format!("local header name of {name_len} bytes differs from the central directory's"),
        ));
    }
    let mut local_name = vec![0u8; usize::from(name_len)];
    let mut extra = vec![0u8; usize::from(extra_len)];
    if !src.read_exact(&mut local_name)? || !src.read_exact(&mut extra)? {
        return Err(entry_problem(
            Code::Truncated,
            name,
            "the file ends inside the local header",
        ));
    }
    if local_name != *name {
        return Err(entry_problem(
            Code::HeaderMismatch,
            name,
            format!(
                "the local header names `{}`",
                crate::report::printable(&String::from_utf8_lossy(&local_name), 300)
            ),
        ));
    }
    let zip64 = parse_extra(
        &extra,
        Need {
            uncompressed: usize32 == U32_SENTINEL,
            compressed: csize32 == U32_SENTINEL,
            offset: false,
            disk: false,
        },
        name,
    )?;
    let local = Common {
        version_needed,
        flags,
        method,
        time,
        date,
        crc,
        compressed: zip64.compressed.unwrap_or(u64::from(csize32)),
        uncompressed: zip64.uncompressed.unwrap_or(u64::from(usize32)),
    };
    let c = &entry.common;
    let mut differ = Vec::new();
    let mut cmp = |field: &str, l: u64, c: u64| {
        if l != c {
            differ.push(format!("{field} {l} vs {c}"));
        }
    };
    cmp(
        "version needed",
        local.version_needed.into(),
        c.version_needed.into(),
    );
    cmp("flags", local.flags.into(), c.flags.into());
    cmp("method", local.method.into(), c.method.into());
    cmp("time", local.time.into(), c.time.into());
    cmp("date", local.date.into(), c.date.into());
    cmp("crc-32", local.crc.into(), c.crc.into());
    cmp("compressed size", local.compressed, c.compressed);
    cmp("uncompressed size", local.uncompressed, c.uncompressed);
    if !differ.is_empty() {
        return Err(entry_problem(
            Code::HeaderMismatch,
            name,
            format!(
                "local and central headers disagree (local vs central): {}",
                differ.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Decompress and hash one entry's data, checking its size and CRC-32.
fn read_data(
    src: &mut Source<'_>,
    entry: &Central,
    collector: &mut Collector<'_>,
    inflate: &mut Inflate,
    out: &mut [u8],
) -> Result<(), Fail> {
    let name = &entry.name;
    let c = &entry.common;
    let mut hash = collector.begin(&entry.path, c.uncompressed);
    let mut crc = flate2::Crc::new();
    if c.method == METHOD_STORED {
        let got = src.stream(c.compressed, &mut |chunk| {
            crc.update(chunk);
            hash.update(chunk);
        })?;
        if got != c.compressed {
            return Err(entry_problem(
                Code::Truncated,
                name,
                "the file ends inside the entry's data",
            ));
        }
    } else {
        inflate.reset();
        let mut budget = c.compressed;
        let what = String::from_utf8_lossy(name);
        let mut produced = 0u64;
        loop {
            let n = inflate.read(src, &mut budget, out, &what)?;
            if n == 0 {
                break;
            }
            let chunk = out
                .get(..n)
                .expect("read returns at most the buffer length");
            produced += n as u64;
            if produced > c.uncompressed {
                return Err(entry_problem(
                    Code::SizeMismatch,
                    name,
                    format!(
                        "decompresses to more than the declared {} bytes",
                        c.uncompressed
                    ),
                ));
            }
            crc.update(chunk);
            hash.update(chunk);
        }
        if budget != 0 {
            return Err(entry_problem(
                Code::SizeMismatch,
                name,
                format!(
                    "the deflate stream ends {budget} bytes before the declared compressed size of {}",
                    c.compressed
                ),
            ));
        }
        debug_assert!(inflate.done());
    }
    if hash.seen != c.uncompressed {
        return Err(entry_problem(
            Code::SizeMismatch,
            name,
            format!(
                "{} bytes of data, the headers declare {}",
                hash.seen, c.uncompressed
            ),
        ));
    }
    if crc.sum() != c.crc {
        return Err(entry_problem(
            Code::ChecksumMismatch,
            name,
            format!(
                "CRC-32 of the data is {:08x}, the headers say {:08x}",
                crc.sum(),
                c.crc
            ),
        ));
    }
    collector.finish(hash);
    Ok(())
}
