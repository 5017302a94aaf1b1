//! `POST /v1/embeddings`, the model kinds that keep chat and embedding
//! models apart on every route, and the defaults a profile gives its
//! requests.

use std::collections::HashMap;

use serde_json::{Value, json};
use trickle::config::{Overrides, load_with_env};

use crate::helpers::*;

fn embeddings(app: &TestApp, body: Value) -> reqwest::RequestBuilder {
    app.client.post(app.url("/v1/embeddings")).json(&body)
}

async fn ok_json(request: reqwest::RequestBuilder) -> Value {
    let response = within("response", request.send()).await.expect("sent");
    let status = response.status();
    let body: Value = within("body", response.json()).await.expect("JSON");
    assert_eq!(status, 200, "{body}");
    body
}

/// Each vector of a float reply.
fn vectors(body: &Value) -> Vec<Vec<f32>> {
    let data = body["data"].as_array().expect("data");
    (data.iter().enumerate())
        .map(|(i, item)| {
            assert_eq!(
                (item["object"].as_str(), item["index"].as_u64()),
                (Some("embedding"), Some(i as u64))
            );
            let floats = item["embedding"].as_array().expect("a float array");
            floats
                .iter()
                .map(|x| x.as_f64().expect("a number") as f32)
                .collect()
        })
        .collect()
}

fn norm(v: &[f32]) -> f64 {
    v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt()
}

/// Decodes base64 of little-endian f32, as the official Python client does.
fn from_base64(text: &str) -> Vec<f32> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextets: Vec<u32> = (text.bytes())
        .filter(|&b| b != b'=')
        .map(|b| {
            ALPHABET
                .iter()
                .position(|&a| a == b)
                .expect("base64 alphabet") as u32
        })
        .collect();
    let bytes: Vec<u8> = sextets
        .chunks(4)
        .flat_map(|c| {
            let n = c
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, s)| n | s << (18 - 6 * i));
            n.to_be_bytes()[1..c.len()].to_vec()
        })
        .collect();
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[tokio::test]
async fn the_same_text_gives_the_same_vector_on_two_instances_and_other_texts_differ() {
    let (one, two) = (spawn_app().await, spawn_app().await);
    let body =
        json!({"model": "sim-embed", "input": ["the cat sat", "the cat sat", "the dog sat"]});
    let first = vectors(&ok_json(embeddings(&one, body.clone())).await);
    let second = vectors(&ok_json(embeddings(&two, body)).await);
    assert_eq!(first, second, "the same on every instance");
    assert_eq!(first[0], first[1], "the same text, the same vector");
    assert_ne!(first[0], first[2], "another text, another vector");
    for v in &first {
        assert_eq!(v.len(), 1536, "the profile's dimensions");
        assert!((norm(v) - 1.0).abs() < 1e-5, "unit length: {}", norm(v));
    }
}

#[tokio::test]
async fn the_reply_is_openais_list_with_usage_by_the_same_tokenizer() {
    let app = spawn_app().await;
    let texts = ["hello world", "emoji 🎉 and 日本語"];
    let body = ok_json(embeddings(
        &app,
        json!({"model": "sim-embed", "input": texts, "user": "ignored"}),
    ))
    .await;
    assert_eq!(
        (body["object"].as_str(), body["model"].as_str()),
        (Some("list"), Some("sim-embed"))
    );
    let tokens: u32 = texts.iter().map(|t| trickle::sim::count_tokens(t)).sum();
    assert_eq!(
        body["usage"],
        json!({"prompt_tokens": tokens, "total_tokens": tokens})
    );
}

#[tokio::test]
async fn dimensions_shorten_the_vector_which_stays_a_unit_prefix() {
    let app = spawn_app().await;
    let ask =
        |dimensions| json!({"model": "sim-embed", "input": "shorter", "dimensions": dimensions});
    let full = &vectors(&ok_json(embeddings(&app, ask(1536))).await)[0];
    let short = &vectors(&ok_json(embeddings(&app, ask(256))).await)[0];
    assert_eq!(short.len(), 256);
    assert!((norm(short) - 1.0).abs() < 1e-5, "{}", norm(short));
    let scale = norm(&full[..256]);
    for (s, f) in short.iter().zip(full) {
        assert!((f64::from(*s) - f64::from(*f) / scale).abs() < 1e-6);
    }
}

#[tokio::test]
async fn base64_decodes_to_exactly_the_float_vector() {
    let app = spawn_app().await;
    let ask =
        |format| json!({"model": "sim-embed", "input": ["a", "b"], "encoding_format": format});
    let floats = vectors(&ok_json(embeddings(&app, ask("float"))).await);
    let encoded = ok_json(embeddings(&app, ask("base64"))).await;
    let decoded: Vec<Vec<f32>> = (encoded["data"].as_array().expect("data").iter())
        .map(|item| from_base64(item["embedding"].as_str().expect("a base64 string")))
        .collect();
    assert_eq!(decoded, floats);
    let default = vectors(
        &ok_json(embeddings(
            &app,
            json!({"model": "sim-embed", "input": ["a", "b"]}),
        ))
        .await,
    );
    assert_eq!(default, floats, "float when encoding_format is not sent");
}

#[tokio::test]
async fn token_arrays_embed_as_the_text_they_stand_for() {
    let app = spawn_app().await;
    // "hello world" in o200k_base.
    let ids = [24912, 2375];
    let text = ok_json(embeddings(
        &app,
        json!({"model": "sim-embed", "input": "hello world"}),
    ))
    .await;
    let flat = ok_json(embeddings(
        &app,
        json!({"model": "sim-embed", "input": ids}),
    ))
    .await;
    let nested = ok_json(embeddings(
        &app,
        json!({"model": "sim-embed", "input": [ids, [24912]]}),
    ))
    .await;
    assert_eq!(vectors(&flat)[0], vectors(&text)[0]);
    assert_eq!(vectors(&nested)[0], vectors(&text)[0]);
    assert_eq!(vectors(&nested).len(), 2);
    assert_eq!(flat["usage"]["prompt_tokens"], 2);
    assert_eq!(nested["usage"]["prompt_tokens"], 3);
}

#[tokio::test]
async fn bad_requests_are_refused_in_openais_shape_naming_the_field() {
    let app = spawn_app().await;
    let many: Vec<&str> = vec!["a"; 2049];
    let long = " a".repeat(20_000);
    let long_tokens = trickle::sim::count_tokens(&long);
    assert!(long_tokens > 8192, "{long_tokens}");
    let cases = [
        (json!({"input": "hi"}), 400, "model", "you must provide a model parameter".to_owned()),
        (json!({"model": "gpt-x", "input": "hi"}), 404, "model", "unknown model \"gpt-x\": available models are sim-default, sim-echo, sim-embed, sim-fast, sim-prose, sim-reasoning, sim-slow".to_owned()),
        (json!({"model": "sim-default", "input": "hi"}), 400, "model", "\"sim-default\" is a chat model, not an embedding model; the embedding models are sim-embed".to_owned()),
        (json!({"model": "sim-embed"}), 400, "input", "you must provide an input parameter".to_owned()),
        (json!({"model": "sim-embed", "input": ""}), 400, "input", "input must not be an empty string".to_owned()),
        (json!({"model": "sim-embed", "input": []}), 400, "input", "input must not be an empty array".to_owned()),
        (json!({"model": "sim-embed", "input": ["a", ""]}), 400, "input", "input[1] must not be an empty string".to_owned()),
        (json!({"model": "sim-embed", "input": [[1], []]}), 400, "input", "input[1] must not be an empty array of tokens".to_owned()),
        (json!({"model": "sim-embed", "input": ["a", 1]}), 400, "input", "input must be a string, an array of strings, an array of token ids (integers from 0) or an array of such arrays".to_owned()),
        (json!({"model": "sim-embed", "input": [-1]}), 400, "input", "input must be a string, an array of strings, an array of token ids (integers from 0) or an array of such arrays".to_owned()),
        (json!({"model": "sim-embed", "input": [[24912, 999999]]}), 400, "input", "input[0] holds token 999999, which is not in the o200k_base vocabulary".to_owned()),
        (json!({"model": "sim-embed", "input": many}), 400, "input", "input holds 2049 items; at most 2048 are allowed in one request".to_owned()),
        (json!({"model": "sim-embed", "input": long}), 400, "input", format!("input is {long_tokens} tokens; at most 8192 are allowed in one input")),
        (json!({"model": "sim-embed", "input": "hi", "dimensions": 0}), 400, "dimensions", "dimensions must be 1 to 1536 for sim-embed (got 0)".to_owned()),
        (json!({"model": "sim-embed", "input": "hi", "dimensions": -3}), 400, "dimensions", "dimensions must be 1 to 1536 for sim-embed (got -3)".to_owned()),
        (json!({"model": "sim-embed", "input": "hi", "dimensions": 1537}), 400, "dimensions", "dimensions must be 1 to 1536 for sim-embed (got 1537)".to_owned()),
        (json!({"model": "sim-embed", "input": "hi", "encoding_format": "int8"}), 400, "encoding_format", "encoding_format must be \"float\" or \"base64\" (got \"int8\")".to_owned()),
    ];
    for (body, status, param, message) in cases {
        let response = within("error", embeddings(&app, body.clone()).send())
            .await
            .expect("sent");
        assert_eq!(response.status(), status, "{body}");
        let error: Value = within("body", response.json()).await.expect("JSON");
        let error = &error["error"];
        assert_eq!(error["param"], param, "{body}");
        assert_eq!(error["message"], message.as_str(), "{body}");
        assert!(error["type"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn embedding_models_are_refused_by_every_chat_route_in_its_own_shape() {
    let app = spawn_app().await;
    let message = "\"sim-embed\" is an embedding model: send it to POST /v1/embeddings; the models that chat are sim-default, sim-echo, sim-fast, sim-prose, sim-reasoning, sim-slow";
    let completion = json!({"model": "sim-embed", "messages": [{"role": "user", "content": "hi"}]});
    let anthropic = json!({"model": "sim-embed", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]});
    let native = json!({"model": "sim-embed", "prompt": "hi"});
    for (path, body, pointer) in [
        ("/v1/chat/completions", completion, "/error/message"),
        ("/v1/messages", anthropic, "/error/message"),
        ("/chat", native, "/error/message"),
    ] {
        let response = within(path, app.client.post(app.url(path)).json(&body).send())
            .await
            .expect("sent");
        assert_eq!(response.status(), 400, "{path}");
        let error: Value = within("body", response.json()).await.expect("JSON");
        assert_eq!(
            error.pointer(pointer).and_then(Value::as_str),
            Some(message),
            "{path}: {error}"
        );
        match path {
            "/v1/chat/completions" => assert_eq!(error["error"]["param"], "model"),
            "/v1/messages" => assert_eq!(error["type"], "error"),
            _ => assert_eq!(error["error"]["code"], "invalid_parameter"),
        }
    }
    let (status, _, got) = error_of(
        within("get", app.get_chat("prompt=hi&model=sim-embed").send())
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!((status, got.as_str()), (400, message));
}

#[tokio::test]
async fn the_model_list_says_what_each_model_does_and_its_defaults() {
    let app = spawn_app().await;
    let list = ok_json(app.client.get(app.url("/v1/models"))).await;
    let by_id: HashMap<&str, &Value> = (list["data"].as_array().expect("data").iter())
        .map(|m| (m["id"].as_str().expect("id"), m))
        .collect();
    let embed = by_id["sim-embed"];
    assert_eq!(
        (embed["kind"].as_str(), embed["dimensions"].as_u64()),
        (Some("embedding"), Some(1536))
    );
    assert!(
        embed.get("token_delay_ms").is_none(),
        "no pacing on an embedding model: {embed}"
    );
    let reasoning = by_id["sim-reasoning"];
    assert_eq!(
        (
            reasoning["kind"].as_str(),
            reasoning["reasoning_effort"].as_str()
        ),
        (Some("chat"), Some("medium"))
    );
    assert_eq!(by_id["sim-default"]["kind"], "chat");
    assert_eq!(by_id["sim-default"]["reasoning_effort"], Value::Null);
}

/// `body` with the fields of `extra` added or replaced.
fn with(mut body: Value, extra: Value) -> Value {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

#[tokio::test]
async fn a_reasoning_profile_reasons_on_chat_completions_unless_told_not_to() {
    let app = spawn_app().await;
    let ask = |model: &str, extra: Value| {
        let body =
            json!({"model": model, "seed": 3, "messages": [{"role": "user", "content": "why?"}]});
        (app.client.post(app.url("/v1/chat/completions"))).json(&with(body, extra))
    };
    let reasoning = |reply: &Value| {
        reply["choices"][0]["message"]
            .get("reasoning_content")
            .cloned()
    };
    let by_default = ok_json(ask("sim-reasoning", json!({}))).await;
    assert!(
        reasoning(&by_default).is_some_and(|r| r.as_str().is_some_and(|r| !r.is_empty())),
        "{by_default}"
    );
    let details = &by_default["usage"]["completion_tokens_details"];
    assert!(details["reasoning_tokens"].as_u64() > Some(0), "{details}");
    let off = ok_json(ask("sim-reasoning", json!({"reasoning_effort": "none"}))).await;
    assert_eq!(reasoning(&off), None, "\"none\" turns the default off");
    let plain = ok_json(ask("sim-default", json!({}))).await;
    assert_eq!(
        reasoning(&plain),
        None,
        "other profiles do not reason unasked"
    );
}

#[tokio::test]
async fn a_reasoning_profile_thinks_on_messages_unless_thinking_is_sent() {
    let app = spawn_app().await;
    let blocks = async |extra: Value| -> Vec<String> {
        let body = json!({"model": "sim-reasoning", "max_tokens": 8000, "messages": [{"role": "user", "content": "why?"}]});
        let reply = ok_json(
            app.client
                .post(app.url("/v1/messages"))
                .json(&with(body, extra)),
        )
        .await;
        (reply["content"].as_array().expect("content").iter())
            .map(|block| block["type"].as_str().expect("type").to_owned())
            .collect()
    };
    assert_eq!(blocks(json!({})).await, ["thinking", "text"]);
    let disabled = json!({"thinking": {"type": "disabled"}});
    assert_eq!(blocks(disabled).await, ["text"]);
    let small = json!({"max_tokens": 1024});
    assert_eq!(
        blocks(small).await,
        ["text"],
        "no room for the smallest budget"
    );
}

#[test]
fn profile_keys_must_fit_the_profiles_kind() {
    let env = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let cases = [
        (
            vec![
                ("TRICKLE__MODELS__PROFILES__SIM_X__KIND", "embedding"),
                ("TRICKLE__MODELS__PROFILES__SIM_X__TTFT_MS", "50"),
            ],
            "invalid config: models.profiles.sim_x.ttft_ms = 50 (allowed: unset: an embedding profile takes only kind, description and dimensions)",
        ),
        (
            vec![("TRICKLE__MODELS__PROFILES__SIM_X__DIMENSIONS", "64")],
            "invalid config: models.profiles.sim_x.dimensions = 64 (allowed: unset: dimensions is for profiles with kind = \"embedding\")",
        ),
        (
            vec![
                ("TRICKLE__MODELS__PROFILES__SIM_X__KIND", "embedding"),
                ("TRICKLE__MODELS__PROFILES__SIM_X__DIMENSIONS", "0"),
            ],
            "invalid config: models.profiles.sim_x.dimensions = 0 (allowed: 1 to 8192)",
        ),
        (
            vec![("TRICKLE__MODELS__DEFAULT", "sim-embed")],
            "invalid config: models.default = \"sim-embed\" (allowed: one of the chat profiles: sim-default, sim-echo, sim-fast, sim-prose, sim-reasoning, sim-slow)",
        ),
    ];
    for (pairs, line) in cases {
        let error = load_with_env(&Overrides::default(), Some(env(&pairs))).expect_err(line);
        assert_eq!(error, line);
    }
    // Words that are not one of an enum's names: the message names the
    // variable that set them and the words allowed.
    for (key, message) in [
        (
            ("TRICKLE__MODELS__PROFILES__SIM_X__KIND", "vector"),
            "invalid config: TRICKLE__MODELS__PROFILES__SIM_X__KIND: \"vector\" is not allowed (allowed: chat, embedding)",
        ),
        (
            ("TRICKLE__MODELS__PROFILES__SIM_X__REASONING_EFFORT", "max"),
            "invalid config: TRICKLE__MODELS__PROFILES__SIM_X__REASONING_EFFORT: \"max\" is not allowed (allowed: minimal, low, medium, high)",
        ),
    ] {
        let error = load_with_env(&Overrides::default(), Some(env(&[key]))).expect_err(message);
        assert!(error.starts_with(message), "{error}");
    }
}

#[tokio::test]
async fn a_reasoning_profile_reasons_on_responses_unless_told_not_to() {
    let app = spawn_app().await;
    let kinds = async |extra: Value| -> Vec<String> {
        let body = json!({"model": "sim-reasoning", "input": "why?"});
        let reply = ok_json(
            app.client
                .post(app.url("/v1/responses"))
                .json(&with(body, extra)),
        )
        .await;
        (reply["output"].as_array().expect("output").iter())
            .map(|item| item["type"].as_str().expect("type").to_owned())
            .collect()
    };
    assert_eq!(kinds(json!({})).await, ["reasoning", "message"]);
    let off = json!({"reasoning": {"effort": "none"}});
    assert_eq!(kinds(off).await, ["message"]);
}
