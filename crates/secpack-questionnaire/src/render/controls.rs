//! `CONTROLS_SUMMARY.md`: controls → framework references → evidence, and the reverse index.

use std::collections::BTreeMap;

use super::text::{escape, paragraphs};
use super::{CONTROLS_SUMMARY_PATH, evidence_markdown};
use crate::natural::natural_cmp;
use crate::validate::ControlsSummary;

/// Render the controls summary as Markdown, for the package root (`CONTROLS_SUMMARY.md`).
///
/// A table of controls with their framework references and evidence links, a section per
/// control with its description, and an index from each framework reference to its controls.
/// Controls and references are in natural id order.
pub fn render_controls_summary(summary: &ControlsSummary) -> String {
    let from = CONTROLS_SUMMARY_PATH;
    let mut out = String::new();
    let w = &mut out;
    let title = summary.title.as_deref().unwrap_or("Controls summary");
    line(w, &format!("# {}", escape(title)));
    line(w, "");

    let mut index: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for control in &summary.controls {
        for reference in &control.frameworks {
            index.entry(reference).or_default().push(&control.id);
        }
    }
    let mut references: Vec<(&str, Vec<&str>)> = index.into_iter().collect();
    references.sort_by(|a, b| natural_cmp(a.0, b.0));

    line(
        w,
        &format!(
            "{} controls mapped to {} framework references. Evidence links point to files in \
             this package; internal evidence is not included and is marked \"{}\".",
            summary.controls.len(),
            references.len(),
            super::ON_REQUEST
        ),
    );
    line(w, "");
    line(w, "## Controls");
    line(w, "");
    line(w, "| Control | Title | Framework references | Evidence |");
    line(w, "| --- | --- | --- | --- |");
    for control in &summary.controls {
        line(
            w,
            &format!(
                "| {} | {} | {} | {} |",
                escape(&control.id),
                escape(&control.title),
                framework_list(&control.frameworks),
                evidence_markdown(from, &control.evidence, true)
            ),
        );
    }

    line(w, "");
    line(w, "## Control details");
    for control in &summary.controls {
        line(w, "");
        line(
            w,
            &format!("### {}: {}", escape(&control.id), escape(&control.title)),
        );
        for paragraph in paragraphs(&control.description) {
            line(w, "");
            line(w, &escape(&paragraph));
        }
        line(w, "");
        line(
            w,
            &format!(
                "- Framework references: {}",
                framework_list(&control.frameworks)
            ),
        );
        line(
            w,
            &format!(
                "- Evidence: {}",
                evidence_markdown(from, &control.evidence, false)
            ),
        );
        if let Some(owner) = &control.owner {
            line(w, &format!("- Owner: {}", escape(owner)));
        }
    }

    line(w, "");
    line(w, "## Framework reference index");
    line(w, "");
    line(w, "| Framework reference | Controls |");
    line(w, "| --- | --- |");
    for (reference, controls) in &references {
        let controls: Vec<String> = controls.iter().map(|c| escape(c)).collect();
        line(
            w,
            &format!("| {} | {} |", escape(reference), controls.join(", ")),
        );
    }
    out
}

fn framework_list(frameworks: &[String]) -> String {
    if frameworks.is_empty() {
        "none".to_owned()
    } else {
        frameworks
            .iter()
            .map(|f| escape(f))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}
