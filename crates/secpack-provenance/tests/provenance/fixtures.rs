//! The committed fixtures are exactly what the generator makes.

use crate::fixture_gen as gen_;
use crate::root;

#[test]
fn regenerating_changes_nothing() {
    let mut stale = Vec::new();
    for (relative, bytes) in gen_::generate() {
        let committed = std::fs::read(root().join(relative)).ok();
        if committed.as_deref() != Some(bytes.as_slice()) {
            stale.push(relative);
        }
    }
    let cosign_key = std::fs::read(root().join(gen_::SIGNING_COSIGN_KEY)).unwrap_or_default();
    if !gen_::cosign_copy_matches(&cosign_key) {
        stale.push(gen_::SIGNING_COSIGN_KEY);
    }
    assert!(
        stale.is_empty(),
        "stale fixtures {stale:?}; run `cargo run -p secpack-provenance --example gen-fixtures` and commit"
    );
}

#[test]
fn test_keys_say_test_only() {
    for (relative, _) in gen_::generate() {
        if relative.starts_with("fixtures/keys/") {
            assert!(relative.contains("test-only"), "{relative}");
        }
    }
    let readme = String::from_utf8(crate::read("fixtures/keys/README.md")).unwrap();
    assert!(readme.contains("TEST-ONLY") && readme.contains("must never"));
}
