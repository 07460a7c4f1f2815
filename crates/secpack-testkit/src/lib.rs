//! Test-only helpers shared by the integration tests of the secpack crates.
//!
//! Third-party checkers (cosign, the CycloneDX and SPDX validators, securesystemslib,
//! detect-secrets) are installed into `<workspace>/.tools/` by `scripts/install-test-tools.sh`.
//! A test that needs one calls [`tool`] or [`python`]:
//!
//! - when the tool is there, it gets its path;
//! - when it is missing and `CI=true`, the test fails: a skipped check proves nothing;
//! - when it is missing locally, the test prints a loud `SKIPPED` line on stderr and gets `None`.
//!
//! ```
//! if let Some(cosign) = secpack_testkit::tool("cosign") {
//!     assert!(cosign.is_absolute());
//! }
//! ```
//!
//! [`git`] makes real, reproducible git repositories (the Summit fixture, test repos).
//!
//! This crate is used by tests and by `xtask` only; nothing in a shipped binary uses it.
#![allow(clippy::panic)]

pub mod git;

/// Deterministic incompressible bytes (xorshift64): stand-ins for images, scan exports and
/// other opaque evidence. The same `seed` gives the same bytes.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the virtual `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/secpack-testkit sits two levels below the workspace root")
        .to_path_buf()
}

/// The folder the install script fills.
pub fn tools_dir() -> PathBuf {
    workspace_root().join(".tools")
}

/// Whether we run under CI, where a missing tool is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Locate an executable: `.tools/bin`, then `.tools/venv/bin`, then `PATH`.
///
/// Fails the test under CI when the tool is missing; prints a loud skip message otherwise.
pub fn tool(name: &str) -> Option<PathBuf> {
    let candidates = [
        tools_dir().join("bin").join(name),
        tools_dir().join("venv").join("bin").join(name),
    ];
    let found = candidates.into_iter().find(|p| p.is_file()).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        missing(name);
    }
    found
}

/// The python interpreter of the tools venv (which has the validators installed).
pub fn python() -> Option<PathBuf> {
    let python = tools_dir().join("venv").join("bin").join("python");
    if python.is_file() {
        Some(python)
    } else {
        missing("python validators (.tools/venv)");
        None
    }
}

fn missing(what: &str) {
    let msg = format!(
        "third-party checker `{what}` is not installed; run `bash scripts/install-test-tools.sh`"
    );
    if in_ci() {
        panic!("{msg} (CI=true: a missing checker is a failure)");
    }
    eprintln!("\n*** SKIPPED: {msg} ***\n");
}
