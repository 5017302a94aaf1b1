//! The timeline of one reply: tokens at their paced offsets, then a summary.
//!
//! On the grid (today's fixed or uniform delays) each offset is read off
//! [`Pacing`] in O(1); drawn gaps, stalls and load slowdown are walked
//! (`walk.rs`), O(1) per token as well.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use bytestring::ByteString;
use serde::Serialize;

use super::walk::Walk;
use super::{Sent, Timeline};
use crate::metrics::Outcome;
use crate::sim::{Fault, Latency, Pacing, PartKind, Plan, Schedule, Script};

/// Why a reply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The whole reply was sent.
    Stop,
    /// The reply was cut at a token limit.
    Length,
    /// The reply ends with tool calls, for the client to run.
    ToolCalls,
}

/// Counts and timings sent with the final event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Why the reply ended.
    pub finish_reason: FinishReason,
    /// Tokens in the reply (up to the cut, for `length`).
    pub tokens: u32,
    /// User-perceived characters in the whole reply.
    pub chars: u32,
    /// Time from the request to the first token on this connection; `null`
    /// when this connection sent none.
    pub ttft_ms: Option<u64>,
    /// Time from the request to the end of this connection's stream.
    pub elapsed_ms: u64,
}

/// What a reply's timeline yields.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenEvent {
    /// Token `index` (0-based) of the script.
    Token {
        /// Position in the script.
        index: u32,
        /// The reply part it belongs to.
        part: usize,
        /// The token's exact text.
        text: ByteString,
    },
    /// The reply is complete.
    Done(Summary),
    /// The server is shutting down; `next` is the first token not sent.
    ShuttingDown {
        /// Index of the first unsent token.
        next: u32,
    },
    /// An injected `stream_error` fault; `next` is the first token not sent.
    /// Framings send their API's mid-stream error.
    InjectedError {
        /// Index of the first unsent token.
        next: u32,
    },
    /// An injected disconnect: framings end the body abnormally, so the
    /// client sees a cut connection without a final event.
    InjectedDisconnect,
}

/// Releases `script`'s tokens from `next` up to `end` on `pacing`'s schedule.
#[derive(Debug)]
pub struct TokenTimeline {
    script: Script,
    pacing: Pacing,
    /// Set when the schedule is walked rather than read off the grid; boxed,
    /// since most streams are on the grid and a stream lives long.
    walk: Option<Box<Walk>>,
    next: u32,
    end: u32,
    /// Offset subtracted from the schedule, so a resumed stream sends its
    /// first token one gap after it starts, in the original rhythm.
    base: Duration,
    first_token_at: Option<Duration>,
    done: bool,
    /// A stream fault still to come.
    fault: Option<Fault>,
    failed: bool,
}

impl TokenTimeline {
    /// The whole script, or from token `from` on (a resume), up to an
    /// optional token cap.
    pub fn new(script: Script, pacing: Pacing, from: u32, cap: Option<u32>) -> Self {
        Self::with_latency(script, pacing, Latency::default(), from, cap)
    }

    /// As [`new`](Self::new), with `latency`'s drawn gaps, stalls and load
    /// curve on top of the grid (the load itself comes from
    /// [`with_load`](Self::with_load)).
    pub fn with_latency(
        script: Script,
        pacing: Pacing,
        latency: Latency,
        from: u32,
        cap: Option<u32>,
    ) -> Self {
        let end = cap.map_or(script.len(), |cap| cap.min(script.len()));
        let from = from.min(end);
        let schedule = Schedule::new(pacing, &latency);
        let base = if from == 0 {
            Duration::ZERO
        } else {
            schedule.offset(from - 1)
        };
        let walk = (!latency.is_none())
            .then(|| Box::new(Walk::new(schedule, latency.load, (from, end), base)));
        TokenTimeline {
            script,
            pacing,
            walk,
            next: from,
            end,
            base,
            first_token_at: None,
            done: false,
            fault: None,
            failed: false,
        }
    }

    /// The plan's stream: from where it starts, up to its cut, with its
    /// latency and fault.
    pub fn for_plan(plan: Plan) -> Self {
        let from = plan.start.position();
        TokenTimeline::with_latency(plan.script, plan.pacing, plan.latency, from, Some(plan.end))
            .with_fault(plan.fault)
    }

    /// Reads the streams generating on the model from `active`, for the
    /// load curve (a timeline without one ignores it).
    pub fn with_load(mut self, active: Arc<AtomicUsize>) -> Self {
        if let Some(walk) = &mut self.walk {
            walk.read_load_from(active);
        }
        self
    }

    /// Injects a stream fault (`status` faults are answered before any
    /// stream exists, so they are ignored here).
    pub fn with_fault(mut self, fault: Option<Fault>) -> Self {
        self.fault = fault.filter(|f| f.after().is_some());
        self
    }

    /// The stream fault still to come, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.fault
    }

    /// Extra delay before token `index` from a stall fault.
    fn stall_before(&self, index: u32) -> Duration {
        match self.fault {
            Some(Fault::Stall { after, duration }) if index >= after => duration,
            _ => Duration::ZERO,
        }
    }

    /// The script being sent.
    pub fn script(&self) -> &Script {
        &self.script
    }

    fn summary(&self, elapsed: Duration) -> Summary {
        Summary {
            finish_reason: if self.end < self.script.len() {
                FinishReason::Length
            } else if self
                .script
                .parts()
                .last()
                .is_some_and(|p| matches!(p.kind, PartKind::ToolCall { .. }))
            {
                FinishReason::ToolCalls
            } else {
                FinishReason::Stop
            },
            tokens: self.end,
            chars: self.script.chars(),
            ttft_ms: self.first_token_at.map(millis),
            elapsed_ms: millis(elapsed),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Timeline for TokenTimeline {
    type Item = TokenEvent;

    fn next_due(&self) -> Option<Duration> {
        if self.done {
            return None;
        }
        let index = self.next.min(self.end.saturating_sub(1));
        if self.end == 0 {
            return Some(Duration::ZERO);
        }
        let at = match &self.walk {
            Some(walk) => walk.due(),
            None => self.pacing.offset(index),
        };
        Some((at + self.stall_before(self.next)).saturating_sub(self.base))
    }

    fn emit(&mut self, elapsed: Duration) -> TokenEvent {
        match self.fault {
            Some(Fault::StreamError { after }) if self.next == after.min(self.end) => {
                (self.done, self.failed) = (true, true);
                return TokenEvent::InjectedError { next: self.next };
            }
            Some(Fault::Disconnect { after }) if self.next == after.min(self.end) => {
                (self.done, self.failed) = (true, true);
                return TokenEvent::InjectedDisconnect;
            }
            _ => {}
        }
        if self.next < self.end
            && let Some(text) = self.script.chunk(self.next)
        {
            let index = self.next;
            self.next += 1;
            if let Some(walk) = &mut self.walk
                && self.next < self.end
            {
                walk.advance(self.next);
            }
            self.first_token_at.get_or_insert(elapsed);
            let part = self.script.part_of(index);
            return TokenEvent::Token { index, part, text };
        }
        self.done = true;
        TokenEvent::Done(self.summary(elapsed))
    }

    fn outcome(&self) -> Outcome {
        if self.failed {
            Outcome::Error
        } else {
            Outcome::Completed
        }
    }

    fn kind(item: &TokenEvent) -> Sent {
        match item {
            TokenEvent::Token { .. } => Sent::Token,
            _ => Sent::Other,
        }
    }

    fn interrupt(&mut self, _elapsed: Duration) -> Option<TokenEvent> {
        if self.done {
            return None;
        }
        self.done = true;
        Some(TokenEvent::ShuttingDown { next: self.next })
    }
}
