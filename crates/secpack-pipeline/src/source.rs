//! The edge that reads git: a commit's tree, its blobs, its release tag and its time.
//!
//! Only objects reachable from the commit are read. The work tree, the index and untracked
//! files are never looked at, and the repository is opened *isolated*: no system, global
//! or environment git configuration influences what is read.

use std::collections::BTreeMap;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::OnceLock;

use gix::bstr::ByteSlice;
use gix::objs::tree::EntryKind;

use crate::error::{Error, boxed};
use crate::pack;

/// What kind of tree entry a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    /// A regular (or executable) file: shippable if classified so.
    File,
    /// A symbolic link: never followed, never shipped.
    Symlink,
    /// A submodule (gitlink): its content is not in this repository; never shipped.
    Submodule,
}

/// One entry of the commit's tree (files, symlinks and submodules; no folders).
#[derive(Debug, Clone)]
pub struct TreeEntry {
    /// The path as UTF-8, or `None` when the name is not valid UTF-8.
    pub path: Option<String>,
    /// The path with invalid bytes replaced, for messages.
    pub display: String,
    pub kind: EntryType,
    pub oid: gix::ObjectId,
}

/// A commit opened for packaging.
pub struct Source {
    repo: gix::Repository,
    /// Full hex id of the commit.
    pub commit: String,
    commit_oid: gix::ObjectId,
    /// Committer time, seconds since the epoch.
    pub commit_time: i64,
    /// Release tags (`vMAJOR.MINOR.PATCH[-pre]`) that point at the commit, sorted.
    pub release_tags: Vec<String>,
    /// Every entry of the tree, sorted by path bytes.
    pub entries: Vec<TreeEntry>,
    /// The object store, shareable with worker threads.
    pub objects: Objects,
}

/// Read access to the object store that worker threads can share: each thread takes its own
/// repository handle from [`Objects::worker_repo`].
pub struct Objects {
    shared: gix::ThreadSafeRepository,
    /// `objects/` of the repository, for streaming large blobs.
    objects_dir: PathBuf,
    /// Pack indices, opened on first use: (index, pack data path).
    packs: OnceLock<Vec<(gix::odb::pack::index::File, PathBuf)>>,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects")
            .field("objects_dir", &self.objects_dir)
            .finish_non_exhaustive()
    }
}

/// Blobs at least this large are streamed from the object store instead of read whole.
pub const STREAM_THRESHOLD: u64 = 4 * 1024 * 1024;

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("commit", &self.commit)
            .field("commit_time", &self.commit_time)
            .field("release_tags", &self.release_tags)
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl Source {
    /// Open the repository at `repo_dir` and resolve `rev` to a commit.
    pub fn open(repo_dir: &std::path::Path, rev: &str) -> Result<Source, Error> {
        let opts = gix::open::Options::isolated();
        let mut repo = gix::open_opts(repo_dir, opts).map_err(|e| Error::NotARepository {
            path: repo_dir.to_path_buf(),
            source: boxed(e),
        })?;
        repo.object_cache_size_if_unset(512 * 1024);
        let (commit_oid, commit_time, entries) = read_commit(&repo, rev)?;
        let release_tags = release_tags_of(&repo, commit_oid)?;
        let objects_dir = repo.common_dir().join("objects");
        let shared = repo.clone().into_sync();
        Ok(Source {
            objects: Objects {
                objects_dir,
                packs: OnceLock::new(),
                shared,
            },
            repo,
            commit: commit_oid.to_string(),
            commit_oid,
            commit_time,
            release_tags,
            entries,
        })
    }

    /// The commit id as an object id.
    pub fn commit_oid(&self) -> gix::ObjectId {
        self.commit_oid
    }

    /// Read a blob whole.
    pub fn read_blob(&self, oid: gix::ObjectId, path: &str) -> Result<Vec<u8>, Error> {
        self.objects.read_blob_with(&self.repo, oid, path)
    }

    /// Size of a blob without reading its data.
    pub fn blob_size(&self, oid: gix::ObjectId, path: &str) -> Result<u64, Error> {
        self.objects.blob_size_with(&self.repo, oid, path)
    }

    /// A reader over a blob's bytes that holds at most a fixed buffer in memory for large
    /// blobs, and checks the blob id once everything was read.
    ///
    /// Packed blobs are read from the pack file, never through gix's memory map of it: small
    /// ones whole, large whole ones inflated as they are read, large deltas resolved into an
    /// unnamed temporary file first (gix would resolve them in memory). Large loose objects
    /// are inflated as they are read; small loose ones are read whole through gix.
    pub fn open_blob(
        &self,
        oid: gix::ObjectId,
        path: &str,
        size: u64,
    ) -> Result<BlobReader, Error> {
        self.objects.open_blob_with(&self.repo, oid, path, size)
    }

    /// Look up a file entry by its UTF-8 path.
    pub fn file(&self, path: &str) -> Option<&TreeEntry> {
        self.entries
            .binary_search_by(|e| e.display.as_bytes().cmp(path.as_bytes()))
            .ok()
            .and_then(|i| self.entries.get(i))
            .filter(|e| e.path.as_deref() == Some(path))
    }
}

fn read_commit(
    repo: &gix::Repository,
    rev: &str,
) -> Result<(gix::ObjectId, i64, Vec<TreeEntry>), Error> {
    let id = repo.rev_parse_single(rev).map_err(|e| Error::Rev {
        rev: rev.to_owned(),
        source: boxed(e),
    })?;
    let object = id.object().map_err(|e| Error::Rev {
        rev: rev.to_owned(),
        source: boxed(e),
    })?;
    let commit = object.peel_to_commit().map_err(|e| Error::Rev {
        rev: rev.to_owned(),
        source: boxed(e),
    })?;
    let commit_oid = commit.id;
    let commit_time = commit
        .time()
        .map_err(|e| Error::Git {
            what: format!("commit {commit_oid}: committer time"),
            source: boxed(e),
        })?
        .seconds;
    let tree = commit.tree().map_err(|e| Error::Git {
        what: format!("commit {commit_oid}: tree"),
        source: boxed(e),
    })?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .map_err(|e| Error::Git {
            what: format!("commit {commit_oid}: walking the tree"),
            source: boxed(e),
        })?;
    let mut entries: Vec<TreeEntry> = recorder
        .records
        .into_iter()
        .filter_map(|r| {
            let kind = match r.mode.kind() {
                EntryKind::Tree => return None,
                EntryKind::Blob | EntryKind::BlobExecutable => EntryType::File,
                EntryKind::Link => EntryType::Symlink,
                EntryKind::Commit => EntryType::Submodule,
            };
            let bytes: &[u8] = r.filepath.as_ref();
            Some(TreeEntry {
                path: std::str::from_utf8(bytes).ok().map(str::to_owned),
                display: bytes.to_str_lossy().into_owned(),
                kind,
                oid: r.oid,
            })
        })
        .collect();
    entries.sort_by(|a, b| a.display.as_bytes().cmp(b.display.as_bytes()));
    Ok((commit_oid, commit_time, entries))
}

impl Objects {
    /// A repository handle for another thread; pass it to the `*_with` methods.
    pub fn worker_repo(&self) -> gix::Repository {
        let mut repo = self.shared.to_thread_local();
        repo.object_cache_size_if_unset(256 * 1024);
        repo
    }

    /// [`Source::read_blob`] through another thread's repository handle.
    pub fn read_blob_with(
        &self,
        repo: &gix::Repository,
        oid: gix::ObjectId,
        path: &str,
    ) -> Result<Vec<u8>, Error> {
        if let Some((pack, offset)) = self.find_in_pack(oid)? {
            // Through the pack reader (no memory map), and checked against the blob id.
            let mut reader = self.open_packed(&pack, offset, oid, path, None)?;
            let mut data = Vec::with_capacity(usize::try_from(reader.size).unwrap_or(0));
            reader.read_to_end(&mut data).map_err(|e| Error::Git {
                what: format!("reading `{path}` (blob {oid})"),
                source: boxed(e),
            })?;
            return Ok(data);
        }
        let blob = repo.find_blob(oid).map_err(|e| Error::Git {
            what: format!("reading `{path}` (blob {oid})"),
            source: boxed(e),
        })?;
        Ok(blob.detach().data)
    }

    /// [`Source::blob_size`] through another thread's repository handle.
    pub fn blob_size_with(
        &self,
        repo: &gix::Repository,
        oid: gix::ObjectId,
        path: &str,
    ) -> Result<u64, Error> {
        let git_err = |e: std::io::Error| Error::Git {
            what: format!("reading `{path}` (blob {oid})"),
            source: boxed(e),
        };
        if let Some((pack, offset)) = self.find_in_pack(oid)? {
            // Read from the pack file, not through gix's map of it (see `pack`).
            let mut file = std::fs::File::open(&pack).map_err(git_err)?;
            let head = pack::entry(&mut file, offset, oid.kind()).map_err(git_err)?;
            return pack::object_size(&[(pack, head)]).map_err(git_err);
        }
        let header = repo.find_header(oid).map_err(|e| Error::Git {
            what: format!("reading `{path}` (blob {oid})"),
            source: boxed(e),
        })?;
        Ok(header.size())
    }

    /// [`Source::open_blob`] through another thread's repository handle.
    pub fn open_blob_with(
        &self,
        repo: &gix::Repository,
        oid: gix::ObjectId,
        path: &str,
        size: u64,
    ) -> Result<BlobReader, Error> {
        let git_err = |what: &str, e: std::io::Error| Error::Git {
            what: format!("reading `{path}` (blob {oid}): {what}"),
            source: boxed(e),
        };
        if let Some((pack, offset)) = self.find_in_pack(oid)? {
            return self.open_packed(&pack, offset, oid, path, Some(size));
        }
        if size >= STREAM_THRESHOLD {
            let hex = oid.to_string();
            let loose = self.objects_dir.join(&hex[..2]).join(&hex[2..]);
            if loose.is_file() {
                let file = std::fs::File::open(&loose)
                    .map_err(|e| git_err("opening the loose object", e))?;
                let mut inflate =
                    BufReader::new(flate2::read::ZlibDecoder::new(BufReader::new(file)));
                let mut header = Vec::new();
                inflate
                    .by_ref()
                    .take(64)
                    .read_until(0, &mut header)
                    .map_err(|e| git_err("inflating the loose object", e))?;
                if header != format!("blob {size}\0").as_bytes() {
                    return Err(git_err(
                        "loose object header",
                        std::io::Error::other("not the expected blob"),
                    ));
                }
                return Ok(BlobReader::new(Box::new(inflate), oid, size));
            }
        }
        let data = self.read_blob_with(repo, oid, path)?;
        let len = data.len() as u64;
        Ok(BlobReader::new(
            Box::new(std::io::Cursor::new(data)),
            oid,
            len,
        ))
    }

    /// A reader over the packed blob at `offset` in `pack`, read with file reads, never
    /// through a memory map (`pack`): whole in memory when small, inflated as it is read when
    /// large and whole, resolved into a temporary file when a large delta. `size` is the size
    /// the caller expects, if it knows it (else it is read from the entry).
    fn open_packed(
        &self,
        pack: &std::path::Path,
        offset: u64,
        oid: gix::ObjectId,
        path: &str,
        size: Option<u64>,
    ) -> Result<BlobReader, Error> {
        let git_err = |what: &str, e: std::io::Error| Error::Git {
            what: format!("reading `{path}` (blob {oid}): {what}"),
            source: boxed(e),
        };
        let locate = |id: gix::ObjectId| {
            self.find_in_pack(id)
                .map_err(|e| std::io::Error::other(e.to_string()))
        };
        let chain = pack::chain(pack, offset, oid.kind(), &locate)
            .map_err(|e| git_err("reading the pack", e))?;
        let size = match size {
            Some(size) => size,
            None => pack::object_size(&chain).map_err(|e| git_err("reading the pack", e))?,
        };
        let small = if size < STREAM_THRESHOLD {
            pack::read(&chain, STREAM_THRESHOLD).map_err(|e| git_err("reading the pack", e))?
        } else {
            None
        };
        let reader: Box<dyn Read + Send> = match (small, chain.as_slice()) {
            (Some(data), _) => Box::new(std::io::Cursor::new(data)),
            (None, [(pack, whole)]) => {
                Box::new(pack::stream(pack, whole).map_err(|e| git_err("opening the pack", e))?)
            }
            (None, _) => {
                // A large delta (or one with a large base): resolved file to file. BlobReader
                // still checks the result against the blob id.
                let (file, len) =
                    pack::spool(&chain).map_err(|e| git_err("resolving the pack delta", e))?;
                if len != size {
                    return Err(git_err(
                        "resolving the pack delta",
                        std::io::Error::other(format!(
                            "{len} bytes, the object header says {size}"
                        )),
                    ));
                }
                Box::new(BufReader::with_capacity(256 * 1024, file))
            }
        };
        Ok(BlobReader::new(reader, oid, size))
    }

    fn find_in_pack(&self, oid: gix::ObjectId) -> Result<Option<(PathBuf, u64)>, Error> {
        let packs = self
            .packs
            .get_or_init(|| open_pack_indices(&self.objects_dir, oid.kind()));
        Ok(packs.iter().find_map(|(index, pack)| {
            index
                .lookup(oid)
                .map(|i| (pack.clone(), index.pack_offset_at_index(i)))
        }))
    }
}

fn open_pack_indices(
    objects_dir: &std::path::Path,
    kind: gix::hash::Kind,
) -> Vec<(gix::odb::pack::index::File, PathBuf)> {
    let Ok(dir) = std::fs::read_dir(objects_dir.join("pack")) else {
        return Vec::new();
    };
    let mut idx: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
        .collect();
    idx.sort();
    idx.into_iter()
        .filter_map(|path| {
            let index = gix::odb::pack::index::File::at(&path, kind).ok()?;
            Some((index, path.with_extension("pack")))
        })
        .collect()
}

/// Streams a blob's bytes and checks, at the end, that they hash to the blob id and have the
/// announced size: a corrupt or substituted object is an error, never shipped.
pub struct BlobReader {
    inner: Box<dyn Read + Send>,
    hasher: Option<gix::hash::Hasher>,
    expected: gix::ObjectId,
    remaining: u64,
    /// Size of the blob in bytes.
    pub size: u64,
}

impl BlobReader {
    fn new(inner: Box<dyn Read + Send>, expected: gix::ObjectId, size: u64) -> BlobReader {
        let mut hasher = gix::hash::hasher(expected.kind());
        hasher.update(format!("blob {size}\0").as_bytes());
        BlobReader {
            inner,
            hasher: Some(hasher),
            expected,
            remaining: size,
            size,
        }
    }
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("expected", &self.expected)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.remaining == 0 {
            if let Some(hasher) = self.hasher.take() {
                let actual = hasher.try_finalize().map_err(std::io::Error::other)?;
                if actual != self.expected {
                    return Err(std::io::Error::other(format!(
                        "object store corrupt: blob {} hashes to {actual}",
                        self.expected
                    )));
                }
            }
            return Ok(0);
        }
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("blob {} ended early", self.expected),
            ));
        }
        if let Some(h) = self.hasher.as_mut() {
            h.update(&buf[..n]);
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// `vMAJOR.MINOR.PATCH` with an optional semver pre-release (`-rc.1`) and build (`+b5`).
pub fn is_release_tag(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('v') else {
        return false;
    };
    let (core, rest) = match rest.find(['-', '+']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| numeric(p)) {
        return false;
    }
    let (pre, build) = match rest.strip_prefix('-') {
        Some(r) => match r.split_once('+') {
            Some((p, b)) => (Some(p), Some(b)),
            None => (Some(r), None),
        },
        None => (None, rest.strip_prefix('+')),
    };
    if !rest.is_empty() && pre.is_none() && build.is_none() {
        return false;
    }
    let ident_ok = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|id| {
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    pre.is_none_or(ident_ok) && build.is_none_or(ident_ok)
}

fn release_tags_of(repo: &gix::Repository, commit: gix::ObjectId) -> Result<Vec<String>, Error> {
    let platform = repo.references().map_err(|e| Error::Git {
        what: "listing tags".into(),
        source: boxed(e),
    })?;
    let tags = platform.tags().map_err(|e| Error::Git {
        what: "listing tags".into(),
        source: boxed(e),
    })?;
    let mut found = BTreeMap::new();
    for reference in tags {
        let mut reference = reference.map_err(|e| Error::Git {
            what: "listing tags".into(),
            source: boxed(e),
        })?;
        let name = reference.name().shorten().to_str_lossy().into_owned();
        if !is_release_tag(&name) {
            continue;
        }
        let Ok(peeled) = reference.peel_to_id() else {
            continue;
        };
        let Ok(object) = peeled.object() else {
            continue;
        };
        let Ok(target) = object.peel_to_commit() else {
            continue;
        };
        if target.id == commit {
            found.insert(name, ());
        }
    }
    Ok(found.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::is_release_tag;

    #[test]
    fn release_tags() {
        for ok in [
            "v1.2.3",
            "v0.0.0",
            "v10.20.30",
            "v1.2.3-rc.1",
            "v1.2.3-beta-2",
            "v1.2.3+build.5",
            "v1.2.3-rc.1+b",
        ] {
            assert!(is_release_tag(ok), "{ok}");
        }
        for bad in [
            "1.2.3",
            "v1.2",
            "v1.2.3.4",
            "v01.2.3",
            "v1.2.3-",
            "v1.2.3+",
            "v1.2.3-rc..1",
            "release-1",
            "v1.2.x",
            "v1.2.3_x",
        ] {
            assert!(!is_release_tag(bad), "{bad}");
        }
    }
}
