//! Write a valid, signed test package of a chosen size, for benchmarks and fuzzing seeds.
//!
//! ```sh
//! cargo run --release -p secpack-verify --example make-package -- OUT_DIR [--mib 100] [--version v1.2.3] [--unsigned]
//! ```
//!
//! The package holds every file the specification requires, a manifest and `SHA256SUMS`, plus
//! evidence files up to the requested size: half text (compresses about 3×, like documents),
//! half noise (stored, like PDFs and images). It is signed with the TEST-ONLY key in
//! `fixtures/keys/`, and its provenance is written next to it. Deterministic: the same
//! arguments give the same bytes.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};

use secpack_archive::{
    ArchiveFormat, MANIFEST_SCHEMA, Manifest, ManifestFile, PackageWriter, SourceRef, layout, sums,
};
use secpack_classify::Class;
use secpack_provenance as sp;
use sha2::{Digest as _, Sha256};

const MTIME: i64 = 1_767_225_600;
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const CHUNK: usize = 4 << 20;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn text(len: usize, rng: &mut Rng) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "access",
        "control",
        "tenant",
        "isolation",
        "encryption",
        "key",
        "rotation",
        "audit",
        "log",
        "incident",
        "response",
        "backup",
        "restore",
        "network",
        "segment",
        "policy",
        "review",
        "quarterly",
        "vendor",
        "risk",
        "SOC2",
        "evidence",
        "control-id",
        "TLS",
    ];
    let mut out = Vec::with_capacity(len + 32);
    while out.len() < len {
        let word = WORDS[(rng.next() % WORDS.len() as u64) as usize];
        out.extend_from_slice(word.as_bytes());
        let n = rng.next();
        if n.is_multiple_of(9) {
            out.extend_from_slice(format!(" {} ", n % 100_000).as_bytes());
        }
        out.push(if n.is_multiple_of(13) { b'\n' } else { b' ' });
    }
    out.truncate(len);
    out
}

fn noise(len: usize, rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

fn files(mib: usize, version: &str) -> BTreeMap<String, Vec<u8>> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut files = BTreeMap::new();
    for &path in layout::REQUIRED_FILES {
        if path != layout::SHA256SUMS {
            let body = format!("# {path}\n\nSummit {version}\n\n");
            let mut bytes = body.into_bytes();
            bytes.extend(text(2000, &mut rng));
            files.insert(path.to_owned(), bytes);
        }
    }
    files.insert(
        "artifacts/sbom/summit.cdx.json".to_owned(),
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}"#.to_vec(),
    );
    files.insert(
        "artifacts/provenance/summit.intoto.jsonl".to_owned(),
        br#"{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":[]}"#.to_vec(),
    );
    let mut remaining = mib << 20;
    let mut i = 0;
    while remaining > 0 {
        let len = remaining.min(CHUNK);
        let (name, bytes) = if i % 2 == 0 {
            (
                format!("artifacts/evidence/report-{i:04}.md"),
                text(len, &mut rng),
            )
        } else {
            (
                format!("artifacts/evidence/scan-{i:04}.pdf"),
                noise(len, &mut rng),
            )
        };
        files.insert(name, bytes);
        remaining -= len;
        i += 1;
    }
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.to_owned(),
        product: "Summit".to_owned(),
        version: version.to_owned(),
        tag: version.to_owned(),
        repository: "https://example.invalid/summit".to_owned(),
        commit: COMMIT.to_owned(),
        commit_time: MTIME,
        files: files
            .iter()
            .map(|(path, bytes)| {
                let generated = layout::GENERATED_FILES.contains(&path.as_str());
                ManifestFile {
                    path: path.clone(),
                    class: Class::CustomerOnly,
                    sha256: hex::encode(Sha256::digest(bytes)),
                    size: bytes.len() as u64,
                    generator: "copy".to_owned(),
                    sources: if generated {
                        vec![]
                    } else {
                        vec![SourceRef {
                            path: path.clone(),
                            blob: "1".repeat(40),
                            class: Class::CustomerOnly,
                        }]
                    },
                }
            })
            .collect(),
        accepted_findings: vec![],
        transforms: vec![],
    };
    files.insert(layout::MANIFEST.to_owned(), manifest.to_json());
    let lines: Vec<sums::SumLine> = files
        .iter()
        .map(|(path, bytes)| sums::SumLine {
            sha256: Sha256::digest(bytes).into(),
            path: path.clone(),
        })
        .collect();
    files.insert(
        layout::SHA256SUMS.to_owned(),
        sums::render(&lines).into_bytes(),
    );
    files
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = None;
    let mut mib = 1;
    let mut version = "v1.2.3".to_owned();
    let mut sign = true;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--mib" => mib = it.next().ok_or("--mib needs a number")?.parse()?,
            "--version" => version = it.next().ok_or("--version needs a value")?.clone(),
            "--unsigned" => sign = false,
            other => out = Some(PathBuf::from(other)),
        }
    }
    let out = out.ok_or("usage: make-package OUT_DIR [--mib N] [--version V] [--unsigned]")?;
    std::fs::create_dir_all(&out)?;
    let mut writer = PackageWriter::create(&out, &version, MTIME)?;
    for (path, bytes) in files(mib, &version) {
        writer.add_bytes(&path, &bytes)?;
    }
    let archives = writer.finish()?;
    if sign {
        let key_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/keys/test-only-signing.key.pem");
        let key = sp::load_private_key(&std::fs::read(&key_path)?, None, "test-only-signing")?;
        for archive in &archives {
            let name = archive.path.file_name().unwrap().to_str().unwrap();
            let bundle = sp::sign_blob_digest(&key, &archive.sha256);
            std::fs::write(out.join(secpack_verify::bundle_file_name(name)), bundle)?;
        }
        let statement = sp::build_package_statement(&sp::PackageProvenanceInput {
            subjects: archives
                .iter()
                .map(|a| sp::Artifact {
                    name: a.format.file_name(&version),
                    sha256: a.sha256,
                })
                .collect(),
            repository: "https://example.invalid/summit".to_owned(),
            tag: version.clone(),
            version: version.clone(),
            commit: COMMIT.to_owned(),
            transformed_inputs: vec![],
            builder_id: sp::LOCAL_BUILDER_ID.to_owned(),
            builder_version: BTreeMap::new(),
            invocation_id: None,
        })?;
        let signed = sp::sign_statement(&key, &statement);
        let [jsonl, bundle] = secpack_verify::provenance_file_names(&version);
        std::fs::write(out.join(jsonl), signed.jsonl)?;
        std::fs::write(out.join(bundle), signed.bundle)?;
    }
    for archive in &archives {
        let format = match archive.format {
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::TarGz => "tar.gz",
        };
        println!(
            "{} ({format}, {} bytes)",
            archive.path.display(),
            archive.size
        );
    }
    Ok(())
}
