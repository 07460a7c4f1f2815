//! Rule identifiers: the stable names used in findings, `disabled_rules` and fingerprints.

use serde::Serialize;

/// What a finding is. The kebab-case name ([`RuleId::as_str`]) is stable: it appears in
/// fingerprints, in `disabled_rules` and in the traceability index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RuleId {
    /// A PEM, OpenSSH or PGP private key block with a body (header alone does not fire).
    PrivateKey,
    /// A Google Cloud service-account key file (`"type": "service_account"` + `"private_key"`).
    GcpServiceAccountKey,
    /// An AWS access key id (`AKIA…`, `ASIA…`, 20 characters, base32 alphabet).
    AwsAccessKeyId,
    /// An AWS secret access key (40 characters) assigned to an AWS/secret-access-key name.
    AwsSecretAccessKey,
    /// An Azure storage or service-bus key in a connection string (`AccountKey=`, `SharedAccessKey=`).
    AzureStorageKey,
    /// An Azure shared-access-signature token (`sig=` next to `sv=`).
    AzureSasToken,
    /// A GitHub token (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`).
    GithubToken,
    /// A GitLab personal access token (`glpat-`).
    GitlabToken,
    /// A Slack token (`xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`, `xoxs-`, `xoxo-`, `xoxe-`).
    SlackToken,
    /// A Slack incoming-webhook or workflow URL.
    SlackWebhook,
    /// A Stripe live secret or restricted key (`sk_live_`, `rk_live_`).
    StripeKey,
    /// An npm access token (`npm_` + 36 characters).
    NpmToken,
    /// A PyPI API token (`pypi-AgE…`).
    PypiToken,
    /// A JSON Web Token (three base64url parts, the first two starting `eyJ`).
    Jwt,
    /// A credential in an HTTP `Authorization` header or after `Bearer` (`Authorization: Basic …`,
    /// `Bearer …`) that is not a JWT.
    BearerToken,
    /// A password in a URL (`scheme://user:password@host`).
    UrlCredentials,
    /// A secret in a URL query parameter (`?token=`, `&password=`, `&api_key=`, ...).
    UrlSecretParam,
    /// A high-entropy value assigned to a secret-like name (`password = "..."`).
    GenericSecret,
    /// A host name from `internal_hosts` or a name under one of `internal_domains`.
    InternalHost,
    /// An IPv4 address inside one of `internal_cidrs`.
    InternalIp,
    /// An e-mail address that is not in `email_allow`.
    EmailAddress,
    /// Leftover internal-marker text (`secpack:internal`, `INTERNAL ONLY`, configured markers).
    InternalMarker,
    /// Content the gate cannot read: compressed, encrypted or high-entropy binary data.
    UnscannableContent,
}

impl RuleId {
    /// Every rule, in priority order: when two findings overlap, the earlier rule wins.
    pub const ALL: [RuleId; 23] = [
        RuleId::GcpServiceAccountKey,
        RuleId::PrivateKey,
        RuleId::AwsAccessKeyId,
        RuleId::AwsSecretAccessKey,
        RuleId::AzureStorageKey,
        RuleId::AzureSasToken,
        RuleId::GithubToken,
        RuleId::GitlabToken,
        RuleId::SlackWebhook,
        RuleId::SlackToken,
        RuleId::StripeKey,
        RuleId::NpmToken,
        RuleId::PypiToken,
        RuleId::Jwt,
        RuleId::BearerToken,
        RuleId::UrlCredentials,
        RuleId::UrlSecretParam,
        RuleId::InternalHost,
        RuleId::InternalIp,
        RuleId::EmailAddress,
        RuleId::GenericSecret,
        RuleId::InternalMarker,
        RuleId::UnscannableContent,
    ];

    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::PrivateKey => "private-key",
            RuleId::GcpServiceAccountKey => "gcp-service-account-key",
            RuleId::AwsAccessKeyId => "aws-access-key-id",
            RuleId::AwsSecretAccessKey => "aws-secret-access-key",
            RuleId::AzureStorageKey => "azure-storage-key",
            RuleId::AzureSasToken => "azure-sas-token",
            RuleId::GithubToken => "github-token",
            RuleId::GitlabToken => "gitlab-token",
            RuleId::SlackToken => "slack-token",
            RuleId::SlackWebhook => "slack-webhook",
            RuleId::StripeKey => "stripe-key",
            RuleId::NpmToken => "npm-token",
            RuleId::PypiToken => "pypi-token",
            RuleId::Jwt => "jwt",
            RuleId::BearerToken => "bearer-token",
            RuleId::UrlCredentials => "url-credentials",
            RuleId::UrlSecretParam => "url-secret-param",
            RuleId::GenericSecret => "generic-secret",
            RuleId::InternalHost => "internal-host",
            RuleId::InternalIp => "internal-ip",
            RuleId::EmailAddress => "email-address",
            RuleId::InternalMarker => "internal-marker",
            RuleId::UnscannableContent => "unscannable-content",
        }
    }

    /// Parse a kebab-case name; `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Position in [`RuleId::ALL`]: lower wins when findings overlap.
    pub(crate) fn priority(self) -> usize {
        RuleId::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or(usize::MAX)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
        for r in RuleId::ALL {
            assert_eq!(RuleId::from_name(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RuleId::ALL.len());
        assert_eq!(RuleId::from_name("no-such-rule"), None);
    }
}
