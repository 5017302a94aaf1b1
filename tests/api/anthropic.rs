//! `/v1/messages`: Anthropic's event sequence, event by event.

use serde_json::{Value, json};

use crate::helpers::*;

fn messages(app: &TestApp, body: Value) -> reqwest::RequestBuilder {
    app.client
        .post(app.url("/v1/messages"))
        .header("x-api-key", "any")
        .header("anthropic-version", "2023-06-01")
        .json(&body)
}

#[tokio::test]
async fn the_stream_is_anthropics_event_sequence() {
    let app = spawn_app().await;
    let prompt = "Grüße aus 東京 🚀";
    let body = json!({"model": "sim-echo", "max_tokens": 100, "stream": true, "system": "be brief",
        "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}], "metadata": {"user_id": "x"}});
    let events = events(open_stream(messages(&app, body.clone())).await).await;
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    let deltas = names
        .iter()
        .filter(|n| **n == "content_block_delta")
        .count();
    let mut expected = vec!["message_start", "content_block_start", "ping"];
    expected.extend(std::iter::repeat_n("content_block_delta", deltas));
    expected.extend(["content_block_stop", "message_delta", "message_stop"]);
    assert_eq!(names, expected);
    assert!(deltas >= 3);
    for event in &events {
        assert_eq!(
            json(event)["type"],
            event.event,
            "each data names its own type"
        );
    }
    let start = json(&events[0]);
    assert_eq!(start["message"]["role"], "assistant");
    assert_eq!(start["message"]["model"], "sim-echo");
    assert!(
        start["message"]["id"]
            .as_str()
            .expect("id")
            .starts_with("msg_")
    );
    let text: String = events
        .iter()
        .filter(|e| e.event == "content_block_delta")
        .map(|e| {
            let delta = json(e);
            assert_eq!(delta["delta"]["type"], "text_delta");
            delta["delta"]["text"].as_str().expect("text").to_owned()
        })
        .collect();
    assert_eq!(text, prompt, "the deltas rebuild the reply exactly");
    let delta = json(&events[events.len() - 2]);
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    let output_tokens = delta["usage"]["output_tokens"]
        .as_u64()
        .expect("output tokens");
    assert_eq!(output_tokens, u64::from(trickle::sim::count_tokens(prompt)));
    let whole: Value = within(
        "non-stream",
        messages(
            &app,
            json!({"model": "sim-echo", "max_tokens": 100, "system": "be brief",
        "messages": [{"role": "user", "content": prompt}]}),
        )
        .send(),
    )
    .await
    .expect("sent")
    .json()
    .await
    .expect("JSON");
    assert_eq!(whole["type"], "message");
    assert_eq!(whole["content"][0]["text"], prompt);
    assert_eq!(whole["stop_reason"], "end_turn");
    assert_eq!(whole["usage"]["output_tokens"], output_tokens);
    assert_eq!(
        whole["usage"]["input_tokens"],
        start["message"]["usage"]["input_tokens"]
    );
}

#[tokio::test]
async fn max_tokens_is_required_and_cuts_the_reply() {
    let app = spawn_app().await;
    let response = within(
        "no max_tokens",
        messages(
            &app,
            json!({"model": "sim-echo", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .send(),
    )
    .await
    .expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        (body["type"].as_str(), body["error"]["type"].as_str()),
        (Some("error"), Some("invalid_request_error"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("max_tokens")
    );
    let body = json!({"model": "sim-echo", "max_tokens": 2, "messages": [{"role": "user", "content": "one two three four five"}]});
    let whole: Value = within("cut", messages(&app, body).send())
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(whole["stop_reason"], "max_tokens");
    assert_eq!(whole["usage"]["output_tokens"], 2);
    assert_eq!(whole["content"][0]["text"], "one two");
}

#[tokio::test]
async fn errors_are_in_anthropics_shape() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    let response = within("unknown model", messages(&app, json!({"model": "claude-9", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]})).send())
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["type"], "not_found_error");
    let body = json!({"model": "sim-echo", "max_tokens": 50, "stream": true, "messages": [{"role": "user", "content": "a b c d e f"}]});
    let request = messages(&app, body).header("x-trickle-fault", "stream_error@2");
    let events = events(open_stream(request).await).await;
    let last = events.last().expect("an event");
    assert_eq!(last.event, "error");
    assert_eq!(json(last)["error"]["type"], "overloaded_error");
}
