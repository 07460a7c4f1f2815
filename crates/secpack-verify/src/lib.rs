//! secpack-verify
