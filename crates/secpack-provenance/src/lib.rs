//! secpack-provenance
