//! What the streams measured: per-stream timing folded into shared HDR
//! histograms (microseconds), plus how each stream ended and why.
//!
//! Only paced events (by default type `message`: tokens, ticks) enter gaps,
//! lateness and drift. Lateness of paced event k (k = 0 for the stream's
//! first) is its arrival minus (first paced arrival + k × expected gap): how
//! far behind an absolute schedule anchored at the first event it came. Early
//! events count as 0. Drift is (last − first paced arrival) ÷ ((paced events
//! − 1) × expected gap) − 1, per completed stream; negative counts as 0.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// Samples a stream keeps before it folds them into the shared histograms.
const BATCH: usize = 256;

/// Histograms and tallies shared by every stream of a run.
#[derive(Debug)]
pub struct Totals {
    /// Time from connecting to the first event.
    pub first_event: Histogram<u64>,
    /// Time from connecting to the first paced event (a reply's first
    /// token: its time to first token as a client sees it).
    pub first_paced: Histogram<u64>,
    /// Time between consecutive events of a stream.
    pub gaps: Histogram<u64>,
    /// Lateness against the expected gap (see the module doc).
    pub lateness: Histogram<u64>,
    /// Each stream's drift in parts per million (negative counts as 0).
    pub drift_ppm: Histogram<u64>,
    /// Each finished stream's duration from connecting to its end.
    pub durations: Histogram<u64>,
    /// Streams that ended cleanly.
    pub completed: u64,
    /// Streams cut by the time bound.
    pub cut: u64,
    /// Failed streams by reason.
    pub failures: BTreeMap<String, u64>,
    /// Events dispatched.
    pub events: u64,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("static bounds are valid")
}

impl Default for Totals {
    fn default() -> Self {
        Totals {
            first_event: histogram(),
            first_paced: histogram(),
            gaps: histogram(),
            lateness: histogram(),
            drift_ppm: histogram(),
            durations: histogram(),
            completed: 0,
            cut: 0,
            failures: BTreeMap::new(),
            events: 0,
        }
    }
}

/// How a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// A 200 whose body ended cleanly.
    Completed,
    /// Still open when the time bound ran out.
    Cut,
    /// Anything else, with the reason.
    Failed(String),
}

/// One stream's timing while it runs.
#[derive(Debug)]
pub struct StreamLog {
    started: Instant,
    gap: Option<Duration>,
    expected_events: Option<u64>,
    first: Option<Instant>,
    first_paced: Option<Instant>,
    last: Option<Instant>,
    events: u64,
    paced: u64,
    gaps: Vec<u64>,
    lateness: Vec<u64>,
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

impl StreamLog {
    /// A stream that connected at `started`, expecting events `gap` apart.
    pub fn new(started: Instant, gap: Option<Duration>) -> Self {
        StreamLog {
            started,
            gap,
            expected_events: None,
            first: None,
            first_paced: None,
            last: None,
            events: 0,
            paced: 0,
            gaps: Vec::new(),
            lateness: Vec::new(),
        }
    }

    /// A stream that must bring exactly `count` paced events to count as
    /// completed; any other number makes it a failure that says how many.
    pub fn expecting(mut self, count: Option<u64>) -> Self {
        self.expected_events = count;
        self
    }

    /// Records an event that arrived `at`; only `paced` ones (the stream's
    /// ticks or tokens, not its meta or end events) count for gaps, lateness
    /// and drift. Folds a full batch into `totals`.
    pub fn event(&mut self, at: Instant, paced: bool, totals: &Mutex<Totals>) {
        self.first.get_or_insert(at);
        self.events += 1;
        if !paced {
            return;
        }
        let first = *self.first_paced.get_or_insert(at);
        if let Some(last) = self.last {
            self.gaps.push(micros(at - last));
        }
        if let Some(gap) = self.gap {
            let due = first + gap.saturating_mul(u32::try_from(self.paced).unwrap_or(u32::MAX));
            self.lateness
                .push(micros(at.saturating_duration_since(due)));
        }
        self.last = Some(at);
        self.paced += 1;
        if self.gaps.len() >= BATCH || self.lateness.len() >= BATCH {
            self.flush(totals);
        }
    }

    /// Events seen so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    fn flush(&mut self, totals: &Mutex<Totals>) {
        let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
        for v in self.gaps.drain(..) {
            t.gaps.saturating_record(v);
        }
        for v in self.lateness.drain(..) {
            t.lateness.saturating_record(v);
        }
    }

    /// Folds the rest of this stream, and how it ended (`end`, `at`), into `totals`.
    pub fn finish(mut self, mut end: StreamEnd, at: Instant, totals: &Mutex<Totals>) {
        self.flush(totals);
        if let (StreamEnd::Completed, Some(expected)) = (&end, self.expected_events)
            && self.paced != expected
        {
            end = StreamEnd::Failed(format!("{} paced events (expected {expected})", self.paced));
        }
        let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
        t.events += self.events;
        if let Some(first) = self.first {
            t.first_event
                .saturating_record(micros(first - self.started));
        }
        if let Some(first) = self.first_paced {
            t.first_paced
                .saturating_record(micros(first - self.started));
        }
        if let (Some(first), Some(last), Some(gap)) = (self.first_paced, self.last, self.gap) {
            let scheduled = gap.as_secs_f64() * (self.paced.saturating_sub(1)) as f64;
            if scheduled > 0.0 && end == StreamEnd::Completed {
                let drift = (last - first).as_secs_f64() / scheduled - 1.0;
                t.drift_ppm.saturating_record((drift * 1e6).max(1.0) as u64);
            }
        }
        match end {
            StreamEnd::Completed => {
                t.completed += 1;
                t.durations.saturating_record(micros(at - self.started));
            }
            StreamEnd::Cut => t.cut += 1,
            StreamEnd::Failed(reason) => *t.failures.entry(reason).or_default() += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_paced_event_is_timed_apart_from_the_first_event() {
        let totals = Mutex::new(Totals::default());
        let start = Instant::now();
        let mut log = StreamLog::new(start, None);
        // A `meta` event at once, the first token after a queue and a TTFT.
        log.event(start + Duration::from_millis(2), false, &totals);
        log.event(start + Duration::from_millis(900), true, &totals);
        log.finish(
            StreamEnd::Completed,
            start + Duration::from_secs(1),
            &totals,
        );
        let t = totals.lock().unwrap();
        assert!(t.first_event.equivalent(t.first_event.max(), 2000));
        assert!(t.first_paced.equivalent(t.first_paced.max(), 900_000));
    }

    #[test]
    fn a_completed_stream_with_the_wrong_event_count_fails() {
        let totals = Mutex::new(Totals::default());
        let now = Instant::now();
        for events in [3, 2] {
            let mut log = StreamLog::new(now, None).expecting(Some(3));
            for _ in 0..events {
                log.event(now, true, &totals);
            }
            log.finish(StreamEnd::Completed, now, &totals);
        }
        let t = totals.lock().unwrap();
        assert_eq!(t.completed, 1);
        assert_eq!(t.failures["2 paced events (expected 3)"], 1);
    }

    fn run(arrivals_ms: &[u64], gap_ms: u64) -> Totals {
        let totals = Mutex::new(Totals::default());
        let start = Instant::now();
        let mut log = StreamLog::new(start, Some(Duration::from_millis(gap_ms)));
        for ms in arrivals_ms {
            log.event(start + Duration::from_millis(*ms), true, &totals);
        }
        let end = start + Duration::from_millis(*arrivals_ms.last().unwrap_or(&0));
        log.finish(StreamEnd::Completed, end, &totals);
        totals.into_inner().unwrap()
    }

    #[test]
    fn a_stream_on_schedule_has_no_lateness_and_no_drift() {
        let t = run(&[5, 25, 45, 65], 20);
        assert_eq!(t.events, 4);
        assert_eq!(t.completed, 1);
        assert_eq!(t.lateness.max(), 1, "on time is recorded as the 1 µs floor");
        assert!(t.drift_ppm.max() <= 1);
        assert_eq!(t.first_event.max() / 1000, 5);
        assert_eq!(t.gaps.len(), 3);
    }

    #[test]
    fn lateness_is_measured_against_the_schedule_not_the_previous_event() {
        // The fourth event is 30 ms late; the fifth is back to 20 ms late
        // even though its gap to the fourth was only 10 ms.
        let t = run(&[0, 20, 40, 90, 100, 120], 20);
        assert!(
            (t.lateness.max() / 1000).abs_diff(30) <= 1,
            "{}",
            t.lateness.max()
        );
        assert_eq!(t.lateness.value_at_quantile(0.5), 1);
    }

    #[test]
    fn drift_compares_the_stream_length_with_its_schedule() {
        // 3 gaps of 20 ms scheduled (60 ms), 66 ms taken: +10 %.
        let t = run(&[0, 22, 44, 66], 20);
        let drift = t.drift_ppm.max() as f64 / 1e6;
        assert!((drift - 0.10).abs() < 0.001, "{drift}");
    }

    #[test]
    fn events_that_are_not_paced_count_but_stay_off_the_schedule() {
        let totals = Mutex::new(Totals::default());
        let start = Instant::now();
        let mut log = StreamLog::new(start, Some(Duration::from_millis(20)));
        for (ms, paced) in [(0, false), (0, true), (20, true), (40, true), (40, false)] {
            log.event(start + Duration::from_millis(ms), paced, &totals);
        }
        log.finish(
            StreamEnd::Completed,
            start + Duration::from_millis(40),
            &totals,
        );
        let t = totals.into_inner().unwrap();
        assert_eq!(t.events, 5);
        assert_eq!(t.gaps.len(), 2);
        assert_eq!(
            t.lateness.max(),
            1,
            "a meta event first does not make tokens look early"
        );
    }

    #[test]
    fn failures_are_tallied_by_reason() {
        let totals = Mutex::new(Totals::default());
        let now = Instant::now();
        for reason in ["status 503", "status 503", "connect: refused"] {
            StreamLog::new(now, None).finish(StreamEnd::Failed(reason.into()), now, &totals);
        }
        StreamLog::new(now, None).finish(StreamEnd::Cut, now, &totals);
        let t = totals.into_inner().unwrap();
        assert_eq!(t.failures["status 503"], 2);
        assert_eq!(t.failures["connect: refused"], 1);
        assert_eq!((t.completed, t.cut), (0, 1));
    }
}
