//! ECDSA P-256 keys: loading (PKCS#8, encrypted PKCS#8, SEC1, cosign/sigstore encrypted key
//! files), public keys (SPKI), generation, fingerprints.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate as _;
use pkcs8::der::pem::LineEnding;
use pkcs8::spki::{DecodePublicKey as _, EncodePublicKey as _};
use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::cosign;
use crate::error::Error;

/// A private ECDSA P-256 signing key.
///
/// `Debug` prints only the public fingerprint; the secret scalar is zeroized on drop (by `p256`).
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey,
    public: PublicKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &"ECDSA P-256")
            .field("fingerprint", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

/// A public ECDSA P-256 key (verification key).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
    spki_der: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &"ECDSA P-256")
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

/// A freshly generated key pair, as PEM text ready to be written to files.
///
/// `Debug` never prints the private key.
pub struct GeneratedKeyPair {
    /// PKCS#8 PEM of the private key: `-----BEGIN PRIVATE KEY-----`, or
    /// `-----BEGIN ENCRYPTED PRIVATE KEY-----` (PBES2: scrypt + AES-256-CBC) when a password was
    /// given. Zeroized on drop. Write it with mode 0600.
    pub private_pem: Zeroizing<String>,
    /// SPKI PEM of the public key: `-----BEGIN PUBLIC KEY-----`.
    pub public_pem: String,
    /// [`PublicKey::fingerprint`] of the new key.
    pub fingerprint: String,
}

impl std::fmt::Debug for GeneratedKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKeyPair")
            .field("private_pem", &"<redacted>")
            .field("public_pem", &self.public_pem)
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

impl PublicKey {
    fn from_verifying_key(key: VerifyingKey) -> Self {
        let spki_der = key
            .to_public_key_der()
            .expect("a valid P-256 point always encodes as SPKI DER")
            .as_bytes()
            .to_vec();
        Self { key, spki_der }
    }

    /// Hex SHA-256 of the SubjectPublicKeyInfo DER: the key's fingerprint, printed in
    /// `verification-instructions.md` so customers can compare it with the published key.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(&self.spki_der))
    }

    /// The Sigstore bundle key hint: base64 (standard, padded) of the same SHA-256 as
    /// [`PublicKey::fingerprint`].
    pub fn hint(&self) -> String {
        B64.encode(Sha256::digest(&self.spki_der))
    }

    /// DER of the SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The key as `-----BEGIN PUBLIC KEY-----` PEM (LF line endings, trailing newline).
    pub fn to_pem(&self) -> String {
        pkcs8::der::pem::encode_string("PUBLIC KEY", LineEnding::LF, &self.spki_der)
            .expect("PEM encoding of a small DER document cannot fail")
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }
}

impl PrivateKey {
    fn from_signing_key(key: SigningKey) -> Self {
        let public = PublicKey::from_verifying_key(*key.verifying_key());
        Self { key, public }
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key as PKCS#8 PEM: plain (`PRIVATE KEY`) without a password, encrypted
    /// (`ENCRYPTED PRIVATE KEY`, PBES2 scrypt + AES-256-CBC, random salt and IV) with one.
    pub fn to_pkcs8_pem(&self, password: Option<&str>) -> Result<Zeroizing<String>, Error> {
        let pem = match password {
            None => self.key.to_pkcs8_pem(LineEnding::LF),
            Some(password) => self.key.to_pkcs8_encrypted_pem(password, LineEnding::LF),
        };
        pem.map_err(|e| Error::Randomness {
            reason: format!("PKCS#8 encoding failed: {e}"),
        })
    }

    /// The key as a cosign/sigstore encrypted key file (`ENCRYPTED SIGSTORE PRIVATE KEY`: scrypt
    /// N=65536 r=8 p=1, NaCl secretbox), the format `cosign generate-key-pair` writes and
    /// `cosign sign-blob --key` reads. Salt and nonce are random, so the bytes differ on each call.
    pub fn to_cosign_encrypted_pem(&self, password: &str) -> Result<Zeroizing<String>, Error> {
        let der = self.key.to_pkcs8_der().map_err(|e| Error::Randomness {
            reason: format!("PKCS#8 encoding failed: {e}"),
        })?;
        cosign::encrypt(der.as_bytes(), password.as_bytes())
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// Load a private ECDSA P-256 key from PEM bytes.
///
/// Accepted: PKCS#8 `PRIVATE KEY`, encrypted PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2, e.g.
/// `openssl pkcs8 -topk8` or [`generate_key_pair`] with a password), SEC1 `EC PRIVATE KEY`, and
/// the cosign/sigstore key files `ENCRYPTED COSIGN PRIVATE KEY` / `ENCRYPTED SIGSTORE PRIVATE
/// KEY`. `origin` names the input in errors (usually the file path). The password is ignored for
/// unencrypted keys.
pub fn load_private_key(
    pem: &[u8],
    password: Option<&str>,
    origin: &str,
) -> Result<PrivateKey, Error> {
    let (label, der) = decode_pem(pem, origin)?;
    let der = Zeroizing::new(der);
    match label.as_str() {
        "PRIVATE KEY" => pkcs8_private_key(&der, origin),
        "ENCRYPTED PRIVATE KEY" => {
            let Some(password) = password else {
                return Err(Error::PasswordRequired {
                    origin: origin.to_owned(),
                    format: "encrypted PKCS#8",
                });
            };
            let info =
                pkcs8::EncryptedPrivateKeyInfoRef::try_from(der.as_slice()).map_err(|e| {
                    Error::CorruptPem {
                        origin: origin.to_owned(),
                        reason: format!("encrypted PKCS#8 structure: {e}"),
                    }
                })?;
            let plain = info.decrypt(password).map_err(|e| match e {
                pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::DecryptFailed) => {
                    Error::WrongPassword {
                        origin: origin.to_owned(),
                    }
                }
                other => Error::UnsupportedEncryption {
                    origin: origin.to_owned(),
                    reason: other.to_string(),
                },
            })?;
            // A wrong password that happens to give valid padding yields garbage DER.
            if pkcs8::PrivateKeyInfoRef::try_from(plain.as_bytes()).is_err() {
                return Err(Error::WrongPassword {
                    origin: origin.to_owned(),
                });
            }
            pkcs8_private_key(plain.as_bytes(), origin)
        }
        "ENCRYPTED COSIGN PRIVATE KEY" | "ENCRYPTED SIGSTORE PRIVATE KEY" => {
            let Some(password) = password else {
                return Err(Error::PasswordRequired {
                    origin: origin.to_owned(),
                    format: "cosign/sigstore encrypted key",
                });
            };
            let plain = cosign::decrypt(&der, password.as_bytes(), origin)?;
            pkcs8_private_key(&plain, origin)
        }
        "EC PRIVATE KEY" => {
            let secret =
                p256::SecretKey::from_sec1_der(&der).map_err(|_| Error::UnsupportedKeyType {
                    origin: origin.to_owned(),
                    found: "SEC1 EC key on another curve than P-256 (or a corrupt one)".to_owned(),
                })?;
            Ok(PrivateKey::from_signing_key(SigningKey::from(&secret)))
        }
        "RSA PRIVATE KEY" => Err(unsupported(origin, "RSA (PKCS#1)")),
        "DSA PRIVATE KEY" => Err(unsupported(origin, "DSA")),
        "OPENSSH PRIVATE KEY" => Err(unsupported(
            origin,
            "OpenSSH private key (convert an ECDSA P-256 key with `ssh-keygen -p -m PKCS8`)",
        )),
        "PUBLIC KEY" | "RSA PUBLIC KEY" => Err(Error::PublicKeyGiven {
            origin: origin.to_owned(),
            found: "public key".to_owned(),
        }),
        "CERTIFICATE" => Err(Error::PublicKeyGiven {
            origin: origin.to_owned(),
            found: "certificate".to_owned(),
        }),
        other => Err(Error::CorruptPem {
            origin: origin.to_owned(),
            reason: format!("unexpected PEM label `{other}`"),
        }),
    }
}

/// Load a public ECDSA P-256 key from `-----BEGIN PUBLIC KEY-----` (SPKI) PEM bytes.
pub fn load_public_key(pem: &[u8], origin: &str) -> Result<PublicKey, Error> {
    let (label, der) = decode_pem(pem, origin)?;
    match label.as_str() {
        "PUBLIC KEY" => {
            let spki =
                pkcs8::spki::SubjectPublicKeyInfoRef::try_from(der.as_slice()).map_err(|e| {
                    Error::CorruptPem {
                        origin: origin.to_owned(),
                        reason: format!("SubjectPublicKeyInfo structure: {e}"),
                    }
                })?;
            check_algorithm(
                spki.algorithm.oid,
                spki.algorithm.parameters_oid().ok(),
                origin,
            )?;
            let key = VerifyingKey::from_public_key_der(&der).map_err(|e| Error::InvalidKey {
                origin: origin.to_owned(),
                reason: format!("P-256 public key: {e}"),
            })?;
            Ok(PublicKey::from_verifying_key(key))
        }
        "RSA PUBLIC KEY" => Err(unsupported(origin, "RSA (PKCS#1)")),
        "PRIVATE KEY"
        | "ENCRYPTED PRIVATE KEY"
        | "EC PRIVATE KEY"
        | "RSA PRIVATE KEY"
        | "OPENSSH PRIVATE KEY"
        | "ENCRYPTED COSIGN PRIVATE KEY"
        | "ENCRYPTED SIGSTORE PRIVATE KEY" => Err(Error::PrivateKeyGiven {
            origin: origin.to_owned(),
        }),
        other => Err(Error::CorruptPem {
            origin: origin.to_owned(),
            reason: format!("unexpected PEM label `{other}`, expected `PUBLIC KEY`"),
        }),
    }
}

/// Generate a new ECDSA P-256 key pair from the operating system's random generator.
///
/// With a password the private key is encrypted PKCS#8 (PBES2: scrypt + AES-256-CBC); without,
/// plain PKCS#8. Both load with [`load_private_key`], `openssl pkey` and `cosign sign-blob --key`.
pub fn generate_key_pair(password: Option<&str>) -> Result<GeneratedKeyPair, Error> {
    if password.is_some_and(str::is_empty) {
        return Err(Error::InvalidInput {
            field: "password".to_owned(),
            reason: "the password is empty; unset it for an unencrypted key or give a real one"
                .to_owned(),
        });
    }
    let key = SigningKey::try_generate().map_err(|e| Error::Randomness {
        reason: e.to_string(),
    })?;
    let key = PrivateKey::from_signing_key(key);
    Ok(GeneratedKeyPair {
        private_pem: key.to_pkcs8_pem(password)?,
        public_pem: key.public.to_pem(),
        fingerprint: key.public.fingerprint(),
    })
}

/// Hex SHA-256 of the public key's SPKI DER (same as [`PublicKey::fingerprint`]).
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint()
}

fn unsupported(origin: &str, found: &str) -> Error {
    Error::UnsupportedKeyType {
        origin: origin.to_owned(),
        found: found.to_owned(),
    }
}

fn pkcs8_private_key(der: &[u8], origin: &str) -> Result<PrivateKey, Error> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|e| Error::CorruptPem {
        origin: origin.to_owned(),
        reason: format!("PKCS#8 structure: {e}"),
    })?;
    check_algorithm(
        info.algorithm.oid,
        info.algorithm.parameters_oid().ok(),
        origin,
    )?;
    let key = SigningKey::from_pkcs8_der(der).map_err(|e| Error::InvalidKey {
        origin: origin.to_owned(),
        reason: format!("P-256 private key: {e}"),
    })?;
    Ok(PrivateKey::from_signing_key(key))
}

fn check_algorithm(
    oid: pkcs8::ObjectIdentifier,
    curve: Option<pkcs8::ObjectIdentifier>,
    origin: &str,
) -> Result<(), Error> {
    const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
    const P256: &str = "1.2.840.10045.3.1.7";
    let oid = oid.to_string();
    if oid == EC_PUBLIC_KEY {
        let curve = curve.map(|c| c.to_string());
        return match curve.as_deref() {
            Some(P256) => Ok(()),
            Some("1.3.132.0.34") => Err(unsupported(origin, "ECDSA P-384")),
            Some("1.3.132.0.35") => Err(unsupported(origin, "ECDSA P-521")),
            Some("1.3.132.0.10") => Err(unsupported(origin, "ECDSA secp256k1")),
            Some(other) => Err(unsupported(origin, &format!("EC key on curve {other}"))),
            None => Err(unsupported(origin, "EC key without a named curve")),
        };
    }
    let found = match oid.as_str() {
        "1.2.840.113549.1.1.1" => "RSA".to_owned(),
        "1.2.840.113549.1.1.10" => "RSA-PSS".to_owned(),
        "1.3.101.112" => "Ed25519".to_owned(),
        "1.3.101.113" => "Ed448".to_owned(),
        "1.3.101.110" => "X25519".to_owned(),
        "1.3.101.111" => "X448".to_owned(),
        "1.2.840.10040.4.1" => "DSA".to_owned(),
        other => format!("with algorithm OID {other}"),
    };
    Err(unsupported(origin, &found))
}

/// Decode the first PEM block of `input`; text before and after it (comments, other blocks) is
/// ignored.
fn decode_pem(input: &[u8], origin: &str) -> Result<(String, Vec<u8>), Error> {
    let corrupt = |reason: String| Error::CorruptPem {
        origin: origin.to_owned(),
        reason,
    };
    let text =
        std::str::from_utf8(input).map_err(|_| corrupt("the file is not UTF-8 text".to_owned()))?;
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| corrupt("no `-----BEGIN` line".to_owned()))?;
    let block = &text[start..];
    let label_end = block["-----BEGIN ".len()..]
        .find("-----")
        .ok_or_else(|| corrupt("unterminated `-----BEGIN` line".to_owned()))?;
    let label = &block["-----BEGIN ".len().."-----BEGIN ".len() + label_end];
    let end_line = format!("-----END {label}-----");
    let end = block
        .find(&end_line)
        .ok_or_else(|| corrupt(format!("no `{end_line}` line")))?;
    let block = &block[..end + end_line.len()];
    let (label, der) = pkcs8::der::pem::decode_vec(block.as_bytes())
        .map_err(|e| corrupt(format!("PEM block `{label}`: {e}")))?;
    Ok((label.to_owned(), der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_and_debug_hides_the_secret() {
        let pair = generate_key_pair(None).expect("keygen");
        let key = load_private_key(pair.private_pem.as_bytes(), None, "gen.key").expect("load");
        assert_eq!(key.public_key().fingerprint(), pair.fingerprint);
        let public = load_public_key(pair.public_pem.as_bytes(), "gen.pub").expect("load pub");
        assert_eq!(&public, key.public_key());
        let body: String = pair
            .private_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let scalar = hex::encode(key.signing_key().to_bytes());
        for debug in [format!("{key:?}"), format!("{pair:?}")] {
            assert!(!debug.contains(&body[10..40]), "{debug}");
            assert!(!debug.contains(&scalar), "{debug}");
            assert!(debug.contains(&pair.fingerprint), "{debug}");
        }
    }

    #[test]
    fn encrypted_generated_key_needs_the_right_password() {
        let pair = generate_key_pair(Some("correct horse")).expect("keygen");
        assert!(
            pair.private_pem
                .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
        );
        let pem = pair.private_pem.as_bytes();
        let key = load_private_key(pem, Some("correct horse"), "k.pem").expect("load");
        assert_eq!(key.public_key().fingerprint(), pair.fingerprint);
        assert!(matches!(
            load_private_key(pem, Some("wrong"), "k.pem"),
            Err(Error::WrongPassword { origin }) if origin == "k.pem"
        ));
        assert!(matches!(
            load_private_key(pem, None, "k.pem"),
            Err(Error::PasswordRequired { .. })
        ));
    }

    #[test]
    fn empty_password_is_refused_for_keygen() {
        assert!(matches!(
            generate_key_pair(Some("")),
            Err(Error::InvalidInput { field, .. }) if field == "password"
        ));
    }

    #[test]
    fn pem_block_is_found_after_leading_text() {
        let pair = generate_key_pair(None).expect("keygen");
        let text = format!("comment line\n{}trailing\n", pair.public_pem);
        let key = load_public_key(text.as_bytes(), "x").expect("load");
        assert_eq!(key.fingerprint(), pair.fingerprint);
    }
}
