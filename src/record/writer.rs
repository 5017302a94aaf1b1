//! Appends a recording to the fixtures file: one `write` of the whole rule
//! under a lock, so recordings from parallel streams never interleave and
//! a hot reload reads either the file before or after it.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use crate::sim::fixture::{RecordedRule, write_recorded};

static APPENDING: Mutex<()> = Mutex::new(());

/// Appends `rule` to `file`, creating it with a header comment when new.
pub fn append(file: &Path, rule: &RecordedRule) -> std::io::Result<()> {
    let _one_at_a_time = APPENDING.lock().unwrap_or_else(|e| e.into_inner());
    let mut text = String::new();
    if !file.exists() {
        text.push_str(
            "# Recorded by trickle from an upstream (see the README, \"Record and replay\").\n\
             # Each fixture answers the request it was recorded from; point\n\
             # fixtures.file here to replay them. No header or key is stored.\n",
        );
    }
    text.push('\n');
    text.push_str(&write_recorded(rule));
    let mut out = OpenOptions::new().create(true).append(true).open(file)?;
    out.write_all(text.as_bytes())
}
