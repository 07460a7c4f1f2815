//! `questionnaires/<id>.md`: summary table, then each domain's answers in natural id order.

use std::fmt::Write as _;

use super::text::{escape, paragraphs};
use super::{ON_REQUEST, evidence_markdown, markdown_path};
use crate::validate::{AnswerValue, Questionnaire};

/// Render one questionnaire as Markdown, for the package path `questionnaires/<id>.md`.
///
/// Evidence links are relative to that path (`../policies/...`). User text is escaped so it
/// renders literally.
pub fn render_markdown(questionnaire: &Questionnaire) -> String {
    let from = markdown_path(&questionnaire.id);
    let mut out = String::new();
    let w = &mut out;
    line(w, &format!("# {}", escape(&questionnaire.title)));
    if let Some(description) = &questionnaire.description {
        for paragraph in paragraphs(description) {
            line(w, "");
            line(w, &escape(&paragraph));
        }
    }
    line(w, "");
    let counts = questionnaire.counts();
    let totals = AnswerValue::ALL
        .iter()
        .map(|v| format!("{} {}", counts.get(v).copied().unwrap_or(0), v.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    line(
        w,
        &format!(
            "{} questions in {} domains: {totals}. Evidence links point to files in this package; \
             internal evidence is not included and is marked \"{ON_REQUEST}\".",
            questionnaire.len(),
            questionnaire.domains.len()
        ),
    );

    line(w, "");
    line(w, "## Summary");
    line(w, "");
    let mut header = String::from("| Domain | Title |");
    let mut rule = String::from("| --- | --- |");
    for value in AnswerValue::ALL {
        let _ = write!(header, " {} |", value.as_str());
        rule.push_str(" ---: |");
    }
    header.push_str(" Total |");
    rule.push_str(" ---: |");
    line(w, &header);
    line(w, &rule);
    for domain in &questionnaire.domains {
        let mut row = format!("| {} | {} |", escape(&domain.id), escape(&domain.title));
        for value in AnswerValue::ALL {
            let n = domain.entries.iter().filter(|e| e.answer == value).count();
            let _ = write!(row, " {n} |");
        }
        let _ = write!(row, " {} |", domain.entries.len());
        line(w, &row);
    }
    let mut total = String::from("| **All** | |");
    for value in AnswerValue::ALL {
        let _ = write!(total, " {} |", counts.get(&value).copied().unwrap_or(0));
    }
    let _ = write!(total, " {} |", questionnaire.len());
    line(w, &total);

    for domain in &questionnaire.domains {
        line(w, "");
        line(
            w,
            &format!("## {}: {}", escape(&domain.id), escape(&domain.title)),
        );
        for entry in &domain.entries {
            line(w, "");
            line(w, &format!("### {}", escape(&entry.id)));
            line(w, "");
            for (i, paragraph) in paragraphs(&entry.question).iter().enumerate() {
                if i > 0 {
                    line(w, ">");
                }
                line(w, &format!("> {}", escape(paragraph)));
            }
            line(w, "");
            line(w, &format!("**Answer:** {}", entry.answer.as_str()));
            for paragraph in paragraphs(&entry.explanation) {
                line(w, "");
                line(w, &escape(&paragraph));
            }
            line(w, "");
            line(
                w,
                &format!(
                    "- Evidence: {}",
                    evidence_markdown(&from, &entry.evidence, false)
                ),
            );
            line(w, &format!("- Owner: {}", escape(&entry.owner)));
            line(w, &format!("- Last reviewed: {}", entry.last_reviewed));
        }
    }
    out
}

fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}
