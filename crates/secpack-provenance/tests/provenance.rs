//! Integration tests of secpack-provenance: keys, blob bundles, DSSE attestations, product
//! provenance, the committed fixtures, and the third-party verifiers (cosign, securesystemslib,
//! in-toto-attestation) located through `secpack-testkit`.
#![allow(clippy::unwrap_used, clippy::panic)]

mod provenance {
    mod attestation;
    mod blob;
    mod cosign_cli;
    pub(crate) mod fixture_gen;
    mod fixtures;
    mod keys;
    mod product;
    mod python;
}

use provenance::fixture_gen;

use std::path::PathBuf;

/// Workspace root.
fn root() -> PathBuf {
    secpack_testkit::workspace_root()
}

/// Read a workspace-relative file.
fn read(relative: &str) -> Vec<u8> {
    let path = root().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}
