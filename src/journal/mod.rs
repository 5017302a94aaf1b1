//! The request journal: every request that reaches a model route, kept in a
//! bounded list in memory (the oldest dropped first) so that a test can ask
//! what its code sent and what came back. Pure bookkeeping, no HTTP:
//! `routes::journal` opens an entry per request and serves the list;
//! [`Entry`] is what it serves.
//!
//! An entry is shared ([`Recording`]) between the journal and whoever
//! learns something about the request: the plan adds the model and the
//! messages, a stream's slot ([`crate::state::StreamGuard`]) says how the
//! stream ended and how many tokens it sent, and the route says what status
//! it answered. Only roles and text are kept, never headers, so API keys
//! cannot end up in it.

mod entry;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Instant, SystemTime};

use crate::metrics;
use crate::sim::Conversation;

pub use entry::{Entry, Outcome};

/// The request header that names a client's session, so that tests running
/// side by side each read only their own entries.
pub const SESSION_HEADER: &str = "x-trickle-session";

/// What is known of a request when it arrives.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The `x-trickle-session` header.
    pub session: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The matched route.
    pub route: String,
    /// The API's label.
    pub api: &'static str,
}

/// The bounded journal. A request takes its lock once, when it arrives;
/// what is learnt later goes to the request's own entry, and nothing is
/// written per token.
#[derive(Debug, Default)]
pub struct Journal {
    entries: Mutex<VecDeque<Recording>>,
    last_id: AtomicU64,
}

impl Journal {
    /// Opens an entry for a request that just arrived, keeping at most
    /// `size` entries (the oldest go); `None` when `size` is 0 (the journal
    /// is off).
    pub fn open(&self, arrival: Arrival, size: usize) -> Option<Recording> {
        if size == 0 {
            return None;
        }
        let id = self.last_id.fetch_add(1, Ordering::Relaxed) + 1;
        let recording = Recording::new(id, arrival);
        let mut entries = self.lock();
        entries.push_back(recording.clone());
        while entries.len() > size {
            entries.pop_front();
        }
        Some(recording)
    }

    /// The entries, oldest first: all of them, or one session's.
    pub fn list(&self, session: Option<&str>) -> Vec<Entry> {
        let kept: Vec<Recording> = self.lock().iter().cloned().collect();
        kept.iter()
            .map(Recording::entry)
            .filter(|entry| session.is_none_or(|s| entry.session.as_deref() == Some(s)))
            .collect()
    }

    /// Forgets every entry, or one session's; says how many went.
    pub fn clear(&self, session: Option<&str>) -> usize {
        let mut entries = self.lock();
        let before = entries.len();
        match session {
            None => entries.clear(),
            Some(s) => entries.retain(|r| r.lock().entry.session.as_deref() != Some(s)),
        }
        before - entries.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Recording>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One entry being written; clones share it. An entry dropped from the
/// journal (or cleared) can still be written to, unseen.
#[derive(Debug, Clone)]
pub struct Recording(Arc<Mutex<Slot>>);

#[derive(Debug)]
struct Slot {
    entry: Entry,
    arrived: Instant,
    /// A stream's slot will say how it ended: the status alone does not.
    streaming: bool,
}

impl Recording {
    fn new(id: u64, arrival: Arrival) -> Self {
        let entry = Entry {
            id,
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            session: arrival.session,
            method: arrival.method,
            route: arrival.route,
            api: arrival.api.to_owned(),
            model: None,
            system: None,
            messages: Vec::new(),
            fixture: None,
            upstream: false,
            fault: None,
            seed: None,
            outcome: Outcome::Open,
            status: None,
            error_code: None,
            tokens: 0,
            duration_ms: None,
        };
        Recording(Arc::new(Mutex::new(Slot {
            entry,
            arrived: Instant::now(),
            streaming: false,
        })))
    }

    /// The entry as it stands.
    pub fn entry(&self) -> Entry {
        self.lock().entry.clone()
    }

    /// The model and conversation the request carries.
    pub fn asked(&self, model: &str, conversation: &Conversation) {
        let mut slot = self.lock();
        slot.entry.model = Some(model.to_owned());
        slot.entry.system.clone_from(&conversation.system);
        slot.entry.messages.clone_from(&conversation.messages);
    }

    /// The fixture that matched the request.
    pub fn matched(&self, fixture: &str) {
        self.lock().entry.fixture = Some(fixture.to_owned());
    }

    /// The request was forwarded to the recording gateway's upstream.
    pub fn forwarded(&self) {
        self.lock().entry.upstream = true;
    }

    /// The reply's seed and the fault planned for it.
    pub fn planned(&self, seed: u64, fault: Option<String>) {
        let mut slot = self.lock();
        slot.entry.seed = Some(seed);
        slot.entry.fault = fault;
    }

    /// A stream was admitted: it reports its own end through
    /// [`Reporter::ended`], and holds only that, not the entry.
    pub fn streaming(&self) -> Reporter {
        self.lock().streaming = true;
        Reporter(Arc::downgrade(&self.0))
    }

    /// How the stream ended and the tokens it sent. The first end reported
    /// wins: a stream that finished and was then dropped stays finished.
    pub fn ended(&self, outcome: metrics::Outcome, tokens: u32) {
        let mut slot = self.lock();
        if slot.entry.outcome != Outcome::Open {
            return;
        }
        slot.entry.outcome = match outcome {
            metrics::Outcome::Completed => Outcome::Completed,
            metrics::Outcome::ClientGone => Outcome::ClientGone,
            // Only an injected fault ends a stream with an error event.
            metrics::Outcome::Error if slot.entry.fault.is_some() => Outcome::Fault,
            metrics::Outcome::Error => Outcome::Error,
            metrics::Outcome::Shutdown => Outcome::Shutdown,
        };
        slot.entry.tokens = tokens;
        slot.finish_clock();
    }

    /// The answer's status and, for an error, its code. Unless a stream
    /// reports the end itself, this ends the entry: completed for a
    /// success, a fault for an injected status, an error otherwise.
    pub fn answered(&self, status: u16, error_code: Option<&str>) {
        let mut slot = self.lock();
        slot.entry.status = Some(status);
        slot.entry.error_code = error_code.map(str::to_owned);
        if slot.streaming || slot.entry.outcome != Outcome::Open {
            return;
        }
        slot.entry.outcome = match error_code {
            _ if status < 400 => Outcome::Completed,
            Some(INJECTED_FAULT) => Outcome::Fault,
            _ => Outcome::Error,
        };
        slot.finish_clock();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The code of an injected status fault (`ApiError::InjectedStatus`).
const INJECTED_FAULT: &str = "injected_fault";

/// A stream's line to its entry. It does not keep the entry alive: an
/// entry the journal has dropped (the oldest past `journal.size`, or
/// cleared) is freed at once rather than held, messages and all, by a
/// stream that may run for minutes; its end then goes unrecorded, as no
/// one can read it.
#[derive(Debug, Clone)]
pub struct Reporter(Weak<Mutex<Slot>>);

impl Reporter {
    /// As [`Recording::ended`], if the journal still keeps the entry.
    pub fn ended(&self, outcome: metrics::Outcome, tokens: u32) {
        if let Some(slot) = self.0.upgrade() {
            Recording(slot).ended(outcome, tokens);
        }
    }
}

impl Slot {
    fn finish_clock(&mut self) {
        let elapsed = self.arrived.elapsed().as_millis();
        self.entry.duration_ms = Some(u64::try_from(elapsed).unwrap_or(u64::MAX));
    }
}

#[cfg(test)]
mod tests;
