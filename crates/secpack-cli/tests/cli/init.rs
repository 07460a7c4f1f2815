//! `secpack init`: scaffold, detect, never overwrite; the result plans and builds.

use crate::support::*;

/// A small valid CycloneDX SBOM with no personal data.
const SBOM: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "components": [
    {"type": "library", "name": "serde", "version": "1.0.200", "purl": "pkg:cargo/serde@1.0.200",
     "licenses": [{"expression": "MIT OR Apache-2.0"}]}
  ]
}
"#;

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(secpack_testkit::workspace_root().join(rel)).unwrap()
}

fn init(args: &[&str]) -> std::process::Output {
    let mut all = vec!["init"];
    all.extend_from_slice(args);
    secpack(&all)
}

#[test]
fn init_detects_reuses_and_scaffolds_a_repository_that_plans_and_builds() {
    let provenance = fixture("fixtures/summit/build/provenance/summit-1.2.3.intoto.jsonl");
    let repo = Repo::with(
        "",
        &[
            (
                "SECURITY.md",
                "# Security policy\n\nReport vulnerabilities through the form on our site.\n",
            ),
            (
                "docs/hardening/cloud-deployment.md",
                "# Cloud\n\nOur own guide.\n",
            ),
            ("build/app.cdx.json", SBOM),
            ("build/app.intoto.jsonl", &provenance),
            ("package.json", "{\"name\": \"not an sbom\"}\n"),
            ("src/main.rs", "fn main() {}\n"),
        ],
        "",
    );
    // A stub path that already exists is used as it is, never overwritten.
    repo.write(
        "security/hardening/tenancy-isolation.md",
        "# Tenancy\n\nAlready written.\n",
    );
    let dir = repo.path().to_str().unwrap();

    let o = init(&[dir, "--product", "Acme Cloud", "--vendor", "Acme Corp"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    for needle in [
        "sbom        build/app.cdx.json -> artifacts/sbom/app.cdx.json",
        "provenance  build/app.intoto.jsonl -> artifacts/provenance/app.intoto.jsonl",
        "document    SECURITY.md -> policies/VULNERABILITY_DISCLOSURE.md",
        "document    docs/hardening/cloud-deployment.md -> hardening/cloud-deployment.md",
        "created:\n  secpack.toml\n",
        "  security/policies/SECURITY_CONTACT.md\n",
        "fill in:",
        "security/questionnaires/sig-lite.md: replace the TODO",
        "secpack plan --rev v0.1.0",
    ] {
        assert!(shown.contains(needle), "`{needle}` in:\n{shown}");
    }
    assert!(!shown.contains("package.json"), "not an SBOM: {shown}");
    // Never overwritten, and not listed as created.
    assert_eq!(
        std::fs::read_to_string(repo.path().join("security/hardening/tenancy-isolation.md"))
            .unwrap(),
        "# Tenancy\n\nAlready written.\n"
    );
    let created = shown
        .split("created:")
        .nth(1)
        .unwrap()
        .split("fill in:")
        .next()
        .unwrap();
    assert!(!created.contains("tenancy-isolation.md"), "{shown}");
    assert!(
        shown.contains(
            "document    security/hardening/tenancy-isolation.md -> hardening/tenancy-isolation.md"
        ),
        "{shown}"
    );
    // No stub for what was detected; the license list comes from the SBOM.
    for absent in [
        "security/policies/VULNERABILITY_DISCLOSURE.md",
        "security/hardening/cloud-deployment.md",
        "security/artifacts/third-party-licenses.txt",
        "security/artifacts/sbom/README.md",
    ] {
        assert!(!repo.path().join(absent).exists(), "{absent}");
    }
    let config = std::fs::read_to_string(repo.path().join("secpack.toml")).unwrap();
    assert!(
        config.contains("name = \"Acme Cloud\"\nvendor = \"Acme Corp\""),
        "{config}"
    );

    // Commit and tag: plan works, and so does a build.
    repo.commit("secpack init");
    repo.git(&["tag", "v0.1.0"]);
    let o = secpack(&["plan", "--repo", dir, "--rev", "v0.1.0", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let decisions: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let dest_of = |path: &str| {
        decisions
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["path"] == path)
            .map(|d| d["dest"].clone())
            .unwrap_or_default()
    };
    assert_eq!(
        dest_of("SECURITY.md"),
        "policies/VULNERABILITY_DISCLOSURE.md"
    );
    assert_eq!(
        dest_of("security/hardening/tenancy-isolation.md"),
        "hardening/tenancy-isolation.md"
    );
    assert_eq!(
        dest_of("src/main.rs"),
        serde_json::Value::Null,
        "source code stays internal"
    );
    let (o, out) = build(&repo, "v0.1.0");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names: Vec<String> = zip_entries(&out.path().join("customer-security-package-v0.1.0.zip"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for expected in [
        "customer-security-package-v0.1.0/artifacts/sbom/app.cdx.json",
        "customer-security-package-v0.1.0/artifacts/provenance/app.intoto.jsonl",
        "customer-security-package-v0.1.0/artifacts/third-party-licenses.txt",
        "customer-security-package-v0.1.0/policies/SECURITY_CONTACT.md",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }

    // A second run: the config exists, exit 2, nothing touched.
    let before = std::fs::read_to_string(repo.path().join("secpack.toml")).unwrap();
    let o = init(&[dir]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("secpack.toml already exists; secpack init never overwrites it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("secpack.toml")).unwrap(),
        before
    );
}

#[test]
fn an_empty_repository_gets_a_stub_for_everything_and_plans() {
    let repo = Repo::with("", &[("README.md", "# Evidence\n")], "");
    let dir = repo.path().to_str().unwrap();
    let dry = init(&[dir, "--dry-run", "--json"]);
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    let report: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    assert!(
        !repo.path().join("secpack.toml").exists(),
        "a dry run writes nothing"
    );
    assert!(
        !repo.path().join("security").exists(),
        "a dry run writes nothing"
    );
    let created: Vec<&str> = report["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        created,
        [
            "secpack.toml",
            "security/CONTROLS_SUMMARY.md",
            "security/artifacts/provenance/README.md",
            "security/artifacts/sbom/README.md",
            "security/artifacts/third-party-licenses.txt",
            "security/hardening/cloud-deployment.md",
            "security/hardening/onprem-deployment.md",
            "security/hardening/tenancy-isolation.md",
            "security/policies/SECURITY_CONTACT.md",
            "security/policies/VULNERABILITY_DISCLOSURE.md",
            "security/questionnaires/caiq-lite.md",
            "security/questionnaires/sig-lite.md",
        ]
    );
    let o = init(&[dir, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let real: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        real["created"], report["created"],
        "the dry run said what happens"
    );
    for path in &created {
        assert!(repo.path().join(path).is_file(), "{path}");
    }
    // The product name defaults to the folder's name.
    let folder = repo.path().file_name().unwrap().to_str().unwrap();
    let config = std::fs::read_to_string(repo.path().join("secpack.toml")).unwrap();
    assert!(config.contains(&format!("name = \"{folder}\"")), "{config}");
    repo.commit("secpack init");
    repo.git(&["tag", "v0.1.0"]);
    let o = secpack(&["plan", "--repo", dir, "--rev", "v0.1.0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn init_outside_a_repository_root_is_a_usage_error_with_a_suggestion() {
    let plain = tempfile::tempdir().unwrap();
    let o = init(&[plain.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "is not a git repository; secpack packages a git commit: run `git init` there first"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_dir(plain.path()).unwrap().count(),
        0,
        "nothing written"
    );

    let repo = Repo::with("", &[("docs/a.md", "# A\n")], "");
    let o = init(&[repo.path().join("docs").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("but not its root; secpack.toml belongs at the root: run `secpack init "),
        "{}",
        stderr(&o)
    );
    assert!(!repo.path().join("docs/secpack.toml").exists());

    let o = init(&[plain.path().join("missing").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
}
