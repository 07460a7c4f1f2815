//! Classification of source files into Public, Customer-Only and Internal.
//!
//! Every file of a release commit gets exactly one [`Decision`]: a [`Class`] and the
//! [`Rule`] that made it. Rules are globs from `secpack.toml` plus an optional in-file
//! declaration (Markdown front matter `classification: <class>`). The most restrictive
//! class among all matching rules wins, and a file that nothing matches is
//! [`Class::Internal`]: the classifier fails closed.
//!
//! This crate is pure: it never reads files, git objects or the environment. The caller
//! hands it paths and, for files that may carry a declaration, their leading bytes.
//!
//! ```
//! use secpack_classify::{Class, Classifier, RuleConfig};
//!
//! let rules = vec![
//!     RuleConfig::new("policies/**", Class::Public),
//!     RuleConfig::new("policies/internal/**", Class::Internal),
//! ];
//! let classifier = Classifier::new(&rules).unwrap();
//!
//! assert_eq!(classifier.classify("policies/vdp.md", None).class, Class::Public);
//! // Two rules match: the most restrictive wins.
//! assert_eq!(classifier.classify("policies/internal/ir.md", None).class, Class::Internal);
//! // No rule matches: fail closed.
//! let d = classifier.classify("notes.txt", None);
//! assert_eq!(d.class, Class::Internal);
//! assert_eq!(d.rule.to_string(), "default: no rule matches (unclassified is internal)");
//! ```

mod declaration;

use std::fmt;
use std::str::FromStr;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

pub use declaration::{DeclarationError, declared_class, may_declare};

/// The three artifact classes of the specification, ordered from least to most restrictive.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Safe for open distribution.
    Public,
    /// Shared with verified customers under NDA.
    CustomerOnly,
    /// Never leaves the company: never in a package.
    Internal,
}

impl Class {
    /// The spelling used in configuration, front matter and JSON output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Class::Public => "public",
            Class::CustomerOnly => "customer-only",
            Class::Internal => "internal",
        }
    }

    /// Whether files of this class may go into a Customer Security Package.
    pub const fn is_shippable(self) -> bool {
        !matches!(self, Class::Internal)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A class name that is not one of `public`, `customer-only`, `internal`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown class `{0}`: expected `public`, `customer-only` or `internal`")]
pub struct UnknownClass(pub String);

impl FromStr for Class {
    type Err = UnknownClass;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Class::Public),
            "customer-only" => Ok(Class::CustomerOnly),
            "internal" => Ok(Class::Internal),
            other => Err(UnknownClass(other.to_owned())),
        }
    }
}

/// One classification rule as written in `secpack.toml` (`[[classify]]`).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// A glob over repository paths (`/`-separated). `*` stays within one path segment,
    /// `**` crosses segments. Matching is case-sensitive.
    pub glob: String,
    /// The class given to every matching file.
    pub class: Class,
    /// Why the rule exists; shown in `secpack plan`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RuleConfig {
    /// A rule without a reason.
    pub fn new(glob: &str, class: Class) -> Self {
        RuleConfig {
            glob: glob.to_owned(),
            class,
            reason: None,
        }
    }
}

/// What made a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The glob rule at `index` (0-based) in the configured list.
    Glob { index: usize, glob: String },
    /// The file's own declaration (front matter).
    Declared,
    /// No rule matched: fail closed.
    Default,
    /// The path cannot be matched reliably (not UTF-8): fail closed.
    Unmatchable,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Glob { index, glob } => write!(f, "classify[{index}] glob `{glob}`"),
            Rule::Declared => f.write_str("front matter `classification`"),
            Rule::Default => f.write_str("default: no rule matches (unclassified is internal)"),
            Rule::Unmatchable => f.write_str("default: path is not UTF-8 (cannot be matched)"),
        }
    }
}

/// The class of one file and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub class: Class,
    pub rule: Rule,
}

impl Decision {
    /// The decision for a path that no rule can match (for example a non-UTF-8 name).
    pub fn unmatchable() -> Self {
        Decision {
            class: Class::Internal,
            rule: Rule::Unmatchable,
        }
    }
}

/// Errors building a [`Classifier`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("classify[{index}]: invalid glob `{glob}`: {source}")]
    Glob {
        index: usize,
        glob: String,
        #[source]
        source: globset::Error,
    },
    #[error(
        "classify[{index}]: glob `{glob}` must be relative to the repository root (remove the leading `/`)"
    )]
    AbsoluteGlob { index: usize, glob: String },
}

/// Compiled classification rules.
#[derive(Debug, Clone)]
pub struct Classifier {
    rules: Vec<RuleConfig>,
    set: GlobSet,
}

impl Classifier {
    /// Compile `rules`. Globs are matched against whole repository paths.
    pub fn new(rules: &[RuleConfig]) -> Result<Self, Error> {
        let mut builder = GlobSetBuilder::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.glob.starts_with('/') {
                return Err(Error::AbsoluteGlob {
                    index,
                    glob: rule.glob.clone(),
                });
            }
            builder.add(compile(&rule.glob).map_err(|source| Error::Glob {
                index,
                glob: rule.glob.clone(),
                source,
            })?);
        }
        let set = builder.build().map_err(|source| Error::Glob {
            index: 0,
            glob: String::new(),
            source,
        })?;
        Ok(Classifier {
            rules: rules.to_vec(),
            set,
        })
    }

    /// The configured rules, in order.
    pub fn rules(&self) -> &[RuleConfig] {
        &self.rules
    }

    /// Classify `path`. `declared` is the file's own declaration, if it has one
    /// (see [`declared_class`]). The most restrictive of all matching rules wins; ties go
    /// to the first glob rule. Nothing matching means [`Class::Internal`].
    pub fn classify(&self, path: &str, declared: Option<Class>) -> Decision {
        let mut best: Option<Decision> = None;
        for index in self.set.matches(path) {
            let Some(rule) = self.rules.get(index) else {
                continue;
            };
            if best.as_ref().is_none_or(|b| rule.class > b.class) {
                best = Some(Decision {
                    class: rule.class,
                    rule: Rule::Glob {
                        index,
                        glob: rule.glob.clone(),
                    },
                });
            }
        }
        if let Some(class) = declared
            && best.as_ref().is_none_or(|b| class > b.class)
        {
            best = Some(Decision {
                class,
                rule: Rule::Declared,
            });
        }
        best.unwrap_or(Decision {
            class: Class::Internal,
            rule: Rule::Default,
        })
    }

    /// Indices of rules whose glob matches none of `paths` (worth a warning: a typo in a
    /// glob silently classifies nothing).
    pub fn unused_rules<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        let mut used = vec![false; self.rules.len()];
        for path in paths {
            for index in self.set.matches(path) {
                if let Some(u) = used.get_mut(index) {
                    *u = true;
                }
            }
        }
        used.iter()
            .enumerate()
            .filter(|(_, u)| !**u)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Compile one glob the way every secpack glob is compiled: `*` does not cross `/`,
/// case-sensitive, `{a,b}` alternates allowed.
pub fn compile(glob: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        rules: &[(&str, Class)],
        path: &str,
        declared: Option<Class>,
        expected: (Class, &str),
    ) {
        let rules: Vec<_> = rules.iter().map(|(g, c)| RuleConfig::new(g, *c)).collect();
        let d = Classifier::new(&rules).unwrap().classify(path, declared);
        assert_eq!(
            (d.class, d.rule.to_string().as_str()),
            expected,
            "path {path}"
        );
    }

    #[test]
    fn most_restrictive_wins() {
        use Class::*;
        let rules = [
            ("**/*.md", Public),
            ("hardening/**", CustomerOnly),
            ("**/secret*", Internal),
        ];
        check(
            &rules,
            "README.md",
            None,
            (Public, "classify[0] glob `**/*.md`"),
        );
        check(
            &rules,
            "hardening/a.md",
            None,
            (CustomerOnly, "classify[1] glob `hardening/**`"),
        );
        check(
            &rules,
            "hardening/secret.md",
            None,
            (Internal, "classify[2] glob `**/secret*`"),
        );
        check(
            &rules,
            "x/y.txt",
            None,
            (
                Internal,
                "default: no rule matches (unclassified is internal)",
            ),
        );
    }

    #[test]
    fn declaration_only_tightens() {
        use Class::*;
        let rules = [("docs/**", CustomerOnly)];
        check(
            &rules,
            "docs/a.md",
            Some(Public),
            (CustomerOnly, "classify[0] glob `docs/**`"),
        );
        check(
            &rules,
            "docs/a.md",
            Some(Internal),
            (Internal, "front matter `classification`"),
        );
        // A declaration is a rule of its own: a file may declare itself shareable.
        check(
            &rules,
            "other/a.md",
            Some(Public),
            (Public, "front matter `classification`"),
        );
    }

    #[test]
    fn star_does_not_cross_directories() {
        use Class::*;
        let rules = [("policies/*", Public)];
        check(
            &rules,
            "policies/a.md",
            None,
            (Public, "classify[0] glob `policies/*`"),
        );
        check(
            &rules,
            "policies/internal/a.md",
            None,
            (
                Internal,
                "default: no rule matches (unclassified is internal)",
            ),
        );
    }

    #[test]
    fn matching_is_case_sensitive() {
        let rules = [("Policies/**", Class::Public)];
        check(
            &rules,
            "policies/a.md",
            None,
            (
                Class::Internal,
                "default: no rule matches (unclassified is internal)",
            ),
        );
    }

    #[test]
    fn bad_globs_are_errors_naming_the_rule() {
        let err = Classifier::new(&[
            RuleConfig::new("a/**", Class::Public),
            RuleConfig::new("b/[", Class::Public),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("classify[1]: invalid glob `b/[`"),
            "{err}"
        );
        let err = Classifier::new(&[RuleConfig::new("/abs/**", Class::Public)]).unwrap_err();
        assert!(matches!(err, Error::AbsoluteGlob { index: 0, .. }), "{err}");
    }

    #[test]
    fn unused_rules_are_reported() {
        let c = Classifier::new(&[
            RuleConfig::new("a/**", Class::Public),
            RuleConfig::new("typo/**", Class::Public),
        ])
        .unwrap();
        assert_eq!(c.unused_rules(["a/x", "b/y"]), vec![1]);
    }

    #[test]
    fn class_round_trips() {
        for c in [Class::Public, Class::CustomerOnly, Class::Internal] {
            assert_eq!(c.as_str().parse::<Class>().unwrap(), c);
        }
        assert_eq!(
            "secret".parse::<Class>().unwrap_err().to_string(),
            "unknown class `secret`: expected `public`, `customer-only` or `internal`"
        );
        assert!(Class::Public < Class::CustomerOnly && Class::CustomerOnly < Class::Internal);
    }
}
