//! Metrics, API keys and CORS.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn metrics_count_streams_tokens_and_responses() {
    let app = spawn_app().await;
    let reply = reply(
        &events(open_stream(app.post_chat(json!({"prompt": "abc", "model": "sim-echo"}))).await)
            .await,
    );
    assert_eq!(reply.text, "abc");
    within("404", app.client.get(app.url("/nope")).send())
        .await
        .expect("sent");
    let response = within("metrics", app.client.get(app.url("/metrics")).send())
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    let text = body_text(response).await;
    for line in [
        "trickle_tokens_sent_total 3",
        "trickle_streams_total{outcome=\"completed\",route=\"chat\"} 1",
        "trickle_responses_total{status=\"404\"} 1",
        "trickle_open_streams{route=\"chat\"} 0",
        "trickle_ttft_seconds_count 1",
        "trickle_event_lateness_seconds_count 4",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[tokio::test]
async fn a_client_that_leaves_is_counted_as_gone() {
    let app = spawn_app_with(|s| s.stream.ttft_ms = 60_000).await;
    let response = open_stream(app.get_chat("prompt=hi")).await;
    drop(response);
    app.wait_for_no_streams(CHAT).await;
    let text = body_text(
        within("metrics", app.client.get(app.url("/metrics")).send())
            .await
            .expect("sent"),
    )
    .await;
    assert!(
        text.contains("trickle_streams_total{outcome=\"client_gone\",route=\"chat\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn api_keys_guard_the_api_routes_in_each_apis_shape() {
    let app = spawn_app_with(|s| s.auth.api_keys = vec!["sk-test".into()]).await;
    let chat = || {
        app.client
            .post(app.url("/chat"))
            .json(&json!({"prompt": "hi"}))
    };
    let cases = [
        ("no key", chat(), "unauthorized"),
        ("wrong key", chat().bearer_auth("sk-nope"), "unauthorized"),
        (
            "OpenAI route",
            app.client.post(app.url("/v1/chat/completions")),
            "invalid_api_key",
        ),
        (
            "unknown /v1 route",
            app.client.get(app.url("/v1/unknown")),
            "invalid_api_key",
        ),
        (
            "Anthropic route",
            app.client
                .post(app.url("/v1/messages"))
                .header("x-api-key", "bad"),
            "authentication_error",
        ),
    ];
    for (what, request, code) in cases {
        let response = within(what, request.send()).await.expect("sent");
        assert_eq!(response.status(), 401, "{what}");
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{what}"
        );
        let body: serde_json::Value = response.json().await.expect("JSON");
        let got = body["error"]["code"]
            .as_str()
            .or(body["error"]["type"].as_str());
        assert_eq!(got, Some(code), "{what}: {body}");
    }
    let ok = reply(&events(open_stream(chat().bearer_auth("sk-test")).await).await);
    assert!(!ok.text.is_empty());
    for open in [
        "/clock?count=1&interval_ms=10",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        let response = within(open, app.client.get(app.url(open)).send())
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{open} stays open");
    }
}

#[tokio::test]
async fn metrics_can_require_a_key() {
    let app = spawn_app_with(|s| {
        s.auth.api_keys = vec!["sk-test".into()];
        s.auth.protect_metrics = true;
    })
    .await;
    let without = within("metrics", app.client.get(app.url("/metrics")).send())
        .await
        .expect("sent");
    assert_eq!(without.status(), 401);
    let with = within(
        "metrics",
        app.client
            .get(app.url("/metrics"))
            .bearer_auth("sk-test")
            .send(),
    )
    .await
    .expect("sent");
    assert_eq!(with.status(), 200);
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app =
        spawn_app_with(|s| s.cors.allowed_origins = vec!["http://localhost:5173".into()]).await;
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/chat"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let allowed = within("preflight", preflight("http://localhost:5173").send())
        .await
        .expect("sent");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let denied = within("preflight", preflight("http://evil.example").send())
        .await
        .expect("sent");
    assert!(!denied.headers().contains_key("access-control-allow-origin"));
    let same = spawn_app().await;
    let request = same
        .client
        .get(same.url("/healthz"))
        .header("origin", "http://localhost:5173");
    let response = within("no CORS by default", request.send())
        .await
        .expect("sent");
    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn forwarded_clients_are_told_apart_only_behind_a_trusted_proxy() {
    let clock = |app: &TestApp, client: &str| {
        app.get_clock("interval_ms=1000&count=50")
            .header("x-forwarded-for", client.to_owned())
    };
    let trusting = spawn_app_with(|s| {
        s.limits.max_streams_per_client = 1;
        s.limits.trusted_proxies = vec!["127.0.0.1/32".parse().expect("CIDR")];
    })
    .await;
    let _a = open_stream(clock(&trusting, "203.0.113.1")).await;
    let _b = open_stream(clock(&trusting, "198.51.100.7, 203.0.113.2")).await;
    let again = within("third", clock(&trusting, "203.0.113.1").send())
        .await
        .expect("sent");
    assert_eq!(again.status(), 429, "the same forwarded client is capped");
    let untrusting = spawn_app_with(|s| s.limits.max_streams_per_client = 1).await;
    let _c = open_stream(clock(&untrusting, "203.0.113.1")).await;
    let spoofed = within("spoofed", clock(&untrusting, "203.0.113.9").send())
        .await
        .expect("sent");
    assert_eq!(
        spoofed.status(),
        429,
        "the header is ignored from an untrusted peer"
    );
}

#[tokio::test]
async fn a_body_that_never_finishes_times_out_while_others_are_served() {
    let app = spawn_app_with(|s| s.limits.body_timeout_ms = 300).await;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(1);
    tx.send(Ok(bytes::Bytes::from_static(b"{\"prompt\":")))
        .await
        .expect("first chunk queued");
    let body = reqwest::Body::wrap_stream(tokio_stream_from(rx));
    let stuck = tokio::spawn(
        app.client
            .post(app.url("/chat"))
            .header("content-type", "application/json")
            .body(body)
            .send(),
    );
    let other = reply(
        &events(
            open_stream(app.post_chat(json!({"prompt": "still here", "model": "sim-echo"}))).await,
        )
        .await,
    );
    assert_eq!(other.text, "still here");
    let response = within("the stuck request", stuck)
        .await
        .expect("joined")
        .expect("answered");
    let (status, code, message) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (408, "request_timeout"),
        "{message}"
    );
    drop(tx);
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
