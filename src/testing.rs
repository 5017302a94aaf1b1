//! trickle inside a Rust test: start a server on a free port with settings
//! and fixtures built in code, point the code under test at its
//! [`base_url`](TestServer::base_url), read what it sent from the
//! [`journal`](TestServer::journal), and stop it.
//!
//! ```
//! use serde_json::json;
//! use trickle::journal::Outcome;
//! use trickle::testing::TestServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = TestServer::with_fixtures(
//!     r#"
//!     [[fixture]]
//!     name = "capital"
//!     match.user = { contains = "capital of France" }
//!     reply.text = "Paris."
//!     "#,
//! )
//! .await
//! .expect("trickle starts");
//!
//! // The code under test, with any HTTP client or SDK:
//! let reply: serde_json::Value = reqwest::Client::new()
//!     .post(format!("{}/v1/chat/completions", server.base_url()))
//!     .header("x-trickle-session", "doc")
//!     .json(&json!({
//!         "model": "sim-default",
//!         "messages": [{"role": "user", "content": "What is the capital of France?"}],
//!     }))
//!     .send()
//!     .await
//!     .expect("sent")
//!     .json()
//!     .await
//!     .expect("JSON");
//! assert_eq!(reply["choices"][0]["message"]["content"], "Paris.");
//!
//! let journal = server.session_journal("doc");
//! assert_eq!(journal[0].fixture.as_deref(), Some("capital"));
//! assert_eq!(journal[0].outcome, Outcome::Completed);
//! server.stop().await;
//! # }
//! ```
//!
//! `examples/test_double.rs` is the same with an HTTP client, as a program
//! (`cargo run --example test_double`).

use std::net::SocketAddr;

use tokio::task::JoinHandle;

use crate::config::{self, Settings};
use crate::journal::Entry;
use crate::sim::fixture::Fixtures;
use crate::startup::{Application, Stopper};
use crate::state::{AppState, Runtime};

/// A trickle server running in this process, on `127.0.0.1` and a free
/// port. Dropping it stops the server, as [`stop`](Self::stop) does without
/// waiting.
///
/// It needs a Tokio runtime (`#[tokio::test]`, `#[actix_web::test]`); the
/// server's workers run on threads of their own.
pub struct TestServer {
    address: SocketAddr,
    base_url: String,
    state: AppState,
    stopper: Stopper,
    served: Option<JoinHandle<std::io::Result<()>>>,
}

/// Why a test server did not start: a setting out of range, a fixture that
/// does not parse (named by its number and key), or a busy address.
#[derive(Debug, thiserror::Error)]
#[error("trickle did not start: {0}")]
pub struct StartError(String);

impl TestServer {
    /// Settings for tests: the built-in defaults, whatever the working
    /// directory's `config/default.toml` and the environment say, on port 0
    /// with two workers, and no waiting: no time to first token and no delay
    /// between tokens, for every model profile. Change what a test needs
    /// before [`start`](Self::start).
    pub fn settings() -> Settings {
        let mut settings = config::built_in();
        settings.server.host = "127.0.0.1".to_owned();
        settings.server.port = 0;
        settings.server.workers = 2;
        settings.stream.ttft_ms = 0;
        settings.stream.token_delay_ms = 0;
        for profile in settings.models.profiles.values_mut() {
            profile.ttft_ms = None;
            profile.token_delay_ms = None;
        }
        settings
    }

    /// Starts a server with `settings` (see [`settings`](Self::settings));
    /// a `fixtures.file` they name is read as it would be by the command.
    pub async fn start(settings: Settings) -> Result<TestServer, StartError> {
        settings.validate().map_err(|e| StartError(e.to_string()))?;
        let runtime = Runtime::new(settings).map_err(StartError)?;
        Self::serve(runtime)
    }

    /// Starts a server with the test [`settings`](Self::settings) and these
    /// fixtures, the text of a fixtures file (`[[fixture]]` rules, as the
    /// README's "Testing your app with trickle" describes).
    pub async fn with_fixtures(fixtures: &str) -> Result<TestServer, StartError> {
        Self::start_with_fixtures(Self::settings(), fixtures).await
    }

    /// Starts a server with `settings` and these fixtures, which take the
    /// place of any `fixtures.file` (until a reload reads the file again).
    pub async fn start_with_fixtures(
        settings: Settings,
        fixtures: &str,
    ) -> Result<TestServer, StartError> {
        settings.validate().map_err(|e| StartError(e.to_string()))?;
        let fixtures =
            Fixtures::parse(fixtures, "fixtures").map_err(|e| StartError(e.to_string()))?;
        let mut runtime = Runtime::new(settings).map_err(StartError)?;
        runtime.fixtures = std::sync::Arc::new(fixtures);
        Self::serve(runtime)
    }

    fn serve(runtime: Runtime) -> Result<TestServer, StartError> {
        let app = Application::with_runtime(runtime).map_err(StartError)?;
        let address = app.address();
        let (state, stopper) = (app.state(), app.stopper());
        Ok(TestServer {
            address,
            base_url: format!("http://{address}"),
            state,
            stopper,
            served: Some(tokio::spawn(app.run())),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash: add `/v1` for the
    /// OpenAI and Anthropic SDKs' base URL, nothing for Ollama's.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every request the journal holds, oldest first (see
    /// [`Entry`] for what each says). A stream still running is there with
    /// the outcome `open`.
    pub fn journal(&self) -> Vec<Entry> {
        self.state.journal().list(None)
    }

    /// The requests that sent `x-trickle-session: session`, oldest first.
    pub fn session_journal(&self, session: &str) -> Vec<Entry> {
        self.state.journal().list(Some(session))
    }

    /// Forgets every request in the journal.
    pub fn clear_journal(&self) {
        self.state.journal().clear(None);
    }

    /// The server's shared state: settings in force, open streams, metrics.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that drains the server as SIGTERM would, for tests of
    /// shutdown itself.
    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    /// Stops the server at once (open streams end, connections close) and
    /// waits until it has stopped, so its port is free again.
    pub async fn stop(mut self) {
        self.stopper.stop_now().await;
        if let Some(served) = self.served.take() {
            // The server's own result adds nothing once it is stopped.
            let _ = served.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if self.served.is_some() {
            // Sent when called; nobody needs to wait for it here.
            drop(self.stopper.stop_now());
        }
    }
}
