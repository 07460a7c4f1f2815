//! Blob signatures: Sigstore bundles with a message signature.

use secpack_provenance::{sign_blob, sign_blob_digest, verify_blob_bundle};

use crate::fixture_gen::{EXAMPLE_ARCHIVE, builder_key, signing_key};
use crate::{read, sha256};

#[test]
fn signing_is_deterministic_and_verifies() {
    let key = signing_key();
    let bundle = sign_blob(&key, EXAMPLE_ARCHIVE);
    assert_eq!(bundle, sign_blob(&key, EXAMPLE_ARCHIVE));
    assert_eq!(bundle, sign_blob_digest(&key, &sha256(EXAMPLE_ARCHIVE)));
    verify_blob_bundle(
        &bundle,
        key.public_key(),
        &sha256(EXAMPLE_ARCHIVE),
        "b.json",
    )
    .unwrap();

    let json: serde_json::Value = serde_json::from_slice(&bundle).unwrap();
    assert_eq!(
        json["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        json["verificationMaterial"]["publicKey"]["hint"],
        key.public_key().hint()
    );
    assert_eq!(
        json["messageSignature"]["messageDigest"]["algorithm"],
        "SHA2_256"
    );
    assert!(json.get("dsseEnvelope").is_none());
}

/// Verify `bundle` for `blob` with the signing key; `expected` is `Ok(())` or the error message.
fn check(
    bundle: &[u8],
    blob: &[u8],
    key: &secpack_provenance::PublicKey,
    expected: Result<(), &str>,
) {
    let got = verify_blob_bundle(bundle, key, &sha256(blob), "a.zip.sigstore.json");
    match (got, expected) {
        (Ok(()), Ok(())) => {}
        (Err(error), Err(message)) => assert_eq!(error.to_string(), message),
        (got, want) => panic!("got {got:?}, expected {want:?}"),
    }
}

#[test]
fn verification_failures() {
    let key = signing_key();
    let other = builder_key();
    let bundle = sign_blob(&key, EXAMPLE_ARCHIVE);
    let mut flipped = EXAMPLE_ARCHIVE.to_vec();
    flipped[3] ^= 1;
    let message = format!(
        "a.zip.sigstore.json: the bundle signs sha256 {}, but the file has sha256 {}; the file was modified or the wrong bundle was given",
        hex::encode(sha256(EXAMPLE_ARCHIVE)),
        hex::encode(sha256(&flipped)),
    );
    check(&bundle, &flipped, key.public_key(), Err(&message));
    check(
        &bundle,
        EXAMPLE_ARCHIVE,
        other.public_key(),
        Err(
            "a.zip.sigstore.json: message signature does not verify with the public key 2e62f1e8f123a861f65c6549f1c7f2b385f065e8aca04eabe8604a8b912b1545 (the bundle names another key, hint Y+4758+aujo3NtY0QzbsjToCwyu0fCDKY2p8D5DTmYA=); the file was modified or signed by another key",
        ),
    );
    // A signature made by the other key over the right digest, with the hint of the right key.
    let forged = String::from_utf8(bundle.clone()).unwrap().replace(
        &signature_of(&bundle),
        &signature_of(&sign_blob(&other, EXAMPLE_ARCHIVE)),
    );
    check(
        forged.as_bytes(),
        EXAMPLE_ARCHIVE,
        key.public_key(),
        Err(
            "a.zip.sigstore.json: message signature does not verify with the public key 63ee3be7cf9aba3a3736d6344336ec8d3a02c32bb47c20ca636a7c0f90d39980; the file was modified or signed by another key",
        ),
    );
    check(
        b"{}",
        EXAMPLE_ARCHIVE,
        key.public_key(),
        Err("a.zip.sigstore.json: /: not a Sigstore bundle: missing field `mediaType`"),
    );
    check(
        b"not json",
        EXAMPLE_ARCHIVE,
        key.public_key(),
        Err("a.zip.sigstore.json: /: not JSON: expected ident at line 1 column 2"),
    );
    check(
        &read("fixtures/provenance/package/example.intoto.sigstore.json"),
        EXAMPLE_ARCHIVE,
        key.public_key(),
        Err(
            "a.zip.sigstore.json: /messageSignature: the bundle holds a DSSE attestation, not a blob signature; verify it as an attestation",
        ),
    );
    let other_media = String::from_utf8(bundle.clone())
        .unwrap()
        .replace("bundle.v0.3+json", "bundle.v9+json");
    check(
        other_media.as_bytes(),
        EXAMPLE_ARCHIVE,
        key.public_key(),
        Err(
            "a.zip.sigstore.json: /mediaType: unsupported bundle media type `application/vnd.dev.sigstore.bundle.v9+json`, expected `application/vnd.dev.sigstore.bundle.v0.3+json`",
        ),
    );
}

fn signature_of(bundle: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(bundle).unwrap();
    json["messageSignature"]["signature"]
        .as_str()
        .unwrap()
        .to_owned()
}
