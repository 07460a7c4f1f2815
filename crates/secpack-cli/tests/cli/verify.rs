//! `secpack verify` on packages built by `secpack build`: the round trip, and tampering
//! caught for the right reason.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const TOP: &str = "customer-security-package-v1.0.0";

fn signed_package() -> (Repo, tempfile::TempDir) {
    let repo = Repo::minimal();
    let key = test_key("test-only-signing.key.pem");
    let (o, out) = build_with(&repo, "v1.0.0", &["--key", key.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    (repo, out)
}

fn verify(archive: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_secpack"))
        .arg("verify")
        .arg(archive)
        .args(extra)
        .arg("--json")
        .output()
        .unwrap();
    let report = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o.status.code().unwrap(), report)
}

fn status(report: &serde_json::Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_fresh_package_passes_every_check_in_both_formats() {
    let (_repo, out) = signed_package();
    let key = test_key("test-only-signing.pub.pem");
    for ext in ["zip", "tar.gz"] {
        let (code, report) = verify(
            &out.path().join(format!("{TOP}.{ext}")),
            &["--key", key.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{ext}: {report:#}");
        assert_eq!(report["passed"], true);
        for c in report["checks"].as_array().unwrap() {
            assert_eq!(c["status"], "passed", "{ext}: {c:#}");
        }
        assert_eq!(
            report["key_fingerprint"],
            "63ee3be7cf9aba3a3736d6344336ec8d3a02c32bb47c20ca636a7c0f90d39980"
        );
    }
    // The human report names every check.
    let o = secpack(&[
        "verify",
        out.path().join(format!("{TOP}.zip")).to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for id in [
        "archive-safety",
        "digests",
        "signature",
        "provenance",
        "manifest",
        "no-internal",
    ] {
        assert!(text.contains(id), "{text}");
    }
}

#[test]
fn tampering_fails_for_the_right_reason() {
    let (_repo, out) = signed_package();
    let key = test_key("test-only-signing.pub.pem");
    let zip = out.path().join(format!("{TOP}.zip"));

    // Without a key: the signature check fails (not skipped) unless --allow-unsigned.
    let (code, report) = verify(&zip, &[]);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "signature"), "failed");

    // Another key.
    let other = tempfile::tempdir().unwrap();
    let o = secpack(&["keygen", "--out", other.path().to_str().unwrap()]);
    assert!(o.status.success());
    let (code, report) = verify(
        &zip,
        &[
            "--key",
            other.path().join("signing.pub.pem").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(status(&report, "signature"), "failed");

    // A flipped byte in a document: the archive no longer matches the signature, and the file
    // no longer matches SHA256SUMS (stored entries) or the zip CRC (deflated ones).
    let mut bytes = std::fs::read(&zip).unwrap();
    let at = bytes
        .windows(6)
        .position(|w| w == b"Tenanc")
        .unwrap_or(bytes.len() / 3);
    bytes[at] ^= 0x20;
    let tampered = out.path().join("tampered").join(format!("{TOP}.zip"));
    std::fs::create_dir_all(tampered.parent().unwrap()).unwrap();
    std::fs::write(&tampered, &bytes).unwrap();
    std::fs::copy(
        out.path().join(format!("{TOP}.zip.sigstore.json")),
        out.path()
            .join("tampered")
            .join(format!("{TOP}.zip.sigstore.json")),
    )
    .unwrap();
    let (code, report) = verify(&tampered, &["--key", key.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(status(&report, "signature"), "failed", "{report:#}");
    assert_ne!(report["passed"], true);

    // A missing key file is a usage error.
    let o = secpack(&[
        "verify",
        zip.to_str().unwrap(),
        "--key",
        "/nonexistent/key.pem",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn an_unsigned_package_passes_only_with_allow_unsigned() {
    let repo = Repo::minimal();
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success());
    let zip = out.path().join(format!("{TOP}.zip"));
    let (code, report) = verify(&zip, &[]);
    assert_eq!(code, 1, "{report:#}");
    let (code, report) = verify(&zip, &["--allow-unsigned"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(status(&report, "signature"), "skipped");
}
