//! The command line as people meet it: help, version, exit codes, bad input, JSON, colour,
//! progress on a terminal and in pipes, logs, completions, config errors, the schema.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::*;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn read_doc(rel: &str) -> String {
    std::fs::read_to_string(secpack_testkit::workspace_root().join(rel)).unwrap()
}

/// Whether `text` contains an SGR (colour/style) escape sequence.
fn has_sgr(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = bytes[i..].windows(2).position(|w| w == b"\x1b[") {
        let mut j = i + pos + 2;
        while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b';') {
            j += 1;
        }
        if bytes.get(j) == Some(&b'm') {
            return true;
        }
        i = j;
    }
    false
}

/// `args` fail with exit code 2 and a message holding every needle.
fn check_usage_error(args: &[&str], needles: &[&str]) {
    let o = secpack(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected `{n}` in:\n{err}");
    }
}

#[test]
fn bad_input_is_a_usage_error_with_a_suggestion() {
    check_usage_error(
        &["biuld"],
        &[
            "unrecognized subcommand 'biuld'",
            "similar subcommand exists: 'build'",
        ],
    );
    check_usage_error(
        &["plan", "--revv", "v1"],
        &[
            "unexpected argument '--revv'",
            "similar argument exists: '--rev'",
        ],
    );
    check_usage_error(&["plan"], &["--rev <REV>"]);
    check_usage_error(
        &["-q", "-v", "plan", "--rev", "v1"],
        &["'--quiet' cannot be used with '--verbose"],
    );
    check_usage_error(
        &[
            "build",
            "--rev",
            "v1",
            "--out",
            "d",
            "--key",
            "k.pem",
            "--unsigned",
        ],
        &["'--key <FILE>' cannot be used with '--unsigned'"],
    );
    check_usage_error(
        &["verify", "p.zip", "--key", "k.pem", "--allow-unsigned"],
        &["cannot be used with '--allow-unsigned'"],
    );
    check_usage_error(
        &["sbom", "redact", "bom.json", "--json"],
        &["required arguments were not provided", "--output <FILE>"],
    );
    check_usage_error(
        &[
            "sbom",
            "redact",
            "bom.json",
            "-o",
            "x.json",
            "--json",
            "--summary",
        ],
        &["cannot be used with"],
    );
    check_usage_error(
        &["completions", "tcsh"],
        &[
            "invalid value 'tcsh'",
            "possible values: bash, elvish, fish, powershell, zsh",
        ],
    );
    check_usage_error(
        &["plan", "--rev", "v1", "--color", "sometimes"],
        &[
            "invalid value 'sometimes'",
            "possible values: auto, always, never",
        ],
    );
    // No command at all: the help, on stderr, exit 2.
    check_usage_error(&[], &["Usage: secpack [OPTIONS] <COMMAND>"]);
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let o = secpack(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for n in [
        "Examples:",
        "secpack init",
        "Exit codes: 0 success, 1",
        "NO_COLOR",
        "RUST_LOG",
    ] {
        assert!(help.contains(n), "`{n}` in:\n{help}");
    }
    for cmd in [
        &["plan", "--help"][..],
        &["build", "--help"],
        &["verify", "--help"],
        &["scan", "--help"],
        &["keygen", "--help"],
        &["init", "--help"],
        &["completions", "--help"],
        &["questionnaire", "check", "--help"],
        &["sbom", "redact", "--help"],
        &["sbom", "licenses", "--help"],
    ] {
        let o = secpack(cmd);
        assert_eq!(o.status.code(), Some(0), "{cmd:?}");
        let help = stdout(&o);
        assert!(help.contains("Example"), "{cmd:?}:\n{help}");
        let name = cmd[..cmd.len() - 1].join(" ");
        assert!(
            help.contains(&format!("secpack {name}")),
            "{cmd:?}:\n{help}"
        );
        assert!(!has_sgr(&help), "no colour in a pipe: {cmd:?}");
    }
}

#[test]
fn version_names_the_build_commit_and_never_reaches_the_package() {
    let o = secpack(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let version = stdout(&o);
    let expected_prefix = format!("secpack {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected_prefix), "{version}");
    let commit = version
        .trim()
        .trim_start_matches(&expected_prefix)
        .trim_end_matches(')')
        .to_owned();
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{version}"
    );
    // Built from this repository: the commit exists in it.
    if commit != "unknown" {
        let known = Command::new("git")
            .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
            .current_dir(secpack_testkit::workspace_root())
            .status()
            .unwrap();
        assert!(known.success(), "{commit} is not a commit of the workspace");
    }
    // The version text goes nowhere near the package bytes.
    let repo = Repo::minimal();
    let (o, out) = build(&repo, "v1.0.0");
    assert!(o.status.success(), "{}", stderr(&o));
    let needle = if commit == "unknown" {
        format!("secpack {}", env!("CARGO_PKG_VERSION"))
    } else {
        commit.clone()
    };
    for path in files_in(out.path()) {
        let mut contents = vec![(path.display().to_string(), std::fs::read(&path).unwrap())];
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".zip") {
            contents.extend(zip_entries(&path));
        } else if name.ends_with(".tar.gz") {
            contents.extend(tar_entries(&path));
        }
        for (entry, bytes) in contents {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "`{needle}` found in {entry}"
            );
        }
    }
}

#[test]
fn exit_codes_are_documented_in_one_table_and_hold() {
    // The table in docs/cli.md is the library's table.
    let doc = read_doc("docs/cli.md");
    let rows: Vec<(u8, String)> = doc
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = cells.get(1)?.trim_matches('`').parse::<u8>().ok()?;
            Some((code, cells.get(2)?.to_string()))
        })
        .collect();
    let codes: Vec<u8> = rows.iter().map(|(c, _)| *c).collect();
    let expected: Vec<u8> = secpack_cli::EXIT_CODES.iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, expected, "docs/cli.md exit-code table");
    for ((_, doc_meaning), (_, meaning)) in rows.iter().zip(secpack_cli::EXIT_CODES) {
        assert_eq!(
            doc_meaning, meaning,
            "docs/cli.md says what EXIT_CODES says"
        );
    }
    // And they hold: 0 success, 1 policy, 2 usage.
    let repo = Repo::minimal();
    let dir = repo.path().to_str().unwrap();
    assert_eq!(
        secpack(&["plan", "--repo", dir, "--rev", "v1.0.0"])
            .status
            .code(),
        Some(0)
    );
    let config = CONFIG.replace("\"docs/provenance.jsonl\"", "\"secret/raw-findings.md\"");
    let bad = Repo::with(&config, FILES, "v1.0.0");
    let o = secpack(&[
        "plan",
        "--repo",
        bad.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        secpack(&["plan", "--repo", dir, "--rev", "v9.9.9"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(secpack(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn json_on_every_reporting_command_is_json_only() {
    let repo = Repo::minimal();
    let dir = repo.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("dist");
    let keys = tempfile::tempdir().unwrap();
    let init_repo = Repo::with("", &[("README.md", "# x\n")], "");
    let runs: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["plan", "--repo", dir, "--rev", "v1.0.0", "--json"],
            "path",
        ),
        (
            vec![
                "build",
                "--repo",
                dir,
                "--rev",
                "v1.0.0",
                "--unsigned",
                "--out",
                out_dir.to_str().unwrap(),
                "--json",
            ],
            "archives",
        ),
        (
            vec!["scan", "--repo", dir, "--rev", "v1.0.0", "--json"],
            "passed",
        ),
        (
            vec!["keygen", "--out", keys.path().to_str().unwrap(), "--json"],
            "fingerprint",
        ),
        (
            vec!["init", init_repo.path().to_str().unwrap(), "--json"],
            "created",
        ),
    ];
    for (args, key) in &runs {
        let o = secpack(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let value: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{}", stdout(&o)));
        let text = value.to_string();
        assert!(text.contains(key), "{args:?}: `{key}` in {text}");
        assert!(!has_sgr(&stdout(&o)), "{args:?}");
    }
    // verify --json, on the package just built.
    let zip = out_dir.join("customer-security-package-v1.0.0.zip");
    let o = secpack(&[
        "verify",
        zip.to_str().unwrap(),
        "--allow-unsigned",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["passed"], true);
    // keygen --json names the files it wrote, and never the private key's content.
    assert!(
        !stdout(&secpack(&[
            "keygen",
            "--out",
            keys.path().to_str().unwrap(),
            "--name",
            "second",
            "--json"
        ]))
        .contains("PRIVATE KEY")
    );
}

#[test]
fn quiet_leaves_results_warnings_and_errors_only() {
    let repo = Repo::minimal();
    let (loud, _out) = build(&repo, "v1.0.0");
    let out = tempfile::tempdir().unwrap();
    let quiet = secpack(&[
        "-q",
        "build",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
        "--out",
        out.path().to_str().unwrap(),
        "--unsigned",
    ]);
    assert!(quiet.status.success());
    let (loud_err, quiet_err) = (stderr(&loud), stderr(&quiet));
    assert!(loud_err.contains("writing archives: done"), "{loud_err}");
    assert!(loud_err.contains("built Acme v1.0.0"), "{loud_err}");
    assert!(!quiet_err.contains("writing archives"), "{quiet_err}");
    assert!(!quiet_err.contains("built Acme"), "{quiet_err}");
    assert!(
        quiet_err.contains("warning: unsigned build"),
        "warnings stay: {quiet_err}"
    );
    assert_eq!(
        stdout(&quiet).lines().count(),
        2,
        "the two archives, as without -q"
    );
}

#[test]
fn logs_follow_rust_log_and_verbose() {
    let repo = Repo::minimal();
    let dir = repo.path().to_str().unwrap();
    let run = |env: Option<&str>, flags: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_secpack"));
        cmd.args(flags)
            .args(["plan", "--repo", dir, "--rev", "v1.0.0"])
            .env_remove("RUST_LOG");
        if let Some(v) = env {
            cmd.env("RUST_LOG", v);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    assert!(!run(None, &[]).contains("planned"));
    assert!(run(None, &["-v"]).contains("INFO secpack_cli::commands: planned"));
    assert!(run(Some("secpack_cli=debug"), &[]).contains("planned"));
    assert!(
        !run(Some("secpack_cli=warn"), &["-v"]).contains("planned"),
        "RUST_LOG wins"
    );
    let bad = run(Some("secpack_cli=[bad"), &[]);
    assert!(
        bad.contains("warning: RUST_LOG=`secpack_cli=[bad` is not a valid filter"),
        "{bad}"
    );
}

#[test]
fn config_errors_show_the_offending_line_underlined_and_the_fix() {
    let config = CONFIG.replace("[contacts]\nsecurity", "[contacts]\nsecurty");
    let repo = Repo::with(&config, FILES, "v1.0.0");
    let o = secpack(&[
        "plan",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "v1.0.0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let expected = "error: secpack.toml:8:1: unknown field `securty`, expected `security` or `portal`\n \
                    --> secpack.toml:8:1\n  \
                    |\n\
                    8 | securty = \"security@acme.example\"\n  \
                    | ^^^^^^^\n  \
                    |\n  \
                    = help: did you mean `security`?\n";
    assert_eq!(err, expected);
}

/// Run `command` under a pseudo-terminal (util-linux `script`); `None` (skip) outside CI
/// when `script` is missing. Returns everything the terminal showed.
fn on_terminal(command: &str, env: &[(&str, &str)]) -> Option<String> {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", command, "/dev/null"])
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    match cmd.output() {
        Ok(o) => {
            assert!(o.status.success(), "{command}: {}", stderr(&o));
            Some(stdout(&o))
        }
        Err(e) if !secpack_testkit::in_ci() => {
            eprintln!("*** SKIPPED: `script` (util-linux) not runnable: {e} ***");
            None
        }
        Err(e) => panic!("`script` (util-linux) is required under CI: {e}"),
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn progress_bars_and_colour_only_on_a_terminal() {
    let repo = Repo::minimal();
    let out = tempfile::tempdir().unwrap();
    let build_cmd = |dest: &str| {
        format!(
            "{} build --repo {} --rev v1.0.0 --unsigned --out {}",
            shell_quote(env!("CARGO_BIN_EXE_secpack")),
            shell_quote(repo.path().to_str().unwrap()),
            shell_quote(&out.path().join(dest).display().to_string()),
        )
    };
    // A terminal: the bar redraws its line (erase-line), styles are on.
    let Some(tty) = on_terminal(&build_cmd("a"), &[]) else {
        return;
    };
    assert!(tty.contains("\x1b[2K"), "a redrawn progress line:\n{tty:?}");
    assert!(tty.contains("writing archives"), "{tty:?}");
    assert!(has_sgr(&tty), "colour on a terminal:\n{tty:?}");
    // NO_COLOR: still a progress bar, never a colour.
    let plain = on_terminal(&build_cmd("b"), &[("NO_COLOR", "1")]).unwrap();
    assert!(plain.contains("\x1b[2K"), "{plain:?}");
    assert!(!has_sgr(&plain), "NO_COLOR means no colour:\n{plain:?}");
    // --color never, the same.
    let never = on_terminal(&format!("{} --color never", build_cmd("c")), &[]).unwrap();
    assert!(!has_sgr(&never), "{never:?}");
    // -q on a terminal: no bar.
    let quiet = on_terminal(&format!("{} -q", build_cmd("d")), &[]).unwrap();
    assert!(
        !quiet.contains("\x1b[2K") && !quiet.contains("writing archives"),
        "{quiet:?}"
    );
    // Config errors on a terminal are coloured too.
    let err = on_terminal(
        &format!(
            "{} plan --repo /nonexistent --rev v1 || true",
            shell_quote(env!("CARGO_BIN_EXE_secpack"))
        ),
        &[],
    )
    .unwrap();
    assert!(has_sgr(&err), "{err:?}");
    // A pipe: plain lines, not one escape byte.
    let (piped, _dir) = build(&repo, "v1.0.0");
    let piped_err = stderr(&piped);
    assert!(!piped_err.contains('\x1b'), "{piped_err:?}");
    assert!(!piped_err.contains('\r'), "{piped_err:?}");
    assert!(
        piped_err.contains("writing archives: done, "),
        "{piped_err}"
    );
}

#[test]
fn completions_for_every_shell() {
    for (shell, needle) in [
        ("bash", "_secpack()"),
        ("zsh", "#compdef secpack"),
        ("fish", "complete -c secpack"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[secpack]"),
    ] {
        let o = secpack(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        assert!(script.contains(needle), "{shell}: `{needle}`");
        for sub in ["init", "verify", "questionnaire"] {
            assert!(script.contains(sub), "{shell} completes {sub}");
        }
    }
}

#[test]
fn every_command_has_a_section_in_docs_cli_md() {
    let doc = read_doc("docs/cli.md");
    fn walk(cmd: &clap::Command, prefix: &str, doc: &str) {
        for sub in cmd.get_subcommands() {
            let name = format!("{prefix} {}", sub.get_name());
            if sub.has_subcommands() {
                walk(sub, &name, doc);
            } else {
                assert!(
                    doc.contains(&format!("### `{name}")),
                    "docs/cli.md has no `### `{name}…`` section"
                );
            }
        }
    }
    walk(&secpack_cli::command(), "secpack", &doc);
}

#[test]
fn the_committed_schema_is_up_to_date_and_accepts_real_configs() {
    let path = secpack_testkit::workspace_root().join("secpack.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == secpack_pipeline::config::json_schema(),
        "secpack.schema.json is stale: run `cargo xtask schema` and commit it"
    );
    // A real JSON Schema validator agrees with secpack on real configurations.
    let Some(python) = secpack_testkit::python() else {
        return;
    };
    let script = r#"
import json, sys, tomllib, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft7Validator(schema)
jsonschema.Draft7Validator.check_schema(schema)
for path in sys.argv[2:4]:
    errors = list(v.iter_errors(tomllib.load(open(path, "rb"))))
    assert not errors, (path, [e.message for e in errors])
bad = tomllib.load(open(sys.argv[4], "rb"))
print(sorted(e.message for e in v.iter_errors(bad)))
"#;
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.toml");
    std::fs::write(&good, CONFIG).unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        CONFIG
            .replace("class = \"public\"", "class = \"open\"")
            .replace("[contacts]", "[contact]"),
    )
    .unwrap();
    let fixture = secpack_testkit::workspace_root().join("fixtures/summit/secpack.toml");
    let o = Command::new(python)
        .arg("-c")
        .arg(script)
        .args([
            path.as_path(),
            fixture.as_path(),
            good.as_path(),
            bad.as_path(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let messages = stdout(&o);
    assert!(messages.contains("'contact' was unexpected"), "{messages}");
    assert!(messages.contains("'open' is not valid"), "{messages}");
}

/// The commands a CI recipe runs: every `secpack …` invocation in its scripts.
fn secpack_invocations(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut found = Vec::new();
    for line in joined.lines() {
        let line = line.split(" #").next().unwrap_or(line);
        for part in line.split(['|', ';']).flat_map(|p| p.split("&&")) {
            let words = shell_words(part);
            let start = words
                .iter()
                .position(|w| !["do", "then", "else", "!"].contains(&w.as_str()));
            if let Some(start) = start
                && words.get(start).map(String::as_str) == Some("secpack")
            {
                found.push(words[start..].to_vec());
            }
        }
    }
    found
}

/// Split like a POSIX shell, enough for CI scripts: quotes, no expansion.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

fn yaml(path: &Path) -> saphyr::YamlOwned {
    use saphyr::LoadableYamlNode as _;
    let text = std::fs::read_to_string(path).unwrap();
    saphyr::YamlOwned::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .next()
        .unwrap()
}

/// The strings of a scalar-or-sequence YAML node.
fn scripts(node: Option<&saphyr::YamlOwned>) -> Vec<String> {
    match node {
        None => Vec::new(),
        Some(n) => match n.as_sequence() {
            Some(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            None => n.as_str().map(str::to_owned).into_iter().collect(),
        },
    }
}

#[test]
fn ci_recipes_parse_and_call_only_commands_that_exist() {
    let root = secpack_testkit::workspace_root();
    // GitHub Actions: runs on release tags, every step's `run`.
    let gh = yaml(&root.join("ci/github/customer-security-package.yml"));
    let tags = gh
        .as_mapping_get("on")
        .and_then(|o| o.as_mapping_get("push"))
        .and_then(|p| p.as_mapping_get("tags"));
    assert_eq!(scripts(tags), ["v*.*.*"], "triggered by release tags");
    let mut github = Vec::new();
    for (_, job) in gh.as_mapping_get("jobs").unwrap().as_mapping().unwrap() {
        for step in job.as_mapping_get("steps").unwrap().as_sequence().unwrap() {
            github.extend(scripts(step.as_mapping_get("run")));
        }
    }
    // GitLab CI: every job's scripts.
    let gl = yaml(&root.join("ci/gitlab/customer-security-package.gitlab-ci.yml"));
    let mut gitlab = Vec::new();
    for (_, job) in gl.as_mapping().unwrap() {
        for key in ["before_script", "script", "after_script"] {
            gitlab.extend(scripts(job.as_mapping_get(key)));
        }
    }
    for (name, runs) in [("github", &github), ("gitlab", &gitlab)] {
        let all = runs.join("\n");
        let calls: Vec<Vec<String>> = runs.iter().flat_map(|r| secpack_invocations(r)).collect();
        let verbs: Vec<&str> = calls.iter().map(|c| c[1].as_str()).collect();
        for verb in ["plan", "build", "verify"] {
            assert!(
                verbs.contains(&verb),
                "{name} recipe runs secpack {verb}: {verbs:?}"
            );
        }
        for call in &calls {
            if let Err(e) = secpack_cli::command().try_get_matches_from(call) {
                panic!(
                    "{name} recipe: `{}` is not a valid secpack command line:\n{e}",
                    call.join(" ")
                );
            }
        }
        assert!(all.contains("--key"), "{name} recipe signs");
        assert!(
            !all.contains("--unsigned"),
            "{name} recipe never builds unsigned"
        );
    }
    let github_all = github.join("\n");
    assert!(github_all.contains("umask 077"), "the key file is private");
    assert!(github_all.contains("gh release upload"), "release assets");
    // The same commands as the docs show.
    let ci_md = read_doc("docs/ci.md");
    for recipe in [
        "ci/github/customer-security-package.yml",
        "ci/gitlab/customer-security-package.gitlab-ci.yml",
    ] {
        assert!(ci_md.contains(recipe), "docs/ci.md links {recipe}");
    }
}

#[test]
fn shell_words_and_invocations() {
    assert_eq!(
        shell_words(r#"secpack build --rev "$TAG" --out 'a b'"#),
        ["secpack", "build", "--rev", "$TAG", "--out", "a b"]
    );
    assert_eq!(
        secpack_invocations(
            "for f in a; do secpack verify \"$f\" --key k; done\nx && secpack plan --rev v \\\n  --json # comment"
        ),
        [
            vec!["secpack", "verify", "$f", "--key", "k"],
            vec!["secpack", "plan", "--rev", "v", "--json"],
        ]
    );
}

/// Every key of `secpack.toml` (from the schema, so from the config types) is documented:
/// in docs/config.md, or in the page it points to for the big tables.
#[test]
fn every_config_key_is_documented() {
    let schema: serde_json::Value =
        serde_json::from_str(&secpack_pipeline::config::json_schema()).unwrap();
    let definitions = schema["definitions"].as_object().unwrap();
    // The page documenting the keys below a top-level key.
    let page_of = |top: &str| match top {
        "sbom_redact" => "docs/sbom.md",
        "questionnaires" => "docs/questionnaires.md",
        "leak_gate" => "docs/leak-gate.md",
        _ => "docs/config.md",
    };
    fn resolve<'a>(
        node: &'a serde_json::Value,
        definitions: &'a serde_json::Map<String, serde_json::Value>,
    ) -> &'a serde_json::Value {
        let reference = node["$ref"]
            .as_str()
            .or_else(|| node["allOf"][0]["$ref"].as_str())
            .or_else(|| node["items"]["$ref"].as_str())
            .or_else(|| {
                node["anyOf"]
                    .as_array()?
                    .iter()
                    .find_map(|a| a["$ref"].as_str())
            });
        match reference {
            Some(r) => &definitions[r.trim_start_matches("#/definitions/")],
            None => node,
        }
    }
    let mut missing = Vec::new();
    let mut pending: Vec<(String, &serde_json::Value)> = vec![(String::new(), &schema)];
    let mut checked = 0;
    while let Some((prefix, node)) = pending.pop() {
        let Some(props) = resolve(node, definitions)["properties"].as_object() else {
            continue;
        };
        for (key, child) in props {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let top = path.split('.').next().unwrap();
            let page = if prefix.is_empty() {
                "docs/config.md"
            } else {
                page_of(top)
            };
            checked += 1;
            let doc = read_doc(page);
            let documented = [
                format!("`{key}`"),
                format!("`[{key}]`"),
                format!("`[[{key}]]`"),
                format!("{key} = "), // in a documented TOML example
                format!("`{prefix}.{key}`"),
            ]
            .iter()
            .any(|form| doc.contains(form.as_str()));
            if !documented {
                missing.push(format!("{path} (in {page})"));
            }
            pending.push((path, child));
        }
    }
    assert!(checked > 50, "walked the whole schema: {checked}");
    assert!(missing.is_empty(), "undocumented config keys: {missing:#?}");
}
