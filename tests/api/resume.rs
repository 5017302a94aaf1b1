//! Resuming `/chat` with `Last-Event-ID`: nothing lost, nothing repeated.

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use serde_json::json;

use crate::helpers::*;

fn body() -> serde_json::Value {
    json!({"prompt": "explain event streams", "seed": 11, "unit": "word"})
}

#[tokio::test]
async fn reconnecting_with_last_event_id_continues_after_it() {
    let app = spawn_app().await;
    let full = reply(&events(open_stream(app.post_chat(body())).await).await);
    for k in [1, 5, full.tokens.len() - 1] {
        let id = &full.tokens[k - 1].id;
        let request = app.post_chat(body()).header("last-event-id", id);
        let rest = reply(&events(open_stream(request).await).await);
        assert_eq!(rest.meta["position"], k);
        assert_eq!(rest.meta["resumed"], true);
        let head: String = full.tokens[..k].iter().map(|t| t.data.as_str()).collect();
        assert_eq!(head + &rest.text, full.text, "resume after token {k}");
        assert_eq!(rest.tokens[0].id, full.tokens[k].id);
        assert_eq!(rest.last.event, "done");
    }
}

#[tokio::test]
async fn a_client_cut_off_mid_stream_resumes_without_loss() {
    let app = spawn_app_with(|s| s.stream.token_delay_ms = 5).await;
    let full = reply(&events(open_stream(app.post_chat(body())).await).await);
    let response = open_stream(app.post_chat(body())).await;
    let mut stream = response.bytes_stream().eventsource();
    let mut received = String::new();
    let mut last_id = String::new();
    while let Some(event) = within("a token", stream.next()).await {
        let event = event.expect("well-formed");
        if event.event == "message" {
            received.push_str(&event.data);
            last_id = event.id;
            if received.len() > 20 {
                break;
            }
        }
    }
    drop(stream);
    let request = app.post_chat(body()).header("last-event-id", last_id);
    let rest = reply(&events(open_stream(request).await).await);
    assert_eq!(received + &rest.text, full.text);
}

#[tokio::test]
async fn another_instance_with_the_same_settings_resumes_the_stream() {
    let first = spawn_app().await;
    let second = spawn_app().await;
    let full = reply(&events(open_stream(first.get_chat("prompt=hello&seed=3")).await).await);
    let request = second
        .get_chat("prompt=hello&seed=3")
        .header("last-event-id", &full.tokens[9].id);
    let rest = reply(&events(open_stream(request).await).await);
    let head: String = full.tokens[..10].iter().map(|t| t.data.as_str()).collect();
    assert_eq!(head + &rest.text, full.text);
}

#[tokio::test]
async fn an_id_at_or_past_the_end_gets_no_content() {
    let app = spawn_app().await;
    let full = reply(&events(open_stream(app.post_chat(body())).await).await);
    let request = app.post_chat(body()).header("last-event-id", &full.last.id);
    let response = within("response", request.send()).await.expect("sent");
    assert_eq!(response.status(), 204, "after the done event");
    // The last token's id still gets the done event, so no summary is lost.
    let request = app
        .post_chat(body())
        .header("last-event-id", &full.tokens.last().expect("tokens").id);
    let rest = reply(&events(open_stream(request).await).await);
    assert!(rest.tokens.is_empty());
    assert_eq!(rest.last.event, "done");
}

#[tokio::test]
async fn an_id_for_a_different_reply_gets_a_resume_mismatch_event() {
    let app = spawn_app().await;
    let full = reply(&events(open_stream(app.post_chat(body())).await).await);
    let id = &full.tokens[3].id;
    let mut forged: Vec<&str> = id.split('-').collect();
    forged[1] = "00000000";
    let cases = [
        (
            "another prompt",
            json!({"prompt": "something else", "seed": 11, "unit": "word"}),
            id.clone(),
        ),
        (
            "another unit",
            json!({"prompt": "explain event streams", "seed": 11, "unit": "char"}),
            id.clone(),
        ),
        ("a forged digest", body(), forged.join("-")),
    ];
    for (what, request, id) in cases {
        let response = open_stream(app.post_chat(request).header("last-event-id", id)).await;
        let events = events(response).await;
        assert!(
            events.iter().all(|e| e.event != "message"),
            "{what}: no text is sent"
        );
        let last = events.last().expect("an event");
        assert_eq!(last.event, "stream_error", "{what}");
        assert_eq!(json(last)["code"], "resume_mismatch", "{what}");
        assert!(!last.id.is_empty(), "{what}: the error carries an id");
    }
}

#[tokio::test]
async fn the_error_id_after_a_mismatch_stops_reconnects() {
    let app = spawn_app().await;
    let request = app
        .post_chat(body())
        .header("last-event-id", "b-00000000-3");
    let events = events(open_stream(request).await).await;
    let id = &events.last().expect("an event").id;
    let again = within(
        "response",
        app.post_chat(body()).header("last-event-id", id).send(),
    )
    .await
    .expect("sent");
    assert_eq!(again.status(), 204);
}
