//! Errors as people read them: a configuration error shows the offending line of
//! `secpack.toml` with the text underlined and how to fix it (annotate-snippets); every other
//! error is one `error:` line with its causes.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::ui;

/// Print `err` on standard error.
pub fn report(err: &anyhow::Error) {
    if let Some(text) = err
        .downcast_ref::<secpack_pipeline::Error>()
        .and_then(render_config_error)
    {
        anstream::eprintln!("{text}");
        return;
    }
    ui::error(chain_text(err));
}

/// `err` and its causes as one line, `outer: cause: cause`. A cause whose text its parent's
/// message already contains is left out: many errors print their source in their own message
/// and also return it from `source()`, and `{err:#}` would print it twice.
fn chain_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    let mut previous = String::new();
    for cause in err.chain() {
        let message = cause.to_string();
        if !previous.is_empty() && previous.contains(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
        previous = message;
    }
    text
}

/// Print a pipeline error (a plan problem) on standard error.
pub fn report_problem(e: &secpack_pipeline::Error) {
    match render_config_error(e) {
        Some(text) => anstream::eprintln!("{text}"),
        None => ui::error(e),
    }
}

/// The annotated rendering of an [`secpack_pipeline::Error::Config`], styled (anstream strips
/// the styles when colour is off). The title keeps the `file:line:column: message` form that
/// editors and CI log parsers recognize.
pub fn render_config_error(e: &secpack_pipeline::Error) -> Option<String> {
    let secpack_pipeline::Error::Config(config) = e else {
        return None;
    };
    let secpack_pipeline::config::ConfigError {
        file,
        line,
        column,
        message,
        help,
        source_line,
        span,
    } = config.as_ref();
    let title = format!("{file}:{line}:{column}: {message}");
    let title = Level::ERROR.primary_title(title);
    // An empty line has nothing to underline (e.g. a problem at the end of the file).
    let help = help
        .clone()
        .unwrap_or_else(|| "every key of secpack.toml is documented in docs/config.md".into());
    // An empty line has nothing to underline (e.g. a problem at the end of the file).
    let group = if !source_line.trim().is_empty() && span.end <= source_line.len() {
        title.element(
            Snippet::source(source_line.as_str())
                .line_start(*line)
                .path(file.as_str())
                .annotation(AnnotationKind::Primary.span(span.clone())),
        )
    } else {
        Group::with_title(title)
    };
    let report = [group.element(Level::HELP.message(help))];
    Some(Renderer::styled().render(&report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> String {
        let e = secpack_pipeline::Config::parse(text, "secpack.toml").unwrap_err();
        let styled = render_config_error(&e).unwrap();
        // What a terminal without colour shows.
        anstream::adapter::strip_str(&styled).to_string()
    }

    #[test]
    fn config_errors_show_the_line_underlined_and_the_fix() {
        let shown = render(
            "[product]\nname = \"S\"\n\n[[classify]]\nglob = \"docs/**\"\nclass = \"customer_only\"\n",
        );
        let expected = r#"error: secpack.toml:6:9: unknown variant `customer_only`, expected one of `public`, `customer-only`, `internal`
 --> secpack.toml:6:9
  |
6 | class = "customer_only"
  |         ^^^^^^^^^^^^^^^
  |
  = help: did you mean `customer-only`?"#;
        assert_eq!(shown, expected);
    }

    #[test]
    fn a_position_without_text_still_has_a_title_and_help() {
        let shown = render("");
        assert!(
            shown.starts_with("error: secpack.toml:1:1: missing field `product`\n"),
            "{shown}"
        );
        assert!(
            shown.ends_with(
                "= help: add `product = …` to this table; docs/config.md documents every key"
            ),
            "{shown}"
        );
    }

    #[test]
    fn a_cause_already_in_its_parent_message_is_printed_once() {
        let io = std::io::Error::other("blob 1234 hashes to 5678");
        let e = secpack_pipeline::Error::Git {
            what: "reading `x.bin`".into(),
            source: Box::new(io),
        };
        // Error::Git prints its source in its own message and returns it from source().
        let err = anyhow::Error::new(e).context("building v1.0.0");
        assert_eq!(
            chain_text(&err),
            "building v1.0.0: reading `x.bin`: blob 1234 hashes to 5678"
        );
        let plain = anyhow::anyhow!("inner").context("middle").context("outer");
        assert_eq!(chain_text(&plain), "outer: middle: inner");
    }

    #[test]
    fn other_errors_are_not_rendered_as_snippets() {
        let e = secpack_pipeline::Error::Policy {
            message: "x".into(),
        };
        assert!(render_config_error(&e).is_none());
    }
}
