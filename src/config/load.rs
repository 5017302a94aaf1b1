//! Layering, later wins: built-in defaults < `./config/default.toml` <
//! `--config FILE` < environment `TRICKLE__SECTION__KEY` < CLI flags.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};

use super::Settings;

/// The built-in defaults: `config/default.toml`, compiled in.
pub const BUILT_IN: &str = include_str!("../../config/default.toml");

/// The optional file in the working directory that overrides the built-in one.
pub const LOCAL_DEFAULTS: &str = "config/default.toml";

/// Values given on the command line; they beat every other layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config FILE`
    pub file: Option<PathBuf>,
    /// `--host`
    pub host: Option<String>,
    /// `--port`
    pub port: Option<u16>,
}

/// Loads settings from every layer, reading the process environment.
pub fn load(overrides: &Overrides) -> Result<Settings, String> {
    load_with_env(overrides, None)
}

/// Loads settings from every layer; `env` replaces the process environment
/// (tests use it instead of `std::env::set_var`).
pub fn load_with_env(
    overrides: &Overrides,
    env: Option<HashMap<String, String>>,
) -> Result<Settings, String> {
    let mut builder = Config::builder().add_source(File::from_str(BUILT_IN, FileFormat::Toml));
    if Path::new(LOCAL_DEFAULTS).is_file() {
        builder = builder.add_source(File::new(LOCAL_DEFAULTS, FileFormat::Toml));
    }
    if let Some(file) = &overrides.file {
        if !file.is_file() {
            return Err(format!("config file {}: not found", file.display()));
        }
        builder = builder.add_source(File::from(file.as_path()).format(FileFormat::Toml));
    }
    builder = builder.add_source(
        Environment::with_prefix("TRICKLE")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .list_separator(",")
            .with_list_parse_key("auth.api_keys")
            .with_list_parse_key("cors.allowed_origins")
            .with_list_parse_key("limits.trusted_proxies")
            .source(env),
    );
    if let Some(host) = &overrides.host {
        builder = builder
            .set_override("server.host", host.as_str())
            .map_err(|e| e.to_string())?;
    }
    if let Some(port) = overrides.port {
        builder = builder
            .set_override("server.port", u64::from(port))
            .map_err(|e| e.to_string())?;
    }
    let settings: Settings = builder
        .build()
        .and_then(Config::try_deserialize)
        .map_err(|e| format!("invalid config: {e}"))?;
    settings.validate().map_err(|e| e.to_string())?;
    Ok(settings)
}
