//! Format and version detection.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::Error;
use crate::json::{Doc, Node};

/// The SBOM format and version of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// CycloneDX JSON `1.<minor>` (4 to 7).
    CycloneDx {
        /// The minor version.
        minor: u8,
    },
    /// SPDX JSON `2.<minor>` (2 or 3).
    Spdx {
        /// The minor version.
        minor: u8,
    },
}

impl Format {
    /// The usual file-name ending for this format: `.cdx.json` or `.spdx.json`.
    pub fn extension(&self) -> &'static str {
        match self {
            Format::CycloneDx { .. } => ".cdx.json",
            Format::Spdx { .. } => ".spdx.json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::CycloneDx { minor } => write!(f, "CycloneDX 1.{minor}"),
            Format::Spdx { minor } => write!(f, "SPDX 2.{minor}"),
        }
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

const CDX_SUPPORTED: &str = "CycloneDX JSON 1.4, 1.5, 1.6, 1.7";
const SPDX_SUPPORTED: &str = "SPDX JSON 2.2, 2.3";

/// Detect the format of a parsed root.
pub(crate) fn detect(doc: &Doc<'_>, root: &Node<'_>) -> Result<Format, Error> {
    let Some(members) = root.members() else {
        return Err(Error::UnknownFormat {
            found: format!("the top-level value is {}, not an object", root.kind(doc)),
        });
    };
    let _ = members;
    if let Some(bom_format) = root.get("bomFormat") {
        let name = bom_format.as_str().unwrap_or_default();
        if name != "CycloneDX" {
            return Err(Error::UnknownFormat {
                found: format!("\"bomFormat\" is {}", short(doc, bom_format)),
            });
        }
        let version = root.get_str("specVersion").map(|v| v.into_owned());
        let Some(version) = version else {
            return Err(Error::UnsupportedVersion {
                format: "CycloneDX",
                version: "(no \"specVersion\" string)".into(),
                supported: CDX_SUPPORTED,
            });
        };
        return match version.as_str() {
            "1.4" => Ok(Format::CycloneDx { minor: 4 }),
            "1.5" => Ok(Format::CycloneDx { minor: 5 }),
            "1.6" => Ok(Format::CycloneDx { minor: 6 }),
            "1.7" => Ok(Format::CycloneDx { minor: 7 }),
            _ => Err(Error::UnsupportedVersion {
                format: "CycloneDX",
                version,
                supported: CDX_SUPPORTED,
            }),
        };
    }
    if let Some(v) = root.get("spdxVersion") {
        let version = v
            .as_str()
            .map(|v| v.into_owned())
            .unwrap_or_else(|| short(doc, v));
        return match version.as_str() {
            "SPDX-2.2" => Ok(Format::Spdx { minor: 2 }),
            "SPDX-2.3" => Ok(Format::Spdx { minor: 3 }),
            _ => Err(Error::UnsupportedVersion {
                format: "SPDX",
                version: version.trim_start_matches("SPDX-").to_string(),
                supported: SPDX_SUPPORTED,
            }),
        };
    }
    if root.get("@context").is_some() {
        return Err(Error::UnsupportedVersion {
            format: "SPDX",
            version: "3 (JSON-LD \"@context\")".into(),
            supported: SPDX_SUPPORTED,
        });
    }
    Err(Error::UnknownFormat {
        found: "an object with neither \"bomFormat\" nor \"spdxVersion\"".into(),
    })
}

fn short(doc: &Doc<'_>, node: &Node<'_>) -> String {
    let text = doc.slice(node.span());
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}
