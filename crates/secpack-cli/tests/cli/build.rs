//! Successful builds: layout, checksums, traceability, determinism.

use std::process::Command;

use crate::support::*;

const TOP: &str = "customer-security-package-v1.0.0";

#[test]
fn builds_the_spec_layout_and_sha256sum_accepts_it() {
    let repo = Repo::minimal();
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = files_in(out.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [format!("{TOP}.tar.gz"), format!("{TOP}.zip")]);

    let zip = out.path().join(format!("{TOP}.zip"));
    let paths: Vec<String> = zip_entries(&zip).into_iter().map(|(p, _)| p).collect();
    let expected: Vec<String> = [
        "CONTROLS_SUMMARY.md",
        "OVERVIEW.md",
        "artifacts/provenance/acme.intoto.jsonl",
        "artifacts/sbom/acme.cdx.json",
        "artifacts/third-party-licenses.txt",
        "hardening/cloud-deployment.md",
        "hardening/onprem-deployment.md",
        "hardening/tenancy-isolation.md",
        "policies/SECURITY_CONTACT.md",
        "policies/VULNERABILITY_DISCLOSURE.md",
        "questionnaires/caiq-lite.md",
        "questionnaires/sig-lite.md",
        "verification/SHA256SUMS",
        "verification/manifest.json",
        "verification/verification-instructions.md",
    ]
    .iter()
    .map(|p| format!("{TOP}/{p}"))
    .collect();
    assert_eq!(paths, expected);

    // The tar.gz holds exactly the same files and bytes.
    let tgz = out.path().join(format!("{TOP}.tar.gz"));
    assert_eq!(zip_entries(&zip), tar_entries(&tgz));

    // A customer's check: unzip, then sha256sum -c.
    if let Some(dir) = unzip(&zip) {
        let top = dir.path().join(TOP);
        let check = Command::new("sha256sum")
            .args(["-c", "--strict", "verification/SHA256SUMS"])
            .current_dir(&top)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        let listed = String::from_utf8_lossy(&check.stdout).lines().count();
        assert_eq!(
            listed,
            expected.len() - 1,
            "every file but SHA256SUMS is listed"
        );
    }
}

#[test]
fn manifest_and_markdown_trace_every_file_to_its_source() {
    let repo = Repo::minimal();
    let commit = repo.git(&["rev-parse", "HEAD"]);
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    let entries = zip_entries(&out.path().join(format!("{TOP}.zip")));
    let get = |p: &str| {
        entries
            .iter()
            .find(|(n, _)| n == &format!("{TOP}/{p}"))
            .map(|(_, d)| d.clone())
            .unwrap()
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&get("verification/manifest.json")).unwrap();
    assert_eq!(manifest["commit"], commit.as_str());
    assert_eq!(manifest["version"], "v1.0.0");
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(
        files.len(),
        entries.len() - 2,
        "all but manifest.json and SHA256SUMS"
    );
    for f in files {
        let path = f["path"].as_str().unwrap();
        let data = get(path);
        assert_eq!(f["sha256"].as_str().unwrap(), hex_sha256(&data), "{path}");
        assert_eq!(f["size"].as_u64().unwrap(), data.len() as u64);
        for s in f["sources"].as_array().unwrap() {
            let blob = repo.git(&[
                "rev-parse",
                &format!("{commit}:{}", s["path"].as_str().unwrap()),
            ]);
            assert_eq!(s["blob"].as_str().unwrap(), blob, "{path}");
        }
    }
    let cloud = String::from_utf8(get("hardening/cloud-deployment.md")).unwrap();
    assert!(cloud.starts_with("# Cloud\n"), "{cloud}");
    assert!(
        cloud.contains(&format!("Source: `docs/cloud.md` at commit `{commit}`")),
        "{cloud}"
    );
    let vdp = String::from_utf8(get("policies/VULNERABILITY_DISCLOSURE.md")).unwrap();
    assert!(vdp.contains("classified public"), "{vdp}");
    let overview = String::from_utf8(get("OVERVIEW.md")).unwrap();
    assert!(
        overview.contains(&format!("| Source commit | `{commit}` |")),
        "{overview}"
    );
    assert!(overview.contains("| [`hardening/cloud-deployment.md`](hardening/cloud-deployment.md) | customer-only | `docs/cloud.md@"), "{overview}");
    // Nothing of the internal file, anywhere.
    for (name, data) in &entries {
        assert!(!contains(data, b"ACME-INTERNAL-CANARY-4242"), "{name}");
    }
}

#[test]
fn reproducible_and_blind_to_the_work_tree() {
    let repo = Repo::minimal();
    let (o1, out1) = build(&repo, "v1.0.0");
    assert!(o1.status.success(), "{}", stderr(&o1));
    // Dirty the work tree, the index and add untracked files: none of it may matter.
    repo.write("docs/cloud.md", "# Cloud (uncommitted edit)\n");
    repo.write("untracked.md", "# untracked\n");
    repo.git(&["add", "untracked.md"]);
    repo.write("secpack.toml", "this is not toml");
    let (o2, out2) = build_with(
        &repo,
        "v1.0.0",
        &["--unsigned"],
        &[("TZ", "Pacific/Kiritimati"), ("LC_ALL", "C")],
    );
    assert!(o2.status.success(), "{}", stderr(&o2));
    for name in [format!("{TOP}.zip"), format!("{TOP}.tar.gz")] {
        assert_eq!(
            std::fs::read(out1.path().join(&name)).unwrap(),
            std::fs::read(out2.path().join(&name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn plan_json_lists_every_file_with_class_rule_and_destination() {
    let repo = Repo::minimal();
    let o = secpack(&[
        "plan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), FILES.len() + 1, "every file and secpack.toml");
    let row = |p: &str| rows.iter().find(|r| r["path"] == p).unwrap().clone();
    let secret = row("secret/raw-findings.md");
    assert_eq!(
        (secret["class"].as_str(), secret["dest"].is_null()),
        (Some("internal"), true)
    );
    assert_eq!(secret["rule"], "classify[2] glob `secret/**`");
    let vdp = row("public/vdp.md");
    assert_eq!(vdp["class"], "public");
    assert_eq!(vdp["dest"], "policies/VULNERABILITY_DISCLOSURE.md");
    let config = row("secpack.toml");
    assert_eq!(
        config["rule"],
        "default: no rule matches (unclassified is internal)"
    );
}

#[test]
fn directories_map_with_include_globs() {
    let config = format!(
        "{CONFIG}\n[[dirs]]\nsource = \"docs/evidence\"\ndest = \"artifacts/evidence\"\ninclude = [\"**/*.md\"]\n"
    );
    let mut files = FILES.to_vec();
    files.extend([
        ("docs/evidence/a.md", "# A\n"),
        ("docs/evidence/sub/b.md", "# B\n"),
        ("docs/evidence/skip.bin", "x"),
    ]);
    let repo = Repo::with(&config, &files, "v1.0.0");
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = zip_entries(&out.path().join(format!("{TOP}.zip")))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(names.contains(&format!("{TOP}/artifacts/evidence/a.md")));
    assert!(names.contains(&format!("{TOP}/artifacts/evidence/sub/b.md")));
    assert!(!names.iter().any(|n| n.ends_with("skip.bin")));
}

#[test]
fn version_flag_accepts_the_tag_with_or_without_v() {
    let repo = Repo::minimal();
    for v in ["v1.0.0", "1.0.0"] {
        let o = secpack(&[
            "plan",
            "--repo",
            repo.path().to_str().unwrap(),
            "--rev",
            "HEAD",
            "--version",
            v,
        ]);
        assert!(o.status.success(), "{v}: {}", stderr(&o));
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn hex_sha256(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[test]
fn large_blobs_stream_from_loose_and_packed_objects_alike() {
    // 6 MiB of incompressible bytes: above the streaming threshold.
    let big = secpack_testkit::noise(6 * 1024 * 1024, 0x9e37_79b9_7f4a_7c15);
    // Random bytes look encrypted: the leak gate refuses them unless told they are expected.
    let config = format!(
        "{CONFIG}{EVIDENCE_DIRS}\n[leak_gate]\ndisabled_rules = [\"unscannable-content\"]\n"
    );
    let repo = Repo::with(&config, FILES, "");
    std::fs::create_dir_all(repo.path().join("docs/evidence")).unwrap();
    std::fs::write(repo.path().join("docs/evidence/scan-export.bin"), &big).unwrap();
    repo.commit("evidence");
    repo.git(&["tag", "v1.0.0"]);

    let (o, loose) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    repo.git(&["gc", "--quiet", "--aggressive"]);
    assert!(
        std::fs::read_dir(repo.path().join(".git/objects/pack"))
            .unwrap()
            .count()
            > 0
    );
    let (o, packed) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    for name in [format!("{TOP}.zip"), format!("{TOP}.tar.gz")] {
        assert_eq!(
            std::fs::read(loose.path().join(&name)).unwrap(),
            std::fs::read(packed.path().join(&name)).unwrap(),
            "{name}"
        );
    }
    let entries = zip_entries(&packed.path().join(format!("{TOP}.zip")));
    let shipped = &entries
        .iter()
        .find(|(n, _)| n.ends_with("scan-export.bin"))
        .unwrap()
        .1;
    assert!(shipped == &big, "the streamed blob ships byte for byte");
}

#[test]
fn a_corrupt_object_store_fails_the_build() {
    let big = secpack_testkit::noise(5 * 1024 * 1024, 0x1234_5678_9abc_def1);
    let config = format!("{CONFIG}{EVIDENCE_DIRS}");
    let repo = Repo::with(&config, FILES, "");
    std::fs::create_dir_all(repo.path().join("docs/evidence")).unwrap();
    std::fs::write(repo.path().join("docs/evidence/big.bin"), &big).unwrap();
    repo.commit("evidence");
    repo.git(&["tag", "v1.0.0"]);
    let oid = repo.git(&["rev-parse", "v1.0.0:docs/evidence/big.bin"]);
    // Replace the loose object with another valid zlib stream of the same length.
    let loose = repo
        .path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..]);
    let mut other = big.clone();
    other[4_000_000] ^= 1;
    let mut raw = format!("blob {}\0", other.len()).into_bytes();
    raw.extend(&other);
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &raw).unwrap();
    let mut perms = std::fs::metadata(&loose).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&loose, perms).unwrap();
    std::fs::write(&loose, enc.finish().unwrap()).unwrap();
    let (o, out) = build(&repo, "v1.0.0");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("blob {oid} hashes to")),
        "{}",
        stderr(&o)
    );
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn a_large_deltified_blob_is_resolved_without_holding_it() {
    // Two versions of a 5 MB export and of a 30 KB note: after a repack the smaller, older
    // ones are stored as deltas against the newer (the export is resolved file to file, the
    // note in memory). Both must ship byte for byte as from loose objects.
    let lines = |n: usize| -> String {
        (0..n)
            .map(|i| {
                format!(
                    "record {i:07}: control AC-{:02} reviewed, status ok\n",
                    i % 97
                )
            })
            .collect()
    };
    let old = lines(110_000);
    let config = format!("{CONFIG}{EVIDENCE_DIRS}");
    let repo = Repo::with(&config, FILES, "");
    repo.write("docs/evidence/export.txt", &old);
    repo.write("docs/evidence/notes.txt", &lines(600));
    repo.commit("export, first version");
    repo.git(&["tag", "v1.0.0"]);
    let (o, loose) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));

    repo.write("docs/evidence/export.txt", &lines(112_000));
    repo.write("docs/evidence/notes.txt", &lines(640));
    repo.commit("export, second version");
    repo.git(&[
        "repack",
        "-a",
        "-d",
        "-f",
        "-q",
        "--window=10",
        "--depth=50",
    ]);
    let pack_dir = repo.path().join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let listing = repo.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    for file in ["export.txt", "notes.txt"] {
        let oid = repo.git(&["rev-parse", &format!("v1.0.0:docs/evidence/{file}")]);
        let line = listing.lines().find(|l| l.starts_with(&oid)).unwrap();
        assert!(
            line.split_whitespace().count() >= 7,
            "the first version of {file} must be a delta for this test to mean anything: {line}"
        );
    }

    let (o, packed) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    for name in [format!("{TOP}.zip"), format!("{TOP}.tar.gz")] {
        assert!(
            std::fs::read(loose.path().join(&name)).unwrap()
                == std::fs::read(packed.path().join(&name)).unwrap(),
            "{name}: the same bytes from loose objects and from a delta"
        );
    }
    let entries = zip_entries(&packed.path().join(format!("{TOP}.zip")));
    let shipped = &entries
        .iter()
        .find(|(n, _)| n.ends_with("export.txt"))
        .unwrap()
        .1;
    assert!(shipped == old.as_bytes());

    // A damaged pack: one byte flipped inside the note's delta data. The build fails with the
    // file named, and writes nothing.
    let oid = repo.git(&["rev-parse", "v1.0.0:docs/evidence/notes.txt"]);
    let line = listing.lines().find(|l| l.starts_with(&oid)).unwrap();
    let offset: u64 = line.split_whitespace().nth(4).unwrap().parse().unwrap();
    let pack = idx.with_extension("pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    bytes[usize::try_from(offset).unwrap() + 12] ^= 0x55;
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    std::fs::write(&pack, bytes).unwrap();
    let (o, out) = build(&repo, "v1.0.0");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("docs/evidence/notes.txt"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(files_in(out.path()).is_empty());
}
