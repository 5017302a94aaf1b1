//! A stream's place on its chat model: a place in the queue until it has a
//! slot, then the slot, with the model's histograms at hand. Held by the
//! stream's [`super::StreamGuard`].

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use prometheus::Histogram;
use tokio::time::Instant;

use super::gate::{Entry, Gate, Slot, Waiting};
use crate::metrics::Metrics;

/// A stream's place on its model: waiting in the queue, then holding a
/// slot, with the model's histograms at hand.
pub(super) struct Seat {
    ttft: Histogram,
    /// Only models with slots record waits.
    queue_wait: Option<Histogram>,
    waiting: Option<(Instant, Waiting)>,
    slot: Option<Slot>,
}

impl Seat {
    pub(super) fn new(gate: &Gate, entry: Entry, metrics: &Metrics) -> Seat {
        let labels = [gate.model()];
        let queue_wait = (gate.is_limited()).then(|| metrics.queue_wait.with_label_values(&labels));
        let (waiting, slot) = match entry {
            Entry::Now(slot) => {
                if let Some(wait) = &queue_wait {
                    wait.observe(0.0);
                }
                (None, Some(slot))
            }
            Entry::Queued(waiting) => (Some((Instant::now(), waiting)), None),
        };
        Seat {
            ttft: metrics.model_ttft.with_label_values(&labels),
            queue_wait,
            waiting,
            slot,
        }
    }

    /// Ready once the stream holds a slot; records how long it waited.
    pub(super) fn poll_slot(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some((since, waiting)) = &mut self.waiting else {
            return Poll::Ready(());
        };
        let slot = std::task::ready!(Pin::new(waiting).poll(cx));
        if let Some(wait) = &self.queue_wait {
            wait.observe(since.elapsed().as_secs_f64());
        }
        (self.waiting, self.slot) = (None, Some(slot));
        Poll::Ready(())
    }

    /// Records the stream's first token, `elapsed` after its request.
    pub(super) fn first_token(&self, elapsed: Duration) {
        self.ttft.observe(elapsed.as_secs_f64());
    }

    /// The model is done with the stream: its slot goes to the next in line.
    pub(super) fn release(&mut self) {
        self.slot = None;
    }
}
