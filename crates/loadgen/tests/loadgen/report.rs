//! From per-stream timing to the printed report: the table a person reads
//! and the JSON `bench/compare.sh` reads.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use trickle_loadgen::procfs::ServerUse;
use trickle_loadgen::stats::{StreamLog, Totals};
use trickle_loadgen::{Measurements, Report, StreamEnd};

/// Two streams of four ticks 20 ms apart, one completed, one refused.
fn two_streams(server: Option<ServerUse>) -> Report {
    let totals = Mutex::new(Totals::default());
    let start = Instant::now();
    let mut log = StreamLog::new(start, Some(Duration::from_millis(20)));
    for ms in [5, 25, 45, 65] {
        log.event(start + Duration::from_millis(ms), true, &totals);
    }
    log.finish(
        StreamEnd::Completed,
        start + Duration::from_millis(70),
        &totals,
    );
    StreamLog::new(start, None).finish(StreamEnd::Failed("status 503".into()), start, &totals);
    Report::of(&Measurements {
        totals: totals.into_inner().expect("not poisoned"),
        asked: 2,
        opened: 2,
        elapsed: Duration::from_secs(2),
        peak_open: 2,
        server,
    })
}

#[test]
fn the_table_counts_streams_names_failures_and_spreads_each_measure() {
    let report = two_streams(None);
    assert!(!report.all_completed());
    let table = report.to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "streams 2  opened 2  completed 1  cut 0  failed 1  peak open 2",
            "  failed: status 503 × 1",
            "events 4  in 2.00 s  = 2 events/s",
        ]
    );
    for name in [
        "first event (ms)",
        "first paced (ms)",
        "gap (ms)",
        "lateness (ms)",
        "drift (%)",
        "stream duration (s)",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(name)),
            "{name}:\n{table}"
        );
    }
    assert!(!table.contains("server:"), "no --pid, no server line");
}

#[test]
fn the_json_has_every_field_the_comparison_scripts_read() {
    let server = ServerUse {
        peak_rss_kib: 9000,
        start_rss_kib: 8000,
        rss_per_stream_kib: Some(5.0),
        cpu_s: 0.5,
    };
    let json = serde_json::to_value(two_streams(Some(server))).expect("serializes");
    for key in ["streams", "completed", "events_per_s", "peak_open"] {
        assert!(json[key].is_number(), "{key}: {json}");
    }
    for spread in [
        "first_event_ms",
        "first_paced_ms",
        "gap_ms",
        "lateness_ms",
        "drift_pct",
        "duration_s",
    ] {
        for q in ["p50", "p90", "p99", "p999", "max"] {
            assert!(json[spread][q].is_number(), "{spread}.{q}: {json}");
        }
    }
    assert_eq!(json["server"]["rss_per_stream_kib"], 5.0);
    assert_eq!(
        json["server_cpu_us_per_event"], 125_000.0,
        "0.5 s over 4 events"
    );
    assert_eq!(json["failures"]["status 503"], 1);
}

#[test]
fn every_stream_must_complete_for_the_run_to_pass() {
    let one_completed = |asked| {
        let totals = Mutex::new(Totals::default());
        let now = Instant::now();
        StreamLog::new(now, None).finish(StreamEnd::Completed, now, &totals);
        Report::of(&Measurements {
            totals: totals.into_inner().expect("not poisoned"),
            asked,
            opened: 1,
            elapsed: Duration::from_secs(1),
            peak_open: 1,
            server: None,
        })
    };
    assert!(one_completed(1).all_completed());
    assert!(
        !one_completed(2).all_completed(),
        "a stream the file limit kept from opening is not a completed one"
    );
}
