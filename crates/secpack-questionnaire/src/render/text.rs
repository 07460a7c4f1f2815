//! Turning user-supplied plain text into Markdown that renders as that text, and links.
//!
//! User text is plain text: Markdown in it is escaped, never interpreted. Blank lines separate
//! paragraphs; other line breaks and runs of whitespace become one space.

/// Splits text into paragraphs (at blank lines), each with its whitespace collapsed.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        for word in line.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// One line of text: all whitespace, line breaks included, collapsed to single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes one line of plain text so that CommonMark and GitHub Flavored Markdown render it
/// literally, in a paragraph, heading, list item, block quote or table cell.
pub(crate) fn escape(text: &str) -> String {
    let text = one_line(text);
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        let rest = text.get(i..).unwrap_or_default();
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '$' => true,
            '&' => looks_like_entity(rest),
            '-' | '+' | '=' => i == 0,
            '.' | ')' => {
                // `1.` or `1)` at the start of a line begins an ordered list.
                text.get(..i).is_some_and(|before| {
                    !before.is_empty() && before.bytes().all(|b| b.is_ascii_digit())
                })
            }
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `&amp;`, `&#123;`, `&#x1F;`: an `&` that starts a character reference.
fn looks_like_entity(rest: &str) -> bool {
    let body = rest.get(1..).unwrap_or_default();
    let end = body.find(';');
    end.is_some_and(|end| {
        let name = body.get(..end).unwrap_or_default();
        let name = name.strip_prefix('#').unwrap_or(name);
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// Text as an inline code span (for paths). In a table cell (`in_table`), pipes are escaped the
/// GFM way, which works inside code spans there and only there.
pub(crate) fn code(text: &str, in_table: bool) -> String {
    let mut text = one_line(text);
    if in_table {
        text = text.replace('|', "\\|");
    }
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    if longest_run > 0 {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A relative link from the document at `from` to the package file `to` (both relative to the
/// package root), percent-encoded so that any file name survives as a link destination.
pub(crate) fn relative_link(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    let mut out = "../".repeat(depth);
    for byte in to.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{code, escape, paragraphs, relative_link};

    fn check(input: &str, expected: &str) {
        assert_eq!(escape(input), expected, "{input:?}");
    }

    #[test]
    fn escapes_markdown_syntax() {
        check("plain text, A&A-01.", "plain text, A&A-01.");
        check("a | b", "a \\| b");
        check("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`");
        check("[link](x.md)", "\\[link\\](x.md)");
        check("<script>", "\\<script\\>");
        check("&amp; &#35; & AT&T", "\\&amp; \\&\\#35; & AT&T");
        check("# not a heading", "\\# not a heading");
        check("- not a list", "\\- not a list");
        check("+ not a list", "\\+ not a list");
        check("= not setext", "\\= not setext");
        check("1. not a list", "1\\. not a list");
        check("12) not a list", "12\\) not a list");
        check("v1.2.3 a-b", "v1.2.3 a-b");
        check("c:\\path", "c:\\\\path");
        check("~~strike~~ $x$", "\\~\\~strike\\~\\~ \\$x\\$");
        check("  two\n lines\r\nhere  ", "two lines here");
    }

    #[test]
    fn splits_paragraphs() {
        assert_eq!(
            paragraphs("first line\nsame paragraph\n\n  \nsecond\n"),
            ["first line same paragraph", "second"]
        );
        assert!(paragraphs(" \n\n").is_empty());
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("policies/a.md", false), "`policies/a.md`");
        assert_eq!(code("a`b", false), "`` a`b ``");
        assert_eq!(code("a|b", false), "`a|b`");
        assert_eq!(code("a|b", true), "`a\\|b`");
    }

    #[test]
    fn links_are_relative_and_encoded() {
        assert_eq!(
            relative_link("CONTROLS_SUMMARY.md", "policies/a.md"),
            "policies/a.md"
        );
        assert_eq!(
            relative_link("questionnaires/sig-lite.md", "policies/a b(1).md"),
            "../policies/a%20b%281%29.md"
        );
        assert_eq!(relative_link("a/b/c.md", "é.md"), "../../%C3%A9.md");
    }
}
