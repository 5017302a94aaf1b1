//! The chat page in real headless Chromium: starts the server on port 0 and
//! runs `tests/browser/page.test.mjs` (playwright-core) against it.
//!
//! Needs `/usr/bin/chromium` and `npm ci` in `tests/browser`. Without them
//! the test says it was skipped and why, unless `TRICKLE_BROWSER_TESTS=required`.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use trickle::Application;
use trickle::config::{Overrides, load_with_env};

fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if !Path::new("tests/browser/node_modules/playwright-core").is_dir() {
        return Some(
            "tests/browser/node_modules is missing (cd tests/browser && npm ci)".to_owned(),
        );
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".to_owned());
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_works_in_a_real_browser() {
    if let Some(reason) = missing() {
        let required = std::env::var("TRICKLE_BROWSER_TESTS").is_ok_and(|v| v == "required");
        assert!(!required, "browser tests are required but {reason}");
        println!("skipped: {reason}; set TRICKLE_BROWSER_TESTS=required to make this a failure");
        return;
    }
    let mut settings =
        load_with_env(&Overrides::default(), Some(HashMap::new())).expect("settings");
    settings.server.port = 0;
    let app = Application::build(settings).expect("the app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("tests/browser/page.test.mjs")
            .arg(&base)
            .arg(&shots)
            .output()
            .expect("node runs")
    })
    .await
    .expect("joined");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "the browser suite failed:\n{stdout}"
    );
}
