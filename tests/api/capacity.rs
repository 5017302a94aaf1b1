//! The stream cap derived from the open-file limit, and what a client gets
//! past it.

use std::time::Duration;

use tokio::net::TcpStream;

use crate::helpers::{error_of, open_stream, within};
use crate::process::Process;

/// Under a limit of 200 files, two workers keep 24 + 2 × 8 descriptors
/// back: 160 connections, of which 128 streams.
const FILES: u64 = 200;
const STREAMS: usize = 128;

#[tokio::test]
async fn past_the_file_budget_streams_get_a_fast_503_and_the_server_recovers() {
    let mut server = Process::start_with_file_limit(
        FILES,
        &[],
        &[
            ("TRICKLE__SERVER__SHUTDOWN_GRACE_S", "1"),
            ("TRICKLE__SERVER__WORKERS", "2"),
        ],
    );
    let capacity = server.logged("capacity:").expect("capacity is logged");
    assert!(
        capacity.contains(&format!("{STREAMS} concurrent streams")),
        "{capacity}"
    );
    let client = reqwest::Client::new();
    let url = server.url("/clock?interval_ms=1000&count=100");
    let mut open = Vec::new();
    for _ in 0..STREAMS {
        open.push(open_stream(client.get(&url)).await);
    }
    for _ in 0..10 {
        let response = within("a 503", client.get(&url).send())
            .await
            .expect("sent");
        assert_eq!(response.headers()["retry-after"], "1");
        assert_eq!(response.headers()["connection"], "close");
        let (status, code, message) = error_of(response).await;
        assert_eq!((status, code.as_str()), (503, "server_busy"));
        assert!(message.contains(&format!("{STREAMS} streams")), "{message}");
    }
    // More connections than the connection budget: the excess waits in the
    // kernel's backlog; accept never fails for want of descriptors.
    let address = format!("127.0.0.1:{}", server.port);
    let mut idle = Vec::new();
    for _ in 0..60 {
        idle.push(
            within("connect", TcpStream::connect(&address))
                .await
                .expect("connects"),
        );
    }
    drop(open);
    drop(idle);
    let recovered = within("a stream once the others closed", async {
        loop {
            match client.get(&url).send().await {
                Ok(response) if response.status() == 200 => return response,
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    })
    .await;
    assert_eq!(recovered.headers()["content-type"], "text/event-stream");
    drop(recovered);
    server.signal("TERM");
    let (status, _) = server.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status}");
    assert!(
        server.logged("Too many open files").is_none(),
        "accept ran out of descriptors"
    );
}
