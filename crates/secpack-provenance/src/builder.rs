//! Builder identity (`runDetails.builder.id`) detected from the CI environment.

/// Builder id used when no CI is detected and the config names none. It says "someone ran
/// secpack by hand": verifiers that require a CI builder reject it, which is the point.
pub const LOCAL_BUILDER_ID: &str = "https://secpack.dev/builder/local/v1";

/// Where a builder id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuilderSource {
    /// GitHub Actions (`GITHUB_ACTIONS=true`).
    GithubActions,
    /// GitLab CI (`GITLAB_CI=true`).
    GitlabCi,
    /// No CI detected: [`LOCAL_BUILDER_ID`].
    Local,
}

/// A detected builder identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedBuilder {
    /// The builder id for `runDetails.builder.id`.
    pub id: String,
    /// Which environment it came from.
    pub source: BuilderSource,
    /// The CI job URL, for `runDetails.metadata.invocationId` (differs on every run).
    pub invocation_id: Option<String>,
}

/// Detect the builder id from environment variables, read through `env` (pass
/// `&|name| std::env::var(name).ok()` in the binary; a closure over a map in tests).
///
/// - GitHub Actions (`GITHUB_ACTIONS=true`): `$GITHUB_SERVER_URL/$GITHUB_WORKFLOW_REF`, e.g.
///   `https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3` (the same
///   shape as slsa-github-generator's builder ids); without `GITHUB_WORKFLOW_REF`,
///   `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/.github/workflows@$GITHUB_REF`. Invocation id:
///   `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/attempts/$GITHUB_RUN_ATTEMPT`.
/// - GitLab CI (`GITLAB_CI=true`):
///   `$CI_SERVER_URL/$CI_PROJECT_PATH/$CI_CONFIG_PATH@<ref>#$CI_JOB_NAME`, where `<ref>` is
///   `refs/tags/$CI_COMMIT_TAG` on a tag pipeline and `refs/heads/$CI_COMMIT_REF_NAME` otherwise,
///   `CI_CONFIG_PATH` defaults to `.gitlab-ci.yml`. Invocation id: `$CI_JOB_URL`.
/// - Otherwise [`LOCAL_BUILDER_ID`], no invocation id.
///
/// A builder id from the config takes precedence; the caller decides that.
pub fn detect_builder(env: &dyn Fn(&str) -> Option<String>) -> DetectedBuilder {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if var("GITHUB_ACTIONS").as_deref() == Some("true") {
        let server = var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".to_owned());
        let server = server.trim_end_matches('/');
        let repository = var("GITHUB_REPOSITORY");
        let id = match (var("GITHUB_WORKFLOW_REF"), &repository) {
            (Some(workflow_ref), _) => format!("{server}/{workflow_ref}"),
            (None, Some(repository)) => format!(
                "{server}/{repository}/.github/workflows@{}",
                var("GITHUB_REF").unwrap_or_else(|| "unknown-ref".to_owned())
            ),
            (None, None) => format!("{server}/unknown-repository/.github/workflows"),
        };
        let invocation_id = match (&repository, var("GITHUB_RUN_ID")) {
            (Some(repository), Some(run)) => Some(format!(
                "{server}/{repository}/actions/runs/{run}/attempts/{}",
                var("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".to_owned())
            )),
            _ => None,
        };
        return DetectedBuilder {
            id,
            source: BuilderSource::GithubActions,
            invocation_id,
        };
    }
    if var("GITLAB_CI").as_deref() == Some("true") {
        let server = var("CI_SERVER_URL").unwrap_or_else(|| "https://gitlab.com".to_owned());
        let server = server.trim_end_matches('/');
        let project = var("CI_PROJECT_PATH").unwrap_or_else(|| "unknown-project".to_owned());
        let config = var("CI_CONFIG_PATH").unwrap_or_else(|| ".gitlab-ci.yml".to_owned());
        let git_ref = match (var("CI_COMMIT_TAG"), var("CI_COMMIT_REF_NAME")) {
            (Some(tag), _) => format!("refs/tags/{tag}"),
            (None, Some(branch)) => format!("refs/heads/{branch}"),
            (None, None) => "unknown-ref".to_owned(),
        };
        let mut id = format!("{server}/{project}/{config}@{git_ref}");
        if let Some(job) = var("CI_JOB_NAME") {
            id.push('#');
            id.push_str(&job);
        }
        return DetectedBuilder {
            id,
            source: BuilderSource::GitlabCi,
            invocation_id: var("CI_JOB_URL"),
        };
    }
    DetectedBuilder {
        id: LOCAL_BUILDER_ID.to_owned(),
        source: BuilderSource::Local,
        invocation_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(vars: &[(&str, &str)], id: &str, source: BuilderSource, invocation: Option<&str>) {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        let detected = detect_builder(&lookup);
        assert_eq!(detected.id, id);
        assert_eq!(detected.source, source);
        assert_eq!(detected.invocation_id.as_deref(), invocation);
    }

    #[test]
    fn github_actions() {
        check(
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "example-summit/summit"),
                (
                    "GITHUB_WORKFLOW_REF",
                    "example-summit/summit/.github/workflows/release.yml@refs/tags/v1.2.3",
                ),
                ("GITHUB_RUN_ID", "4242"),
                ("GITHUB_RUN_ATTEMPT", "2"),
            ],
            "https://github.com/example-summit/summit/.github/workflows/release.yml@refs/tags/v1.2.3",
            BuilderSource::GithubActions,
            Some("https://github.com/example-summit/summit/actions/runs/4242/attempts/2"),
        );
        check(
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_SERVER_URL", "https://ghe.example/"),
                ("GITHUB_REPOSITORY", "a/b"),
                ("GITHUB_REF", "refs/tags/v1"),
            ],
            "https://ghe.example/a/b/.github/workflows@refs/tags/v1",
            BuilderSource::GithubActions,
            None,
        );
    }

    #[test]
    fn gitlab_ci() {
        check(
            &[
                ("GITLAB_CI", "true"),
                ("CI_SERVER_URL", "https://gitlab.example"),
                ("CI_PROJECT_PATH", "summit/summit"),
                ("CI_COMMIT_TAG", "v1.2.3"),
                ("CI_COMMIT_REF_NAME", "v1.2.3"),
                ("CI_JOB_NAME", "security-package"),
                (
                    "CI_JOB_URL",
                    "https://gitlab.example/summit/summit/-/jobs/77",
                ),
            ],
            "https://gitlab.example/summit/summit/.gitlab-ci.yml@refs/tags/v1.2.3#security-package",
            BuilderSource::GitlabCi,
            Some("https://gitlab.example/summit/summit/-/jobs/77"),
        );
        check(
            &[
                ("GITLAB_CI", "true"),
                ("CI_PROJECT_PATH", "g/p"),
                ("CI_CONFIG_PATH", "ci/release.yml"),
                ("CI_COMMIT_REF_NAME", "main"),
            ],
            "https://gitlab.com/g/p/ci/release.yml@refs/heads/main",
            BuilderSource::GitlabCi,
            None,
        );
    }

    #[test]
    fn local_default() {
        check(&[], LOCAL_BUILDER_ID, BuilderSource::Local, None);
        check(
            &[("GITHUB_ACTIONS", "false"), ("GITLAB_CI", "")],
            LOCAL_BUILDER_ID,
            BuilderSource::Local,
            None,
        );
    }
}
