//! Real SBOMs from real tools (fixtures/sbom/real/, made by scripts/gen-sbom-fixtures.sh):
//! every redaction succeeds, keeps its format, leaves no dangling reference, and passes the
//! official validator of its format and version; input that is already invalid is reported.

use std::path::PathBuf;

use secpack_sbom::Rules;

use crate::{assert_no_dangling, fixture, summit_rules, validate, write};

fn real_inputs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture("sbom/real"))
        .expect("fixtures/sbom/real")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Inputs the producing tool already got wrong (see docs/sbom.md).
const INVALID_INPUTS: &[&str] = &["cargo-sbom.spdx-2.3.json"];

#[test]
fn every_producer_and_version_is_covered() {
    let names: Vec<String> = real_inputs()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for producer in [
        "syft",
        "cdxgen",
        "cyclonedx-py",
        "cyclonedx-npm",
        "cargo-cyclonedx",
        "cargo-sbom",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(producer)),
            "no fixture from {producer}"
        );
    }
    for version in [
        "cdx-1.4", "cdx-1.5", "cdx-1.6", "cdx-1.7", "spdx-2.2", "spdx-2.3",
    ] {
        assert!(
            names.iter().any(|n| n.contains(version)),
            "no {version} fixture"
        );
    }
}

#[test]
fn real_sboms_redact_to_valid_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut outputs = Vec::new();
    let mut inputs = Vec::new();
    for input in real_inputs() {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&input).expect("read fixture");
        if name.contains(".spdx-") {
            inputs.push(input.clone()); // cheap to check, and one of them must be rejected
        }
        for (profile, rules) in [
            ("default", Rules::default()),
            ("summit", summit_rules()),
            ("strict", strict()),
        ] {
            let out = secpack_sbom::redact(&bytes, &rules, None)
                .unwrap_or_else(|e| panic!("{name} ({profile}): {e}"));
            let text = String::from_utf8(out.bytes.clone()).expect("utf-8");
            assert_no_dangling(&format!("{name} ({profile})"), &text);
            assert_eq!(
                out.format
                    .to_string()
                    .to_lowercase()
                    .replace(' ', "-")
                    .replace("cyclonedx-", "cdx-"),
                name.trim_end_matches(".json").split_once('.').unwrap().1,
                "{name}: format kept"
            );
            let again = secpack_sbom::redact(&bytes, &rules, None).expect("second run");
            assert_eq!(out.bytes, again.bytes, "{name} ({profile}): deterministic");
            assert_eq!(
                out.summary.unchanged,
                out.bytes == bytes,
                "{name}: `unchanged` tells the truth"
            );
            if INVALID_INPUTS.contains(&name.as_str()) {
                assert!(
                    out.summary
                        .input_problems
                        .iter()
                        .any(|p| p.contains("downloadLocation")),
                    "{name}: the input's own problems are reported: {:?}",
                    out.summary.input_problems
                );
            }
            // The validators take seconds per file: validate the default and the strict profile
            // (every rule at once); the Summit profile overlaps the default on these inputs.
            if profile != "summit" {
                outputs.push(write(dir.path(), &format!("{profile}.{name}"), &out.bytes));
            }
        }
    }
    let Some(results) = validate(&inputs.iter().chain(&outputs).cloned().collect::<Vec<_>>())
    else {
        return;
    };
    assert_eq!(
        results.len(),
        inputs.len() + outputs.len(),
        "every file was validated"
    );
    for (path, result) in results {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let known_bad = INVALID_INPUTS.iter().any(|bad| name.ends_with(bad));
        match (result, known_bad) {
            (Ok(()), false) => {}
            (Err(_), true) => {} // the tool's own defect, kept (and reported) by the redaction
            (Ok(()), true) => {
                panic!("{name} was expected to be rejected by the validator (fixture changed?)")
            }
            (Err(e), false) => panic!("{name} is invalid: {e}"),
        }
    }
}

/// Everything on at once.
fn strict() -> Rules {
    crate::rules(
        r#"
remove_names = ["ms", "idna", "itoa"]
strip_properties = ["*"]
strip_urls = ["https://*"]
strip_spdx_files = true
strip_authors = true
strip_emails = true
"#,
    )
}

#[test]
fn rules_that_match_nothing_give_back_the_input_byte_for_byte() {
    let rules = crate::rules("strip_file_paths = false\nstrip_properties = []");
    for input in real_inputs() {
        let bytes = std::fs::read(&input).expect("read fixture");
        let out = secpack_sbom::redact(&bytes, &rules, None).expect("redacts");
        assert!(out.summary.unchanged, "{}", input.display());
        assert_eq!(out.bytes, bytes, "{}: lossless", input.display());
        assert_eq!(out.summary.original_sha256, out.summary.redacted_sha256);
    }
}

#[test]
fn default_profile_removes_build_paths_from_real_outputs() {
    for input in real_inputs() {
        let bytes = std::fs::read(&input).expect("read fixture");
        let out = secpack_sbom::redact(&bytes, &Rules::default(), None).expect("redacts");
        let text = String::from_utf8(out.bytes).expect("utf-8");
        assert!(
            !text.contains("/tmp/secpack-sbom-fixtures"),
            "{}: absolute build path left",
            input.display()
        );
    }
}
