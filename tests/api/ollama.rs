//! Ollama's API: golden lines for a fixed seed on `/api/chat` and
//! `/api/generate`, the object without streaming, the last line's counts and
//! durations against the schedule, and `num_predict`; tool calls, thinking
//! and JSON output ([`agents`]); the model routes and errors ([`models`]).

mod agents;
mod models;

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;

pub const OLLAMA: trickle::state::RouteLabel = "ollama";

fn post(app: &TestApp, path: &str, body: &Value) -> reqwest::RequestBuilder {
    app.client.post(app.url(path)).json(body)
}

/// A stream's lines, after checking the wire: a 200 `application/x-ndjson`
/// body of one JSON object per line, each ended by a newline, none blank,
/// every `created_at` RFC 3339. `created_at` is set to `"T"`.
async fn lines_of(request: reqwest::RequestBuilder) -> Vec<Value> {
    let response = within("response headers", request.send())
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let body = body_text(response).await;
    assert!(body.ends_with('\n'), "the last line is ended: {body:?}");
    (body.lines())
        .map(|line| {
            assert!(!line.trim().is_empty(), "no blank lines: {body:?}");
            let mut value: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?} is not JSON: {e}"));
            untimed(&mut value);
            value
        })
        .collect()
}

/// Checks `created_at` is RFC 3339 and sets it to `"T"`.
fn untimed(value: &mut Value) {
    if let Some(at) = value["created_at"].as_str() {
        humantime::parse_rfc3339(at).unwrap_or_else(|e| panic!("created_at {at:?}: {e}"));
        value["created_at"] = json!("T");
    }
}

/// A whole (`"stream": false`) answer, `created_at` set to `"T"`.
async fn whole_of(request: reqwest::RequestBuilder) -> Value {
    let response = within("response", request.send()).await.expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let mut value: Value = within("body", response.json()).await.expect("JSON");
    untimed(&mut value);
    value
}

/// The last line's fields for a reply due at once (tests pace at zero).
fn done_at_once(prompt_eval_count: u32, eval_count: u32) -> Value {
    json!({"done": true, "done_reason": "stop", "total_duration": 0, "load_duration": 0,
        "prompt_eval_count": prompt_eval_count, "prompt_eval_duration": 0,
        "eval_count": eval_count, "eval_duration": 0})
}

/// An object's keys in wire order.
fn keys(value: &Value) -> Vec<&str> {
    let object = value.as_object().expect("an object");
    object.keys().map(String::as_str).collect()
}

/// `body` with `more`'s fields set.
fn and(body: &Value, more: Value) -> Value {
    let mut body = body.clone();
    if let (Some(fields), Value::Object(more)) = (body.as_object_mut(), more) {
        fields.extend(more);
    }
    body
}

/// A token line made the last one: `done` moves after the text, as on the wire.
fn with(mut object: Value, more: Value) -> Value {
    if let (Some(object), Value::Object(more)) = (object.as_object_mut(), more) {
        object.remove("done");
        object.extend(more);
    }
    object
}

const PROMPT: &str = "Grüße aus 東京 🚀";
const TOKENS: [&str; 6] = ["Gr", "ü", "ße", " aus", " 東京", " 🚀"];

#[tokio::test]
async fn a_chat_stream_is_ollamas_lines_for_a_fixed_seed() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "messages": [{"role": "system", "content": "be brief"},
        {"role": "user", "content": PROMPT}], "options": {"seed": 42, "temperature": 0.3}, "keep_alive": "5m"});
    let lines = lines_of(post(&app, "/api/chat", &body)).await;
    let line = |content: &str| {
        json!({"model": "sim-echo", "created_at": "T",
            "message": {"role": "assistant", "content": content}, "done": false})
    };
    let mut expected: Vec<Value> = TOKENS.iter().map(|t| line(t)).collect();
    expected.push(with(line(""), done_at_once(20, 7)));
    assert_eq!(lines, expected);
    assert_eq!(keys(&lines[0]), ["model", "created_at", "message", "done"]);
    assert_eq!(keys(&lines[0]["message"]), ["role", "content"]);
    assert_eq!(
        keys(&lines[6]),
        [
            "model",
            "created_at",
            "message",
            "done",
            "done_reason",
            "total_duration",
            "load_duration",
            "prompt_eval_count",
            "prompt_eval_duration",
            "eval_count",
            "eval_duration"
        ],
        "the fields in Ollama's order"
    );
    assert_eq!(
        json!(trickle::sim::count_tokens(PROMPT)),
        expected[6]["eval_count"],
        "eval_count counts the reply's tokens"
    );

    let whole = whole_of(post(
        &app,
        "/api/chat",
        &and(&body, json!({"stream": false})),
    ))
    .await;
    assert_eq!(whole, with(line(PROMPT), done_at_once(20, 7)));
}

#[tokio::test]
async fn a_generate_stream_is_ollamas_lines_for_a_fixed_seed() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo:latest", "prompt": PROMPT, "system": "be brief",
        "suffix": "ignored", "images": [], "context": [1, 2, 3], "options": {"seed": 42}});
    let lines = lines_of(post(&app, "/api/generate", &body)).await;
    let line = |response: &str| json!({"model": "sim-echo:latest", "created_at": "T", "response": response, "done": false});
    let mut expected: Vec<Value> = TOKENS.iter().map(|t| line(t)).collect();
    expected.push(with(line(""), done_at_once(9, 7)));
    assert_eq!(lines, expected, "the model is named as requested");
    assert_eq!(keys(&lines[0]), ["model", "created_at", "response", "done"]);

    let whole = whole_of(post(
        &app,
        "/api/generate",
        &and(&body, json!({"stream": false})),
    ))
    .await;
    assert_eq!(whole, with(line(PROMPT), done_at_once(9, 7)));
}

#[tokio::test]
async fn the_last_line_reports_the_schedule_in_nanoseconds() {
    let (ttft, delay) = (Duration::from_millis(40), Duration::from_millis(5));
    let app = spawn_app_with(|s| {
        let echo = s.models.profiles.get_mut("sim-echo").expect("sim-echo");
        echo.ttft_ms = Some(40);
        echo.token_delay_ms = Some(5);
        echo.jitter = Some(0.0);
    })
    .await;
    let body = json!({"model": "sim-echo", "prompt": "one two three four five"});
    let lines = lines_of(post(&app, "/api/generate", &body)).await;
    let last = lines.last().expect("a last line");
    let tokens = lines.len() as u32 - 1;
    let nanos = |d: Duration| json!(d.as_nanos() as u64);
    let at_last = ttft + delay * (tokens - 1);
    assert_eq!(last["total_duration"], nanos(at_last));
    assert_eq!(last["load_duration"], nanos(Duration::from_millis(5)));
    assert_eq!(
        last["prompt_eval_duration"],
        nanos(ttft - Duration::from_millis(5))
    );
    assert_eq!(last["eval_duration"], nanos(at_last - ttft));
    assert_eq!(last["eval_count"], json!(tokens));
    assert_eq!(last["prompt_eval_count"], json!(5));

    let whole = whole_of(post(
        &app,
        "/api/generate",
        &and(&body, json!({"stream": false})),
    ))
    .await;
    let metrics = |v: &Value| {
        let keys = [
            "total_duration",
            "load_duration",
            "prompt_eval_count",
            "prompt_eval_duration",
            "eval_count",
            "eval_duration",
        ];
        keys.map(|key| v[key].clone())
    };
    assert_eq!(
        metrics(&whole),
        metrics(last),
        "the same with and without streaming"
    );
    app.wait_for_no_streams(OLLAMA).await;
}

#[tokio::test]
async fn num_predict_cuts_the_reply_with_done_reason_length() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "messages": [{"role": "user", "content": PROMPT}],
        "options": {"num_predict": 3}});
    let lines = lines_of(post(&app, "/api/chat", &body)).await;
    let text: String = lines
        .iter()
        .filter_map(|l| l["message"]["content"].as_str())
        .collect();
    assert_eq!(text, "Grüße");
    let last = lines.last().expect("a last line");
    assert_eq!(
        (&last["done_reason"], &last["eval_count"]),
        (&json!("length"), &json!(3))
    );
    let whole = whole_of(post(
        &app,
        "/api/chat",
        &and(&body, json!({"stream": false})),
    ))
    .await;
    assert_eq!(whole["message"]["content"], "Grüße");
    assert_eq!(whole["done_reason"], "length");

    let unlimited = json!({"model": "sim-echo", "prompt": PROMPT, "stream": false,
        "options": {"num_predict": -1}});
    let whole = whole_of(post(&app, "/api/generate", &unlimited)).await;
    assert_eq!(whole["response"], PROMPT, "-1 is no limit");
}

#[tokio::test]
async fn a_request_without_a_prompt_only_loads_the_model() {
    let app = spawn_app().await;
    let cases = [
        (
            "/api/chat",
            json!({"model": "sim-echo", "messages": []}),
            "load",
        ),
        ("/api/generate", json!({"model": "sim-echo"}), "load"),
        (
            "/api/generate",
            json!({"model": "sim-echo", "prompt": "", "keep_alive": 0}),
            "unload",
        ),
        (
            "/api/chat",
            json!({"model": "sim-echo", "keep_alive": "0"}),
            "unload",
        ),
    ];
    for (path, body, reason) in cases {
        let whole = whole_of(post(&app, path, &body)).await;
        assert_eq!(
            (&whole["done"], &whole["done_reason"]),
            (&json!(true), &json!(reason)),
            "{path} {body}"
        );
    }
}

#[tokio::test]
async fn a_failure_mid_stream_is_an_error_line() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    let body = json!({"model": "sim-echo", "prompt": "a b c d e f"});
    let request = post(&app, "/api/generate", &body).header("x-trickle-fault", "stream_error@2");
    let lines = lines_of(request).await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[..2].iter().all(|l| l["done"] == false));
    let error = lines[2]["error"].as_str().expect("an error line");
    assert!(error.contains("stream_error"), "{error}");
    assert_eq!(
        lines[2].as_object().map(|o| o.len()),
        Some(1),
        "only `error`"
    );

    let request = post(
        &app,
        "/api/chat",
        &json!({"model": "sim-echo",
        "messages": [{"role": "user", "content": "hi"}]}),
    )
    .header("x-trickle-fault", "status=503");
    let response = within("status fault", request.send()).await.expect("sent");
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("JSON");
    assert!(body["error"].is_string(), "{body}");
    app.wait_for_no_streams(OLLAMA).await;
}
