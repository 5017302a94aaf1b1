//! Every bad input gets the JSON error shape, the right status and a message
//! that says what to change.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn bad_chat_requests_are_rejected_with_a_clear_error() {
    let app = spawn_app_with(|s| {
        s.limits.max_prompt_chars = 50;
        s.limits.max_body_bytes = 1000;
    })
    .await;
    let post = |body: &str| {
        app.client
            .post(app.url("/chat"))
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    let cases = [
        (
            "truncated JSON",
            post(r#"{"prompt":"#),
            400,
            "invalid_json",
            "line 1 column",
        ),
        (
            "not an object",
            post("[1]"),
            400,
            "invalid_parameter",
            "expected",
        ),
        (
            "non-UTF-8 JSON",
            post("{\"prompt\":\"\u{0}\"}").body(vec![b'{', b'"', 0xff, b'"', b'}']),
            400,
            "invalid_json",
            "line 1",
        ),
        (
            "unknown field",
            post(r#"{"prompt":"hi","temperature":1}"#),
            400,
            "unknown_field",
            "`temperature`",
        ),
        (
            "seed of the wrong type",
            post(r#"{"prompt":"hi","seed":"x"}"#),
            400,
            "invalid_parameter",
            "seed",
        ),
        (
            "unknown unit",
            post(r#"{"prompt":"hi","unit":"byte"}"#),
            400,
            "invalid_parameter",
            "`char`",
        ),
        (
            "missing prompt",
            post(r#"{}"#),
            422,
            "invalid_prompt",
            "required",
        ),
        (
            "blank prompt",
            post(r#"{"prompt":"  \n "}"#),
            422,
            "invalid_prompt",
            "must not be empty",
        ),
        (
            "long prompt",
            post(&json!({"prompt": "x".repeat(51)}).to_string()),
            422,
            "invalid_prompt",
            "limits.max_prompt_chars",
        ),
        (
            "delay over the limit",
            post(r#"{"prompt":"hi","token_delay_ms":999999}"#),
            422,
            "out_of_range",
            "limits.max_token_delay_ms",
        ),
        (
            "unknown model",
            post(r#"{"prompt":"hi","model":"gpt-9"}"#),
            404,
            "unknown_model",
            "sim-default",
        ),
        (
            "body over the limit",
            post(&json!({"prompt": "x".repeat(2000)}).to_string()),
            413,
            "body_too_large",
            "limits.max_body_bytes",
        ),
        (
            "text body",
            app.client
                .post(app.url("/chat"))
                .header("content-type", "text/plain")
                .body("hi"),
            415,
            "unsupported_media_type",
            "application/json",
        ),
        (
            "GET seed not a number",
            app.get_chat("prompt=hi&seed=abc"),
            400,
            "invalid_parameter",
            "seed must be an integer",
        ),
        (
            "GET unknown parameter",
            app.get_chat("prompt=hi&foo=1"),
            400,
            "unknown_field",
            "`foo`",
        ),
        (
            "GET without a prompt",
            app.get_chat(""),
            422,
            "invalid_prompt",
            "?prompt=",
        ),
        (
            "GET non-UTF-8 query",
            app.get_chat("prompt=%FF"),
            400,
            "invalid_parameter",
            "UTF-8",
        ),
        (
            "unparseable Last-Event-ID",
            app.get_chat("prompt=hi").header("last-event-id", "garbage"),
            400,
            "invalid_last_event_id",
            "garbage",
        ),
        (
            "huge Last-Event-ID",
            app.get_chat("prompt=hi")
                .header("last-event-id", "f".repeat(6000)),
            400,
            "invalid_last_event_id",
            "not an id",
        ),
        (
            "wrong method",
            app.client.delete(app.url("/chat")),
            405,
            "method_not_allowed",
            "GET, POST",
        ),
        (
            "unknown route",
            app.client.get(app.url("/nope")),
            404,
            "not_found",
            "/nope",
        ),
    ];
    for (what, request, status, code, hint) in cases {
        let response = within(what, request.send()).await.expect("sent");
        let (got_status, got_code, message) = error_of(response).await;
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code),
            "{what}: {message}"
        );
        assert!(
            message.contains(hint),
            "{what}: {message:?} should mention {hint:?}"
        );
    }
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_before_it_is_read_whole() {
    let app = spawn_app_with(|s| s.limits.max_body_bytes = 100).await;
    let chunks = futures_util::stream::iter(
        (0..1000).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from_static(&[b'x'; 1000]))),
    );
    let request = app
        .client
        .post(app.url("/chat"))
        .body(reqwest::Body::wrap_stream(chunks));
    let (status, code, _) = error_of(within("response", request.send()).await.expect("sent")).await;
    assert_eq!((status, code.as_str()), (413, "body_too_large"));
}

#[tokio::test]
async fn bad_clock_requests_are_rejected_with_a_clear_error() {
    let app = spawn_app().await;
    let cases = [
        (
            "count zero",
            app.get_clock("count=0"),
            422,
            "out_of_range",
            "limits.max_clock_count",
        ),
        (
            "count too big",
            app.get_clock("count=5000"),
            422,
            "out_of_range",
            "1 to 1000",
        ),
        (
            "interval too short",
            app.get_clock("interval_ms=1"),
            422,
            "out_of_range",
            "10 to 60000",
        ),
        (
            "count not a number",
            app.get_clock("count=many"),
            400,
            "invalid_parameter",
            "count must be an integer",
        ),
        (
            "unknown parameter",
            app.get_clock("speed=2"),
            400,
            "unknown_field",
            "interval_ms, count",
        ),
        (
            "bad Last-Event-ID",
            app.get_clock("").header("last-event-id", "x1"),
            400,
            "invalid_last_event_id",
            "tick number",
        ),
        (
            "POST",
            app.client.post(app.url("/clock")),
            405,
            "method_not_allowed",
            "GET",
        ),
    ];
    for (what, request, status, code, hint) in cases {
        let response = within(what, request.send()).await.expect("sent");
        let (got_status, got_code, message) = error_of(response).await;
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code),
            "{what}: {message}"
        );
        assert!(
            message.contains(hint),
            "{what}: {message:?} should mention {hint:?}"
        );
    }
}
