//! Output conventions shared by every command.
//!
//! - Standard output carries the result (text, or JSON with `--json`); standard error carries
//!   progress, notes, warnings and errors.
//! - Colour only when the stream is a terminal and `NO_COLOR` is unset (or `--color always`);
//!   everything is written through `anstream`, which strips styles otherwise.
//! - `-q` drops progress and notes (never warnings or errors); `-v` adds step timings and
//!   logs.

use std::fmt::Display;
use std::io::IsTerminal as _;
use std::sync::OnceLock;

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};

use crate::args::{ColorWhen, GlobalArgs};

/// The global output settings, set once by [`init`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    pub quiet: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub const NOTE: Style = AnsiColor::Cyan.on_default().bold();
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

/// Apply `--color` and `-q` for the rest of the process.
pub fn init(global: &GlobalArgs) {
    match global.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => ColorChoice::Always.write_global(),
        ColorWhen::Never => ColorChoice::Never.write_global(),
    }
    // A second call keeps the first settings: there is one command per process.
    let _ = SETTINGS.set(Settings {
        quiet: global.quiet,
    });
}

pub fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

/// Whether styles written to standard error are kept (not stripped).
pub fn stderr_has_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != ColorChoice::Never
}

/// Whether standard error is an interactive terminal that can redraw a progress bar.
pub fn stderr_is_interactive() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// `error: …` on standard error.
pub fn error(message: impl Display) {
    anstream::eprintln!("{ERROR}error:{ERROR:#} {message}");
}

/// `warning: …` on standard error.
pub fn warning(message: impl Display) {
    anstream::eprintln!("{WARNING}warning:{WARNING:#} {message}");
}

/// `note: …` on standard error, unless `-q`.
pub fn note(message: impl Display) {
    if !settings().quiet {
        anstream::eprintln!("{NOTE}note:{NOTE:#} {message}");
    }
}

/// A plain informational line on standard error, unless `-q`.
pub fn info(message: impl Display) {
    if !settings().quiet {
        anstream::eprintln!("{message}");
    }
}

/// `text` in `style` (stripped later when colour is off).
pub fn styled(style: Style, text: impl Display) -> String {
    format!("{style}{text}{style:#}")
}

/// The style of a class name in listings.
pub fn class_style(class: secpack_classify::Class) -> Style {
    match class {
        secpack_classify::Class::Public => GOOD,
        secpack_classify::Class::CustomerOnly => WARNING,
        secpack_classify::Class::Internal => ERROR,
    }
}
