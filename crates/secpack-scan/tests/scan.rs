//! Integration tests of the leak gate on committed corpora: `fixtures/leaks` (fake secrets of
//! every kind and look-alikes that must not fire) and the Summit fixture (what ships must be
//! clean, what is internal must not be).
#![allow(clippy::unwrap_used)] // test helpers: a missing fixture is a test failure

mod scan {
    mod corpus;
    mod summit;
}

use std::path::{Path, PathBuf};

use secpack_scan::{LeakGateConfig, Scanner};

pub fn workspace() -> PathBuf {
    secpack_testkit::workspace_root()
}

pub fn leaks_dir() -> PathBuf {
    workspace().join("fixtures/leaks")
}

/// The `[leak_gate]` table of `fixtures/leaks/leak-gate.toml` (the Summit settings).
pub fn corpus_config() -> LeakGateConfig {
    let text = std::fs::read_to_string(leaks_dir().join("leak-gate.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    table["leak_gate"].clone().try_into().unwrap()
}

pub fn corpus_scanner() -> Scanner {
    Scanner::new(&corpus_config()).unwrap()
}

/// Every file under `dir`, as (path relative to `dir` with `/`, absolute path), sorted.
pub fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
