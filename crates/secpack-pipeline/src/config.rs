//! `secpack.toml`: the configuration, read from the packaged commit itself.
//!
//! Every key is documented in `docs/config.md`; unknown keys are errors, reported with
//! `file:line:column`.

use std::collections::BTreeMap;

use secpack_classify::RuleConfig;
use serde::Deserialize;

use crate::error::Error;

/// The file name, at the repository root.
pub const CONFIG_FILE: &str = "secpack.toml";

/// The whole configuration.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What the package is about.
    pub product: Product,
    /// Who customers contact.
    #[serde(default)]
    pub contacts: Contacts,
    /// Classification rules, in order (`[[classify]]`).
    #[serde(default)]
    pub classify: Vec<RuleConfig>,
    /// Single files: package destination → source path (`[files]`).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Whole folders copied into an open package folder (`[[dirs]]`).
    #[serde(default)]
    pub dirs: Vec<DirMapping>,
    /// The package signing key (`[signing]`).
    #[serde(default)]
    pub signing: SigningConfig,
    /// The package's own provenance (`[provenance]`).
    #[serde(default)]
    pub provenance: PackageProvenanceConfig,
    /// The product's SLSA provenance files to check and ship (`[[product_provenance]]`).
    #[serde(default)]
    pub product_provenance: Vec<ProductProvenanceConfig>,
    /// SBOMs to redact into `artifacts/sbom/` (`[[sbom]]`).
    #[serde(default)]
    pub sbom: Vec<SbomConfig>,
    /// Redaction rules applied to every SBOM (`[sbom_redact]`; see docs/sbom.md).
    #[serde(default)]
    pub sbom_redact: secpack_sbom::Rules,
    /// Questionnaires and the controls summary rendered from data (`[questionnaires]`;
    /// see docs/questionnaires.md).
    #[serde(default)]
    pub questionnaires: Option<secpack_questionnaire::Options>,
    /// The leak gate (`[leak_gate]`; see docs/leak-gate.md).
    #[serde(default)]
    pub leak_gate: secpack_scan::LeakGateConfig,
    /// Environment variable holding the key for `sbom_redact.pseudonymize`.
    #[serde(default = "default_pseudonym_env")]
    pub sbom_pseudonym_key_env: String,
}

fn default_pseudonym_env() -> String {
    "SECPACK_SBOM_PSEUDONYM_KEY".into()
}

/// `[[sbom]]`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SbomConfig {
    /// The SBOM in the repository (CycloneDX JSON 1.4-1.7 or SPDX JSON 2.2/2.3).
    pub source: String,
    /// Destination (default: `artifacts/sbom/<file name>`).
    #[serde(default)]
    pub dest: Option<String>,
}

/// `[signing]`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// Hex SHA-256 of the signing key's SubjectPublicKeyInfo (DER). When set, a build with
    /// another key is refused, and the instructions print it for customers to compare.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// `[provenance]`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageProvenanceConfig {
    /// `runDetails.builder.id`; when absent it is detected from the CI environment
    /// (GitHub Actions, GitLab CI), else a documented local default.
    #[serde(default)]
    pub builder_id: Option<String>,
}

/// `[[product_provenance]]`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductProvenanceConfig {
    /// The provenance file in the repository (`.intoto.jsonl`, DSSE envelope or Sigstore bundle).
    pub source: String,
    /// Folder below `artifacts/provenance/` to ship it in (default: `artifacts/provenance`).
    #[serde(default)]
    pub dest_dir: Option<String>,
    /// Every statement's builder id must equal this.
    #[serde(default)]
    pub builder_id: Option<String>,
    /// Public key (PEM, path in the repository) the provenance must be signed with.
    #[serde(default)]
    pub public_key: Option<String>,
    /// JSON pointers of fields to remove before shipping (`*` matches any key or index).
    #[serde(default)]
    pub remove_fields: Vec<String>,
}

/// `[product]`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Product name, shown in OVERVIEW.md and the manifest.
    pub name: String,
    /// The company shipping the product.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Public or customer-visible URL of the source repository, for traceability.
    #[serde(default)]
    pub repository: Option<String>,
    /// One paragraph for OVERVIEW.md.
    #[serde(default)]
    pub summary: Option<String>,
}

/// `[contacts]`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    /// Security contact address, shown in OVERVIEW.md.
    #[serde(default)]
    pub security: Option<String>,
    /// Trust portal or security page URL.
    #[serde(default)]
    pub portal: Option<String>,
}

/// `[[dirs]]`: every file below `source` (optionally filtered by `include` globs relative to
/// `source`) is copied to `dest/<relative path>`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirMapping {
    /// A folder of the repository.
    pub source: String,
    /// A folder below `artifacts/sbom/`, `artifacts/provenance/` or `artifacts/evidence/`.
    pub dest: String,
    /// Only files whose path relative to `source` matches one of these globs (default: all).
    #[serde(default)]
    pub include: Vec<String>,
}

impl Config {
    /// Parse `text` (the content of `origin`), with positions in errors.
    ///
    /// Besides the TOML structure, the values that can be checked without the commit are
    /// checked here so that their errors can point at the text: `product.name` is not empty,
    /// every `classify[].glob` compiles.
    pub fn parse(text: &str, origin: &str) -> Result<Config, Error> {
        let config: Config = toml::from_str(text).map_err(|e| toml_error(&e, text, origin))?;
        if config.product.name.trim().is_empty() {
            return Err(located(
                text,
                origin,
                &[Key("product"), Key("name")],
                "`product.name` is empty".into(),
                Some("give the product's name, e.g. `name = \"Summit\"`".into()),
            ));
        }
        if let Err(e) = secpack_classify::Classifier::new(&config.classify) {
            let index = match &e {
                secpack_classify::Error::Glob { index, .. }
                | secpack_classify::Error::AbsoluteGlob { index, .. } => Some(*index),
                _ => None,
            };
            // The absolute-glob message already says how to fix it.
            let help = matches!(e, secpack_classify::Error::Glob { .. }).then(|| {
                "`*` matches within one path segment, `**` across segments, `?` one character, `[abc]` a class, `{a,b}` alternatives; escape a literal bracket as `[[]`".to_owned()
            });
            return Err(match index {
                Some(i) => located(
                    text,
                    origin,
                    &[Key("classify"), Index(i), Key("glob")],
                    e.to_string(),
                    help,
                ),
                None => Error::ConfigValue {
                    file: origin.to_owned(),
                    message: e.to_string(),
                },
            });
        }
        Ok(config)
    }
}

/// The JSON Schema (draft 7) of `secpack.toml`, generated from these types and the config types
/// of the libraries they embed, as pretty JSON with a final newline. `cargo xtask schema`
/// writes it to `secpack.schema.json`; editors with TOML schema support (e.g. Taplo) use it
/// for completion and checks.
#[cfg(feature = "schemars")]
pub fn json_schema() -> String {
    let mut schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Config>();
    schema.insert("title".into(), "secpack.toml".into());
    schema.insert(
        "description".into(),
        "Configuration of secpack, read from the root of the packaged commit. Every key is documented in docs/config.md.".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}

/// One step of a path into the TOML document: a table key or an array index.
#[derive(Debug, Clone, Copy)]
pub enum PathSeg<'a> {
    Key(&'a str),
    Index(usize),
}

use PathSeg::{Index, Key};

/// The byte range of the value at `path` in `text` (e.g. `classify[3].glob`), when the text
/// parses and the value exists.
pub fn locate(text: &str, path: &[PathSeg<'_>]) -> Option<std::ops::Range<usize>> {
    use toml::de::DeValue;
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut span = root.span();
    let mut table = Some(root.into_inner());
    let mut value: Option<DeValue<'_>> = None;
    for seg in path {
        let next = match (seg, table.take(), value.take()) {
            (Key(k), Some(t), _) | (Key(k), None, Some(DeValue::Table(t))) => {
                t.into_iter().find(|(key, _)| &**key.get_ref() == *k)?.1
            }
            (Index(i), _, Some(DeValue::Array(a))) => a.into_iter().nth(*i)?,
            _ => return None,
        };
        span = next.span();
        value = Some(next.into_inner());
    }
    Some(span)
}

/// An [`Error::Config`] pointing at the value at `path`, or at the start of the file when it
/// cannot be found.
fn located(
    text: &str,
    origin: &str,
    path: &[PathSeg<'_>],
    message: String,
    help: Option<String>,
) -> Error {
    let span = locate(text, path).unwrap_or(0..0);
    config_error(text, origin, span, message, help)
}

/// An [`Error::Config`] for the byte range `span` of `text`: line, column, the offending line
/// and the span within it (clamped to that line).
pub fn config_error(
    text: &str,
    origin: &str,
    span: std::ops::Range<usize>,
    message: String,
    help: Option<String>,
) -> Error {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let (line, column) = line_col(text, start);
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(start..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| start + i);
    let source_line = text
        .get(line_start..line_end)
        .unwrap_or_default()
        .trim_end_matches('\r')
        .to_owned();
    let end = floor_char_boundary(text, span.end.clamp(start, line_end))
        .min(line_start + source_line.len());
    let from = (start - line_start).min(source_line.len());
    Error::Config(Box::new(ConfigError {
        file: origin.to_owned(),
        line,
        column,
        message,
        help,
        source_line,
        span: from..end.saturating_sub(line_start).max(from),
    }))
}

/// A problem at a known place in a configuration file ([`Error::Config`]). Displays as
/// `file:line:column: message; help`; a front end can also show `source_line` with `span`
/// underlined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as named to the user (`secpack.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, one line.
    pub message: String,
    /// How to fix it, when the message does not already say.
    pub help: Option<String>,
    /// The offending line, without its line break.
    pub source_line: String,
    /// Byte range of the offending text within `source_line` (empty: a position).
    pub span: std::ops::Range<usize>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Turn a TOML error into an [`Error::Config`]: `file:line:col: message`, the offending line
/// and span, and how to fix it.
pub fn toml_error(e: &toml::de::Error, text: &str, origin: &str) -> Error {
    let raw = e.message().trim_end();
    let message = raw
        .lines()
        .map(|l| l.trim().trim_end_matches('.'))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let help = help_for(&message);
    config_error(text, origin, e.span().unwrap_or(0..0), message, help)
}

/// How to fix the common mistakes, from the deserializer's message.
fn help_for(message: &str) -> Option<String> {
    let first_quoted = |s: &str| -> Option<String> {
        let rest = s.split_once('`')?.1;
        Some(rest.split_once('`')?.0.to_owned())
    };
    let choices = |s: &str| -> Vec<String> {
        s.split_once("expected ")
            .map(|(_, list)| {
                list.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let given = first_quoted(rest)?;
        return Some(match closest(&given, &choices(rest)) {
            Some(k) => format!("did you mean `{k}`?"),
            None => {
                "remove it, or use one of the keys listed above; docs/config.md documents every key"
                    .into()
            }
        });
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let given = first_quoted(rest)?;
        return Some(match closest(&given, &choices(rest)) {
            Some(k) => format!("did you mean `{k}`?"),
            None => "use one of the values listed above".into(),
        });
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let field = first_quoted(rest)?;
        return Some(format!(
            "add `{field} = …` to this table; docs/config.md documents every key"
        ));
    }
    if message.starts_with("invalid type:") {
        let expected = message.rsplit_once("expected ").map_or("", |(_, e)| e);
        let hint = if expected.contains("string") {
            "write the value as a string in double quotes, e.g. `\"docs/**\"`"
        } else if expected.contains("sequence") {
            "write a list in brackets, e.g. `[\"a\", \"b\"]`"
        } else if expected.contains("boolean") {
            "write `true` or `false`, without quotes"
        } else if expected.starts_with('u') || expected.starts_with('i') {
            "write a whole number, without quotes"
        } else {
            "see docs/config.md for the type of this key"
        };
        return Some(hint.into());
    }
    if message.contains("duplicate key") {
        return Some("a key may appear once per table: remove one of the two".into());
    }
    None
}

/// The choice nearest to `given` (case-insensitive edit distance at most a third of its
/// length, at least 1), for "did you mean".
fn closest<'a>(given: &str, choices: &'a [String]) -> Option<&'a str> {
    let given = given.to_lowercase();
    let limit = (given.chars().count() / 3).max(1);
    choices
        .iter()
        .map(|c| (edit_distance(&given, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

/// Levenshtein distance over characters, with transpositions counting as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for transpositions), previous, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut d = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && Some(ca) == b.get(j - 1) && a.get(i - 1) == Some(cb) {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Error {
        Config::parse(text, "secpack.toml").unwrap_err()
    }

    /// `text` fails with the message `expected`, pointing at the line `line` with `under`
    /// underlined.
    fn check(text: &str, expected: &str, line: &str, under: &str) {
        let e = err(text);
        assert_eq!(e.to_string(), expected);
        let Error::Config(c) = &e else {
            panic!("not a located config error: {e:?}");
        };
        assert_eq!(c.source_line, line, "{e}");
        assert_eq!(&c.source_line[c.span.clone()], under, "{e}");
    }

    #[test]
    fn minimal() {
        let c = Config::parse("[product]\nname = \"Summit\"\n", "secpack.toml").unwrap();
        assert_eq!(c.product.name, "Summit");
        assert!(c.classify.is_empty() && c.files.is_empty());
    }

    #[test]
    fn errors_point_at_the_text_and_say_how_to_fix_it() {
        check(
            "[product]\nname = \"S\"\nnmae = 1\n",
            "secpack.toml:3:1: unknown field `nmae`, expected one of `name`, `vendor`, `repository`, `summary`; did you mean `name`?",
            "nmae = 1",
            "nmae",
        );
        check(
            "[product]\nname = \"S\"\n[[classify]]\nglob = \"a/**\"\nclass = \"secret\"\n",
            "secpack.toml:5:9: unknown variant `secret`, expected one of `public`, `customer-only`, `internal`; use one of the values listed above",
            "class = \"secret\"",
            "\"secret\"",
        );
        check(
            "[product]\nname = \"S\"\n[[classify]]\nglob = \"a/**\"\nclass = \"internl\"\n",
            "secpack.toml:5:9: unknown variant `internl`, expected one of `public`, `customer-only`, `internal`; did you mean `internal`?",
            "class = \"internl\"",
            "\"internl\"",
        );
        check(
            "[product]\nname = 3\n",
            "secpack.toml:2:8: invalid type: integer `3`, expected a string; write the value as a string in double quotes, e.g. `\"docs/**\"`",
            "name = 3",
            "3",
        );
        check(
            "[product]\nname = \"S\"\n[leak_gate]\ninternal_hosts = \"a\"\n",
            "secpack.toml:4:18: invalid type: string \"a\", expected a sequence; write a list in brackets, e.g. `[\"a\", \"b\"]`",
            "internal_hosts = \"a\"",
            "\"a\"",
        );
        check(
            "[product]\nname = \" \"\n",
            "secpack.toml:2:8: `product.name` is empty; give the product's name, e.g. `name = \"Summit\"`",
            "name = \" \"",
            "\" \"",
        );
        check(
            "[product]\nname = \"S\"\n\n[[classify]]\nglob = \"a/**\"\nclass = \"public\"\n\n[[classify]]\nglob = \"b/[\"\nclass = \"public\"\n",
            "secpack.toml:9:8: classify[1]: invalid glob `b/[`: error parsing glob 'b/[': unclosed character class; missing ']'; `*` matches within one path segment, `**` across segments, `?` one character, `[abc]` a class, `{a,b}` alternatives; escape a literal bracket as `[[]`",
            "glob = \"b/[\"",
            "\"b/[\"",
        );
        check(
            "[product]\nname = \"S\"\n[[classify]]\nglob = \"/etc/**\"\nclass = \"public\"\n",
            "secpack.toml:4:8: classify[0]: glob `/etc/**` must be relative to the repository root (remove the leading `/`)",
            "glob = \"/etc/**\"",
            "\"/etc/**\"",
        );
        // A span running past its line is cut at the line's end; CRLF is not part of the line.
        check(
            "[product]\r\nname = \"S\"\r\nnmae = 1\r\n",
            "secpack.toml:3:1: unknown field `nmae`, expected one of `name`, `vendor`, `repository`, `summary`; did you mean `name`?",
            "nmae = 1",
            "nmae",
        );
    }

    #[test]
    fn syntax_errors_and_missing_tables_are_located_too() {
        let e = err("[product\n");
        assert!(e.to_string().starts_with("secpack.toml:1:9: "), "{e}");
        assert!(!e.to_string().contains('\n'), "one line: {e}");
        let e = err("");
        assert!(
            e.to_string()
                .starts_with("secpack.toml:1:1: missing field `product`; add `product = …`"),
            "{e}"
        );
        let e = err("[product]\nname = \"a\"\nname = \"b\"\n");
        assert!(
            e.to_string().starts_with("secpack.toml:3:1: duplicate key"),
            "{e}"
        );
    }

    #[test]
    fn locate_finds_nested_values() {
        let text =
            "[product]\nname = \"S\"\n[[classify]]\nglob = \"a\"\n[[classify]]\nglob = \"b\"\n";
        let span = locate(text, &[Key("classify"), Index(1), Key("glob")]).unwrap();
        assert_eq!(&text[span], "\"b\"");
        assert_eq!(locate(text, &[Key("classify"), Index(2)]), None);
        assert_eq!(locate(text, &[Key("product"), Index(0)]), None);
        assert_eq!(locate("not toml [", &[Key("product")]), None);
    }

    #[test]
    fn did_you_mean_is_close_or_nothing() {
        let keys: Vec<String> = ["name", "vendor", "repository"].map(String::from).to_vec();
        assert_eq!(closest("nmae", &keys), Some("name"));
        assert_eq!(closest("Vendor", &keys), Some("vendor"));
        assert_eq!(closest("repo", &keys), None);
        assert_eq!(closest("x", &keys), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé\nd", 6), (2, 3));
        assert_eq!(line_col("abc", 99), (1, 4));
    }

    #[test]
    fn spans_never_split_characters() {
        let e = config_error("é = 1\n", "f", 1..2, "m".into(), None);
        let Error::Config(c) = e else { panic!("{e:?}") };
        assert_eq!((c.span, c.column), (0..2, 1), "the whole `é`");
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn the_schema_describes_every_table_and_forbids_unknown_keys() {
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        assert_eq!(schema["title"], "secpack.toml");
        assert_eq!(schema["additionalProperties"], false);
        let props = schema["properties"].as_object().unwrap();
        for key in [
            "product",
            "classify",
            "files",
            "dirs",
            "sbom_redact",
            "leak_gate",
            "questionnaires",
        ] {
            assert!(props.contains_key(key), "{key}");
        }
        assert_eq!(schema["required"], serde_json::json!(["product"]));
    }
}
