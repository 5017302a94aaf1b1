//! Admission: whether a new stream may open (draining, the global cap, the
//! per-client cap, its model's slots and queue), and the [`StreamGuard`]
//! that holds its slot until the stream is dropped, counting what it sent
//! and logging how it ended (and telling the request's journal entry). A
//! stream queued for a model slot waits inside its guard
//! ([`Observer::poll_start`]), so the wait is part of the stream.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use tracing::Span;

use super::gate::Gate;
use super::seat::Seat;
use super::{AppState, RouteLabel};
use crate::error::ApiError;
use crate::journal::{Recording, Reporter};
use crate::metrics::Outcome;
use crate::stream::{Observer, Sent};

/// Suggested wait before retrying when a stream cap is hit.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Open streams, counted per route and in all. A route's counter is made the
/// first time it is used, so a new route needs no registration here.
#[derive(Default)]
pub(super) struct OpenStreams {
    by_route: RwLock<BTreeMap<RouteLabel, Arc<AtomicUsize>>>,
    pub(super) total: AtomicUsize,
}

impl OpenStreams {
    pub(super) fn counter(&self, route: RouteLabel) -> Arc<AtomicUsize> {
        let known = self
            .by_route
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(route)
            .cloned();
        known.unwrap_or_else(|| {
            let mut map = self
                .by_route
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::clone(map.entry(route).or_default())
        })
    }

    pub(super) fn snapshot(&self) -> BTreeMap<RouteLabel, usize> {
        self.by_route
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(route, open)| (*route, open.load(Ordering::Relaxed)))
            .collect()
    }
}

impl AppState {
    /// Admits a new stream for `client`, or says why not. The returned guard
    /// releases the slot when dropped, whatever ends the stream.
    pub fn open_stream(
        &self,
        route: RouteLabel,
        client: Option<IpAddr>,
    ) -> Result<StreamGuard, ApiError> {
        self.admit(route, client, None)
    }

    /// Admits a new stream of the model behind `gate`, as [`open_stream`]
    /// does, then gives it a slot on the model or a place in its queue, or
    /// refuses it as overloaded.
    ///
    /// [`open_stream`]: AppState::open_stream
    pub fn open_model_stream(
        &self,
        route: RouteLabel,
        client: Option<IpAddr>,
        gate: &Arc<Gate>,
    ) -> Result<StreamGuard, ApiError> {
        self.admit(route, client, Some(gate))
    }

    fn admit(
        &self,
        route: RouteLabel,
        client: Option<IpAddr>,
        gate: Option<&Arc<Gate>>,
    ) -> Result<StreamGuard, ApiError> {
        if self.is_draining() {
            return Err(ApiError::ShuttingDown);
        }
        let limits = &self.runtime().settings.limits;
        let max_streams = self.inner.capacity.max_streams(limits.max_streams);
        let total = &self.inner.open.total;
        if total.fetch_add(1, Ordering::Relaxed) >= max_streams {
            total.fetch_sub(1, Ordering::Relaxed);
            return Err(ApiError::ServerBusy {
                limit: max_streams,
                retry_after: RETRY_AFTER,
            });
        }
        // From here on the guard owns the slot, so every early return frees it.
        let open = self.inner.open.counter(route);
        open.fetch_add(1, Ordering::Relaxed);
        let mut guard = StreamGuard {
            state: self.clone(),
            route,
            open,
            client: None,
            outcome: None,
            tokens: 0,
            ticks: 0,
            admitted: false,
            span: Span::current(),
            seat: None,
            journal: None,
        };
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
        if let Some(gate) = gate {
            let metrics = &self.inner.metrics;
            let entry = gate.enter().inspect_err(|_| {
                metrics.overloaded.with_label_values(&[gate.model()]).inc();
            })?;
            guard.seat = Some(Seat::new(gate, entry, metrics));
        }
        guard.admitted = true;
        Ok(guard)
    }
}

/// One admitted stream; dropping it frees the slot and records how the
/// stream ended (a stream dropped before it finished lost its client).
pub struct StreamGuard {
    state: AppState,
    route: RouteLabel,
    /// The route's open-stream counter.
    open: Arc<AtomicUsize>,
    client: Option<IpAddr>,
    outcome: Option<Outcome>,
    tokens: u32,
    ticks: u32,
    /// False while admission may still refuse the stream: a refused stream
    /// frees its counts but is neither logged nor counted as ended.
    admitted: bool,
    /// The request's span, so the end-of-stream log line carries its id.
    span: Span,
    /// The stream's place on its model, for chat replies.
    seat: Option<Seat>,
    /// The request's journal entry, told how the stream ended.
    journal: Option<Reporter>,
}

impl StreamGuard {
    /// Reports the stream's end and tokens to `entry` as well.
    pub fn record_in(&mut self, entry: Option<Recording>) {
        self.journal = entry.map(|entry| entry.streaming());
    }
}

impl Observer for StreamGuard {
    fn sent(&mut self, lateness: Duration, kind: Sent, elapsed: Duration) {
        let metrics = &self.state.inner.metrics;
        metrics.lateness.observe(lateness.as_secs_f64());
        match kind {
            Sent::Token => {
                if self.tokens == 0 {
                    metrics.ttft.observe(elapsed.as_secs_f64());
                    if let Some(seat) = &self.seat {
                        seat.first_token(elapsed);
                    }
                }
                self.tokens += 1;
                metrics.tokens.inc();
            }
            Sent::Tick => self.ticks += 1,
            Sent::Other => {}
        }
    }

    /// Without it, dropping the guard means the client left. The model is
    /// done with the stream: its slot goes to the next in line now, before
    /// the last bytes reach the client, so a client that asks again at once
    /// finds it free.
    fn finish(&mut self, outcome: Outcome) {
        self.outcome = Some(outcome);
        if let Some(seat) = &mut self.seat {
            seat.release();
        }
        // Now, not on drop: the final event has not left yet, so a client
        // that reads the journal after it sees the stream ended.
        if let Some(entry) = &self.journal {
            entry.ended(outcome, self.tokens);
        }
    }

    /// A stream queued for a slot on its model starts when it gets one.
    fn poll_start(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.seat {
            Some(seat) => seat.poll_slot(cx),
            None => Poll::Ready(()),
        }
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let inner = &self.state.inner;
        self.open.fetch_sub(1, Ordering::Relaxed);
        inner.open.total.fetch_sub(1, Ordering::Relaxed);
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
        if !self.admitted {
            return;
        }
        let outcome = self.outcome.unwrap_or(Outcome::ClientGone);
        if let Some(entry) = &self.journal {
            entry.ended(outcome, self.tokens);
        }
        inner
            .metrics
            .streams
            .with_label_values(&[self.route, outcome.as_str()])
            .inc();
        self.span.in_scope(|| {
            if self.ticks > 0 {
                tracing::info!(
                    route = self.route,
                    outcome = outcome.as_str(),
                    ticks = self.ticks,
                    "stream ended"
                );
            } else {
                tracing::info!(
                    route = self.route,
                    outcome = outcome.as_str(),
                    tokens = self.tokens,
                    "stream ended"
                );
            }
        });
    }
}
