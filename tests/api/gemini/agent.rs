//! Function calling: each call is one `functionCall` part with its whole
//! `args`, on both wires; `functionCallingConfig` picks whether and which;
//! an agent loop sends the calls back with `functionResponse` parts and
//! gets text about the result.

use serde_json::{Value, json};

use super::{array_objects, call, sse_objects, user, with};
use crate::helpers::*;

fn weather() -> Value {
    json!([{"functionDeclarations": [
        {"name": "get_weather", "description": "The weather in a city",
         "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}},
        {"name": "get_time", "parametersJsonSchema": {"type": "object", "properties": {"zone": {"type": "string"}}}},
    ]}, {"googleSearch": {}}])
}

/// The `functionCall`s among `objects`' parts, after checking that each
/// object holding one holds nothing else.
fn calls(objects: &[Value]) -> Vec<Value> {
    let mut calls = Vec::new();
    for object in objects {
        let parts = object["candidates"][0]["content"]["parts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if parts.iter().any(|p| p.get("functionCall").is_some()) {
            assert!(
                parts.iter().all(|p| p.get("functionCall").is_some()),
                "{object}"
            );
            calls.extend(parts.into_iter().map(|p| p["functionCall"].clone()));
        }
    }
    calls
}

#[tokio::test]
async fn a_function_call_is_one_part_with_its_whole_args_on_both_wires() {
    let app = spawn_app().await;
    let body = with(
        user("What is the weather in Paris?"),
        json!({"tools": weather(),
        "generationConfig": {"seed": 11}}),
    );
    let sse = sse_objects(call(
        &app,
        "/v1beta",
        "sim-default:streamGenerateContent?alt=sse",
        &body,
    ))
    .await;
    let array = array_objects(call(
        &app,
        "/v1beta",
        "sim-default:streamGenerateContent",
        &body,
    ))
    .await;
    for objects in [&sse, &array] {
        let calls = calls(objects);
        assert!((1..=3).contains(&calls.len()), "{objects:?}");
        for call in &calls {
            let keys: Vec<&str> = call
                .as_object()
                .expect("an object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, ["id", "name", "args"], "{call}");
            assert!(["get_weather", "get_time"].contains(&call["name"].as_str().expect("a name")));
            assert!(call["args"].is_object(), "{call}");
        }
        let last = objects.last().expect("objects");
        assert_eq!(last["candidates"][0]["finishReason"], "STOP", "{last}");
        assert!(
            last["usageMetadata"]["candidatesTokenCount"]
                .as_u64()
                .is_some_and(|n| n > 0)
        );
    }
    let names = |objects: &[Value]| {
        calls(objects)
            .iter()
            .map(|c| c["name"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&sse),
        names(&array),
        "the same seed calls the same functions"
    );
}

#[tokio::test]
async fn function_calling_config_decides_whether_and_which() {
    let app = spawn_app().await;
    let mode = |config: Value| {
        with(
            user("What is the weather in Paris?"),
            json!({"tools": weather(),
            "toolConfig": {"functionCallingConfig": config}, "generationConfig": {"seed": 5}}),
        )
    };
    let called = |body: Value| {
        let request = call(&app, "/v1", "sim-default:generateContent", &body);
        async move {
            let reply: Value = within("reply", request.send())
                .await
                .expect("sent")
                .json()
                .await
                .expect("JSON");
            calls(&[reply])
                .iter()
                .map(|c| c["name"].as_str().expect("a name").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(
        called(mode(json!({"mode": "NONE"}))).await.is_empty(),
        "NONE: no call"
    );
    assert!(
        !called(mode(json!({"mode": "ANY"}))).await.is_empty(),
        "ANY: a call"
    );
    let only = called(mode(
        json!({"mode": "ANY", "allowedFunctionNames": ["get_time"]}),
    ))
    .await;
    assert_eq!(
        only,
        ["get_time"],
        "ANY with one allowed name: that one, once"
    );
}

#[tokio::test]
async fn an_agent_loop_ends_with_text_about_the_function_response() {
    let app = spawn_app().await;
    let mut contents =
        vec![json!({"role": "user", "parts": [{"text": "What is the weather in Paris?"}]})];
    let request = |contents: &[Value]| json!({"contents": contents, "tools": weather(), "systemInstruction": {"parts": [{"text": "be brief"}]}});
    let first = sse_objects(call(
        &app,
        "/v1beta",
        "sim-default:streamGenerateContent?alt=sse",
        &request(&contents),
    ))
    .await;
    let made = calls(&first);
    assert!(!made.is_empty(), "{first:?}");
    let parts: Vec<Value> = made.iter().map(|c| json!({"functionCall": c})).collect();
    contents.push(json!({"role": "model", "parts": parts}));
    let responses: Vec<Value> = (made.iter())
        .map(|c| json!({"functionResponse": {"id": c["id"], "name": c["name"], "response": {"result": "21°C"}}}))
        .collect();
    contents.push(json!({"role": "user", "parts": responses}));
    let second = sse_objects(call(
        &app,
        "/v1beta",
        "sim-default:streamGenerateContent?alt=sse",
        &request(&contents),
    ))
    .await;
    assert!(calls(&second).is_empty(), "no more calls: {second:?}");
    let text: String = second.iter().map(super::text_of).collect();
    let name = made[0]["name"].as_str().expect("a name");
    assert!(text.contains(name) && text.contains("21°C"), "{text}");
    assert_eq!(
        second.last().expect("objects")["candidates"][0]["finishReason"],
        "STOP"
    );
}
