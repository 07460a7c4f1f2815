//! The Summit fixture as a real git repository, byte-for-byte the same on every machine.

use std::path::PathBuf;

use anyhow::{Context, Result};

/// The fixture's release tag.
pub const TAG: &str = "v1.2.3";

/// Copy `fixtures/summit/` to `target/fixtures/summit`, commit it and tag `v1.2.3` with the
/// fixed identity and date of `secpack_testkit::git`.
pub fn materialize() -> Result<PathBuf> {
    let src = crate::root().join("fixtures").join("summit");
    let dest = crate::root().join("target").join("fixtures").join("summit");
    secpack_testkit::git::materialize(&src, &dest, TAG)
        .context("materializing the Summit fixture")?;
    Ok(dest)
}
