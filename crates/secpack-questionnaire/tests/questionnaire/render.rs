//! Rendering: natural order, counts, relative links, escaping (checked with a real CommonMark +
//! GFM parser), CSV (checked with Python's csv module), determinism.

use std::collections::BTreeSet;

use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag, TagEnd};
use secpack_questionnaire::{Checked, RenderedFile};

use super::{Input, answer, assert_links_resolve, links, resolve, sheet};

/// Ids whose natural order differs from byte order, and text full of Markdown syntax.
const BANK: &str = r#"id = "demo"
title = "Demo | *Title*"
description = """
Intro line one
still one.

# Not a heading <b>bold</b>"""

[[domain]]
id = "D-10"
title = "Tenth"

[[domain]]
id = "D-2"
title = "Second | pipe"

[[question]]
id = "Q-10"
domain = "D-2"
text = "Ten?"

[[question]]
id = "Q-9"
domain = "D-2"
text = "Nine?"

[[question]]
id = "Q-1"
domain = "D-10"
text = "Is *this* _plain_ `text` [x](y.md) <img src=x> &amp; a|b \\ ~~s~~ $m$?"

[[question]]
id = "Q-2"
domain = "D-10"
text = "- not a list\n1. not a list either\n\n> not a quote"
"#;

const NASTY: &str = "Is *this* _plain_ `text` [x](y.md) <img src=x> &amp; a|b \\ ~~s~~ $m$?";

fn answers() -> String {
    let mut q2 = answer("Q-2", "No", "\"hardening/h.md\"", "2026-09-01");
    q2 = q2.replace(
        "explanation = \"Because.\"",
        "explanation = \"\"\"=HYPERLINK(\"http://evil.example\")\n\n+ second, paragraph\"\"\"",
    );
    let q9 = answer(
        "Q-9",
        "Partial",
        "\"policies/x.md\", \"internal/r.md\"",
        "2026-09-01",
    )
    .replace("owner = \"Security\"", "owner = \"@ops, \\\"team\\\"\"");
    sheet(
        "demo",
        &[
            answer("Q-10", "Yes", "\"public/a b(1).md\"", "2026-09-01"),
            q9,
            answer("Q-1", "N/A", "", "2026-09-01"),
            q2,
        ],
    )
}

fn checked(bank: &str, answers: &str, controls: Option<&str>, csv: bool) -> Checked {
    let mut input = Input {
        banks: vec![("b.toml", bank)],
        answers: vec![("a.toml", answers)],
        controls: controls.map(|c| ("c.toml", c)),
        ..Input::default()
    };
    input.options.allow_internal_evidence = true;
    input.options.csv = csv;
    input.run().unwrap()
}

fn file<'a>(files: &'a [RenderedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no {path} among {:?}",
                files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        })
        .contents
}

fn markdown() -> String {
    let checked = checked(BANK, &answers(), None, false);
    let files = checked.render();
    file(&files, "questionnaires/demo.md").to_owned()
}

#[test]
fn natural_order_and_counts() {
    let md = markdown();
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headings,
        [
            "# Demo \\| \\*Title\\*",
            "## Summary",
            "## D-2: Second \\| pipe",
            "### Q-9",
            "### Q-10",
            "## D-10: Tenth",
            "### Q-1",
            "### Q-2",
        ]
    );
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(
        rows,
        [
            "| Domain | Title | Yes | Partial | No | N/A | Total |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
            "| D-2 | Second \\| pipe | 1 | 1 | 0 | 0 | 2 |",
            "| D-10 | Tenth | 0 | 0 | 1 | 1 | 2 |",
            "| **All** | | 1 | 1 | 1 | 1 | 4 |",
        ]
    );
    assert!(md.contains(
        "\n4 questions in 2 domains: 1 Yes, 1 Partial, 1 No, 1 N/A. Evidence links point to files \
         in this package; internal evidence is not included and is marked \"available to auditors \
         on request\".\n"
    ));
    // The table parses as a table with the pipe kept inside its cell.
    assert_eq!(
        table_rows(&md),
        [
            vec!["Domain", "Title", "Yes", "Partial", "No", "N/A", "Total"],
            vec!["D-2", "Second | pipe", "1", "1", "0", "0", "2"],
            vec!["D-10", "Tenth", "0", "0", "1", "1", "2"],
            vec!["All", "", "1", "1", "1", "1", "4"],
        ]
    );
}

#[test]
fn each_answer_block() {
    let md = markdown();
    let start = md.find("### Q-9\n").unwrap();
    let end = md.find("### Q-10\n").unwrap();
    assert_eq!(
        &md[start..end],
        "### Q-9\n\n> Nine?\n\n**Answer:** Partial\n\nBecause.\n\n\
         - Evidence: [`policies/x.md`](../policies/x.md), internal document, available to auditors on request\n\
         - Owner: @ops, \"team\"\n- Last reviewed: 2026-09-01\n\n"
    );
    let q1 = &md[md.find("### Q-1\n").unwrap()..md.find("### Q-2\n").unwrap()];
    assert!(q1.contains("\n- Evidence: none cited\n"), "{q1}");
}

#[test]
fn links_are_relative_and_resolve() {
    let checked = checked(BANK, &answers(), None, false);
    let md = file(&checked.render(), "questionnaires/demo.md").to_owned();
    assert_eq!(
        links(&md),
        [
            "../policies/x.md",
            "../PUBLIC/a%20b%281%29.md",
            "../hardening/h.md",
        ]
    );
    assert_eq!(
        resolve("questionnaires/demo.md", "../PUBLIC/a%20b%281%29.md").unwrap(),
        "PUBLIC/a b(1).md"
    );
    let package: BTreeSet<String> = ["policies/x.md", "PUBLIC/a b(1).md", "hardening/h.md"]
        .map(String::from)
        .into();
    assert_eq!(assert_links_resolve(&checked, &package), 3);
}

#[test]
fn user_text_renders_literally() {
    let md = markdown();
    let events: Vec<Event<'_>> = Parser::new_ext(&md, MdOptions::ENABLE_TABLES).collect();
    // No raw HTML, emphasis, strikethrough, images or code spans come from user text.
    for event in &events {
        assert!(
            !matches!(
                event,
                Event::Html(_)
                    | Event::InlineHtml(_)
                    | Event::Start(Tag::Emphasis | Tag::Strikethrough | Tag::Image { .. })
            ),
            "{event:?}"
        );
    }
    let strong = events
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::Strong)))
        .count();
    assert_eq!(strong, 4 + 1, "one **Answer:** per question and **All**");
    let headings = events
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::Heading { .. })))
        .count();
    assert_eq!(headings, 8);
    let items = events
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::Item)))
        .count();
    assert_eq!(
        items,
        4 * 3,
        "evidence, owner and last reviewed per question"
    );

    let quotes = block_texts(&md, |t| matches!(t, Tag::BlockQuote(_)));
    assert_eq!(
        quotes,
        [
            "Nine?",
            "Ten?",
            NASTY,
            "- not a list 1. not a list either> not a quote",
        ]
    );
    let paragraphs = block_texts(&md, |t| matches!(t, Tag::Paragraph));
    assert!(paragraphs.contains(&"Intro line one still one.".to_owned()));
    assert!(paragraphs.contains(&"# Not a heading <b>bold</b>".to_owned()));
    assert!(paragraphs.contains(&"=HYPERLINK(\"http://evil.example\")".to_owned()));
    assert!(paragraphs.contains(&"+ second, paragraph".to_owned()));
}

#[test]
fn csv_export() {
    let checked = checked(BANK, &answers(), None, true);
    let files = checked.render();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["questionnaires/demo.csv", "questionnaires/demo.md"]);
    let csv = file(&files, "questionnaires/demo.csv");
    let expected = [
        "Domain ID,Domain,Question ID,Question,Answer,Explanation,Evidence,Owner,Last reviewed\r\n",
        "D-2,Second | pipe,Q-9,Nine?,Partial,Because.,\"policies/x.md; internal document, available to auditors on request\",\"'@ops, \"\"team\"\"\",2026-09-01\r\n",
        "D-2,Second | pipe,Q-10,Ten?,Yes,Because.,PUBLIC/a b(1).md,Security,2026-09-01\r\n",
        &format!("D-10,Tenth,Q-1,{NASTY},N/A,Because.,,Security,2026-09-01\r\n"),
        "D-10,Tenth,Q-2,\"'- not a list 1. not a list either\n\n> not a quote\",No,\"'=HYPERLINK(\"\"http://evil.example\"\")\n\n+ second, paragraph\",hardening/h.md,Security,2026-09-01\r\n",
    ]
    .concat();
    assert_eq!(csv, expected);

    // A third-party RFC 4180 reader gets the cells back, defused with a leading quote.
    if let Some(rows) = python_rows(csv) {
        let expected: Vec<Vec<&str>> = vec![
            vec![
                "Domain ID",
                "Domain",
                "Question ID",
                "Question",
                "Answer",
                "Explanation",
                "Evidence",
                "Owner",
                "Last reviewed",
            ],
            vec![
                "D-2",
                "Second | pipe",
                "Q-9",
                "Nine?",
                "Partial",
                "Because.",
                "policies/x.md; internal document, available to auditors on request",
                "'@ops, \"team\"",
                "2026-09-01",
            ],
            vec![
                "D-2",
                "Second | pipe",
                "Q-10",
                "Ten?",
                "Yes",
                "Because.",
                "PUBLIC/a b(1).md",
                "Security",
                "2026-09-01",
            ],
            vec![
                "D-10",
                "Tenth",
                "Q-1",
                NASTY,
                "N/A",
                "Because.",
                "",
                "Security",
                "2026-09-01",
            ],
            vec![
                "D-10",
                "Tenth",
                "Q-2",
                "'- not a list 1. not a list either\n\n> not a quote",
                "No",
                "'=HYPERLINK(\"http://evil.example\")\n\n+ second, paragraph",
                "hardening/h.md",
                "Security",
                "2026-09-01",
            ],
        ];
        assert_eq!(rows, expected);
    }
}

#[test]
fn output_does_not_depend_on_input_order() {
    let reordered_bank = {
        let (head, rest) = BANK.split_at(BANK.find("[[domain]]").unwrap());
        let blocks: Vec<&str> = rest.split_inclusive("\n\n").collect();
        let mut reversed = blocks.clone();
        reversed.reverse();
        format!(
            "{head}{}",
            reversed.concat().replace("?\"\n[[", "?\"\n\n[[")
        )
    };
    let answers = answers();
    let reordered_answers = {
        let (head, rest) = answers.split_at(answers.find("[[answer]]").unwrap());
        let mut blocks: Vec<String> = rest
            .split("[[answer]]")
            .filter(|b| !b.is_empty())
            .map(|b| format!("[[answer]]{b}"))
            .collect();
        blocks.reverse();
        format!("{head}{}", blocks.concat())
    };
    assert_ne!(reordered_answers, answers);
    let a = checked(BANK, &answers, None, true).render();
    let b = checked(&reordered_bank, &reordered_answers, None, true).render();
    assert_eq!(a, b);
    assert_eq!(a, checked(BANK, &answers, None, true).render());
}

const CONTROLS: &str = r#"title = "Controls | summary"
description = "Intro *text*."

[[control]]
id = "C-10"
title = "Tenth"
description = "Tenth control.\n\nSecond paragraph."
frameworks = ["SOC 2 CC6.10", "CCM IAM-02", "GDPR"]
evidence = ["public/a b(1).md", "internal/r.md"]
owner = "GRC"

[[control]]
id = "C-2"
title = "Second"
description = "Second control."
frameworks = ["SOC 2 CC6.2", "ISO 27001 A.8.5", "SOC 2 CC6.10"]
"#;

#[test]
fn controls_summary() {
    let answers = answers();
    let checked = checked(BANK, &answers, Some(CONTROLS), false);
    let files = checked.render();
    let md = file(&files, "CONTROLS_SUMMARY.md");
    let outline: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with('#') || l.starts_with('|') || l.starts_with("- "))
        .collect();
    assert_eq!(
        outline,
        [
            "# Controls \\| summary",
            "## Controls",
            "| Control | Title | Framework references | Evidence |",
            "| --- | --- | --- | --- |",
            "| C-2 | Second | SOC 2 CC6.2, ISO 27001 A.8.5, SOC 2 CC6.10 | none cited |",
            "| C-10 | Tenth | SOC 2 CC6.10, CCM IAM-02, GDPR | [`PUBLIC/a b(1).md`](PUBLIC/a%20b%281%29.md), internal document, available to auditors on request |",
            "## Control details",
            "### C-2: Second",
            "- Framework references: SOC 2 CC6.2, ISO 27001 A.8.5, SOC 2 CC6.10",
            "- Evidence: none cited",
            "### C-10: Tenth",
            "- Framework references: SOC 2 CC6.10, CCM IAM-02, GDPR",
            "- Evidence: [`PUBLIC/a b(1).md`](PUBLIC/a%20b%281%29.md), internal document, available to auditors on request",
            "- Owner: GRC",
            "## Framework reference index",
            "### Other references",
            "| Reference | Controls |",
            "| --- | --- |",
            "| GDPR | C-10 |",
            "### CCM",
            "| Reference | Controls |",
            "| --- | --- |",
            "| IAM-02 | C-10 |",
            "### ISO 27001",
            "| Reference | Controls |",
            "| --- | --- |",
            "| A.8.5 | C-2 |",
            "### SOC 2",
            "| Reference | Controls |",
            "| --- | --- |",
            "| CC6.2 | C-2 |",
            "| CC6.10 | C-2, C-10 |",
        ]
    );
    assert!(md.contains(
        "\n2 controls mapped to 5 framework references in 4 frameworks. Evidence links point to \
         files in this package; internal evidence is not included and is marked \"available to \
         auditors on request\".\n"
    ));
    assert!(md.contains("\nIntro \\*text\\*.\n"));
    assert!(md.contains("\nTenth control.\n\nSecond paragraph.\n"));
    assert_eq!(
        links(md),
        ["PUBLIC/a%20b%281%29.md", "PUBLIC/a%20b%281%29.md"]
    );
    let package: BTreeSet<String> = ["policies/x.md", "PUBLIC/a b(1).md", "hardening/h.md"]
        .map(String::from)
        .into();
    assert_eq!(assert_links_resolve(&checked, &package), 3 + 2);
}

/// The text of every block whose start tag matches, concatenated, whitespace as rendered.
fn block_texts(md: &str, matches: impl Fn(&Tag<'_>) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for event in Parser::new_ext(md, MdOptions::ENABLE_TABLES) {
        match event {
            Event::Start(tag) if matches(&tag) => {
                depth += 1;
            }
            Event::End(end) if depth > 0 && is_end_of(&end, &matches) => {
                depth -= 1;
                if depth == 0 {
                    out.push(std::mem::take(&mut current));
                }
            }
            Event::Text(text) | Event::Code(text) if depth > 0 => current.push_str(&text),
            Event::SoftBreak if depth > 0 => current.push(' '),
            _ => {}
        }
    }
    out
}

fn is_end_of(end: &TagEnd, matches: &impl Fn(&Tag<'_>) -> bool) -> bool {
    match end {
        TagEnd::BlockQuote(kind) => matches(&Tag::BlockQuote(*kind)),
        TagEnd::Paragraph => matches(&Tag::Paragraph),
        _ => false,
    }
}

/// The cells of every table row, as text.
fn table_rows(md: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(md, MdOptions::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap()),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => rows.push(std::mem::take(&mut row)),
            Event::Text(text) | Event::Code(text) => {
                if let Some(cell) = cell.as_mut() {
                    cell.push_str(&text);
                }
            }
            _ => {}
        }
    }
    rows
}

/// Parses CSV with Python's csv module (a third-party RFC 4180 reader); `None` when the tools
/// venv is missing locally (secpack-testkit fails the test under CI). Python prints each cell
/// hex-encoded, so that nothing needs escaping on the way back.
fn python_rows(csv: &str) -> Option<Vec<Vec<String>>> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let python = secpack_testkit::python()?;
    let mut child = Command::new(python)
        .args([
            "-c",
            "import csv, io, sys\n\
             data = sys.stdin.buffer.read().decode('utf-8')\n\
             for row in csv.reader(io.StringIO(data, newline=''), strict=True):\n\
             \x20   print(' '.join(cell.encode('utf-8').hex() for cell in row))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(csv.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "python csv failed");
    let text = String::from_utf8(output.stdout).unwrap();
    Some(
        text.lines()
            .map(|line| line.split(' ').map(unhex).collect())
            .collect(),
    )
}

fn unhex(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    String::from_utf8(bytes).unwrap()
}
