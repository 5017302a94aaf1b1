//! trickle: a simulated LLM token-streaming server.
//!
//! It accepts a prompt and streams a canned or generated reply token by token
//! as Server-Sent Events, with the timing of a real model. Data flows one way:
//!
//! request → [`sim::Plan`] (validated, with its [`sim::Script`]: reply and
//! chunks) → [`stream::Paced`] (tokens on their schedule) → a
//! [`framing::Framing`] (wire format) → HTTP body. ARCHITECTURE.md draws it.
//!
//! - [`config`]: settings, layering and validation.
//! - [`sim`]: pure, deterministic simulation; knows nothing of HTTP.
//! - [`stream`]: paces a timeline in real time, with heartbeats and shutdown.
//! - [`framing`]: the wire formats over the one token stream.
//! - [`routes`]: the HTTP surface, one file per route; every reply goes
//!   through one plan builder and one stream opener.
//! - [`state`]: settings in force, stream counters, admission, each model's
//!   slots and queue, shutdown signal.
//! - [`error`]: the one error type, answered in the shape of the API called.
//! - [`metrics`]: Prometheus metrics; [`middleware`]: what wraps every route;
//!   [`auth`]: optional API keys.
//! - [`startup`]: [`Application`] binds and runs the server; [`capacity`]:
//!   streams and connections the open-file limit leaves room for.
//! - [`journal`]: the requests the model routes received, for tests;
//!   [`testing`]: a server inside a Rust test, with its journal.
//! - [`cli`]: the command line; [`telemetry`]: logging; [`reload`]: hot reload.
//!
//! `trickle bench`, the load generator, is its own crate (`trickle-loadgen`,
//! in `crates/loadgen`); the command line only hands it its arguments.

pub mod auth;
pub mod capacity;
pub mod cli;
pub mod config;
pub mod error;
pub mod framing;
pub mod journal;
pub mod metrics;
pub mod middleware;
pub mod record;
pub mod reload;
pub mod routes;
pub mod sim;
pub mod startup;
pub mod state;
pub mod stream;
pub mod telemetry;
pub mod testing;

pub use startup::Application;
