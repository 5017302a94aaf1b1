//! Streams end when the client goes, caps hold, and shutdown ends streams
//! with an event a client can resume from.

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_client_that_leaves_during_a_long_wait_frees_its_stream() {
    // The first token is a minute away: only noticing the disconnect itself
    // can end this stream within the read timeout.
    let app = spawn_app_with(|s| s.stream.ttft_ms = 60_000).await;
    let response = open_stream(app.post_chat(json!({"prompt": "hi"}))).await;
    let mut stream = response.bytes_stream().eventsource();
    let meta = within("meta", stream.next())
        .await
        .expect("an event")
        .expect("well-formed");
    assert_eq!(meta.event, "meta");
    assert_eq!(app.open_streams(CHAT), 1);
    drop(stream);
    app.wait_for_no_streams(CHAT).await;
}

#[tokio::test]
async fn a_client_that_leaves_mid_stream_frees_its_stream() {
    let app = spawn_app_with(|s| s.stream.token_delay_ms = 50).await;
    let mut clocks = Vec::new();
    for _ in 0..3 {
        clocks.push(open_stream(app.get_clock("interval_ms=1000&count=100")).await);
    }
    let chat = open_stream(app.post_chat(json!({"prompt": "hi"}))).await;
    let mut tokens = chat.bytes_stream().eventsource();
    for _ in 0..3 {
        within("a token", tokens.next())
            .await
            .expect("an event")
            .expect("well-formed");
    }
    assert_eq!((app.open_streams(CHAT), app.open_streams(CLOCK)), (1, 3));
    drop(tokens);
    drop(clocks);
    app.wait_for_no_streams(CHAT).await;
    app.wait_for_no_streams(CLOCK).await;
}

#[tokio::test]
async fn an_idle_stream_gets_heartbeat_comments() {
    let app = spawn_app_with(|s| s.sse.keep_alive_s = 1).await;
    let request = app.get_clock("interval_ms=2500&count=2");
    let raw = body_text(open_stream(request).await).await;
    assert!(
        raw.contains("\n:\n\n") || raw.contains("\n: \n\n"),
        "no heartbeat in {raw:?}"
    );
}

#[tokio::test]
async fn the_global_stream_cap_answers_server_busy() {
    let app = spawn_app_with(|s| s.limits.max_streams = 2).await;
    let _a = open_stream(app.get_clock("interval_ms=1000&count=50")).await;
    let _b = open_stream(app.get_clock("interval_ms=1000&count=50")).await;
    let response = within("response", app.get_chat("prompt=hi").send())
        .await
        .expect("sent");
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(response.headers()["connection"], "close");
    let (status, code, _) = error_of(response).await;
    assert_eq!((status, code.as_str()), (503, "server_busy"));
}

#[tokio::test]
async fn the_per_client_cap_answers_too_many_streams() {
    let app = spawn_app_with(|s| s.limits.max_streams_per_client = 1).await;
    let first = open_stream(app.get_clock("interval_ms=1000&count=50")).await;
    let response = within("response", app.get_clock("").send())
        .await
        .expect("sent");
    assert!(response.headers().contains_key("retry-after"));
    let (status, code, _) = error_of(response).await;
    assert_eq!((status, code.as_str()), (429, "too_many_streams"));
    drop(first);
    app.wait_for_no_streams(CLOCK).await;
    open_stream(app.get_clock("interval_ms=10&count=1")).await;
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = within(path, app.client.get(app.url(path)).send())
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn shutdown_ends_open_streams_with_a_resumable_event() {
    let app = spawn_app_with(|s| {
        s.stream.token_delay_ms = 50;
        s.server.shutdown_grace_s = 0;
    })
    .await;
    let response =
        open_stream(app.post_chat(json!({"prompt": "explain streams", "seed": 5}))).await;
    let mut stream = response.bytes_stream().eventsource();
    let mut last_token = None;
    for _ in 0..4 {
        let event = within("an event", stream.next())
            .await
            .expect("an event")
            .expect("well-formed");
        if event.event == "message" {
            last_token = Some(event.id);
        }
    }
    assert!(!app.state.is_draining());
    let drain = tokio::spawn(app.stopper.clone().drain());
    let mut rest = Vec::new();
    while let Some(event) = within("the rest", stream.next()).await {
        rest.push(event.expect("well-formed"));
    }
    let last = rest.last().expect("a final event");
    assert_eq!(last.event, "stream_error");
    assert_eq!(json(last)["code"], "shutting_down");
    let position = |id: &str| {
        id.rsplit('-')
            .next()
            .map(|p| u32::from_str_radix(p, 16).expect("hex"))
    };
    let tokens_seen = rest.iter().filter(|e| e.event == "message").count() as u32;
    let before = position(&last_token.expect("a token before shutdown")).expect("position");
    assert_eq!(
        position(&last.id),
        Some(before + tokens_seen),
        "the error's id resumes after the last token"
    );
    assert!(app.state.is_draining());
    within("the drain", drain).await.expect("drain finishes");
    assert_eq!(app.open_streams(CHAT), 0);
}

#[tokio::test]
async fn with_reuse_port_two_servers_share_one_port() {
    let first = spawn_app_with(|s| s.server.reuse_port = true).await;
    let port: u16 = first
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let mut settings = test_settings();
    settings.server.port = port;
    settings.server.reuse_port = true;
    let second =
        trickle::Application::build(settings.clone()).expect("a second server binds the same port");
    assert_eq!(second.port(), port);
    settings.server.reuse_port = false;
    let error = trickle::Application::build(settings)
        .err()
        .expect("without reuse_port the port is taken");
    assert!(error.contains("the port is already in use"), "{error}");
}
