//! Verify one package file and print the report and the time taken: what a benchmark calls.
//!
//! ```sh
//! cargo run --release -p secpack-verify --example verify-file -- PACKAGE [--key PUB] [--allow-unsigned] [--json]
//! ```
//!
//! Exit code: 0 passed, 1 a check failed, 2 usage error (like `secpack verify`). The elapsed
//! time and throughput go to stderr so stdout stays the report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use secpack_verify::{KeySource, VerifyOptions, verify};

fn main() -> ExitCode {
    let mut archive = None;
    let mut key = None;
    let mut allow_unsigned = false;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--key" => key = args.next().map(PathBuf::from),
            "--allow-unsigned" => allow_unsigned = true,
            "--json" => json = true,
            other => archive = Some(PathBuf::from(other)),
        }
    }
    let Some(archive) = archive else {
        eprintln!("usage: verify-file PACKAGE [--key PUB] [--allow-unsigned] [--json]");
        return ExitCode::from(2);
    };
    let mut options = VerifyOptions::new(&archive);
    options.key = key.map(KeySource::File);
    options.allow_unsigned = allow_unsigned;
    let start = Instant::now();
    let report = match verify(&options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let elapsed = start.elapsed().as_secs_f64();
    if json {
        print!("{}", report.to_json());
    } else {
        print!("{report}");
    }
    let mib = report.archive.uncompressed_size as f64 / f64::from(1 << 20);
    let archive_mib = report.archive.size as f64 / f64::from(1 << 20);
    eprintln!(
        "verified {archive_mib:.1} MiB archive ({mib:.1} MiB uncompressed, {} files) in {elapsed:.3} s: {:.0} MiB/s uncompressed",
        report.archive.files,
        mib / elapsed
    );
    ExitCode::from(report.exit_code())
}
