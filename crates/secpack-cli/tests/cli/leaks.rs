//! The leak gate inside the build: planted secrets stop it, internal sections are removed,
//! exceptions are recorded; `secpack scan` runs the gate alone.

use crate::support::*;

const TOP: &str = "customer-security-package-v1.0.0";

fn repo_with_cloud_doc(doc: &str, extra_config: &str) -> Repo {
    let mut files: Vec<(&str, &str)> = FILES
        .iter()
        .copied()
        .filter(|(p, _)| *p != "docs/cloud.md")
        .collect();
    files.push(("docs/cloud.md", doc));
    Repo::with(&format!("{CONFIG}{extra_config}"), &files, "v1.0.0")
}

#[test]
fn a_planted_token_stops_the_build_without_printing_it() {
    let token = "ghp_FAKEtestONLY0123456789abcdefghijklmn";
    let repo = repo_with_cloud_doc(&format!("# Cloud\nuse token {token} for the bot\n"), "");
    let (o, out) = build(&repo, "v1.0.0");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("hardening/cloud-deployment.md:2"), "{err}");
    assert!(err.contains("github-token"), "{err}");
    assert!(
        !err.contains(token) && !err.contains("FAKEtestONLY"),
        "the secret is never printed: {err}"
    );
    assert!(files_in(out.path()).is_empty());

    let scan = secpack(&[
        "scan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
        "--json",
    ]);
    assert_eq!(scan.status.code(), Some(1), "{}", stderr(&scan));
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(report["passed"], false);
    assert_eq!(report["findings"][0]["rule"], "github-token");
    assert!(!String::from_utf8_lossy(&scan.stdout).contains("FAKEtestONLY"));
}

#[test]
fn an_exception_with_a_reason_lets_a_finding_through_and_is_recorded() {
    let doc = "# Cloud\nAlerts go to oncall@acme.example.\n";
    let repo = repo_with_cloud_doc(doc, "");
    let scan = secpack(&[
        "scan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
        "--json",
    ]);
    assert_eq!(
        scan.status.code(),
        Some(1),
        "an address outside the allow-list is a finding"
    );
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    let fingerprint = report["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();

    let exception = format!(
        "\n[leak_gate]\nexceptions = [{{ fingerprint = \"{fingerprint}\", reason = \"shared on-call alias, published in the SLA\" }}]\n"
    );
    let repo = repo_with_cloud_doc(doc, &exception);
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    let entries = zip_entries(&out.path().join(format!("{TOP}.zip")));
    let manifest = &entries
        .iter()
        .find(|(n, _)| n.ends_with("manifest.json"))
        .unwrap()
        .1;
    let manifest: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    assert_eq!(
        manifest["accepted_findings"][0]["fingerprint"],
        fingerprint.as_str()
    );
    assert_eq!(
        manifest["accepted_findings"][0]["reason"],
        "shared on-call alias, published in the SLA"
    );
}

#[test]
fn internal_sections_are_removed_before_shipping() {
    let doc = "# Cloud\nPublic text.\n<!-- secpack:internal -->\nSRE: jump via bastion-01.corp.acme.example\n<!-- /secpack:internal -->\nMore public text.\n";
    let repo = repo_with_cloud_doc(
        doc,
        "\n[leak_gate]\ninternal_domains = [\"corp.acme.example\"]\n",
    );
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    let entries = zip_entries(&out.path().join(format!("{TOP}.zip")));
    let cloud = &entries
        .iter()
        .find(|(n, _)| n.ends_with("hardening/cloud-deployment.md"))
        .unwrap()
        .1;
    let cloud = String::from_utf8_lossy(cloud);
    assert!(
        cloud.contains("Public text.") && cloud.contains("More public text."),
        "{cloud}"
    );
    assert!(
        !cloud.contains("bastion") && !cloud.contains("secpack:internal"),
        "{cloud}"
    );
}

#[test]
fn unbalanced_internal_markers_are_an_error() {
    let repo = repo_with_cloud_doc("# Cloud\n<!-- secpack:internal -->\nnever closed\n", "");
    let (o, out) = build(&repo, "v1.0.0");
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("docs/cloud.md"), "{}", stderr(&o));
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn internal_hosts_from_the_config_are_findings() {
    let repo = repo_with_cloud_doc(
        "# Cloud\nconnect to db-7.corp.acme.example\n",
        "\n[leak_gate]\ninternal_domains = [\"corp.acme.example\"]\n",
    );
    let (o, _out) = build(&repo, "v1.0.0");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("internal-host"), "{}", stderr(&o));
}

#[test]
fn an_untagged_commit_can_be_scanned_before_merge_but_not_built() {
    let repo = Repo::with(CONFIG, FILES, "");
    let o = secpack(&[
        "scan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "HEAD",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (o, out) = build(&repo, "HEAD");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("has no release tag"), "{}", stderr(&o));
    assert!(files_in(out.path()).is_empty());
}
