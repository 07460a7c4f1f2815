//! The traceability index, `verification/manifest.json`: for every file in the package, where
//! it came from (`path@commit`, git blob id), how it was made, its class and its digest.

use secpack_classify::Class;
use serde::{Deserialize, Serialize};

/// Identifies the manifest format; bumped on any incompatible change.
pub const MANIFEST_SCHEMA: &str = "https://secpack.dev/schemas/manifest/v1";

/// The whole index. Field order is the serialization order; lists are sorted by the writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema: String,
    /// Product name from `secpack.toml`.
    pub product: String,
    /// Package version: the release tag (e.g. `v1.2.3`).
    pub version: String,
    /// The release tag the package was built from.
    pub tag: String,
    /// Source repository as named in `secpack.toml` (may be empty).
    pub repository: String,
    /// Full hex id of the source commit.
    pub commit: String,
    /// Committer time of the source commit (seconds since the Unix epoch, UTC); the only
    /// timestamp in the package.
    pub commit_time: i64,
    /// Every file of the package except `verification/manifest.json` and
    /// `verification/SHA256SUMS`, sorted by path.
    pub files: Vec<ManifestFile>,
    /// Leak-gate findings accepted by a written exception in `secpack.toml`.
    #[serde(default)]
    pub accepted_findings: Vec<AcceptedFinding>,
    /// Records of transformations (SBOM redaction summaries, provenance checks), keyed by
    /// the package path they produced.
    #[serde(default)]
    pub transforms: Vec<TransformRecord>,
}

/// One file of the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Path relative to the package's top folder.
    pub path: String,
    /// The class the file ships as: the most restrictive class of its sources.
    pub class: Class,
    /// Lowercase hex SHA-256 of the shipped bytes.
    pub sha256: String,
    /// Size in bytes of the shipped file.
    pub size: u64,
    /// How the file was made: `copy`, `markdown` (copied, internal sections removed and a
    /// source line added), or the name of a generator (`overview`, `sbom-redact`, …).
    pub generator: String,
    /// The source files it was made from, at [`Manifest::commit`].
    pub sources: Vec<SourceRef>,
}

/// A file in the source repository at the package's commit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// Path in the repository.
    pub path: String,
    /// Git blob id of the file at the commit.
    pub blob: String,
    /// The file's class in the repository.
    pub class: Class,
}

/// A leak-gate finding let through by an exception.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedFinding {
    pub path: String,
    pub line: u64,
    pub rule: String,
    pub fingerprint: String,
    pub reason: String,
}

/// A transformation's own record (free-form JSON produced by the transforming crate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransformRecord {
    /// Package path of the output.
    pub path: String,
    /// What ran (`sbom-redact`, `provenance-check`, …).
    pub kind: String,
    /// The transforming crate's summary, verbatim.
    pub summary: serde_json::Value,
}

impl Manifest {
    /// Serialize deterministically: pretty JSON, two-space indent, trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("manifest types always serialize");
        out.push(b'\n');
        out
    }

    /// Parse a manifest, rejecting unknown fields.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}
