//! secpack-scan
