//! Hostile input: oversized headers and a flood of connections opened and
//! dropped at once. The server keeps serving others throughout.

use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

use crate::helpers::*;
use crate::process::Process;

#[tokio::test]
async fn oversized_headers_are_refused_and_others_are_still_served() {
    let app = spawn_app().await;
    let request = app
        .get_chat("prompt=hi")
        .header("x-junk", "a".repeat(128 * 1024));
    match within("oversized", request.send()).await {
        Ok(response) => assert!(response.status().is_client_error(), "{}", response.status()),
        Err(error) => assert!(!error.is_timeout(), "refused, not hung: {error}"),
    }
    let reply = reply(
        &events(open_stream(app.post_chat(json!({"prompt": "fine", "model": "sim-echo"}))).await)
            .await,
    );
    assert_eq!(reply.text, "fine");
}

#[tokio::test]
async fn ten_thousand_connections_opened_and_dropped_do_not_disturb_a_stream() {
    let mut server = Process::start(
        &[],
        &[
            ("TRICKLE__STREAM__TOKEN_DELAY_MS", "5"),
            ("TRICKLE__SERVER__SHUTDOWN_GRACE_S", "1"),
        ],
    );
    let client = reqwest::Client::new();
    let body = json!({"prompt": "explain the flood", "seed": 9, "model": "sim-prose"});
    let expected =
        reply(&events(open_stream(client.post(server.url("/chat")).json(&body)).await).await).text;
    let stream = tokio::spawn({
        let request = client.post(server.url("/chat")).json(&body);
        async move { reply(&events(open_stream(request).await).await).text }
    });
    let address = format!("127.0.0.1:{}", server.port);
    let flood = within("10,000 connections", async {
        let mut open = Vec::with_capacity(10_000);
        for batch in 0..20 {
            let connects = (0..500).map(|_| TcpStream::connect(address.as_str()));
            for connection in futures_util::future::join_all(connects).await {
                let mut connection =
                    connection.unwrap_or_else(|e| panic!("connect in batch {batch}: {e}"));
                // Half of them start a request and never finish it.
                if open.len() % 2 == 0 {
                    let _ = connection
                        .write_all(
                            b"POST /chat HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
                        )
                        .await;
                }
                open.push(connection);
            }
        }
        open
    })
    .await;
    assert_eq!(flood.len(), 10_000);
    drop(flood);
    let text = within("the stream through the flood", stream)
        .await
        .expect("joined");
    assert_eq!(text, expected, "the stream completed exactly");
    let health = within("healthz", client.get(server.url("/healthz")).send())
        .await
        .expect("served");
    assert_eq!(health.status(), 200);
    server.signal("TERM");
    let (status, _) = server.wait_exit(Duration::from_secs(12));
    assert!(status.success());
}
