//! Builds the server from settings and runs it until a signal stops it.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs as _};
use std::path::PathBuf;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpServer, web};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::signal::unix::{SignalKind, signal};

use crate::config::{self, LOCAL_DEFAULTS, Overrides, Settings};
use crate::state::{AppState, Runtime};
use crate::{auth, middleware, reload, routes};

/// A bound, ready-to-run server.
pub struct Application {
    address: SocketAddr,
    server: Server,
    state: AppState,
    grace: Duration,
}

impl Application {
    /// Binds `server.host:server.port` (port 0 picks a free one) and prepares
    /// the workers. Fails on a bad responses file or a busy port.
    pub fn build(settings: Settings) -> Result<Self, String> {
        Self::with_runtime(Runtime::new(settings)?)
    }

    /// [`build`](Self::build) with a runtime made by the caller, for
    /// fixtures given in code rather than in a file.
    pub fn with_runtime(runtime: Runtime) -> Result<Self, String> {
        // Loaded beside the start-up rather than before the port is bound:
        // a restarted instance behind a load balancer must be listening again
        // at once (a debug build takes half a second to load it). A request
        // that needs it sooner waits for it.
        std::thread::spawn(crate::sim::load_tokenizer);
        let settings = &runtime.settings;
        let address = settings.address();
        let listener = listen(&address, settings.server.reuse_port)
            .map_err(|e| cannot_listen(&address, settings.server.port, &e))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        let grace = Duration::from_secs(settings.server.shutdown_grace_s);
        let workers = settings.server.worker_count();
        let origins = settings.cors.allowed_origins.clone();
        let header_timeout = Duration::from_millis(settings.server.header_timeout_ms);
        let state = AppState::new(runtime, routes::STREAM_ROUTES);
        let connections_per_worker = state.capacity().connections_per_worker(workers);
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(auth::require_key))
                .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
                .wrap(from_fn(middleware::count_status))
                .wrap(from_fn(middleware::trace_request))
                .app_data(data.clone())
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
        })
        .workers(workers)
        // Stay within the open-file limit: past it actix stops accepting
        // (the kernel's backlog holds the rest) instead of failing accept.
        .max_connections(connections_per_worker)
        // A client that closes its side is gone: end its stream at once,
        // even while the stream is idle, instead of at the next write.
        .h1_allow_half_closed(false)
        // Each event is a small write that should leave at once. With Nagle's
        // algorithm on (actix keeps the OS default), a write waits for the
        // ACK of the previous one, which a busy client delays by up to 40 ms.
        .tcp_nodelay(true)
        .client_request_timeout(header_timeout)
        .backlog(BACKLOG as u32)
        .disable_signals()
        .shutdown_timeout(grace.as_secs() + 1)
        .listen(listener)
        .map_err(|e| format!("cannot listen on {address}: {e}"))?
        .run();
        Ok(Application {
            address: bound,
            server,
            state,
            grace,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address actually bound.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The shared state, so tests can watch the open-stream counters.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// A handle that drains and stops this server.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            state: self.state.clone(),
            handle: self.server.handle(),
            grace: self.grace,
        }
    }

    /// Serves until the server is stopped, draining on SIGINT/SIGTERM (a
    /// second signal stops at once) and reloading on SIGHUP or when a
    /// settings file changes. `overrides` are the command-line layer, applied
    /// again on every reload.
    pub async fn run_until_stopped(self, overrides: Overrides) -> std::io::Result<()> {
        let _watcher = self.watch_files(&overrides);
        let state = self.state.clone();
        tokio::spawn(async move {
            let Ok(mut hangup) = signal(SignalKind::hangup()) else {
                tracing::error!("cannot install the SIGHUP handler; reload is off");
                return;
            };
            while hangup.recv().await.is_some() {
                tracing::info!("SIGHUP received; reloading settings");
                reload::reload_and_log(&state, config::load(&overrides));
            }
        });
        let stopper = self.stopper();
        // A graceful stop occupies actix's command loop until it completes, so
        // a second signal cannot go through the server handle: it ends this
        // function instead, and the process exits with it.
        let (forced_tx, forced) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let (Ok(mut interrupt), Ok(mut terminate)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                tracing::error!("cannot install signal handlers; stop with SIGKILL");
                return;
            };
            tracing::debug!("signal handlers installed");
            tokio::select! { _ = interrupt.recv() => {}, _ = terminate.recv() => {} }
            tracing::info!(
                grace_s = stopper.grace.as_secs(),
                "signal received; draining"
            );
            let drain = tokio::spawn(stopper.clone().drain());
            tokio::select! { _ = interrupt.recv() => {}, _ = terminate.recv() => {} }
            tracing::warn!("second signal; stopping now");
            drain.abort();
            let _ = forced_tx.send(());
        });
        tokio::select! {
            served = self.server => served,
            Ok(()) = forced => Ok(()),
        }
    }

    /// Reloads when the `--config` file, `./config/default.toml`, the
    /// responses file or the fixtures file changes; `None` if there is
    /// nothing to watch or the watch could not be set up (logged).
    fn watch_files(&self, overrides: &Overrides) -> Option<notify::RecommendedWatcher> {
        let runtime = self.state.runtime();
        let named = [
            &runtime.settings.responses.file,
            &runtime.settings.fixtures.file,
        ];
        let files: Vec<PathBuf> = [overrides.file.clone(), Some(PathBuf::from(LOCAL_DEFAULTS))]
            .into_iter()
            .flatten()
            .chain(
                named
                    .into_iter()
                    .filter(|f| !f.is_empty())
                    .map(PathBuf::from),
            )
            .filter(|f| f.is_file())
            .collect();
        if files.is_empty() {
            return None;
        }
        let (state, overrides) = (self.state.clone(), overrides.clone());
        let on_change = move || {
            tracing::info!("a settings file changed; reloading");
            reload::reload_and_log(&state, config::load(&overrides));
        };
        reload::watch(files, on_change)
            .inspect_err(|e| tracing::warn!("cannot watch settings files, reload with SIGHUP: {e}"))
            .ok()
    }

    /// Runs the server without signal handling (tests stop it with a [`Stopper`]).
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Binds `address`, with `SO_REUSEPORT` when asked, so that several
/// processes can share one port.
fn listen(address: &str, reuse_port: bool) -> std::io::Result<TcpListener> {
    let address: SocketAddr = address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("the host resolves to no address"))?;
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    socket.bind(&address.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// The start-up error for a failed bind. A port in use is the common case
/// (a second trickle, or another server on 8080), so it says how to choose
/// another port.
fn cannot_listen(address: &str, port: u16, error: &std::io::Error) -> String {
    if error.kind() != std::io::ErrorKind::AddrInUse {
        return format!("cannot listen on {address}: {error}");
    }
    let other = port.checked_add(1).filter(|_| port != 0).unwrap_or(8081);
    format!(
        "cannot listen on {address}: the port is already in use (by another trickle or another server); \
         pick another with --port {other} or TRICKLE__SERVER__PORT={other}, or --port 0 for any free one"
    )
}

/// Connections the kernel queues before they are accepted.
const BACKLOG: i32 = 4096;

/// Cross-origin access for the configured origins (`*` for any).
fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allow_any_header()
        .expose_any_header()
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        return cors.allow_any_origin();
    }
    origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}

/// Drains and stops one server.
#[derive(Clone)]
pub struct Stopper {
    state: AppState,
    handle: ServerHandle,
    grace: Duration,
}

impl Stopper {
    /// Drains: `/readyz` answers 503 and new streams get `503
    /// shutting_down` (so a load balancer moves them elsewhere) while open
    /// streams run for the grace period; then the rest end with a
    /// `shutting_down` event and the server stops.
    ///
    /// The listener stays open during the grace so that health checks and
    /// load balancers see the 503s rather than refused connections.
    pub async fn drain(self) {
        self.state.start_draining();
        let deadline = tokio::time::Instant::now() + self.grace;
        while self.state.total_open_streams() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.state.end_streams();
        self.handle.stop(true).await;
    }

    /// Stops at once, without the grace: open streams are ended and every
    /// connection is closed. The stop is under way when this returns; the
    /// future finishes when the server has stopped. For tests that are done.
    pub fn stop_now(&self) -> impl Future<Output = ()> + use<> {
        self.state.start_draining();
        self.state.end_streams();
        self.handle.stop(false)
    }
}
