//! `trickle::testing` as a user's test calls it: settings and fixtures in
//! code, a free port, the typed journal, stopping; and the README's
//! examples kept equal to the files that run.

use serde_json::{Value, json};
use trickle::journal::Outcome;
use trickle::testing::TestServer;

use crate::helpers::within;

const FIXTURES: &str = r#"
[[fixture]]
name = "greeting"
match.user = { exact = "hi" }
reply = { text = "Hello!", reasoning = "A greeting." }
"#;

async fn ask(server: &TestServer, session: &str, text: &str) -> (u16, Value) {
    let body = json!({"model": "sim-default", "messages": [{"role": "user", "content": text}]});
    let request = reqwest::Client::new()
        .post(format!("{}/v1/chat/completions", server.base_url()))
        .header("x-trickle-session", session)
        .json(&body);
    let response = within("answer", request.send()).await.expect("sent");
    let status = response.status().as_u16();
    (status, within("body", response.json()).await.expect("JSON"))
}

#[tokio::test]
async fn fixtures_in_code_answer_and_the_journal_reads_back_typed() {
    let mut settings = TestServer::settings();
    settings.fixtures.strict = true;
    let server = TestServer::start_with_fixtures(settings, FIXTURES)
        .await
        .expect("starts");
    let (status, reply) = ask(&server, "a", "hi").await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["choices"][0]["message"]["content"], "Hello!");
    let (status, refused) = ask(&server, "b", "unscripted").await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (404, &json!("no_fixture"))
    );

    let [hello] = server.session_journal("a").try_into().expect("one entry");
    assert_eq!(hello.fixture.as_deref(), Some("greeting"));
    assert_eq!(
        (hello.outcome, hello.api.as_str()),
        (Outcome::Completed, "openai")
    );
    assert!(hello.tokens >= 2, "reasoning and text: {hello:?}");
    let [unscripted] = server.session_journal("b").try_into().expect("one entry");
    assert_eq!(unscripted.messages[0].text, "unscripted");
    assert_eq!(unscripted.error_code.as_deref(), Some("no_fixture"));
    assert_eq!(server.journal().len(), 2);
    server.clear_journal();
    assert!(server.journal().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn each_server_has_its_own_port_and_stopping_frees_it() {
    let (one, two) = (
        TestServer::start(TestServer::settings())
            .await
            .expect("one"),
        TestServer::start(TestServer::settings())
            .await
            .expect("two"),
    );
    assert_ne!(one.address(), two.address());
    assert_eq!(one.base_url(), format!("http://{}", one.address()));
    let address = one.address();
    within("stop", one.stop()).await;
    let refused = tokio::net::TcpStream::connect(address).await;
    assert!(refused.is_err(), "nothing listens after stop");
    assert_eq!(
        ask(&two, "s", "hi").await.0,
        200,
        "the other one still answers"
    );
}

#[tokio::test]
async fn a_bad_fixture_or_setting_is_a_start_error_that_names_it() {
    let bad = "[[fixture]]\nmatch.user = { regex = \"(\" }\nreply.text = \"x\"\n";
    let cases = [
        (
            TestServer::with_fixtures(bad).await,
            "fixture 1: match.user: invalid regex",
        ),
        (
            TestServer::start({
                let mut settings = TestServer::settings();
                settings.journal.size = 1_000_000;
                settings
            })
            .await,
            "journal.size = 1000000 (allowed: 0 to 100000)",
        ),
    ];
    for (started, expected) in cases {
        let error = started.err().expect("refused").to_string();
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn the_test_settings_are_the_built_in_ones_without_waiting() {
    let built_in = trickle::config::built_in();
    built_in
        .validate()
        .expect("the built-in settings are valid");
    assert_eq!(built_in.journal.size, 500);
    let settings = TestServer::settings();
    assert_eq!((settings.server.port, settings.stream.ttft_ms), (0, 0));
    assert!(
        settings
            .models
            .profiles
            .values()
            .all(|p| p.token_delay_ms.is_none())
    );
}

/// The README shows these files as they are, so what it shows is what CI
/// runs: the fixtures and pytest file of `.ci/python-clients`, and the Rust
/// test in `readme_example.rs`.
#[test]
fn the_readme_shows_the_examples_ci_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| {
        std::fs::read_to_string(format!("{root}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let readme = read("README.md");
    let rust = read("tests/api/readme_example.rs");
    let rust = &rust[rust.find("use ").expect("a use")..];
    for (path, text) in [
        (
            "tests/python/fixtures.toml",
            read("tests/python/fixtures.toml"),
        ),
        (
            "tests/python/test_readme_example.py",
            read("tests/python/test_readme_example.py"),
        ),
        ("tests/api/readme_example.rs", rust.to_owned()),
    ] {
        assert!(
            readme.contains(&text),
            "README.md does not show {path} as it is"
        );
    }
}
