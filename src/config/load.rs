//! Layering, later wins: built-in defaults < `./config/default.toml` <
//! `--config FILE` < environment `TRICKLE__SECTION__KEY` < CLI flags.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};

use super::Settings;
use super::schema::Schema;
use super::source::{self, TomlFile};

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
    /// `--fixtures FILE`
    pub fixtures: Option<PathBuf>,
}

/// The built-in defaults alone: no `./config/default.toml`, no environment,
/// so that a test reads the same settings from any working directory.
pub fn built_in() -> Settings {
    Config::builder()
        .add_source(File::from_str(BUILT_IN, FileFormat::Toml))
        .build()
        .and_then(Config::try_deserialize)
        .expect("the built-in defaults are valid settings (tested)")
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
    let schema = Schema::built_in();
    let mut builder = Config::builder().add_source(File::from_str(BUILT_IN, FileFormat::Toml));
    let mut files = Vec::new();
    if Path::new(LOCAL_DEFAULTS).is_file() {
        files.push(TomlFile::read(Path::new(LOCAL_DEFAULTS), &schema)?);
    }
    if let Some(file) = &overrides.file {
        if !file.is_file() {
            return Err(format!("config file {}: not found", file.display()));
        }
        files.push(TomlFile::read(file, &schema)?);
    }
    for file in &files {
        builder = builder.add_source(file.clone());
    }
    let env = match env {
        Some(env) => env
            .into_iter()
            .filter(|(k, _)| source::is_setting(k))
            .collect(),
        None => source::process_env()?,
    };
    schema.check_env(&env)?;
    builder = builder.add_source(
        Environment::with_prefix("TRICKLE")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .list_separator(",")
            .with_list_parse_key("auth.api_keys")
            .with_list_parse_key("cors.allowed_origins")
            .with_list_parse_key("limits.trusted_proxies")
            .source(Some(env.clone().into_iter().collect())),
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
    if let Some(fixtures) = &overrides.fixtures {
        builder = builder
            .set_override("fixtures.file", fixtures.display().to_string())
            .map_err(|e| e.to_string())?;
    }
    let config = builder
        .build()
        .map_err(|e| format!("invalid config: {e}"))?;
    let settings: Settings = config
        .try_deserialize()
        .map_err(|e| format!("invalid config: {}", source::describe(&e, &files, &env)))?;
    settings.validate().map_err(|e| e.to_string())?;
    Ok(settings)
}
