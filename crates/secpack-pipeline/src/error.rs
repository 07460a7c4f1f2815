//! The orchestrator's error type. Every message names the thing (file, rev, rule) and says
//! how to fix it.

use std::path::PathBuf;

/// A boxed error from a lower layer (gix, IO) kept as the `source`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

pub(crate) fn boxed(e: impl std::error::Error + Send + Sync + 'static) -> BoxError {
    Box::new(e)
}

/// Whether an error is the user's input or a policy/check failure; the CLI maps these to
/// exit codes 2 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad invocation, repository, revision or configuration (exit code 2).
    Usage,
    /// The input is well-formed but may not be packaged: an Internal file mapped into the
    /// package, a leak found, a failed check (exit code 1).
    Policy,
}

/// Errors of planning and building a package.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("`{path}` is not a git repository: {source}; pass the repository root with --repo")]
    NotARepository { path: PathBuf, source: BoxError },
    #[error(
        "revision `{rev}` cannot be resolved to a commit: {source}; pass a tag, branch or commit id that exists"
    )]
    Rev { rev: String, source: BoxError },
    #[error("{what}: {source}")]
    Git { what: String, source: BoxError },
    #[error(
        "commit {commit} has no release tag; tag it `vMAJOR.MINOR.PATCH` (e.g. `git tag v1.2.3 {short}`)"
    )]
    NoReleaseTag { commit: String, short: String },
    #[error(
        "commit {commit} has several release tags ({tags}); a package needs exactly one: delete the extra tags or build another commit"
    )]
    SeveralReleaseTags { commit: String, tags: String },
    #[error("--version `{given}` disagrees with the release tag `{tag}` of commit {commit}")]
    VersionMismatch {
        given: String,
        tag: String,
        commit: String,
    },
    #[error(
        "no `secpack.toml` at the root of commit {commit}; create one (see docs/config.md) and commit it"
    )]
    ConfigMissing { commit: String },
    /// A problem at a known place in `secpack.toml`: `file:line:column: message`, with the
    /// offending line and span for a front end to underline (boxed: it is the largest
    /// variant).
    #[error("{0}")]
    Config(Box<crate::config::ConfigError>),
    #[error("{file}: {message}")]
    ConfigValue { file: String, message: String },
    #[error("`{path}`: {source}")]
    Declaration {
        path: String,
        source: secpack_classify::DeclarationError,
    },
    #[error(
        "`{dest}` would be built from `{source_path}`, which is internal ({rule}); an internal file never ships: reclassify it in secpack.toml if it is shareable, or map another file"
    )]
    InternalSource {
        dest: String,
        source_path: String,
        rule: String,
    },
    #[error(
        "`{dest}` is mapped from `{source_path}`, which does not exist at commit {commit}; fix the path in secpack.toml"
    )]
    SourceNotFound {
        dest: String,
        source_path: String,
        commit: String,
    },
    #[error(
        "`{dest}` is mapped from `{source_path}`, which is a {what}: secpack never follows links or enters submodules; map the file itself"
    )]
    NotAFile {
        dest: String,
        source_path: String,
        what: &'static str,
    },
    #[error("`{dest}` is mapped twice: from `{first}` and from `{second}`; keep one mapping")]
    DuplicateDestination {
        dest: String,
        first: String,
        second: String,
    },
    #[error(
        "`{dest}` and `{other}` differ only in letter case, which collides on case-insensitive file systems; rename one"
    )]
    CaseCollision { dest: String, other: String },
    #[error(
        "the package lacks {paths}: map a source file to each in secpack.toml (see docs/config.md)"
    )]
    MissingRequired { paths: String },
    #[error("`{path}` has a file name that is not valid UTF-8 and cannot be packaged; rename it")]
    NonUtf8Path { path: String },
    #[error("{0}")]
    Layout(#[from] secpack_archive::LayoutError),
    #[error(transparent)]
    Write(#[from] secpack_archive::WriteError),
    #[error("{message}")]
    Policy { message: String },
    #[error(transparent)]
    Provenance(secpack_provenance::Error),
    #[error("{message}")]
    Questionnaire { message: String },
    #[error(
        "the package would hold {files} files, more than the {limit} that `secpack verify` accepts; ship fewer files (for example one archive per folder of evidence) or narrow [[dirs]] with `include`"
    )]
    TooManyFiles { files: usize, limit: usize },
    #[error(
        "`{path}` is {size} bytes, more than the {limit} bytes per file that `secpack verify` accepts; split it, compress it, or leave it out of the package"
    )]
    FileTooLarge { path: String, size: u64, limit: u64 },
    #[error(
        "the package's files would total {size} bytes, more than the {limit} bytes that `secpack verify` accepts; ship less evidence per package"
    )]
    PackageTooLarge { size: u64, limit: u64 },
    /// The archives were written, but `secpack verify` would refuse one: nothing was signed or
    /// published.
    #[error(
        "the built {archive} would fail `secpack verify`: {problem}; nothing was published. {fix}"
    )]
    SelfCheck {
        archive: String,
        problem: String,
        fix: &'static str,
    },
    #[error(
        "`verification/{what}` would be {bytes} bytes, more than the {limit} a verifier reads into memory; ship fewer files"
    )]
    IndexTooLarge {
        what: &'static str,
        bytes: u64,
        limit: u64,
    },
    #[error("leak gate: {source}")]
    Scan { source: secpack_scan::Error },
    #[error("leak gate: {} finding(s) in the package; nothing was written:\n{}\nremove the text, or add an exception with its fingerprint and a reason under [leak_gate] in secpack.toml", findings.len(), findings.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n"))]
    Leak {
        findings: Vec<secpack_scan::Finding>,
    },
    #[error("SBOM `{path}`: {source}")]
    Sbom {
        path: String,
        source: secpack_sbom::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// Usage error or policy failure (for exit codes).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InternalSource { .. }
            | Error::Policy { .. }
            | Error::Leak { .. }
            | Error::SelfCheck { .. } => ErrorKind::Policy,
            // A signature or a claim that does not check out is a failed check, not a usage error.
            Error::Provenance(
                secpack_provenance::Error::BadSignature { .. }
                | secpack_provenance::Error::DigestMismatch { .. }
                | secpack_provenance::Error::BuilderMismatch { .. },
            ) => ErrorKind::Policy,
            _ => ErrorKind::Usage,
        }
    }
}
