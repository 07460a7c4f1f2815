//! Redact one SBOM file: `cargo run --release -p secpack-sbom --example redact -- IN OUT [RULES.toml]`.
//!
//! Prints the summary as JSON on stderr. Used by `scripts/bench-sbom.sh`; the real command line
//! is `secpack sbom redact`.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        eprintln!("usage: redact IN OUT [RULES.toml]");
        return ExitCode::from(2);
    };
    match run(input, output, args.get(2)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(
    input: &str,
    output: &str,
    rules: Option<&String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let rules = match rules {
        Some(path) => secpack_sbom::Rules::from_toml(&std::fs::read_to_string(path)?, path)?,
        None => secpack_sbom::Rules::default(),
    };
    let key = std::env::var("SECPACK_SBOM_PSEUDONYM_KEY").ok();
    let bytes = std::fs::read(input)?;
    let out = secpack_sbom::redact(&bytes, &rules, key.as_deref().map(str::as_bytes))
        .map_err(|e| format!("{input}: {e}"))?;
    drop(bytes);
    std::fs::write(output, &out.bytes)?;
    eprintln!("{}", serde_json::to_string_pretty(&out.summary)?);
    Ok(())
}
