//! Canned replies from a responses file: rules tried in order (the first whose
//! substring or regex matches the prompt wins), else a seeded pick from the
//! defaults.

use std::path::Path;

use bytestring::ByteString;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regex::Regex;
use serde::Deserialize;

use super::normalize_newlines;
use crate::sim::Fault;

/// The built-in responses file, compiled in.
pub const BUILT_IN: &str = include_str!("../../../config/responses.toml");

/// Why a responses file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum CannedError {
    /// The file could not be read.
    #[error("responses file {path}: {source}")]
    Read {
        /// The file's path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("responses file {path}: {message}")]
    Parse {
        /// The file's path.
        path: String,
        /// What is wrong and where.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    defaults: Vec<String>,
    #[serde(default)]
    rules: Vec<RuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    contains: Option<String>,
    regex: Option<String>,
    reply: String,
    fault: Option<Fault>,
}

#[derive(Debug)]
enum Matcher {
    /// Lower-cased needle, matched against the lower-cased prompt.
    Contains(String),
    Regex(Regex),
}

#[derive(Debug)]
struct Rule {
    matcher: Matcher,
    reply: ByteString,
    fault: Option<Fault>,
}

/// Loaded, compiled canned replies.
#[derive(Debug)]
pub struct Canned {
    rules: Vec<Rule>,
    defaults: Vec<ByteString>,
}

impl Canned {
    /// The built-in responses file.
    pub fn built_in() -> Result<Self, CannedError> {
        Self::parse(BUILT_IN, "(built-in) config/responses.toml")
    }

    /// Reads a responses file from disk.
    pub fn from_path(path: &Path) -> Result<Self, CannedError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CannedError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text, &shown)
    }

    /// Parses the text of a responses file; `path` is used in messages.
    pub fn parse(text: &str, path: &str) -> Result<Self, CannedError> {
        let fail = |message: String| CannedError::Parse {
            path: path.to_owned(),
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| fail(e.to_string()))?;
        if file.defaults.is_empty() {
            return Err(fail("`defaults` must hold at least one reply".to_owned()));
        }
        let rules = file
            .rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| {
                let matcher = match (rule.contains, rule.regex) {
                    (Some(needle), None) => Matcher::Contains(needle.to_lowercase()),
                    (None, Some(pattern)) => Regex::new(&pattern)
                        .map(Matcher::Regex)
                        .map_err(|e| fail(format!("rules[{i}].regex: {e}")))?,
                    _ => {
                        return Err(fail(format!(
                            "rules[{i}] must set exactly one of `contains` or `regex`"
                        )));
                    }
                };
                Ok(Rule {
                    matcher,
                    reply: normalize_newlines(&rule.reply).into(),
                    fault: rule.fault,
                })
            })
            .collect::<Result<_, _>>()?;
        let defaults = file
            .defaults
            .iter()
            .map(|d| normalize_newlines(d).into())
            .collect();
        Ok(Canned { rules, defaults })
    }

    /// The first matching rule's reply, else a seeded pick from the defaults.
    pub fn reply(&self, prompt: &str, seed: u64) -> ByteString {
        match self.rule(prompt) {
            Some(rule) => rule.reply.clone(),
            None => {
                let pick = ChaCha8Rng::seed_from_u64(seed).random_range(0..self.defaults.len());
                self.defaults[pick].clone()
            }
        }
    }

    /// The fault of the rule that matches `prompt`, if it has one.
    pub fn fault(&self, prompt: &str) -> Option<Fault> {
        self.rule(prompt)?.fault
    }

    fn rule(&self, prompt: &str) -> Option<&Rule> {
        let lower = prompt.to_lowercase();
        self.rules.iter().find(|rule| match &rule.matcher {
            Matcher::Contains(needle) => lower.contains(needle.as_str()),
            Matcher::Regex(re) => re.is_match(prompt),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
defaults = ["one", "two", "three", "four"]

[[rules]]
contains = "Hello"
reply = "hi there\r\nfriend"

[[rules]]
regex = '^\d+$'
reply = "a number"
fault = "disconnect@1"
"#;

    #[test]
    fn the_first_matching_rule_wins() {
        let canned = Canned::parse(FILE, "test").expect("valid file");
        assert_eq!(&*canned.reply("say HELLO 123", 1), "hi there\nfriend");
        assert_eq!(&*canned.reply("123", 1), "a number");
        assert_eq!(canned.fault("123"), Some(Fault::Disconnect { after: 1 }));
        assert_eq!(canned.fault("hello"), None);
    }

    #[test]
    fn defaults_are_a_seeded_pick() {
        let canned = Canned::parse(FILE, "test").expect("valid file");
        assert_eq!(canned.reply("x", 5), canned.reply("x", 5));
        let picks: std::collections::HashSet<_> =
            (0..64).map(|seed| canned.reply("x", seed)).collect();
        assert_eq!(picks.len(), 4, "every default is reachable");
    }

    #[test]
    fn bad_files_are_rejected_with_a_reason() {
        let cases = [
            ("no defaults", "defaults = []", "at least one"),
            (
                "bad regex",
                "defaults = [\"a\"]\n[[rules]]\nregex = \"(\"\nreply = \"b\"",
                "rules[0].regex",
            ),
            (
                "both matchers",
                "defaults = [\"a\"]\n[[rules]]\nregex = \"a\"\ncontains = \"a\"\nreply = \"b\"",
                "exactly one",
            ),
            (
                "unknown key",
                "defaults = [\"a\"]\nfoo = 1",
                "unknown field",
            ),
        ];
        for (what, text, expected) in cases {
            let error = Canned::parse(text, "test").expect_err(what).to_string();
            assert!(error.contains(expected), "{what}: {error}");
        }
    }

    #[test]
    fn the_built_in_file_loads() {
        let canned = Canned::built_in().expect("built-in responses file is valid");
        assert!(canned.defaults.len() >= 4);
        assert!(canned.rules.len() >= 8);
    }
}
