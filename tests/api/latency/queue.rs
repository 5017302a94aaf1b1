//! Model slots and a queue over HTTP: streams past the slots wait (their
//! response started, heartbeats only), are served in the order they came,
//! give their place up when they leave, and past the queue get the API's
//! overload answer with `Retry-After`.

use eventsource_stream::Eventsource as _;
use futures_util::{Stream, StreamExt as _};
use reqwest::Response;
use serde_json::{Value, json};

use super::{add_busy, gate, until};
use crate::helpers::{open_stream, spawn_app_with, within};

fn chat(model: &str) -> Value {
    json!({"prompt": "tell me something", "model": model, "seed": 3})
}

/// Reads events (bounded) until the first token.
async fn first_token(
    events: &mut (impl Stream<Item = Result<eventsource_stream::Event, impl std::fmt::Debug>> + Unpin),
) {
    loop {
        let event = within("a token", events.next())
            .await
            .expect("the stream goes on")
            .expect("well-formed");
        if event.event == "message" {
            return;
        }
    }
}

#[tokio::test]
async fn past_the_slots_a_stream_waits_and_past_the_queue_each_api_answers_503() {
    // The first token is a minute away: the first stream holds the slot.
    let app = spawn_app_with(|s| add_busy(s, "busy", 1, 1, 60_000)).await;
    let gate = gate(&app, "busy");
    let holder = open_stream(app.post_chat(chat("busy"))).await;
    until("the slot to be taken", || gate.active() == 1).await;
    let queued = open_stream(app.post_chat(chat("busy"))).await;
    until("a stream to wait", || gate.waiting() == 1).await;
    let messages = json!([{"role": "user", "content": "hi"}]);
    let cases = [
        ("/chat", chat("busy"), "code", "model_overloaded"),
        (
            "/v1/chat/completions",
            json!({"model": "busy", "stream": true, "messages": messages}),
            "code",
            "model_overloaded",
        ),
        (
            "/v1/chat/completions",
            json!({"model": "busy", "messages": messages}),
            "type",
            "server_error",
        ),
        (
            "/v1/responses",
            json!({"model": "busy", "input": "hi"}),
            "code",
            "model_overloaded",
        ),
        (
            "/v1/messages",
            json!({"model": "busy", "max_tokens": 50, "stream": true, "messages": messages}),
            "type",
            "overloaded_error",
        ),
    ];
    for (path, body, field, value) in &cases {
        let response = within(
            "an answer",
            app.client.post(app.url(path)).json(body).send(),
        )
        .await
        .expect("sent");
        assert_eq!(response.status(), 503, "{path} {body}");
        // Behind one waiting stream: 2 × a minute's TTFT ÷ 1 slot.
        assert_eq!(response.headers()["retry-after"], "120", "{path}");
        let error: Value = within("body", response.json()).await.expect("JSON");
        assert_eq!(error["error"][field], *value, "{path}: {error}");
        let message = error["error"]["message"].as_str().expect("a message");
        assert!(message.contains("models.profiles.busy.slots"), "{message}");
    }
    let metrics = within("metrics", app.client.get(app.url("/metrics")).send())
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    for line in [
        "trickle_model_overloaded_total{model=\"busy\"} 5",
        "trickle_model_active_streams{model=\"busy\"} 1",
        "trickle_model_queued_streams{model=\"busy\"} 1",
        "trickle_model_queue_wait_seconds_count{model=\"busy\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    drop((holder, queued));
}

#[tokio::test]
async fn a_queued_client_that_leaves_frees_its_place_at_once() {
    let app = spawn_app_with(|s| add_busy(s, "busy", 1, 1, 60_000)).await;
    let gate = gate(&app, "busy");
    let _holder = open_stream(app.post_chat(chat("busy"))).await;
    until("the slot to be taken", || gate.active() == 1).await;
    let leaving = open_stream(app.post_chat(chat("busy"))).await;
    until("a stream to wait", || gate.waiting() == 1).await;
    drop(leaving);
    until("the place to be given up", || gate.waiting() == 0).await;
    let next = open_stream(app.post_chat(chat("busy"))).await;
    until("the next one to wait", || gate.waiting() == 1).await;
    drop(next);
    until("its place to be given up", || gate.waiting() == 0).await;
    // A request answered whole waits before its answer; a client that gives
    // up on it leaves the queue too.
    let body = json!({"model": "busy", "messages": [{"role": "user", "content": "hi"}]});
    let whole = app
        .client
        .post(app.url("/v1/chat/completions"))
        .json(&body)
        .timeout(std::time::Duration::from_secs(3))
        .send();
    let waiting = tokio::spawn(whole);
    until("the request to wait", || gate.waiting() == 1).await;
    let gave_up = within("the client's timeout", waiting)
        .await
        .expect("joined");
    assert!(gave_up.is_err_and(|e| e.is_timeout()));
    until("its place to be given up", || gate.waiting() == 0).await;
}

#[tokio::test]
async fn waiting_streams_get_the_slot_in_the_order_they_came() {
    // A first token at once, then 150 words at 50 ms: a stream holds its
    // slot for seconds, long past the moment the test reads its first token.
    let app = spawn_app_with(|s| {
        add_busy(s, "busy", 1, 3, 0);
        let profile = s.models.profiles.get_mut("busy").expect("added");
        profile.token_delay_ms = Some(50);
    })
    .await;
    let gate = gate(&app, "busy");
    let mut streams = Vec::new();
    for waiting in 0..4 {
        let response: Response = open_stream(app.post_chat(chat("busy"))).await;
        streams.push(Some(response.bytes_stream().eventsource()));
        until("the stream to take its place", || {
            gate.active() == 1 && gate.waiting() == waiting
        })
        .await;
    }
    for (turn, stream) in streams.iter_mut().enumerate() {
        let events = stream.as_mut().expect("not dropped yet");
        first_token(events).await;
        assert_eq!(gate.active(), 1, "one slot");
        // Had a later stream jumped the queue, this one would have got the
        // slot only after it had finished, with fewer left waiting.
        assert_eq!(gate.waiting(), 3 - turn, "the ones behind still wait");
        // Leaving hands the slot to the next in line.
        *stream = None;
    }
}

#[tokio::test]
async fn a_finished_stream_gives_its_slot_up_before_its_last_bytes_are_sent() {
    use trickle::metrics::Outcome;
    use trickle::stream::Observer as _;

    let app = spawn_app_with(|s| add_busy(s, "busy", 1, 0, 0)).await;
    let gate = gate(&app, "busy");
    let mut guard = app
        .state
        .open_model_stream("chat", None, &gate)
        .expect("the slot is free");
    assert_eq!(gate.active(), 1);
    // The last event has left the timeline: the model is done with it, and
    // a client that asks again at once must not be refused while the
    // response is still being closed.
    guard.finish(Outcome::Completed);
    assert_eq!(gate.active(), 0);
    let next = app.state.open_model_stream("chat", None, &gate);
    assert!(next.is_ok(), "the next stream gets the slot");
    drop((guard, next));
    assert_eq!(gate.active(), 0);
}
