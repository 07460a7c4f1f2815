//! Blobs read out of pack files with plain file reads.
//!
//! gix maps pack files into memory; every page it reads stays in the process's resident set
//! until the pack is unmapped, which gix does not do while a repository is open. A build reads
//! nearly every blob of the commit, so from a packed repository (every CI clone) its peak RSS
//! grew to the size of the pack (322 MiB for the 500 MiB bench tree, against 61 MiB from
//! loose objects). Here entries are located with gix's pack index, their headers parsed by gix
//! from a file read, and their data inflated with one reused decoder per thread; deltas are
//! applied by [`crate::delta`], in memory for small objects and file to file for large ones.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::{Decompress, FlushDecompress, Status};
use gix::odb::pack::data::Entry;
use gix::odb::pack::data::entry::Header;

/// git writes delta chains of at most 50 by default and reads up to 4095; stop well past.
const MAX_CHAIN: usize = 10_000;

/// Compressed bytes read per call.
const READ_LEN: usize = 64 * 1024;

thread_local! {
    /// One zlib decoder per thread, reset for each object: a fresh one per object allocates
    /// zlib-rs's aligned state every time, which glibc does not reuse well.
    static DECODER: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

fn other(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The header of the pack entry at `offset`.
pub(crate) fn entry(file: &mut File, offset: u64, kind: gix::hash::Kind) -> io::Result<Entry> {
    file.seek(SeekFrom::Start(offset))?;
    let mut r = BufReader::with_capacity(64, &mut *file);
    Entry::from_read(&mut r, offset, kind.len_in_bytes())
}

/// Inflate the zlib stream at `data_offset` into `out` until `want` bytes came out (or, with
/// `stop_early`, until at least `want` did, for reading just the start of a delta).
fn inflate(
    file: &mut File,
    data_offset: u64,
    want: usize,
    stop_early: bool,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    file.seek(SeekFrom::Start(data_offset))?;
    out.clear();
    out.reserve_exact(want.saturating_add(1));
    DECODER.with(|cell| {
        let mut dec = cell.borrow_mut();
        dec.reset(true);
        let mut input = vec![0u8; READ_LEN.min(want.saturating_add(64))];
        let (mut start, mut end) = (0usize, 0usize);
        loop {
            if start == end {
                end = file.read(&mut input)?;
                start = 0;
                if end == 0 {
                    return Err(other("the pack ends inside an object".into()));
                }
            }
            // Room for the rest of the object plus one byte, to see any excess.
            out.reserve(want.saturating_sub(out.len()) + 1);
            let (in0, out0) = (dec.total_in(), out.len());
            let status = dec
                .decompress_vec(&input[start..end], out, FlushDecompress::None)
                .map_err(|e| other(format!("invalid zlib data in the pack: {e}")))?;
            let used = usize::try_from(dec.total_in() - in0).unwrap_or(end - start);
            start = (start + used).min(end);
            if stop_early && out.len() >= want {
                return Ok(());
            }
            if out.len() > want {
                return Err(other(format!(
                    "a pack entry inflates to more than its {want} bytes"
                )));
            }
            match status {
                Status::StreamEnd if out.len() == want || stop_early => return Ok(()),
                Status::StreamEnd => {
                    return Err(other(format!(
                        "a pack entry inflates to {} bytes, its header says {want}",
                        out.len()
                    )));
                }
                _ if used == 0 && out.len() == out0 && start < end => {
                    return Err(other("the zlib decoder made no progress".into()));
                }
                _ => {}
            }
        }
    })
}

/// The result size a delta declares (its second header field).
fn declared_result(delta: &[u8]) -> Option<u64> {
    let (_, a) = varint(delta)?;
    varint(delta.get(a..)?).map(|(v, _)| v)
}

/// A little-endian base-128 number at the start of `bytes`, and the bytes it took.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Where a pack entry's base is.
enum Base {
    /// At this offset of the same pack.
    Offset(u64),
    /// Another object, found through the indices.
    Id(gix::ObjectId),
}

/// The chain from the entry at `offset` to its first whole object, outermost first, each with
/// its pack. `locate` finds an object id in the packs (for ref deltas).
pub(crate) fn chain(
    pack: &Path,
    offset: u64,
    kind: gix::hash::Kind,
    locate: &dyn Fn(gix::ObjectId) -> io::Result<Option<(PathBuf, u64)>>,
) -> io::Result<Vec<(PathBuf, Entry)>> {
    let mut out = Vec::new();
    let mut path = pack.to_path_buf();
    let mut file = File::open(&path)?;
    let mut at = offset;
    loop {
        if out.len() > MAX_CHAIN {
            return Err(other(format!("a delta chain longer than {MAX_CHAIN}")));
        }
        let e = entry(&mut file, at, kind)?;
        let next = match e.header {
            Header::Blob => None,
            Header::OfsDelta { base_distance } => Some(Base::Offset(
                e.checked_base_pack_offset(base_distance)
                    .ok_or_else(|| other("a delta base before the start of the pack".into()))?,
            )),
            Header::RefDelta { base_id } => Some(Base::Id(base_id)),
            other_kind => {
                return Err(other(format!(
                    "a {other_kind:?} where a blob or a delta was expected"
                )));
            }
        };
        out.push((path.clone(), e));
        match next {
            None => return Ok(out),
            Some(Base::Offset(o)) => at = o,
            Some(Base::Id(id)) => {
                let (p, o) =
                    locate(id)?.ok_or_else(|| other(format!("delta base {id} is in no pack")))?;
                if p != path {
                    file = File::open(&p)?;
                    path = p;
                }
                at = o;
            }
        }
    }
}

/// The data of the entry `e` of `pack`, inflated as it is read (for large entries: a decoder
/// of its own).
pub(crate) fn stream(
    pack: &Path,
    e: &Entry,
) -> io::Result<flate2::read::ZlibDecoder<BufReader<File>>> {
    let mut file = File::open(pack)?;
    file.seek(SeekFrom::Start(e.data_offset))?;
    Ok(flate2::read::ZlibDecoder::new(BufReader::new(file)))
}

/// The size of the object at the head of `chain`: its own for a whole object, else the result
/// size a delta declares at its start.
pub(crate) fn object_size(chain: &[(PathBuf, Entry)]) -> io::Result<u64> {
    let (path, head) = chain
        .first()
        .ok_or_else(|| other("an empty delta chain".into()))?;
    if !head.header.is_delta() {
        return Ok(head.decompressed_size);
    }
    let mut file = File::open(path)?;
    let mut start = Vec::new();
    let want = usize::try_from(head.decompressed_size.min(20)).unwrap_or(20);
    inflate(&mut file, head.data_offset, want, true, &mut start)?;
    declared_result(&start).ok_or_else(|| other("a delta without its sizes".into()))
}

/// The whole object at the head of `chain`, in memory, when every link (the base, each delta
/// and each delta's result) is under `limit` bytes; `None` otherwise, for [`spool`].
pub(crate) fn read(chain: &[(PathBuf, Entry)], limit: u64) -> io::Result<Option<Vec<u8>>> {
    if chain.iter().any(|(_, e)| e.decompressed_size >= limit) {
        return Ok(None);
    }
    let mut rest = chain.iter().rev();
    let (base_path, base) = rest
        .next()
        .ok_or_else(|| other("an empty delta chain".into()))?;
    let mut file = File::open(base_path)?;
    let mut current = Vec::new();
    let len = usize::try_from(base.decompressed_size)
        .map_err(|_| other("an object too large for memory".into()))?;
    inflate(&mut file, base.data_offset, len, false, &mut current)?;
    let mut delta = Vec::new();
    for (path, e) in rest {
        let mut file = File::open(path)?;
        let len = usize::try_from(e.decompressed_size)
            .map_err(|_| other("a delta too large for memory".into()))?;
        inflate(&mut file, e.data_offset, len, false, &mut delta)?;
        if declared_result(&delta).is_none_or(|n| n >= limit) {
            return Ok(None);
        }
        let mut next = Vec::new();
        crate::delta::apply(
            &current[..],
            current.len() as u64,
            &mut &delta[..],
            &mut next,
        )?;
        current = next;
    }
    Ok(Some(current))
}

/// The object at the head of `chain` resolved into an unnamed temporary file, streaming:
/// the whole base is inflated to a file, then each delta applied from file to file. Memory
/// stays at a few buffers; disk holds at most two versions at a time. Returns the file,
/// rewound, and its size.
pub(crate) fn spool(chain: &[(PathBuf, Entry)]) -> io::Result<(File, u64)> {
    use std::io::Write as _;
    let inflater = |path: &Path, e: &Entry| -> io::Result<_> {
        Ok(BufReader::new(stream(path, e)?).take(e.decompressed_size))
    };
    let mut rest = chain.iter().rev();
    let (base_path, base) = rest
        .next()
        .ok_or_else(|| other("an empty delta chain".into()))?;
    let mut current = tempfile::tempfile()?;
    let mut len = {
        let mut out = io::BufWriter::new(&mut current);
        let n = io::copy(&mut inflater(base_path, base)?, &mut out)?;
        out.flush()?;
        n
    };
    if len != base.decompressed_size {
        return Err(other("the pack ends inside an object".into()));
    }
    for (path, e) in rest {
        let mut next = tempfile::tempfile()?;
        let mut delta = inflater(path, e)?;
        len = {
            let mut out = io::BufWriter::new(&mut next);
            let n = crate::delta::apply(&current, len, &mut delta, &mut out)?;
            out.flush()?;
            n
        };
        current = next;
    }
    current.seek(SeekFrom::Start(0))?;
    Ok((current, len))
}
