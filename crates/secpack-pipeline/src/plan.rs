//! Planning: classify every file of the commit and decide what goes where in the package.
//!
//! Planning reads only git objects (tree entries, the config and the heads of Markdown
//! files for their declarations). It never writes anything.

use std::collections::BTreeMap;
use std::path::Path;

use secpack_archive::layout;
use secpack_classify::{Class, Classifier, Decision, declared_class, may_declare};
use serde::Serialize;

use crate::config::{CONFIG_FILE, Config};
use crate::error::{Error, ErrorKind};
use crate::source::{EntryType, Source};

/// What to plan.
#[derive(Debug, Clone, Copy)]
pub struct PlanRequest<'a> {
    /// The repository (its root or `.git` folder).
    pub repo: &'a Path,
    /// Tag, branch or commit id.
    pub rev: &'a str,
    /// When given, must agree with the commit's release tag (`v1.2.3` or `1.2.3`).
    pub version: Option<&'a str>,
}

/// How a shipped file is made from its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// Bytes copied unchanged.
    Copy,
    /// Markdown: internal sections removed, a source line appended.
    Markdown,
    /// The product's SLSA provenance: checked, redacted when configured
    /// (`[[product_provenance]]` entry `index`).
    ProductProvenance { index: usize },
    /// An SBOM: redacted with `[sbom_redact]` (`[[sbom]]` entry `index`).
    Sbom { index: usize },
}

impl Transform {
    pub const fn as_str(self) -> &'static str {
        match self {
            Transform::Copy => "copy",
            Transform::Markdown => "markdown",
            Transform::ProductProvenance { .. } => "provenance-check",
            Transform::Sbom { .. } => "sbom-redact",
        }
    }
}

/// One file of the package that comes from one source file.
#[derive(Debug, Clone)]
pub struct MappedFile {
    /// Destination, relative to the package's top folder.
    pub dest: String,
    pub source_path: String,
    pub oid: gix::ObjectId,
    pub class: Class,
    pub transform: Transform,
}

/// The decision for one file of the commit (the rows of `secpack plan`).
#[derive(Debug, Clone, Serialize)]
pub struct FileDecision {
    pub path: String,
    pub class: Class,
    pub rule: String,
    /// Where it goes in the package, or `None` when it is not shipped.
    pub dest: Option<String>,
    /// Why it is not shipped (`None` when shipped).
    pub excluded: Option<String>,
}

/// A planned package.
#[derive(Debug)]
pub struct Plan {
    pub source: Source,
    pub config: Config,
    /// The package version: the release tag.
    pub version: String,
    /// Every file of the commit, sorted by path.
    pub decisions: Vec<FileDecision>,
    /// Files shipped from sources, sorted by destination.
    pub mapped: Vec<MappedFile>,
    /// Things worth a look that do not stop a build.
    pub warnings: Vec<String>,
    /// Everything that stops a build.
    pub problems: Vec<Error>,
    /// Whether `artifacts/third-party-licenses.txt` is generated from the SBOMs.
    pub generate_licenses: bool,
    /// Documents rendered from data at planning time (questionnaires, controls summary).
    pub rendered: Vec<RenderedDoc>,
    /// `[questionnaires]` problems and warnings alone (for `secpack questionnaire check`).
    pub questionnaire_problems: Vec<String>,
    pub questionnaire_warnings: Vec<String>,
}

/// A document rendered from source data files.
#[derive(Debug, Clone)]
pub struct RenderedDoc {
    pub dest: String,
    pub bytes: Vec<u8>,
    pub generator: &'static str,
    /// Source files it was rendered from: (path, blob id, class).
    pub sources: Vec<(String, gix::ObjectId, Class)>,
}

impl Plan {
    /// Whether a build may proceed.
    pub fn is_buildable(&self) -> bool {
        self.problems.is_empty()
    }

    /// The most serious kind among the problems.
    pub fn problem_kind(&self) -> Option<ErrorKind> {
        if self.problems.is_empty() {
            None
        } else if self.problems.iter().any(|p| p.kind() == ErrorKind::Usage) {
            Some(ErrorKind::Usage)
        } else {
            Some(ErrorKind::Policy)
        }
    }
}

/// Open the commit, read its config, classify every file and map the package.
///
/// Errors that prevent planning at all (no repository, no commit, no tag, no config) are
/// returned as `Err`; problems with individual mappings are collected in
/// [`Plan::problems`] so that `secpack plan` can show all of them at once.
pub fn plan(req: &PlanRequest<'_>) -> Result<Plan, Error> {
    let source = Source::open(req.repo, req.rev)?;
    // An untagged commit can still be planned and scanned (pre-merge CI); only a build needs
    // the release tag, so its absence is a problem, not an early error.
    let mut release_problem = None;
    let version = match release_version(&source, req.version) {
        Ok(v) => v,
        Err(e @ Error::NoReleaseTag { .. }) => {
            release_problem = Some(e);
            format!(
                "untagged-{}",
                source.commit.get(..12).unwrap_or(&source.commit)
            )
        }
        Err(e) => return Err(e),
    };
    let config_entry = source
        .file(CONFIG_FILE)
        .filter(|e| e.kind == EntryType::File)
        .ok_or_else(|| Error::ConfigMissing {
            commit: source.commit.clone(),
        })?;
    let config_bytes = source.read_blob(config_entry.oid, CONFIG_FILE)?;
    let config_text = String::from_utf8(config_bytes).map_err(|_| Error::ConfigValue {
        file: CONFIG_FILE.into(),
        message: "not valid UTF-8; save the file as UTF-8".into(),
    })?;
    let config = Config::parse(&config_text, CONFIG_FILE)?;
    let classifier = Classifier::new(&config.classify).map_err(|e| Error::ConfigValue {
        file: CONFIG_FILE.into(),
        message: e.to_string(),
    })?;

    let mut warnings = Vec::new();
    let mut problems: Vec<Error> = release_problem.into_iter().collect();

    // 1. Classify every entry.
    let mut decisions: BTreeMap<String, (Decision, EntryType)> = BTreeMap::new();
    for entry in &source.entries {
        let decision = match (&entry.path, entry.kind) {
            (None, _) => Decision::unmatchable(),
            (Some(path), EntryType::File) if may_declare(path) => {
                let head = source.read_blob(entry.oid, path)?;
                match declared_class(&head) {
                    Ok(declared) => classifier.classify(path, declared),
                    Err(source) => {
                        problems.push(Error::Declaration {
                            path: path.clone(),
                            source,
                        });
                        Decision {
                            class: Class::Internal,
                            rule: secpack_classify::Rule::Declared,
                        }
                    }
                }
            }
            (Some(path), _) => classifier.classify(path, None),
        };
        decisions.insert(entry.display.clone(), (decision, entry.kind));
    }
    let utf8_paths = source.entries.iter().filter_map(|e| e.path.as_deref());
    for index in classifier.unused_rules(utf8_paths) {
        if let Some(rule) = config.classify.get(index) {
            warnings.push(format!(
                "{CONFIG_FILE}: classify[{index}] glob `{}` matches no file at this commit",
                rule.glob
            ));
        }
    }

    // 2. Map sources to destinations.
    let mut mapped: BTreeMap<String, MappedFile> = BTreeMap::new();
    // Destinations that some mapping aimed at, refused or not: a refused mapping is
    // reported once, not again as a missing required file.
    let mut attempted: Vec<String> = Vec::new();
    let mut add = |dest: String,
                   source_path: &str,
                   transform: Option<Transform>,
                   problems: &mut Vec<Error>| {
        attempted.push(dest.clone());
        if let Err(e) = layout::check_destination(&dest) {
            problems.push(e.into());
            return;
        }
        let Some(entry) = source.file(source_path) else {
            problems.push(Error::SourceNotFound {
                dest,
                source_path: source_path.to_owned(),
                commit: source.commit.clone(),
            });
            return;
        };
        let what = match entry.kind {
            EntryType::File => None,
            EntryType::Symlink => Some("symbolic link"),
            EntryType::Submodule => Some("submodule"),
        };
        if let Some(what) = what {
            problems.push(Error::NotAFile {
                dest,
                source_path: source_path.to_owned(),
                what,
            });
            return;
        }
        let Some((decision, _)) = decisions.get(source_path) else {
            return;
        };
        if !decision.class.is_shippable() {
            problems.push(Error::InternalSource {
                dest,
                source_path: source_path.to_owned(),
                rule: decision.rule.to_string(),
            });
            return;
        }
        if let Some(existing) = mapped.get(&dest) {
            problems.push(Error::DuplicateDestination {
                dest,
                first: existing.source_path.clone(),
                second: source_path.to_owned(),
            });
            return;
        }
        let transform = transform.unwrap_or(if may_declare(&dest) {
            Transform::Markdown
        } else {
            Transform::Copy
        });
        mapped.insert(
            dest.clone(),
            MappedFile {
                dest,
                source_path: source_path.to_owned(),
                oid: entry.oid,
                class: decision.class,
                transform,
            },
        );
    };
    for (dest, src) in &config.files {
        add(dest.clone(), src, None, &mut problems);
    }
    for (i, dir) in config.dirs.iter().enumerate() {
        let prefix = format!("{}/", dir.source.trim_end_matches('/'));
        let dest_dir = dir.dest.trim_end_matches('/');
        let include = match compile_globs(&dir.include) {
            Ok(set) => set,
            Err(e) => {
                problems.push(Error::ConfigValue {
                    file: CONFIG_FILE.into(),
                    message: format!("dirs[{i}].include: {e}"),
                });
                continue;
            }
        };
        let mut any = false;
        for entry in &source.entries {
            let Some(rel) = entry.display.strip_prefix(&prefix) else {
                continue;
            };
            if let Some(set) = &include
                && !set.is_match(rel)
            {
                continue;
            }
            any = true;
            match &entry.path {
                Some(path) => add(format!("{dest_dir}/{rel}"), path, None, &mut problems),
                None => problems.push(Error::NonUtf8Path {
                    path: entry.display.clone(),
                }),
            }
        }
        if !any {
            warnings.push(format!(
                "{CONFIG_FILE}: dirs[{i}] (source `{}`) selects no file at this commit",
                dir.source
            ));
        }
    }

    for (index, sbom) in config.sbom.iter().enumerate() {
        let dest = match &sbom.dest {
            Some(d) => d.clone(),
            None => format!(
                "{}{}",
                layout::SBOM_DIR,
                sbom.source.rsplit('/').next().unwrap_or(&sbom.source)
            ),
        };
        add(
            dest,
            &sbom.source,
            Some(Transform::Sbom { index }),
            &mut problems,
        );
    }
    for (index, p) in config.product_provenance.iter().enumerate() {
        let dir = p
            .dest_dir
            .as_deref()
            .unwrap_or("artifacts/provenance")
            .trim_end_matches('/');
        let name = p.source.rsplit('/').next().unwrap_or(&p.source);
        add(
            format!("{dir}/{name}"),
            &p.source,
            Some(Transform::ProductProvenance { index }),
            &mut problems,
        );
        if let Some(key) = &p.public_key
            && source.file(key).is_none_or(|e| e.kind != EntryType::File)
        {
            problems.push(Error::ConfigValue {
                file: CONFIG_FILE.into(),
                message: format!(
                    "product_provenance[{index}].public_key `{key}` is not a file at commit {}",
                    source.commit
                ),
            });
        }
    }

    // Questionnaires and the controls summary, rendered from data against what ships.
    let mut rendered = Vec::new();
    let mut questionnaire_problems = Vec::new();
    let mut questionnaire_warnings = Vec::new();
    if let Some(options) = &config.questionnaires {
        match render_questionnaires(&source, options, &decisions, &mapped) {
            Ok((docs, notes)) => {
                for doc in docs {
                    attempted.push(doc.dest.clone());
                    if let Some(existing) = mapped.get(&doc.dest) {
                        questionnaire_problems.push(format!("`{}` is mapped in [files] and rendered from [questionnaires]; remove the mapping", doc.dest));
                        problems.push(Error::DuplicateDestination {
                            dest: doc.dest.clone(),
                            first: existing.source_path.clone(),
                            second: "[questionnaires]".into(),
                        });
                    }
                    rendered.push(doc);
                }
                questionnaire_warnings.extend(notes.iter().cloned());
                warnings.extend(notes);
            }
            Err(e) => {
                questionnaire_problems.push(e.to_string());
                problems.push(e);
            }
        }
    }

    // 3. Whole-package checks.
    let mut dests: Vec<&str> = mapped.keys().map(String::as_str).collect();
    dests.extend(rendered.iter().map(|d| d.dest.as_str()));
    dests.extend(layout::GENERATED_FILES);
    // Licenses are aggregated from the redacted SBOMs unless a file is mapped there.
    let generate_licenses = !config.sbom.is_empty() && !config.files.contains_key(layout::LICENSES);
    if generate_licenses {
        attempted.push(layout::LICENSES.to_owned());
        dests.push(layout::LICENSES);
    }
    let mut aimed: Vec<&str> = attempted.iter().map(String::as_str).collect();
    aimed.extend(layout::GENERATED_FILES);
    let mut lower: BTreeMap<String, &str> = BTreeMap::new();
    for dest in &dests {
        if let Some(other) = lower.insert(dest.to_lowercase(), dest) {
            problems.push(Error::CaseCollision {
                dest: (*dest).to_owned(),
                other: other.to_owned(),
            });
        }
    }
    // + the provenance README, generated when product provenance is configured.
    let files = dests.len() + usize::from(!config.product_provenance.is_empty());
    if files > layout::MAX_FILES {
        problems.push(Error::TooManyFiles {
            files,
            limit: layout::MAX_FILES,
        });
    }
    let missing = layout::missing_required(&aimed);
    if !missing.is_empty() {
        problems.push(Error::MissingRequired {
            paths: missing
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }

    // 4. The table of decisions.
    let by_source: BTreeMap<&str, Vec<&str>> =
        mapped.values().fold(BTreeMap::new(), |mut acc, m| {
            acc.entry(m.source_path.as_str())
                .or_default()
                .push(m.dest.as_str());
            acc
        });
    let decisions = decisions
        .into_iter()
        .map(|(path, (decision, kind))| {
            let dest = by_source.get(path.as_str()).map(|d| d.join(", "));
            let excluded = match (&dest, kind) {
                (Some(_), _) => None,
                (None, EntryType::Symlink) => {
                    Some("symbolic link: never followed or shipped".to_owned())
                }
                (None, EntryType::Submodule) => {
                    Some("submodule: never entered or shipped".to_owned())
                }
                (None, _) if !decision.class.is_shippable() => Some("internal".to_owned()),
                (None, _) if path == CONFIG_FILE => Some("the configuration itself".to_owned()),
                (None, _) => Some("not mapped into the package".to_owned()),
            };
            FileDecision {
                path,
                class: decision.class,
                rule: decision.rule.to_string(),
                dest,
                excluded,
            }
        })
        .collect();

    Ok(Plan {
        source,
        config,
        version,
        decisions,
        mapped: mapped.into_values().collect(),
        warnings,
        problems,
        generate_licenses,
        rendered,
        questionnaire_problems,
        questionnaire_warnings,
    })
}

/// Parse, validate and render `[questionnaires]`. Evidence resolves against the plan: a
/// source mapped into the package links to its destination.
fn render_questionnaires(
    source: &Source,
    options: &secpack_questionnaire::Options,
    decisions: &BTreeMap<String, (Decision, EntryType)>,
    mapped: &BTreeMap<String, MappedFile>,
) -> Result<(Vec<RenderedDoc>, Vec<String>), Error> {
    use secpack_questionnaire as q;
    let mut inputs: Vec<(String, gix::ObjectId, Class, String)> = Vec::new();
    let paths = options
        .banks
        .iter()
        .chain(&options.answers)
        .chain(options.controls.iter());
    for path in paths {
        let entry = source
            .file(path)
            .filter(|e| e.kind == EntryType::File)
            .ok_or_else(|| Error::ConfigValue {
                file: CONFIG_FILE.into(),
                message: format!(
                    "questionnaires: `{path}` is not a file at commit {}",
                    source.commit
                ),
            })?;
        let bytes = source.read_blob(entry.oid, path)?;
        let text = String::from_utf8(bytes).map_err(|_| Error::ConfigValue {
            file: path.clone(),
            message: "not valid UTF-8; save the file as UTF-8".into(),
        })?;
        let (class, rule) = decisions
            .get(path)
            .map_or((Class::Internal, String::new()), |(d, _)| {
                (d.class, d.rule.to_string())
            });
        if !class.is_shippable() {
            // The answers become package text: their source must be shareable too.
            return Err(Error::InternalSource {
                dest: "questionnaires (rendered)".into(),
                source_path: path.clone(),
                rule,
            });
        }
        inputs.push((path.clone(), entry.oid, class, text));
    }
    let find = |list: &Vec<String>| -> Vec<q::Source<'_>> {
        list.iter()
            .filter_map(|p| inputs.iter().find(|i| &i.0 == p))
            .map(|i| q::Source {
                file: &i.0,
                text: &i.3,
            })
            .collect()
    };
    let controls = options
        .controls
        .as_ref()
        .and_then(|c| inputs.iter().find(|i| &i.0 == c))
        .map(|i| q::Source {
            file: &i.0,
            text: &i.3,
        });
    let sources = q::Sources {
        banks: find(&options.banks),
        answers: find(&options.answers),
        controls,
    };
    let shipped: BTreeMap<&str, &str> = mapped
        .values()
        .map(|m| (m.source_path.as_str(), m.dest.as_str()))
        .collect();
    let index = |path: &str| -> q::Evidence {
        if let Some(dest) = shipped.get(path) {
            return q::Evidence::Shipped {
                package_path: (*dest).to_owned(),
            };
        }
        match decisions.get(path) {
            None => q::Evidence::Missing,
            Some((_, kind)) if *kind != EntryType::File => q::Evidence::Missing,
            Some((d, _)) if !d.class.is_shippable() => q::Evidence::Internal,
            Some(_) => q::Evidence::NotShipped,
        }
    };
    let today = q::Date::from_unix_seconds(source.commit_time);
    let checked = q::check(&sources, &index, options, today).map_err(|e| Error::Questionnaire {
        message: e.to_string(),
    })?;
    let notes = checked.warnings().iter().map(|w| w.to_string()).collect();
    let input_refs: Vec<(String, gix::ObjectId, Class)> =
        inputs.iter().map(|i| (i.0.clone(), i.1, i.2)).collect();
    let docs = checked
        .render()
        .into_iter()
        .map(|f| RenderedDoc {
            generator: if f.path.ends_with(".csv") {
                "questionnaire-csv"
            } else {
                "questionnaire"
            },
            dest: f.path,
            bytes: f.contents.into_bytes(),
            sources: input_refs.clone(),
        })
        .collect();
    Ok((docs, notes))
}

fn compile_globs(globs: &[String]) -> Result<Option<globset::GlobSet>, globset::Error> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        b.add(secpack_classify::compile(g)?);
    }
    b.build().map(Some)
}

/// The package version: the commit's only release tag, which `--version` must agree with.
fn release_version(source: &Source, given: Option<&str>) -> Result<String, Error> {
    let tag = match source.release_tags.as_slice() {
        [] => {
            return Err(Error::NoReleaseTag {
                commit: source.commit.clone(),
                short: source.commit.chars().take(12).collect(),
            });
        }
        [one] => one.clone(),
        many => {
            return Err(Error::SeveralReleaseTags {
                commit: source.commit.clone(),
                tags: many.join(", "),
            });
        }
    };
    if let Some(given) = given
        && given != tag
        && format!("v{given}") != tag
    {
        return Err(Error::VersionMismatch {
            given: given.to_owned(),
            tag,
            commit: source.commit.clone(),
        });
    }
    Ok(tag)
}
