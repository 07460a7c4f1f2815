//! Puts the git commit of this secpack build into `secpack --version`.
//!
//! `SECPACK_GIT_COMMIT` is the commit (12 hex digits) when the workspace root is the top of a
//! git work tree, the value of `SECPACK_BUILD_COMMIT` when a packager sets it, and `unknown`
//! otherwise (a source tarball, a vendored copy inside another repository, no git). Only the
//! binary's version text uses it: package bytes never contain it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SECPACK_BUILD_COMMIT");
    let commit = std::env::var("SECPACK_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=SECPACK_GIT_COMMIT={}", commit.trim());
}

fn git_commit() -> Option<String> {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir.parent()?.parent()?.canonicalize().ok()?;
    // Only our own repository: not a parent repository that happens to contain a copy.
    let top = PathBuf::from(git(&root, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != root {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself (branch switch, detached), the branch refs, and
    // packed refs. Only existing paths: a missing one would rerun this script every build.
    let git_dir = root.join(git(&root, &["rev-parse", "--git-dir"])?);
    let common_dir = root.join(git(&root, &["rev-parse", "--git-common-dir"])?);
    for path in [
        git_dir.join("HEAD"),
        common_dir.join("refs").join("heads"),
        common_dir.join("packed-refs"),
    ] {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let commit = git(&root, &["rev-parse", "--short=12", "HEAD"])?;
    commit
        .bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then_some(commit)
}

/// Run git in `dir` isolated from system and user configuration; `None` on any failure.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
