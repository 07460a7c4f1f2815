//! The Summit fixture: the files that ship are clean once internal sections are stripped; the
//! internal canaries (keys, hosts, addresses, markers) are caught.

use std::collections::BTreeSet;

use secpack_scan::{RuleId, strip_internal_sections};

use crate::{corpus_scanner, files_under, workspace};

/// Paths of the Summit fixture that never ship, or ship only after another crate transforms
/// them (`build/`: SBOM and provenance are redacted by secpack-sbom / secpack-provenance).
fn not_shipped_as_is(rel: &str) -> bool {
    rel.starts_with("internal/")
        || rel.starts_with("build/")
        || rel == "README.md"
        || rel == "secpack.toml"
}

#[test]
fn shipped_summit_files_are_clean_after_stripping_internal_sections() {
    let root = workspace().join("fixtures/summit");
    let scanner = corpus_scanner();
    let mut scanned = 0;
    let mut stripped = 0;
    for (rel, path) in files_under(&root) {
        if not_shipped_as_is(&rel) {
            continue;
        }
        let mut bytes = std::fs::read(&path).unwrap();
        if rel.ends_with(".md") {
            let text = String::from_utf8(bytes).unwrap();
            let clean = strip_internal_sections(&text, &rel).unwrap();
            stripped += usize::from(clean.len() != text.len());
            bytes = clean.into_bytes();
        }
        let report = scanner.scan(&rel, &bytes);
        assert_eq!(report.findings, [], "{rel} would leak");
        scanned += 1;
    }
    assert!(
        scanned >= 15,
        "only {scanned} files scanned: did the fixture move?"
    );
    assert!(
        stripped >= 1,
        "no internal section was stripped: did the fixture change?"
    );
}

#[test]
fn unstripped_internal_section_is_caught() {
    let path = workspace().join("fixtures/summit/hardening/cloud-deployment.md");
    let bytes = std::fs::read(path).unwrap();
    let rules: BTreeSet<RuleId> = corpus_scanner()
        .scan("hardening/cloud-deployment.md", &bytes)
        .findings
        .iter()
        .map(|f| f.rule)
        .collect();
    assert_eq!(
        rules,
        BTreeSet::from([RuleId::InternalMarker, RuleId::InternalHost])
    );
}

#[test]
fn internal_summit_files_are_caught() {
    let root = workspace().join("fixtures/summit/internal");
    let scanner = corpus_scanner();
    let mut by_file: Vec<(String, BTreeSet<RuleId>)> = Vec::new();
    for (rel, path) in files_under(&root) {
        let bytes = std::fs::read(&path).unwrap();
        let rules = scanner
            .scan(&rel, &bytes)
            .findings
            .iter()
            .map(|f| f.rule)
            .collect();
        by_file.push((rel, rules));
    }
    let rules_of = |name: &str| {
        by_file
            .iter()
            .find(|(rel, _)| rel.ends_with(name))
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    };
    assert!(
        by_file.iter().all(|(_, rules)| !rules.is_empty()),
        "{by_file:#?}"
    );
    assert!(rules_of("TEST-ONLY-deploy-key.pem").contains(&RuleId::PrivateKey));
    assert!(
        rules_of("2026-q3-pentest-raw.md").is_superset(&BTreeSet::from([
            RuleId::InternalMarker,
            RuleId::InternalHost,
            RuleId::InternalIp,
            RuleId::BearerToken
        ]))
    );
    assert!(
        rules_of("admin-access-2026-10.log")
            .is_superset(&BTreeSet::from([RuleId::InternalHost, RuleId::InternalIp]))
    );
}
