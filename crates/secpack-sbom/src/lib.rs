//! secpack-sbom
