//! Settings errors: a bad settings file, a mistyped environment variable.
//! Each names the file as the user gave it, or the variable.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use trickle::config::{Overrides, load_with_env};

#[test]
fn a_mistyped_environment_variable_is_named_with_the_sections() {
    let output = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .arg("check-config")
        .env("TRICKLE__STREM__TOKEN_DELAY_MS", "5")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "invalid config: TRICKLE__STREM__TOKEN_DELAY_MS: unknown section \"strem\""
        ),
        "{stderr}"
    );
    assert!(stderr.contains("sections are "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// What is wrong, the `--config` file, the environment, and how the error starts.
type Case<'a> = (
    &'a str,
    Option<&'a PathBuf>,
    &'a [(&'a str, &'a str)],
    String,
);

fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trickle-first-hour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path
}

#[test]
fn settings_errors_name_the_file_as_given_or_the_variable() {
    let bad_value = file("bad-value.toml", "[stream]\ntoken_delay_ms = \"x\"\n");
    let typo = file("typo.toml", "[strem]\ntoken_delay_ms = 5\n");
    let key_typo = file("key-typo.toml", "[stream]\ntoken_delay = 5\n");
    let syntax = file("syntax.toml", "[stream\n");
    let at = |path: &PathBuf| path.display().to_string();
    let cases: [Case; 7] = [
        (
            "a string for a number in a file",
            Some(&bad_value),
            &[],
            format!("{}: stream.token_delay_ms: expected an integer", at(&bad_value)),
        ),
        (
            "an unknown section in a file",
            Some(&typo),
            &[],
            format!("{}: unknown section \"strem\" (did you mean \"stream\"?); sections are ", at(&typo)),
        ),
        (
            "an unknown key in a file",
            Some(&key_typo),
            &[],
            format!("{}: unknown key \"token_delay\" in [stream] (did you mean \"token_delay_ms\"?); keys are ", at(&key_typo)),
        ),
        (
            "a TOML syntax error",
            Some(&syntax),
            &[],
            format!("{}: line 1, column 8: ", at(&syntax)),
        ),
        (
            "an unknown section in the environment",
            None,
            &[("TRICKLE__STREM__TOKEN_DELAY_MS", "5")],
            "TRICKLE__STREM__TOKEN_DELAY_MS: unknown section \"strem\"".to_owned(),
        ),
        (
            "an unknown key in the environment",
            None,
            &[("TRICKLE__STREAM__TOKEN_DELAY", "5")],
            "TRICKLE__STREAM__TOKEN_DELAY: unknown key \"token_delay\" in [stream] (did you mean TRICKLE__STREAM__TOKEN_DELAY_MS?)".to_owned(),
        ),
        (
            "a word for a number in the environment",
            None,
            &[("TRICKLE__STREAM__TOKEN_DELAY_MS", "soon")],
            "TRICKLE__STREAM__TOKEN_DELAY_MS: expected an integer, found string \"soon\"".to_owned(),
        ),
    ];
    for (what, path, env, expected) in cases {
        let overrides = Overrides {
            file: path.cloned(),
            ..Overrides::default()
        };
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let error = load_with_env(&overrides, Some(env)).expect_err(what);
        assert!(
            error.starts_with(&format!("invalid config: {expected}")),
            "{what}: {error:?} should start with \"invalid config: {expected}\""
        );
        assert!(!error.contains('\n'), "{what}: one line, not {error:?}");
    }
}
