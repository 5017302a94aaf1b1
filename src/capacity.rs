//! How many streams and connections fit in the process's open-file limit.
//!
//! Every connection holds one descriptor. Streams stop a little short of the
//! limit so that a connection past the stream budget can still be accepted
//! and told `503 server_busy`; connections stop short of the limit so that
//! `accept` never fails with "too many open files" (actix pauses accepting
//! instead, leaving the rest in the kernel's backlog).

use rlimit::Resource;

use crate::config::Settings;

/// Descriptors not given to connections, besides [`PER_WORKER`]: standard
/// streams, the listener, the main runtime, the config watcher, logs, with a
/// margin (a 2-worker server holds 25 descriptors before any connection).
const RESERVED: u64 = 24;

/// Descriptors each worker holds: its event loop, wakers, a listener handle.
const PER_WORKER: u64 = 8;

/// Connections past the stream cap that can still be accepted and answered
/// `503 server_busy` (and health checks that keep working at capacity).
const SPARE_CONNECTIONS: u64 = 32;

/// What the open-file limit leaves room for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// The open-file (soft) limit.
    pub open_files: u64,
    /// Concurrent streams: the default for `limits.max_streams`.
    pub streams: usize,
    /// Concurrent connections, across all workers.
    pub connections: usize,
}

impl Capacity {
    /// The capacity of `workers` workers under a limit of `open_files`
    /// descriptors.
    pub fn from_limit(open_files: u64, workers: usize) -> Self {
        let as_count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX).max(1);
        let kept = RESERVED + PER_WORKER * workers as u64;
        let connections = open_files.saturating_sub(kept);
        Capacity {
            open_files,
            streams: as_count(connections.saturating_sub(SPARE_CONNECTIONS)),
            connections: as_count(connections),
        }
    }

    /// The capacity of `workers` workers under the current soft limit.
    pub fn current(workers: usize) -> Self {
        let open_files = rlimit::getrlimit(Resource::NOFILE).map_or(1024, |(soft, _)| soft);
        Capacity::from_limit(open_files, workers)
    }

    /// The stream cap in force: `configured` (`limits.max_streams`), or the
    /// derived [`Capacity::streams`] when it is 0.
    pub fn max_streams(&self, configured: usize) -> usize {
        match configured {
            0 => self.streams,
            n => n,
        }
    }

    /// actix's per-worker connection cap, so that all workers together stay
    /// within [`Capacity::connections`].
    pub fn connections_per_worker(&self, workers: usize) -> usize {
        (self.connections / workers.max(1)).max(1)
    }
}

/// Raises the open-file soft limit to the hard limit (each stream holds one
/// descriptor) and logs the effective capacity.
pub fn raise_file_limit(settings: &Settings) {
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!("cannot raise the open-file limit: {e}");
    }
    let capacity = Capacity::current(settings.server.worker_count());
    let configured_max_streams = settings.limits.max_streams;
    let streams = capacity.max_streams(configured_max_streams);
    tracing::info!(
        open_files = capacity.open_files,
        max_streams = streams,
        max_connections = capacity.connections,
        "capacity: {streams} concurrent streams ({})",
        if configured_max_streams == 0 {
            "limits.max_streams = 0: derived from the open-file limit"
        } else {
            "limits.max_streams"
        }
    );
    if streams > capacity.streams {
        tracing::warn!(
            "limits.max_streams = {streams} is above what the open-file limit ({}) allows; \
             set it to 0 (derive it) or at most {}",
            capacity.open_files,
            capacity.streams
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_thousand_files_hold_the_benchmark_streams() {
        let c = Capacity::from_limit(20_000, 2);
        assert_eq!(c.connections, 19_960);
        assert_eq!(c.streams, 19_928);
        assert_eq!(c.connections_per_worker(2), 9_980);
        assert_eq!((c.max_streams(0), c.max_streams(5)), (19_928, 5));
    }

    #[test]
    fn more_workers_keep_more_descriptors_back() {
        let c = Capacity::from_limit(20_000, 16);
        assert_eq!((c.connections, c.streams), (19_848, 19_816));
    }

    #[test]
    fn a_tiny_limit_still_admits_something() {
        let c = Capacity::from_limit(10, 2);
        assert_eq!((c.streams, c.connections), (1, 1));
        assert_eq!(c.connections_per_worker(0), 1);
    }
}
