//! `cargo xtask bench`: secpack against what a user could script with standard tools.
//!
//! Generates a deterministic synthetic evidence repository (Markdown, JSON and incompressible
//! binaries from a seeded PRNG; default 5,000 files, 500 MiB) as a real git repository with a
//! `secpack.toml` that ships all of `evidence/` (plus the files the specification requires)
//! and leaves a few internal files out. Then, for several repetitions, it measures under
//! `/usr/bin/time` (wall, CPU, peak RSS):
//!
//! - `secpack build` (zip + tar.gz + SHA256SUMS + signatures + provenance) against
//!   `git archive --format=zip` + `git archive --format=tar.gz` + `sha256sum` of the tree;
//! - `secpack verify` of the zip (and of the tar.gz) against `unzip` (extracting) +
//!   `sha256sum -c` of the package's own `SHA256SUMS`.
//!
//! It prints medians, spreads and the ratios, and writes them as JSON. Ratios from the same
//! run are the result: absolute times move with the machine and its load (recorded too).
//! `secpack` is built in release mode first. The repository is cached under `target/bench/`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use secpack_testkit::git::git;

const USAGE: &str =
    "usage: cargo xtask bench [--files N] [--size-mib M] [--reps R] [--packed] [--out FILE.json]";
const TAG: &str = "v1.0.0";
const SEED: u64 = 0x5ec9_ac4b_0000_0001;
/// Bump when the generated content changes, so cached repositories are rebuilt.
const GENERATOR: u32 = 2;
const TIME: &str = "/usr/bin/time";

#[derive(Debug)]
struct Options {
    files: usize,
    size_mib: u64,
    reps: usize,
    /// Build from a clone whose objects are in one pack (as after `git clone`), not loose.
    packed: bool,
    out: Option<PathBuf>,
}

fn parse(args: &[&str]) -> Result<Options> {
    let mut o = Options {
        files: 5_000,
        size_mib: 500,
        reps: 3,
        packed: false,
        out: None,
    };
    let mut it = args.iter();
    while let Some(&flag) = it.next() {
        if flag == "--packed" {
            o.packed = true;
            continue;
        }
        let value = it
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .with_context(|| format!("{flag}: `{value}` is not a positive number\n{USAGE}"))
        };
        match flag {
            "--files" => o.files = usize::try_from(number()?)?,
            "--size-mib" => o.size_mib = number()?,
            "--reps" => o.reps = usize::try_from(number()?)?,
            "--out" => o.out = Some(PathBuf::from(value)),
            _ => bail!("unknown option `{flag}`\n{USAGE}"),
        }
    }
    if o.files < 20 {
        bail!("--files: at least 20 files\n{USAGE}");
    }
    Ok(o)
}

pub fn run(args: &[&str]) -> Result<()> {
    let opts = parse(args)?;
    if !Path::new(TIME).is_file() {
        bail!("{TIME} is missing: install GNU time (`apt-get install time`)");
    }
    let work = crate::root().join("target").join("bench");
    std::fs::create_dir_all(&work)?;
    let load_before = loadavg();

    eprintln!("bench: building secpack (release)…");
    let secpack = release_binary()?;
    let mut repo = generate(&work, opts.files, opts.size_mib)?;
    if opts.packed {
        repo = packed_clone(&repo)?;
    }
    let tree = tree_stats(&repo)?;
    eprintln!(
        "bench: {} files, {:.1} MiB in {}",
        tree.files,
        mib(tree.bytes),
        repo.display()
    );

    let key = crate::test_only_key();
    let public_key = key.with_file_name("test-only-signing.pub.pem");
    let scratch = work.join("scratch");
    let top = format!("customer-security-package-{TAG}");
    let zip = scratch.join("out").join(format!("{top}.zip"));
    let tgz = scratch.join("out").join(format!("{top}.tar.gz"));

    let mut steps: Vec<Step> = [
        "secpack build",
        "git archive zip",
        "git archive tar.gz",
        "sha256sum tree",
        "secpack verify zip",
        "secpack verify tar.gz",
        "unzip",
        "sha256sum -c",
    ]
    .into_iter()
    .map(|name| Step {
        name,
        samples: Vec::new(),
    })
    .collect();

    for rep in 0..opts.reps {
        eprintln!("bench: repetition {}/{}", rep + 1, opts.reps);
        reset(&scratch)?;
        let out = scratch.join("out");
        let mut args: Vec<OsString> = vec!["build".into(), "--repo".into(), repo.clone().into()];
        args.extend([
            "--rev".into(),
            TAG.into(),
            "--out".into(),
            out.clone().into(),
        ]);
        args.extend(["--key".into(), key.clone().into()]);
        steps[0].push(timed(&secpack, &args, &repo)?);

        let git_zip = scratch.join("git.zip");
        let git_tgz = scratch.join("git.tar.gz");
        let archive = |format: &str, to: &Path| -> Vec<OsString> {
            let mut a: Vec<OsString> = vec!["archive".into(), format!("--format={format}").into()];
            a.extend(["-o".into(), to.as_os_str().to_owned(), TAG.into()]);
            a
        };
        steps[1].push(timed(Path::new("git"), &archive("zip", &git_zip), &repo)?);
        steps[2].push(timed(
            Path::new("git"),
            &archive("tar.gz", &git_tgz),
            &repo,
        )?);
        let sums = scratch.join("tree.sha256");
        steps[3].push(timed(
            Path::new("sh"),
            &[
                "-c".into(),
                "git ls-files -z | xargs -0 sha256sum > \"$0\"".into(),
                sums.into(),
            ],
            &repo,
        )?);

        for (index, package) in [(4, &zip), (5, &tgz)] {
            let args: Vec<OsString> = vec![
                "verify".into(),
                package.clone().into(),
                "--key".into(),
                public_key.clone().into(),
            ];
            steps[index].push(timed(&secpack, &args, &scratch)?);
        }

        let extracted = scratch.join("extracted");
        let unzip_args: Vec<OsString> = vec![
            "-q".into(),
            zip.clone().into(),
            "-d".into(),
            extracted.clone().into(),
        ];
        steps[6].push(timed(Path::new("unzip"), &unzip_args, &scratch)?);
        let check: Vec<OsString> = vec![
            "-c".into(),
            "--quiet".into(),
            "--strict".into(),
            "verification/SHA256SUMS".into(),
        ];
        steps[7].push(timed(
            Path::new("sha256sum"),
            &check,
            &extracted.join(&top),
        )?);

        if rep + 1 == opts.reps {
            // keep the last outputs' sizes for the report
            let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let sizes = Sizes {
                zip: size(&zip),
                tgz: size(&tgz),
                git_zip: size(&git_zip),
                git_tgz: size(&git_tgz),
            };
            let report = Report {
                opts: &opts,
                tree: &tree,
                sizes,
                steps: &steps,
                load_before: &load_before,
                load_after: &loadavg(),
            };
            let json_path = opts.out.clone().unwrap_or_else(|| {
                work.join(format!(
                    "bench-{}-files-{}-mib.json",
                    opts.files, opts.size_mib
                ))
            });
            print!("{}", report.table());
            std::fs::write(&json_path, report.json())
                .with_context(|| format!("writing {}", json_path.display()))?;
            println!("JSON: {}", json_path.display());
        }
    }
    reset(&scratch)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// measuring

#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_kib: u64,
}

#[derive(Debug)]
struct Step {
    name: &'static str,
    samples: Vec<Sample>,
}

impl Step {
    fn push(&mut self, s: Sample) {
        self.samples.push(s);
    }
}

/// Run `program args` in `cwd` under GNU time; fail on a non-zero exit.
fn timed(program: &Path, args: &[OsString], cwd: &Path) -> Result<Sample> {
    let stats = tempfile_path("time")?;
    let start = Instant::now();
    let out = Command::new(TIME)
        .args(["-f", "%U %S %M", "-o"])
        .arg(&stats)
        .arg(program)
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running {}", program.display()))?;
    let wall = start.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "{} {:?} failed ({}): {}",
            program.display(),
            args,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(&stats)?;
    std::fs::remove_file(&stats)?;
    let fields: Vec<&str> = text
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let [user, sys, rss] = fields.as_slice() else {
        bail!("unexpected output of {TIME}: {text:?}");
    };
    Ok(Sample {
        wall,
        cpu: user.parse::<f64>()? + sys.parse::<f64>()?,
        rss_kib: rss.parse()?,
    })
}

fn tempfile_path(what: &str) -> Result<PathBuf> {
    let dir = crate::root().join("target").join("bench");
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(format!(".{what}-{}", std::process::id())))
}

fn reset(scratch: &Path) -> Result<()> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch)
            .with_context(|| format!("clearing {}", scratch.display()))?;
    }
    std::fs::create_dir_all(scratch)?;
    Ok(())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Build `secpack` in release mode and return its path.
fn release_binary() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "secpack-cli",
            "--bin",
            "secpack",
        ])
        .current_dir(crate::root())
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release -p secpack-cli failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::root().join("target"), PathBuf::from);
    Ok(target.join("release").join("secpack"))
}

// ---------------------------------------------------------------------------------------
// statistics and the report

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

#[derive(Debug, Clone, Copy)]
struct Summary {
    wall: f64,
    wall_min: f64,
    wall_max: f64,
    cpu: f64,
    rss_kib: u64,
}

fn summarize(samples: &[Sample]) -> Summary {
    let walls: Vec<f64> = samples.iter().map(|s| s.wall).collect();
    Summary {
        wall: median(walls.clone()),
        wall_min: walls.iter().copied().fold(f64::INFINITY, f64::min),
        wall_max: walls.iter().copied().fold(0.0, f64::max),
        cpu: median(samples.iter().map(|s| s.cpu).collect()),
        rss_kib: median(samples.iter().map(|s| s.rss_kib as f64).collect()) as u64,
    }
}

/// Several steps run one after the other, per repetition: times add, peak RSS is the max.
fn combine(steps: &[&Step]) -> Vec<Sample> {
    let reps = steps.iter().map(|s| s.samples.len()).min().unwrap_or(0);
    (0..reps)
        .map(|i| Sample {
            wall: steps.iter().map(|s| s.samples[i].wall).sum(),
            cpu: steps.iter().map(|s| s.samples[i].cpu).sum(),
            rss_kib: steps
                .iter()
                .map(|s| s.samples[i].rss_kib)
                .max()
                .unwrap_or(0),
        })
        .collect()
}

#[derive(Debug)]
struct TreeStats {
    files: usize,
    bytes: u64,
    shipped_files: usize,
    shipped_bytes: u64,
}

#[derive(Debug, Clone, Copy)]
struct Sizes {
    zip: u64,
    tgz: u64,
    git_zip: u64,
    git_tgz: u64,
}

struct Report<'a> {
    opts: &'a Options,
    tree: &'a TreeStats,
    sizes: Sizes,
    steps: &'a [Step],
    load_before: &'a str,
    load_after: &'a str,
}

impl Report<'_> {
    /// (label, samples) rows: every step, then the two baselines combined.
    fn rows(&self) -> Vec<(String, Vec<Sample>)> {
        let s = self.steps;
        let mut rows: Vec<(String, Vec<Sample>)> = s
            .iter()
            .map(|step| (step.name.to_owned(), step.samples.clone()))
            .collect();
        rows.push((
            "baseline build (git archive zip + tar.gz + sha256sum)".into(),
            combine(&[&s[1], &s[2], &s[3]]),
        ));
        rows.push((
            "baseline verify (unzip + sha256sum -c)".into(),
            combine(&[&s[6], &s[7]]),
        ));
        rows
    }

    fn ratios(&self) -> (f64, f64, f64) {
        let rows = self.rows();
        let get = |name: &str| {
            rows.iter()
                .find(|(n, _)| n.starts_with(name))
                .map_or(0.0, |(_, s)| summarize(s).wall)
        };
        let build = get("secpack build") / get("baseline build");
        let verify_zip = get("baseline verify") / get("secpack verify zip");
        let verify_tgz = get("baseline verify") / get("secpack verify tar.gz");
        (build, verify_zip, verify_tgz)
    }

    fn table(&self) -> String {
        let mut t = String::new();
        let o = self.opts;
        let _ = writeln!(
            t,
            "\nsecpack bench: {} files, {:.1} MiB in the tree ({} files, {:.1} MiB shipped), objects {}, {} repetitions, {} CPUs, load {} -> {}",
            self.tree.files,
            mib(self.tree.bytes),
            self.tree.shipped_files,
            mib(self.tree.shipped_bytes),
            if o.packed { "in one pack" } else { "loose" },
            o.reps,
            cpus(),
            self.load_before,
            self.load_after
        );
        let _ = writeln!(
            t,
            "{:<56} {:>9} {:>17} {:>9} {:>10}",
            "step", "median s", "min-max s", "CPU s", "peak RSS"
        );
        for (name, samples) in self.rows() {
            let s = summarize(&samples);
            let _ = writeln!(
                t,
                "{:<56} {:>9.2} {:>8.2}-{:<8.2} {:>9.2} {:>6.1} MiB",
                name,
                s.wall,
                s.wall_min,
                s.wall_max,
                s.cpu,
                s.rss_kib as f64 / 1024.0
            );
        }
        let (build, vzip, vtgz) = self.ratios();
        let z = self.sizes;
        let _ = writeln!(
            t,
            "\nbuild: secpack / baseline = {build:.2}x (target <= 0.5)\n\
             verify: baseline / secpack = {vzip:.1}x for the zip, {vtgz:.1}x for the tar.gz (target >= 3)\n\
             sizes: secpack zip {:.1} MiB, tar.gz {:.1} MiB; git archive zip {:.1} MiB, tar.gz {:.1} MiB",
            mib(z.zip),
            mib(z.tgz),
            mib(z.git_zip),
            mib(z.git_tgz)
        );
        t
    }

    fn json(&self) -> String {
        let mut j = String::new();
        let o = self.opts;
        let (build, vzip, vtgz) = self.ratios();
        let _ = write!(
            j,
            "{{\n  \"bench\": \"secpack\",\n  \"generator\": {GENERATOR},\n  \"seed\": \"{SEED:#018x}\",\n  \
             \"cpus\": {},\n  \"load_before\": \"{}\",\n  \"load_after\": \"{}\",\n  \
             \"options\": {{\"files\": {}, \"size_mib\": {}, \"reps\": {}, \"packed\": {}}},\n  \
             \"tree\": {{\"files\": {}, \"bytes\": {}, \"shipped_files\": {}, \"shipped_bytes\": {}}},\n  \
             \"sizes\": {{\"secpack_zip\": {}, \"secpack_tar_gz\": {}, \"git_zip\": {}, \"git_tar_gz\": {}}},\n  \
             \"ratios\": {{\"build_secpack_over_baseline\": {build:.4}, \"verify_zip_speedup\": {vzip:.4}, \"verify_tar_gz_speedup\": {vtgz:.4}}},\n  \
             \"steps\": [\n",
            cpus(),
            self.load_before,
            self.load_after,
            o.files,
            o.size_mib,
            o.reps,
            o.packed,
            self.tree.files,
            self.tree.bytes,
            self.tree.shipped_files,
            self.tree.shipped_bytes,
            self.sizes.zip,
            self.sizes.tgz,
            self.sizes.git_zip,
            self.sizes.git_tgz,
        );
        let rows = self.rows();
        for (i, (name, samples)) in rows.iter().enumerate() {
            let s = summarize(samples);
            let runs: Vec<String> = samples.iter().map(|x| format!("{:.4}", x.wall)).collect();
            let _ = writeln!(
                j,
                "    {{\"name\": \"{name}\", \"wall_median_s\": {:.4}, \"wall_min_s\": {:.4}, \"wall_max_s\": {:.4}, \
                 \"cpu_median_s\": {:.4}, \"peak_rss_kib\": {}, \"wall_runs_s\": [{}]}}{}",
                s.wall,
                s.wall_min,
                s.wall_max,
                s.cpu,
                s.rss_kib,
                runs.join(", "),
                if i + 1 == rows.len() { "" } else { "," }
            );
        }
        j.push_str("  ]\n}\n");
        j
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

// ---------------------------------------------------------------------------------------
// the synthetic repository

/// SplitMix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

const AREAS: &[&str] = &[
    "access-control",
    "asset-management",
    "business-continuity",
    "change-management",
    "cryptography",
    "incident-response",
    "logging-monitoring",
    "network-security",
    "personnel-security",
    "vendor-management",
    "vulnerability-management",
];

const WORDS: &[&str] = &[
    "access",
    "account",
    "administrator",
    "alert",
    "annual",
    "approval",
    "approved",
    "asset",
    "audit",
    "authentication",
    "authorization",
    "availability",
    "backup",
    "baseline",
    "change",
    "checklist",
    "cloud",
    "compliance",
    "configuration",
    "continuity",
    "control",
    "coverage",
    "customer",
    "data",
    "deployment",
    "detection",
    "disaster",
    "documented",
    "employee",
    "encryption",
    "endpoint",
    "environment",
    "evidence",
    "exception",
    "firewall",
    "hardening",
    "identity",
    "incident",
    "integrity",
    "inventory",
    "key",
    "least",
    "privilege",
    "logging",
    "managed",
    "monitoring",
    "multi-factor",
    "network",
    "onboarding",
    "owner",
    "patch",
    "penetration",
    "performed",
    "periodic",
    "policy",
    "procedure",
    "production",
    "quarterly",
    "recovery",
    "remediation",
    "retention",
    "review",
    "reviewed",
    "risk",
    "role",
    "rotation",
    "sample",
    "scan",
    "scope",
    "segmentation",
    "service",
    "severity",
    "signed",
    "staging",
    "supplier",
    "system",
    "tenant",
    "tested",
    "ticket",
    "training",
    "vendor",
    "verified",
    "vulnerability",
    "within",
    "workload",
    "the",
    "and",
    "of",
    "for",
    "is",
    "are",
    "to",
    "in",
    "with",
    "by",
    "each",
    "every",
    "all",
    "on",
    "as",
    "was",
    "were",
    "at",
    "least",
    "no",
];

const STATUSES: &[&str] = &[
    "passed",
    "passed",
    "passed",
    "remediated",
    "accepted",
    "n/a",
];
const OWNERS: &[&str] = &[
    "platform-team",
    "security-engineering",
    "it-operations",
    "people-ops",
    "sre",
    "grc",
];

fn sentence(rng: &mut Rng, out: &mut Vec<u8>) {
    let n = 6 + rng.below(14);
    for i in 0..n {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut chars = w.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase().to_string().bytes());
                out.extend(chars.as_str().bytes());
            }
        } else {
            out.push(b' ');
            out.extend_from_slice(w.as_bytes());
        }
    }
    out.extend_from_slice(b". ");
}

fn markdown(rng: &mut Rng, id: usize, area: &str, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 512);
    let _ = write!(out, "# Evidence EV-{id:05}: {area}\n\n");
    let _ = write!(
        out,
        "| field | value |\n|---|---|\n| control | {}-{} |\n| owner | {} |\n| period | 2026-Q{} |\n\n",
        &area[..2].to_uppercase(),
        1 + rng.below(20),
        rng.pick(OWNERS),
        1 + rng.below(4)
    );
    while out.len() < size {
        match rng.below(10) {
            0 => {
                out.extend_from_slice(b"## ");
                sentence(rng, &mut out);
                out.extend_from_slice(b"\n\n");
            }
            1 | 2 => {
                for _ in 0..2 + rng.below(5) {
                    out.extend_from_slice(b"- ");
                    sentence(rng, &mut out);
                    out.push(b'\n');
                }
                out.push(b'\n');
            }
            _ => {
                for _ in 0..2 + rng.below(5) {
                    sentence(rng, &mut out);
                }
                out.extend_from_slice(b"\n\n");
            }
        }
    }
    out.truncate(size);
    out
}

fn json(rng: &mut Rng, id: usize, area: &str, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 512);
    let _ = write!(
        out,
        "{{\n  \"evidence\": \"EV-{id:05}\",\n  \"area\": \"{area}\",\n  \"records\": ["
    );
    let mut n = 0usize;
    while out.len() + 300 < size || n == 0 {
        let mut note = Vec::new();
        sentence(rng, &mut note);
        let _ = write!(
            out,
            "{}\n    {{\"id\": \"{}-{:06}\", \"check\": \"{}\", \"status\": \"{}\", \"owner\": \"{}\", \
             \"date\": \"2026-{:02}-{:02}\", \"samples\": {}, \"note\": \"{}\"}}",
            if n == 0 { "" } else { "," },
            &area[..3].to_uppercase(),
            id * 1000 + n,
            rng.pick(WORDS),
            rng.pick(STATUSES),
            rng.pick(OWNERS),
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(500),
            String::from_utf8_lossy(note.trim_ascii_end())
        );
        n += 1;
    }
    out.extend_from_slice(b"\n  ]\n}\n");
    out
}

const CONFIG: &str = r#"# Generated by `cargo xtask bench`: ships all of evidence/, never internal/.
[product]
name = "Summit Bench"
vendor = "Summit Corp"
repository = "https://git.summit.example/security/evidence"

[contacts]
security = "security@summit.example"

[[classify]]
glob = "docs/**"
class = "customer-only"

[[classify]]
glob = "public/**"
class = "public"

[[classify]]
glob = "evidence/**"
class = "customer-only"

[[classify]]
glob = "internal/**"
class = "internal"

[files]
"policies/VULNERABILITY_DISCLOSURE.md" = "public/vdp.md"
"policies/SECURITY_CONTACT.md" = "public/contact.md"
"hardening/cloud-deployment.md" = "docs/cloud.md"
"hardening/onprem-deployment.md" = "docs/onprem.md"
"hardening/tenancy-isolation.md" = "docs/tenancy.md"
"questionnaires/sig-lite.md" = "docs/sig.md"
"questionnaires/caiq-lite.md" = "docs/caiq.md"
"CONTROLS_SUMMARY.md" = "docs/controls.md"
"artifacts/third-party-licenses.txt" = "docs/licenses.txt"
"artifacts/sbom/summit.cdx.json" = "docs/sbom.json"
"artifacts/provenance/summit.intoto.jsonl" = "docs/provenance.jsonl"

[[dirs]]
source = "evidence"
dest = "artifacts/evidence"

[leak_gate]
# random binaries stand for screenshots and scan exports: opaque by design
disabled_rules = ["unscannable-content"]
"#;

const SPEC_FILES: &[(&str, &str)] = &[
    (
        "public/vdp.md",
        "# Vulnerability disclosure\n\nReport to security@summit.example.\n",
    ),
    (
        "public/contact.md",
        "# Security contact\n\nsecurity@summit.example\n",
    ),
    ("docs/cloud.md", "# Cloud deployment hardening\n"),
    ("docs/onprem.md", "# On-premise deployment hardening\n"),
    ("docs/tenancy.md", "# Tenancy isolation\n"),
    ("docs/sig.md", "# SIG Lite\n"),
    ("docs/caiq.md", "# CAIQ Lite\n"),
    ("docs/controls.md", "# Controls summary\n"),
    ("docs/licenses.txt", "serde 1.0 MIT OR Apache-2.0\n"),
    (
        "docs/sbom.json",
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}\n",
    ),
    ("docs/provenance.jsonl", "{}\n"),
];

/// The repository for these options: generated once, then reused from `target/bench/`.
/// A clone of `repo` (cached next to it) with every object in one pack, deltas included, as
/// `git clone` leaves a CI checkout.
fn packed_clone(repo: &Path) -> Result<PathBuf> {
    let mut name = repo.file_name().unwrap_or_default().to_os_string();
    name.push("-packed");
    let packed = repo.with_file_name(name);
    if git(&packed, &["rev-parse", "--verify", "--quiet", TAG]).is_ok() {
        return Ok(packed);
    }
    eprintln!("bench: cloning into {} (one pack)…", packed.display());
    if packed.exists() {
        std::fs::remove_dir_all(&packed)?;
    }
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-local"])
        .arg(repo)
        .arg(&packed)
        .status()
        .context("running git clone")?;
    if !status.success() {
        bail!("git clone --no-local {} failed ({status})", repo.display());
    }
    git(&packed, &["fetch", "--quiet", "--tags", "origin"])?;
    Ok(packed)
}

fn generate(work: &Path, files: usize, size_mib: u64) -> Result<PathBuf> {
    let repo = work.join(format!("repo-g{GENERATOR}-{files}-files-{size_mib}-mib"));
    if git(&repo, &["rev-parse", "--verify", "--quiet", TAG]).is_ok() {
        return Ok(repo);
    }
    eprintln!("bench: generating {}…", repo.display());
    if repo.exists() {
        std::fs::remove_dir_all(&repo)?;
    }
    std::fs::create_dir_all(&repo)?;
    let write = |path: &str, bytes: &[u8]| -> Result<()> {
        let full = repo.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::File::create(&full)
            .and_then(|mut f| f.write_all(bytes))
            .with_context(|| format!("writing {}", full.display()))
    };
    write("secpack.toml", CONFIG.as_bytes())?;
    for (path, text) in SPEC_FILES {
        write(path, text.as_bytes())?;
    }

    // Kinds by count and by bytes: Markdown 45% / 35%, JSON 30% / 25%, binary 25% / 40%.
    // One file in a hundred is internal (never shipped). Sizes are heavy-tailed integer
    // weights scaled to each kind's byte budget.
    let mut rng = Rng(SEED);
    let total = size_mib * 1024 * 1024;
    let internal = (files / 100).max(1);
    let evidence = files - internal;
    let counts = [evidence * 45 / 100, evidence * 30 / 100];
    let counts = [counts[0], counts[1], evidence - counts[0] - counts[1]];
    let budgets = [total * 35 / 100, total * 25 / 100, total * 40 / 100];
    let mut id = 0usize;
    for (kind, (&count, &budget)) in counts.iter().zip(&budgets).enumerate() {
        let weights: Vec<u64> = (0..count)
            .map(|_| (1u64 << rng.below(7)) * (64 + rng.below(960) as u64))
            .collect();
        let sum: u64 = weights.iter().sum::<u64>().max(1);
        for w in weights {
            let size =
                usize::try_from(u128::from(budget) * u128::from(w) / u128::from(sum))?.max(64);
            let area = rng.pick(AREAS);
            let (path, bytes) = match kind {
                0 => (
                    format!("evidence/{area}/EV-{id:05}-review.md"),
                    markdown(&mut rng, id, area, size),
                ),
                1 => (
                    format!("evidence/{area}/EV-{id:05}-records.json"),
                    json(&mut rng, id, area, size),
                ),
                _ => {
                    let mut b = vec![0u8; size];
                    rng.fill(&mut b);
                    // No `@`: random bytes would otherwise spell an e-mail address now and
                    // then, which the leak gate (rightly) stops.
                    for byte in &mut b {
                        if *byte == b'@' {
                            *byte = 0xC0;
                        }
                    }
                    (format!("evidence/{area}/EV-{id:05}-export.bin"), b)
                }
            };
            write(&path, &bytes)?;
            id += 1;
        }
    }
    for i in 0..internal {
        let mut text = b"# Raw finding (internal)\n\n".to_vec();
        sentence(&mut rng, &mut text);
        write(&format!("internal/finding-{i:04}.md"), &text)?;
    }

    git(&repo, &["init", "--quiet", "--initial-branch=main"])?;
    git(&repo, &["add", "--all"])?;
    git(
        &repo,
        &[
            "commit",
            "--quiet",
            "--no-gpg-sign",
            "-m",
            "Synthetic evidence for the benchmark",
        ],
    )?;
    git(&repo, &["tag", "--no-sign", "--annotate", TAG, "-m", TAG])?;
    Ok(repo)
}

fn tree_stats(repo: &Path) -> Result<TreeStats> {
    let listing = git(repo, &["ls-tree", "-r", "-l", TAG])?;
    let mut t = TreeStats {
        files: 0,
        bytes: 0,
        shipped_files: 0,
        shipped_bytes: 0,
    };
    for line in listing.lines() {
        // <mode> blob <oid> <size>\t<path>
        let Some((meta, path)) = line.split_once('\t') else {
            continue;
        };
        let size: u64 = meta
            .split_whitespace()
            .nth(3)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        t.files += 1;
        t.bytes += size;
        if path.starts_with("evidence/") || path.starts_with("docs/") || path.starts_with("public/")
        {
            t.shipped_files += 1;
            t.shipped_bytes += size;
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_content_is_fixed_by_the_seed() {
        let mut a = Rng(SEED);
        let mut b = Rng(SEED);
        assert_eq!(
            markdown(&mut a, 1, "access-control", 5000),
            markdown(&mut b, 1, "access-control", 5000)
        );
        let j = json(&mut a, 2, "cryptography", 4000);
        assert!(j.len() >= 3700 && j.len() <= 4400, "{}", j.len());
        assert!(j.ends_with(b"]\n}\n"));
        let mut r = Rng(1);
        assert_eq!(
            r.next(),
            0x910a_2dec_8902_5cc1,
            "SplitMix64 reference value"
        );
    }

    #[test]
    fn options() {
        let o = parse(&[
            "--files",
            "50",
            "--size-mib",
            "5",
            "--reps",
            "1",
            "--out",
            "x.json",
        ])
        .unwrap();
        assert_eq!((o.files, o.size_mib, o.reps, o.packed), (50, 5, 1, false));
        let o = parse(&["--packed", "--files", "30"]).unwrap();
        assert_eq!((o.files, o.packed), (30, true));
        assert!(parse(&["--files"]).is_err());
        assert!(parse(&["--size-mib", "0"]).is_err());
        assert!(parse(&["--bogus", "1"]).is_err());
    }

    #[test]
    fn medians_and_combination() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        let s = |wall, rss_kib| Sample {
            wall,
            cpu: wall,
            rss_kib,
        };
        let a = Step {
            name: "a",
            samples: vec![s(1.0, 10), s(2.0, 30)],
        };
        let b = Step {
            name: "b",
            samples: vec![s(0.5, 20), s(0.5, 5)],
        };
        let c = combine(&[&a, &b]);
        assert_eq!((c[0].wall, c[0].rss_kib), (1.5, 20));
        assert_eq!((c[1].wall, c[1].rss_kib), (2.5, 30));
    }
}
