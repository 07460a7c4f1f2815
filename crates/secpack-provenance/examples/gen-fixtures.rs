//! Regenerate the provenance and key fixtures:
//!
//! ```text
//! cargo run -p secpack-provenance --example gen-fixtures
//! ```
//!
//! Writes every file of `tests/provenance/fixture_gen.rs::generate` below the workspace root. The
//! cosign-format encrypted key is kept when it still decrypts to the signing key (its salt and
//! nonce are random, so rewriting it would change bytes for nothing). The integration test
//! `fixtures::regenerating_changes_nothing` fails when the committed files differ.
#![allow(clippy::unwrap_used)]

#[path = "../tests/provenance/fixture_gen.rs"]
mod fixture_gen;

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (relative, bytes) in fixture_gen::generate() {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&path, &bytes).unwrap();
            println!("wrote {relative}");
        }
    }
    let cosign = root.join(fixture_gen::SIGNING_COSIGN_KEY);
    let keep = std::fs::read(&cosign).is_ok_and(|pem| fixture_gen::cosign_copy_matches(&pem));
    if !keep {
        std::fs::write(&cosign, fixture_gen::cosign_copy()).unwrap();
        println!("wrote {}", fixture_gen::SIGNING_COSIGN_KEY);
    }
}
