//! The end-of-run report: a [`Report`] printed as a table or as JSON.

use std::collections::BTreeMap;
use std::fmt;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::Measurements;
use crate::procfs::ServerUse;

/// p50/p99/max of one measure, in the unit its name says.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest value seen.
    pub max: f64,
}

impl Spread {
    fn of(h: &Histogram<u64>, scale: f64) -> Option<Self> {
        (!h.is_empty()).then(|| Spread {
            p50: h.value_at_quantile(0.5) as f64 / scale,
            p90: h.value_at_quantile(0.9) as f64 / scale,
            p99: h.value_at_quantile(0.99) as f64 / scale,
            p999: h.value_at_quantile(0.999) as f64 / scale,
            max: h.max() as f64 / scale,
        })
    }
}

/// The figures of a run, ready to print: a table through `Display`, JSON
/// through `Serialize` (`bench/compare.sh` and its scripts read these field
/// names).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Streams asked for.
    pub streams: usize,
    /// Streams opened (fewer when the file limit or the time bound capped them).
    pub opened: usize,
    /// Streams whose response ended cleanly.
    pub completed: u64,
    /// Streams still open at the time bound.
    pub cut: u64,
    /// Failed streams.
    pub failed: u64,
    /// Failed streams by reason.
    pub failures: BTreeMap<String, u64>,
    /// Most streams open at once.
    pub peak_open: u64,
    /// Wall time of the run, seconds.
    pub elapsed_s: f64,
    /// Events dispatched.
    pub events: u64,
    /// Events per second of wall time.
    pub events_per_s: f64,
    /// Connect to first event, ms.
    pub first_event_ms: Option<Spread>,
    /// Connect to first paced event (time to first token), ms.
    pub first_paced_ms: Option<Spread>,
    /// Between consecutive events of a stream, ms.
    pub gap_ms: Option<Spread>,
    /// Behind the expected schedule, ms (see `trickle bench --help`).
    pub lateness_ms: Option<Spread>,
    /// Each completed stream's length against its schedule, percent.
    pub drift_pct: Option<Spread>,
    /// Each completed stream from connect to end, seconds.
    pub duration_s: Option<Spread>,
    /// The server's memory and CPU, given --pid.
    pub server: Option<ServerUse>,
    /// Server CPU per event delivered, µs.
    pub server_cpu_us_per_event: Option<f64>,
}

impl Report {
    /// The figures of a run's measurements.
    pub fn of(o: &Measurements) -> Self {
        let t = &o.totals;
        let failed = t.failures.values().sum();
        let secs = o.elapsed.as_secs_f64().max(1e-9);
        Report {
            streams: o.asked,
            opened: o.opened,
            completed: t.completed,
            cut: t.cut,
            failed,
            failures: t.failures.clone(),
            peak_open: o.peak_open,
            elapsed_s: secs,
            events: t.events,
            events_per_s: t.events as f64 / secs,
            first_event_ms: Spread::of(&t.first_event, 1e3),
            first_paced_ms: Spread::of(&t.first_paced, 1e3),
            gap_ms: Spread::of(&t.gaps, 1e3),
            lateness_ms: Spread::of(&t.lateness, 1e3),
            drift_pct: Spread::of(&t.drift_ppm, 1e4),
            duration_s: Spread::of(&t.durations, 1e6),
            server: o.server.clone(),
            server_cpu_us_per_event: o
                .server
                .as_ref()
                .filter(|_| t.events > 0)
                .map(|s| s.cpu_s * 1e6 / t.events as f64),
        }
    }

    /// True when every stream asked for completed.
    pub fn all_completed(&self) -> bool {
        self.completed == self.streams as u64
    }
}

fn row(f: &mut fmt::Formatter<'_>, name: &str, s: Option<Spread>) -> fmt::Result {
    match s {
        Some(s) => writeln!(
            f,
            "{name:<22} {:>10.3} {:>10.3} {:>10.3}",
            s.p50, s.p99, s.max
        ),
        None => writeln!(f, "{name:<22} {:>10} {:>10} {:>10}", "-", "-", "-"),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "streams {}  opened {}  completed {}  cut {}  failed {}  peak open {}",
            self.streams, self.opened, self.completed, self.cut, self.failed, self.peak_open
        )?;
        for (reason, n) in &self.failures {
            writeln!(f, "  failed: {reason} × {n}")?;
        }
        writeln!(
            f,
            "events {}  in {:.2} s  = {:.0} events/s",
            self.events, self.elapsed_s, self.events_per_s
        )?;
        writeln!(f, "{:<22} {:>10} {:>10} {:>10}", "", "p50", "p99", "max")?;
        row(f, "first event (ms)", self.first_event_ms)?;
        row(f, "first paced (ms)", self.first_paced_ms)?;
        row(f, "gap (ms)", self.gap_ms)?;
        row(f, "lateness (ms)", self.lateness_ms)?;
        row(f, "drift (%)", self.drift_pct)?;
        row(f, "stream duration (s)", self.duration_s)?;
        if let Some(s) = &self.server {
            let per = s
                .rss_per_stream_kib
                .map_or("-".into(), |k| format!("{k:.1}"));
            let cpu = self
                .server_cpu_us_per_event
                .map_or("-".into(), |c| format!("{c:.2}"));
            writeln!(
                f,
                "server: peak RSS {} KiB  RSS/stream {per} KiB  CPU {:.2} s  CPU/event {cpu} µs",
                s.peak_rss_kib, s.cpu_s
            )?;
        }
        Ok(())
    }
}
