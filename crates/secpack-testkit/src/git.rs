//! Real git repositories for tests and for the fixture, made reproducibly: fixed author and
//! committer identities and dates, no user or system git configuration.

use std::path::Path;
use std::process::Command;

/// Fixed identity used for every commit and tag made here.
pub const IDENTITY: (&str, &str) = ("Summit Release Bot", "release-bot@summit.example");
/// Fixed date of every commit and tag made here: 2026-11-20T12:00:00Z.
pub const DATE: &str = "1795176000 +0000";

/// An error running git, with its stderr.
#[derive(Debug)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

/// Run `git args…` in `repo`, isolated from the user's configuration, with [`IDENTITY`]
/// and [`DATE`] (or `date` when given). Returns trimmed stdout.
pub fn git_at(repo: &Path, date: &str, args: &[&str]) -> Result<String, GitError> {
    let home = std::env::temp_dir().join("secpack-git-home");
    std::fs::create_dir_all(&home)
        .map_err(|e| GitError(format!("creating {}: {e}", home.display())))?;
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", IDENTITY.0)
        .env("GIT_AUTHOR_EMAIL", IDENTITY.1)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_NAME", IDENTITY.0)
        .env("GIT_COMMITTER_EMAIL", IDENTITY.1)
        .env("GIT_COMMITTER_DATE", date)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .output()
        .map_err(|e| {
            GitError(format!(
                "running git (install it: scripts/install-test-tools.sh): {e}"
            ))
        })?;
    if !out.status.success() {
        return Err(GitError(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// [`git_at`] with the fixed [`DATE`].
pub fn git(repo: &Path, args: &[&str]) -> Result<String, GitError> {
    git_at(repo, DATE, args)
}

/// Copy the folder `src` to `dest` (replacing it), then `git init`, commit everything and
/// create the annotated tag `tag`. Same input, same commit id, on every machine.
pub fn materialize(src: &Path, dest: &Path, tag: &str) -> Result<(), GitError> {
    let io = |what: &str, e: std::io::Error| GitError(format!("{what}: {e}"));
    if dest.exists() {
        std::fs::remove_dir_all(dest)
            .map_err(|e| io(&format!("clearing {}", dest.display()), e))?;
    }
    copy_tree(src, dest).map_err(|e| io(&format!("copying {}", src.display()), e))?;
    git(dest, &["init", "--quiet", "--initial-branch=main"])?;
    git(dest, &["add", "--all"])?;
    git(
        dest,
        &[
            "commit",
            "--quiet",
            "--no-gpg-sign",
            "--message",
            &format!("Security evidence for {tag}"),
        ],
    )?;
    git(
        dest,
        &["tag", "--no-sign", "--annotate", tag, "--message", tag],
    )?;
    Ok(())
}

/// Copy a tree of plain files and folders, in sorted order.
pub fn copy_tree(src: &Path, dest: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dest)?;
    let mut entries: Vec<_> = std::fs::read_dir(src)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let kind = entry.file_type()?;
        let to = dest.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &to)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &to)?;
        } else {
            return Err(std::io::Error::other(format!(
                "{}: only files and folders are copied",
                entry.path().display()
            )));
        }
    }
    Ok(())
}
