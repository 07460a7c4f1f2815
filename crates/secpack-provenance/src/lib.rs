//! Signing and provenance for the Customer Security Package: ECDSA P-256 keys, deterministic
//! Sigstore bundles, DSSE envelopes with in-toto Statement v1 / SLSA provenance v1, and the
//! check of the product's own SLSA provenance before it ships.
//!
//! What it produces, and who accepts it (tested against the real tools):
//!
//! - [`sign_blob`]: a Sigstore bundle v0.3 with a public-key hint and a message signature,
//!   accepted by `cosign verify-blob --key PUB --bundle FILE --insecure-ignore-tlog=true BLOB`.
//! - [`build_package_statement`] + [`sign_statement`]: the `.intoto.jsonl` DSSE envelope
//!   (verified by securesystemslib; the statement and predicate pass in-toto-attestation's strict
//!   protobuf parse) and the same signature as a bundle, accepted by
//!   `cosign verify-blob-attestation --key PUB --bundle FILE --type slsaprovenance1
//!   --insecure-ignore-tlog=true BLOB`.
//! - [`verify_blob_bundle`], [`verify_attestation`]: the checks `secpack verify` reuses.
//! - [`check_product_provenance`]: parse, verify, check and redact the product's provenance, and
//!   describe it in a README.
//!
//! Signatures are RFC 6979 deterministic: the same key and input give the same bytes, so a
//! rebuild is byte-identical. Statements carry no timestamps.
//!
//! What it never does: file or network IO (callers pass bytes and get bytes; no HTTP client is
//! linked), transparency-log or keyless signing, printing or logging keys (`Debug` of
//! [`PrivateKey`] and [`GeneratedKeyPair`] shows only the fingerprint, errors never carry key
//! material or passwords).
//!
//! ```
//! use secpack_provenance as sp;
//!
//! let pair = sp::generate_key_pair(None)?;
//! let key = sp::load_private_key(pair.private_pem.as_bytes(), None, "signing.key.pem")?;
//! let public = sp::load_public_key(pair.public_pem.as_bytes(), "signing.pub.pem")?;
//!
//! // Sign an archive and verify the bundle.
//! let archive = b"zip bytes";
//! let bundle = sp::sign_blob(&key, archive);
//! assert_eq!(bundle, sp::sign_blob(&key, archive)); // deterministic
//! let digest: [u8; 32] = sha2::Sha256::digest(archive).into();
//! sp::verify_blob_bundle(&bundle, &public, &digest, "package.zip.sigstore.json")?;
//!
//! // Provenance of the package.
//! let builder = sp::detect_builder(&|_| None); // no CI: the local default
//! let statement = sp::build_package_statement(&sp::PackageProvenanceInput {
//!     subjects: vec![sp::Artifact { name: "package.zip".into(), sha256: digest }],
//!     repository: "https://github.com/example/app".into(),
//!     tag: "v1.2.3".into(),
//!     version: "1.2.3".into(),
//!     commit: "9c6bf0a3e5d1f7b2c4a8e0d6f1b3a5c7e9d2f4b6".into(),
//!     transformed_inputs: vec![],
//!     builder_id: builder.id,
//!     builder_version: Default::default(),
//!     invocation_id: None,
//! })?;
//! let signed = sp::sign_statement(&key, &statement);
//! assert_eq!(sp::verify_attestation(&signed.jsonl, &public, "p.intoto.jsonl")?, statement);
//! assert_eq!(sp::verify_attestation(&signed.bundle, &public, "p.sigstore.json")?, statement);
//! # use sha2::Digest as _;
//! # Ok::<(), sp::Error>(())
//! ```
#![forbid(unsafe_code)]

mod builder;
mod bundle;
mod cosign;
mod dsse;
mod error;
mod keys;
mod product;
mod statement;

pub use builder::{BuilderSource, DetectedBuilder, LOCAL_BUILDER_ID, detect_builder};
pub use bundle::{BUNDLE_MEDIA_TYPE, sign_blob, sign_blob_digest, verify_blob_bundle};
pub use dsse::{
    Envelope, EnvelopeSignature, IN_TOTO_PAYLOAD_TYPE, SignedStatement, pae, sign_envelope,
    sign_statement, verify_attestation, verify_envelope,
};
pub use error::Error;
pub use keys::{
    GeneratedKeyPair, PrivateKey, PublicKey, fingerprint, generate_key_pair, load_private_key,
    load_public_key,
};
pub use product::{
    ProductProvenance, ProductProvenanceOptions, ProductProvenanceSummary, ShippedForm,
    SignatureCheck, SourceRef, StatementSummary, SubjectDigest, check_product_provenance,
};
pub use statement::{
    Artifact, PackageProvenanceInput, SECPACK_BUILD_TYPE, SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02,
    STATEMENT_V01, STATEMENT_V1, Statement, Subject, build_package_statement,
};
