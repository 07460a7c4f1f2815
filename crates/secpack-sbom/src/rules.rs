//! Redaction rules: the `[sbom.redact]` table of `secpack.toml`, or a standalone rules file.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// Default for [`Rules::max_input_bytes`]: 256 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// What to remove or change in an SBOM.
///
/// Every field is optional in TOML; a missing field takes the value of [`Rules::default`], the
/// *default profile*: remove file paths and internal-flagged properties, nothing else. Credentials
/// in URLs (`user:password@`, token query parameters) are always removed and cannot be switched
/// off. Unknown fields are an error, so a misspelt rule never silently does nothing.
///
/// Patterns are globs (`*` matches any run of characters including `/`, `?` one character,
/// `[abc]` a class, `{a,b}` alternatives), matched case-sensitively against the whole value.
///
/// ```toml
/// # removes every component/package matching any of these
/// remove_purls = ["pkg:cargo/summit-internal-*"]
/// remove_names = ["summit-internal-*"]
/// remove_groups = ["com.summit.internal"]     # CycloneDX group or purl namespace
/// remove_suppliers = ["Example Summit Inc. (internal)"]
/// remove_flagged = [{ property = "summit:internal", value = "true" }]
/// # strips, in whatever is kept
/// strip_properties = ["summit:build:*"]         # added to the default list, see below
/// strip_urls = ["https://*.corp.summit.example/*"]
/// strip_file_paths = true
/// strip_spdx_files = false
/// strip_authors = false
/// strip_emails = false
/// pseudonymize = false
/// ```
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Remove components (CycloneDX) and packages (SPDX) whose purl matches one of these globs.
    /// Default: none.
    pub remove_purls: Vec<Pattern>,
    /// Remove components/packages whose name matches. Default: none.
    pub remove_names: Vec<Pattern>,
    /// Remove components/packages whose CycloneDX `group` or purl namespace matches (`@scope` for
    /// npm, the Maven group id). Default: none.
    pub remove_groups: Vec<Pattern>,
    /// Remove components/packages whose supplier name matches (CycloneDX `supplier.name` or
    /// `publisher`; SPDX `supplier` without its `Organization:`/`Person:` prefix). Default: none.
    pub remove_suppliers: Vec<Pattern>,
    /// Remove CycloneDX components and services carrying a matching property. Default: none.
    pub remove_flagged: Vec<PropertyFlag>,
    /// Strip CycloneDX properties (anywhere) whose name matches. Default: the internal-flagged
    /// names `internal`, `internal:*`, `*:internal` and `*:internal:*`.
    pub strip_properties: Vec<Pattern>,
    /// Strip URLs matching these globs: CycloneDX external references and service endpoints are
    /// removed; SPDX `downloadLocation` becomes `NOASSERTION`, `homepage` is removed, matching
    /// `externalRefs` are removed. Default: none.
    pub strip_urls: Vec<Pattern>,
    /// Remove absolute file paths: CycloneDX `evidence.occurrences` and `evidence.callstack`,
    /// properties whose value holds an absolute path; elsewhere an absolute path inside a string is
    /// replaced by its last segment (`/home/builder/app/Cargo.lock` becomes `Cargo.lock`).
    /// Default: `true`.
    pub strip_file_paths: bool,
    /// Remove the SPDX `files` and `snippets` sections, `hasFiles`, and relationships to files.
    /// Default: `false`.
    pub strip_spdx_files: bool,
    /// Remove author fields: CycloneDX `author`/`authors`, SPDX `originator` and `Person:`
    /// creators. Default: `false`.
    pub strip_authors: bool,
    /// Remove e-mail addresses: CycloneDX `email` fields, e-mails in CycloneDX `author` strings,
    /// the `(email)` part of SPDX supplier/originator/creator. Default: `false`.
    pub strip_emails: bool,
    /// Instead of removing a component/package that a kept one depends on, keep a stub whose name
    /// and identifier are keyed pseudonyms (HMAC-SHA256), so the dependency graph keeps its shape.
    /// Needs a pseudonym key. Default: `false`.
    pub pseudonymize: bool,
    /// Refuse inputs larger than this many bytes. Default: 268435456 (256 MiB).
    pub max_input_bytes: u64,
}

impl Default for Rules {
    /// The default profile: file paths and internal-flagged properties, nothing else.
    fn default() -> Rules {
        Rules {
            remove_purls: Vec::new(),
            remove_names: Vec::new(),
            remove_groups: Vec::new(),
            remove_suppliers: Vec::new(),
            remove_flagged: Vec::new(),
            strip_properties: ["internal", "internal:*", "*:internal", "*:internal:*"]
                .into_iter()
                .map(|p| Pattern::new(p).expect("the default patterns are valid globs"))
                .collect(),
            strip_urls: Vec::new(),
            strip_file_paths: true,
            strip_spdx_files: false,
            strip_authors: false,
            strip_emails: false,
            pseudonymize: false,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
        }
    }
}

impl Rules {
    /// Parse rules from TOML text: a standalone rules file, or the body of `[sbom.redact]`.
    ///
    /// `origin` names the text in error messages (`origin:line:column: message`).
    ///
    /// ```
    /// let rules = secpack_sbom::Rules::from_toml("remove_groups = [\"com.acme.internal\"]", "rules.toml")?;
    /// assert!(rules.strip_file_paths); // not set, so the default profile applies
    /// let err = secpack_sbom::Rules::from_toml("remove_group = []", "rules.toml").unwrap_err();
    /// assert!(err.to_string().starts_with("rules.toml:1:1: unknown field `remove_group`"));
    /// # Ok::<(), secpack_sbom::Error>(())
    /// ```
    pub fn from_toml(text: &str, origin: &str) -> Result<Rules, Error> {
        toml::from_str::<Rules>(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => line_col(text, span.start),
                None => (1, 1),
            };
            let message = e
                .message()
                .trim_end()
                .trim_end_matches('.')
                .replace('\n', "; ");
            Error::Rules {
                origin: origin.to_string(),
                line,
                column,
                message,
            }
        })
    }

    #[cfg(test)]
    pub(crate) fn strips_property(&self, name: &str) -> bool {
        self.strip_properties.iter().any(|p| p.is_match(name))
    }

    pub(crate) fn strip_properties_set(&self) -> globset::GlobSet {
        glob_set(&self.strip_properties)
    }

    pub(crate) fn strip_urls_set(&self) -> globset::GlobSet {
        glob_set(&self.strip_urls)
    }
}

fn glob_set(patterns: &[Pattern]) -> globset::GlobSet {
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(p.glob.clone());
    }
    // Every glob compiled on its own when the rules were read, so the set compiles too.
    b.build().unwrap_or_else(|_| globset::GlobSet::empty())
}

fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    (line, column)
}

/// A glob, compiled when the rules are read (a bad glob is a rules error with its position).
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(with = "String")
)]
#[derive(Clone)]
pub struct Pattern {
    text: String,
    glob: globset::Glob,
    matcher: globset::GlobMatcher,
}

impl Pattern {
    /// Compile a glob.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let glob = globset::GlobBuilder::new(text)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("invalid glob \"{text}\": {}", e.kind()))?;
        Ok(Pattern {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
            glob,
        })
    }

    /// Whether `value` matches the whole glob.
    pub fn is_match(&self, value: &str) -> bool {
        self.matcher.is_match(value)
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

impl Eq for Pattern {}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pattern, D::Error> {
        let text = String::deserialize(d)?;
        Pattern::new(&text).map_err(serde::de::Error::custom)
    }
}

/// A property that marks a component or service for removal.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyFlag {
    /// Glob on the property name.
    pub property: Pattern,
    /// Exact property value; when absent any value matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl PropertyFlag {
    pub(crate) fn matches(&self, name: &str, value: Option<&str>) -> bool {
        self.property.is_match(name)
            && match &self.value {
                Some(want) => value == Some(want.as_str()),
                None => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(text: &str, expected: &str) {
        match Rules::from_toml(text, "r.toml") {
            Err(e) => assert_eq!(e.to_string(), expected),
            Ok(r) => panic!("expected an error, got {r:?}"),
        }
    }

    #[test]
    fn errors_name_origin_line_column() {
        check_err(
            "strip_file_paths = true\nremove_name = []\n",
            "r.toml:2:1: unknown field `remove_name`, expected one of `remove_purls`, `remove_names`, `remove_groups`, `remove_suppliers`, `remove_flagged`, `strip_properties`, `strip_urls`, `strip_file_paths`, `strip_spdx_files`, `strip_authors`, `strip_emails`, `pseudonymize`, `max_input_bytes`",
        );
        check_err(
            "remove_names = [\"ok\", \"a[\"]",
            "r.toml:1:16: invalid glob \"a[\": unclosed character class; missing ']'",
        );
        check_err(
            "strip_file_paths = \"yes\"",
            "r.toml:1:20: invalid type: string \"yes\", expected a boolean",
        );
        check_err(
            "remove_flagged = [{ name = \"x\" }]",
            "r.toml:1:21: unknown field `name`, expected `property` or `value`",
        );
    }

    #[test]
    fn rules_are_the_sbom_redact_table_of_secpack_toml() {
        #[derive(Debug, Deserialize)]
        struct Config {
            sbom: Sbom,
        }
        #[derive(Debug, Deserialize)]
        struct Sbom {
            #[serde(default)]
            redact: Rules,
        }
        let text = "[package]\nname = \"summit\"\n\n[sbom.redact]\nremove_groups = [\"com.summit.internal\"]\nstrip_emails = true\n";
        #[derive(Debug, Deserialize)]
        struct WithPackage {
            #[allow(dead_code)]
            package: toml::Table,
            #[serde(flatten)]
            config: Config,
        }
        let c: WithPackage = toml::from_str(text).expect("parses");
        let r = c.config.sbom.redact;
        assert_eq!(
            r.remove_groups.first().map(Pattern::as_str),
            Some("com.summit.internal")
        );
        assert!(r.strip_emails && r.strip_file_paths);
        let bad =
            toml::from_str::<WithPackage>("package = {}\n[sbom.redact]\nstrip_email = true\n");
        assert!(
            bad.expect_err("unknown key")
                .to_string()
                .contains("unknown field `strip_email`")
        );
    }

    #[test]
    fn defaults_fill_missing_fields() {
        let r = Rules::from_toml("remove_groups = [\"com.acme.internal\"]", "r").expect("ok");
        assert_eq!(r.strip_properties, Rules::default().strip_properties);
        assert!(r.strip_file_paths);
        assert!(!r.pseudonymize);
        assert_eq!(Rules::from_toml("", "r").expect("empty"), Rules::default());
        assert!(Rules::default().strips_property("summit:internal"));
        assert!(Rules::default().strips_property("acme:internal:host"));
        assert!(!Rules::default().strips_property("acme:internals"));
    }
}
