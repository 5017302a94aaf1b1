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

use crate::metrics::Outcome;

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

    /// How the stream ended, once `next_due` is `None`.
    fn outcome(&self) -> Outcome {
        Outcome::Completed
    }

    /// True for items that count as tokens in the metrics.
    fn is_token(_item: &Self::Item) -> bool {
        false
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
pub struct Paced<T> {
    timeline: T,
    start: Instant,
    last_write: Instant,
    keep_alive: Duration,
    sleep: Pin<Box<Sleep>>,
    shutdown: Pin<Box<WaitForCancellationFutureOwned>>,
    finished: bool,
    guard: StreamGuard,
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
            guard,
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
                this.guard.finish(Outcome::Shutdown);
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
                let item = this.timeline.emit(now - this.start);
                this.guard
                    .sent(now - due_at, T::is_token(&item), now - this.start);
                if this.timeline.next_due().is_none() {
                    this.guard.finish(this.timeline.outcome());
                }
                return Poll::Ready(Some(Tick::Item(item)));
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use futures_util::StreamExt as _;

    use super::*;
    use crate::config::{Overrides, load_with_env};
    use crate::sim::{Pacing, Script, Unit};
    use crate::state::{AppState, Runtime, StreamRoute};

    fn state() -> AppState {
        let settings =
            load_with_env(&Overrides::default(), Some(HashMap::new())).expect("built-in settings");
        AppState::new(Runtime::new(settings).expect("built-in runtime"))
    }

    fn paced(
        state: &AppState,
        text: &str,
        pacing: Pacing,
        keep_alive: Duration,
    ) -> Paced<TokenTimeline> {
        let guard = state
            .open_stream(StreamRoute::Chat, None)
            .expect("admitted");
        let timeline =
            TokenTimeline::new(Script::new(text.to_owned(), Unit::Char), pacing, 0, None);
        Paced::new(timeline, keep_alive, state.shutdown_signal(), guard)
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_leave_on_an_absolute_schedule_without_drift() {
        let state = state();
        let pacing = Pacing {
            ttft: Duration::from_millis(250),
            delay: Duration::from_millis(20),
            jitter: 0.5,
            seed: 9,
        };
        let text = "x".repeat(1000);
        let mut stream = paced(&state, &text, pacing, Duration::from_secs(3600));
        let start = Instant::now();
        let mut index = 0;
        while let Some(tick) = stream.next().await {
            match tick {
                Tick::Item(TokenEvent::Token { index: i, .. }) => {
                    assert_eq!(i, index);
                    // The timer wheel has millisecond resolution, so a token
                    // leaves in the millisecond it is due, never before.
                    let (at, due) = (start.elapsed(), pacing.offset(i));
                    assert!(
                        at >= due && at - due < Duration::from_millis(1),
                        "token {i}: {at:?} for {due:?}"
                    );
                    index += 1;
                }
                Tick::Item(TokenEvent::Done(summary)) => {
                    assert_eq!(summary.tokens, 1000);
                    let ttft = summary.ttft_ms.expect("a first token was sent");
                    assert!(
                        ttft.abs_diff(pacing.offset(0).as_millis() as u64) <= 1,
                        "ttft {ttft}"
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(index, 1000);
        // 1,000 tokens at 20 ms take 250 ms + 999 × 20 ms (± the last token's jitter), not more.
        let total = start.elapsed().as_secs_f64();
        assert!((total - 20.23).abs() <= 0.005 + 1e-9, "took {total}s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_silence_is_filled_with_heartbeats() {
        let state = state();
        let pacing = Pacing {
            ttft: Duration::from_secs(10),
            delay: Duration::ZERO,
            jitter: 0.0,
            seed: 1,
        };
        let ticks: Vec<_> = paced(&state, "ab", pacing, Duration::from_secs(3))
            .collect()
            .await;
        let heartbeats = ticks.iter().filter(|t| **t == Tick::Heartbeat).count();
        assert_eq!(heartbeats, 3, "at 3, 6 and 9 s");
        assert!(matches!(
            ticks.last(),
            Some(Tick::Item(TokenEvent::Done(_)))
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_ends_the_stream_with_where_it_stopped() {
        let state = state();
        let pacing = Pacing {
            ttft: Duration::ZERO,
            delay: Duration::from_millis(100),
            jitter: 0.0,
            seed: 1,
        };
        let mut stream = paced(&state, "abcdef", pacing, Duration::from_secs(3600));
        for _ in 0..3 {
            stream.next().await;
        }
        state.end_streams();
        assert_eq!(
            stream.next().await,
            Some(Tick::Item(TokenEvent::ShuttingDown { next: 3 }))
        );
        assert_eq!(stream.next().await, None);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_stream_releases_its_slot() {
        let state = state();
        let pacing = Pacing {
            ttft: Duration::from_secs(60),
            delay: Duration::ZERO,
            jitter: 0.0,
            seed: 1,
        };
        let stream = paced(&state, "abc", pacing, Duration::from_secs(15));
        assert_eq!(state.open_streams(StreamRoute::Chat), 1);
        drop(stream);
        assert_eq!(state.open_streams(StreamRoute::Chat), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_resumed_stream_keeps_the_original_rhythm() {
        let pacing = Pacing {
            ttft: Duration::from_millis(500),
            delay: Duration::from_millis(20),
            jitter: 0.3,
            seed: 4,
        };
        let mut timeline = TokenTimeline::new(Script::new("abcdefgh", Unit::Char), pacing, 5, None);
        assert_eq!(
            timeline.next_due(),
            Some(pacing.offset(5) - pacing.offset(4))
        );
        assert!(matches!(
            timeline.emit(Duration::ZERO),
            TokenEvent::Token { index: 5, .. }
        ));
    }
}
