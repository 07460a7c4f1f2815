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
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// Hex SHA-256 of the signing key's SubjectPublicKeyInfo (DER). When set, a build with
    /// another key is refused, and the instructions print it for customers to compare.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// `[provenance]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageProvenanceConfig {
    /// `runDetails.builder.id`; when absent it is detected from the CI environment
    /// (GitHub Actions, GitLab CI), else a documented local default.
    #[serde(default)]
    pub builder_id: Option<String>,
}

/// `[[product_provenance]]`.
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirMapping {
    pub source: String,
    pub dest: String,
    #[serde(default)]
    pub include: Vec<String>,
}

impl Config {
    /// Parse `text` (the content of `origin`), with positions in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, Error> {
        let config: Config = toml::from_str(text).map_err(|e| toml_error(&e, text, origin))?;
        if config.product.name.trim().is_empty() {
            return Err(Error::ConfigValue {
                file: origin.to_owned(),
                message: "`product.name` is empty; give the product's name".into(),
            });
        }
        Ok(config)
    }
}

/// Turn a TOML error into `file:line:col: message`.
pub fn toml_error(e: &toml::de::Error, text: &str, origin: &str) -> Error {
    let (line, column) = e.span().map_or((1, 1), |span| line_col(text, span.start));
    Error::Config {
        file: origin.to_owned(),
        line,
        column,
        message: e.message().trim_end().to_owned(),
    }
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

    fn err(text: &str) -> String {
        Config::parse(text, "secpack.toml").unwrap_err().to_string()
    }

    #[test]
    fn minimal() {
        let c = Config::parse("[product]\nname = \"Summit\"\n", "secpack.toml").unwrap();
        assert_eq!(c.product.name, "Summit");
        assert!(c.classify.is_empty() && c.files.is_empty());
    }

    #[test]
    fn positions_in_errors() {
        assert_eq!(
            err("[product]\nname = \"S\"\nnmae = 1\n"),
            "secpack.toml:3:1: unknown field `nmae`, expected one of `name`, `vendor`, `repository`, `summary`"
        );
        assert_eq!(
            err("[product]\nname = \"S\"\n[[classify]]\nglob = \"a/**\"\nclass = \"secret\"\n"),
            "secpack.toml:5:9: unknown variant `secret`, expected one of `public`, `customer-only`, `internal`"
        );
        assert_eq!(
            err("[product]\nname = 3\n"),
            "secpack.toml:2:8: invalid type: integer `3`, expected a string"
        );
        assert!(
            err("[product\n").starts_with("secpack.toml:1:9: "),
            "{}",
            err("[product\n")
        );
        assert_eq!(
            err("[product]\nname = \" \"\n"),
            "secpack.toml: `product.name` is empty; give the product's name"
        );
        assert!(
            err("").starts_with("secpack.toml:1:1: missing field `product`"),
            "{}",
            err("")
        );
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé\nd", 6), (2, 3));
        assert_eq!(line_col("abc", 99), (1, 4));
    }
}
