//! One offline verifier for everything a customer must check in a Customer Security Package.
//!
//! [`verify`] reads a package archive (`.zip` or `.tar.gz`) once, streaming: every entry is
//! decompressed and hashed exactly once, the archive itself is hashed in the same pass, and
//! nothing is ever extracted or written. It then runs every check and returns a [`Report`]:
//! one [`Check`] per [`CheckId`], in a fixed order, each passed, failed (with [`Finding`]s
//! carrying a stable [`Code`]) or skipped with the reason. The report serializes to a stable,
//! documented JSON ([`REPORT_SCHEMA`]) and renders for people through `Display`; a CLI prints
//! it and exits with [`Report::exit_code`], or with 2 on a [`VerifyError`].
//!
//! The checks, in report order: `archive-safety` (hostile or malformed archives: path
//! traversal, links, devices, duplicates, case collisions, decompression bombs, truncation,
//! zip header disagreements, prepended or appended data), `top-folder`, `required-paths`,
//! `sums-complete`, `digests`, `signature` (Sigstore bundle over the archive's SHA-256),
//! `provenance` (signed SLSA v1 statement naming this archive and version), `manifest` (the
//! traceability index), `no-internal`.
//!
//! What it never does: write to disk, extract, use the network (no HTTP client is linked), or
//! implement cryptography (signatures are checked by `secpack-provenance`). Memory is bounded by
//! [`Limits`], whatever the input.
//!
//! ```
//! use secpack_verify::{CheckId, Code, Status, VerifyOptions, verify};
//!
//! let dir = tempfile::tempdir()?;
//! let mut writer = secpack_archive::PackageWriter::create(dir.path(), "v1.2.3", 1_700_000_000)?;
//! writer.add_bytes("OVERVIEW.md", b"# Overview\n")?;
//! let archives = writer.finish()?;
//!
//! let mut options = VerifyOptions::new(&archives[0].path);
//! options.allow_unsigned = true;
//! let report = verify(&options)?;
//!
//! // The archive is safe, but this is no complete package.
//! assert_eq!(report.check(CheckId::ArchiveSafety).unwrap().status, Status::Passed);
//! let sums = report.check(CheckId::SumsComplete).unwrap();
//! assert!(sums.has(Code::SumsMissing));
//! assert_eq!(report.exit_code(), 1);
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod checks;
mod limits;
mod report;
mod scan;
mod signing;
mod verify;

pub use limits::Limits;
pub use report::{
    ArchiveSummary, Check, CheckId, Code, Finding, MAX_FINDINGS, REPORT_SCHEMA, Report, Status,
};
pub use scan::{ArchiveProblem, Contents, ReadSeek, Scan, ScannedFile, scan};
pub use signing::{Material, Materials};
pub use verify::{
    KeySource, VerifyError, VerifyOptions, bundle_file_name, provenance_file_names, verify,
    verify_reader, verify_scan,
};
