//! The zip reader's allocations do not grow with the number of entries.
//!
//! A fresh deflate decoder per entry allocates zlib-rs's state and window (64-byte aligned,
//! tens of KiB) for every entry and frees them again. glibc does not reuse those aligned blocks,
//! so the heap, and the peak RSS of `secpack verify`, grew with the entry count: 35 MiB for
//! 5,000 entries by hand, 64 MiB under the benchmark, while the live heap stayed under 8 MiB.
//! One decoder, reset between entries, fixed it. This test counts the bytes allocated while a
//! zip is scanned (with `stats_alloc` as the global allocator) and checks that an entry costs only its
//! own record (its path and digest), never a decoder.
//!
//! Its own test binary with one test: the counts are process-wide.
#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::alloc::System;
use std::fs::File;
use std::path::Path;

use secpack_archive::{ArchiveFormat, PackageWriter};
use secpack_verify::{Limits, scan};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated while scanning each zip is allowed to grow by per extra entry.
/// An entry's record (path, size, SHA-256, name-set key) takes about 800 bytes; the
/// zlib-rs decoder it must not get takes over 40 KiB.
const PER_ENTRY_BUDGET: u64 = 4 * 1024;

/// A zip of `entries` small text files, each one deflated.
fn zip_with(dir: &Path, entries: usize) -> std::path::PathBuf {
    let out = dir.join(entries.to_string());
    std::fs::create_dir(&out).unwrap();
    let mut writer = PackageWriter::create(&out, "v1.0.0", 1_700_000_000).unwrap();
    for i in 0..entries {
        let text = format!(
            "# Evidence {i}\n\n{}\n",
            "control text, reviewed. ".repeat(20)
        );
        writer
            .add_bytes(&format!("evidence/e{i:05}.md"), text.as_bytes())
            .unwrap();
    }
    let archives = writer.finish().unwrap();
    let zip = archives
        .iter()
        .find(|a| a.format == ArchiveFormat::Zip)
        .unwrap();
    zip.path.clone()
}

/// Total bytes allocated while scanning `zip`, after checking the scan accepted every entry.
fn bytes_allocated_scanning(zip: &Path, entries: usize) -> u64 {
    let mut file = File::open(zip).unwrap();
    let region = Region::new(GLOBAL);
    let scanned = scan(&mut file, ArchiveFormat::Zip, &Limits::DEFAULT).unwrap();
    let allocated = region.change().bytes_allocated as u64;
    let contents = scanned.outcome.unwrap();
    assert_eq!(contents.files.len(), entries);
    allocated
}

#[test]
fn scanning_a_zip_allocates_no_decoder_per_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (small, large) = (100, 1_100);
    let (zip_small, zip_large) = (zip_with(dir.path(), small), zip_with(dir.path(), large));
    let a = bytes_allocated_scanning(&zip_small, small);
    let b = bytes_allocated_scanning(&zip_large, large);
    let per_entry = b.saturating_sub(a) / (large - small) as u64;
    assert!(
        per_entry <= PER_ENTRY_BUDGET,
        "scanning allocates {per_entry} bytes per extra entry ({a} bytes for {small} entries, \
         {b} for {large}); at most {PER_ENTRY_BUDGET} expected: is a decoder made per entry?"
    );
}
