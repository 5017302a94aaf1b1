//! trickle-loadgen: a load generator for any Server-Sent Events endpoint,
//! the library behind `trickle bench`. It shares nothing with the trickle
//! server and measures any SSE server the same way.
//!
//! Data flows one way: [`Args`] (the command line) → [`Options`] (validated)
//! → [`run`], which starts the clients at the ramp rate, each a task that
//! opens its streams one after another (`--rounds`); a stream ([`client`])
//! parses its body with [`sse`] and records its timing in [`stats`] until
//! it ends ([`StreamEnd`]) → [`Measurements`] (every
//! stream's histograms and tallies) → [`Report`] (a table or JSON).
//!
//! - [`args`]: the command line; [`command`]: the whole command, exit code
//!   included.
//! - [`client`]: one stream over plain HTTP/1.1; [`sse`]: the event-stream
//!   parser.
//! - [`stats`]: per-stream timing folded into shared histograms;
//!   [`report`]: the end-of-run report.
//! - [`progress`]: the live line on stderr; [`procfs`]: the server's memory
//!   and CPU given its PID; [`nofile`]: the open-file limit.

pub mod args;
pub mod client;
mod command;
pub mod nofile;
pub mod procfs;
pub mod progress;
pub mod report;
pub mod sse;
pub mod stats;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use args::Args;
pub use command::command;
pub use report::Report;
pub use stats::StreamEnd;
use stats::{StreamLog, Totals};

/// A validated run: what to request, how many times, how fast.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server to connect to.
    pub request: Request,
    /// Streams to open (all held concurrently): the clients.
    pub streams: usize,
    /// Streams each client opens one after another.
    pub rounds: usize,
    /// New streams per second; `None` opens them all at once.
    pub ramp_per_s: Option<f64>,
    /// The whole run ends after this; streams still open are cut.
    pub time_bound: Duration,
    /// The gap the server promises between events (for lateness and drift).
    pub expected_gap: Option<Duration>,
    /// Paced events each stream must bring to count as completed.
    pub expected_events: Option<u64>,
    /// Local addresses to connect from, in turn (empty: the kernel picks).
    pub sources: Vec<IpAddr>,
    /// A server process to sample (RSS, CPU).
    pub pid: Option<u32>,
    /// Print the live progress line on stderr.
    pub progress: bool,
}

/// The request every stream sends, encoded once.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where to connect.
    pub address: SocketAddr,
    /// The whole HTTP/1.1 request, head and body.
    pub bytes: Arc<[u8]>,
    /// The event type that is paced (tokens, ticks); others (meta, done)
    /// count as events but not for gaps, lateness and drift.
    pub paced: Arc<str>,
    /// Paced-type events whose data contains one of these are not paced.
    pub unpaced_data: Vec<Arc<str>>,
    /// Close each stream after this many paced events.
    pub leave_after: Option<u64>,
    /// Reconnect with `Last-Event-ID` after this many paced events.
    pub resume_after: Option<u64>,
}

impl Request {
    /// Whether an event of type `event` with `data` is on the schedule.
    pub fn is_paced(&self, event: &str, data: &str) -> bool {
        event == &*self.paced && !self.unpaced_data.iter().any(|t| data.contains(&**t))
    }

    /// The request again, with a `Last-Event-ID` header after its first line.
    pub fn resuming(&self, last_id: &str) -> Vec<u8> {
        let bytes = &self.bytes[..];
        let at = bytes
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(bytes.len(), |i| i + 2);
        let mut out = Vec::with_capacity(bytes.len() + last_id.len() + 17);
        out.extend_from_slice(&bytes[..at]);
        out.extend_from_slice(format!("Last-Event-ID: {last_id}\r\n").as_bytes());
        out.extend_from_slice(&bytes[at..]);
        out
    }
}

/// Counters the progress line reads while the run goes on.
#[derive(Debug, Default)]
pub struct Live {
    /// Streams open right now.
    pub open: AtomicU64,
    /// Events so far.
    pub events: AtomicU64,
    /// Streams that failed so far.
    pub failed: AtomicU64,
    /// Streams that ended, however.
    pub ended: AtomicU64,
    /// The most streams open at once.
    pub peak_open: AtomicU64,
}

impl Live {
    fn event(&self) {
        self.events.fetch_add(1, Ordering::Relaxed);
    }
}

/// What a run measured, as histograms and tallies; [`Report::of`] turns it
/// into figures.
#[derive(Debug)]
pub struct Measurements {
    /// Histograms and tallies over every stream.
    pub totals: Totals,
    /// Streams asked for (clients × rounds) and streams actually opened
    /// (the file limit or the time bound may cap them).
    pub asked: usize,
    /// Streams opened.
    pub opened: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The most streams open at once.
    pub peak_open: u64,
    /// Server figures, when a PID was given and readable.
    pub server: Option<procfs::ServerUse>,
}

/// What every client of a run shares.
#[derive(Clone)]
struct Client {
    request: Request,
    totals: Arc<Mutex<Totals>>,
    live: Arc<Live>,
    gap: Option<Duration>,
    expected_events: Option<u64>,
    rounds: usize,
    deadline: tokio::time::Instant,
    /// Streams started so far.
    opened: Arc<AtomicUsize>,
}

impl Client {
    /// Opens `rounds` streams one after another from `source`, each folded
    /// into the totals as it ends.
    async fn run(self, source: Option<IpAddr>) {
        let live = &self.live;
        for _ in 0..self.rounds {
            if tokio::time::Instant::now() >= self.deadline {
                break;
            }
            self.opened.fetch_add(1, Ordering::Relaxed);
            let open = live.open.fetch_add(1, Ordering::Relaxed) + 1;
            live.peak_open.fetch_max(open, Ordering::Relaxed);
            let mut log = StreamLog::new(Instant::now(), self.gap).expecting(self.expected_events);
            let ran = tokio::time::timeout_at(
                self.deadline,
                client::stream(&self.request, source, &mut log, &self.totals, live),
            );
            let end = ran.await.unwrap_or(StreamEnd::Cut);
            live.open.fetch_sub(1, Ordering::Relaxed);
            live.ended.fetch_add(1, Ordering::Relaxed);
            if matches!(end, StreamEnd::Failed(_)) {
                live.failed.fetch_add(1, Ordering::Relaxed);
            }
            log.finish(end, Instant::now(), &self.totals);
        }
    }
}

/// Runs the load and gathers the measurements. Call inside a multi-threaded
/// tokio runtime.
pub async fn run(options: Options) -> Measurements {
    let planned = options.streams * options.rounds;
    let live = Arc::new(Live::default());
    let started = Instant::now();
    let client = Client {
        request: options.request.clone(),
        totals: Arc::new(Mutex::new(Totals::default())),
        live: live.clone(),
        gap: options.expected_gap,
        expected_events: options.expected_events,
        rounds: options.rounds,
        deadline: tokio::time::Instant::now() + options.time_bound,
        opened: Arc::default(),
    };
    let sampler = options
        .pid
        .map(|pid| procfs::Sampler::start(pid, live.clone()));
    let ticker = options
        .progress
        .then(|| progress::start(live.clone(), planned));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..options.streams {
        if let Some(rate) = options.ramp_per_s.filter(|r| *r > 0.0) {
            let at = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(at.into()).await;
        }
        if tokio::time::Instant::now() >= client.deadline {
            break;
        }
        let source =
            (!options.sources.is_empty()).then(|| options.sources[i % options.sources.len()]);
        tasks.spawn(client.clone().run(source));
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    if let Some(ticker) = ticker {
        ticker.stop();
    }
    let server = match sampler {
        Some(sampler) => sampler.stop().await,
        None => None,
    };
    let peak_open = live.peak_open.load(Ordering::Relaxed);
    let totals = std::mem::take(&mut *client.totals.lock().unwrap_or_else(|e| e.into_inner()));
    Measurements {
        totals,
        asked: planned,
        opened: client.opened.load(Ordering::Relaxed),
        elapsed,
        peak_open,
        server,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(unpaced: &[&str]) -> Request {
        Request {
            address: "127.0.0.1:1".parse().unwrap(),
            bytes: Arc::from(&b"GET /clock HTTP/1.1\r\nHost: x\r\n\r\n"[..]),
            paced: Arc::from("message"),
            unpaced_data: unpaced.iter().map(|t| Arc::from(*t)).collect(),
            leave_after: None,
            resume_after: None,
        }
    }

    #[test]
    fn data_named_unpaced_stays_off_the_schedule() {
        let r = request(&["[DONE]", "\"role\":\"assistant\""]);
        assert!(r.is_paced("message", r#"{"delta":{"content":"a"}}"#));
        assert!(!r.is_paced("message", "[DONE]"));
        assert!(!r.is_paced("message", r#"{"delta":{"role":"assistant"}}"#));
        assert!(!r.is_paced("done", "x"), "only the paced type is paced");
        assert!(request(&[]).is_paced("message", "[DONE]"));
    }

    #[test]
    fn a_resumed_request_carries_the_last_event_id_after_its_request_line() {
        let again = request(&[]).resuming("2a-68053c33-64");
        assert_eq!(
            String::from_utf8(again).unwrap(),
            "GET /clock HTTP/1.1\r\nLast-Event-ID: 2a-68053c33-64\r\nHost: x\r\n\r\n"
        );
    }
}
