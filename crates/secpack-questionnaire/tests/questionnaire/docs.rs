//! docs/questionnaires.md stays true: its example files form a valid set, and the rendered
//! excerpts and diagnostics it shows are what the code produces.

use std::collections::BTreeMap;

use secpack_questionnaire::{Date, Error, Evidence, Options, Source, Sources, check};

use super::summit_layout;

/// A fenced code block: its info string and its text.
struct Block {
    info: String,
    text: String,
}

fn blocks() -> Vec<Block> {
    let path = secpack_testkit::workspace_root().join("docs/questionnaires.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for line in doc.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(Block {
                    info: info.to_owned(),
                    text: String::new(),
                })
            }
            (Some(_), Some("")) => blocks.push(current.take().unwrap()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "unclosed code block");
    blocks
}

/// The example files by their `# file:` line.
fn example_files() -> BTreeMap<String, String> {
    blocks()
        .into_iter()
        .filter(|b| b.info == "toml")
        .map(|b| {
            let (first, _) = b.text.split_once('\n').unwrap();
            let name = first
                .strip_prefix("# file: ")
                .expect("each example names its file");
            (name.to_owned(), b.text)
        })
        .collect()
}

fn options(files: &BTreeMap<String, String>) -> Options {
    #[derive(serde::Deserialize)]
    struct Config {
        questionnaires: Options,
    }
    let config: Config = toml::from_str(&files["secpack.toml"]).unwrap();
    config.questionnaires
}

fn run(files: &BTreeMap<String, String>) -> Result<secpack_questionnaire::Checked, Error> {
    let options = options(files);
    let source = |path: &String| Source {
        file: files.keys().find(|k| *k == path).unwrap(),
        text: &files[path],
    };
    let sources = Sources {
        banks: options.banks.iter().map(source).collect(),
        answers: options.answers.iter().map(source).collect(),
        controls: options.controls.as_ref().map(source),
    };
    let index = |path: &str| match summit_layout(path) {
        Evidence::NotShipped => Evidence::Missing,
        other => other,
    };
    check(&sources, &index, &options, Date::new(2026, 11, 20).unwrap())
}

#[test]
fn the_example_is_valid_and_renders_as_shown() {
    let files = example_files();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "controls/controls.toml",
            "questionnaires/answers/caiq-lite.toml",
            "questionnaires/banks/caiq-lite.toml",
            "secpack.toml",
        ]
    );
    let checked = run(&files).unwrap();
    assert_eq!(checked.warnings(), []);
    let rendered = checked.render();
    let mut excerpts = 0;
    for block in blocks() {
        let Some(path) = block.info.split(" rendered=").nth(1) else {
            continue;
        };
        let file = rendered.iter().find(|f| f.path == path).unwrap();
        let contents = file.contents.replace("\r\n", "\n");
        assert!(
            contents.contains(&block.text),
            "docs/questionnaires.md shows an excerpt of {path} that the code does not render:\n{}",
            block.text
        );
        excerpts += 1;
    }
    assert_eq!(excerpts, 2);
}

#[test]
fn the_example_diagnostics_are_real() {
    let block = blocks()
        .into_iter()
        .find(|b| b.info == "text diagnostics")
        .unwrap();
    let shown: Vec<&str> = block.text.lines().collect();
    assert_eq!(shown.len(), 2);

    let answers = "questionnaires/answers/caiq-lite.toml";
    let mut maybe = example_files();
    let text = maybe[answers].replace("answer = \"Partial\"", "answer = \"Maybe\"");
    maybe.insert(answers.to_owned(), text);
    let lines: Vec<String> = run(&maybe)
        .unwrap_err()
        .diagnostics()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(lines, [shown[0]]);

    let mut unanswered = example_files();
    let text = &unanswered[answers];
    let cut = text.rfind("[[answer]]").unwrap();
    let text = text[..cut].to_owned();
    unanswered.insert(answers.to_owned(), text);
    let lines: Vec<String> = run(&unanswered)
        .unwrap_err()
        .diagnostics()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(lines, [shown[1]]);
}
