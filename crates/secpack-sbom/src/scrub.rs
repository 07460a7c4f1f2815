//! String-level scrubbing: credentials in URLs, absolute file paths, e-mail addresses.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>`]+"#).expect("static regex")
});

/// An absolute path standing on its own: at the start, or after whitespace, a quote, `=`, `(`,
/// `[`, `,`, `;`, `:` or `+` (cargo's `path+file:///...` package ids). Unix (`/a/b`, at least two segments), home (`~/a`), Windows (`C:\a`,
/// `C:/a`), UNC (`\\server\share`), and `file:` URLs.
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[\s"'=(\[,;:+])((?:file:(?://)?)?(?:/[^/\s"'<>|;,()\[\]]+(?:/[^/\s"'<>|;,()\[\]]*)+|/[^/\s"'<>|;,()\[\]]+/?$|~/[^\s"'<>|;,()\[\]]+|[A-Za-z]:[\\/][^\s"'<>|;,()\[\]]+|\\\\[^\s"'<>|;,()\[\]]+))"#,
    )
    .expect("static regex")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*[(<]?[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}[)>]?")
        .expect("static regex")
});

/// Query parameter names that carry credentials (compared lower-case).
const SECRET_PARAMS: &[&str] = &["key", "sig", "code", "auth", "pwd", "pass", "passwd", "sas"];
const SECRET_PARAM_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "apikey",
    "api_key",
    "api-key",
    "signature",
    "credential",
    "access_key",
    "accesskey",
    "private",
];

fn secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_PARAMS.contains(&n.as_str()) || SECRET_PARAM_PARTS.iter().any(|p| n.contains(p))
}

/// Remove `user:password@` and credential query parameters from every URL in `s`.
/// Returns the new string and how many credentials were removed.
pub(crate) fn url_credentials(s: &str) -> (Cow<'_, str>, u64) {
    // A credential needs `user@` in the authority or a query parameter.
    if !s.contains("://") || memchr::memchr2(b'@', b'?', s.as_bytes()).is_none() {
        return (Cow::Borrowed(s), 0);
    }
    let mut count = 0;
    let out = URL.replace_all(s, |c: &regex::Captures<'_>| {
        let url = c.get(0).map_or("", |m| m.as_str());
        let (fixed, n) = clean_url(url);
        count += n;
        fixed
    });
    if count == 0 {
        (Cow::Borrowed(s), 0)
    } else {
        (Cow::Owned(out.into_owned()), count)
    }
}

/// Replace every URL in `s` for which `strip` is true by `[redacted URL]`.
pub(crate) fn urls<'s>(s: &'s str, strip: impl Fn(&str) -> bool) -> (Cow<'s, str>, u64) {
    if !s.contains("://") {
        return (Cow::Borrowed(s), 0);
    }
    let mut count = 0;
    let out = URL.replace_all(s, |c: &regex::Captures<'_>| {
        let url = c.get(0).map_or("", |m| m.as_str());
        if strip(url) {
            count += 1;
            "[redacted URL]".to_string()
        } else {
            url.to_string()
        }
    });
    if count == 0 {
        (Cow::Borrowed(s), 0)
    } else {
        (Cow::Owned(out.into_owned()), count)
    }
}

fn clean_url(url: &str) -> (String, u64) {
    let mut n = 0;
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), 0);
    };
    let (scheme, rest) = url.split_at(scheme_end + 3);
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            n += 1;
            authority.get(at + 1..).unwrap_or_default()
        }
        None => authority,
    };
    let (path, query_and_fragment) = match tail.find('?') {
        Some(q) => tail.split_at(q),
        None => (tail, ""),
    };
    let mut out = format!("{scheme}{authority}{path}");
    if let Some(q) = query_and_fragment.strip_prefix('?') {
        let (query, fragment) = match q.find('#') {
            Some(h) => q.split_at(h),
            None => (q, ""),
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                let secret = secret_param(name);
                if secret {
                    n += 1;
                }
                !secret
            })
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
        out.push_str(fragment);
    }
    (out, n)
}

/// Whether `s` holds an absolute file path.
pub(crate) fn has_path(s: &str) -> bool {
    maybe_path(s) && PATH.is_match(s)
}

fn maybe_path(s: &str) -> bool {
    memchr::memchr3(b'/', b'\\', b'~', s.as_bytes()).is_some()
}

/// Replace each absolute path in `s` by its last segment. Returns the count replaced.
pub(crate) fn paths(s: &str) -> (Cow<'_, str>, u64) {
    if !maybe_path(s) {
        return (Cow::Borrowed(s), 0);
    }
    let mut count = 0;
    let out = PATH.replace_all(s, |c: &regex::Captures<'_>| {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let path = c.get(1).map_or("", |m| m.as_str());
        let lead = whole.get(..whole.len() - path.len()).unwrap_or_default();
        count += 1;
        let base = path
            .trim_end_matches(['/', '\\'])
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default();
        format!("{lead}{base}")
    });
    if count == 0 {
        (Cow::Borrowed(s), 0)
    } else {
        (Cow::Owned(out.into_owned()), count)
    }
}

/// Remove e-mail addresses (with surrounding `()`/`<>`) from `s`.
pub(crate) fn emails(s: &str) -> (Cow<'_, str>, u64) {
    if !s.contains('@') {
        return (Cow::Borrowed(s), 0);
    }
    let count = EMAIL.find_iter(s).count() as u64;
    if count == 0 {
        return (Cow::Borrowed(s), 0);
    }
    (
        Cow::Owned(EMAIL.replace_all(s, "").trim().to_string()),
        count,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: fn(&str) -> (Cow<'_, str>, u64), input: &str, expected: &str, count: u64) {
        let (out, n) = f(input);
        assert_eq!((out.as_ref(), n), (expected, count), "input: {input}");
    }

    #[test]
    fn url_credentials_are_removed() {
        let f = url_credentials;
        check(
            f,
            "https://ci-bot:FAKE-TOKEN@artifacts.corp.example/a/b.tgz",
            "https://artifacts.corp.example/a/b.tgz",
            1,
        );
        check(
            f,
            "git+https://x-oauth:tok@github.com/o/r.git#v1",
            "git+https://github.com/o/r.git#v1",
            1,
        );
        check(
            f,
            "https://h.example/f?token=abc&x=1#frag",
            "https://h.example/f?x=1#frag",
            1,
        );
        check(
            f,
            "https://h.example/f?X-Amz-Signature=abc&X-Amz-Credential=k",
            "https://h.example/f",
            2,
        );
        check(
            f,
            "see https://u:p@h.example and https://ok.example/x",
            "see https://h.example and https://ok.example/x",
            1,
        );
        check(
            f,
            "https://github.com/o/r?tab=readme",
            "https://github.com/o/r?tab=readme",
            0,
        );
        check(f, "pkg:npm/ms@2.1.3", "pkg:npm/ms@2.1.3", 0);
        check(f, "mailto:a@b.example", "mailto:a@b.example", 0);
    }

    #[test]
    fn absolute_paths_become_basenames() {
        let f = paths;
        check(f, "/home/builder/summit/Cargo.lock", "Cargo.lock", 1);
        check(f, "file:///home/b/x.json", "x.json", 1);
        check(
            f,
            "found in /usr/lib/python3/site-packages/six.py (pip)",
            "found in six.py (pip)",
            1,
        );
        check(f, r"C:\Users\bob\app\package.json", "package.json", 1);
        check(
            f,
            "path:/tmp/secpack-sbom-fixtures/demo-app",
            "path:demo-app",
            1,
        );
        check(f, "/tmp/x/", "x", 1);
        check(
            f,
            "path+file:///tmp/b/demo-app#0.3.0",
            "path+demo-app#0.3.0",
            1,
        );
        check(f, "/opt", "opt", 1);
        check(
            f,
            "https://github.com/o/r/blob/main/x",
            "https://github.com/o/r/blob/main/x",
            0,
        );
        check(
            f,
            "node_modules/ms/package.json",
            "node_modules/ms/package.json",
            0,
        );
        check(
            f,
            "application/json and/or 12/05/2024",
            "application/json and/or 12/05/2024",
            0,
        );
        check(
            f,
            "pkg:npm/%40scope/name@1.0",
            "pkg:npm/%40scope/name@1.0",
            0,
        );
    }

    #[test]
    fn emails_are_removed() {
        let f = emails;
        check(
            f,
            "Person: Jane Doe (jane@summit.example)",
            "Person: Jane Doe",
            1,
        );
        check(f, "Jane <jane@summit.example>, bob@x.example", "Jane,", 2);
        check(f, "pkg:npm/ms@2.1.3", "pkg:npm/ms@2.1.3", 0);
    }
}
