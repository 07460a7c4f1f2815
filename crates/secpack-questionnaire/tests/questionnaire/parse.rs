//! Bad TOML, wrong types, unknown and missing keys: one error with file:line:col, no panic.

use secpack_questionnaire::{
    Error, Location, Problem, parse_answers, parse_bank, parse_controls, parse_options,
};

use super::{Input, answer, sheet};

type Parse<T> = fn(&str, &str) -> Result<T, Error>;

/// Parses `text` as `file` and expects exactly `expected` as the error message.
fn check<T: std::fmt::Debug>(parse: Parse<T>, file: &str, text: &str, expected: &str) {
    let err = parse(text, file).expect_err("the input is invalid");
    assert_eq!(err.to_string(), expected, "input:\n{text}");
    assert!(matches!(err, Error::Toml { .. }), "{err:?}");
}

const BANK_HEAD: &str = "id = \"demo\"\ntitle = \"Demo\"\n";

#[test]
fn malformed_toml() {
    check(
        parse_bank,
        "b.toml",
        "id = \"demo\"\ntitle = = \"x\"\n",
        "b.toml:2:9: extra `=`, expected nothing (question bank, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        "bank = \"demo\"\n[[answer]\n",
        "a.toml:2:10: unclosed array table, expected `]` (answers file, see docs/questionnaires.md)",
    );
    check(
        parse_controls,
        "c.toml",
        "[[control]]\nid = \"unterminated\n",
        "c.toml:2:19: invalid basic string, expected `\"` (controls file, see docs/questionnaires.md)",
    );
}

#[test]
fn wrong_types() {
    check(
        parse_bank,
        "b.toml",
        "id = 5\ntitle = \"Demo\"\n",
        "b.toml:1:6: invalid type: integer `5`, expected a string (question bank, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        &sheet("demo", &[answer("Q-1", "Yes", "", "2026-01-01")])
            .replace("evidence = []", "evidence = \"policies/a.md\""),
        "a.toml:6:12: invalid type: string \"policies/a.md\", expected a sequence (answers file, see docs/questionnaires.md)",
    );
    check(
        parse_controls,
        "c.toml",
        "[[control]]\nid = \"C-1\"\ntitle = \"t\"\ndescription = \"d\"\nframeworks = [1]\n",
        "c.toml:5:15: invalid type: integer `1`, expected a string (controls file, see docs/questionnaires.md)",
    );
    check(
        parse_options,
        "secpack.toml",
        "csv = \"yes\"\n",
        "secpack.toml:1:7: invalid type: string \"yes\", expected a boolean ([questionnaires] options, see docs/questionnaires.md)",
    );
    check(
        parse_options,
        "secpack.toml",
        "max_review_age_days = -1\n",
        "secpack.toml:1:23: invalid value: integer `-1`, expected u32 ([questionnaires] options, see docs/questionnaires.md)",
    );
}

#[test]
fn unknown_keys() {
    check(
        parse_bank,
        "b.toml",
        &format!("{BANK_HEAD}version = 2\n"),
        "b.toml:3:1: unknown field `version`, expected one of `id`, `title`, `description`, `domain`, `question` (question bank, see docs/questionnaires.md)",
    );
    check(
        parse_bank,
        "b.toml",
        &format!(
            "{BANK_HEAD}[[question]]\nid = \"Q-1\"\ndomain = \"A\"\ntext = \"t\"\nanswer = \"Yes\"\n"
        ),
        "b.toml:7:1: unknown field `answer`, expected one of `id`, `domain`, `text` (question bank, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        &sheet("demo", &[answer("Q-1", "Yes", "", "2026-01-01")]).replace("owner", "owners"),
        "a.toml:7:1: unknown field `owners`, expected one of `id`, `answer`, `explanation`, `evidence`, `owner`, `last_reviewed` (answers file, see docs/questionnaires.md)",
    );
    check(
        parse_options,
        "secpack.toml",
        "allow_internal = true\n",
        "secpack.toml:1:1: unknown field `allow_internal`, expected one of `banks`, `answers`, `controls`, `allow_internal_evidence`, `max_review_age_days`, `stale_review`, `csv` ([questionnaires] options, see docs/questionnaires.md)",
    );
    check(
        parse_options,
        "secpack.toml",
        "stale_review = \"fail\"\n",
        "secpack.toml:1:16: unknown variant `fail`, expected `warn` or `error` ([questionnaires] options, see docs/questionnaires.md)",
    );
}

#[test]
fn missing_keys() {
    check(
        parse_bank,
        "b.toml",
        "id = \"demo\"\n",
        "b.toml:1:1: missing field `title` (question bank, see docs/questionnaires.md)",
    );
    check(
        parse_bank,
        "b.toml",
        &format!("{BANK_HEAD}[[question]]\nid = \"Q-1\"\ndomain = \"A\"\n"),
        "b.toml:3:1: missing field `text` (question bank, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        "[[answer]]\nid = \"Q-1\"\n",
        "a.toml:1:1: missing field `answer` (answers file, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        &answer("Q-1", "Yes", "", "2026-01-01"),
        "a.toml:1:1: missing field `bank` (answers file, see docs/questionnaires.md)",
    );
}

#[test]
fn dates() {
    let with_date = |date: &str| sheet("demo", &[answer("Q-1", "Yes", "", date)]);
    check(
        parse_answers,
        "a.toml",
        &with_date("2026-02-30"),
        "a.toml:8:17: invalid date, expected day between 01 and 28 (answers file, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        &with_date("\"2026-02-30\""),
        "a.toml:8:17: invalid date `2026-02-30`: write a calendar date as YYYY-MM-DD, e.g. 2026-09-15 (answers file, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        &with_date("2026-02-03T10:00:00Z"),
        "a.toml:8:17: `2026-02-03T10:00:00Z` has a time of day: write only the date, e.g. 2026-09-15 (answers file, see docs/questionnaires.md)",
    );
    check(
        parse_answers,
        "a.toml",
        &with_date("20260203"),
        "a.toml:8:17: invalid type: integer `20260203`, expected a date such as 2026-09-15 (answers file, see docs/questionnaires.md)",
    );
    // A TOML date and a string holding one are the same value.
    let plain = parse_answers(&with_date("2026-02-03"), "a.toml").unwrap();
    let quoted = parse_answers(&with_date("\"2026-02-03\""), "a.toml").unwrap();
    assert_eq!(plain, quoted);
    assert_eq!(
        plain.answers[0].last_reviewed.value.to_string(),
        "2026-02-03"
    );
    assert_eq!(
        plain.answers[0].last_reviewed.location,
        Location {
            line: 8,
            column: 17
        }
    );
}

#[test]
fn check_collects_the_parse_errors_of_every_file() {
    let input = Input {
        banks: vec![("b1.toml", "id = \"x\"\n"), ("b2.toml", "id = \n")],
        answers: vec![("a.toml", "bank = 1\n")],
        controls: Some(("c.toml", "[[control]]\nid = \"C-1\"\nbogus = 1\n")),
        ..Input::default()
    };
    let err = input.run().expect_err("every file is invalid");
    let Error::Invalid { diagnostics } = &err else {
        panic!("expected Error::Invalid, got {err:?}");
    };
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "b1.toml:1:1: error: missing field `title` (question bank, see docs/questionnaires.md)",
            "b2.toml:1:6: error: string values must be quoted, expected literal string (question bank, see docs/questionnaires.md)",
            "a.toml:1:8: error: invalid type: integer `1`, expected a string (answers file, see docs/questionnaires.md)",
            "c.toml:3:1: error: unknown field `bogus`, expected one of `id`, `title`, `description`, `frameworks`, `evidence`, `owner` (controls file, see docs/questionnaires.md)",
        ]
    );
    assert!(matches!(
        diagnostics[0].problem,
        Problem::Toml {
            what: "question bank",
            ..
        }
    ));
    assert_eq!(
        err.to_string().lines().next(),
        Some("questionnaire data has 4 error(s) and 0 warning(s)")
    );
}
