//! securesystemslib verifies our DSSE envelope; in-toto-attestation strictly parses the
//! statement and the SLSA v1 predicate.

use std::process::Command;

use crate::fixture_gen::{example_package_input, signing_key};

/// Verifies `argv[1]` (.intoto.jsonl) with the public key `argv[2]` (keyid `argv[3]`), then
/// parses statement and predicate with the protobuf definitions, rejecting unknown fields.
const SCRIPT: &str = r#"
import json, sys
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from google.protobuf import json_format
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2

jsonl, pub, keyid = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [l for l in open(jsonl).read().splitlines() if l.strip()]
assert len(lines) == 1, lines
envelope = Envelope.from_dict(json.loads(lines[0]))
key = SSlibKey.from_crypto(load_pem_public_key(open(pub, "rb").read()), keyid=keyid)
envelope.verify([key], 1)
assert envelope.payload_type == "application/vnd.in-toto+json"

statement = Statement.copy_from_pb(json_format.Parse(envelope.payload, statement_pb2.Statement()))
statement.validate()
assert statement.pb.predicate_type == "https://slsa.dev/provenance/v1"
predicate = json.loads(envelope.payload)["predicate"]
provenance = json_format.ParseDict(predicate, provenance_pb2.Provenance())
for rd in provenance.build_definition.resolved_dependencies:
    ResourceDescriptor.copy_from_pb(rd).validate()
assert provenance.build_definition.build_type
assert provenance.run_details.builder.id
print("OK", len(statement.pb.subject), len(provenance.build_definition.resolved_dependencies))
"#;

fn run(python: &std::path::Path, jsonl: &[u8], keyid: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.intoto.jsonl");
    std::fs::write(&file, jsonl).unwrap();
    let public = dir.path().join("signing.pub");
    std::fs::write(&public, signing_key().public_key().to_pem()).unwrap();
    let output = Command::new(python)
        .args(["-c", SCRIPT])
        .arg(&file)
        .arg(&public)
        .arg(keyid)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn securesystemslib_and_in_toto_attestation_accept_the_package_provenance() {
    let Some(python) = secpack_testkit::python() else {
        return;
    };
    let key = signing_key();
    let statement = secpack_provenance::build_package_statement(&example_package_input()).unwrap();
    let signed = secpack_provenance::sign_statement(&key, &statement);
    let fingerprint = key.public_key().fingerprint();

    let (ok, out) = run(&python, &signed.jsonl, &fingerprint);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "OK 1 3");

    // The same checker rejects a payload changed after signing.
    let mut envelope: serde_json::Value = serde_json::from_slice(&signed.jsonl).unwrap();
    let mut changed = statement.clone();
    changed.subject[0].name = "other.zip".to_owned();
    envelope["payload"] = serde_json::Value::String(base64_encode(&changed.to_json()));
    let (ok, out) = run(
        &python,
        &serde_json::to_vec(&envelope).unwrap(),
        &fingerprint,
    );
    assert!(!ok, "securesystemslib accepted a modified payload: {out}");
    assert!(out.contains("VerificationError"), "{out}");

    // The strict parse rejects a predicate field that SLSA v1 does not define.
    let mut invented = statement.clone();
    invented.predicate["buildDefinition"]["startedBy"] = serde_json::json!("someone");
    let signed = secpack_provenance::sign_statement(&key, &invented);
    let (ok, out) = run(&python, &signed.jsonl, &fingerprint);
    assert!(!ok, "in-toto-attestation accepted an unknown field: {out}");
    assert!(out.contains("startedBy"), "{out}");
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
