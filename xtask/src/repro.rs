//! `cargo xtask repro`: the package is a pure function of the commit.
//!
//! Builds the Summit fixture twice, changing everything that must not matter (output path,
//! `TZ`, `LC_ALL`, `umask`, dirty and untracked files in the work tree), requires both
//! outputs to be byte-identical, then compares them with the committed golden digests in
//! `fixtures/expected/summit-v1.2.3.sha256`, so that CI's machine proves cross-machine
//! determinism. `--bless` rewrites the golden file: do it only for a reviewed change of the
//! output, and say so in the commit message.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::fixture;

const GOLDEN: &str = "fixtures/expected/summit-v1.2.3.sha256";

pub fn run(bless: bool) -> Result<()> {
    let repo = fixture::materialize()?;
    let secpack = crate::secpack_binary()?;
    let work = crate::root().join("target").join("repro");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    let a = work.join("a");
    let b = work.join("b").join("elsewhere");

    build(
        &secpack,
        &repo,
        &a,
        &[("TZ", "UTC"), ("LC_ALL", "C")],
        "022",
    )?;
    dirty(&repo)?;
    build(
        &secpack,
        &repo,
        &b,
        &[("TZ", "Asia/Kolkata"), ("LC_ALL", "de_DE.UTF-8")],
        "077",
    )?;

    let first = digests(&a)?;
    let second = digests(&b)?;
    if first != second {
        bail!(
            "not reproducible:\n  first build:  {first:?}\n  second build: {second:?}\n(run `diffoscope` on the two folders under target/repro)"
        );
    }
    let text: String = first
        .iter()
        .map(|(name, digest)| format!("{digest}  {name}\n"))
        .collect();
    println!("both builds byte-identical:\n{text}");

    let golden_path = crate::root().join(GOLDEN);
    if bless {
        std::fs::create_dir_all(golden_path.parent().expect("golden file has a folder"))?;
        std::fs::write(&golden_path, &text)?;
        println!("blessed {GOLDEN}");
        return Ok(());
    }
    let golden = std::fs::read_to_string(&golden_path)
        .with_context(|| format!("reading {GOLDEN}; create it with `cargo xtask repro --bless`"))?;
    if golden != text {
        bail!(
            "the fixture package differs from the golden digests in {GOLDEN}.\n\
             expected:\n{golden}got:\n{text}\
             If the change of output is intended and reviewed, run `cargo xtask repro --bless` and commit the file."
        );
    }
    println!("matches {GOLDEN}");
    Ok(())
}

fn build(secpack: &Path, repo: &Path, out: &Path, env: &[(&str, &str)], umask: &str) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(secpack)
        .arg("build")
        .arg("--repo")
        .arg(repo)
        .args(["--rev", fixture::TAG, "--out"])
        .arg(out)
        .arg("--key")
        .arg(crate::test_only_key())
        .envs(env.iter().copied())
        .status()
        .context("running secpack build")?;
    if !status.success() {
        bail!("secpack build failed ({status})");
    }
    Ok(())
}

/// Change the work tree and index in every way a packager must ignore.
fn dirty(repo: &Path) -> Result<()> {
    std::fs::write(
        repo.join("hardening/cloud-deployment.md"),
        "# uncommitted rewrite\n",
    )?;
    std::fs::write(repo.join("untracked-notes.md"), "# untracked\n")?;
    std::fs::write(repo.join("secpack.toml"), "not = [valid\n")?;
    secpack_testkit::git::git(repo, &["add", "untracked-notes.md"]).context("staging a file")?;
    Ok(())
}

fn digests(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let data = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, hex::encode(Sha256::digest(&data))));
    }
    Ok(out)
}
