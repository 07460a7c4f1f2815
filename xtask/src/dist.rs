//! Generated distribution files: the JSON Schema of `secpack.toml` and the man pages.
//!
//! - `cargo xtask schema [--check]` writes `secpack.schema.json` at the workspace root from
//!   the config types (`secpack_pipeline::config::json_schema`); `--check` fails instead when
//!   the committed file is stale (the CLI test suite checks the same).
//! - `cargo xtask man` writes `target/man/secpack.1` and one page per subcommand
//!   (`secpack-build.1`, `secpack-sbom-redact.1`, ...) from the clap command.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

/// The committed schema file, at the workspace root.
pub fn schema_path() -> PathBuf {
    crate::root().join("secpack.schema.json")
}

pub fn schema(check: bool) -> Result<()> {
    let path = schema_path();
    let fresh = secpack_pipeline::config::json_schema();
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != fresh {
            bail!(
                "{} is stale: run `cargo xtask schema` and commit it",
                path.display()
            );
        }
        println!("{} is up to date", path.display());
        return Ok(());
    }
    std::fs::write(&path, fresh).with_context(|| format!("writing {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

pub fn man() -> Result<()> {
    let dir = crate::root().join("target").join("man");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, page) in man_pages()? {
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// `(name, roff page)` for `secpack` and every subcommand, sorted by name.
fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut pending = vec![(String::from("secpack"), secpack_cli::command())];
    let mut pages = Vec::new();
    while let Some((name, cmd)) = pending.pop() {
        for sub in cmd.get_subcommands() {
            if sub.get_name() != "help" {
                pending.push((format!("{name}-{}", sub.get_name()), sub.clone()));
            }
        }
        // clap takes `&'static str` names (no `string` feature): leak, the process is short.
        let static_name: &'static str = Box::leak(name.clone().into_boxed_str());
        let cmd = cmd
            .name(static_name)
            .display_name(static_name.replace('-', " "));
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd)
            .date("") // no build date: the same sources give the same pages
            .render(&mut page)
            .with_context(|| format!("rendering {name}.1"))?;
        pages.push((name, page));
    }
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_man_page_for_every_command() {
        let pages = super::man_pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "secpack",
            "secpack-build",
            "secpack-init",
            "secpack-sbom-redact",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        let (_, build) = pages.iter().find(|(n, _)| n == "secpack-build").unwrap();
        let text = String::from_utf8_lossy(build);
        assert!(text.starts_with(".ie"), "roff: {text}");
        assert!(text.contains(".TH \"secpack build\" 1"), "{text}");
        assert!(text.contains("\\-\\-unsigned"), "options: {text}");
    }
}
