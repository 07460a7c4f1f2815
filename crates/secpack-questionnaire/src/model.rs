//! The TOML data model (question banks, answers, controls) and its parsers.
//!
//! Parsing checks syntax, types and keys only, stopping at the first problem of a file with its
//! file:line:col. Everything that needs more than one value (ids, answers, evidence, dates) is
//! checked by [`crate::validate`], which collects every problem.

use serde::Deserialize;
use toml::Spanned;

use crate::Date;
use crate::error::{Error, LineIndex, Location, Problem};

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub location: Location,
}

/// A question bank: the questions of one questionnaire, in the user's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    /// The origin name given to [`parse_bank`].
    pub file: String,
    /// Names the answers file's `bank` and the rendered file (`questionnaires/<id>.md`).
    pub id: Located<String>,
    pub title: Located<String>,
    pub description: Option<String>,
    pub domains: Vec<Domain>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub id: Located<String>,
    pub title: Located<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: Located<String>,
    pub domain: Located<String>,
    pub text: Located<String>,
}

/// The answers to one question bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerSheet {
    /// The origin name given to [`parse_answers`].
    pub file: String,
    /// The id of the bank these answers belong to.
    pub bank: Located<String>,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub id: Located<String>,
    /// As written; [`crate::validate`] accepts `Yes`, `No`, `N/A` and `Partial`.
    pub answer: Located<String>,
    pub explanation: Located<String>,
    /// Source paths in the repository, resolved through an [`crate::EvidenceIndex`].
    pub evidence: Vec<Located<String>>,
    pub owner: Located<String>,
    pub last_reviewed: Located<Date>,
}

/// The controls file: controls mapped to framework references and evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controls {
    /// The origin name given to [`parse_controls`].
    pub file: String,
    /// The summary's heading; `Controls summary` when absent.
    pub title: Option<String>,
    /// Introductory text shown under the heading.
    pub description: Option<String>,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    pub id: Located<String>,
    pub title: Located<String>,
    pub description: Located<String>,
    /// Framework references as written, `<framework> <id>`: `SOC 2 CC6.1`, `ISO 27001 A.8.5`,
    /// `CCM IAM-02`. The last word is the id, the words before it name the framework.
    pub frameworks: Vec<Located<String>>,
    pub evidence: Vec<Located<String>>,
    pub owner: Option<Located<String>>,
}

/// Parse a question bank (see docs/questionnaires.md for the format).
///
/// `file` names the file in messages and in [`Bank::file`]; use its source path in the repository.
pub fn parse_bank(text: &str, file: &str) -> Result<Bank, Error> {
    let raw: RawBank = parse(text, file, "question bank")?;
    let lines = LineIndex::new(text);
    let at = |s| at(&lines, s);
    Ok(Bank {
        file: file.to_owned(),
        id: at(raw.id),
        title: at(raw.title),
        description: raw.description,
        domains: raw
            .domain
            .into_iter()
            .map(|d| Domain {
                id: at(d.id),
                title: at(d.title),
            })
            .collect(),
        questions: raw
            .question
            .into_iter()
            .map(|q| Question {
                id: at(q.id),
                domain: at(q.domain),
                text: at(q.text),
            })
            .collect(),
    })
}

/// Parse an answers file (see docs/questionnaires.md for the format).
pub fn parse_answers(text: &str, file: &str) -> Result<AnswerSheet, Error> {
    let raw: RawAnswers = parse(text, file, "answers file")?;
    let text = &LineIndex::new(text);
    Ok(AnswerSheet {
        file: file.to_owned(),
        bank: at(text, raw.bank),
        answers: raw
            .answer
            .into_iter()
            .map(|a| Answer {
                id: at(text, a.id),
                answer: at(text, a.answer),
                explanation: at(text, a.explanation),
                evidence: a.evidence.into_iter().map(|e| at(text, e)).collect(),
                owner: at(text, a.owner),
                last_reviewed: at(text, a.last_reviewed),
            })
            .collect(),
    })
}

/// Parse a controls file (see docs/questionnaires.md for the format).
pub fn parse_controls(text: &str, file: &str) -> Result<Controls, Error> {
    let raw: RawControls = parse(text, file, "controls file")?;
    let text = &LineIndex::new(text);
    Ok(Controls {
        file: file.to_owned(),
        title: raw.title,
        description: raw.description,
        controls: raw
            .control
            .into_iter()
            .map(|c| Control {
                id: at(text, c.id),
                title: at(text, c.title),
                description: at(text, c.description),
                frameworks: c.frameworks.into_iter().map(|f| at(text, f)).collect(),
                evidence: c.evidence.into_iter().map(|e| at(text, e)).collect(),
                owner: c.owner.map(|o| at(text, o)),
            })
            .collect(),
    })
}

/// Parse TOML into `T`, turning any error into [`Error::Toml`] with file:line:col.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
    what: &'static str,
) -> Result<T, Error> {
    toml::from_str(text).map_err(|err| Error::Toml {
        file: file.to_owned(),
        location: LineIndex::new(text).location(err.span().map_or(0, |s| s.start)),
        problem: Problem::Toml {
            what,
            message: err.message().trim_end().trim_end_matches('.').to_owned(),
        },
    })
}

fn at<T>(lines: &LineIndex<'_>, spanned: Spanned<T>) -> Located<T> {
    let location = lines.location(spanned.span().start);
    Located {
        value: spanned.into_inner(),
        location,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBank {
    id: Spanned<String>,
    title: Spanned<String>,
    description: Option<String>,
    #[serde(default)]
    domain: Vec<RawDomain>,
    #[serde(default)]
    question: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    id: Spanned<String>,
    title: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    domain: Spanned<String>,
    text: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswers {
    bank: Spanned<String>,
    #[serde(default)]
    answer: Vec<RawAnswer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    id: Spanned<String>,
    answer: Spanned<String>,
    explanation: Spanned<String>,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    owner: Spanned<String>,
    last_reviewed: Spanned<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControls {
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    control: Vec<RawControl>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: Spanned<String>,
    title: Spanned<String>,
    description: Spanned<String>,
    #[serde(default)]
    frameworks: Vec<Spanned<String>>,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    owner: Option<Spanned<String>>,
}
