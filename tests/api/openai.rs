//! `/v1/chat/completions` and `/v1/models` through a real OpenAI client
//! (async-openai), plus golden checks of the exact chunks.

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestUserMessageArgs, ChatCompletionStreamOptions, CreateChatCompletionRequest,
    CreateChatCompletionRequestArgs, FinishReason,
};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::helpers::*;

fn client(app: &TestApp) -> Client<OpenAIConfig> {
    Client::with_config(
        OpenAIConfig::new()
            .with_api_base(app.url("/v1"))
            .with_api_key("any-key"),
    )
}

fn request(prompt: &str, model: &str, stream: bool) -> CreateChatCompletionRequestArgs {
    let message = ChatCompletionRequestUserMessageArgs::default()
        .content(prompt)
        .build()
        .expect("message");
    let mut args = CreateChatCompletionRequestArgs::default();
    args.model(model)
        .messages(vec![message.into()])
        .seed(42_i64)
        .stream(stream);
    args
}

fn build(args: &mut CreateChatCompletionRequestArgs) -> CreateChatCompletionRequest {
    args.build().expect("request")
}

#[tokio::test]
async fn the_openai_client_streams_and_gets_the_same_text_and_usage_as_without_streaming() {
    let app = spawn_app().await;
    let client = client(&app);
    let prompt = "tell me about emoji 🎉 and 日本語";
    let mut args = request(prompt, "sim-default", true);
    args.stream_options(ChatCompletionStreamOptions {
        include_usage: Some(true),
        include_obfuscation: None,
    });
    let mut stream = within("stream", client.chat().create_stream(build(&mut args)))
        .await
        .expect("stream opens");
    let (mut text, mut usage, mut finish, mut ids) = (String::new(), None, None, Vec::new());
    while let Some(chunk) = within("a chunk", stream.next()).await {
        let chunk = chunk.expect("a valid chunk");
        ids.push((chunk.id.clone(), chunk.created));
        if let Some(choice) = chunk.choices.first() {
            text.push_str(choice.delta.content.as_deref().unwrap_or(""));
            finish = finish.or(choice.finish_reason);
        }
        usage = usage.or(chunk.usage);
    }
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "the same id and created on every chunk"
    );
    assert_eq!(finish, Some(FinishReason::Stop));
    let usage = usage.expect("a usage chunk");
    let whole = within(
        "whole",
        client
            .chat()
            .create(build(&mut request(prompt, "sim-default", false))),
    )
    .await
    .expect("completion");
    assert_eq!(
        whole.choices[0].message.content.as_deref(),
        Some(text.as_str())
    );
    let expected = trickle::sim::responder::Canned::built_in()
        .expect("replies")
        .reply(prompt, 42);
    assert_eq!(text, &*expected, "tokens reassemble to the exact reply");
    let whole_usage = whole.usage.expect("usage");
    assert_eq!(
        (usage.prompt_tokens, usage.completion_tokens),
        (whole_usage.prompt_tokens, whole_usage.completion_tokens)
    );
    assert_eq!(usage.completion_tokens, trickle::sim::count_tokens(&text));
    assert_eq!(
        usage.total_tokens,
        usage.prompt_tokens + usage.completion_tokens
    );
}

#[tokio::test]
async fn max_tokens_cuts_the_reply_with_finish_reason_length() {
    let app = spawn_app().await;
    let client = client(&app);
    let mut args = request("hello", "sim-default", false);
    args.max_completion_tokens(5_u32);
    let response = within("completion", client.chat().create(build(&mut args)))
        .await
        .expect("completion");
    assert_eq!(
        response.choices[0].finish_reason,
        Some(FinishReason::Length)
    );
    let usage = response.usage.expect("usage");
    assert!(
        usage.completion_tokens <= 5 && usage.completion_tokens >= 4,
        "{usage:?}"
    );
    let mut args = request("hello", "sim-default", true);
    #[allow(deprecated)]
    args.max_tokens(5_u32);
    let mut stream = within("stream", client.chat().create_stream(build(&mut args)))
        .await
        .expect("stream");
    let mut finish = None;
    while let Some(chunk) = within("a chunk", stream.next()).await {
        if let Some(choice) = chunk.expect("chunk").choices.first() {
            finish = finish.or(choice.finish_reason);
        }
    }
    assert_eq!(finish, Some(FinishReason::Length));
}

#[tokio::test]
async fn an_unknown_model_is_the_clients_api_error() {
    let app = spawn_app().await;
    let error = within(
        "completion",
        client(&app)
            .chat()
            .create(build(&mut request("hi", "gpt-9", false))),
    )
    .await
    .expect_err("unknown model");
    let OpenAIError::ApiError(response) = error else {
        panic!("not an API error: {error}")
    };
    let api = response.api_error;
    assert_eq!(api.code.as_deref(), Some("model_not_found"));
    assert_eq!(api.param.as_deref(), Some("model"));
    assert!(api.message.contains("sim-default"), "{}", api.message);
}

#[tokio::test]
async fn the_model_list_is_readable_by_the_client() {
    let app = spawn_app().await;
    let list = within("models", client(&app).models().list())
        .await
        .expect("list");
    assert!(list.data.iter().any(|m| m.id == "sim-echo"));
}

/// The exact chunk sequence for a fixed seed, with `created` normalised.
#[tokio::test]
async fn the_chunk_sequence_is_exactly_openais() {
    let app = spawn_app().await;
    let body = json!({
        "model": "sim-echo", "seed": 7, "stream": true, "stream_options": {"include_usage": true},
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Hi 👋🏽"}],
        "temperature": 0.2, "user": "ignored"
    });
    let response = open_stream(app.client.post(app.url("/v1/chat/completions")).json(&body)).await;
    let raw = body_text(response).await;
    assert!(
        !raw.contains("retry:") && !raw.contains("\nid:") && !raw.contains("event:"),
        "OpenAI framing only: {raw}"
    );
    let blocks: Vec<&str> = raw.split("\n\n").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.last(), Some(&"data: [DONE]"));
    let chunks: Vec<Value> = blocks[..blocks.len() - 1]
        .iter()
        .map(|b| {
            let mut chunk: Value =
                serde_json::from_str(b.strip_prefix("data: ").expect("a data line")).expect("JSON");
            chunk["created"] = json!(0);
            chunk
        })
        .collect();
    let id = chunks[0]["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("chatcmpl-"));
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": id, "object": "chat.completion.chunk", "created": 0, "model": "sim-echo",
            "system_fingerprint": "fp_trickle",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
            "usage": null,
        })
    };
    let prompt_tokens = 3
        + 2 * 3
        + [("system", "be brief"), ("user", "Hi 👋🏽")]
            .iter()
            .map(|(r, c)| trickle::sim::count_tokens(r) + trickle::sim::count_tokens(c))
            .sum::<u32>();
    let mut expected = vec![chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
    )];
    // BPE splits the skin-tone modifier into its own token, as real models do.
    for token in ["Hi", " 👋", "🏽"] {
        expected.push(chunk(json!({"content": token}), Value::Null));
    }
    expected.push(chunk(json!({}), json!("stop")));
    let completion_tokens = trickle::sim::count_tokens("Hi 👋🏽");
    expected.push(json!({
        "id": id, "object": "chat.completion.chunk", "created": 0, "model": "sim-echo",
        "system_fingerprint": "fp_trickle", "choices": [],
        "usage": {
            "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
    }));
    assert_eq!(chunks, expected);
}

#[tokio::test]
async fn bad_requests_get_openais_error_shape() {
    let app = spawn_app().await;
    let post = |body: &str| {
        app.client
            .post(app.url("/v1/chat/completions"))
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    let cases = [
        ("not JSON", post("{"), 400, "body"),
        (
            "no model",
            post(r#"{"messages":[{"role":"user","content":"hi"}]}"#),
            400,
            "model",
        ),
        (
            "no user message",
            post(r#"{"model":"sim-echo","messages":[{"role":"system","content":"x"}]}"#),
            400,
            "messages",
        ),
        (
            "n of 2",
            post(r#"{"model":"sim-echo","n":2,"messages":[{"role":"user","content":"hi"}]}"#),
            400,
            "n",
        ),
        (
            "empty prompt",
            post(r#"{"model":"sim-echo","messages":[{"role":"user","content":"  "}]}"#),
            422,
            "messages",
        ),
        (
            "unknown model",
            post(r#"{"model":"nope","messages":[{"role":"user","content":"hi"}]}"#),
            404,
            "model",
        ),
    ];
    for (what, request, status, param) in cases {
        let response = within(what, request.send()).await.expect("sent");
        assert_eq!(response.status(), status, "{what}");
        let body: Value = response.json().await.expect("JSON");
        let error = &body["error"];
        assert_eq!(error["param"], param, "{what}: {body}");
        assert!(
            error["message"].is_string()
                && error["type"].is_string()
                && error.get("code").is_some(),
            "{what}: {body}"
        );
    }
}

#[tokio::test]
async fn a_fault_after_the_start_is_an_error_chunk() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    let body = json!({"model": "sim-echo", "stream": true, "messages": [{"role": "user", "content": "one two three four"}]});
    let request = app
        .client
        .post(app.url("/v1/chat/completions"))
        .json(&body)
        .header("x-trickle-fault", "stream_error@2");
    let raw = body_text(open_stream(request).await).await;
    let last = raw
        .split("\n\n")
        .filter(|b| !b.is_empty())
        .last()
        .expect("a block");
    let error: Value =
        serde_json::from_str(last.strip_prefix("data: ").expect("data")).expect("JSON");
    assert_eq!(error["error"]["code"], "injected_fault");
    let request = app
        .client
        .post(app.url("/v1/chat/completions"))
        .json(&body)
        .header("x-trickle-fault", "status=429;retry_after=3");
    let response = within("429", request.send()).await.expect("sent");
    assert_eq!(
        (
            response.status().as_u16(),
            response.headers()["retry-after"].to_str().ok()
        ),
        (429, Some("3"))
    );
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["type"], "rate_limit_error");
}
