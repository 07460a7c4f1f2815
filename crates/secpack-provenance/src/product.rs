//! Checking, redacting and describing the product's own SLSA provenance before it ships.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::dsse::{ReadEnvelope, read_envelopes};
use crate::error::{Error, invalid};
use crate::keys::PublicKey;
use crate::statement::{SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02, Statement};

/// What the caller expects of the product provenance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductProvenanceOptions {
    /// When set, every statement's builder id must equal it exactly.
    pub expected_builder_id: Option<String>,
    /// Fields to remove from every statement before shipping, as JSON pointers from the statement
    /// root (RFC 6901, `~1` for `/`, `~0` for `~`), where a `*` segment matches every array item
    /// or object key: `/predicate/buildDefinition/internalParameters/github/runner_name`,
    /// `/predicate/invocation/environment`, `/subject/*/annotations`. A path that matches
    /// nothing is not an error (it is absent from `removed_fields`).
    pub remove_fields: Vec<String>,
}

/// How the product provenance ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ShippedForm {
    /// The original file, byte for byte, with its signature intact (nothing was removed).
    Original,
    /// An unsigned JSON copy of the statements with fields removed (the original signature does
    /// not cover it); the summary keeps the original's SHA-256.
    RedactedUnsigned,
}

/// Whether secpack verified the provenance signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
#[non_exhaustive]
pub enum SignatureCheck {
    /// Every envelope verified with the configured key.
    Verified {
        /// Fingerprint (hex SHA-256 of the SPKI DER) of the key.
        key_fingerprint: String,
    },
    /// No check was made.
    NotChecked {
        /// Why not.
        reason: String,
    },
}

/// What one statement of the product provenance says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementSummary {
    /// `predicateType`.
    pub predicate_type: String,
    /// The builder id.
    pub builder_id: String,
    /// `buildType`, when present.
    pub build_type: Option<String>,
    /// Source repositories with their digests (git commit).
    pub sources: Vec<SourceRef>,
    /// The subjects: name and hex SHA-256.
    pub subjects: Vec<SubjectDigest>,
}

/// A source the build used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// URI, e.g. `git+https://github.com/acme/app@refs/tags/v1.2.3`.
    pub uri: String,
    /// Digest set, e.g. `gitCommit` → hex.
    pub digest: BTreeMap<String, String>,
}

/// A subject name and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectDigest {
    /// Subject name.
    pub name: String,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

/// The result of checking the product provenance: a summary for the package report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductProvenanceSummary {
    /// File name of the input (no directories).
    pub source_file: String,
    /// Hex SHA-256 of the input file as read.
    pub original_sha256: String,
    /// How it ships.
    pub shipped: ShippedForm,
    /// The file name it ships under.
    pub shipped_file: String,
    /// The signature check.
    pub signature: SignatureCheck,
    /// The concrete JSON pointers that were removed (sorted, deduplicated).
    pub removed_fields: Vec<String>,
    /// One entry per statement (per line of a `.jsonl`).
    pub statements: Vec<StatementSummary>,
}

/// The checked product provenance, ready to ship under `artifacts/provenance/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductProvenance {
    /// The bytes to ship: the original file, or the redacted unsigned copy.
    pub bytes: Vec<u8>,
    /// The summary (also names the shipped file).
    pub summary: ProductProvenanceSummary,
    /// `README.md` text describing what the provenance attests.
    pub readme: String,
}

/// Check the product's own SLSA provenance and prepare what ships.
///
/// `input` is an `.intoto.jsonl` (one DSSE envelope per line, as slsa-github-generator writes),
/// a single DSSE envelope, or a Sigstore bundle (or JSON lines of bundles) with a
/// `dsseEnvelope`. `origin` is the file's path for errors; only its file name reaches the
/// output.
///
/// Checks, in order: it parses; when `key` is given, every envelope's signature verifies with
/// it; the predicate type is SLSA provenance v1 or v0.2; every subject has a well-formed
/// SHA-256; the builder id is present and equals `options.expected_builder_id` when set. Then
/// `options.remove_fields` are removed. When nothing was removed the original bytes ship
/// untouched (signature intact); otherwise an unsigned, clearly labelled JSON copy of the
/// redacted statements ships and the summary keeps the original's SHA-256.
pub fn check_product_provenance(
    input: &[u8],
    origin: &str,
    key: Option<&PublicKey>,
    options: &ProductProvenanceOptions,
) -> Result<ProductProvenance, Error> {
    let pointers = options
        .remove_fields
        .iter()
        .map(|p| parse_pointer(p))
        .collect::<Result<Vec<_>, _>>()?;
    let envelopes = read_envelopes(input, origin)?;
    if envelopes.is_empty() {
        return Err(invalid(origin, "/", "no DSSE envelope found"));
    }
    let signature = check_signatures(&envelopes, key, origin)?;

    let mut summaries = Vec::with_capacity(envelopes.len());
    let mut values = Vec::with_capacity(envelopes.len());
    for (index, item) in envelopes.iter().enumerate() {
        let payload = item.payload(origin)?;
        let statement = item.statement_from(&payload, origin)?;
        summaries.push(summarize(&statement, index, origin, options)?);
        let value: Value = serde_json::from_slice(&payload)
            .expect("the payload parsed as a statement, so it is JSON");
        values.push(value);
    }

    let mut removed = Vec::new();
    for value in &mut values {
        for pointer in &pointers {
            remove(value, pointer, String::new(), &mut removed);
        }
    }
    removed.sort();
    removed.dedup();

    let source_file = file_name(origin);
    let original_sha256 = hex::encode(Sha256::digest(input));
    let (shipped, shipped_file, bytes) = if removed.is_empty() {
        (ShippedForm::Original, source_file.clone(), input.to_vec())
    } else {
        let file = format!("{}.redacted-unsigned.json", stem(&source_file));
        let copy = serde_json::json!({
            "notice": "UNSIGNED REDACTED COPY: secpack removed the fields listed in removedFields from the statements of the signed provenance file named in source. This file carries no signature; originalSha256 identifies the signed original.",
            "source": source_file,
            "originalSha256": original_sha256,
            "removedFields": removed,
            "statements": values,
        });
        let mut bytes =
            serde_json::to_vec_pretty(&copy).expect("serializing a JSON value cannot fail");
        bytes.push(b'\n');
        (ShippedForm::RedactedUnsigned, file, bytes)
    };
    let summary = ProductProvenanceSummary {
        source_file,
        original_sha256,
        shipped,
        shipped_file,
        signature,
        removed_fields: removed,
        statements: summaries,
    };
    let readme = readme(&summary);
    Ok(ProductProvenance {
        bytes,
        summary,
        readme,
    })
}

fn check_signatures(
    envelopes: &[ReadEnvelope],
    key: Option<&PublicKey>,
    origin: &str,
) -> Result<SignatureCheck, Error> {
    let Some(key) = key else {
        let keyless = envelopes.iter().any(|e| e.has_certificate);
        let reason = if keyless {
            "keyless (certificate) bundles are not verified offline by secpack; no key configured"
        } else {
            "no product provenance key configured"
        };
        return Ok(SignatureCheck::NotChecked {
            reason: reason.to_owned(),
        });
    };
    for item in envelopes {
        crate::dsse::verify_read_envelope(item, key, origin)?;
    }
    Ok(SignatureCheck::Verified {
        key_fingerprint: key.fingerprint(),
    })
}

fn summarize(
    statement: &Statement,
    index: usize,
    origin: &str,
    options: &ProductProvenanceOptions,
) -> Result<StatementSummary, Error> {
    let predicate = &statement.predicate;
    let (builder_pointer, build_type_pointer) = match statement.predicate_type.as_str() {
        SLSA_PROVENANCE_V1 => ("/runDetails/builder/id", "/buildDefinition/buildType"),
        SLSA_PROVENANCE_V02 => ("/builder/id", "/buildType"),
        other => {
            return Err(Error::UnknownPredicateType {
                origin: origin.to_owned(),
                index,
                found: other.to_owned(),
                expected: format!("{SLSA_PROVENANCE_V1}, {SLSA_PROVENANCE_V02}"),
            });
        }
    };
    if statement.subject.is_empty() {
        return Err(invalid(
            origin,
            &format!("statement {index}: /subject"),
            "no subjects; the provenance must name the artifacts it is about",
        ));
    }
    let mut subjects = Vec::with_capacity(statement.subject.len());
    for subject in &statement.subject {
        let bad = |reason: String| Error::BadSubjectDigest {
            origin: origin.to_owned(),
            index,
            name: subject.name.clone(),
            reason,
        };
        let Some(sha256) = subject.digest.get("sha256") else {
            let found: Vec<&str> = subject.digest.keys().map(String::as_str).collect();
            return Err(bad(format!(
                "no sha256 digest (found: {})",
                found.join(", ")
            )));
        };
        let well_formed = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !well_formed {
            return Err(bad(format!("sha256 `{sha256}` is malformed")));
        }
        subjects.push(SubjectDigest {
            name: subject.name.clone(),
            sha256: sha256.clone(),
        });
    }
    let builder_id = predicate
        .pointer(builder_pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            invalid(
                origin,
                &format!("statement {index}: /predicate{builder_pointer}"),
                "missing; SLSA provenance must name its builder",
            )
        })?
        .to_owned();
    if let Some(expected) = &options.expected_builder_id
        && &builder_id != expected
    {
        return Err(Error::BuilderMismatch {
            origin: origin.to_owned(),
            index,
            found: builder_id,
            expected: expected.clone(),
        });
    }
    Ok(StatementSummary {
        predicate_type: statement.predicate_type.clone(),
        builder_id,
        build_type: predicate
            .pointer(build_type_pointer)
            .and_then(Value::as_str)
            .map(str::to_owned),
        sources: sources(statement),
        subjects,
    })
}

fn source_ref(value: &Value) -> Option<SourceRef> {
    let uri = value.get("uri")?.as_str()?.to_owned();
    let digest = value
        .get("digest")
        .and_then(Value::as_object)
        .map(|d| {
            d.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    Some(SourceRef { uri, digest })
}

fn sources(statement: &Statement) -> Vec<SourceRef> {
    let predicate = &statement.predicate;
    if statement.predicate_type == SLSA_PROVENANCE_V02 {
        let config = predicate
            .pointer("/invocation/configSource")
            .and_then(source_ref);
        return config
            .or_else(|| predicate.pointer("/materials/0").and_then(source_ref))
            .into_iter()
            .collect();
    }
    let resolved: Vec<SourceRef> = predicate
        .pointer("/buildDefinition/resolvedDependencies")
        .and_then(Value::as_array)
        .map(|deps| deps.iter().filter_map(source_ref).collect())
        .unwrap_or_default();
    let git: Vec<SourceRef> = resolved
        .iter()
        .filter(|s| s.uri.starts_with("git+") || s.digest.contains_key("gitCommit"))
        .cloned()
        .collect();
    if git.is_empty() {
        resolved.into_iter().take(1).collect()
    } else {
        git
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Any,
    Name(String),
}

fn parse_pointer(path: &str) -> Result<Vec<Segment>, Error> {
    let bad = |reason: &str| Error::BadRedactionPath {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let Some(rest) = path.strip_prefix('/') else {
        return Err(bad("it must start with `/`"));
    };
    if rest.is_empty() {
        return Err(bad("it would remove the whole statement"));
    }
    if matches!(rest, "_type" | "predicateType" | "subject" | "predicate") {
        return Err(bad(
            "it would remove a required part of the statement; remove fields inside it instead",
        ));
    }
    rest.split('/')
        .map(|segment| {
            if segment.is_empty() {
                return Err(bad("empty segment (`//`)"));
            }
            Ok(if segment == "*" {
                Segment::Any
            } else {
                Segment::Name(segment.replace("~1", "/").replace("~0", "~"))
            })
        })
        .collect()
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Remove every match of `pointer` below `value`; `at` is the pointer of `value`.
fn remove(value: &mut Value, pointer: &[Segment], at: String, removed: &mut Vec<String>) {
    let Some((first, rest)) = pointer.split_first() else {
        return;
    };
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = match first {
                Segment::Any => map.keys().cloned().collect(),
                Segment::Name(name) if map.contains_key(name) => vec![name.clone()],
                Segment::Name(_) => Vec::new(),
            };
            for key in keys {
                let path = format!("{at}/{}", escape(&key));
                if rest.is_empty() {
                    map.shift_remove(&key);
                    removed.push(path);
                } else if let Some(child) = map.get_mut(&key) {
                    remove(child, rest, path, removed);
                }
            }
        }
        Value::Array(items) => {
            let indices: Vec<usize> = match first {
                Segment::Any => (0..items.len()).collect(),
                Segment::Name(name) => name
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < items.len())
                    .into_iter()
                    .collect(),
            };
            if rest.is_empty() {
                // Remove from the back so earlier indices stay valid.
                for index in indices.into_iter().rev() {
                    items.remove(index);
                    removed.push(format!("{at}/{index}"));
                }
            } else {
                for index in indices {
                    if let Some(child) = items.get_mut(index) {
                        remove(child, rest, format!("{at}/{index}"), removed);
                    }
                }
            }
        }
        _ => {}
    }
}

fn file_name(origin: &str) -> String {
    let name = origin
        .rsplit(['/', '\\'])
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("provenance.intoto.jsonl");
    name.to_owned()
}

fn stem(name: &str) -> &str {
    for suffix in [".intoto.jsonl", ".sigstore.json", ".jsonl", ".json"] {
        if let Some(stem) = name.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem;
        }
    }
    name
}

/// The README.md text for `artifacts/provenance/`.
fn readme(summary: &ProductProvenanceSummary) -> String {
    let mut out = String::new();
    out.push_str("# Product provenance\n\n");
    let _ = writeln!(
        out,
        "`{}` is the SLSA provenance that the product's build system produced for this release. It attests which builder built the artifacts listed below, from which source.\n",
        summary.shipped_file
    );
    for (index, statement) in summary.statements.iter().enumerate() {
        if summary.statements.len() > 1 {
            let _ = writeln!(out, "## Statement {}\n", index + 1);
        }
        let _ = writeln!(out, "- Predicate type: `{}`", statement.predicate_type);
        let _ = writeln!(out, "- Builder: `{}`", statement.builder_id);
        if let Some(build_type) = &statement.build_type {
            let _ = writeln!(out, "- Build type: `{build_type}`");
        }
        for source in &statement.sources {
            let digests: Vec<String> = source
                .digest
                .iter()
                .map(|(k, v)| format!("{k} `{v}`"))
                .collect();
            if digests.is_empty() {
                let _ = writeln!(out, "- Source: `{}`", source.uri);
            } else {
                let _ = writeln!(out, "- Source: `{}` ({})", source.uri, digests.join(", "));
            }
        }
        out.push_str("- Subjects (sha256):\n");
        for subject in &statement.subjects {
            let _ = writeln!(out, "  - `{}` `{}`", subject.name, subject.sha256);
        }
        out.push('\n');
    }
    match &summary.signature {
        SignatureCheck::Verified { key_fingerprint } => {
            let _ = writeln!(
                out,
                "Signature: verified when this package was built, with the builder key whose fingerprint (SHA-256 of its SubjectPublicKeyInfo) is `{key_fingerprint}`.\n"
            );
        }
        SignatureCheck::NotChecked { reason } => {
            let _ = writeln!(
                out,
                "Signature: not checked when this package was built ({reason}).\n"
            );
        }
    }
    match summary.shipped {
        ShippedForm::Original => {
            let _ = writeln!(
                out,
                "The file is the original, unchanged: its DSSE signature can be verified with the builder's public key."
            );
        }
        ShippedForm::RedactedUnsigned => {
            let _ = writeln!(
                out,
                "The file is an UNSIGNED redacted copy: internal fields were removed ({}), which the original signature does not allow, so it carries no signature of its own. The signed original `{}` has sha256 `{}`; the package's own signed provenance lists that file and digest among its resolved dependencies.",
                summary
                    .removed_fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                summary.source_file,
                summary.original_sha256
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(doc: Value, paths: &[&str], expected_doc: Value, expected_removed: &[&str]) {
        let mut doc = doc;
        let mut removed = Vec::new();
        for path in paths {
            let pointer = parse_pointer(path).expect("valid path");
            remove(&mut doc, &pointer, String::new(), &mut removed);
        }
        removed.sort();
        assert_eq!(doc, expected_doc);
        assert_eq!(removed, expected_removed);
    }

    #[test]
    fn removal_paths() {
        check(
            json!({"a": {"b": 1, "c": 2}}),
            &["/a/b"],
            json!({"a": {"c": 2}}),
            &["/a/b"],
        );
        check(
            json!({"s": [{"n": 1, "x": 2}, {"n": 3}]}),
            &["/s/*/x", "/s/*/missing"],
            json!({"s": [{"n": 1}, {"n": 3}]}),
            &["/s/0/x"],
        );
        check(
            json!({"e": {"k/1": 1, "k~2": 2, "z": 3}}),
            &["/e/k~11", "/e/k~02"],
            json!({"e": {"z": 3}}),
            &["/e/k~02", "/e/k~11"],
        );
        check(
            json!({"l": [1, 2, 3]}),
            &["/l/1"],
            json!({"l": [1, 3]}),
            &["/l/1"],
        );
        check(
            json!({"l": [1, 2]}),
            &["/l/*"],
            json!({"l": []}),
            &["/l/0", "/l/1"],
        );
        check(json!({"a": 1}), &["/a/b/c", "/x"], json!({"a": 1}), &[]);
    }

    #[test]
    fn bad_paths_are_refused() {
        for (path, reason) in [
            ("a/b", "it must start with `/`"),
            ("/", "it would remove the whole statement"),
            ("/a//b", "empty segment (`//`)"),
            (
                "/subject",
                "it would remove a required part of the statement; remove fields inside it instead",
            ),
        ] {
            match parse_pointer(path) {
                Err(Error::BadRedactionPath { path: p, reason: r }) => {
                    assert_eq!((p.as_str(), r.as_str()), (path, reason));
                }
                other => panic!("{path}: {other:?}"),
            }
        }
    }

    #[test]
    fn shipped_names() {
        assert_eq!(
            file_name("/abs/dir/summit.intoto.jsonl"),
            "summit.intoto.jsonl"
        );
        assert_eq!(file_name("c:\\x\\p.json"), "p.json");
        assert_eq!(stem("summit-1.2.3.intoto.jsonl"), "summit-1.2.3");
        assert_eq!(stem("p.sigstore.json"), "p");
        assert_eq!(stem("odd"), "odd");
    }
}
