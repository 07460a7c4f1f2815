//! Deterministic, streaming, parallel writers for the package's zip and tar.gz.
//!
//! Both archives are written in one pass from one ordered list of entries. The output depends
//! only on the entries (paths, bytes), the version and the commit time, never on the number of
//! threads or their timing:
//!
//! - entries strictly sorted by path, each under the single top folder; no directory entries;
//! - every mtime is the commit time (zip: DOS time in UTC, clamped to 1980-2107 and rounded
//!   down to even seconds; tar: seconds), mode `0644`, uid/gid 0, empty owner names;
//! - a file is deflated when [`compresses`] says its start is worth it (printable text
//!   always; anything else when a level-1 trial on its first [`PROBE_LEN`] bytes saves at
//!   least [`MIN_SAVING_PERCENT`]), else stored: no CPU is spent on data that does not
//!   compress;
//! - a deflated file is compressed once, in independent chunks of [`CHUNK_LEN`] bytes
//!   (each ending with a sync flush, or as stored blocks where deflate would not be smaller),
//!   and the same compressed bytes go into the zip entry and into the tar.gz stream;
//! - zip: no extra field but ZIP64's, used exactly where a size or offset needs it (a local
//!   header gets one when the entry's largest possible compressed size reaches 4 GiB);
//!   deflate streams end with an empty final block;
//! - tar.gz: GNU headers; one gzip member (mtime 0, OS byte 255) whose deflate stream is the
//!   shared chunks, stored blocks for stored files, and the tar headers and padding
//!   compressed on their own, each with the preceding [`DICT_LEN`] bytes of the tar stream as
//!   dictionary.
//!
//! Chunks are compressed on [`WriterOptions::threads`] worker threads and written in order by
//! the calling thread. Memory is bounded whatever the file sizes: at most a few chunks per
//! thread are in flight, the zip central directory is spooled to a temporary file.
//!
//! Outputs are written to temporary files in the output folder and renamed into place by
//! [`PackageWriter::finish`]; dropping an unfinished writer deletes them, and a killed
//! process leaves only `.tmp` files, never a package at its final path.

mod deflate;
#[cfg(test)]
mod limits_tests;
mod zipfmt;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use crc32fast::Hasher as Crc;
use sha2::{Digest, Sha256};

use self::deflate::{Deflater, FINAL_BLOCK};
use self::zipfmt::Zip64Limits;
use crate::layout::{self, ArchiveFormat};

/// Deflate level used for both archives (zlib's default trade-off).
pub const DEFLATE_LEVEL: u32 = 6;
/// A file that is not printable text is stored uncompressed when a level-1 trial on its
/// first [`PROBE_LEN`] bytes saves less than this share.
pub const MIN_SAVING_PERCENT: u64 = 3;
/// Bytes probed to decide between deflate and store.
pub const PROBE_LEN: usize = 16 * 1024;
/// Files are compressed in independent chunks of this many bytes (the last one shorter).
pub const CHUNK_LEN: usize = 512 * 1024;
/// Bytes of the tar stream a tar header's compressed piece may refer back to.
pub const DICT_LEN: usize = 4 * 1024;
/// Default cap on [`WriterOptions::threads`].
pub const MAX_DEFAULT_THREADS: usize = 8;

const COPY_BUF: usize = 256 * 1024;
/// Small files are grouped into jobs of about this many bytes.
const JOB_BYTES: usize = 256 * 1024;
/// The gzip member header: no name, mtime 0, no extra flags, OS unknown.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
const TAR_BLOCK: u64 = 512;

/// Errors writing the archives.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("tar entry `{entry}`: {source}")]
    Tar {
        entry: String,
        #[source]
        source: io::Error,
    },
    #[error("reading the data of `{entry}`: {source}")]
    Source {
        entry: String,
        #[source]
        source: io::Error,
    },
    #[error("`{entry}` announced {expected} bytes but its data had {actual}")]
    SizeMismatch {
        entry: String,
        expected: u64,
        actual: u64,
    },
    #[error("`{entry}` is not a safe package path")]
    UnsafePath { entry: String },
    #[error(
        "entries must be added in strictly increasing path order: `{entry}` after `{previous}`"
    )]
    Order { entry: String, previous: String },
    #[error("the package would be empty")]
    Empty,
    #[error("compressing `{entry}`: {source}")]
    Compress {
        entry: String,
        #[source]
        source: io::Error,
    },
    #[error("starting the compression threads: {source}")]
    Threads {
        #[source]
        source: io::Error,
    },
    #[error(
        "the archives are incomplete after an earlier error in `{entry}`; fix it and build again"
    )]
    Aborted { entry: String },
}

/// A finished archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenArchive {
    pub format: ArchiveFormat,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// How a [`PackageWriter`] works. The archive bytes never depend on these settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriterOptions {
    /// Compression threads. 0 or 1: everything runs on the calling thread. Default: the
    /// available parallelism, at most [`MAX_DEFAULT_THREADS`].
    pub threads: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            threads: std::thread::available_parallelism()
                .map_or(1, std::num::NonZero::get)
                .min(MAX_DEFAULT_THREADS),
        }
    }
}

impl WriterOptions {
    /// These options with `threads` compression threads.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }
}

/// Internal sizes; tests lower them to reach ZIP64 and chunking with small inputs.
#[derive(Debug, Clone, Copy)]
struct Limits {
    chunk: usize,
    zip64: Zip64Limits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            chunk: CHUNK_LEN,
            zip64: Zip64Limits::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Stored,
    Deflated,
}

impl Method {
    fn from_probe(probe: &[u8]) -> Method {
        if compresses(probe) {
            Method::Deflated
        } else {
            Method::Stored
        }
    }

    fn zip_code(self) -> u16 {
        match self {
            Method::Stored => zipfmt::STORED,
            Method::Deflated => zipfmt::DEFLATED,
        }
    }
}

/// How an item's compression method is decided.
enum Choice {
    Known(Method),
    /// From the first `n` bytes of the item's data (a one-chunk file).
    ProbePrefix(usize),
    /// From these bytes (a one-chunk file whose probe is not a prefix of its data).
    Probe(Vec<u8>),
}

/// The start of an entry.
struct Start {
    /// Path inside the archives (with the top folder).
    name: String,
    size: u64,
    /// Tar bytes before the entry's data: the previous entry's padding, then the headers.
    glue: Vec<u8>,
    /// Tar bytes just before `glue` (dictionary of its piece).
    dict: Vec<u8>,
    // Filled in by `process`:
    glue_piece: Vec<u8>,
    glue_crc: Crc,
}

/// One chunk of an entry's data, the unit of parallel work.
struct Item {
    start: Option<Box<Start>>,
    choice: Choice,
    /// Uncompressed data.
    data: Vec<u8>,
    len: u64,
    last: bool,
    // Filled in by `process`:
    method: Method,
    piece: Vec<u8>,
    crc: Crc,
}

/// The work on one item: compress the tar headers, decide the method, CRC and compress.
fn process(d: &mut Deflater, item: &mut Item) -> io::Result<()> {
    if let Some(start) = item.start.as_deref_mut() {
        d.piece(&start.dict, &start.glue, &mut start.glue_piece)?;
        start.glue_crc.update(&start.glue);
        start.dict = Vec::new();
    }
    let worth = |probe: &[u8], d: &mut Deflater| {
        if decide(probe, &mut d.trial) {
            Method::Deflated
        } else {
            Method::Stored
        }
    };
    item.method = match &item.choice {
        Choice::Known(method) => *method,
        Choice::ProbePrefix(n) => worth(item.data.get(..*n).unwrap_or(&item.data), d),
        Choice::Probe(probe) => worth(probe, d),
    };
    item.crc.update(&item.data);
    if item.method == Method::Deflated {
        d.piece(&[], &item.data, &mut item.piece)?;
    }
    Ok(())
}

type Done = io::Result<Vec<Item>>;

struct Job {
    items: Vec<Item>,
    done: mpsc::SyncSender<Done>,
}

/// Worker threads taking jobs from one queue; results come back on each job's channel.
struct Pool {
    jobs: Option<mpsc::Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    fn new(threads: usize) -> io::Result<Pool> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut pool = Pool {
            jobs: Some(tx),
            workers: Vec::with_capacity(threads),
        };
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            let handle = std::thread::Builder::new()
                .name(format!("secpack-deflate-{i}"))
                .spawn(move || worker(&rx))?;
            pool.workers.push(handle);
        }
        Ok(pool)
    }
}

fn worker(jobs: &Mutex<mpsc::Receiver<Job>>) {
    let mut deflater = Deflater::new(DEFLATE_LEVEL);
    loop {
        let next = match jobs.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(Job { mut items, done }) = next else {
            return; // the writer is gone
        };
        let result = items
            .iter_mut()
            .try_for_each(|item| process(&mut deflater, item))
            .map(|()| items);
        // The writer may have been dropped meanwhile: nothing left to do then.
        let _ = done.send(result);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.jobs = None;
        for handle in self.workers.drain(..) {
            let _ = handle.join();
        }
    }
}

enum Engine {
    Inline(Box<Deflater>),
    Pool(Pool),
}

/// An output file with its write position.
struct Out {
    file: BufWriter<tempfile::NamedTempFile>,
    pos: u64,
    /// Final path, for error messages.
    path: PathBuf,
}

impl Out {
    fn write(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.file.write_all(bytes).map_err(|e| self.err(e))?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// Overwrite bytes already written at `at`, then continue at the end.
    fn patch(&mut self, at: u64, bytes: &[u8]) -> Result<(), WriteError> {
        let end = self.pos;
        let result = (|| {
            self.file.seek(SeekFrom::Start(at))?;
            self.file.write_all(bytes)?;
            self.file.seek(SeekFrom::Start(end)).map(drop)
        })();
        result.map_err(|e| self.err(e))
    }

    fn err(&self, source: io::Error) -> WriteError {
        WriteError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn into_temp(self) -> Result<tempfile::NamedTempFile, WriteError> {
        let path = self.path;
        let temp = self.file.into_inner().map_err(|e| WriteError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        temp.as_file()
            .sync_all()
            .map_err(|source| WriteError::Io { path, source })?;
        Ok(temp)
    }
}

/// The zip entry being written.
struct Current {
    entry: zipfmt::Entry,
    size: u64,
    crc: Crc,
    header_written: bool,
    /// The local header was written before the CRC and sizes were known.
    patch: bool,
}

/// The writing side: both output files, in entry order.
struct Sink {
    zip: Out,
    gz: Out,
    /// Central directory headers, spooled.
    central: BufWriter<File>,
    central_len: u64,
    entries: u64,
    gz_crc: Crc,
    gz_len: u64,
    current: Option<Current>,
    time: u16,
    date: u16,
    limits: Limits,
}

impl Sink {
    fn write_item(&mut self, item: &mut Item) -> Result<(), WriteError> {
        if let Some(start) = item.start.take() {
            self.gz.write(&start.glue_piece)?;
            self.gz_crc.combine(&start.glue_crc);
            self.gz_len += start.glue.len() as u64;
            let method = item.method.zip_code();
            self.current = Some(Current {
                entry: zipfmt::Entry {
                    name: start.name,
                    method,
                    time: self.time,
                    date: self.date,
                    crc: 0,
                    compressed: 0,
                    uncompressed: 0,
                    zip64_local: false,
                    offset: self.zip.pos,
                    version_needed: 0,
                },
                size: start.size,
                crc: Crc::new(),
                header_written: false,
                patch: false,
            });
        }
        let limits = self.limits;
        let Some(cur) = self.current.as_mut() else {
            return Err(self
                .zip
                .err(io::Error::other("internal error: chunk without an entry")));
        };
        let deflated = item.method == Method::Deflated;
        let payload = if deflated {
            item.piece.len() as u64
                + if item.last {
                    FINAL_BLOCK.len() as u64
                } else {
                    0
                }
        } else {
            item.len
        };
        cur.crc.combine(&item.crc);
        cur.entry.uncompressed += item.len;
        cur.entry.compressed += payload;
        if !cur.header_written {
            let e = &mut cur.entry;
            e.zip64_local =
                worst_compressed(cur.size, item.method, limits.chunk) >= limits.zip64.bytes;
            e.version_needed = zipfmt::Entry::version_for(
                e.method,
                e.zip64_local || e.offset >= limits.zip64.bytes,
            );
            if item.last {
                e.crc = cur.crc.clone().finalize();
            }
            cur.patch = !item.last;
            cur.header_written = true;
            let header = e.local_header();
            self.zip.write(&header)?;
        }
        if deflated {
            self.zip.write(&item.piece)?;
            if item.last {
                self.zip.write(&FINAL_BLOCK)?;
            }
            self.gz.write(&item.piece)?;
        } else {
            self.zip.write(&item.data)?;
            for block in item.data.chunks(65_535) {
                let len = u16::try_from(block.len()).expect("chunks of at most 65,535 bytes");
                self.gz.write(&deflate::stored_header(len))?;
                self.gz.write(block)?;
            }
        }
        self.gz_crc.combine(&item.crc);
        self.gz_len += item.len;
        if item.last {
            self.finish_entry()?;
        }
        Ok(())
    }

    fn finish_entry(&mut self) -> Result<(), WriteError> {
        let Some(mut cur) = self.current.take() else {
            return Ok(());
        };
        let e = &mut cur.entry;
        e.crc = cur.crc.clone().finalize();
        let internal = |what: &str| {
            io::Error::other(format!("internal error in zip entry `{}`: {what}", e.name))
        };
        if e.uncompressed != cur.size {
            return Err(self
                .zip
                .err(internal("size differs from the announced size")));
        }
        if !e.zip64_local
            && (e.compressed >= self.limits.zip64.bytes
                || e.uncompressed >= self.limits.zip64.bytes)
        {
            return Err(self
                .zip
                .err(internal("sizes outgrew a header without ZIP64")));
        }
        if cur.patch {
            self.zip
                .patch(e.offset + zipfmt::LOCAL_CRC_AT, &e.local_crc_and_sizes())?;
            if let Some((at, sizes)) = e.local_zip64_sizes() {
                self.zip.patch(at, &sizes)?;
            }
        }
        let header = e.central_header(self.limits.zip64);
        self.central
            .write_all(&header)
            .map_err(|source| self.zip.err(source))?;
        self.central_len += header.len() as u64;
        self.entries += 1;
        Ok(())
    }
}

/// The largest compressed size an entry can reach: chunks are never larger than stored
/// blocks, and the zip stream ends with an empty final block.
fn worst_compressed(size: u64, method: Method, chunk: usize) -> u64 {
    match method {
        Method::Stored => size,
        Method::Deflated => {
            let chunk = chunk as u64;
            (size / chunk) * deflate::stored_len(chunk)
                + deflate::stored_len(size % chunk)
                + FINAL_BLOCK.len() as u64
        }
    }
}

/// Writes `customer-security-package-<version>.zip` and `.tar.gz` side by side.
pub struct PackageWriter {
    out_dir: PathBuf,
    version: String,
    top: String,
    mtime: i64,
    limits: Limits,
    engine: Engine,
    /// Most uncompressed bytes queued before the oldest job is waited for.
    inflight_limit: usize,
    batch: Vec<Item>,
    batch_bytes: usize,
    queue: VecDeque<(mpsc::Receiver<Done>, usize)>,
    inflight: usize,
    sink: Sink,
    /// The last [`DICT_LEN`] bytes of the tar stream so far.
    tail: Vec<u8>,
    /// Zero padding owed after the previous entry's data.
    pad: usize,
    buffers: Buffers,
    last: Option<String>,
    /// Set when a failure left the archives incomplete: names the entry.
    broken: Option<String>,
}

/// Buffers at least this large are recycled.
const RECYCLE_MIN: usize = 64 * 1024;
/// Buffers larger than this (grown by incompressible data) are freed.
const RECYCLE_MAX: usize = 2 * CHUNK_LEN;

/// Recycled chunk buffers: large allocations are reused rather than mapped and faulted in
/// again for every chunk.
struct Buffers {
    free: Vec<Vec<u8>>,
    max: usize,
}

impl Buffers {
    /// An empty buffer with room for `capacity` bytes.
    fn take(&mut self, capacity: usize) -> Vec<u8> {
        if capacity >= RECYCLE_MIN
            && let Some(mut buf) = self.free.pop()
        {
            buf.clear();
            buf.reserve(capacity);
            return buf;
        }
        Vec::with_capacity(capacity)
    }

    fn give(&mut self, buf: Vec<u8>) {
        let size = buf.capacity();
        if (RECYCLE_MIN..=RECYCLE_MAX).contains(&size) && self.free.len() < self.max {
            self.free.push(buf);
        }
    }
}

impl std::fmt::Debug for PackageWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackageWriter")
            .field("out_dir", &self.out_dir)
            .field("version", &self.version)
            .field("last", &self.last)
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl PackageWriter {
    /// Start both archives in `out_dir` (which must exist). `mtime` is the commit time.
    /// Uses the default [`WriterOptions`].
    pub fn create(out_dir: &Path, version: &str, mtime: i64) -> Result<Self, WriteError> {
        Self::create_with(out_dir, version, mtime, &WriterOptions::default())
    }

    /// [`PackageWriter::create`] with explicit options.
    pub fn create_with(
        out_dir: &Path,
        version: &str,
        mtime: i64,
        options: &WriterOptions,
    ) -> Result<Self, WriteError> {
        Self::create_limited(out_dir, version, mtime, options, Limits::default())
    }

    fn create_limited(
        out_dir: &Path,
        version: &str,
        mtime: i64,
        options: &WriterOptions,
        limits: Limits,
    ) -> Result<Self, WriteError> {
        let dir_err = |source| WriteError::Io {
            path: out_dir.to_path_buf(),
            source,
        };
        let out = |format: ArchiveFormat| -> Result<Out, WriteError> {
            let temp = tempfile::Builder::new()
                .prefix(&format!(".{}.", format.file_name(version)))
                .suffix(".tmp")
                .tempfile_in(out_dir)
                .map_err(dir_err)?;
            Ok(Out {
                file: BufWriter::with_capacity(COPY_BUF, temp),
                pos: 0,
                path: out_dir.join(format.file_name(version)),
            })
        };
        let zip = out(ArchiveFormat::Zip)?;
        let mut gz = out(ArchiveFormat::TarGz)?;
        gz.write(&GZIP_HEADER)?;
        let central = BufWriter::new(tempfile::tempfile_in(out_dir).map_err(dir_err)?);
        let zip_time = dos_time(mtime);
        let engine = if options.threads <= 1 {
            Engine::Inline(Box::new(Deflater::new(DEFLATE_LEVEL)))
        } else {
            Engine::Pool(
                Pool::new(options.threads).map_err(|source| WriteError::Threads { source })?,
            )
        };
        let inflight_limit = limits.chunk * (2 * options.threads).clamp(4, 32);
        Ok(PackageWriter {
            out_dir: out_dir.to_path_buf(),
            version: version.to_owned(),
            top: layout::top_folder(version),
            mtime,
            limits,
            engine,
            inflight_limit,
            batch: Vec::new(),
            batch_bytes: 0,
            queue: VecDeque::new(),
            inflight: 0,
            sink: Sink {
                zip,
                gz,
                central,
                central_len: 0,
                entries: 0,
                gz_crc: Crc::new(),
                gz_len: 0,
                current: None,
                time: zip_time.timepart(),
                date: zip_time.datepart(),
                limits,
            },
            tail: Vec::with_capacity(DICT_LEN),
            pad: 0,
            buffers: Buffers {
                free: Vec::new(),
                max: inflight_limit / limits.chunk + 2,
            },
            last: None,
            broken: None,
        })
    }

    /// Add one file. `path` is relative to the top folder; paths must come in strictly
    /// increasing byte order. `data` must yield exactly `size` bytes. `probe` is the
    /// start of the data (up to [`PROBE_LEN`] bytes) and decides deflate or store.
    ///
    /// A file is read in chunks of [`CHUNK_LEN`] bytes, so memory stays bounded whatever
    /// its size. A refused path, or data of the wrong length in a file of at most one chunk,
    /// leaves the writer usable; any other failure leaves the archives incomplete and every
    /// later call returns [`WriteError::Aborted`].
    pub fn add(
        &mut self,
        path: &str,
        size: u64,
        probe: &[u8],
        data: &mut dyn Read,
    ) -> Result<(), WriteError> {
        if let Some(entry) = &self.broken {
            return Err(WriteError::Aborted {
                entry: entry.clone(),
            });
        }
        if !layout::is_safe_relative_path(path) {
            return Err(WriteError::UnsafePath {
                entry: path.to_owned(),
            });
        }
        if let Some(prev) = &self.last
            && prev.as_bytes() >= path.as_bytes()
        {
            return Err(WriteError::Order {
                entry: path.to_owned(),
                previous: prev.clone(),
            });
        }
        let name = format!("{}/{}", self.top, path);
        let mut glue = vec![0u8; self.pad];
        glue.extend_from_slice(&tar_header(&name, size, self.mtime).map_err(|source| {
            WriteError::Tar {
                entry: name.clone(),
                source,
            }
        })?);
        let start = Box::new(Start {
            name,
            size,
            dict: self.tail.clone(),
            glue,
            glue_piece: Vec::new(),
            glue_crc: Crc::new(),
        });
        let source_err = |source| WriteError::Source {
            entry: path.to_owned(),
            source,
        };
        let mismatch = |actual| WriteError::SizeMismatch {
            entry: path.to_owned(),
            expected: size,
            actual,
        };
        let chunk = self.limits.chunk as u64;

        if size <= chunk {
            // One chunk: read it whole (and one byte more) before anything is queued.
            let mut data_buf = self.buffers.take(usize::try_from(size).unwrap_or(0) + 1);
            data.take(size + 1)
                .read_to_end(&mut data_buf)
                .map_err(source_err)?;
            if data_buf.len() as u64 != size {
                return Err(mismatch(data_buf.len() as u64));
            }
            let choice = if data_buf.starts_with(probe) {
                Choice::ProbePrefix(probe.len())
            } else {
                Choice::Probe(probe.to_vec())
            };
            self.tar_advance(&start.glue, &data_buf, size);
            let piece = self.buffers.take(data_buf.len() / 2);
            self.push(item(Some(start), choice, data_buf, piece, true), path)?;
        } else {
            let method = Method::from_probe(probe);
            let mut start = Some(start);
            let mut done = 0u64;
            while done < size {
                let want = (size - done).min(chunk);
                let mut buf = self.buffers.take(usize::try_from(want).unwrap_or(0));
                let read = data.take(want).read_to_end(&mut buf);
                let failure = match read {
                    Err(e) => Some(source_err(e)),
                    Ok(n) if (n as u64) < want => Some(mismatch(done + n as u64)),
                    Ok(_) => None,
                };
                if let Some(err) = failure {
                    if done > 0 {
                        self.broken = Some(path.to_owned());
                    }
                    return Err(err);
                }
                done += want;
                if let Some(s) = &start {
                    update_tail(&mut self.tail, &s.glue);
                }
                update_tail(&mut self.tail, &buf);
                let last = done == size;
                let piece = match method {
                    Method::Deflated => self.buffers.take(buf.len() / 2),
                    Method::Stored => Vec::new(),
                };
                self.push(
                    item(start.take(), Choice::Known(method), buf, piece, last),
                    path,
                )?;
            }
            self.pad = padding(size);
            // More data than announced means the source grew: refuse rather than truncate.
            let mut one = [0u8; 1];
            let extra = data.read(&mut one).map_err(|e| {
                self.broken = Some(path.to_owned());
                source_err(e)
            })?;
            if extra != 0 {
                self.broken = Some(path.to_owned());
                return Err(mismatch(size + 1));
            }
        }
        self.last = Some(path.to_owned());
        Ok(())
    }

    /// Add a file held in memory.
    pub fn add_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let probe = &bytes[..bytes.len().min(PROBE_LEN)];
        self.add(path, bytes.len() as u64, probe, &mut &bytes[..])
    }

    /// Add a file streamed from `data`, which must yield exactly `size` bytes: the probe is
    /// read from the start of the data itself. Same rules as [`PackageWriter::add`].
    pub fn add_reader(
        &mut self,
        path: &str,
        size: u64,
        data: &mut dyn Read,
    ) -> Result<(), WriteError> {
        let want = size.min(PROBE_LEN as u64);
        let mut probe = Vec::with_capacity(PROBE_LEN.min(usize::try_from(want).unwrap_or(0)));
        data.take(want)
            .read_to_end(&mut probe)
            .map_err(|source| WriteError::Source {
                entry: path.to_owned(),
                source,
            })?;
        let mut rest = (&probe[..]).chain(data);
        self.add(path, size, &probe, &mut rest)
    }

    /// Record a one-chunk entry's tar bytes (headers, data, padding) in the dictionary tail.
    fn tar_advance(&mut self, glue: &[u8], data: &[u8], size: u64) {
        update_tail(&mut self.tail, glue);
        update_tail(&mut self.tail, data);
        self.pad = padding(size);
    }

    /// Queue an item; write finished jobs while too much is in flight.
    fn push(&mut self, item: Item, entry: &str) -> Result<(), WriteError> {
        self.batch_bytes += item.data.len() + item.start.as_ref().map_or(0, |s| s.glue.len());
        self.batch.push(item);
        if self.batch_bytes >= JOB_BYTES {
            self.submit()
                .inspect_err(|_| self.broken = Some(entry.to_owned()))?;
        }
        Ok(())
    }

    /// Hand the current batch to the workers (or process it here) and keep the number of
    /// bytes in flight under the bound.
    fn submit(&mut self) -> Result<(), WriteError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let mut items = std::mem::take(&mut self.batch);
        let bytes = std::mem::take(&mut self.batch_bytes);
        match &mut self.engine {
            Engine::Inline(deflater) => {
                for item in &mut items {
                    process(deflater, item).map_err(|source| compress_error(item, source))?;
                }
                self.write_items(items)?;
            }
            Engine::Pool(pool) => {
                let (done, result) = mpsc::sync_channel(1);
                let job = Job { items, done };
                let sent = pool.jobs.as_ref().map(|jobs| jobs.send(job));
                if !matches!(sent, Some(Ok(()))) {
                    return Err(WriteError::Threads {
                        source: io::Error::other("the compression threads stopped"),
                    });
                }
                self.queue.push_back((result, bytes));
                self.inflight += bytes;
                while self.inflight > self.inflight_limit {
                    self.write_oldest()?;
                }
            }
        }
        Ok(())
    }

    /// Wait for the oldest job and write its items.
    fn write_oldest(&mut self) -> Result<(), WriteError> {
        let Some((result, bytes)) = self.queue.pop_front() else {
            return Ok(());
        };
        self.inflight -= bytes;
        let items = match result.recv() {
            Ok(Ok(items)) => items,
            Ok(Err(source)) => {
                return Err(WriteError::Compress {
                    entry: self.last.clone().unwrap_or_default(),
                    source,
                });
            }
            Err(_) => {
                return Err(WriteError::Threads {
                    source: io::Error::other("a compression thread stopped"),
                });
            }
        };
        self.write_items(items)
    }

    /// Write processed items in order and keep their buffers for the next chunks.
    fn write_items(&mut self, items: Vec<Item>) -> Result<(), WriteError> {
        for mut item in items {
            self.sink.write_item(&mut item)?;
            self.buffers.give(item.data);
            self.buffers.give(item.piece);
        }
        Ok(())
    }

    /// Finish both archives, flush them to disk and rename them to their final names.
    pub fn finish(self) -> Result<Vec<WrittenArchive>, WriteError> {
        self.finish_pending()?.persist(&[])
    }

    /// Finish both archives but keep them under their temporary names, so that signatures
    /// can be made from their digests and written first (see [`PendingArchives::persist`]).
    pub fn finish_pending(mut self) -> Result<PendingArchives, WriteError> {
        if let Some(entry) = &self.broken {
            return Err(WriteError::Aborted {
                entry: entry.clone(),
            });
        }
        if self.last.is_none() {
            return Err(WriteError::Empty);
        }
        self.submit()?;
        while !self.queue.is_empty() {
            self.write_oldest()?;
        }
        // The tar end: the last padding and two zero blocks, then the end of the deflate
        // stream and the gzip trailer.
        let end = vec![0u8; self.pad + 2 * TAR_BLOCK as usize];
        let mut piece = Vec::new();
        let result = match &mut self.engine {
            Engine::Inline(deflater) => deflater.piece(&self.tail, &end, &mut piece),
            Engine::Pool(_) => Deflater::new(DEFLATE_LEVEL).piece(&self.tail, &end, &mut piece),
        };
        result.map_err(|source| WriteError::Compress {
            entry: "the tar end".into(),
            source,
        })?;
        let Sink {
            mut zip,
            mut gz,
            central,
            central_len,
            entries,
            mut gz_crc,
            gz_len,
            limits,
            ..
        } = self.sink;
        let mut end_crc = Crc::new();
        end_crc.update(&end);
        gz_crc.combine(&end_crc);
        gz.write(&piece)?;
        gz.write(&FINAL_BLOCK)?;
        gz.write(&gz_crc.clone().finalize().to_le_bytes())?;
        let isize = (gz_len + end.len() as u64) as u32; // ISIZE is the length modulo 2^32
        gz.write(&isize.to_le_bytes())?;

        let cd_offset = zip.pos;
        let mut central = central.into_inner().map_err(|e| zip.err(e.into_error()))?;
        central
            .seek(SeekFrom::Start(0))
            .map_err(|source| zip.err(source))?;
        let copied = io::copy(&mut central, &mut zip.file).map_err(|source| zip.err(source))?;
        zip.pos += copied;
        zip.write(&zipfmt::end_records(
            entries,
            cd_offset,
            central_len,
            limits.zip64,
        ))?;

        let temps = [
            (ArchiveFormat::Zip, zip.path.clone(), zip.into_temp()?),
            (ArchiveFormat::TarGz, gz.path.clone(), gz.into_temp()?),
        ];
        // Hash both files at once.
        let digests: Vec<io::Result<(u64, [u8; 32])>> = std::thread::scope(|s| {
            let handles: Vec<_> = temps
                .iter()
                .map(|(_, _, temp)| s.spawn(|| digest_file(temp.path())))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("hashing failed")))
                })
                .collect()
        });
        let mut archives = Vec::new();
        for ((format, path, temp), digest) in temps.into_iter().zip(digests) {
            let (size, sha256) = digest.map_err(|source| WriteError::Io {
                path: path.clone(),
                source,
            })?;
            archives.push((
                WrittenArchive {
                    format,
                    path,
                    size,
                    sha256,
                },
                temp,
            ));
        }
        Ok(PendingArchives {
            out_dir: self.out_dir,
            archives,
        })
    }
}

fn item(
    start: Option<Box<Start>>,
    choice: Choice,
    data: Vec<u8>,
    piece: Vec<u8>,
    last: bool,
) -> Item {
    Item {
        start,
        choice,
        len: data.len() as u64,
        data,
        last,
        method: Method::Stored,
        piece,
        crc: Crc::new(),
    }
}

fn compress_error(item: &Item, source: io::Error) -> WriteError {
    WriteError::Compress {
        entry: item
            .start
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        source,
    }
}

/// Zero bytes after `size` bytes of tar data.
fn padding(size: u64) -> usize {
    ((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK) as usize
}

/// Keep the last [`DICT_LEN`] bytes of `tail` followed by `bytes`.
fn update_tail(tail: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() >= DICT_LEN {
        tail.clear();
        tail.extend_from_slice(&bytes[bytes.len() - DICT_LEN..]);
    } else {
        tail.extend_from_slice(bytes);
        let excess = tail.len().saturating_sub(DICT_LEN);
        tail.drain(..excess);
    }
}

/// The tar header bytes of a regular file (a GNU long-name entry first when the name does
/// not fit): mode 0644, uid/gid 0, the commit time.
fn tar_header(name: &str, size: u64, mtime: i64) -> io::Result<Vec<u8>> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(u64::try_from(mtime).unwrap_or(0));
    let mut builder = tar::Builder::new(Vec::new());
    builder.append_data(&mut header, name, io::empty())?;
    Ok(std::mem::take(builder.get_mut()))
}

/// Finished archives still under temporary names. Dropping this deletes them.
#[derive(Debug)]
pub struct PendingArchives {
    out_dir: PathBuf,
    archives: Vec<(WrittenArchive, tempfile::NamedTempFile)>,
}

impl PendingArchives {
    /// The archives, with the final paths they will get.
    pub fn archives(&self) -> Vec<WrittenArchive> {
        self.archives.iter().map(|(w, _)| w.clone()).collect()
    }

    /// Open the written archive of `format` for reading (to check it before it is published);
    /// `None` when this writer made no such archive.
    pub fn reopen(&self, format: ArchiveFormat) -> Option<io::Result<File>> {
        self.archives
            .iter()
            .find(|(w, _)| w.format == format)
            .map(|(_, temp)| temp.reopen())
    }

    /// Write `sidecars` (file name in the output folder, bytes: signatures, provenance)
    /// atomically, then rename the archives into place. An archive at its final path thus
    /// always has its sidecars next to it.
    pub fn persist(
        self,
        sidecars: &[(String, Vec<u8>)],
    ) -> Result<Vec<WrittenArchive>, WriteError> {
        for (name, bytes) in sidecars {
            write_atomic(&self.out_dir, name, bytes)?;
        }
        let mut written = Vec::new();
        for (archive, temp) in self.archives {
            let io_err = |source| WriteError::Io {
                path: archive.path.clone(),
                source,
            };
            temp.persist(&archive.path).map_err(|e| io_err(e.error))?;
            set_mode_644(&archive.path).map_err(io_err)?;
            written.push(archive);
        }
        Ok(written)
    }
}

/// Write `bytes` to `dir/name` through a temporary file and a rename, mode 0644.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, WriteError> {
    let path = dir.join(name);
    let io_err = |source| WriteError::Io {
        path: path.clone(),
        source,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err)?;
    temp.write_all(bytes).map_err(io_err)?;
    temp.as_file().sync_all().map_err(io_err)?;
    temp.persist(&path).map_err(|e| io_err(e.error))?;
    set_mode_644(&path).map_err(io_err)?;
    Ok(path)
}

/// Size and SHA-256 of a file, streaming.
pub fn digest_file(path: &Path) -> io::Result<(u64, [u8; 32])> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0; COPY_BUF];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hasher.finalize().into()))
}

#[cfg(unix)]
fn set_mode_644(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_mode_644(_: &Path) -> io::Result<()> {
    Ok(())
}

/// Whether a file starting with `probe` is worth deflating. Deterministic: depends on the
/// first [`PROBE_LEN`] bytes of `probe` only.
///
/// Printable ASCII text always is (a Huffman code alone saves over 15% on 95 symbols), so it
/// costs one pass over the bytes; anything else is deflated at level 1 and must save at
/// least [`MIN_SAVING_PERCENT`]. Empty input is not worth it, any other input under 64 bytes
/// is.
pub fn compresses(probe: &[u8]) -> bool {
    decide(probe, &mut deflate::Trial::new())
}

fn decide(probe: &[u8], trial: &mut deflate::Trial) -> bool {
    let probe = probe.get(..PROBE_LEN).unwrap_or(probe);
    if probe.len() < 64 {
        return !probe.is_empty();
    }
    let text = probe
        .iter()
        .all(|&b| matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | b' '..=b'~'));
    text || trial.saves(probe, MIN_SAVING_PERCENT)
}

/// The commit time as a zip (DOS) timestamp in UTC. DOS time covers 1980-2107 with
/// two-second resolution: earlier times clamp to 1980-01-01 00:00:00, later ones to the
/// last representable second, odd seconds round down.
pub fn dos_time(unix: i64) -> zip::DateTime {
    let (y, mo, d, h, mi, s) = civil_from_unix(unix);
    let clamped = if y < 1980 {
        (1980, 1, 1, 0, 0, 0)
    } else if y > 2107 {
        (2107, 12, 31, 23, 59, 58)
    } else {
        (y, mo, d, h, mi, s - s % 2)
    };
    let (y, mo, d, h, mi, s) = clamped;
    zip::DateTime::from_date_and_time(y as u16, mo as u8, d as u8, h as u8, mi as u8, s as u8)
        .expect("clamped to the DOS range with valid calendar fields")
}

/// Seconds since the epoch to (year, month, day, hour, minute, second), proleptic Gregorian,
/// UTC (Howard Hinnant's `civil_from_days`).
pub fn civil_from_unix(unix: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (for human-readable output).
pub fn rfc3339(unix: i64) -> String {
    let (y, mo, d, h, mi, s) = civil_from_unix(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_unix(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil_from_unix(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(civil_from_unix(1_767_225_599), (2025, 12, 31, 23, 59, 59));
        assert_eq!(civil_from_unix(-1), (1969, 12, 31, 23, 59, 59));
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn dos_time_clamps_and_rounds() {
        let t = dos_time(1_700_000_001);
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2023, 11, 14, 22, 13, 20)
        );
        let early = dos_time(0);
        assert_eq!((early.year(), early.month(), early.day()), (1980, 1, 1));
        let late = dos_time(i64::from(u32::MAX) * 2);
        assert_eq!(late.year(), 2107);
    }

    #[test]
    fn compression_probe() {
        assert!(compresses(&b"policy text ".repeat(1000)));
        // xorshift noise does not compress
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..PROBE_LEN)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert!(!compresses(&noise));
        assert!(!compresses(b""));
        assert!(compresses(b"tiny"), "under 64 bytes: deflate");
        // Random printable text (a base64 blob): the ASCII rule says deflate, rightly
        // (level 6 saves about a quarter), though a level-1 trial with fixed codes would not.
        let base64: Vec<u8> = noise
            .iter()
            .map(|b| {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [usize::from(b % 64)]
            })
            .collect();
        assert!(compresses(&base64));
        let mut level6 = Vec::new();
        deflate::Deflater::new(DEFLATE_LEVEL)
            .piece(&[], &base64, &mut level6)
            .unwrap();
        assert!(level6.len() * 100 < base64.len() * 80, "{}", level6.len());
        // Binary whose second half repeats the first: the trial finds the matches.
        let half = &noise[..PROBE_LEN / 2];
        assert!(compresses(&[half, half].concat()));
        // One non-ASCII byte sends text to the trial, which still says deflate.
        let mut latin1 = b"policy text ".repeat(1000);
        latin1[5] = 0xe9;
        assert!(compresses(&latin1));
        // Only the first PROBE_LEN bytes count.
        assert!(!compresses(&[&noise[..], &b"text".repeat(10_000)].concat()));
    }

    #[test]
    fn trial_stops_at_the_break_even_size() {
        let mut trial = deflate::Trial::new();
        let text = b"abcabcabc".repeat(100);
        assert!(trial.saves(&text, 3));
        assert!(trial.saves(&text, 90));
        assert!(!trial.saves(&text, 100), "nothing fits in zero bytes");
    }
}
