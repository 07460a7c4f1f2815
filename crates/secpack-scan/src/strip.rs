//! Removing `<!-- secpack:internal -->` ... `<!-- /secpack:internal -->` sections from Markdown.

use std::sync::LazyLock;

use regex::Regex;

use crate::Error;

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<!--\s*(/?)\s*secpack:internal\s*-->")
        .expect("constant marker pattern compiles")
});

/// Remove the internal sections of a Markdown document.
///
/// A section starts at `<!-- secpack:internal -->` and ends at `<!-- /secpack:internal -->`
/// (case and inner spaces are free). A marker alone on its line removes the whole line, so no
/// blank lines are left behind; a marker inside a line removes only the text between the
/// markers. Sections do not nest: a second opening marker before the close, a closing marker
/// without an opening one, or an opening marker never closed is an error naming `path` and the
/// line. Markers inside code blocks count too (the gate cannot know which are examples).
///
/// ```
/// let doc = "# Guide\n<!-- secpack:internal -->\nbastion: 10.20.0.5\n<!-- /secpack:internal -->\nPublic text.\n";
/// let out = secpack_scan::strip_internal_sections(doc, "hardening/guide.md").unwrap();
/// assert_eq!(out, "# Guide\nPublic text.\n");
/// ```
pub fn strip_internal_sections(text: &str, path: &str) -> Result<String, Error> {
    let mut out = String::with_capacity(text.len());
    let mut open_line: Option<usize> = None;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        let mut kept = String::new();
        let mut cursor = 0;
        let mut had_marker = false;
        for caps in MARKER.captures_iter(line) {
            let Some(m) = caps.get(0) else { continue };
            had_marker = true;
            let closing = caps.get(1).is_some_and(|c| !c.as_str().is_empty());
            if open_line.is_none() {
                kept.push_str(line.get(cursor..m.start()).unwrap_or_default());
            }
            match (closing, open_line) {
                (false, None) => open_line = Some(line_no),
                (false, Some(outer_line)) => {
                    return Err(Error::NestedInternalSection {
                        path: path.to_owned(),
                        line: line_no,
                        outer_line,
                    });
                }
                (true, Some(_)) => open_line = None,
                (true, None) => {
                    return Err(Error::UnopenedInternalSection {
                        path: path.to_owned(),
                        line: line_no,
                    });
                }
            }
            cursor = m.end();
        }
        if open_line.is_none() {
            kept.push_str(line.get(cursor..).unwrap_or_default());
        }
        if had_marker && kept.trim().is_empty() {
            continue;
        }
        if had_marker && open_line.is_some() && line.ends_with('\n') && !kept.ends_with('\n') {
            // The section opened mid-line: keep the line break of the text before it.
            kept.push('\n');
        }
        out.push_str(&kept);
    }
    match open_line {
        Some(line) => Err(Error::UnclosedInternalSection {
            path: path.to_owned(),
            line,
        }),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(
            strip_internal_sections(input, "doc.md").unwrap(),
            expected,
            "input:\n{input}"
        );
    }

    fn check_err(input: &str, expected: &str) {
        assert_eq!(
            strip_internal_sections(input, "doc.md")
                .unwrap_err()
                .to_string(),
            expected
        );
    }

    #[test]
    fn sections_are_removed() {
        check("", "");
        check("no markers\n", "no markers\n");
        check(
            "a\n<!-- secpack:internal -->\nsecret\nmore\n<!-- /secpack:internal -->\nb\n",
            "a\nb\n",
        );
        check(
            "a\n  <!--secpack:internal-->  \nx\n<!-- /SECPACK:INTERNAL -->\nb",
            "a\nb",
        );
        check(
            "keep <!-- secpack:internal -->drop<!-- /secpack:internal --> keep\n",
            "keep  keep\n",
        );
        check(
            "head <!-- secpack:internal --> drop\ndrop\ndrop <!-- /secpack:internal --> tail\nnext\n",
            "head \n tail\nnext\n",
        );
        check(
            "a\r\n<!-- secpack:internal -->\r\nx\r\n<!-- /secpack:internal -->\r\nb\r\n",
            "a\r\nb\r\n",
        );
        check(
            "1\n<!-- secpack:internal -->\nx\n<!-- /secpack:internal -->\n2\n<!-- secpack:internal -->\ny\n<!-- /secpack:internal -->\n3\n",
            "1\n2\n3\n",
        );
    }

    #[test]
    fn unbalanced_markers_are_errors() {
        check_err(
            "a\n<!-- secpack:internal -->\nb\n<!-- secpack:internal -->\n<!-- /secpack:internal -->\n",
            "doc.md:4: internal section opened inside the one opened at line 2; close the first section with `<!-- /secpack:internal -->` before opening another",
        );
        check_err(
            "a\n<!-- /secpack:internal -->\n",
            "doc.md:2: `<!-- /secpack:internal -->` closes no open internal section; add `<!-- secpack:internal -->` where the internal text starts or delete this marker",
        );
        check_err(
            "a\n\n<!-- secpack:internal -->\nsecret\n",
            "doc.md:3: internal section opened here is never closed; add `<!-- /secpack:internal -->` where the internal text ends",
        );
    }
}
