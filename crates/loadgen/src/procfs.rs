//! The server's memory and CPU time, read from /proc/PID/status and
//! /proc/PID/stat four times a second while the run goes on.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::oneshot;

use crate::Live;

/// Linux reports CPU time in USER_HZ ticks, 100 per second on every
/// mainstream architecture.
const TICKS_PER_S: f64 = 100.0;

/// What the server used during the run.
#[derive(Debug, Clone, Serialize)]
pub struct ServerUse {
    /// Peak resident set (VmHWM) in KiB.
    pub peak_rss_kib: u64,
    /// Resident set before the run, in KiB.
    pub start_rss_kib: u64,
    /// (RSS at the busiest sample − RSS before the run) ÷ streams open then.
    pub rss_per_stream_kib: Option<f64>,
    /// User + system CPU seconds spent during the run.
    pub cpu_s: f64,
}

/// A background task sampling one process.
pub struct Sampler {
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<Option<ServerUse>>,
}

impl Sampler {
    /// Starts sampling `pid`.
    pub fn start(pid: u32, live: Arc<Live>) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let done = tokio::spawn(async move {
            let start_rss = field(pid, "VmRSS:")?;
            let start_cpu = cpu_ticks(pid)?;
            let mut busiest = (0u64, start_rss);
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tick.tick() => {}
                }
                let open = live.open.load(Ordering::Relaxed);
                if let Some(rss) = field(pid, "VmRSS:")
                    && open >= busiest.0
                {
                    busiest = (open, rss);
                }
            }
            let cpu = cpu_ticks(pid).unwrap_or(start_cpu) - start_cpu;
            Some(ServerUse {
                peak_rss_kib: field(pid, "VmHWM:").unwrap_or(busiest.1),
                start_rss_kib: start_rss,
                rss_per_stream_kib: (busiest.0 > 0)
                    .then(|| busiest.1.saturating_sub(start_rss) as f64 / busiest.0 as f64),
                cpu_s: cpu as f64 / TICKS_PER_S,
            })
        });
        Sampler { stop, done }
    }

    /// Stops sampling and returns what was seen (`None` if the PID was unreadable).
    pub async fn stop(self) -> Option<ServerUse> {
        let _ = self.stop.send(());
        self.done.await.ok().flatten()
    }
}

/// A `kB` field of /proc/PID/status.
fn field(pid: u32, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// utime + stime from /proc/PID/stat (fields 14 and 15; the name in field 2
/// may hold spaces, so count from the closing parenthesis).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_set_and_cpu_time() {
        let me = std::process::id();
        assert!(field(me, "VmRSS:").is_some_and(|kib| kib > 0));
        assert!(cpu_ticks(me).is_some());
    }
}
