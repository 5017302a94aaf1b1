//! The latency model through the server: TTFT that grows with the prompt,
//! model slots and a queue, and live tuning of a profile's pacing. Nothing
//! here measures time: waits are bounded polls, and ordering is read from
//! which stream got a slot. Timing under load is shown by
//! `bench/latency.sh`, not tested.

mod prefill;
mod queue;
mod tuning;

use std::time::Duration;

use trickle::config::Settings;
use trickle::state::Gate;

use crate::helpers::{TestApp, within};

/// Adds a chat profile `name` that writes `words` words of prose, with
/// `slots` and `queue`, its first token `ttft_ms` away.
fn add_busy(settings: &mut Settings, name: &str, slots: u32, queue: u32, ttft_ms: u64) {
    let mut profile = settings.models.profiles["sim-prose"].clone();
    profile.description = "slots and a queue".to_owned();
    profile.ttft_ms = Some(ttft_ms);
    profile.slots = Some(slots);
    profile.queue = Some(queue);
    settings.models.profiles.insert(name.to_owned(), profile);
}

/// The gate of model `name` in force.
fn gate(app: &TestApp, name: &str) -> std::sync::Arc<Gate> {
    let runtime = app.state.runtime();
    std::sync::Arc::clone(runtime.gate(name).expect("a chat model has a gate"))
}

/// Waits (bounded) until `check` holds.
async fn until(what: &str, check: impl Fn() -> bool) {
    within(what, async {
        while !check() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}
