//! Errors in Google's shape, `{"error":{"code","message","status"}}`:
//! refused requests before a stream, and a failure inside one on each wire.

use serde_json::{Value, json};

use super::{GEMINI, array_objects, call, sse_objects, user, with};
use crate::helpers::*;

#[tokio::test]
async fn bad_requests_get_googles_error_shape() {
    let app = spawn_app().await;
    let hi = user("hi");
    let config = |config: Value| with(user("hi"), json!({"generationConfig": config}));
    let tool_config = |config: Value| {
        with(
            user("hi"),
            json!({"toolConfig": {"functionCallingConfig": config}}),
        )
    };
    let cases = [
        ("unknown model", "nope:generateContent", hi.clone(), 404),
        (
            "embedding model",
            "sim-embed:generateContent",
            hi.clone(),
            400,
        ),
        ("no contents", "sim-echo:generateContent", json!({}), 400),
        (
            "no user text",
            "sim-echo:generateContent",
            json!({"contents": [{"role": "model", "parts": [{"text": "hi"}]}]}),
            400,
        ),
        (
            "empty prompt",
            "sim-echo:streamGenerateContent",
            user("  "),
            400,
        ),
        ("not JSON", "sim-echo:generateContent", json!("{"), 400),
        (
            "contents not a list",
            "sim-echo:generateContent",
            json!({"contents": "hi"}),
            400,
        ),
        (
            "two candidates",
            "sim-echo:generateContent",
            config(json!({"candidateCount": 2})),
            400,
        ),
        (
            "no tokens",
            "sim-echo:generateContent",
            config(json!({"maxOutputTokens": 0})),
            400,
        ),
        (
            "bad level",
            "sim-echo:generateContent",
            config(json!({"thinkingConfig": {"thinkingLevel": "huge"}})),
            400,
        ),
        (
            "bad mode",
            "sim-echo:generateContent",
            tool_config(json!({"mode": "SOMETIMES"})),
            400,
        ),
        (
            "ANY without tools",
            "sim-echo:generateContent",
            tool_config(json!({"mode": "ANY"})),
            400,
        ),
        (
            "names with AUTO",
            "sim-echo:generateContent",
            tool_config(json!({"mode": "AUTO", "allowedFunctionNames": ["f"]})),
            400,
        ),
        ("count, unknown model", "nope:countTokens", hi.clone(), 404),
        ("count, no contents", "sim-echo:countTokens", json!({}), 400),
    ];
    for (what, target, body, status) in cases {
        let request = call(&app, "/v1beta", target, &body);
        let request = if body == json!("{") {
            request.body("{")
        } else {
            request
        };
        let response = within(what, request.send()).await.expect("sent");
        assert_eq!(response.status(), status, "{what}");
        let error: Value = response.json().await.expect("JSON");
        let name = if status == 404 {
            "NOT_FOUND"
        } else {
            "INVALID_ARGUMENT"
        };
        assert_eq!(
            (&error["error"]["code"], &error["error"]["status"]),
            (&json!(status), &json!(name)),
            "{what}: {error}"
        );
        assert!(
            error["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}"
        );
    }
}

#[tokio::test]
async fn an_injected_status_takes_googles_name() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    for (fault, status, name) in [
        ("status=429", 429, "RESOURCE_EXHAUSTED"),
        ("status=503", 503, "UNAVAILABLE"),
        ("status=500", 500, "INTERNAL"),
    ] {
        let request = call(
            &app,
            "/v1",
            "sim-echo:streamGenerateContent?alt=sse",
            &user("hi"),
        )
        .header("x-trickle-fault", fault);
        let response = within(fault, request.send()).await.expect("sent");
        assert_eq!(response.status(), status);
        let error: Value = response.json().await.expect("JSON");
        assert_eq!(error["error"]["status"], name, "{error}");
    }
}

#[tokio::test]
async fn a_failure_mid_stream_is_an_error_object_where_the_next_chunk_would_be() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    let body = user("one two three four");
    let sse = call(
        &app,
        "/v1beta",
        "sim-echo:streamGenerateContent?alt=sse",
        &body,
    )
    .header("x-trickle-fault", "stream_error@2");
    let array = call(&app, "/v1beta", "sim-echo:streamGenerateContent", &body)
        .header("x-trickle-fault", "stream_error@2");
    for objects in [sse_objects(sse).await, array_objects(array).await] {
        let (error, sent) = objects.split_last().expect("objects");
        assert_eq!(
            error,
            &json!({"error": {"code": 500, "message": "injected stream_error fault", "status": "INTERNAL"}})
        );
        let text: String = sent.iter().map(super::text_of).collect();
        assert_eq!(text, "one two");
        assert!(
            sent.iter()
                .all(|o| o["candidates"][0].get("finishReason").is_none())
        );
    }
    app.wait_for_no_streams(GEMINI).await;
}
