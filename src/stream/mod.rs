//! Turns a timeline of due items into a paced `Stream`: each item is released
//! at its offset from the stream's start, a heartbeat fills long silences, and
//! shutdown ends the stream with the timeline's final word. An observer may
//! hold the start back (a request queued for a model slot); the schedule
//! then starts when it lets go, while elapsed times still count from the
//! request, so the wait is part of the time to first token.
//!
//! The stream is handed straight to the response body, so when a client goes
//! away actix drops it, and with it the timer and its [`Observer`] (the
//! server's stream slot): nothing outlives the connection.

mod shutdown;
mod tokens;
mod walk;

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::time::{Instant, Sleep, sleep_until};

use crate::metrics::Outcome;

pub use shutdown::{Shutdown, ShutdownWatch};
pub use tokens::{FinishReason, Summary, TokenEvent, TokenTimeline};

/// What kind of item was sent, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// A token of a reply.
    Token,
    /// A tick of the clock.
    Tick,
    /// Anything else: a final or error event.
    Other,
}

/// Told about a paced stream as it runs: each item as it leaves and how the
/// stream ended. The server's stream slot is one; dropping the stream drops
/// it, so an observer that was never told how it ended knows the client left.
pub trait Observer: Unpin {
    /// An item of `kind` left `lateness` after it was due, `elapsed` after
    /// the stream started.
    fn sent(&mut self, lateness: Duration, kind: Sent, elapsed: Duration);

    /// The stream ended this way (before the observer is dropped).
    fn finish(&mut self, outcome: Outcome);

    /// Ready when the timeline may start; until then the stream sends only
    /// heartbeats. Ready at once unless the observer holds a place in a
    /// queue.
    fn poll_start(&mut self, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Ready(())
    }
}

/// Observes nothing, for streams nobody counts.
impl Observer for () {
    fn sent(&mut self, _: Duration, _: Sent, _: Duration) {}
    fn finish(&mut self, _: Outcome) {}
}

/// Something that produces items on a schedule.
pub trait Timeline: Unpin {
    /// What the stream yields.
    type Item;

    /// When the next item is due, as an offset from the stream's start;
    /// `None` once the timeline is finished.
    fn next_due(&self) -> Option<Duration>;

    /// Produces the item that is due; `elapsed` is the time since the start.
    fn emit(&mut self, elapsed: Duration) -> Self::Item;

    /// The last item to send when the server shuts down mid-stream.
    fn interrupt(&mut self, elapsed: Duration) -> Option<Self::Item>;

    /// How the stream ended, once `next_due` is `None`.
    fn outcome(&self) -> Outcome {
        Outcome::Completed
    }

    /// What an item counts as in the metrics and logs.
    fn kind(_item: &Self::Item) -> Sent {
        Sent::Other
    }
}

/// What a paced stream yields.
#[derive(Debug, PartialEq)]
pub enum Tick<I> {
    /// An item of the timeline.
    Item(I),
    /// Nothing was written for the keep-alive period.
    Heartbeat,
}

/// A timeline released in real time. See the module docs.
pub struct Paced<T, O = ()> {
    timeline: T,
    /// When the request came: elapsed times count from here.
    start: Instant,
    /// When the schedule starts: `start`, or later when the observer held
    /// the start back.
    origin: Instant,
    /// The observer has let the timeline start.
    started: bool,
    /// The observer held the start back at least once.
    held: bool,
    last_write: Instant,
    keep_alive: Duration,
    sleep: Pin<Box<Sleep>>,
    shutdown: ShutdownWatch,
    finished: bool,
    observer: O,
}

impl<T: Timeline, O: Observer> Paced<T, O> {
    /// Starts the clock now. `observer` is held until the stream is dropped.
    pub fn new(timeline: T, keep_alive: Duration, shutdown: &Shutdown, observer: O) -> Self {
        let start = Instant::now();
        Paced {
            timeline,
            start,
            origin: start,
            started: false,
            held: false,
            last_write: start,
            keep_alive,
            sleep: Box::pin(sleep_until(start)),
            shutdown: shutdown.watch(),
            finished: false,
            observer,
        }
    }
}

impl<T: Timeline, O: Observer> Stream for Paced<T, O> {
    type Item = Tick<T::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            let now = Instant::now();
            if this.shutdown.is_shutting_down(cx) {
                this.finished = true;
                this.observer.finish(Outcome::Shutdown);
                let last = this.timeline.interrupt(now - this.start);
                return Poll::Ready(last.map(Tick::Item));
            }
            let heartbeat_at = this.last_write + this.keep_alive;
            if !this.started {
                if this.observer.poll_start(cx).is_pending() {
                    // Held back: heartbeats only, until the observer wakes
                    // the task to let go.
                    this.held = true;
                    if now >= heartbeat_at {
                        this.last_write = now;
                        return Poll::Ready(Some(Tick::Heartbeat));
                    }
                    if this.wait_until(heartbeat_at, cx) {
                        return Poll::Pending;
                    }
                    continue;
                }
                this.started = true;
                if this.held {
                    this.origin = now;
                }
            }
            let Some(due) = this.timeline.next_due() else {
                this.finished = true;
                return Poll::Ready(None);
            };
            let due_at = this.origin + due;
            if now >= due_at {
                this.last_write = now;
                let item = this.timeline.emit(now - this.start);
                this.observer
                    .sent(now - due_at, T::kind(&item), now - this.start);
                if this.timeline.next_due().is_none() {
                    this.observer.finish(this.timeline.outcome());
                }
                return Poll::Ready(Some(Tick::Item(item)));
            }
            if now >= heartbeat_at {
                this.last_write = now;
                return Poll::Ready(Some(Tick::Heartbeat));
            }
            if this.wait_until(due_at.min(heartbeat_at), cx) {
                return Poll::Pending;
            }
        }
    }
}

impl<T, O> Paced<T, O> {
    /// Arms the timer for `at`; true while it has not fired.
    fn wait_until(&mut self, at: Instant, cx: &mut Context<'_>) -> bool {
        if self.sleep.deadline() != at {
            self.sleep.as_mut().reset(at);
        }
        self.sleep.as_mut().poll(cx).is_pending()
    }
}

#[cfg(test)]
mod latency_tests;
#[cfg(test)]
mod tests;
