//! The one error type of the leak gate.

/// Errors of configuring the gate, stripping internal sections and reading a stream to scan.
///
/// Findings are not errors: a scan that finds a secret returns it in a [`crate::ScanReport`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `[leak_gate]` field of `secpack.toml` is invalid. `field` is the dotted path of the
    /// entry (`leak_gate.internal_cidrs[1]`), `message` says what is wrong and how to fix it.
    #[error("secpack.toml `{field}`: {message}")]
    Config { field: String, message: String },

    /// A Markdown file opens an internal section inside another one.
    #[error(
        "{path}:{line}: internal section opened inside the one opened at line {outer_line}; \
         close the first section with `<!-- /secpack:internal -->` before opening another"
    )]
    NestedInternalSection {
        path: String,
        line: usize,
        outer_line: usize,
    },

    /// A Markdown file closes an internal section that was never opened.
    #[error(
        "{path}:{line}: `<!-- /secpack:internal -->` closes no open internal section; \
         add `<!-- secpack:internal -->` where the internal text starts or delete this marker"
    )]
    UnopenedInternalSection { path: String, line: usize },

    /// A Markdown file opens an internal section and never closes it.
    #[error(
        "{path}:{line}: internal section opened here is never closed; \
         add `<!-- /secpack:internal -->` where the internal text ends"
    )]
    UnclosedInternalSection { path: String, line: usize },

    /// Reading the stream handed to [`crate::Scanner::scan_reader`] failed.
    #[error("{path}: reading the content to scan failed: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            field: field.into(),
            message: message.into(),
        }
    }
}
