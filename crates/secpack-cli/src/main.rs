//! `secpack`: build, sign and verify Customer Security Packages.
//!
//! This binary only parses arguments, calls the libraries and prints. Exit codes:
//! 0 success, 1 a check or policy failed, 2 usage or configuration error.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use secpack_pipeline::{ErrorKind, PlanRequest};

/// Exit code: a check or policy failed.
const EXIT_FAILED: u8 = 1;
/// Exit code: usage or configuration error.
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "secpack",
    version,
    about = "Build, sign and verify Customer Security Packages from a git release tag",
    after_help = "Exit codes: 0 success, 1 a check or policy failed, 2 usage or configuration error.\n\
                  Documentation: docs/config.md, docs/verifying.md, docs/ci.md"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show every file of the commit with its class, the deciding rule and its destination
    #[command(
        after_help = "Examples:\n  secpack plan --repo . --rev v1.2.3\n  secpack plan --repo . --rev HEAD --json | jq '.[] | select(.dest != null)'"
    )]
    Plan {
        #[command(flatten)]
        source: SourceArgs,
        /// Print a JSON array of {path, class, rule, dest, excluded}
        #[arg(long)]
        json: bool,
    },
    /// Build customer-security-package-<version>.zip and .tar.gz from a tagged commit
    #[command(
        after_help = "Examples:\n  secpack build --repo . --rev v1.2.3 --out dist/\n  secpack build --repo . --rev v1.2.3 --version 1.2.3 --out dist/ --json"
    )]
    Build {
        #[command(flatten)]
        source: SourceArgs,
        /// Output folder (created when missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Print what was written as JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct SourceArgs {
    /// The git repository holding secpack.toml
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// The release tag or commit to package (never the work tree)
    #[arg(long, value_name = "REV")]
    rev: String,
    /// Expected version; must match the commit's release tag (v1.2.3 or 1.2.3)
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,
}

impl SourceArgs {
    fn request(&self) -> PlanRequest<'_> {
        PlanRequest {
            repo: &self.repo,
            rev: &self.rev,
            version: self.version.as_deref(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            let kind = err
                .downcast_ref::<secpack_pipeline::Error>()
                .map(secpack_pipeline::Error::kind);
            ExitCode::from(match kind {
                Some(ErrorKind::Policy) => EXIT_FAILED,
                _ => EXIT_USAGE,
            })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plan { source, json } => plan(&source, json),
        Command::Build { source, out, json } => build(&source, &out, json),
    }
}

fn plan(args: &SourceArgs, json: bool) -> anyhow::Result<ExitCode> {
    let plan = secpack_pipeline::plan(&args.request())?;
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, &plan.decisions)?;
        writeln!(stdout)?;
    } else {
        writeln!(
            stdout,
            "{} {} (commit {})",
            plan.config.product.name, plan.version, plan.source.commit
        )?;
        for d in &plan.decisions {
            let target = match (&d.dest, &d.excluded) {
                (Some(dest), _) => format!("-> {dest}"),
                (None, Some(why)) => format!("(not shipped: {why})"),
                (None, None) => String::new(),
            };
            writeln!(
                stdout,
                "{:<13} {}  {}  [{}]",
                d.class.as_str(),
                d.path,
                target,
                d.rule
            )?;
        }
    }
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    for p in &plan.problems {
        eprintln!("error: {p}");
    }
    Ok(match plan.problem_kind() {
        None => ExitCode::SUCCESS,
        Some(ErrorKind::Policy) => ExitCode::from(EXIT_FAILED),
        Some(ErrorKind::Usage) => ExitCode::from(EXIT_USAGE),
    })
}

fn build(args: &SourceArgs, out: &std::path::Path, json: bool) -> anyhow::Result<ExitCode> {
    let plan = secpack_pipeline::plan(&args.request())?;
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    if !plan.is_buildable() {
        for p in &plan.problems {
            eprintln!("error: {p}");
        }
        eprintln!(
            "error: nothing was written: fix the {} problem(s) above",
            plan.problems.len()
        );
        return Ok(ExitCode::from(match plan.problem_kind() {
            Some(ErrorKind::Policy) => EXIT_FAILED,
            _ => EXIT_USAGE,
        }));
    }
    let output = secpack_pipeline::build(
        &plan,
        &secpack_pipeline::BuildRequest {
            out_dir: out.to_path_buf(),
        },
    )
    .with_context(|| format!("building {} from {}", plan.version, args.rev))?;
    let mut stdout = std::io::stdout().lock();
    if json {
        let archives: Vec<_> = output
            .archives
            .iter()
            .map(|a| {
                serde_json::json!({
                    "format": a.format.extension(),
                    "path": a.path,
                    "size": a.size,
                    "sha256": hex_string(&a.sha256),
                })
            })
            .collect();
        let report = serde_json::json!({
            "version": output.version,
            "commit": output.commit,
            "files": output.manifest.files.len() + 2,
            "archives": archives,
        });
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        for a in &output.archives {
            writeln!(stdout, "{}  {}", hex_string(&a.sha256), a.path.display())?;
        }
        eprintln!(
            "built {} {} from commit {} ({} files)",
            plan.config.product.name,
            output.version,
            output.commit,
            output.manifest.files.len() + 2
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
