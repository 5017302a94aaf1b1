//! How a response ends short: cut at `max_output_tokens`, refused before
//! the stream in OpenAI's error shape, or failed after it started.

use serde_json::{Value, json};

use super::{post, stream_of, zero_timestamps};
use crate::helpers::*;

const RESPONSES: &str = "responses";

#[tokio::test]
async fn max_output_tokens_makes_the_response_incomplete() {
    let app = spawn_app().await;
    let body =
        json!({"model": "sim-default", "seed": 42, "input": "hello", "max_output_tokens": 5});
    let object: Value = within("response", post(&app, &body).send())
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        (
            &object["status"],
            &object["incomplete_details"],
            &object["output"][0]["status"]
        ),
        (
            &json!("incomplete"),
            &json!({"reason": "max_output_tokens"}),
            &json!("incomplete")
        ),
        "{object}"
    );
    assert!(
        object["usage"]["output_tokens"]
            .as_u64()
            .is_some_and(|n| (1..=5).contains(&n))
    );
    let mut streamed = body.clone();
    streamed["stream"] = json!(true);
    let got = stream_of(post(&app, &streamed)).await;
    let (name, last) = got.last().expect("events");
    assert_eq!(name, "response.incomplete");
    let mut whole = object.clone();
    zero_timestamps(&mut whole);
    assert_eq!(
        last["response"], whole,
        "the stream ends on the same object"
    );
}

#[tokio::test]
async fn bad_requests_get_openais_error_shape() {
    let app = spawn_app().await;
    let body = |value: Value| value.to_string();
    let cases = [
        ("not JSON", "{".to_owned(), 400, "body"),
        ("no model", body(json!({"input": "hi"})), 400, "model"),
        ("no input", body(json!({"model": "sim-echo"})), 400, "input"),
        (
            "no user message",
            body(json!({"model": "sim-echo", "input": [{"role": "system", "content": "x"}]})),
            400,
            "input",
        ),
        (
            "an empty input",
            body(json!({"model": "sim-echo", "input": "  "})),
            400,
            "input",
        ),
        (
            "an unknown model",
            body(json!({"model": "nope", "input": "hi"})),
            404,
            "model",
        ),
        (
            "previous_response_id",
            body(json!({"model": "sim-echo", "input": "hi", "previous_response_id": "resp_1"})),
            400,
            "previous_response_id",
        ),
        (
            "max_output_tokens of 0",
            body(json!({"model": "sim-echo", "input": "hi", "max_output_tokens": 0})),
            400,
            "max_output_tokens",
        ),
        (
            "a tool_choice naming no tool",
            body(
                json!({"model": "sim-echo", "input": "hi", "tool_choice": {"type": "function", "name": "f"}}),
            ),
            400,
            "tool_choice",
        ),
        (
            "an unknown effort",
            body(json!({"model": "sim-echo", "input": "hi", "reasoning": {"effort": "huge"}})),
            400,
            "reasoning.effort",
        ),
    ];
    for (what, request, status, param) in cases {
        let request = app
            .client
            .post(app.url("/v1/responses"))
            .header("content-type", "application/json")
            .body(request);
        let response = within(what, request.send()).await.expect("sent");
        assert_eq!(response.status(), status, "{what}");
        let body: Value = response.json().await.expect("JSON");
        let error = &body["error"];
        assert_eq!(error["param"], param, "{what}: {body}");
        assert_eq!(error["type"], "invalid_request_error", "{what}: {body}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()) && error.get("code").is_some(),
            "{what}: {body}"
        );
        if param == "previous_response_id" {
            assert!(
                error["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("keeps no responses")),
                "{body}"
            );
        }
        if status == 404 {
            assert_eq!(error["code"], "model_not_found", "{body}");
        }
    }
}

#[tokio::test]
async fn a_fault_after_the_start_is_response_failed() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    let body = json!({"model": "sim-echo", "stream": true, "input": "one two three four"});
    let got = stream_of(post(&app, &body).header("x-trickle-fault", "stream_error@2")).await;
    let (name, last) = got.last().expect("events");
    assert_eq!(name, "response.failed");
    let failed = &last["response"];
    assert_eq!(
        (&failed["status"], &failed["error"]["code"]),
        (&json!("failed"), &json!("server_error")),
        "{failed}"
    );
    let item = &failed["output"][0];
    assert_eq!(
        (&item["status"], &item["content"][0]["text"]),
        (&json!("incomplete"), &json!("one two")),
        "{item}"
    );
    assert_eq!(
        got.iter()
            .filter(|(n, _)| n == "response.output_text.delta")
            .count(),
        2
    );
    app.wait_for_no_streams(RESPONSES).await;
    let response = within(
        "429",
        post(&app, &body)
            .header("x-trickle-fault", "status=429")
            .send(),
    )
    .await
    .expect("sent");
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["type"], "rate_limit_error");
}
