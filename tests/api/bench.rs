//! `trickle bench`'s client against the real server: every stream counted,
//! every event parsed, failures named.

use clap::Parser as _;
use trickle::bench::args::BenchArgs;
use trickle::bench::report::Summary;

use crate::helpers::{spawn_app, spawn_app_with, within};

#[derive(clap::Parser)]
struct Line {
    #[command(flatten)]
    bench: BenchArgs,
}

fn options(args: &[&str]) -> trickle::bench::Options {
    let line = Line::try_parse_from(std::iter::once("bench").chain(args.iter().copied()))
        .expect("the arguments parse");
    line.bench.options().expect("the arguments are valid")
}

#[tokio::test]
async fn fifty_clock_streams_all_complete_with_every_tick() {
    let app = spawn_app().await;
    let url = app.url("/clock?interval_ms=10&count=5");
    let run = trickle::bench::run(options(&[
        &url, "-c", "50", "-g", "10", "-q", "--ramp", "0",
    ]));
    let summary = Summary::of(&within("the bench run", run).await);
    assert_eq!(summary.completed, 50, "{summary}");
    assert_eq!(summary.failed, 0, "{summary}");
    assert_eq!(
        summary.events,
        50 * 6,
        "five ticks and the end event per stream"
    );
    assert!(summary.all_completed());
    assert!(summary.lateness_ms.is_some() && summary.drift_pct.is_some());
}

#[tokio::test]
async fn chat_streams_send_a_body_and_count_meta_tokens_and_done() {
    let app = spawn_app().await;
    let url = app.url("/chat");
    let body = r#"{"prompt":"hi","seed":1}"#;
    let args = [&url[..], "-X", "post", "-d", body, "-c", "20", "-q"];
    let summary = Summary::of(&within("the bench run", trickle::bench::run(options(&args))).await);
    assert_eq!(summary.completed, 20, "{summary}");
    let per_stream = summary.events / 20;
    assert_eq!(summary.events % 20, 0, "every stream got the same reply");
    assert!(per_stream > 2, "meta, tokens and done: {per_stream}");
}

#[tokio::test]
async fn refused_streams_are_failures_with_their_status() {
    let app = spawn_app_with(|s| s.limits.max_streams = 1).await;
    let url = app.url("/clock?interval_ms=2000&count=2");
    let run = trickle::bench::run(options(&[&url, "-c", "5", "-q", "--ramp", "0", "-t", "10"]));
    let summary = Summary::of(&within("the bench run", run).await);
    assert!(!summary.all_completed());
    assert!(summary.failures.contains_key("status 503"), "{summary}");
}

#[test]
fn bad_arguments_say_what_to_change() {
    for (args, want, why) in [
        (vec!["ftp://x/"], "invalid url", "only http"),
        (
            vec!["http://127.0.0.1:1/", "-H", "novalue"],
            "invalid header",
            "no colon",
        ),
        (
            vec!["http://127.0.0.1:1/", "--source", "a-b"],
            "invalid source",
            "not addresses",
        ),
        (
            vec!["http://127.0.0.1:1/", "-c", "0"],
            "invalid streams",
            "zero streams",
        ),
    ] {
        let line = Line::try_parse_from(std::iter::once("bench").chain(args)).expect("parses");
        let error = line.bench.options().expect_err(why);
        assert!(error.starts_with(want), "{why}: {error}");
    }
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
