//! Settings files and the environment as `config` sources that remember
//! where each value came from, and errors that name that place: the file as
//! the user gave it (`config` itself shows a path relative to the working
//! directory), or the environment variable (`config` says "the
//! environment").

use std::collections::BTreeMap;
use std::path::Path;

use config::{ConfigError, Map, Source, Value, ValueKind};

use super::schema::Schema;

/// A TOML settings file, parsed and checked for unknown keys here.
#[derive(Debug, Clone)]
pub(super) struct TomlFile {
    origin: String,
    table: toml::Table,
}

impl TomlFile {
    /// Reads `path`. Errors are one line that starts with the path as given.
    pub(super) fn read(path: &Path, schema: &Schema) -> Result<TomlFile, String> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("invalid config: {origin}: cannot read it: {e}"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|span| position(text, span.start));
            let message = e.message().trim().replace('\n', "; ");
            format!(
                "invalid config: {origin}: {}{message}",
                at.unwrap_or_default()
            )
        })?;
        schema.check_file(&origin, &table)?;
        Ok(TomlFile { origin, table })
    }
}

/// `line L, column C: ` of a byte offset, both counted from 1.
fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}: ")
}

impl Source for TomlFile {
    fn clone_into_box(&self) -> Box<dyn Source + Send + Sync> {
        Box::new(self.clone())
    }

    fn collect(&self) -> Result<Map<String, Value>, ConfigError> {
        Ok(self
            .table
            .iter()
            .map(|(key, value)| (key.clone(), convert(&self.origin, value)))
            .collect())
    }
}

fn convert(origin: &String, value: &toml::Value) -> Value {
    let kind = match value {
        toml::Value::String(s) => ValueKind::String(s.clone()),
        toml::Value::Integer(i) => ValueKind::I64(*i),
        toml::Value::Float(f) => ValueKind::Float(*f),
        toml::Value::Boolean(b) => ValueKind::Boolean(*b),
        toml::Value::Datetime(d) => ValueKind::String(d.to_string()),
        toml::Value::Array(items) => {
            ValueKind::Array(items.iter().map(|v| convert(origin, v)).collect())
        }
        toml::Value::Table(table) => ValueKind::Table(
            table
                .iter()
                .map(|(k, v)| (k.clone(), convert(origin, v)))
                .collect(),
        ),
    };
    Value::new(Some(origin), kind)
}

/// Whether a variable is a setting: `TRICKLE__…`, in any case, as `config`
/// matches them.
pub(super) fn is_setting(name: &str) -> bool {
    name.to_lowercase().starts_with("trickle__")
}

/// The process's settings variables.
pub(super) fn process_env() -> Result<BTreeMap<String, String>, String> {
    std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            is_setting(&name).then_some((name, value))
        })
        .map(|(name, value)| match value.into_string() {
            Ok(value) => Ok((name, value)),
            Err(_) => Err(format!("invalid config: {name}: the value is not UTF-8")),
        })
        .collect()
}

/// A deserialisation error as one line that starts with where the bad
/// value came from: `./my.toml: stream.token_delay_ms: expected an integer,
/// found string "x"` or `TRICKLE__STREAM__TOKEN_DELAY_MS: …`. The value in
/// force comes from the environment if a variable sets it, else from the
/// last file that does.
pub(super) fn describe(
    error: &ConfigError,
    files: &[TomlFile],
    env: &BTreeMap<String, String>,
) -> String {
    let (key, what) = match error {
        ConfigError::Type {
            key: Some(key),
            unexpected,
            expected,
            ..
        } => (key, format!("expected {expected}, found {unexpected}")),
        ConfigError::At {
            key: Some(key),
            error,
            ..
        } => (key, error.to_string()),
        _ => return error.to_string(),
    };
    let path: Vec<&str> = key.split('[').next().unwrap_or(key).split('.').collect();
    let variable = env.keys().find(|name| {
        let name = name.to_lowercase();
        name.split("__").skip(1).eq(path.iter().copied())
    });
    if let Some(variable) = variable {
        return format!("{variable}: {what}");
    }
    match files.iter().rev().find(|file| file.sets(&path)) {
        Some(file) => format!("{}: {key}: {what}", file.origin),
        None => format!("{key}: {what}"),
    }
}

impl TomlFile {
    /// Whether this file sets the value at `path`.
    fn sets(&self, path: &[&str]) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let mut value = self.table.get(*first);
        for part in rest {
            value = value.and_then(|v| v.get(*part));
        }
        value.is_some()
    }
}
