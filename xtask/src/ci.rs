//! `cargo xtask ci`: every check, in the order CI runs them. Fails on the first failure.
//!
//! Third-party checkers are installed by `scripts/install-test-tools.sh` into `.tools/`;
//! under `CI=true` a test that cannot find its checker fails instead of skipping.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

pub fn run() -> Result<()> {
    let root = crate::root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tools_bin = root.join(".tools").join("venv").join("bin");
    let path = std::env::join_paths(std::iter::once(tools_bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;

    let steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "install test tools",
            vec!["bash", "scripts/install-test-tools.sh"],
        ),
        ("rustfmt", vec![&cargo, "fmt", "--all", "--", "--check"]),
        (
            "clippy",
            vec![
                &cargo,
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "tests",
            vec![&cargo, "test", "--workspace", "--locked", "--no-fail-fast"],
        ),
        (
            "cargo deny",
            vec![
                &cargo,
                "deny",
                "--offline",
                "check",
                "licenses",
                "bans",
                "sources",
            ],
        ),
    ];
    let start = Instant::now();
    for (name, argv) in &steps {
        step(name, || {
            let (program, args) = argv.split_first().expect("every step has a program");
            let status = Command::new(program)
                .args(args)
                .current_dir(&root)
                .env("PATH", &path)
                .status()
                .with_context(|| format!("running {program}"))?;
            if !status.success() {
                bail!("{name} failed ({status})");
            }
            Ok(())
        })?;
    }
    step("rustdoc (warnings are errors)", || {
        let status = Command::new(&cargo)
            .args(["doc", "--workspace", "--no-deps", "--locked", "--quiet"])
            .env("RUSTDOCFLAGS", "-D warnings")
            .current_dir(&root)
            .status()
            .context("running cargo doc")?;
        if !status.success() {
            bail!("cargo doc failed ({status})");
        }
        Ok(())
    })?;
    step("reproducibility (xtask repro)", || crate::repro::run(false))?;
    println!("ci: all checks passed in {:.0?}", start.elapsed());
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    let start = Instant::now();
    let result = f();
    println!(
        "<== {name}: {} in {:.1?}",
        if result.is_ok() { "ok" } else { "FAILED" },
        start.elapsed()
    );
    result
}
