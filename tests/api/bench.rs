//! The load generator (`trickle bench`, crate `trickle-loadgen`) against the
//! real server: every stream counted, every event parsed, failures named; and
//! the binary's `bench --help`, which lists the load generator's options only.

use clap::Parser as _;
use trickle_loadgen::Report;

use crate::helpers::{spawn_app, spawn_app_with, within};

#[derive(clap::Parser)]
struct Line {
    #[command(flatten)]
    bench: trickle_loadgen::Args,
}

fn options(args: &[&str]) -> trickle_loadgen::Options {
    let line = Line::try_parse_from(std::iter::once("bench").chain(args.iter().copied()))
        .expect("the arguments parse");
    line.bench.options().expect("the arguments are valid")
}

#[tokio::test]
async fn fifty_clock_streams_all_complete_with_every_tick() {
    let app = spawn_app().await;
    let url = app.url("/clock?interval_ms=10&count=5");
    let run = trickle_loadgen::run(options(&[
        &url, "-c", "50", "-g", "10", "-q", "--ramp", "0",
    ]));
    let report = Report::of(&within("the bench run", run).await);
    assert_eq!(report.completed, 50, "{report}");
    assert_eq!(report.failed, 0, "{report}");
    assert_eq!(
        report.events,
        50 * 6,
        "five ticks and the end event per stream"
    );
    assert!(report.all_completed());
    assert!(report.lateness_ms.is_some() && report.drift_pct.is_some());
}

#[tokio::test]
async fn chat_streams_send_a_body_and_count_meta_tokens_and_done() {
    let app = spawn_app().await;
    let url = app.url("/chat");
    let body = r#"{"prompt":"hi","seed":1}"#;
    let args = [&url[..], "-X", "post", "-d", body, "-c", "20", "-q"];
    let report = Report::of(&within("the bench run", trickle_loadgen::run(options(&args))).await);
    assert_eq!(report.completed, 20, "{report}");
    let per_stream = report.events / 20;
    assert_eq!(report.events % 20, 0, "every stream got the same reply");
    assert!(per_stream > 2, "meta, tokens and done: {per_stream}");
}

#[tokio::test]
async fn rounds_keep_the_concurrency_and_run_every_stream() {
    let app = spawn_app().await;
    let url = app.url("/clock?interval_ms=10&count=3");
    let args = [&url[..], "-c", "4", "-r", "5", "-q", "--ramp", "0"];
    let report = Report::of(&within("the bench run", trickle_loadgen::run(options(&args))).await);
    assert_eq!((report.streams, report.completed), (20, 20), "{report}");
    assert!(report.peak_open <= 4, "{report}");
    assert!(report.first_paced_ms.is_some(), "{report}");
}

#[tokio::test]
async fn refused_streams_are_failures_with_their_status() {
    let app = spawn_app_with(|s| s.limits.max_streams = 1).await;
    let url = app.url("/clock?interval_ms=2000&count=2");
    let run = trickle_loadgen::run(options(&[&url, "-c", "5", "-q", "--ramp", "0", "-t", "10"]));
    let report = Report::of(&within("the bench run", run).await);
    assert!(!report.all_completed());
    assert!(report.failures.contains_key("status 503"), "{report}");
}

#[test]
fn bench_help_lists_only_the_load_generators_options() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["bench", "--help"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8(output.stdout).expect("utf-8");
    assert!(help.contains("--expected-gap-ms"), "{help}");
    for server_flag in ["--config", "--host", "--port"] {
        assert!(
            !help.contains(server_flag),
            "{server_flag} is the server's, not the load generator's:\n{help}"
        );
    }
}
