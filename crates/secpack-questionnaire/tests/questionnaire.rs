//! Integration tests of secpack-questionnaire: parsing, validation, rendering, the Summit fixture
//! and the examples of docs/questionnaires.md.
//!
//! Expected outputs of the Summit fixture live in `fixtures/questionnaire/expected/`; after an
//! intended change of the rendering, regenerate them with
//! `SECPACK_BLESS=1 cargo test -p secpack-questionnaire` and review the diff.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "questionnaire/docs.rs"]
mod docs;
#[path = "questionnaire/parse.rs"]
mod parse;
#[path = "questionnaire/render.rs"]
mod render;
#[path = "questionnaire/summit.rs"]
mod summit;
#[path = "questionnaire/validate.rs"]
mod validate;

use std::collections::BTreeSet;

use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag};
use secpack_questionnaire::{Checked, Date, Error, Evidence, Options, Source, Sources, check};

/// The build date of the small inline cases.
fn today() -> Date {
    Date::new(2026, 10, 1).unwrap()
}

/// The evidence index of the inline cases: `policies/` and `hardening/` are shipped as is,
/// `public/x` is shipped renamed to `PUBLIC/x`, `internal/` is internal, `escape/` maps outside the
/// package (a caller bug), `unmapped/` exists but is not in the package, everything else is missing.
fn index(path: &str) -> Evidence {
    if path.starts_with("policies/") || path.starts_with("hardening/") {
        Evidence::Shipped {
            package_path: path.to_owned(),
        }
    } else if let Some(rest) = path.strip_prefix("public/") {
        Evidence::Shipped {
            package_path: format!("PUBLIC/{rest}"),
        }
    } else if path.starts_with("internal/") {
        Evidence::Internal
    } else if path.starts_with("unmapped/") {
        Evidence::NotShipped
    } else if path.starts_with("escape/") {
        Evidence::Shipped {
            package_path: "../outside.md".to_owned(),
        }
    } else {
        Evidence::Missing
    }
}

/// Where the Summit fixture's secpack.toml puts a file, by its source path.
fn summit_layout(path: &str) -> Evidence {
    let shipped = |package_path: String| Evidence::Shipped { package_path };
    match path {
        "policies/vulnerability-disclosure.md" => {
            shipped("policies/VULNERABILITY_DISCLOSURE.md".to_owned())
        }
        "policies/security-contact.md" => shipped("policies/SECURITY_CONTACT.md".to_owned()),
        p if p.starts_with("internal/") || p == "README.md" || p == "secpack.toml" => {
            Evidence::Internal
        }
        p if p.starts_with("hardening/") => shipped(p.to_owned()),
        p if p.starts_with("evidence/") => shipped(format!("artifacts/{p}")),
        p if p.starts_with("policies/") && p.ends_with("-policy.md") => {
            shipped(format!("artifacts/evidence/{p}"))
        }
        _ => Evidence::NotShipped,
    }
}

/// Input files as (name, text).
#[derive(Default)]
struct Input<'a> {
    banks: Vec<(&'a str, &'a str)>,
    answers: Vec<(&'a str, &'a str)>,
    controls: Option<(&'a str, &'a str)>,
    options: Options,
}

impl Input<'_> {
    fn run(&self) -> Result<Checked, Error> {
        let sources = Sources {
            banks: self
                .banks
                .iter()
                .map(|&(file, text)| Source { file, text })
                .collect(),
            answers: self
                .answers
                .iter()
                .map(|&(file, text)| Source { file, text })
                .collect(),
            controls: self.controls.map(|(file, text)| Source { file, text }),
        };
        check(&sources, &index, &self.options, today())
    }
}

/// One `[[answer]]` block of 7 lines: id on its line 2 (column 6), answer on line 3 (column 10),
/// evidence on line 5 (first item at column 13), last_reviewed on line 7 (column 17).
fn answer(id: &str, value: &str, evidence: &str, last_reviewed: &str) -> String {
    format!(
        "[[answer]]\nid = \"{id}\"\nanswer = \"{value}\"\nexplanation = \"Because.\"\n\
         evidence = [{evidence}]\nowner = \"Security\"\nlast_reviewed = {last_reviewed}\n"
    )
}

/// An answers file for `bank`: line 1 is `bank = ...`, answer k (from 0) starts at line 2 + 7k.
fn sheet(bank: &str, answers: &[String]) -> String {
    format!("bank = \"{bank}\"\n{}", answers.concat())
}

/// The destinations of every link and image in a Markdown document (CommonMark + GFM tables).
fn links(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, MdOptions::ENABLE_TABLES)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect()
}

/// Resolves a relative link found in the package document `from` to a package path.
fn resolve(from: &str, link: &str) -> Result<String, String> {
    if link.contains(':') || link.starts_with('/') || link.starts_with('#') {
        return Err(format!("{from}: link `{link}` is not a relative file link"));
    }
    let decoded = percent_decode(link)?;
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in decoded.split('/') {
        match segment {
            ".." => {
                parts
                    .pop()
                    .ok_or_else(|| format!("{from}: link `{link}` leaves the package"))?;
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("truncated escape in `{text}`"))?;
            out.push(u8::from_str_radix(hex, 16).map_err(|e| format!("{text}: {e}"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// Checks that every link of every rendered Markdown file resolves to one of `files`.
fn assert_links_resolve(checked: &Checked, files: &BTreeSet<String>) -> usize {
    let mut count = 0;
    for file in checked.render() {
        if !file.path.ends_with(".md") {
            continue;
        }
        for link in links(&file.contents) {
            let target = resolve(&file.path, &link).unwrap();
            assert!(
                files.contains(&target),
                "{}: link `{link}` resolves to `{target}`, which is not in the package",
                file.path
            );
            count += 1;
        }
    }
    count
}
