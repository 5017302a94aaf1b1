//! The recording gateway on loopback, with a second trickle as the
//! upstream: record through it, stop the upstream, replay offline and
//! compare what a client reconstructs byte for byte, and the gaps within a
//! bound; an upstream error, a cut stream, a client that leaves and an
//! upstream that cannot be reached record nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use trickle::config::{RecordApi, ReplayPacing, Settings};
use trickle::testing::TestServer;

use crate::helpers::*;

/// The upstream's fixtures: what the "real provider" answers.
const UPSTREAM: &str = r#"
[[fixture]]
name = "weather"
match = { user = { contains = "weather" }, model = "gpt-4o-mini", tool_result = false }
reply.reasoning = "The user wants the weather; call the tool."
reply.text = "Let me check the weather in Paris for you, one moment."
reply.tool_calls = [
  { name = "get_weather", arguments = { city = "Paris", unit = "celsius" } },
  { name = "get_time", arguments = { zone = "Europe/Paris" } },
]

[[fixture]]
name = "claude weather"
match = { user = { contains = "weather" }, model = "claude-sonnet-5" }
reply.reasoning = "Weather question: use the tool."
reply.text = "I'll look that up."
reply.tool_calls = [{ name = "get_weather", arguments = { city = "Paris" } }]

[[fixture]]
match.user = { exact = "refuse" }
reply.error = { status = 429, message = "Rate limit reached for gpt-4o-mini" }

[[fixture]]
match.user = { exact = "cut" }
reply = { text = "this stream will be cut short by the upstream", fault = "disconnect@4" }

[[fixture]]
match.user = { exact = "break" }
reply = { text = "this stream will end with the upstream's own error event", fault = "stream_error@3" }

[[fixture]]
match.user = { exact = "long" }
reply = { text = "a long reply that takes a while to send, one token at a time, slowly", token_delay_ms = 300 }
"#;

const KEY: &str = "sk-test-never-stored-0123456789";

/// A test's own folder for its recordings, removed when the test ends
/// (also when it fails).
struct Rig {
    dir: PathBuf,
    /// Where the gateway records.
    file: PathBuf,
}

impl Rig {
    fn new(name: &str) -> Rig {
        let dir =
            std::env::temp_dir().join(format!("trickle-record-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("recordings.toml");
        Rig { dir, file }
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The "real provider": paced with varied gaps, so timing is worth
/// recording, and refusing requests without the client's key.
async fn upstream() -> TestServer {
    let mut settings = TestServer::settings();
    settings.auth.api_keys = vec![KEY.to_owned()];
    settings.stream.ttft_ms = 150;
    settings.stream.token_delay_ms = 25;
    settings.stream.jitter = 0.6;
    for profile in settings.models.profiles.values_mut() {
        profile.jitter = None;
    }
    TestServer::start_with_fixtures(settings, UPSTREAM)
        .await
        .expect("upstream starts")
}

/// A gateway in front of `upstream` for `api`, recording to `file`.
async fn gateway(upstream: &str, api: RecordApi, file: &Path) -> TestApp {
    let (upstream, file) = (upstream.to_owned(), file.display().to_string());
    spawn_app_with(move |s| {
        s.record.upstream = upstream;
        s.record.api = api;
        s.record.file = file;
    })
    .await
}

/// A server replaying `file` offline.
async fn replayer(file: &Path, change: impl FnOnce(&mut Settings)) -> TestApp {
    let file = file.display().to_string();
    spawn_app_with(move |s| {
        s.fixtures.file = file;
        change(s);
    })
    .await
}

fn weather_request(stream: bool) -> Value {
    json!({
        "model": "gpt-4o-mini",
        "stream": stream,
        "messages": [
            {"role": "system", "content": "You are a weather bot."},
            {"role": "user", "content": "what is the weather in Paris?"}
        ],
        "tools": [
            {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
            {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}
        ]
    })
}

/// What a chat-completions client reconstructs, and when each content
/// chunk arrived.
#[derive(Debug, Default, PartialEq)]
struct Heard {
    reasoning: String,
    text: String,
    calls: Vec<(String, String)>,
}

async fn heard_openai(app: &TestApp, body: &Value) -> (Heard, Vec<Instant>) {
    let sent = Instant::now();
    let response = open_stream(
        app.client
            .post(app.url("/v1/chat/completions"))
            .bearer_auth(KEY)
            .json(body),
    )
    .await;
    let mut heard = Heard::default();
    let mut arrivals = vec![sent];
    let mut stream = response.bytes_stream().eventsource();
    while let Some(event) = within("an event", stream.next()).await {
        let event = event.expect("a well-formed event stream");
        if event.data == "[DONE]" {
            continue;
        }
        let chunk: Value = serde_json::from_str(&event.data).expect("JSON chunk");
        let Some(delta) = chunk.pointer("/choices/0/delta") else {
            continue;
        };
        let mut said = false;
        for (key, into) in [
            ("reasoning_content", &mut heard.reasoning),
            ("content", &mut heard.text),
        ] {
            if let Some(text) = delta[key].as_str().filter(|t| !t.is_empty()) {
                into.push_str(text);
                said = true;
            }
        }
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            let index = call["index"].as_u64().unwrap() as usize;
            if let Some(name) = call.pointer("/function/name").and_then(Value::as_str) {
                heard.calls.push((name.to_owned(), String::new()));
            }
            let arguments = call.pointer("/function/arguments").and_then(Value::as_str);
            if let Some(arguments) = arguments.filter(|a| !a.is_empty()) {
                heard.calls[index].1.push_str(arguments);
                said = true;
            }
        }
        if said {
            arrivals.push(Instant::now());
        }
    }
    (heard, arrivals)
}

/// The recorded time to first chunk and gaps, in milliseconds, from the file.
fn recorded_timing(file: &Path) -> Vec<(f64, Vec<f64>)> {
    let text = std::fs::read_to_string(file).expect("a recording was written");
    let table: toml::Table = toml::from_str(&text).expect("the recording is TOML");
    (table["fixture"].as_array().unwrap().iter())
        .map(|rule| {
            let recorded = &rule["reply"]["recorded"];
            let float =
                |v: &toml::Value| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap();
            let gaps = (recorded["chunks"].as_array().unwrap().iter())
                .map(|chunk| float(&chunk.as_array().unwrap()[1]))
                .collect();
            (float(&recorded["ttft_ms"]), gaps)
        })
        .collect()
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The time to first chunk and each gap, as the client saw them.
fn timing(arrivals: &[Instant]) -> (f64, Vec<f64>) {
    let ttft = millis(arrivals[1] - arrivals[0]);
    let mut gaps = vec![0.0];
    gaps.extend(arrivals[1..].windows(2).map(|w| millis(w[1] - w[0])));
    (ttft, gaps)
}

/// Gaps within a bound that a busy two-core machine keeps: the median gap
/// within 15 ms of the recording's, the whole span within 30 % + 300 ms.
fn assert_paced_like(replayed: &(f64, Vec<f64>), recorded: &(f64, Vec<f64>)) {
    assert_eq!(
        replayed.1.len(),
        recorded.1.len(),
        "one chunk per recorded chunk"
    );
    let mut diffs: Vec<f64> = (replayed.1.iter().zip(&recorded.1))
        .map(|(a, b)| (a - b).abs())
        .collect();
    diffs.sort_by(f64::total_cmp);
    let median = diffs[diffs.len() / 2];
    assert!(
        median <= 15.0,
        "median gap difference {median:.1} ms: {replayed:?} vs {recorded:?}"
    );
    let span = |t: &(f64, Vec<f64>)| t.0 + t.1.iter().sum::<f64>();
    let (got, want) = (span(replayed), span(recorded));
    assert!(
        (got - want).abs() <= want * 0.3 + 300.0,
        "replayed over {got:.0} ms, recorded over {want:.0} ms"
    );
    assert!(
        replayed.0 >= recorded.0 * 0.7 - 50.0,
        "time to first chunk {:.0} ms, recorded {:.0} ms",
        replayed.0,
        recorded.0
    );
}

#[tokio::test]
async fn a_chat_completion_stream_is_recorded_then_replayed_offline_byte_for_byte() {
    let rig = Rig::new("openai");
    let file = rig.file.clone();
    let upstream = upstream().await;
    let direct = TestApp::of(upstream);
    let (from_upstream, _) = heard_openai(&direct, &weather_request(true)).await;
    let gateway = gateway(&direct.address, RecordApi::OpenAi, &file).await;

    let (through, arrivals) = heard_openai(&gateway, &weather_request(true)).await;
    assert_eq!(
        through, from_upstream,
        "the gateway passes the stream on as sent"
    );
    assert_eq!(through.calls.len(), 2);
    assert_eq!(through.calls[0].1, r#"{"city":"Paris","unit":"celsius"}"#);
    assert!(
        arrivals.len() > 20,
        "streamed in many chunks: {}",
        arrivals.len()
    );
    let through_timing = timing(&arrivals);

    let written = std::fs::read_to_string(&file).expect("a recording was written");
    assert!(
        !written.contains(KEY),
        "the key is not in the recording:\n{written}"
    );
    assert!(!written.to_lowercase().contains("authorization"));
    let recorded = recorded_timing(&file);
    assert_eq!(recorded.len(), 1, "one recording:\n{written}");
    // Passed on as each event came, not held: the client saw the upstream's pace.
    assert_paced_like(&through_timing, &recorded[0]);
    // The upstream takes only the client's key: it was passed on.
    assert_eq!(direct.state.journal().list(None).len(), 2);
    assert!(gateway.state.journal().list(None)[0].upstream);

    drop(direct);
    let replay = replayer(&file, |_| {}).await;
    let (replayed, arrivals) = heard_openai(&replay, &weather_request(true)).await;
    assert_eq!(replayed, through, "replayed offline byte for byte");
    assert_paced_like(&timing(&arrivals), &recorded[0]);
    let journal = replay.state.journal().list(None);
    assert!(
        journal[0]
            .fixture
            .as_deref()
            .unwrap()
            .starts_with("recorded ")
    );
    assert!(!journal[0].upstream);

    // Re-paced by the profile instead: the same text, cut by tokens.
    let repaced = replayer(&file, |s| s.fixtures.replay = ReplayPacing::Profile).await;
    let (again, _) = heard_openai(&repaced, &weather_request(true)).await;
    assert_eq!(again, through);
}

#[tokio::test]
async fn a_reply_asked_for_whole_is_recorded_and_replayed() {
    let rig = Rig::new("whole");
    let file = rig.file.clone();
    let direct = TestApp::of(upstream().await);
    let gateway = gateway(&direct.address, RecordApi::OpenAi, &file).await;
    let ask = |app: &TestApp| {
        let request = app
            .client
            .post(app.url("/v1/chat/completions"))
            .bearer_auth(KEY);
        request.json(&weather_request(false)).send()
    };
    let through: Value = ask(&gateway).await.unwrap().json().await.unwrap();
    drop(direct);
    let replay = replayer(&file, |_| {}).await;
    let replayed: Value = ask(&replay).await.unwrap().json().await.unwrap();
    let message = |v: &Value| {
        let m = &v["choices"][0]["message"];
        let calls: Vec<(Value, Value)> = (m["tool_calls"].as_array().unwrap().iter())
            .map(|c| {
                (
                    c["function"]["name"].clone(),
                    c["function"]["arguments"].clone(),
                )
            })
            .collect();
        (m["content"].clone(), m["reasoning_content"].clone(), calls)
    };
    assert_eq!(message(&replayed), message(&through));
    assert_eq!(
        message(&through).0,
        "Let me check the weather in Paris for you, one moment."
    );
}

/// What an Anthropic client reconstructs: thinking, text, tool inputs.
async fn heard_anthropic(app: &TestApp) -> (Heard, Vec<Instant>) {
    let body = json!({
        "model": "claude-sonnet-5",
        "max_tokens": 4096,
        "stream": true,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [{"role": "user", "content": "weather in Paris?"}],
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}]
    });
    let sent = Instant::now();
    let response = open_stream(
        (app.client.post(app.url("/v1/messages")))
            .header("x-api-key", KEY)
            .header("anthropic-version", "2023-06-01")
            .json(&body),
    )
    .await;
    let mut heard = Heard::default();
    let mut arrivals = vec![sent];
    let mut stream = response.bytes_stream().eventsource();
    while let Some(event) = within("an event", stream.next()).await {
        let event = event.expect("a well-formed event stream");
        let data: Value = serde_json::from_str(&event.data).expect("JSON event");
        if event.event == "content_block_start" && data["content_block"]["type"] == "tool_use" {
            let name = data["content_block"]["name"].as_str().unwrap().to_owned();
            heard.calls.push((name, String::new()));
        }
        if event.event != "content_block_delta" {
            continue;
        }
        let delta = &data["delta"];
        let piece = match delta["type"].as_str() {
            Some("thinking_delta") => Some((&mut heard.reasoning, &delta["thinking"])),
            Some("text_delta") => Some((&mut heard.text, &delta["text"])),
            Some("input_json_delta") => {
                let last = heard.calls.last_mut().expect("a tool_use block");
                Some((&mut last.1, &delta["partial_json"]))
            }
            _ => None,
        };
        if let Some((into, text)) = piece {
            into.push_str(text.as_str().unwrap());
            arrivals.push(Instant::now());
        }
    }
    (heard, arrivals)
}

#[tokio::test]
async fn a_messages_stream_is_recorded_then_replayed_offline_byte_for_byte() {
    let rig = Rig::new("anthropic");
    let file = rig.file.clone();
    let direct = TestApp::of(upstream().await);
    let (from_upstream, _) = heard_anthropic(&direct).await;
    let gateway = gateway(&direct.address, RecordApi::Anthropic, &file).await;
    let (through, _) = heard_anthropic(&gateway).await;
    assert_eq!(through, from_upstream);
    assert_eq!(through.text, "I'll look that up.");
    assert_eq!(through.reasoning, "Weather question: use the tool.");
    assert_eq!(
        through.calls,
        [("get_weather".to_owned(), r#"{"city":"Paris"}"#.to_owned())]
    );
    let recorded = recorded_timing(&file);
    assert!(!std::fs::read_to_string(&file).unwrap().contains(KEY));

    drop(direct);
    let replay = replayer(&file, |_| {}).await;
    let (replayed, arrivals) = heard_anthropic(&replay).await;
    assert_eq!(replayed, through, "replayed offline byte for byte");
    assert_paced_like(&timing(&arrivals), &recorded[0]);
}

fn simple(user: &str, stream: bool) -> Value {
    json!({"model": "gpt-4o-mini", "stream": stream, "messages": [{"role": "user", "content": user}]})
}

#[tokio::test]
async fn an_upstream_error_reaches_the_client_as_sent_and_nothing_is_recorded() {
    let rig = Rig::new("error");
    let file = rig.file.clone();
    let direct = TestApp::of(upstream().await);
    let gateway = gateway(&direct.address, RecordApi::OpenAi, &file).await;
    for stream in [true, false] {
        let response = (gateway.client.post(gateway.url("/v1/chat/completions")))
            .bearer_auth(KEY)
            .json(&simple("refuse", stream))
            .send()
            .await
            .unwrap();
        let (status, code, message) = error_of(response).await;
        assert_eq!((status, code.as_str()), (429, "fixture_error"));
        assert_eq!(message, "Rate limit reached for gpt-4o-mini");
    }
    assert!(!file.exists(), "nothing recorded");
}

#[tokio::test]
async fn a_cut_stream_ends_with_the_apis_error_and_nothing_is_recorded() {
    let rig = Rig::new("cut");
    let file = rig.file.clone();
    let direct = TestApp::of(upstream().await);
    let gateway = gateway(&direct.address, RecordApi::OpenAi, &file).await;
    let response = open_stream(
        (gateway.client.post(gateway.url("/v1/chat/completions")))
            .bearer_auth(KEY)
            .json(&simple("cut", true)),
    )
    .await;
    let cut = events(response).await;
    let last = json(cut.last().unwrap());
    assert_eq!(last["error"]["code"], "upstream_error", "{last}");
    assert_eq!(last["error"]["type"], "server_error");
    let message = last["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("ended before the API's end marker"),
        "{message}"
    );
    assert!(cut.iter().all(|e| e.data != "[DONE]"));
    assert!(!file.exists(), "nothing recorded");
    let entry = &gateway.state.journal().list(None)[0];
    assert!(entry.upstream);
    assert_eq!(entry.outcome, trickle::journal::Outcome::Error);

    // An error event of the upstream's own reaches the client as sent.
    let response = open_stream(
        (gateway.client.post(gateway.url("/v1/chat/completions")))
            .bearer_auth(KEY)
            .json(&simple("break", true)),
    )
    .await;
    let broken = events(response).await;
    let last = json(broken.last().unwrap());
    assert_eq!(last["error"]["code"], "injected_fault", "{last}");
    assert_eq!(
        broken
            .iter()
            .filter(|e| e.data.contains("\"error\""))
            .count(),
        1
    );
    assert!(!file.exists(), "nothing recorded");
}

#[tokio::test]
async fn a_client_that_leaves_cancels_the_upstream_request() {
    let rig = Rig::new("leave");
    let file = rig.file.clone();
    let direct = TestApp::of(upstream().await);
    let gateway = gateway(&direct.address, RecordApi::OpenAi, &file).await;
    let response = open_stream(
        (gateway.client.post(gateway.url("/v1/chat/completions")))
            .bearer_auth(KEY)
            .json(&simple("long", true)),
    )
    .await;
    let mut stream = response.bytes_stream().eventsource();
    within("a first event", stream.next())
        .await
        .unwrap()
        .unwrap();
    drop(stream);
    within("the upstream to see the client leave", async {
        loop {
            let entries = direct.state.journal().list(None);
            if entries
                .first()
                .is_some_and(|e| e.outcome == trickle::journal::Outcome::ClientGone)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(!file.exists(), "nothing recorded");
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_in_the_apis_shape() {
    let rig = Rig::new("unreachable");
    let file = rig.file.clone();
    let gateway = gateway("http://127.0.0.1:1", RecordApi::Anthropic, &file).await;
    let body = json!({"model": "claude-x", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]});
    let response = (gateway.client.post(gateway.url("/v1/messages")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "api_error");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("upstream http://127.0.0.1:1: cannot reach"),
        "{message}"
    );
    assert!(message.contains("check record.upstream"), "{message}");
    // The family not forwarded is answered here as always.
    let local = (gateway.client.post(gateway.url("/v1/chat/completions")))
        .json(&json!({"model": "sim-default", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), 200);
    assert!(!file.exists());
}

#[tokio::test]
async fn a_request_a_fixture_answers_is_not_forwarded() {
    let rig = Rig::new("fixture-first");
    let file = rig.file.clone();
    std::fs::write(
        &file,
        "[[fixture]]\nmatch.user = { exact = \"local\" }\nreply.text = \"answered here\"\n",
    )
    .unwrap();
    let file_text = file.display().to_string();
    let gateway = spawn_app_with(move |s| {
        s.record.upstream = "http://127.0.0.1:1".to_owned();
        s.record.file = file_text.clone();
        s.fixtures.file = file_text;
    })
    .await;
    let response = (gateway.client.post(gateway.url("/v1/chat/completions")))
        .json(&simple("local", false))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], "answered here");
}

#[tokio::test]
async fn recording_into_the_fixtures_file_replays_each_request_once_recorded() {
    let rig = Rig::new("record-once");
    let file = rig.file.clone();
    let direct = TestApp::of(upstream().await);
    let mut settings = test_settings();
    settings.record.upstream = direct.address.clone();
    settings.record.file = file.display().to_string();
    settings.fixtures.file = file.display().to_string();
    let gateway = TestApp::of(
        TestServer::start(settings.clone())
            .await
            .expect("starts without the file"),
    );
    let (first, _) = heard_openai(&gateway, &weather_request(true)).await;
    // The file changed: a reload (as the file watcher does) reads the recording.
    trickle::reload::reload(&gateway.state, Ok(settings)).expect("the recording loads");
    drop(direct);
    let (second, _) = heard_openai(&gateway, &weather_request(true)).await;
    assert_eq!(second, first);
    let journal = gateway.state.journal().list(None);
    assert_eq!((journal[0].upstream, journal[1].upstream), (true, false));
}

#[tokio::test]
async fn a_forwarded_stream_counts_as_open_and_ends_with_the_apis_event_at_shutdown() {
    let rig = Rig::new("shutdown");
    let file = rig.file.clone();
    let direct = TestApp::of(upstream().await);
    let (upstream, recordings) = (direct.address.clone(), file.display().to_string());
    let gateway = spawn_app_with(move |s| {
        s.record.upstream = upstream;
        s.record.file = recordings;
        s.server.shutdown_grace_s = 0;
    })
    .await;
    let response = open_stream(
        (gateway.client.post(gateway.url("/v1/chat/completions")))
            .bearer_auth(KEY)
            .json(&simple("long", true)),
    )
    .await;
    let mut stream = response.bytes_stream().eventsource();
    within("a first event", stream.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        gateway.open_streams("openai"),
        1,
        "counted among the open streams"
    );
    let drain = tokio::spawn(gateway.stopper.clone().drain());
    let mut rest = Vec::new();
    while let Some(event) = within("the rest", stream.next()).await {
        rest.push(event.expect("well-formed"));
    }
    let last = json(rest.last().expect("a final event"));
    assert_eq!(last["error"]["code"], "shutting_down", "{last}");
    within("the drain", drain).await.expect("drain finishes");
    assert_eq!(gateway.open_streams("openai"), 0);
    let entry = &gateway.state.journal().list(None)[0];
    assert_eq!(entry.outcome, trickle::journal::Outcome::Shutdown);
    assert!(!file.exists(), "nothing recorded");
}
