//! The orchestrator: from a git commit to a Customer Security Package.
//!
//! `secpack-pipeline` wires the libraries together and owns the edges: it reads the
//! commit with gix ([`source`]), parses `secpack.toml` from that commit ([`config`]),
//! classifies and maps every file ([`plan`]), and writes the archives ([`build`]). It holds
//! no format knowledge of its own: layout, manifest and writers live in `secpack-archive`,
//! classification in `secpack-classify`.
//!
//! It never reads the work tree, the index or untracked files, and never uses the wall
//! clock: the commit time is the only time in the output.
//!
//! ```no_run
//! use std::path::Path;
//! use secpack_pipeline::{plan, PlanRequest};
//!
//! let plan = plan(&PlanRequest { repo: Path::new("."), rev: "v1.2.3", version: None })?;
//! for d in &plan.decisions {
//!     println!("{} {} {:?}", d.class, d.path, d.dest);
//! }
//! # Ok::<(), secpack_pipeline::Error>(())
//! ```

pub mod build;
pub mod config;
pub mod error;
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
