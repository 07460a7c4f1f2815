//! Sigstore bundle v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`) for key-based signing.
//!
//! The bundles carry a public-key hint and either a `messageSignature` (a signed blob) or a
//! `dsseEnvelope` (a signed attestation), and no transparency-log entry, so verifying them with
//! cosign needs `--insecure-ignore-tlog=true`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use p256::ecdsa::Signature;
use p256::ecdsa::signature::hazmat::{PrehashSigner as _, PrehashVerifier as _};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::dsse::Envelope;
use crate::error::{Error, invalid};
use crate::keys::{PrivateKey, PublicKey};

/// The media type of the bundles this crate writes.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Media types accepted when reading (v0.1 to v0.3, both spellings).
const ACCEPTED_MEDIA_TYPES: &[&str] = &[
    BUNDLE_MEDIA_TYPE,
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
];

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bundle {
    pub(crate) media_type: String,
    pub(crate) verification_material: VerificationMaterial,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) message_signature: Option<MessageSignature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dsse_envelope: Option<Envelope>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VerificationMaterial {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) public_key: Option<PublicKeyIdentifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) certificate: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) x509_certificate_chain: Option<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct PublicKeyIdentifier {
    #[serde(default)]
    pub(crate) hint: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageSignature {
    pub(crate) message_digest: MessageDigest,
    pub(crate) signature: String,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct MessageDigest {
    pub(crate) algorithm: String,
    pub(crate) digest: String,
}

impl Bundle {
    pub(crate) fn for_key(key: &PublicKey) -> Self {
        Self {
            media_type: BUNDLE_MEDIA_TYPE.to_owned(),
            verification_material: VerificationMaterial {
                public_key: Some(PublicKeyIdentifier { hint: key.hint() }),
                certificate: None,
                x509_certificate_chain: None,
            },
            message_signature: None,
            dsse_envelope: None,
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).expect("serializing plain structs cannot fail");
        out.push(b'\n');
        out
    }

    /// Parse and check the media type.
    pub(crate) fn parse(value: serde_json::Value, origin: &str, at: &str) -> Result<Self, Error> {
        let bundle: Bundle = serde_json::from_value(value)
            .map_err(|e| invalid(origin, at, format!("not a Sigstore bundle: {e}")))?;
        if !ACCEPTED_MEDIA_TYPES.contains(&bundle.media_type.as_str()) {
            return Err(invalid(
                origin,
                &format!("{at}mediaType"),
                format!(
                    "unsupported bundle media type `{}`, expected `{BUNDLE_MEDIA_TYPE}`",
                    bundle.media_type
                ),
            ));
        }
        Ok(bundle)
    }

    /// The key hint, when the bundle names a public key.
    pub(crate) fn hint(&self) -> Option<&str> {
        self.verification_material
            .public_key
            .as_ref()
            .map(|k| k.hint.as_str())
    }
}

/// Sign a blob: returns the bytes of a Sigstore bundle v0.3 with a `messageSignature` (SHA-256
/// digest + DER ECDSA P-256 signature, RFC 6979: the same key and blob always give the same
/// bytes). Write it next to the blob as `<blob>.sigstore.json`.
pub fn sign_blob(key: &PrivateKey, blob: &[u8]) -> Vec<u8> {
    sign_blob_digest(key, &Sha256::digest(blob).into())
}

/// Like [`sign_blob`] when the caller already has the blob's SHA-256.
pub fn sign_blob_digest(key: &PrivateKey, blob_sha256: &[u8; 32]) -> Vec<u8> {
    let signature: Signature = key
        .signing_key()
        .sign_prehash(blob_sha256)
        .expect("signing a 32-byte prehash with a valid P-256 key cannot fail");
    let mut bundle = Bundle::for_key(key.public_key());
    bundle.message_signature = Some(MessageSignature {
        message_digest: MessageDigest {
            algorithm: "SHA2_256".to_owned(),
            digest: B64.encode(blob_sha256),
        },
        signature: B64.encode(signature.to_der().as_bytes()),
    });
    bundle.to_bytes()
}

/// Verify a blob bundle (as written by [`sign_blob`] or by `cosign sign-blob --bundle` with a
/// key) against a public key and the SHA-256 of the blob. `origin` names the bundle in errors.
///
/// Checks: media type, `messageSignature` present, digest algorithm SHA-256, the signed digest
/// equals `blob_sha256`, and the signature verifies with `key`. Transparency-log entries are
/// not checked (there are none in key-signed offline bundles).
pub fn verify_blob_bundle(
    bundle: &[u8],
    key: &PublicKey,
    blob_sha256: &[u8; 32],
    origin: &str,
) -> Result<(), Error> {
    let value: serde_json::Value = serde_json::from_slice(bundle)
        .map_err(|e| invalid(origin, "/", format!("not JSON: {e}")))?;
    let bundle = Bundle::parse(value, origin, "/")?;
    let Some(message) = &bundle.message_signature else {
        let reason = if bundle.dsse_envelope.is_some() {
            "the bundle holds a DSSE attestation, not a blob signature; verify it as an attestation"
        } else {
            "missing; a blob bundle needs a message signature"
        };
        return Err(invalid(origin, "/messageSignature", reason));
    };
    if message.message_digest.algorithm != "SHA2_256" {
        return Err(invalid(
            origin,
            "/messageSignature/messageDigest/algorithm",
            format!(
                "`{}` is not supported, expected `SHA2_256`",
                message.message_digest.algorithm
            ),
        ));
    }
    let signed = crate::dsse::decode_b64(&message.message_digest.digest).ok_or_else(|| {
        invalid(
            origin,
            "/messageSignature/messageDigest/digest",
            "not base64",
        )
    })?;
    if signed.as_slice() != blob_sha256.as_slice() {
        return Err(Error::DigestMismatch {
            origin: origin.to_owned(),
            signed: hex::encode(&signed),
            actual: hex::encode(blob_sha256),
        });
    }
    let der = crate::dsse::decode_b64(&message.signature)
        .ok_or_else(|| invalid(origin, "/messageSignature/signature", "not base64"))?;
    let signature = Signature::from_der(&der).map_err(|_| {
        invalid(
            origin,
            "/messageSignature/signature",
            "not a DER ECDSA P-256 signature",
        )
    })?;
    key.verifying_key()
        .verify_prehash(blob_sha256, &signature)
        .map_err(|_| bad_signature(origin, "message", key, bundle.hint()))
}

pub(crate) fn bad_signature(
    origin: &str,
    what: &'static str,
    key: &PublicKey,
    hint: Option<&str>,
) -> Error {
    let hint = match hint {
        Some(hint) if !hint.is_empty() && hint != key.hint() => {
            format!(" (the bundle names another key, hint {hint})")
        }
        _ => String::new(),
    };
    Error::BadSignature {
        origin: origin.to_owned(),
        what,
        fingerprint: key.fingerprint(),
        hint,
    }
}
