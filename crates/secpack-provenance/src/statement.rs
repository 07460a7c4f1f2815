//! in-toto Statement v1 and the SLSA v1 provenance of the Customer Security Package.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, invalid};

/// `_type` of in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of in-toto Statement v0.1 (used with SLSA v0.2 provenance).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// Predicate type of SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// Predicate type of SLSA provenance v0.2.
pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// `buildDefinition.buildType` of the package provenance written by secpack. The URI is a
/// stable identifier (documented in `docs/signing.md`), not a page to fetch; bump the trailing
/// version only when the meaning of `externalParameters` changes.
pub const SECPACK_BUILD_TYPE: &str = "https://secpack.dev/build-type/customer-security-package/v1";

/// An in-toto statement (v1 or v0.1) with the predicate kept as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// `_type`: [`STATEMENT_V1`] or [`STATEMENT_V01`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The artifacts the statement is about.
    pub subject: Vec<Subject>,
    /// `predicateType`, e.g. [`SLSA_PROVENANCE_V1`].
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The predicate, kept as JSON.
    #[serde(default)]
    pub predicate: serde_json::Value,
}

/// A statement subject: a name and a digest set (`sha256` → lowercase hex, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The artifact's name (a file name for secpack's own subjects).
    #[serde(default)]
    pub name: String,
    /// Algorithm → hex digest.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

impl Statement {
    /// The canonical payload bytes: compact JSON, fields in declaration order. These are the
    /// bytes DSSE signs.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("serializing a statement cannot fail")
    }

    /// The subject whose `sha256` digest equals `sha256`, if any: how a verifier checks that an
    /// archive is covered by the provenance.
    pub fn subject_with_sha256(&self, sha256: &[u8; 32]) -> Option<&Subject> {
        let wanted = hex::encode(sha256);
        self.subject.iter().find(|s| {
            s.digest
                .get("sha256")
                .is_some_and(|d| d.eq_ignore_ascii_case(&wanted))
        })
    }

    /// Parse a statement payload. `at` names the field holding it in errors.
    pub fn parse(payload: &[u8], origin: &str, at: &str) -> Result<Self, Error> {
        let statement: Statement = serde_json::from_slice(payload)
            .map_err(|e| invalid(origin, at, format!("not an in-toto statement: {e}")))?;
        if statement.statement_type != STATEMENT_V1 && statement.statement_type != STATEMENT_V01 {
            return Err(invalid(
                origin,
                &format!("{at}/_type"),
                format!(
                    "`{}` is not an in-toto statement type, expected `{STATEMENT_V1}`",
                    statement.statement_type
                ),
            ));
        }
        Ok(statement)
    }
}

/// A named file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Subject: the archive's file name. Transformed input: its path in the source repository.
    pub name: String,
    /// SHA-256 of the exact bytes.
    pub sha256: [u8; 32],
}

/// Everything the package provenance says; the orchestrator fills it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageProvenanceInput {
    /// The archives (zip, tar.gz) by file name.
    pub subjects: Vec<Artifact>,
    /// The source repository URL as configured, e.g. `https://github.com/example/summit`.
    pub repository: String,
    /// The release tag, e.g. `v1.2.3`.
    pub tag: String,
    /// The package version, e.g. `1.2.3`.
    pub version: String,
    /// The commit the tag points to: 40 (SHA-1) or 64 (SHA-256) lowercase hex.
    pub commit: String,
    /// Every input file that was transformed before shipping (SBOMs, product provenance), by
    /// repository-relative path.
    pub transformed_inputs: Vec<Artifact>,
    /// `runDetails.builder.id`: from config, or [`crate::detect_builder`].
    pub builder_id: String,
    /// `runDetails.builder.version`: e.g. `[("secpack", "0.1.0")]`. Empty to leave it out.
    pub builder_version: BTreeMap<String, String>,
    /// `runDetails.metadata.invocationId` (e.g. the CI job URL). It differs on every CI run, so
    /// leave it `None` where byte-identical rebuilds matter.
    pub invocation_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Provenance {
    build_definition: BuildDefinition,
    run_details: RunDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BuildDefinition {
    build_type: &'static str,
    external_parameters: ExternalParameters,
    resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Serialize)]
struct ExternalParameters {
    repository: String,
    tag: String,
    version: String,
}

#[derive(Serialize)]
struct ResourceDescriptor {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    digest: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct RunDetails {
    builder: Builder,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata>,
}

#[derive(Serialize)]
struct Builder {
    id: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    version: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    invocation_id: String,
}

/// Build the package's in-toto Statement v1 with an SLSA v1 provenance predicate.
///
/// Subjects and transformed inputs are sorted by name, so the caller's order does not matter.
/// There is no timestamp anywhere: the same input gives the same statement bytes.
pub fn build_package_statement(input: &PackageProvenanceInput) -> Result<Statement, Error> {
    let bad = |field: &str, reason: &str| Error::InvalidInput {
        field: field.to_owned(),
        reason: reason.to_owned(),
    };
    for (field, value) in [
        ("repository", &input.repository),
        ("tag", &input.tag),
        ("version", &input.version),
        ("builder id", &input.builder_id),
    ] {
        if value.trim().is_empty() {
            return Err(bad(field, "empty; the package provenance needs it"));
        }
    }
    let commit_ok = matches!(input.commit.len(), 40 | 64)
        && input
            .commit
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !commit_ok {
        return Err(bad(
            "commit",
            "expected the full commit id: 40 or 64 lowercase hex characters",
        ));
    }
    if input.subjects.is_empty() {
        return Err(bad("subjects", "empty; sign at least one archive"));
    }
    let subjects = sorted_unique(&input.subjects, "subjects")?;
    let inputs = sorted_unique(&input.transformed_inputs, "transformed inputs")?;

    let repository = input
        .repository
        .strip_prefix("git+")
        .unwrap_or(&input.repository);
    let mut resolved = vec![ResourceDescriptor {
        uri: Some(format!("git+{repository}@refs/tags/{}", input.tag)),
        name: None,
        digest: BTreeMap::from([("gitCommit", input.commit.clone())]),
    }];
    resolved.extend(inputs.iter().map(|a| ResourceDescriptor {
        uri: None,
        name: Some(a.name.clone()),
        digest: BTreeMap::from([("sha256", hex::encode(a.sha256))]),
    }));
    let predicate = Provenance {
        build_definition: BuildDefinition {
            build_type: SECPACK_BUILD_TYPE,
            external_parameters: ExternalParameters {
                repository: input.repository.clone(),
                tag: input.tag.clone(),
                version: input.version.clone(),
            },
            resolved_dependencies: resolved,
        },
        run_details: RunDetails {
            builder: Builder {
                id: input.builder_id.clone(),
                version: input.builder_version.clone(),
            },
            metadata: input.invocation_id.as_ref().map(|id| Metadata {
                invocation_id: id.clone(),
            }),
        },
    };
    Ok(Statement {
        statement_type: STATEMENT_V1.to_owned(),
        subject: subjects
            .iter()
            .map(|a| Subject {
                name: a.name.clone(),
                digest: BTreeMap::from([("sha256".to_owned(), hex::encode(a.sha256))]),
            })
            .collect(),
        predicate_type: SLSA_PROVENANCE_V1.to_owned(),
        predicate: serde_json::to_value(predicate).expect("serializing plain structs cannot fail"),
    })
}

fn sorted_unique<'a>(items: &'a [Artifact], field: &str) -> Result<Vec<&'a Artifact>, Error> {
    let mut sorted: Vec<&Artifact> = items.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(a) = sorted.iter().find(|a| a.name.is_empty()) {
        return Err(Error::InvalidInput {
            field: field.to_owned(),
            reason: format!("an entry with sha256 {} has no name", hex::encode(a.sha256)),
        });
    }
    if let Some(pair) = sorted.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(Error::InvalidInput {
            field: field.to_owned(),
            reason: format!("`{}` is listed twice", pair[0].name),
        });
    }
    Ok(sorted)
}
