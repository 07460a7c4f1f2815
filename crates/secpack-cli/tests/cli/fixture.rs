//! The built-in Summit fixture, end to end: signed build, no internal byte in either archive,
//! every Markdown link resolves inside the package, and the verifier passes it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::support::*;

const TOP: &str = "customer-security-package-v1.2.3";

struct Built {
    _repo: tempfile::TempDir,
    repo_path: PathBuf,
    out: tempfile::TempDir,
}

fn build_fixture() -> Built {
    let repo = tempfile::tempdir().unwrap();
    let repo_path = repo.path().join("summit");
    let src = secpack_testkit::workspace_root()
        .join("fixtures")
        .join("summit");
    secpack_testkit::git::materialize(&src, &repo_path, "v1.2.3").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = secpack(&[
        "build",
        "--repo",
        repo_path.to_str().unwrap(),
        "--rev",
        "v1.2.3",
        "--out",
        out.path().to_str().unwrap(),
        "--key",
        test_key("test-only-signing.key.pem").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    Built {
        _repo: repo,
        repo_path,
        out,
    }
}

#[test]
fn no_byte_sequence_unique_to_an_internal_file_ships() {
    let built = build_fixture();
    let plan = secpack(&[
        "plan",
        "--repo",
        built.repo_path.to_str().unwrap(),
        "--rev",
        "v1.2.3",
        "--json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&plan.stdout).unwrap();
    let (internal, shareable): (Vec<_>, Vec<_>) =
        rows.iter().partition(|r| r["class"] == "internal");
    assert!(
        internal.len() >= 6,
        "the fixture has internal files: {internal:?}"
    );
    let read = |r: &serde_json::Value| {
        std::fs::read(built.repo_path.join(r["path"].as_str().unwrap())).unwrap()
    };
    let shareable_text: Vec<Vec<u8>> = shareable.iter().map(|r| read(r)).collect();

    // Every line of at least 16 bytes of an internal file that no shareable file also has.
    let mut needles: BTreeSet<Vec<u8>> = BTreeSet::new();
    for r in &internal {
        if r["path"] == "secpack.toml" {
            continue; // the configuration is internal, but names shipped paths by design
        }
        for line in read(r).split(|b| *b == b'\n') {
            let line = line.trim_ascii();
            if line.len() >= 16 && !shareable_text.iter().any(|s| contains(s, line)) {
                needles.insert(line.to_vec());
            }
        }
    }
    assert!(
        needles.len() > 50,
        "enough distinctive internal text to look for: {}",
        needles.len()
    );
    for canary in [
        "SUMMIT-INTERNAL-PENTEST-RAW-CANARY-2291",
        "SUMMIT-INTERNAL-ROSTER-CANARY-7731",
        "bastion-01.corp.summit.example",
    ] {
        needles.insert(canary.as_bytes().to_vec());
    }

    let zip = built.out.path().join(format!("{TOP}.zip"));
    let tgz = built.out.path().join(format!("{TOP}.tar.gz"));
    let mut haystacks = zip_entries(&zip);
    haystacks.extend(tar_entries(&tgz));
    for sidecar in ["zip.sigstore.json", "intoto.jsonl", "intoto.sigstore.json"] {
        let p = built.out.path().join(format!("{TOP}.{sidecar}"));
        haystacks.push((p.display().to_string(), std::fs::read(&p).unwrap()));
    }
    haystacks.push(("raw zip".into(), std::fs::read(&zip).unwrap()));
    for (name, data) in &haystacks {
        for needle in &needles {
            assert!(
                !contains(data, needle),
                "internal text `{}` in {name}",
                String::from_utf8_lossy(needle)
            );
        }
    }
}

#[test]
fn every_markdown_link_resolves_inside_the_package_and_it_verifies() {
    let built = build_fixture();
    let zip = built.out.path().join(format!("{TOP}.zip"));
    let entries = zip_entries(&zip);
    let files: BTreeSet<String> = entries
        .iter()
        .map(|(n, _)| n.strip_prefix(&format!("{TOP}/")).unwrap().to_owned())
        .collect();
    let mut checked = 0;
    for (name, data) in &entries {
        let path = name.strip_prefix(&format!("{TOP}/")).unwrap();
        if !path.ends_with(".md") {
            continue;
        }
        let text = String::from_utf8(data.clone()).unwrap();
        for target in markdown_links(&text) {
            if target.contains("://") || target.starts_with("mailto:") || target.starts_with('#') {
                continue;
            }
            let target = target.split('#').next().unwrap().replace("%20", " ");
            let resolved = resolve(path, &target);
            assert!(
                files.contains(&resolved),
                "{path}: link `{target}` -> `{resolved}` is not in the package"
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "links checked: {checked}");

    let o = secpack(&[
        "verify",
        zip.to_str().unwrap(),
        "--key",
        test_key("test-only-signing.pub.pem").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// Targets of inline Markdown links `[text](target)`.
fn markdown_links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        if let Some(end) = after.find(')') {
            out.push(after[..end].trim().to_owned());
        }
        rest = after;
    }
    out
}

/// `target` relative to the folder of `from`, normalized.
fn resolve(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
