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
        #[command(flatten)]
        signing: SigningArgs,
    },
    /// Verify a package offline: archive safety, layout, checksums, signature, provenance, manifest
    #[command(
        after_help = "Examples:\n  secpack verify customer-security-package-v1.2.3.zip --key vendor.pub.pem\n  secpack verify customer-security-package-v1.2.3.tar.gz --key vendor.pub.pem --json\n  secpack verify package.zip --allow-unsigned\n\n\
                      The signature bundle (<archive>.sigstore.json) and the provenance (customer-security-package-<version>.intoto.jsonl)\n\
                      are found next to the archive when not given. Exit 0 only when every required check passes."
    )]
    Verify {
        /// The package archive (.zip or .tar.gz)
        package: PathBuf,
        /// The vendor's public key (PEM)
        #[arg(long, value_name = "FILE")]
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
        /// Print the report as JSON (schema in docs/verifying.md)
        #[arg(long)]
        json: bool,
    },
    /// Run the leak gate alone on everything a build would ship (for pre-merge CI)
    #[command(
        after_help = "Examples:\n  secpack scan --repo . --rev HEAD\n  secpack scan --repo . --rev origin/main --json\n\n\
                      Exits 1 when a finding blocks the package; secrets are never printed, only masked previews and fingerprints."
    )]
    Scan {
        #[command(flatten)]
        source: SourceArgs,
        /// Print the outcome as JSON
        #[arg(long)]
        json: bool,
    },
    /// Questionnaire tools
    #[command(subcommand)]
    Questionnaire(QuestionnaireCommand),
    /// SBOM tools: redaction and license aggregation of one file
    #[command(subcommand)]
    Sbom(SbomCommand),
    /// Generate an ECDSA P-256 signing key pair (PKCS#8 PEM)
    #[command(
        after_help = "Examples:\n  secpack keygen --out keys/\n  SECPACK_KEY_PASSWORD=… secpack keygen --out keys/ --encrypt\n\n\
                      The private key is written with mode 0600 and never printed. Existing files are never overwritten."
    )]
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
    },
}

#[derive(Debug, Subcommand)]
enum QuestionnaireCommand {
    /// Validate [questionnaires] (banks, answers, controls, evidence) without building
    #[command(after_help = "Example:\n  secpack questionnaire check --repo . --rev HEAD")]
    Check {
        #[command(flatten)]
        source: SourceArgs,
    },
}

#[derive(Debug, Subcommand)]
enum SbomCommand {
    /// Redact one SBOM (CycloneDX JSON 1.4-1.7, SPDX JSON 2.2/2.3)
    #[command(
        after_help = "Examples:\n  secpack sbom redact bom.cdx.json -o bom.redacted.cdx.json\n  secpack sbom redact bom.spdx.json --rules rules.toml > out.json\n\n\
                      Without --rules the default profile removes credentials in URLs, file paths and internal-flagged properties, nothing else."
    )]
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
        #[arg(long)]
        summary: bool,
    },
    /// Print the third-party license list aggregated from SBOMs
    #[command(
        after_help = "Example:\n  secpack sbom licenses bom.cdx.json > third-party-licenses.txt"
    )]
    Licenses {
        /// One or more SBOMs
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct SigningArgs {
    /// Private key to sign with (PKCS#8 PEM, encrypted PKCS#8, or a cosign key file)
    #[arg(
        long,
        value_name = "FILE",
        env = "SECPACK_SIGNING_KEY",
        conflicts_with = "unsigned"
    )]
    key: Option<PathBuf>,
    /// Environment variable holding the key's password, when it is encrypted
    #[arg(long, value_name = "VAR", default_value = "SECPACK_KEY_PASSWORD")]
    password_env: String,
    /// Build without signature and provenance (must be asked for explicitly)
    #[arg(long)]
    unsigned: bool,
}

impl SigningArgs {
    fn load(&self) -> anyhow::Result<secpack_pipeline::Signing> {
        match (&self.key, self.unsigned) {
            (None, false) => Err(UsageError(
                "no signing key: pass --key FILE (or set SECPACK_SIGNING_KEY), or --unsigned to build without a signature".into(),
            )
            .into()),
            (None, true) => Ok(secpack_pipeline::Signing::Unsigned),
            (Some(path), _) => {
                let pem = std::fs::read(path).map_err(|e| UsageError(format!("reading the signing key {}: {e}", path.display())))?;
                let password = std::env::var(&self.password_env).ok();
                let key = secpack_provenance::load_private_key(&pem, password.as_deref(), &path.display().to_string())
                    .map_err(|e| UsageError(e.to_string()))?;
                Ok(secpack_pipeline::Signing::Key(key))
            }
        }
    }
}

/// A usage error raised by the CLI itself (exit code 2).
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

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
        Command::Build {
            source,
            out,
            json,
            signing,
        } => build(&source, &out, json, &signing),
        Command::Scan { source, json } => scan(&source, json),
        Command::Verify {
            package,
            key,
            bundle,
            provenance,
            allow_unsigned,
            json,
        } => {
            let mut options = secpack_verify::VerifyOptions::new(&package);
            options.key = key.map(secpack_verify::KeySource::File);
            options.bundle = bundle;
            options.provenance = provenance;
            options.allow_unsigned = allow_unsigned;
            verify(&options, json)
        }
        Command::Questionnaire(QuestionnaireCommand::Check { source }) => {
            questionnaire_check(&source)
        }
        Command::Sbom(SbomCommand::Redact {
            input,
            output,
            rules,
            summary,
        }) => sbom_redact(&input, output.as_deref(), rules.as_deref(), summary),
        Command::Sbom(SbomCommand::Licenses { inputs }) => sbom_licenses(&inputs),
        Command::Keygen {
            out,
            name,
            encrypt,
            password_env,
        } => keygen(&out, &name, encrypt.then_some(password_env.as_str())),
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

fn build(
    args: &SourceArgs,
    out: &std::path::Path,
    json: bool,
    signing: &SigningArgs,
) -> anyhow::Result<ExitCode> {
    let signing = signing.load()?;
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
    let request = secpack_pipeline::BuildRequest {
        out_dir: out.to_path_buf(),
        signing,
        env: secpack_pipeline::process_env,
        progress: &secpack_pipeline::NoProgress,
    };
    let output = secpack_pipeline::build(&plan, &request)
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
            "signed": output.key_fingerprint.is_some(),
            "key_fingerprint": output.key_fingerprint,
            "sidecars": output.sidecars,
        });
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        for a in &output.archives {
            writeln!(stdout, "{}  {}", hex_string(&a.sha256), a.path.display())?;
        }
        for p in &output.sidecars {
            writeln!(stdout, "{}", p.display())?;
        }
        match &output.key_fingerprint {
            Some(fp) => eprintln!("signed with key {fp}"),
            None => eprintln!(
                "warning: unsigned build (--unsigned): no signature and no provenance were written"
            ),
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

fn keygen(
    out: &std::path::Path,
    name: &str,
    password_env: Option<&str>,
) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let password = match password_env {
        Some(var) => Some(std::env::var(var).map_err(|_| {
            UsageError(format!(
                "--encrypt needs the password in the environment variable {var}"
            ))
        })?),
        None => None,
    };
    let pair = secpack_provenance::generate_key_pair(password.as_deref())
        .map_err(|e| UsageError(e.to_string()))?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let private = out.join(format!("{name}.key.pem"));
    let public = out.join(format!("{name}.pub.pem"));
    for p in [&private, &public] {
        if p.exists() {
            return Err(UsageError(format!("{} already exists; secpack never overwrites a key (choose another --name or --out)", p.display())).into());
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(&private)
        .with_context(|| format!("creating {}", private.display()))?;
    file.write_all(pair.private_pem.as_bytes())?;
    file.sync_all()?;
    std::fs::write(&public, pair.public_pem.as_bytes())
        .with_context(|| format!("writing {}", public.display()))?;
    println!(
        "private key: {} (mode 0600{})",
        private.display(),
        if password.is_some() {
            ", encrypted"
        } else {
            ""
        }
    );
    println!("public key:  {}", public.display());
    println!("fingerprint: {}", pair.fingerprint);
    eprintln!(
        "publish the fingerprint where customers can compare it, and set `signing.fingerprint` in secpack.toml"
    );
    Ok(ExitCode::SUCCESS)
}

fn scan(args: &SourceArgs, json: bool) -> anyhow::Result<ExitCode> {
    let plan = secpack_pipeline::plan(&args.request())?;
    let outcome = secpack_pipeline::scan(&plan, secpack_pipeline::process_env);
    let mut stdout = std::io::stdout().lock();
    match outcome {
        Ok(o) => {
            for w in &o.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                let report = serde_json::json!({"passed": true, "files": o.files, "findings": [], "accepted": o.accepted});
                serde_json::to_writer_pretty(&mut stdout, &report)?;
                writeln!(stdout)?;
            } else {
                writeln!(
                    stdout,
                    "leak gate: {} files scanned, no blocking finding, {} accepted by exceptions",
                    o.files,
                    o.accepted.len()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(secpack_pipeline::Error::Leak { findings }) if json => {
            let report = serde_json::json!({"passed": false, "findings": findings});
            serde_json::to_writer_pretty(&mut stdout, &report)?;
            writeln!(stdout)?;
            Ok(ExitCode::from(EXIT_FAILED))
        }
        Err(e) => Err(e.into()),
    }
}

fn questionnaire_check(args: &SourceArgs) -> anyhow::Result<ExitCode> {
    let plan = secpack_pipeline::plan(&args.request())?;
    if plan.config.questionnaires.is_none() {
        return Err(UsageError(
            "secpack.toml has no [questionnaires] table; see docs/questionnaires.md".into(),
        )
        .into());
    }
    for w in &plan.questionnaire_warnings {
        eprintln!("warning: {w}");
    }
    for p in &plan.questionnaire_problems {
        eprintln!("error: {p}");
    }
    if plan.questionnaire_problems.is_empty() {
        println!(
            "questionnaires: {} documents render, {} warning(s)",
            plan.rendered.len(),
            plan.questionnaire_warnings.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(EXIT_USAGE))
    }
}

fn sbom_redact(
    input: &std::path::Path,
    output: Option<&std::path::Path>,
    rules: Option<&std::path::Path>,
    summary: bool,
) -> anyhow::Result<ExitCode> {
    let data = std::fs::read(input)
        .map_err(|e| UsageError(format!("reading {}: {e}", input.display())))?;
    let rules = match rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| UsageError(format!("reading {}: {e}", path.display())))?;
            secpack_sbom::Rules::from_toml(&text, &path.display().to_string())
                .map_err(|e| UsageError(e.to_string()))?
        }
        None => secpack_sbom::Rules::default(),
    };
    let key = std::env::var("SECPACK_SBOM_PSEUDONYM_KEY").ok();
    let redacted = secpack_sbom::redact(&data, &rules, key.as_deref().map(str::as_bytes))
        .map_err(|e| UsageError(format!("{}: {e}", input.display())))?;
    match output {
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| UsageError(format!("{} is not a file path", path.display())))?;
            secpack_archive::write_atomic(dir, &name, &redacted.bytes)?;
        }
        None => std::io::stdout().lock().write_all(&redacted.bytes)?,
    }
    if summary {
        eprintln!("{}", serde_json::to_string_pretty(&redacted.summary)?);
    } else {
        eprintln!(
            "redacted {} ({}): {} removed, {} changed",
            input.display(),
            redacted.format,
            redacted.summary.removed.values().sum::<u64>(),
            redacted.summary.changed.values().sum::<u64>()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn sbom_licenses(inputs: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut data = Vec::new();
    for input in inputs {
        data.push(
            std::fs::read(input)
                .map_err(|e| UsageError(format!("reading {}: {e}", input.display())))?,
        );
    }
    let refs: Vec<&[u8]> = data.iter().map(Vec::as_slice).collect();
    let text = secpack_sbom::licenses(&refs).map_err(|e| UsageError(e.to_string()))?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn verify(options: &secpack_verify::VerifyOptions, json: bool) -> anyhow::Result<ExitCode> {
    let report = secpack_verify::verify(options).map_err(|e| UsageError(e.to_string()))?;
    let mut stdout = std::io::stdout().lock();
    if json {
        writeln!(stdout, "{}", report.to_json())?;
    } else {
        write!(stdout, "{report}")?;
    }
    Ok(ExitCode::from(report.exit_code()))
}
