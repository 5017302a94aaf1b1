//! The `trickle` binary: parse the command line, load settings, start logging,
//! build the server and run it.

use std::process::ExitCode;

use trickle::cli::{Cli, Command};
use trickle::{Application, config};

fn main() -> ExitCode {
    let cli = Cli::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit());
    if let Some(Command::Bench(args)) = &cli.command {
        return trickle_loadgen::command(args);
    }
    let overrides = cli.overrides();
    let settings = match config::load(&overrides) {
        Ok(settings) => settings,
        Err(line) => {
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::CheckConfig { .. }) = cli.command {
        let mut shown = settings.clone();
        shown.auth.api_keys.fill("(redacted)".to_owned());
        match toml::to_string(&shown) {
            Ok(text) => print!("{text}"),
            Err(e) => {
                eprintln!("cannot print settings: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    trickle::telemetry::init(&settings.log);
    trickle::capacity::raise_file_limit(&settings);
    let served = actix_rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        tracing::info!("listening on http://{}", app.address());
        app.run_until_stopped(overrides)
            .await
            .map_err(|e| e.to_string())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(line) => {
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}
