//! Logging: `tracing` to stderr, as text or JSON lines. `RUST_LOG` beats
//! `log.level`. Each request logs one line when it ends (with its request
//! id, route, status, the error code of an error answer, and duration) and
//! each stream one more when it ends (outcome, tokens), inside the same
//! request span. Text is coloured only where colour helps: see [`use_color`].

use std::ffi::OsStr;
use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::{LogColor, LogFormat, LogSettings};

/// Installs the global subscriber; call once, from `main`.
pub fn init(log: &LogSettings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.level));
    let ansi = log.format == LogFormat::Text
        && use_color(
            log.color,
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match log.format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).init(),
    }
}

/// Whether log lines get ANSI colour codes. `auto` colours a terminal only,
/// so a log redirected to a file or piped to another program stays plain
/// text, and honours `NO_COLOR` (<https://no-color.org>: set and not empty
/// means no colour). `always` and `never` are the user's explicit choice and
/// beat `NO_COLOR`.
pub fn use_color(setting: LogColor, stderr_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    match setting {
        LogColor::Always => true,
        LogColor::Never => false,
        LogColor::Auto => stderr_is_terminal && no_color.is_none_or(OsStr::is_empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colours_a_terminal_only_and_honours_no_color() {
        let cases = [
            (LogColor::Auto, true, None, true, "a terminal"),
            (LogColor::Auto, false, None, false, "a file or a pipe"),
            (LogColor::Auto, true, Some("1"), false, "NO_COLOR set"),
            (
                LogColor::Auto,
                true,
                Some(""),
                true,
                "NO_COLOR empty counts as unset",
            ),
            (
                LogColor::Always,
                false,
                Some("1"),
                true,
                "always beats both",
            ),
            (LogColor::Never, true, None, false, "never on a terminal"),
        ];
        for (setting, terminal, no_color, expected, what) in cases {
            assert_eq!(
                use_color(setting, terminal, no_color.map(OsStr::new)),
                expected,
                "{what}"
            );
        }
    }
}
