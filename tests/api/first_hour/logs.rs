//! Logs as a user keeps them: redirected to a file they have no colour
//! codes; a request answered with an error says which.

use std::fs::File;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{body_text, within};
use crate::process::Process;

/// The binary with its log redirected to a file, as `trickle 2> log` does,
/// and `NO_COLOR` unset. Returns the child and its port.
fn start_logging_to(path: &std::path::Path, env: &[(&str, &str)]) -> (Child, u16) {
    let log = File::create(path).expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["--port", "0"])
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if let Some(at) = text.find("listening on http://") {
            let rest = &text[at..];
            let line = rest.lines().next().unwrap_or_default();
            let port = line
                .rsplit(':')
                .next()
                .and_then(|p| p.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok());
            return (child, port.unwrap_or_else(|| panic!("no port in {line:?}")));
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("trickle exited ({status}) before listening:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("trickle did not start within 30 s");
}

/// Runs one request against a server that logs to a file, stops it, and
/// returns the log's lines.
async fn log_of_one_request(name: &str, env: &[(&str, &str)]) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("first-hour-{name}-{}.log", std::process::id()));
    let (mut child, port) = start_logging_to(&path, env);
    let response = within(
        "a 404",
        reqwest::get(format!("http://127.0.0.1:{port}/nope")),
    )
    .await
    .expect("sent");
    body_text(response).await;
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&path).expect("the log reads");
    text.lines().map(str::to_owned).collect()
}

fn coloured(lines: &[String]) -> usize {
    lines.iter().filter(|line| line.contains("\u{1b}[")).count()
}

#[tokio::test]
async fn a_log_redirected_to_a_file_has_no_colour_codes() {
    let lines = log_of_one_request("auto", &[]).await;
    assert!(lines.len() >= 3, "{lines:#?}");
    assert_eq!(
        coloured(&lines),
        0,
        "{} of {} lines hold colour codes:\n{}",
        coloured(&lines),
        lines.len(),
        lines.join("\n")
    );
}

#[tokio::test]
async fn log_color_always_colours_even_a_file_and_never_colours_nothing() {
    let lines = log_of_one_request("always", &[("TRICKLE__LOG__COLOR", "always")]).await;
    assert!(coloured(&lines) > 0, "{lines:#?}");
    let lines = log_of_one_request("never", &[("TRICKLE__LOG__COLOR", "never")]).await;
    assert_eq!(coloured(&lines), 0, "{lines:#?}");
}

#[tokio::test]
async fn a_request_line_names_the_error_code_it_answered() {
    let mut server = Process::start(&[], &[]);
    let client = reqwest::Client::new();
    let response = within("a 422", client.get(server.url("/clock?count=0")).send())
        .await
        .expect("sent");
    assert_eq!(response.status(), 422);
    body_text(response).await;
    let line = server.wait_for_log("close time.busy=");
    assert!(line.contains("status=422"), "{line}");
    assert!(line.contains("error_code=out_of_range"), "{line}");
    let response = within("a 200", client.get(server.url("/healthz")).send())
        .await
        .expect("sent");
    body_text(response).await;
    let line = server.wait_for_log("close time.busy=");
    assert!(line.contains("status=200"), "{line}");
    assert!(!line.contains("error_code"), "no code on a success: {line}");
    server.signal("TERM");
    server.wait_exit(Duration::from_secs(10));
}
