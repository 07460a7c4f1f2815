//! Building: turn a [`Plan`] into the two archives.
//!
//! Two passes over the same entry list. The first materializes every file (transforms,
//! generated documents) and records its size and SHA-256, which the manifest, the overview
//! and `SHA256SUMS` need; the second streams the files into both archives in sorted order.
//! Copied files are read from git in both passes rather than kept in memory.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use secpack_archive::{
    MANIFEST_SCHEMA, Manifest, ManifestFile, PackageWriter, SourceRef, SumLine, TransformRecord,
    WrittenArchive, layout, sums,
};
use sha2::{Digest, Sha256};

use crate::error::{Error, boxed};
use crate::plan::{Plan, Transform};
use crate::render::{self, PackageFacts};

/// How the package is signed.
#[derive(Debug)]
pub enum Signing {
    /// No signature and no package provenance: only on explicit request (`--unsigned`).
    Unsigned,
    /// Sign the archives and the provenance with this key (RFC 6979: deterministic).
    Key(secpack_provenance::PrivateKey),
}

/// Where to write and how to sign.
#[derive(Debug)]
pub struct BuildRequest {
    /// Output folder; created when missing.
    pub out_dir: PathBuf,
    pub signing: Signing,
    /// Environment lookup used to detect the CI builder when `secpack.toml` names none
    /// (normally `std::env::var`).
    pub env: fn(&str) -> Option<String>,
    /// Receives progress events; [`NoProgress`] ignores them.
    pub progress: &'static dyn Progress,
}

/// The long steps of a build, for progress display. Implementations must be cheap: they are
/// called once per file.
pub trait Progress: Sync + std::fmt::Debug {
    /// A step starts; `total` files will be reported through [`Progress::file`].
    fn step(&self, name: &'static str, total: u64);
    /// One file of the current step is done; `bytes` is its size.
    fn file(&self, path: &str, bytes: u64);
    /// The current step is over.
    fn done(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn step(&self, _: &'static str, _: u64) {}
    fn file(&self, _: &str, _: u64) {}
}

/// `std::env::var` as an [`BuildRequest::env`] lookup.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// What a build wrote.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    pub version: String,
    pub commit: String,
    pub archives: Vec<WrittenArchive>,
    /// Signatures and provenance written next to the archives.
    pub sidecars: Vec<PathBuf>,
    /// Fingerprint of the signing key, when signed.
    pub key_fingerprint: Option<String>,
    /// Leak-gate findings let through by exceptions (also in the manifest).
    pub accepted_findings: Vec<secpack_scan::AcceptedFinding>,
    pub manifest: Manifest,
    pub warnings: Vec<String>,
}

/// The bytes of a package file.
enum Content {
    /// Read from git when written (unchanged blob).
    Blob {
        oid: gix::ObjectId,
        source_path: String,
        size: u64,
    },
    /// Held in memory (transformed or generated).
    Bytes(Vec<u8>),
    /// A Markdown document, re-rendered from its blob when written.
    Markdown {
        oid: gix::ObjectId,
        source_path: String,
        class: secpack_classify::Class,
    },
}

struct Prepared {
    content: Content,
    record: ManifestFile,
}

/// Build the package described by `plan`. Stops at the first of [`Plan::problems`].
pub fn build(plan: &Plan, req: &BuildRequest) -> Result<BuildOutput, Error> {
    if let Some(first) = plan.problems.first() {
        // The CLI shows all problems through `plan`; a build stops at the first.
        return Err(clone_problem(first, plan.problems.len()));
    }
    let src = &plan.source;
    let key_fingerprint = match &req.signing {
        Signing::Unsigned => None,
        Signing::Key(key) => {
            let actual = key.public_key().fingerprint();
            if let Some(expected) = &plan.config.signing.fingerprint
                && !expected.eq_ignore_ascii_case(&actual)
            {
                return Err(Error::ConfigValue {
                    file: crate::config::CONFIG_FILE.into(),
                    message: format!(
                        "the signing key's fingerprint is {actual}, but `signing.fingerprint` expects {expected}; \
                         sign with the configured key or update the fingerprint"
                    ),
                });
            }
            if plan
                .config
                .product
                .repository
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
            {
                return Err(Error::ConfigValue {
                    file: crate::config::CONFIG_FILE.into(),
                    message: "`product.repository` is required for a signed build: the package provenance names the source repository".into(),
                });
            }
            Some(actual)
        }
    };

    let Package {
        mut prepared,
        mut manifest,
        mut transformed_inputs,
        accepted,
        warnings,
    } = prepare(plan, key_fingerprint.as_deref(), req.env, req.progress)?;

    // Pass 2: write both archives.
    std::fs::create_dir_all(&req.out_dir).map_err(|source| Error::Io {
        path: req.out_dir.clone(),
        source,
    })?;
    let mut writer = PackageWriter::create(&req.out_dir, &plan.version, src.commit_time)?;
    req.progress.step("writing archives", prepared.len() as u64);
    for (path, p) in &prepared {
        req.progress.file(path, p.record.size);
        match &p.content {
            Content::Bytes(bytes) => writer.add_bytes(path, bytes)?,
            Content::Markdown {
                oid,
                source_path,
                class,
            } => {
                let data = src.read_blob(*oid, source_path)?;
                let out = markdown_for_package(&data, source_path, &src.commit, *oid, *class)?;
                if hex::encode(sha256(&out)) != p.record.sha256 {
                    return Err(Error::Git {
                        what: format!("`{source_path}` rendered differently in the two passes"),
                        source: "the scanned bytes are not the bytes to write".into(),
                    });
                }
                writer.add_bytes(path, &out)?;
            }
            Content::Blob {
                oid,
                source_path,
                size,
            } => {
                // The blob id is checked as it streams (BlobReader): the bytes written are the
                // bytes hashed in pass 1, or the build fails.
                let mut reader = src.open_blob(*oid, source_path, *size)?;
                let mut probe = Vec::with_capacity(secpack_archive::write::PROBE_LEN);
                (&mut reader)
                    .take(secpack_archive::write::PROBE_LEN as u64)
                    .read_to_end(&mut probe)
                    .map_err(|e| Error::Git {
                        what: format!("reading `{source_path}` (blob {oid})"),
                        source: boxed(e),
                    })?;
                let mut rest = std::io::Cursor::new(probe.clone()).chain(reader);
                writer.add(path, *size, &probe, &mut rest)?;
            }
        }
    }
    let pending = writer.finish_pending()?;
    req.progress.done();
    // Written: generated files (the manifest, the overview, the sums) need not stay in memory
    // through the self-check; their digests are in the records.
    for p in prepared.values_mut() {
        if let Content::Bytes(bytes) = &mut p.content {
            *bytes = Vec::new();
        }
    }
    self_check(&pending, &plan.version, &prepared)?;

    // Signatures and provenance, written before the archives get their final names.
    let mut sidecars: Vec<(String, Vec<u8>)> = Vec::new();
    if let Signing::Key(key) = &req.signing {
        let archives = pending.archives();
        for a in &archives {
            let name = format!("{}.sigstore.json", a.format.file_name(&plan.version));
            sidecars.push((name, secpack_provenance::sign_blob_digest(key, &a.sha256)));
        }
        let builder = match &plan.config.provenance.builder_id {
            Some(id) => id.clone(),
            None => secpack_provenance::detect_builder(&req.env).id,
        };
        transformed_inputs.sort_by(|a, b| a.name.cmp(&b.name));
        let statement = secpack_provenance::build_package_statement(
            &secpack_provenance::PackageProvenanceInput {
                subjects: archives
                    .iter()
                    .map(|a| secpack_provenance::Artifact {
                        name: a.format.file_name(&plan.version),
                        sha256: a.sha256,
                    })
                    .collect(),
                repository: plan.config.product.repository.clone().unwrap_or_default(),
                tag: plan.version.clone(),
                version: plan.version.trim_start_matches('v').to_owned(),
                commit: src.commit.clone(),
                transformed_inputs,
                builder_id: builder,
                builder_version: BTreeMap::from([(
                    "secpack".to_owned(),
                    env!("CARGO_PKG_VERSION").to_owned(),
                )]),
                invocation_id: None,
            },
        )
        .map_err(provenance_error)?;
        let signed = secpack_provenance::sign_statement(key, &statement);
        let top = layout::top_folder(&plan.version);
        sidecars.push((format!("{top}.intoto.jsonl"), signed.jsonl));
        sidecars.push((format!("{top}.intoto.sigstore.json"), signed.bundle));
    }
    let sidecar_paths = sidecars
        .iter()
        .map(|(name, _)| req.out_dir.join(name))
        .collect();
    let archives = pending.persist(&sidecars)?;
    manifest.files = prepared
        .into_iter()
        .filter(|(path, _)| path != layout::MANIFEST && path != layout::SHA256SUMS)
        .map(|(_, p)| p.record)
        .collect();
    Ok(BuildOutput {
        version: plan.version.clone(),
        commit: src.commit.clone(),
        archives,
        sidecars: sidecar_paths,
        key_fingerprint,
        accepted_findings: accepted,
        manifest,
        warnings,
    })
}

/// A Markdown document as it ships: internal sections removed, the source line appended.
fn markdown_for_package(
    data: &[u8],
    source_path: &str,
    commit: &str,
    oid: gix::ObjectId,
    class: secpack_classify::Class,
) -> Result<Vec<u8>, Error> {
    let text = String::from_utf8_lossy(data);
    let stripped = secpack_scan::strip_internal_sections(&text, source_path)
        .map_err(|source| Error::Scan { source })?;
    Ok(render::markdown_with_source_line(
        &stripped,
        source_path,
        commit,
        &oid.to_string(),
        class.as_str(),
    )
    .into_bytes())
}

/// What to do about an archive `secpack verify` would refuse.
const SELF_CHECK_BUG: &str =
    "This is a bug in secpack: please report it with the command and this message.";

/// Read both written archives back as `secpack verify` reads them (its reader, its default
/// limits), in parallel, before anything is signed or put in place: a package this build
/// publishes is one the verifier accepts, and every file in it has the digest recorded in
/// pass 1. Costs about 1.5 s per GiB of package on two cores.
fn self_check(
    pending: &secpack_archive::write::PendingArchives,
    version: &str,
    prepared: &BTreeMap<String, Prepared>,
) -> Result<(), Error> {
    use rayon::prelude::*;
    let results: Vec<Result<(), Error>> = pending
        .archives()
        .par_iter()
        .map(|archive| self_check_one(pending, archive, version, prepared))
        .collect();
    // The first failure in archive order (zip, then tar.gz), whichever thread finished first.
    results.into_iter().collect()
}

fn self_check_one(
    pending: &secpack_archive::write::PendingArchives,
    archive: &WrittenArchive,
    version: &str,
    prepared: &BTreeMap<String, Prepared>,
) -> Result<(), Error> {
    let name = archive.format.file_name(version);
    let refused = |problem: String, fix: &'static str| Error::SelfCheck {
        archive: name.clone(),
        problem,
        fix,
    };
    let io_err = |source| Error::Io {
        path: archive.path.clone(),
        source,
    };
    let mut file = pending
        .reopen(archive.format)
        .ok_or_else(|| refused("the archive was not written".into(), SELF_CHECK_BUG))?
        .map_err(io_err)?;
    // The verifier's default limits, except that the index files are not kept: their digests
    // are compared like every other file's, and their size limit was checked when they were made.
    let limits = secpack_verify::Limits {
        max_metadata_size: 0,
        ..secpack_verify::Limits::DEFAULT
    };
    let scan = secpack_verify::scan(&mut file, archive.format, &limits).map_err(io_err)?;
    if scan.sha256 != archive.sha256 {
        return Err(refused(
            "its SHA-256 changed after it was written".into(),
            "Another process may have written to the output folder; build again.",
        ));
    }
    let contents = scan.outcome.map_err(|problem| {
        let fix = match problem.code {
            secpack_verify::Code::CompressionRatio => {
                "A file that compresses this much looks like a decompression bomb to a verifier: compress it yourself (e.g. gzip) before committing it, or leave it out of the package."
            }
            secpack_verify::Code::EntryTooLarge
            | secpack_verify::Code::TotalTooLarge
            | secpack_verify::Code::TooManyEntries => "Ship less evidence in one package.",
            _ => SELF_CHECK_BUG,
        };
        // Name the source file too: that is what the user changes.
        let top = format!("{}/", layout::top_folder(version));
        let source = problem
            .entry
            .as_deref()
            .and_then(|entry| entry.strip_prefix(&top))
            .and_then(|path| prepared.get(path))
            .and_then(|p| p.record.sources.first());
        match source {
            Some(s) => refused(format!("{problem} (source `{}`)", s.path), fix),
            None => refused(problem.to_string(), fix),
        }
    })?;
    let mismatch = contents.files.len() != prepared.len()
        || contents.files.iter().any(|f| {
            prepared
                .get(&f.path)
                .is_none_or(|p| p.record.sha256 != hex::encode(f.sha256))
        });
    if mismatch {
        return Err(refused(
            "its files are not the files recorded in the manifest".into(),
            SELF_CHECK_BUG,
        ));
    }
    Ok(())
}

/// The size of every mapped file's blob, from the object headers, checked against the limits
/// `secpack verify` applies, before any file is read (transformed files are read whole, so a
/// huge one must be refused before that too).
fn blob_sizes(plan: &Plan) -> Result<Vec<u64>, Error> {
    use rayon::prelude::*;
    let objects = &plan.source.objects;
    let sizes: Vec<u64> = plan
        .mapped
        .par_iter()
        .map_init(
            || objects.worker_repo(),
            |repo, m| {
                let size = objects.blob_size_with(repo, m.oid, &m.source_path)?;
                if size > layout::MAX_FILE_BYTES {
                    return Err(Error::FileTooLarge {
                        path: m.source_path.clone(),
                        size,
                        limit: layout::MAX_FILE_BYTES,
                    });
                }
                Ok(size)
            },
        )
        .collect::<Result<_, Error>>()?;
    let total = sizes.iter().fold(0u64, |a, &b| a.saturating_add(b));
    if total > layout::MAX_PACKAGE_BYTES {
        return Err(Error::PackageTooLarge {
            size: total,
            limit: layout::MAX_PACKAGE_BYTES,
        });
    }
    Ok(sizes)
}

/// What the parallel step learns about a copied file.
struct CopyResult {
    size: u64,
    digest: [u8; 32],
    report: secpack_scan::ScanReport,
}

/// SHA-256 and leak-gate scan of a stream, in one pass with a fixed buffer.
fn hash_and_scan(
    scanner: &secpack_scan::Scanner,
    path: &str,
    reader: &mut dyn Read,
) -> std::io::Result<([u8; 32], secpack_scan::ScanReport)> {
    let mut hasher = Sha256::new();
    let mut scan = scanner.stream(path);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        scan.feed(chunk);
    }
    Ok((hasher.finalize().into(), scan.finish()))
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

/// Everything that goes into the archives, materialized and checked, before anything is written.
struct Package {
    prepared: BTreeMap<String, Prepared>,
    /// The manifest without its files: their records are in `prepared`.
    manifest: Manifest,
    transformed_inputs: Vec<secpack_provenance::Artifact>,
    accepted: Vec<secpack_scan::AcceptedFinding>,
    warnings: Vec<String>,
}

/// Pass 1: transform and render every file, run the leak gate over the final bytes, and make
/// the manifest and `SHA256SUMS`. `key_fingerprint` is printed in the instructions.
fn prepare(
    plan: &Plan,
    key_fingerprint: Option<&str>,
    env: fn(&str) -> Option<String>,
    progress: &dyn Progress,
) -> Result<Package, Error> {
    let src = &plan.source;
    let facts = PackageFacts {
        config: &plan.config,
        version: &plan.version,
        commit: &src.commit,
        commit_time: src.commit_time,
    };
    let scanner = leak_scanner(plan)?;
    let mut reports: Vec<secpack_scan::ScanReport> = Vec::new();
    let mut warnings = plan.warnings.clone();
    // Pass 1: every mapped file.
    let mut prepared: BTreeMap<String, Prepared> = BTreeMap::new();
    let mut transforms: Vec<TransformRecord> = Vec::new();
    let mut transformed_inputs: Vec<secpack_provenance::Artifact> = Vec::new();
    let mut provenance_readmes: Vec<(String, SourceRef)> = Vec::new();
    let mut redacted_sboms: Vec<(Vec<u8>, SourceRef)> = Vec::new();
    progress.step(
        "reading, transforming and scanning",
        plan.mapped.len() as u64,
    );
    // Copies (most of a large package) are read, hashed and scanned in parallel, each
    // worker with its own repository handle; results keep the plan's order.
    let objects = &src.objects;
    let sizes = blob_sizes(plan)?;
    let copies: Vec<Option<Result<CopyResult, Error>>> = {
        use rayon::prelude::*;
        plan.mapped
            .par_iter()
            .zip(&sizes)
            .map_init(
                || objects.worker_repo(),
                |repo, (m, &size)| {
                    (m.transform == Transform::Copy).then(|| {
                        let mut reader =
                            objects.open_blob_with(repo, m.oid, &m.source_path, size)?;
                        let (digest, report) = hash_and_scan(&scanner, &m.dest, &mut reader)
                            .map_err(|e| Error::Git {
                                what: format!("reading `{}` (blob {})", m.source_path, m.oid),
                                source: boxed(e),
                            })?;
                        progress.file(&m.dest, size);
                        Ok(CopyResult {
                            size,
                            digest,
                            report,
                        })
                    })
                },
            )
            .collect()
    };
    let mut copies = copies.into_iter();
    for m in &plan.mapped {
        let copied = copies.next().flatten().transpose()?;
        if m.transform != Transform::Copy {
            progress.file(&m.dest, 0);
        }
        // Copies stream; everything transformed is small enough to hold (SBOMs, Markdown).
        let data = match m.transform {
            Transform::Copy => Vec::new(),
            _ => src.read_blob(m.oid, &m.source_path)?,
        };
        let source_ref = SourceRef {
            path: m.source_path.clone(),
            blob: m.oid.to_string(),
            class: m.class,
        };
        let mut dest = m.dest.clone();
        let (content, digest, size) = match m.transform {
            Transform::Markdown => {
                let out = markdown_for_package(&data, &m.source_path, &src.commit, m.oid, m.class)?;
                // Scanned now, as it will ship; rebuilt from the blob in pass 2 rather than
                // held, so memory does not grow with the package.
                reports.push(scanner.scan(&dest, &out));
                (
                    Content::Markdown {
                        oid: m.oid,
                        source_path: m.source_path.clone(),
                        class: m.class,
                    },
                    sha256(&out),
                    out.len() as u64,
                )
            }
            Transform::Sbom { .. } => {
                let key = env(&plan.config.sbom_pseudonym_key_env);
                let redacted = secpack_sbom::redact(
                    &data,
                    &plan.config.sbom_redact,
                    key.as_deref().map(str::as_bytes),
                )
                .map_err(|source| Error::Sbom {
                    path: m.source_path.clone(),
                    source,
                })?;
                transformed_inputs.push(secpack_provenance::Artifact {
                    name: m.source_path.clone(),
                    sha256: sha256(&data),
                });
                transforms.push(TransformRecord {
                    path: dest.clone(),
                    kind: "sbom-redact".into(),
                    summary: shareable_sbom_summary(&redacted.summary),
                });
                redacted_sboms.push((redacted.bytes.clone(), source_ref.clone()));
                let digest = sha256(&redacted.bytes);
                let size = redacted.bytes.len() as u64;
                (Content::Bytes(redacted.bytes), digest, size)
            }
            Transform::ProductProvenance { index } => {
                let p = plan
                    .config
                    .product_provenance
                    .get(index)
                    .expect("plan indexes the config");
                let key = match &p.public_key {
                    Some(path) => {
                        let entry = src.file(path).ok_or_else(|| Error::ConfigValue {
                            file: crate::config::CONFIG_FILE.into(),
                            message: format!(
                                "product_provenance[{index}].public_key `{path}` is missing"
                            ),
                        })?;
                        let pem = src.read_blob(entry.oid, path)?;
                        Some(
                            secpack_provenance::load_public_key(&pem, path)
                                .map_err(provenance_error)?,
                        )
                    }
                    None => None,
                };
                let options = secpack_provenance::ProductProvenanceOptions {
                    expected_builder_id: p.builder_id.clone(),
                    remove_fields: p.remove_fields.clone(),
                };
                let checked = secpack_provenance::check_product_provenance(
                    &data,
                    &m.source_path,
                    key.as_ref(),
                    &options,
                )
                .map_err(provenance_error)?;
                if let Some((dir, _)) = m.dest.rsplit_once('/') {
                    dest = format!("{dir}/{}", checked.summary.shipped_file);
                }
                transformed_inputs.push(secpack_provenance::Artifact {
                    name: m.source_path.clone(),
                    sha256: sha256(&data),
                });
                transforms.push(TransformRecord {
                    path: dest.clone(),
                    kind: "provenance-check".into(),
                    summary: serde_json::to_value(&checked.summary).expect("summaries serialize"),
                });
                provenance_readmes.push((checked.readme, source_ref.clone()));
                let digest = sha256(&checked.bytes);
                let size = checked.bytes.len() as u64;
                (Content::Bytes(checked.bytes), digest, size)
            }
            Transform::Copy => {
                let CopyResult {
                    size,
                    digest,
                    report,
                } = copied.expect("every copy was processed in the parallel step");
                reports.push(report);
                (
                    Content::Blob {
                        oid: m.oid,
                        source_path: m.source_path.clone(),
                        size,
                    },
                    digest,
                    size,
                )
            }
        };
        if let Some(existing) = prepared.get(&dest) {
            return Err(Error::DuplicateDestination {
                dest,
                first: existing
                    .record
                    .sources
                    .first()
                    .map(|s| s.path.clone())
                    .unwrap_or_default(),
                second: m.source_path.clone(),
            });
        }
        prepared.insert(
            dest.clone(),
            Prepared {
                content,
                record: ManifestFile {
                    path: dest.clone(),
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
    // Generated files are held until the archives are written: without spare capacity.
    let generated = |path: &str, generator: &str, mut bytes: Vec<u8>| {
        bytes.shrink_to_fit();
        Prepared {
            record: ManifestFile {
                path: path.to_owned(),
                class: package_class,
                sha256: hex::encode(sha256(&bytes)),
                size: bytes.len() as u64,
                generator: generator.to_owned(),
                sources: Vec::new(),
            },
            content: Content::Bytes(bytes),
        }
    };
    for doc in &plan.rendered {
        let sources: Vec<SourceRef> = doc
            .sources
            .iter()
            .map(|(path, oid, class)| SourceRef {
                path: path.clone(),
                blob: oid.to_string(),
                class: *class,
            })
            .collect();
        let bytes = if doc.dest.ends_with(".md") {
            let names: Vec<&str> = sources.iter().map(|s| s.path.as_str()).collect();
            render::markdown_with_generated_line(
                &String::from_utf8_lossy(&doc.bytes),
                &names,
                &src.commit,
            )
            .into_bytes()
        } else {
            doc.bytes.clone()
        };
        let class = sources
            .iter()
            .map(|s| s.class)
            .max()
            .unwrap_or(secpack_classify::Class::CustomerOnly);
        let record = ManifestFile {
            path: doc.dest.clone(),
            class,
            sha256: hex::encode(sha256(&bytes)),
            size: bytes.len() as u64,
            generator: doc.generator.to_owned(),
            sources,
        };
        prepared.insert(
            doc.dest.clone(),
            Prepared {
                content: Content::Bytes(bytes),
                record,
            },
        );
    }
    if plan.generate_licenses {
        let inputs: Vec<&[u8]> = redacted_sboms.iter().map(|(b, _)| b.as_slice()).collect();
        let text = secpack_sbom::licenses(&inputs).map_err(|source| Error::Sbom {
            path: layout::LICENSES.into(),
            source,
        })?;
        let bytes = text.into_bytes();
        let record = ManifestFile {
            path: layout::LICENSES.into(),
            class: redacted_sboms
                .iter()
                .map(|(_, s)| s.class)
                .max()
                .unwrap_or(package_class),
            sha256: hex::encode(sha256(&bytes)),
            size: bytes.len() as u64,
            generator: "sbom-licenses".into(),
            sources: redacted_sboms.iter().map(|(_, s)| s.clone()).collect(),
        };
        prepared.insert(
            layout::LICENSES.into(),
            Prepared {
                content: Content::Bytes(bytes),
                record,
            },
        );
    }
    if !provenance_readmes.is_empty() {
        let readme_path = format!("{}README.md", layout::PROVENANCE_DIR);
        let text = provenance_readmes
            .iter()
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let bytes = text.into_bytes();
        let class = provenance_readmes
            .iter()
            .map(|(_, s)| s.class)
            .max()
            .unwrap_or(package_class);
        let record = ManifestFile {
            path: readme_path.clone(),
            class,
            sha256: hex::encode(sha256(&bytes)),
            size: bytes.len() as u64,
            generator: "provenance-readme".into(),
            sources: provenance_readmes.iter().map(|(_, s)| s.clone()).collect(),
        };
        if prepared.contains_key(&readme_path) {
            return Err(Error::DuplicateDestination {
                dest: readme_path,
                first: "secpack.toml [files]".into(),
                second: "generated provenance README".into(),
            });
        }
        prepared.insert(
            readme_path,
            Prepared {
                content: Content::Bytes(bytes),
                record,
            },
        );
    }
    check_case_collisions(prepared.keys())?;
    let signing_facts = key_fingerprint.map(|fp| render::SigningFacts {
        fingerprint: plan
            .config
            .signing
            .fingerprint
            .clone()
            .unwrap_or_else(|| fp.to_owned())
            .to_lowercase(),
    });
    let instructions = render::instructions(&facts, signing_facts.as_ref()).into_bytes();
    prepared.insert(
        layout::INSTRUCTIONS.into(),
        generated(layout::INSTRUCTIONS, "instructions", instructions),
    );
    let records: Vec<&ManifestFile> = prepared.values().map(|p| &p.record).collect();
    let overview = render::overview(&facts, &records).into_bytes();
    drop(records);
    prepared.insert(
        layout::OVERVIEW.into(),
        generated(layout::OVERVIEW, "overview", overview),
    );

    progress.done();
    // The leak gate: every byte that ships, as it ships.
    for (path, p) in &prepared {
        if let Content::Bytes(bytes) = &p.content {
            reports.push(scanner.scan(path, bytes));
        }
    }
    let triage = finish_scan(&scanner, reports, &mut warnings);
    if !triage.blocking.is_empty() {
        return Err(Error::Leak {
            findings: triage.blocking,
        });
    }

    // The manifest covers everything so far; SHA256SUMS covers the manifest too. Its file
    // records stay in `prepared` (one copy, not three): serialized from there now, moved into
    // the returned manifest once the archives are written.
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.to_owned(),
        product: plan.config.product.name.clone(),
        version: plan.version.clone(),
        tag: plan.version.clone(),
        repository: plan.config.product.repository.clone().unwrap_or_default(),
        commit: src.commit.clone(),
        commit_time: src.commit_time,
        files: Vec::new(),
        accepted_findings: triage
            .accepted
            .iter()
            .map(|a| secpack_archive::AcceptedFinding {
                path: a.path.clone(),
                line: a.line,
                rule: a.rule.to_string(),
                fingerprint: a.fingerprint.clone(),
                reason: a.reason.clone(),
            })
            .collect(),
        transforms,
    };
    let records: Vec<&ManifestFile> = prepared.values().map(|p| &p.record).collect();
    let manifest_json = manifest.to_json_with_files(&records);
    drop(records);
    check_index_size("manifest.json", manifest_json.len())?;
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
    check_index_size("SHA256SUMS", sums_text.len())?;
    prepared.insert(
        layout::SHA256SUMS.into(),
        generated(layout::SHA256SUMS, "sha256sums", sums_text),
    );

    // The manifest and the sums ship too.
    let mut last = Vec::new();
    for path in [layout::MANIFEST, layout::SHA256SUMS] {
        if let Some(Prepared {
            content: Content::Bytes(bytes),
            ..
        }) = prepared.get(path)
        {
            last.push(scanner.scan(path, bytes));
        }
    }
    let late = scanner.triage(last.into_iter().flat_map(|r| r.findings).collect());
    if !late.blocking.is_empty() {
        return Err(Error::Leak {
            findings: late.blocking,
        });
    }
    Ok(Package {
        prepared,
        manifest,
        transformed_inputs,
        accepted: triage.accepted,
        warnings,
    })
}

/// What `secpack scan` found: the leak gate alone, without writing anything.
#[derive(Debug)]
pub struct ScanOutcome {
    /// Files scanned (everything that would ship).
    pub files: usize,
    /// Findings accepted by exceptions.
    pub accepted: Vec<secpack_scan::AcceptedFinding>,
    pub warnings: Vec<String>,
}

/// Run every transformation and the leak gate, as a build would, but write nothing.
/// Blocking findings come back as [`Error::Leak`].
/// An untagged commit can be scanned: the release tag matters only for a build.
pub fn scan(plan: &Plan, env: fn(&str) -> Option<String>) -> Result<ScanOutcome, Error> {
    let blocking: Vec<&Error> = plan
        .problems
        .iter()
        .filter(|p| !matches!(p, Error::NoReleaseTag { .. }))
        .collect();
    if let Some(first) = blocking.first() {
        return Err(clone_problem(first, blocking.len()));
    }
    let package = prepare(plan, None, env, &NoProgress)?;
    Ok(ScanOutcome {
        files: package.prepared.len(),
        accepted: package.accepted,
        warnings: package.warnings,
    })
}

/// The SBOM redaction summary as it ships in the manifest. The rules themselves name internal
/// components, hosts and groups, so they are replaced by their SHA-256 and the list of rule
/// kinds in force; counts, formats and the original's digest stay.
fn shareable_sbom_summary(summary: &secpack_sbom::Summary) -> serde_json::Value {
    let mut value = serde_json::to_value(summary).expect("summaries serialize");
    if let Some(obj) = value.as_object_mut()
        && let Some(rules) = obj.remove("rules")
    {
        let canonical = serde_json::to_vec(&rules).expect("JSON values serialize");
        let kinds: Vec<String> = rules
            .as_object()
            .map(|r| {
                r.iter()
                    .filter(|(_, v)| match v {
                        serde_json::Value::Array(a) => !a.is_empty(),
                        serde_json::Value::Bool(b) => *b,
                        serde_json::Value::Null => false,
                        _ => true,
                    })
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        obj.insert(
            "rules".into(),
            serde_json::json!({ "sha256": hex::encode(sha256(&canonical)), "in_force": kinds }),
        );
    }
    value
}

/// The leak gate configured from `[leak_gate]`; the security contact is always allowed.
fn leak_scanner(plan: &Plan) -> Result<secpack_scan::Scanner, Error> {
    let mut config = plan.config.leak_gate.clone();
    if let Some(contact) = &plan.config.contacts.security {
        config.email_allow.push(contact.clone());
    }
    secpack_scan::Scanner::new(&config).map_err(|source| Error::Scan { source })
}

/// Triage the findings; unused exceptions become warnings.
fn finish_scan(
    scanner: &secpack_scan::Scanner,
    reports: Vec<secpack_scan::ScanReport>,
    warnings: &mut Vec<String>,
) -> secpack_scan::Triage {
    let findings = reports.into_iter().flat_map(|r| r.findings).collect();
    let triage = scanner.triage(findings);
    for unused in &triage.unused_exceptions {
        warnings.push(format!(
            "secpack.toml: leak_gate exception `{}` matches no finding; remove it",
            unused.fingerprint
        ));
    }
    triage
}

/// The verifier reads the index files into memory: refuse to make ones it would refuse.
fn check_index_size(what: &'static str, len: usize) -> Result<(), Error> {
    let bytes = len as u64;
    if bytes > layout::MAX_METADATA_BYTES {
        return Err(Error::IndexTooLarge {
            what,
            bytes,
            limit: layout::MAX_METADATA_BYTES,
        });
    }
    Ok(())
}

fn provenance_error(e: secpack_provenance::Error) -> Error {
    Error::Provenance(e)
}

/// Destinations that differ only in letter case collide on case-insensitive file systems.
fn check_case_collisions<'a>(paths: impl Iterator<Item = &'a String>) -> Result<(), Error> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for p in paths {
        if let Some(other) = seen.insert(p.to_lowercase(), p) {
            return Err(Error::CaseCollision {
                dest: p.clone(),
                other: other.to_owned(),
            });
        }
    }
    Ok(())
}

/// Convenience: plan and build in one call.
pub fn plan_and_build(
    repo: &Path,
    rev: &str,
    version: Option<&str>,
    req: &BuildRequest,
) -> Result<BuildOutput, Error> {
    let plan = crate::plan::plan(&crate::plan::PlanRequest { repo, rev, version })?;
    build(&plan, req)
}
