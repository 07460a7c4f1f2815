//! Project automation: `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `fixture`  materialize `fixtures/summit/` as a git repository at `target/fixtures/summit`
//! - `package`  build the fixture's `v1.2.3` into `target/secpack/` (the README's main job)
//! - `repro`    build twice under different conditions, require identical bytes and the
//!   committed golden digests (`--bless` rewrites them, deliberately)
//! - `bench`    secpack build/verify against git archive, unzip and sha256sum (docs/performance.md)
//! - `ci`       the whole test suite, exactly as CI runs it (the README's test command)
//! - `fuzz [SECONDS] [TARGET…]`  a short, bounded cargo-fuzz run of the archive readers and the
//!   verifier (nightly toolchain; `scripts/fuzz-smoke.sh`)
//! - `schema [--check]`  write (or check) `secpack.schema.json`; `man`  man pages into
//!   `target/man/` (`dist.rs`)

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod bench;
mod ci;
mod dist;
mod fixture;
mod repro;

const USAGE: &str = "usage: cargo xtask <bench [--files N] [--size-mib M] [--reps R] [--out FILE.json] | ci | fixture | fuzz [SECONDS] [TARGET...] | man | package | repro [--bless] | schema [--check]>";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["fixture"] => {
            let repo = fixture::materialize()?;
            println!("{}", repo.display());
            Ok(())
        }
        ["package"] => package(),
        ["ci"] => ci::run(),
        ["bench", rest @ ..] => bench::run(rest),
        ["fuzz", rest @ ..] => fuzz(rest),
        ["repro"] => repro::run(false),
        ["repro", "--bless"] => repro::run(true),
        ["schema"] => dist::schema(false),
        ["schema", "--check"] => dist::schema(true),
        ["man"] => dist::man(),
        _ => bail!("{USAGE}"),
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the workspace root")
        .to_path_buf()
}

/// Build the `secpack` binary (debug) and return its path.
pub fn secpack_binary() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--package",
            "secpack-cli",
            "--bin",
            "secpack",
        ])
        .current_dir(root())
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --package secpack-cli failed");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    Ok(target.join("debug").join("secpack"))
}

/// The TEST-ONLY signing key of the fixture demo. Never a default anywhere else.
pub fn test_only_key() -> PathBuf {
    root()
        .join("fixtures")
        .join("keys")
        .join("test-only-signing.key.pem")
}

/// A bounded fuzz run: every target (or the ones named) for SECONDS each (default 30).
fn fuzz(args: &[&str]) -> Result<()> {
    let (seconds, targets) = match args.split_first() {
        Some((first, rest)) if first.parse::<u32>().is_ok() => (*first, rest),
        _ => ("30", args),
    };
    let status = Command::new("bash")
        .arg(root().join("scripts").join("fuzz-smoke.sh"))
        .args(targets)
        .env("FUZZ_SECONDS", seconds)
        .current_dir(root())
        .status()
        .context("running scripts/fuzz-smoke.sh")?;
    if !status.success() {
        bail!("fuzzing failed ({status}); crashing inputs are under fuzz/artifacts/");
    }
    Ok(())
}

fn package() -> Result<()> {
    let repo = fixture::materialize()?;
    let out = root().join("target").join("secpack");
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("clearing {}", out.display()))?;
    }
    let secpack = secpack_binary()?;
    let status = Command::new(&secpack)
        .arg("build")
        .arg("--repo")
        .arg(&repo)
        .args(["--rev", fixture::TAG, "--out"])
        .arg(&out)
        .arg("--key")
        .arg(test_only_key())
        .status()
        .with_context(|| format!("running {}", secpack.display()))?;
    if !status.success() {
        bail!("secpack build failed ({status})");
    }
    let mut written: Vec<_> = std::fs::read_dir(&out)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    written.sort();
    println!("wrote:");
    for p in written {
        println!("  {}", p.display());
    }
    Ok(())
}
