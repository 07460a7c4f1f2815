//! Deterministic rendering of checked data: Markdown, CSV and the controls summary.

mod controls;
mod csv;
mod questionnaire;
pub(crate) mod text;

pub use controls::render_controls_summary;
pub use csv::render_csv;
pub use questionnaire::render_markdown;

use crate::validate::{Checked, EvidenceLink};

/// The package path of the controls summary.
pub const CONTROLS_SUMMARY_PATH: &str = "CONTROLS_SUMMARY.md";

/// What internal evidence becomes in every output.
pub(crate) const ON_REQUEST: &str = "available to auditors on request";

/// One rendered file for the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Relative to the package root, `/`-separated: `questionnaires/sig-lite.md`.
    pub path: String,
    pub contents: String,
}

impl Checked {
    /// Every output file, sorted by path: `questionnaires/<id>.md` for each questionnaire,
    /// `questionnaires/<id>.csv` when `csv` was set in the options, and `CONTROLS_SUMMARY.md` when a
    /// controls file was given. The same input always gives the same bytes.
    pub fn render(&self) -> Vec<RenderedFile> {
        let mut files = Vec::new();
        for questionnaire in &self.questionnaires {
            files.push(RenderedFile {
                path: markdown_path(questionnaire.id()),
                contents: render_markdown(questionnaire),
            });
            if self.csv {
                files.push(RenderedFile {
                    path: format!("questionnaires/{}.csv", questionnaire.id()),
                    contents: render_csv(questionnaire),
                });
            }
        }
        if let Some(controls) = &self.controls {
            files.push(RenderedFile {
                path: CONTROLS_SUMMARY_PATH.to_owned(),
                contents: render_controls_summary(controls),
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

pub(crate) fn markdown_path(id: &str) -> String {
    format!("questionnaires/{id}.md")
}

/// Evidence as Markdown links from the document at `from`, internal evidence as one note.
pub(crate) fn evidence_markdown(from: &str, evidence: &[EvidenceLink], in_table: bool) -> String {
    let mut parts: Vec<String> = evidence
        .iter()
        .filter_map(|link| match link {
            EvidenceLink::Shipped { package_path } => Some(format!(
                "[{}]({})",
                text::code(package_path, in_table),
                text::relative_link(from, package_path)
            )),
            EvidenceLink::OnRequest => None,
        })
        .collect();
    if let Some(note) = on_request_note(evidence) {
        parts.push(note);
    }
    if parts.is_empty() {
        "none cited".to_owned()
    } else {
        parts.join(", ")
    }
}

/// "internal document, available to auditors on request" (with the count when more than one).
pub(crate) fn on_request_note(evidence: &[EvidenceLink]) -> Option<String> {
    match evidence
        .iter()
        .filter(|e| matches!(e, EvidenceLink::OnRequest))
        .count()
    {
        0 => None,
        1 => Some(format!("internal document, {ON_REQUEST}")),
        n => Some(format!("{n} internal documents, {ON_REQUEST}")),
    }
}
