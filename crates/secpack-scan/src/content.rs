//! Deciding by content whether input is text, binary worth scanning as bytes, or unscannable.

use serde::Serialize;

use crate::util::shannon_entropy;

/// How the scanner treated an input. Decided on its first 8 KiB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ContentKind {
    /// Text (UTF-8, or almost: a few invalid bytes are tolerated). Fully scanned.
    Text,
    /// Binary that can still hold text (NUL bytes, much invalid UTF-8, low entropy): scanned
    /// as bytes, so embedded ASCII secrets are found; line numbers count `\n` bytes.
    Binary {
        /// Why it is not text.
        reason: String,
    },
    /// Compressed, encrypted or UTF-16 content whose text the gate cannot see. Scanned as bytes
    /// anyway, and reported as an `unscannable-content` finding, which blocks unless excepted.
    Unscannable {
        /// What the content is and why it cannot be checked.
        reason: String,
    },
}

/// Formats recognised by their first bytes whose content is compressed or otherwise not text.
const MAGIC: [(&[u8], &str); 14] = [
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "zip archive"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF-", "PDF document (compressed streams)"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"\xff\xfe", "UTF-16 text (convert it to UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (convert it to UTF-8)"),
];

/// Above this many bits per byte, binary content is taken as compressed or encrypted.
const OPAQUE_ENTROPY: f64 = 7.2;
/// Above this share of invalid UTF-8 bytes, content is binary.
const MAX_INVALID_UTF8: f64 = 0.10;

/// Classify content from its first bytes.
pub(crate) fn classify(sample: &[u8]) -> ContentKind {
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| sample.starts_with(magic)) {
        return ContentKind::Unscannable {
            reason: format!(
                "{what}: its text cannot be inspected; ship it uncompressed or add an exception"
            ),
        };
    }
    let nul = sample.contains(&0);
    let chunks: Vec<_> = sample.utf8_chunks().collect();
    let invalid: usize = chunks
        .iter()
        .enumerate()
        // An incomplete character cut by the end of the sample is not invalid.
        .filter(|(i, chunk)| !(i + 1 == chunks.len() && chunk.invalid().len() <= 3))
        .map(|(_, chunk)| chunk.invalid().len())
        .sum();
    let ratio = if sample.is_empty() {
        0.0
    } else {
        invalid as f64 / sample.len() as f64
    };
    if !nul && ratio <= MAX_INVALID_UTF8 {
        return ContentKind::Text;
    }
    let reason = if nul {
        "contains NUL bytes".to_owned()
    } else {
        format!("{:.0}% of the first bytes are not UTF-8", ratio * 100.0)
    };
    let entropy = shannon_entropy(sample);
    if sample.len() >= 1024 && entropy > OPAQUE_ENTROPY {
        return ContentKind::Unscannable {
            reason: format!(
                "binary data with {entropy:.1} bits of entropy per byte ({reason}), likely compressed or encrypted; \
                 its text cannot be inspected: ship it uncompressed or add an exception"
            ),
        };
    }
    ContentKind::Binary {
        reason: format!("{reason}; scanned as bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(c: &ContentKind) -> &'static str {
        match c {
            ContentKind::Text => "text",
            ContentKind::Binary { .. } => "binary",
            ContentKind::Unscannable { .. } => "unscannable",
        }
    }

    #[test]
    fn classify_by_content() {
        let check = |input: &[u8], expected: &str| {
            assert_eq!(kind(&classify(input)), expected, "{input:?}")
        };
        check(b"", "text");
        check(b"# Policy\nplain text\n", "text");
        check("caf\u{e9} na\u{ef}ve \u{1f512}".as_bytes(), "text");
        // Latin-1 text with a few invalid bytes is still text.
        check(
            b"caf\xe9 and more plain ascii text around it to dilute",
            "text",
        );
        // A multi-byte character cut by the end of the sample is not invalid.
        check(
            &"x".repeat(100)
                .into_bytes()
                .into_iter()
                .chain([0xe2, 0x82])
                .collect::<Vec<u8>>(),
            "text",
        );
        check(b"\x00\x01\x02ELF header and strings", "binary");
        check(&[0xffu8; 64], "binary");
        check(b"\x1f\x8b\x08\x00rest", "unscannable");
        check(b"PK\x03\x04rest", "unscannable");
        check(b"\xff\xfeh\x00i\x00", "unscannable");
        // High-entropy bytes: compressed or encrypted.
        let mut x: u32 = 12345;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x.to_le_bytes()[0]
            })
            .collect();
        check(&noise, "unscannable");
    }
}
