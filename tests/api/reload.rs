//! Hot reload through the library and the binary, and the binary's shutdown.

use std::time::Duration;

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use serde_json::json;
use trickle::config::{Overrides, load_with_env};
use trickle::reload::reload;

use crate::helpers::*;
use crate::process::Process;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trickle-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn new_streams_get_reloaded_settings_while_open_ones_keep_theirs() {
    let file = temp_dir("reload").join("responses.toml");
    std::fs::write(&file, "defaults = [\"alpha alpha alpha\"]\n").expect("written");
    let mut settings = test_settings();
    settings.responses.file = file.to_string_lossy().into_owned();
    settings.stream.token_delay_ms = 20;
    let app = spawn_app_with(|s| *s = settings.clone()).await;
    let body = json!({"prompt": "x", "seed": 1});
    let mut open = open_stream(app.post_chat(body.clone()))
        .await
        .bytes_stream()
        .eventsource();
    let mut first = String::new();
    let mut last_id = String::new();
    while first.len() < 3 {
        let event = within("a token", open.next())
            .await
            .expect("event")
            .expect("well-formed");
        if event.event == "message" {
            first.push_str(&event.data);
            last_id = event.id;
        }
    }
    std::fs::write(&file, "defaults = [\"beta\"]\n").expect("rewritten");
    reload(&app.state, Ok(settings.clone())).expect("valid settings reload");
    let fresh = reply(&events(open_stream(app.post_chat(body.clone())).await).await);
    assert_eq!(fresh.text, "beta");
    while let Some(event) = within("the rest", open.next()).await {
        let event = event.expect("well-formed");
        if event.event == "message" {
            first.push_str(&event.data);
        }
    }
    assert_eq!(first, "alpha alpha alpha", "the open stream kept its reply");
    let resumed =
        events(open_stream(app.post_chat(body).header("last-event-id", last_id)).await).await;
    let last = resumed.last().expect("an event");
    assert_eq!(
        (last.event.as_str(), json(last)["code"].as_str()),
        ("stream_error", Some("resume_mismatch"))
    );
}

#[tokio::test]
async fn invalid_settings_are_refused_and_the_old_ones_stay() {
    let app = spawn_app().await;
    let before = app.state.runtime().settings.stream.jitter;
    let mut broken = test_settings();
    broken.responses.file = "/nonexistent/responses.toml".into();
    let error = reload(&app.state, Ok(broken)).expect_err("missing file");
    assert!(error.contains("/nonexistent/responses.toml"), "{error}");
    let file = temp_dir("invalid").join("trickle.toml");
    std::fs::write(&file, "[stream]\njitter = 2\n").expect("written");
    let overrides = Overrides {
        file: Some(file),
        ..Overrides::default()
    };
    let error = reload(
        &app.state,
        load_with_env(&overrides, Some(std::collections::HashMap::new())),
    )
    .expect_err("an out-of-range value is refused");
    assert!(
        error.contains("stream.jitter = 2 (allowed: 0 to 1)"),
        "{error}"
    );
    assert_eq!(app.state.runtime().settings.stream.jitter, before);
    let reply = reply(
        &events(open_stream(app.post_chat(json!({"prompt": "still", "model": "sim-echo"}))).await)
            .await,
    );
    assert_eq!(reply.text, "still");
}

async fn ticks(process: &Process) -> usize {
    let client = reqwest::Client::new();
    let response = within(
        "clock",
        client.get(process.url("/clock?interval_ms=10")).send(),
    )
    .await
    .expect("sent");
    let events = events(response).await;
    events.iter().filter(|e| e.event == "message").count()
}

#[tokio::test]
async fn the_binary_reloads_on_file_change_and_on_sighup_and_refuses_bad_files() {
    let file = temp_dir("sighup").join("trickle.toml");
    std::fs::write(&file, "[clock]\ncount = 3\n").expect("written");
    let mut process = Process::start(&["--config", file.to_str().expect("utf-8")], &[]);
    assert_eq!(ticks(&process).await, 3);
    std::fs::write(&file, "[clock]\ncount = 2\n").expect("rewritten");
    process.wait_for_log("settings reloaded");
    assert_eq!(ticks(&process).await, 2, "a file change reloads");
    std::fs::write(&file, "[clock]\ncount = 0\n").expect("rewritten");
    let refused = process.wait_for_log("reload refused");
    assert!(refused.contains("clock.count = 0"), "{refused}");
    assert_eq!(ticks(&process).await, 2, "the old settings stay");
    process.signal("HUP");
    process.wait_for_log("SIGHUP received");
    process.wait_for_log("reload refused");
}

#[tokio::test]
async fn sigterm_drains_open_streams_and_exits_cleanly_within_the_grace() {
    let mut process = Process::start(&[], &[("TRICKLE__SERVER__SHUTDOWN_GRACE_S", "1")]);
    let client = reqwest::Client::new();
    let response = within(
        "clock",
        client
            .get(process.url("/clock?interval_ms=100&count=1000"))
            .send(),
    )
    .await
    .expect("sent");
    let mut stream = response.bytes_stream().eventsource();
    within("a tick", stream.next())
        .await
        .expect("event")
        .expect("well-formed");
    process.signal("TERM");
    let mut last = None;
    while let Some(event) = within("the rest", stream.next()).await {
        last = Some(event.expect("well-formed"));
    }
    let last = last.expect("a final event");
    assert_eq!(
        (last.event.as_str(), json(&last)["code"].as_str()),
        ("stream_error", Some("shutting_down"))
    );
    let (status, took) = process.wait_exit(Duration::from_secs(2));
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(10), "exited after {took:?}");
}

#[tokio::test]
async fn a_second_signal_stops_at_once() {
    let mut process = Process::start(&[], &[("TRICKLE__SERVER__SHUTDOWN_GRACE_S", "600")]);
    let client = reqwest::Client::new();
    let response = within(
        "clock",
        client
            .get(process.url("/clock?interval_ms=1000&count=1000"))
            .send(),
    )
    .await
    .expect("sent");
    let _stream = response.bytes_stream();
    process.signal("INT");
    process.wait_for_log("draining");
    process.signal("INT");
    let (_, took) = process.wait_exit(Duration::from_secs(5));
    assert!(
        took < Duration::from_secs(20),
        "a 600 s grace was cut short: {took:?}"
    );
}
