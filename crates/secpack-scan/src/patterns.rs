//! The rule table: keywords for the Aho-Corasick prefilter and the confirming regex of each
//! rule. Every regex contains one of its rule's keywords and matches at most [`MAX_MATCH`]
//! bytes, so a match is always found inside the window around one keyword hit.

use regex::bytes::{Regex, RegexBuilder};

use crate::config::Compiled;
use crate::{Error, RuleId};

/// Longest match any rule can produce (bytes); windows reach this far around a keyword hit.
pub(crate) const MAX_MATCH: usize = 4096;

/// A compiled rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) id: RuleId,
    /// Case-insensitive keywords (lower-case ASCII); a hit opens a window for the regex.
    pub(crate) keywords: Vec<String>,
    /// Confirms a candidate; the named group `s` is the secret (the whole match if absent).
    pub(crate) regex: Regex,
    /// Lines after the hit's line that the window includes (multi-line formats).
    pub(crate) lines_after: usize,
    /// Must match within [`CONTEXT`] bytes of the match, when set.
    pub(crate) context: Option<Regex>,
}

/// How far around a match a rule's `context` regex looks.
pub(crate) const CONTEXT: usize = 2048;

fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(1 << 24)
        .build()
}

fn fixed(pattern: &str) -> Regex {
    build(pattern).expect("built-in rule patterns are valid and covered by unit tests")
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_ascii_lowercase()).collect()
}

fn rule(id: RuleId, keywords: &[&str], pattern: &str) -> Rule {
    Rule {
        id,
        keywords: words(keywords),
        regex: fixed(pattern),
        lines_after: 0,
        context: None,
    }
}

/// The built-in internal markers (case-insensitive).
pub(crate) const BUILTIN_MARKERS: [&str; 8] = [
    "secpack:internal",
    "secpack-internal",
    "internal only",
    "internal-only",
    "internal use only",
    "do not distribute",
    "not for distribution",
    "confidential - internal",
];

/// Build every enabled rule for a validated configuration.
pub(crate) fn rules(config: &Compiled) -> Result<Vec<Rule>, Error> {
    let mut all = Vec::new();
    let enabled = |id: RuleId| !config.disabled.contains(&id);

    if enabled(RuleId::GcpServiceAccountKey) {
        let mut r = rule(
            RuleId::GcpServiceAccountKey,
            &["\"private_key\""],
            r#""private_key"\s{0,8}:\s{0,8}"(?P<s>-----BEGIN[ A-Z]{0,20}PRIVATE KEY-----[^"]{32,3500})""#,
        );
        r.context = Some(fixed(r#""type"\s{0,8}:\s{0,8}"service_account""#));
        all.push(r);
    }
    if enabled(RuleId::PrivateKey) {
        // PEM (PKCS#1/#8, EC, DSA, ENCRYPTED, legacy Proc-Type/DEK-Info headers), OpenSSH and
        // PGP armour; the body must follow (a header alone, as in documentation, does not fire).
        // `\\n` accepts the JSON-escaped newline of keys embedded in JSON strings.
        let mut r = rule(
            RuleId::PrivateKey,
            &["-----BEGIN"],
            r"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----[ \t]*(?:\r?\n|\\r?\\n)(?:[A-Za-z][A-Za-z-]{0,30}:[^\r\n\\]{0,200}(?:\r?\n|\\r?\\n)){0,8}[ \t]*(?:\r?\n|\\r?\\n)?[ \t]*(?P<s>[A-Za-z0-9+/]{32,2048}={0,2})",
        );
        r.lines_after = 12;
        all.push(r);
    }
    if enabled(RuleId::AwsAccessKeyId) {
        all.push(rule(
            RuleId::AwsAccessKeyId,
            &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
            r"\b(?P<s>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        ));
    }
    if enabled(RuleId::AwsSecretAccessKey) {
        all.push(rule(
            RuleId::AwsSecretAccessKey,
            &["aws", "secret_access_key", "secretaccesskey", "secret-access-key"],
            r#"(?i)(?:aws[A-Za-z0-9_. -]{0,30}(?:secret|private)[A-Za-z0-9_. -]{0,20}|secret[_-]?access[_-]?key)["']?\s{0,8}(?::=|=>|=|:)\s{0,8}["']?(?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        ));
    }
    if enabled(RuleId::AzureStorageKey) {
        all.push(rule(
            RuleId::AzureStorageKey,
            &["accountkey=", "sharedaccesskey="],
            r"(?i)(?:AccountKey|SharedAccessKey)=(?P<s>[A-Za-z0-9+/]{40,100}={0,2})",
        ));
    }
    if enabled(RuleId::AzureSasToken) {
        let mut r = rule(
            RuleId::AzureSasToken,
            &["sig="],
            r"(?i)[?&;]sig=(?P<s>[A-Za-z0-9%+/]{30,200}(?:=|%3D){0,2})",
        );
        r.context = Some(fixed(r"(?i)[?&;]sv=[0-9]{4}-[0-9]{2}-[0-9]{2}"));
        all.push(r);
    }
    if enabled(RuleId::GithubToken) {
        all.push(rule(
            RuleId::GithubToken,
            &["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"],
            r"\b(?P<s>gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{60,255})\b",
        ));
    }
    if enabled(RuleId::GitlabToken) {
        all.push(rule(
            RuleId::GitlabToken,
            &["glpat-"],
            r"\b(?P<s>glpat-[A-Za-z0-9_-]{20,64}(?:\.[A-Za-z0-9_-]{1,32}){0,3})",
        ));
    }
    if enabled(RuleId::SlackWebhook) {
        all.push(rule(
            RuleId::SlackWebhook,
            &["hooks.slack.com"],
            r"(?i)https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9_/-]{20,200})",
        ));
    }
    if enabled(RuleId::SlackToken) {
        all.push(rule(
            RuleId::SlackToken,
            &[
                "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xoxo-", "xoxe-",
            ],
            r"\b(?P<s>xox[abposre]-[A-Za-z0-9-]{10,250})",
        ));
    }
    if enabled(RuleId::StripeKey) {
        all.push(rule(
            RuleId::StripeKey,
            &["sk_live_", "rk_live_"],
            r"\b(?P<s>[sr]k_live_[A-Za-z0-9]{20,247})\b",
        ));
    }
    if enabled(RuleId::NpmToken) {
        all.push(rule(
            RuleId::NpmToken,
            &["npm_"],
            r"\b(?P<s>npm_[A-Za-z0-9]{36})\b",
        ));
    }
    if enabled(RuleId::PypiToken) {
        all.push(rule(
            RuleId::PypiToken,
            &["pypi-AgE"],
            r"\b(?P<s>pypi-AgE[A-Za-z0-9_-]{60,1000})",
        ));
    }
    if enabled(RuleId::Jwt) {
        all.push(rule(
            RuleId::Jwt,
            &["eyJ"],
            r"\b(?P<s>eyJ[A-Za-z0-9_-]{8,1200}\.eyJ[A-Za-z0-9_-]{8,2000}\.[A-Za-z0-9_-]{0,700})",
        ));
    }
    if enabled(RuleId::BearerToken) {
        all.push(rule(
            RuleId::BearerToken,
            &["bearer", "authorization"],
            r#"(?i)(?:\bbearer|authorization["']?\s{0,8}[:=]\s{0,8}["']?(?:basic|token|bearer))[ \t]{1,8}(?P<s>[A-Za-z0-9._~+/-]{16,2048}={0,2})"#,
        ));
    }
    if enabled(RuleId::UrlCredentials) {
        all.push(rule(
            RuleId::UrlCredentials,
            &["://"],
            r#"(?i)\b[a-z][a-z0-9+.-]{1,30}://(?P<u>[^\s:@/?#"'<>\[\]{}|\\^`]{1,128}):(?P<s>[^\s:@/?#"'<>\[\]{}|\\^`]{1,256})@[A-Za-z0-9.-]{1,253}"#,
        ));
    }
    if enabled(RuleId::UrlSecretParam) {
        all.push(rule(
            RuleId::UrlSecretParam,
            &["token=", "password=", "passwd=", "pwd=", "secret=", "key=", "auth=", "credential="],
            r#"(?i)[?&](?P<n>[a-z0-9_-]{0,30}(?:token|password|passwd|pwd|secret|key|auth|credential))=(?P<s>[^&\s"'#<>]{8,512})"#,
        ));
    }
    if enabled(RuleId::InternalHost) && (!config.hosts.is_empty() || !config.domains.is_empty()) {
        let names: Vec<String> = config
            .hosts
            .iter()
            .chain(&config.domains)
            .map(|n| regex::escape(n))
            .collect();
        let pattern = format!(
            r"(?i)(?P<s>(?:[a-z0-9-]{{1,63}}\.){{0,8}}(?:{}))",
            names.join("|")
        );
        let regex = build(&pattern).map_err(|e| {
            Error::config(
                "leak_gate.internal_hosts",
                format!("too many or too long names: {e}"),
            )
        })?;
        let keywords = config
            .hosts
            .iter()
            .chain(&config.domains)
            .cloned()
            .collect();
        all.push(Rule {
            id: RuleId::InternalHost,
            keywords,
            regex,
            lines_after: 0,
            context: None,
        });
    }
    if enabled(RuleId::InternalIp) && !config.cidrs.is_empty() {
        let mut keywords: Vec<String> = config.cidrs.iter().flat_map(|c| c.keywords()).collect();
        keywords.sort();
        keywords.dedup();
        all.push(Rule {
            id: RuleId::InternalIp,
            keywords,
            regex: fixed(
                r"(?P<s>(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})(?:/(?:3[0-2]|[12]?[0-9]))?",
            ),
            lines_after: 0,
            context: None,
        });
    }
    if enabled(RuleId::EmailAddress) {
        all.push(rule(
            RuleId::EmailAddress,
            &["@"],
            r"(?P<s>[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})",
        ));
    }
    if enabled(RuleId::GenericSecret) {
        all.push(rule(
            RuleId::GenericSecret,
            &[
                "password", "passwd", "passphrase", "pwd", "secret", "token", "api_key", "apikey",
                "api-key", "access_key", "accesskey", "access-key", "private_key", "privatekey",
                "private-key", "credential", "auth_key", "authkey", "auth-key",
            ],
            r#"(?i)(?P<n>[a-z0-9_.-]{0,40}(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth[_-]?key)[a-z0-9_.-]{0,40})["']?\s{0,8}(?::=|=>|=|:)\s{0,8}(?P<q>["'`]?)(?P<s>[^"'`\s,;(){}\[\]<>]{8,256})"#,
        ));
    }
    if enabled(RuleId::InternalMarker) {
        let mut markers: Vec<String> = BUILTIN_MARKERS.iter().map(|m| (*m).to_owned()).collect();
        markers.extend(config.markers.iter().cloned());
        markers.sort();
        markers.dedup();
        let alternation: Vec<String> = markers.iter().map(|m| regex::escape(m)).collect();
        let pattern = format!("(?i)(?P<s>{})", alternation.join("|"));
        let regex = build(&pattern).map_err(|e| {
            Error::config(
                "leak_gate.internal_markers",
                format!("too many or too long markers: {e}"),
            )
        })?;
        all.push(Rule {
            id: RuleId::InternalMarker,
            keywords: markers,
            regex,
            lines_after: 0,
            context: None,
        });
    }
    Ok(all)
}
