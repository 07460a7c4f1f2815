//! Quick throughput measurement of the leak gate (no criterion): generates about 200 MiB of
//! mixed package-like text in memory (Markdown prose, SBOM JSON with hashes, purls and URLs,
//! base64 signature blobs, SHA256SUMS lines, a few secrets) and times `Scanner::scan`, the
//! chunked `Scanner::stream`, and one `scan` per thread on as many parts as there are cores.
//!
//! ```text
//! cargo run --release -p secpack-scan --example scan-throughput [MiB]
//! ```
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use secpack_scan::{LeakGateConfig, Scanner};

/// xorshift64: deterministic filler without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[(self.next() % 16) as usize]))
            .collect()
    }
    fn b64(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..n)
            .map(|_| char::from(A[(self.next() % 64) as usize]))
            .collect()
    }
}

const WORDS: &[&str] = &[
    "access",
    "control",
    "tenant",
    "isolation",
    "encryption",
    "at",
    "rest",
    "in",
    "transit",
    "the",
    "policy",
    "requires",
    "reviewed",
    "quarterly",
    "secret",
    "rotation",
    "token",
    "lifetime",
    "password",
    "minimum",
    "length",
    "audit",
    "log",
    "retention",
    "customer",
    "data",
    "backup",
    "restore",
    "tested",
    "AWS",
    "KMS",
    "keys",
    "are",
    "managed",
    "by",
    "Summit",
    "security",
    "team",
    "and",
    "incident",
    "response",
];

fn generate(target: usize) -> Vec<u8> {
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let mut out = String::with_capacity(target + 4096);
    while out.len() < target {
        match rng.next() % 10 {
            0..=3 => {
                // Markdown prose.
                let n = 8 + (rng.next() % 20) as usize;
                let words: Vec<&str> = (0..n).map(|_| rng.pick(WORDS)).collect();
                out.push_str(&format!("- {}.\n", words.join(" ")));
            }
            4..=6 => {
                // An SBOM component.
                let name = rng.pick(WORDS);
                let (a, b, c) = (rng.next() % 20, rng.next() % 30, rng.next() % 10);
                out.push_str(&format!(
                    "{{\"type\":\"library\",\"name\":\"{name}\",\"version\":\"{a}.{b}.{c}\",\"purl\":\"pkg:npm/%40summit/{name}@{a}.{b}.{c}\",\"hashes\":[{{\"alg\":\"SHA-256\",\"content\":\"{}\"}}],\"externalReferences\":[{{\"type\":\"vcs\",\"url\":\"git+https://github.com/summit/{name}.git\"}}],\"bom-ref\":\"{}-{}-{}\"}},\n",
                    rng.hex(64), rng.hex(8), rng.hex(4), rng.hex(12)
                ));
            }
            7 => {
                // SHA256SUMS.
                out.push_str(&format!(
                    "{}  policies/{}.md\n",
                    rng.hex(64),
                    rng.pick(WORDS)
                ));
            }
            8 => {
                // A Sigstore bundle line with base64 blobs.
                out.push_str(&format!(
                    "{{\"signature\":\"{}\",\"payload\":\"eyJfdHlwZSI6{}\",\"publicKey\":{{\"hint\":\"{}\"}}}}\n",
                    rng.b64(96),
                    rng.b64(600),
                    rng.b64(44)
                ));
            }
            _ => {
                if rng.next().is_multiple_of(500) {
                    out.push_str(&format!("api_token = \"FAKE{}\"\n", rng.hex(24)));
                } else {
                    out.push_str(&format!(
                        "Contact security@summit.example, see https://summit.example/{}\n",
                        rng.pick(WORDS)
                    ));
                }
            }
        }
    }
    out.into_bytes()
}

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let data = generate(mib << 20);
    let config = LeakGateConfig {
        internal_domains: vec!["corp.summit.example".into()],
        internal_hosts: vec!["jenkins01".into()],
        internal_cidrs: vec!["10.20.0.0/16".into(), "172.16.0.0/12".into()],
        email_allow: vec!["security@summit.example".into()],
        ..LeakGateConfig::default()
    };
    let scanner = Scanner::new(&config).unwrap();
    let size = data.len() as f64 / (1024.0 * 1024.0);

    let start = Instant::now();
    let report = scanner.scan("bench.txt", &data);
    let t = start.elapsed().as_secs_f64();
    println!(
        "scan:   {size:.0} MiB in {t:.2} s = {:.0} MiB/s, {} findings",
        size / t,
        report.findings.len()
    );

    let start = Instant::now();
    let mut stream = scanner.stream("bench.txt");
    for chunk in data.chunks(1 << 16) {
        stream.feed(chunk);
    }
    let streamed = stream.finish();
    let t = start.elapsed().as_secs_f64();
    println!(
        "stream: {size:.0} MiB in {t:.2} s = {:.0} MiB/s (64 KiB chunks)",
        size / t
    );
    assert_eq!(streamed, report, "chunked and whole scans must agree");

    // Files are independent: the orchestrator can scan them on several threads.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let part = data.len().div_ceil(threads);
    let start = Instant::now();
    let found: usize = std::thread::scope(|s| {
        let handles: Vec<_> = data
            .chunks(part)
            .enumerate()
            .map(|(i, piece)| {
                let scanner = &scanner;
                s.spawn(move || scanner.scan(&format!("part-{i}.txt"), piece).findings.len())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let t = start.elapsed().as_secs_f64();
    println!(
        "{threads} threads, one file each: {size:.0} MiB in {t:.2} s = {:.0} MiB/s, {found} findings",
        size / t
    );
}
