//! `CONTROLS_SUMMARY.md`: controls → framework references → evidence, and the reverse index.

use std::collections::BTreeMap;

use super::text::{escape, paragraphs};
use super::{CONTROLS_SUMMARY_PATH, ON_REQUEST, evidence_markdown};
use crate::natural::natural_cmp;
use crate::validate::ControlsSummary;

/// Render the controls summary as Markdown, for the package root (`CONTROLS_SUMMARY.md`).
///
/// A table of controls with their framework references and evidence links, a section per
/// control with its description, and an index per framework from each reference to its controls.
/// A reference's framework is everything before its last word (`SOC 2` in `SOC 2 CC6.1`).
/// Controls, frameworks and references are in natural order.
pub fn render_controls_summary(summary: &ControlsSummary) -> String {
    let from = CONTROLS_SUMMARY_PATH;
    let mut out = String::new();
    let w = &mut out;
    let title = summary.title.as_deref().unwrap_or("Controls summary");
    line(w, &format!("# {}", escape(title)));
    if let Some(description) = &summary.description {
        for paragraph in paragraphs(description) {
            line(w, "");
            line(w, &escape(&paragraph));
        }
    }

    // framework → reference id → control ids (controls are already in natural order).
    let mut index: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    let mut references = 0;
    for control in &summary.controls {
        for reference in &control.frameworks {
            let (framework, id) = split_reference(reference);
            let controls = index.entry(framework).or_default().entry(id).or_default();
            if controls.is_empty() {
                references += 1;
            }
            controls.push(&control.id);
        }
    }

    line(w, "");
    line(
        w,
        &format!(
            "{} controls mapped to {references} framework references in {} frameworks. Evidence \
             links point to files in this package; internal evidence is not included and is \
             marked \"{ON_REQUEST}\".",
            summary.controls.len(),
            index.len(),
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
    let mut frameworks: Vec<_> = index.into_iter().collect();
    frameworks.sort_by(|a, b| natural_cmp(a.0, b.0));
    for (framework, references) in frameworks {
        line(w, "");
        let heading = if framework.is_empty() {
            "Other references"
        } else {
            framework
        };
        line(w, &format!("### {}", escape(heading)));
        line(w, "");
        line(w, "| Reference | Controls |");
        line(w, "| --- | --- |");
        let mut references: Vec<_> = references.into_iter().collect();
        references.sort_by(|a, b| natural_cmp(a.0, b.0));
        for (reference, controls) in references {
            let controls: Vec<String> = controls.iter().map(|c| escape(c)).collect();
            line(
                w,
                &format!("| {} | {} |", escape(reference), controls.join(", ")),
            );
        }
    }
    out
}

/// `SOC 2 CC6.1` → (`SOC 2`, `CC6.1`); a single word has no framework: (``, `word`).
fn split_reference(reference: &str) -> (&str, &str) {
    match reference.rsplit_once(' ') {
        Some((framework, id)) => (framework.trim_end(), id),
        None => ("", reference),
    }
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

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn references_split_at_the_last_word() {
        assert_eq!(split_reference("SOC 2 CC6.1"), ("SOC 2", "CC6.1"));
        assert_eq!(split_reference("ISO 27001 A.8.5"), ("ISO 27001", "A.8.5"));
        assert_eq!(split_reference("CCM IAM-02"), ("CCM", "IAM-02"));
        assert_eq!(split_reference("GDPR"), ("", "GDPR"));
    }
}
