//! secpack-classify
