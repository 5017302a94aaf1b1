//! The client against a scripted local server: how each way a response can
//! end is counted, and paced events are timed.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use trickle_loadgen::{Report, run};

use crate::helpers::{options, within};

/// What the scripted server writes, one part at a time.
type Script = &'static [&'static [u8]];

/// How the scripted server ends each response.
#[derive(Clone, Copy)]
enum Then {
    /// Closes the connection.
    Close,
    /// Keeps it open until the client goes away.
    Hold,
}

/// Reads a request head byte by byte (so nothing after it is consumed);
/// `None` when the client closes first.
async fn read_head(tcp: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).await.unwrap_or(0) == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

/// A server on a free port that answers every connection with `parts`,
/// written one at a time so the client reads them separately, then `then`.
/// Returns the URL to load.
async fn scripted(parts: Script, then: Then) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("has an address");
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                if read_head(&mut tcp).await.is_none() {
                    return;
                }
                tcp.set_nodelay(true).expect("nodelay");
                for part in parts {
                    if tcp.write_all(part).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                if let Then::Hold = then {
                    let _ = tcp.read(&mut [0u8; 1]).await;
                }
            });
        }
    });
    format!("http://{address}/events")
}

async fn load(url: &str, extra: &[&str]) -> Report {
    let mut line = vec![url, "-c", "3", "--ramp", "0", "-q"];
    line.extend_from_slice(extra);
    Report::of(&within("the run", run(options(&line))).await)
}

const OK_CHUNKED: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
const OK_PLAIN: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_body_framing_brings_the_whole_stream() {
    let cases: [(Script, &str); 3] = [
        (
            &[
                OK_CHUNKED,
                b"8\r\ndata: a\n",
                b"\r\n",
                b"6\r\n\ndata:\r\n8;e",
                b"xt=1\r\n b\n\ndata\r\n",
                b"4\r\n: c\n\r\n1\r\n\n\r\n0\r\n\r\n",
            ],
            "chunked, chunks cut mid-line and mid-size",
        ),
        (
            &[
                b"HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\n",
                b"data: a\n\ndata: b\n\n",
                b"data: c\n\n",
            ],
            "content-length",
        ),
        (
            &[OK_PLAIN, b"data: a\n\ndata: b\n\n", b"data: c\n\n"],
            "until the server closes",
        ),
    ];
    for (parts, why) in cases {
        let report = load(&scripted(parts, Then::Close).await, &["-n", "3"]).await;
        assert_eq!(report.completed, 3, "{why}:\n{report}");
        assert_eq!(report.events, 9, "{why}:\n{report}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_way_of_failing_is_counted_under_its_reason() {
    let cases: [(Script, &str); 6] = [
        (
            &[b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"],
            "status 503",
        ),
        (&[OK_CHUNKED, b"9\r\ndata: a\n"], "closed inside a chunk"),
        (
            &[OK_CHUNKED, b"2\r\n:\n\r\n"],
            "closed before the last chunk",
        ),
        (
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\ndata: a\n\n"],
            "closed before content-length bytes",
        ),
        (&[b"HTTP/1.1 2x0 OK\r\n\r\n"], "malformed response head"),
        (&[b"HTTP/1.1 200 OK\r\n"], "closed before the response head"),
    ];
    for (parts, reason) in cases {
        let report = load(&scripted(parts, Then::Close).await, &[]).await;
        assert_eq!(report.failures.get(reason), Some(&3), "{reason}:\n{report}");
        assert!(!report.all_completed());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_fails_with_the_connect_error() {
    let free = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}/", free.local_addr().expect("has an address"));
    drop(free);
    let report = load(&url, &[]).await;
    let reasons: Vec<&String> = report.failures.keys().collect();
    assert_eq!(report.failed, 3, "{report}");
    assert!(
        reasons.iter().all(|r| r.starts_with("connect: ")),
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_still_open_at_the_time_bound_is_cut() {
    let url = scripted(&[OK_PLAIN, b"data: a\n\n"], Then::Hold).await;
    let report = load(&url, &["-t", "1"]).await;
    assert_eq!((report.cut, report.completed), (3, 0), "{report}");
    assert_eq!(report.events, 3, "events before the cut still count");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_paced_events_are_timed_against_the_schedule() {
    let parts: Script = &[
        OK_PLAIN,
        b"event: meta\ndata: {}\n\n",
        b"event: token\ndata: a\n\n",
        b"event: token\ndata: b\n\n",
        b"event: done\ndata: {}\n\n",
    ];
    let url = scripted(parts, Then::Close).await;
    let report = load(&url, &["--paced-event", "token", "-n", "2", "-g", "2"]).await;
    assert_eq!(report.completed, 3, "two paced tokens each:\n{report}");
    assert_eq!(report.events, 12, "meta and done still count as events");
    assert!(report.lateness_ms.is_some() && report.drift_pct.is_some());
}

/// A server of four events with ids 1–4, one every 2 ms, that resumes after
/// the id a request's `Last-Event-ID` names; it writes the ids each request
/// asked to resume from into `resumed`.
async fn resumable(resumed: std::sync::Arc<std::sync::Mutex<Vec<String>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("has an address");
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let resumed = resumed.clone();
            tokio::spawn(async move {
                let Some(head) = read_head(&mut tcp).await else {
                    return;
                };
                let head = String::from_utf8_lossy(&head).into_owned();
                let after = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Last-Event-ID: "))
                    .map(|id| id.trim().to_owned());
                let from = after
                    .as_deref()
                    .map_or(1, |id| id.parse::<u32>().unwrap() + 1);
                resumed.lock().unwrap().extend(after);
                tcp.set_nodelay(true).expect("nodelay");
                let _ = tcp.write_all(OK_PLAIN).await;
                for id in from..=4 {
                    let event = format!("id: {id}\ndata: t{id}\n\n");
                    if tcp.write_all(event.as_bytes()).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            });
        }
    });
    format!("http://{address}/events")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_closes_after_the_events_asked_for() {
    let resumed = std::sync::Arc::default();
    let url = resumable(std::sync::Arc::clone(&resumed)).await;
    let report = load(&url, &["--leave-after", "2"]).await;
    assert_eq!(
        report.completed, 3,
        "leaving counts as completed:\n{report}"
    );
    assert_eq!(report.events, 6, "two events each, then gone:\n{report}");
    assert!(resumed.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_stream_reads_the_rest_after_the_last_id_it_saw() {
    let resumed = std::sync::Arc::default();
    let url = resumable(std::sync::Arc::clone(&resumed)).await;
    let report = load(&url, &["--resume-after", "2", "-n", "4"]).await;
    assert_eq!(
        report.completed, 3,
        "nothing lost, nothing repeated:\n{report}"
    );
    assert_eq!(report.events, 12);
    // After two events, or more when one read brought more.
    let resumed = resumed.lock().unwrap();
    assert_eq!(resumed.len(), 3, "{resumed:?}");
    assert!(resumed.iter().all(|id| id.as_str() >= "2"), "{resumed:?}");
}
