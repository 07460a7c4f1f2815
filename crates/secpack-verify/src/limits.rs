//! Resource limits that bound the work and memory spent on one archive.

/// Limits applied while reading an archive. Every limit is checked before the bytes it guards
/// are decompressed, so a hostile archive costs bounded time and memory.
///
/// The defaults suit packages up to a few GiB; raise them for bigger packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (files) an archive may hold. Default 100 000
    /// (`secpack_archive::layout::MAX_FILES`, which the builder also enforces).
    pub max_entries: u64,
    /// Largest uncompressed size of one file. Default 8 GiB
    /// (`secpack_archive::layout::MAX_FILE_BYTES`, which the builder also enforces).
    pub max_entry_size: u64,
    /// Largest uncompressed size of all files together. Default 16 GiB
    /// (`secpack_archive::layout::MAX_PACKAGE_BYTES`, which the builder also enforces).
    pub max_total_size: u64,
    /// Highest compression ratio (uncompressed / compressed) of a zip entry or of the whole
    /// tar.gz stream, checked once the output exceeds [`Limits::ratio_floor`]. Default 250 (real
    /// documents compress 3-30×; deflate's maximum is about 1032×). The builder checks every
    /// package it writes against the defaults (`secpack_archive::layout::MAX_COMPRESSION_RATIO`).
    pub max_ratio: u64,
    /// Output size below which the ratio is not checked (tiny files compress a lot).
    /// Default 1 MiB.
    pub ratio_floor: u64,
    /// Largest size of a file read into memory: `verification/SHA256SUMS`,
    /// `verification/manifest.json`, signature bundles and provenance. Default 64 MiB
    /// (`secpack_archive::layout::MAX_METADATA_BYTES`, which the builder also enforces).
    pub max_metadata_size: u64,
}

impl Limits {
    /// The documented defaults.
    pub const DEFAULT: Limits = Limits {
        max_entries: secpack_archive::layout::MAX_FILES as u64,
        max_entry_size: secpack_archive::layout::MAX_FILE_BYTES,
        max_total_size: secpack_archive::layout::MAX_PACKAGE_BYTES,
        max_ratio: secpack_archive::layout::MAX_COMPRESSION_RATIO,
        ratio_floor: secpack_archive::layout::RATIO_FLOOR,
        max_metadata_size: secpack_archive::layout::MAX_METADATA_BYTES,
    };

    /// Whether `output` bytes made from `input` compressed bytes exceed the ratio limit.
    pub(crate) fn ratio_exceeded(&self, output: u64, input: u64) -> bool {
        output > self.ratio_floor && output > self.max_ratio.saturating_mul(input.max(1))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
