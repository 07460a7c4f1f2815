//! The redaction summary: what the traceability index records about one SBOM.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Format, Rules};

/// What a redaction did, for the traceability index and for the person running it.
///
/// Deterministic: the same input, rules and key give the same summary, byte for byte, when
/// serialized (maps are `BTreeMap`s, problems are in input order). It never holds names, URLs or
/// paths of what was removed, only counts and input positions: it may be shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Format and version of the input (and output), e.g. `CycloneDX 1.6`.
    pub format: Format,
    /// Lower-case hex SHA-256 of the input bytes.
    pub original_sha256: String,
    /// Lower-case hex SHA-256 of the output bytes.
    pub redacted_sha256: String,
    /// `true` when the output is the input, byte for byte (no rule matched anything).
    pub unchanged: bool,
    /// Whether pseudonyms were derived (only when `pseudonymize` is set and something needed one).
    pub pseudonymized: bool,
    /// The rules as applied (after defaults).
    pub rules: Rules,
    /// Counts of removed things, by kind (see docs/sbom.md for the keys); zero counts are omitted.
    pub removed: BTreeMap<String, u64>,
    /// Counts of changed things, by kind; zero counts are omitted.
    pub changed: BTreeMap<String, u64>,
    /// Problems of the input itself (`line L column C: ...`), reported and worked around.
    pub input_problems: Vec<String>,
}
