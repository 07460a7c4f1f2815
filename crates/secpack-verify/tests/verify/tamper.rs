//! The tamper matrix: each tamper of a valid signed package must fail exactly the checks that
//! should catch it, with the right finding code, in both archive formats.

use std::fs;

use secpack_archive::{ArchiveFormat, layout};
use secpack_classify::Class;
use secpack_verify::{CheckId, Code, Status};

use super::support::{self, Built, Files, VERSION};

const DOC: &str = "hardening/cloud-deployment.md";

fn both(f: impl Fn(ArchiveFormat)) {
    for format in ArchiveFormat::ALL {
        f(format);
    }
}

/// Copy the valid package's signature and provenance next to a rebuilt (tampered) package:
/// the attacker cannot re-sign, so they reuse what was published.
fn reuse_signatures(from: &Built, to: &Built) {
    for entry in fs::read_dir(from.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".json") || name.ends_with(".jsonl") {
            fs::copy(&path, to.beside(&name)).unwrap();
        }
    }
}

/// Rebuild the package from `files` (with `reseal` deciding what gets recomputed) and reuse
/// the original signatures.
fn rebuilt(files: Files) -> (Built, Built) {
    let original = support::valid();
    let tampered = support::write(&files, VERSION);
    reuse_signatures(&original, &tampered);
    (original, tampered)
}

fn sealed() -> Files {
    let mut files = support::documents();
    support::seal(&mut files, VERSION);
    files
}

#[test]
fn untampered_package_passes() {
    let built = support::valid();
    both(|format| {
        let report = support::run(built.archive(format));
        support::assert_failures(&report, &[]);
        let fp = report.key_fingerprint.clone().unwrap();
        let sig = report.check(CheckId::Signature).unwrap();
        assert!(sig.summary.contains(&fp), "{}", sig.summary);
        let prov = report.check(CheckId::Provenance).unwrap();
        assert!(prov.summary.contains(".intoto.jsonl"), "{}", prov.summary);
        assert!(
            prov.summary.contains(".intoto.sigstore.json"),
            "{}",
            prov.summary
        );
        assert_eq!(report.version.as_deref(), Some(VERSION));
        assert_eq!(report.archive.files, 16);
    });
}

#[test]
fn flipped_byte_in_a_document() {
    let mut files = sealed();
    files.get_mut(DOC).unwrap()[5] ^= 0x20;
    let (_original, tampered) = rebuilt(files);
    both(|format| {
        let report = support::run(tampered.archive(format));
        support::assert_failures(
            &report,
            &[
                (CheckId::Digests, Code::DigestMismatch),
                (CheckId::Signature, Code::SubjectMismatch),
                (CheckId::Provenance, Code::SubjectMismatch),
                (CheckId::Manifest, Code::DigestMismatch),
            ],
        );
        let digests = report.check(CheckId::Digests).unwrap();
        assert_eq!(digests.findings.len(), 1);
        assert_eq!(digests.findings[0].path.as_deref(), Some(DOC));
    });
}

#[test]
fn flipped_byte_in_the_archive_bytes() {
    let built = support::valid();
    // The evidence PDF is incompressible, so the zip stores it verbatim: flip one of its bytes.
    let pdf = support::noise(3000, 7);
    let mut zip = fs::read(&built.zip).unwrap();
    let at = zip.windows(64).position(|w| w == &pdf[..64]).unwrap() + 100;
    zip[at] ^= 1;
    fs::write(&built.zip, &zip).unwrap();
    // In the tar.gz, a flipped byte lands in deflate data.
    let mut tar = fs::read(&built.tar).unwrap();
    let mid = tar.len() / 2;
    tar[mid] ^= 0x55;
    fs::write(&built.tar, &tar).unwrap();

    let report = support::run(&built.zip);
    let safety = report.check(CheckId::ArchiveSafety).unwrap();
    assert_eq!(safety.status, Status::Failed);
    assert!(safety.has(Code::ChecksumMismatch), "{report}");
    assert!(
        report
            .check(CheckId::Signature)
            .unwrap()
            .has(Code::SubjectMismatch)
    );
    assert_eq!(
        report.check(CheckId::Digests).unwrap().status,
        Status::Skipped
    );

    let report = support::run(&built.tar);
    let safety = report.check(CheckId::ArchiveSafety).unwrap();
    assert!(
        safety.has(Code::Corrupt) || safety.has(Code::ChecksumMismatch),
        "{report}"
    );
    assert!(
        report
            .check(CheckId::Signature)
            .unwrap()
            .has(Code::SubjectMismatch)
    );
}

#[test]
fn added_file() {
    let mut files = sealed();
    files.insert(
        "artifacts/evidence/extra.md".to_owned(),
        b"surprise\n".to_vec(),
    );
    let (_original, tampered) = rebuilt(files);
    both(|format| {
        let report = support::run(tampered.archive(format));
        support::assert_failures(
            &report,
            &[
                (CheckId::SumsComplete, Code::NotListed),
                (CheckId::Signature, Code::SubjectMismatch),
                (CheckId::Provenance, Code::SubjectMismatch),
                (CheckId::Manifest, Code::NotInManifest),
            ],
        );
    });
}

#[test]
fn added_file_outside_the_layout() {
    // Even fully resealed and re-signed (an insider), a file outside the layout is reported.
    let mut files = support::documents();
    files.insert(
        "internal/keys/deploy.pem".to_owned(),
        b"TEST-ONLY\n".to_vec(),
    );
    let built = support::build(files);
    let report = support::run(&built.zip);
    support::assert_failures(&report, &[(CheckId::RequiredPaths, Code::NotInLayout)]);
}

#[test]
fn removed_file() {
    let mut files = sealed();
    files.remove(DOC);
    let (_original, tampered) = rebuilt(files);
    both(|format| {
        let report = support::run(tampered.archive(format));
        support::assert_failures(
            &report,
            &[
                (CheckId::RequiredPaths, Code::MissingRequired),
                (CheckId::SumsComplete, Code::ListedButMissing),
                (CheckId::Signature, Code::SubjectMismatch),
                (CheckId::Provenance, Code::SubjectMismatch),
                (CheckId::Manifest, Code::ListedButMissing),
            ],
        );
    });
}

#[test]
fn renamed_file() {
    let mut files = sealed();
    let pdf = files
        .remove("artifacts/evidence/pentest-summary.pdf")
        .unwrap();
    files.insert(
        "artifacts/evidence/pentest-summary-final.pdf".to_owned(),
        pdf,
    );
    let (_original, tampered) = rebuilt(files);
    both(|format| {
        let report = support::run(tampered.archive(format));
        support::assert_failures(
            &report,
            &[
                (CheckId::SumsComplete, Code::NotListed),
                (CheckId::SumsComplete, Code::ListedButMissing),
                (CheckId::Signature, Code::SubjectMismatch),
                (CheckId::Provenance, Code::SubjectMismatch),
                (CheckId::Manifest, Code::NotInManifest),
                (CheckId::Manifest, Code::ListedButMissing),
            ],
        );
    });
}

#[test]
fn sums_recomputed_after_a_change() {
    // SHA256SUMS alone recomputed: the manifest still catches it, and the signature.
    let mut files = sealed();
    files
        .get_mut(DOC)
        .unwrap()
        .extend_from_slice(b"\nallow all inbound traffic\n");
    support::reseal_sums(&mut files);
    let (_original, tampered) = rebuilt(files);
    both(|format| {
        let report = support::run(tampered.archive(format));
        support::assert_failures(
            &report,
            &[
                (CheckId::Signature, Code::SubjectMismatch),
                (CheckId::Provenance, Code::SubjectMismatch),
                (CheckId::Manifest, Code::DigestMismatch),
                (CheckId::Manifest, Code::SizeDiffers),
            ],
        );
    });
    // Manifest and SHA256SUMS both recomputed: only the signature and provenance catch it.
    let mut files = support::documents();
    files
        .get_mut(DOC)
        .unwrap()
        .extend_from_slice(b"\nallow all inbound traffic\n");
    support::seal(&mut files, VERSION);
    let (_original, tampered) = rebuilt(files);
    both(|format| {
        let report = support::run(tampered.archive(format));
        support::assert_failures(
            &report,
            &[
                (CheckId::Signature, Code::SubjectMismatch),
                (CheckId::Provenance, Code::SubjectMismatch),
            ],
        );
    });
}

#[test]
fn resigned_with_another_key() {
    let mut files = support::documents();
    files
        .get_mut(DOC)
        .unwrap()
        .extend_from_slice(b"\nallow all inbound traffic\n");
    support::seal(&mut files, VERSION);
    let tampered = support::write(&files, VERSION);
    let st = support::statement(VERSION, tampered.zip_sha256, tampered.tar_sha256, "1.2.3");
    support::sign_with(&tampered, &support::other_key(), &st);
    both(|format| {
        let report = support::run(tampered.archive(format));
        support::assert_failures(
            &report,
            &[
                (CheckId::Signature, Code::WrongKey),
                (CheckId::Provenance, Code::WrongKey),
            ],
        );
    });
}

#[test]
fn provenance_from_another_build() {
    let other = support::build({
        let mut f = support::documents();
        f.insert(
            "artifacts/evidence/newer.md".to_owned(),
            b"newer build\n".to_vec(),
        );
        f
    });
    let built = support::valid();
    for name in secpack_verify::provenance_file_names(VERSION) {
        fs::copy(other.beside(&name), built.beside(&name)).unwrap();
    }
    both(|format| {
        let report = support::run(built.archive(format));
        support::assert_failures(&report, &[(CheckId::Provenance, Code::SubjectMismatch)]);
    });
}

#[test]
fn version_mismatches() {
    // The provenance names another version (correct subjects, correctly signed).
    let built = support::valid();
    let st = support::statement(VERSION, built.zip_sha256, built.tar_sha256, "1.2.4");
    support::sign_with(&built, &support::signing_key(), &st);
    let report = support::run(&built.zip);
    support::assert_failures(&report, &[(CheckId::Provenance, Code::VersionMismatch)]);

    // The archive file was renamed to another version.
    let built = support::valid();
    let renamed = built.beside("customer-security-package-v1.2.4.zip");
    fs::rename(&built.zip, &renamed).unwrap();
    fs::rename(
        built.beside("customer-security-package-v1.2.3.zip.sigstore.json"),
        built.beside("customer-security-package-v1.2.4.zip.sigstore.json"),
    )
    .unwrap();
    let report = support::run(&renamed);
    support::assert_failures(&report, &[(CheckId::TopFolder, Code::VersionMismatch)]);

    // The manifest names another version (resealed and signed by the publisher).
    let mut files = support::documents();
    let manifest = support::manifest_for(&files, "v1.2.4");
    support::seal_with(&mut files, &manifest);
    let built = support::write(&files, VERSION);
    support::sign(&built);
    let report = support::run(&built.tar);
    support::assert_failures(&report, &[(CheckId::Manifest, Code::VersionMismatch)]);
}

#[test]
fn internal_file_in_the_manifest() {
    let mut files = support::documents();
    let mut manifest = support::manifest_for(&files, VERSION);
    let entry = manifest.files.iter_mut().find(|f| f.path == DOC).unwrap();
    entry.sources[0].class = Class::Internal;
    let evidence = manifest
        .files
        .iter_mut()
        .find(|f| f.path.starts_with("artifacts/evidence/"))
        .unwrap();
    evidence.class = Class::Internal;
    support::seal_with(&mut files, &manifest);
    let built = support::write(&files, VERSION);
    support::sign(&built);
    let report = support::run(&built.zip);
    support::assert_failures(
        &report,
        &[
            (CheckId::NoInternal, Code::InternalFile),
            (CheckId::NoInternal, Code::InternalSource),
        ],
    );
}

#[test]
fn broken_metadata_files() {
    let cases: [(&str, &[u8], CheckId, Code); 4] = [
        (layout::SHA256SUMS, b"not a sums file\n", CheckId::SumsComplete, Code::SumsMalformed),
        (layout::MANIFEST, b"{}", CheckId::Manifest, Code::ManifestMalformed),
        (
            layout::MANIFEST,
            br#"{"schema":"x","product":"","version":"","tag":"","repository":"","commit":"","commit_time":0,"files":[]}"#,
            CheckId::Manifest,
            Code::ManifestMalformed,
        ),
        (layout::MANIFEST, b"\xff\xfe", CheckId::Manifest, Code::ManifestMalformed),
    ];
    for (path, bytes, id, code) in cases {
        let mut files = sealed();
        files.insert(path.to_owned(), bytes.to_vec());
        if path != layout::SHA256SUMS {
            support::reseal_sums(&mut files);
        }
        let built = support::write(&files, VERSION);
        support::sign(&built);
        let report = support::run(&built.zip);
        let skipped = if id == CheckId::Manifest {
            CheckId::NoInternal
        } else {
            CheckId::Digests
        };
        assert_eq!(report.check(skipped).unwrap().status, Status::Skipped);
        let failed: Vec<CheckId> = report.failures().map(|c| c.id).collect();
        assert_eq!(failed, vec![id], "{report}");
        assert!(report.check(id).unwrap().has(code), "{report}");
    }
    // Missing SHA256SUMS and manifest.
    let mut files = sealed();
    files.remove(layout::SHA256SUMS);
    files.remove(layout::MANIFEST);
    let built = support::write(&files, VERSION);
    support::sign(&built);
    let report = support::run(&built.zip);
    assert!(
        report
            .check(CheckId::SumsComplete)
            .unwrap()
            .has(Code::SumsMissing)
    );
    assert!(
        report
            .check(CheckId::Manifest)
            .unwrap()
            .has(Code::ManifestMissing)
    );
    assert!(
        report
            .check(CheckId::RequiredPaths)
            .unwrap()
            .has(Code::MissingRequired)
    );
}
