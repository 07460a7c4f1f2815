//! The leak gate of secpack: finds secrets, personal data and internal-only text in the final
//! bytes of every file that goes into a Customer Security Package.
//!
//! Classification decides which files ship; this crate looks inside them. It scans the bytes
//! as they will be written (rendered Markdown, redacted SBOM and provenance JSON) and reports
//! private keys, cloud credentials, vendor tokens, JWTs, passwords in URLs, high-entropy values
//! assigned to secret-like names, internal host names and address ranges from the
//! configuration, e-mail addresses outside an allow-list, and leftover internal markers.
//!
//! How it works: one Aho-Corasick pass over the input finds rule keywords (case-insensitive);
//! each rule's regex then runs only on the lines (at most 4 KiB either side) around its
//! keyword hits, and rule-specific checks (entropy, context, allow-lists) confirm a match.
//! Time and memory are linear in the input, also for invalid UTF-8 and single huge lines;
//! [`Scanner::stream`] scans an input fed in chunks without holding it whole.
//!
//! A [`Finding`] names the path, line, rule and a masked preview; the secret itself is never
//! in a finding, only in a truncated hash ([`Finding::fingerprint`]) that an
//! [`Exception`] in `secpack.toml` can name to accept the finding with a written reason
//! ([`Scanner::triage`]). [`strip_internal_sections`] removes `<!-- secpack:internal -->`
//! sections from Markdown before the scan.
//!
//! What it never does: read files, touch the network, print, or decide to fail a build. It
//! takes bytes and returns values; the orchestrator does the IO and the failing. It never
//! looks inside compressed content: that is reported as `unscannable-content`.
//!
//! ```
//! use secpack_scan::{LeakGateConfig, RuleId, Scanner};
//!
//! let config = LeakGateConfig {
//!     internal_domains: vec!["corp.summit.example".into()],
//!     email_allow: vec!["security@summit.example".into()],
//!     ..LeakGateConfig::default()
//! };
//! let scanner = Scanner::new(&config)?;
//! let doc = b"Report issues to security@summit.example.\n\
//!             Deploy from build01.corp.summit.example with\n\
//!             token: ghp_FAKEtestONLY0123456789abcdefghijklmn\n";
//! let report = scanner.scan("hardening/cloud-deployment.md", doc);
//! let found: Vec<(u64, RuleId)> = report.findings.iter().map(|f| (f.line, f.rule)).collect();
//! assert_eq!(found, [(2, RuleId::InternalHost), (3, RuleId::GithubToken)]);
//! // The preview is masked: the token itself is never in a finding.
//! assert_eq!(report.findings[1].preview, "ghp_***(40 chars)");
//! assert!(!report.findings[1].to_string().contains("FAKEtestONLY"));
//!
//! let triage = scanner.triage(report.findings);
//! assert_eq!(triage.blocking.len(), 2);
//! # Ok::<(), secpack_scan::Error>(())
//! ```
#![forbid(unsafe_code)]

mod config;
mod content;
mod error;
mod patterns;
mod rule;
mod scanner;
mod strip;
mod util;

pub use config::{Exception, LeakGateConfig};
pub use content::ContentKind;
pub use error::Error;
pub use rule::RuleId;
pub use scanner::{AcceptedFinding, Finding, ScanReport, Scanner, StreamScan, Triage};
pub use strip::strip_internal_sections;
