//! Scan files with the leak gate and print one JSON finding per line (used by
//! `scripts/leak-recall.py` to compare with detect-secrets; not the `secpack scan` CLI).
//!
//! ```text
//! cargo run -p secpack-scan --example scan-files -- CONFIG.toml ROOT [FILE...]
//! ```
//! CONFIG.toml holds a `[leak_gate]` table; findings name files relative to ROOT; without
//! FILE arguments every file under ROOT is scanned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use secpack_scan::{LeakGateConfig, Scanner};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config_path, root, files @ ..] = args.as_slice() else {
        eprintln!("usage: scan-files CONFIG.toml ROOT [FILE...]");
        std::process::exit(2);
    };
    let table: toml::Table =
        toml::from_str(&std::fs::read_to_string(config_path).unwrap()).unwrap();
    let config: LeakGateConfig = table
        .get("leak_gate")
        .cloned()
        .map(|v| v.try_into().unwrap())
        .unwrap_or_default();
    let scanner = Scanner::new(&config).unwrap_or_else(|e| {
        eprintln!("{config_path}: {e}");
        std::process::exit(2);
    });
    let root = Path::new(root);
    let mut paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    if paths.is_empty() {
        walk(root, &mut paths);
    }
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        for finding in scanner.scan(&rel, &bytes).findings {
            println!("{}", serde_json::to_string(&finding).unwrap());
        }
    }
}
