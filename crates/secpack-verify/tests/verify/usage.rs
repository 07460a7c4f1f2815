//! Usage errors (exit code 2) versus failed checks (exit code 1), key handling, and how the
//! bundle and provenance are found.

use std::fs;

use secpack_verify::{CheckId, Code, KeySource, Status, VerifyError, VerifyOptions, verify};

use super::support::{self, VERSION};

fn key_fixture(rel: &str) -> std::path::PathBuf {
    secpack_testkit::workspace_root()
        .join("fixtures/keys")
        .join(rel)
}

#[test]
fn unreadable_archive_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = verify(&VerifyOptions::new(&dir.path().join("missing.zip"))).unwrap_err();
    assert!(matches!(err, VerifyError::OpenArchive { .. }), "{err}");
    assert!(err.to_string().contains("missing.zip"), "{err}");
    let err = verify(&VerifyOptions::new(dir.path())).unwrap_err();
    assert!(matches!(err, VerifyError::OpenArchive { .. }), "{err}");
    let text = dir.path().join("notes.txt");
    fs::write(&text, "hello").unwrap();
    let err = verify(&VerifyOptions::new(&text)).unwrap_err();
    assert!(matches!(err, VerifyError::UnknownFormat { .. }), "{err}");
}

#[test]
fn archives_are_recognised_by_content_when_renamed() {
    let built = support::valid();
    for (from, to) in [(&built.zip, "download"), (&built.tar, "download (1)")] {
        let renamed = built.beside(to);
        fs::copy(from, &renamed).unwrap();
        let mut options = support::options(&renamed);
        options.bundle = Some(built.beside(&format!(
            "{}.sigstore.json",
            from.file_name().unwrap().to_str().unwrap()
        )));
        let report = verify(&options).unwrap();
        support::assert_failures(&report, &[]);
        let top = report.check(CheckId::TopFolder).unwrap();
        assert!(top.summary.contains("not compared"), "{}", top.summary);
    }
}

#[test]
fn key_problems_are_usage_errors() {
    let built = support::valid();
    let with_key = |key: KeySource| {
        let mut options = VerifyOptions::new(&built.zip);
        options.key = Some(key);
        verify(&options)
    };
    let err = with_key(KeySource::File(key_fixture("no-such.pub.pem"))).unwrap_err();
    assert!(matches!(err, VerifyError::ReadKey { .. }), "{err}");
    for (file, expected) in [
        ("test-only-signing.key.pem", "private key"),
        ("interop/test-only-rsa.pub.pem", "RSA"),
        ("interop/test-only-ed25519.pub.pem", "Ed25519"),
        ("README.md", "PEM"),
    ] {
        let err = with_key(KeySource::File(key_fixture(file))).unwrap_err();
        assert!(matches!(err, VerifyError::Key(_)), "{file}: {err}");
        assert!(err.to_string().contains(expected), "{file}: {err}");
    }
    // PEM bytes (e.g. from an environment variable) work like a file.
    let pem = fs::read(support::public_key_path()).unwrap();
    let report = with_key(KeySource::Pem {
        origin: "SECPACK_PUBLIC_KEY".to_owned(),
        pem,
    })
    .unwrap();
    support::assert_failures(&report, &[]);
}

#[test]
fn without_a_key_the_signature_fails_unless_allowed() {
    let built = support::valid();
    let mut options = VerifyOptions::new(&built.zip);
    let report = verify(&options).unwrap();
    support::assert_failures(
        &report,
        &[
            (CheckId::Signature, Code::NoKey),
            (CheckId::Provenance, Code::NoKey),
        ],
    );
    assert_eq!(report.key_fingerprint, None);
    options.allow_unsigned = true;
    let report = verify(&options).unwrap();
    assert!(report.passed(), "{report}");
    for id in [CheckId::Signature, CheckId::Provenance] {
        assert_eq!(report.check(id).unwrap().status, Status::Skipped);
    }
}

#[test]
fn bundle_and_provenance_problems_are_failed_checks() {
    let built = support::valid();
    let bundle = built.beside("customer-security-package-v1.2.3.zip.sigstore.json");

    fs::write(&bundle, "this is not JSON").unwrap();
    let report = support::run(&built.zip);
    support::assert_failures(&report, &[(CheckId::Signature, Code::MaterialMalformed)]);
    let finding = &report.check(CheckId::Signature).unwrap().findings[0];
    assert!(finding.message.contains("not JSON"), "{}", finding.message);

    // The provenance bundle is a valid bundle, but of an attestation, not of the archive.
    let [jsonl, prov_bundle] = secpack_verify::provenance_file_names(VERSION);
    fs::copy(built.beside(&prov_bundle), &bundle).unwrap();
    let report = support::run(&built.zip);
    support::assert_failures(&report, &[(CheckId::Signature, Code::MaterialMalformed)]);

    fs::remove_file(&bundle).unwrap();
    let report = support::run(&built.zip);
    support::assert_failures(&report, &[(CheckId::Signature, Code::MaterialMissing)]);

    // One provenance file is enough; none is a failure; a broken one fails.
    fs::remove_file(built.beside(&prov_bundle)).unwrap();
    let report = support::run(&built.tar);
    support::assert_failures(&report, &[]);
    fs::write(built.beside(&prov_bundle), "{}").unwrap();
    let report = support::run(&built.tar);
    support::assert_failures(&report, &[(CheckId::Provenance, Code::MaterialMalformed)]);
    fs::remove_file(built.beside(&prov_bundle)).unwrap();
    fs::remove_file(built.beside(&jsonl)).unwrap();
    let report = support::run(&built.tar);
    support::assert_failures(&report, &[(CheckId::Provenance, Code::MaterialMissing)]);
}

#[test]
fn explicit_paths() {
    let built = support::valid();
    let elsewhere = tempfile::tempdir().unwrap();
    let moved_bundle = elsewhere.path().join("sig.json");
    let moved_prov = elsewhere.path().join("prov.jsonl");
    let [jsonl, _] = secpack_verify::provenance_file_names(VERSION);
    fs::rename(
        built.beside("customer-security-package-v1.2.3.tar.gz.sigstore.json"),
        &moved_bundle,
    )
    .unwrap();
    fs::copy(built.beside(&jsonl), &moved_prov).unwrap();
    let mut options = support::options(&built.tar);
    options.bundle = Some(moved_bundle);
    options.provenance = Some(moved_prov);
    let report = verify(&options).unwrap();
    support::assert_failures(&report, &[]);
    let prov = report.check(CheckId::Provenance).unwrap();
    assert!(
        prov.summary.contains("prov.jsonl") && !prov.summary.contains("sigstore"),
        "{}",
        prov.summary
    );

    options.bundle = Some(elsewhere.path().join("typo.json"));
    let err = verify(&options).unwrap_err();
    assert!(matches!(err, VerifyError::ReadMaterial { .. }), "{err}");
    assert!(err.to_string().contains("typo.json"), "{err}");
}
