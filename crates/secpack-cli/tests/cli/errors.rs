//! Bad input: a clear message naming the thing, the documented exit code, no output file.

use crate::support::*;

/// Build, expect `code`, expect every needle in stderr, and expect an empty output folder.
fn check_build_fails(repo: &Repo, rev: &str, code: i32, needles: &[&str]) {
    let (o, out) = build(repo, rev);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected `{n}` in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        files_in(out.path()).is_empty(),
        "no output on failure: {:?}",
        files_in(out.path())
    );
}

fn config_with(extra: &str) -> String {
    format!("{CONFIG}{extra}")
}

/// The minimal repository with `docs/evidence/` shipped as `artifacts/evidence/`, untagged:
/// add evidence, then [`tag_release`].
fn evidence_repo() -> Repo {
    Repo::with(&config_with(EVIDENCE_DIRS), FILES, "")
}

/// Commit everything as `message` and tag it `v1.0.0`.
fn tag_release(repo: &Repo, message: &str) {
    repo.commit(message);
    repo.git(&["tag", "v1.0.0"]);
}

#[test]
fn internal_file_mapped_into_the_package_is_a_policy_failure() {
    let config = CONFIG.replace("\"docs/provenance.jsonl\"", "\"secret/raw-findings.md\"");
    let repo = Repo::with(&config, FILES, "v1.0.0");
    check_build_fails(
        &repo,
        "v1.0.0",
        1,
        &[
            "`artifacts/provenance/acme.intoto.jsonl` would be built from `secret/raw-findings.md`, which is internal (classify[2] glob `secret/**`)",
        ],
    );
}

#[test]
fn unclassified_file_is_internal() {
    let config = CONFIG.replace("\"docs/provenance.jsonl\"", "\"other/p.jsonl\"");
    let mut files = FILES.to_vec();
    files.push(("other/p.jsonl", "{}\n"));
    let repo = Repo::with(&config, &files, "v1.0.0");
    check_build_fails(
        &repo,
        "v1.0.0",
        1,
        &[
            "`other/p.jsonl`, which is internal (default: no rule matches (unclassified is internal))",
        ],
    );
}

#[test]
fn front_matter_can_make_a_file_internal() {
    let mut files = FILES.to_vec();
    files.retain(|(p, _)| *p != "docs/cloud.md");
    files.push((
        "docs/cloud.md",
        "---\nclassification: internal\n---\n# Cloud\n",
    ));
    let repo = Repo::with(CONFIG, &files, "v1.0.0");
    check_build_fails(
        &repo,
        "v1.0.0",
        1,
        &["`docs/cloud.md`, which is internal (front matter `classification`)"],
    );
}

#[test]
fn missing_required_paths_are_named() {
    let config = CONFIG
        .replace(
            "\"hardening/tenancy-isolation.md\" = \"docs/tenancy.md\"\n",
            "",
        )
        .replace(
            "\"artifacts/sbom/acme.cdx.json\" = \"docs/sbom.json\"\n",
            "",
        );
    let repo = Repo::with(&config, FILES, "v1.0.0");
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &["the package lacks `hardening/tenancy-isolation.md`, `artifacts/sbom/`"],
    );
}

#[test]
fn revision_and_tag_problems() {
    let repo = Repo::minimal();
    check_build_fails(
        &repo,
        "no-such-rev",
        2,
        &["revision `no-such-rev` cannot be resolved"],
    );
    let untagged = Repo::with(CONFIG, FILES, "");
    check_build_fails(
        &untagged,
        "HEAD",
        2,
        &["has no release tag; tag it `vMAJOR.MINOR.PATCH`"],
    );
    let not_release = Repo::with(CONFIG, FILES, "release-1");
    check_build_fails(&not_release, "release-1", 2, &["has no release tag"]);
    let two = Repo::minimal();
    two.git(&["tag", "v1.0.1"]);
    check_build_fails(
        &two,
        "v1.0.0",
        2,
        &["has several release tags (v1.0.0, v1.0.1)"],
    );
    let o = secpack(&[
        "build",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
        "--version",
        "2.0.0",
        "--out",
        repo.path().join("o").to_str().unwrap(),
        "--unsigned",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--version `2.0.0` disagrees with the release tag `v1.0.0`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let o = secpack(&[
        "plan",
        "--repo",
        dir.path().to_str().unwrap(),
        "--rev",
        "HEAD",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a git repository"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn config_problems_point_at_file_line_column() {
    let repo = Repo::with("", FILES, "v1.0.0");
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &["no `secpack.toml` at the root of commit"],
    );
    let repo = Repo::with(&config_with("\n[product2]\nx = 1\n"), FILES, "v1.0.0");
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &["secpack.toml:35:2: unknown field `product2`"],
    );
    let repo = Repo::with(
        &CONFIG.replace("class = \"internal\"", "class = \"secret\""),
        FILES,
        "v1.0.0",
    );
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &["secpack.toml:20:9: unknown variant `secret`"],
    );
    let repo = Repo::with(
        &config_with("\n[[classify]]\nglob = \"a/[\"\nclass = \"public\"\n"),
        FILES,
        "v1.0.0",
    );
    check_build_fails(&repo, "v1.0.0", 2, &["classify[3]: invalid glob `a/[`"]);
}

#[test]
fn two_sources_for_one_destination() {
    let config = config_with("\n[[dirs]]\nsource = \"docs/more\"\ndest = \"artifacts/sbom\"\n");
    let mut files = FILES.to_vec();
    files.push(("docs/more/acme.cdx.json", "{}\n"));
    let repo = Repo::with(&config, &files, "v1.0.0");
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &[
            "`artifacts/sbom/acme.cdx.json` is mapped twice: from `docs/sbom.json` and from `docs/more/acme.cdx.json`",
        ],
    );
}

#[test]
fn destinations_differing_only_in_case() {
    let config = config_with("\n[[dirs]]\nsource = \"docs/more\"\ndest = \"artifacts/sbom\"\n");
    let mut files = FILES.to_vec();
    files.push(("docs/more/ACME.cdx.json", "{}\n"));
    let repo = Repo::with(&config, &files, "v1.0.0");
    check_build_fails(&repo, "v1.0.0", 2, &["differ only in letter case"]);
}

#[test]
fn destinations_outside_the_layout_or_generated() {
    let config = CONFIG.replace("[files]\n", "[files]\n\"OVERVIEW.md\" = \"docs/cloud.md\"\n\"notes/x.md\" = \"docs/cloud.md\"\n\"../escape.md\" = \"docs/cloud.md\"\n");
    let repo = Repo::with(&config, FILES, "v1.0.0");
    let o = secpack(&[
        "plan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`OVERVIEW.md` is generated by secpack and cannot be mapped"),
        "{err}"
    );
    assert!(
        err.contains("`notes/x.md` is not part of the package layout"),
        "{err}"
    );
    assert!(
        err.contains("`../escape.md` is not a safe package path"),
        "{err}"
    );
}

#[test]
fn symlinks_and_submodules_are_never_followed() {
    let repo = Repo::minimal();
    std::os::unix::fs::symlink(
        "../secret/raw-findings.md",
        repo.path().join("docs/link.md"),
    )
    .unwrap();
    let sub = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{sub},docs/sub"),
    ]);
    let config = CONFIG
        .replace("\"docs/cloud.md\"", "\"docs/link.md\"")
        .replace("\"docs/tenancy.md\"", "\"docs/sub\"");
    repo.write("secpack.toml", &config);
    repo.git(&["add", "secpack.toml", "docs/link.md"]);
    repo.git(&["commit", "--quiet", "--no-gpg-sign", "-m", "links"]);
    repo.git(&["tag", "v1.0.1"]);
    let o = secpack(&[
        "plan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.1",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("mapped from `docs/link.md`, which is a symbolic link"),
        "{err}"
    );
    assert!(
        err.contains("mapped from `docs/sub`, which is a submodule"),
        "{err}"
    );
    let plan = secpack(&[
        "plan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.1",
        "--json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&plan.stdout).unwrap();
    let link = rows.iter().find(|r| r["path"] == "docs/link.md").unwrap();
    assert_eq!(link["excluded"], "symbolic link: never followed or shipped");
}

#[test]
fn non_utf8_file_names_are_internal_and_refused_when_mapped() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::minimal();
    let name = std::ffi::OsStr::from_bytes(b"docs/evidence/bad-\xff.md");
    std::fs::create_dir_all(repo.path().join("docs/evidence")).unwrap();
    std::fs::write(repo.path().join(name), "x").unwrap();
    repo.commit("bad name");
    repo.git(&["tag", "v1.0.1"]);
    // Not mapped: it is listed as internal and the build works.
    let (o, _out) = build(&repo, "v1.0.1");
    assert!(o.status.success(), "{}", stderr(&o));
    // Mapped through a folder: refused, naming it.
    repo.write("secpack.toml", &config_with(EVIDENCE_DIRS));
    repo.commit("map");
    repo.git(&["tag", "v1.0.2"]);
    check_build_fails(
        &repo,
        "v1.0.2",
        2,
        &["`docs/evidence/bad-\u{fffd}.md` has a file name that is not valid UTF-8"],
    );
}

#[test]
fn unused_rule_is_a_warning_not_an_error() {
    let repo = Repo::with(
        &config_with("\n[[classify]]\nglob = \"typo/**\"\nclass = \"public\"\n"),
        FILES,
        "v1.0.0",
    );
    let (o, _out) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "warning: secpack.toml: classify[3] glob `typo/**` matches no file at this commit"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = secpack(&["build", "--rev"]);
    assert_eq!(o.status.code(), Some(2));
    let o = secpack(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_very_long_path_is_refused_by_name_when_mapped_and_ignored_otherwise() {
    // 20 folders of 199 bytes: a 4,000-byte path, legal in git and on Linux.
    let segment = "d".repeat(199);
    let long: String = std::iter::repeat_n(segment.as_str(), 20)
        .collect::<Vec<_>>()
        .join("/");
    let repo = Repo::minimal();
    let path = format!("docs/evidence/{long}/x.md");
    repo.write(&path, "# deep\n");
    repo.commit("deep");
    repo.git(&["tag", "v1.0.1"]);
    let (o, _out) = build(&repo, "v1.0.1");
    assert!(o.status.success(), "not mapped: no problem: {}", stderr(&o));

    repo.write("secpack.toml", &config_with(EVIDENCE_DIRS));
    repo.commit("map");
    repo.git(&["tag", "v1.0.2"]);
    check_build_fails(
        &repo,
        "v1.0.2",
        2,
        &["longer than 1024 bytes", "artifacts/evidence/ddd"],
    );
}

#[test]
fn more_files_than_the_verifier_accepts_is_refused_before_any_work() {
    // One file over `layout::MAX_FILES` (100,000), each a few bytes.
    let repo = evidence_repo();
    for dir in 0..=100 {
        let folder = repo.path().join(format!("docs/evidence/{dir:03}"));
        std::fs::create_dir_all(&folder).unwrap();
        for i in 0..1000 {
            std::fs::write(
                folder.join(format!("{i:03}.txt")),
                format!("record {dir}-{i}\n"),
            )
            .unwrap();
        }
    }
    tag_release(&repo, "many files");
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &[
            "the package would hold 101015 files, more than the 100000 that `secpack verify` accepts",
        ],
    );
}

#[test]
fn a_package_the_verifier_would_refuse_is_never_published() {
    // 3 MB of blank-padded lines deflates about 1000:1: `secpack verify` takes it for a
    // decompression bomb (limit 250:1 above 1 MiB), so the build's own check refuses it.
    let repo = evidence_repo();
    repo.write(
        "docs/evidence/uptime.log",
        &format!("{}\n", " ".repeat(999)).repeat(3_000),
    );
    tag_release(&repo, "a log of blank lines");
    check_build_fails(
        &repo,
        "v1.0.0",
        1,
        &[
            "the built customer-security-package-v1.0.0.zip would fail `secpack verify`",
            "[compression-ratio] `customer-security-package-v1.0.0/artifacts/evidence/uptime.log`",
            "(source `docs/evidence/uptime.log`)",
            "nothing was published",
            "compress it yourself",
        ],
    );
}

#[test]
fn a_tar_gz_the_verifier_would_refuse_is_never_published() {
    // Three files just under the 1 MiB ratio floor pass the zip's per-entry check, but the
    // tar.gz is one stream: 3 MB from a few KB, over 250:1.
    let repo = evidence_repo();
    for i in 0..3 {
        repo.write(
            &format!("docs/evidence/blank-{i}.log"),
            &format!("{}\n", " ".repeat(999)).repeat(1_000),
        );
    }
    tag_release(&repo, "logs of blank lines");
    check_build_fails(
        &repo,
        "v1.0.0",
        1,
        &[
            "the built customer-security-package-v1.0.0.tar.gz would fail `secpack verify`: [compression-ratio]",
            "nothing was published",
        ],
    );
}

/// Add `path` to the next commit as a blob whose loose object only *declares* `size` bytes:
/// the header, then a few bytes. Sizes are checked from object headers before any blob is
/// read, so the build refuses without ever reading the data that is not there.
fn plant_declared_blob(repo: &Repo, path: &str, oid: &str, size: u64) {
    let mut raw = format!("blob {size}\0").into_bytes();
    raw.extend_from_slice(b"not really here");
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &raw).unwrap();
    let dir = repo.path().join(".git/objects").join(&oid[..2]);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&oid[2..]), enc.finish().unwrap()).unwrap();
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{oid},{path}"),
    ]);
}

#[test]
fn files_larger_than_the_verifier_accepts_are_refused_before_reading() {
    // Not `tag_release`: `git add --all` would stage the planted files' absence from the work tree.
    let commit = |repo: &Repo| {
        repo.git(&["commit", "--quiet", "--no-gpg-sign", "-m", "large evidence"]);
        repo.git(&["tag", "v1.0.0"]);
    };
    // One file of 9 GiB: over the 8 GiB per file.
    let repo = evidence_repo();
    plant_declared_blob(&repo, "docs/evidence/disk.img", &"ab".repeat(20), 9 << 30);
    commit(&repo);
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &[
            "`docs/evidence/disk.img` is 9663676416 bytes, more than the 8589934592 bytes per file that `secpack verify` accepts",
        ],
    );
    // Three files of 6 GiB: each allowed, together over the 16 GiB per package.
    let repo = evidence_repo();
    for (i, oid) in ["ac", "ad", "ae"].iter().enumerate() {
        plant_declared_blob(
            &repo,
            &format!("docs/evidence/disk-{i}.img"),
            &oid.repeat(20),
            6 << 30,
        );
    }
    commit(&repo);
    check_build_fails(
        &repo,
        "v1.0.0",
        2,
        &["more than the 17179869184 bytes that `secpack verify` accepts"],
    );
}
