//! The Summit fixture (`fixtures/summit/`): complete, valid, every link resolves, nothing internal
//! leaks, and the rendered files equal `fixtures/questionnaire/expected/` byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use secpack_questionnaire::{
    AnswerValue, Checked, Date, Error, Evidence, Options, Problem, RenderedFile, Source, Sources,
    check,
};

use super::{assert_links_resolve, summit_layout};

/// The `[questionnaires]` table of the fixture's secpack.toml.
const OPTIONS: &str = r#"
banks = ["questionnaires/banks/sig-lite.toml", "questionnaires/banks/caiq-lite.toml"]
answers = ["questionnaires/answers/sig-lite.toml", "questionnaires/answers/caiq-lite.toml"]
controls = "controls/controls.toml"
allow_internal_evidence = true
max_review_age_days = 365
stale_review = "warn"
csv = true
"#;

/// The fixture's tag date, 2026-11-20T12:00:00Z.
fn tag_date() -> Date {
    Date::from_unix_seconds(1_795_176_000)
}

fn summit() -> PathBuf {
    secpack_testkit::workspace_root().join("fixtures/summit")
}

fn expected_dir() -> PathBuf {
    secpack_testkit::workspace_root().join("fixtures/questionnaire/expected")
}

/// Every file of the fixture, classified and placed the way the fixture's secpack.toml does.
fn summit_index() -> BTreeMap<String, Evidence> {
    let mut files = Vec::new();
    walk(&summit(), "", &mut files);
    files
        .into_iter()
        .map(|path| {
            let evidence = summit_layout(&path);
            (path, evidence)
        })
        .collect()
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let path = format!("{prefix}{name}");
        if entry.file_type().unwrap().is_dir() {
            walk(&entry.path(), &format!("{path}/"), out);
        } else {
            out.push(path);
        }
    }
}

fn options() -> Options {
    secpack_questionnaire::parse_options(OPTIONS, "secpack.toml").unwrap()
}

/// Reads the files the options name and checks them, as the orchestrator does.
fn run(options: &Options, today: Date) -> Result<Checked, Error> {
    let read = |path: &String| {
        let text = std::fs::read_to_string(summit().join(path)).unwrap();
        (path.clone(), text)
    };
    let banks: Vec<(String, String)> = options.banks.iter().map(read).collect();
    let answers: Vec<(String, String)> = options.answers.iter().map(read).collect();
    let controls = options.controls.as_ref().map(read);
    fn source((file, text): &(String, String)) -> Source<'_> {
        Source { file, text }
    }
    let sources = Sources {
        banks: banks.iter().map(source).collect(),
        answers: answers.iter().map(source).collect(),
        controls: controls.as_ref().map(source),
    };
    check(&sources, &summit_index(), options, today)
}

#[test]
fn summit_is_complete_and_valid() {
    let checked = run(&options(), tag_date()).unwrap();
    assert_eq!(checked.warnings(), []);
    type Counts<'a> = (&'a str, usize, Vec<(AnswerValue, usize)>);
    let summary: Vec<Counts<'_>> = checked
        .questionnaires()
        .iter()
        .map(|q| (q.id(), q.len(), q.counts().into_iter().collect()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "caiq-lite",
                20,
                vec![(AnswerValue::Yes, 19), (AnswerValue::Partial, 1)]
            ),
            (
                "sig-lite",
                20,
                vec![(AnswerValue::Yes, 19), (AnswerValue::Partial, 1)]
            ),
        ]
    );
    assert_eq!(checked.controls().map(|c| c.len()), Some(18));
}

#[test]
fn summit_links_resolve_inside_the_package() {
    let checked = run(&options(), tag_date()).unwrap();
    let mut package: BTreeSet<String> = summit_index()
        .into_values()
        .filter_map(|e| match e {
            Evidence::Shipped { package_path } => Some(package_path),
            _ => None,
        })
        .collect();
    package.extend(checked.render().into_iter().map(|f| f.path));
    let links = assert_links_resolve(&checked, &package);
    assert!(links > 60, "only {links} links checked");
}

#[test]
fn summit_output_never_names_internal_files() {
    let checked = run(&options(), tag_date()).unwrap();
    let files = checked.render();
    assert_eq!(files.len(), 5);
    for file in &files {
        for secret in ["internal/", "pentest-raw", "corp.summit.example", "10.20."] {
            assert!(
                !file.contents.contains(secret),
                "{} names {secret}",
                file.path
            );
        }
    }
    let on_request = files
        .iter()
        .map(|f| {
            f.contents
                .matches("available to auditors on request")
                .count()
        })
        .sum::<usize>();
    // The intro note of the 3 Markdown files; the evidence of SL-A.3 and A&A-02 (Markdown and
    // CSV) and of SUM-GOV-02 (table and details); the explanations of SL-A.3 and A&A-02, which
    // say it too (Markdown and CSV).
    assert_eq!(on_request, 3 + 2 * 2 + 2 + 2 * 2);
}

#[test]
fn summit_internal_evidence_needs_the_option() {
    let mut options = options();
    options.allow_internal_evidence = false;
    let err = run(&options, tag_date()).unwrap_err();
    let problems: Vec<(String, Option<String>, Problem)> = err
        .diagnostics()
        .into_iter()
        .map(|d| (d.file, d.id, d.problem))
        .collect();
    let internal = Problem::EvidenceInternal {
        path: "internal/vuln-reports/2026-q3-pentest-raw.md".to_owned(),
    };
    assert_eq!(
        problems,
        [
            (
                "controls/controls.toml".to_owned(),
                Some("SUM-GOV-02".to_owned()),
                internal.clone()
            ),
            (
                "questionnaires/answers/caiq-lite.toml".to_owned(),
                Some("A&A-02".to_owned()),
                internal.clone()
            ),
            (
                "questionnaires/answers/sig-lite.toml".to_owned(),
                Some("SL-A.3".to_owned()),
                internal
            ),
        ]
    );
}

#[test]
fn summit_reviews_go_stale_a_year_later() {
    let a_year_later = Date::new(2027, 10, 1).unwrap();
    let checked = run(&options(), a_year_later).unwrap();
    // Answers reviewed before 2026-10-01 are more than 365 days old: 15 in each questionnaire.
    assert_eq!(checked.warnings().len(), 30);
    assert!(
        checked
            .warnings()
            .iter()
            .all(|w| matches!(w.problem, Problem::StaleReview { .. }))
    );
    let mut strict = options();
    strict.stale_review = secpack_questionnaire::StaleReview::Error;
    let err = run(&strict, a_year_later).unwrap_err();
    assert_eq!(err.diagnostics().len(), 30);
}

#[test]
fn summit_matches_the_expected_files() {
    let files = run(&options(), tag_date()).unwrap().render();
    let bless = std::env::var_os("SECPACK_BLESS").is_some();
    let mut expected_paths = Vec::new();
    walk(&expected_dir(), "", &mut expected_paths);
    expected_paths.retain(|p| p != ".gitattributes");
    expected_paths.sort();
    for RenderedFile { path, contents } in &files {
        let target = expected_dir().join(path);
        if bless {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, contents).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&target).unwrap_or_default();
        if &expected != contents {
            let line = expected
                .split_inclusive('\n')
                .zip(contents.split_inclusive('\n'))
                .position(|(a, b)| a != b)
                .map_or_else(|| "the end".to_owned(), |i| format!("line {}", i + 1));
            panic!(
                "{path} differs from fixtures/questionnaire/expected/{path} at {line}; if the \
                 change is intended run `SECPACK_BLESS=1 cargo test -p secpack-questionnaire` \
                 and review the diff"
            );
        }
    }
    if !bless {
        let rendered: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            expected_paths, rendered,
            "stale files in fixtures/questionnaire/expected"
        );
    }
}
