//! The command line: every subcommand, flag and help text (clap derive).
//!
//! Conventions shared by every command: `--json` prints the command's result as JSON on
//! standard output (nothing else goes to standard output then); `-q`, `-v` and `--color` are
//! global; examples are shown by `--help`.

// The doc comments below are `--help` text (`[questionnaires]`, `<version>`), not rustdoc.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{ArgAction, Args, CommandFactory as _, Parser, Subcommand, ValueEnum};
use secpack_pipeline::PlanRequest;

use crate::EXIT_CODES_HELP;

/// `secpack --version`: the crate version and the git commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SECPACK_GIT_COMMIT"),
    ")"
);

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "secpack",
    version = VERSION,
    about = "Build, sign and verify Customer Security Packages from a git release tag",
    long_about = "Build, sign and verify Customer Security Packages from a git release tag.\n\n\
                  secpack reads one commit of an evidence repository (never the work tree), \
                  classifies every file with the rules of its secpack.toml, and writes a \
                  deterministic zip and tar.gz with checksums, a traceability index, a \
                  signature and SLSA provenance. Customers check a package with `secpack verify` \
                  or standard tools.",
    after_help = EXIT_CODES_HELP,
    after_long_help = concat!(
        "Examples:\n",
        "  secpack init                                   # scaffold secpack.toml in this repository\n",
        "  secpack plan --rev v1.2.3                      # what would ship, and why\n",
        "  secpack build --rev v1.2.3 --key signing.key.pem --out dist/\n",
        "  secpack verify dist/customer-security-package-v1.2.3.zip --key vendor.pub.pem\n\n",
        "Exit codes: 0 success, 1 a check or policy failed, 2 usage or configuration error.\n",
        "Logs: RUST_LOG=debug (or -v, -vv). Colour: only on a terminal, never with NO_COLOR.\n",
        "Documentation: docs/cli.md, docs/config.md, docs/verifying.md, docs/ci.md"
    ),
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether the command prints JSON (its standard output is then JSON only).
    pub fn json(&self) -> bool {
        match &self.command {
            Command::Plan { output, .. }
            | Command::Build { output, .. }
            | Command::Verify { output, .. }
            | Command::Scan { output, .. }
            | Command::Keygen { output, .. }
            | Command::Init { output, .. }
            | Command::Questionnaire(QuestionnaireCommand::Check { output, .. }) => output.json,
            Command::Sbom(SbomCommand::Redact { output_json, .. }) => output_json.json,
            Command::Sbom(SbomCommand::Licenses { .. }) | Command::Completions { .. } => false,
        }
    }
}

/// The clap command of `secpack` (for completions, the man page and tests).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only results, warnings and errors: no progress, no notes
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More on standard error: -v step timings and info logs, -vv debug logs (RUST_LOG overrides)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// When to colour output: auto (a terminal, and NO_COLOR unset), always, never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when the stream is a terminal and NO_COLOR is not set
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

/// `--json`, on every command that reports.
#[derive(Debug, Clone, Copy, Args)]
pub struct JsonArg {
    /// Print the result as JSON on standard output (schemas in docs/cli.md)
    #[arg(long)]
    pub json: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show every file of the commit with its class, the deciding rule and its destination
    #[command(after_help = "Examples:\n  \
        secpack plan --rev v1.2.3\n  \
        secpack plan --repo ../evidence --rev HEAD --json | jq '.[] | select(.dest != null)'\n\n\
        Exits 1 when policy stops the package (an internal file mapped into it), 2 for a configuration problem.")]
    Plan {
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        output: JsonArg,
    },
    /// Build customer-security-package-<version>.zip and .tar.gz from a tagged commit
    #[command(after_help = "Examples:\n  \
        secpack build --rev v1.2.3 --key keys/signing.key.pem --out dist/\n  \
        SECPACK_SIGNING_KEY=keys/signing.key.pem secpack build --rev \"$GITHUB_REF_NAME\" --out dist/ --json\n  \
        secpack build --rev v1.2.3 --unsigned --out dist/\n\n\
        Progress goes to standard error: a progress bar on a terminal, plain lines otherwise, nothing with -q.\n\
        Nothing is written at the final paths unless every check passes.")]
    Build {
        #[command(flatten)]
        source: SourceArgs,
        /// Output folder (created when missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        signing: SigningArgs,
        #[command(flatten)]
        output: JsonArg,
    },
    /// Verify a package offline: archive safety, layout, checksums, signature, provenance, manifest
    #[command(after_help = "Examples:\n  \
        secpack verify customer-security-package-v1.2.3.zip --key vendor.pub.pem\n  \
        secpack verify customer-security-package-v1.2.3.tar.gz --key vendor.pub.pem --json\n  \
        secpack verify package.zip --allow-unsigned\n\n\
        The signature bundle (<archive>.sigstore.json) and the provenance (customer-security-package-<version>.intoto.jsonl)\n\
        are found next to the archive when not given. Exit 0 only when every required check passes.")]
    Verify {
        /// The package archive (.zip or .tar.gz)
        package: PathBuf,
        /// The vendor's public key (PEM)
        #[arg(long, value_name = "FILE", conflicts_with = "allow_unsigned")]
        key: Option<PathBuf>,
        /// Signature bundle (default: <archive>.sigstore.json next to it)
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// Provenance (default: customer-security-package-<version>.intoto.jsonl next to it)
        #[arg(long, value_name = "FILE")]
        provenance: Option<PathBuf>,
        /// Accept a package without a signature (the signature check is skipped, not passed)
        #[arg(long)]
        allow_unsigned: bool,
        #[command(flatten)]
        output: JsonArg,
    },
    /// Run the leak gate alone on everything a build would ship (for pre-merge CI)
    #[command(after_help = "Examples:\n  \
        secpack scan --rev HEAD\n  \
        secpack scan --rev origin/main --json\n\n\
        Exits 1 when a finding blocks the package; secrets are never printed, only masked previews and fingerprints.")]
    Scan {
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        output: JsonArg,
    },
    /// Questionnaire tools
    #[command(subcommand)]
    Questionnaire(QuestionnaireCommand),
    /// SBOM tools: redaction and license aggregation of one file
    #[command(subcommand)]
    Sbom(SbomCommand),
    /// Generate an ECDSA P-256 signing key pair (PKCS#8 PEM)
    #[command(after_help = "Examples:\n  \
        secpack keygen --out keys/\n  \
        SECPACK_KEY_PASSWORD=… secpack keygen --out keys/ --encrypt\n\n\
        The private key is written with mode 0600 and never printed. Existing files are never overwritten.")]
    Keygen {
        /// Folder for <name>.key.pem and <name>.pub.pem (created when missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Base name of the two files
        #[arg(long, default_value = "signing")]
        name: String,
        /// Encrypt the private key with the password in the environment variable named by --password-env
        #[arg(long)]
        encrypt: bool,
        /// Environment variable holding the password
        #[arg(long, value_name = "VAR", default_value = "SECPACK_KEY_PASSWORD")]
        password_env: String,
        #[command(flatten)]
        output: JsonArg,
    },
    /// Scaffold secpack.toml and the missing source files of the package layout in a repository
    #[command(after_help = "Examples:\n  \
        secpack init\n  \
        secpack init ../evidence --product Summit --vendor \"Example Summit Inc.\"\n\n\
        Detects SBOMs (*.cdx.json, *.spdx.json, bom.json), provenance (*.intoto.jsonl) and policy documents\n\
        (SECURITY.md, ...) already in the work tree, writes stubs for the rest, and never overwrites a file.\n\
        Then: fill in the TODOs, commit, tag a release (git tag v0.1.0) and run `secpack plan --rev v0.1.0`.")]
    Init {
        /// The repository root (its work tree)
        #[arg(value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Product name for [product] (default: the folder's name)
        #[arg(long, value_name = "NAME")]
        product: Option<String>,
        /// Company name for [product]
        #[arg(long, value_name = "NAME")]
        vendor: Option<String>,
        /// Show what would be created without writing anything
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        output: JsonArg,
    },
    /// Print a shell completion script
    #[command(after_help = "Examples:\n  \
        secpack completions bash > ~/.local/share/bash-completion/completions/secpack\n  \
        secpack completions zsh > ~/.zfunc/_secpack\n  \
        secpack completions fish > ~/.config/fish/completions/secpack.fish")]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `secpack questionnaire …`.
#[derive(Debug, Subcommand)]
pub enum QuestionnaireCommand {
    /// Validate [questionnaires] (banks, answers, controls, evidence) without building
    #[command(after_help = "Examples:\n  \
        secpack questionnaire check --rev HEAD\n  \
        secpack questionnaire check --rev HEAD --json\n\n\
        Exits 2 when a bank, answer or control is invalid or its evidence does not ship.")]
    Check {
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        output: JsonArg,
    },
}

/// `secpack sbom …`.
#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Redact one SBOM (CycloneDX JSON 1.4-1.7, SPDX JSON 2.2/2.3)
    #[command(after_help = "Examples:\n  \
        secpack sbom redact bom.cdx.json -o bom.redacted.cdx.json\n  \
        secpack sbom redact bom.spdx.json --rules rules.toml > out.json\n  \
        secpack sbom redact bom.cdx.json -o out.cdx.json --json   # the summary as JSON on standard output\n\n\
        Without --rules the default profile removes credentials in URLs, file paths and internal-flagged properties, nothing else.")]
    Redact {
        /// The SBOM to redact
        input: PathBuf,
        /// Output file (default: standard output)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Redaction rules (TOML, the keys of [sbom_redact]; see docs/sbom.md)
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Print the redaction summary as JSON on standard error
        #[arg(long, conflicts_with = "json")]
        summary: bool,
        #[command(flatten)]
        output_json: JsonArgNeedsOutput,
    },
    /// Print the third-party license list aggregated from SBOMs
    #[command(
        after_help = "Example:\n  secpack sbom licenses bom.cdx.json bom.spdx.json > third-party-licenses.txt"
    )]
    Licenses {
        /// One or more SBOMs
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

/// `--json` of `sbom redact`, which needs `--output`.
#[derive(Debug, Clone, Copy, Args)]
pub struct JsonArgNeedsOutput {
    /// Print the redaction summary as JSON on standard output (needs --output)
    #[arg(long, requires = "output")]
    pub json: bool,
}

/// How to sign a build.
#[derive(Debug, Args)]
pub struct SigningArgs {
    /// Private key to sign with (PKCS#8 PEM, encrypted PKCS#8, or a cosign key file)
    #[arg(
        long,
        value_name = "FILE",
        env = "SECPACK_SIGNING_KEY",
        conflicts_with = "unsigned"
    )]
    pub key: Option<PathBuf>,
    /// Environment variable holding the key's password, when it is encrypted
    #[arg(long, value_name = "VAR", default_value = "SECPACK_KEY_PASSWORD")]
    pub password_env: String,
    /// Build without signature and provenance (must be asked for explicitly)
    #[arg(long)]
    pub unsigned: bool,
}

/// Which commit of which repository.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The git repository holding secpack.toml
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// The release tag or commit to package (never the work tree)
    #[arg(long, value_name = "REV")]
    pub rev: String,
    /// Expected version; must match the commit's release tag (v1.2.3 or 1.2.3)
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
}

impl SourceArgs {
    /// The pipeline's request for this source.
    pub fn request(&self) -> PlanRequest<'_> {
        PlanRequest {
            repo: &self.repo,
            rev: &self.rev,
            version: self.version.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_command_has_examples_in_its_help() {
        fn walk(cmd: &clap::Command, path: &str) {
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                if sub.has_subcommands() {
                    walk(sub, &path);
                    continue;
                }
                let help = sub
                    .get_after_help()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                assert!(help.starts_with("Example"), "{path}: no examples");
                assert!(help.contains(&path), "{path}: the examples do not use it");
            }
        }
        walk(&command(), "secpack");
    }
}
