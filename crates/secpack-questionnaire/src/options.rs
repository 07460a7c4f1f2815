//! The `[questionnaires]` table of `secpack.toml`.

use serde::Deserialize;

use crate::error::Error;

/// Settings for questionnaires and the controls summary, embedded as `[questionnaires]` in
/// `secpack.toml`. Every key is optional; docs/questionnaires.md documents each one.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Source paths of the question banks, one per questionnaire.
    #[serde(default)]
    pub banks: Vec<String>,
    /// Source paths of the answers files; each names its bank with `bank = "<id>"`.
    #[serde(default)]
    pub answers: Vec<String>,
    /// Source path of the controls file; without it no `CONTROLS_SUMMARY.md` is rendered.
    #[serde(default)]
    pub controls: Option<String>,
    /// Allow evidence classified internal: rendered as "available to auditors on request",
    /// never linked. When false, internal evidence is an error.
    #[serde(default)]
    pub allow_internal_evidence: bool,
    /// An answer whose `last_reviewed` is more than this many days before the build date is stale.
    #[serde(default = "default_max_review_age_days")]
    pub max_review_age_days: u32,
    /// What a stale review is: a warning (default) or an error.
    #[serde(default)]
    pub stale_review: StaleReview,
    /// Also render `questionnaires/<id>.csv` for upload into customers' portals.
    #[serde(default)]
    pub csv: bool,
}

/// How to report answers reviewed longer ago than [`Options::max_review_age_days`].
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaleReview {
    #[default]
    Warn,
    Error,
}

fn default_max_review_age_days() -> u32 {
    365
}

impl Default for Options {
    fn default() -> Options {
        Options {
            banks: Vec::new(),
            answers: Vec::new(),
            controls: None,
            allow_internal_evidence: false,
            max_review_age_days: default_max_review_age_days(),
            stale_review: StaleReview::default(),
            csv: false,
        }
    }
}

/// Parse the body of a `[questionnaires]` table given as its own TOML document.
///
/// `secpack.toml` embeds [`Options`] directly through serde; this function serves tests and
/// tools that keep the options in a separate file.
pub fn parse_options(text: &str, file: &str) -> Result<Options, Error> {
    crate::model::parse(text, file, "[questionnaires] options")
}
