//! The cosign/sigstore encrypted private key format.
//!
//! The PEM body (`ENCRYPTED SIGSTORE PRIVATE KEY`, formerly `ENCRYPTED COSIGN PRIVATE KEY`) is a
//! JSON document written by go-securesystemslib's `encrypted` package:
//!
//! ```text
//! {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<b64 32 bytes>"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"<b64 24 bytes>"},
//!  "ciphertext":"<b64 tag || ciphertext>"}
//! ```
//!
//! The secretbox key is `scrypt(password, salt, N, r, p, 32)`; the plaintext is the PKCS#8 DER
//! of the private key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use pkcs8::der::pem::LineEnding;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::Error;

/// The PEM label cosign writes today.
pub(crate) const PEM_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";

/// Upper bound on scrypt memory (128 · r · N bytes) accepted from a key file, so a hostile file
/// cannot make us allocate without limit. cosign writes 64 MiB (N = 2^16, r = 8).
const MAX_SCRYPT_MEMORY: u64 = 1 << 30;
/// cosign's parameters, used when writing.
const LOG_N: u8 = 16;
const R: u32 = 8;
const P: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[allow(non_snake_case)]
struct KdfParams {
    N: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

/// Decrypt the JSON body of a cosign key file; returns the PKCS#8 DER.
pub(crate) fn decrypt(
    body: &[u8],
    password: &[u8],
    origin: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let corrupt = |reason: String| Error::CorruptPem {
        origin: origin.to_owned(),
        reason: format!("cosign key file: {reason}"),
    };
    let env: Envelope = serde_json::from_slice(body).map_err(|e| corrupt(e.to_string()))?;
    if env.kdf.name != "scrypt" {
        return Err(Error::UnsupportedEncryption {
            origin: origin.to_owned(),
            reason: format!("kdf `{}`, only `scrypt` is supported", env.kdf.name),
        });
    }
    if env.cipher.name != "nacl/secretbox" {
        return Err(Error::UnsupportedEncryption {
            origin: origin.to_owned(),
            reason: format!(
                "cipher `{}`, only `nacl/secretbox` is supported",
                env.cipher.name
            ),
        });
    }
    let KdfParams { N: n, r, p } = env.kdf.params;
    let log_n = if n.is_power_of_two() && n > 1 {
        u8::try_from(n.trailing_zeros()).expect("a u64 has at most 63 trailing zeros")
    } else {
        return Err(corrupt(format!("scrypt N = {n} is not a power of two")));
    };
    let memory = 128u64
        .checked_mul(u64::from(r))
        .and_then(|m| m.checked_mul(n));
    if r == 0 || p == 0 || p > 16 || memory.is_none_or(|m| m > MAX_SCRYPT_MEMORY) {
        return Err(Error::UnsupportedEncryption {
            origin: origin.to_owned(),
            reason: format!(
                "scrypt parameters N={n} r={r} p={p} exceed the supported bounds (at most 1 GiB of memory, p <= 16)"
            ),
        });
    }
    let salt = B64
        .decode(&env.kdf.salt)
        .map_err(|e| corrupt(format!("kdf.salt: {e}")))?;
    let nonce = B64
        .decode(&env.cipher.nonce)
        .map_err(|e| corrupt(format!("cipher.nonce: {e}")))?;
    let ciphertext = B64
        .decode(&env.ciphertext)
        .map_err(|e| corrupt(format!("ciphertext: {e}")))?;
    if nonce.len() != 24 {
        return Err(corrupt(format!(
            "cipher.nonce has {} bytes, expected 24",
            nonce.len()
        )));
    }
    let params =
        scrypt::Params::new(log_n, r, p).map_err(|e| corrupt(format!("scrypt parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, &salt, &params, key.as_mut_slice())
        .expect("a 32-byte output is a valid scrypt length");
    let cipher = XSalsa20Poly1305::new(key.as_slice().into());
    let plain = cipher
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| Error::WrongPassword {
            origin: origin.to_owned(),
        })?;
    Ok(Zeroizing::new(plain))
}

/// Encrypt PKCS#8 DER into a cosign key file PEM (random salt and nonce).
pub(crate) fn encrypt(pkcs8_der: &[u8], password: &[u8]) -> Result<Zeroizing<String>, Error> {
    let mut salt = [0u8; 32];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut salt)
        .and_then(|()| getrandom::fill(&mut nonce))
        .map_err(|e| Error::Randomness {
            reason: e.to_string(),
        })?;
    let params = scrypt::Params::new(LOG_N, R, P).expect("cosign's scrypt parameters are valid");
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, &salt, &params, key.as_mut_slice())
        .expect("a 32-byte output is a valid scrypt length");
    let cipher = XSalsa20Poly1305::new(key.as_slice().into());
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), pkcs8_der)
        .map_err(|_| Error::Randomness {
            reason: "secretbox encryption failed".to_owned(),
        })?;
    let env = Envelope {
        kdf: Kdf {
            name: "scrypt".to_owned(),
            params: KdfParams {
                N: 1 << LOG_N,
                r: R,
                p: P,
            },
            salt: B64.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".to_owned(),
            nonce: B64.encode(nonce),
        },
        ciphertext: B64.encode(ciphertext),
    };
    let json = serde_json::to_vec(&env).expect("serializing plain structs cannot fail");
    let pem = pkcs8::der::pem::encode_string(PEM_LABEL, LineEnding::LF, &json)
        .expect("PEM encoding of a small document cannot fail");
    Ok(Zeroizing::new(pem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_scrypt_parameters_are_refused_before_allocating() {
        let body = br#"{"kdf":{"name":"scrypt","params":{"N":1099511627776,"r":8,"p":1},"salt":"AA=="},
            "cipher":{"name":"nacl/secretbox","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},"ciphertext":"AA=="}"#;
        assert!(matches!(
            decrypt(body, b"pw", "k"),
            Err(Error::UnsupportedEncryption { .. })
        ));
    }

    #[test]
    fn other_cipher_is_named() {
        let body = br#"{"kdf":{"name":"scrypt","params":{"N":1024,"r":8,"p":1},"salt":"AA=="},
            "cipher":{"name":"aes-gcm","nonce":"AA=="},"ciphertext":"AA=="}"#;
        let err = decrypt(body, b"pw", "k").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "k: unsupported private key encryption (cipher `aes-gcm`, only `nacl/secretbox` is supported); re-encrypt with `secpack keygen` or `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
            )
        );
    }
}
