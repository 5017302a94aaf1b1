//! Fixtures through the HTTP APIs: each answer kind on chat completions and
//! messages, matchers that read the request, strict mode, and a bad file
//! refused at start and on reload.

use serde_json::{Value, json};
use trickle::Application;
use trickle::reload::reload;

use crate::helpers::*;

const FIXTURES: &str = r#"
[[fixture]]
name = "weather call"
match = { user = { contains = "weather" }, tools = true, tool_result = false }
reply.tool_calls = [{ name = "get_weather", arguments = { city = "Paris", unit = "celsius" } }]

[[fixture]]
name = "weather answer"
match = { tool_result = "get_weather" }
reply = { text = "It is sunny in Paris.", reasoning = "The tool said sunny." }

[[fixture]]
match.user = { exact = "refuse" }
reply.error = { status = 429, message = "slow down, fixture says" }

[[fixture]]
match.user = { exact = "break" }
reply = { text = "one two three four five six", fault = "stream_error@2" }

[[fixture]]
match = { user = { exact = "who" }, header = { name = "x-test-case", value = "alpha" } }
reply.text = "alpha case"

[[fixture]]
nth = 2
match = { user = { exact = "again" }, api = "anthropic" }
reply.text = "second time"

[[fixture]]
match = { user = { exact = "again" } }
reply.text = "any other time"

[[fixture]]
match = { turn = 2, system = { regex = "(?i)pirate" } }
reply.text = "Arr, turn two."
"#;

fn fixtures_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("trickle-fixtures-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("fixtures.toml");
    std::fs::write(&file, text).expect("written");
    file.to_string_lossy().into_owned()
}

async fn with_fixtures(name: &str, strict: bool) -> TestApp {
    let file = fixtures_file(name, FIXTURES);
    spawn_app_with(|s| {
        s.fixtures.file = file;
        s.fixtures.strict = strict;
        s.faults.allow_header = true;
    })
    .await
}

async fn post(
    app: &TestApp,
    path: &str,
    body: Value,
    header: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url(path))
        .header("x-api-key", "any")
        .json(&body);
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    let response = within(path, request.send()).await.expect("sent");
    let status = response.status().as_u16();
    (status, within("body", response.json()).await.expect("JSON"))
}

fn openai(messages: Value) -> Value {
    let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]);
    json!({"model": "sim-default", "messages": messages, "tools": tools})
}

fn anthropic(messages: Value) -> Value {
    json!({"model": "sim-default", "max_tokens": 500, "messages": messages,
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}]})
}

#[tokio::test]
async fn a_fixture_scripts_a_tool_loop_on_chat_completions() {
    let app = with_fixtures("openai-loop", false).await;
    let ask = json!([{"role": "user", "content": "weather in Paris?"}]);
    let (status, first) = post(&app, "/v1/chat/completions", openai(ask.clone()), None).await;
    assert_eq!(status, 200, "{first}");
    let message = &first["choices"][0]["message"];
    let call = &message["tool_calls"][0];
    assert_eq!(call["function"]["name"], "get_weather");
    let arguments: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().expect("text")).expect("JSON");
    assert_eq!(arguments, json!({"city": "Paris", "unit": "celsius"}));
    let mut history = ask.as_array().expect("array").clone();
    history.push(message.clone());
    history.push(json!({"role": "tool", "tool_call_id": call["id"], "content": "sunny"}));
    let (_, second) = post(&app, "/v1/chat/completions", openai(json!(history)), None).await;
    let message = &second["choices"][0]["message"];
    assert_eq!(message["content"], "It is sunny in Paris.");
    assert_eq!(message["reasoning_content"], "The tool said sunny.");
    assert_eq!(second["choices"][0]["finish_reason"], "stop");
}

#[tokio::test]
async fn a_fixture_scripts_a_tool_loop_on_messages() {
    let app = with_fixtures("anthropic-loop", false).await;
    let ask = json!([{"role": "user", "content": "weather in Paris?"}]);
    let (status, first) = post(&app, "/v1/messages", anthropic(ask.clone()), None).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["stop_reason"], "tool_use");
    let block = &first["content"][0];
    assert_eq!(block["input"], json!({"city": "Paris", "unit": "celsius"}));
    let mut history = ask.as_array().expect("array").clone();
    history.push(json!({"role": "assistant", "content": first["content"]}));
    history.push(json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": block["id"], "content": "sunny"}]}));
    let (_, second) = post(&app, "/v1/messages", anthropic(json!(history)), None).await;
    let kinds: Vec<&str> = (second["content"].as_array().expect("content").iter())
        .map(|b| b["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["thinking", "text"]);
    assert_eq!(second["content"][1]["text"], "It is sunny in Paris.");
}

#[tokio::test]
async fn an_error_fixture_answers_in_each_apis_shape() {
    let app = with_fixtures("errors", false).await;
    let refuse = json!([{"role": "user", "content": "refuse"}]);
    let (status, error) = post(&app, "/v1/chat/completions", openai(refuse.clone()), None).await;
    assert_eq!(status, 429);
    assert_eq!(error["error"]["message"], "slow down, fixture says");
    assert_eq!(error["error"]["code"], "fixture_error");
    let (status, error) = post(&app, "/v1/messages", anthropic(refuse), None).await;
    assert_eq!((status, &error["type"]), (429, &json!("error")));
    assert_eq!(error["error"]["type"], "rate_limit_error");
    let (status, error) = post(&app, "/chat", json!({"prompt": "refuse"}), None).await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (429, &json!("fixture_error"))
    );
}

#[tokio::test]
async fn a_fault_fixture_breaks_the_stream_where_it_says() {
    let app = with_fixtures("fault", false).await;
    let events = events(open_stream(app.post_chat(json!({"prompt": "break"}))).await).await;
    let reply = reply(&events);
    assert_eq!(reply.tokens.len(), 2, "two tokens, then the fault");
    assert_eq!(reply.last.event, "stream_error");
    assert_eq!(json(&reply.last)["code"], "injected_fault");
}

#[tokio::test]
async fn header_nth_turn_and_system_matchers_read_the_request() {
    let app = with_fixtures("matchers", false).await;
    let text = |reply: &Value| {
        reply["choices"][0]["message"]["content"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let who = json!({"model": "sim-echo", "messages": [{"role": "user", "content": "who"}]});
    let (_, by_header) = post(
        &app,
        "/v1/chat/completions",
        who.clone(),
        Some(("X-Test-Case", "alpha")),
    )
    .await;
    assert_eq!(text(&by_header), "alpha case");
    let (_, without) = post(&app, "/v1/chat/completions", who, None).await;
    assert_eq!(
        text(&without),
        "who",
        "no header: the profile (echo) answers"
    );
    let messages = json!([{"role": "user", "content": "again"}]);
    let first = post(&app, "/v1/messages", anthropic(messages.clone()), None)
        .await
        .1;
    assert_eq!(
        first["content"][0]["text"], "any other time",
        "first anthropic match"
    );
    let other = post(&app, "/v1/chat/completions", openai(messages.clone()), None)
        .await
        .1;
    assert_eq!(
        text(&other),
        "any other time",
        "the api matcher leaves openai out"
    );
    let second = post(&app, "/v1/messages", anthropic(messages), None)
        .await
        .1;
    assert_eq!(
        second["content"][0]["text"], "second time",
        "the second anthropic match"
    );
    let pirate = json!({"model": "sim-default", "messages": [
        {"role": "system", "content": "You are a PIRATE."},
        {"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi"},
        {"role": "user", "content": "and now?"}]});
    let (_, turn_two) = post(&app, "/v1/chat/completions", pirate, None).await;
    assert_eq!(text(&turn_two), "Arr, turn two.");
}

#[tokio::test]
async fn strict_mode_refuses_what_no_fixture_matches() {
    let app = with_fixtures("strict", true).await;
    let body =
        json!({"model": "sim-default", "messages": [{"role": "user", "content": "unscripted"}]});
    let (status, error) = post(&app, "/v1/chat/completions", body, None).await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "no_fixture");
    let message = error["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("\"unscripted\"") && message.contains("fixtures.strict"),
        "{message}"
    );
    let (status, error) = post(
        &app,
        "/v1/messages",
        anthropic(json!([{"role": "user", "content": "unscripted"}])),
        None,
    )
    .await;
    assert_eq!(
        (status, &error["error"]["type"]),
        (404, &json!("not_found_error"))
    );
}

#[tokio::test]
async fn a_bad_fixtures_file_is_refused_at_start_and_on_reload() {
    let bad = fixtures_file(
        "bad",
        "[[fixture]]\nmatch.user = { regex = \"(\" }\nreply.text = \"x\"\n",
    );
    let mut settings = test_settings();
    settings.fixtures.file = bad.clone();
    let error = Application::build(settings.clone())
        .err()
        .expect("refused at start");
    assert!(
        error.contains(&bad) && error.contains("fixture 1: match.user: invalid regex"),
        "{error}"
    );
    let app = with_fixtures("reload", false).await;
    let error = reload(&app.state, Ok(settings)).expect_err("refused on reload");
    assert!(error.contains("fixture 1: match.user"), "{error}");
    let (_, still) = post(&app, "/chat", json!({"prompt": "refuse"}), None).await;
    assert_eq!(
        still["error"]["code"], "fixture_error",
        "the old fixtures stay"
    );
}
