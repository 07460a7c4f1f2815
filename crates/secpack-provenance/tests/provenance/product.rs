//! Checking the product's own provenance: the Summit fixture and the bad variants.

use secpack_provenance::{
    Error, ProductProvenance, ProductProvenanceOptions, PublicKey, ShippedForm, SignatureCheck,
    check_product_provenance, load_public_key,
};

use crate::fixture_gen::{BUILDER_PUB, SUMMIT_BUILDER_ID, SUMMIT_COMMIT, SUMMIT_PROVENANCE};
use crate::read;

const RUNNER_FIELDS: [&str; 3] = [
    "/predicate/buildDefinition/internalParameters/github/runner_name",
    "/predicate/buildDefinition/internalParameters/github/runner_group",
    "/predicate/invocation/environment",
];

fn builder_pub() -> PublicKey {
    load_public_key(&read(BUILDER_PUB), BUILDER_PUB).unwrap()
}

fn options(builder: Option<&str>, remove: &[&str]) -> ProductProvenanceOptions {
    ProductProvenanceOptions {
        expected_builder_id: builder.map(str::to_owned),
        remove_fields: remove.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn check_ok(
    file: &str,
    key: Option<&PublicKey>,
    options: &ProductProvenanceOptions,
) -> ProductProvenance {
    check_product_provenance(&read(file), file, key, options)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn check_err(
    file: &str,
    key: Option<&PublicKey>,
    options: &ProductProvenanceOptions,
    message: &str,
) {
    match check_product_provenance(&read(file), file, key, options) {
        Err(error) => assert_eq!(error.to_string(), message, "{file}"),
        Ok(out) => panic!("{file}: accepted: {:?}", out.summary),
    }
}

#[test]
fn summit_provenance_redacted_ships_unsigned_copy_and_readme() {
    let key = builder_pub();
    let out = check_ok(
        SUMMIT_PROVENANCE,
        Some(&key),
        &options(Some(SUMMIT_BUILDER_ID), &RUNNER_FIELDS),
    );
    let summary = &out.summary;
    assert_eq!(summary.shipped, ShippedForm::RedactedUnsigned);
    assert_eq!(summary.shipped_file, "summit-1.2.3.redacted-unsigned.json");
    assert_eq!(summary.source_file, "summit-1.2.3.intoto.jsonl");
    assert_eq!(
        summary.removed_fields,
        [
            "/predicate/buildDefinition/internalParameters/github/runner_group",
            "/predicate/buildDefinition/internalParameters/github/runner_name",
        ]
    );
    assert_eq!(
        summary.signature,
        SignatureCheck::Verified {
            key_fingerprint: key.fingerprint()
        }
    );
    let original = read(SUMMIT_PROVENANCE);
    assert_eq!(
        summary.original_sha256,
        hex::encode(crate::sha256(&original))
    );

    let shipped = String::from_utf8(out.bytes.clone()).unwrap();
    assert!(!shipped.contains("summit-selfhosted-build-07"), "{shipped}");
    assert!(!shipped.contains("summit-internal-release"), "{shipped}");
    let copy: serde_json::Value = serde_json::from_str(&shipped).unwrap();
    assert!(
        copy["notice"]
            .as_str()
            .unwrap()
            .starts_with("UNSIGNED REDACTED COPY")
    );
    assert_eq!(copy["originalSha256"], summary.original_sha256);
    assert_eq!(copy["source"], "summit-1.2.3.intoto.jsonl");
    // Everything that was not removed is still there, in the original order.
    let mut expected = crate::fixture_gen::summit_v1_statement();
    let github = expected["predicate"]["buildDefinition"]["internalParameters"]["github"]
        .as_object_mut()
        .unwrap();
    github.shift_remove("runner_name");
    github.shift_remove("runner_group");
    assert_eq!(copy["statements"], serde_json::json!([expected]));

    let readme = out
        .readme
        .replace(&summary.original_sha256, "<original sha256>");
    assert_eq!(
        readme,
        format!(
            "# Product provenance

`summit-1.2.3.redacted-unsigned.json` is the SLSA provenance that the product's build system produced for this release. It attests which builder built the artifacts listed below, from which source.

- Predicate type: `https://slsa.dev/provenance/v1`
- Builder: `{SUMMIT_BUILDER_ID}`
- Build type: `https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1`
- Source: `git+https://github.com/example-summit/summit@refs/tags/v1.2.3` (gitCommit `{SUMMIT_COMMIT}`)
- Subjects (sha256):
  - `summit-1.2.3-linux-amd64.tar.gz` `{}`
  - `summit-1.2.3-linux-arm64.tar.gz` `{}`

Signature: verified when this package was built, with the builder key whose fingerprint (SHA-256 of its SubjectPublicKeyInfo) is `{}`.

The file is an UNSIGNED redacted copy: internal fields were removed (`/predicate/buildDefinition/internalParameters/github/runner_group`, `/predicate/buildDefinition/internalParameters/github/runner_name`), which the original signature does not allow, so it carries no signature of its own. The signed original `summit-1.2.3.intoto.jsonl` has sha256 `<original sha256>`; the package's own signed provenance lists that file and digest among its resolved dependencies.
",
            summary.statements[0].subjects[0].sha256,
            summary.statements[0].subjects[1].sha256,
            key.fingerprint(),
        )
    );
}

#[test]
fn nothing_removed_ships_the_original_bytes() {
    let out = check_ok(
        SUMMIT_PROVENANCE,
        Some(&builder_pub()),
        &options(None, &["/predicate/no/such/field"]),
    );
    assert_eq!(out.summary.shipped, ShippedForm::Original);
    assert_eq!(out.summary.shipped_file, "summit-1.2.3.intoto.jsonl");
    assert_eq!(out.bytes, read(SUMMIT_PROVENANCE));
    assert!(out.summary.removed_fields.is_empty());
    assert!(out.readme.contains("The file is the original, unchanged"));
}

#[test]
fn without_a_key_the_signature_is_reported_unchecked() {
    let out = check_ok(SUMMIT_PROVENANCE, None, &options(None, &[]));
    assert_eq!(
        out.summary.signature,
        SignatureCheck::NotChecked {
            reason: "no product provenance key configured".to_owned()
        }
    );
    assert!(out.readme.contains(
        "Signature: not checked when this package was built (no product provenance key configured)."
    ));
}

#[test]
fn v02_provenance_and_bundles_are_accepted() {
    let key = builder_pub();
    let out = check_ok(
        "fixtures/provenance/v02-generic.intoto.jsonl",
        Some(&key),
        &options(None, &RUNNER_FIELDS),
    );
    assert_eq!(
        out.summary.removed_fields,
        ["/predicate/invocation/environment"]
    );
    let statement = &out.summary.statements[0];
    assert_eq!(statement.predicate_type, "https://slsa.dev/provenance/v0.2");
    assert_eq!(
        statement.builder_id,
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0"
    );
    assert_eq!(
        statement.sources[0].uri,
        "git+https://github.com/example-summit/summit@refs/tags/v1.2.3"
    );
    assert_eq!(statement.sources[0].digest["sha1"], SUMMIT_COMMIT);
    assert!(
        !String::from_utf8(out.bytes)
            .unwrap()
            .contains("summit-release-bot")
    );

    let out = check_ok(
        "fixtures/provenance/summit-1.2.3.sigstore.json",
        Some(&key),
        &options(Some(SUMMIT_BUILDER_ID), &[]),
    );
    assert_eq!(out.summary.shipped, ShippedForm::Original);
    assert_eq!(out.summary.statements[0].subjects.len(), 2);

    // Our own package provenance is valid product provenance too.
    let out = check_ok(
        "fixtures/provenance/package/example.intoto.jsonl",
        Some(&crate::fixture_gen::signing_key().public_key().clone()),
        &options(Some(secpack_provenance::LOCAL_BUILDER_ID), &[]),
    );
    assert_eq!(out.summary.statements[0].sources.len(), 1);
}

#[test]
fn bad_product_provenance() {
    let key = builder_pub();
    let none = options(None, &[]);
    check_err(
        "fixtures/provenance/wrong-digest.intoto.jsonl",
        Some(&key),
        &none,
        "fixtures/provenance/wrong-digest.intoto.jsonl: statement 0: subject `summit-1.2.3-linux-arm64.tar.gz`: sha256 `9f86d081884c7d65` is malformed; every subject needs `digest.sha256` as 64 lowercase hex characters",
    );
    check_err(
        "fixtures/provenance/unknown-predicate.intoto.jsonl",
        Some(&key),
        &none,
        "fixtures/provenance/unknown-predicate.intoto.jsonl: statement 0: unknown predicateType `https://example.invalid/attestation/custom/v1`; expected one of https://slsa.dev/provenance/v1, https://slsa.dev/provenance/v0.2",
    );
    check_err(
        "fixtures/provenance/bad-signature.intoto.jsonl",
        Some(&key),
        &none,
        &format!(
            "fixtures/provenance/bad-signature.intoto.jsonl: DSSE signature does not verify with the public key {}; the file was modified or signed by another key",
            key.fingerprint()
        ),
    );
    check_err(
        "fixtures/provenance/wrong-key.intoto.jsonl",
        Some(&key),
        &none,
        &format!(
            "fixtures/provenance/wrong-key.intoto.jsonl: DSSE signature does not verify with the public key {}; the file was modified or signed by another key",
            key.fingerprint()
        ),
    );
    check_err(
        SUMMIT_PROVENANCE,
        Some(&key),
        &options(
            Some(
                "https://github.com/example-summit/summit/.github/workflows/release.yml@refs/tags/v1.2.3",
            ),
            &[],
        ),
        &format!(
            "fixtures/summit/build/provenance/summit-1.2.3.intoto.jsonl: statement 0: builder id `{SUMMIT_BUILDER_ID}` does not match the expected `https://github.com/example-summit/summit/.github/workflows/release.yml@refs/tags/v1.2.3`; fix the expected builder id in the config or check where this provenance came from"
        ),
    );
    check_err(
        SUMMIT_PROVENANCE,
        Some(&key),
        &options(None, &["predicate/runDetails"]),
        "redaction path `predicate/runDetails`: it must start with `/`; write paths like `/predicate/runDetails/metadata` (`*` matches every array item or object key)",
    );
    check_err(
        "fixtures/keys/test-only-signing.pub.pem",
        None,
        &none,
        "fixtures/keys/test-only-signing.pub.pem: line 1: /: not JSON: invalid number at line 1 column 2",
    );
    // Without a key, a tampered file still fails the content checks it fails.
    check_err(
        "fixtures/provenance/unknown-predicate.intoto.jsonl",
        None,
        &none,
        "fixtures/provenance/unknown-predicate.intoto.jsonl: statement 0: unknown predicateType `https://example.invalid/attestation/custom/v1`; expected one of https://slsa.dev/provenance/v1, https://slsa.dev/provenance/v0.2",
    );
    // A subject with only a SHA-512.
    let mut statement = crate::fixture_gen::summit_v1_statement();
    statement["subject"][0]["digest"] = serde_json::json!({"sha512": "ab"});
    let envelope = secpack_provenance::sign_envelope(
        &crate::fixture_gen::builder_key(),
        secpack_provenance::IN_TOTO_PAYLOAD_TYPE,
        &serde_json::to_vec(&statement).unwrap(),
        Some(""),
    );
    let error = check_product_provenance(
        &serde_json::to_vec(&envelope).unwrap(),
        "dir/x.intoto.jsonl",
        Some(&key),
        &none,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "dir/x.intoto.jsonl: statement 0: subject `summit-1.2.3-linux-amd64.tar.gz`: no sha256 digest (found: sha512); every subject needs `digest.sha256` as 64 lowercase hex characters"
    );
}

#[test]
fn errors_are_typed() {
    let key = builder_pub();
    let none = options(None, &[]);
    let run = |file: &str| check_product_provenance(&read(file), file, Some(&key), &none);
    assert!(matches!(
        run("fixtures/provenance/wrong-digest.intoto.jsonl"),
        Err(Error::BadSubjectDigest { index: 0, .. })
    ));
    assert!(matches!(
        run("fixtures/provenance/unknown-predicate.intoto.jsonl"),
        Err(Error::UnknownPredicateType { .. })
    ));
    assert!(matches!(
        run("fixtures/provenance/bad-signature.intoto.jsonl"),
        Err(Error::BadSignature { what: "DSSE", .. })
    ));
}
