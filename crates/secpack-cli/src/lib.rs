//! The `secpack` command line: arguments, commands and how their results are shown.
//!
//! The `secpack` binary is `main() { secpack_cli::main() }`; this library exists so that the
//! command line can be tested in-process and so that `cargo xtask man` can render the man page
//! from [`command`]. It holds no packaging behaviour: planning, building and verifying live in
//! `secpack-pipeline` and `secpack-verify`, and this crate only parses arguments, calls them,
//! prints, and maps outcomes to the exit codes of [`EXIT_CODES`].
//!
//! It never writes colour or progress-bar escape codes to a stream that is not a terminal,
//! never writes colour when `NO_COLOR` is set (unless `--color always`), never prints a secret
//! or a private key, and never writes anything but JSON to standard output under `--json`.
//!
//! ```
//! use clap::Parser as _;
//!
//! let cli = secpack_cli::Cli::try_parse_from(["secpack", "plan", "--rev", "v1.2.3", "--json"])?;
//! assert!(cli.json());
//!
//! // Usage errors carry the documented exit code and a suggestion.
//! let err = secpack_cli::command().try_get_matches_from(["secpack", "biuld"]).unwrap_err();
//! assert_eq!(err.exit_code(), i32::from(secpack_cli::EXIT_USAGE));
//! assert!(err.to_string().contains("similar subcommand exists: 'build'"));
//! # Ok::<(), clap::Error>(())
//! ```

use std::process::ExitCode;

use clap::Parser as _;

pub mod args;
mod commands;
mod diagnostic;
mod init;
mod progress;
mod ui;

pub use args::{Cli, command};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: a check or policy failed (an internal file mapped into the package, a leak, a
/// bad signature, a failed verification).
pub const EXIT_FAILED: u8 = 1;
/// Exit code: usage or configuration error (bad arguments, not a repository, no release tag,
/// an invalid `secpack.toml`, a missing file).
pub const EXIT_USAGE: u8 = 2;

/// Every exit code with its meaning: the table of `docs/cli.md` and of `secpack --help`.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (
        EXIT_OK,
        "success: the command did what it was asked and every check passed",
    ),
    (
        EXIT_FAILED,
        "a check or policy failed: an internal file mapped into the package, a leak-gate finding, a bad signature or provenance, a package that fails verification",
    ),
    (
        EXIT_USAGE,
        "usage or configuration error: unknown command or flag, conflicting flags, not a git repository, no release tag, an invalid secpack.toml, a missing file or key",
    ),
];

/// `--help` text of [`EXIT_CODES`].
pub(crate) const EXIT_CODES_HELP: &str =
    "Exit codes: 0 success, 1 a check or policy failed, 2 usage or configuration error.";

/// The whole program: parse the arguments (clap exits 2 on a usage error, 0 for `--help` and
/// `--version`), set up output and logs, run the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli)
}

/// Run a parsed command line and return its exit code; errors are printed on standard error.
pub fn run(cli: Cli) -> ExitCode {
    ui::init(&cli.global);
    let logs = init_logging(cli.global.verbose);
    match commands::run(cli, logs) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            diagnostic::report(&err);
            ExitCode::from(exit_code_of(&err))
        }
    }
}

/// The exit code of an error: a failed check or policy is 1, everything else 2.
fn exit_code_of(err: &anyhow::Error) -> u8 {
    match err
        .downcast_ref::<secpack_pipeline::Error>()
        .map(secpack_pipeline::Error::kind)
    {
        Some(secpack_pipeline::ErrorKind::Policy) => EXIT_FAILED,
        _ => EXIT_USAGE,
    }
}

/// `tracing` logs on standard error: `RUST_LOG` when set, else `-v` (info) or `-vv` (debug).
/// Returns whether any log is enabled (a progress bar would be torn by log lines).
fn init_logging(verbose: u8) -> bool {
    use tracing_subscriber::EnvFilter;
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let (filter, enabled) = match from_env {
        Some(directives) => match EnvFilter::try_new(&directives) {
            Ok(filter) => (filter, true),
            Err(e) => {
                ui::warning(format_args!(
                    "RUST_LOG=`{directives}` is not a valid filter ({e}); logs are off (example: RUST_LOG=secpack_cli=debug)"
                ));
                (EnvFilter::new("off"), false)
            }
        },
        None => match verbose {
            0 => (EnvFilter::new("off"), false),
            1 => (EnvFilter::new("secpack_cli=info"), true),
            _ => (EnvFilter::new("debug"), true),
        },
    };
    // Fails only when a subscriber is already installed (never in the binary).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
    enabled
}
