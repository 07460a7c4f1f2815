//! Building: turn a [`Plan`] into the two archives.
//!
//! Two passes over the same entry list. The first materializes every file (transforms,
//! generated documents) and records its size and SHA-256, which the manifest, the overview
//! and `SHA256SUMS` need; the second streams the files into both archives in sorted order.
//! Copied files are read from git in both passes rather than kept in memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secpack_archive::{
    MANIFEST_SCHEMA, Manifest, ManifestFile, PackageWriter, SourceRef, SumLine, WrittenArchive,
    layout, sums,
};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::plan::{Plan, Transform};
use crate::render::{self, PackageFacts};

/// Where to write.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// Output folder; created when missing.
    pub out_dir: PathBuf,
}

/// What a build wrote.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    pub version: String,
    pub commit: String,
    pub archives: Vec<WrittenArchive>,
    pub manifest: Manifest,
    pub warnings: Vec<String>,
}

/// The bytes of a package file.
enum Content {
    /// Read from git when written (unchanged blob).
    Blob {
        oid: gix::ObjectId,
        source_path: String,
    },
    /// Held in memory (transformed or generated).
    Bytes(Vec<u8>),
}

struct Prepared {
    content: Content,
    record: ManifestFile,
}

/// Build the package described by `plan`.
pub fn build(plan: &Plan, req: &BuildRequest) -> Result<BuildOutput, Error> {
    if let Some(first) = plan.problems.first() {
        // The CLI shows all problems through `plan`; a build stops at the first.
        return Err(clone_problem(first, plan.problems.len()));
    }
    let src = &plan.source;
    let facts = PackageFacts {
        config: &plan.config,
        version: &plan.version,
        commit: &src.commit,
        commit_time: src.commit_time,
    };

    // Pass 1: every mapped file.
    let mut prepared: BTreeMap<String, Prepared> = BTreeMap::new();
    for m in &plan.mapped {
        let data = src.read_blob(m.oid, &m.source_path)?;
        let source_ref = SourceRef {
            path: m.source_path.clone(),
            blob: m.oid.to_string(),
            class: m.class,
        };
        let (content, digest, size) = match m.transform {
            Transform::Copy => {
                let digest = sha256(&data);
                (
                    Content::Blob {
                        oid: m.oid,
                        source_path: m.source_path.clone(),
                    },
                    digest,
                    data.len() as u64,
                )
            }
            Transform::Markdown => {
                let text = String::from_utf8_lossy(&data);
                let out = render::markdown_with_source_line(
                    &text,
                    &m.source_path,
                    &src.commit,
                    &m.oid.to_string(),
                    m.class.as_str(),
                )
                .into_bytes();
                let digest = sha256(&out);
                let size = out.len() as u64;
                (Content::Bytes(out), digest, size)
            }
        };
        prepared.insert(
            m.dest.clone(),
            Prepared {
                content,
                record: ManifestFile {
                    path: m.dest.clone(),
                    class: m.class,
                    sha256: hex::encode(digest),
                    size,
                    generator: m.transform.as_str().to_owned(),
                    sources: vec![source_ref],
                },
            },
        );
    }

    // Generated documents: instructions, then the overview (which lists everything).
    let package_class: secpack_classify::Class = prepared
        .values()
        .map(|p| p.record.class)
        .max()
        .unwrap_or(secpack_classify::Class::CustomerOnly);
    let generated = |path: &str, generator: &str, bytes: Vec<u8>| Prepared {
        record: ManifestFile {
            path: path.to_owned(),
            class: package_class,
            sha256: hex::encode(sha256(&bytes)),
            size: bytes.len() as u64,
            generator: generator.to_owned(),
            sources: Vec::new(),
        },
        content: Content::Bytes(bytes),
    };
    let instructions = render::instructions(&facts, None).into_bytes();
    prepared.insert(
        layout::INSTRUCTIONS.into(),
        generated(layout::INSTRUCTIONS, "instructions", instructions),
    );
    let records: Vec<ManifestFile> = prepared.values().map(|p| p.record.clone()).collect();
    let overview = render::overview(&facts, &records).into_bytes();
    prepared.insert(
        layout::OVERVIEW.into(),
        generated(layout::OVERVIEW, "overview", overview),
    );

    // The manifest covers everything so far; SHA256SUMS covers the manifest too.
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.to_owned(),
        product: plan.config.product.name.clone(),
        version: plan.version.clone(),
        tag: plan.version.clone(),
        repository: plan.config.product.repository.clone().unwrap_or_default(),
        commit: src.commit.clone(),
        commit_time: src.commit_time,
        files: prepared.values().map(|p| p.record.clone()).collect(),
        accepted_findings: Vec::new(),
        transforms: Vec::new(),
    };
    let manifest_json = manifest.to_json();
    prepared.insert(
        layout::MANIFEST.into(),
        generated(layout::MANIFEST, "manifest", manifest_json),
    );
    let sum_lines: Vec<SumLine> = prepared
        .iter()
        .map(|(path, p)| {
            let mut sha = [0u8; 32];
            hex::decode_to_slice(&p.record.sha256, &mut sha).expect("we wrote this hex ourselves");
            SumLine {
                sha256: sha,
                path: path.clone(),
            }
        })
        .collect();
    let sums_text = sums::render(&sum_lines).into_bytes();
    prepared.insert(
        layout::SHA256SUMS.into(),
        generated(layout::SHA256SUMS, "sha256sums", sums_text),
    );

    // Pass 2: write both archives.
    std::fs::create_dir_all(&req.out_dir).map_err(|source| Error::Io {
        path: req.out_dir.clone(),
        source,
    })?;
    let mut writer = PackageWriter::create(&req.out_dir, &plan.version, src.commit_time)?;
    for (path, p) in &prepared {
        match &p.content {
            Content::Bytes(bytes) => writer.add_bytes(path, bytes)?,
            Content::Blob { oid, source_path } => {
                let data = src.read_blob(*oid, source_path)?;
                if hex::encode(sha256(&data)) != p.record.sha256 {
                    return Err(Error::Git {
                        what: format!("`{source_path}` changed between two reads of blob {oid}"),
                        source: "object store is inconsistent".into(),
                    });
                }
                writer.add_bytes(path, &data)?;
            }
        }
    }
    let archives = writer.finish()?;
    Ok(BuildOutput {
        version: plan.version.clone(),
        commit: src.commit.clone(),
        archives,
        manifest,
        warnings: plan.warnings.clone(),
    })
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn clone_problem(first: &Error, count: usize) -> Error {
    let message = if count > 1 {
        format!(
            "{first} (and {} more problem(s); run `secpack plan` to see all)",
            count - 1
        )
    } else {
        first.to_string()
    };
    match first.kind() {
        crate::error::ErrorKind::Policy => Error::Policy { message },
        crate::error::ErrorKind::Usage => Error::ConfigValue {
            file: crate::config::CONFIG_FILE.into(),
            message,
        },
    }
}

/// Convenience: plan and build in one call.
pub fn plan_and_build(
    repo: &Path,
    rev: &str,
    version: Option<&str>,
    out_dir: &Path,
) -> Result<BuildOutput, Error> {
    let plan = crate::plan::plan(&crate::plan::PlanRequest { repo, rev, version })?;
    build(
        &plan,
        &BuildRequest {
            out_dir: out_dir.to_path_buf(),
        },
    )
}
