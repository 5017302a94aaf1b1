//! The chat page in real headless Chromium: starts the server on port 0 and
//! runs `tests/browser/page.test.mjs` (playwright-core) against it.
//!
//! A test target without libtest's harness (`harness = false` in
//! Cargo.toml): libtest hides what a passing test prints, and a skipped
//! browser suite must show in `cargo test`'s ordinary output. So this prints
//! either why the suite was skipped and the command that enables it, or each
//! check as it runs; then `browser suite: N passed, M failed`. It exits
//! non-zero when a check fails, or when `TRICKLE_BROWSER_TESTS=required` and
//! the suite cannot run.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use trickle::Application;
use trickle::config::{Overrides, Settings, load_with_env};

/// The one command that installs what the suite needs.
const ENABLE: &str = ".ci/install-browser";

/// The name `cargo test FILTER` and `--list` see.
const NAME: &str = "the_page_works_in_a_real_browser";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("{NAME}: test");
        return ExitCode::SUCCESS;
    }
    if !selected(&args) {
        println!("browser suite: filtered out");
        return summary(0, 0);
    }
    if let Some(reason) = missing() {
        let required = std::env::var("TRICKLE_BROWSER_TESTS").is_ok_and(|v| v == "required");
        if required {
            println!("browser suite FAILED: TRICKLE_BROWSER_TESTS=required but {reason}");
            println!("  to install what it needs: {ENABLE}");
            return summary(0, 1);
        }
        println!("browser suite SKIPPED: {reason}");
        println!("  to run it: {ENABLE}");
        return summary(0, 0);
    }
    let base = serve().await;
    let (passed, failed) = tokio::task::spawn_blocking(move || run_suite(&base))
        .await
        .expect("the suite's thread finishes");
    summary(passed, failed)
}

/// libtest's selection, for the few arguments `cargo test` passes on: name
/// filters (`--exact` to match whole names, `--skip`), and `--ignored`, which
/// runs only ignored tests (this one is not).
fn selected(args: &[String]) -> bool {
    const TAKES_VALUE: [&str; 5] = ["--test-threads", "--format", "--color", "--logfile", "-Z"];
    let exact = args.iter().any(|a| a == "--exact");
    let matches = |filter: &str| {
        if exact {
            NAME == filter
        } else {
            NAME.contains(filter)
        }
    };
    let mut filters = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--ignored" => return false,
            "--skip" if iter.next().is_some_and(|f| matches(f)) => return false,
            a if TAKES_VALUE.contains(&a) => {
                iter.next();
            }
            a if a.starts_with('-') => {}
            filter => filters.push(filter),
        }
    }
    filters.is_empty() || filters.into_iter().any(matches)
}

/// The closing line, and the exit code that goes with it.
fn summary(passed: usize, failed: usize) -> ExitCode {
    println!("browser suite: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What stops the suite from running, if anything.
fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing"));
    }
    if !Path::new("tests/browser/node_modules/playwright-core").is_dir() {
        return Some("tests/browser/node_modules is missing (npm ci)".to_owned());
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".to_owned());
    }
    None
}

/// The settings the suite's checks expect: a clock and limits that differ
/// from the built-in ones, so the page shows it reads them from the server.
fn suite_settings() -> Settings {
    let mut settings =
        load_with_env(&Overrides::default(), Some(HashMap::new())).expect("built-in settings load");
    settings.server.port = 0;
    settings.clock.interval_ms = 300;
    settings.clock.count = 4;
    settings.limits.max_clock_interval_ms = 30_000;
    settings.limits.max_clock_count = 500;
    settings
}

/// Starts the server on a free port; returns its base URL.
async fn serve() -> String {
    let app = Application::build(suite_settings()).expect("the app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    base
}

/// Runs the node suite, echoing its lines as they come; counts `ok` and
/// `not ok` lines. A suite that dies without saying why counts as a failure.
fn run_suite(base: &str) -> (usize, usize) {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser");
    let mut child = Command::new("node")
        .arg("tests/browser/page.test.mjs")
        .arg(base)
        .arg(&shots)
        .stdout(Stdio::piped())
        .spawn()
        .expect("node starts");
    let (mut passed, mut failed) = (0, 0);
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        println!("{line}");
        if line.starts_with("ok ") {
            passed += 1;
        } else if line.starts_with("not ok ") {
            failed += 1;
        }
    }
    let status = child.wait().expect("node runs");
    if !status.success() && failed == 0 {
        println!("not ok - the browser suite exited with {status}");
        failed += 1;
    }
    (passed, failed)
}
