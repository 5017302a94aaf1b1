//! `/ai-sdk/chat`: golden UI message streams for a fixed seed (text,
//! reasoning, tool calls, the answer to a tool's output), the `error` part
//! of a failure mid-stream, and the requests it refuses.

use serde_json::{Value, json};
use trickle::sim::{Unit, cut};

use crate::helpers::*;

fn post(app: &TestApp, body: &Value) -> reqwest::RequestBuilder {
    app.client.post(app.url("/ai-sdk/chat")).json(body)
}

fn user(text: &str) -> Value {
    json!({"id": "u1", "role": "user", "parts": [{"type": "text", "text": text}]})
}

/// The body `useChat` sends, with trickle's fields added.
fn body(messages: Value, extra: Value) -> Value {
    let mut body = json!({"id": "chat-1", "messages": messages, "trigger": "submit-message",
                          "model": "sim-echo", "seed": 7});
    for (key, value) in extra.as_object().expect("an object") {
        body[key] = value.clone();
    }
    body
}

/// A stream's chunks, after checking what every one shares: unnamed `data:`
/// events of JSON with a `type`, the header, and `[DONE]` last when whole.
async fn chunks(request: reqwest::RequestBuilder) -> Vec<Value> {
    let response = open_stream(request).await;
    assert_eq!(response.headers()["x-vercel-ai-ui-message-stream"], "v1");
    let events = events(response).await;
    let mut chunks = Vec::new();
    for event in &events {
        assert_eq!(event.event, "message", "no event names: {event:?}");
        assert!(event.id.is_empty() && event.retry.is_none(), "{event:?}");
        if event.data == "[DONE]" {
            assert!(
                std::ptr::eq(event, events.last().expect("events")),
                "[DONE] is last"
            );
            continue;
        }
        let chunk = json(event);
        assert!(chunk["type"].is_string(), "{chunk}");
        chunks.push(chunk);
    }
    chunks
}

/// The chunks of a part: its start, a delta per token, its end.
fn part(kind: &str, id: &str, tokens: &[&str]) -> Vec<Value> {
    let mut out = vec![json!({"type": format!("{kind}-start"), "id": id})];
    let deltas = tokens
        .iter()
        .map(|token| json!({"type": format!("{kind}-delta"), "id": id, "delta": token}));
    out.extend(deltas);
    out.push(json!({"type": format!("{kind}-end"), "id": id}));
    out
}

/// A whole message: its parts between the opening and closing chunks.
fn message(id: &str, parts: Vec<Vec<Value>>, reason: &str) -> Vec<Value> {
    let mut out = vec![
        json!({"type": "start", "messageId": id}),
        json!({"type": "start-step"}),
    ];
    out.extend(parts.into_iter().flatten());
    out.push(json!({"type": "finish-step"}));
    out.push(json!({"type": "finish", "finishReason": reason}));
    out
}

/// The new message's id: `msg_`, the seed and the reply's digest in hex.
fn new_id(chunks: &[Value]) -> String {
    let id = chunks[0]["messageId"]
        .as_str()
        .expect("a messageId")
        .to_owned();
    let hex = id
        .strip_prefix("msg_0000000000000007")
        .expect("msg_ and the seed");
    assert!(
        hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    id
}

#[tokio::test]
async fn the_text_chunk_sequence_is_exactly_the_protocols() {
    let app = spawn_app().await;
    let request = body(json!([user("Hi 👋🏽")]), json!({"unknown": "ignored"}));
    let got = chunks(post(&app, &request)).await;
    let text = part("text", "text-0", &["Hi", " 👋", "🏽"]);
    assert_eq!(got, message(&new_id(&got), vec![text], "stop"));
    assert_eq!(
        chunks(post(&app, &request)).await,
        got,
        "the same seed, the same stream"
    );
}

#[tokio::test]
async fn reasoning_streams_before_the_text_when_asked_for() {
    let app = spawn_app().await;
    let request = body(json!([user("Hi 👋🏽")]), json!({"reasoning": "minimal"}));
    let got = chunks(post(&app, &request)).await;
    let thought = [
        "The",
        " question",
        " is",
        " \"",
        "Hi",
        " 👋",
        "🏽",
        "\".",
        " There",
        " are",
        " a",
        " few",
        " ways",
        " to",
        " approach",
        " this",
        ".",
    ];
    let parts = vec![
        part("reasoning", "reasoning-0", &thought),
        part("text", "text-1", &["Hi", " 👋", "🏽"]),
    ];
    assert_eq!(got, message(&new_id(&got), parts, "stop"));
    let off = body(
        json!([user("Hi 👋🏽")]),
        json!({"model": "sim-reasoning", "reasoning": false}),
    );
    let types: Vec<Value> = chunks(post(&app, &off))
        .await
        .iter()
        .map(|c| c["type"].clone())
        .collect();
    assert!(
        !types.contains(&json!("reasoning-start")),
        "false turns a profile's default off: {types:?}"
    );
}

fn weather() -> Value {
    json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
}

#[tokio::test]
async fn offered_tools_are_called_and_their_output_is_answered_in_the_same_message() {
    let app = spawn_app().await;
    let tools =
        json!({"tools": {"get_weather": {"description": "The weather", "inputSchema": weather()}}});
    let got = chunks(post(&app, &body(json!([user("weather?")]), tools.clone()))).await;
    let ids: Vec<String> = (got.iter())
        .filter(|c| c["type"] == "tool-input-start")
        .map(|c| c["toolCallId"].as_str().expect("an id").to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "seed 7 makes two calls: {got:?}");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("call_") && id.len() == 29),
        "{ids:?}"
    );
    assert_ne!(ids[0], ids[1], "each call has its own id");
    let calls = (ids.iter().enumerate()).map(|(index, id)| {
        let input = trickle::sim::schema::generate(&weather(), 7 + index as u64);
        let arguments = input.to_string();
        let mut start = 0;
        let mut out = vec![json!({"type": "tool-input-start", "toolCallId": id, "toolName": "get_weather"})];
        for end in cut(&arguments, Unit::Token) {
            let token = &arguments[start..end as usize];
            out.push(json!({"type": "tool-input-delta", "toolCallId": id, "inputTextDelta": token}));
            start = end as usize;
        }
        out.push(json!({"type": "tool-input-available", "toolCallId": id, "toolName": "get_weather", "input": input}));
        out
    });
    let id = new_id(&got);
    assert_eq!(got, message(&id, calls.collect(), "tool-calls"));

    let assistant = json!({"id": id, "role": "assistant", "parts": [
        {"type": "step-start"},
        {"type": "tool-get_weather", "toolCallId": ids[0], "state": "output-available",
         "input": {"city": "Paris"}, "output": {"temperature": 18}},
        {"type": "tool-get_weather", "toolCallId": ids[1], "state": "output-available",
         "input": {"city": "Paris"}, "output": "18°C, sunny"},
    ]});
    let answer = chunks(post(
        &app,
        &body(json!([user("weather?"), assistant]), tools),
    ))
    .await;
    let quoted = "Here is what get_weather returned: 18°C, sunny";
    let text: String = (answer.iter())
        .filter(|c| c["type"] == "text-delta")
        .map(|c| c["delta"].as_str().expect("a delta"))
        .collect();
    assert_eq!(text, quoted, "the last output is quoted, so the loop ends");
    assert_eq!(
        answer[0],
        json!({"type": "start", "messageId": id}),
        "the message continues"
    );
    assert_eq!(answer[answer.len() - 1]["finishReason"], "stop");
}

#[tokio::test]
async fn a_failure_mid_stream_is_an_error_part() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    let request = post(&app, &body(json!([user("Hi 👋🏽")]), json!({})))
        .header("x-trickle-fault", "stream_error@1");
    let got = chunks(request).await;
    let id = new_id(&got);
    let mut expected = message(&id, vec![part("text", "text-0", &["Hi"])], "stop");
    // Cut after the first token: no text-end, no finish, no [DONE].
    expected.truncate(4);
    expected.push(json!({"type": "error", "errorText": "injected stream_error fault"}));
    assert_eq!(got, expected);
}

#[tokio::test]
async fn requests_it_cannot_answer_are_refused_in_the_native_shape() {
    let app = spawn_app().await;
    let hi = json!([user("hi")]);
    let cases = [
        (
            json!({}),
            400,
            "invalid_parameter",
            "`messages` is required",
            "no messages",
        ),
        (
            json!({"messages": [{"role": "user", "parts": [{"type": "file", "url": "x"}]}]}),
            422,
            "invalid_prompt",
            "no user message with a text part",
            "no user text",
        ),
        (
            json!({"messages": "hi"}),
            400,
            "invalid_parameter",
            "messages: invalid type",
            "messages not a list",
        ),
        (
            body(hi.clone(), json!({"seed": -1})),
            422,
            "out_of_range",
            "seed = -1",
            "a negative seed",
        ),
        (
            body(hi.clone(), json!({"model": "gpt-9"})),
            404,
            "unknown_model",
            "gpt-9",
            "an unknown model",
        ),
        (
            body(hi.clone(), json!({"reasoning": "extreme"})),
            400,
            "invalid_parameter",
            "reasoning = \"extreme\": must be true, false, or one of",
            "an unknown effort",
        ),
        (
            body(
                hi.clone(),
                json!({"tools": {"f": {"inputSchema": "object"}}}),
            ),
            400,
            "invalid_parameter",
            "tools.f:",
            "a schema that is not an object",
        ),
        (
            body(hi.clone(), json!({"tools": ["f"]})),
            400,
            "invalid_parameter",
            "tools: invalid type",
            "tools not by name",
        ),
        (
            body(hi, json!({"token_delay_ms": 999_999_999})),
            422,
            "out_of_range",
            "token_delay_ms",
            "a delay over the limit",
        ),
    ];
    for (request, status, code, message, why) in cases {
        let response = within(why, post(&app, &request).send())
            .await
            .expect("sent");
        let (got_status, got_code, got_message) = error_of(response).await;
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code),
            "{why}: {got_message}"
        );
        assert!(got_message.contains(message), "{why}: {got_message}");
    }
}

#[tokio::test]
async fn the_route_needs_a_key_when_keys_are_set() {
    let app = spawn_app_with(|s| s.auth.api_keys = vec!["sk-test".to_owned()]).await;
    let request = body(json!([user("hi")]), json!({}));
    let refused = within("no key", post(&app, &request).send())
        .await
        .expect("sent");
    assert_eq!(error_of(refused).await.1, "unauthorized");
    chunks(post(&app, &request).bearer_auth("sk-test")).await;
}
