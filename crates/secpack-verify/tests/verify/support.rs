//! A small, valid, signed package built in the test (with `PackageWriter` and the test-only
//! signing key), and helpers to tamper with it and to assert on reports.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use secpack_archive::{
    ArchiveFormat, MANIFEST_SCHEMA, Manifest, ManifestFile, PackageWriter, SourceRef, layout, sums,
};
use secpack_classify::Class;
use secpack_provenance::{self as sp, PrivateKey};
use secpack_verify::{CheckId, Code, KeySource, Report, Status, VerifyOptions};
use sha2::{Digest as _, Sha256};

pub const VERSION: &str = "v1.2.3";
pub const MTIME: i64 = 1_767_225_600;
pub const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

pub type Files = BTreeMap<String, Vec<u8>>;

fn fixture(rel: &str) -> PathBuf {
    secpack_testkit::workspace_root().join(rel)
}

pub fn public_key_path() -> PathBuf {
    fixture("fixtures/keys/test-only-signing.pub.pem")
}

fn load_key(rel: &str) -> PrivateKey {
    let path = fixture(rel);
    sp::load_private_key(&fs::read(&path).unwrap(), None, rel).unwrap()
}

/// The package signing key (test-only, committed).
pub fn signing_key() -> PrivateKey {
    load_key("fixtures/keys/test-only-signing.key.pem")
}

/// Another valid key: what an attacker re-signs with.
pub fn other_key() -> PrivateKey {
    load_key("fixtures/keys/test-only-product-builder.key.pem")
}

/// xorshift bytes: incompressible, so the zip stores them.
pub use secpack_testkit::noise;

/// Every file of a small package except the generated `manifest.json` and `SHA256SUMS`.
pub fn documents() -> Files {
    let mut files = Files::new();
    let mut add = |path: &str, text: String| files.insert(path.to_owned(), text.into_bytes());
    for &path in layout::REQUIRED_FILES {
        if path != layout::SHA256SUMS {
            add(
                path,
                format!("# {path}\n\nSummit security documentation for {VERSION}.\n").repeat(3),
            );
        }
    }
    add(
        "artifacts/sbom/summit-1.2.3.cdx.json",
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}"#.to_owned(),
    );
    add(
        "artifacts/provenance/summit-1.2.3.intoto.jsonl",
        r#"{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":[]}"#.to_owned(),
    );
    files.insert(
        "artifacts/evidence/pentest-summary.pdf".to_owned(),
        noise(3000, 7),
    );
    files
}

/// The manifest of `files` as the pipeline would write it.
pub fn manifest_for(files: &Files, version: &str) -> Manifest {
    let entries = files
        .iter()
        .filter(|(path, _)| *path != layout::MANIFEST && *path != layout::SHA256SUMS)
        .map(|(path, bytes)| {
            let generated = layout::GENERATED_FILES.contains(&path.as_str());
            let class = if path.starts_with("policies/") {
                Class::Public
            } else {
                Class::CustomerOnly
            };
            ManifestFile {
                path: path.clone(),
                class,
                sha256: hex::encode(Sha256::digest(bytes)),
                size: bytes.len() as u64,
                generator: if generated { "generated" } else { "copy" }.to_owned(),
                sources: if generated {
                    vec![]
                } else {
                    vec![SourceRef {
                        path: format!("docs/{path}"),
                        blob: "1".repeat(40),
                        class,
                    }]
                },
            }
        })
        .collect();
    Manifest {
        schema: MANIFEST_SCHEMA.to_owned(),
        product: "Summit".to_owned(),
        version: version.to_owned(),
        tag: version.to_owned(),
        repository: "https://example.invalid/summit".to_owned(),
        commit: COMMIT.to_owned(),
        commit_time: MTIME,
        files: entries,
        accepted_findings: vec![],
        transforms: vec![],
    }
}

/// Write `manifest` and then a `SHA256SUMS` over everything.
pub fn seal_with(files: &mut Files, manifest: &Manifest) {
    files.insert(layout::MANIFEST.to_owned(), manifest.to_json());
    reseal_sums(files);
}

/// Add `manifest.json` and `SHA256SUMS` computed over `files`.
pub fn seal(files: &mut Files, version: &str) {
    let manifest = manifest_for(files, version);
    seal_with(files, &manifest);
}

/// Recompute only `SHA256SUMS`.
pub fn reseal_sums(files: &mut Files) {
    let lines: Vec<sums::SumLine> = files
        .iter()
        .filter(|(path, _)| *path != layout::SHA256SUMS)
        .map(|(path, bytes)| sums::SumLine {
            sha256: Sha256::digest(bytes).into(),
            path: path.clone(),
        })
        .collect();
    files.insert(
        layout::SHA256SUMS.to_owned(),
        sums::render(&lines).into_bytes(),
    );
}

/// Both archives of one build, in their own temporary folder.
pub struct Built {
    pub dir: tempfile::TempDir,
    pub version: String,
    pub zip: PathBuf,
    pub tar: PathBuf,
    pub zip_sha256: [u8; 32],
    pub tar_sha256: [u8; 32],
}

impl Built {
    pub fn archive(&self, format: ArchiveFormat) -> &Path {
        match format {
            ArchiveFormat::Zip => &self.zip,
            ArchiveFormat::TarGz => &self.tar,
        }
    }

    pub fn sha256(&self, format: ArchiveFormat) -> [u8; 32] {
        match format {
            ArchiveFormat::Zip => self.zip_sha256,
            ArchiveFormat::TarGz => self.tar_sha256,
        }
    }

    /// The path of a file next to the archives.
    pub fn beside(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Write both archives of `files` with `PackageWriter`.
pub fn write(files: &Files, version: &str) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = PackageWriter::create(dir.path(), version, MTIME).unwrap();
    for (path, bytes) in files {
        writer.add_bytes(path, bytes).unwrap();
    }
    let archives = writer.finish().unwrap();
    Built {
        version: version.to_owned(),
        zip: archives[0].path.clone(),
        tar: archives[1].path.clone(),
        zip_sha256: archives[0].sha256,
        tar_sha256: archives[1].sha256,
        dir,
    }
}

/// The package provenance statement for archives with these digests.
pub fn statement(version: &str, zip: [u8; 32], tar: [u8; 32], prov_version: &str) -> sp::Statement {
    sp::build_package_statement(&sp::PackageProvenanceInput {
        subjects: vec![
            sp::Artifact {
                name: ArchiveFormat::Zip.file_name(version),
                sha256: zip,
            },
            sp::Artifact {
                name: ArchiveFormat::TarGz.file_name(version),
                sha256: tar,
            },
        ],
        repository: "https://example.invalid/summit".to_owned(),
        tag: version.to_owned(),
        version: prov_version.to_owned(),
        commit: COMMIT.to_owned(),
        transformed_inputs: vec![],
        builder_id: sp::LOCAL_BUILDER_ID.to_owned(),
        builder_version: BTreeMap::new(),
        invocation_id: None,
    })
    .unwrap()
}

/// Sign both archives with `key` and write the provenance for `statement`.
pub fn sign_with(built: &Built, key: &PrivateKey, statement: &sp::Statement) {
    for format in ArchiveFormat::ALL {
        let archive = built.archive(format);
        let bundle = sp::sign_blob_digest(key, &built.sha256(format));
        let name = archive.file_name().unwrap().to_str().unwrap();
        fs::write(built.beside(&format!("{name}.sigstore.json")), bundle).unwrap();
    }
    let signed = sp::sign_statement(key, statement);
    let [jsonl, bundle] = secpack_verify::provenance_file_names(&built.version);
    fs::write(built.beside(&jsonl), signed.jsonl).unwrap();
    fs::write(built.beside(&bundle), signed.bundle).unwrap();
}

/// Sign with the real key and a matching provenance (version without the `v`, as a pipeline
/// may write it).
pub fn sign(built: &Built) {
    let st = statement(
        &built.version,
        built.zip_sha256,
        built.tar_sha256,
        built.version.trim_start_matches('v'),
    );
    sign_with(built, &signing_key(), &st);
}

/// Seal, write and sign `files`.
pub fn build(mut files: Files) -> Built {
    seal(&mut files, VERSION);
    let built = write(&files, VERSION);
    sign(&built);
    built
}

/// The untampered package.
pub fn valid() -> Built {
    build(documents())
}

/// Options with the real public key.
pub fn options(archive: &Path) -> VerifyOptions {
    let mut options = VerifyOptions::new(archive);
    options.key = Some(KeySource::File(public_key_path()));
    options
}

pub fn run(archive: &Path) -> Report {
    secpack_verify::verify(&options(archive)).unwrap()
}

/// Assert that exactly the checks in `expected` failed, each with (at least) the given code,
/// and that every other check passed.
#[track_caller]
pub fn assert_failures(report: &Report, expected: &[(CheckId, Code)]) {
    let failed: Vec<CheckId> = report.failures().map(|c| c.id).collect();
    let mut wanted: Vec<CheckId> = expected.iter().map(|(id, _)| *id).collect();
    wanted.sort();
    wanted.dedup();
    assert_eq!(failed, wanted, "failed checks differ:\n{report}");
    for (id, code) in expected {
        let check = report.check(*id).unwrap();
        assert!(check.has(*code), "{id} lacks finding {code}:\n{report}");
    }
    for check in &report.checks {
        if !wanted.contains(&check.id) {
            assert_eq!(check.status, Status::Passed, "{}:\n{report}", check.id);
        }
    }
    assert_eq!(report.passed(), expected.is_empty());
    assert_eq!(report.exit_code(), u8::from(!expected.is_empty()));
}
