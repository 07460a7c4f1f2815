//! Bad input: a clear error naming the problem and its position, never a panic or partial output.

use expect_test::{Expect, expect};
use secpack_sbom::{Error, Rules};

fn check(input: &[u8], expected: Expect) {
    check_with(input, &Rules::default(), None, expected);
}

fn check_with(input: &[u8], rules: &Rules, key: Option<&[u8]>, expected: Expect) {
    match secpack_sbom::redact(input, rules, key) {
        Ok(out) => panic!("expected an error, got {} bytes of output", out.bytes.len()),
        Err(e) => expected.assert_eq(&e.to_string()),
    }
}

#[test]
fn not_json_or_truncated() {
    check(
        b"",
        expect!["sbom is not valid JSON: EOF while parsing a value at line 1 column 0"],
    );
    check(
        b"<?xml version=\"1.0\"?><bom/>",
        expect![[
            r#"sbom format not recognised: XML; only the JSON encodings of CycloneDX and SPDX are supported; expected CycloneDX JSON ("bomFormat": "CycloneDX") or SPDX JSON ("spdxVersion": "SPDX-2.3")"#
        ]],
    );
    check(b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [{\"name\": \"a\"", expect!["sbom is not valid JSON: EOF while parsing an object at line 1 column 76"]);
    check(
        b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n",
        expect![[
            r#"sbom format not recognised: SPDX tag-value; only the JSON encoding of SPDX is supported; expected CycloneDX JSON ("bomFormat": "CycloneDX") or SPDX JSON ("spdxVersion": "SPDX-2.3")"#
        ]],
    );
    check(
        b"{\"a\": 1} trailing",
        expect!["sbom is not valid JSON: trailing characters at line 1 column 10"],
    );
    check(
        b"{\"name\": \"\xff\xfe\"}",
        expect!["sbom is not valid JSON: invalid UTF-8 at line 1 column 11"],
    );
}

#[test]
fn unknown_formats_and_versions() {
    check(
        b"[1, 2]",
        expect![[
            r#"sbom format not recognised: the top-level value is an array, not an object; expected CycloneDX JSON ("bomFormat": "CycloneDX") or SPDX JSON ("spdxVersion": "SPDX-2.3")"#
        ]],
    );
    check(
        br#"{"name": "x"}"#,
        expect![[
            r#"sbom format not recognised: an object with neither "bomFormat" nor "spdxVersion"; expected CycloneDX JSON ("bomFormat": "CycloneDX") or SPDX JSON ("spdxVersion": "SPDX-2.3")"#
        ]],
    );
    check(
        br#"{"bomFormat": "SPDX"}"#,
        expect![[
            r#"sbom format not recognised: "bomFormat" is "SPDX"; expected CycloneDX JSON ("bomFormat": "CycloneDX") or SPDX JSON ("spdxVersion": "SPDX-2.3")"#
        ]],
    );
    check(
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.3"}"#,
        expect![
            "sbom is CycloneDX 1.3, which is not supported; supported versions: CycloneDX JSON 1.4, 1.5, 1.6, 1.7"
        ],
    );
    check(
        br#"{"bomFormat": "CycloneDX"}"#,
        expect![[
            r#"sbom is CycloneDX (no "specVersion" string), which is not supported; supported versions: CycloneDX JSON 1.4, 1.5, 1.6, 1.7"#
        ]],
    );
    check(
        br#"{"spdxVersion": "SPDX-2.1"}"#,
        expect!["sbom is SPDX 2.1, which is not supported; supported versions: SPDX JSON 2.2, 2.3"],
    );
    check(
        br#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}"#,
        expect![[
            r#"sbom is SPDX 3 (JSON-LD "@context"), which is not supported; supported versions: SPDX JSON 2.2, 2.3"#
        ]],
    );
}

#[test]
fn deeply_nested() {
    let deep = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": {}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    check(
        deep.as_bytes(),
        expect![
            "sbom nests arrays/objects more than 127 levels deep at line 1 column 181; real SBOMs are far shallower, so the file is malformed or hostile"
        ],
    );
}

#[test]
fn duplicate_identifiers_and_keys() {
    check(
        b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\",\n\"components\": [{\"bom-ref\": \"a\", \"name\": \"x\", \"type\": \"library\"},\n{\"bom-ref\": \"a\", \"name\": \"y\", \"type\": \"library\"}]}",
        expect![[r#"sbom has the bom-ref "a" twice (line 2 and line 3); identifiers must be unique, so references to it are ambiguous"#]],
    );
    check(
        b"{\"spdxVersion\": \"SPDX-2.3\", \"SPDXID\": \"SPDXRef-DOCUMENT\",\n\"packages\": [{\"SPDXID\": \"SPDXRef-DOCUMENT\", \"name\": \"p\"}]}",
        expect![[r#"sbom has the SPDXID "SPDXRef-DOCUMENT" twice (line 1 and line 2); identifiers must be unique, so references to it are ambiguous"#]],
    );
    check(
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "name": "b"}]}"#,
        expect![[r#"sbom object has the key "name" twice at line 1 column 79; remove the duplicate"#]],
    );
}

#[test]
fn wrong_types_where_structure_matters() {
    check(
        br#"{"spdxVersion": "SPDX-2.3", "packages": {"SPDXID": "SPDXRef-a"}}"#,
        expect!["sbom field `packages` at line 1 column 41 must be an array, found an object"],
    );
    check(
        br#"{"spdxVersion": "SPDX-2.3", "packages": [1]}"#,
        expect!["sbom field `packages[0]` at line 1 column 42 must be an object, found a number"],
    );
}

#[test]
fn too_large_for_the_configured_limit() {
    let rules = Rules::from_toml("max_input_bytes = 64", "r.toml").expect("rules");
    check_with(
        &[b' '; 65],
        &rules,
        None,
        expect![
            "sbom is 65 bytes, more than the limit of 64 bytes; raise `max_input_bytes` in the redaction rules if this file is expected"
        ],
    );
}

#[test]
fn pseudonymize_needs_a_strong_key() {
    let rules = Rules::from_toml("pseudonymize = true", "r.toml").expect("rules");
    let input = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#;
    check_with(
        input,
        &rules,
        None,
        expect![
            "redaction rules set `pseudonymize = true` but no pseudonym key was given; pass a secret key of at least 16 bytes (for example from the CI secret SECPACK_SBOM_PSEUDONYM_KEY) or set `pseudonymize = false`"
        ],
    );
    check_with(
        input,
        &rules,
        Some(b"short"),
        expect![
            "pseudonym key is 5 bytes; use at least 16 random bytes so pseudonyms cannot be reversed by guessing component names"
        ],
    );
    // Without the rule, no key is needed and a given key is ignored.
    assert!(secpack_sbom::redact(input, &Rules::default(), Some(b"short")).is_ok());
}

#[test]
fn errors_are_typed() {
    assert!(matches!(
        secpack_sbom::redact(b"{", &Rules::default(), None),
        Err(Error::NotJson {
            line: 1,
            column: 1,
            ..
        })
    ));
    assert!(matches!(
        secpack_sbom::licenses(&[
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
            b"nope"
        ]),
        Err(Error::Input { index: 2, .. })
    ));
}

#[test]
fn rules_errors_name_file_line_column() {
    for (text, expected) in [
        (
            "remove_names = [\"a\"]\nstrip_urls = \"https://x\"\n",
            expect![[
                r#"fixtures/secpack.toml [sbom.redact]:2:14: invalid type: string "https://x", expected a sequence"#
            ]],
        ),
        (
            "remove_flagged = [{ property = \"x\", valu = \"1\" }]",
            expect![
                "fixtures/secpack.toml [sbom.redact]:1:37: unknown field `valu`, expected `property` or `value`"
            ],
        ),
        (
            "pseudonymize = true\npseudonymize = false",
            expect!["fixtures/secpack.toml [sbom.redact]:2:1: duplicate key"],
        ),
        (
            "remove_purls = [\"pkg:npm/{a,b\"]",
            expect![[
                r#"fixtures/secpack.toml [sbom.redact]:1:16: invalid glob "pkg:npm/{a,b": unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)"#
            ]],
        ),
    ] {
        match Rules::from_toml(text, "fixtures/secpack.toml [sbom.redact]") {
            Ok(r) => panic!("expected an error for {text:?}, got {r:?}"),
            Err(e) => expected.assert_eq(&e.to_string()),
        }
    }
}
