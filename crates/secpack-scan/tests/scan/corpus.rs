//! The leak corpus: every positive found with the right rule, no negative fires.

use std::collections::BTreeSet;

use secpack_scan::RuleId;

use crate::{corpus_scanner, files_under, leaks_dir};

/// `path:line rule` of every finding under `dir`.
fn findings_under(sub: &str) -> BTreeSet<String> {
    let scanner = corpus_scanner();
    let mut out = BTreeSet::new();
    for (rel, path) in files_under(&leaks_dir().join(sub)) {
        let bytes = std::fs::read(&path).unwrap();
        let report = scanner.scan(&rel, &bytes);
        for f in &report.findings {
            out.insert(format!("{}:{} {}", f.path, f.line, f.rule));
        }
    }
    out
}

fn expected() -> BTreeSet<String> {
    std::fs::read_to_string(leaks_dir().join("EXPECTED"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_positive_is_found_with_its_rule_and_nothing_else() {
    let found = findings_under("positives");
    let expected = expected();
    let missed: Vec<&String> = expected.difference(&found).collect();
    let extra: Vec<&String> = found.difference(&expected).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed: {missed:#?}\nunexpected: {extra:#?}"
    );
}

#[test]
fn the_corpus_covers_every_rule() {
    let covered: BTreeSet<String> = expected()
        .iter()
        .filter_map(|l| l.split_once(' ').map(|(_, r)| r.to_owned()))
        .collect();
    for rule in RuleId::ALL {
        assert!(
            covered.contains(rule.as_str()),
            "no positive fixture for rule {rule}"
        );
    }
}

#[test]
fn no_negative_fires() {
    let found = findings_under("negatives");
    assert!(found.is_empty(), "false positives: {found:#?}");
}

#[test]
fn no_preview_or_display_contains_a_secret() {
    let scanner = corpus_scanner();
    for (rel, path) in files_under(&leaks_dir().join("positives")) {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for f in scanner.scan(&rel, &bytes).findings {
            let shown = format!("{f} {}", serde_json::to_string(&f).unwrap());
            // No run of 8 characters of the shown text (outside the marker rule, whose text is
            // configuration) may be a run of the secret-bearing line.
            if f.rule == RuleId::InternalMarker || f.rule == RuleId::UnscannableContent {
                continue;
            }
            let line = text
                .lines()
                .nth(usize::try_from(f.line).unwrap() - 1)
                .unwrap_or_default();
            let preview = f.preview.split(" (").next().unwrap();
            let visible = preview.split("***").next().unwrap();
            assert!(
                visible.len() <= 4,
                "{rel}:{}: preview shows too much: {preview}",
                f.line
            );
            for word in line
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| w.len() >= 8)
            {
                assert!(
                    !shown.contains(word),
                    "{rel}:{}: `{shown}` shows `{word}`",
                    f.line
                );
            }
        }
    }
}

#[test]
fn chunked_scan_equals_whole_scan_on_the_corpus() {
    let scanner = corpus_scanner();
    for sub in ["positives", "negatives"] {
        for (rel, path) in files_under(&leaks_dir().join(sub)) {
            let bytes = std::fs::read(&path).unwrap();
            let whole = scanner.scan(&rel, &bytes);
            for chunk in [1, 7, 4096] {
                let mut stream = scanner.stream(&rel);
                for piece in bytes.chunks(chunk) {
                    stream.feed(piece);
                }
                assert_eq!(stream.finish(), whole, "{rel}, {chunk}-byte chunks");
            }
            let mut reader: &[u8] = &bytes;
            assert_eq!(
                scanner.scan_reader(&rel, &mut reader).unwrap(),
                whole,
                "{rel} via Read"
            );
        }
    }
}

#[test]
fn fingerprints_are_stable_and_exceptions_accept_exactly_their_finding() {
    let scanner = corpus_scanner();
    let path = leaks_dir().join("positives/tokens/ci-notes.md");
    let bytes = std::fs::read(&path).unwrap();
    let first = scanner.scan("tokens/ci-notes.md", &bytes);
    let again = scanner.scan("tokens/ci-notes.md", &bytes);
    assert_eq!(first, again);
    let moved = scanner.scan("elsewhere/ci-notes.md", &bytes);
    assert!(
        first
            .findings
            .iter()
            .zip(&moved.findings)
            .all(|(a, b)| a.fingerprint != b.fingerprint)
    );

    let jwt = first
        .findings
        .iter()
        .find(|f| f.rule == RuleId::Jwt)
        .unwrap()
        .clone();
    let mut config = crate::corpus_config();
    config.exceptions.push(secpack_scan::Exception {
        fingerprint: jwt.fingerprint.clone(),
        reason: "expired demo token shown in the SSO guide".into(),
    });
    let triage = secpack_scan::Scanner::new(&config)
        .unwrap()
        .triage(first.findings.clone());
    assert_eq!(triage.accepted.len(), 1);
    assert_eq!(triage.accepted[0].fingerprint, jwt.fingerprint);
    assert_eq!(
        triage.accepted[0].reason,
        "expired demo token shown in the SSO guide"
    );
    assert_eq!(triage.blocking.len(), first.findings.len() - 1);
    assert!(triage.unused_exceptions.is_empty());
}
