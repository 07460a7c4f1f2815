//! Micro-benchmark of classification: `cargo bench -p secpack-classify`. The target is under
//! 100 ms for 100,000 paths and about 20 rules (docs/performance.md). Never part of the test
//! suite.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use secpack_classify::{Class, Classifier, RuleConfig};

/// About twenty rules of the kinds real configurations have: folders, extensions, names
/// anywhere, nested overrides.
fn rules() -> Vec<RuleConfig> {
    [
        ("policies/**", Class::Public),
        ("policies/internal/**", Class::Internal),
        ("hardening/**", Class::CustomerOnly),
        ("hardening/**/drafts/**", Class::Internal),
        ("questionnaires/**/*.md", Class::CustomerOnly),
        ("questionnaires/**/*.csv", Class::CustomerOnly),
        ("evidence/**", Class::CustomerOnly),
        ("evidence/**/raw/**", Class::Internal),
        ("evidence/**/*.pcap", Class::Internal),
        ("evidence/**/*-internal.*", Class::Internal),
        ("sbom/**/*.cdx.json", Class::CustomerOnly),
        ("sbom/**/*.spdx.json", Class::CustomerOnly),
        ("provenance/*.intoto.jsonl", Class::Public),
        ("docs/public/**", Class::Public),
        ("docs/**", Class::CustomerOnly),
        ("**/*.key", Class::Internal),
        ("**/*.pem", Class::Internal),
        ("**/.env", Class::Internal),
        ("**/secrets/**", Class::Internal),
        ("audit/**/*.{pdf,png,md}", Class::CustomerOnly),
        ("incidents/**", Class::Internal),
    ]
    .into_iter()
    .map(|(glob, class)| RuleConfig::new(glob, class))
    .collect()
}

/// 100,000 repository paths over the rules' folders and a few unmatched ones.
fn paths() -> Vec<String> {
    const TOPS: &[&str] = &[
        "policies",
        "hardening",
        "questionnaires",
        "evidence",
        "sbom",
        "provenance",
        "docs",
        "audit",
        "incidents",
        "src",
        "tools",
    ];
    const SUBS: &[&str] = &[
        "access-control",
        "change-management",
        "raw",
        "2026",
        "drafts",
        "public",
        "internal",
        "secrets",
        "vendor-risk",
        "logging",
    ];
    const EXTS: &[&str] = &[
        "md", "json", "pdf", "png", "csv", "pcap", "pem", "cdx.json", "txt",
    ];
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    (0..100_000)
        .map(|i| {
            let (a, b, c, e) = (next(), next(), next(), next());
            format!(
                "{}/{}/{}/file-{i:06}.{}",
                TOPS[a % TOPS.len()],
                SUBS[b % SUBS.len()],
                SUBS[c % SUBS.len()],
                EXTS[e % EXTS.len()]
            )
        })
        .collect()
}

fn classify(c: &mut Criterion) {
    let rules = rules();
    let paths = paths();
    let classifier = Classifier::new(&rules).expect("valid rules");
    let mut g = c.benchmark_group("classify");
    g.sample_size(20);
    g.throughput(Throughput::Elements(paths.len() as u64));
    g.bench_function("100k paths, 21 rules", |b| {
        b.iter(|| {
            paths
                .iter()
                .filter(|p| classifier.classify(black_box(p), None).class.is_shippable())
                .count()
        })
    });
    g.finish();
    c.bench_function("compile 21 rules", |b| {
        b.iter(|| Classifier::new(black_box(&rules)).expect("valid rules"))
    });
}

criterion_group!(benches, classify);
criterion_main!(benches);
