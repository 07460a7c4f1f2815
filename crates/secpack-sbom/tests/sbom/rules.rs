//! One data-driven case per rule, on small inline SBOMs: the whole output (lossless everywhere
//! no rule touched) and the counts of the summary.

use expect_test::{Expect, expect};

use crate::{assert_no_dangling, normalized, rules};

const KEY: &[u8] = b"test-key-0123456789abcdef";

fn check(input: &str, rules_toml: &str, expected: &Expect) {
    expected.assert_eq(&run(input, rules_toml));
}

/// Several rules that must have the same effect: one snapshot.
fn check_same(input: &str, rules: &[&str], expected: &Expect) {
    let outputs: Vec<String> = rules.iter().map(|r| run(input, r)).collect();
    for (r, o) in rules.iter().zip(&outputs) {
        assert_eq!(o, &outputs[0], "rule {r} differs from rule {}", rules[0]);
    }
    expected.assert_eq(&outputs[0]);
}

fn run(input: &str, rules_toml: &str) -> String {
    let r = rules(rules_toml);
    let key = r.pseudonymize.then_some(KEY);
    let out = secpack_sbom::redact(input.as_bytes(), &r, key).expect("redacts");
    let text = String::from_utf8(out.bytes).expect("utf-8");
    assert_no_dangling(rules_toml, &text);
    let again = secpack_sbom::redact(input.as_bytes(), &r, key).expect("redacts");
    assert_eq!(text.as_bytes(), again.bytes, "deterministic");
    let counts = serde_json::json!({ "removed": out.summary.removed, "changed": out.summary.changed, "problems": out.summary.input_problems });
    format!("{}\n{}", normalized(&text), counts)
}

const CDX: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"bom-ref":"app","type":"application","name":"app"}},"components":[{"bom-ref":"a","type":"library","name":"liba","version":"1.0.0","purl":"pkg:npm/liba@1.0.0","properties":[{"name":"build:host","value":"b7"}]},{"bom-ref":"x","type":"library","group":"com.acme.internal","name":"acme-secret","purl":"pkg:maven/com.acme.internal/acme-secret@2.0","supplier":{"name":"Acme Internal"},"properties":[{"name":"acme:flag","value":"internal"}],"components":[{"bom-ref":"x1","type":"library","name":"x-child"}]}],"dependencies":[{"ref":"app","dependsOn":["a","x"]},{"ref":"x","dependsOn":["a","x1"]},{"ref":"x1"}],"compositions":[{"aggregate":"complete","assemblies":["app","x"]}],"vulnerabilities":[{"id":"INT-1","affects":[{"ref":"x"}]},{"id":"CVE-1","affects":[{"ref":"a"},{"ref":"x1"}]}],"annotations":[{"subjects":["x"],"annotator":{"organization":{"name":"Acme"}},"timestamp":"2026-01-01T00:00:00Z","text":"internal"}]}"#;

#[test]
fn default_profile_touches_nothing_here() {
    // No path, no credential, no internal-flagged property name: byte-for-byte the input.
    check(
        CDX,
        "",
        &expect![[r#"
        {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"bom-ref":"app","type":"application","name":"app"}},"components":[{"bom-ref":"a","type":"library","name":"liba","version":"1.0.0","purl":"pkg:npm/liba@1.0.0","properties":[{"name":"build:host","value":"b7"}]},{"bom-ref":"x","type":"library","group":"com.acme.internal","name":"acme-secret","purl":"pkg:maven/com.acme.internal/acme-secret@2.0","supplier":{"name":"Acme Internal"},"properties":[{"name":"acme:flag","value":"internal"}],"components":[{"bom-ref":"x1","type":"library","name":"x-child"}]}],"dependencies":[{"ref":"app","dependsOn":["a","x"]},{"ref":"x","dependsOn":["a","x1"]},{"ref":"x1"}],"compositions":[{"aggregate":"complete","assemblies":["app","x"]}],"vulnerabilities":[{"id":"INT-1","affects":[{"ref":"x"}]},{"id":"CVE-1","affects":[{"ref":"a"},{"ref":"x1"}]}],"annotations":[{"subjects":["x"],"annotator":{"organization":{"name":"Acme"}},"timestamp":"2026-01-01T00:00:00Z","text":"internal"}]}
        {"removed":{},"changed":{},"problems":[]}"#]],
    );
}

#[test]
fn each_removal_rule_removes_the_component_and_its_references() {
    check_same(
        CDX,
        &[
            r#"remove_purls = ["pkg:maven/com.acme.internal/*"]"#,
            r#"remove_names = ["acme-*"]"#,
            r#"remove_groups = ["com.acme.internal"]"#,
            r#"remove_suppliers = ["Acme Internal"]"#,
            r#"remove_flagged = [{ property = "acme:flag", value = "internal" }]"#,
            r#"remove_flagged = [{ property = "acme:*" }]"#,
        ],
        &expect![[r#"
            {"bomFormat":"CycloneDX","specVersion":"1.6","version":2,"metadata":{"component":{"bom-ref":"app","type":"application","name":"app"}, "properties": [{"name":"secpack:redaction","value":"<declared>"}]},"components":[{"bom-ref":"a","type":"library","name":"liba","version":"1.0.0","purl":"pkg:npm/liba@1.0.0","properties":[{"name":"build:host","value":"b7"}]}],"dependencies":[{"ref":"app","dependsOn":["a"]}],"compositions":[{"aggregate":"incomplete","assemblies":["app"]}],"vulnerabilities":[{"id":"CVE-1","affects":[{"ref":"a"}]}],"annotations":[]}
            {"removed":{"annotations":1,"components":2,"composition_refs":1,"dependency_entries":2,"dependency_refs":1,"vulnerabilities":1,"vulnerability_affects":1},"changed":{"bom_version":1,"compositions_marked_incomplete":1,"declaration_added":1},"problems":[]}"#]],
    );
}

#[test]
fn property_flag_value_must_match() {
    check(
        CDX,
        r#"remove_flagged = [{ property = "acme:flag", value = "true" }]"#,
        &expect![[r#"
            {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"bom-ref":"app","type":"application","name":"app"}},"components":[{"bom-ref":"a","type":"library","name":"liba","version":"1.0.0","purl":"pkg:npm/liba@1.0.0","properties":[{"name":"build:host","value":"b7"}]},{"bom-ref":"x","type":"library","group":"com.acme.internal","name":"acme-secret","purl":"pkg:maven/com.acme.internal/acme-secret@2.0","supplier":{"name":"Acme Internal"},"properties":[{"name":"acme:flag","value":"internal"}],"components":[{"bom-ref":"x1","type":"library","name":"x-child"}]}],"dependencies":[{"ref":"app","dependsOn":["a","x"]},{"ref":"x","dependsOn":["a","x1"]},{"ref":"x1"}],"compositions":[{"aggregate":"complete","assemblies":["app","x"]}],"vulnerabilities":[{"id":"INT-1","affects":[{"ref":"x"}]},{"id":"CVE-1","affects":[{"ref":"a"},{"ref":"x1"}]}],"annotations":[{"subjects":["x"],"annotator":{"organization":{"name":"Acme"}},"timestamp":"2026-01-01T00:00:00Z","text":"internal"}]}
            {"removed":{},"changed":{},"problems":[]}"#]],
    );
}

#[test]
fn pseudonymize_keeps_a_keyed_stub_for_depended_on_components() {
    check(
        CDX,
        "remove_groups = [\"com.acme.internal\"]\npseudonymize = true",
        &expect![[r#"
            {"bomFormat":"CycloneDX","specVersion":"1.6","version":2,"metadata":{"component":{"bom-ref":"app","type":"application","name":"app"}, "properties": [{"name":"secpack:redaction","value":"<declared>"}]},"components":[{"bom-ref":"a","type":"library","name":"liba","version":"1.0.0","purl":"pkg:npm/liba@1.0.0","properties":[{"name":"build:host","value":"b7"}]},{"type":"library","bom-ref":"redacted-5d13f67e32876066","name":"redacted-e4f71c4966a452f4","components":[{"type":"library","bom-ref":"redacted-65f35a336fb639d0","name":"redacted-ce63e7aab0da33c0"}]}],"dependencies":[{"ref":"app","dependsOn":["a","redacted-5d13f67e32876066"]},{"ref":"redacted-5d13f67e32876066","dependsOn":["a","redacted-65f35a336fb639d0"]},{"ref":"redacted-65f35a336fb639d0"}],"compositions":[{"aggregate":"incomplete","assemblies":["app","redacted-5d13f67e32876066"]}],"vulnerabilities":[{"id":"CVE-1","affects":[{"ref":"a"},{"ref":"redacted-65f35a336fb639d0"}]}],"annotations":[]}
            {"removed":{"annotations":1,"vulnerabilities":1},"changed":{"bom_version":1,"components_pseudonymized":2,"compositions_marked_incomplete":1,"declaration_added":1},"problems":[]}"#]],
    );
}

#[test]
fn strip_properties_by_name() {
    check(
        CDX,
        r#"strip_properties = ["build:*"]"#,
        &expect![[r#"
        {"bomFormat":"CycloneDX","specVersion":"1.6","version":2,"metadata":{"component":{"bom-ref":"app","type":"application","name":"app"}, "properties": [{"name":"secpack:redaction","value":"<declared>"}]},"components":[{"bom-ref":"a","type":"library","name":"liba","version":"1.0.0","purl":"pkg:npm/liba@1.0.0","properties":[]},{"bom-ref":"x","type":"library","group":"com.acme.internal","name":"acme-secret","purl":"pkg:maven/com.acme.internal/acme-secret@2.0","supplier":{"name":"Acme Internal"},"properties":[{"name":"acme:flag","value":"internal"}],"components":[{"bom-ref":"x1","type":"library","name":"x-child"}]}],"dependencies":[{"ref":"app","dependsOn":["a","x"]},{"ref":"x","dependsOn":["a","x1"]},{"ref":"x1"}],"compositions":[{"aggregate":"complete","assemblies":["app","x"]}],"vulnerabilities":[{"id":"INT-1","affects":[{"ref":"x"}]},{"id":"CVE-1","affects":[{"ref":"a"},{"ref":"x1"}]}],"annotations":[{"subjects":["x"],"annotator":{"organization":{"name":"Acme"}},"timestamp":"2026-01-01T00:00:00Z","text":"internal"}]}
        {"removed":{"properties":1},"changed":{"bom_version":1,"declaration_added":1},"problems":[]}"#]],
    );
}

const CDX_URLS: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","externalReferences":[{"type":"vcs","url":"https://git.corp.acme.example/a.git"},{"type":"website","url":"https://a.example"},{"type":"distribution","url":"https://bot:s3cr3t@dl.acme.example/a.tgz?x=1&token=abc"}],"description":"mirror of https://git.corp.acme.example/a and https://u:p@ok.example/a"}],"services":[{"name":"api","endpoints":["https://api.acme.example","https://admin.corp.acme.example/v1"]}]}"#;

#[test]
fn url_credentials_are_always_removed() {
    check(
        CDX_URLS,
        "strip_file_paths = false\nstrip_properties = []",
        &expect![[r#"
            {"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","externalReferences":[{"type":"vcs","url":"https://git.corp.acme.example/a.git"},{"type":"website","url":"https://a.example"},{"type":"distribution","url":"https://dl.acme.example/a.tgz?x=1"}],"description":"mirror of https://git.corp.acme.example/a and https://ok.example/a"}],"services":[{"name":"api","endpoints":["https://api.acme.example","https://admin.corp.acme.example/v1"]}], "metadata": {"properties":[{"name":"secpack:redaction","value":"<declared>"}]}}
            {"removed":{},"changed":{"declaration_added":1,"url_credentials":3},"problems":[]}"#]],
    );
}

#[test]
fn strip_urls_removes_references_endpoints_and_embedded_urls() {
    check(
        CDX_URLS,
        r#"strip_urls = ["https://*.corp.acme.example", "https://*.corp.acme.example/*"]"#,
        &expect![[r#"
            {"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","externalReferences":[{"type":"website","url":"https://a.example"},{"type":"distribution","url":"https://dl.acme.example/a.tgz?x=1"}],"description":"mirror of [redacted URL] and https://ok.example/a"}],"services":[{"name":"api","endpoints":["https://api.acme.example"]}], "metadata": {"properties":[{"name":"secpack:redaction","value":"<declared>"}]}}
            {"removed":{"external_references":1,"urls":2},"changed":{"declaration_added":1,"url_credentials":3},"problems":[]}"#]],
    );
}

const CDX_PATHS: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"file","name":"/home/builder/app"}},"components":[{"type":"library","name":"a","properties":[{"name":"syft:location:0:path","value":"/home/builder/app/package-lock.json"},{"name":"cdx:npm:package:path","value":"node_modules/a"}],"evidence":{"identity":[{"field":"purl","confidence":1,"methods":[{"technique":"manifest-analysis","confidence":1,"value":"C:\\Users\\bob\\app\\package.json"}]}],"occurrences":[{"location":"/home/builder/app/node_modules/a/index.js"}]},"licenses":[{"license":{"id":"MIT","text":{"content":"/9j/base64-looking/content"}}}]}]}"#;

#[test]
fn strip_file_paths() {
    check(
        CDX_PATHS,
        "",
        &expect![[r#"
        {"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"file","name":"app"}, "properties": [{"name":"secpack:redaction","value":"<declared>"}]},"components":[{"type":"library","name":"a","properties":[{"name":"cdx:npm:package:path","value":"node_modules/a"}],"evidence":{"identity":[{"field":"purl","confidence":1,"methods":[{"technique":"manifest-analysis","confidence":1,"value":"package.json"}]}]},"licenses":[{"license":{"id":"MIT","text":{"content":"/9j/base64-looking/content"}}}]}]}
        {"removed":{"evidence":1,"properties":1},"changed":{"declaration_added":1,"file_paths":2},"problems":[]}"#]],
    );
    check(
        CDX_PATHS,
        "strip_file_paths = false",
        &expect![[r#"
        {"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"file","name":"/home/builder/app"}},"components":[{"type":"library","name":"a","properties":[{"name":"syft:location:0:path","value":"/home/builder/app/package-lock.json"},{"name":"cdx:npm:package:path","value":"node_modules/a"}],"evidence":{"identity":[{"field":"purl","confidence":1,"methods":[{"technique":"manifest-analysis","confidence":1,"value":"C:\\Users\\bob\\app\\package.json"}]}],"occurrences":[{"location":"/home/builder/app/node_modules/a/index.js"}]},"licenses":[{"license":{"id":"MIT","text":{"content":"/9j/base64-looking/content"}}}]}]}
        {"removed":{},"changed":{},"problems":[]}"#]],
    );
}

const CDX_PEOPLE: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"authors":[{"name":"Jane","email":"jane@acme.example"}],"supplier":{"name":"Acme","contact":[{"name":"Sec","email":"security@acme.example"}]}},"components":[{"type":"library","name":"a","author":"Bob <bob@acme.example>"}]}"#;

#[test]
fn strip_authors_and_emails() {
    check(
        CDX_PEOPLE,
        "strip_authors = true",
        &expect![[r#"
        {"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"supplier":{"name":"Acme","contact":[{"name":"Sec","email":"security@acme.example"}]}, "properties": [{"name":"secpack:redaction","value":"<declared>"}]},"components":[{"type":"library","name":"a"}]}
        {"removed":{"authors":2},"changed":{"declaration_added":1},"problems":[]}"#]],
    );
    check(
        CDX_PEOPLE,
        "strip_emails = true",
        &expect![[r#"
        {"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"authors":[{"name":"Jane"}],"supplier":{"name":"Acme","contact":[{"name":"Sec"}]}, "properties": [{"name":"secpack:redaction","value":"<declared>"}]},"components":[{"type":"library","name":"a","author":"Bob"}]}
        {"removed":{"emails":3},"changed":{"declaration_added":1},"problems":[]}"#]],
    );
}

#[test]
fn dangling_references_of_the_input_are_removed_and_reported() {
    let input = r#"{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"bom-ref":"a","type":"library","name":"a"}],"dependencies":[{"ref":"a","dependsOn":["ghost","urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#b"]},{"ref":"ghost2"}]}"#;
    check(
        input,
        "",
        &expect![[r#"
        {"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"bom-ref":"a","type":"library","name":"a"}],"dependencies":[{"ref":"a","dependsOn":["urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#b"]}], "metadata": {"properties":[{"name":"secpack:redaction","value":"<declared>"}]}}
        {"removed":{"dangling_refs":2},"changed":{"declaration_added":1},"problems":["line 1 column 145: `dependsOn` names a bom-ref that nothing in the SBOM declares; the reference was removed","line 1 column 213: `ref` names a bom-ref that nothing in the SBOM declares; the reference was removed"]}"#]],
    );
}

const SPDX: &str = r#"{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"https://acme.example/spdx/app-1","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen","Person: Jane (jane@acme.example)"]},"documentDescribes":["SPDXRef-app"],"packages":[{"SPDXID":"SPDXRef-app","name":"app","downloadLocation":"NOASSERTION","filesAnalyzed":false},{"SPDXID":"SPDXRef-a","name":"liba","downloadLocation":"https://dl.example/a.tgz","homepage":"https://git.corp.acme.example/a","filesAnalyzed":false,"supplier":"Person: Bob (bob@acme.example)","originator":"Organization: Acme","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/liba@1.0.0"}]},{"SPDXID":"SPDXRef-x","name":"acme-secret","downloadLocation":"https://git.corp.acme.example/x.git","filesAnalyzed":true,"hasFiles":["SPDXRef-f1"],"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:maven/com.acme.internal/acme-secret@2.0"}]}],"files":[{"SPDXID":"SPDXRef-f1","fileName":"./x/secret.rs","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]},{"SPDXID":"SPDXRef-f2","fileName":"./README","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-x"},{"spdxElementId":"SPDXRef-x","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f1"},{"spdxElementId":"SPDXRef-app","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f2"}]}"#;

#[test]
fn spdx_package_removal_by_name_purl_and_namespace() {
    check_same(
        SPDX,
        &[
            r#"remove_names = ["acme-*"]"#,
            r#"remove_purls = ["pkg:maven/com.acme.internal/*"]"#,
            r#"remove_groups = ["com.acme.internal"]"#,
        ],
        &expect![[r#"
            {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"<new-namespace>","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen","Person: Jane (jane@acme.example)"]},"documentDescribes":["SPDXRef-app"],"packages":[{"SPDXID":"SPDXRef-app","name":"app","downloadLocation":"NOASSERTION","filesAnalyzed":false},{"SPDXID":"SPDXRef-a","name":"liba","downloadLocation":"https://dl.example/a.tgz","homepage":"https://git.corp.acme.example/a","filesAnalyzed":false,"supplier":"Person: Bob (bob@acme.example)","originator":"Organization: Acme","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/liba@1.0.0"}]}],"files":[{"SPDXID":"SPDXRef-f2","fileName":"./README","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"},{"spdxElementId":"SPDXRef-app","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f2"}], "annotations": [{"annotationDate":"2026-01-01T00:00:00Z","annotationType":"OTHER","annotator":"Tool: secpack-sbom","comment":"<declared>"}]}
            {"removed":{"files":1,"packages":1,"relationships":2},"changed":{"declaration_added":1,"document_namespace":1},"problems":[]}"#]],
    );
}

#[test]
fn spdx_supplier_rule_matches_the_name_without_prefix_and_email() {
    check(
        SPDX,
        r#"remove_suppliers = ["Bob"]"#,
        &expect![[r#"
        {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"<new-namespace>","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen","Person: Jane (jane@acme.example)"]},"documentDescribes":["SPDXRef-app"],"packages":[{"SPDXID":"SPDXRef-app","name":"app","downloadLocation":"NOASSERTION","filesAnalyzed":false},{"SPDXID":"SPDXRef-x","name":"acme-secret","downloadLocation":"https://git.corp.acme.example/x.git","filesAnalyzed":true,"hasFiles":["SPDXRef-f1"],"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:maven/com.acme.internal/acme-secret@2.0"}]}],"files":[{"SPDXID":"SPDXRef-f1","fileName":"./x/secret.rs","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]},{"SPDXID":"SPDXRef-f2","fileName":"./README","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-x"},{"spdxElementId":"SPDXRef-x","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f1"},{"spdxElementId":"SPDXRef-app","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f2"}], "annotations": [{"annotationDate":"2026-01-01T00:00:00Z","annotationType":"OTHER","annotator":"Tool: secpack-sbom","comment":"<declared>"}]}
        {"removed":{"packages":1,"relationships":1},"changed":{"declaration_added":1,"document_namespace":1},"problems":[]}"#]],
    );
}

#[test]
fn spdx_pseudonymize() {
    check(
        SPDX,
        "remove_names = [\"acme-*\"]\npseudonymize = true",
        &expect![[r#"
            {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"<new-namespace>","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen","Person: Jane (jane@acme.example)"]},"documentDescribes":["SPDXRef-app"],"packages":[{"SPDXID":"SPDXRef-app","name":"app","downloadLocation":"NOASSERTION","filesAnalyzed":false},{"SPDXID":"SPDXRef-a","name":"liba","downloadLocation":"https://dl.example/a.tgz","homepage":"https://git.corp.acme.example/a","filesAnalyzed":false,"supplier":"Person: Bob (bob@acme.example)","originator":"Organization: Acme","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/liba@1.0.0"}]},{"SPDXID":"SPDXRef-redacted-e763fe864ca2563a","name":"redacted-01cf768cec181298","downloadLocation":"NOASSERTION","filesAnalyzed":false}],"files":[{"SPDXID":"SPDXRef-f2","fileName":"./README","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-redacted-e763fe864ca2563a"},{"spdxElementId":"SPDXRef-app","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f2"}], "annotations": [{"annotationDate":"2026-01-01T00:00:00Z","annotationType":"OTHER","annotator":"Tool: secpack-sbom","comment":"<declared>"}]}
            {"removed":{"files":1,"relationships":1},"changed":{"declaration_added":1,"document_namespace":1,"packages_pseudonymized":1},"problems":[]}"#]],
    );
}

#[test]
fn spdx_strip_files_urls_authors_emails() {
    check(
        SPDX,
        "strip_spdx_files = true",
        &expect![[r#"
        {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"<new-namespace>","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen","Person: Jane (jane@acme.example)"]},"documentDescribes":["SPDXRef-app"],"packages":[{"SPDXID":"SPDXRef-app","name":"app","downloadLocation":"NOASSERTION","filesAnalyzed":false},{"SPDXID":"SPDXRef-a","name":"liba","downloadLocation":"https://dl.example/a.tgz","homepage":"https://git.corp.acme.example/a","filesAnalyzed":false,"supplier":"Person: Bob (bob@acme.example)","originator":"Organization: Acme","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/liba@1.0.0"}]},{"SPDXID":"SPDXRef-x","name":"acme-secret","downloadLocation":"https://git.corp.acme.example/x.git","filesAnalyzed":true,"hasFiles":[],"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:maven/com.acme.internal/acme-secret@2.0"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-x"}], "annotations": [{"annotationDate":"2026-01-01T00:00:00Z","annotationType":"OTHER","annotator":"Tool: secpack-sbom","comment":"<declared>"}]}
        {"removed":{"files":2,"has_files_refs":1,"relationships":2},"changed":{"declaration_added":1,"document_namespace":1},"problems":[]}"#]],
    );
    check(
        SPDX,
        r#"strip_urls = ["https://*.corp.acme.example/*"]"#,
        &expect![[r#"
            {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"<new-namespace>","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen","Person: Jane (jane@acme.example)"]},"documentDescribes":["SPDXRef-app"],"packages":[{"SPDXID":"SPDXRef-app","name":"app","downloadLocation":"NOASSERTION","filesAnalyzed":false},{"SPDXID":"SPDXRef-a","name":"liba","downloadLocation":"https://dl.example/a.tgz","filesAnalyzed":false,"supplier":"Person: Bob (bob@acme.example)","originator":"Organization: Acme","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/liba@1.0.0"}]},{"SPDXID":"SPDXRef-x","name":"acme-secret","downloadLocation":"NOASSERTION","filesAnalyzed":true,"hasFiles":["SPDXRef-f1"],"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:maven/com.acme.internal/acme-secret@2.0"}]}],"files":[{"SPDXID":"SPDXRef-f1","fileName":"./x/secret.rs","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]},{"SPDXID":"SPDXRef-f2","fileName":"./README","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-x"},{"spdxElementId":"SPDXRef-x","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f1"},{"spdxElementId":"SPDXRef-app","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f2"}], "annotations": [{"annotationDate":"2026-01-01T00:00:00Z","annotationType":"OTHER","annotator":"Tool: secpack-sbom","comment":"<declared>"}]}
            {"removed":{"urls":2},"changed":{"declaration_added":1,"document_namespace":1},"problems":[]}"#]],
    );
    check(
        SPDX,
        "strip_authors = true\nstrip_emails = true",
        &expect![[r#"
            {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"<new-namespace>","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: gen"]},"documentDescribes":["SPDXRef-app"],"packages":[{"SPDXID":"SPDXRef-app","name":"app","downloadLocation":"NOASSERTION","filesAnalyzed":false},{"SPDXID":"SPDXRef-a","name":"liba","downloadLocation":"https://dl.example/a.tgz","homepage":"https://git.corp.acme.example/a","filesAnalyzed":false,"supplier":"Person: Bob","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/liba@1.0.0"}]},{"SPDXID":"SPDXRef-x","name":"acme-secret","downloadLocation":"https://git.corp.acme.example/x.git","filesAnalyzed":true,"hasFiles":["SPDXRef-f1"],"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:maven/com.acme.internal/acme-secret@2.0"}]}],"files":[{"SPDXID":"SPDXRef-f1","fileName":"./x/secret.rs","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]},{"SPDXID":"SPDXRef-f2","fileName":"./README","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"},{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-x"},{"spdxElementId":"SPDXRef-x","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f1"},{"spdxElementId":"SPDXRef-app","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f2"}], "annotations": [{"annotationDate":"2026-01-01T00:00:00Z","annotationType":"OTHER","annotator":"Tool: secpack-sbom","comment":"<declared>"}]}
            {"removed":{"authors":2,"emails":1},"changed":{"declaration_added":1,"document_namespace":1},"problems":[]}"#]],
    );
}

#[test]
fn pretty_printed_input_keeps_its_layout() {
    let input = "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"version\": 7,\n  \"components\": [\n    {\n      \"type\": \"library\",\n      \"name\": \"a\",\n      \"unknown-field\": 1.50E+3\n    },\n    {\n      \"type\": \"library\",\n      \"name\": \"internal-b\"\n    }\n  ]\n}\n";
    check(
        input,
        r#"remove_names = ["internal-*"]"#,
        &expect![[r#"
        {
          "bomFormat": "CycloneDX",
          "specVersion": "1.6",
          "version": 8,
          "components": [
            {
              "type": "library",
              "name": "a",
              "unknown-field": 1.50E+3
            }
          ],
          "compositions": [
            {
              "aggregate": "incomplete"
            }
          ],
          "metadata": {
            "properties": [
              {
                "name": "secpack:redaction",
                "value": "<declared>"
              }
            ]
          }
        }

        {"removed":{"components":1},"changed":{"bom_version":1,"declaration_added":1},"problems":[]}"#]],
    );
}
