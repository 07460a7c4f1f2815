//! The tar.gz reader: one gzip member (header checked, CRC-32 and size trailer verified,
//! nothing after it), holding a ustar/GNU tar stream of regular files (GNU long names
//! allowed) that ends with zero blocks and nothing else.

use super::inflate::Inflate;
use super::names::MAX_NAME_BYTES;
use super::source::BUF_LEN;
use super::{Collector, Fail, Source, entry_problem, problem};
use crate::Limits;
use crate::report::Code;

const BLOCK: usize = 512;
/// Zero padding accepted after the two end blocks (GNU tar pads to its record size, 10 KiB by
/// default).
const MAX_END_PADDING: u64 = 1 << 20;
/// Longest gzip FNAME / FCOMMENT field accepted.
const MAX_GZIP_TEXT: usize = 1024;

const GZIP_FHCRC: u8 = 0x02;
const GZIP_FEXTRA: u8 = 0x04;
const GZIP_FNAME: u8 = 0x08;
const GZIP_FCOMMENT: u8 = 0x10;
const GZIP_RESERVED: u8 = 0xE0;

pub(super) fn scan(src: &mut Source<'_>, collector: &mut Collector<'_>) -> Result<(), Fail> {
    read_gzip_header(src)?;
    let mut stream = Stream {
        inflate: Inflate::new(),
        crc: flate2::Crc::new(),
        start: src.position(),
        limits: *collector.limits(),
    };
    read_tar(src, &mut stream, collector)?;
    let mut trailer = [0u8; 8];
    if !src.read_exact(&mut trailer)? {
        return Err(problem(
            Code::Truncated,
            "the gzip trailer (CRC-32 and size) is missing",
        ));
    }
    let (crc, size) = trailer.split_at(4);
    let crc = u32::from_le_bytes(crc.try_into().expect("four bytes"));
    let size = u32::from_le_bytes(size.try_into().expect("four bytes"));
    if crc != stream.crc.sum() {
        return Err(problem(
            Code::ChecksumMismatch,
            format!(
                "the gzip CRC-32 is {:08x} but the data's is {:08x}",
                crc,
                stream.crc.sum()
            ),
        ));
    }
    let total = stream.inflate.total_out();
    if u64::from(size) != total & 0xFFFF_FFFF {
        return Err(problem(
            Code::SizeMismatch,
            format!("the gzip trailer gives size {size} (mod 2^32) but the data has {total} bytes"),
        ));
    }
    let rest = src.fill()?;
    if rest.starts_with(&[0x1f, 0x8b]) {
        return Err(problem(
            Code::MultipleGzipMembers,
            "a second gzip member follows the first (the package writer writes one)",
        ));
    }
    if !rest.is_empty() {
        return Err(problem(
            Code::AppendedData,
            "data after the end of the gzip stream",
        ));
    }
    Ok(())
}

/// Check the gzip member header (RFC 1952) and skip its optional fields, each bounded.
fn read_gzip_header(src: &mut Source<'_>) -> Result<(), Fail> {
    let mut fixed = [0u8; 10];
    if !src.read_exact(&mut fixed)? {
        let code = if src.position() >= 2 {
            Code::Truncated
        } else {
            Code::NotAnArchive
        };
        return Err(problem(code, "too short for a gzip file"));
    }
    let [id1, id2, method, flags, ..] = fixed;
    if [id1, id2] != [0x1f, 0x8b] {
        return Err(problem(Code::NotAnArchive, "not a gzip file"));
    }
    if method != 8 {
        return Err(problem(
            Code::GzipHeader,
            format!("gzip compression method {method} (only deflate exists)"),
        ));
    }
    if flags & GZIP_RESERVED != 0 {
        return Err(problem(
            Code::GzipHeader,
            "reserved gzip header flags are set",
        ));
    }
    let mut header = fixed.to_vec();
    let short = || problem(Code::Truncated, "the file ends inside the gzip header");
    if flags & GZIP_FEXTRA != 0 {
        let mut len = [0u8; 2];
        if !src.read_exact(&mut len)? {
            return Err(short());
        }
        header.extend_from_slice(&len);
        let mut extra = vec![0u8; usize::from(u16::from_le_bytes(len))];
        if !src.read_exact(&mut extra)? {
            return Err(short());
        }
        header.extend_from_slice(&extra);
    }
    for (flag, what) in [(GZIP_FNAME, "file name"), (GZIP_FCOMMENT, "comment")] {
        if flags & flag == 0 {
            continue;
        }
        let mut len = 0;
        loop {
            let mut b = [0u8; 1];
            if !src.read_exact(&mut b)? {
                return Err(short());
            }
            header.push(b[0]);
            if b[0] == 0 {
                break;
            }
            len += 1;
            if len > MAX_GZIP_TEXT {
                return Err(problem(
                    Code::GzipHeader,
                    format!("gzip {what} longer than {MAX_GZIP_TEXT} bytes"),
                ));
            }
        }
    }
    if flags & GZIP_FHCRC != 0 {
        let mut crc16 = [0u8; 2];
        if !src.read_exact(&mut crc16)? {
            return Err(short());
        }
        let mut crc = flate2::Crc::new();
        crc.update(&header);
        if u32::from(u16::from_le_bytes(crc16)) != crc.sum() & 0xFFFF {
            return Err(problem(
                Code::ChecksumMismatch,
                "the gzip header CRC-16 does not match",
            ));
        }
    }
    Ok(())
}

/// The decompressed tar stream: CRC-32 for the gzip trailer and the ratio limit.
struct Stream {
    inflate: Inflate,
    crc: flate2::Crc,
    start: u64,
    limits: Limits,
}

impl Stream {
    fn read(&mut self, src: &mut Source<'_>, out: &mut [u8]) -> Result<usize, Fail> {
        let mut budget = u64::MAX;
        let n = self.inflate.read(src, &mut budget, out, "gzip stream")?;
        let chunk = out
            .get(..n)
            .expect("read returns at most the buffer length");
        self.crc.update(chunk);
        let input = src.position() - self.start;
        if self.limits.ratio_exceeded(self.inflate.total_out(), input) {
            return Err(problem(
                Code::CompressionRatio,
                format!(
                    "{} bytes from {input} compressed bytes, a ratio above the limit of {}",
                    self.inflate.total_out(),
                    self.limits.max_ratio
                ),
            ));
        }
        Ok(n)
    }

    /// Fill `out` completely; `Ok(false)` when the stream ends before the first byte, an
    /// error when it ends later.
    fn read_exact(
        &mut self,
        src: &mut Source<'_>,
        out: &mut [u8],
        what: &str,
    ) -> Result<bool, Fail> {
        let mut filled = 0;
        while filled < out.len() {
            let rest = out.get_mut(filled..).expect("filled < len");
            let n = self.read(src, rest)?;
            if n == 0 {
                if filled == 0 {
                    return Ok(false);
                }
                return Err(problem(
                    Code::Truncated,
                    format!("the tar stream ends inside {what}"),
                ));
            }
            filled += n;
        }
        Ok(true)
    }
}

/// One parsed tar header.
struct Header {
    kind: u8,
    size: u64,
    /// The name field (with the ustar prefix when the format has one).
    name: Vec<u8>,
}

fn read_tar(
    src: &mut Source<'_>,
    stream: &mut Stream,
    collector: &mut Collector<'_>,
) -> Result<(), Fail> {
    let mut block = [0u8; BLOCK];
    let mut buf = vec![0u8; BUF_LEN];
    let mut long_name: Option<Vec<u8>> = None;
    let mut first = true;
    loop {
        if !stream.read_exact(src, &mut block, "a header")? {
            return Err(problem(
                Code::Truncated,
                "the tar stream ends without its end-of-archive blocks",
            ));
        }
        if block.iter().all(|&b| b == 0) {
            if let Some(name) = long_name {
                return Err(entry_problem(
                    Code::Corrupt,
                    &name,
                    "GNU long name without an entry",
                ));
            }
            return read_end(src, stream, &mut buf);
        }
        let header = parse_header(&block, first)?;
        first = false;
        let shown = long_name.clone().unwrap_or_else(|| header.name.clone());
        match header.kind {
            b'L' => {
                if long_name.is_some() {
                    return Err(entry_problem(
                        Code::UnsupportedEntryType,
                        &shown,
                        "two GNU long names in a row",
                    ));
                }
                if header.size > (MAX_NAME_BYTES + 1) as u64 {
                    return Err(entry_problem(
                        Code::NameTooLong,
                        &header.name,
                        format!(
                            "GNU long name of {} bytes, above {MAX_NAME_BYTES}",
                            header.size
                        ),
                    ));
                }
                let mut data = vec![0u8; usize::try_from(header.size).expect("bounded above")];
                if !data.is_empty() {
                    stream.read_exact(src, &mut data, "a GNU long name")?;
                }
                skip_padding(src, stream, header.size, &mut buf)?;
                let name = match data.iter().position(|&b| b == 0) {
                    Some(nul) => {
                        let (name, rest) = data.split_at(nul);
                        if rest.iter().any(|&b| b != 0) {
                            return Err(entry_problem(
                                Code::NulInName,
                                &data,
                                "NUL byte in the name",
                            ));
                        }
                        name.to_vec()
                    }
                    None => data,
                };
                long_name = Some(name);
            }
            b'0' | 0 => {
                let name = match long_name.take() {
                    Some(long) => {
                        if !long.starts_with(&header.name) {
                            return Err(entry_problem(
                                Code::HeaderMismatch,
                                &long,
                                format!(
                                    "the GNU long name and the header name `{}` disagree",
                                    crate::report::printable(
                                        &String::from_utf8_lossy(&header.name),
                                        120
                                    )
                                ),
                            ));
                        }
                        long
                    }
                    None => header.name,
                };
                let path = collector.announce(&name, header.size)?;
                let mut hash = collector.begin(&path, header.size);
                let mut left = header.size;
                while left > 0 {
                    let want = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
                    let chunk = buf.get_mut(..want).expect("want <= len");
                    stream
                        .read_exact(src, chunk, "an entry's data")
                        .and_then(|complete| {
                            if complete {
                                Ok(())
                            } else {
                                Err(entry_problem(
                                    Code::Truncated,
                                    &name,
                                    "the tar stream ends inside the entry's data",
                                ))
                            }
                        })?;
                    hash.update(chunk);
                    left -= want as u64;
                }
                skip_padding(src, stream, header.size, &mut buf)?;
                collector.finish(hash);
            }
            kind => {
                let (code, what) = match kind {
                    b'1' => (Code::HardLink, "hard link".to_owned()),
                    b'2' => (Code::Symlink, "symbolic link".to_owned()),
                    b'3' => (Code::Device, "character device".to_owned()),
                    b'4' => (Code::Device, "block device".to_owned()),
                    b'5' => (
                        Code::Directory,
                        "directory entry (the package stores files only)".to_owned(),
                    ),
                    b'6' => (Code::Fifo, "named pipe (FIFO)".to_owned()),
                    b'x' | b'g' => (
                        Code::UnsupportedEntryType,
                        "PAX extended header (the package writer never writes one)".to_owned(),
                    ),
                    b'K' => (Code::UnsupportedEntryType, "GNU long link name".to_owned()),
                    b'S' => (Code::UnsupportedEntryType, "GNU sparse file".to_owned()),
                    other => (
                        Code::UnsupportedEntryType,
                        format!("tar entry type {:?}", char::from(other)),
                    ),
                };
                return Err(entry_problem(code, &shown, what));
            }
        }
    }
}

/// After the first zero block: only zeros may follow (the second end block and record
/// padding), up to [`MAX_END_PADDING`], then the end of the deflate stream.
fn read_end(src: &mut Source<'_>, stream: &mut Stream, buf: &mut [u8]) -> Result<(), Fail> {
    let mut zeros = 0u64;
    loop {
        let n = stream.read(src, buf)?;
        if n == 0 {
            break;
        }
        let chunk = buf
            .get(..n)
            .expect("read returns at most the buffer length");
        if chunk.iter().any(|&b| b != 0) {
            return Err(problem(
                Code::AppendedData,
                "data after the tar end-of-archive blocks",
            ));
        }
        zeros += n as u64;
        if zeros > MAX_END_PADDING {
            return Err(problem(
                Code::AppendedData,
                format!(
                    "more than {MAX_END_PADDING} bytes of padding after the tar end-of-archive blocks"
                ),
            ));
        }
    }
    if zeros < BLOCK as u64 {
        return Err(problem(
            Code::Truncated,
            "the tar stream has only one of its two end-of-archive blocks",
        ));
    }
    Ok(())
}

fn skip_padding(
    src: &mut Source<'_>,
    stream: &mut Stream,
    size: u64,
    buf: &mut [u8],
) -> Result<(), Fail> {
    let pad = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
    let pad = buf
        .get_mut(..usize::try_from(pad).expect("below 512"))
        .expect("buffer is larger than a block");
    if !pad.is_empty() && !stream.read_exact(src, pad, "an entry's padding")? {
        return Err(problem(
            Code::Truncated,
            "the tar stream ends inside an entry's padding",
        ));
    }
    Ok(())
}

fn field(block: &[u8; BLOCK], start: usize, len: usize) -> &[u8] {
    block
        .get(start..start + len)
        .expect("header fields lie inside the block")
}

/// A NUL-terminated text field.
fn text(raw: &[u8]) -> &[u8] {
    raw.iter()
        .position(|&b| b == 0)
        .map_or(raw, |n| raw.get(..n).unwrap_or(raw))
}

/// A numeric field: octal digits (space/NUL padded) or GNU base-256.
fn number(raw: &[u8]) -> Option<u64> {
    let (&first, rest) = raw.split_first()?;
    if first & 0x80 != 0 {
        if first != 0x80 {
            return None; // negative or beyond 64 bits
        }
        return rest.iter().try_fold(0u64, |acc, &b| {
            acc.checked_mul(256)?.checked_add(u64::from(b))
        });
    }
    let trimmed = raw.iter().skip_while(|&&b| b == b' ');
    let mut value: Option<u64> = None;
    let mut ended = false;
    for &b in trimmed {
        match b {
            b'0'..=b'7' if !ended => {
                value = Some(
                    value
                        .unwrap_or(0)
                        .checked_mul(8)?
                        .checked_add(u64::from(b - b'0'))?,
                );
            }
            b' ' | 0 => ended = true,
            _ => return None,
        }
    }
    value
}

fn parse_header(block: &[u8; BLOCK], first: bool) -> Result<Header, Fail> {
    let name = text(field(block, 0, 100)).to_vec();
    let magic = field(block, 257, 8);
    let posix = magic == b"ustar\x0000";
    let gnu = magic == b"ustar  \x00";
    if !posix && !gnu {
        let code = if first {
            Code::NotAnArchive
        } else {
            Code::Corrupt
        };
        return Err(entry_problem(code, &name, "not a ustar or GNU tar header"));
    }
    let stored = number(field(block, 148, 8))
        .ok_or_else(|| entry_problem(Code::Corrupt, &name, "unreadable tar header checksum"))?;
    let computed: u64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                u64::from(b' ')
            } else {
                u64::from(b)
            }
        })
        .sum();
    if stored != computed {
        return Err(entry_problem(
            Code::ChecksumMismatch,
            &name,
            format!("tar header checksum is {stored} but the header sums to {computed}"),
        ));
    }
    let size = number(field(block, 124, 12))
        .ok_or_else(|| entry_problem(Code::Corrupt, &name, "unreadable tar size field"))?;
    let kind = field(block, 156, 1).first().copied().unwrap_or(0);
    let name = if posix {
        let prefix = text(field(block, 345, 155));
        if prefix.is_empty() {
            name
        } else {
            [prefix, b"/", &name].concat()
        }
    } else {
        name
    };
    Ok(Header { kind, size, name })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(b"0000644\0"), Some(0o644));
        assert_eq!(number(b"  1234 \0"), Some(0o1234));
        assert_eq!(number(b"\0\0\0\0"), None);
        assert_eq!(number(b"12 3"), None);
        assert_eq!(number(b"9"), None);
        assert_eq!(number(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), Some(256));
        assert_eq!(number(&[0xff, 0xff]), None);
        assert_eq!(number(&[0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(number(b"77777777777777777777777"), None);
    }
}
