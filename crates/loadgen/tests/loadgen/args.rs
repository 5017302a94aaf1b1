//! The command line becomes one encoded request and a validated run.

use std::time::Duration;

use crate::helpers::{args, options};

fn request(line: &[&str]) -> String {
    String::from_utf8(options(line).request.bytes.to_vec()).expect("utf-8")
}

#[test]
fn a_get_asks_for_an_event_stream_and_closes_after_it() {
    let sent = request(&["http://127.0.0.1:1/clock?count=3"]);
    assert_eq!(
        sent,
        "GET /clock?count=3 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"
    );
    assert!(request(&["http://127.0.0.1:1"]).starts_with("GET / HTTP/1.1\r\n"));
}

#[test]
fn a_body_is_sent_as_json_with_its_length_unless_a_type_is_given() {
    let sent = request(&["http://127.0.0.1:1/chat", "-X", "post", "-d", "{}"]);
    assert!(sent.starts_with("POST /chat HTTP/1.1\r\n"), "{sent}");
    assert!(
        sent.contains("Content-Type: application/json\r\n"),
        "{sent}"
    );
    assert!(sent.ends_with("Content-Length: 2\r\n\r\n{}"), "{sent}");

    let typed = [
        "http://127.0.0.1:1/",
        "-d",
        "x",
        "-H",
        "content-type: text/plain",
    ];
    let sent = request(&typed);
    assert!(sent.contains("content-type: text/plain\r\n"), "{sent}");
    assert!(!sent.contains("application/json"), "{sent}");
}

#[test]
fn the_run_takes_its_shape_from_the_flags() {
    let line = [
        "http://127.0.0.1:1/",
        "-c",
        "7",
        "--ramp",
        "0",
        "-t",
        "0",
        "-g",
        "20",
        "-n",
        "30",
        "--paced-event",
        "token",
        "--source",
        "127.0.0.1-127.0.0.3",
        "-q",
    ];
    let o = options(&line);
    assert_eq!(o.streams, 7);
    assert_eq!(o.ramp_per_s, None, "--ramp 0 opens every stream at once");
    assert_eq!(
        o.time_bound,
        Duration::from_secs(1),
        "the bound is at least 1 s"
    );
    assert_eq!(o.expected_gap, Some(Duration::from_millis(20)));
    assert_eq!(o.expected_events, Some(30));
    assert_eq!(&*o.request.paced, "token");
    assert_eq!(o.sources.len(), 3);
    assert!(!o.progress);
}

#[test]
fn bad_arguments_say_what_to_change() {
    for (line, want, why) in [
        (vec!["ftp://x/"], "invalid url", "only http"),
        (
            vec!["http://127.0.0.1:1/", "-X", "GE T"],
            "invalid method",
            "a space",
        ),
        (
            vec!["http://127.0.0.1:1/", "-H", "novalue"],
            "invalid header",
            "no colon",
        ),
        (
            vec!["http://127.0.0.1:1/", "--source", "a-b"],
            "invalid source",
            "not addresses",
        ),
        (
            vec!["http://127.0.0.1:1/", "-c", "0"],
            "invalid streams",
            "zero streams",
        ),
        (
            vec!["http://127.0.0.1:1/", "-r", "0"],
            "invalid rounds",
            "zero rounds",
        ),
    ] {
        let error = args(&line).options().expect_err(why);
        assert!(error.starts_with(want), "{why}: {error}");
    }
}
