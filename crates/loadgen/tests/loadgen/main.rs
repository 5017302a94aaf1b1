//! The load generator's own tests, through its public API and without the
//! trickle server: arguments, the SSE parser, the report, and the client
//! against a scripted local server.

mod args;
mod client;
mod helpers;
mod report;
mod sse;
