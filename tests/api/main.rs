//! Integration tests: each starts the real server on port 0 and talks HTTP to it.

mod agents;
mod anthropic;
mod bench;
mod capacity;
mod chat;
mod clock;
mod config;
mod embeddings;
mod errors;
mod faults;
mod first_hour;
mod helpers;
mod hostile;
mod latency;
mod lifecycle;
mod logs;
mod openai;
mod operations;
mod page;
mod process;
mod reload;
mod responses;
mod resume;
mod scale_out;
