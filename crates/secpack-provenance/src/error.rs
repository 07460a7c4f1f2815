//! The one error type of this crate.

/// Everything that can go wrong while loading keys, signing, verifying or checking provenance.
///
/// Every variant names the input it is about (`origin`: a file name or another label the caller
/// chose), the field when there is one, and what to do about it. No variant ever carries private
/// key material or a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a PEM document this crate understands.
    #[error(
        "{origin}: corrupt PEM ({reason}); expected one `-----BEGIN …-----` block as written by `secpack keygen`, openssl or cosign"
    )]
    CorruptPem {
        /// File or label of the input.
        origin: String,
        /// What the PEM or DER decoder reported.
        reason: String,
    },
    /// The private key is encrypted and the password does not open it.
    #[error("{origin}: wrong password for the encrypted private key; check the password variable")]
    WrongPassword {
        /// File or label of the input.
        origin: String,
    },
    /// The private key is encrypted and no password was given.
    #[error(
        "{origin}: the private key is encrypted ({format}) but no password was given; set the password variable"
    )]
    PasswordRequired {
        /// File or label of the input.
        origin: String,
        /// Which encrypted format was found.
        format: &'static str,
    },
    /// The key is not ECDSA P-256.
    #[error(
        "{origin}: unsupported key type {found}; secpack signs with ECDSA P-256 keys (create one with `secpack keygen`)"
    )]
    UnsupportedKeyType {
        /// File or label of the input.
        origin: String,
        /// The key type that was found, e.g. `Ed25519` or `RSA`.
        found: String,
    },
    /// A public key (or certificate) was given where a private key is needed.
    #[error(
        "{origin}: this is a {found}, but signing needs the private key; pass the private key file instead"
    )]
    PublicKeyGiven {
        /// File or label of the input.
        origin: String,
        /// What was found, e.g. `public key`.
        found: String,
    },
    /// A private key was given where a public key is needed.
    #[error(
        "{origin}: this is a private key, but verification needs the public key; pass the `.pub.pem` file instead"
    )]
    PrivateKeyGiven {
        /// File or label of the input.
        origin: String,
    },
    /// The key parsed as the right type but its contents are invalid.
    #[error("{origin}: invalid key ({reason}); regenerate the key or export it again")]
    InvalidKey {
        /// File or label of the input.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The encrypted key uses an algorithm this crate does not implement.
    #[error(
        "{origin}: unsupported private key encryption ({reason}); re-encrypt with `secpack keygen` or `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
    )]
    UnsupportedEncryption {
        /// File or label of the input.
        origin: String,
        /// What was found.
        reason: String,
    },
    /// The operating system's random generator failed (key generation, encryption salts).
    #[error(
        "operating system randomness unavailable ({reason}); key generation needs a working getrandom"
    )]
    Randomness {
        /// What the generator reported.
        reason: String,
    },
    /// The input is not the JSON document expected, or a field has the wrong shape.
    #[error("{origin}: {field}: {reason}")]
    InvalidField {
        /// File or label of the input.
        origin: String,
        /// JSON path of the field (`/` for the whole document).
        field: String,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// A signature does not verify with the given public key.
    #[error(
        "{origin}: {what} signature does not verify with the public key {fingerprint}{hint}; the file was modified or signed by another key"
    )]
    BadSignature {
        /// File or label of the input.
        origin: String,
        /// Which signature: `message` or `DSSE`.
        what: &'static str,
        /// Fingerprint (hex SHA-256 of the SPKI DER) of the key that was tried.
        fingerprint: String,
        /// Extra note about a key hint that names another key (may be empty).
        hint: String,
    },
    /// A bundle signs another blob than the one given.
    #[error(
        "{origin}: the bundle signs sha256 {signed}, but the file has sha256 {actual}; the file was modified or the wrong bundle was given"
    )]
    DigestMismatch {
        /// File or label of the bundle.
        origin: String,
        /// Hex SHA-256 the bundle signs.
        signed: String,
        /// Hex SHA-256 of the given blob.
        actual: String,
    },
    /// A statement's predicate type is not one this crate knows.
    #[error(
        "{origin}: statement {index}: unknown predicateType `{found}`; expected one of {expected}"
    )]
    UnknownPredicateType {
        /// File or label of the input.
        origin: String,
        /// Position of the statement in the file (0-based line of a `.jsonl`).
        index: usize,
        /// The predicate type found.
        found: String,
        /// The known types, comma separated.
        expected: String,
    },
    /// A subject has no SHA-256 digest or a malformed one.
    #[error(
        "{origin}: statement {index}: subject `{name}`: {reason}; every subject needs `digest.sha256` as 64 lowercase hex characters"
    )]
    BadSubjectDigest {
        /// File or label of the input.
        origin: String,
        /// Position of the statement in the file.
        index: usize,
        /// The subject name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The provenance names another builder than the expected one.
    #[error(
        "{origin}: statement {index}: builder id `{found}` does not match the expected `{expected}`; fix the expected builder id in the config or check where this provenance came from"
    )]
    BuilderMismatch {
        /// File or label of the input.
        origin: String,
        /// Position of the statement in the file.
        index: usize,
        /// Builder id in the provenance.
        found: String,
        /// Builder id the caller expected.
        expected: String,
    },
    /// A value passed by the caller (not read from a file) is invalid.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which parameter.
        field: String,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// A removal path is not a valid pointer.
    #[error(
        "redaction path `{path}`: {reason}; write paths like `/predicate/runDetails/metadata` (`*` matches every array item or object key)"
    )]
    BadRedactionPath {
        /// The path as given.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

pub(crate) fn invalid(origin: &str, field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        origin: origin.to_owned(),
        field: field.to_owned(),
        reason: reason.into(),
    }
}
