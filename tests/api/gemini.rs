//! Gemini's API: golden objects for a fixed seed on both stream wires (SSE
//! and the streamed JSON array, read incrementally as a client reads it and
//! as one document), the reply without streaming, `finishReason`, usage,
//! thinking, JSON output and `countTokens`; function calls and an agent
//! loop ([`agent`]); models, the `/v1/models` disambiguation and keys
//! ([`models`]); errors before and inside a stream ([`errors`]).

mod agent;
mod errors;
mod models;

use futures_util::StreamExt as _;
use reqwest::{RequestBuilder, Response};
use serde_json::{Value, json};
use trickle::sim::count_tokens;

use crate::helpers::*;

const GEMINI: &str = "gemini";

/// `POST {version}/models/{model}:{method}` with a JSON body.
fn call(app: &TestApp, version: &str, target: &str, body: &Value) -> RequestBuilder {
    let url = app.url(&format!("{version}/models/{target}"));
    app.client.post(url).json(body)
}

fn user(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

/// `base` with `extra`'s fields added.
fn with(mut base: Value, extra: Value) -> Value {
    for (key, value) in extra.as_object().expect("an object") {
        base[key] = value.clone();
    }
    base
}

/// The objects of an `alt=sse` stream, after checking that it has only
/// `data:` lines: no event names, ids, `retry:`, comments or `[DONE]`.
async fn sse_objects(request: RequestBuilder) -> Vec<Value> {
    let response = open_stream(request).await;
    let raw = body_text(response).await;
    for line in raw.split("\r\n").filter(|line| !line.is_empty()) {
        assert!(line.starts_with("data: {"), "only data lines: {line:?}");
    }
    assert!(raw.ends_with("}\r\n\r\n"), "{raw:?}");
    (raw.split("\r\n\r\n").filter(|e| !e.is_empty()))
        .map(|event| serde_json::from_str(&event["data: ".len()..]).expect("each event is JSON"))
        .collect()
}

/// Reads a streamed JSON array as a client does, each object as soon as
/// its bytes are in, and checks the whole body is the same array.
async fn array_objects(request: RequestBuilder) -> Vec<Value> {
    let response = within("response headers", request.send())
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let (objects, raw) = read_array(response).await;
    assert!(raw.starts_with("[{") && raw.ends_with("}]"), "{raw:?}");
    assert_eq!(
        raw.matches(",\r\n{").count() + 1,
        objects.len(),
        "`,\\r\\n` between objects: {raw:?}"
    );
    let document: Vec<Value> = serde_json::from_str(&raw).expect("the body is one JSON array");
    assert_eq!(document, objects);
    objects
}

/// The array's elements, parsed one by one as the bytes arrive, and the raw
/// body.
async fn read_array(response: Response) -> (Vec<Value>, String) {
    let (mut pending, mut raw, mut objects) = (Vec::new(), Vec::new(), Vec::new());
    let mut body = response.bytes_stream();
    while let Some(chunk) = within("a chunk", body.next()).await {
        let chunk = chunk.expect("body reads");
        raw.extend_from_slice(&chunk);
        pending.extend_from_slice(&chunk);
        loop {
            let skip = (pending.iter())
                .take_while(|b| b"[,] \r\n".contains(b))
                .count();
            pending.drain(..skip);
            let mut values = serde_json::Deserializer::from_slice(&pending).into_iter::<Value>();
            match values.next() {
                Some(Ok(value)) => {
                    let used = values.byte_offset();
                    objects.push(value);
                    pending.drain(..used);
                }
                Some(Err(e)) if e.is_eof() => break,
                None => break,
                Some(Err(e)) => panic!("not a JSON array element: {e}"),
            }
        }
    }
    (objects, String::from_utf8(raw).expect("UTF-8"))
}

/// The text of an object's parts, thoughts left out.
fn text_of(object: &Value) -> String {
    let parts = object["candidates"][0]["content"]["parts"].as_array();
    (parts.into_iter().flatten())
        .filter(|part| part["thought"] != true)
        .filter_map(|part| part["text"].as_str())
        .collect()
}

fn usage(prompt: u32, candidates: Option<u32>) -> Value {
    let mut usage = json!({"promptTokenCount": prompt});
    if let Some(candidates) = candidates {
        usage["candidatesTokenCount"] = json!(candidates);
    }
    usage["totalTokenCount"] = json!(prompt + candidates.unwrap_or(0));
    usage["promptTokensDetails"] = json!([{"modality": "TEXT", "tokenCount": prompt}]);
    usage
}

/// The golden reply: `sim-echo` says the prompt back, cut into BPE tokens.
fn golden(id: &str) -> Vec<Value> {
    let prompt = count_tokens("Hi 👋🏽");
    let tokens = ["Hi", " 👋", "🏽"];
    (tokens.iter().enumerate())
        .map(|(n, token)| {
            let last = n + 1 == tokens.len();
            let mut candidate = json!({"content": {"parts": [{"text": token}], "role": "model"}});
            if last {
                candidate["finishReason"] = json!("STOP");
            }
            candidate["index"] = json!(0);
            let candidates = last.then(|| count_tokens("Hi 👋🏽"));
            json!({"candidates": [candidate], "usageMetadata": usage(prompt, candidates),
                   "modelVersion": "sim-echo", "responseId": id})
        })
        .collect()
}

fn golden_body() -> Value {
    with(
        user("Hi 👋🏽"),
        json!({"generationConfig": {"seed": 7}, "safetySettings": []}),
    )
}

/// The response id a seed-7 reply carries, read from `objects`.
fn id_of(objects: &[Value]) -> String {
    let id = objects[0]["responseId"].as_str().expect("an id").to_owned();
    assert!(id.starts_with("0000000000000007") && id.len() == 24, "{id}");
    id
}

#[tokio::test]
async fn the_sse_stream_is_exactly_geminis() {
    let app = spawn_app().await;
    let target = "sim-echo:streamGenerateContent?alt=sse";
    let got = sse_objects(call(&app, "/v1beta", target, &golden_body())).await;
    assert_eq!(got, golden(&id_of(&got)));
    app.wait_for_no_streams(GEMINI).await;
}

#[tokio::test]
async fn without_alt_sse_the_stream_is_a_json_array_of_the_same_objects() {
    let app = spawn_app().await;
    let target = "sim-echo:streamGenerateContent";
    let got = array_objects(call(&app, "/v1beta", target, &golden_body())).await;
    assert_eq!(got, golden(&id_of(&got)));
    let under_v1 = array_objects(call(&app, "/v1", target, &golden_body())).await;
    assert_eq!(under_v1, got, "the same under /v1");
}

#[tokio::test]
async fn generate_content_answers_one_object_with_the_streamed_text_and_usage() {
    let app = spawn_app().await;
    let body = with(
        user("write a poem"),
        json!({"generationConfig": {"seed": 42}}),
    );
    let whole: Value = within(
        "reply",
        call(&app, "/v1", "sim-default:generateContent", &body).send(),
    )
    .await
    .expect("sent")
    .json()
    .await
    .expect("JSON");
    let streamed = sse_objects(call(
        &app,
        "/v1",
        "sim-default:streamGenerateContent?alt=sse",
        &body,
    ))
    .await;
    let text: String = streamed.iter().map(text_of).collect();
    assert!(!text.is_empty());
    assert_eq!(text_of(&whole), text);
    let last = streamed.last().expect("objects");
    assert_eq!(whole["usageMetadata"], last["usageMetadata"]);
    assert_eq!(whole["candidates"][0]["finishReason"], "STOP");
    assert_eq!(whole["responseId"], last["responseId"]);
    let usage = &whole["usageMetadata"];
    assert_eq!(usage["candidatesTokenCount"], count_tokens(&text));
    assert_eq!(
        usage["totalTokenCount"].as_u64(),
        Some(usage["promptTokenCount"].as_u64().expect("prompt") + u64::from(count_tokens(&text)))
    );
    let early = &streamed[0];
    assert_eq!(
        early["candidates"][0].get("finishReason"),
        None,
        "only the last says how it ended"
    );
    assert_eq!(
        early["usageMetadata"]["totalTokenCount"], usage["promptTokenCount"],
        "earlier objects count the prompt"
    );
}

#[tokio::test]
async fn max_output_tokens_ends_the_reply_with_max_tokens() {
    let app = spawn_app().await;
    let body = with(
        user("write a poem"),
        json!({"generationConfig": {"seed": 42, "maxOutputTokens": 4}}),
    );
    let cut = sse_objects(call(
        &app,
        "/v1beta",
        "sim-default:streamGenerateContent?alt=sse",
        &body,
    ))
    .await;
    let last = cut.last().expect("objects");
    assert_eq!(
        last["candidates"][0]["finishReason"], "MAX_TOKENS",
        "{last}"
    );
    let sent: String = cut.iter().map(text_of).collect();
    assert!(
        last["usageMetadata"]["candidatesTokenCount"]
            .as_u64()
            .is_some_and(|n| (1..=4).contains(&n))
    );
    assert_eq!(
        last["usageMetadata"]["candidatesTokenCount"],
        count_tokens(&sent)
    );
    let whole: Value = within(
        "reply",
        call(&app, "/v1beta", "sim-default:generateContent", &body).send(),
    )
    .await
    .expect("sent")
    .json()
    .await
    .expect("JSON");
    assert_eq!(
        (text_of(&whole), &whole["candidates"][0]["finishReason"]),
        (sent, &json!("MAX_TOKENS"))
    );
}

#[tokio::test]
async fn include_thoughts_sends_thought_parts_first_and_counts_them() {
    let app = spawn_app().await;
    let config =
        json!({"seed": 3, "thinkingConfig": {"includeThoughts": true, "thinkingBudget": 512}});
    let body = with(
        user("why is the sky blue"),
        json!({"generationConfig": config}),
    );
    let got = sse_objects(call(
        &app,
        "/v1beta",
        "sim-default:streamGenerateContent?alt=sse",
        &body,
    ))
    .await;
    let thought: Vec<bool> = (got.iter())
        .flat_map(|o| {
            o["candidates"][0]["content"]["parts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|part| part["thought"] == true)
        .collect();
    assert!(thought[0] && !thought[thought.len() - 1], "{thought:?}");
    assert!(
        thought.windows(2).all(|w| w[0] || !w[1]),
        "thoughts come first: {thought:?}"
    );
    let usage = &got.last().expect("objects")["usageMetadata"];
    let thoughts = usage["thoughtsTokenCount"]
        .as_u64()
        .expect("thoughts counted");
    assert!((1..=512).contains(&thoughts), "within the budget: {usage}");
    let sum = [
        "promptTokenCount",
        "candidatesTokenCount",
        "thoughtsTokenCount",
    ]
    .iter()
    .map(|key| usage[key].as_u64().expect("a count"))
    .sum::<u64>();
    assert_eq!(usage["totalTokenCount"], sum, "the total counts thoughts");
}

#[tokio::test]
async fn a_thinking_model_thinks_unseen_unless_thoughts_are_asked_for() {
    let app = spawn_app().await;
    let body = with(
        user("why is the sky blue"),
        json!({"generationConfig": {"seed": 3}}),
    );
    let unseen = array_objects(call(
        &app,
        "/v1beta",
        "sim-reasoning:streamGenerateContent",
        &body,
    ))
    .await;
    assert!(
        unseen
            .iter()
            .all(|o| !o.to_string().contains("\"thought\""))
    );
    let usage = &unseen.last().expect("objects")["usageMetadata"];
    assert!(
        usage["thoughtsTokenCount"].as_u64().is_some_and(|n| n > 0),
        "{usage}"
    );
    let off = with(
        body.clone(),
        json!({"generationConfig": {"seed": 3, "thinkingConfig": {"thinkingBudget": 0}}}),
    );
    let plain = array_objects(call(
        &app,
        "/v1beta",
        "sim-reasoning:streamGenerateContent",
        &off,
    ))
    .await;
    let usage = &plain.last().expect("objects")["usageMetadata"];
    assert_eq!(
        usage.get("thoughtsTokenCount"),
        None,
        "a budget of 0 turns it off: {usage}"
    );
    let text = |objects: &[Value]| objects.iter().map(text_of).collect::<String>();
    assert_eq!(text(&unseen), text(&plain), "the same answer");
}

#[tokio::test]
async fn a_json_mime_type_makes_the_answer_json() {
    let app = spawn_app().await;
    let schema = json!({"type": "OBJECT", "properties": {"city": {"type": "STRING"}}});
    for config in [
        json!({"responseMimeType": "application/json"}),
        json!({"responseMimeType": "application/json", "responseSchema": schema}),
        json!({"responseMimeType": "application/json", "responseJsonSchema": {"type": "object"}}),
    ] {
        let body = with(user("hi"), json!({"generationConfig": config}));
        let reply: Value = within(
            "reply",
            call(&app, "/v1beta", "sim-default:generateContent", &body).send(),
        )
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
        let text = text_of(&reply);
        let answer: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{config}: {text:?}: {e}"));
        assert!(answer.is_object(), "{config}: {answer}");
    }
}

#[tokio::test]
async fn count_tokens_is_the_prompt_token_count_of_the_same_contents() {
    let app = spawn_app().await;
    let contents = json!([
        {"role": "user", "parts": [{"text": "Hi 👋🏽"}]},
        {"role": "model", "parts": [{"text": "Hello! How can I help?"}]},
        {"role": "user", "parts": [{"text": "tell me about 日本語"}]},
    ]);
    let count = |body: Value| {
        let request = call(&app, "/v1beta", "sim-echo:countTokens", &body);
        async move {
            let reply = within("count", request.send()).await.expect("sent");
            assert_eq!(reply.status(), 200);
            reply.json::<Value>().await.expect("JSON")
        }
    };
    let counted = count(json!({"contents": contents})).await;
    let total = counted["totalTokens"].as_u64().expect("totalTokens");
    assert_eq!(
        counted["promptTokensDetails"],
        json!([{"modality": "TEXT", "tokenCount": total}])
    );
    let wrapped =
        json!({"generateContentRequest": {"model": "models/sim-echo", "contents": contents}});
    assert_eq!(count(wrapped).await["totalTokens"], total);
    let reply: Value = within(
        "reply",
        call(
            &app,
            "/v1beta",
            "sim-echo:generateContent",
            &json!({"contents": contents}),
        )
        .send(),
    )
    .await
    .expect("sent")
    .json()
    .await
    .expect("JSON");
    assert_eq!(reply["usageMetadata"]["promptTokenCount"], total);
}
