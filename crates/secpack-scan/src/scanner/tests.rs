//! Unit tests of the scanner core: windows, chunking, dedupe, bad input.

use super::*;

fn scanner() -> Scanner {
    Scanner::new(&LeakGateConfig {
        internal_hosts: vec!["jenkins01".into()],
        internal_domains: vec!["corp.summit.example".into()],
        internal_cidrs: vec!["10.20.0.0/16".into()],
        email_allow: vec!["security@summit.example".into()],
        ..LeakGateConfig::default()
    })
    .unwrap()
}

fn rules_found(input: &[u8]) -> Vec<(u64, RuleId)> {
    scanner()
        .scan("t.md", input)
        .findings
        .iter()
        .map(|f| (f.line, f.rule))
        .collect()
}

const TOKEN: &str = "ghp_FAKEtestONLY0123456789abcdefghijklmn";

#[test]
fn streaming_equals_whole_scan_for_every_round_and_chunk_size() {
    let s = scanner();
    let mut doc = Vec::new();
    for i in 0..300 {
        doc.extend_from_slice(
            format!("line {i} filler text about policies and tenants\n").as_bytes(),
        );
        if i % 37 == 0 {
            doc.extend_from_slice(
                format!(
                    "token: {TOKEN}\nhost jenkins01 at 10.20.{}.1 mail a{i}@x.example\n",
                    i % 250
                )
                .as_bytes(),
            );
        }
    }
    let whole = s.scan("t.md", &doc);
    assert_eq!(whole.findings.len(), 9 * 4, "{:#?}", whole.findings);
    for round in [1, 7, 100, 4096, 1 << 20] {
        for chunk in [1, 3, 64, 1000, 100_000] {
            let mut stream = s.stream("t.md");
            stream.round = round;
            for piece in doc.chunks(chunk) {
                stream.feed(piece);
            }
            let report = stream.finish();
            assert_eq!(report, whole, "round {round}, chunk {chunk}");
        }
    }
}

#[test]
fn secret_across_a_chunk_boundary_is_found() {
    let s = scanner();
    let doc = format!("{}\napi token {TOKEN} end\n", "x".repeat(5000));
    let split = 5000 + 12 + 10; // inside the token
    let mut stream = s.stream("t.md");
    stream.round = 1024;
    stream.feed(&doc.as_bytes()[..split]);
    stream.feed(&doc.as_bytes()[split..]);
    let report = stream.finish();
    assert_eq!(report.findings.len(), 1);
    assert_eq!(
        (report.findings[0].line, report.findings[0].rule),
        (2, RuleId::GithubToken)
    );
    assert_eq!(report.findings[0].offset, 5001 + 10);
}

#[test]
fn huge_single_line_and_invalid_utf8_are_linear_and_do_not_panic() {
    // 8 MiB single line of keyword-dense junk with invalid UTF-8 and one real secret.
    let mut line = Vec::with_capacity(8 << 20);
    while line.len() < (8 << 20) {
        line.extend_from_slice(b"@@ token= password: eyJ \xff\xfe aws -----BEGIN ://x:y@ ");
    }
    line.extend_from_slice(TOKEN.as_bytes());
    let start = std::time::Instant::now();
    let report = scanner().scan("big.json", &line);
    let elapsed = start.elapsed();
    assert_eq!(
        report.findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
        [RuleId::GithubToken]
    );
    assert_eq!(report.findings[0].line, 1);
    // Generous bound (debug build, shared CI cores): linear, not quadratic.
    assert!(elapsed.as_secs() < 60, "{elapsed:?}");
}

#[test]
fn overlapping_findings_keep_the_most_specific_rule() {
    // generic-secret would also match; github-token wins. An address at an internal domain is
    // an internal host, not a second finding.
    assert_eq!(
        rules_found(format!("password = \"{TOKEN}\"\nalice@corp.summit.example\n").as_bytes()),
        [(1, RuleId::GithubToken), (2, RuleId::InternalHost)]
    );
    // Different secrets on one URL are both reported.
    assert_eq!(
        rules_found(b"https://admin:Fake-Pa55w0rd@db.corp.summit.example/x\n"),
        [(1, RuleId::UrlCredentials), (1, RuleId::InternalHost)]
    );
}

#[test]
fn boundaries_of_hosts_ips_and_emails() {
    let check = |input: &str, expected: &[RuleId]| {
        let found: Vec<RuleId> = scanner()
            .scan("t.md", input.as_bytes())
            .findings
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(found, expected, "{input}");
    };
    check("jenkins01", &[RuleId::InternalHost]);
    check("see jenkins01.", &[RuleId::InternalHost]);
    check("myjenkins01 jenkins012 jenkins01.example.org", &[]);
    check("CORP.SUMMIT.EXAMPLE", &[RuleId::InternalHost]);
    check("www.corp.summit.example.com notcorp.summit.example", &[]);
    check(
        "10.20.3.4 and 10.20.0.0/16",
        &[RuleId::InternalIp, RuleId::InternalIp],
    );
    check("10.21.3.4 110.20.3.4 10.20.3.4.5 v10.20.3.4 1.10.20.3", &[]);
    check("pkg:generic/tool@10.20.3.4", &[]);
    check(
        "pkg:generic/tool@1.0?download_url=http://10.20.3.4/x",
        &[RuleId::InternalIp],
    );
    check(
        "mail security@summit.example or SECURITY@Summit.Example",
        &[],
    );
    check("mail alice@summit.example", &[RuleId::EmailAddress]);
    check(
        "git+ssh://git@github.com/a/b.git git@github.com:a/b.git",
        &[],
    );
    check(
        "pkg:maven/org.acme/lib@1.0.0.Final pkg:npm/%40scope/name@1.2.3",
        &[],
    );
    check("https://github.com/a/b@v1.0.0-rc.beta", &[]);
    check("mailto:bob.smith@example.org", &[RuleId::EmailAddress]);
}

#[test]
fn documented_vendor_examples_are_allowed() {
    assert_eq!(
        rules_found(b"aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
        []
    );
}

#[test]
fn disabled_rules_do_not_fire() {
    let s = Scanner::new(&LeakGateConfig {
        disabled_rules: vec!["email-address".into(), "unscannable-content".into()],
        ..LeakGateConfig::default()
    })
    .unwrap();
    assert!(!s.rules().contains(&RuleId::EmailAddress));
    assert!(!s.rules().contains(&RuleId::UnscannableContent));
    assert_eq!(s.scan("a.md", b"alice@example.org").findings, []);
    assert_eq!(s.scan("a.gz", b"\x1f\x8b\x08\x00").findings, []);
}

#[test]
fn unscannable_content_is_a_finding_with_a_content_fingerprint() {
    let s = scanner();
    let a = s.scan("a.zip", b"PK\x03\x04one");
    let b = s.scan("a.zip", b"PK\x03\x04two");
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].rule, RuleId::UnscannableContent);
    assert!(
        a.findings[0].preview.starts_with("zip archive: "),
        "{}",
        a.findings[0].preview
    );
    assert_ne!(a.findings[0].fingerprint, b.findings[0].fingerprint);
    let mut stream = s.stream("a.zip");
    stream.feed(b"PK\x03");
    stream.feed(b"\x04one");
    assert_eq!(stream.finish(), a);
}

#[test]
fn triage_splits_by_fingerprint() {
    let base = scanner();
    let report = base.scan(
        "a.md",
        format!("t: {TOKEN}\nmail alice@summit.example\n").as_bytes(),
    );
    let fp = report.findings[1].fingerprint.clone();
    let s = Scanner::new(&LeakGateConfig {
        exceptions: vec![
            Exception {
                fingerprint: fp.clone(),
                reason: " named contact, consented ".into(),
            },
            Exception {
                fingerprint: "jwt:00000000".into(),
                reason: "stale".into(),
            },
        ],
        ..LeakGateConfig::default()
    })
    .unwrap();
    let t = s.triage(report.findings.clone());
    assert_eq!(t.blocking, [report.findings[0].clone()]);
    assert_eq!(
        t.accepted,
        [AcceptedFinding {
            path: "a.md".into(),
            line: 2,
            rule: RuleId::EmailAddress,
            fingerprint: fp,
            preview: "alic***(20 chars)".into(),
            reason: "named contact, consented".into(),
        }]
    );
    assert_eq!(t.unused_exceptions.len(), 1);
    assert_eq!(t.unused_exceptions[0].fingerprint, "jwt:00000000");
    let json = serde_json::to_string(&t.accepted).unwrap();
    assert!(json.contains(r#""rule":"email-address""#), "{json}");
}
