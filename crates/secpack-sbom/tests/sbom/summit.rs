//! The Summit fixture SBOMs with the rules of fixtures/sbom/summit-rules.toml (the lead's
//! `[sbom.redact]`): nothing internal survives, the graph stays whole, the validators accept the
//! output, pseudonyms are keyed and stable, and the license file is a reviewed snapshot.

use secpack_sbom::{Error, Redacted};

use crate::{assert_no_dangling, fixture, pyspdxtools, summit_rules, validate, write};

const INPUTS: [&str; 2] = [
    "summit/build/sbom/summit-1.2.3.cdx.json",
    "summit/build/sbom/summit-1.2.3.spdx.json",
];

/// Strings that must not reach a customer: internal names, hosts, credentials, build paths, people.
const FORBIDDEN: &[&str] = &[
    "summit-internal",
    "corp.summit.example",
    "FAKE-TOKEN",
    "TEST-ONLY",
    "ci-bot",
    "/home/builder",
    "Dana Builder",
    "dana.builder",
    "release-bot",
    "SUMMIT-VULN",
    "license-server",
];

fn redacted(rel: &str, r: &secpack_sbom::Rules, key: Option<&[u8]>) -> Redacted {
    let bytes = std::fs::read(fixture(rel)).expect("summit fixture");
    secpack_sbom::redact(&bytes, r, key).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn assert_clean(label: &str, text: &str) {
    assert_nothing_forbidden(label, text);
    assert_no_dangling(label, text);
}

fn assert_nothing_forbidden(label: &str, text: &str) {
    for f in FORBIDDEN {
        assert!(!text.contains(f), "{label}: {f:?} survived the redaction");
    }
}

#[test]
fn inputs_do_carry_what_the_rules_must_remove() {
    for rel in INPUTS {
        let text = std::fs::read_to_string(fixture(rel)).expect("summit fixture");
        for f in [
            "summit-internal",
            "corp.summit.example",
            "FAKE-TOKEN-TEST-ONLY",
            "/home/builder",
        ] {
            assert!(
                text.contains(f),
                "{rel} lacks {f:?}: the test would prove nothing"
            );
        }
    }
}

#[test]
fn summit_rules_leave_nothing_internal_and_valid_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for rel in INPUTS {
        let out = redacted(rel, &summit_rules(), None);
        let text = String::from_utf8(out.bytes.clone()).expect("utf-8");
        assert_clean(rel, &text);
        assert!(
            out.summary.input_problems.is_empty(),
            "{rel}: {:?}",
            out.summary.input_problems
        );
        let removed = |k: &str| out.summary.removed.get(k).copied().unwrap_or(0);
        match out.format {
            secpack_sbom::Format::CycloneDx { minor } => {
                assert_eq!(minor, 6);
                assert_eq!(
                    (removed("components"), removed("services")),
                    (5, 1),
                    "{:?}",
                    out.summary.removed
                );
                assert!(
                    text.contains("\"aggregate\": \"incomplete\""),
                    "omission declared"
                );
                assert!(text.contains("secpack:redaction"), "omission declared");
            }
            _ => {
                assert_eq!(removed("packages"), 5, "{:?}", out.summary.removed);
                assert!(
                    text.contains("\"annotator\": \"Tool: secpack-sbom\""),
                    "omission declared"
                );
            }
        }
        files.push(write(
            dir.path(),
            &format!("redacted.{}", rel.rsplit('/').next().unwrap()),
            &out.bytes,
        ));
        files.push(fixture(rel));
    }
    if let Some(results) = validate(&files) {
        for (path, result) in results {
            assert!(result.is_ok(), "{}: {:?}", path.display(), result);
        }
    }
    let spdx = files
        .iter()
        .find(|f| f.starts_with(dir.path()) && f.to_string_lossy().ends_with(".spdx.json"));
    if let Some(verdict) = pyspdxtools(spdx.expect("redacted spdx output")) {
        assert!(
            verdict.is_ok(),
            "pyspdxtools -i rejects the redacted Summit SPDX: {verdict:?}"
        );
    }
}

#[test]
fn pseudonyms_are_keyed_stable_and_valid() {
    let mut r = summit_rules();
    r.pseudonymize = true;
    let key_a: &[u8] = b"summit-test-key-AAAAAAAAAAAAAAAA";
    let key_b: &[u8] = b"summit-test-key-BBBBBBBBBBBBBBBB";
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for rel in INPUTS {
        let a = redacted(rel, &r, Some(key_a));
        let a2 = redacted(rel, &r, Some(key_a));
        let b = redacted(rel, &r, Some(key_b));
        assert_eq!(a.bytes, a2.bytes, "{rel}: same key, same output");
        assert_ne!(a.bytes, b.bytes, "{rel}: another key, other pseudonyms");
        assert!(a.summary.pseudonymized);
        let text = String::from_utf8(a.bytes.clone()).expect("utf-8");
        assert_clean(rel, &text);
        assert!(
            text.contains("\"name\": \"redacted-") || text.contains("\"name\":\"redacted-"),
            "{rel}: stubs present"
        );
        files.push(write(
            dir.path(),
            &format!("pseudo.{}", rel.rsplit('/').next().unwrap()),
            &a.bytes,
        ));
        match secpack_sbom::redact(&std::fs::read(fixture(rel)).unwrap(), &r, None) {
            Err(Error::MissingPseudonymKey) => {}
            other => panic!("{rel}: pseudonymize without a key must fail, got {other:?}"),
        }
    }
    if let Some(results) = validate(&files) {
        for (path, result) in results {
            assert!(result.is_ok(), "{}: {:?}", path.display(), result);
        }
    }
}

#[test]
fn third_party_licenses_snapshot() {
    let cdx = redacted(INPUTS[0], &summit_rules(), None);
    let spdx = redacted(INPUTS[1], &summit_rules(), None);
    let text = secpack_sbom::licenses(&[&cdx.bytes, &spdx.bytes]).expect("licenses");
    assert_eq!(
        text,
        secpack_sbom::licenses(&[&cdx.bytes, &spdx.bytes]).unwrap(),
        "deterministic"
    );
    assert_nothing_forbidden("third-party-licenses.txt", &text);
    expect_test::expect_file!["../../../../fixtures/sbom/summit-third-party-licenses.txt"]
        .assert_eq(&text);
}

#[test]
fn licenses_mark_components_without_license_information() {
    let input = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"application","name":"self"}},"components":[{"type":"library","name":"b","version":"2","licenses":[{"license":{"id":"MIT","text":{"content":"TUlUIExpY2Vuc2UgdGV4dA==","encoding":"base64"}}}]},{"type":"library","name":"a","version":"1"},{"type":"library","group":"g","name":"c","licenses":[{"expression":"Apache-2.0 OR MIT"}],"components":[{"type":"library","name":"nested","licenses":[{"license":{"name":"Custom"}}]}]}]}"#;
    expect_test::expect![[r#"
        THIRD-PARTY LICENSES

        Aggregated by secpack-sbom from 1 software bill(s) of materials: 4 components, 1 without license information.
        Ordered by name, version and package URL.

        ================================================================================
        a 1
        license: (no license information in the SBOM)

        ================================================================================
        b 2
        license: MIT

        --- license text: MIT ---
        MIT License text

        ================================================================================
        g/c
        license: Apache-2.0 OR MIT

        ================================================================================
        nested
        license: Custom
    "#]].assert_eq(&secpack_sbom::licenses(&[input]).expect("licenses"));
}
