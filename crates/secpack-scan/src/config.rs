//! The `[leak_gate]` table of `secpack.toml` and its validation.

use serde::{Deserialize, Serialize};

use crate::{Error, RuleId};

/// The leak-gate configuration: the `[leak_gate]` table of `secpack.toml`.
///
/// Every field is optional; unknown fields are an error (a typo must not silently disable a
/// check). [`LeakGateConfig::validate`] checks the values; [`crate::Scanner::new`] calls it.
///
/// ```toml
/// [leak_gate]
/// internal_hosts = ["jenkins01"]
/// internal_domains = ["corp.summit.example"]
/// internal_cidrs = ["10.20.0.0/16"]
/// email_allow = ["security@summit.example", "@trust.summit.example"]
/// internal_markers = ["SUMMIT-INTERNAL"]
/// disabled_rules = []
/// exceptions = [
///   { fingerprint = "jwt:0b9d6f1a", reason = "expired demo token in the SSO hardening guide" },
/// ]
/// ```
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LeakGateConfig {
    /// Host names that must never ship (`build01.corp.summit.example`, or a short name such as
    /// `jenkins01`); names under them are caught too. Case-insensitive.
    pub internal_hosts: Vec<String>,
    /// Domains whose every name must never ship (`corp.summit.example` catches
    /// `db.corp.summit.example` and the domain itself). Case-insensitive.
    pub internal_domains: Vec<String>,
    /// IPv4 ranges in CIDR notation (`10.20.0.0/16`, prefix length 8 to 32) whose addresses
    /// must never ship.
    pub internal_cidrs: Vec<String>,
    /// E-mail addresses that may ship: an exact address (`security@summit.example`) or a whole
    /// domain (`@summit.example`, that domain only, not its subdomains). Case-insensitive.
    pub email_allow: Vec<String>,
    /// Extra internal-marker phrases (case-insensitive, at least 4 characters) added to the
    /// built-in ones (`secpack:internal`, `internal only`, `internal use only`, ...).
    pub internal_markers: Vec<String>,
    /// Rule names ([`RuleId::as_str`]) to switch off for the whole package.
    pub disabled_rules: Vec<String>,
    /// Findings accepted on purpose: each names a finding by its fingerprint and says why.
    pub exceptions: Vec<Exception>,
}

/// One accepted finding: its fingerprint and the written reason for shipping it anyway.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The finding's [`crate::Finding::fingerprint`] (`<rule>:<8 hex digits>`).
    pub fingerprint: String,
    /// Why this may ship; mandatory and non-empty. Listed in the traceability index.
    pub reason: String,
}

/// An IPv4 range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    pub(crate) network: u32,
    pub(crate) prefix: u8,
}

impl Cidr {
    pub(crate) fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix))
        }
    }

    pub(crate) fn contains(self, addr: u32) -> bool {
        addr & self.mask() == self.network
    }

    /// Keywords that every address of the range starts with, as text: whole leading octets
    /// followed by a dot (`10.20.`), the partial octet enumerated (`172.16.` .. `172.31.`).
    pub(crate) fn keywords(self) -> Vec<String> {
        let octets = self.network.to_be_bytes();
        let full = usize::from(self.prefix / 8).min(3);
        let partial_bits = if full < 3 { self.prefix % 8 } else { 0 };
        let head: Vec<String> = octets.iter().take(full).map(u8::to_string).collect();
        if partial_bits == 0 {
            return vec![format!("{}.", head.join("."))];
        }
        let first = octets.get(full).copied().unwrap_or(0);
        let count = 1u16 << (8 - partial_bits);
        (0..count)
            .map(|i| {
                let octet = u16::from(first) + i;
                let mut parts = head.clone();
                parts.push(octet.to_string());
                format!("{}.", parts.join("."))
            })
            .collect()
    }

    pub(crate) fn parse(text: &str) -> Result<Cidr, String> {
        let (addr, prefix) = text.split_once('/').ok_or_else(|| {
            format!("`{text}` has no prefix length; write it as a CIDR range such as `{text}/32`")
        })?;
        let addr: std::net::Ipv4Addr = addr.parse().map_err(|_| {
            format!("`{text}` is not an IPv4 range (IPv6 is not supported); write `a.b.c.d/n`")
        })?;
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| format!("`{text}` has a prefix length outside 0..=32"))?;
        if prefix < 8 {
            return Err(format!(
                "`{text}` is wider than a /8 and would flag most addresses; list the internal ranges themselves"
            ));
        }
        let cidr = Cidr {
            network: u32::from(addr),
            prefix,
        };
        if cidr.network & !cidr.mask() != 0 {
            let fixed = std::net::Ipv4Addr::from(cidr.network & cidr.mask());
            return Err(format!(
                "`{text}` has host bits set; did you mean `{fixed}/{prefix}`?"
            ));
        }
        Ok(cidr)
    }
}

/// The validated, normalised configuration the scanner works from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Compiled {
    pub(crate) hosts: Vec<String>,
    pub(crate) domains: Vec<String>,
    pub(crate) cidrs: Vec<Cidr>,
    pub(crate) email_exact: Vec<String>,
    pub(crate) email_domains: Vec<String>,
    pub(crate) markers: Vec<String>,
    pub(crate) disabled: Vec<RuleId>,
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl LeakGateConfig {
    /// Check every field; the error names the entry (`leak_gate.internal_cidrs[1]`) and the fix.
    pub fn validate(&self) -> Result<(), Error> {
        self.compile().map(|_| ())
    }

    pub(crate) fn compile(&self) -> Result<Compiled, Error> {
        let mut out = Compiled::default();
        for (i, host) in self.internal_hosts.iter().enumerate() {
            let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
            if !is_host_name(&h) {
                return Err(Error::config(
                    format!("leak_gate.internal_hosts[{i}]"),
                    format!("`{host}` is not a host name; use letters, digits, `-` and dots only"),
                ));
            }
            out.hosts.push(h);
        }
        for (i, domain) in self.internal_domains.iter().enumerate() {
            let d = domain
                .trim()
                .trim_start_matches("*.")
                .trim_matches('.')
                .to_ascii_lowercase();
            if !is_host_name(&d) {
                return Err(Error::config(
                    format!("leak_gate.internal_domains[{i}]"),
                    format!("`{domain}` is not a domain name; write it like `corp.example.com`"),
                ));
            }
            out.domains.push(d);
        }
        for (i, text) in self.internal_cidrs.iter().enumerate() {
            let cidr = Cidr::parse(text.trim())
                .map_err(|m| Error::config(format!("leak_gate.internal_cidrs[{i}]"), m))?;
            out.cidrs.push(cidr);
        }
        for (i, entry) in self.email_allow.iter().enumerate() {
            let e = entry.trim().to_ascii_lowercase();
            let field = || format!("leak_gate.email_allow[{i}]");
            match e.split_once('@') {
                Some(("", domain)) if is_host_name(domain) => {
                    out.email_domains.push(domain.to_owned())
                }
                Some((local, domain)) if !local.is_empty() && is_host_name(domain) => {
                    out.email_exact.push(e.clone());
                }
                _ => {
                    return Err(Error::config(
                        field(),
                        format!(
                            "`{entry}` is neither an address (`name@domain`) nor a domain (`@domain`)"
                        ),
                    ));
                }
            }
        }
        for (i, marker) in self.internal_markers.iter().enumerate() {
            let m = marker.trim().to_ascii_lowercase();
            if m.len() < 4 {
                return Err(Error::config(
                    format!("leak_gate.internal_markers[{i}]"),
                    format!(
                        "`{marker}` is shorter than 4 characters and would match ordinary text"
                    ),
                ));
            }
            out.markers.push(m);
        }
        for (i, name) in self.disabled_rules.iter().enumerate() {
            let rule = RuleId::from_name(name.trim()).ok_or_else(|| {
                let known: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
                Error::config(
                    format!("leak_gate.disabled_rules[{i}]"),
                    format!("unknown rule `{name}`; known rules: {}", known.join(", ")),
                )
            })?;
            out.disabled.push(rule);
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, exception) in self.exceptions.iter().enumerate() {
            let field = format!("leak_gate.exceptions[{i}]");
            check_fingerprint(&exception.fingerprint)
                .map_err(|m| Error::config(format!("{field}.fingerprint"), m))?;
            if exception.reason.trim().is_empty() {
                return Err(Error::config(
                    format!("{field}.reason"),
                    format!(
                        "the exception for `{}` has no reason; say why this finding may ship",
                        exception.fingerprint
                    ),
                ));
            }
            if seen.contains(&exception.fingerprint.as_str()) {
                return Err(Error::config(
                    format!("{field}.fingerprint"),
                    format!(
                        "`{}` is listed twice; keep one entry",
                        exception.fingerprint
                    ),
                ));
            }
            seen.push(&exception.fingerprint);
        }
        Ok(out)
    }
}

fn check_fingerprint(fp: &str) -> Result<(), String> {
    let shape = "a fingerprint looks like `jwt:0b9d6f1a` (rule name, colon, 8 lowercase hex digits) \
                 and is copied from the scan report";
    let (rule, digest) = fp
        .split_once(':')
        .ok_or_else(|| format!("`{fp}` is malformed; {shape}"))?;
    if RuleId::from_name(rule).is_none() {
        return Err(format!("`{fp}` names an unknown rule `{rule}`; {shape}"));
    }
    if digest.len() != 8
        || !digest
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(format!("`{fp}` is malformed; {shape}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<LeakGateConfig, String> {
        toml::from_str(toml_text).map_err(|e| e.to_string())
    }

    fn check_err(toml_text: &str, expected: &str) {
        let config = parse(toml_text).unwrap();
        let err = config.validate().unwrap_err().to_string();
        assert_eq!(err, expected);
    }

    #[test]
    fn full_config_parses_and_validates() {
        let config = parse(
            r#"
            internal_hosts = ["jenkins01", "Build01.corp.summit.example."]
            internal_domains = ["*.corp.summit.example"]
            internal_cidrs = ["10.20.0.0/16", "172.16.0.0/12"]
            email_allow = ["security@summit.example", "@trust.summit.example"]
            internal_markers = ["SUMMIT-INTERNAL"]
            disabled_rules = ["email-address"]
            exceptions = [{ fingerprint = "jwt:0b9d6f1a", reason = "expired demo token" }]
            "#,
        )
        .unwrap();
        let c = config.compile().unwrap();
        assert_eq!(c.hosts, ["jenkins01", "build01.corp.summit.example"]);
        assert_eq!(c.domains, ["corp.summit.example"]);
        assert_eq!(c.email_exact, ["security@summit.example"]);
        assert_eq!(c.email_domains, ["trust.summit.example"]);
        assert_eq!(c.disabled, [RuleId::EmailAddress]);
        assert_eq!(c.markers, ["summit-internal"]);
    }

    #[test]
    fn unknown_field_is_rejected() {
        let err = parse("internal_host = [\"x\"]").unwrap_err();
        assert!(err.contains("unknown field `internal_host`"), "{err}");
        let err = parse("exceptions = [{ fingerprint = \"jwt:0b9d6f1a\" }]").unwrap_err();
        assert!(err.contains("missing field `reason`"), "{err}");
    }

    #[test]
    fn bad_values_name_the_entry_and_the_fix() {
        check_err(
            r#"internal_cidrs = ["10.20.0.0/16", "10.20.1.0/16"]"#,
            "secpack.toml `leak_gate.internal_cidrs[1]`: `10.20.1.0/16` has host bits set; did you mean `10.20.0.0/16`?",
        );
        check_err(
            r#"internal_cidrs = ["10.0.0.0/4"]"#,
            "secpack.toml `leak_gate.internal_cidrs[0]`: `10.0.0.0/4` is wider than a /8 and would flag most addresses; list the internal ranges themselves",
        );
        check_err(
            r#"internal_cidrs = ["fd00::/8"]"#,
            "secpack.toml `leak_gate.internal_cidrs[0]`: `fd00::/8` is not an IPv4 range (IPv6 is not supported); write `a.b.c.d/n`",
        );
        check_err(
            r#"internal_cidrs = ["10.20.0.1"]"#,
            "secpack.toml `leak_gate.internal_cidrs[0]`: `10.20.0.1` has no prefix length; write it as a CIDR range such as `10.20.0.1/32`",
        );
        check_err(
            r#"internal_hosts = ["bad host"]"#,
            "secpack.toml `leak_gate.internal_hosts[0]`: `bad host` is not a host name; use letters, digits, `-` and dots only",
        );
        check_err(
            r#"email_allow = ["security"]"#,
            "secpack.toml `leak_gate.email_allow[0]`: `security` is neither an address (`name@domain`) nor a domain (`@domain`)",
        );
        check_err(
            r#"disabled_rules = ["emails"]"#,
            &format!(
                "secpack.toml `leak_gate.disabled_rules[0]`: unknown rule `emails`; known rules: {}",
                RuleId::ALL.map(|r| r.as_str()).join(", ")
            ),
        );
        check_err(
            r#"exceptions = [{ fingerprint = "jwt:0b9d6f1a", reason = "  " }]"#,
            "secpack.toml `leak_gate.exceptions[0].reason`: the exception for `jwt:0b9d6f1a` has no reason; say why this finding may ship",
        );
        check_err(
            r#"exceptions = [{ fingerprint = "jwt:0B9D6F1A", reason = "x" }]"#,
            "secpack.toml `leak_gate.exceptions[0].fingerprint`: `jwt:0B9D6F1A` is malformed; a fingerprint looks like `jwt:0b9d6f1a` (rule name, colon, 8 lowercase hex digits) and is copied from the scan report",
        );
        check_err(
            r#"exceptions = [{ fingerprint = "jwt:0b9d6f1a", reason = "x" }, { fingerprint = "jwt:0b9d6f1a", reason = "y" }]"#,
            "secpack.toml `leak_gate.exceptions[1].fingerprint`: `jwt:0b9d6f1a` is listed twice; keep one entry",
        );
        check_err(
            r#"internal_markers = ["int"]"#,
            "secpack.toml `leak_gate.internal_markers[0]`: `int` is shorter than 4 characters and would match ordinary text",
        );
    }

    #[test]
    fn cidr_keywords_cover_the_range() {
        let check = |text: &str, expected: &[&str]| {
            let cidr = Cidr::parse(text).unwrap();
            let kw = cidr.keywords();
            assert_eq!(
                kw.first().map(String::as_str),
                expected.first().copied(),
                "{text}"
            );
            assert_eq!(
                kw.last().map(String::as_str),
                expected.last().copied(),
                "{text}"
            );
            assert_eq!(
                kw.len(),
                expected
                    .len()
                    .max(if expected.len() == 2 { kw.len() } else { 1 })
            );
        };
        check("10.20.0.0/16", &["10.20."]);
        check("10.0.0.0/8", &["10."]);
        check("192.168.7.0/24", &["192.168.7."]);
        check("192.168.7.9/32", &["192.168.7."]);
        check("172.16.0.0/12", &["172.16.", "172.31."]);
        assert_eq!(Cidr::parse("172.16.0.0/12").unwrap().keywords().len(), 16);
        let c = Cidr::parse("10.20.0.0/16").unwrap();
        assert!(c.contains(u32::from(std::net::Ipv4Addr::new(10, 20, 255, 1))));
        assert!(!c.contains(u32::from(std::net::Ipv4Addr::new(10, 21, 0, 1))));
    }
}
