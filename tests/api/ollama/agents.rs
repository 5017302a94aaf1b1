//! Tool calls, thinking and JSON output on `/api/chat`, and an agent loop:
//! a call, the test runs the tool, a text answer about its result.

use serde_json::{Value, json};

use super::{and, lines_of, post, whole_of};
use crate::helpers::*;

fn weather() -> Value {
    json!([{"type": "function", "function": {"name": "get_weather", "description": "The weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])
}

fn ask() -> Value {
    json!([{"role": "user", "content": "What is the weather in Paris?"}])
}

/// Checks a tool call as Ollama sends it and returns its name.
fn checked_call(call: &Value, index: usize) -> String {
    let id = call["id"].as_str().expect("an id");
    assert!(id.starts_with("call_") && id.len() == 13, "{id}");
    assert_eq!(call["function"]["index"], index);
    assert!(
        call["function"]["arguments"].is_object(),
        "arguments are an object: {call}"
    );
    call["function"]["name"]
        .as_str()
        .expect("a name")
        .to_owned()
}

#[tokio::test]
async fn tools_give_whole_tool_calls_one_line_each() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "messages": ask(), "tools": weather(), "options": {"seed": 11}});
    let lines = lines_of(post(&app, "/api/chat", &body)).await;
    let (last, calls) = lines.split_last().expect("lines");
    assert!(
        !calls.is_empty() && calls.len() <= 3,
        "one to three calls: {lines:?}"
    );
    for (index, line) in calls.iter().enumerate() {
        assert_eq!(line["message"]["content"], "");
        let sent = line["message"]["tool_calls"]
            .as_array()
            .expect("tool_calls");
        assert_eq!(sent.len(), 1, "each call whole, on its own line");
        assert_eq!(checked_call(&sent[0], index), "get_weather");
    }
    assert_eq!(
        (&last["done"], &last["done_reason"]),
        (&json!(true), &json!("stop"))
    );

    let whole = whole_of(post(
        &app,
        "/api/chat",
        &and(&body, json!({"stream": false})),
    ))
    .await;
    let made = whole["message"]["tool_calls"]
        .as_array()
        .expect("tool_calls");
    assert_eq!(made.len(), calls.len(), "the same calls for the same seed");
    for (index, call) in made.iter().enumerate() {
        checked_call(call, index);
    }
    assert_eq!(whole["message"]["content"], "");
}

#[tokio::test]
async fn an_agent_loop_ends_with_an_answer_about_the_tool_result() {
    let app = spawn_app().await;
    let body =
        json!({"model": "sim-default", "messages": ask(), "tools": weather(), "stream": false});
    let called = whole_of(post(&app, "/api/chat", &body)).await;
    let message = called["message"].clone();
    let name = checked_call(&message["tool_calls"][0], 0);
    let mut messages = ask().as_array().expect("messages").clone();
    messages.push(message.clone());
    messages.push(json!({"role": "tool", "content": "{\"temperature\": 21}", "tool_name": name}));
    let body =
        json!({"model": "sim-default", "messages": messages, "tools": weather(), "stream": false});
    let answer = whole_of(post(&app, "/api/chat", &body)).await;
    let text = answer["message"]["content"].as_str().expect("content");
    assert!(
        answer["message"]["tool_calls"].is_null(),
        "no more calls: {answer}"
    );
    assert!(
        text.contains("get_weather") && text.contains("21"),
        "{text}"
    );

    // Without `tool_name` (older clients), the result is matched to its call.
    let calls = message["tool_calls"].as_array().expect("calls").len();
    let mut messages = ask().as_array().expect("messages").clone();
    messages.push(message);
    messages.extend((0..calls).map(|n| json!({"role": "tool", "content": format!("result {n}")})));
    let body = json!({"model": "sim-default", "messages": messages, "tools": weather()});
    let lines = lines_of(post(&app, "/api/chat", &body)).await;
    let text: String = lines
        .iter()
        .filter_map(|l| l["message"]["content"].as_str())
        .collect();
    assert!(
        text.contains("get_weather") && text.contains(&format!("result {}", calls - 1)),
        "{text}"
    );
}

#[tokio::test]
async fn think_sends_thinking_before_the_answer() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "think": true, "options": {"seed": 5},
        "messages": [{"role": "user", "content": "Hello there"}]});
    let lines = lines_of(post(&app, "/api/chat", &body)).await;
    let thinking = |l: &Value| l["message"]["thinking"].as_str().map(str::to_owned);
    let first_text = lines
        .iter()
        .position(|l| l["message"]["content"] != "")
        .expect("text");
    assert!(first_text > 0 && lines[..first_text].iter().all(|l| thinking(l).is_some()));
    assert!(
        lines[first_text..].iter().all(|l| thinking(l).is_none()),
        "thinking first, then content"
    );
    let thought: String = lines.iter().filter_map(thinking).collect();
    let text: String = lines
        .iter()
        .filter_map(|l| l["message"]["content"].as_str())
        .collect();
    assert_eq!(text, "Hello there");

    let whole = whole_of(post(
        &app,
        "/api/chat",
        &and(&body, json!({"stream": false})),
    ))
    .await;
    assert_eq!(whole["message"]["thinking"], json!(thought));
    assert_eq!(whole["message"]["content"], json!(text));

    // A thinking profile thinks unless told not to.
    let body = json!({"model": "sim-reasoning", "prompt": "hi", "stream": false});
    let whole = whole_of(post(&app, "/api/generate", &body)).await;
    assert!(whole["thinking"].is_string(), "{whole}");
    let whole = whole_of(post(
        &app,
        "/api/generate",
        &and(&body, json!({"think": false})),
    ))
    .await;
    assert!(whole["thinking"].is_null(), "{whole}");
}

#[tokio::test]
async fn format_makes_the_answer_json() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "prompt": "Hello", "format": "json", "stream": false});
    let whole = whole_of(post(&app, "/api/generate", &body)).await;
    let document: Value = serde_json::from_str(whole["response"].as_str().expect("response"))
        .expect("the response is JSON");
    assert_eq!(document, json!({"answer": "Hello"}));

    let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}});
    let body = json!({"model": "sim-echo", "format": schema,
        "messages": [{"role": "user", "content": "Hello"}]});
    let lines = lines_of(post(&app, "/api/chat", &body)).await;
    let text: String = lines
        .iter()
        .filter_map(|l| l["message"]["content"].as_str())
        .collect();
    let document: Value = serde_json::from_str(&text).expect("the content is JSON");
    assert!(document.is_object(), "{document}");
}
