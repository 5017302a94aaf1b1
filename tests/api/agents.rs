//! Tool calls, reasoning and structured output on chat completions and
//! messages: the delta sequences clients depend on, and a whole agent loop
//! per API (call → the test runs the tool → a text answer).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::*;

fn weather() -> Value {
    json!({"type": "object", "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    }, "required": ["city", "unit"], "additionalProperties": false})
}

fn openai_tools() -> Value {
    json!([{"type": "function", "function": {"name": "get_weather", "parameters": weather()}}])
}

async fn completion_chunks(app: &TestApp, body: Value) -> Vec<Value> {
    let request = app.client.post(app.url("/v1/chat/completions")).json(&body);
    let events = events(open_stream(request).await).await;
    assert_eq!(events.last().map(|e| e.data.as_str()), Some("[DONE]"));
    events[..events.len() - 1].iter().map(json).collect()
}

async fn post_json(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let request = app
        .client
        .post(app.url(path))
        .header("x-api-key", "any")
        .json(body);
    let response = within(path, request.send()).await.expect("sent");
    let status = response.status().as_u16();
    let body = within("body", response.json::<Value>())
        .await
        .expect("a JSON body");
    (status, body)
}

/// Tool calls rebuilt from deltas as OpenAI's clients do: by `index`.
fn rebuild_calls(chunks: &[Value]) -> BTreeMap<u64, (String, String, String)> {
    let mut calls = BTreeMap::new();
    for chunk in chunks {
        for delta in chunk["choices"][0]["delta"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let index = delta["index"].as_u64().expect("index on every delta");
            let call = calls
                .entry(index)
                .or_insert_with(|| (String::new(), String::new(), String::new()));
            if let Some(id) = delta["id"].as_str() {
                assert!(call.0.is_empty(), "an id only on a call's first delta");
                assert_eq!(delta["type"], "function");
                assert_eq!(
                    delta["function"]["arguments"], "",
                    "the first delta has no arguments"
                );
                call.0 = id.to_owned();
                call.1 = delta["function"]["name"]
                    .as_str()
                    .expect("a name")
                    .to_owned();
            } else {
                assert!(!call.0.is_empty(), "a call starts with its id");
                assert_eq!(delta.as_object().map(|o| o.len()), Some(2), "{delta}");
            }
            call.2 += delta["function"]["arguments"].as_str().expect("arguments");
        }
    }
    calls
}

#[tokio::test]
async fn chat_completion_tool_calls_stream_as_openai_deltas() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-default", "stream": true, "seed": 5,
        "stream_options": {"include_usage": true}, "tools": openai_tools(),
        "messages": [{"role": "user", "content": "weather in Paris?"}]});
    let chunks = completion_chunks(&app, body.clone()).await;
    assert_eq!(
        chunks[0]["choices"][0]["delta"],
        json!({"role": "assistant", "content": null, "refusal": null})
    );
    let calls = rebuild_calls(&chunks);
    assert!((1..=3).contains(&calls.len()), "{calls:?}");
    for (index, (id, name, arguments)) in &calls {
        assert!(id.starts_with("call_"), "{id}");
        assert_eq!(name, "get_weather");
        let expected = trickle::sim::schema::generate(&weather(), 5 + index);
        assert_eq!(
            serde_json::from_str::<Value>(arguments).expect("JSON"),
            expected
        );
    }
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "tool_calls");
    assert!(chunks.last().expect("usage")["usage"]["completion_tokens"].as_u64() > Some(0));
    let again = rebuild_calls(&completion_chunks(&app, body).await);
    assert!(
        calls
            .values()
            .zip(again.values())
            .all(|(a, b)| a.0 != b.0 && a.2 == b.2),
        "the same arguments for the same seed, but ids unique across requests"
    );
}

#[tokio::test]
async fn an_agent_loop_on_chat_completions_ends_with_text() {
    let app = spawn_app().await;
    let mut messages = vec![json!({"role": "user", "content": "weather in Paris?"})];
    let body = |messages: &Vec<Value>| json!({"model": "sim-default", "seed": 9, "tools": openai_tools(), "messages": messages});
    let (status, first) = post_json(&app, "/v1/chat/completions", &body(&messages)).await;
    assert_eq!(status, 200, "{first}");
    let choice = &first["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    let calls = choice["message"]["tool_calls"]
        .as_array()
        .expect("tool_calls")
        .clone();
    messages.push(choice["message"].clone());
    for call in &calls {
        let arguments: Value =
            serde_json::from_str(call["function"]["arguments"].as_str().expect("text"))
                .expect("arguments are JSON");
        // The tool, run by the test.
        let result = format!(
            "{} is 21 degrees",
            arguments["city"].as_str().expect("a city")
        );
        messages.push(json!({"role": "tool", "tool_call_id": call["id"], "content": result}));
    }
    let (status, second) = post_json(&app, "/v1/chat/completions", &body(&messages)).await;
    assert_eq!(status, 200, "{second}");
    let choice = &second["choices"][0];
    assert_eq!(choice["finish_reason"], "stop");
    assert!(choice["message"].get("tool_calls").is_none());
    let text = choice["message"]["content"].as_str().expect("text");
    assert!(
        text.contains("get_weather") && text.contains("21 degrees"),
        "{text}"
    );
}

#[tokio::test]
async fn tool_choice_decides_whether_and_what_is_called() {
    let app = spawn_app().await;
    let tools = json!([
        {"type": "function", "function": {"name": "get_weather", "parameters": weather()}},
        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}},
    ]);
    let ask = |choice: Value, parallel: bool| {
        json!({"model": "sim-default", "seed": 2, "tools": tools, "tool_choice": choice,
            "parallel_tool_calls": parallel, "messages": [{"role": "user", "content": "hi"}]})
    };
    let (_, none) = post_json(&app, "/v1/chat/completions", &ask(json!("none"), true)).await;
    assert_eq!(none["choices"][0]["finish_reason"], "stop");
    let named = json!({"type": "function", "function": {"name": "get_time"}});
    let (_, named) = post_json(&app, "/v1/chat/completions", &ask(named, true)).await;
    let calls = named["choices"][0]["message"]["tool_calls"]
        .as_array()
        .expect("calls")
        .clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["function"]["name"], "get_time");
    for seed in 0..20 {
        let mut body = ask(json!("required"), false);
        body["seed"] = json!(seed);
        let (_, single) = post_json(&app, "/v1/chat/completions", &body).await;
        let calls = single["choices"][0]["message"]["tool_calls"]
            .as_array()
            .map(Vec::len);
        assert_eq!(calls, Some(1), "parallel_tool_calls false: one call");
    }
}

#[tokio::test]
async fn reasoning_comes_first_and_is_counted() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-default", "stream": true, "seed": 4, "reasoning_effort": "medium",
        "stream_options": {"include_usage": true},
        "messages": [{"role": "user", "content": "why is the sky blue?"}]});
    let chunks = completion_chunks(&app, body.clone()).await;
    let (mut reasoning, mut content, mut order) = (String::new(), String::new(), Vec::new());
    for chunk in &chunks {
        let delta = &chunk["choices"][0]["delta"];
        if let Some(text) = delta["reasoning_content"].as_str() {
            reasoning += text;
            order.push("reasoning");
        }
        if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
            content += text;
            order.push("content");
        }
    }
    let switch = order
        .iter()
        .position(|k| *k == "content")
        .expect("an answer");
    assert!(
        switch > 0 && order[switch..].iter().all(|k| *k == "content"),
        "{order:?}"
    );
    let usage = &chunks.last().expect("usage")["usage"];
    assert_eq!(
        usage["completion_tokens_details"]["reasoning_tokens"],
        json!(trickle::sim::count_tokens(&reasoning))
    );
    let again = completion_chunks(&app, body).await;
    assert_eq!(
        chunks.len(),
        again.len(),
        "the same seed gives the same reasoning"
    );
    let (status, error) = post_json(
        &app,
        "/v1/chat/completions",
        &json!({"model": "sim-default",
        "reasoning_effort": "extreme", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(
        (status, &error["error"]["param"]),
        (400, &json!("reasoning_effort"))
    );
}

#[tokio::test]
async fn structured_output_is_json_that_fits_the_schema() {
    let app = spawn_app().await;
    let schema = json!({"type": "object", "properties": {
        "steps": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "answer": {"type": "integer"}}, "required": ["steps", "answer"], "additionalProperties": false});
    let body = json!({"model": "sim-default", "seed": 8, "messages": [{"role": "user", "content": "2+2"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "math", "strict": true, "schema": schema}}});
    let (_, whole) = post_json(&app, "/v1/chat/completions", &body).await;
    let content = whole["choices"][0]["message"]["content"]
        .as_str()
        .expect("text");
    let document: Value = serde_json::from_str(content).expect("the content is JSON");
    assert_eq!(document, trickle::sim::schema::generate(&schema, 8));
    let mut streamed = body.clone();
    streamed["stream"] = json!(true);
    let text: String = completion_chunks(&app, streamed)
        .await
        .iter()
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(text, content, "streamed token by token, the same document");
    let body = json!({"model": "sim-default", "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_object"}});
    let (_, object) = post_json(&app, "/v1/chat/completions", &body).await;
    let content = object["choices"][0]["message"]["content"]
        .as_str()
        .expect("text");
    assert!(
        serde_json::from_str::<Value>(content)
            .expect("JSON")
            .is_object()
    );
}

fn anthropic_events(events: &[eventsource_stream::Event]) -> Vec<(String, Value)> {
    events.iter().map(|e| (e.event.clone(), json(e))).collect()
}

async fn anthropic_stream(app: &TestApp, body: Value) -> Vec<(String, Value)> {
    let request = app
        .client
        .post(app.url("/v1/messages"))
        .header("x-api-key", "any")
        .json(&body);
    anthropic_events(&events(open_stream(request).await).await)
}

#[tokio::test]
async fn thinking_is_a_signed_block_before_the_text() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-default", "max_tokens": 4000, "stream": true, "seed": 6,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [{"role": "user", "content": "why is the sky blue?"}]});
    let events = anthropic_stream(&app, body).await;
    let starts: Vec<&Value> = events
        .iter()
        .filter(|(name, _)| name == "content_block_start")
        .map(|(_, data)| data)
        .collect();
    assert_eq!(
        starts[0]["content_block"],
        json!({"type": "thinking", "thinking": "", "signature": ""})
    );
    assert_eq!(
        (
            starts[1]["index"].as_u64(),
            starts[1]["content_block"]["type"].as_str()
        ),
        (Some(1), Some("text"))
    );
    let deltas: Vec<&Value> = events
        .iter()
        .filter(|(name, data)| name == "content_block_delta" && data["index"] == 0)
        .map(|(_, data)| &data["delta"])
        .collect();
    let (signature, thinking) = deltas.split_last().expect("deltas");
    assert_eq!(
        signature["type"], "signature_delta",
        "the signature closes the block"
    );
    assert!(thinking.iter().all(|d| d["type"] == "thinking_delta"));
    let thought: String = thinking
        .iter()
        .filter_map(|d| d["thinking"].as_str())
        .collect();
    assert!(
        trickle::sim::count_tokens(&thought) <= 1024,
        "within budget_tokens"
    );
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "content_block_stop").count(),
        2
    );
    assert_eq!(names.last(), Some(&"message_stop"));
    let (status, error) = post_json(&app, "/v1/messages", &json!({"model": "sim-default", "max_tokens": 2000,
        "thinking": {"type": "enabled", "budget_tokens": 100}, "messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!(
        (status, &error["error"]["type"]),
        (400, &json!("invalid_request_error"))
    );
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("message")
            .contains("1024")
    );
}

#[tokio::test]
async fn an_agent_loop_on_messages_ends_with_text() {
    let app = spawn_app().await;
    let tools = json!([{"name": "get_weather", "input_schema": weather()}]);
    let mut messages = vec![json!({"role": "user", "content": "weather in Paris?"})];
    let body = json!({"model": "sim-default", "max_tokens": 500, "stream": true, "seed": 3,
        "tools": tools, "messages": messages});
    let events = anthropic_stream(&app, body).await;
    let mut blocks: Vec<Value> = Vec::new();
    for (name, data) in &events {
        match name.as_str() {
            "content_block_start" => blocks.push(data["content_block"].clone()),
            "content_block_delta" if data["delta"]["type"] == "input_json_delta" => {
                let block = blocks.last_mut().expect("a block");
                let sofar = block["partial"].as_str().unwrap_or("").to_owned();
                block["partial"] =
                    json!(sofar + data["delta"]["partial_json"].as_str().expect("text"));
            }
            "message_delta" => assert_eq!(data["delta"]["stop_reason"], "tool_use"),
            _ => {}
        }
    }
    let mut results = Vec::new();
    for block in &mut blocks {
        assert_eq!(block["type"], "tool_use");
        assert!(block["id"].as_str().expect("id").starts_with("toolu_"));
        assert_eq!(
            block["input"],
            json!({}),
            "input starts empty; the deltas fill it"
        );
        let input: Value =
            serde_json::from_str(block["partial"].as_str().expect("deltas")).expect("JSON");
        block["input"] = input;
        block.as_object_mut().expect("object").remove("partial");
        results.push(
            json!({"type": "tool_result", "tool_use_id": block["id"], "content": "18 degrees"}),
        );
    }
    messages.push(json!({"role": "assistant", "content": blocks}));
    messages.push(json!({"role": "user", "content": results}));
    let (status, answer) = post_json(
        &app,
        "/v1/messages",
        &json!({"model": "sim-default",
        "max_tokens": 500, "tools": tools, "messages": messages}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["stop_reason"], "end_turn");
    let text = answer["content"][0]["text"].as_str().expect("text");
    assert!(
        text.contains("get_weather") && text.contains("18 degrees"),
        "{text}"
    );
}
