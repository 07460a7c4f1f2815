//! In-file class declarations: YAML front matter at the top of a Markdown file.
//!
//! ```text
//! ---
//! title: Vulnerability Disclosure Policy
//! classification: public
//! ---
//! ```
//!
//! Only the top-level `classification` key is read; the rest of the front matter is
//! ignored. A declaration can only make a file *more* restrictive than its glob rules
//! (see [`crate::Classifier::classify`]).

use crate::Class;

/// How far into a file a front matter block may reach (bytes). Longer blocks are not
/// front matter for our purposes, and the file is treated as declaring nothing.
const MAX_FRONT_MATTER: usize = 16 * 1024;

/// A declaration that exists but cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeclarationError {
    #[error("front matter line {line}: {source}; fix the `classification` value")]
    UnknownClass {
        line: usize,
        #[source]
        source: crate::UnknownClass,
    },
    #[error("front matter line {line}: `classification` is declared twice; keep one")]
    Duplicate { line: usize },
    #[error(
        "front matter opened on line 1 declares `classification` but is never closed with `---`"
    )]
    Unterminated,
}

/// Whether a file at `path` may carry a declaration (Markdown files).
pub fn may_declare(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// The class a file declares in its front matter, if any.
///
/// `content` needs only the first 16 KiB of the file (longer front matter is not read).
pub fn declared_class(content: &[u8]) -> Result<Option<Class>, DeclarationError> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let head = &content[..content.len().min(MAX_FRONT_MATTER)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // Cut in the middle of a character at the limit: keep the valid prefix.
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    };
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    if lines.next() != Some("---") {
        return Ok(None);
    }
    let mut found: Option<Class> = None;
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        if line == "---" || line == "..." {
            return Ok(found);
        }
        let Some(rest) = line.strip_prefix("classification:") else {
            continue;
        };
        let value = strip_yaml_comment(rest).trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        if found.is_some() {
            return Err(DeclarationError::Duplicate { line: line_no });
        }
        let class = value
            .parse::<Class>()
            .map_err(|source| DeclarationError::UnknownClass {
                line: line_no,
                source,
            })?;
        found = Some(class);
    }
    match found {
        Some(_) => Err(DeclarationError::Unterminated),
        None => Ok(None),
    }
}

fn strip_yaml_comment(value: &str) -> &str {
    match value.find(" #") {
        Some(pos) => &value[..pos],
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<Option<Class>, &str>) {
        let got = declared_class(input.as_bytes()).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_owned), "input:\n{input}");
    }

    #[test]
    fn front_matter() {
        check(
            "---\ntitle: x\nclassification: public\n---\n# Doc\n",
            Ok(Some(Class::Public)),
        );
        check(
            "---\r\nclassification: \"customer-only\"\r\n---\r\n",
            Ok(Some(Class::CustomerOnly)),
        );
        check(
            "\u{feff}---\nclassification: internal # never ship\n...\n",
            Ok(Some(Class::Internal)),
        );
        check("---\ntitle: x\n---\nclassification: public\n", Ok(None));
        check("# Doc\nclassification: public\n", Ok(None));
        check("---\ntitle: no declaration, never closed\n", Ok(None));
        check("---\n  classification: public\n---\n", Ok(None));
        check(
            "---\nclassification: secret\n---\n",
            Err(
                "front matter line 2: unknown class `secret`: expected `public`, `customer-only` or `internal`; fix the `classification` value",
            ),
        );
        check(
            "---\nclassification: public\nclassification: internal\n---\n",
            Err("front matter line 3: `classification` is declared twice; keep one"),
        );
        check(
            "---\nclassification: public\n",
            Err(
                "front matter opened on line 1 declares `classification` but is never closed with `---`",
            ),
        );
    }

    #[test]
    fn binary_and_truncated_input_do_not_panic() {
        assert_eq!(declared_class(&[0xff, 0xfe, 0x00]), Ok(None));
        let mut long = b"---\n".to_vec();
        long.extend(std::iter::repeat_n(b'a', MAX_FRONT_MATTER));
        long.extend(b"\nclassification: public\n---\n");
        assert_eq!(declared_class(&long), Ok(None));
        let mut cut = b"---\nclassification: public\n---\n".to_vec();
        cut.extend(std::iter::repeat_n("é", MAX_FRONT_MATTER).flat_map(|s| s.bytes()));
        assert_eq!(declared_class(&cut), Ok(Some(Class::Public)));
    }

    #[test]
    fn markdown_paths() {
        assert!(may_declare("docs/A.MD"));
        assert!(may_declare("x.markdown"));
        assert!(!may_declare("md/notes.txt"));
    }
}
