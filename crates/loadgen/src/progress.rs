//! The live progress line on stderr: open streams, events/s, failures so far.
//! Rewritten in place on a terminal, one line every 5 s otherwise (CI logs).

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::Live;

/// The running progress task.
pub struct Ticker {
    task: tokio::task::JoinHandle<()>,
    terminal: bool,
}

/// Starts printing progress for a run of `planned` streams.
pub fn start(live: Arc<Live>, planned: usize) -> Ticker {
    let terminal = std::io::stderr().is_terminal();
    let every = Duration::from_secs(if terminal { 1 } else { 5 });
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        let mut last = 0;
        loop {
            tick.tick().await;
            let events = live.events.load(Ordering::Relaxed);
            let line = format!(
                "open {:>6}  ended {:>6}/{planned}  events/s {:>9.0}  failed {}",
                live.open.load(Ordering::Relaxed),
                live.ended.load(Ordering::Relaxed),
                (events - last) as f64 / every.as_secs_f64(),
                live.failed.load(Ordering::Relaxed),
            );
            last = events;
            let mut err = std::io::stderr().lock();
            let _ = if terminal {
                write!(err, "\r{line}\x1b[K")
            } else {
                writeln!(err, "{line}")
            };
            let _ = err.flush();
        }
    });
    Ticker { task, terminal }
}

impl Ticker {
    /// Stops the line and leaves the cursor on a fresh line.
    pub fn stop(self) {
        self.task.abort();
        if self.terminal {
            eprintln!();
        }
    }
}
