#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! End-to-end tests: the real `secpack` binary on real temporary git repositories.

#[path = "cli/build.rs"]
mod build;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/fixture.rs"]
mod fixture;
#[path = "cli/init.rs"]
mod init;
#[path = "cli/leaks.rs"]
mod leaks;
#[path = "cli/questionnaire.rs"]
mod questionnaire;
#[path = "cli/sbom.rs"]
mod sbom;
#[path = "cli/signing.rs"]
mod signing;
#[path = "cli/support.rs"]
mod support;
#[path = "cli/ux.rs"]
mod ux;
#[path = "cli/verify.rs"]
mod verify;
