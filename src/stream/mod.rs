//! Turns a timeline of due items into a paced `Stream`: each item is released
//! at its offset from the stream's start, a heartbeat fills long silences, and
//! shutdown ends the stream with the timeline's final word.
//!
//! The stream is handed straight to the response body, so when a client goes
//! away actix drops it, and with it the timer and the [`StreamGuard`]: nothing
//! outlives the connection.

mod tokens;

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::time::{Instant, Sleep, sleep_until};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

pub use tokens::{FinishReason, Summary, TokenEvent, TokenTimeline};

use crate::state::StreamGuard;

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
pub struct Paced<T> {
    timeline: T,
    start: Instant,
    last_write: Instant,
    keep_alive: Duration,
    sleep: Pin<Box<Sleep>>,
    shutdown: Pin<Box<WaitForCancellationFutureOwned>>,
    finished: bool,
    _guard: StreamGuard,
}

impl<T: Timeline> Paced<T> {
    /// Starts the clock now. `guard` is held until the stream is dropped.
    pub fn new(
        timeline: T,
        keep_alive: Duration,
        shutdown: CancellationToken,
        guard: StreamGuard,
    ) -> Self {
        let start = Instant::now();
        Paced {
            timeline,
            start,
            last_write: start,
            keep_alive,
            sleep: Box::pin(sleep_until(start)),
            shutdown: Box::pin(shutdown.cancelled_owned()),
            finished: false,
            _guard: guard,
        }
    }
}

impl<T: Timeline> Stream for Paced<T> {
    type Item = Tick<T::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            let now = Instant::now();
            if this.shutdown.as_mut().poll(cx).is_ready() {
                this.finished = true;
                let last = this.timeline.interrupt(now - this.start);
                return Poll::Ready(last.map(Tick::Item));
            }
            let Some(due) = this.timeline.next_due() else {
                this.finished = true;
                return Poll::Ready(None);
            };
            let due_at = this.start + due;
            if now >= due_at {
                this.last_write = now;
                return Poll::Ready(Some(Tick::Item(this.timeline.emit(now - this.start))));
            }
            let heartbeat_at = this.last_write + this.keep_alive;
            if now >= heartbeat_at {
                this.last_write = now;
                return Poll::Ready(Some(Tick::Heartbeat));
            }
            let wake = due_at.min(heartbeat_at);
            if this.sleep.deadline() != wake {
                this.sleep.as_mut().reset(wake);
            }
            if this.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
    }
}
