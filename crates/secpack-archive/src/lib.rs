//! The Customer Security Package as a file format: its layout, its traceability index, its
//! `SHA256SUMS`, and deterministic streaming writers for its zip and tar.gz.
//!
//! This crate knows nothing about git, configuration or classification rules: the
//! orchestrator hands it an ordered list of package paths and their bytes. It never reads
//! anything but the data it is given and writes only the two archives, atomically.
//!
//! ```
//! use secpack_archive::{ArchiveFormat, PackageWriter};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut writer = PackageWriter::create(dir.path(), "v1.2.3", 1_700_000_000).unwrap();
//! writer.add_bytes("OVERVIEW.md", b"# Overview\n").unwrap();
//! writer.add_bytes("policies/SECURITY_CONTACT.md", b"security@summit.example\n").unwrap();
//! let archives = writer.finish().unwrap();
//! assert_eq!(archives[0].format, ArchiveFormat::Zip);
//! assert!(archives[0].path.ends_with("customer-security-package-v1.2.3.zip"));
//! assert!(archives[1].path.ends_with("customer-security-package-v1.2.3.tar.gz"));
//! ```

pub mod layout;
pub mod manifest;
pub mod sums;
pub mod write;

pub use layout::{ArchiveFormat, LayoutError};
pub use manifest::{
    AcceptedFinding, MANIFEST_SCHEMA, Manifest, ManifestFile, SourceRef, TransformRecord,
};
pub use sums::{SumLine, SumsError};
pub use write::{PackageWriter, PendingArchives, WriteError, WrittenArchive, write_atomic};
