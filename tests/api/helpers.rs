//! `spawn_app()` and a `TestApp` with one method per endpoint, plus a
//! spec-conformant reading of event streams.

use std::future::Future;
use std::time::Duration;

use eventsource_stream::{Event, Eventsource as _};
use futures_util::StreamExt as _;
use reqwest::{RequestBuilder, Response};
use trickle::config::Settings;
use trickle::startup::Stopper;
use trickle::state::{AppState, RouteLabel};
use trickle::testing::TestServer;

/// Every read of a stream is bounded by this, so a hang fails the test.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A server running on a free port (the library's [`TestServer`], which
/// stops it when the test drops it), and a client for it.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub stopper: Stopper,
    pub client: reqwest::Client,
    /// Held so that the server runs until the test drops the app.
    _server: TestServer,
}

/// The built-in settings, whatever the environment holds, with fast pacing
/// so tests never wait on real time ([`TestServer::settings`]).
pub fn test_settings() -> Settings {
    TestServer::settings()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = test_settings();
    change(&mut settings);
    let server = TestServer::start(settings).await.expect("the app builds");
    TestApp::of(server)
}

impl TestApp {
    /// Wraps a server started by the test itself.
    pub fn of(server: TestServer) -> TestApp {
        TestApp {
            address: server.base_url().to_owned(),
            state: server.state().clone(),
            stopper: server.stopper(),
            client: reqwest::Client::builder()
                .timeout(READ_TIMEOUT)
                .build()
                .expect("client builds"),
            _server: server,
        }
    }
}

/// Fails the test instead of hanging.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(READ_TIMEOUT, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: timed out after {READ_TIMEOUT:?}"))
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `POST /chat` with a JSON body.
    pub fn post_chat(&self, body: serde_json::Value) -> RequestBuilder {
        self.client.post(self.url("/chat")).json(&body)
    }

    /// `GET /chat?…`
    pub fn get_chat(&self, query: &str) -> RequestBuilder {
        self.client.get(self.url(&format!("/chat?{query}")))
    }

    /// `GET /clock?…`
    pub fn get_clock(&self, query: &str) -> RequestBuilder {
        self.client.get(self.url(&format!("/clock?{query}")))
    }

    pub fn open_streams(&self, route: RouteLabel) -> usize {
        self.state.open_streams(route)
    }

    /// Waits (bounded) until no stream is open on `route`.
    pub async fn wait_for_no_streams(&self, route: RouteLabel) {
        within("open streams to reach zero", async {
            while self.open_streams(route) > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
    }
}

/// Sends the request and checks it is a 200 event stream.
pub async fn open_stream(request: RequestBuilder) -> Response {
    let response = within("response headers", request.send())
        .await
        .expect("request is sent");
    assert_eq!(response.status(), 200, "{:?}", response.headers());
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    response
}

/// Reads the whole body (bounded).
pub async fn body_text(response: Response) -> String {
    within("the whole body", response.text())
        .await
        .expect("body reads")
}

/// Parses a whole response as the SSE spec says.
pub async fn events(response: Response) -> Vec<Event> {
    within("the whole event stream", async {
        response
            .bytes_stream()
            .eventsource()
            .map(|e| e.expect("a well-formed event stream"))
            .collect::<Vec<_>>()
            .await
    })
    .await
}

/// What a client reconstructs from a chat stream: the token events' data
/// concatenated, plus the named events.
pub struct Reply {
    pub text: String,
    pub tokens: Vec<Event>,
    pub meta: serde_json::Value,
    pub last: Event,
}

pub fn reply(events: &[Event]) -> Reply {
    let meta = events
        .iter()
        .find(|e| e.event == "meta")
        .expect("a meta event");
    let tokens: Vec<Event> = events
        .iter()
        .filter(|e| e.event == "message")
        .cloned()
        .collect();
    Reply {
        text: tokens.iter().map(|e| e.data.as_str()).collect(),
        meta: serde_json::from_str(&meta.data).expect("meta is JSON"),
        last: events.last().expect("at least one event").clone(),
        tokens,
    }
}

/// The JSON body of a named event.
pub fn json(event: &Event) -> serde_json::Value {
    serde_json::from_str(&event.data).unwrap_or_else(|e| panic!("{} is not JSON: {e}", event.data))
}

/// Reads an error response's code and message.
pub async fn error_of(response: Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let text = within("error body", response.text())
        .await
        .expect("body reads");
    let body: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: error body {text:?} is not JSON: {e}"));
    let error = &body["error"];
    (
        status,
        error["code"].as_str().expect("error.code").to_owned(),
        error["message"].as_str().expect("error.message").to_owned(),
    )
}

pub const CHAT: RouteLabel = "chat";
pub const CLOCK: RouteLabel = "clock";
