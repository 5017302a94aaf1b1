//! `/clock`: ticks, ids, the end event, resume and its stop.

use std::time::SystemTime;

use crate::helpers::*;

#[tokio::test]
async fn the_clock_sends_count_ticks_then_an_end_event() {
    let app = spawn_app().await;
    let before = SystemTime::now();
    let response = open_stream(app.get_clock("interval_ms=10&count=5")).await;
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let raw = body_text(response).await;
    assert!(raw.starts_with("retry: "));
    let events = events_of_text(&raw).await;
    let ticks: Vec<_> = events.iter().filter(|e| e.event == "message").collect();
    assert_eq!(ticks.len(), 5);
    for (i, tick) in ticks.iter().enumerate() {
        assert_eq!(tick.id, (i + 1).to_string());
        assert!(
            tick.data.ends_with('Z') && tick.data.len() == 24,
            "RFC 3339 UTC with ms: {}",
            tick.data
        );
        let at = humantime::parse_rfc3339(&tick.data).expect("RFC 3339");
        assert!(at >= before - std::time::Duration::from_secs(1));
    }
    let end = events.last().expect("events");
    assert_eq!(end.event, "end");
    assert_eq!(end.id, "5");
    assert_eq!(json(end), serde_json::json!({"ticks": 5}));
}

#[tokio::test]
async fn the_default_clock_is_ten_ticks_two_seconds_apart() {
    let settings = test_settings();
    assert_eq!(
        (settings.clock.interval_ms, settings.clock.count),
        (2000, 10)
    );
}

#[tokio::test]
async fn last_event_id_continues_with_the_next_tick() {
    let app = spawn_app().await;
    let request = app
        .get_clock("interval_ms=10&count=6")
        .header("last-event-id", "4");
    let events = events(open_stream(request).await).await;
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["5", "6", "6"]);
    assert_eq!(events[2].event, "end");
}

#[tokio::test]
async fn last_event_id_at_the_end_gets_no_content() {
    let app = spawn_app().await;
    for id in ["6", "7", "4000000000"] {
        let request = app
            .get_clock("interval_ms=10&count=6")
            .header("last-event-id", id);
        let response = within("response", request.send()).await.expect("sent");
        assert_eq!(response.status(), 204, "Last-Event-ID {id}");
    }
}

async fn events_of_text(raw: &str) -> Vec<eventsource_stream::Event> {
    use eventsource_stream::Eventsource as _;
    use futures_util::StreamExt as _;
    futures_util::stream::iter([Ok::<_, std::convert::Infallible>(raw.as_bytes().to_vec())])
        .eventsource()
        .map(|e| e.expect("well-formed"))
        .collect()
        .await
}
