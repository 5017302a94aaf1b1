//! Injected faults: by header, by canned rule and by profile, each
//! reproducible and recoverable by resuming.

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use serde_json::json;
use trickle::config::ProfileSettings;
use trickle::sim::Fault;

use crate::helpers::*;

fn body() -> serde_json::Value {
    json!({"prompt": "explain faults", "seed": 3, "model": "sim-prose"})
}

async fn faulty() -> TestApp {
    spawn_app_with(|s| s.faults.allow_header = true).await
}

#[tokio::test]
async fn the_fault_header_is_refused_unless_enabled() {
    let app = spawn_app().await;
    let request = app
        .post_chat(body())
        .header("x-trickle-fault", "disconnect@1");
    let (status, code, message) =
        error_of(within("response", request.send()).await.expect("sent")).await;
    assert_eq!((status, code.as_str()), (400, "invalid_parameter"));
    assert!(message.contains("faults.allow_header"), "{message}");
    let app = faulty().await;
    let request = app.post_chat(body()).header("x-trickle-fault", "explode@1");
    let (status, _, message) =
        error_of(within("response", request.send()).await.expect("sent")).await;
    assert_eq!(status, 400);
    assert!(
        message.contains("stream_error@5"),
        "the message shows the syntax: {message}"
    );
}

#[tokio::test]
async fn a_status_fault_answers_before_the_stream() {
    let app = faulty().await;
    let cases = [
        ("status=429;retry_after=2", 429, Some("2")),
        ("status=503", 503, None),
        ("status=500", 500, None),
    ];
    for (fault, expected, retry_after) in cases {
        let response = within(
            fault,
            app.post_chat(body())
                .header("x-trickle-fault", fault)
                .send(),
        )
        .await
        .expect("sent");
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().expect("ascii")),
            retry_after,
            "{fault}"
        );
        let (status, code, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (expected, "injected_fault"),
            "{fault}"
        );
    }
}

#[tokio::test]
async fn a_stream_error_fault_comes_after_n_tokens_and_resuming_gets_past_it() {
    let app = faulty().await;
    let full = reply(&events(open_stream(app.post_chat(body())).await).await);
    let request = app
        .post_chat(body())
        .header("x-trickle-fault", "stream_error@3");
    let cut = reply(&events(open_stream(request).await).await);
    assert_eq!(cut.tokens.len(), 3);
    assert_eq!(cut.last.event, "stream_error");
    assert_eq!(json(&cut.last)["code"], "injected_fault");
    let request = app
        .post_chat(body())
        .header("x-trickle-fault", "stream_error@3")
        .header("last-event-id", &cut.last.id);
    let rest = reply(&events(open_stream(request).await).await);
    assert_eq!(cut.text + &rest.text, full.text);
    assert_eq!(rest.last.event, "done");
}

#[tokio::test]
async fn a_disconnect_fault_cuts_the_connection_and_resuming_completes_the_reply() {
    // With a delay the first tokens reach the client before the cut; with
    // none the whole exchange would be cut before its headers left.
    let app = spawn_app_with(|s| {
        s.faults.allow_header = true;
        s.stream.token_delay_ms = 5;
    })
    .await;
    let full = reply(&events(open_stream(app.post_chat(body())).await).await);
    let request = app
        .post_chat(body())
        .header("x-trickle-fault", "disconnect@4");
    let mut stream = open_stream(request).await.bytes_stream().eventsource();
    let (mut text, mut last_id, mut cut) = (String::new(), String::new(), false);
    while let Some(event) = within("an event", stream.next()).await {
        match event {
            Ok(e) if e.event == "message" => {
                text.push_str(&e.data);
                last_id = e.id;
            }
            Ok(e) => assert_eq!(e.event, "meta", "no final event before the cut"),
            Err(_) => {
                cut = true;
                break;
            }
        }
    }
    assert!(cut, "the body ended abnormally");
    let request = app
        .post_chat(body())
        .header("x-trickle-fault", "disconnect@4")
        .header("last-event-id", last_id);
    let rest = reply(&events(open_stream(request).await).await);
    assert_eq!(text + &rest.text, full.text);
}

#[tokio::test]
async fn a_stall_sends_only_heartbeats_then_carries_on() {
    let app = spawn_app_with(|s| {
        s.faults.allow_header = true;
        s.sse.keep_alive_s = 1;
    })
    .await;
    let body = json!({"prompt": "abcdef", "model": "sim-echo"});
    let request = app
        .post_chat(body)
        .header("x-trickle-fault", "stall@2:2500");
    let raw = body_text(open_stream(request).await).await;
    let stall = raw.split("data: b\n\n").nth(1).expect("token b");
    assert!(
        stall.starts_with(":"),
        "heartbeats fill the stall: {stall:?}"
    );
    assert!(raw.contains("event: done"));
}

#[tokio::test]
async fn rules_and_profiles_inject_faults_reproducibly() {
    let dir = std::env::temp_dir().join(format!("trickle-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("responses.toml");
    std::fs::write(&file, "defaults = [\"fine\"]\n[[rules]]\ncontains = \"flaky\"\nreply = \"breaks here\"\nfault = \"stream_error@2\"\n").expect("written");
    let app = spawn_app_with(|s| {
        s.responses.file = file.to_string_lossy().into_owned();
        let mut profile: ProfileSettings = s.models.profiles["sim-default"].clone();
        profile.fault = Some(Fault::Status {
            status: 503,
            retry_after: Some(1),
        });
        profile.fault_rate = Some(0.5);
        s.models.profiles.insert("sim-flaky".into(), profile);
    })
    .await;
    let rule =
        reply(&events(open_stream(app.post_chat(json!({"prompt": "a flaky one"}))).await).await);
    assert_eq!(
        (rule.text.as_str(), rule.last.event.as_str()),
        ("br", "stream_error")
    );
    let mut outcomes = Vec::new();
    for seed in 0..20 {
        let request = || app.post_chat(json!({"prompt": "hi", "model": "sim-flaky", "seed": seed}));
        let first = within("first", request().send())
            .await
            .expect("sent")
            .status()
            .as_u16();
        let again = within("again", request().send())
            .await
            .expect("sent")
            .status()
            .as_u16();
        assert_eq!(first, again, "seed {seed} decides the fault");
        outcomes.push(first);
    }
    assert!(
        outcomes.contains(&200) && outcomes.contains(&503),
        "{outcomes:?}"
    );
    let metrics = body_text(
        within("metrics", app.client.get(app.url("/metrics")).send())
            .await
            .expect("sent"),
    )
    .await;
    assert!(
        metrics.contains("trickle_faults_total{kind=\"stream_error\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("trickle_streams_total{outcome=\"error\",route=\"chat\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn status_faults_are_counted_on_every_api() {
    let app = faulty().await;
    let requests = [
        ("/chat", json!({"prompt": "hi"})),
        (
            "/v1/chat/completions",
            json!({"model": "sim-default", "messages": [{"role": "user", "content": "hi"}]}),
        ),
        (
            "/v1/messages",
            json!({"model": "sim-default", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}),
        ),
    ];
    for (path, body) in &requests {
        let request = app
            .client
            .post(app.url(path))
            .json(body)
            .header("x-trickle-fault", "status=503");
        let response = within(path, request.send()).await.expect("sent");
        assert_eq!(response.status(), 503, "{path}");
    }
    let metrics = within("metrics", app.client.get(app.url("/metrics")).send())
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("trickle_faults_total{kind=\"status\"} 3"),
        "{metrics}"
    );
}
