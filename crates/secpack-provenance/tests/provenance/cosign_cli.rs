//! The real cosign accepts what we write, rejects tampering, and writes what we read.

use std::path::{Path, PathBuf};
use std::process::Command;

use secpack_provenance::{load_public_key, verify_blob_bundle};

use crate::fixture_gen::{
    EXAMPLE_ARCHIVE, SIGNING_COSIGN_KEY, SIGNING_PUB, builder_key, signing_key,
};
use crate::{read, root, sha256};

struct Cosign {
    bin: PathBuf,
    dir: tempfile::TempDir,
}

impl Cosign {
    fn find() -> Option<Self> {
        Some(Self {
            bin: secpack_testkit::tool("cosign")?,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Run cosign offline; returns (success, stderr).
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
        let output = Command::new(&self.bin)
            .args(args)
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("SIGSTORE_NO_CACHE", "true")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.success(), stderr)
    }

    fn verify_blob(&self, key: &Path, bundle: &Path, blob: &Path) -> (bool, String) {
        self.run(
            &[
                "verify-blob",
                "--key",
                path(key),
                "--bundle",
                path(bundle),
                "--insecure-ignore-tlog=true",
                path(blob),
            ],
            &[],
        )
    }

    fn verify_attestation(
        &self,
        key: &Path,
        bundle: &Path,
        blob: &Path,
        kind: &str,
    ) -> (bool, String) {
        self.run(
            &[
                "verify-blob-attestation",
                "--key",
                path(key),
                "--bundle",
                path(bundle),
                "--type",
                kind,
                "--insecure-ignore-tlog=true",
                path(blob),
            ],
            &[],
        )
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn cosign_verifies_blob_bundles_and_rejects_tampering() {
    let Some(cosign) = Cosign::find() else { return };
    let key = signing_key();
    let public = cosign.write("signing.pub", key.public_key().to_pem().as_bytes());
    let other = cosign.write("other.pub", builder_key().public_key().to_pem().as_bytes());
    let blob = cosign.write("package.zip", EXAMPLE_ARCHIVE);
    let bundle = cosign.write(
        "package.zip.sigstore.json",
        &secpack_provenance::sign_blob(&key, EXAMPLE_ARCHIVE),
    );
    let (ok, stderr) = cosign.verify_blob(&public, &bundle, &blob);
    assert!(ok && stderr.contains("Verified OK"), "{stderr}");

    let mut flipped = EXAMPLE_ARCHIVE.to_vec();
    flipped[10] ^= 0x01;
    let flipped = cosign.write("flipped.zip", &flipped);
    let (ok, stderr) = cosign.verify_blob(&public, &bundle, &flipped);
    assert!(!ok, "cosign accepted a modified blob: {stderr}");

    let (ok, stderr) = cosign.verify_blob(&other, &bundle, &blob);
    assert!(!ok, "cosign accepted another key: {stderr}");
    assert!(stderr.contains("invalid signature"), "{stderr}");
}

#[test]
fn cosign_verifies_the_package_attestation_bundle() {
    let Some(cosign) = Cosign::find() else { return };
    let key = signing_key();
    let public = cosign.write("signing.pub", key.public_key().to_pem().as_bytes());
    let other = cosign.write("other.pub", builder_key().public_key().to_pem().as_bytes());
    let blob = cosign.write("example-archive.txt", EXAMPLE_ARCHIVE);
    let statement =
        secpack_provenance::build_package_statement(&crate::fixture_gen::example_package_input())
            .unwrap();
    let signed = secpack_provenance::sign_statement(&key, &statement);
    let bundle = cosign.write("p.intoto.sigstore.json", &signed.bundle);

    let (ok, stderr) = cosign.verify_attestation(&public, &bundle, &blob, "slsaprovenance1");
    assert!(ok && stderr.contains("Verified OK"), "{stderr}");

    let mut flipped = EXAMPLE_ARCHIVE.to_vec();
    flipped[0] ^= 0x20;
    let flipped = cosign.write("other-archive.txt", &flipped);
    let (ok, stderr) = cosign.verify_attestation(&public, &bundle, &flipped, "slsaprovenance1");
    assert!(
        !ok,
        "cosign accepted a blob that is not a subject: {stderr}"
    );

    let (ok, stderr) = cosign.verify_attestation(&other, &bundle, &blob, "slsaprovenance1");
    assert!(!ok, "cosign accepted another key: {stderr}");

    let (ok, stderr) = cosign.verify_attestation(&public, &bundle, &blob, "slsaprovenance02");
    assert!(!ok, "cosign accepted the wrong predicate type: {stderr}");
}

#[test]
fn cosign_signs_with_our_cosign_format_key_and_we_verify_its_bundle() {
    let Some(cosign) = Cosign::find() else { return };
    let blob = cosign.write("blob.txt", b"TEST-ONLY blob signed by cosign\n");
    let key_file = root().join(SIGNING_COSIGN_KEY);
    let (ok, stderr) = cosign.run(
        &[
            "sign-blob",
            "--key",
            path(&key_file),
            "--bundle",
            "cosign.sigstore.json",
            "--use-signing-config=false",
            "--tlog-upload=false",
            "--yes",
            path(&blob),
        ],
        &[("COSIGN_PASSWORD", crate::fixture_gen::COSIGN_PASSWORD)],
    );
    assert!(ok, "cosign could not use our cosign-format key: {stderr}");
    let bundle = std::fs::read(cosign.dir.path().join("cosign.sigstore.json")).unwrap();
    let public = load_public_key(&read(SIGNING_PUB), SIGNING_PUB).unwrap();
    let digest = sha256(b"TEST-ONLY blob signed by cosign\n");
    verify_blob_bundle(&bundle, &public, &digest, "cosign.sigstore.json").unwrap();
    // cosign's bundle names the key with the same hint we compute.
    let json: serde_json::Value = serde_json::from_slice(&bundle).unwrap();
    assert_eq!(
        json["verificationMaterial"]["publicKey"]["hint"],
        public.hint()
    );
    let error = verify_blob_bundle(&bundle, &public, &sha256(b"other"), "cosign.sigstore.json");
    assert!(matches!(
        error,
        Err(secpack_provenance::Error::DigestMismatch { .. })
    ));
}
