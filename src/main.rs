//! The `trickle` binary: parse the command line, load settings, start logging,
//! build the server and run it.

use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;
use trickle::cli::{Cli, Command};
use trickle::{Application, config};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match config::load(&cli.overrides()) {
        Ok(settings) => settings,
        Err(line) => {
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::CheckConfig { .. }) = cli.command {
        match toml::to_string(&settings) {
            Ok(text) => print!("{text}"),
            Err(e) => {
                eprintln!("cannot print settings: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let served = actix_rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        tracing::info!("listening on http://{}", app.address());
        app.run_until_stopped().await.map_err(|e| e.to_string())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(line) => {
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}
