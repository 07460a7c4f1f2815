//! Validation: every kind of problem, with file, line:col, id and field, all collected at once.

use secpack_questionnaire::{Error, Options, Problem, Severity, StaleReview};

use super::{Input, answer, sheet};

/// Lines 1-13; question `Q-1` is at 7:6, `Q-2` at 11:6.
const BANK: &str = r#"id = "demo"
title = "Demo"
[[domain]]
id = "A"
title = "Alpha"
[[question]]
id = "Q-1"
domain = "A"
text = "First?"
[[question]]
id = "Q-2"
domain = "A"
text = "Second?"
"#;

/// Runs the input and compares every diagnostic (errors and warnings, in order) with `expected`.
/// When no error is expected, validation must succeed with `expected` as its warnings.
fn check(input: &Input<'_>, expected: &[&str]) {
    let expect_error = expected.iter().any(|e| e.contains(": error: "));
    let diagnostics = match input.run() {
        Ok(checked) => {
            assert!(!expect_error, "validation passed, expected {expected:#?}");
            checked.warnings().to_vec()
        }
        Err(Error::Invalid { diagnostics }) => {
            assert!(expect_error, "validation failed: {diagnostics:#?}");
            diagnostics
        }
        Err(other) => panic!("unexpected error {other:?}"),
    };
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(lines, expected);
}

fn one_bank<'a>(answers: &'a str) -> Input<'a> {
    Input {
        banks: vec![("b.toml", BANK)],
        answers: vec![("a.toml", answers)],
        ..Input::default()
    }
}

#[test]
fn complete_answers_pass() {
    let answers = &sheet(
        "demo",
        &[
            answer("Q-2", "No", "", "2026-09-01"),
            answer(
                "Q-1",
                "Yes",
                "\"policies/a.md\", \"public/b.md\"",
                "2026-09-01",
            ),
        ],
    );
    check(&one_bank(answers), &[]);
}

#[test]
fn unanswered_question() {
    let answers = &sheet("demo", &[answer("Q-1", "Yes", "", "2026-09-01")]);
    check(
        &one_bank(answers),
        &[
            "b.toml:11:6: error: id `Q-2`, field `id`: question is not answered in a.toml: add an [[answer]] with id = \"Q-2\"",
        ],
    );
}

#[test]
fn unknown_invalid_and_duplicate_answers() {
    let answers = &sheet(
        "demo",
        &[
            answer("Q-1", "Yes", "", "2026-09-01"),
            answer("Q-2", "Maybe", "", "2026-09-01"),
            answer("Q-3", "Yes", "", "2026-09-01"),
            answer("Q-1", "yes", "", "2026-09-01"),
        ],
    );
    check(
        &one_bank(answers),
        &[
            "a.toml:11:10: error: id `Q-2`, field `answer`: invalid answer `Maybe`: use one of Yes, No, N/A, Partial",
            "a.toml:17:6: error: id `Q-3`, field `id`: questionnaire `demo` (b.toml) has no question `Q-3`: fix the id or remove this answer",
            "a.toml:24:6: error: id `Q-1`, field `id`: duplicate answer id `Q-1`, first defined at a.toml:3: give each answer its own id",
            "a.toml:25:10: error: id `Q-1`, field `answer`: invalid answer `yes`: use one of Yes, No, N/A, Partial",
        ],
    );
}

#[test]
fn evidence_problems() {
    let answers = &sheet(
        "demo",
        &[
            answer(
                "Q-1",
                "Yes",
                "\"policies/a.md\", \"missing/x.md\", \"internal/raw.md\", \"/etc/passwd\", \"policies/a.md\"",
                "2026-09-01",
            ),
            answer(
                "Q-2",
                "Yes",
                "\"escape/x.md\", \"policies/../internal/raw.md\", \"\", \"unmapped/y.md\"",
                "2026-09-01",
            ),
        ],
    );
    check(
        &one_bank(answers),
        &[
            "a.toml:6:30: error: id `Q-1`, field `evidence`: evidence `missing/x.md` does not exist at this revision: fix the path or commit the file",
            "a.toml:6:46: error: id `Q-1`, field `evidence`: evidence `internal/raw.md` is internal and is never shipped: cite public or customer-only evidence, or set allow_internal_evidence = true in [questionnaires] to show it as \"available to auditors on request\"",
            "a.toml:6:65: error: id `Q-1`, field `evidence`: evidence `/etc/passwd` is not a repository path (it is absolute): write it relative to the repository root, e.g. policies/access-control-policy.md",
            "a.toml:6:80: error: id `Q-1`, field `evidence`: `policies/a.md` is listed twice: remove the duplicate",
            "a.toml:13:13: error: id `Q-2`, field `evidence`: the evidence index maps `escape/x.md` to `../outside.md`, which is not a relative path inside the package: fix the caller's evidence index",
            "a.toml:13:28: error: id `Q-2`, field `evidence`: evidence `policies/../internal/raw.md` is not a repository path (it has a '.' or '..' segment): write it relative to the repository root, e.g. policies/access-control-policy.md",
            "a.toml:13:59: error: id `Q-2`, field `evidence`: evidence `` is not a repository path (it is empty): write it relative to the repository root, e.g. policies/access-control-policy.md",
            "a.toml:13:63: error: id `Q-2`, field `evidence`: evidence `unmapped/y.md` is shareable but not in the package: map it with [files] or [[dirs]] in secpack.toml, or cite a shipped file",
        ],
    );
}

#[test]
fn internal_evidence_is_allowed_only_by_option() {
    let answers = &sheet(
        "demo",
        &[
            answer("Q-1", "Yes", "\"internal/raw.md\"", "2026-09-01"),
            answer(
                "Q-2",
                "Yes",
                "\"policies/a.md\", \"internal/other.md\"",
                "2026-09-01",
            ),
        ],
    );
    let mut input = one_bank(answers);
    let err = input
        .run()
        .expect_err("internal evidence is an error by default");
    let problems: Vec<Problem> = err.diagnostics().into_iter().map(|d| d.problem).collect();
    assert_eq!(
        problems,
        [
            Problem::EvidenceInternal {
                path: "internal/raw.md".to_owned()
            },
            Problem::EvidenceInternal {
                path: "internal/other.md".to_owned()
            },
        ]
    );

    input.options.allow_internal_evidence = true;
    let checked = input.run().unwrap();
    let markdown = &checked.render()[0].contents;
    assert!(markdown.contains("- Evidence: internal document, available to auditors on request\n"));
    assert!(markdown.contains(
        "- Evidence: [`policies/a.md`](../policies/a.md), internal document, available to auditors on request\n"
    ));
    assert!(
        !markdown.contains("internal/"),
        "internal paths never reach the output"
    );
}

#[test]
fn review_dates_against_the_build_date() {
    // The build date is 2026-10-01; 2025-10-01 is exactly 365 days before it.
    let answers = &sheet(
        "demo",
        &[
            answer("Q-1", "Yes", "", "2025-09-30"),
            answer("Q-2", "Yes", "", "2026-10-02"),
        ],
    );
    let stale = "a.toml:8:17: warning: id `Q-1`, field `last_reviewed`: last reviewed on 2025-09-30, 366 days before 2026-10-01 (limit 365 days): review the answer and update `last_reviewed`";
    let future = "a.toml:15:17: warning: id `Q-2`, field `last_reviewed`: last reviewed on 2026-10-02, after the build date 2026-10-01: fix `last_reviewed`";
    check(&one_bank(answers), &[stale, future]);

    let mut strict = one_bank(answers);
    strict.options.stale_review = StaleReview::Error;
    check(&strict, &[&stale.replace("warning", "error"), future]);

    let mut relaxed = one_bank(answers);
    relaxed.options.max_review_age_days = 366;
    check(&relaxed, &[future]);

    let on_limit = &sheet(
        "demo",
        &[
            answer("Q-1", "Yes", "", "2025-10-01"),
            answer("Q-2", "Yes", "", "2026-10-01"),
        ],
    );
    check(&one_bank(on_limit), &[]);
}

#[test]
fn answers_for_an_unknown_bank_and_a_bank_without_answers() {
    let answers = &sheet("nope", &[answer("Q-1", "Maybe", "", "2026-09-01")]);
    check(
        &one_bank(answers),
        &[
            // The sheet's own fields are still checked.
            "a.toml:1:8: error: field `bank`: no configured question bank has id `nope`: fix `bank` or add the bank's file to `banks` in [questionnaires]",
            "a.toml:4:10: error: id `Q-1`, field `answer`: invalid answer `Maybe`: use one of Yes, No, N/A, Partial",
            "b.toml:1:6: error: id `demo`, field `id`: questionnaire `demo` has no answers file: add one with bank = \"demo\" to `answers` in [questionnaires]",
        ],
    );
}

#[test]
fn two_answer_files_for_one_bank_and_two_banks_with_one_id() {
    let answers = &sheet(
        "demo",
        &[
            answer("Q-1", "Yes", "", "2026-09-01"),
            answer("Q-2", "Yes", "", "2026-09-01"),
        ],
    );
    let input = Input {
        banks: vec![("b1.toml", BANK), ("b2.toml", BANK)],
        answers: vec![("a1.toml", answers), ("a2.toml", answers)],
        ..Input::default()
    };
    check(
        &input,
        &[
            "a2.toml:1:8: error: field `bank`: questionnaire `demo` is already answered in a1.toml: keep one answers file per questionnaire",
            "b2.toml:1:6: error: id `demo`, field `id`: duplicate questionnaire id `demo`, first defined at b1.toml:1: give each questionnaire its own id",
        ],
    );
}

#[test]
fn bank_structure() {
    let bank = r#"id = "Demo Bank"
title = " "
[[domain]]
id = "A"
title = "Alpha"
[[domain]]
id = "A"
title = ""
[[question]]
id = "Q-1"
domain = "A"
text = "First?"
[[question]]
id = "Q-1"
domain = "B"
text = ""
[[question]]
id = "Q 2"
domain = "A"
text = "Second?"
"#;
    let answers = &sheet(
        "Demo Bank",
        &[
            answer("Q-1", "Yes", "", "2026-09-01"),
            answer("Q 2", "N/A", "", "2026-09-01"),
        ],
    );
    let input = Input {
        banks: vec![("b.toml", bank)],
        answers: vec![("a.toml", answers)],
        ..Input::default()
    };
    check(
        &input,
        &[
            "a.toml:10:6: error: id `Q 2`, field `id`: invalid id `Q 2`: ids must not contain spaces or control characters",
            "b.toml:1:6: error: id `Demo Bank`, field `id`: invalid id `Demo Bank`: a questionnaire id names its output files: use lowercase letters, digits and '-', e.g. sig-lite",
            "b.toml:2:9: error: id `Demo Bank`, field `title`: `title` is empty: write the text, it is shown to customers",
            "b.toml:7:6: error: id `A`, field `id`: duplicate domain id `A`, first defined at b.toml:4: give each domain its own id",
            "b.toml:8:9: error: id `A`, field `title`: `title` is empty: write the text, it is shown to customers",
            "b.toml:14:6: error: id `Q-1`, field `id`: duplicate question id `Q-1`, first defined at b.toml:10: give each question its own id",
            "b.toml:15:10: error: id `Q-1`, field `domain`: domain `B` is not declared: add a [[domain]] with id = \"B\" or fix the question's domain",
            "b.toml:16:8: error: id `Q-1`, field `text`: `text` is empty: write the text, it is shown to customers",
            "b.toml:18:6: error: id `Q 2`, field `id`: invalid id `Q 2`: ids must not contain spaces or control characters",
        ],
    );
}

#[test]
fn controls_problems() {
    let answers = &sheet(
        "demo",
        &[
            answer("Q-1", "Yes", "", "2026-09-01"),
            answer("Q-2", "Yes", "", "2026-09-01"),
        ],
    );
    let controls = r#"title = "Controls"
[[control]]
id = "C-1"
title = "One"
description = "First control."
frameworks = ["SOC 2 CC6.1", "SOC 2  CC6.1", " "]
evidence = ["policies/a.md", "nowhere.md"]
[[control]]
id = "C-1"
title = "Again"
description = ""
evidence = ["internal/raw.md"]
owner = ""
"#;
    let mut input = one_bank(answers);
    input.controls = Some(("c.toml", controls));
    check(
        &input,
        &[
            "c.toml:6:30: error: id `C-1`, field `frameworks`: `SOC 2 CC6.1` is listed twice: remove the duplicate",
            "c.toml:6:46: error: id `C-1`, field `frameworks`: `frameworks` is empty: write the text, it is shown to customers",
            "c.toml:7:30: error: id `C-1`, field `evidence`: evidence `nowhere.md` does not exist at this revision: fix the path or commit the file",
            "c.toml:9:6: error: id `C-1`, field `id`: duplicate control id `C-1`, first defined at c.toml:3: give each control its own id",
            "c.toml:11:15: error: id `C-1`, field `description`: `description` is empty: write the text, it is shown to customers",
            "c.toml:12:13: error: id `C-1`, field `evidence`: evidence `internal/raw.md` is internal and is never shipped: cite public or customer-only evidence, or set allow_internal_evidence = true in [questionnaires] to show it as \"available to auditors on request\"",
            "c.toml:13:9: error: id `C-1`, field `owner`: `owner` is empty: write the text, it is shown to customers",
        ],
    );
}

#[test]
fn every_problem_of_every_file_is_reported_at_once() {
    let answers = &sheet(
        "demo",
        &[
            answer("Q-1", "Maybe", "\"missing.md\"", "2020-01-01"),
            answer("Q-9", "Yes", "", "2026-09-01"),
        ],
    );
    let controls = "[[control]]\nid = \"C-1\"\ntitle = \"\"\ndescription = \"d\"\n";
    let mut input = one_bank(answers);
    input.controls = Some(("c.toml", controls));
    let err = input.run().expect_err("invalid");
    let diagnostics = err.diagnostics();
    type Row = (
        String,
        usize,
        Severity,
        Option<String>,
        Option<&'static str>,
    );
    let summary: Vec<Row> = diagnostics
        .iter()
        .map(|d| {
            (
                d.file.clone(),
                d.location.line,
                d.severity,
                d.id.clone(),
                d.field,
            )
        })
        .collect();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        summary,
        [
            (
                "a.toml".into(),
                4,
                Severity::Error,
                some("Q-1"),
                Some("answer")
            ),
            (
                "a.toml".into(),
                6,
                Severity::Error,
                some("Q-1"),
                Some("evidence")
            ),
            (
                "a.toml".into(),
                8,
                Severity::Warning,
                some("Q-1"),
                Some("last_reviewed")
            ),
            (
                "a.toml".into(),
                10,
                Severity::Error,
                some("Q-9"),
                Some("id")
            ),
            (
                "b.toml".into(),
                11,
                Severity::Error,
                some("Q-2"),
                Some("id")
            ),
            (
                "c.toml".into(),
                3,
                Severity::Error,
                some("C-1"),
                Some("title")
            ),
        ]
    );
    let message = err.to_string();
    assert!(
        message.starts_with(
            "questionnaire data has 5 error(s) and 1 warning(s)\n  a.toml:4:10: error: "
        )
    );
    assert_eq!(message.lines().count(), 7);
}

#[test]
fn options_defaults_and_embedding() {
    let options = secpack_questionnaire::parse_options("", "secpack.toml").unwrap();
    assert_eq!(options, Options::default());
    assert_eq!(options.max_review_age_days, 365);
    assert_eq!(options.stale_review, StaleReview::Warn);
    assert!(!options.allow_internal_evidence && !options.csv && options.controls.is_none());

    // The orchestrator embeds the options as `[questionnaires]` in its own config.
    #[derive(serde::Deserialize)]
    struct Config {
        questionnaires: Options,
    }
    let config: Config = toml::from_str(
        "[questionnaires]\nbanks = [\"b.toml\"]\nanswers = [\"a.toml\"]\ncontrols = \"c.toml\"\n\
         allow_internal_evidence = true\nmax_review_age_days = 180\nstale_review = \"error\"\ncsv = true\n",
    )
    .unwrap();
    assert_eq!(
        config.questionnaires,
        Options {
            banks: vec!["b.toml".into()],
            answers: vec!["a.toml".into()],
            controls: Some("c.toml".into()),
            allow_internal_evidence: true,
            max_review_age_days: 180,
            stale_review: StaleReview::Error,
            csv: true,
        }
    );
}
