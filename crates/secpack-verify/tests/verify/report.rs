//! The report: JSON shape and order, text rendering, and documentation of every id and code.

use secpack_verify::{CheckId, Code, REPORT_SCHEMA};

use super::support;

#[test]
fn json_shape_is_stable() {
    let built = support::valid();
    let report = support::run(&built.zip);
    let json = report.to_json();
    assert!(json.ends_with("}\n"));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "schema",
            "passed",
            "archive",
            "version",
            "key_fingerprint",
            "checks"
        ]
    );
    assert_eq!(value["schema"], REPORT_SCHEMA);
    assert_eq!(value["passed"], true);
    assert_eq!(value["version"], "v1.2.3");
    let archive = value["archive"].as_object().unwrap();
    let keys: Vec<&str> = archive.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "file_name",
            "format",
            "size",
            "sha256",
            "files",
            "uncompressed_size"
        ]
    );
    assert_eq!(archive["file_name"], "customer-security-package-v1.2.3.zip");
    assert_eq!(archive["format"], "zip");
    assert_eq!(archive["sha256"], hex::encode(built.zip_sha256));
    let ids: Vec<&str> = value["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = CheckId::ALL.iter().map(|id| id.as_str()).collect();
    assert_eq!(ids, expected);
    for check in value["checks"].as_array().unwrap() {
        let keys: Vec<&str> = check
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["id", "status", "summary", "findings", "omitted_findings"]
        );
        assert_eq!(check["status"], "passed");
    }
    // No absolute path leaks into the report.
    assert!(!json.contains(built.dir.path().to_str().unwrap()));
    // Verifying the same bytes twice gives the same report.
    assert_eq!(support::run(&built.zip).to_json(), json);
}

#[test]
fn failed_findings_serialize_with_code_and_path() {
    let mut files = support::documents();
    support::seal(&mut files, support::VERSION);
    files.get_mut("OVERVIEW.md").unwrap().push(b'!');
    let built = support::write(&files, support::VERSION);
    support::sign(&built);
    let report = support::run(&built.zip);
    let value: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(value["passed"], false);
    let digests = &value["checks"][4];
    assert_eq!(digests["id"], "digests");
    assert_eq!(digests["status"], "failed");
    assert_eq!(digests["findings"][0]["code"], "digest-mismatch");
    assert_eq!(digests["findings"][0]["path"], "OVERVIEW.md");

    let text = report.to_string();
    assert!(text.contains("FAIL  digests"), "{text}");
    assert!(
        text.contains("- [digest-mismatch] OVERVIEW.md: sha256 is"),
        "{text}"
    );
    assert!(text.contains("PASS  signature"), "{text}");
    assert!(
        text.contains("result: FAILED (2 checks failed: digests, manifest)"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "key:      ECDSA P-256, sha256 fingerprint {}",
        report.key_fingerprint.as_deref().unwrap()
    )));
}

#[test]
fn docs_describe_every_check_and_code() {
    let docs = std::fs::read_to_string(secpack_testkit::workspace_root().join("docs/verifying.md"))
        .unwrap();
    for id in CheckId::ALL {
        assert!(
            docs.contains(&format!("`{}`", id.as_str())),
            "docs/verifying.md lacks check {id}"
        );
    }
    for code in Code::ALL {
        assert!(
            docs.contains(&format!("`{}`", code.as_str())),
            "docs/verifying.md lacks code {code}"
        );
    }
    assert!(docs.contains(REPORT_SCHEMA));
}
