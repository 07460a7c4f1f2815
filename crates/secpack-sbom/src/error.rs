//! The one error type of this crate.

/// Everything that can go wrong while reading rules, redacting an SBOM or aggregating licenses.
///
/// The SBOM functions take bytes, not paths: callers name the file, for example
/// `format!("{}: {err}", path.display())`. Positions (`line`, `column`) are 1-based and refer
/// to the input as given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The rules TOML could not be read or has a bad field.
    #[error("{origin}:{line}:{column}: {message}")]
    Rules {
        /// Where the rules came from, as the caller named it (a file path or `secpack.toml [sbom.redact]`).
        origin: String,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column of the offending value.
        column: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The input is larger than the `max_input_bytes` rule allows.
    #[error(
        "sbom is {size} bytes, more than the limit of {limit} bytes; raise `max_input_bytes` in the redaction rules if this file is expected"
    )]
    TooLarge {
        /// Size of the input in bytes.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The input is not UTF-8 JSON (includes truncated files).
    #[error("sbom is not valid JSON: {message} at line {line} column {column}")]
    NotJson {
        /// The parser's message.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The input nests arrays and objects deeper than the parser accepts.
    #[error(
        "sbom nests arrays/objects more than 127 levels deep at line {line} column {column}; real SBOMs are far shallower, so the file is malformed or hostile"
    )]
    TooDeep {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// An object repeats a key, which makes the SBOM ambiguous.
    #[error(
        "sbom object has the key \"{key}\" twice at line {line} column {column}; remove the duplicate"
    )]
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// 1-based line of the second occurrence.
        line: usize,
        /// 1-based column of the second occurrence.
        column: usize,
    },
    /// Neither CycloneDX JSON nor SPDX JSON.
    #[error(
        "sbom format not recognised: {found}; expected CycloneDX JSON (\"bomFormat\": \"CycloneDX\") or SPDX JSON (\"spdxVersion\": \"SPDX-2.3\")"
    )]
    UnknownFormat {
        /// What was found instead.
        found: String,
    },
    /// A known format in a version this crate does not handle.
    #[error("sbom is {format} {version}, which is not supported; supported versions: {supported}")]
    UnsupportedVersion {
        /// `CycloneDX` or `SPDX`.
        format: &'static str,
        /// The version the file declares.
        version: String,
        /// The versions this crate handles.
        supported: &'static str,
    },
    /// Two elements share an identifier that must be unique (`bom-ref`, `SPDXID`).
    #[error(
        "sbom has the {field} \"{id}\" twice (line {first_line} and line {second_line}); identifiers must be unique, so references to it are ambiguous"
    )]
    DuplicateId {
        /// `bom-ref` or `SPDXID`.
        field: &'static str,
        /// The repeated identifier.
        id: String,
        /// 1-based line of the first occurrence.
        first_line: usize,
        /// 1-based line of the second occurrence.
        second_line: usize,
    },
    /// A field has a JSON type that makes safe redaction impossible.
    #[error(
        "sbom field `{field}` at line {line} column {column} must be {expected}, found {found}"
    )]
    Structure {
        /// The field, as a path such as `components[3].properties`.
        field: String,
        /// What the format requires.
        expected: &'static str,
        /// What the file has.
        found: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// `pseudonymize = true` but the caller gave no key.
    #[error(
        "redaction rules set `pseudonymize = true` but no pseudonym key was given; pass a secret key of at least 16 bytes (for example from the CI secret SECPACK_SBOM_PSEUDONYM_KEY) or set `pseudonymize = false`"
    )]
    MissingPseudonymKey,
    /// The pseudonym key is too short to resist guessing.
    #[error(
        "pseudonym key is {len} bytes; use at least 16 random bytes so pseudonyms cannot be reversed by guessing component names"
    )]
    WeakPseudonymKey {
        /// Length of the given key.
        len: usize,
    },
    /// One of several inputs (1-based) failed.
    #[error("sbom input #{index}: {source}")]
    Input {
        /// 1-based position of the input in the list given.
        index: usize,
        /// What went wrong with it.
        source: Box<Error>,
    },
    /// A bug in this crate: the output it built is not valid JSON. Nothing is returned.
    #[error(
        "internal error in secpack-sbom: {0}; no output was produced, please report this with the input"
    )]
    Internal(String),
}
