//! Security questionnaires (SIG Lite, CAIQ Lite, ...) and the controls summary of the Customer
//! Security Package, rendered from the user's own TOML data and validated against the evidence
//! that the package ships.
//!
//! The data is three kinds of TOML file, documented in `docs/questionnaires.md`: a question bank
//! per questionnaire (the user's own question texts: this crate never bundles licensed SIG or
//! CAIQ text), an answers file per bank, and a controls file. The flow is:
//!
//! 1. parse ([`parse_bank`], [`parse_answers`], [`parse_controls`]; or all at once with [`check`]),
//! 2. [`validate`]: ids, answers, evidence and review dates, collecting every problem,
//! 3. render the [`Checked`] result: [`Checked::render`] gives `questionnaires/<id>.md`,
//!    optional `questionnaires/<id>.csv` and `CONTROLS_SUMMARY.md`.
//!
//! The crate is pure: it never reads files, the git repository or the clock. The caller passes
//! file contents, an [`EvidenceIndex`] that knows which source files are shipped where, and the
//! build date ("today", the release commit's date) that review ages are measured against.
//! Output is deterministic: natural id order (`A&A-02` before `A&A-10`), no maps iterated in hash
//! order, no timestamps.
//!
//! ```
//! use secpack_questionnaire::{check, Date, Evidence, Options, Source, Sources};
//!
//! let bank = r#"
//! id = "caiq-lite"
//! title = "CAIQ Lite"
//! [[domain]]
//! id = "A&A"
//! title = "Audit & Assurance"
//! [[question]]
//! id = "A&A-01"
//! domain = "A&A"
//! text = "Are audit policies documented and reviewed every year?"
//! "#;
//! let answers = r#"
//! bank = "caiq-lite"
//! [[answer]]
//! id = "A&A-01"
//! answer = "Yes"
//! explanation = "Reviewed each September by the security team."
//! evidence = ["policies/secure-development-policy.md"]
//! owner = "Security Engineering"
//! last_reviewed = 2026-09-01
//! "#;
//! // The caller knows classification and layout; here, one shipped file.
//! let index = |path: &str| match path {
//!     "policies/secure-development-policy.md" => Evidence::Shipped {
//!         package_path: "policies/secure-development-policy.md".to_owned(),
//!     },
//!     _ => Evidence::Missing,
//! };
//! let sources = Sources {
//!     banks: vec![Source { file: "questionnaires/banks/caiq-lite.toml", text: bank }],
//!     answers: vec![Source { file: "questionnaires/answers/caiq-lite.toml", text: answers }],
//!     controls: None,
//! };
//! let today = Date::new(2026, 10, 1).expect("a real day");
//! let checked = check(&sources, &index, &Options::default(), today)?;
//! assert!(checked.warnings().is_empty());
//!
//! let files = checked.render();
//! assert_eq!(files[0].path, "questionnaires/caiq-lite.md");
//! assert!(files[0].contents.contains(
//!     "- Evidence: [`policies/secure-development-policy.md`](../policies/secure-development-policy.md)"
//! ));
//! # Ok::<(), secpack_questionnaire::Error>(())
//! ```

mod date;
mod error;
mod evidence;
mod model;
mod natural;
mod options;
mod render;
mod validate;

pub use date::{Date, DateParseError};
pub use error::{Diagnostic, Error, Location, Problem, Severity};
pub use evidence::{Evidence, EvidenceIndex};
pub use model::{
    Answer, AnswerSheet, Bank, Control, Controls, Domain, Located, Question, parse_answers,
    parse_bank, parse_controls,
};
pub use natural::natural_cmp;
pub use options::{Options, StaleReview, parse_options};
pub use render::{
    CONTROLS_SUMMARY_PATH, RenderedFile, render_controls_summary, render_csv, render_markdown,
};
pub use validate::{AnswerValue, Checked, ControlsSummary, EvidenceLink, Questionnaire, validate};

/// The text of one input file and the name to report it under (its source path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

/// Every input file, as named by [`Options::banks`], [`Options::answers`] and
/// [`Options::controls`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources<'a> {
    pub banks: Vec<Source<'a>>,
    pub answers: Vec<Source<'a>>,
    pub controls: Option<Source<'a>>,
}

/// Parse every source, then [`validate`].
///
/// Parse errors of all files are collected first: when any file does not parse, the result is
/// [`Error::Invalid`] listing each of them (with file:line:col) and validation does not run.
pub fn check(
    sources: &Sources<'_>,
    index: &dyn EvidenceIndex,
    options: &Options,
    today: Date,
) -> Result<Checked, Error> {
    let mut problems = Vec::new();
    let banks = collect(&sources.banks, parse_bank, &mut problems);
    let answers = collect(&sources.answers, parse_answers, &mut problems);
    let controls = sources
        .controls
        .map(|s| parse_controls(s.text, s.file))
        .transpose()
        .unwrap_or_else(|err| {
            problems.extend(err.diagnostics());
            None
        });
    if !problems.is_empty() {
        return Err(Error::Invalid {
            diagnostics: problems,
        });
    }
    validate(&banks, &answers, controls.as_ref(), index, options, today)
}

fn collect<T>(
    sources: &[Source<'_>],
    parse: fn(&str, &str) -> Result<T, Error>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<T> {
    sources
        .iter()
        .filter_map(|s| {
            parse(s.text, s.file)
                .map_err(|err| problems.extend(err.diagnostics()))
                .ok()
        })
        .collect()
}
