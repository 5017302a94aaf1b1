//! Wire framings: thin adapters that turn the one paced token stream into a
//! protocol's events. Everything above them (plan, script, pacing, admission)
//! is shared; a new wire format is one file here that implements [`Framing`].
//!
//! - [`sse`]: the event-stream response, heartbeats, abnormal ends.
//! - [`native`], [`openai`], [`anthropic`]: one file per API family, each
//!   with its error shape ([`Api`] picks one).
//! - [`Framed`]: drives a framing over the paced ticks.

pub mod anthropic;
mod chunk;
pub mod native;
pub mod openai;
pub mod responses;
pub mod sse;

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web_lab::sse::Event;
use bytestring::ByteString;
use futures_util::Stream;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary, Tick, TokenEvent};

pub use sse::Disconnect;

/// Events queued by a framing call that yields more than one.
pub type Frames = VecDeque<Event>;

/// Why a stream ends before its reply is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server is shutting down; `next` is the first token not sent.
    ShuttingDown {
        /// Index of the first unsent token.
        next: u32,
    },
    /// An injected `stream_error` fault; `next` is the first token not sent.
    Injected {
        /// Index of the first unsent token.
        next: u32,
    },
    /// The client's `Last-Event-ID` names another reply.
    ResumeMismatch,
}

/// One API's wire format for a streamed reply.
pub trait Framing: Unpin + 'static {
    /// The route's label in metrics, logs and `/healthz`.
    const ROUTE: RouteLabel;
    /// Whose error shape errors before the stream take.
    const API: Api;

    /// The `retry:` hint that opens the stream, for formats that have one.
    fn retry(&self) -> Option<Duration> {
        None
    }

    /// The events before the first token.
    fn head(&mut self, out: &mut Frames);

    /// The events that open reply part `part` (a reasoning block, the text,
    /// a tool call), before its first token.
    fn part_start(&mut self, _part: usize, _out: &mut Frames) {}

    /// Token `index` of the reply, which belongs to part `part`.
    fn token(&mut self, index: u32, part: usize, text: ByteString) -> Event;

    /// The events that close part `part`, after its last token.
    fn part_end(&mut self, _part: usize, _out: &mut Frames) {}

    /// The events that end a whole reply.
    fn done(&mut self, summary: &Summary, out: &mut Frames);

    /// The event that ends a stream early.
    fn failure(&mut self, failure: Failure) -> Event;
}

/// A framing whose API also answers with one JSON object when the request
/// does not ask for a stream.
pub trait WholeReply: Framing {
    /// The whole reply, cut where the stream would have ended: `parts[i]`
    /// is the text sent of reply part `i`.
    fn object(&self, parts: &[String], finish: FinishReason) -> Value;
}

/// The API families whose error shapes trickle speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `{"error":{"code","message"}}` (DESIGN §2.5).
    Native,
    /// `{"error":{"message","type","param","code"}}`
    OpenAi,
    /// `{"type":"error","error":{"type","message"}}`
    Anthropic,
}

impl Api {
    /// The JSON body of `error` in this API's shape.
    pub fn error_body(self, error: &ApiError) -> Value {
        match self {
            Api::Native => native::error_body(error),
            Api::OpenAi => openai::error_body(error),
            Api::Anthropic => anthropic::error_body(error),
        }
    }
}

/// A framing driven over paced ticks: the head first, then each tick's
/// events, with a part's start and end around its tokens. Events that one
/// tick yields together wait in a queue that lives as long as the stream, so
/// the per-token path allocates nothing here.
pub struct Framed<F, S> {
    framing: F,
    ticks: S,
    queue: Frames,
    /// The part whose tokens are being sent.
    part: Option<usize>,
}

impl<F: Framing, S> Framed<F, S> {
    /// Frames `ticks` with `framing`, starting with its head.
    pub fn new(mut framing: F, ticks: S) -> Self {
        let mut queue = Frames::new();
        framing.head(&mut queue);
        Framed {
            framing,
            ticks,
            queue,
            part: None,
        }
    }
}

impl<F, S> Stream for Framed<F, S>
where
    F: Framing,
    S: Stream<Item = Tick<TokenEvent>> + Unpin,
{
    type Item = Result<Event, Disconnect>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(event) = this.queue.pop_front() {
            return Poll::Ready(Some(Ok(event)));
        }
        let Some(tick) = std::task::ready!(Pin::new(&mut this.ticks).poll_next(cx)) else {
            return Poll::Ready(None);
        };
        let framing = &mut this.framing;
        let event = match tick {
            Tick::Heartbeat => sse::heartbeat(),
            Tick::Item(TokenEvent::Token { index, part, text }) => {
                if this.part != Some(part) {
                    if let Some(previous) = this.part {
                        framing.part_end(previous, &mut this.queue);
                    }
                    framing.part_start(part, &mut this.queue);
                    this.part = Some(part);
                }
                let event = framing.token(index, part, text);
                if this.queue.is_empty() {
                    event
                } else {
                    this.queue.push_back(event);
                    this.queue.pop_front().unwrap_or_else(sse::heartbeat)
                }
            }
            Tick::Item(TokenEvent::Done(summary)) => {
                if let Some(last) = this.part.take() {
                    framing.part_end(last, &mut this.queue);
                }
                framing.done(&summary, &mut this.queue);
                match this.queue.pop_front() {
                    Some(event) => event,
                    None => return Poll::Ready(None),
                }
            }
            Tick::Item(TokenEvent::ShuttingDown { next }) => {
                framing.failure(Failure::ShuttingDown { next })
            }
            Tick::Item(TokenEvent::InjectedError { next }) => {
                framing.failure(Failure::Injected { next })
            }
            Tick::Item(TokenEvent::InjectedDisconnect) => {
                return Poll::Ready(Some(Err(Disconnect)));
            }
        };
        Poll::Ready(Some(Ok(event)))
    }
}
