//! The log lines a request leaves: the stream's own line and the request's
//! closing line, in the same span.

use std::time::Duration;

use crate::helpers::{body_text, open_stream};
use crate::process::Process;

#[tokio::test]
async fn a_stream_logs_its_end_and_its_request_inside_one_span() {
    let mut server = Process::start(&[], &[]);
    let client = reqwest::Client::new();
    let response = open_stream(client.get(server.url("/clock?interval_ms=10&count=2"))).await;
    body_text(response).await;
    let ended = server.wait_for_log("stream ended");
    let closed = server.wait_for_log("close time.busy=");
    assert!(
        ended.contains("ticks=2"),
        "the clock's ticks are counted: {ended}"
    );
    for line in [&ended, &closed] {
        for field in [
            "method=GET",
            "route=/clock",
            "client=127.0.0.1",
            "status=200",
        ] {
            assert!(line.contains(field), "no {field} in {line}");
        }
    }
    let id = |line: &str| {
        let start = line.find("request_id=").expect("a request id") + "request_id=".len();
        line[start..start + 16].to_owned()
    };
    assert_eq!(id(&ended), id(&closed), "one span for both lines");
    server.signal("TERM");
    server.wait_exit(Duration::from_secs(10));
}
