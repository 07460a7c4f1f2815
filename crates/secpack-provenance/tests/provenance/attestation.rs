//! The package provenance statement and its DSSE signing and verification.

use serde_json::json;

use secpack_provenance::{
    Error, Statement, build_package_statement, sign_statement, verify_attestation,
};

use crate::fixture_gen::{SUMMIT_COMMIT, builder_key, example_package_input, signing_key};

#[test]
fn package_statement_has_the_documented_shape() {
    let mut input = example_package_input();
    // Order of the caller's lists does not matter.
    input.transformed_inputs.reverse();
    input.invocation_id = Some("https://ci.example/jobs/1".to_owned());
    let statement = build_package_statement(&input).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&statement.to_json()).unwrap();
    assert_eq!(
        value,
        json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{
                "name": "example-archive.txt",
                "digest": {"sha256": "aaa128cf1c7b759a7bd79903a08ba753724ff5e1e9682e5c5517b50ecb071cab"}
            }],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://secpack.dev/build-type/customer-security-package/v1",
                    "externalParameters": {
                        "repository": "https://github.com/example-summit/summit",
                        "tag": "v1.2.3",
                        "version": "1.2.3"
                    },
                    "resolvedDependencies": [
                        {
                            "uri": "git+https://github.com/example-summit/summit@refs/tags/v1.2.3",
                            "digest": {"gitCommit": SUMMIT_COMMIT}
                        },
                        {
                            "name": "build/provenance/summit-1.2.3.intoto.jsonl",
                            "digest": {"sha256": "9f64223f908399cc7610803a2ac80e843f191cf0ce8772df3c6bca0c3fe111ef"}
                        },
                        {
                            "name": "build/sbom/summit-1.2.3.cdx.json",
                            "digest": {"sha256": "ce023c261cd108e3d08cf31bf8dd7b58e76eebffafae452408da8951dadbf728"}
                        }
                    ]
                },
                "runDetails": {
                    "builder": {
                        "id": "https://secpack.dev/builder/local/v1",
                        "version": {"secpack": "0.1.0"}
                    },
                    "metadata": {"invocationId": "https://ci.example/jobs/1"}
                }
            }
        })
    );
    assert!(
        !String::from_utf8(statement.to_json())
            .unwrap()
            .contains("On\""),
        "no startedOn/finishedOn timestamps"
    );
}

fn check_input_error(
    change: impl FnOnce(&mut secpack_provenance::PackageProvenanceInput),
    message: &str,
) {
    let mut input = example_package_input();
    change(&mut input);
    let error = build_package_statement(&input).unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert_eq!(error.to_string(), message);
}

#[test]
fn package_statement_input_errors() {
    check_input_error(
        |i| i.commit = "9c6bf0a".to_owned(),
        "invalid commit: expected the full commit id: 40 or 64 lowercase hex characters",
    );
    check_input_error(
        |i| i.commit = SUMMIT_COMMIT.to_uppercase(),
        "invalid commit: expected the full commit id: 40 or 64 lowercase hex characters",
    );
    check_input_error(
        |i| i.subjects.clear(),
        "invalid subjects: empty; sign at least one archive",
    );
    check_input_error(
        |i| {
            let again = i.subjects[0].clone();
            i.subjects.push(again);
        },
        "invalid subjects: `example-archive.txt` is listed twice",
    );
    check_input_error(
        |i| i.builder_id = " ".to_owned(),
        "invalid builder id: empty; the package provenance needs it",
    );
}

#[test]
fn signed_statement_round_trips_from_jsonl_and_bundle() {
    let key = signing_key();
    let statement = build_package_statement(&example_package_input()).unwrap();
    let signed = sign_statement(&key, &statement);
    assert_eq!(signed, sign_statement(&key, &statement), "deterministic");
    assert_eq!(signed.jsonl.iter().filter(|b| **b == b'\n').count(), 1);

    for (bytes, origin) in [
        (&signed.jsonl, "p.intoto.jsonl"),
        (&signed.bundle, "p.sigstore.json"),
    ] {
        let verified: Statement = verify_attestation(bytes, key.public_key(), origin).unwrap();
        assert_eq!(verified, statement, "{origin}");
    }

    let archive = crate::sha256(crate::fixture_gen::EXAMPLE_ARCHIVE);
    assert_eq!(
        statement
            .subject_with_sha256(&archive)
            .map(|s| s.name.as_str()),
        Some("example-archive.txt")
    );
    assert_eq!(statement.subject_with_sha256(&[0; 32]), None);

    let jsonl: serde_json::Value = serde_json::from_slice(&signed.jsonl).unwrap();
    assert_eq!(jsonl["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(
        jsonl["signatures"][0]["keyid"],
        key.public_key().fingerprint()
    );
    let bundle: serde_json::Value = serde_json::from_slice(&signed.bundle).unwrap();
    let in_bundle = &bundle["dsseEnvelope"];
    assert_eq!(in_bundle["payload"], jsonl["payload"]);
    assert_eq!(
        in_bundle["signatures"][0]["sig"],
        jsonl["signatures"][0]["sig"]
    );
    assert!(
        in_bundle["signatures"][0].get("keyid").is_none(),
        "cosign rejects a keyid"
    );
}

fn check_verify(input: &[u8], message: &str) {
    let key = signing_key();
    let error = verify_attestation(input, key.public_key(), "p.intoto.jsonl").unwrap_err();
    assert_eq!(error.to_string(), message);
}

#[test]
fn attestation_verification_failures() {
    let statement = build_package_statement(&example_package_input()).unwrap();
    let by_other = sign_statement(&builder_key(), &statement);
    check_verify(
        &by_other.jsonl,
        "p.intoto.jsonl: DSSE signature does not verify with the public key 63ee3be7cf9aba3a3736d6344336ec8d3a02c32bb47c20ca636a7c0f90d39980; the file was modified or signed by another key",
    );
    check_verify(
        &by_other.bundle,
        "p.intoto.jsonl: DSSE signature does not verify with the public key 63ee3be7cf9aba3a3736d6344336ec8d3a02c32bb47c20ca636a7c0f90d39980 (the bundle names another key, hint LmLx6PEjqGH2XGVJ8cfys4XwZeisoE6r6GBKi5ErFUU=); the file was modified or signed by another key",
    );
    let signed = sign_statement(&signing_key(), &statement);
    let two_lines = [signed.jsonl.clone(), signed.jsonl.clone()].concat();
    check_verify(
        &two_lines,
        "p.intoto.jsonl: /: holds 2 envelopes, expected exactly one",
    );
    check_verify(
        &crate::read("fixtures/provenance/package/example-archive.txt.sigstore.json"),
        "p.intoto.jsonl: /dsseEnvelope: missing; this bundle signs a blob, not an attestation",
    );
    check_verify(
        &statement.to_json(),
        "p.intoto.jsonl: /: an unsigned in-toto statement; expected a DSSE envelope or a Sigstore bundle around it",
    );
    check_verify(
        b"\n",
        "p.intoto.jsonl: /: the file is empty, expected a DSSE envelope",
    );
    // A correctly signed envelope whose payload type is not in-toto.
    let envelope = secpack_provenance::sign_envelope(&signing_key(), "text/plain", b"hi", None);
    check_verify(
        &serde_json::to_vec(&envelope).unwrap(),
        "p.intoto.jsonl: /payloadType: `text/plain` is not an in-toto statement, expected `application/vnd.in-toto+json`",
    );
}
