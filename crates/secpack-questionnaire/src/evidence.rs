//! Evidence lookup: the caller knows the classification of every source file and where shipped
//! files land in the package; this crate only asks.

use std::collections::BTreeMap;

/// What the package holds for one evidence source path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// Shipped at `package_path`, relative to the package root with `/` separators
    /// (e.g. `policies/VULNERABILITY_DISCLOSURE.md`).
    Shipped { package_path: String },
    /// Present in the repository but classified internal: never shipped.
    Internal,
    /// Present and shareable (public or customer-only), but the package layout does not
    /// include it, so there is nothing to link to.
    NotShipped,
    /// No such file at the revision being packaged.
    Missing,
}

/// Resolves evidence source paths (relative to the repository root) to what the package holds.
pub trait EvidenceIndex {
    fn resolve(&self, source_path: &str) -> Evidence;
}

/// A fixed table: paths that are not keys are [`Evidence::Missing`].
impl EvidenceIndex for BTreeMap<String, Evidence> {
    fn resolve(&self, source_path: &str) -> Evidence {
        self.get(source_path).cloned().unwrap_or(Evidence::Missing)
    }
}

impl<F: Fn(&str) -> Evidence> EvidenceIndex for F {
    fn resolve(&self, source_path: &str) -> Evidence {
        self(source_path)
    }
}
