//! The command line: `trickle [serve]`, `trickle check-config [FILE]`,
//! `trickle bench URL …`.
//!
//! The server's options (`--config`, `--host`, `--port`) belong to the server
//! commands only: before any subcommand (`trickle --port 0`) or after `serve`
//! and `check-config`. `trickle bench` takes the load generator's options and
//! nothing else, so its `--help` lists only those.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory as _, Parser, Subcommand};

use crate::config::Overrides;

/// A simulated LLM token-streaming server (Server-Sent Events).
#[derive(Debug, Parser)]
#[command(name = "trickle", version, about)]
pub struct Cli {
    /// The server's options given before any subcommand.
    #[command(flatten)]
    pub server: ServerArgs,
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The command-line layer of a server's settings.
#[derive(Debug, Clone, Default, Args)]
pub struct ServerArgs {
    /// Settings file layered over the built-in defaults.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on (beats server.host).
    #[arg(long)]
    pub host: Option<String>,
    /// Port to listen on, 0 for any free one (beats server.port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Fixtures file: rules that decide replies (beats fixtures.file).
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve (the default).
    Serve(ServerArgs),
    /// Validate the settings and print the effective values as TOML.
    CheckConfig {
        /// Settings file to check (same as --config).
        file: Option<PathBuf>,
        /// The server's options.
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Load an SSE endpoint (trickle's or any other) with many concurrent
    /// streams and report completion, events/s, time to first event, gaps,
    /// lateness, drift and, given --pid, the server's memory and CPU.
    Bench(trickle_loadgen::Args),
}

impl ServerArgs {
    fn is_empty(&self) -> bool {
        self.config.is_none()
            && self.host.is_none()
            && self.port.is_none()
            && self.fixtures.is_none()
    }
}

impl Cli {
    /// Parses `args` (the program name first). Server options before `bench`
    /// are refused rather than silently ignored; the error prints and exits
    /// as clap's own do (`error.exit()`).
    pub fn try_parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let cli = Cli::try_parse_from(args)?;
        if matches!(cli.command, Some(Command::Bench(_))) && !cli.server.is_empty() {
            return Err(Cli::command().error(
                ErrorKind::ArgumentConflict,
                "--config, --host and --port are the server's options; trickle bench does not take them",
            ));
        }
        Ok(cli)
    }

    /// The command-line layer of the settings: a subcommand's options beat
    /// those given before it, and `check-config FILE` beats `--config`.
    pub fn overrides(&self) -> Overrides {
        let none = ServerArgs::default();
        let (file, inner) = match &self.command {
            Some(Command::Serve(server)) => (None, server),
            Some(Command::CheckConfig { file, server }) => (file.clone(), server),
            Some(Command::Bench(_)) | None => (None, &none),
        };
        let outer = &self.server;
        Overrides {
            file: file
                .or_else(|| inner.config.clone())
                .or_else(|| outer.config.clone()),
            host: inner.host.clone().or_else(|| outer.host.clone()),
            port: inner.port.or(outer.port),
            fixtures: inner.fixtures.clone().or_else(|| outer.fixtures.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(line: &str) -> (Option<String>, Option<String>, Option<u16>) {
        let cli = Cli::try_parse_args(line.split(' ')).expect(line);
        let o = cli.overrides();
        let file = o.file.map(|f| f.display().to_string());
        (file, o.host, o.port)
    }

    #[test]
    fn every_server_command_line_takes_the_server_options() {
        let some = |s: &str| Some(s.to_owned());
        for (line, want) in [
            ("trickle --port 0", (None, None, Some(0))),
            (
                "trickle --config my.toml --port 9000",
                (some("my.toml"), None, Some(9000)),
            ),
            ("trickle serve --port 0", (None, None, Some(0))),
            (
                "trickle --host ::1 --port 1 serve --port 2",
                (None, some("::1"), Some(2)),
            ),
            (
                "trickle check-config my.toml",
                (some("my.toml"), None, None),
            ),
            (
                "trickle check-config --config my.toml",
                (some("my.toml"), None, None),
            ),
            (
                "trickle --config a.toml check-config b.toml",
                (some("b.toml"), None, None),
            ),
        ] {
            assert_eq!(overrides(line), want, "{line}");
        }
    }

    #[test]
    fn bench_refuses_the_server_options() {
        for (line, why) in [
            ("trickle bench http://127.0.0.1:1/ --port 1", "after bench"),
            ("trickle --port 1 bench http://127.0.0.1:1/", "before bench"),
            (
                "trickle bench http://127.0.0.1:1/ --config x.toml",
                "config",
            ),
        ] {
            assert!(Cli::try_parse_args(line.split(' ')).is_err(), "{why}");
        }
        assert!(Cli::try_parse_args(["trickle", "bench", "http://127.0.0.1:1/"]).is_ok());
    }
}
