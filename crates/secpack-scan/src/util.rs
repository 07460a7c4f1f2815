//! Small pure helpers: entropy, masking, fingerprints, placeholder detection.

use sha2::{Digest, Sha256};

use crate::RuleId;

/// Shannon entropy of the bytes of `s`, in bits per byte.
pub(crate) fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// How many of the classes lower-case, upper-case, digit and other appear in `s`.
pub(crate) fn char_classes(s: &[u8]) -> (bool, bool, bool, bool) {
    let lower = s.iter().any(u8::is_ascii_lowercase);
    let upper = s.iter().any(u8::is_ascii_uppercase);
    let digit = s.iter().any(u8::is_ascii_digit);
    let other = s.iter().any(|b| !b.is_ascii_alphanumeric());
    (lower, upper, digit, other)
}

/// The masked preview of a secret: never the secret itself. Secrets of 16 characters or more
/// keep their first 4 (the vendor prefix, e.g. `ghp_` or `AKIA`); shorter ones keep nothing.
pub(crate) fn mask(secret: &[u8]) -> String {
    let len = secret.len();
    let shown = if len >= 16 { 4 } else { 0 };
    let head: String = secret
        .iter()
        .take(shown)
        .map(|&b| {
            if b.is_ascii_graphic() {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect();
    format!("{head}***({len} chars)")
}

/// The fingerprint of a finding: `<rule>:<first 4 bytes of SHA-256, hex>`.
///
/// The hash input is length-prefixed and domain-separated: `secpack-scan/fingerprint/v1`, the
/// rule name, the path, the secret. The truncation to 32 bits is deliberate: see
/// `docs/leak-gate.md` ("Fingerprints").
pub(crate) fn fingerprint(rule: RuleId, path: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [
        b"secpack-scan/fingerprint/v1".as_slice(),
        rule.as_str().as_bytes(),
        path.as_bytes(),
        secret,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let digest = h.finalize();
    let head = digest.get(..4).unwrap_or_default();
    format!("{}:{}", rule.as_str(), hex::encode(head))
}

/// Values that stand for a secret rather than being one: `${VAR}`, `$VAR`, `<password>`,
/// `{{ vault_pw }}`, `%(pw)s`, `[secret]`, `****`, `xxxxxxxx`, `REDACTED`, `your_token`,
/// `env:VAR`, `process.env...`, `os.environ...`. Default passwords such as `changeme123` are
/// NOT placeholders: they are real passwords.
pub(crate) fn is_placeholder(value: &[u8]) -> bool {
    let v = value;
    let first = v.first().copied().unwrap_or(b' ');
    if matches!(first, b'$' | b'<' | b'{' | b'%' | b'[') {
        return true;
    }
    if v.iter()
        .all(|&b| b == b'*' || b == b'x' || b == b'X' || b == b'.' || b == b'-' || b == b'#')
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    has(b"redacted")
        || has(b"placeholder")
        || has(b"your_")
        || has(b"your-")
        || has(b"env:")
        || has(b"process.env")
        || has(b"os.environ")
        || has(b"secretkeyref")
        || lower.starts_with(b"env.")
        || lower == b"password"
}

/// `a.b.c` identifier chains (`config.db.password`, `settings.TOKEN`): references, not values.
pub(crate) fn is_reference_chain(value: &[u8]) -> bool {
    let mut parts = value.split(|&b| b == b'.');
    let mut count = 0;
    let ok = parts.all(|p| {
        count += 1;
        p.first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && p.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    });
    ok && count >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_values() {
        let check = |s: &str, lo: f64, hi: f64| {
            let e = shannon_entropy(s.as_bytes());
            assert!(e >= lo && e <= hi, "{s}: {e}");
        };
        check("", 0.0, 0.0);
        check("aaaaaaaa", 0.0, 0.0);
        check("abcdabcd", 2.0, 2.0);
        check("changeme123", 3.2, 3.3);
        check("FAKE-TEST-9f8Qz1LmX3", 3.9, 4.4);
    }

    #[test]
    fn mask_never_shows_short_secrets() {
        assert_eq!(mask(b"hunter22"), "***(8 chars)");
        assert_eq!(
            mask(b"ghp_0123456789abcdef0123456789abcdef0123"),
            "ghp_***(40 chars)"
        );
        assert_eq!(mask(b"\x00\x01ab\xff0123456789abcdef"), "??ab***(21 chars)");
    }

    #[test]
    fn fingerprint_is_stable_and_depends_on_every_part() {
        let a = fingerprint(RuleId::Jwt, "a.md", b"secret");
        assert_eq!(a, fingerprint(RuleId::Jwt, "a.md", b"secret"));
        assert!(a.starts_with("jwt:") && a.len() == "jwt:".len() + 8, "{a}");
        assert_ne!(a, fingerprint(RuleId::Jwt, "b.md", b"secret"));
        assert_ne!(a, fingerprint(RuleId::Jwt, "a.md", b"secreT"));
        assert_ne!(
            a[4..],
            fingerprint(RuleId::GenericSecret, "a.md", b"secret")["generic-secret:".len()..]
        );
        // Length prefixes: moving a byte between path and secret changes the fingerprint.
        assert_ne!(fingerprint(RuleId::Jwt, "a.m", b"dsecret"), a);
    }

    #[test]
    fn placeholders_and_references() {
        for p in [
            "${DB_PASSWORD}",
            "<password>",
            "********",
            "xxxxxxxxxx",
            "{{ vault }}",
            "REDACTED-1234",
            "your_token_here",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in ["FAKE-p4ssw0rd-TEST", "changeme123", "hunter2hunter2"] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
        assert!(is_reference_chain(b"config.db.password"));
        assert!(!is_reference_chain(b"p4ss.w0rd!"));
        assert!(!is_reference_chain(b"password"));
    }
}
