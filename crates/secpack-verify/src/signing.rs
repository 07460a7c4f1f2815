//! The signature and provenance checks, on top of `secpack-provenance`'s verification
//! functions (this crate implements no cryptography).

use secpack_archive::ArchiveFormat;
use secpack_provenance::{Error as ProvError, PublicKey, SLSA_PROVENANCE_V1, Statement};

use crate::report::{Check, CheckId, Code, Finding, printable};

/// A signature bundle or provenance file, as found (or not) by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// The file's name (for messages; never a full path) and bytes.
    Loaded { name: String, bytes: Vec<u8> },
    /// Not available: `reason` says where it was looked for or why it could not be used.
    Unavailable { name: String, reason: String },
}

impl Material {
    pub fn name(&self) -> &str {
        match self {
            Material::Loaded { name, .. } | Material::Unavailable { name, .. } => name,
        }
    }
}

/// Everything the signature and provenance checks need besides the archive.
#[derive(Debug, Clone, Default)]
pub struct Materials {
    /// The publisher's public key; `None` when the user gave none.
    pub key: Option<PublicKey>,
    /// The archive's Sigstore bundle (`<archive>.sigstore.json`).
    pub bundle: Option<Material>,
    /// The package provenance: `.intoto.jsonl` and/or `.intoto.sigstore.json`; every one given
    /// must verify and describe this archive.
    pub provenance: Vec<Material>,
    /// Without a key, skip the signature and provenance checks instead of failing them.
    pub allow_unsigned: bool,
}

/// Map an error of `secpack-provenance` to a finding code.
fn code_of(e: &ProvError) -> Code {
    match e {
        ProvError::BadSignature { hint, .. } if !hint.is_empty() => Code::WrongKey,
        ProvError::BadSignature { .. } => Code::BadSignature,
        ProvError::DigestMismatch { .. } => Code::SubjectMismatch,
        _ => Code::MaterialMalformed,
    }
}

fn unsigned(id: CheckId, allow_unsigned: bool, what: &str) -> Check {
    if allow_unsigned {
        Check::skipped(
            id,
            format!(
                "skipped: no key was given, so the {what} was not checked (unsigned verification allowed)"
            ),
        )
    } else {
        Check::from_findings(
            id,
            "",
            format!("the {what} cannot be checked without the publisher's public key"),
            vec![Finding::new(
                Code::NoKey,
                None,
                "no public key given: pass the publisher's public key (`--key PUB`), or allow unsigned verification explicitly",
            )],
        )
    }
}

fn unavailable(name: &str, reason: &str) -> Finding {
    Finding::new(Code::MaterialMissing, Some(name), reason)
}

pub(crate) fn signature(materials: &Materials, archive_sha256: &[u8; 32]) -> Check {
    let Some(key) = &materials.key else {
        return unsigned(CheckId::Signature, materials.allow_unsigned, "signature");
    };
    let fail = |finding: Finding| {
        Check::from_findings(
            CheckId::Signature,
            "",
            format!(
                "the archive is not validly signed by key {}",
                key.fingerprint()
            ),
            vec![finding],
        )
    };
    let (name, bytes) = match &materials.bundle {
        None => {
            return fail(Finding::new(
                Code::MaterialMissing,
                None,
                "no signature bundle given",
            ));
        }
        Some(Material::Unavailable { name, reason }) => return fail(unavailable(name, reason)),
        Some(Material::Loaded { name, bytes }) => (name, bytes),
    };
    match secpack_provenance::verify_blob_bundle(bytes, key, archive_sha256, name) {
        Ok(()) => Check::passed(
            CheckId::Signature,
            format!(
                "`{}` signs the archive's sha256 with ECDSA P-256 key {}",
                printable(name, 200),
                key.fingerprint()
            ),
        ),
        Err(e) => fail(Finding::new(code_of(&e), Some(name), e.to_string())),
    }
}

/// Strip one leading `v` so `v1.2.3` and `1.2.3` compare equal.
fn bare(version: &str) -> &str {
    version.strip_prefix('v').unwrap_or(version)
}

/// What the provenance must say about this archive.
pub(crate) struct Expected<'a> {
    pub sha256: &'a [u8; 32],
    pub format: ArchiveFormat,
    /// The version from the top folder; `None` when the archive could not be read.
    pub version: Option<&'a str>,
    /// The release tag from the manifest, when it is usable.
    pub tag: Option<&'a str>,
}

pub(crate) fn provenance(materials: &Materials, expected: &Expected<'_>) -> Check {
    let Some(key) = &materials.key else {
        return unsigned(CheckId::Provenance, materials.allow_unsigned, "provenance");
    };
    let mut findings = Vec::new();
    let mut verified = Vec::new();
    if materials.provenance.is_empty() {
        findings.push(Finding::new(
            Code::MaterialMissing,
            None,
            "no provenance given",
        ));
    }
    for material in &materials.provenance {
        match material {
            Material::Unavailable { name, reason } => findings.push(unavailable(name, reason)),
            Material::Loaded { name, bytes } => {
                match secpack_provenance::verify_attestation(bytes, key, name) {
                    Ok(statement) => {
                        let before = findings.len();
                        check_statement(&statement, name, expected, &mut findings);
                        if findings.len() == before {
                            verified.push(name.as_str());
                        }
                    }
                    Err(e) => findings.push(Finding::new(code_of(&e), Some(name), e.to_string())),
                }
            }
        }
    }
    let version_note = if expected.version.is_none() {
        " (version not compared: the archive could not be read)"
    } else {
        ""
    };
    Check::from_findings(
        CheckId::Provenance,
        format!(
            "verified with key {}: {}, naming this archive's sha256 and version{version_note}",
            key.fingerprint(),
            verified
                .iter()
                .map(|n| format!("`{}`", printable(n, 200)))
                .collect::<Vec<_>>()
                .join(" and "),
        ),
        "the provenance does not vouch for this archive",
        findings,
    )
}

fn check_statement(
    statement: &Statement,
    name: &str,
    expected: &Expected<'_>,
    findings: &mut Vec<Finding>,
) {
    if statement.predicate_type != SLSA_PROVENANCE_V1 {
        findings.push(Finding::new(
            Code::MaterialMalformed,
            Some(name),
            format!(
                "predicate type `{}`, expected `{SLSA_PROVENANCE_V1}`",
                printable(&statement.predicate_type, 200)
            ),
        ));
        return;
    }
    match statement.subject_with_sha256(expected.sha256) {
        None => findings.push(Finding::new(
            Code::SubjectMismatch,
            Some(name),
            format!(
                "no subject has the archive's sha256 {} (subjects: {}); this provenance is from another build",
                hex::encode(expected.sha256),
                statement
                    .subject
                    .iter()
                    .map(|s| printable(&s.name, 100))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Some(subject) => {
            if let Some(version) = expected.version {
                let canonical = expected.format.file_name(version);
                if subject.name != canonical {
                    findings.push(Finding::new(
                        Code::SubjectMismatch,
                        Some(name),
                        format!(
                            "the subject with the archive's sha256 is named `{}`, expected `{canonical}`",
                            printable(&subject.name, 200)
                        ),
                    ));
                }
            }
        }
    }
    let params = statement
        .predicate
        .pointer("/buildDefinition/externalParameters");
    let field = |key: &str| params.and_then(|p| p.get(key)).and_then(|v| v.as_str());
    let (Some(prov_version), Some(prov_tag)) = (field("version"), field("tag")) else {
        findings.push(Finding::new(
            Code::MaterialMalformed,
            Some(name),
            "buildDefinition.externalParameters lacks the string fields `version` and `tag`",
        ));
        return;
    };
    if let Some(version) = expected.version {
        if bare(prov_version) != bare(version) {
            findings.push(Finding::new(
                Code::VersionMismatch,
                Some(name),
                format!(
                    "the provenance names version `{}` but the top folder holds `{version}`",
                    printable(prov_version, 100)
                ),
            ));
        }
        // The tag is usually the version (`v1.2.3`); a project whose tags differ from its
        // versions is matched through the tag the manifest records.
        let tag_ok = bare(prov_tag) == bare(version) || expected.tag == Some(prov_tag);
        if !tag_ok {
            findings.push(Finding::new(
                Code::VersionMismatch,
                Some(name),
                format!(
                    "the provenance names tag `{}` but the package is version `{version}`{}",
                    printable(prov_tag, 100),
                    expected
                        .tag
                        .map(|t| format!(" with tag `{}`", printable(t, 100)))
                        .unwrap_or_default()
                ),
            ));
        }
    }
}
