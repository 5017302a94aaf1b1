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

    /// One prompt per rule that gets that rule's reply, for a page's starter
    /// prompts: a `contains` rule's text, or what a `regex` rule's pattern
    /// spells when each group is read as its first alternative
    /// (`(?i)\b(poem|haiku)\b` gives `poem`). A pattern that spells nothing
    /// plain (a class, a repeat) gives none, and neither does a prompt an
    /// earlier rule would answer, so every example is answered by its rule.
    pub fn examples(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter_map(|rule| {
                let prompt = match &rule.matcher {
                    Matcher::Contains(needle) => needle.trim().to_owned(),
                    Matcher::Regex(re) => spelled(re.as_str())?,
                };
                let answered_by = self.rule(&prompt)?;
                (!prompt.is_empty() && std::ptr::eq(answered_by, rule)).then_some(prompt)
            })
            .collect()
    }

    fn rule(&self, prompt: &str) -> Option<&Rule> {
        let lower = prompt.to_lowercase();
        self.rules.iter().find(|rule| match &rule.matcher {
            Matcher::Contains(needle) => lower.contains(needle.as_str()),
            Matcher::Regex(re) => re.is_match(prompt),
        })
    }
}

/// The text a simple pattern spells, trimmed: inline flags, anchors, `\b`
/// and `\s*` spell nothing, `\s` or `\s+` a space, an escaped punctuation
/// mark itself, and a group (or the whole pattern) its first alternative.
/// Anything else that is not a plain character gives `None`.
fn spelled(pattern: &str) -> Option<String> {
    let mut chars = pattern.chars().peekable();
    let mut out = String::new();
    spell_alternation(&mut chars, &mut out)?;
    let text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (chars.next().is_none() && !text.is_empty()).then_some(text)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Spells the first alternative and skips the others, up to (not past) the
/// `)` that closes the group or the end of the pattern.
fn spell_alternation(chars: &mut Chars, out: &mut String) -> Option<()> {
    while let Some(&c) = chars.peek() {
        match c {
            ')' => return Some(()),
            '|' => return skip_alternatives(chars),
            _ => spell_item(chars, out)?,
        }
    }
    Some(())
}

fn spell_item(chars: &mut Chars, out: &mut String) -> Option<()> {
    match chars.next()? {
        '^' | '$' => {}
        '\\' => match chars.next()? {
            'b' => {}
            's' if chars.peek() == Some(&'*') => {
                chars.next();
            }
            's' => {
                chars.next_if_eq(&'+');
                out.push(' ');
            }
            c if c.is_ascii_punctuation() => out.push(c),
            _ => return None,
        },
        '(' => {
            if chars.next_if_eq(&'?').is_some() {
                // Inline flags: `(?i)` spells nothing, `(?i:…)` is a group.
                while chars
                    .next_if(|c| c.is_ascii_alphabetic() || *c == '-')
                    .is_some()
                {}
                if chars.next_if_eq(&')').is_some() {
                    return Some(());
                }
                chars.next_if_eq(&':')?;
            }
            spell_alternation(chars, out)?;
            chars.next_if_eq(&')')?;
        }
        '[' | '.' | '*' | '+' | '?' | '{' | '}' => return None,
        c => out.push(c),
    }
    // A repeat makes the item optional or many: the text is no longer plain.
    match chars.peek() {
        Some('*' | '+' | '?' | '{') => None,
        _ => Some(()),
    }
}

/// Skips `|…` up to the `)` that closes the group, minding escapes,
/// classes and nested groups.
fn skip_alternatives(chars: &mut Chars) -> Option<()> {
    let mut depth = 0usize;
    while let Some(&c) = chars.peek() {
        match c {
            ')' if depth == 0 => return Some(()),
            ')' => depth -= 1,
            '(' => depth += 1,
            '\\' => {
                chars.next();
            }
            '[' => {
                chars.next();
                while chars.next_if(|c| *c != ']').is_some() {}
            }
            _ => {}
        }
        chars.next();
    }
    Some(())
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
    fn simple_patterns_spell_their_first_alternative() {
        let cases = [
            (r"(?i)\b(poem|haiku|poetry)\b", Some("poem")),
            (r"(?i)^\s*(hi|hello|good (morning|evening))\b", Some("hi")),
            (r"(?i:good (morning|day))", Some("good morning")),
            (r"who\s+are\s+you\?", Some("who are you?")),
            (r"(?i)\b(japanese|japan|日本)", Some("japanese")),
            (r"tea|coffee", Some("tea")),
            (r"^\d+$", None),
            (r"colou?r", None),
            (r"[abc]at", None),
            (r"(a|b", None),
            (r"^\s*$", None),
        ];
        for (pattern, expected) in cases {
            assert_eq!(spelled(pattern).as_deref(), expected, "{pattern}");
        }
    }

    #[test]
    fn examples_are_answered_by_their_own_rule() {
        let file = r#"
defaults = ["none"]

[[rules]]
contains = "Tell me a SECRET"
reply = "a secret"

[[rules]]
regex = '(?i)\b(weather|rain)\b'
reply = "sunny"

[[rules]]
regex = '^\d+$'
reply = "a number"

[[rules]]
contains = "weather"
reply = "never reached"
"#;
        let canned = Canned::parse(file, "test").expect("valid file");
        assert_eq!(canned.examples(), ["tell me a secret", "weather"]);
    }

    #[test]
    fn every_built_in_rule_has_an_example() {
        let canned = Canned::built_in().expect("built-in responses file is valid");
        let examples = canned.examples();
        assert_eq!(examples.len(), canned.rules.len(), "{examples:?}");
        for (example, rule) in examples.iter().zip(&canned.rules) {
            assert_eq!(canned.reply(example, 7), rule.reply, "{example}");
        }
    }

    #[test]
    fn the_built_in_file_loads() {
        let canned = Canned::built_in().expect("built-in responses file is valid");
        assert!(canned.defaults.len() >= 4);
        assert!(canned.rules.len() >= 8);
    }
}
