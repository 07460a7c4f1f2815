//! secpack-archive
