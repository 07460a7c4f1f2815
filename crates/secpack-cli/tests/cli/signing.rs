//! Signed builds: Sigstore bundles and provenance next to the archives, accepted by cosign;
//! keys: generation, fingerprints, refusal of unsigned builds without `--unsigned`.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const TOP: &str = "customer-security-package-v1.0.0";
const TEST_FP: &str = "63ee3be7cf9aba3a3736d6344336ec8d3a02c32bb47c20ca636a7c0f90d39980";

fn build_signed(
    repo: &Repo,
    key: &Path,
    env: &[(&str, &str)],
) -> (std::process::Output, tempfile::TempDir) {
    build_with(repo, "v1.0.0", &["--key", key.to_str().unwrap()], env)
}

fn names(dir: &Path) -> Vec<String> {
    files_in(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_build_needs_a_key_or_an_explicit_unsigned() {
    let repo = Repo::minimal();
    let out = tempfile::tempdir().unwrap();
    let o = secpack(&[
        "build",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "no signing key: pass --key FILE (or set SECPACK_SIGNING_KEY), or --unsigned"
        ),
        "{}",
        stderr(&o)
    );
    assert!(files_in(out.path()).is_empty());
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("warning: unsigned build"),
        "{}",
        stderr(&o)
    );
    assert_eq!(names(out.path()).len(), 2, "no sidecars when unsigned");
}

#[test]
fn signed_build_is_verified_by_cosign() {
    let repo = Repo::minimal();
    let (o, out) = build_signed(&repo, &test_key("test-only-signing.key.pem"), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("signed with key {TEST_FP}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        names(out.path()),
        [
            format!("{TOP}.intoto.jsonl"),
            format!("{TOP}.intoto.sigstore.json"),
            format!("{TOP}.tar.gz"),
            format!("{TOP}.tar.gz.sigstore.json"),
            format!("{TOP}.zip"),
            format!("{TOP}.zip.sigstore.json"),
        ]
    );
    // The instructions inside the package name the key's fingerprint.
    let entries = zip_entries(&out.path().join(format!("{TOP}.zip")));
    let instructions = &entries
        .iter()
        .find(|(n, _)| n.ends_with("verification-instructions.md"))
        .unwrap()
        .1;
    let instructions = String::from_utf8_lossy(instructions);
    assert!(instructions.contains(TEST_FP), "{instructions}");
    assert!(
        instructions.contains("--insecure-ignore-tlog=true"),
        "{instructions}"
    );

    let Some(cosign) = secpack_testkit::tool("cosign") else {
        return;
    };
    let public = test_key("test-only-signing.pub.pem");
    for archive in [format!("{TOP}.zip"), format!("{TOP}.tar.gz")] {
        let o = Command::new(&cosign)
            .args(["verify-blob", "--key"])
            .arg(&public)
            .arg("--bundle")
            .arg(out.path().join(format!("{archive}.sigstore.json")))
            .arg("--insecure-ignore-tlog=true")
            .arg(out.path().join(&archive))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "cosign verify-blob {archive}: {}",
            stderr(&o)
        );
    }
    let o = Command::new(&cosign)
        .args(["verify-blob-attestation", "--key"])
        .arg(&public)
        .arg("--bundle")
        .arg(out.path().join(format!("{TOP}.intoto.sigstore.json")))
        .args(["--type", "slsaprovenance1", "--insecure-ignore-tlog=true"])
        .arg(out.path().join(format!("{TOP}.zip")))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "cosign verify-blob-attestation: {}",
        stderr(&o)
    );
    // cosign refuses a changed archive.
    let zip = out.path().join(format!("{TOP}.zip"));
    let mut bytes = std::fs::read(&zip).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&zip, &bytes).unwrap();
    let o = Command::new(&cosign)
        .args(["verify-blob", "--key"])
        .arg(&public)
        .arg("--bundle")
        .arg(out.path().join(format!("{TOP}.zip.sigstore.json")))
        .arg("--insecure-ignore-tlog=true")
        .arg(&zip)
        .output()
        .unwrap();
    assert!(!o.status.success(), "cosign must reject a tampered archive");
}

#[test]
fn signed_builds_are_byte_identical() {
    let repo = Repo::minimal();
    let key = test_key("test-only-signing.key.pem");
    let (o1, a) = build_signed(&repo, &key, &[]);
    let (o2, b) = build_signed(&repo, &key, &[("TZ", "Asia/Tokyo")]);
    assert!(o1.status.success() && o2.status.success());
    for name in names(a.path()) {
        assert_eq!(
            std::fs::read(a.path().join(&name)).unwrap(),
            std::fs::read(b.path().join(&name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn provenance_names_the_commit_tag_and_builder() {
    let repo = Repo::minimal();
    let commit = repo.git(&["rev-parse", "HEAD"]);
    let (o, out) = build_signed(&repo, &test_key("test-only-signing.key.pem"), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = std::fs::read_to_string(out.path().join(format!("{TOP}.intoto.jsonl"))).unwrap();
    let envelope: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    let subjects: Vec<&str> = statement["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, [format!("{TOP}.tar.gz"), format!("{TOP}.zip")]);
    let params = &statement["predicate"]["buildDefinition"]["externalParameters"];
    assert_eq!(params["tag"], "v1.0.0");
    let deps = statement["predicate"]["buildDefinition"]["resolvedDependencies"].to_string();
    assert!(deps.contains(&commit), "{deps}");
    assert_eq!(
        statement["predicate"]["runDetails"]["builder"]["id"],
        "https://secpack.dev/builder/local/v1"
    );
}

#[test]
fn configured_fingerprint_refuses_another_key() {
    let config = format!(
        "{CONFIG}\n[signing]\nfingerprint = \"{}\"\n",
        "ab".repeat(32)
    );
    let repo = Repo::with(&config, FILES, "v1.0.0");
    let (o, out) = build_signed(&repo, &test_key("test-only-signing.key.pem"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "the signing key's fingerprint is {TEST_FP}, but `signing.fingerprint` expects"
        )),
        "{}",
        stderr(&o)
    );
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn bad_keys_are_usage_errors_naming_the_file() {
    let repo = Repo::minimal();
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.pem");
    std::fs::write(
        &corrupt,
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    for (key, needle) in [
        (corrupt.clone(), "corrupt.pem"),
        (
            test_key("test-only-signing.pub.pem"),
            "test-only-signing.pub.pem",
        ),
        (dir.path().join("missing.pem"), "missing.pem"),
    ] {
        let (o, out) = build_signed(&repo, &key, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
        assert!(files_in(out.path()).is_empty());
    }
    // A cosign key file needs its password; a wrong one is refused.
    let cosign_key = test_key("test-only-signing.cosign.key");
    let (o, _) = build_signed(&repo, &cosign_key, &[("SECPACK_KEY_PASSWORD", "wrong")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let password =
        std::fs::read_to_string(test_key("test-only-signing.cosign-password.txt")).unwrap();
    let (o, _) = build_signed(
        &repo,
        &cosign_key,
        &[("SECPACK_KEY_PASSWORD", password.trim_end())],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(TEST_FP),
        "the cosign file holds the same key"
    );
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keys");
    let o = Command::new(env!("CARGO_BIN_EXE_secpack"))
        .args(["keygen", "--out", out.to_str().unwrap(), "--encrypt"])
        .env("SECPACK_KEY_PASSWORD", "correct horse")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let private = out.join("signing.key.pem");
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let pem = std::fs::read_to_string(&private).unwrap();
    assert!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{pem}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        !stdout.contains("PRIVATE KEY") && !stderr(&o).contains("PRIVATE KEY"),
        "never printed"
    );
    assert!(stdout.contains("fingerprint: "), "{stdout}");
    // The encrypted key signs a build.
    let repo = Repo::minimal();
    let (b, _) = build_signed(
        &repo,
        &private,
        &[("SECPACK_KEY_PASSWORD", "correct horse")],
    );
    assert!(b.status.success(), "{}", stderr(&b));
    // Never overwrite.
    let again = Command::new(env!("CARGO_BIN_EXE_secpack"))
        .args(["keygen", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&private).unwrap(), pem);
}
