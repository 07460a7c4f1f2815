//! secpack-provenance (work in progress)
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
