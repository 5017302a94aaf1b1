//! `/chat`: the stream's shape, units, byte-exact framing, determinism.

use serde_json::json;
use trickle::sim::responder::Canned;
use unicode_segmentation::UnicodeSegmentation as _;

use crate::helpers::*;

#[tokio::test]
async fn post_chat_sends_retry_meta_tokens_and_done_then_ends() {
    let app = spawn_app().await;
    let response = open_stream(app.post_chat(json!({"prompt": "hi", "seed": 42}))).await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let raw = body_text(response).await;
    assert!(raw.starts_with("retry: "), "retry is not first: {raw:.40}");
    let events = events_of(&raw).await;
    assert_eq!(events[0].event, "meta");
    let meta = json(&events[0]);
    assert_eq!(meta["model"], "sim-default");
    assert_eq!(meta["seed"], 42);
    assert_eq!(meta["unit"], "char");
    let reply = reply(&events);
    let expected = Canned::built_in()
        .expect("built-in replies")
        .reply("hi", 42);
    assert_eq!(reply.text, &*expected);
    assert!(
        reply.tokens.iter().all(|t| !t.id.is_empty()),
        "every token has an id"
    );
    assert_eq!(reply.last.event, "done");
    assert!(!reply.last.id.is_empty(), "done carries an id");
    let done = json(&reply.last);
    assert_eq!(done["finish_reason"], "stop");
    assert_eq!(done["tokens"], reply.tokens.len());
    assert_eq!(done["chars"], expected.graphemes(true).count());
    assert!(
        done["ttft_ms"].is_u64() && done["elapsed_ms"].is_u64(),
        "{done}"
    );
}

#[tokio::test]
async fn curl_style_body_without_a_json_content_type_streams() {
    let app = spawn_app().await;
    // What `curl -N localhost:8080/chat -d '{"prompt":"hi"}'` sends.
    let request = app
        .client
        .post(app.url("/chat"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r#"{"prompt":"hi","model":"sim-echo"}"#);
    let reply = reply(&events(open_stream(request).await).await);
    assert_eq!(reply.text, "hi");
}

#[tokio::test]
async fn a_form_body_and_a_get_query_stream_too() {
    let app = spawn_app().await;
    let form = app
        .client
        .post(app.url("/chat"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("prompt=hello%20there&model=sim-echo");
    assert_eq!(
        reply(&events(open_stream(form).await).await).text,
        "hello there"
    );
    let get = app.get_chat("prompt=hi%20%F0%9F%91%8B&model=sim-echo");
    assert_eq!(reply(&events(open_stream(get).await).await).text, "hi 👋");
}

#[tokio::test]
async fn char_tokens_are_whole_grapheme_clusters() {
    let app = spawn_app().await;
    let prompt = "👨‍👩‍👧‍👦👍🏽🇯🇵e\u{301}漢字한국";
    let response = open_stream(app.post_chat(json!({"prompt": prompt, "model": "sim-echo"}))).await;
    let reply = reply(&events(response).await);
    let tokens: Vec<&str> = reply.tokens.iter().map(|t| t.data.as_str()).collect();
    assert_eq!(tokens, prompt.graphemes(true).collect::<Vec<_>>());
    assert_eq!(tokens.len(), 8);
}

#[tokio::test]
async fn word_tokens_keep_their_whitespace() {
    let app = spawn_app().await;
    let prompt = "  Leading spaces,\ttabs and\n\nblank lines ";
    let body = json!({"prompt": prompt, "model": "sim-echo", "unit": "word"});
    let reply = reply(&events(open_stream(app.post_chat(body)).await).await);
    let tokens: Vec<&str> = reply.tokens.iter().map(|t| t.data.as_str()).collect();
    assert_eq!(
        tokens,
        [
            "  Leading ",
            "spaces,\t",
            "tabs ",
            "and\n\n",
            "blank ",
            "lines "
        ]
    );
    assert_eq!(reply.text, prompt);
}

#[tokio::test]
async fn newlines_and_leading_spaces_survive_byte_for_byte() {
    let app = spawn_app().await;
    let prompt = "line one\n  indented\n\n\nend";
    let body = json!({"prompt": prompt, "model": "sim-echo", "unit": "word", "seed": 1});
    let raw = body_text(open_stream(app.post_chat(body)).await).await;
    // A token holding newlines is written as several data lines.
    assert!(raw.contains("\ndata: one\ndata:   \n\n"), "{raw}");
    assert!(
        raw.contains("\ndata: indented\ndata: \ndata: \ndata: \n\n"),
        "{raw}"
    );
    let reply = reply(&events_of(&raw).await);
    assert_eq!(reply.text, prompt);
    let crlf = json!({"prompt": "a\r\nb\rc", "model": "sim-echo"});
    let reply = crate::helpers::reply(&events(open_stream(app.post_chat(crlf)).await).await);
    assert_eq!(
        reply.text, "a\nb\nc",
        "CR is normalised to LF, which SSE can carry"
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_reply_chunks_and_ids() {
    let app = spawn_app().await;
    let body = json!({"prompt": "tell me something", "seed": 7, "model": "sim-prose"});
    let a = reply(&events(open_stream(app.post_chat(body.clone())).await).await);
    let b = reply(&events(open_stream(app.post_chat(body)).await).await);
    assert_eq!(a.text, b.text);
    assert_eq!(
        a.text.split_whitespace().count(),
        150,
        "sim-prose writes 150 words"
    );
    let ids = |r: &Reply| {
        r.tokens
            .iter()
            .map(|t| (t.id.clone(), t.data.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    let other = json!({"prompt": "tell me something", "seed": 8, "model": "sim-prose"});
    let c = reply(&events(open_stream(app.post_chat(other)).await).await);
    assert_ne!(a.text, c.text);
}

#[tokio::test]
async fn a_request_without_a_seed_is_told_which_seed_it_got() {
    let app = spawn_app().await;
    let first = reply(&events(open_stream(app.get_chat("prompt=x")).await).await);
    let seed = first.meta["seed"].as_u64().expect("meta.seed is a number");
    assert!(seed < 1 << 53, "seeds fit a JavaScript number");
    let again =
        reply(&events(open_stream(app.get_chat(&format!("prompt=x&seed={seed}"))).await).await);
    assert_eq!(first.text, again.text);
}

/// Parses already-read text as an event stream.
async fn events_of(raw: &str) -> Vec<eventsource_stream::Event> {
    use eventsource_stream::Eventsource as _;
    use futures_util::StreamExt as _;
    let chunks =
        futures_util::stream::iter([Ok::<_, std::convert::Infallible>(raw.as_bytes().to_vec())]);
    chunks
        .eventsource()
        .map(|e| e.expect("well-formed"))
        .collect()
        .await
}

#[tokio::test]
async fn token_unit_cuts_the_reply_into_bpe_tokens() {
    let app = spawn_app().await;
    let prompt = "Tokenizers split text like this: 日本語 and 🎉!";
    let body = json!({"prompt": prompt, "model": "sim-echo", "unit": "token"});
    let reply = reply(&events(open_stream(app.post_chat(body)).await).await);
    assert_eq!(reply.text, prompt);
    assert_eq!(reply.meta["unit"], "token");
    let tokens: Vec<&str> = reply.tokens.iter().map(|t| t.data.as_str()).collect();
    assert_eq!(&tokens[..3], ["Token", "izers", " split"]);
    assert!(tokens.len() as u32 <= trickle::sim::count_tokens(prompt));
}
