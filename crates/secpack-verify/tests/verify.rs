//! Integration tests of secpack-verify: the tamper matrix on a package built and signed in the
//! test, hand-crafted hostile zips and tar.gz files, usage errors, the report format, and the
//! customer commands of `docs/verifying.md` run with the real tools.
#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

mod verify {
    mod docs;
    mod hostile_tar;
    mod hostile_zip;
    mod report;
    pub(crate) mod support;
    mod tamper;
    mod usage;
}
