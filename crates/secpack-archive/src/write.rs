//! Deterministic, streaming writers for the package's zip and tar.gz.
//!
//! Both archives are written in one pass from one ordered list of entries: every byte of a
//! file is read once and fed to both encoders. The output depends only on the entries
//! (paths, bytes), the version and the commit time:
//!
//! - entries strictly sorted by path, each under the single top folder; no directory entries;
//! - every mtime is the commit time (zip: DOS time in UTC, clamped to 1980-2107 and rounded
//!   down to even seconds; tar: seconds), mode `0644`, uid/gid 0, empty owner names;
//! - zip: no extra fields, deflate from the pinned `zlib-rs` backend at a fixed level, or
//!   stored when compression would not save at least [`MIN_SAVING_PERCENT`] on a probe of
//!   the file's start; ZIP64 only for entries that need it;
//! - tar.gz: GNU headers, gzip header with mtime 0 and OS byte 255 (unknown).
//!
//! Outputs are written to temporary files in the output folder and renamed into place by
//! [`PackageWriter::finish`]; dropping an unfinished writer deletes them, and a killed
//! process leaves only `.tmp` files, never a package at its final path.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::layout::{self, ArchiveFormat};

/// Deflate level used for both archives (zlib's default trade-off).
pub const DEFLATE_LEVEL: u32 = 6;
/// A file is stored uncompressed in the zip when deflating a probe of its first
/// [`PROBE_LEN`] bytes saves less than this share.
pub const MIN_SAVING_PERCENT: u64 = 3;
/// Bytes probed to decide between deflate and store.
pub const PROBE_LEN: usize = 64 * 1024;

const COPY_BUF: usize = 256 * 1024;

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
    #[error("zip entry `{entry}`: {source}")]
    Zip {
        entry: String,
        #[source]
        source: zip::result::ZipError,
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
}

/// A finished archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenArchive {
    pub format: ArchiveFormat,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// Writes `customer-security-package-<version>.zip` and `.tar.gz` side by side.
pub struct PackageWriter {
    out_dir: PathBuf,
    version: String,
    top: String,
    mtime: i64,
    zip_time: zip::DateTime,
    zip: ZipWriter<BufWriter<tempfile::NamedTempFile>>,
    tar: tar::Builder<flate2::write::GzEncoder<BufWriter<tempfile::NamedTempFile>>>,
    last: Option<String>,
    buf: Vec<u8>,
}

impl std::fmt::Debug for PackageWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackageWriter")
            .field("out_dir", &self.out_dir)
            .field("version", &self.version)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl PackageWriter {
    /// Start both archives in `out_dir` (which must exist). `mtime` is the commit time.
    pub fn create(out_dir: &Path, version: &str, mtime: i64) -> Result<Self, WriteError> {
        let temp = |format: ArchiveFormat| {
            tempfile::Builder::new()
                .prefix(&format!(".{}.", format.file_name(version)))
                .suffix(".tmp")
                .tempfile_in(out_dir)
                .map_err(|source| WriteError::Io {
                    path: out_dir.to_path_buf(),
                    source,
                })
        };
        let zip = ZipWriter::new(BufWriter::with_capacity(
            COPY_BUF,
            temp(ArchiveFormat::Zip)?,
        ));
        let gz = GzBuilder::new().mtime(0).operating_system(255).write(
            BufWriter::with_capacity(COPY_BUF, temp(ArchiveFormat::TarGz)?),
            Compression::new(DEFLATE_LEVEL),
        );
        let tar = tar::Builder::new(gz);
        Ok(PackageWriter {
            out_dir: out_dir.to_path_buf(),
            version: version.to_owned(),
            top: layout::top_folder(version),
            mtime,
            zip_time: dos_time(mtime),
            zip,
            tar,
            last: None,
            buf: vec![0; COPY_BUF],
        })
    }

    /// Add one file. `path` is relative to the top folder; paths must come in strictly
    /// increasing byte order. `data` must yield exactly `size` bytes. `probe` is the
    /// start of the data (up to [`PROBE_LEN`] bytes) and decides the zip compression.
    pub fn add(
        &mut self,
        path: &str,
        size: u64,
        probe: &[u8],
        data: &mut dyn Read,
    ) -> Result<(), WriteError> {
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
        let full = format!("{}/{}", self.top, path);
        let method = if compresses(probe) {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level(
                (method == CompressionMethod::Deflated).then_some(i64::from(DEFLATE_LEVEL)),
            )
            .last_modified_time(self.zip_time)
            .unix_permissions(0o644)
            .large_file(size >= u64::from(u32::MAX));
        let zip_err = |source| WriteError::Zip {
            entry: full.clone(),
            source,
        };
        self.zip
            .start_file(full.as_str(), options)
            .map_err(zip_err)?;

        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(size);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(u64::try_from(self.mtime).unwrap_or(0));

        // One read of the source feeds both encoders.
        let mut tee = Tee {
            inner: data,
            zip: &mut self.zip,
            count: 0,
            limit: size,
            failed: None,
        };
        let appended = self.tar.append_data(&mut header, &full, &mut tee);
        let (count, failed) = (tee.count, tee.failed.take());
        if let Some(source) = failed {
            return Err(source.into_error(path));
        }
        appended.map_err(|source| WriteError::Tar {
            entry: full.clone(),
            source,
        })?;
        if count != size {
            return Err(WriteError::SizeMismatch {
                entry: path.to_owned(),
                expected: size,
                actual: count,
            });
        }
        // Extra bytes beyond `size` mean the source grew: refuse rather than truncate.
        let extra = data
            .read(&mut self.buf[..1])
            .map_err(|source| WriteError::Source {
                entry: path.to_owned(),
                source,
            })?;
        if extra != 0 {
            return Err(WriteError::SizeMismatch {
                entry: path.to_owned(),
                expected: size,
                actual: size + 1,
            });
        }
        self.last = Some(path.to_owned());
        Ok(())
    }

    /// Add a file held in memory.
    pub fn add_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let probe = &bytes[..bytes.len().min(PROBE_LEN)];
        self.add(path, bytes.len() as u64, probe, &mut &bytes[..])
    }

    /// Finish both archives, flush them to disk and rename them to their final names.
    pub fn finish(self) -> Result<Vec<WrittenArchive>, WriteError> {
        self.finish_pending()?.persist(&[])
    }

    /// Finish both archives but keep them under their temporary names, so that signatures
    /// can be made from their digests and written first (see [`PendingArchives::persist`]).
    pub fn finish_pending(self) -> Result<PendingArchives, WriteError> {
        if self.last.is_none() {
            return Err(WriteError::Empty);
        }
        let zip_name = ArchiveFormat::Zip.file_name(&self.version);
        let zip_file = self.zip.finish().map_err(|source| WriteError::Zip {
            entry: zip_name.clone(),
            source,
        })?;
        let tar_name = ArchiveFormat::TarGz.file_name(&self.version);
        let gz = self.tar.into_inner().map_err(|source| WriteError::Tar {
            entry: tar_name.clone(),
            source,
        })?;
        let tar_file = gz.finish().map_err(|source| WriteError::Tar {
            entry: tar_name.clone(),
            source,
        })?;

        let mut archives = Vec::new();
        for (format, buffered) in [
            (ArchiveFormat::Zip, zip_file),
            (ArchiveFormat::TarGz, tar_file),
        ] {
            let final_path = self.out_dir.join(format.file_name(&self.version));
            let io_err = |source| WriteError::Io {
                path: final_path.clone(),
                source,
            };
            let temp = buffered.into_inner().map_err(|e| io_err(e.into_error()))?;
            temp.as_file().sync_all().map_err(io_err)?;
            let (size, sha256) = digest_file(temp.path()).map_err(io_err)?;
            let written = WrittenArchive {
                format,
                path: final_path,
                size,
                sha256,
            };
            archives.push((written, temp));
        }
        Ok(PendingArchives {
            out_dir: self.out_dir,
            archives,
        })
    }
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

/// Whether deflating `probe` saves at least [`MIN_SAVING_PERCENT`]. Deterministic: depends
/// on the bytes only.
pub fn compresses(probe: &[u8]) -> bool {
    if probe.len() < 64 {
        return !probe.is_empty();
    }
    let mut enc =
        flate2::write::DeflateEncoder::new(Vec::with_capacity(probe.len()), Compression::fast());
    let compressed = enc
        .write_all(probe)
        .and_then(|()| enc.finish())
        .map(|v| v.len())
        .unwrap_or(probe.len());
    (compressed as u64) * 100 <= (probe.len() as u64) * (100 - MIN_SAVING_PERCENT)
}

enum TeeFailure {
    Source(io::Error),
    Zip(io::Error),
    TooLong,
}

impl TeeFailure {
    fn into_error(self, entry: &str) -> WriteError {
        let entry = entry.to_owned();
        match self {
            TeeFailure::Source(source) => WriteError::Source { entry, source },
            TeeFailure::Zip(e) => WriteError::Zip {
                entry,
                source: zip::result::ZipError::Io(e),
            },
            TeeFailure::TooLong => WriteError::SizeMismatch {
                entry,
                expected: 0,
                actual: 0,
            },
        }
    }
}

/// Reads from the source and writes the same bytes into the open zip entry.
struct Tee<'a, W: Write + io::Seek> {
    inner: &'a mut dyn Read,
    zip: &'a mut ZipWriter<W>,
    count: u64,
    limit: u64,
    failed: Option<TeeFailure>,
}

impl<W: Write + io::Seek> Read for Tee<'_, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = usize::try_from(self.limit - self.count)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        if room == 0 {
            return Ok(0);
        }
        let n = match self.inner.read(&mut buf[..room]) {
            Ok(n) => n,
            Err(e) => {
                let msg = e.to_string();
                self.failed = Some(TeeFailure::Source(e));
                return Err(io::Error::other(msg));
            }
        };
        if let Err(e) = self.zip.write_all(&buf[..n]) {
            let msg = e.to_string();
            self.failed = Some(TeeFailure::Zip(e));
            return Err(io::Error::other(msg));
        }
        self.count += n as u64;
        if self.count > self.limit {
            self.failed = Some(TeeFailure::TooLong);
            return Err(io::Error::other("entry longer than announced"));
        }
        Ok(n)
    }
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
    }
}
