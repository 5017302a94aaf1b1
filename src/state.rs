//! Shared application state: the settings in force (swappable as a whole), the
//! open-stream counters and caps, and the shutdown signal. Built once and
//! cloned into every worker.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::Span;

use crate::capacity::Capacity;
use crate::config::{Profile, Settings};
use crate::error::ApiError;
use crate::metrics::{Metrics, Outcome};
use crate::sim::responder::{Canned, Responders};

/// Everything a request needs that comes from configuration, resolved once.
#[derive(Debug)]
pub struct Runtime {
    /// The validated settings.
    pub settings: Settings,
    /// Profiles with `[stream]` defaults filled in.
    pub profiles: BTreeMap<String, Arc<Profile>>,
    /// The responders, canned replies loaded.
    pub responders: Responders,
}

impl Runtime {
    /// Resolves profiles and loads the responses file the settings name.
    pub fn new(settings: Settings) -> Result<Self, String> {
        let canned = if settings.responses.file.is_empty() {
            Canned::built_in()
        } else {
            Canned::from_path(Path::new(&settings.responses.file))
        }
        .map_err(|e| e.to_string())?;
        let profiles = settings
            .models
            .profiles
            .keys()
            .filter_map(|name| Some((name.clone(), Arc::new(settings.profile(name)?))))
            .collect();
        Ok(Runtime {
            settings,
            profiles,
            responders: Responders::new(canned),
        })
    }

    /// The profile a request names, or the default one.
    pub fn profile(&self, model: Option<&str>) -> Result<Arc<Profile>, ApiError> {
        let name = model.unwrap_or(&self.settings.models.default);
        self.profiles
            .get(name)
            .cloned()
            .ok_or_else(|| ApiError::UnknownModel {
                name: name.to_owned(),
                available: self.profiles.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }
}

/// The routes that hold streams open, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamRoute {
    /// `/chat`
    Chat,
    /// `/clock`
    Clock,
    /// `/v1/chat/completions`
    OpenAi,
    /// `/v1/messages`
    Anthropic,
}

impl StreamRoute {
    /// The label used in metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamRoute::Chat => "chat",
            StreamRoute::Clock => "clock",
            StreamRoute::OpenAi => "openai",
            StreamRoute::Anthropic => "anthropic",
        }
    }

    /// Every route, for reports.
    pub const ALL: [StreamRoute; 4] = [
        StreamRoute::Chat,
        StreamRoute::Clock,
        StreamRoute::OpenAi,
        StreamRoute::Anthropic,
    ];
}

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: RwLock<Arc<Runtime>>,
    open: [AtomicUsize; 4],
    total: AtomicUsize,
    /// What the open-file limit left room for when the server started.
    capacity: Capacity,
    per_client: Mutex<HashMap<IpAddr, usize>>,
    draining: AtomicBool,
    shutdown: CancellationToken,
    metrics: Metrics,
}

/// Suggested wait before retrying when a stream cap is hit.
const RETRY_AFTER: Duration = Duration::from_secs(1);

impl AppState {
    /// State for a server running `runtime`.
    pub fn new(runtime: Runtime) -> Self {
        let workers = runtime.settings.server.worker_count();
        AppState {
            inner: Arc::new(Inner {
                runtime: RwLock::new(Arc::new(runtime)),
                open: Default::default(),
                total: AtomicUsize::new(0),
                capacity: Capacity::current(workers),
                per_client: Mutex::new(HashMap::new()),
                draining: AtomicBool::new(false),
                shutdown: CancellationToken::new(),
                metrics: Metrics::new(),
            }),
        }
    }

    /// The settings in force now; a stream keeps the ones it started with.
    pub fn runtime(&self) -> Arc<Runtime> {
        let guard = self
            .inner
            .runtime
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&guard)
    }

    /// Puts `runtime` in force for every request from now on; streams
    /// already open keep what they started with.
    pub fn replace_runtime(&self, runtime: Runtime) {
        let mut guard = self
            .inner
            .runtime
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *guard = Arc::new(runtime);
    }

    /// Open streams on `route`.
    pub fn open_streams(&self, route: StreamRoute) -> usize {
        self.inner.open[route as usize].load(Ordering::Relaxed)
    }

    /// Open streams on every route.
    pub fn total_open_streams(&self) -> usize {
        self.inner.total.load(Ordering::Relaxed)
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The metrics as Prometheus text, with the open-stream gauges refreshed.
    pub fn render_metrics(&self) -> String {
        let metrics = &self.inner.metrics;
        for route in StreamRoute::ALL {
            let open = i64::try_from(self.open_streams(route)).unwrap_or(i64::MAX);
            metrics
                .open_streams
                .with_label_values(&[route.as_str()])
                .set(open);
        }
        metrics.render()
    }

    /// True once shutdown has begun.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Relaxed)
    }

    /// Marks the server as draining: new streams are refused.
    pub fn start_draining(&self) {
        self.inner.draining.store(true, Ordering::Relaxed);
    }

    /// Ends every open stream with its shutdown event.
    pub fn end_streams(&self) {
        self.inner.shutdown.cancel();
    }

    /// The signal open streams watch.
    pub fn shutdown_signal(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// What the open-file limit left room for when the server started.
    pub fn capacity(&self) -> Capacity {
        self.inner.capacity
    }

    /// Admits a new stream for `client`, or says why not. The returned guard
    /// releases the slot when dropped, whatever ends the stream.
    pub fn open_stream(
        &self,
        route: StreamRoute,
        client: Option<IpAddr>,
    ) -> Result<StreamGuard, ApiError> {
        if self.is_draining() {
            return Err(ApiError::ShuttingDown);
        }
        let limits = &self.runtime().settings.limits;
        let max_streams = self.inner.capacity.max_streams(limits.max_streams);
        let total = &self.inner.total;
        if total.fetch_add(1, Ordering::Relaxed) >= max_streams {
            total.fetch_sub(1, Ordering::Relaxed);
            return Err(ApiError::ServerBusy {
                limit: max_streams,
                retry_after: RETRY_AFTER,
            });
        }
        // From here on the guard owns the slot, so every early return frees it.
        let mut guard = StreamGuard {
            state: self.clone(),
            route,
            client: None,
            outcome: None,
            tokens: 0,
            span: Span::current(),
        };
        self.inner.open[route as usize].fetch_add(1, Ordering::Relaxed);
        let cap = limits.max_streams_per_client;
        if let (Some(ip), true) = (client, cap > 0) {
            let mut map = self
                .inner
                .per_client
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let count = map.entry(ip).or_insert(0);
            if *count >= cap {
                return Err(ApiError::TooManyStreams {
                    limit: cap,
                    retry_after: RETRY_AFTER,
                });
            }
            *count += 1;
            guard.client = Some(ip);
        }
        Ok(guard)
    }
}

/// One admitted stream; dropping it frees the slot and records how the
/// stream ended (a stream dropped before it finished lost its client).
pub struct StreamGuard {
    state: AppState,
    route: StreamRoute,
    client: Option<IpAddr>,
    outcome: Option<Outcome>,
    tokens: u32,
    /// The request's span, so the end-of-stream log line carries its id.
    span: Span,
}

impl StreamGuard {
    /// Records one event sent `lateness` after its scheduled time.
    pub fn sent(&mut self, lateness: Duration, is_token: bool, elapsed: Duration) {
        let metrics = &self.state.inner.metrics;
        metrics.lateness.observe(lateness.as_secs_f64());
        if is_token {
            if self.tokens == 0 {
                metrics.ttft.observe(elapsed.as_secs_f64());
            }
            self.tokens += 1;
            metrics.tokens.inc();
        }
    }

    /// Records how the stream ended; without it, dropping means the client left.
    pub fn finish(&mut self, outcome: Outcome) {
        self.outcome = Some(outcome);
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let inner = &self.state.inner;
        let outcome = self.outcome.unwrap_or(Outcome::ClientGone);
        inner
            .metrics
            .streams
            .with_label_values(&[self.route.as_str(), outcome.as_str()])
            .inc();
        self.span.in_scope(|| {
            tracing::info!(
                route = self.route.as_str(),
                outcome = outcome.as_str(),
                tokens = self.tokens,
                "stream ended"
            );
        });
        inner.open[self.route as usize].fetch_sub(1, Ordering::Relaxed);
        inner.total.fetch_sub(1, Ordering::Relaxed);
        if let Some(ip) = self.client {
            let mut map = inner
                .per_client
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(count) = map.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    map.remove(&ip);
                }
            }
        }
    }
}
