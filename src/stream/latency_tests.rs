//! The latency model under a paused clock: drawn gaps and stalls leave on
//! their seeded schedule, the load curve stretches delays from the moment
//! the load changes without drift, and a held start (a queued request)
//! sends heartbeats and counts its wait in the time to first token.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt as _;
use tokio::sync::oneshot;

use super::*;
use crate::sim::{Distribution, Latency, LoadCurve, Pacing, Schedule, Script, Spread, Stall, Unit};

const MS: Duration = Duration::from_millis(1);

fn timeline(tokens: usize, pacing: Pacing, latency: Latency) -> TokenTimeline {
    let script = Script::new("x".repeat(tokens), Unit::Char);
    TokenTimeline::with_latency(script, pacing, latency, 0, None)
}

fn pacing(ttft_ms: u32, delay_ms: u32) -> Pacing {
    Pacing {
        ttft: ttft_ms * MS,
        delay: delay_ms * MS,
        jitter: 0.0,
        seed: 21,
    }
}

/// When each token left, from the start.
async fn token_times<O: Observer>(mut stream: Paced<TokenTimeline, O>) -> Vec<Duration> {
    let start = Instant::now();
    let mut times = Vec::new();
    while let Some(tick) = stream.next().await {
        if let Tick::Item(TokenEvent::Token { .. }) = tick {
            times.push(start.elapsed());
        }
    }
    times
}

fn paced<O: Observer>(timeline: TokenTimeline, observer: O) -> Paced<TokenTimeline, O> {
    Paced::new(
        timeline,
        Duration::from_secs(1),
        &Shutdown::default(),
        observer,
    )
}

/// Left in the millisecond it was due: the timer wheel's resolution.
fn on_time(at: Duration, due: Duration, what: &str) {
    assert!(
        at >= due && at - due < MS,
        "{what}: left at {at:?}, due {due:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn drawn_gaps_and_stalls_leave_on_their_seeded_schedule() {
    let latency = Latency {
        delay: Some(Spread {
            distribution: Distribution::Lognormal,
            sd: 12 * MS,
        }),
        stall: Some(Stall {
            probability: 0.02,
            pause: Spread::FIXED.around(300 * MS),
        }),
        load: None,
        recorded: None,
    };
    let (pacing, tokens) = (pacing(400, 30), 400);
    let schedule = Schedule::new(pacing, &latency);
    let times = token_times(paced(timeline(tokens, pacing, latency), ())).await;
    assert_eq!(times.len(), tokens);
    for (i, at) in times.iter().enumerate() {
        on_time(*at, schedule.offset(i as u32), &format!("token {i}"));
    }
}

#[tokio::test(start_paused = true)]
async fn load_stretches_each_delay_from_the_moment_it_changes_without_drift() {
    let curve = LoadCurve {
        factor: 1.0,
        slots: 3,
    };
    let latency = Latency {
        load: Some(curve),
        ..Latency::default()
    };
    let active = Arc::new(AtomicUsize::new(3));
    let timeline = timeline(100, pacing(250, 20), latency).with_load(Arc::clone(&active));
    let mut stream = paced(timeline, ());
    let start = Instant::now();
    let mut due = 250 * MS;
    let mut index = 0;
    while let Some(tick) = stream.next().await {
        let Tick::Item(TokenEvent::Token { .. }) = tick else {
            continue;
        };
        on_time(start.elapsed(), due, &format!("token {index}"));
        // The gap to the next token was set as this one left, by the load
        // then: full slots (each delay doubled) for the first half of the
        // reply, then a stream alone.
        due += (20 * MS).mul_f64(curve.stretch(active.load(Ordering::Relaxed)));
        if index == 49 {
            active.store(1, Ordering::Relaxed);
        }
        index += 1;
    }
    assert_eq!(index, 100);
    // 250 ms, then 50 gaps of 40 ms and 49 of 20 ms: the curve, nothing more.
    let total = start.elapsed();
    assert!(
        total - (250 + 50 * 40 + 49 * 20) * MS < MS,
        "took {total:?}"
    );
}

/// Holds the start until its receiver fires; says when it was dropped.
struct Queued(oneshot::Receiver<()>);

impl Observer for Queued {
    fn sent(&mut self, _: Duration, _: Sent, _: Duration) {}
    fn finish(&mut self, _: Outcome) {}
    fn poll_start(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

#[tokio::test(start_paused = true)]
async fn a_queued_start_sends_heartbeats_and_counts_the_wait_in_the_ttft() {
    let (slot, wait) = oneshot::channel();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(3500)).await;
        let _ = slot.send(());
    });
    let mut stream = paced(
        timeline(5, pacing(200, 10), Latency::default()),
        Queued(wait),
    );
    let start = Instant::now();
    let mut heartbeats = Vec::new();
    let mut tokens = Vec::new();
    while let Some(tick) = stream.next().await {
        match tick {
            Tick::Heartbeat => heartbeats.push(start.elapsed()),
            Tick::Item(TokenEvent::Token { .. }) => tokens.push(start.elapsed()),
            Tick::Item(TokenEvent::Done(summary)) => {
                assert_eq!(summary.ttft_ms, Some(3700), "the wait, then the TTFT");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(heartbeats, [1000 * MS, 2000 * MS, 3000 * MS]);
    for (i, at) in tokens.iter().enumerate() {
        on_time(*at, (3700 + 10 * i as u32) * MS, &format!("token {i}"));
    }
}

#[test]
fn a_resumed_walked_stream_continues_one_seeded_step_after_the_last_token_sent() {
    let latency = Latency {
        delay: Some(Spread {
            distribution: Distribution::Normal,
            sd: 5 * MS,
        }),
        ..Latency::default()
    };
    let pacing = pacing(700, 30);
    let schedule = Schedule::new(pacing, &latency);
    let script = Script::new("abcdefghij", Unit::Char);
    let mut timeline = TokenTimeline::with_latency(script, pacing, latency, 6, None);
    assert_eq!(
        timeline.next_due(),
        Some(schedule.offset(6) - schedule.offset(5)),
        "no TTFT, no prefill: one gap"
    );
    timeline.emit(Duration::ZERO);
    assert_eq!(
        timeline.next_due(),
        Some(schedule.offset(7) - schedule.offset(5))
    );
}
