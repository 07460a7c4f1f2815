//! The verification report: one result per check, in a fixed order, with stable ids and
//! finding codes; serialized as documented JSON or rendered for people.

use std::fmt;

use secpack_archive::ArchiveFormat;
use serde::{Serialize, Serializer};

/// Identifies the JSON report format; bumped on any incompatible change.
pub const REPORT_SCHEMA: &str = "https://secpack.dev/schemas/verify-report/v1";

/// Most findings kept per check; the rest are counted in [`Check::omitted_findings`].
pub const MAX_FINDINGS: usize = 100;

/// The checks, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum CheckId {
    /// The archive is well formed and holds nothing hostile.
    ArchiveSafety,
    /// One top folder, named `customer-security-package-<version>`.
    TopFolder,
    /// Every file and folder the specification requires is present; nothing outside the layout.
    RequiredPaths,
    /// `verification/SHA256SUMS` lists every file exactly once, and nothing else.
    SumsComplete,
    /// Every file's SHA-256 matches `SHA256SUMS`.
    Digests,
    /// The Sigstore bundle signs the archive with the given key.
    Signature,
    /// The SLSA provenance is signed by the same key and describes this archive and version.
    Provenance,
    /// `verification/manifest.json` (the traceability index) agrees with the files.
    Manifest,
    /// No file or source is marked internal.
    NoInternal,
}

impl CheckId {
    /// Every check, in report order.
    pub const ALL: [CheckId; 9] = [
        CheckId::ArchiveSafety,
        CheckId::TopFolder,
        CheckId::RequiredPaths,
        CheckId::SumsComplete,
        CheckId::Digests,
        CheckId::Signature,
        CheckId::Provenance,
        CheckId::Manifest,
        CheckId::NoInternal,
    ];

    /// The stable id used in JSON and text output.
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckId::ArchiveSafety => "archive-safety",
            CheckId::TopFolder => "top-folder",
            CheckId::RequiredPaths => "required-paths",
            CheckId::SumsComplete => "sums-complete",
            CheckId::Digests => "digests",
            CheckId::Signature => "signature",
            CheckId::Provenance => "provenance",
            CheckId::Manifest => "manifest",
            CheckId::NoInternal => "no-internal",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    /// Not run; [`Check::summary`] says why. A skipped check does not fail the report: a check
    /// is skipped only when an earlier check already failed for the same cause, or when the
    /// caller allowed it (`allow_unsigned`).
    Skipped,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])+ $variant:ident = $text:literal, )+) => {
        /// Why a check failed: a stable, machine-readable reason carried by every [`Finding`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])+ $variant, )+
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            /// The stable kebab-case spelling used in JSON and text output.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)+
                }
            }
        }
    };
}

codes! {
    // archive-safety: structure
    /// Not a zip or gzip file at all.
    NotAnArchive = "not-an-archive",
    /// The archive ends in the middle of a structure or an entry.
    Truncated = "truncated",
    /// Structurally invalid data (bad deflate stream, impossible header values).
    Corrupt = "corrupt",
    /// Bytes before the first zip entry.
    PrependedData = "prepended-data",
    /// Bytes after the end of the archive (after the zip end record, the gzip member or the tar
    /// end blocks), or a zip archive comment.
    AppendedData = "appended-data",
    /// More than one gzip member in a tar.gz.
    MultipleGzipMembers = "multiple-gzip-members",
    /// A gzip header the reader does not accept (method, reserved flags, oversized fields).
    GzipHeader = "gzip-header",
    /// A CRC-32 or tar header checksum that does not match the data.
    ChecksumMismatch = "checksum-mismatch",
    /// An entry's data is longer or shorter than its header says.
    SizeMismatch = "size-mismatch",
    /// A zip local header disagrees with its central directory header.
    HeaderMismatch = "header-mismatch",
    /// Unaccounted bytes between zip entries or before the central directory, or overlapping
    /// entries.
    LayoutGap = "layout-gap",
    /// A multi-disk (split) zip.
    MultiDisk = "multi-disk",
    /// An encrypted entry.
    Encrypted = "encrypted",
    /// A zip compression method other than stored or deflate.
    UnsupportedMethod = "unsupported-method",
    /// A zip extra field the package writer never produces.
    UnexpectedExtraField = "unexpected-extra-field",
    /// Zip general-purpose flags the package writer never sets (data descriptor, patched data …).
    UnsupportedFlags = "unsupported-flags",
    /// A zip entry comment.
    EntryComment = "entry-comment",
    /// A tar entry type the package writer never produces (PAX headers, sparse files …).
    UnsupportedEntryType = "unsupported-entry-type",
    /// A no-entry archive.
    Empty = "empty",
    // archive-safety: entries
    /// A symbolic link.
    Symlink = "symlink",
    /// A hard link.
    HardLink = "hard-link",
    /// A character or block device, or a socket.
    Device = "device",
    /// A named pipe.
    Fifo = "fifo",
    /// A directory entry (the writer stores files only).
    Directory = "directory",
    /// A path starting with `/` or a drive letter.
    AbsolutePath = "absolute-path",
    /// A `..` path segment.
    ParentTraversal = "parent-traversal",
    /// A backslash in a path.
    Backslash = "backslash",
    /// A NUL byte in a path.
    NulInName = "nul-in-name",
    /// Another control character (newline, escape …) in a path.
    ControlCharacter = "control-character",
    /// An empty or `.` path segment.
    NonCanonicalPath = "non-canonical-path",
    /// A path that is not valid UTF-8 (or, in a zip, not flagged as UTF-8).
    NonUtf8Name = "non-utf8-name",
    /// A path longer than the layout allows.
    NameTooLong = "name-too-long",
    /// An entry outside the single top folder.
    OutsideTopFolder = "outside-top-folder",
    /// The same path twice.
    DuplicateName = "duplicate-name",
    /// Two paths that differ only in letter case (they collide on macOS and Windows).
    CaseDuplicate = "case-duplicate",
    /// A file whose path is also a folder of another file.
    PathConflict = "path-conflict",
    // archive-safety: limits
    /// More entries than [`crate::Limits::max_entries`].
    TooManyEntries = "too-many-entries",
    /// A file larger than [`crate::Limits::max_entry_size`].
    EntryTooLarge = "entry-too-large",
    /// Files larger together than [`crate::Limits::max_total_size`].
    TotalTooLarge = "total-too-large",
    /// A compression ratio above [`crate::Limits::max_ratio`] (a decompression bomb).
    CompressionRatio = "compression-ratio",
    // top-folder
    /// The top folder is not `customer-security-package-<version>`.
    TopFolderName = "top-folder-name",
    /// Two places name different versions (top folder, archive file name, manifest, provenance).
    VersionMismatch = "version-mismatch",
    // required-paths
    /// A file or folder the specification requires is missing.
    MissingRequired = "missing-required",
    /// A file outside the specification's layout.
    NotInLayout = "not-in-layout",
    // sums-complete, digests
    /// `verification/SHA256SUMS` is absent.
    SumsMissing = "sums-missing",
    /// `verification/SHA256SUMS` is not in `sha256sum` format (or too large).
    SumsMalformed = "sums-malformed",
    /// A file that `SHA256SUMS` does not list.
    NotListed = "not-listed",
    /// A path that `SHA256SUMS` or the manifest lists but the archive does not hold.
    ListedButMissing = "listed-but-missing",
    /// A file whose SHA-256 differs from the recorded one.
    DigestMismatch = "digest-mismatch",
    // signature, provenance
    /// No key was given, so nothing could be verified.
    NoKey = "no-key",
    /// The signature bundle or provenance file was not found or could not be read.
    MaterialMissing = "material-missing",
    /// The signature bundle or provenance file is not valid JSON in the expected format.
    MaterialMalformed = "material-malformed",
    /// The signature does not verify with the given key.
    BadSignature = "bad-signature",
    /// The bundle names a different key than the one given.
    WrongKey = "wrong-key",
    /// The signed digest or provenance subject is not this archive.
    SubjectMismatch = "subject-mismatch",
    // manifest, no-internal
    /// `verification/manifest.json` is absent.
    ManifestMissing = "manifest-missing",
    /// `verification/manifest.json` does not parse or has the wrong schema.
    ManifestMalformed = "manifest-malformed",
    /// A file that the manifest does not list.
    NotInManifest = "not-in-manifest",
    /// The manifest lists a path twice, or lists itself or `SHA256SUMS`.
    ManifestDuplicate = "manifest-duplicate",
    /// A manifest entry whose size differs from the file's.
    SizeDiffers = "size-differs",
    /// A shipped file (other than a generated one) without sources in the manifest.
    NoSources = "no-sources",
    /// A file marked `internal` in the manifest.
    InternalFile = "internal-file",
    /// A file made from a source marked `internal`.
    InternalSource = "internal-source",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One reason a check failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    /// The package path (relative to the top folder) or entry name concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What is wrong, for people: lowercase, no trailing period.
    pub message: String,
}

impl Finding {
    pub fn new(code: Code, path: Option<&str>, message: impl Into<String>) -> Finding {
        Finding {
            code,
            path: path.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "[{}] {}: {}", self.code, path, self.message),
            None => write!(f, "[{}] {}", self.code, self.message),
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    /// One line for people: what was checked and the outcome, or why it was skipped.
    pub summary: String,
    /// Why the check failed (empty when it passed or was skipped), at most [`MAX_FINDINGS`].
    pub findings: Vec<Finding>,
    /// Findings left out beyond [`MAX_FINDINGS`].
    pub omitted_findings: u64,
}

impl Check {
    pub(crate) fn passed(id: CheckId, summary: impl Into<String>) -> Check {
        Check {
            id,
            status: Status::Passed,
            summary: summary.into(),
            findings: Vec::new(),
            omitted_findings: 0,
        }
    }

    pub(crate) fn skipped(id: CheckId, summary: impl Into<String>) -> Check {
        Check {
            id,
            status: Status::Skipped,
            summary: summary.into(),
            findings: Vec::new(),
            omitted_findings: 0,
        }
    }

    /// Failed when `findings` is non-empty, passed with `ok_summary` otherwise.
    pub(crate) fn from_findings(
        id: CheckId,
        ok_summary: impl Into<String>,
        fail_summary: impl Into<String>,
        mut findings: Vec<Finding>,
    ) -> Check {
        if findings.is_empty() {
            return Check::passed(id, ok_summary);
        }
        let omitted = findings.len().saturating_sub(MAX_FINDINGS) as u64;
        findings.truncate(MAX_FINDINGS);
        Check {
            id,
            status: Status::Failed,
            summary: fail_summary.into(),
            findings,
            omitted_findings: omitted,
        }
    }

    /// Whether a finding with `code` is present.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// What was verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveSummary {
    /// The archive's file name (never a full path).
    pub file_name: String,
    #[serde(serialize_with = "serialize_format")]
    pub format: ArchiveFormat,
    /// Size of the archive file in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the archive file.
    pub sha256: String,
    /// Files read (0 when the archive was rejected before its entries were read).
    pub files: u64,
    /// Their uncompressed size in bytes.
    pub uncompressed_size: u64,
}

fn serialize_format<S: Serializer>(format: &ArchiveFormat, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(format.extension())
}

/// The whole verification result. Serializes (see [`Report::to_json`]) to:
///
/// ```json
/// {
///   "schema": "https://secpack.dev/schemas/verify-report/v1",
///   "passed": false,
///   "archive": { "file_name": "…", "format": "zip", "size": 1, "sha256": "…", "files": 1, "uncompressed_size": 1 },
///   "version": "v1.2.3",
///   "key_fingerprint": "…",
///   "checks": [
///     { "id": "archive-safety", "status": "passed", "summary": "…", "findings": [], "omitted_findings": 0 },
///     { "id": "digests", "status": "failed", "summary": "…",
///       "findings": [ { "code": "digest-mismatch", "path": "OVERVIEW.md", "message": "…" } ],
///       "omitted_findings": 0 }
///   ]
/// }
/// ```
///
/// `checks` always holds every [`CheckId`] once, in [`CheckId::ALL`] order. `version` and
/// `key_fingerprint` are `null` when unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    /// `true` exactly when no check failed ([`Report::passed`]).
    pub passed: bool,
    pub archive: ArchiveSummary,
    /// The package version taken from the top folder, when the archive could be read.
    pub version: Option<String>,
    /// Hex SHA-256 of the verification key's SubjectPublicKeyInfo, when a key was given.
    pub key_fingerprint: Option<String>,
    pub checks: Vec<Check>,
}

impl Report {
    pub(crate) fn new(
        archive: ArchiveSummary,
        version: Option<String>,
        key_fingerprint: Option<String>,
        mut checks: Vec<Check>,
    ) -> Report {
        checks.sort_by_key(|c| c.id);
        let passed = checks.iter().all(|c| c.status != Status::Failed);
        Report {
            schema: REPORT_SCHEMA,
            passed,
            archive,
            version,
            key_fingerprint,
            checks,
        }
    }

    /// Whether every check passed or was skipped: the package can be trusted.
    pub fn passed(&self) -> bool {
        self.passed
    }

    /// The process exit code for this report: 0 when it passed, 1 when a check failed.
    /// (Usage errors, [`crate::VerifyError`], exit with 2.)
    pub fn exit_code(&self) -> u8 {
        if self.passed { 0 } else { 1 }
    }

    /// The result of one check.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The failed checks, in report order.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status == Status::Failed)
    }

    /// Pretty JSON (two-space indent, trailing newline), stable field order.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("report types always serialize");
        out.push('\n');
        out
    }
}

/// The human rendering: a header line, one line per check, its findings indented below, and a
/// final verdict.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.archive;
        writeln!(
            f,
            "package:  {} ({}, {} bytes)",
            a.file_name, a.format, a.size
        )?;
        writeln!(f, "sha256:   {}", a.sha256)?;
        if let Some(version) = &self.version {
            writeln!(f, "version:  {version}")?;
        }
        if let Some(fp) = &self.key_fingerprint {
            writeln!(f, "key:      ECDSA P-256, sha256 fingerprint {fp}")?;
        }
        writeln!(f)?;
        for check in &self.checks {
            let tag = match check.status {
                Status::Passed => "PASS",
                Status::Failed => "FAIL",
                Status::Skipped => "SKIP",
            };
            writeln!(f, "{tag}  {:<15} {}", check.id.as_str(), check.summary)?;
            for finding in &check.findings {
                writeln!(f, "      - {finding}")?;
            }
            if check.omitted_findings > 0 {
                writeln!(f, "      … and {} more", check.omitted_findings)?;
            }
        }
        writeln!(f)?;
        let failed = self.failures().count();
        if failed == 0 {
            writeln!(f, "result: PASSED (every required check passed)")
        } else {
            let ids: Vec<&str> = self.failures().map(|c| c.id.as_str()).collect();
            writeln!(
                f,
                "result: FAILED ({failed} check{} failed: {})",
                if failed == 1 { "" } else { "s" },
                ids.join(", ")
            )
        }
    }
}

/// Text safe to print: control characters escaped, at most `max` characters.
pub(crate) fn printable(raw: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{s}"
            );
        }
    }

    #[test]
    fn printable_escapes() {
        assert_eq!(printable("a\nb\0c", 100), "a\\nb\\u{0}c");
        assert_eq!(printable("abcdef", 3), "abc…");
    }

    #[test]
    fn findings_are_capped() {
        let findings = (0..150)
            .map(|i| Finding::new(Code::NotListed, Some(&format!("f{i}")), "x"))
            .collect();
        let c = Check::from_findings(CheckId::SumsComplete, "ok", "bad", findings);
        assert_eq!(c.status, Status::Failed);
        assert_eq!(c.findings.len(), MAX_FINDINGS);
        assert_eq!(c.omitted_findings, 50);
    }
}
