//! Redaction of software bills of materials, and license aggregation.
//!
//! `secpack-sbom` turns a CycloneDX JSON (1.4-1.7) or SPDX JSON (2.2, 2.3) SBOM into one that is
//! safe to give a customer, and builds `third-party-licenses.txt` from SBOMs:
//!
//! - **Lossless**: the output is the input with span edits applied. Whatever no rule touches is
//!   copied byte for byte: key order, number spelling, whitespace, unknown fields, `$schema`.
//!   When no rule matches, the output *is* the input.
//! - **Rules** ([`Rules`]): remove components/packages by purl, name, group/namespace, supplier or
//!   property flag; strip properties, URLs, file paths, SPDX files, authors, e-mails; optionally
//!   keep keyed pseudonym stubs for removed components others depend on. Credentials in URLs are
//!   always removed.
//! - **Consistent**: no dangling reference (CycloneDX `dependencies`, `compositions`,
//!   `vulnerabilities[].affects`, `annotations`, nested components, services; SPDX
//!   `relationships`, `documentDescribes`, `hasFiles`); the omission is declared in the SBOM
//!   (CycloneDX: an `incomplete` composition and a `secpack:redaction` metadata property, with
//!   the BOM `version` incremented; SPDX: an annotation and a new `documentNamespace`).
//! - **Traceable**: a [`Summary`] with the rules, counts and the SHA-256 of the original.
//!
//! It never reads files or the network, never uses the clock or randomness: bytes in, bytes
//! out, the same bytes on every run.
//!
//! ```
//! let input = br#"{
//!   "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
//!   "components": [
//!     {"bom-ref": "a", "type": "library", "name": "app-core", "version": "1.0.0", "purl": "pkg:cargo/app-core@1.0.0"},
//!     {"bom-ref": "b", "type": "library", "name": "acme-internal-auth", "group": "com.acme.internal"}
//!   ],
//!   "dependencies": [{"ref": "a", "dependsOn": ["b"]}, {"ref": "b"}]
//! }"#;
//! let rules = secpack_sbom::Rules::from_toml(r#"remove_groups = ["com.acme.internal"]"#, "rules.toml")?;
//! let out = secpack_sbom::redact(input, &rules, None)?;
//! assert_eq!(out.format.to_string(), "CycloneDX 1.6");
//! let text = String::from_utf8(out.bytes)?;
//! assert!(!text.contains("acme-internal-auth"));
//! assert!(text.contains(r#""dependsOn": []"#)); // no dangling reference to "b"
//! assert_eq!(out.summary.removed["components"], 1);
//!
//! let licenses = secpack_sbom::licenses(&[text.as_bytes()])?;
//! assert!(licenses.contains("app-core 1.0.0\npurl: pkg:cargo/app-core@1.0.0\nlicense: (no license information in the SBOM)"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod cdx;
mod ctx;
mod edit;
mod error;
mod format;
mod fxhash;
mod json;
mod licenses;
mod pseudonym;
mod purl;
mod rules;
mod scrub;
mod spdx;
mod summary;

use std::collections::BTreeMap;

use sha2::Digest;

pub use error::Error;
pub use format::Format;
pub use licenses::licenses;
pub use rules::{DEFAULT_MAX_INPUT_BYTES, Pattern, PropertyFlag, Rules};
pub use summary::Summary;

/// A redacted SBOM.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Redacted {
    /// Format and version (the same for input and output).
    pub format: Format,
    /// The redacted SBOM, valid JSON of the same format and version.
    pub bytes: Vec<u8>,
    /// What was done.
    pub summary: Summary,
}

/// Redact one SBOM (CycloneDX JSON 1.4-1.7 or SPDX JSON 2.2/2.3, detected from the content).
///
/// `pseudonym_key` is the secret for [`Rules::pseudonymize`]: required (at least 16 bytes) when
/// that rule is on, ignored otherwise. On any error nothing is returned: no partial output.
/// Errors do not name the file (this function only sees bytes); prefix them with the path.
pub fn redact(
    input: &[u8],
    rules: &Rules,
    pseudonym_key: Option<&[u8]>,
) -> Result<Redacted, Error> {
    if input.len() as u64 > rules.max_input_bytes {
        return Err(Error::TooLarge {
            size: input.len() as u64,
            limit: rules.max_input_bytes,
        });
    }
    let pseudo = match (rules.pseudonymize, pseudonym_key) {
        (false, _) => None,
        (true, None) => return Err(Error::MissingPseudonymKey),
        (true, Some(key)) => Some(pseudonym::Pseudonymizer::new(key)?),
    };
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len());
    let head = input.get(start..).unwrap_or_default();
    if head.starts_with(b"<") {
        return Err(Error::UnknownFormat {
            found: "XML; only the JSON encodings of CycloneDX and SPDX are supported".into(),
        });
    }
    if head.starts_with(b"SPDXVersion:") {
        return Err(Error::UnknownFormat {
            found: "SPDX tag-value; only the JSON encoding of SPDX is supported".into(),
        });
    }
    // Two cores: the second one hashes and validates the input while this one redacts it. The
    // digest is only needed in the declaration text, so the edits carry a placeholder that is
    // patched afterwards; a validation error wins over whatever the redaction produced.
    let doc = json::Doc::unchecked(input)?;
    let (checked, original_sha256, work) = std::thread::scope(|s| {
        let check = s.spawn(|| (hex::encode(sha2::Sha256::digest(input)), doc.validate()));
        let work = redact_unvalidated(doc, rules, pseudo.as_ref());
        let (sha, checked) = check
            .join()
            .unwrap_or_else(|_| (hex::encode(sha2::Sha256::digest(input)), doc.validate()));
        (checked, sha, work)
    });
    checked?;
    let (format, mut ctx) = work?;
    ctx.edits.patch(SHA_PLACEHOLDER, &original_sha256);
    ctx.edits.patch(
        NAMESPACE_PLACEHOLDER,
        &spdx::namespace_uuid(&original_sha256, rules),
    );
    let ctx::Ctx {
        edits,
        removed,
        changed,
        problems,
        ..
    } = ctx;
    let unchanged = edits.is_empty();
    let text = edits.apply(doc.text)?;
    // Safety net in debug builds (and so in every test): the output must be JSON. Release builds
    // skip this second full parse: edits remove whole elements or insert serde_json-encoded values.
    if cfg!(debug_assertions)
        && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text)
    {
        return Err(Error::Internal(format!(
            "redacted output is not valid JSON ({e})"
        )));
    }
    let redacted_sha256 = hex::encode(sha2::Sha256::digest(text.as_bytes()));
    let pseudonymized = changed.contains_key("components_pseudonymized")
        || changed.contains_key("packages_pseudonymized");
    let summary = Summary {
        format,
        original_sha256,
        redacted_sha256,
        unchanged,
        pseudonymized,
        rules: rules.clone(),
        removed: removed
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        changed: changed
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        input_problems: problems,
    };
    Ok(Redacted {
        format,
        bytes: text.into_bytes(),
        summary,
    })
}

/// Stand-ins for values computed while the redaction runs (see `redact`).
pub(crate) const SHA_PLACEHOLDER: &str = "@@secpack-sbom:original-sha256@@";
pub(crate) const NAMESPACE_PLACEHOLDER: &str = "@@secpack-sbom:namespace-uuid@@";

fn redact_unvalidated<'a, 'r>(
    doc: json::Doc<'a>,
    rules: &'r Rules,
    pseudo: Option<&pseudonym::Pseudonymizer>,
) -> Result<(Format, ctx::Ctx<'a, 'r>), Error> {
    let root = doc.root(2)?;
    let format = format::detect(&doc, &root)?;
    let mut ctx = ctx::Ctx::new(doc, rules);
    match format {
        Format::CycloneDx { .. } => cdx::redact(&mut ctx, &root, pseudo, SHA_PLACEHOLDER)?,
        Format::Spdx { minor } => spdx::redact(&mut ctx, &root, minor, pseudo, SHA_PLACEHOLDER)?,
    }
    Ok((format, ctx))
}

/// The sentence declaring the redaction inside the SBOM.
pub(crate) fn declaration_text(
    removed: &BTreeMap<&'static str, u64>,
    changed: &BTreeMap<&'static str, u64>,
    original_sha256: &str,
) -> String {
    let mut parts: Vec<String> = removed.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    for k in ["components_pseudonymized", "packages_pseudonymized"] {
        if let Some(v) = changed.get(k) {
            parts.push(format!("{k}: {v}"));
        }
    }
    let what = if parts.is_empty() {
        "values changed, nothing removed".to_string()
    } else {
        parts.join(", ")
    };
    format!(
        "This SBOM was redacted by secpack-sbom before sharing and is intentionally incomplete ({what}). Original SBOM SHA-256: {original_sha256}"
    )
}
