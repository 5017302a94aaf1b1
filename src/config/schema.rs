//! Unknown sections and keys, caught before the layers are merged so the
//! message can say where the key came from: the settings file as the user
//! gave it, or the environment variable. The known names are those of the
//! built-in `config/default.toml`, which holds every key.

use std::collections::BTreeMap;

use super::load::BUILT_IN;

/// The sections of the settings and the keys of each.
pub(super) struct Schema(toml::Table);

/// A name the schema does not know, with a suggestion when one is close.
enum Unknown {
    Section {
        name: String,
        /// The full path the user probably meant.
        meant: Option<Vec<String>>,
    },
    Key {
        section: String,
        name: String,
        meant: Option<Vec<String>>,
    },
}

impl Schema {
    /// The schema of the built-in defaults.
    pub(super) fn built_in() -> Schema {
        Schema(toml::from_str(BUILT_IN).expect("the built-in defaults are valid TOML (tested)"))
    }

    /// Checks the sections and keys of a settings file named `origin`.
    pub(super) fn check_file(&self, origin: &str, file: &toml::Table) -> Result<(), String> {
        for (section, value) in file {
            let mut paths = vec![vec![section.clone()]];
            if let Some(keys) = value.as_table() {
                paths.extend(keys.keys().map(|key| vec![section.clone(), key.clone()]));
            }
            for path in paths {
                if let Some(unknown) = self.unknown(&path) {
                    let text = unknown.describe(&self.0, Style::File);
                    return Err(format!("invalid config: {origin}: {text}"));
                }
            }
        }
        Ok(())
    }

    /// Checks `TRICKLE__SECTION__KEY` variables (`vars` holds only those).
    pub(super) fn check_env(&self, vars: &BTreeMap<String, String>) -> Result<(), String> {
        for name in vars.keys() {
            let path: Vec<String> = name
                .to_lowercase()
                .split("__")
                .skip(1)
                .map(str::to_owned)
                .collect();
            if let Some(unknown) = self.unknown(&path) {
                let text = unknown.describe(&self.0, Style::Env);
                return Err(format!("invalid config: {name}: {text}"));
            }
        }
        Ok(())
    }

    /// The first unknown name on `path` (section, then key); deeper levels
    /// (a profile's fields) are left to deserialisation.
    fn unknown(&self, path: &[String]) -> Option<Unknown> {
        let (section, rest) = path.split_first()?;
        let Some(known) = self.0.get(section) else {
            let sections = self.0.keys();
            let meant = match self.sections_with_key(section).as_slice() {
                [owner] => Some(vec![owner.clone(), section.clone()]),
                _ => closest(section, sections).map(|s| replaced(path, 0, s)),
            };
            return Some(Unknown::Section {
                name: section.clone(),
                meant,
            });
        };
        let (key, keys) = (rest.first()?, known.as_table()?);
        if keys.contains_key(key) {
            return None;
        }
        Some(Unknown::Key {
            section: section.clone(),
            name: key.clone(),
            meant: closest(key, keys.keys()).map(|k| replaced(path, 1, k)),
        })
    }

    fn sections_with_key(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(_, keys)| keys.as_table().is_some_and(|t| t.contains_key(key)))
            .map(|(section, _)| section.clone())
            .collect()
    }
}

/// Where the unknown name was written, which decides how a suggestion is
/// spelled.
#[derive(Clone, Copy)]
enum Style {
    /// `"stream"`, `[server] port`, `"token_delay_ms"`.
    File,
    /// `TRICKLE__STREAM__TOKEN_DELAY_MS`.
    Env,
}

impl Unknown {
    /// One line: what is unknown, what was probably meant, what exists.
    fn describe(&self, schema: &toml::Table, style: Style) -> String {
        let hint = |meant: &Option<Vec<String>>| {
            let shown = match (style, meant.as_deref()) {
                (_, None) => return String::new(),
                (Style::Env, Some(path)) => env_name(path),
                (Style::File, Some([section, key])) if matches!(self, Unknown::Section { .. }) => {
                    format!("[{section}] {key}")
                }
                (Style::File, Some(path)) => {
                    format!("{:?}", path.last().map_or("", String::as_str))
                }
            };
            format!(" (did you mean {shown}?)")
        };
        match self {
            Unknown::Section { name, meant } => format!(
                "unknown section {name:?}{}; sections are {}",
                hint(meant),
                names(schema.keys())
            ),
            Unknown::Key {
                section,
                name,
                meant,
            } => {
                let keys = schema[section].as_table().map(|t| names(t.keys()));
                format!(
                    "unknown key {name:?} in [{section}]{}; keys are {}",
                    hint(meant),
                    keys.unwrap_or_default()
                )
            }
        }
    }
}

/// How the environment would spell it: `TRICKLE__STREAM__TOKEN_DELAY_MS`.
fn env_name(path: &[String]) -> String {
    let parts: Vec<String> = path.iter().map(|p| p.to_uppercase()).collect();
    format!("TRICKLE__{}", parts.join("__"))
}

fn names<'a>(names: impl Iterator<Item = &'a String>) -> String {
    names.map(String::as_str).collect::<Vec<_>>().join(", ")
}

fn replaced(path: &[String], at: usize, with: &str) -> Vec<String> {
    let mut path = path.to_vec();
    path[at] = with.to_owned();
    path
}

/// The known name closest to a mistyped one, if it is close enough to be
/// what was meant (a few letters apart, or a prefix of it).
fn closest<'a>(typed: &str, known: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    known
        .map(|name| (distance(typed, name), name.as_str()))
        .filter(|(d, name)| *d <= 3 && (d * 2 <= typed.chars().count() || name.starts_with(typed)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(names: &[&str]) -> BTreeMap<String, String> {
        names
            .iter()
            .map(|n| (n.to_string(), "1".to_owned()))
            .collect()
    }

    #[test]
    fn the_built_in_file_names_every_section_of_the_settings() {
        let schema = Schema::built_in();
        let settings = crate::config::load_with_env(
            &crate::config::Overrides::default(),
            Some(std::collections::HashMap::new()),
        )
        .expect("built-in settings");
        let printed = toml::Table::try_from(&settings).expect("settings serialize");
        let sections: Vec<&String> = schema.0.keys().collect();
        assert_eq!(sections, printed.keys().collect::<Vec<_>>());
        assert!(schema.check_env(&vars(&["TRICKLE__LOG__COLOR"])).is_ok());
    }

    #[test]
    fn unknown_names_are_named_with_what_was_probably_meant() {
        let schema = Schema::built_in();
        let cases = [
            (
                "TRICKLE__PORT",
                "invalid config: TRICKLE__PORT: unknown section \"port\" (did you mean TRICKLE__SERVER__PORT?)",
            ),
            (
                "TRICKLE__STREAM__DELAY",
                "invalid config: TRICKLE__STREAM__DELAY: unknown key \"delay\" in [stream]; keys are jitter, token_delay_ms, ttft_ms, unit",
            ),
            (
                "trickle__sse__retry",
                "invalid config: trickle__sse__retry: unknown key \"retry\" in [sse] (did you mean TRICKLE__SSE__RETRY_MS?)",
            ),
        ];
        for (name, start) in cases {
            let error = schema.check_env(&vars(&[name])).expect_err(name);
            assert!(error.starts_with(start), "{error}");
        }
        assert!(
            schema.check_env(&vars(&["TRICKLE__SERVER__PORT"])).is_ok(),
            "a known key passes"
        );
        let file: toml::Table =
            toml::from_str("port = 1\n[models.profiles.mine]\nx = 1\n").expect("toml");
        let error = schema
            .check_file("my.toml", &file)
            .expect_err("top-level key");
        assert!(
            error.starts_with(
                "invalid config: my.toml: unknown section \"port\" (did you mean [server] port?)"
            ),
            "{error}"
        );
    }
}
