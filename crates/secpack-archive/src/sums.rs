//! `verification/SHA256SUMS` in exactly the format `sha256sum` writes and `sha256sum -c` reads.

/// One line of a SHA256SUMS file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    pub sha256: [u8; 32],
    pub path: String,
}

/// Why a SHA256SUMS text is not in the expected format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SumsError {
    #[error("SHA256SUMS line {line}: expected `<64 lowercase hex digits><two spaces><path>`")]
    Malformed { line: usize },
    #[error("SHA256SUMS line {line}: `{path}` is listed twice")]
    Duplicate { line: usize, path: String },
    #[error("SHA256SUMS line {line}: `{path}` is out of order (lines must be sorted by path)")]
    Unsorted { line: usize, path: String },
    #[error("SHA256SUMS does not end with a newline")]
    NoFinalNewline,
}

/// Render the file: one `<hex>  <path>` line per entry, sorted by path (bytewise), LF endings.
///
/// Paths must be safe package paths (no newline or backslash), so no `sha256sum` escaping
/// is ever needed.
pub fn render(entries: &[SumLine]) -> String {
    let mut sorted: Vec<&SumLine> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    // Exact size: the file is held until the archives are written.
    let len = sorted.iter().map(|e| 64 + 2 + e.path.len() + 1).sum();
    let mut out = String::with_capacity(len);
    for e in sorted {
        out.push_str(&hex::encode(e.sha256));
        out.push_str("  ");
        out.push_str(&e.path);
        out.push('\n');
    }
    out
}

/// Parse a SHA256SUMS file strictly as [`render`] writes it.
pub fn parse(text: &str) -> Result<Vec<SumLine>, SumsError> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(SumsError::NoFinalNewline);
    }
    let mut out: Vec<SumLine> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let (digest, path) = line
            .split_at_checked(64)
            .ok_or(SumsError::Malformed { line: line_no })?;
        let path = path
            .strip_prefix("  ")
            .ok_or(SumsError::Malformed { line: line_no })?;
        if path.is_empty()
            || !digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(SumsError::Malformed { line: line_no });
        }
        let mut sha256 = [0u8; 32];
        hex::decode_to_slice(digest, &mut sha256)
            .map_err(|_| SumsError::Malformed { line: line_no })?;
        if let Some(prev) = out.last() {
            match prev.path.as_bytes().cmp(path.as_bytes()) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    return Err(SumsError::Duplicate {
                        line: line_no,
                        path: path.to_owned(),
                    });
                }
                std::cmp::Ordering::Greater => {
                    return Err(SumsError::Unsorted {
                        line: line_no,
                        path: path.to_owned(),
                    });
                }
            }
        }
        out.push(SumLine {
            sha256,
            path: path.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_sorted() {
        let e = vec![
            SumLine {
                sha256: [1; 32],
                path: "policies/b.md".into(),
            },
            SumLine {
                sha256: [2; 32],
                path: "OVERVIEW.md".into(),
            },
        ];
        let text = render(&e);
        assert_eq!(
            text,
            format!(
                "{}  OVERVIEW.md\n{}  policies/b.md\n",
                "02".repeat(32),
                "01".repeat(32)
            )
        );
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed[0].path, "OVERVIEW.md");
        assert_eq!(parsed[1].sha256, [1; 32]);
    }

    #[test]
    fn rejects() {
        let d = "ab".repeat(32);
        assert_eq!(
            parse(&format!("{d} a\n")),
            Err(SumsError::Malformed { line: 1 })
        );
        assert_eq!(
            parse(&format!("{}  a\n", "AB".repeat(32))),
            Err(SumsError::Malformed { line: 1 })
        );
        assert_eq!(parse(&format!("{d}  a")), Err(SumsError::NoFinalNewline));
        assert!(matches!(
            parse(&format!("{d}  a\n{d}  a\n")),
            Err(SumsError::Duplicate { line: 2, .. })
        ));
        assert!(matches!(
            parse(&format!("{d}  b\n{d}  a\n")),
            Err(SumsError::Unsorted { line: 2, .. })
        ));
        assert_eq!(parse("é\n"), Err(SumsError::Malformed { line: 1 }));
    }
}
