//! DSSE envelopes (<https://github.com/secure-systems-lab/dsse>): PAE, signing, verifying, and
//! reading envelopes from `.intoto.jsonl` files and Sigstore bundles.

use base64::Engine as _;
use base64::engine::general_purpose::{
    STANDARD as B64, STANDARD_NO_PAD as B64_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
};
use p256::ecdsa::Signature;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use serde::{Deserialize, Serialize};

use crate::bundle::{Bundle, bad_signature};
use crate::error::{Error, invalid};
use crate::keys::{PrivateKey, PublicKey};
use crate::statement::Statement;

/// The DSSE payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A DSSE envelope as it appears in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Media type of the payload, e.g. [`IN_TOTO_PAYLOAD_TYPE`].
    pub payload_type: String,
    /// Base64 of the payload bytes.
    pub payload: String,
    /// Signatures over `PAE(payloadType, payload)`.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Key id; this crate writes the key fingerprint in `.intoto.jsonl` files and leaves it out
    /// in bundles (cosign rejects a non-empty key id there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyid: Option<String>,
    /// Base64 of the DER ECDSA signature.
    pub sig: String,
}

/// The DSSE pre-authentication encoding: `DSSEv1 <len> <type> <len> <body>` (lengths in ASCII
/// decimal bytes, single spaces).
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Sign `payload` into a DSSE envelope (one ECDSA P-256 / SHA-256 signature over the PAE,
/// RFC 6979 deterministic). `keyid` goes into the signature as given.
pub fn sign_envelope(
    key: &PrivateKey,
    payload_type: &str,
    payload: &[u8],
    keyid: Option<&str>,
) -> Envelope {
    let signature: Signature = key.signing_key().sign(&pae(payload_type, payload));
    Envelope {
        payload_type: payload_type.to_owned(),
        payload: B64.encode(payload),
        signatures: vec![EnvelopeSignature {
            keyid: keyid.map(str::to_owned),
            sig: B64.encode(signature.to_der().as_bytes()),
        }],
    }
}

/// The two files of a signed attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedStatement {
    /// `.intoto.jsonl`: the DSSE envelope as one line of JSON plus `\n`. The signature's `keyid`
    /// is the key fingerprint (securesystemslib matches signatures by key id).
    pub jsonl: Vec<u8>,
    /// `.intoto.sigstore.json`: a Sigstore bundle v0.3 with the same payload and signature in
    /// `dsseEnvelope` (no `keyid`), for `cosign verify-blob-attestation`.
    pub bundle: Vec<u8>,
}

/// Sign an in-toto statement: DSSE with payload type [`IN_TOTO_PAYLOAD_TYPE`], returned both as
/// an `.intoto.jsonl` line and as a Sigstore bundle. Deterministic: the same key and statement
/// give the same bytes.
pub fn sign_statement(key: &PrivateKey, statement: &Statement) -> SignedStatement {
    let payload = statement.to_json();
    let fingerprint = key.public_key().fingerprint();
    let envelope = sign_envelope(key, IN_TOTO_PAYLOAD_TYPE, &payload, Some(&fingerprint));
    let mut jsonl = serde_json::to_vec(&envelope).expect("serializing plain structs cannot fail");
    jsonl.push(b'\n');
    let mut in_bundle = envelope;
    for signature in &mut in_bundle.signatures {
        signature.keyid = None;
    }
    let mut bundle = Bundle::for_key(key.public_key());
    bundle.dsse_envelope = Some(in_bundle);
    SignedStatement {
        jsonl,
        bundle: bundle.to_bytes(),
    }
}

/// Verify a DSSE envelope with `key`: at least one signature must verify over the PAE. Returns
/// the decoded payload.
pub fn verify_envelope(
    envelope: &Envelope,
    key: &PublicKey,
    origin: &str,
) -> Result<Vec<u8>, Error> {
    verify_envelope_at(envelope, key, origin, "/", None)
}

fn verify_envelope_at(
    envelope: &Envelope,
    key: &PublicKey,
    origin: &str,
    at: &str,
    hint: Option<&str>,
) -> Result<Vec<u8>, Error> {
    let payload = decode_b64(&envelope.payload)
        .ok_or_else(|| invalid(origin, &format!("{at}payload"), "not base64"))?;
    if envelope.signatures.is_empty() {
        return Err(invalid(
            origin,
            &format!("{at}signatures"),
            "the envelope has no signature",
        ));
    }
    let message = pae(&envelope.payload_type, &payload);
    let verified = envelope.signatures.iter().any(|s| {
        decode_b64(&s.sig)
            .and_then(|der| Signature::from_der(&der).ok())
            .is_some_and(|sig| key.verifying_key().verify(&message, &sig).is_ok())
    });
    if verified {
        Ok(payload)
    } else {
        Err(bad_signature(origin, "DSSE", key, hint))
    }
}

/// Verify one envelope read from a file (with its bundle hint for error messages).
pub(crate) fn verify_read_envelope(
    item: &ReadEnvelope,
    key: &PublicKey,
    origin: &str,
) -> Result<Vec<u8>, Error> {
    verify_envelope_at(&item.envelope, key, origin, &item.at, item.hint.as_deref())
}

/// Verify a signed in-toto attestation and return its statement.
///
/// `input` is a bare DSSE envelope (JSON, or an `.intoto.jsonl` file with exactly one line) or a
/// Sigstore bundle whose `dsseEnvelope` holds it. The payload type must be
/// [`IN_TOTO_PAYLOAD_TYPE`] and the payload an in-toto statement; the predicate type is not
/// restricted here.
pub fn verify_attestation(input: &[u8], key: &PublicKey, origin: &str) -> Result<Statement, Error> {
    let mut envelopes = read_envelopes(input, origin)?;
    let found = envelopes.len();
    let (Some(item), None) = (envelopes.pop(), envelopes.pop()) else {
        return Err(invalid(
            origin,
            "/",
            format!("holds {found} envelopes, expected exactly one"),
        ));
    };
    let payload = verify_read_envelope(&item, key, origin)?;
    item.statement_from(&payload, origin)
}

/// One envelope read from a file, with where it was found.
#[derive(Debug)]
pub(crate) struct ReadEnvelope {
    pub(crate) envelope: Envelope,
    /// Prefix for field paths in errors: `/` or `line 3: /` or `/dsseEnvelope/`.
    pub(crate) at: String,
    /// The bundle's key hint, when the envelope came from a bundle.
    pub(crate) hint: Option<String>,
    /// Whether the bundle carries a certificate (keyless), which this crate cannot verify.
    pub(crate) has_certificate: bool,
}

impl ReadEnvelope {
    pub(crate) fn statement_from(&self, payload: &[u8], origin: &str) -> Result<Statement, Error> {
        if self.envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
            return Err(invalid(
                origin,
                &format!("{}payloadType", self.at),
                format!(
                    "`{}` is not an in-toto statement, expected `{IN_TOTO_PAYLOAD_TYPE}`",
                    self.envelope.payload_type
                ),
            ));
        }
        Statement::parse(payload, origin, &format!("{}payload", self.at))
    }

    pub(crate) fn payload(&self, origin: &str) -> Result<Vec<u8>, Error> {
        decode_b64(&self.envelope.payload)
            .ok_or_else(|| invalid(origin, &format!("{}payload", self.at), "not base64"))
    }
}

/// Read every DSSE envelope of a file: one JSON document (envelope or bundle, possibly
/// pretty-printed) or JSON lines of them.
pub(crate) fn read_envelopes(input: &[u8], origin: &str) -> Result<Vec<ReadEnvelope>, Error> {
    let text =
        std::str::from_utf8(input).map_err(|_| invalid(origin, "/", "not UTF-8 JSON text"))?;
    if text.trim().is_empty() {
        return Err(invalid(
            origin,
            "/",
            "the file is empty, expected a DSSE envelope",
        ));
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        return Ok(vec![read_one(value, origin, "")?]);
    }
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let prefix = format!("line {}: ", number + 1);
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| invalid(origin, &format!("{prefix}/"), format!("not JSON: {e}")))?;
        out.push(read_one(value, origin, &prefix)?);
    }
    Ok(out)
}

fn read_one(value: serde_json::Value, origin: &str, prefix: &str) -> Result<ReadEnvelope, Error> {
    let root = format!("{prefix}/");
    let Some(object) = value.as_object() else {
        return Err(invalid(
            origin,
            &root,
            "expected a JSON object (DSSE envelope or Sigstore bundle)",
        ));
    };
    if object.contains_key("mediaType") {
        let bundle = Bundle::parse(value, origin, &root)?;
        let hint = bundle.hint().map(str::to_owned);
        let has_certificate = bundle.verification_material.certificate.is_some()
            || bundle
                .verification_material
                .x509_certificate_chain
                .is_some();
        let Some(envelope) = bundle.dsse_envelope else {
            return Err(invalid(
                origin,
                &format!("{root}dsseEnvelope"),
                "missing; this bundle signs a blob, not an attestation",
            ));
        };
        return Ok(ReadEnvelope {
            envelope,
            at: format!("{root}dsseEnvelope/"),
            hint,
            has_certificate,
        });
    }
    if object.contains_key("_type") && !object.contains_key("payloadType") {
        return Err(invalid(
            origin,
            &root,
            "an unsigned in-toto statement; expected a DSSE envelope or a Sigstore bundle around it",
        ));
    }
    let envelope: Envelope = serde_json::from_value(value)
        .map_err(|e| invalid(origin, &root, format!("not a DSSE envelope: {e}")))?;
    Ok(ReadEnvelope {
        envelope,
        at: root,
        hint: None,
        has_certificate: false,
    })
}

/// Decode base64 the way DSSE allows: standard or URL-safe alphabet, padded or not.
pub(crate) fn decode_b64(text: &str) -> Option<Vec<u8>> {
    B64.decode(text)
        .or_else(|_| B64_NO_PAD.decode(text))
        .or_else(|_| URL_SAFE.decode(text))
        .or_else(|_| URL_SAFE_NO_PAD.decode(text))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn base64_variants_decode() {
        for text in ["+/8=", "+/8", "-_8=", "-_8"] {
            assert_eq!(decode_b64(text), Some(vec![0xfb, 0xff]), "{text}");
        }
        assert_eq!(decode_b64("!!"), None);
    }
}
