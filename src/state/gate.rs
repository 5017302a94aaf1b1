//! A model's slots and queue. Every chat profile has a [`Gate`]: it counts
//! the streams the model generates (for the metrics and the load curve) and,
//! when the profile sets `slots`, lets that many generate at once, keeps up
//! to `queue` more waiting in arrival order, and refuses the rest with the
//! expected wait.
//!
//! A waiting stream holds a [`Waiting`] future; dropping it (the client
//! left) gives its place up at once. A [`Slot`] is held until the stream is
//! dropped, whatever ends it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::config::Profile;
use crate::error::ApiError;

/// Tokens assumed in a reply before any stream has finished, to estimate
/// how long a slot is held.
const PRIOR_REPLY_TOKENS: u32 = 100;
/// Weight of each finished stream in the mean service time.
const SERVICE_WEIGHT: f64 = 0.2;

/// One model's slots and queue. See the module docs.
#[derive(Debug)]
pub struct Gate {
    model: String,
    /// `None`: no limit; streams are only counted.
    slots: Option<Arc<Semaphore>>,
    size: (u32, u32),
    active: Arc<AtomicUsize>,
    waiting: Arc<AtomicUsize>,
    /// Mean time a slot is held, in µs, as measured (0 before any).
    service_us: AtomicU64,
    prior: Duration,
}

/// What a new stream gets from the gate.
pub enum Entry {
    /// A slot at once.
    Now(Slot),
    /// A place in the queue; the future resolves to a slot.
    Queued(Waiting),
}

impl Gate {
    /// The gate `profile` asks for.
    pub fn new(profile: &Profile) -> Gate {
        let prior = profile.ttft + profile.token_delay * PRIOR_REPLY_TOKENS;
        let slots = profile.slots.unwrap_or(0);
        Gate::sized(&profile.name, slots, profile.queue, prior)
    }

    /// A gate of `slots` (0: no limit) and `queue` places, expecting a slot
    /// to be held for `prior` until streams have been measured.
    fn sized(model: &str, slots: u32, queue: u32, prior: Duration) -> Gate {
        Gate {
            model: model.to_owned(),
            slots: (slots > 0).then(|| Arc::new(Semaphore::new(slots as usize))),
            size: (slots, queue),
            active: Arc::default(),
            waiting: Arc::default(),
            service_us: AtomicU64::new(0),
            prior,
        }
    }

    /// The model's name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Slots and queue places, as the profile set them (0 slots: no limit).
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Whether streams may have to wait or be refused here.
    pub fn is_limited(&self) -> bool {
        self.slots.is_some()
    }

    /// Streams generating now.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::Relaxed)
    }

    /// The counter of streams generating, for the load curve.
    pub fn active_counter(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.active)
    }

    /// Streams waiting for a slot now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// A slot, a place in the queue, or `Overloaded` with the expected wait.
    pub fn enter(self: &Arc<Self>) -> Result<Entry, ApiError> {
        let Some(slots) = &self.slots else {
            return Ok(Entry::Now(Slot::new(self, None)));
        };
        if let Ok(permit) = Arc::clone(slots).try_acquire_owned() {
            return Ok(Entry::Now(Slot::new(self, Some(permit))));
        }
        let queue = self.size.1 as usize;
        let placed = (self.waiting).fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < queue).then_some(n + 1)
        });
        if placed.is_err() {
            let (slots, queue) = self.size;
            return Err(ApiError::Overloaded {
                model: self.model.clone(),
                slots,
                queue,
                retry_after: self.expected_wait(queue as usize + 1),
            });
        }
        let place = Place(Arc::clone(&self.waiting));
        let (gate, slots) = (Arc::clone(self), Arc::clone(slots));
        let wait = async move {
            // A closed semaphore cannot happen (it is never closed); a stream
            // would then go ahead without a permit rather than hang.
            let permit = slots.acquire_owned().await.ok();
            drop(place);
            Slot::new(&gate, permit)
        };
        // Polled once now, so the stream takes its place in line on arrival
        // rather than when its response is first polled.
        let mut waiting = Waiting(Box::pin(wait));
        let mut cx = Context::from_waker(Waker::noop());
        Ok(match Pin::new(&mut waiting).poll(&mut cx) {
            Poll::Ready(slot) => Entry::Now(slot),
            Poll::Pending => Entry::Queued(waiting),
        })
    }

    /// How long the stream at `position` in the queue (1 = next) should
    /// expect to wait: position × the mean time a slot is held ÷ the slots.
    /// The mean is measured over finished streams; before the first, a
    /// reply of 100 tokens at the profile's pace.
    pub fn expected_wait(&self, position: usize) -> Duration {
        let measured = self.service_us.load(Ordering::Relaxed);
        let service = if measured == 0 {
            self.prior
        } else {
            Duration::from_micros(measured)
        };
        let per_slot = service.as_secs_f64() / f64::from(self.size.0.max(1));
        Duration::from_secs_f64(per_slot * position as f64)
    }

    fn served(&self, held: Duration) {
        let held = held.as_micros() as f64;
        // Lost updates between concurrent ends only blur an estimate.
        let mean = self.service_us.load(Ordering::Relaxed) as f64;
        let next = if mean == 0.0 {
            held
        } else {
            mean + SERVICE_WEIGHT * (held - mean)
        };
        self.service_us
            .store(next.max(1.0) as u64, Ordering::Relaxed);
    }
}

/// A place in the queue, given up when dropped (served or abandoned).
struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A stream waiting for a slot; dropping it leaves the queue.
pub struct Waiting(Pin<Box<dyn Future<Output = Slot> + Send>>);

impl Future for Waiting {
    type Output = Slot;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Slot> {
        self.0.as_mut().poll(cx)
    }
}

/// A slot on a model, held until dropped.
#[derive(Debug)]
pub struct Slot {
    gate: Arc<Gate>,
    _permit: Option<OwnedSemaphorePermit>,
    since: Instant,
}

impl Slot {
    fn new(gate: &Arc<Gate>, permit: Option<OwnedSemaphorePermit>) -> Slot {
        gate.active.fetch_add(1, Ordering::Relaxed);
        Slot {
            gate: Arc::clone(gate),
            _permit: permit,
            since: Instant::now(),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.gate.active.fetch_sub(1, Ordering::Relaxed);
        if self.gate.is_limited() {
            self.gate.served(self.since.elapsed());
        }
    }
}

#[cfg(test)]
mod tests;
