//! Cross-checks of banks, answers and controls; collects every problem before giving up.

use std::collections::BTreeMap;

use crate::Date;
use crate::error::{Diagnostic, Error, Location, Problem, Severity};
use crate::evidence::{Evidence, EvidenceIndex};
use crate::model::{AnswerSheet, Bank, Controls, Located};
use crate::natural::natural_cmp;
use crate::options::{Options, StaleReview};

/// A questionnaire answer value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnswerValue {
    Yes,
    Partial,
    No,
    NotApplicable,
}

impl AnswerValue {
    /// Every value, in the order of the summary table's columns.
    pub const ALL: [AnswerValue; 4] = [
        AnswerValue::Yes,
        AnswerValue::Partial,
        AnswerValue::No,
        AnswerValue::NotApplicable,
    ];

    /// The spelling in answers files and rendered documents: `Yes`, `Partial`, `No`, `N/A`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerValue::Yes => "Yes",
            AnswerValue::Partial => "Partial",
            AnswerValue::No => "No",
            AnswerValue::NotApplicable => "N/A",
        }
    }

    /// Parses the exact spelling of [`AnswerValue::as_str`].
    pub fn parse(text: &str) -> Option<AnswerValue> {
        AnswerValue::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

/// Where one piece of evidence is, after resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EvidenceLink {
    /// A file in the package, relative to the package root.
    Shipped { package_path: String },
    /// Internal evidence allowed by `allow_internal_evidence`: named nowhere in the output.
    OnRequest,
}

/// Validated questionnaires and controls, ready to render. Only [`validate`] and
/// [`crate::check`] make one, so everything in it has passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub(crate) questionnaires: Vec<Questionnaire>,
    pub(crate) controls: Option<ControlsSummary>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) csv: bool,
}

impl Checked {
    /// Sorted by id in natural order.
    pub fn questionnaires(&self) -> &[Questionnaire] {
        &self.questionnaires
    }

    /// Present when a controls file was given.
    pub fn controls(&self) -> Option<&ControlsSummary> {
        self.controls.as_ref()
    }

    /// Warnings that did not stop validation (stale or future review dates), sorted by file and
    /// location. Print them.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

/// One validated questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaire {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) domains: Vec<DomainAnswers>,
}

impl Questionnaire {
    /// The bank id; the rendered files are `questionnaires/<id>.md` and `questionnaires/<id>.csv`.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// Number of answered questions (equal to the number of questions: all are answered).
    pub fn len(&self) -> usize {
        self.domains.iter().map(|d| d.entries.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many answers of each value, over all domains.
    pub fn counts(&self) -> BTreeMap<AnswerValue, usize> {
        let mut counts = BTreeMap::new();
        for entry in self.domains.iter().flat_map(|d| &d.entries) {
            *counts.entry(entry.answer).or_insert(0) += 1;
        }
        counts
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainAnswers {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) question: String,
    pub(crate) answer: AnswerValue,
    pub(crate) explanation: String,
    pub(crate) evidence: Vec<EvidenceLink>,
    pub(crate) owner: String,
    pub(crate) last_reviewed: Date,
}

/// The validated controls file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlsSummary {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) controls: Vec<CheckedControl>,
}

impl ControlsSummary {
    /// Number of controls.
    pub fn len(&self) -> usize {
        self.controls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.controls.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedControl {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) frameworks: Vec<String>,
    pub(crate) evidence: Vec<EvidenceLink>,
    pub(crate) owner: Option<String>,
}

/// Check banks, answers and controls against each other and against the evidence index.
///
/// `today` is the build date (the release commit's date, never the wall clock): review ages are
/// measured against it. Returns [`Error::Invalid`] with every problem found, warnings included,
/// when there is at least one error; otherwise the checked data and its warnings.
pub fn validate(
    banks: &[Bank],
    answers: &[AnswerSheet],
    controls: Option<&Controls>,
    index: &dyn EvidenceIndex,
    options: &Options,
    today: Date,
) -> Result<Checked, Error> {
    let mut v = Validator {
        index,
        options,
        today,
        diagnostics: Vec::new(),
    };

    let mut bank_by_id: BTreeMap<&str, &Bank> = BTreeMap::new();
    for bank in banks {
        v.check_bank(bank);
        let id = bank.id.value.as_str();
        match bank_by_id.get(id) {
            Some(first) => v.push(
                Severity::Error,
                &bank.file,
                bank.id.location,
                Some(id),
                Some("id"),
                Problem::DuplicateId {
                    kind: "questionnaire",
                    id: id.to_owned(),
                    first_file: first.file.clone(),
                    first_line: first.id.location.line,
                },
            ),
            None => {
                bank_by_id.insert(id, bank);
            }
        }
    }

    let mut sheet_by_bank: BTreeMap<&str, (&AnswerSheet, BTreeMap<&str, Vec<EvidenceLink>>)> =
        BTreeMap::new();
    for sheet in answers {
        let bank_id = sheet.bank.value.as_str();
        let bank = bank_by_id.get(bank_id).copied();
        if bank.is_none() {
            v.push(
                Severity::Error,
                &sheet.file,
                sheet.bank.location,
                None,
                Some("bank"),
                Problem::UnknownBank {
                    bank: bank_id.to_owned(),
                },
            );
        } else if let Some((first, _)) = sheet_by_bank.get(bank_id) {
            v.push(
                Severity::Error,
                &sheet.file,
                sheet.bank.location,
                None,
                Some("bank"),
                Problem::DuplicateAnswers {
                    bank: bank_id.to_owned(),
                    first_file: first.file.clone(),
                },
            );
        } else {
            let evidence = v.check_sheet(sheet, bank);
            sheet_by_bank.insert(bank_id, (sheet, evidence));
            continue;
        }
        // The answers' own fields are checked even when the sheet cannot be matched to a bank.
        v.check_sheet(sheet, None);
    }

    let mut questionnaires = Vec::new();
    for (bank_id, bank) in &bank_by_id {
        match sheet_by_bank.get_mut(bank_id) {
            Some((sheet, evidence)) => questionnaires.push(questionnaire(bank, sheet, evidence)),
            None => v.push(
                Severity::Error,
                &bank.file,
                bank.id.location,
                Some(bank_id),
                Some("id"),
                Problem::MissingAnswers {
                    bank: (*bank_id).to_owned(),
                },
            ),
        }
    }
    questionnaires.sort_by(|a, b| natural_cmp(&a.id, &b.id));

    let controls = controls.map(|c| v.controls(c));

    let mut diagnostics = v.diagnostics;
    diagnostics.sort_by(|a, b| {
        (&a.file, a.location)
            .cmp(&(&b.file, b.location))
            .then_with(|| b.severity.cmp(&a.severity))
    });
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid { diagnostics });
    }
    Ok(Checked {
        questionnaires,
        controls,
        warnings: diagnostics,
        csv: options.csv,
    })
}

struct Validator<'a> {
    index: &'a dyn EvidenceIndex,
    options: &'a Options,
    today: Date,
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn push(
        &mut self,
        severity: Severity,
        file: &str,
        location: Location,
        id: Option<&str>,
        field: Option<&'static str>,
        problem: Problem,
    ) {
        self.diagnostics.push(Diagnostic {
            severity,
            file: file.to_owned(),
            location,
            id: id.map(str::to_owned),
            field,
            problem,
        });
    }

    fn error(&mut self, file: &str, id: &str, field: &'static str, at: Location, problem: Problem) {
        self.push(Severity::Error, file, at, Some(id), Some(field), problem);
    }

    fn non_empty(&mut self, file: &str, id: &str, field: &'static str, text: &Located<String>) {
        if text.value.trim().is_empty() {
            self.error(
                file,
                id,
                field,
                text.location,
                Problem::EmptyField { field },
            );
        }
    }

    /// Checks an item id's shape; `kind` is used for duplicate messages by the caller.
    fn item_id(&mut self, file: &str, id: &Located<String>) {
        let reason = if id.value.is_empty() {
            Some("ids must not be empty")
        } else if id
            .value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            Some("ids must not contain spaces or control characters")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.error(
                file,
                &id.value,
                "id",
                id.location,
                Problem::InvalidId {
                    id: id.value.clone(),
                    reason,
                },
            );
        }
    }

    /// Reports ids seen before in `seen` (id → first line); records new ones.
    fn unique<'s>(
        &mut self,
        file: &str,
        kind: &'static str,
        id: &'s Located<String>,
        seen: &mut BTreeMap<&'s str, usize>,
    ) -> bool {
        if let Some(&first_line) = seen.get(id.value.as_str()) {
            self.error(
                file,
                &id.value,
                "id",
                id.location,
                Problem::DuplicateId {
                    kind,
                    id: id.value.clone(),
                    first_file: file.to_owned(),
                    first_line,
                },
            );
            false
        } else {
            seen.insert(&id.value, id.location.line);
            true
        }
    }

    fn check_bank(&mut self, bank: &Bank) {
        let file = bank.file.as_str();
        let id = &bank.id;
        if !is_slug(&id.value) {
            self.error(
                file,
                &id.value,
                "id",
                id.location,
                Problem::InvalidId {
                    id: id.value.clone(),
                    reason: "a questionnaire id names its output files: use lowercase letters, digits and '-', e.g. sig-lite",
                },
            );
        }
        self.non_empty(file, &id.value, "title", &bank.title);

        let mut domains = BTreeMap::new();
        for domain in &bank.domains {
            self.item_id(file, &domain.id);
            self.unique(file, "domain", &domain.id, &mut domains);
            self.non_empty(file, &domain.id.value, "title", &domain.title);
        }
        let mut questions = BTreeMap::new();
        for question in &bank.questions {
            let qid = question.id.value.as_str();
            self.item_id(file, &question.id);
            self.unique(file, "question", &question.id, &mut questions);
            if !domains.contains_key(question.domain.value.as_str()) {
                self.error(
                    file,
                    qid,
                    "domain",
                    question.domain.location,
                    Problem::UnknownDomain {
                        domain: question.domain.value.clone(),
                    },
                );
            }
            self.non_empty(file, qid, "text", &question.text);
        }
    }

    /// Checks every answer's own fields and resolves its evidence; when the sheet is the one
    /// matched to `bank`, also checks ids against the bank. Returns the evidence by answer id.
    fn check_sheet<'s>(
        &mut self,
        sheet: &'s AnswerSheet,
        bank: Option<&Bank>,
    ) -> BTreeMap<&'s str, Vec<EvidenceLink>> {
        let file = sheet.file.as_str();
        let mut seen = BTreeMap::new();
        let mut evidence = BTreeMap::new();
        for answer in &sheet.answers {
            let id = answer.id.value.as_str();
            self.item_id(file, &answer.id);
            let first = self.unique(file, "answer", &answer.id, &mut seen);
            if let Some(bank) = bank
                && !bank.questions.iter().any(|q| q.id.value == id)
            {
                self.error(
                    file,
                    id,
                    "id",
                    answer.id.location,
                    Problem::UnknownQuestion {
                        id: id.to_owned(),
                        bank: bank.id.value.clone(),
                        bank_file: bank.file.clone(),
                    },
                );
            }
            if AnswerValue::parse(&answer.answer.value).is_none() {
                self.error(
                    file,
                    id,
                    "answer",
                    answer.answer.location,
                    Problem::InvalidAnswer {
                        value: answer.answer.value.clone(),
                    },
                );
            }
            self.non_empty(file, id, "explanation", &answer.explanation);
            let links = self.evidence(file, id, &answer.evidence);
            self.non_empty(file, id, "owner", &answer.owner);
            self.review_date(file, id, &answer.last_reviewed);
            if first {
                evidence.insert(id, links);
            }
        }
        if let Some(bank) = bank {
            for question in &bank.questions {
                if !seen.contains_key(question.id.value.as_str()) {
                    self.error(
                        &bank.file,
                        &question.id.value,
                        "id",
                        question.id.location,
                        Problem::Unanswered {
                            id: question.id.value.clone(),
                            answers_file: sheet.file.clone(),
                        },
                    );
                }
            }
        }
        evidence
    }

    fn review_date(&mut self, file: &str, id: &str, date: &Located<Date>) {
        let age_days = self.today.days_since_epoch() - date.value.days_since_epoch();
        let max_days = self.options.max_review_age_days;
        if age_days < 0 {
            self.push(
                Severity::Warning,
                file,
                date.location,
                Some(id),
                Some("last_reviewed"),
                Problem::ReviewInFuture {
                    last_reviewed: date.value,
                    today: self.today,
                },
            );
        } else if age_days > i64::from(max_days) {
            let severity = match self.options.stale_review {
                StaleReview::Warn => Severity::Warning,
                StaleReview::Error => Severity::Error,
            };
            self.push(
                severity,
                file,
                date.location,
                Some(id),
                Some("last_reviewed"),
                Problem::StaleReview {
                    last_reviewed: date.value,
                    today: self.today,
                    age_days,
                    max_days,
                },
            );
        }
    }

    /// Resolves a list of evidence paths; problems are reported, bad entries left out.
    fn evidence(&mut self, file: &str, id: &str, paths: &[Located<String>]) -> Vec<EvidenceLink> {
        let mut links = Vec::new();
        let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
        for path in paths {
            let at = path.location;
            let source = path.value.as_str();
            if let Err(reason) = check_relative_path(source) {
                self.error(
                    file,
                    id,
                    "evidence",
                    at,
                    Problem::InvalidEvidencePath {
                        path: source.to_owned(),
                        reason,
                    },
                );
                continue;
            }
            if seen.insert(source, ()).is_some() {
                self.error(
                    file,
                    id,
                    "evidence",
                    at,
                    Problem::DuplicateEntry {
                        value: source.to_owned(),
                    },
                );
                continue;
            }
            match self.index.resolve(source) {
                Evidence::Shipped { package_path } => {
                    if check_relative_path(&package_path).is_ok() {
                        links.push(EvidenceLink::Shipped { package_path });
                    } else {
                        self.error(
                            file,
                            id,
                            "evidence",
                            at,
                            Problem::InvalidPackagePath {
                                path: source.to_owned(),
                                package_path,
                            },
                        );
                    }
                }
                Evidence::Internal if self.options.allow_internal_evidence => {
                    links.push(EvidenceLink::OnRequest);
                }
                Evidence::Internal => self.error(
                    file,
                    id,
                    "evidence",
                    at,
                    Problem::EvidenceInternal {
                        path: source.to_owned(),
                    },
                ),
                Evidence::NotShipped => self.error(
                    file,
                    id,
                    "evidence",
                    at,
                    Problem::EvidenceNotShipped {
                        path: source.to_owned(),
                    },
                ),
                Evidence::Missing => self.error(
                    file,
                    id,
                    "evidence",
                    at,
                    Problem::EvidenceMissing {
                        path: source.to_owned(),
                    },
                ),
            }
        }
        links
    }

    fn controls(&mut self, controls: &Controls) -> ControlsSummary {
        let file = controls.file.as_str();
        let mut seen = BTreeMap::new();
        let mut checked = Vec::new();
        for control in &controls.controls {
            let id = control.id.value.as_str();
            self.item_id(file, &control.id);
            let first = self.unique(file, "control", &control.id, &mut seen);
            self.non_empty(file, id, "title", &control.title);
            self.non_empty(file, id, "description", &control.description);
            if let Some(owner) = &control.owner {
                self.non_empty(file, id, "owner", owner);
            }
            let mut frameworks: Vec<String> = Vec::new();
            for reference in &control.frameworks {
                let value = reference
                    .value
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let value = value.as_str();
                if value.is_empty() {
                    self.error(
                        file,
                        id,
                        "frameworks",
                        reference.location,
                        Problem::EmptyField {
                            field: "frameworks",
                        },
                    );
                } else if frameworks.iter().any(|f| f == value) {
                    self.error(
                        file,
                        id,
                        "frameworks",
                        reference.location,
                        Problem::DuplicateEntry {
                            value: value.to_owned(),
                        },
                    );
                } else {
                    frameworks.push(value.to_owned());
                }
            }
            let evidence = self.evidence(file, id, &control.evidence);
            if first {
                checked.push(CheckedControl {
                    id: id.to_owned(),
                    title: control.title.value.clone(),
                    description: control.description.value.clone(),
                    frameworks,
                    evidence,
                    owner: control.owner.as_ref().map(|o| o.value.clone()),
                });
            }
        }
        checked.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        ControlsSummary {
            title: controls.title.clone(),
            description: controls.description.clone(),
            controls: checked,
        }
    }
}

/// Builds the rendered form of a bank and its answers. Duplicates, unanswered questions and
/// invalid values are left out here: validation has reported them and no `Checked` is returned.
fn questionnaire(
    bank: &Bank,
    sheet: &AnswerSheet,
    evidence: &mut BTreeMap<&str, Vec<EvidenceLink>>,
) -> Questionnaire {
    let mut domains: Vec<DomainAnswers> = Vec::new();
    for domain in &bank.domains {
        if domains.iter().any(|d| d.id == domain.id.value) {
            continue;
        }
        let mut entries: Vec<Entry> = Vec::new();
        for question in bank
            .questions
            .iter()
            .filter(|q| q.domain.value == domain.id.value)
        {
            if entries.iter().any(|e| e.id == question.id.value) {
                continue;
            }
            let Some(answer) = sheet
                .answers
                .iter()
                .find(|a| a.id.value == question.id.value)
            else {
                continue;
            };
            let Some(value) = AnswerValue::parse(&answer.answer.value) else {
                continue;
            };
            entries.push(Entry {
                id: question.id.value.clone(),
                question: question.text.value.clone(),
                answer: value,
                explanation: answer.explanation.value.clone(),
                evidence: evidence
                    .remove(answer.id.value.as_str())
                    .unwrap_or_default(),
                owner: answer.owner.value.clone(),
                last_reviewed: answer.last_reviewed.value,
            });
        }
        entries.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        domains.push(DomainAnswers {
            id: domain.id.value.clone(),
            title: domain.title.value.clone(),
            entries,
        });
    }
    domains.retain(|d| !d.entries.is_empty());
    domains.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    Questionnaire {
        id: bank.id.value.clone(),
        title: bank.title.value.clone(),
        description: bank.description.clone(),
        domains,
    }
}

/// `sig-lite`: lowercase ASCII letters and digits in runs joined by single `-`.
fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A path relative to a root, `/`-separated, that cannot leave the root.
pub(crate) fn check_relative_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("it is empty");
    }
    if path.starts_with('/') {
        return Err("it is absolute");
    }
    if path.contains('\\') {
        return Err("it contains a backslash; use '/'");
    }
    if path.chars().any(char::is_control) {
        return Err("it contains a control character");
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err("it has an empty segment"),
            "." | ".." => return Err("it has a '.' or '..' segment"),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{AnswerValue, check_relative_path, is_slug};

    #[test]
    fn slugs() {
        for ok in ["sig-lite", "caiq-lite", "a", "v4-0-3"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in [
            "",
            "SIG",
            "sig lite",
            "sig--lite",
            "-sig",
            "sig-",
            "sig_lite",
            "../x",
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn relative_paths() {
        let check = |path: &str, expected: Result<(), &str>| {
            assert_eq!(check_relative_path(path), expected, "{path}");
        };
        check("policies/access-control-policy.md", Ok(()));
        check("a b/c (1).md", Ok(()));
        check("", Err("it is empty"));
        check("/etc/passwd", Err("it is absolute"));
        check("policies\\x.md", Err("it contains a backslash; use '/'"));
        check("policies//x.md", Err("it has an empty segment"));
        check("policies/", Err("it has an empty segment"));
        check("./policies/x.md", Err("it has a '.' or '..' segment"));
        check(
            "policies/../internal/x",
            Err("it has a '.' or '..' segment"),
        );
        check("a\nb", Err("it contains a control character"));
    }

    #[test]
    fn answer_values_round_trip() {
        for value in AnswerValue::ALL {
            assert_eq!(AnswerValue::parse(value.as_str()), Some(value));
        }
        for bad in ["yes", "NA", "n/a", "Maybe", "", " Yes"] {
            assert_eq!(AnswerValue::parse(bad), None, "{bad}");
        }
    }
}
