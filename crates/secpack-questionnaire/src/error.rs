//! The crate's error type and the diagnostics that validation collects.

use std::fmt;

use crate::Date;

/// A 1-based line and column (in characters) inside a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte offset `offset` in `text` (clamped to the text, rounded down to a
    /// character boundary). Scans the text: for many lookups use [`LineIndex`].
    #[cfg(test)]
    pub(crate) fn of_offset(text: &str, offset: usize) -> Location {
        LineIndex::new(text).location(offset)
    }
}

/// Byte offsets of line starts, to turn many byte offsets of one text into locations quickly.
#[derive(Debug)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Offset of the first byte of each line; the first is 0.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// See [`Location::of_offset`].
    pub(crate) fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // The last line start at or before `offset`; there is always one (0).
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        Location {
            line,
            column: self
                .text
                .get(start..offset)
                .unwrap_or_default()
                .chars()
                .count()
                + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Whether a diagnostic stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem found in the questionnaire data, with where it is.
///
/// Displays as `FILE:LINE:COL: SEVERITY: id `ID`, field `FIELD`: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The origin name the file was parsed with (its source path in the repository).
    pub file: String,
    pub location: Location,
    /// The questionnaire, domain, question, answer or control id the problem is about.
    pub id: Option<String>,
    /// The TOML key the problem is about (`answer`, `evidence`, `last_reviewed`, ...).
    pub field: Option<&'static str>,
    pub problem: Problem,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: ", self.file, self.location, self.severity)?;
        match (&self.id, self.field) {
            (Some(id), Some(field)) => write!(f, "id `{id}`, field `{field}`: ")?,
            (Some(id), None) => write!(f, "id `{id}`: ")?,
            (None, Some(field)) => write!(f, "field `{field}`: ")?,
            (None, None) => {}
        }
        write!(f, "{}", self.problem)
    }
}

/// What is wrong. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Malformed TOML, a wrong type, an unknown or a missing key.
    #[error("{message} ({what}, see docs/questionnaires.md)")]
    Toml { what: &'static str, message: String },
    #[error(
        "duplicate {kind} id `{id}`, first defined at {first_file}:{first_line}: give each {kind} its own id"
    )]
    DuplicateId {
        kind: &'static str,
        id: String,
        first_file: String,
        first_line: usize,
    },
    #[error("invalid id `{id}`: {reason}")]
    InvalidId { id: String, reason: &'static str },
    #[error("`{field}` is empty: write the text, it is shown to customers")]
    EmptyField { field: &'static str },
    #[error(
        "domain `{domain}` is not declared: add a [[domain]] with id = \"{domain}\" or fix the question's domain"
    )]
    UnknownDomain { domain: String },
    #[error(
        "questionnaire `{bank}` has no answers file: add one with bank = \"{bank}\" to `answers` in [questionnaires]"
    )]
    MissingAnswers { bank: String },
    #[error("question is not answered in {answers_file}: add an [[answer]] with id = \"{id}\"")]
    Unanswered { id: String, answers_file: String },
    #[error(
        "questionnaire `{bank}` ({bank_file}) has no question `{id}`: fix the id or remove this answer"
    )]
    UnknownQuestion {
        id: String,
        bank: String,
        bank_file: String,
    },
    #[error(
        "no configured question bank has id `{bank}`: fix `bank` or add the bank's file to `banks` in [questionnaires]"
    )]
    UnknownBank { bank: String },
    #[error(
        "questionnaire `{bank}` is already answered in {first_file}: keep one answers file per questionnaire"
    )]
    DuplicateAnswers { bank: String, first_file: String },
    #[error("invalid answer `{value}`: use one of Yes, No, N/A, Partial")]
    InvalidAnswer { value: String },
    #[error("`{value}` is listed twice: remove the duplicate")]
    DuplicateEntry { value: String },
    #[error(
        "evidence `{path}` is not a repository path ({reason}): write it relative to the repository root, e.g. policies/access-control-policy.md"
    )]
    InvalidEvidencePath { path: String, reason: &'static str },
    #[error("evidence `{path}` does not exist at this revision: fix the path or commit the file")]
    EvidenceMissing { path: String },
    #[error(
        "evidence `{path}` is internal and is never shipped: cite public or customer-only evidence, or set allow_internal_evidence = true in [questionnaires] to show it as \"available to auditors on request\""
    )]
    EvidenceInternal { path: String },
    #[error(
        "evidence `{path}` is shareable but not in the package: map it with [files] or [[dirs]] in secpack.toml, or cite a shipped file"
    )]
    EvidenceNotShipped { path: String },
    #[error(
        "the evidence index maps `{path}` to `{package_path}`, which is not a relative path inside the package: fix the caller's evidence index"
    )]
    InvalidPackagePath { path: String, package_path: String },
    #[error(
        "last reviewed on {last_reviewed}, {age_days} days before {today} (limit {max_days} days): review the answer and update `last_reviewed`"
    )]
    StaleReview {
        last_reviewed: Date,
        today: Date,
        age_days: i64,
        max_days: u32,
    },
    #[error("last reviewed on {last_reviewed}, after the build date {today}: fix `last_reviewed`")]
    ReviewInFuture { last_reviewed: Date, today: Date },
}

/// The error of every fallible function in this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// One file could not be read as the expected TOML document.
    #[error("{file}:{location}: {problem}")]
    Toml {
        file: String,
        location: Location,
        problem: Problem,
    },
    /// The data parsed but is inconsistent. Holds every problem found (errors and warnings),
    /// sorted by file and location; the message lists them one per line.
    #[error("{}", list(diagnostics))]
    Invalid { diagnostics: Vec<Diagnostic> },
}

impl Error {
    /// The problems as diagnostics: one for [`Error::Toml`], all of them for [`Error::Invalid`].
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Toml {
                file,
                location,
                problem,
            } => vec![Diagnostic {
                severity: Severity::Error,
                file: file.clone(),
                location: *location,
                id: None,
                field: None,
                problem: problem.clone(),
            }],
            Error::Invalid { diagnostics } => diagnostics.clone(),
        }
    }
}

fn list(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let mut out = format!("questionnaire data has {errors} error(s) and {warnings} warning(s)");
    for diagnostic in diagnostics {
        out.push_str("\n  ");
        out.push_str(&diagnostic.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn locations_count_lines_and_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let check = |offset, line, column| {
            assert_eq!(
                Location::of_offset(text, offset),
                Location { line, column },
                "offset {offset}"
            );
        };
        check(0, 1, 1);
        check(4, 1, 5);
        check(6, 2, 1);
        check(9, 2, 3); // after the two-byte `é`
        check(8, 2, 2); // inside `é`: rounded down
        check(999, 3, 1);
    }
}
