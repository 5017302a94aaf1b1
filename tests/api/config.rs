//! Settings layering and validation, through the library and the binary.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use trickle::config::{Overrides, load_with_env};

fn env(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trickle-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file written");
    path
}

#[test]
fn one_env_var_tunes_the_delay_of_every_profile_without_its_own() {
    let settings = load_with_env(
        &Overrides::default(),
        env(&[("TRICKLE__STREAM__TOKEN_DELAY_MS", "7")]),
    )
    .expect("loads");
    let delay = |name: &str| settings.profile(name).expect("profile").token_delay;
    assert_eq!(delay("sim-default"), Duration::from_millis(7));
    assert_eq!(delay("sim-echo"), Duration::from_millis(7));
    assert_eq!(
        delay("sim-fast"),
        Duration::from_millis(5),
        "sim-fast sets its own"
    );
}

#[test]
fn layers_apply_in_order_file_then_env_then_flags() {
    let file = temp_file(
        "layers.toml",
        "[server]\nport = 9001\nhost = \"0.0.0.0\"\n[stream]\nttft_ms = 100\n",
    );
    let overrides = Overrides {
        file: Some(file.clone()),
        ..Overrides::default()
    };
    let settings = load_with_env(&overrides, env(&[])).expect("loads");
    assert_eq!((settings.server.port, settings.stream.ttft_ms), (9001, 100));
    let settings =
        load_with_env(&overrides, env(&[("TRICKLE__SERVER__PORT", "9002")])).expect("loads");
    assert_eq!(
        (settings.server.port, settings.server.host.as_str()),
        (9002, "0.0.0.0")
    );
    let flags = Overrides {
        port: Some(9003),
        host: Some("127.0.0.2".into()),
        ..overrides
    };
    let settings = load_with_env(&flags, env(&[("TRICKLE__SERVER__PORT", "9002")])).expect("loads");
    assert_eq!(
        (settings.server.port, settings.server.host.as_str()),
        (9003, "127.0.0.2")
    );
}

#[test]
fn invalid_settings_are_one_line_naming_key_value_and_range() {
    let cases = [
        (
            "TRICKLE__STREAM__JITTER",
            "1.5",
            "invalid config: stream.jitter = 1.5 (allowed: 0 to 1)",
        ),
        (
            "TRICKLE__SSE__KEEP_ALIVE_S",
            "0",
            "invalid config: sse.keep_alive_s = 0 (allowed: 1 to 3600)",
        ),
        (
            "TRICKLE__MODELS__DEFAULT",
            "gpt",
            "invalid config: models.default = \"gpt\" (allowed: one of the chat profiles: sim-default, sim-echo, sim-fast, sim-prose, sim-reasoning, sim-slow)",
        ),
        (
            "TRICKLE__CLOCK__COUNT",
            "0",
            "invalid config: clock.count = 0 (allowed: 1 to 1000)",
        ),
    ];
    for (key, value, line) in cases {
        let error = load_with_env(&Overrides::default(), env(&[(key, value)])).expect_err(key);
        assert_eq!(error, line);
    }
    let error = load_with_env(
        &Overrides::default(),
        env(&[("TRICKLE__STREAM__TOKEN_DELAY", "5")]),
    )
    .expect_err("unknown key");
    assert!(
        error.contains("TRICKLE__STREAM__TOKEN_DELAY: unknown key \"token_delay\""),
        "{error}"
    );
    let error = load_with_env(
        &Overrides::default(),
        env(&[("TRICKLE__STREAM__TOKEN_DELAY_MS", "soon")]),
    )
    .expect_err("not a number");
    assert!(
        error.contains("TRICKLE__STREAM__TOKEN_DELAY_MS: expected an integer"),
        "{error}"
    );
}

#[test]
fn check_config_prints_the_effective_settings() {
    let file = temp_file("check.toml", "[stream]\ntoken_delay_ms = 33\n");
    let output = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["check-config", file.to_str().expect("utf-8 path")])
        .env("TRICKLE__CLOCK__COUNT", "4")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let printed: toml::Value = toml::from_str(&text).expect("prints TOML");
    assert_eq!(printed["stream"]["token_delay_ms"].as_integer(), Some(33));
    assert_eq!(printed["clock"]["count"].as_integer(), Some(4));
}

#[test]
fn invalid_settings_stop_the_binary_with_one_line() {
    let file = temp_file("bad.toml", "[sse]\nretry_jitter = 2\n");
    for args in [
        vec!["check-config", file.to_str().expect("path")],
        vec!["--config", file.to_str().expect("path"), "--port", "0"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_trickle"))
            .args(&args)
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8(output.stderr).expect("utf-8");
        assert_eq!(
            stderr, "invalid config: sse.retry_jitter = 2 (allowed: 0 to 1)\n",
            "{args:?}"
        );
    }
}

#[test]
fn api_keys_and_origins_come_from_comma_separated_env_values() {
    let settings = load_with_env(
        &Overrides::default(),
        env(&[
            ("TRICKLE__AUTH__API_KEYS", "sk-a,sk-b"),
            ("TRICKLE__CORS__ALLOWED_ORIGINS", "http://a.test"),
        ]),
    )
    .expect("loads");
    assert_eq!(settings.auth.api_keys, ["sk-a", "sk-b"]);
    assert_eq!(settings.cors.allowed_origins, ["http://a.test"]);
    assert!(
        !format!("{:?}", settings.auth).contains("sk-a"),
        "keys never reach Debug output"
    );
    let error = load_with_env(
        &Overrides::default(),
        env(&[("TRICKLE__LOG__FORMAT", "xml")]),
    )
    .expect_err("bad format");
    assert!(error.contains("TRICKLE__LOG__FORMAT: "), "{error}");
}

#[test]
fn a_word_setting_out_of_its_list_names_every_word_allowed() {
    for (var, value, expected) in [
        (
            "TRICKLE__STREAM__UNIT",
            "letter",
            "\"letter\" is not allowed (allowed: char, word, token)",
        ),
        (
            "TRICKLE__LOG__COLOR",
            "yes",
            "\"yes\" is not allowed (allowed: auto, always, never)",
        ),
        (
            "TRICKLE__RECORD__API",
            "gemini",
            "\"gemini\" is not allowed (allowed: openai, anthropic)",
        ),
        (
            "TRICKLE__FIXTURES__REPLAY",
            "fast",
            "\"fast\" is not allowed (allowed: recorded, profile)",
        ),
    ] {
        let error = load_with_env(&Overrides::default(), env(&[(var, value)])).unwrap_err();
        assert_eq!(error, format!("invalid config: {var}: {expected}"));
    }
    let error = load_with_env(
        &Overrides::default(),
        env(&[("TRICKLE__RECORD__UPSTREAM", "api.openai.com")]),
    )
    .unwrap_err();
    assert!(
        error.starts_with("invalid config: record.upstream = \"api.openai.com\""),
        "{error}"
    );
}
