//! Scale-out: two trickle instances behind nginx (deploy/nginx.conf), 200
//! streams read by an EventSource-like client, and instances killed or
//! restarted under them. Every stream must end with exactly the text of an
//! uninterrupted run. Needs nginx; ignored by default:
//!
//!     cargo test --test api scale_out -- --ignored --nocapture

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use trickle::config::{Overrides, load_with_env};
use trickle::state::Runtime;

use crate::helpers::within;
use crate::process::Process;

const STREAMS: u64 = 200;
const PROMPT: &str = "tell me about scaling out";

/// The environment every instance runs with: fast retries, a short grace,
/// and nginx trusted for X-Forwarded-For.
const ENV: &[(&str, &str)] = &[
    ("TRICKLE__SSE__RETRY_MS", "200"),
    ("TRICKLE__SSE__RETRY_JITTER", "0"),
    ("TRICKLE__SERVER__SHUTDOWN_GRACE_S", "1"),
    ("TRICKLE__LIMITS__TRUSTED_PROXIES", "127.0.0.1"),
];

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn instance(port: u16) -> Process {
    Process::start(&["--port", &port.to_string()], ENV)
}

struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(upstreams: &[u16]) -> Nginx {
        let prefix = std::env::temp_dir().join(format!(
            "trickle-nginx-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(prefix.join("tmp")).expect("prefix");
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|p| format!("        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n"))
            .collect();
        let template = std::fs::read_to_string("deploy/nginx.conf").expect("deploy/nginx.conf");
        let conf = template
            .replace("__LISTEN__", &format!("127.0.0.1:{port}"))
            .replace("__UPSTREAMS__", &servers);
        let path: PathBuf = prefix.join("nginx.conf");
        std::fs::write(&path, conf).expect("config written");
        let child = Command::new(nginx())
            .args([
                "-p",
                prefix.to_str().expect("utf-8"),
                "-c",
                path.to_str().expect("utf-8"),
                "-g",
                "daemon off;",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx { child, port }
    }
}

impl Drop for Nginx {
    /// SIGQUIT lets the master stop its workers; SIGKILL would orphan them.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-QUIT", &pid]).status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx() -> &'static str {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("nginx")
}

/// What one EventSource-like client saw.
#[derive(Debug, Default)]
struct Followed {
    text: String,
    reconnects: u32,
    gaps: Vec<Duration>,
}

/// Reads a stream as a browser's EventSource does: on a cut or a
/// `stream_error` it waits `retry` and reconnects with `Last-Event-ID`.
async fn follow(client: reqwest::Client, url: String) -> Followed {
    let mut seen = Followed::default();
    let (mut last_id, mut retry) = (String::new(), Duration::from_millis(200));
    let mut cut_at: Option<Instant> = None;
    for _ in 0..60 {
        let mut request = client.get(&url);
        if !last_id.is_empty() {
            request = request.header("last-event-id", &last_id);
        }
        match request.send().await {
            Ok(response) if response.status() == 204 => return seen,
            Ok(response) if response.status() == 200 => {
                let mut events = response.bytes_stream().eventsource();
                while let Some(Ok(event)) = events.next().await {
                    if let Some(r) = event.retry {
                        retry = r;
                    }
                    match event.event.as_str() {
                        "message" => {
                            if let Some(at) = cut_at.take() {
                                seen.gaps.push(at.elapsed());
                            }
                            seen.text.push_str(&event.data);
                            last_id = event.id;
                        }
                        "done" => return seen,
                        "stream_error" => {
                            last_id = event.id;
                            break;
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        seen.reconnects += 1;
        cut_at.get_or_insert_with(Instant::now);
        tokio::time::sleep(retry).await;
    }
    panic!("{url}: no end after 60 connections");
}

/// The replies an uninterrupted run gives, by seed.
fn expected() -> HashMap<u64, String> {
    let settings = load_with_env(&Overrides::default(), Some(HashMap::new())).expect("settings");
    let runtime = Runtime::new(settings).expect("runtime");
    let profile = runtime.profile(Some("sim-prose")).expect("sim-prose");
    (0..STREAMS)
        .map(|seed| {
            (
                seed,
                runtime.responders.reply(&profile, PROMPT, seed).to_string(),
            )
        })
        .collect()
}

fn start_streams(port: u16) -> Vec<(u64, tokio::task::JoinHandle<Followed>)> {
    let client = reqwest::Client::new();
    (0..STREAMS)
        .map(|seed| {
            let url = format!(
                "http://127.0.0.1:{port}/chat?prompt={}&model=sim-prose&unit=char&token_delay_ms=8&seed={seed}",
                PROMPT.replace(' ', "%20")
            );
            (seed, tokio::spawn(follow(client.clone(), url)))
        })
        .collect()
}

/// Waits for every stream, checks each text, and reports reconnects.
async fn check_all(
    what: &str,
    streams: Vec<(u64, tokio::task::JoinHandle<Followed>)>,
    expected: &HashMap<u64, String>,
) {
    let (mut reconnected, mut gaps) = (0, Vec::new());
    for (seed, handle) in streams {
        let seen = within(what, handle).await.expect("the client task ends");
        assert_eq!(
            seen.text, expected[&seed],
            "{what}: stream {seed} differs from an uninterrupted run"
        );
        reconnected += u32::from(seen.reconnects > 0);
        gaps.extend(seen.gaps);
    }
    gaps.sort();
    let p99 = gaps
        .get((gaps.len() * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or_default();
    println!(
        "{what}: {STREAMS} streams exact, {reconnected} reconnected, p99 reconnect gap {p99:?}"
    );
}

async fn open_chat_streams(port: u16) -> u64 {
    let url = format!("http://127.0.0.1:{port}/healthz");
    let health: serde_json::Value = reqwest::get(url)
        .await
        .expect("healthz")
        .json()
        .await
        .expect("JSON");
    health["open_streams"]["chat"].as_u64().expect("a count")
}

async fn readyz(port: u16) -> u16 {
    let url = format!("http://127.0.0.1:{port}/readyz");
    reqwest::get(url)
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs nginx; run by .ci/scale-out"]
async fn streams_survive_instances_dying_and_restarting_behind_nginx() {
    let expected = expected();
    let ports = [free_port(), free_port()];
    let mut a = instance(ports[0]);
    let mut b = instance(ports[1]);
    let nginx = Nginx::start(&ports);

    // 1. SIGTERM: A drains (readyz 503, new streams refused), then ends its
    // streams with a resumable shutting_down event.
    let streams = start_streams(nginx.port);
    tokio::time::sleep(Duration::from_secs(3)).await;
    a.signal("TERM");
    let ready = within("readyz during drain", async {
        loop {
            if readyz(ports[0]).await == 503 {
                return 503;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(ready, 503, "/readyz is 503 while draining");
    let before = open_chat_streams(ports[0]).await;
    let client = reqwest::Client::new();
    for seed in 0..10 {
        let url = format!(
            "http://127.0.0.1:{}/chat?prompt=new&seed={seed}",
            nginx.port
        );
        let response = within("a new stream during the drain", client.get(url).send())
            .await
            .expect("sent");
        assert_eq!(
            response.status(),
            200,
            "nginx serves new streams from the other instance"
        );
    }
    assert!(
        open_chat_streams(ports[0]).await <= before,
        "the draining instance took no new stream"
    );
    let (status, _) = a.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "a drained instance exits 0");
    check_all("SIGTERM", streams, &expected).await;

    // 2. SIGKILL: B dies without a word; its clients reconnect through nginx.
    a = instance(ports[0]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let streams = start_streams(nginx.port);
    tokio::time::sleep(Duration::from_secs(3)).await;
    b.signal("KILL");
    let _ = b.wait_exit(Duration::from_secs(5));
    check_all("SIGKILL", streams, &expected).await;

    // 3. Rolling restart: each instance in turn while streams run.
    b = instance(ports[1]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let streams = start_streams(nginx.port);
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (i, process) in [&mut a, &mut b].into_iter().enumerate() {
        process.signal("TERM");
        let (status, _) = process.wait_exit(Duration::from_secs(5));
        assert!(status.success());
        *process = instance(ports[i]);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    check_all("rolling restart", streams, &expected).await;
    drop(nginx);
}
