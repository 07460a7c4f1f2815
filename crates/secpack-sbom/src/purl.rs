//! The little of package URLs (purl) the rules need.

/// The decoded namespace of a purl (`pkg:type/namespace/name@version`), if it has one:
/// `pkg:npm/%40angular/core@1` gives `@angular`, `pkg:maven/org.acme/lib@1` gives `org.acme`.
pub(crate) fn namespace(purl: &str) -> Option<String> {
    let rest = purl.strip_prefix("pkg:")?.trim_start_matches('/');
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if segments.len() < 3 {
        return None;
    }
    segments.remove(0); // type
    segments.pop(); // name@version
    Some(
        segments
            .iter()
            .map(|s| percent_decode(s))
            .collect::<Vec<_>>()
            .join("/"),
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn namespaces() {
        for (purl, want) in [
            ("pkg:npm/%40angular/core@1.0.0", Some("@angular")),
            (
                "pkg:maven/org.acme.internal/lib@1?type=jar",
                Some("org.acme.internal"),
            ),
            ("pkg:golang/github.com/acme/x@v1", Some("github.com/acme")),
            ("pkg:cargo/serde@1.0.0", None),
            ("not a purl", None),
        ] {
            assert_eq!(super::namespace(purl).as_deref(), want, "{purl}");
        }
    }
}
