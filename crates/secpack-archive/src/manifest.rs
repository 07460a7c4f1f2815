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

/// [`Manifest`] with its files borrowed: serializes to the same bytes.
#[derive(Serialize)]
struct View<'a> {
    schema: &'a str,
    product: &'a str,
    version: &'a str,
    tag: &'a str,
    repository: &'a str,
    commit: &'a str,
    commit_time: i64,
    files: &'a [&'a ManifestFile],
    accepted_findings: &'a [AcceptedFinding],
    transforms: &'a [TransformRecord],
}

/// Counts the bytes written to it.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Manifest {
    /// Serialize deterministically: pretty JSON, two-space indent, trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        let files: Vec<&ManifestFile> = self.files.iter().collect();
        self.to_json_with_files(&files)
    }

    /// [`Manifest::to_json`] of this manifest with `files` in place of [`Manifest::files`]
    /// (which is ignored): a caller that holds its file records elsewhere serializes them
    /// without copying them. The output is allocated once, at its exact size: a manifest
    /// grows by about 800 bytes per file, and a growing buffer would hold up to twice that.
    pub fn to_json_with_files(&self, files: &[&ManifestFile]) -> Vec<u8> {
        let view = View {
            schema: &self.schema,
            product: &self.product,
            version: &self.version,
            tag: &self.tag,
            repository: &self.repository,
            commit: &self.commit,
            commit_time: self.commit_time,
            files,
            accepted_findings: &self.accepted_findings,
            transforms: &self.transforms,
        };
        let mut count = Count(0);
        serde_json::to_writer_pretty(&mut count, &view).expect("manifest types always serialize");
        let mut out = Vec::with_capacity(count.0 + 1);
        serde_json::to_writer_pretty(&mut out, &view).expect("manifest types always serialize");
        out.push(b'\n');
        out
    }

    /// Parse a manifest, rejecting unknown fields.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_borrowed_view_serializes_exactly_like_the_manifest() {
        let file = |path: &str, sources: Vec<SourceRef>| ManifestFile {
            path: path.into(),
            class: Class::Public,
            sha256: "ab".repeat(32),
            size: 7,
            generator: "copy".into(),
            sources,
        };
        let manifest = Manifest {
            schema: MANIFEST_SCHEMA.into(),
            product: "Summit \"quoted\"".into(),
            version: "v1.2.3".into(),
            tag: "v1.2.3".into(),
            repository: "https://example.invalid/summit".into(),
            commit: "5f".repeat(20),
            commit_time: 1_795_176_000,
            files: vec![
                file(
                    "a.md",
                    vec![SourceRef {
                        path: "docs/a.md".into(),
                        blob: "0".repeat(40),
                        class: Class::CustomerOnly,
                    }],
                ),
                file("OVERVIEW.md", Vec::new()),
            ],
            accepted_findings: vec![AcceptedFinding {
                path: "a.md".into(),
                line: 3,
                rule: "email".into(),
                fingerprint: "f".repeat(16),
                reason: "public contact".into(),
            }],
            transforms: vec![TransformRecord {
                path: "artifacts/sbom/x.json".into(),
                kind: "sbom-redact".into(),
                summary: serde_json::json!({"removed": 2}),
            }],
        };
        let mut derived = serde_json::to_vec_pretty(&manifest).unwrap();
        derived.push(b'\n');
        assert_eq!(manifest.to_json(), derived);
        assert_eq!(manifest.to_json().len(), manifest.to_json().capacity());
        assert_eq!(Manifest::from_json(&derived).unwrap(), manifest);
        // Files given separately replace the manifest's own.
        let empty = Manifest {
            files: Vec::new(),
            ..manifest.clone()
        };
        let refs: Vec<&ManifestFile> = manifest.files.iter().collect();
        assert_eq!(empty.to_json_with_files(&refs), derived);
    }
}
