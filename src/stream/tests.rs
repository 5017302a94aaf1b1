//! The pacing stream under a paused clock: the schedule, heartbeats,
//! shutdown, and what its observer is told.
use std::sync::{Arc, Mutex};

use futures_util::StreamExt as _;

use super::*;
use crate::sim::{Pacing, Script, Unit};

/// What an observer was told, shared with the test.
#[derive(Debug, Default)]
struct Record {
    tokens: u32,
    outcome: Option<Outcome>,
    dropped: bool,
}

struct Recorder(Arc<Mutex<Record>>);

impl Observer for Recorder {
    fn sent(&mut self, _: Duration, kind: Sent, _: Duration) {
        if kind == Sent::Token {
            self.0.lock().expect("not poisoned").tokens += 1;
        }
    }
    fn finish(&mut self, outcome: Outcome) {
        self.0.lock().expect("not poisoned").outcome = Some(outcome);
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.0.lock().expect("not poisoned").dropped = true;
    }
}

fn paced(
    text: &str,
    pacing: Pacing,
    keep_alive: Duration,
    shutdown: &Shutdown,
) -> (Paced<TokenTimeline, Recorder>, Arc<Mutex<Record>>) {
    let record = Arc::new(Mutex::new(Record::default()));
    let timeline = TokenTimeline::new(Script::new(text.to_owned(), Unit::Char), pacing, 0, None);
    let stream = Paced::new(
        timeline,
        keep_alive,
        shutdown,
        Recorder(Arc::clone(&record)),
    );
    (stream, record)
}

#[tokio::test(start_paused = true)]
async fn tokens_leave_on_an_absolute_schedule_without_drift() {
    let pacing = Pacing {
        ttft: Duration::from_millis(250),
        delay: Duration::from_millis(20),
        jitter: 0.5,
        seed: 9,
    };
    let text = "x".repeat(1000);
    let shutdown = Shutdown::default();
    let (mut stream, record) = paced(&text, pacing, Duration::from_secs(3600), &shutdown);
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
    drop(stream);
    let record = record.lock().expect("not poisoned");
    assert_eq!(
        (record.tokens, record.outcome),
        (1000, Some(Outcome::Completed))
    );
    // 1,000 tokens at 20 ms take 250 ms + 999 × 20 ms (± the last token's jitter), not more.
    let total = start.elapsed().as_secs_f64();
    assert!((total - 20.23).abs() <= 0.005 + 1e-9, "took {total}s");
}

#[tokio::test(start_paused = true)]
async fn a_long_silence_is_filled_with_heartbeats() {
    let pacing = Pacing {
        ttft: Duration::from_secs(10),
        delay: Duration::ZERO,
        jitter: 0.0,
        seed: 1,
    };
    let shutdown = Shutdown::default();
    let (stream, _) = paced("ab", pacing, Duration::from_secs(3), &shutdown);
    let ticks: Vec<_> = stream.collect().await;
    let heartbeats = ticks.iter().filter(|t| **t == Tick::Heartbeat).count();
    assert_eq!(heartbeats, 3, "at 3, 6 and 9 s");
    assert!(matches!(
        ticks.last(),
        Some(Tick::Item(TokenEvent::Done(_)))
    ));
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_the_stream_with_where_it_stopped() {
    let pacing = Pacing {
        ttft: Duration::ZERO,
        delay: Duration::from_millis(100),
        jitter: 0.0,
        seed: 1,
    };
    let shutdown = Shutdown::default();
    let (mut stream, record) = paced("abcdef", pacing, Duration::from_secs(3600), &shutdown);
    for _ in 0..3 {
        stream.next().await;
    }
    shutdown.trigger();
    assert_eq!(
        stream.next().await,
        Some(Tick::Item(TokenEvent::ShuttingDown { next: 3 }))
    );
    assert_eq!(stream.next().await, None);
    assert_eq!(
        record.lock().expect("not poisoned").outcome,
        Some(Outcome::Shutdown)
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_unfinished_drops_its_observer_without_an_outcome() {
    let pacing = Pacing {
        ttft: Duration::from_secs(60),
        delay: Duration::ZERO,
        jitter: 0.0,
        seed: 1,
    };
    let shutdown = Shutdown::default();
    let (mut stream, record) = paced("abc", pacing, Duration::from_secs(15), &shutdown);
    let waiting = tokio::time::timeout(Duration::from_secs(1), stream.next()).await;
    assert!(waiting.is_err(), "the first token is a minute away");
    drop(stream);
    let record = record.lock().expect("not poisoned");
    assert!(record.dropped);
    assert_eq!(record.outcome, None, "the client left");
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
