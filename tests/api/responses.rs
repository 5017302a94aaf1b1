//! `/v1/responses`: golden event sequences for a fixed seed (text, a function
//! call, reasoning with a summary) and the object without streaming; how a
//! response ends short ([`ends`]) and one agent loop ([`agent`]).

mod agent;
mod ends;

use serde_json::{Value, json};
use trickle::sim::count_tokens;

use crate::helpers::*;

fn post(app: &TestApp, body: &Value) -> reqwest::RequestBuilder {
    app.client.post(app.url("/v1/responses")).json(body)
}

/// A stream's events as (name, data), after checking what every Responses
/// event shares: its name is its data's `type`, and `sequence_number` runs
/// from 0 without gaps. Timestamps are set to 0.
async fn stream_of(request: reqwest::RequestBuilder) -> Vec<(String, Value)> {
    let events = events(open_stream(request).await).await;
    (events.iter().enumerate())
        .map(|(index, event)| {
            let mut data = json(event);
            assert_eq!(
                data["type"], event.event,
                "event {index}: name and type agree"
            );
            assert_eq!(
                data["sequence_number"], index,
                "event {index} of {events:?}"
            );
            zero_timestamps(&mut data);
            (event.event.clone(), data)
        })
        .collect()
}

fn zero_timestamps(value: &mut Value) {
    if let Some(response) = value.get_mut("response") {
        zero_timestamps(response);
    }
    for key in ["created_at", "completed_at"] {
        if let Some(at) = value.get_mut(key) {
            *at = json!(0);
        }
    }
}

/// The `response` object as trickle sends it for a request with only
/// `model`, `input` and `instructions`.
fn response(id: &str, status: &str, instructions: Value, output: Value) -> Value {
    json!({
        "id": id, "object": "response", "created_at": 0, "status": status, "background": false,
        "error": null, "incomplete_details": null, "instructions": instructions,
        "max_output_tokens": null, "max_tool_calls": null, "model": "sim-echo", "output": output,
        "parallel_tool_calls": true, "previous_response_id": null,
        "reasoning": {"effort": null, "summary": null}, "service_tier": "default", "store": false,
        "temperature": 1.0, "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto", "tools": [], "top_p": 1.0, "truncation": "disabled", "usage": null,
        "metadata": {},
    })
}

fn usage(input: u32, output: u32, reasoning: u32) -> Value {
    json!({
        "input_tokens": input, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output, "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input + output,
    })
}

fn message(id: &str, status: &str, text: Option<&str>) -> Value {
    let content: Vec<Value> = (text.into_iter())
        .map(|t| json!({"type": "output_text", "annotations": [], "logprobs": [], "text": t}))
        .collect();
    json!({"id": id, "type": "message", "status": status, "content": content, "role": "assistant"})
}

/// `base` with `extra`'s fields added after its own.
fn merged(mut base: Value, extra: Value) -> Value {
    for (key, value) in extra.as_object().expect("an object") {
        base[key] = value.clone();
    }
    base
}

fn event(name: &str, sequence: usize, body: Value) -> (String, Value) {
    let data = merged(json!({"type": name, "sequence_number": sequence}), body);
    (name.to_owned(), data)
}

/// Tokens in the golden request's input: the instructions as a developer
/// message, the user's message, and three of framing.
fn golden_input_tokens() -> u32 {
    [("developer", "be brief"), ("user", "Hi 👋🏽")]
        .iter()
        .map(|(role, text)| 3 + count_tokens(role) + count_tokens(text))
        .sum::<u32>()
        + 3
}

#[tokio::test]
async fn the_text_event_sequence_is_exactly_openais() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "seed": 7, "stream": true, "input": "Hi 👋🏽",
                      "instructions": "be brief", "user": "ignored"});
    let raw = body_text(open_stream(post(&app, &body)).await).await;
    assert!(
        !raw.contains("[DONE]") && !raw.contains("retry:") && !raw.contains("\nid:"),
        "{raw}"
    );
    let got = stream_of(post(&app, &body)).await;
    let id = got[0].1["response"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert!(id.starts_with("resp_"), "{id}");
    let msg = format!("msg_{}0000", &id["resp_".len()..]);
    let open = response(&id, "in_progress", json!("be brief"), json!([]));
    let text = "Hi 👋🏽";
    let ids = json!({"item_id": msg, "output_index": 0, "content_index": 0});
    let with = |extra: Value| merged(ids.clone(), extra);
    let part = |text: &str| json!({"type": "output_text", "annotations": [], "logprobs": [], "text": text});
    let mut done = response(
        &id,
        "completed",
        json!("be brief"),
        json!([message(&msg, "completed", Some(text))]),
    );
    done["usage"] = usage(golden_input_tokens(), count_tokens(text), 0);
    done["completed_at"] = json!(0);
    let mut expected = vec![
        event("response.created", 0, json!({"response": open})),
        event("response.in_progress", 1, json!({"response": open})),
        event(
            "response.output_item.added",
            2,
            json!({"output_index": 0, "item": message(&msg, "in_progress", None)}),
        ),
        event(
            "response.content_part.added",
            3,
            with(json!({"part": part("")})),
        ),
    ];
    // BPE splits the skin-tone modifier into its own token, as real models do.
    for (n, token) in ["Hi", " 👋", "🏽"].iter().enumerate() {
        let delta = with(json!({"delta": token, "logprobs": []}));
        expected.push(event("response.output_text.delta", 4 + n, delta));
    }
    expected.extend([
        event(
            "response.output_text.done",
            7,
            with(json!({"text": text, "logprobs": []})),
        ),
        event(
            "response.content_part.done",
            8,
            with(json!({"part": part(text)})),
        ),
        event(
            "response.output_item.done",
            9,
            json!({"output_index": 0, "item": message(&msg, "completed", Some(text))}),
        ),
        event("response.completed", 10, json!({"response": done})),
    ]);
    assert_eq!(got, expected);
}

#[tokio::test]
async fn without_streaming_the_reply_is_one_response_object() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "seed": 7, "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "Hi 👋🏽"}]}
    ], "instructions": "be brief"});
    let reply = within("response", post(&app, &body).send())
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
    let mut object: Value = reply.json().await.expect("JSON");
    zero_timestamps(&mut object);
    let id = object["id"].as_str().expect("an id").to_owned();
    let msg = format!("msg_{}0000", &id["resp_".len()..]);
    let mut expected = response(
        &id,
        "completed",
        json!("be brief"),
        json!([message(&msg, "completed", Some("Hi 👋🏽"))]),
    );
    expected["usage"] = usage(golden_input_tokens(), count_tokens("Hi 👋🏽"), 0);
    expected["completed_at"] = json!(0);
    assert_eq!(object, expected);
}

fn weather_tool() -> Value {
    json!({"type": "function", "name": "get_weather", "description": "The weather in a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}})
}

/// The deltas of `name` events, each checked to belong to `item_id` at
/// `output_index`, concatenated.
fn deltas(got: &[(String, Value)], name: &str, item_id: &str, output_index: usize) -> String {
    (got.iter().filter(|(n, _)| n == name))
        .map(|(_, data)| {
            assert_eq!(
                (&data["item_id"], &data["output_index"]),
                (&json!(item_id), &json!(output_index)),
                "{data}"
            );
            data["delta"].as_str().expect("a delta").to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_function_call_is_one_item_with_its_arguments_streamed() {
    let app = spawn_app().await;
    let prompt = "What is the weather in Paris?";
    let body = json!({"model": "sim-echo", "seed": 7, "stream": true, "input": prompt,
                      "tools": [weather_tool()], "tool_choice": "required", "parallel_tool_calls": false});
    let got = stream_of(post(&app, &body)).await;
    let added = &got[2].1["item"];
    let fc = added["id"].as_str().expect("an item id").to_owned();
    let call = added["call_id"].as_str().expect("a call id").to_owned();
    assert_eq!(
        fc.strip_prefix("fc_"),
        call.strip_prefix("call_"),
        "one random id, two prefixes"
    );
    let arguments = deltas(&got, "response.function_call_arguments.delta", &fc, 0);
    serde_json::from_str::<Value>(&arguments).expect("the arguments are JSON");
    let item = |status: &str, arguments: &str| {
        json!({"id": fc, "type": "function_call", "status": status, "arguments": arguments,
               "call_id": call, "name": "get_weather"})
    };
    let id = got[0].1["response"]["id"].as_str().expect("an id");
    let mut open = response(id, "in_progress", Value::Null, json!([]));
    let mut tool = weather_tool();
    tool["strict"] = json!(true);
    (
        open["tools"],
        open["tool_choice"],
        open["parallel_tool_calls"],
    ) = (json!([tool]), json!("required"), json!(false));
    let mut done = open.clone();
    (done["status"], done["output"], done["completed_at"]) = (
        json!("completed"),
        json!([item("completed", &arguments)]),
        json!(0),
    );
    done["usage"] = usage(
        3 + count_tokens("user") + count_tokens(prompt) + 3,
        count_tokens(&arguments),
        0,
    );
    let mut expected = vec![
        event("response.created", 0, json!({"response": open})),
        event("response.in_progress", 1, json!({"response": open})),
        event(
            "response.output_item.added",
            2,
            json!({"output_index": 0, "item": item("in_progress", "")}),
        ),
    ];
    let tokens = got.len() - 6;
    expected.extend(got[3..3 + tokens].iter().cloned());
    expected.extend([
        event("response.function_call_arguments.done", 3 + tokens,
              json!({"item_id": fc, "output_index": 0, "name": "get_weather", "arguments": arguments})),
        event("response.output_item.done", 4 + tokens, json!({"output_index": 0, "item": item("completed", &arguments)})),
        event("response.completed", 5 + tokens, json!({"response": done})),
    ]);
    assert_eq!(got, expected);
}

#[tokio::test]
async fn a_reasoning_summary_comes_first_and_shifts_the_message_to_output_index_1() {
    use trickle::sim::shape::{Effort, Reasoning, Shape};
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "seed": 7, "stream": true, "input": "Hi",
                      "reasoning": {"effort": "minimal", "summary": "auto"}});
    let got = stream_of(post(&app, &body)).await;
    let shape = Shape {
        reasoning: Some(Reasoning {
            effort: Effort::Minimal,
            budget_tokens: None,
        }),
        ..Shape::default()
    };
    let reasoning = shape.parts("Hi", "Hi", 7, String::new).remove(0).1;
    let id = got[0].1["response"]["id"].as_str().expect("an id");
    let (rs, msg) = (
        format!("rs_{}0000", &id[5..]),
        format!("msg_{}0001", &id[5..]),
    );
    assert_eq!(
        deltas(&got, "response.reasoning_summary_text.delta", &rs, 0),
        reasoning
    );
    assert_eq!(deltas(&got, "response.output_text.delta", &msg, 1), "Hi");
    let summary = json!([{"type": "summary_text", "text": reasoning}]);
    let thought = json!({"id": rs, "type": "reasoning", "summary": summary});
    let mut names: Vec<(&str, Value)> = got
        .iter()
        .map(|(n, d)| (n.as_str(), d["output_index"].clone()))
        .collect();
    names.dedup();
    assert_eq!(
        names,
        [
            ("response.created", Value::Null),
            ("response.in_progress", Value::Null),
            ("response.output_item.added", json!(0)),
            ("response.reasoning_summary_part.added", json!(0)),
            ("response.reasoning_summary_text.delta", json!(0)),
            ("response.reasoning_summary_text.done", json!(0)),
            ("response.reasoning_summary_part.done", json!(0)),
            ("response.output_item.done", json!(0)),
            ("response.output_item.added", json!(1)),
            ("response.content_part.added", json!(1)),
            ("response.output_text.delta", json!(1)),
            ("response.output_text.done", json!(1)),
            ("response.content_part.done", json!(1)),
            ("response.output_item.done", json!(1)),
            ("response.completed", Value::Null),
        ]
    );
    assert_eq!(
        got[2].1["item"],
        json!({"id": rs, "type": "reasoning", "summary": []})
    );
    let completed = &got.last().expect("events").1["response"];
    assert_eq!(
        completed["output"],
        json!([thought, message(&msg, "completed", Some("Hi"))])
    );
    assert_eq!(
        completed["reasoning"],
        json!({"effort": "minimal", "summary": "auto"})
    );
    let reasoning_tokens = count_tokens(&reasoning);
    assert_eq!(
        completed["usage"]["output_tokens_details"]["reasoning_tokens"],
        reasoning_tokens
    );
    assert_eq!(
        completed["usage"]["output_tokens"],
        reasoning_tokens + count_tokens("Hi")
    );
}

#[tokio::test]
async fn reasoning_without_a_summary_shows_its_item_and_its_tokens_only() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-echo", "seed": 7, "stream": true, "input": "Hi",
                      "reasoning": {"effort": "low"}});
    let got = stream_of(post(&app, &body)).await;
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        &names[2..4],
        ["response.output_item.added", "response.output_item.done"]
    );
    assert_eq!(got[3].1["item"]["summary"], json!([]));
    assert!(!names.iter().any(|n| n.contains("reasoning")), "{names:?}");
    let usage = &got.last().expect("events").1["response"]["usage"];
    assert!(
        usage["output_tokens_details"]["reasoning_tokens"].as_u64() > Some(0),
        "{usage}"
    );
}

#[tokio::test]
async fn sequence_numbers_run_from_zero_without_gaps_across_every_item() {
    let app = spawn_app().await;
    for seed in 1..=4 {
        let body = json!({"model": "sim-default", "seed": seed, "stream": true, "input": "Weather?",
                          "reasoning": {"summary": "detailed"}, "tools": [weather_tool()]});
        let got = stream_of(post(&app, &body)).await;
        let items: Vec<&Value> = (got.iter())
            .filter(|(n, _)| n == "response.output_item.done")
            .map(|(_, d)| &d["item"])
            .collect();
        assert!(items.len() >= 2, "reasoning, then one to three calls");
        for (index, item) in items.iter().enumerate() {
            let id = item["id"].as_str().expect("an id");
            let events = (got.iter()).filter(|(_, d)| d["output_index"] == index);
            assert!(
                events
                    .clone()
                    .all(|(_, d)| d.get("item_id").is_none_or(|i| i == id)),
                "seed {seed}"
            );
            assert!(events.count() >= 3, "seed {seed}: added, deltas, done");
        }
    }
}
