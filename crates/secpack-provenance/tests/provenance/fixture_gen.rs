//! The generator of the committed provenance fixtures.
//!
//! Shared by `examples/gen-fixtures.rs` (which writes the files:
//! `cargo run -p secpack-provenance --example gen-fixtures`) and the integration test
//! `fixtures::regenerating_changes_nothing` (which compares them). Everything here is
//! deterministic: keys come from fixed public seeds (they are TEST-ONLY keys, anyone can derive
//! them), signatures are RFC 6979. The one exception is the cosign-format encrypted copy of the
//! signing key, whose salt and nonce are random: it is checked by decrypting it, not by bytes.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;

use p256::pkcs8::EncodePrivateKey as _;
use p256::pkcs8::LineEnding;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use secpack_provenance as sp;

/// Seed of the TEST-ONLY package signing key (the key `cargo xtask package` signs with).
pub const SIGNING_SEED: &str = "secpack TEST-ONLY package signing key v1";
/// Seed of the TEST-ONLY key of Summit's (fake) product builder.
pub const BUILDER_SEED: &str = "secpack TEST-ONLY Summit product builder key v1";
/// Password of `fixtures/keys/test-only-signing.cosign.key`.
pub const COSIGN_PASSWORD: &str = "TEST-ONLY-cosign-password";

pub const SIGNING_KEY: &str = "fixtures/keys/test-only-signing.key.pem";
pub const SIGNING_PUB: &str = "fixtures/keys/test-only-signing.pub.pem";
pub const SIGNING_COSIGN_KEY: &str = "fixtures/keys/test-only-signing.cosign.key";
pub const SIGNING_COSIGN_PASSWORD: &str = "fixtures/keys/test-only-signing.cosign-password.txt";
pub const BUILDER_KEY: &str = "fixtures/keys/test-only-product-builder.key.pem";
pub const BUILDER_PUB: &str = "fixtures/keys/test-only-product-builder.pub.pem";
pub const SUMMIT_PROVENANCE: &str = "fixtures/summit/build/provenance/summit-1.2.3.intoto.jsonl";

/// Builder id of the Summit product provenance fixtures.
pub const SUMMIT_BUILDER_ID: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0";
/// Commit of the (fake) Summit release.
pub const SUMMIT_COMMIT: &str = "9c6bf0a3e5d1f7b2c4a8e0d6f1b3a5c7e9d2f4b6";

/// A TEST-ONLY P-256 key derived from a public seed, as PKCS#8 PEM.
pub fn seeded_key_pem(seed: &str) -> String {
    let scalar = Sha256::digest(seed.as_bytes());
    let key = p256::ecdsa::SigningKey::from_slice(&scalar).unwrap();
    key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

pub fn signing_key() -> sp::PrivateKey {
    sp::load_private_key(seeded_key_pem(SIGNING_SEED).as_bytes(), None, SIGNING_KEY).unwrap()
}

pub fn builder_key() -> sp::PrivateKey {
    sp::load_private_key(seeded_key_pem(BUILDER_SEED).as_bytes(), None, BUILDER_KEY).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn summit_subjects() -> Value {
    let artifacts = [
        "summit-1.2.3-linux-amd64.tar.gz",
        "summit-1.2.3-linux-arm64.tar.gz",
    ];
    Value::Array(
        artifacts
            .iter()
            .map(|name| {
                let contents = format!("TEST-ONLY stand-in for the bytes of {name}");
                json!({"name": name, "digest": {"sha256": sha256_hex(contents.as_bytes())}})
            })
            .collect(),
    )
}

/// A realistic SLSA v1 provenance for Summit 1.2.3, shaped like slsa-github-generator output
/// (GitHub Actions workflow build type), with self-hosted runner details in
/// `internalParameters.github` that the package must not ship.
pub fn summit_v1_statement() -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": summit_subjects(),
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {
                    "workflow": {
                        "ref": "refs/tags/v1.2.3",
                        "repository": "https://github.com/example-summit/summit",
                        "path": ".github/workflows/release.yml"
                    }
                },
                "internalParameters": {
                    "github": {
                        "event_name": "push",
                        "repository_id": "701234567",
                        "repository_owner_id": "98765432",
                        "runner_environment": "self-hosted",
                        "runner_name": "summit-selfhosted-build-07",
                        "runner_group": "summit-internal-release"
                    }
                },
                "resolvedDependencies": [
                    {
                        "uri": "git+https://github.com/example-summit/summit@refs/tags/v1.2.3",
                        "digest": {"gitCommit": SUMMIT_COMMIT}
                    }
                ]
            },
            "runDetails": {
                "builder": {"id": SUMMIT_BUILDER_ID},
                "metadata": {
                    "invocationId": "https://github.com/example-summit/summit/actions/runs/9876543210/attempts/1"
                }
            }
        }
    })
}

/// The same release described by the older generic generator: Statement v0.1 + SLSA v0.2, with
/// an `invocation.environment` block.
pub fn summit_v02_statement() -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": summit_subjects(),
        "predicate": {
            "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0"},
            "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
            "invocation": {
                "configSource": {
                    "uri": "git+https://github.com/example-summit/summit@refs/tags/v1.2.3",
                    "digest": {"sha1": SUMMIT_COMMIT},
                    "entryPoint": ".github/workflows/release.yml"
                },
                "parameters": {},
                "environment": {
                    "github_actor": "summit-release-bot",
                    "github_event_name": "push",
                    "github_ref": "refs/tags/v1.2.3",
                    "github_ref_type": "tag",
                    "github_repository_id": "701234567",
                    "github_run_attempt": "1",
                    "github_run_id": "9876543210",
                    "github_sha1": SUMMIT_COMMIT,
                    "os": "ubuntu22",
                    "arch": "X64",
                    "runner_name": "summit-selfhosted-build-07"
                }
            },
            "metadata": {
                "buildInvocationID": "9876543210-1",
                "completeness": {"parameters": true, "environment": false, "materials": false},
                "reproducible": false
            },
            "materials": [
                {
                    "uri": "git+https://github.com/example-summit/summit@refs/tags/v1.2.3",
                    "digest": {"sha1": SUMMIT_COMMIT}
                }
            ]
        }
    })
}

fn envelope_line(key: &sp::PrivateKey, statement: &Value) -> Vec<u8> {
    let payload = serde_json::to_vec(statement).unwrap();
    let envelope = sp::sign_envelope(key, sp::IN_TOTO_PAYLOAD_TYPE, &payload, Some(""));
    let mut line = serde_json::to_vec(&envelope).unwrap();
    line.push(b'\n');
    line
}

fn bundle_of(key: &sp::PrivateKey, statement: &Value) -> Vec<u8> {
    let payload = serde_json::to_vec(statement).unwrap();
    let envelope = sp::sign_envelope(key, sp::IN_TOTO_PAYLOAD_TYPE, &payload, None);
    let bundle = json!({
        "mediaType": sp::BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": key.public_key().hint()}},
        "dsseEnvelope": envelope,
    });
    let mut out = serde_json::to_vec(&bundle).unwrap();
    out.push(b'\n');
    out
}

/// The stand-in archive of the package signing golden files.
pub const EXAMPLE_ARCHIVE: &[u8] = b"TEST-ONLY stand-in for customer-security-package-1.2.3.zip\n";

/// The package provenance input of the golden files.
pub fn example_package_input() -> sp::PackageProvenanceInput {
    sp::PackageProvenanceInput {
        subjects: vec![sp::Artifact {
            name: "example-archive.txt".to_owned(),
            sha256: Sha256::digest(EXAMPLE_ARCHIVE).into(),
        }],
        repository: "https://github.com/example-summit/summit".to_owned(),
        tag: "v1.2.3".to_owned(),
        version: "1.2.3".to_owned(),
        commit: SUMMIT_COMMIT.to_owned(),
        transformed_inputs: vec![
            sp::Artifact {
                name: "build/sbom/summit-1.2.3.cdx.json".to_owned(),
                sha256: Sha256::digest(b"TEST-ONLY sbom").into(),
            },
            sp::Artifact {
                name: "build/provenance/summit-1.2.3.intoto.jsonl".to_owned(),
                sha256: Sha256::digest(b"TEST-ONLY provenance").into(),
            },
        ],
        builder_id: sp::LOCAL_BUILDER_ID.to_owned(),
        builder_version: BTreeMap::from([("secpack".to_owned(), "0.1.0".to_owned())]),
        invocation_id: None,
    }
}

/// Every fixture file with exact, reproducible bytes, by workspace-relative path.
pub fn generate() -> BTreeMap<&'static str, Vec<u8>> {
    let signing = signing_key();
    let builder = builder_key();
    let mut files = BTreeMap::new();

    files.insert(SIGNING_KEY, seeded_key_pem(SIGNING_SEED).into_bytes());
    files.insert(SIGNING_PUB, signing.public_key().to_pem().into_bytes());
    files.insert(
        SIGNING_COSIGN_PASSWORD,
        format!("{COSIGN_PASSWORD}\n").into_bytes(),
    );
    files.insert(BUILDER_KEY, seeded_key_pem(BUILDER_SEED).into_bytes());
    files.insert(BUILDER_PUB, builder.public_key().to_pem().into_bytes());

    let v1 = summit_v1_statement();
    files.insert(SUMMIT_PROVENANCE, envelope_line(&builder, &v1));
    files.insert(
        "fixtures/provenance/summit-1.2.3.sigstore.json",
        bundle_of(&builder, &v1),
    );
    files.insert(
        "fixtures/provenance/v02-generic.intoto.jsonl",
        envelope_line(&builder, &summit_v02_statement()),
    );

    let mut wrong_digest = v1.clone();
    wrong_digest["subject"][1]["digest"]["sha256"] = json!("9f86d081884c7d65");
    files.insert(
        "fixtures/provenance/wrong-digest.intoto.jsonl",
        envelope_line(&builder, &wrong_digest),
    );

    let mut unknown = v1.clone();
    unknown["predicateType"] = json!("https://example.invalid/attestation/custom/v1");
    files.insert(
        "fixtures/provenance/unknown-predicate.intoto.jsonl",
        envelope_line(&builder, &unknown),
    );

    // Signed by the package key instead of the product builder key: a valid signature by the
    // wrong key, which must fail like a tampered one.
    files.insert(
        "fixtures/provenance/wrong-key.intoto.jsonl",
        envelope_line(&signing, &v1),
    );
    // The builder's signature over the original statement, with the payload changed afterwards
    // (the invocation id pointed at another run).
    let mut tampered: sp::Envelope = serde_json::from_slice(&envelope_line(&builder, &v1)).unwrap();
    let mut changed = v1.clone();
    changed["predicate"]["runDetails"]["metadata"]["invocationId"] =
        json!("https://github.com/example-summit/summit/actions/runs/1111111111/attempts/1");
    tampered.payload = base64_encode(&serde_json::to_vec(&changed).unwrap());
    let mut line = serde_json::to_vec(&tampered).unwrap();
    line.push(b'\n');
    files.insert("fixtures/provenance/bad-signature.intoto.jsonl", line);

    // Golden outputs of the package signing functions.
    files.insert(
        "fixtures/provenance/package/example-archive.txt",
        EXAMPLE_ARCHIVE.to_vec(),
    );
    files.insert(
        "fixtures/provenance/package/example-archive.txt.sigstore.json",
        sp::sign_blob(&signing, EXAMPLE_ARCHIVE),
    );
    let statement = sp::build_package_statement(&example_package_input()).unwrap();
    let signed = sp::sign_statement(&signing, &statement);
    files.insert(
        "fixtures/provenance/package/example.intoto.jsonl",
        signed.jsonl,
    );
    files.insert(
        "fixtures/provenance/package/example.intoto.sigstore.json",
        signed.bundle,
    );
    files
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Whether the committed cosign-format key decrypts (with the committed password) to the
/// signing key.
pub fn cosign_copy_matches(pem: &[u8]) -> bool {
    sp::load_private_key(pem, Some(COSIGN_PASSWORD), SIGNING_COSIGN_KEY)
        .is_ok_and(|k| k.public_key() == signing_key().public_key())
}

/// A fresh cosign-format copy of the signing key (random salt and nonce).
pub fn cosign_copy() -> Vec<u8> {
    signing_key()
        .to_cosign_encrypted_pem(COSIGN_PASSWORD)
        .unwrap()
        .as_bytes()
        .to_vec()
}
