//! The scanner: keyword prefilter over the whole input, confirming regex on the windows around
//! keyword hits, validation, masking and fingerprints.

use std::collections::BTreeMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{Compiled, Exception, LeakGateConfig};
use crate::content::{ContentKind, classify};
use crate::patterns::{CONTEXT, MAX_MATCH, Rule, rules};
use crate::util::{
    char_classes, fingerprint, is_placeholder, is_reference_chain, mask, shannon_entropy,
};
use crate::{Error, RuleId};

/// Bytes of input confirmed per round; the memory a scan holds is about this plus
/// `2 * OVERLAP`, whatever the input size.
const ROUND: usize = 4 << 20;
/// Context kept on both sides of a round: candidates are confirmed up to [`MAX_MATCH`] beyond
/// the round, a match is at most [`MAX_MATCH`] long, a window reaches [`MAX_MATCH`] around a
/// hit, and a context check looks [`CONTEXT`] further.
const OVERLAP: usize = 4 * MAX_MATCH;
/// How much of the start of a stream decides whether it is text.
const SAMPLE: usize = 8192;

/// Values the vendors publish as examples; every scanner allow-lists them.
const DOCUMENTED_EXAMPLES: [&[u8]; 2] = [
    b"AKIAIOSFODNN7EXAMPLE",
    b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
];

/// One thing that must not ship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The path given to the scan (the path inside the package).
    pub path: String,
    /// 1-based line of the start of the match.
    pub line: u64,
    /// 0-based byte offset of the start of the match.
    pub offset: u64,
    /// What was found.
    pub rule: RuleId,
    /// A masked preview: never contains the secret (`ghp_***(40 chars)`).
    pub preview: String,
    /// `<rule>:<8 hex digits>`, stable across builds while rule, path and secret stay the
    /// same; the handle for an exception.
    pub fingerprint: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {} (fingerprint {})",
            self.path, self.line, self.rule, self.preview, self.fingerprint
        )
    }
}

/// The result of scanning one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// The path given to the scan.
    pub path: String,
    /// How the content was treated (text, binary scanned as bytes, or unscannable).
    pub content: ContentKind,
    /// Bytes scanned.
    pub bytes: u64,
    /// Findings in input order (by offset). Exceptions are not applied: see
    /// [`Scanner::triage`].
    pub findings: Vec<Finding>,
}

/// Findings split by the configured exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Triage {
    /// Findings no exception covers: any one of them must stop the build.
    pub blocking: Vec<Finding>,
    /// Findings covered by an exception, with its reason: list them in the traceability index.
    pub accepted: Vec<AcceptedFinding>,
    /// Exceptions that matched no finding (stale entries worth deleting), in config order.
    pub unused_exceptions: Vec<Exception>,
}

/// A finding shipped on purpose, as listed in the traceability index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptedFinding {
    /// The path inside the package.
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// What was found.
    pub rule: RuleId,
    /// The fingerprint the exception names.
    pub fingerprint: String,
    /// The masked preview.
    pub preview: String,
    /// The exception's written reason.
    pub reason: String,
}

/// A configured leak gate. Build it once ([`Scanner::new`]) and scan every shipped file with it;
/// it is `Sync`, so files can be scanned in parallel.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<Rule>,
    prefilter: Option<AhoCorasick>,
    /// Aho-Corasick pattern id -> indices into `rules`.
    pattern_rules: Vec<Vec<usize>>,
    config: Compiled,
    exceptions: Vec<Exception>,
    unscannable_enabled: bool,
}

/// A confirmed match before line numbers, masking and fingerprinting.
#[derive(Debug)]
struct Candidate {
    rule: usize,
    start: usize,
    secret: Range<usize>,
    preview_suffix: String,
}

impl Scanner {
    /// Validate `config` and compile the rules.
    pub fn new(config: &LeakGateConfig) -> Result<Scanner, Error> {
        let compiled = config.compile()?;
        let rules = rules(&compiled)?;
        let mut keyword_ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut pattern_rules: Vec<Vec<usize>> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            for keyword in &rule.keywords {
                let next = pattern_rules.len();
                let id = *keyword_ids.entry(keyword.clone()).or_insert(next);
                if id == next {
                    pattern_rules.push(Vec::new());
                }
                if let Some(list) = pattern_rules.get_mut(id)
                    && !list.contains(&index)
                {
                    list.push(index);
                }
            }
        }
        let mut patterns: Vec<(usize, String)> =
            keyword_ids.into_iter().map(|(k, id)| (id, k)).collect();
        patterns.sort();
        let prefilter = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(patterns.iter().map(|(_, k)| k.as_bytes()))
                    .map_err(|e| {
                        Error::config(
                            "leak_gate",
                            format!("too many keywords for the prefilter: {e}"),
                        )
                    })?,
            )
        };
        Ok(Scanner {
            rules,
            prefilter,
            pattern_rules,
            unscannable_enabled: !compiled.disabled.contains(&RuleId::UnscannableContent),
            config: compiled,
            exceptions: config.exceptions.clone(),
        })
    }

    /// The enabled rules, in priority order.
    pub fn rules(&self) -> Vec<RuleId> {
        let mut ids: Vec<RuleId> = self.rules.iter().map(|r| r.id).collect();
        if self.unscannable_enabled {
            ids.push(RuleId::UnscannableContent);
        }
        ids
    }

    /// Scan the final bytes of one shipped file. `path` is the path inside the package; it is
    /// echoed in findings and is part of the fingerprint.
    pub fn scan(&self, path: &str, bytes: &[u8]) -> ScanReport {
        let sample = bytes.get(..SAMPLE).unwrap_or(bytes);
        let content = classify(sample);
        let mut findings = Vec::new();
        let mut lines = LineCounter::default();
        let mut emit_start = 0;
        loop {
            let emit_end = (emit_start + ROUND).min(bytes.len());
            let buf_start = emit_start.saturating_sub(OVERLAP);
            let buf_end = (emit_end + OVERLAP).min(bytes.len());
            let buf = bytes.get(buf_start..buf_end).unwrap_or_default();
            let line_base = lines.lines_before(bytes, buf_start);
            self.scan_region(
                path,
                buf,
                (emit_start - buf_start)..(emit_end - buf_start),
                buf_start as u64,
                line_base,
                &mut findings,
            );
            if emit_end >= bytes.len() {
                break;
            }
            emit_start = emit_end;
        }
        if let (ContentKind::Unscannable { reason }, true) = (&content, self.unscannable_enabled) {
            let digest = Sha256::digest(bytes);
            findings.insert(0, unscannable_finding(path, reason, &digest));
        }
        ScanReport {
            path: path.to_owned(),
            content,
            bytes: bytes.len() as u64,
            findings,
        }
    }

    /// Start a scan fed in chunks ([`StreamScan::feed`]) for an input too large to hold whole.
    /// The result equals [`Scanner::scan`] of the concatenated chunks, whatever their sizes.
    pub fn stream(&self, path: &str) -> StreamScan<'_> {
        StreamScan {
            scanner: self,
            path: path.to_owned(),
            buf: Vec::new(),
            buf_offset: 0,
            buf_lines: 0,
            emit_from: 0,
            content: None,
            hasher: None,
            findings: Vec::new(),
            round: ROUND,
        }
    }

    /// Scan everything `reader` yields, in bounded memory (see [`Scanner::stream`]).
    pub fn scan_reader(
        &self,
        path: &str,
        reader: &mut dyn std::io::Read,
    ) -> Result<ScanReport, Error> {
        let mut stream = self.stream(path);
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(Error::Read {
                        path: path.to_owned(),
                        source,
                    });
                }
            };
            stream.feed(chunk.get(..n).unwrap_or_default());
        }
        Ok(stream.finish())
    }

    /// Split findings into blocking ones and ones accepted by an exception of the config.
    /// Accepted findings are sorted by path, line and rule; blocking ones keep their order.
    pub fn triage(&self, findings: Vec<Finding>) -> Triage {
        let mut used = vec![false; self.exceptions.len()];
        let mut blocking = Vec::new();
        let mut accepted = Vec::new();
        for finding in findings {
            match self
                .exceptions
                .iter()
                .position(|e| e.fingerprint == finding.fingerprint)
            {
                Some(i) => {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                    let reason = self
                        .exceptions
                        .get(i)
                        .map(|e| e.reason.trim().to_owned())
                        .unwrap_or_default();
                    accepted.push(AcceptedFinding {
                        path: finding.path,
                        line: finding.line,
                        rule: finding.rule,
                        fingerprint: finding.fingerprint,
                        preview: finding.preview,
                        reason,
                    });
                }
                None => blocking.push(finding),
            }
        }
        accepted.sort_by(|a, b| (&a.path, a.line, a.rule).cmp(&(&b.path, b.line, b.rule)));
        let unused_exceptions = self
            .exceptions
            .iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|(e, _)| e.clone())
            .collect();
        Triage {
            blocking,
            accepted,
            unused_exceptions,
        }
    }

    /// Confirm the matches that start inside `emit` (indices into `buf`); `buf` carries up to
    /// [`OVERLAP`] bytes of context on both sides. `offset` and `line_base` locate `buf[0]` in
    /// the whole input (`line_base` newlines precede it).
    fn scan_region(
        &self,
        path: &str,
        buf: &[u8],
        emit: Range<usize>,
        offset: u64,
        line_base: u64,
        out: &mut Vec<Finding>,
    ) {
        let Some(prefilter) = &self.prefilter else {
            return;
        };
        // Candidates are confirmed in `near` (emit widened by MAX_MATCH on both sides) so that
        // overlap resolution sees the same neighbours whatever the round boundaries; only those
        // starting in `emit` are reported. A match contains its keyword hit, so hits outside
        // [near.start, near.end + MAX_MATCH) cannot matter.
        let near = emit.start.saturating_sub(MAX_MATCH)..(emit.end + MAX_MATCH);
        let hit_limit = near.end + MAX_MATCH;
        let mut hits: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.rules.len()];
        let mut any = false;
        for m in prefilter.find_overlapping_iter(buf) {
            if m.start() < near.start || m.start() >= hit_limit {
                continue;
            }
            for &r in self
                .pattern_rules
                .get(m.pattern().as_usize())
                .into_iter()
                .flatten()
            {
                let Some(rule) = self.rules.get(r) else {
                    continue;
                };
                if !hit_can_match(rule.id, buf, m.range()) {
                    continue;
                }
                if let Some(list) = hits.get_mut(r) {
                    list.push(m.range());
                    any = true;
                }
            }
        }
        if !any {
            return;
        }
        let newlines = NewlineIndex::new(buf);
        let mut candidates = Vec::new();
        for (index, (rule, rule_hits)) in self.rules.iter().zip(hits.iter_mut()).enumerate() {
            if rule_hits.is_empty() {
                continue;
            }
            rule_hits.sort_by_key(|h| h.start);
            for window in windows(rule_hits, rule.lines_after, &newlines, buf.len()) {
                let text = buf.get(window.clone()).unwrap_or_default();
                for caps in rule.regex.captures_iter(text) {
                    let Some(whole) = caps.get(0) else { continue };
                    let whole = (window.start + whole.start())..(window.start + whole.end());
                    if !near.contains(&whole.start) || !contains_hit(rule_hits, &whole) {
                        continue;
                    }
                    let secret = caps.name("s").map_or(whole.clone(), |s| {
                        (window.start + s.start())..(window.start + s.end())
                    });
                    let quote = caps.name("q").map(|q| q.as_bytes()).unwrap_or_default();
                    let name = caps.name("n").map(|n| n.as_bytes()).unwrap_or_default();
                    if let Some(preview_suffix) =
                        self.confirm(rule, buf, &whole, &secret, quote, name)
                    {
                        candidates.push(Candidate {
                            rule: index,
                            start: whole.start,
                            secret,
                            preview_suffix,
                        });
                    }
                }
            }
        }
        for c in dedupe(candidates, &self.rules) {
            if !emit.contains(&c.start) {
                continue;
            }
            let Some(rule) = self.rules.get(c.rule) else {
                continue;
            };
            let secret = buf.get(c.secret.clone()).unwrap_or_default();
            out.push(Finding {
                path: path.to_owned(),
                line: line_base + newlines.count_before(c.start) + 1,
                offset: offset + c.start as u64,
                rule: rule.id,
                preview: format!("{}{}", preview_of(rule.id, secret), c.preview_suffix),
                fingerprint: fingerprint(rule.id, path, &fingerprint_input(rule.id, secret)),
            });
        }
    }

    /// Rule-specific checks after the regex; `Some(preview suffix)` confirms the finding.
    fn confirm(
        &self,
        rule: &Rule,
        buf: &[u8],
        whole: &Range<usize>,
        secret: &Range<usize>,
        quote: &[u8],
        name: &[u8],
    ) -> Option<String> {
        let value = buf.get(secret.clone()).unwrap_or_default();
        let before = whole.start.checked_sub(1).and_then(|i| buf.get(i)).copied();
        let after = buf.get(whole.end).copied();
        let after2 = buf.get(whole.end + 1).copied();
        if DOCUMENTED_EXAMPLES.contains(&value) {
            return None;
        }
        if let Some(context) = &rule.context {
            let lo = whole.start.saturating_sub(CONTEXT);
            let hi = (whole.end + CONTEXT).min(buf.len());
            if !context.is_match(buf.get(lo..hi).unwrap_or_default()) {
                return None;
            }
        }
        match rule.id {
            RuleId::AwsSecretAccessKey => {
                let (lower, upper, digit, other) = char_classes(value);
                (lower && upper && (digit || other) && shannon_entropy(value) >= 3.5)
                    .then(String::new)
            }
            RuleId::UrlCredentials => {
                if is_placeholder(value) || value.len() < 3 {
                    return None;
                }
                Some(String::new())
            }
            RuleId::BearerToken => {
                let (lower, upper, digit, _) = char_classes(value);
                (digit
                    && (lower || upper)
                    && shannon_entropy(value) >= GENERIC_MIN_ENTROPY
                    && !is_placeholder(value))
                .then(String::new)
            }
            RuleId::UrlSecretParam => {
                let (lower, upper, digit, _) = char_classes(value);
                if is_placeholder(value) || !(digit && (lower || upper)) || names_no_secret(name) {
                    return None;
                }
                Some(String::new())
            }
            RuleId::GenericSecret => (!names_no_secret(name)
                && confirm_generic(value, quote, buf.get(secret.end).copied()))
            .then(String::new),
            RuleId::InternalHost => {
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    || after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    || (after == Some(b'.') && after2.is_some_and(|b| b.is_ascii_alphanumeric()))
                {
                    return None;
                }
                // Name the config entry, not the host: the preview never shows what matched.
                let lower = value.to_ascii_lowercase();
                let entry = |list: &[String], field: &str| {
                    list.iter()
                        .position(|n| {
                            lower == n.as_bytes()
                                || (lower.ends_with(n.as_bytes())
                                    && lower.get(lower.len() - n.len() - 1) == Some(&b'.'))
                        })
                        .map(|i| format!(" (matches leak_gate.{field}[{i}])"))
                };
                entry(&self.config.domains, "internal_domains")
                    .or_else(|| entry(&self.config.hosts, "internal_hosts"))
            }
            RuleId::InternalIp => {
                if before
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
                    || after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                    || (after == Some(b'.') && after2.is_some_and(|b| b.is_ascii_digit()))
                    || in_purl_name(buf, whole.start)
                {
                    return None;
                }
                let addr: std::net::Ipv4Addr = std::str::from_utf8(value).ok()?.parse().ok()?;
                let i = self
                    .config
                    .cidrs
                    .iter()
                    .position(|c| c.contains(u32::from(addr)))?;
                Some(format!(" (in leak_gate.internal_cidrs[{i}])"))
            }
            RuleId::EmailAddress => {
                if after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    || (after == Some(b'.') && after2.is_some_and(|b| b.is_ascii_alphanumeric()))
                    || in_purl_name(buf, whole.start)
                    || in_url(buf, whole.start)
                {
                    return None;
                }
                let lower = value.to_ascii_lowercase();
                let (local, domain) = std::str::from_utf8(&lower).ok()?.split_once('@')?;
                if local == "git"
                    || local.starts_with('.')
                    || self
                        .config
                        .email_exact
                        .iter()
                        .any(|e| e.as_bytes() == lower.as_slice())
                    || self.config.email_domains.iter().any(|d| d == domain)
                {
                    return None;
                }
                Some(String::new())
            }
            _ => Some(String::new()),
        }
    }
}

/// A cheap necessary condition for `rule`'s regex to match around a keyword hit, checked
/// before any window is built. Frequent keywords (`@` in purls, `://` in URLs, `token` in prose)
/// are dropped here; each check only rejects what the rule's regex and confirmation would
/// reject anyway, so it changes speed, not results.
fn hit_can_match(rule: RuleId, buf: &[u8], hit: Range<usize>) -> bool {
    let before = hit.start.checked_sub(1).and_then(|i| buf.get(i)).copied();
    let rest = buf.get(hit.end..).unwrap_or_default();
    match rule {
        RuleId::EmailAddress => {
            // `local@domain.tld`: a local-part byte before, a domain ending in a letters-only
            // label after.
            if !before.is_some_and(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
            }) {
                return false;
            }
            let run = rest
                .iter()
                .take(300)
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
                .count();
            let domain = rest.get(..run).unwrap_or_default();
            let domain = domain.strip_suffix(b".").unwrap_or(domain);
            match domain.iter().rposition(|&b| b == b'.') {
                Some(dot) => {
                    let tld = domain.get(dot + 1..).unwrap_or_default();
                    tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)
                }
                None => false,
            }
        }
        RuleId::UrlCredentials => {
            // `://user:password@`: a `:` and then an `@` before the authority ends.
            let mut colon = false;
            for &b in rest.iter().take(400) {
                match b {
                    b':' => colon = true,
                    b'@' => return colon,
                    b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'[' | b']' | b'{' | b'}'
                    | b'|' | b'\\' | b'^' | b'`' => return false,
                    b if b.is_ascii_whitespace() => return false,
                    _ => {}
                }
            }
            false
        }
        RuleId::GenericSecret => assignment_follows(rest, 40, false),
        RuleId::AwsSecretAccessKey => assignment_follows(rest, 80, true),
        RuleId::Jwt => {
            buf.get(hit.clone()) == Some(b"eyJ".as_slice())
                && !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        RuleId::InternalIp => {
            !before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        }
        _ => true,
    }
}

/// After a secret-like name: more name characters (at most `name_max`), an optional closing
/// quote, blanks, then `:` or `=` (as in `name = value`, `"name": "value"`, `name: value`).
fn assignment_follows(rest: &[u8], name_max: usize, spaces_in_name: bool) -> bool {
    let is_name = |b: &u8| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'.' | b'-')
            || (spaces_in_name && *b == b' ')
    };
    let name = rest
        .iter()
        .take(name_max + 1)
        .take_while(|b| is_name(b))
        .count();
    if name > name_max {
        return false;
    }
    let mut tail = rest.get(name..).unwrap_or_default();
    if let Some((b'"' | b'\'', after)) = tail.split_first() {
        tail = after;
    }
    let blanks = tail
        .iter()
        .take(9)
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    blanks <= 8 && matches!(tail.get(blanks), Some(b':' | b'='))
}

/// Names that contain a secret-like word but hold something else: `private_key_id`,
/// `secret_name`, `password_file`, `token_endpoint`, `kms_key_arn`, `token_type`, ...
fn names_no_secret(name: &[u8]) -> bool {
    const SUFFIXES: [&[u8]; 20] = [
        b"id",
        b"ids",
        b"name",
        b"names",
        b"path",
        b"file",
        b"url",
        b"uri",
        b"endpoint",
        b"arn",
        b"prefix",
        b"type",
        b"length",
        b"ttl",
        b"expiry",
        b"expires",
        b"hash",
        b"version",
        b"policy",
        b"ref",
    ];
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(b"\"").unwrap_or(&lower);
    SUFFIXES.iter().any(|suffix| {
        lower.ends_with(suffix)
            && lower.len() > suffix.len()
            && lower
                .get(lower.len() - suffix.len() - 1)
                .is_some_and(|b| matches!(b, b'_' | b'-' | b'.'))
    }) || SUFFIXES.iter().any(|suffix| {
        // camelCase: `privateKeyId`, `secretName`
        let mut camel = suffix.to_vec();
        if let Some(first) = camel.first_mut() {
            *first = first.to_ascii_uppercase();
        }
        name.ends_with(&camel)
    })
}

/// The generic rule: a value assigned to a secret-like name must look like a secret.
/// Documented in docs/leak-gate.md ("generic-secret").
fn confirm_generic(value: &[u8], quote: &[u8], next: Option<u8>) -> bool {
    // The value must end where its quoting says: at the same quote, or at a separator when
    // unquoted; `get_password()` or `"a b"` are not secrets.
    let closed = match quote.first() {
        Some(q) => next == Some(*q),
        None => {
            next.is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b',' | b';' | b'}' | b']'))
        }
    };
    let (lower, upper, digit, _) = char_classes(value);
    closed
        && (lower || upper)
        && digit
        && shannon_entropy(value) >= GENERIC_MIN_ENTROPY
        && !is_placeholder(value)
        && !is_reference_chain(value)
        && !value.windows(3).any(|w| w == b"://")
        && !value.starts_with(b"/")
        && !value.starts_with(b"./")
}

/// Minimum Shannon entropy (bits per character) of a `generic-secret` value.
pub(crate) const GENERIC_MIN_ENTROPY: f64 = 3.0;

/// What the fingerprint hashes: the secret, except for markers (case-folded so that
/// `INTERNAL ONLY` and `Internal only` in one file share a fingerprint).
fn fingerprint_input(rule: RuleId, secret: &[u8]) -> Vec<u8> {
    match rule {
        RuleId::InternalMarker => secret.to_ascii_lowercase(),
        _ => secret.to_vec(),
    }
}

fn preview_of(rule: RuleId, secret: &[u8]) -> String {
    match rule {
        // Marker text is configuration, not a secret: show it so the author can find it.
        RuleId::InternalMarker => format!("`{}`", String::from_utf8_lossy(secret)),
        _ => mask(secret),
    }
}

fn unscannable_finding(path: &str, reason: &str, digest: &[u8]) -> Finding {
    Finding {
        path: path.to_owned(),
        line: 1,
        offset: 0,
        rule: RuleId::UnscannableContent,
        preview: reason.to_owned(),
        fingerprint: fingerprint(RuleId::UnscannableContent, path, digest),
    }
}

/// The start of the whitespace/quote-delimited token around `pos` (at most 512 bytes back).
fn token_start(buf: &[u8], pos: usize) -> usize {
    let lo = pos.saturating_sub(512);
    buf.get(lo..pos)
        .and_then(|s| {
            s.iter().rposition(|b| {
                b.is_ascii_whitespace()
                    || matches!(
                        b,
                        b'"' | b'\'' | b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'`' | b','
                    )
            })
        })
        .map_or(lo, |i| lo + i + 1)
}

/// Inside the name/version part of a purl (`pkg:type/ns/name@version`, before `?`).
fn in_purl_name(buf: &[u8], pos: usize) -> bool {
    let start = token_start(buf, pos);
    let token = buf.get(start..pos).unwrap_or_default();
    token.starts_with(b"pkg:") && !token.contains(&b'?')
}

/// Inside a URL (`scheme://` earlier in the same token): an `@` there is userinfo or a path.
fn in_url(buf: &[u8], pos: usize) -> bool {
    let start = token_start(buf, pos);
    buf.get(start..pos)
        .unwrap_or_default()
        .windows(3)
        .any(|w| w == b"://")
}

/// Whether a hit (sorted by start) starts inside `range`.
fn contains_hit(hits: &[Range<usize>], range: &Range<usize>) -> bool {
    let i = hits.partition_point(|h| h.start < range.start);
    hits.get(i).is_some_and(|h| h.start < range.end)
}

/// The merged windows around sorted hits: the hit's line (plus `lines_after` lines), clipped
/// to [`MAX_MATCH`] bytes on each side of the hit.
fn windows(
    hits: &[Range<usize>],
    lines_after: usize,
    newlines: &NewlineIndex,
    len: usize,
) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for hit in hits {
        let (line_start, line_end) = newlines.line_around(hit.start, lines_after, len);
        let start = line_start.max(hit.start.saturating_sub(MAX_MATCH));
        let end = line_end.min(hit.end + MAX_MATCH).min(len);
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => out.push(start..end),
        }
    }
    out
}

/// Keep, among candidates whose secrets overlap, the one of the higher-priority rule.
fn dedupe(mut candidates: Vec<Candidate>, rules: &[Rule]) -> Vec<Candidate> {
    let priority = |c: &Candidate| rules.get(c.rule).map_or(usize::MAX, |r| r.id.priority());
    candidates.sort_by_key(|c| (priority(c), c.secret.start));
    let mut kept: BTreeMap<usize, Candidate> = BTreeMap::new();
    for c in candidates {
        let overlaps_before = kept
            .range(..=c.secret.start)
            .next_back()
            .is_some_and(|(_, k)| k.secret.end > c.secret.start);
        let overlaps_after = kept
            .range(c.secret.start..)
            .next()
            .is_some_and(|(s, _)| *s < c.secret.end.max(c.secret.start + 1));
        if !overlaps_before && !overlaps_after {
            kept.insert(c.secret.start, c);
        }
    }
    let mut out: Vec<Candidate> = kept.into_values().collect();
    out.sort_by_key(|c| (c.start, c.secret.start));
    out
}

/// Positions of `\n` in a buffer, for line numbers and line windows.
struct NewlineIndex {
    positions: Vec<usize>,
}

impl NewlineIndex {
    fn new(buf: &[u8]) -> Self {
        NewlineIndex {
            positions: memchr::memchr_iter(b'\n', buf).collect(),
        }
    }

    fn count_before(&self, pos: usize) -> u64 {
        self.positions.partition_point(|&p| p < pos) as u64
    }

    /// Start of the line holding `pos` and end of the `extra`-th line after it (exclusive,
    /// without the newline).
    fn line_around(&self, pos: usize, extra: usize, len: usize) -> (usize, usize) {
        let i = self.positions.partition_point(|&p| p < pos);
        let start = i
            .checked_sub(1)
            .and_then(|j| self.positions.get(j))
            .map_or(0, |p| p + 1);
        let end = self.positions.get(i + extra).copied().unwrap_or(len);
        (start, end)
    }
}

/// Counts newlines before a position, incrementally (positions must not decrease).
#[derive(Debug, Default)]
struct LineCounter {
    upto: usize,
    lines: u64,
}

impl LineCounter {
    fn lines_before(&mut self, bytes: &[u8], pos: usize) -> u64 {
        if pos > self.upto {
            self.lines += memchr::memchr_iter(b'\n', bytes.get(self.upto..pos).unwrap_or_default())
                .count() as u64;
            self.upto = pos;
        }
        self.lines
    }
}

/// A scan fed in chunks; see [`Scanner::stream`]. Memory stays bounded by about 4 MiB plus
/// the largest chunk fed.
#[derive(Debug)]
pub struct StreamScan<'s> {
    scanner: &'s Scanner,
    path: String,
    /// Unconfirmed input plus [`OVERLAP`] bytes of context before `emit_from`.
    buf: Vec<u8>,
    buf_offset: u64,
    /// Newlines before `buf[0]`.
    buf_lines: u64,
    emit_from: usize,
    content: Option<ContentKind>,
    hasher: Option<Sha256>,
    findings: Vec<Finding>,
    round: usize,
}

impl StreamScan<'_> {
    /// Add the next chunk of the input. Chunks may have any size, including zero.
    pub fn feed(&mut self, chunk: &[u8]) {
        if let Some(h) = &mut self.hasher {
            h.update(chunk);
        }
        self.buf.extend_from_slice(chunk);
        if self.content.is_none() {
            if self.buf_offset == 0 && self.buf.len() < SAMPLE {
                return;
            }
            self.decide_content();
        }
        let mut lines = LineCounter::default();
        while self.buf.len() >= self.emit_from + self.round + OVERLAP {
            let emit_end = self.emit_from + self.round;
            self.run_round(self.emit_from..emit_end, &mut lines);
            self.emit_from = emit_end;
        }
        let cut = self.emit_from.saturating_sub(OVERLAP);
        if cut > 0 {
            self.buf_lines += lines.lines_before(&self.buf, cut);
            self.buf.drain(..cut);
            self.buf_offset += cut as u64;
            self.emit_from -= cut;
        }
    }

    /// Scan what is left and return the report.
    pub fn finish(mut self) -> ScanReport {
        if self.content.is_none() {
            self.decide_content();
        }
        let mut lines = LineCounter::default();
        let end = self.buf.len();
        self.run_round(self.emit_from..end, &mut lines);
        let bytes = self.buf_offset + self.buf.len() as u64;
        let content = self.content.unwrap_or(ContentKind::Text);
        if let (ContentKind::Unscannable { reason }, Some(hasher)) = (&content, self.hasher) {
            let digest = hasher.finalize();
            self.findings
                .insert(0, unscannable_finding(&self.path, reason, &digest));
        }
        ScanReport {
            path: self.path,
            content,
            bytes,
            findings: self.findings,
        }
    }

    fn decide_content(&mut self) {
        let sample = self.buf.get(..SAMPLE).unwrap_or(&self.buf);
        let content = classify(sample);
        if matches!(content, ContentKind::Unscannable { .. }) && self.scanner.unscannable_enabled {
            let mut h = Sha256::new();
            h.update(&self.buf);
            self.hasher = Some(h);
        }
        self.content = Some(content);
    }

    fn run_round(&mut self, emit: Range<usize>, lines: &mut LineCounter) {
        let buf_start = emit.start.saturating_sub(OVERLAP);
        let buf_end = (emit.end + OVERLAP).min(self.buf.len());
        let line_base = self.buf_lines + lines.lines_before(&self.buf, buf_start);
        let buf = self.buf.get(buf_start..buf_end).unwrap_or_default();
        self.scanner.scan_region(
            &self.path,
            buf,
            (emit.start - buf_start)..(emit.end - buf_start),
            self.buf_offset + buf_start as u64,
            line_base,
            &mut self.findings,
        );
    }
}

#[cfg(test)]
mod tests;
