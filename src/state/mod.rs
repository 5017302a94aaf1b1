//! Shared application state: the settings in force (swappable as a whole), the
//! open-stream counters, the request journal, and the shutdown signal. Built
//! once and cloned into every worker. `admission` decides whether a new
//! stream may open, and each chat model's [`gate`] whether it generates now,
//! waits or is refused.

mod admission;
pub mod gate;
mod runtime;
mod seat;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::capacity::Capacity;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::stream::Shutdown;

/// The label of a route that holds streams open (`"chat"`, `"openai"`, …),
/// in metrics, logs and `/healthz`. Each framing names its own.
pub type RouteLabel = &'static str;

use admission::OpenStreams;
pub use admission::StreamGuard;
pub use gate::Gate;
pub use runtime::Runtime;

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
    shutdown: Shutdown,
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
                shutdown: Shutdown::default(),
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
    /// already open keep what they started with, and models whose slots and
    /// queue did not change keep their gates.
    pub fn replace_runtime(&self, mut runtime: Runtime) {
        let mut guard = self
            .inner
            .runtime
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        runtime.keep_gates(&guard);
        *guard = Arc::new(runtime);
    }

    /// Replaces the runtime with what `change` makes of the one in force,
    /// holding the lock throughout so that concurrent changes never undo
    /// each other; the new runtime is also returned.
    pub fn update_runtime<E>(
        &self,
        change: impl FnOnce(&Runtime) -> Result<Runtime, E>,
    ) -> Result<Arc<Runtime>, E> {
        let mut guard = self
            .inner
            .runtime
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut runtime = change(&guard)?;
        runtime.keep_gates(&guard);
        *guard = Arc::new(runtime);
        Ok(Arc::clone(&guard))
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

    /// The metrics as Prometheus text, with the open-stream and per-model
    /// gauges refreshed.
    pub fn render_metrics(&self) -> String {
        let metrics = &self.inner.metrics;
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        for (route, open) in self.open_streams_by_route() {
            metrics
                .open_streams
                .with_label_values(&[route])
                .set(gauge(open));
        }
        // Reset first, so a model that a reload removed is not shown frozen.
        metrics.model_active.reset();
        metrics.model_queued.reset();
        for (model, gate) in &self.runtime().gates {
            let labels = [model.as_str()];
            let active = metrics.model_active.with_label_values(&labels);
            active.set(gauge(gate.active()));
            let queued = metrics.model_queued.with_label_values(&labels);
            queued.set(gauge(gate.waiting()));
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
        self.inner.shutdown.trigger();
    }

    /// The signal open streams watch.
    pub fn shutdown_signal(&self) -> &Shutdown {
        &self.inner.shutdown
    }

    /// What the open-file limit left room for when the server started.
    pub fn capacity(&self) -> Capacity {
        self.inner.capacity
    }
}
