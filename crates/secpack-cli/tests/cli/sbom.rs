//! `secpack sbom redact` and `secpack sbom licenses` on real SBOMs from real generators.

use std::process::Command;

use crate::support::*;

fn real(name: &str) -> std::path::PathBuf {
    secpack_testkit::workspace_root()
        .join("fixtures/sbom/real")
        .join(name)
}

#[test]
fn redact_writes_valid_json_of_the_same_format_to_stdout_or_a_file() {
    for name in [
        "syft.cdx-1.6.json",
        "cdxgen.cdx-1.7.json",
        "syft.spdx-2.3.json",
        "cyclonedx-py.cdx-1.4.json",
    ] {
        let o = secpack(&["sbom", "redact", real(name).to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let input: serde_json::Value =
            serde_json::from_slice(&std::fs::read(real(name)).unwrap()).unwrap();
        assert_eq!(out.get("bomFormat"), input.get("bomFormat"), "{name}");
        assert_eq!(out.get("specVersion"), input.get("specVersion"), "{name}");
        assert_eq!(out.get("spdxVersion"), input.get("spdxVersion"), "{name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let o = secpack(&[
        "sbom",
        "redact",
        real("syft.cdx-1.6.json").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--summary",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let summary: serde_json::Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert!(summary["original_sha256"].is_string(), "{summary}");
    serde_json::from_slice::<serde_json::Value>(&std::fs::read(&out).unwrap()).unwrap();
}

#[test]
fn rules_file_removes_components_and_keeps_the_graph_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "remove_purls = [\"pkg:golang/*\", \"pkg:pypi/*\", \"pkg:npm/*\", \"pkg:cargo/*\"]\n",
    )
    .unwrap();
    let o = secpack(&[
        "sbom",
        "redact",
        real("syft.cdx-1.6.json").to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let refs: std::collections::BTreeSet<String> = out["components"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|c| c["bom-ref"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let meta_ref = out["metadata"]["component"]["bom-ref"]
        .as_str()
        .map(str::to_owned);
    for dep in out["dependencies"].as_array().into_iter().flatten() {
        for r in
            std::iter::once(&dep["ref"]).chain(dep["dependsOn"].as_array().into_iter().flatten())
        {
            let r = r.as_str().unwrap().to_owned();
            assert!(
                refs.contains(&r) || meta_ref.as_deref() == Some(r.as_str()),
                "dangling reference {r}"
            );
        }
    }
}

#[test]
fn bad_input_is_a_clear_usage_error_with_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not-json.json", "this is not json"),
        ("unknown.json", "{\"hello\": 1}"),
        (
            "truncated.json",
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [",
        ),
    ];
    for (name, content) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, content).unwrap();
        let out = dir.path().join(format!("{name}.out"));
        let o = secpack(&[
            "sbom",
            "redact",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(name),
            "{name}: the message names the file: {}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"));
        assert!(!out.exists(), "{name}: no partial output");
    }
    let bad_rules = dir.path().join("bad.toml");
    std::fs::write(&bad_rules, "remove_purl = [\"x\"]\n").unwrap();
    let o = secpack(&[
        "sbom",
        "redact",
        real("syft.cdx-1.6.json").to_str().unwrap(),
        "--rules",
        bad_rules.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.toml:1:1"), "{}", stderr(&o));
}

#[test]
fn licenses_are_aggregated_from_several_sboms() {
    let o = Command::new(env!("CARGO_BIN_EXE_secpack"))
        .args(["sbom", "licenses"])
        .arg(real("syft.cdx-1.6.json"))
        .arg(real("syft.spdx-2.3.json"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.lines().count() > 10, "{text}");
    assert!(text.contains("license: "), "{text}");
}
