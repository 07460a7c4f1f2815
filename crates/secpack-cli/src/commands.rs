//! One function per command: call the libraries, print the result, return the exit code.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use secpack_pipeline::ErrorKind;

use crate::args::{Cli, Command, QuestionnaireCommand, SbomCommand, SigningArgs, SourceArgs};
use crate::progress::{CliProgress, Mode, Spinner};
use crate::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, diagnostic, ui};

/// A usage error raised by the CLI itself (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Dispatch; `logs` says whether tracing logs are on (no progress bar then).
pub fn run(cli: Cli, logs: bool) -> anyhow::Result<u8> {
    let mode = Mode::detect(logs);
    match cli.command {
        Command::Plan { source, output } => plan(&source, output.json, mode),
        Command::Build {
            source,
            out,
            signing,
            output,
        } => build(&source, &out, output.json, &signing, mode),
        Command::Scan { source, output } => scan(&source, output.json, mode),
        Command::Verify {
            package,
            key,
            bundle,
            provenance,
            allow_unsigned,
            output,
        } => {
            let mut options = secpack_verify::VerifyOptions::new(&package);
            options.key = key.map(secpack_verify::KeySource::File);
            options.bundle = bundle;
            options.provenance = provenance;
            options.allow_unsigned = allow_unsigned;
            verify(&options, output.json, mode)
        }
        Command::Questionnaire(QuestionnaireCommand::Check { source, output }) => {
            questionnaire_check(&source, output.json, mode)
        }
        Command::Sbom(SbomCommand::Redact {
            input,
            output,
            rules,
            summary,
            output_json,
        }) => sbom_redact(
            &input,
            output.as_deref(),
            rules.as_deref(),
            summary,
            output_json.json,
        ),
        Command::Sbom(SbomCommand::Licenses { inputs }) => sbom_licenses(&inputs),
        Command::Keygen {
            out,
            name,
            encrypt,
            password_env,
            output,
        } => keygen(
            &out,
            &name,
            encrypt.then_some(password_env.as_str()),
            output.json,
        ),
        Command::Init {
            dir,
            product,
            vendor,
            dry_run,
            output,
        } => crate::init::run(
            &crate::init::InitOptions {
                dir,
                product,
                vendor,
                dry_run,
            },
            output.json,
        ),
        Command::Completions { shell } => {
            let mut cmd = crate::command();
            clap_complete::generate(shell, &mut cmd, "secpack", &mut std::io::stdout().lock());
            Ok(EXIT_OK)
        }
    }
}

/// Plan with a spinner on a terminal.
fn plan_with_spinner(args: &SourceArgs, mode: Mode) -> anyhow::Result<secpack_pipeline::Plan> {
    let spinner = Spinner::start(mode, format!("reading {} and planning", args.rev));
    let started = std::time::Instant::now();
    let plan = secpack_pipeline::plan(&args.request())?;
    drop(spinner);
    tracing::info!(
        commit = %plan.source.commit,
        version = %plan.version,
        files = plan.decisions.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "planned"
    );
    Ok(plan)
}

fn print_warnings(warnings: &[String]) {
    for w in warnings {
        ui::warning(w);
    }
}

fn exit_for(kind: Option<ErrorKind>) -> u8 {
    match kind {
        None => EXIT_OK,
        Some(ErrorKind::Policy) => EXIT_FAILED,
        Some(ErrorKind::Usage) => EXIT_USAGE,
    }
}

fn write_json(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)?;
    writeln!(stdout)?;
    Ok(())
}

fn plan(args: &SourceArgs, json: bool, mode: Mode) -> anyhow::Result<u8> {
    let plan = plan_with_spinner(args, mode)?;
    if json {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &plan.decisions)?;
        writeln!(stdout)?;
    } else {
        let mut stdout = anstream::stdout().lock();
        writeln!(
            stdout,
            "{} {} (commit {})",
            ui::styled(ui::BOLD, &plan.config.product.name),
            plan.version,
            plan.source.commit
        )?;
        for d in &plan.decisions {
            let target = match (&d.dest, &d.excluded) {
                (Some(dest), _) => format!("-> {dest}"),
                (None, Some(why)) => ui::styled(ui::DIM, format_args!("(not shipped: {why})")),
                (None, None) => String::new(),
            };
            writeln!(
                stdout,
                "{} {}  {}  {}",
                ui::styled(
                    ui::class_style(d.class),
                    format_args!("{:<13}", d.class.as_str())
                ),
                d.path,
                target,
                ui::styled(ui::DIM, format_args!("[{}]", d.rule))
            )?;
        }
    }
    print_warnings(&plan.warnings);
    for p in &plan.problems {
        diagnostic::report_problem(p);
    }
    Ok(exit_for(plan.problem_kind()))
}

fn build(
    args: &SourceArgs,
    out: &Path,
    json: bool,
    signing: &SigningArgs,
    mode: Mode,
) -> anyhow::Result<u8> {
    let signing = load_signing(signing)?;
    let plan = plan_with_spinner(args, mode)?;
    print_warnings(&plan.warnings);
    if !plan.is_buildable() {
        for p in &plan.problems {
            diagnostic::report_problem(p);
        }
        ui::error(format_args!(
            "nothing was written: fix the {} problem(s) above",
            plan.problems.len()
        ));
        return Ok(match plan.problem_kind() {
            Some(ErrorKind::Policy) => EXIT_FAILED,
            _ => EXIT_USAGE,
        });
    }
    let request = secpack_pipeline::BuildRequest {
        out_dir: out.to_path_buf(),
        signing,
        env: secpack_pipeline::process_env,
        progress: CliProgress::leak(mode),
    };
    let output = secpack_pipeline::build(&plan, &request)
        .with_context(|| format!("building {} from {}", plan.version, args.rev))?;
    let files = output.manifest.files.len() + 2;
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
        write_json(&serde_json::json!({
            "version": output.version,
            "commit": output.commit,
            "files": files,
            "archives": archives,
            "signed": output.key_fingerprint.is_some(),
            "key_fingerprint": output.key_fingerprint,
            "sidecars": output.sidecars,
        }))?;
    } else {
        let mut stdout = std::io::stdout().lock();
        for a in &output.archives {
            writeln!(stdout, "{}  {}", hex_string(&a.sha256), a.path.display())?;
        }
        for p in &output.sidecars {
            writeln!(stdout, "{}", p.display())?;
        }
    }
    match &output.key_fingerprint {
        Some(fp) => ui::info(format_args!("signed with key {fp}")),
        None => {
            ui::warning("unsigned build (--unsigned): no signature and no provenance were written")
        }
    }
    ui::info(format_args!(
        "{} {} {} from commit {} ({files} files)",
        ui::styled(ui::GOOD, "built"),
        plan.config.product.name,
        output.version,
        output.commit,
    ));
    Ok(EXIT_OK)
}

/// The signing key of `build`, or the explicit `--unsigned`.
fn load_signing(args: &SigningArgs) -> anyhow::Result<secpack_pipeline::Signing> {
    match (&args.key, args.unsigned) {
        (None, false) => Err(UsageError(
            "no signing key: pass --key FILE (or set SECPACK_SIGNING_KEY), or --unsigned to build without a signature".into(),
        )
        .into()),
        (None, true) => Ok(secpack_pipeline::Signing::Unsigned),
        (Some(path), _) => {
            let pem = std::fs::read(path).map_err(|e| {
                UsageError(format!("reading the signing key {}: {e}", path.display()))
            })?;
            let password = std::env::var(&args.password_env).ok();
            let key = secpack_provenance::load_private_key(
                &pem,
                password.as_deref(),
                &path.display().to_string(),
            )
            .map_err(|e| UsageError(e.to_string()))?;
            Ok(secpack_pipeline::Signing::Key(key))
        }
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn keygen(out: &Path, name: &str, password_env: Option<&str>, json: bool) -> anyhow::Result<u8> {
    let password = match password_env {
        Some(var) => Some(std::env::var(var).map_err(|_| {
            UsageError(format!(
                "--encrypt needs the password in the environment variable {var}"
            ))
        })?),
        None => None,
    };
    let private = out.join(format!("{name}.key.pem"));
    let public = out.join(format!("{name}.pub.pem"));
    for p in [&private, &public] {
        if p.exists() {
            return Err(UsageError(format!(
                "{} already exists; secpack never overwrites a key (choose another --name or --out)",
                p.display()
            ))
            .into());
        }
    }
    let pair = secpack_provenance::generate_key_pair(password.as_deref())
        .map_err(|e| UsageError(e.to_string()))?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
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
    if json {
        write_json(&serde_json::json!({
            "private_key": private,
            "public_key": public,
            "encrypted": password.is_some(),
            "fingerprint": pair.fingerprint,
        }))?;
    } else {
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
    }
    ui::note(
        "publish the fingerprint where customers can compare it, and set `signing.fingerprint` in secpack.toml",
    );
    Ok(EXIT_OK)
}

fn scan(args: &SourceArgs, json: bool, mode: Mode) -> anyhow::Result<u8> {
    let plan = plan_with_spinner(args, mode)?;
    let spinner = Spinner::start(mode, "scanning every file that would ship".into());
    let outcome = secpack_pipeline::scan(&plan, secpack_pipeline::process_env);
    drop(spinner);
    match outcome {
        Ok(o) => {
            print_warnings(&o.warnings);
            if json {
                write_json(
                    &serde_json::json!({"passed": true, "files": o.files, "findings": [], "accepted": o.accepted}),
                )?;
            } else {
                anstream::println!(
                    "leak gate: {} files scanned, {}, {} accepted by exceptions",
                    o.files,
                    ui::styled(ui::GOOD, "no blocking finding"),
                    o.accepted.len()
                );
            }
            Ok(EXIT_OK)
        }
        Err(secpack_pipeline::Error::Leak { findings }) if json => {
            write_json(&serde_json::json!({"passed": false, "findings": findings}))?;
            Ok(EXIT_FAILED)
        }
        Err(e) => Err(e.into()),
    }
}

fn questionnaire_check(args: &SourceArgs, json: bool, mode: Mode) -> anyhow::Result<u8> {
    let plan = plan_with_spinner(args, mode)?;
    if plan.config.questionnaires.is_none() {
        return Err(UsageError(
            "secpack.toml has no [questionnaires] table; add one (see docs/questionnaires.md)"
                .into(),
        )
        .into());
    }
    let passed = plan.questionnaire_problems.is_empty();
    if json {
        write_json(&serde_json::json!({
            "passed": passed,
            "documents": plan.rendered.len(),
            "warnings": plan.questionnaire_warnings,
            "problems": plan.questionnaire_problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))?;
    } else {
        print_warnings(&plan.questionnaire_warnings);
        for p in &plan.questionnaire_problems {
            ui::error(p);
        }
        if passed {
            println!(
                "questionnaires: {} documents render, {} warning(s)",
                plan.rendered.len(),
                plan.questionnaire_warnings.len()
            );
        }
    }
    Ok(if passed { EXIT_OK } else { EXIT_USAGE })
}

fn sbom_redact(
    input: &Path,
    output: Option<&Path>,
    rules: Option<&Path>,
    summary: bool,
    json: bool,
) -> anyhow::Result<u8> {
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
                .unwrap_or(Path::new("."));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| UsageError(format!("{} is not a file path", path.display())))?;
            secpack_archive::write_atomic(dir, &name, &redacted.bytes)?;
        }
        None => std::io::stdout().lock().write_all(&redacted.bytes)?,
    }
    if json {
        write_json(&serde_json::to_value(&redacted.summary)?)?;
    } else if summary {
        eprintln!("{}", serde_json::to_string_pretty(&redacted.summary)?);
    } else {
        ui::info(format_args!(
            "redacted {} ({}): {} removed, {} changed",
            input.display(),
            redacted.format,
            redacted.summary.removed.values().sum::<u64>(),
            redacted.summary.changed.values().sum::<u64>()
        ));
    }
    Ok(EXIT_OK)
}

fn sbom_licenses(inputs: &[PathBuf]) -> anyhow::Result<u8> {
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
    Ok(EXIT_OK)
}

fn verify(options: &secpack_verify::VerifyOptions, json: bool, mode: Mode) -> anyhow::Result<u8> {
    let spinner = Spinner::start(mode, format!("verifying {}", options.archive.display()));
    let report = secpack_verify::verify(options).map_err(|e| UsageError(e.to_string()))?;
    drop(spinner);
    if json {
        write!(std::io::stdout().lock(), "{}", report.to_json())?;
    } else {
        write!(
            anstream::stdout().lock(),
            "{}",
            colour_report(&report.to_string())
        )?;
    }
    Ok(report.exit_code())
}

/// The verification report with its status words styled (stripped again when colour is off).
fn colour_report(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let styled = [
            ("PASS  ", ui::GOOD),
            ("FAIL  ", ui::ERROR),
            ("SKIP  ", ui::WARNING),
            ("result: PASSED", ui::GOOD),
            ("result: FAILED", ui::ERROR),
        ]
        .into_iter()
        .find_map(|(word, style)| {
            line.strip_prefix(word)
                .map(|rest| format!("{}{rest}", ui::styled(style, word)))
        });
        out.push_str(styled.as_deref().unwrap_or(line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_status_words_are_styled_and_strip_back_to_the_report() {
        let report = "package: x\n\nPASS  digests  ok\nFAIL  signature  bad\nSKIP  provenance  no key\n\nresult: FAILED (1 check)\n";
        let styled = colour_report(report);
        // Four status words, each styled and reset.
        assert_eq!(styled.matches("\u{1b}[0m").count(), 4, "{styled:?}");
        assert_eq!(anstream::adapter::strip_str(&styled).to_string(), report);
    }
}
