//! The command line: `trickle [serve]`, `trickle check-config [FILE]`,
//! `trickle bench URL …`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::bench::args::BenchArgs;
use crate::config::Overrides;

/// A simulated LLM token-streaming server (Server-Sent Events).
#[derive(Debug, Parser)]
#[command(name = "trickle", version, about)]
pub struct Cli {
    /// Settings file layered over the built-in defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on (beats server.host).
    #[arg(long, global = true)]
    pub host: Option<String>,
    /// Port to listen on, 0 for any free one (beats server.port).
    #[arg(long, global = true)]
    pub port: Option<u16>,
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve (the default).
    Serve,
    /// Validate the settings and print the effective values as TOML.
    CheckConfig {
        /// Settings file to check (same as --config).
        file: Option<PathBuf>,
    },
    /// Load an SSE endpoint (trickle's or any other) with many concurrent
    /// streams and report completion, events/s, time to first event, gaps,
    /// lateness, drift and, given --pid, the server's memory and CPU.
    Bench(BenchArgs),
}

impl Cli {
    /// The command-line layer of the settings.
    pub fn overrides(&self) -> Overrides {
        let file = match &self.command {
            Some(Command::CheckConfig { file: Some(file) }) => Some(file.clone()),
            _ => self.config.clone(),
        };
        Overrides {
            file,
            host: self.host.clone(),
            port: self.port,
        }
    }
}
