#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The configuration reference stays complete: every key `secpack.toml` accepts is documented.

use std::path::Path;

use secpack_pipeline::Config;

/// The keys serde accepts at `table`, read from the "expected one of" list of the error for
/// an unknown key placed there.
fn accepted_keys(table: &str) -> Vec<String> {
    let base = "[product]\nname = \"x\"\n";
    let text = match table {
        "" => format!("__unknown = 1\n{base}"),
        "product" => "[product]\n__unknown = 1\n".to_owned(),
        t if t.starts_with("[[") => format!("{base}{t}\n__unknown = 1\n"),
        t => format!("{base}[{t}]\n__unknown = 1\n"),
    };
    let err = Config::parse(&text, "secpack.toml")
        .unwrap_err()
        .to_string();
    let list = err
        .split("expected one of ")
        .nth(1)
        .or_else(|| err.split("expected ").nth(1))
        .unwrap_or_else(|| panic!("{table}: {err}"));
    // The list ends where the sentence does; every key in it is in backticks.
    let list = list.split(';').next().unwrap_or(list);
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn doc(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

#[test]
fn every_config_key_is_documented() {
    let config_md = doc("config.md");
    let tables = [
        "",
        "product",
        "contacts",
        "[[classify]]",
        "[[dirs]]",
        "signing",
        "provenance",
        "[[product_provenance]]",
        "[[sbom]]",
    ];
    let mut missing = Vec::new();
    for table in tables {
        let keys = accepted_keys(table);
        assert!(!keys.is_empty(), "{table}");
        for key in keys {
            if !config_md.contains(&format!("`{key}`"))
                && !config_md.contains(&format!("`sbom[].{key}`"))
                && !config_md.contains(&format!("[{key}]"))
                && !config_md.contains(&format!("[[{key}]]"))
            {
                missing.push(format!("{table} {key}"));
            }
        }
    }
    for (table, file) in [
        ("sbom_redact", "sbom.md"),
        ("leak_gate", "leak-gate.md"),
        ("questionnaires", "questionnaires.md"),
    ] {
        let text = doc(file);
        for key in accepted_keys(table) {
            if !text.contains(&format!("`{key}`")) {
                missing.push(format!("{table}.{key} (docs/{file})"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented config keys: {missing:?}");
}
