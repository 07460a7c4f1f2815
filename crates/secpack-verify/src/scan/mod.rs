//! Reading a package archive: one sequential, streaming pass that hashes the archive file and
//! every entry, never extracts, and rejects anything hostile with a [`Code`].
//!
//! Both readers are written for this crate rather than taken from the `zip` and `tar` crates:
//! they must see every header field (to compare zip local and central headers, to refuse link
//! and device entries, PAX headers and extra fields), stop at exact byte boundaries (to detect
//! appended data and extra gzip members), and bound every allocation by a limit.

mod inflate;
mod names;
mod source;
mod targz;
mod zip;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};

use secpack_archive::{ArchiveFormat, layout};
use sha2::{Digest as _, Sha256};

use crate::Limits;
use crate::report::{Code, printable};

pub(crate) use source::Source;

/// Anything the readers can read from: a file, or bytes in a [`std::io::Cursor`].
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// The package files whose bytes are kept (up to [`Limits::max_metadata_size`]) for the
/// content checks.
pub const CAPTURED: [&str; 2] = [layout::SHA256SUMS, layout::MANIFEST];

/// The result of reading one archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub format: ArchiveFormat,
    /// Size of the archive file in bytes.
    pub size: u64,
    /// SHA-256 of the archive file (computed even when the contents are rejected).
    pub sha256: [u8; 32],
    /// The contents, or the first reason the archive is unsafe.
    pub outcome: Result<Contents, ArchiveProblem>,
}

/// The files of a safe archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// The single top folder (`customer-security-package-<version>`).
    pub top_folder: String,
    /// Every file, in archive order, with paths relative to the top folder.
    pub files: Vec<ScannedFile>,
    /// The bytes of the `CAPTURED` files (`SHA256SUMS` and `manifest.json`) that are present and within
    /// [`Limits::max_metadata_size`].
    pub metadata: BTreeMap<String, Vec<u8>>,
    /// Sum of the files' sizes.
    pub uncompressed_size: u64,
    /// The [`Limits::max_metadata_size`] the metadata was captured with.
    pub metadata_limit: u64,
}

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    /// Path relative to the top folder.
    pub path: String,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// Why an archive is unsafe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveProblem {
    pub code: Code,
    /// The entry concerned (full name inside the archive, control characters escaped).
    pub entry: Option<String>,
    pub message: String,
}

impl fmt::Display for ArchiveProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(entry) => write!(f, "[{}] `{}`: {}", self.code, entry, self.message),
            None => write!(f, "[{}] {}", self.code, self.message),
        }
    }
}

/// Why reading stopped: a real I/O error (reported to the caller) or a problem in the data.
#[derive(Debug)]
pub(crate) enum Fail {
    Io(io::Error),
    Problem(ArchiveProblem),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail::Io(e)
    }
}

impl From<ArchiveProblem> for Fail {
    fn from(p: ArchiveProblem) -> Self {
        Fail::Problem(p)
    }
}

/// A problem not tied to one entry.
pub(crate) fn problem(code: Code, message: impl Into<String>) -> Fail {
    Fail::Problem(ArchiveProblem {
        code,
        entry: None,
        message: message.into(),
    })
}

/// A problem with the entry named by the raw bytes `name`.
pub(crate) fn entry_problem(code: Code, name: &[u8], message: impl Into<String>) -> Fail {
    Fail::Problem(ArchiveProblem {
        code,
        entry: Some(printable(&String::from_utf8_lossy(name), 300)),
        message: message.into(),
    })
}

/// Read `input` as an archive of `format`: one sequential pass (plus, for zip, one read of the
/// central directory at the end), streaming, with memory bounded by `limits`.
///
/// Returns an error only when reading `input` itself fails; everything wrong with the data is
/// in [`Scan::outcome`].
pub fn scan(input: &mut dyn ReadSeek, format: ArchiveFormat, limits: &Limits) -> io::Result<Scan> {
    let mut collector = Collector::new(limits);
    let (outcome, size, sha256) = match format {
        ArchiveFormat::Zip => zip::scan(input, &mut collector)?,
        ArchiveFormat::TarGz => {
            input.seek(SeekFrom::Start(0))?;
            let mut src = Source::new(input);
            let outcome = targz::scan(&mut src, &mut collector);
            let (size, sha256) = src.finish()?;
            (outcome, size, sha256)
        }
    };
    let outcome = match outcome {
        Ok(()) => collector.into_contents(),
        Err(Fail::Problem(p)) => Err(p),
        Err(Fail::Io(e)) => return Err(e),
    };
    Ok(Scan {
        format,
        size,
        sha256,
        outcome,
    })
}

/// Collects the entries of one archive: validates names, enforces the limits, hashes data.
pub(crate) struct Collector<'l> {
    limits: &'l Limits,
    names: names::NameSet,
    top: Option<String>,
    files: Vec<ScannedFile>,
    metadata: BTreeMap<String, Vec<u8>>,
    declared_total: u64,
}

/// One entry being hashed.
pub(crate) struct EntryHash {
    path: String,
    size: u64,
    seen: u64,
    sha: Sha256,
    capture: Option<Vec<u8>>,
}

impl EntryHash {
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.sha.update(data);
        self.seen += data.len() as u64;
        if let Some(buf) = &mut self.capture {
            buf.extend_from_slice(data);
        }
    }
}

impl<'l> Collector<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Collector {
            limits,
            names: names::NameSet::default(),
            top: None,
            files: Vec::new(),
            metadata: BTreeMap::new(),
            declared_total: 0,
        }
    }

    pub(crate) fn limits(&self) -> &'l Limits {
        self.limits
    }

    /// Register an entry by its raw name and declared size; returns its path relative to the
    /// top folder. Checks the name rules, the single top folder, duplicates and the limits.
    pub(crate) fn announce(&mut self, raw: &[u8], size: u64) -> Result<String, Fail> {
        let count = self.names.len() as u64 + 1;
        if count > self.limits.max_entries {
            return Err(entry_problem(
                Code::TooManyEntries,
                raw,
                format!(
                    "more than {} entries (raise the entry limit if this package is legitimately this large)",
                    self.limits.max_entries
                ),
            ));
        }
        let (top, rel) = names::split(raw).map_err(|(code, msg)| entry_problem(code, raw, msg))?;
        match &self.top {
            None => self.top = Some(top.to_owned()),
            Some(first) if first == top => {}
            Some(first) => {
                return Err(entry_problem(
                    Code::OutsideTopFolder,
                    raw,
                    format!("outside the top folder `{}`", printable(first, 200)),
                ));
            }
        }
        self.names
            .insert(rel)
            .map_err(|(code, msg)| entry_problem(code, raw, msg))?;
        if size > self.limits.max_entry_size {
            return Err(entry_problem(
                Code::EntryTooLarge,
                raw,
                format!(
                    "{size} bytes uncompressed, above the limit of {} bytes per file",
                    self.limits.max_entry_size
                ),
            ));
        }
        self.declared_total = self.declared_total.saturating_add(size);
        if self.declared_total > self.limits.max_total_size {
            return Err(entry_problem(
                Code::TotalTooLarge,
                raw,
                format!(
                    "the files add up to more than the limit of {} bytes uncompressed",
                    self.limits.max_total_size
                ),
            ));
        }
        Ok(rel.to_owned())
    }

    /// Start hashing an announced entry.
    pub(crate) fn begin(&self, path: &str, size: u64) -> EntryHash {
        let capture = (CAPTURED.contains(&path) && size <= self.limits.max_metadata_size)
            .then(|| Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
        EntryHash {
            path: path.to_owned(),
            size,
            seen: 0,
            sha: Sha256::new(),
            capture,
        }
    }

    /// Finish an entry whose data has been fed to `hash` completely.
    pub(crate) fn finish(&mut self, hash: EntryHash) {
        debug_assert_eq!(hash.seen, hash.size);
        if let Some(bytes) = hash.capture {
            self.metadata.insert(hash.path.clone(), bytes);
        }
        self.files.push(ScannedFile {
            path: hash.path,
            size: hash.size,
            sha256: hash.sha.finalize().into(),
        });
    }

    fn into_contents(self) -> Result<Contents, ArchiveProblem> {
        let Some(top_folder) = self.top else {
            return Err(ArchiveProblem {
                code: Code::Empty,
                entry: None,
                message: "the archive holds no files".to_owned(),
            });
        };
        let uncompressed_size = self.files.iter().map(|f| f.size).sum();
        Ok(Contents {
            top_folder,
            files: self.files,
            metadata: self.metadata,
            uncompressed_size,
            metadata_limit: self.limits.max_metadata_size,
        })
    }
}
