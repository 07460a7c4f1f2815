//! The entry points: [`verify`] (reads files: the archive, the key, the bundle and provenance
//! found next to it) and the IO-free [`verify_scan`] / [`verify_reader`] it is built on.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use secpack_archive::{ArchiveFormat, layout};
use secpack_provenance::PublicKey;

use crate::Limits;
use crate::checks::{self, UNSAFE_SKIP};
use crate::report::{ArchiveSummary, Check, CheckId, Report};
use crate::scan::{self, ReadSeek, Scan};
use crate::signing::{self, Expected, Material, Materials};

/// Largest key file read.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// What to verify, and with what. Start from [`VerifyOptions::new`] and set fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// The package archive (`.zip` or `.tar.gz`; other names are recognised by content).
    pub archive: PathBuf,
    /// The publisher's ECDSA P-256 public key (`-----BEGIN PUBLIC KEY-----`).
    pub key: Option<KeySource>,
    /// The signature bundle; default `<archive>.sigstore.json` next to the archive.
    pub bundle: Option<PathBuf>,
    /// The package provenance (`.intoto.jsonl` or `.intoto.sigstore.json`); default: both
    /// `customer-security-package-<version>.intoto.jsonl` and `….intoto.sigstore.json` next to
    /// the archive, each one present is verified.
    pub provenance: Option<PathBuf>,
    /// Without a key, skip the signature and provenance checks instead of failing them.
    pub allow_unsigned: bool,
    pub limits: Limits,
}

impl VerifyOptions {
    /// Options for `archive` with no key, default file discovery and default limits.
    pub fn new(archive: &Path) -> VerifyOptions {
        VerifyOptions {
            archive: archive.to_path_buf(),
            key: None,
            bundle: None,
            provenance: None,
            allow_unsigned: false,
            limits: Limits::DEFAULT,
        }
    }
}

/// Where the public key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A PEM file.
    File(PathBuf),
    /// PEM bytes (e.g. from an environment variable); `origin` names them in errors.
    Pem { origin: String, pem: Vec<u8> },
}

/// A usage problem: the verification could not be run at all (exit code 2). Every finding
/// about the package itself is in the [`Report`] instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error("cannot open the package {path}: {source}; check the path")]
    OpenArchive {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("reading the package {path} failed: {source}")]
    ReadArchive {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{path}: not a package archive: the name ends neither in .zip nor .tar.gz and the content is neither zip nor gzip"
    )]
    UnknownFormat { path: PathBuf },
    #[error(
        "cannot read the public key file {path}: {source}; pass the publisher's `.pub.pem` file"
    )]
    ReadKey {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{0}")]
    Key(#[source] secpack_provenance::Error),
    #[error(
        "cannot read the {what} {path}: {source}; check the path or leave the option out to use the file next to the package"
    )]
    ReadMaterial {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Verify a package archive: read it once (streaming, never extracting), run every check and
/// return the report. Errors only for usage problems: an unreadable archive or key file, a key
/// that is not an ECDSA P-256 public key, an unreadable bundle or provenance path given
/// explicitly.
pub fn verify(opts: &VerifyOptions) -> Result<Report, VerifyError> {
    let key = match &opts.key {
        None => None,
        Some(source) => Some(load_key(source)?),
    };
    let archive = &opts.archive;
    let file_name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let open_err = |source| VerifyError::OpenArchive {
        path: archive.clone(),
        source,
    };
    let mut file = File::open(archive).map_err(open_err)?;
    if file.metadata().map_err(open_err)?.is_dir() {
        return Err(open_err(io::Error::other("it is a directory")));
    }
    let format = match ArchiveFormat::from_file_name(&file_name) {
        Some(format) => format,
        None => sniff(&mut file, archive)?,
    };
    let limit = opts.limits.max_metadata_size;
    let explicit = |path: &PathBuf, what| {
        read_material(path, limit).map_err(|source| VerifyError::ReadMaterial {
            what,
            path: path.clone(),
            source,
        })
    };
    let bundle = opts
        .bundle
        .as_ref()
        .map(|p| explicit(p, "signature bundle"))
        .transpose()?;
    let provenance = opts
        .provenance
        .as_ref()
        .map(|p| explicit(p, "provenance"))
        .transpose()?;

    let scan =
        scan::scan(&mut file, format, &opts.limits).map_err(|source| VerifyError::ReadArchive {
            path: archive.clone(),
            source,
        })?;

    let dir = archive.parent().unwrap_or(Path::new("."));
    let bundle =
        bundle.unwrap_or_else(|| discover(dir, &bundle_file_name(&file_name), "--bundle", limit));
    let provenance = match provenance {
        Some(p) => vec![p],
        None => discover_provenance(dir, &scan, &file_name, limit),
    };
    let materials = Materials {
        key,
        bundle: Some(bundle),
        provenance,
        allow_unsigned: opts.allow_unsigned,
    };
    Ok(verify_scan(&scan, &file_name, &materials))
}

/// Read an archive from any reader and check it against `materials`: [`scan::scan`] followed by
/// [`verify_scan`]. `file_name` is the archive's file name (compared with the top folder and
/// shown in the report). Errors only when reading `input` fails.
pub fn verify_reader(
    input: &mut dyn ReadSeek,
    file_name: &str,
    format: ArchiveFormat,
    materials: &Materials,
    limits: &Limits,
) -> io::Result<Report> {
    let scan = scan::scan(input, format, limits)?;
    Ok(verify_scan(&scan, file_name, materials))
}

/// Run every check on a finished [`Scan`]. Pure: no IO.
pub fn verify_scan(scan: &Scan, file_name: &str, materials: &Materials) -> Report {
    let mut checks = vec![checks::archive_safety(scan)];
    let mut version = None;
    let mut tag = None;
    let mut files = 0;
    let mut uncompressed_size = 0;
    match &scan.outcome {
        Ok(contents) => {
            files = contents.files.len() as u64;
            uncompressed_size = contents.uncompressed_size;
            let (top, v) = checks::top_folder(contents, file_name);
            version = v;
            checks.push(top);
            checks.push(checks::required_paths(contents));
            let (complete, digests) = checks::sums(contents);
            checks.extend([complete, digests]);
            let (manifest, no_internal, t) = checks::manifest(contents, version.as_deref());
            tag = t;
            checks.extend([manifest, no_internal]);
        }
        Err(_) => {
            for id in [
                CheckId::TopFolder,
                CheckId::RequiredPaths,
                CheckId::SumsComplete,
                CheckId::Digests,
                CheckId::Manifest,
                CheckId::NoInternal,
            ] {
                checks.push(Check::skipped(id, UNSAFE_SKIP));
            }
        }
    }
    checks.push(signing::signature(materials, &scan.sha256));
    checks.push(signing::provenance(
        materials,
        &Expected {
            sha256: &scan.sha256,
            format: scan.format,
            version: version.as_deref(),
            tag: tag.as_deref(),
        },
    ));
    let summary = ArchiveSummary {
        file_name: file_name.to_owned(),
        format: scan.format,
        size: scan.size,
        sha256: hex::encode(scan.sha256),
        files,
        uncompressed_size,
    };
    let fingerprint = materials.key.as_ref().map(PublicKey::fingerprint);
    Report::new(summary, version, fingerprint, checks)
}

/// The signature bundle's default file name: `<archive file name>.sigstore.json`.
pub fn bundle_file_name(archive_file_name: &str) -> String {
    format!("{archive_file_name}.sigstore.json")
}

/// The package provenance's default file names for `version`: the DSSE envelope
/// (`customer-security-package-<version>.intoto.jsonl`) and its Sigstore bundle
/// (`….intoto.sigstore.json`).
pub fn provenance_file_names(version: &str) -> [String; 2] {
    let top = layout::top_folder(version);
    [
        format!("{top}.intoto.jsonl"),
        format!("{top}.intoto.sigstore.json"),
    ]
}

fn load_key(source: &KeySource) -> Result<PublicKey, VerifyError> {
    let (origin, pem) = match source {
        KeySource::Pem { origin, pem } => (origin.clone(), pem.clone()),
        KeySource::File(path) => {
            let read = || -> io::Result<Vec<u8>> {
                let mut bytes = Vec::new();
                File::open(path)?
                    .take(MAX_KEY_FILE)
                    .read_to_end(&mut bytes)?;
                Ok(bytes)
            };
            let pem = read().map_err(|source| VerifyError::ReadKey {
                path: path.clone(),
                source,
            })?;
            (path.display().to_string(), pem)
        }
    };
    secpack_provenance::load_public_key(&pem, &origin).map_err(VerifyError::Key)
}

/// Recognise an archive without a known extension by its first bytes.
fn sniff(file: &mut File, path: &Path) -> Result<ArchiveFormat, VerifyError> {
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < magic.len() {
        let n = file
            .read(magic.get_mut(got..).expect("got < len"))
            .map_err(|source| VerifyError::ReadArchive {
                path: path.to_path_buf(),
                source,
            })?;
        if n == 0 {
            break;
        }
        got += n;
    }
    match magic {
        [b'P', b'K', 3, 4] => Ok(ArchiveFormat::Zip),
        [0x1f, 0x8b, ..] => Ok(ArchiveFormat::TarGz),
        _ => Err(VerifyError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Read a small file whole, up to `limit` bytes; a larger file becomes unavailable.
fn read_material(path: &Path, limit: u64) -> io::Result<Material> {
    let name = file_name_of(path);
    let mut bytes = Vec::new();
    File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Material::Unavailable {
            name,
            reason: format!("larger than the limit of {limit} bytes"),
        });
    }
    Ok(Material::Loaded { name, bytes })
}

fn discover(dir: &Path, name: &str, option: &str, limit: u64) -> Material {
    match read_material(&dir.join(name), limit) {
        Ok(material) => material,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Material::Unavailable {
            name: name.to_owned(),
            reason: format!("not found next to the package; pass its path with {option}"),
        },
        Err(e) => Material::Unavailable {
            name: name.to_owned(),
            reason: format!("cannot be read: {e}"),
        },
    }
}

fn discover_provenance(dir: &Path, scan: &Scan, file_name: &str, limit: u64) -> Vec<Material> {
    let version = scan
        .outcome
        .as_ref()
        .ok()
        .and_then(|c| c.top_folder.strip_prefix(layout::PACKAGE_PREFIX))
        .or_else(|| checks::version_from_file_name(file_name))
        .filter(|v| !v.is_empty());
    let Some(version) = version else {
        return vec![Material::Unavailable {
            name: "provenance".to_owned(),
            reason: "the package version is unknown, so the provenance file cannot be found by name; pass its path with --provenance".to_owned(),
        }];
    };
    let [jsonl, bundle] = provenance_file_names(version);
    let found: Vec<Material> = [&jsonl, &bundle]
        .into_iter()
        .map(|name| discover(dir, name, "--provenance", limit))
        .filter(|m| matches!(m, Material::Loaded { .. }) || !is_not_found(m))
        .collect();
    if found.is_empty() {
        return vec![Material::Unavailable {
            name: jsonl.clone(),
            reason: format!(
                "not found next to the package (nor `{bundle}`); pass its path with --provenance"
            ),
        }];
    }
    found
}

fn is_not_found(material: &Material) -> bool {
    matches!(material, Material::Unavailable { reason, .. } if reason.starts_with("not found"))
}
