//! secpack-pipeline
