//! The content checks: top folder, required paths, `SHA256SUMS`, the manifest, internal
//! files. Pure functions of a [`Contents`].

use std::collections::{BTreeMap, BTreeSet};

use secpack_archive::{ArchiveFormat, MANIFEST_SCHEMA, Manifest, layout, sums};
use secpack_classify::Class;

use crate::report::{Check, CheckId, Code, Finding, Status, printable};
use crate::scan::{Contents, Scan};

/// Summary of a check skipped because the archive was rejected.
pub(crate) const UNSAFE_SKIP: &str =
    "skipped: the archive is unsafe (see archive-safety), its files were not examined";

pub(crate) fn archive_safety(scan: &Scan) -> Check {
    match &scan.outcome {
        Ok(contents) => Check::passed(
            CheckId::ArchiveSafety,
            format!(
                "{} files, {} bytes uncompressed, one top folder, no links, devices, unsafe or colliding paths, bombs or stray data",
                contents.files.len(),
                contents.uncompressed_size
            ),
        ),
        Err(problem) => Check::from_findings(
            CheckId::ArchiveSafety,
            "",
            "the archive is malformed or hostile; nothing in it was trusted",
            vec![Finding {
                code: problem.code,
                path: problem.entry.clone(),
                message: problem.message.clone(),
            }],
        ),
    }
}

/// The version named by an archive file name `customer-security-package-<version>.<ext>`.
pub(crate) fn version_from_file_name(file_name: &str) -> Option<&str> {
    let format = ArchiveFormat::from_file_name(file_name)?;
    let stem = match format {
        ArchiveFormat::Zip => file_name.strip_suffix(".zip"),
        ArchiveFormat::TarGz => file_name
            .strip_suffix(".tar.gz")
            .or_else(|| file_name.strip_suffix(".tgz")),
    }?;
    stem.strip_prefix(layout::PACKAGE_PREFIX)
        .filter(|v| !v.is_empty())
}

/// The top-folder check and the package version it establishes.
pub(crate) fn top_folder(contents: &Contents, file_name: &str) -> (Check, Option<String>) {
    let top = &contents.top_folder;
    let Some(version) = top
        .strip_prefix(layout::PACKAGE_PREFIX)
        .filter(|v| !v.is_empty())
    else {
        let check = Check::from_findings(
            CheckId::TopFolder,
            "",
            "the top folder is not named after a version",
            vec![Finding::new(
                Code::TopFolderName,
                Some(top),
                format!(
                    "the top folder must be `{}<version>`",
                    layout::PACKAGE_PREFIX
                ),
            )],
        );
        return (check, None);
    };
    let check = match version_from_file_name(file_name) {
        Some(named) if named != version => Check::from_findings(
            CheckId::TopFolder,
            "",
            "the archive file name and the top folder name different versions",
            vec![Finding::new(
                Code::VersionMismatch,
                Some(top),
                format!(
                    "the archive file `{}` names version `{}` but the top folder holds `{}`",
                    printable(file_name, 200),
                    printable(named, 100),
                    printable(version, 100)
                ),
            )],
        ),
        Some(_) => Check::passed(
            CheckId::TopFolder,
            format!("one top folder `{top}`, matching the archive file name"),
        ),
        None => Check::passed(
            CheckId::TopFolder,
            format!(
                "one top folder `{top}` (the archive file name does not follow `{}<version>.<ext>`, so it was not compared)",
                layout::PACKAGE_PREFIX
            ),
        ),
    };
    (check, Some(version.to_owned()))
}

pub(crate) fn required_paths(contents: &Contents) -> Check {
    let paths: Vec<&str> = contents.files.iter().map(|f| f.path.as_str()).collect();
    let mut findings: Vec<Finding> = layout::missing_required(&paths)
        .into_iter()
        .map(|missing| {
            let what = if missing.ends_with('/') {
                "the specification requires this folder with at least one file"
            } else {
                "the specification requires this file"
            };
            Finding::new(Code::MissingRequired, Some(missing), what)
        })
        .collect();
    for path in &paths {
        if let Err(
            secpack_archive::LayoutError::NotInLayout(_) | secpack_archive::LayoutError::Unsafe(_),
        ) = layout::check_destination(path)
        {
            findings.push(Finding::new(
                Code::NotInLayout,
                Some(path),
                "not part of the package layout",
            ));
        }
    }
    Check::from_findings(
        CheckId::RequiredPaths,
        format!(
            "all {} required files and {} required folders present, every file in the layout",
            layout::REQUIRED_FILES.len(),
            layout::REQUIRED_DIRS.len()
        ),
        "the package does not have the layout the specification requires",
        findings,
    )
}

/// A captured metadata file, or the finding explaining why it is unusable.
fn metadata<'c>(
    contents: &'c Contents,
    path: &str,
    missing: Code,
    malformed: Code,
) -> Result<&'c [u8], Finding> {
    if let Some(bytes) = contents.metadata.get(path) {
        return Ok(bytes);
    }
    if contents.files.iter().any(|f| f.path == path) {
        Err(Finding::new(
            malformed,
            Some(path),
            format!(
                "larger than the limit of {} bytes for files read into memory",
                contents.metadata_limit
            ),
        ))
    } else {
        Err(Finding::new(missing, Some(path), "absent from the package"))
    }
}

/// The sums-complete and digests checks.
pub(crate) fn sums(contents: &Contents) -> (Check, Check) {
    let fail = |finding: Finding| {
        (
            Check::from_findings(
                CheckId::SumsComplete,
                "",
                "SHA256SUMS is unusable",
                vec![finding],
            ),
            Check::skipped(
                CheckId::Digests,
                "skipped: there is no usable SHA256SUMS (see sums-complete)",
            ),
        )
    };
    let bytes = match metadata(
        contents,
        layout::SHA256SUMS,
        Code::SumsMissing,
        Code::SumsMalformed,
    ) {
        Ok(b) => b,
        Err(finding) => return fail(finding),
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return fail(Finding::new(
            Code::SumsMalformed,
            Some(layout::SHA256SUMS),
            "not valid UTF-8",
        ));
    };
    let lines = match sums::parse(text) {
        Ok(lines) => lines,
        Err(e) => {
            return fail(Finding::new(
                Code::SumsMalformed,
                Some(layout::SHA256SUMS),
                e.to_string(),
            ));
        }
    };
    let listed: BTreeMap<&str, &[u8; 32]> =
        lines.iter().map(|l| (l.path.as_str(), &l.sha256)).collect();
    let present: BTreeSet<&str> = contents.files.iter().map(|f| f.path.as_str()).collect();

    let mut complete = Vec::new();
    let mut digests = Vec::new();
    let mut matched = 0usize;
    for file in &contents.files {
        if file.path == layout::SHA256SUMS {
            continue;
        }
        match listed.get(file.path.as_str()) {
            None => complete.push(Finding::new(
                Code::NotListed,
                Some(&file.path),
                "in the archive but not listed in SHA256SUMS",
            )),
            Some(&&expected) if expected == file.sha256 => matched += 1,
            Some(&&expected) => digests.push(Finding::new(
                Code::DigestMismatch,
                Some(&file.path),
                format!(
                    "sha256 is {} but SHA256SUMS says {}",
                    hex::encode(file.sha256),
                    hex::encode(expected)
                ),
            )),
        }
    }
    for path in listed.keys() {
        if *path == layout::SHA256SUMS {
            complete.push(Finding::new(
                Code::SumsMalformed,
                Some(path),
                "SHA256SUMS lists itself (it cannot contain its own digest)",
            ));
        } else if !present.contains(path) {
            complete.push(Finding::new(
                Code::ListedButMissing,
                Some(path),
                "listed in SHA256SUMS but not in the archive",
            ));
        }
    }
    let files = contents.files.len().saturating_sub(1);
    (
        Check::from_findings(
            CheckId::SumsComplete,
            format!(
                "SHA256SUMS lists each of the {files} other files exactly once, and nothing else"
            ),
            "SHA256SUMS and the archive's files differ",
            complete,
        ),
        Check::from_findings(
            CheckId::Digests,
            format!("{matched} files match their SHA256SUMS digest"),
            "files do not match their SHA256SUMS digest (modified after signing?)",
            digests,
        ),
    )
}

/// The manifest and no-internal checks, and the release tag the manifest names.
pub(crate) fn manifest(
    contents: &Contents,
    version: Option<&str>,
) -> (Check, Check, Option<String>) {
    let fail = |finding: Finding| {
        (
            Check::from_findings(
                CheckId::Manifest,
                "",
                "the traceability index is unusable",
                vec![finding],
            ),
            Check::skipped(
                CheckId::NoInternal,
                "skipped: without a usable manifest the classes of the files are unknown (see manifest)",
            ),
            None,
        )
    };
    let bytes = match metadata(
        contents,
        layout::MANIFEST,
        Code::ManifestMissing,
        Code::ManifestMalformed,
    ) {
        Ok(b) => b,
        Err(finding) => return fail(finding),
    };
    let manifest = match Manifest::from_json(bytes) {
        Ok(m) => m,
        Err(e) => {
            return fail(Finding::new(
                Code::ManifestMalformed,
                Some(layout::MANIFEST),
                format!("not a valid manifest: {e}"),
            ));
        }
    };
    if manifest.schema != MANIFEST_SCHEMA {
        return fail(Finding::new(
            Code::ManifestMalformed,
            Some(layout::MANIFEST),
            format!(
                "schema `{}`, expected `{MANIFEST_SCHEMA}`",
                printable(&manifest.schema, 200)
            ),
        ));
    }
    let mut findings = Vec::new();
    if let Some(version) = version
        && manifest.version != version
    {
        findings.push(Finding::new(
            Code::VersionMismatch,
            Some(layout::MANIFEST),
            format!(
                "the manifest names version `{}` but the top folder holds `{version}`",
                printable(&manifest.version, 100)
            ),
        ));
    }
    let actual: BTreeMap<&str, &crate::ScannedFile> = contents
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let mut listed = BTreeSet::new();
    for entry in &manifest.files {
        let path = entry.path.as_str();
        if !listed.insert(path) {
            findings.push(Finding::new(
                Code::ManifestDuplicate,
                Some(path),
                "listed twice in the manifest",
            ));
            continue;
        }
        if path == layout::MANIFEST || path == layout::SHA256SUMS {
            findings.push(Finding::new(
                Code::ManifestDuplicate,
                Some(path),
                "the manifest never lists itself or SHA256SUMS",
            ));
            continue;
        }
        let Some(file) = actual.get(path) else {
            findings.push(Finding::new(
                Code::ListedButMissing,
                Some(path),
                "listed in the manifest but not in the archive",
            ));
            continue;
        };
        let digest = hex::encode(file.sha256);
        if entry.sha256 != digest {
            findings.push(Finding::new(
                Code::DigestMismatch,
                Some(path),
                format!(
                    "sha256 is {digest} but the manifest says {}",
                    printable(&entry.sha256, 100)
                ),
            ));
        }
        if entry.size != file.size {
            findings.push(Finding::new(
                Code::SizeDiffers,
                Some(path),
                format!("{} bytes but the manifest says {}", file.size, entry.size),
            ));
        }
        if entry.sources.is_empty() && !layout::GENERATED_FILES.contains(&path) {
            findings.push(Finding::new(
                Code::NoSources,
                Some(path),
                "the manifest records no source for this file",
            ));
        }
    }
    for file in &contents.files {
        let path = file.path.as_str();
        if path != layout::MANIFEST && path != layout::SHA256SUMS && !listed.contains(path) {
            findings.push(Finding::new(
                Code::NotInManifest,
                Some(path),
                "in the archive but not in the manifest",
            ));
        }
    }
    let manifest_check = Check::from_findings(
        CheckId::Manifest,
        format!(
            "the manifest traces all {} files to sources at commit {}",
            manifest.files.len(),
            printable(&manifest.commit, 64)
        ),
        "the traceability index disagrees with the files",
        findings,
    );

    let mut internal = Vec::new();
    for entry in &manifest.files {
        if entry.class == Class::Internal {
            internal.push(Finding::new(
                Code::InternalFile,
                Some(&entry.path),
                "the manifest marks this file internal: it must never be shipped",
            ));
        }
        for source in &entry.sources {
            if source.class == Class::Internal {
                internal.push(Finding::new(
                    Code::InternalSource,
                    Some(&entry.path),
                    format!(
                        "made from `{}`, which the manifest marks internal",
                        printable(&source.path, 300)
                    ),
                ));
            }
        }
    }
    let no_internal = if manifest_check.status == Status::Failed && internal.is_empty() {
        Check::passed(
            CheckId::NoInternal,
            "no file or source is marked internal in the manifest (which itself failed its check)",
        )
    } else {
        Check::from_findings(
            CheckId::NoInternal,
            "no file or source is marked internal",
            "internal material is in the package",
            internal,
        )
    };
    (manifest_check, no_internal, Some(manifest.tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_versions() {
        let check = |name, expected| assert_eq!(version_from_file_name(name), expected, "{name}");
        check("customer-security-package-v1.2.3.zip", Some("v1.2.3"));
        check("customer-security-package-v1.2.3.tar.gz", Some("v1.2.3"));
        check("customer-security-package-v1.2.3.tgz", Some("v1.2.3"));
        check("customer-security-package-.zip", None);
        check("package.zip", None);
        check("customer-security-package-v1.2.3.rar", None);
    }
}
