//! The customer commands of `docs/verifying.md`, run with the real tools on a package built in
//! the test: `sha256sum -c` after extracting, and `cosign verify-blob` with the public key.

use std::fs;
use std::process::Command;

use super::support;

#[test]
fn sha256sum_accepts_the_extracted_package() {
    let built = support::valid();
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&built.tar)
        .arg("-C")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let top = out.path().join("customer-security-package-v1.2.3");
    let run = || {
        Command::new("sha256sum")
            .args(["--strict", "-c", "verification/SHA256SUMS"])
            .current_dir(&top)
            .output()
            .unwrap()
    };
    let ok = run();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    fs::write(top.join("OVERVIEW.md"), "changed").unwrap();
    assert!(!run().status.success());
}

#[test]
fn cosign_verifies_what_secpack_verifies() {
    let Some(cosign) = secpack_testkit::tool("cosign") else {
        return;
    };
    let built = support::valid();
    let cosign_verify = |archive: &std::path::Path| {
        let bundle = format!("{}.sigstore.json", archive.display());
        Command::new(&cosign)
            .arg("verify-blob")
            .arg("--key")
            .arg(support::public_key_path())
            .arg("--bundle")
            .arg(&bundle)
            .arg("--insecure-ignore-tlog=true")
            .arg(archive)
            .output()
            .unwrap()
    };
    for archive in [&built.zip, &built.tar] {
        let out = cosign_verify(archive);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(support::run(archive).passed());
    }
    // Append a byte: both refuse.
    let mut bytes = fs::read(&built.zip).unwrap();
    bytes.push(0);
    fs::write(&built.zip, bytes).unwrap();
    assert!(!cosign_verify(&built.zip).status.success());
    assert!(!support::run(&built.zip).passed());
}
