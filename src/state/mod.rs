//! Shared application state: the settings in force (swappable as a whole), the
//! open-stream counters, the request journal, and the shutdown signal. Built
//! once and cloned into every worker. `admission` decides whether a new
//! stream may open ([`StreamGuard`]).

mod admission;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tokio_util::sync::CancellationToken;

use crate::capacity::Capacity;
use crate::config::{ModelKind, Profile, Settings};
use crate::error::ApiError;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::sim::fixture::Fixtures;
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
    /// The fixtures file's rules (none when it is not set).
    pub fixtures: Fixtures,
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
        let fixtures = match settings.fixtures.file.as_str() {
            "" => Fixtures::default(),
            file => Fixtures::from_path(Path::new(file)).map_err(|e| e.to_string())?,
        };
        let profiles = settings
            .models
            .profiles
            .keys()
            .filter_map(|name| Some((name.clone(), Arc::new(settings.profile(name)?))))
            .collect();
        Ok(Runtime {
            fixtures,
            settings,
            profiles,
            responders: Responders::new(canned),
        })
    }

    /// The chat profile a request names, or the default one.
    pub fn profile(&self, model: Option<&str>) -> Result<Arc<Profile>, ApiError> {
        self.profile_for(ModelKind::Chat, model)
    }

    /// The profile a request names (or the default one), which must be of
    /// `kind`: the one place a route's model is looked up, so every route
    /// refuses the other kind's models alike, saying which models it takes.
    pub fn profile_for(
        &self,
        kind: ModelKind,
        model: Option<&str>,
    ) -> Result<Arc<Profile>, ApiError> {
        let name = model.unwrap_or(&self.settings.models.default);
        let profile = self
            .profiles
            .get(name)
            .ok_or_else(|| ApiError::UnknownModel {
                name: name.to_owned(),
                available: self.profiles.keys().cloned().collect::<Vec<_>>().join(", "),
            })?;
        if profile.kind == kind {
            return Ok(Arc::clone(profile));
        }
        let of_kind: Vec<&str> = (self.profiles.values())
            .filter(|p| p.kind == kind)
            .map(|p| p.name.as_str())
            .collect();
        let message = match kind {
            ModelKind::Chat => format!(
                "{name:?} is an embedding model: send it to POST /v1/embeddings; the models that chat are {}",
                of_kind.join(", ")
            ),
            ModelKind::Embedding if of_kind.is_empty() => format!(
                "{name:?} is a chat model, not an embedding model, and no embedding model is configured (a profile with kind = \"embedding\")"
            ),
            ModelKind::Embedding => format!(
                "{name:?} is a chat model, not an embedding model; the embedding models are {}",
                of_kind.join(", ")
            ),
        };
        Err(ApiError::InvalidRequest {
            param: "model",
            message,
        })
    }
}

/// The label of a route that holds streams open (`"chat"`, `"openai"`, …),
/// in metrics, logs and `/healthz`. Each framing names its own.
pub type RouteLabel = &'static str;

use admission::OpenStreams;
pub use admission::StreamGuard;

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: RwLock<Arc<Runtime>>,
    open: OpenStreams,
    /// What the open-file limit left room for when the server started.
    capacity: Capacity,
    per_client: Mutex<HashMap<IpAddr, usize>>,
    draining: AtomicBool,
    shutdown: CancellationToken,
    metrics: Metrics,
    journal: Journal,
}

impl AppState {
    /// State for a server running `runtime`; `routes` are listed in
    /// `/healthz` and the metrics from the start, even before their first
    /// stream.
    pub fn new(runtime: Runtime, routes: &[RouteLabel]) -> Self {
        let workers = runtime.settings.server.worker_count();
        let open = OpenStreams::default();
        for route in routes {
            open.counter(route);
        }
        AppState {
            inner: Arc::new(Inner {
                runtime: RwLock::new(Arc::new(runtime)),
                open,
                capacity: Capacity::current(workers),
                per_client: Mutex::new(HashMap::new()),
                draining: AtomicBool::new(false),
                shutdown: CancellationToken::new(),
                metrics: Metrics::new(),
                journal: Journal::default(),
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
    pub fn open_streams(&self, route: RouteLabel) -> usize {
        self.inner.open.snapshot().get(route).copied().unwrap_or(0)
    }

    /// Open streams per route, for every route that has had one (or was
    /// listed at start), in label order.
    pub fn open_streams_by_route(&self) -> BTreeMap<RouteLabel, usize> {
        self.inner.open.snapshot()
    }

    /// Open streams on every route.
    pub fn total_open_streams(&self) -> usize {
        self.inner.open.total.load(Ordering::Relaxed)
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The request journal; it outlives reloads, and `journal.size` in
    /// force bounds it.
    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    /// The metrics as Prometheus text, with the open-stream gauges refreshed.
    pub fn render_metrics(&self) -> String {
        let metrics = &self.inner.metrics;
        for (route, open) in self.open_streams_by_route() {
            let open = i64::try_from(open).unwrap_or(i64::MAX);
            metrics.open_streams.with_label_values(&[route]).set(open);
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
}
