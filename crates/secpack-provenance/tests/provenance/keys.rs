//! Loading private and public keys from every supported format, and the errors for the rest.

use secpack_provenance::{load_private_key, load_public_key};

use crate::read;

const KEYS: &str = "fixtures/keys";
const INTEROP_PASSWORD: &str = "TEST-ONLY-password";

/// Load a private key; `expected` is `Ok(public key file)` or `Err(error message)`.
fn check_private(file: &str, password: Option<&str>, expected: Result<&str, &str>) {
    let origin = format!("{KEYS}/{file}");
    let pem = read(&origin);
    match (load_private_key(&pem, password, &origin), expected) {
        (Ok(key), Ok(pub_file)) => {
            let public = load_public_key(&read(&format!("{KEYS}/{pub_file}")), pub_file).unwrap();
            assert_eq!(key.public_key(), &public, "{file}");
        }
        (Err(error), Err(message)) => {
            let text = error.to_string();
            assert_eq!(text, message, "{file}");
            assert_no_secret(&text, &pem, password);
            assert_no_secret(&format!("{error:?}"), &pem, password);
        }
        (got, want) => panic!("{file}: got {got:?}, expected {want:?}"),
    }
}

/// No line of the key file's base64 body, and not the password, appears in `text`.
fn assert_no_secret(text: &str, pem: &[u8], password: Option<&str>) {
    for line in String::from_utf8_lossy(pem).lines() {
        if !line.starts_with("-----") && line.len() > 16 {
            assert!(!text.contains(line), "key material in {text}");
        }
    }
    if let Some(password) = password {
        assert!(!text.contains(password), "password in {text}");
    }
}

#[test]
fn private_keys_in_supported_formats_load() {
    check_private(
        "test-only-signing.key.pem",
        None,
        Ok("test-only-signing.pub.pem"),
    );
    // A password given for an unencrypted key is ignored.
    check_private(
        "test-only-signing.key.pem",
        Some("x"),
        Ok("test-only-signing.pub.pem"),
    );
    check_private(
        "test-only-signing.cosign.key",
        Some("TEST-ONLY-cosign-password"),
        Ok("test-only-signing.pub.pem"),
    );
    check_private(
        "test-only-product-builder.key.pem",
        None,
        Ok("test-only-product-builder.pub.pem"),
    );
    // Written by the real `cosign generate-key-pair`.
    check_private(
        "interop/test-only-cosign-generated.key",
        Some(INTEROP_PASSWORD),
        Ok("interop/test-only-cosign-generated.pub"),
    );
    // Written by openssl: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and SEC1.
    check_private(
        "interop/test-only-openssl-p256.encrypted-pkcs8.pem",
        Some(INTEROP_PASSWORD),
        Ok("interop/test-only-openssl-p256.pub.pem"),
    );
    check_private(
        "interop/test-only-openssl-p256.sec1.pem",
        None,
        Ok("interop/test-only-openssl-p256.pub.pem"),
    );
}

#[test]
fn wrong_or_missing_passwords() {
    check_private(
        "test-only-signing.cosign.key",
        Some("TEST-ONLY-wrong"),
        Err(
            "fixtures/keys/test-only-signing.cosign.key: wrong password for the encrypted private key; check the password variable",
        ),
    );
    check_private(
        "interop/test-only-cosign-generated.key",
        None,
        Err(
            "fixtures/keys/interop/test-only-cosign-generated.key: the private key is encrypted (cosign/sigstore encrypted key) but no password was given; set the password variable",
        ),
    );
    check_private(
        "interop/test-only-openssl-p256.encrypted-pkcs8.pem",
        Some("TEST-ONLY-wrong"),
        Err(
            "fixtures/keys/interop/test-only-openssl-p256.encrypted-pkcs8.pem: wrong password for the encrypted private key; check the password variable",
        ),
    );
    check_private(
        "interop/test-only-openssl-p256.encrypted-pkcs8.pem",
        None,
        Err(
            "fixtures/keys/interop/test-only-openssl-p256.encrypted-pkcs8.pem: the private key is encrypted (encrypted PKCS#8) but no password was given; set the password variable",
        ),
    );
}

#[test]
fn unsupported_key_types_are_named() {
    for (file, found) in [
        ("interop/test-only-ed25519.key.pem", "Ed25519"),
        ("interop/test-only-rsa.key.pem", "RSA"),
        ("interop/test-only-rsa.pkcs1.pem", "RSA (PKCS#1)"),
        ("interop/test-only-p384.key.pem", "ECDSA P-384"),
    ] {
        let message = format!(
            "fixtures/keys/{file}: unsupported key type {found}; secpack signs with ECDSA P-256 keys (create one with `secpack keygen`)"
        );
        check_private(file, None, Err(&message));
    }
}

#[test]
fn public_key_where_a_private_key_is_needed() {
    check_private(
        "test-only-signing.pub.pem",
        None,
        Err(
            "fixtures/keys/test-only-signing.pub.pem: this is a public key, but signing needs the private key; pass the private key file instead",
        ),
    );
}

/// Load a public key from inline or file bytes; `expected` is `Ok(fingerprint)` or `Err(message)`.
fn check_public(pem: &[u8], origin: &str, expected: Result<&str, &str>) {
    match (load_public_key(pem, origin), expected) {
        (Ok(key), Ok(fingerprint)) => assert_eq!(key.fingerprint(), fingerprint, "{origin}"),
        (Err(error), Err(message)) => assert_eq!(error.to_string(), message, "{origin}"),
        (got, want) => panic!("{origin}: got {got:?}, expected {want:?}"),
    }
}

#[test]
fn public_keys() {
    // Fingerprints computed independently:
    // `openssl pkey -pubin -in FILE -outform DER | sha256sum`.
    check_public(
        &read("fixtures/keys/test-only-signing.pub.pem"),
        "signing.pub",
        Ok("63ee3be7cf9aba3a3736d6344336ec8d3a02c32bb47c20ca636a7c0f90d39980"),
    );
    check_public(
        &read("fixtures/keys/test-only-product-builder.pub.pem"),
        "builder.pub",
        Ok("2e62f1e8f123a861f65c6549f1c7f2b385f065e8aca04eabe8604a8b912b1545"),
    );
    check_public(
        &read("fixtures/keys/interop/test-only-ed25519.pub.pem"),
        "ed.pub",
        Err(
            "ed.pub: unsupported key type Ed25519; secpack signs with ECDSA P-256 keys (create one with `secpack keygen`)",
        ),
    );
    check_public(
        &read("fixtures/keys/interop/test-only-rsa.pub.pem"),
        "rsa.pub",
        Err(
            "rsa.pub: unsupported key type RSA; secpack signs with ECDSA P-256 keys (create one with `secpack keygen`)",
        ),
    );
    check_public(
        &read("fixtures/keys/test-only-signing.key.pem"),
        "signing.key.pem",
        Err(
            "signing.key.pem: this is a private key, but verification needs the public key; pass the `.pub.pem` file instead",
        ),
    );
}

#[test]
fn corrupt_pem() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"just some text\n",
            "k.pem: corrupt PEM (no `-----BEGIN` line); expected one `-----BEGIN …-----` block as written by `secpack keygen`, openssl or cosign",
        ),
        (
            b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n",
            "k.pem: corrupt PEM (no `-----END PRIVATE KEY-----` line); expected one `-----BEGIN …-----` block as written by `secpack keygen`, openssl or cosign",
        ),
        (
            b"-----BEGIN PRIVATE KEY-----\nnot*base64\n-----END PRIVATE KEY-----\n",
            "k.pem: corrupt PEM (PEM block `PRIVATE KEY`: PEM Base64 error: invalid Base64 encoding); expected one `-----BEGIN …-----` block as written by `secpack keygen`, openssl or cosign",
        ),
        (
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "k.pem: corrupt PEM (PKCS#8 structure: PKCS#8 ASN.1 error: unknown/unsupported ASN.1 DER tag: 0x00 at DER byte 1); expected one `-----BEGIN …-----` block as written by `secpack keygen`, openssl or cosign",
        ),
        (
            b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nbm90IGpzb24=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
            "k.pem: corrupt PEM (cosign key file: expected ident at line 1 column 2); expected one `-----BEGIN …-----` block as written by `secpack keygen`, openssl or cosign",
        ),
    ];
    for (pem, message) in cases {
        let error = load_private_key(pem, Some("pw"), "k.pem").unwrap_err();
        assert_eq!(error.to_string(), message);
    }
    // A valid key with one base64 character changed in the middle.
    let mut pem = read("fixtures/keys/test-only-signing.key.pem");
    let at = pem.len() / 2;
    pem[at] = if pem[at] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        load_private_key(&pem, None, "k.pem"),
        Err(secpack_provenance::Error::CorruptPem { .. }
            | secpack_provenance::Error::InvalidKey { .. })
    ));
}

#[test]
fn cosign_format_round_trip_uses_random_salt() {
    let key = crate::fixture_gen::signing_key();
    let first = key.to_cosign_encrypted_pem("TEST-ONLY-pw").unwrap();
    let second = key.to_cosign_encrypted_pem("TEST-ONLY-pw").unwrap();
    assert_ne!(first.as_str(), second.as_str());
    assert!(first.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    let loaded = load_private_key(first.as_bytes(), Some("TEST-ONLY-pw"), "c.key").unwrap();
    assert_eq!(loaded.public_key(), key.public_key());
}
