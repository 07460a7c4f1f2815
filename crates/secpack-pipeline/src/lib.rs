//! The orchestrator: from a git commit to a Customer Security Package.
//!
//! `secpack-pipeline` wires the libraries together and owns the edges: it reads the
//! commit with gix ([`source`]), parses `secpack.toml` from that commit ([`config`]),
//! classifies and maps every file ([`plan()`], module [`mod@plan`]), and writes the archives
//! ([`build()`], module [`mod@build`]). It holds no format knowledge of its own: layout,
//! manifest and writers live in `secpack-archive`, classification in `secpack-classify`.
//!
//! It never reads the work tree, the index or untracked files, and never uses the wall
//! clock: the commit time is the only time in the output.
//!
//! ```
//! use secpack_pipeline::{BuildRequest, NoProgress, PlanRequest, Signing, build, plan};
//! # let dir = tempfile::tempdir()?;
//! # let repo = dir.path().join("summit");
//! # let fixture = secpack_testkit::workspace_root().join("fixtures/summit");
//! # secpack_testkit::git::materialize(&fixture, &repo, "v1.2.3")?;
//!
//! // Every file of the tagged commit, with its class, the deciding rule and its destination.
//! let plan = plan(&PlanRequest { repo: &repo, rev: "v1.2.3", version: None })?;
//! assert_eq!(plan.version, "v1.2.3");
//! let vdp = plan.decisions.iter().find(|d| d.path == "policies/vulnerability-disclosure.md").unwrap();
//! assert_eq!(vdp.dest.as_deref(), Some("policies/VULNERABILITY_DISCLOSURE.md"));
//! let key = plan.decisions.iter().find(|d| d.path == "internal/keys/TEST-ONLY-deploy-key.pem").unwrap();
//! assert_eq!((key.class.as_str(), key.dest.as_deref()), ("internal", None));
//!
//! // Build it (unsigned here; `Signing::Key` signs).
//! let out = dir.path().join("out");
//! let request = BuildRequest {
//!     out_dir: out.clone(),
//!     signing: Signing::Unsigned,
//!     env: |_| None,
//!     progress: &NoProgress,
//! };
//! let built = build(&plan, &request)?;
//! assert!(built.archives[0].path.ends_with("customer-security-package-v1.2.3.zip"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod build;
pub mod config;
mod delta;
pub mod error;
mod pack;
pub mod plan;
pub mod render;
pub mod source;

pub use build::{
    BuildOutput, BuildRequest, NoProgress, Progress, ScanOutcome, Signing, build, plan_and_build,
    process_env, scan,
};
pub use config::Config;
pub use error::{Error, ErrorKind};
pub use plan::{FileDecision, Plan, PlanRequest, plan};
