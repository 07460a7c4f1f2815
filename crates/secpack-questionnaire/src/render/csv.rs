//! `questionnaires/<id>.csv` for customers' portals: RFC 4180, safe against formula injection.

use super::on_request_note;
use super::text::paragraphs;
use crate::validate::{EvidenceLink, Questionnaire};

const HEADER: [&str; 9] = [
    "Domain ID",
    "Domain",
    "Question ID",
    "Question",
    "Answer",
    "Explanation",
    "Evidence",
    "Owner",
    "Last reviewed",
];

/// Render one questionnaire as CSV: a header row, then one row per question in the order of the
/// Markdown document.
///
/// RFC 4180: CRLF line ends, fields holding `,` `"` CR or LF are quoted with `"` doubled. Cells
/// starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so that spreadsheets never run
/// them as formulas. Evidence is the package paths joined by `; `; internal evidence is
/// "available to auditors on request".
pub fn render_csv(questionnaire: &Questionnaire) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for domain in &questionnaire.domains {
        for entry in &domain.entries {
            let mut evidence: Vec<String> = entry
                .evidence
                .iter()
                .filter_map(|e| match e {
                    EvidenceLink::Shipped { package_path } => Some(package_path.clone()),
                    EvidenceLink::OnRequest => None,
                })
                .collect();
            evidence.extend(on_request_note(&entry.evidence));
            row(
                &mut out,
                [
                    domain.id.clone(),
                    domain.title.clone(),
                    entry.id.clone(),
                    paragraphs(&entry.question).join("\n\n"),
                    entry.answer.as_str().to_owned(),
                    paragraphs(&entry.explanation).join("\n\n"),
                    evidence.join("; "),
                    entry.owner.clone(),
                    entry.last_reviewed.to_string(),
                ]
                .into_iter(),
            );
        }
    }
    out
}

fn row(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(&cell));
    }
    out.push_str("\r\n");
}

/// One CSV field: defused, then quoted when needed.
pub(crate) fn field(cell: &str) -> String {
    let defused = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    fn check(cell: &str, expected: &str) {
        assert_eq!(field(cell), expected, "{cell:?}");
    }

    #[test]
    fn quotes_and_defuses() {
        check("plain", "plain");
        check("N/A", "N/A");
        check("", "");
        check("a,b", "\"a,b\"");
        check("say \"hi\"", "\"say \"\"hi\"\"\"");
        check("two\nlines", "\"two\nlines\"");
        check("=1+1", "'=1+1");
        check("+1", "'+1");
        check("-1", "'-1");
        check("@SUM(A1)", "'@SUM(A1)");
        check("\tx", "'\tx");
        check("\rx", "\"'\rx\"");
        check(
            "=HYPERLINK(\"http://x\",\"y\")",
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        );
        check("a=b", "a=b");
        check("'quoted", "'quoted");
    }
}
