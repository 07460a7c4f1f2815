//! Micro-benchmarks of the archive writer and of hashing: `cargo bench -p secpack-archive`.
//! Never part of the test suite; compared in review to catch regressions
//! (docs/performance.md has the reference figures).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use secpack_archive::PackageWriter;
use secpack_archive::write::{PROBE_LEN, WriterOptions, compresses};
use sha2::{Digest, Sha256};

use secpack_testkit::noise;

/// Policy-like text that deflates about 3 to 4 times.
fn text(len: usize, seed: u64) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "access",
        "review",
        "quarterly",
        "control",
        "evidence",
        "encryption",
        "at",
        "rest",
        "the",
        "and",
        "of",
        "vendor",
        "incident",
        "response",
        "backup",
        "restore",
        "tested",
        "owner",
        "approved",
        "policy",
        "least",
        "privilege",
        "production",
        "change",
        "ticket",
        "AC-2",
        "CM-3",
        "IR-4",
        "SOC",
        "2",
        "ISO",
        "27001",
    ];
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(WORDS[(x % WORDS.len() as u64) as usize].as_bytes());
        out.push(if x.is_multiple_of(13) { b'\n' } else { b' ' });
    }
    out.truncate(len);
    out
}

fn hashing(c: &mut Criterion) {
    let data = noise(64 << 20, 1);
    let mut g = c.benchmark_group("hash");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("sha256 64 MiB", |b| {
        b.iter(|| Sha256::digest(black_box(&data)))
    });
    g.finish();
}

fn probe(c: &mut Criterion) {
    let mut g = c.benchmark_group("probe");
    g.throughput(Throughput::Bytes(PROBE_LEN as u64));
    for (name, data) in [("text", text(PROBE_LEN, 2)), ("noise", noise(PROBE_LEN, 3))] {
        g.bench_function(name, |b| b.iter(|| compresses(black_box(&data))));
    }
    g.finish();
}

/// A few hundred files in memory, two thirds text, one third noise, about 8 MiB.
fn files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = (0..300u64)
        .map(|i| {
            let len = 4_096 + (i as usize * 7_919) % 50_000;
            if i % 3 == 2 {
                (format!("artifacts/evidence/{i:03}.bin"), noise(len, i))
            } else {
                (format!("artifacts/evidence/{i:03}.md"), text(len, i))
            }
        })
        .collect();
    files.push(("artifacts/evidence/zz-large.md".into(), text(3 << 20, 99)));
    files.sort();
    files
}

fn writing(c: &mut Criterion) {
    let files = files();
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut g = c.benchmark_group("write zip + tar.gz");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    for threads in [1, 2] {
        let options = WriterOptions::default().with_threads(threads);
        g.bench_with_input(
            BenchmarkId::new("301 files", format!("{threads} threads")),
            &options,
            |b, options| {
                b.iter(|| {
                    let mut w = PackageWriter::create_with(dir.path(), "v1.0.0", 0, options)
                        .expect("writer");
                    for (path, data) in &files {
                        w.add_bytes(path, data).expect("entry");
                    }
                    w.finish().expect("archives")
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, hashing, probe, writing);
criterion_main!(benches);
