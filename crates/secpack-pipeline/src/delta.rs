//! Git's delta format, applied as a stream: the base is read back from a file by offset, the
//! delta instructions are read once in order, and the result is written as it is made. Memory
//! stays at one copy buffer whatever the object's size (gix resolves deltas in memory).
//!
//! Format (git's `patch-delta.c`): the base size and the result size as little-endian base-128
//! numbers, then instructions. A byte with the high bit set copies from the base: bits 0-3 say
//! which of four offset bytes follow, bits 4-6 which of three size bytes (size 0 means 65,536).
//! A byte 1-127 inserts that many literal bytes that follow it. Byte 0 is reserved.

use std::fs::File;
use std::io::{self, BufRead, Write};

/// Bytes copied from the base per read.
const COPY_BUF: usize = 64 * 1024;

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn byte(delta: &mut dyn BufRead) -> io::Result<Option<u8>> {
    let mut b = [0u8; 1];
    match delta.read(&mut b)? {
        0 => Ok(None),
        _ => Ok(Some(b[0])),
    }
}

fn need(delta: &mut dyn BufRead) -> io::Result<u8> {
    byte(delta)?.ok_or_else(|| invalid("the delta ends inside an instruction".into()))
}

fn size(delta: &mut dyn BufRead) -> io::Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = need(delta)?;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(invalid("a delta size field is longer than 64 bits".into()))
}

/// A base object read by offset: a file, or bytes in memory.
pub(crate) trait ReadAt {
    /// Fill `buf` with the bytes at `offset`.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

impl ReadAt for File {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(self, buf, offset)
        }
        #[cfg(not(unix))]
        {
            use std::io::{Read as _, Seek as _};
            let mut f = self;
            f.seek(io::SeekFrom::Start(offset))?;
            f.read_exact(buf)
        }
    }
}

impl ReadAt for [u8] {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| invalid("offset too large".into()))?;
        let src = self
            .get(start..start.saturating_add(buf.len()))
            .ok_or_else(|| invalid("a copy past the end of the base".into()))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// Apply `delta` to `base` (of `base_len` bytes), writing the result to `out`; returns the
/// result's size, which must be the size the delta declares.
pub(crate) fn apply<B: ReadAt + ?Sized>(
    base: &B,
    base_len: u64,
    delta: &mut dyn BufRead,
    out: &mut dyn Write,
) -> io::Result<u64> {
    let declared_base = size(delta)?;
    if declared_base != base_len {
        return Err(invalid(format!(
            "the delta is for a base of {declared_base} bytes, the base has {base_len}"
        )));
    }
    let declared = size(delta)?;
    let mut written = 0u64;
    let mut buf = vec![0u8; COPY_BUF];
    while let Some(cmd) = byte(delta)? {
        if cmd & 0x80 != 0 {
            let mut offset = 0u64;
            for i in 0..4 {
                if cmd & (1 << i) != 0 {
                    offset |= u64::from(need(delta)?) << (8 * i);
                }
            }
            let mut len = 0u64;
            for i in 0..3 {
                if cmd & (0x10 << i) != 0 {
                    len |= u64::from(need(delta)?) << (8 * i);
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            if offset.checked_add(len).is_none_or(|end| end > base_len) {
                return Err(invalid(format!(
                    "a delta copies {len} bytes at offset {offset} from a base of {base_len}"
                )));
            }
            let mut done = 0u64;
            while done < len {
                let n = usize::try_from(len - done).map_or(COPY_BUF, |l| l.min(COPY_BUF));
                let chunk = &mut buf[..n];
                base.read_exact_at(offset + done, chunk)?;
                out.write_all(chunk)?;
                done += n as u64;
            }
            written += len;
        } else if cmd != 0 {
            let n = usize::from(cmd);
            let chunk = &mut buf[..n];
            delta.read_exact(chunk).map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => {
                    invalid("the delta ends inside literal data".into())
                }
                _ => e,
            })?;
            out.write_all(chunk)?;
            written += n as u64;
        } else {
            return Err(invalid("reserved delta instruction 0".into()));
        }
        if written > declared {
            return Err(invalid(format!(
                "the delta makes more than the {declared} bytes it declares"
            )));
        }
    }
    if written != declared {
        return Err(invalid(format!(
            "the delta makes {written} bytes, it declares {declared}"
        )));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn base_file(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    /// Apply with the base in a file and in memory; both must agree.
    fn run(base: &[u8], delta: &[u8]) -> io::Result<Vec<u8>> {
        let f = base_file(base);
        let mut out = Vec::new();
        let mut d = delta;
        let from_file = apply(&f, base.len() as u64, &mut d, &mut out).map(|_| out);
        let mut out = Vec::new();
        let mut d = delta;
        let from_memory = apply(base, base.len() as u64, &mut d, &mut out).map(|_| out);
        match (from_file, from_memory) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b);
                Ok(a)
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.kind(), b.kind());
                Err(a)
            }
            (a, b) => panic!("file and memory disagree: {a:?} / {b:?}"),
        }
    }

    #[test]
    fn copies_and_inserts() {
        let base = b"0123456789abcdefghij";
        let mut d = Vec::new();
        varint(base.len() as u64, &mut d);
        varint(13, &mut d);
        // copy offset 10, size 6 ("abcdef"): offset byte 0 and size byte 0 present
        d.extend([0x80 | 0x01 | 0x10, 10, 6]);
        // insert "XYZ"
        d.extend([3, b'X', b'Y', b'Z']);
        // copy offset 0 (no offset bytes), size 4
        d.extend([0x80 | 0x10, 4]);
        assert_eq!(run(base, &d).unwrap(), b"abcdefXYZ0123");
    }

    #[test]
    fn size_zero_means_64_kib() {
        let base: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        let mut d = Vec::new();
        varint(base.len() as u64, &mut d);
        varint(0x10000, &mut d);
        d.push(0x80); // offset 0, size 0 = 65,536
        assert_eq!(run(&base, &d).unwrap(), &base[..0x10000]);
    }

    #[test]
    fn bad_deltas_are_errors() {
        let base = b"0123456789";
        let with = |result: u64, ops: &[u8]| {
            let mut d = Vec::new();
            varint(base.len() as u64, &mut d);
            varint(result, &mut d);
            d.extend_from_slice(ops);
            run(base, &d).unwrap_err().kind()
        };
        let bad = io::ErrorKind::InvalidData;
        assert_eq!(
            with(4, &[0x80 | 0x01 | 0x10, 8, 4]),
            bad,
            "copy past the base"
        );
        assert_eq!(with(1, &[0]), bad, "reserved instruction");
        assert_eq!(with(3, &[3, b'a']), bad, "literal cut short");
        assert_eq!(with(5, &[2, b'a', b'b']), bad, "fewer bytes than declared");
        assert_eq!(with(1, &[2, b'a', b'b']), bad, "more bytes than declared");
        assert_eq!(with(1, &[0x80 | 0x01]), bad, "instruction cut short");
        let mut wrong_base = Vec::new();
        varint(99, &mut wrong_base);
        varint(0, &mut wrong_base);
        assert_eq!(run(base, &wrong_base).unwrap_err().kind(), bad);
        assert_eq!(
            run(base, &[0xff; 11]).unwrap_err().kind(),
            bad,
            "endless size"
        );
    }
}
