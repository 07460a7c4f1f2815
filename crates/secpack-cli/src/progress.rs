//! Progress of long steps on standard error, in one of three modes:
//!
//! - [`Mode::Bar`]: an indicatif progress bar, redrawn in place, when standard error is an
//!   interactive terminal (and no logs are enabled, which would tear the bar);
//! - [`Mode::Lines`]: plain lines (step start, a heartbeat every few seconds, step end), for CI
//!   logs and pipes: no cursor movement, no escape codes;
//! - [`Mode::Off`]: nothing (`-q`).
//!
//! Every event is also a `tracing` event (`-v`, `RUST_LOG`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use secpack_pipeline::Progress;

use crate::ui;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bar,
    Lines,
    Off,
}

impl Mode {
    /// The mode for this process: `-q` silences, a terminal gets a bar unless logs are on,
    /// anything else gets lines.
    pub fn detect(logs_enabled: bool) -> Mode {
        let settings = ui::settings();
        if settings.quiet {
            Mode::Off
        } else if ui::stderr_is_interactive() && !logs_enabled {
            Mode::Bar
        } else {
            Mode::Lines
        }
    }
}

/// How often [`Mode::Lines`] reports within a long step.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// The CLI's [`Progress`]: see the module documentation.
#[derive(Debug)]
pub struct CliProgress {
    mode: Mode,
    color: bool,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    bar: Option<ProgressBar>,
    step: &'static str,
    total: u64,
    files: u64,
    bytes: u64,
    started: Instant,
    last_line: Instant,
}

impl CliProgress {
    pub fn new(mode: Mode) -> CliProgress {
        let now = Instant::now();
        CliProgress {
            mode,
            color: ui::stderr_has_color(),
            state: Mutex::new(State {
                bar: None,
                step: "",
                total: 0,
                files: 0,
                bytes: 0,
                started: now,
                last_line: now,
            }),
        }
    }

    /// A `&'static` progress for [`secpack_pipeline::BuildRequest::progress`] (one per
    /// process: it is leaked on purpose).
    pub fn leak(mode: Mode) -> &'static CliProgress {
        Box::leak(Box::new(CliProgress::new(mode)))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot corrupt counters that are only displayed.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn bar_style(&self) -> ProgressStyle {
        let template = if self.color {
            "{spinner:.cyan} {prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} {wide_msg:.dim}"
        } else {
            "{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg}"
        };
        ProgressStyle::with_template(template)
            .expect("the template is valid")
            .progress_chars("=> ")
    }
}

impl Progress for CliProgress {
    fn step(&self, name: &'static str, total: u64) {
        tracing::info!(step = name, files = total, "step started");
        let mut state = self.state();
        finish(&mut state, self.mode);
        let now = Instant::now();
        *state = State {
            bar: None,
            step: name,
            total,
            files: 0,
            bytes: 0,
            started: now,
            last_line: now,
        };
        match self.mode {
            Mode::Bar => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                bar.set_style(self.bar_style());
                bar.set_prefix(name);
                bar.enable_steady_tick(Duration::from_millis(100));
                state.bar = Some(bar);
            }
            Mode::Lines => ui::info(format_args!("{name}: {total} files")),
            Mode::Off => {}
        }
    }

    fn file(&self, path: &str, bytes: u64) {
        tracing::debug!(path, bytes, "file");
        let mut state = self.state();
        state.files += 1;
        state.bytes += bytes;
        match self.mode {
            Mode::Bar => {
                if let Some(bar) = &state.bar {
                    bar.inc(1);
                    bar.set_message(path.to_owned());
                }
            }
            Mode::Lines => {
                let now = Instant::now();
                if now.duration_since(state.last_line) >= HEARTBEAT {
                    state.last_line = now;
                    ui::info(format_args!(
                        "{}: {}/{} files",
                        state.step, state.files, state.total
                    ));
                }
            }
            Mode::Off => {}
        }
    }

    fn done(&self) {
        let mut state = self.state();
        finish(&mut state, self.mode);
    }
}

/// End the current step, if any: clear the bar and print its summary line.
fn finish(state: &mut State, mode: Mode) {
    if state.step.is_empty() {
        return;
    }
    if let Some(bar) = state.bar.take() {
        bar.finish_and_clear();
    }
    let elapsed = state.started.elapsed();
    tracing::info!(
        step = state.step,
        files = state.files,
        bytes = state.bytes,
        elapsed_ms = elapsed.as_millis() as u64,
        "step done"
    );
    if mode != Mode::Off {
        let size = if state.bytes > 0 {
            format!(", {}", human_bytes(state.bytes))
        } else {
            String::new()
        };
        ui::info(format_args!(
            "{}: done, {} files{size} in {:.1} s",
            state.step,
            state.total.max(state.files),
            elapsed.as_secs_f64()
        ));
    }
    state.step = "";
}

/// A spinner for a step whose length is unknown (opening the repository, planning), shown
/// only in [`Mode::Bar`]. Cleared when dropped.
#[derive(Debug)]
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn start(mode: Mode, message: String) -> Spinner {
        tracing::info!("{message}");
        if mode != Mode::Bar {
            return Spinner(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}").expect("the template is valid"),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner(Some(bar))
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// `1.2 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let name = UNITS.get(unit).copied().unwrap_or("B");
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_human() {
        for (bytes, expected) in [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1_300_000, "1.2 MiB"),
            (u64::MAX, "16777216.0 TiB"),
        ] {
            assert_eq!(human_bytes(bytes), expected);
        }
    }

    #[test]
    fn lines_mode_counts_files_and_bytes() {
        let p = CliProgress::new(Mode::Off);
        p.step("writing archives", 2);
        p.file("a", 10);
        p.file("b", 5);
        {
            let s = p.state();
            assert_eq!(
                (s.step, s.files, s.bytes, s.total),
                ("writing archives", 2, 15, 2)
            );
        }
        p.done();
        assert_eq!(p.state().step, "");
    }
}
