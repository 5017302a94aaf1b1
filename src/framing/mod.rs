//! Wire framings: thin adapters that turn the one paced token stream into a
//! protocol's events. Everything above them (plan, script, pacing, admission)
//! is shared; a new wire format is one file here that implements [`Framing`].
//!
//! - [`Wire`]: how events become a response body: [`EventStream`] (event
//!   streams), [`lines::JsonLines`] (NDJSON) and [`lines::JsonArray`] (a JSON
//!   array sent element by element).
//! - [`sse`]: the event-stream response, heartbeats, abnormal ends.
//! - [`native`], [`openai`], [`anthropic`], [`gemini`], [`ollama`]: one file per API
//!   family, each with its error shape ([`Api`] picks one).
//! - [`Framed`]: drives a framing over the paced ticks.

pub mod ai_sdk;
pub mod anthropic;
mod chunk;
pub mod gemini;
pub mod lines;
pub mod native;
pub mod ollama;
pub mod openai;
pub mod responses;
pub mod sse;

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse};
use bytestring::ByteString;
use futures_util::Stream;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary, Tick, TokenEvent};

pub use sse::{Disconnect, EventStream};

/// How a framing's events become a response body.
pub trait Wire: 'static {
    /// One unit written to the body: an event, a line, an array element.
    type Event: Unpin + 'static;

    /// What fills a long silence, if the format has such a thing.
    fn heartbeat() -> Option<Self::Event>;

    /// The `200` response that streams `events`; `retry` is an event
    /// stream's reconnect hint (ignored by formats without one).
    fn respond<S>(req: &HttpRequest, events: S, retry: Option<Duration>) -> HttpResponse
    where
        S: Stream<Item = Result<Self::Event, Disconnect>> + 'static;
}

/// The unit a framing's wire writes.
pub type EventOf<F> = <<F as Framing>::Wire as Wire>::Event;

/// Events queued by a framing call that yields more than one.
pub type Frames<E = actix_web_lab::sse::Event> = VecDeque<E>;

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
    /// How its events become the body.
    type Wire: Wire;

    /// The `retry:` hint that opens the stream, for formats that have one.
    fn retry(&self) -> Option<Duration> {
        None
    }

    /// The events before the first token.
    fn head(&mut self, out: &mut Frames<EventOf<Self>>);

    /// The events that open reply part `part` (a reasoning block, the text,
    /// a tool call), before its first token.
    fn part_start(&mut self, _part: usize, _out: &mut Frames<EventOf<Self>>) {}

    /// Takes token `index` of part `part` without sending it, for a part
    /// the API sends whole (Ollama's tool calls): `true` when the framing
    /// holds it, and then writes the part in `part_end`.
    fn hold(&mut self, _index: u32, _part: usize, _text: &ByteString) -> bool {
        false
    }

    /// Token `index` of the reply, which belongs to part `part`.
    fn token(&mut self, index: u32, part: usize, text: ByteString) -> EventOf<Self>;

    /// The events that close part `part`, after its last token.
    fn part_end(&mut self, _part: usize, _out: &mut Frames<EventOf<Self>>) {}

    /// The events that end a whole reply.
    fn done(&mut self, summary: &Summary, out: &mut Frames<EventOf<Self>>);

    /// The event that ends a stream early.
    fn failure(&mut self, failure: Failure) -> EventOf<Self>;
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
    /// `{"error":"…"}`
    Ollama,
    /// `{"error":{"code","message","status"}}`
    Gemini,
}

impl Api {
    /// The JSON body of `error` in this API's shape.
    pub fn error_body(self, error: &ApiError) -> Value {
        match self {
            Api::Native => native::error_body(error),
            Api::OpenAi => openai::error_body(error),
            Api::Anthropic => anthropic::error_body(error),
            Api::Ollama => ollama::error_body(error),
            Api::Gemini => gemini::error_body(error),
        }
    }
}

/// A framing driven over paced ticks: the head first, then each tick's
/// events, with a part's start and end around its tokens. Events that one
/// tick yields together wait in a queue that lives as long as the stream, so
/// the per-token path allocates nothing here.
pub struct Framed<F: Framing, S> {
    framing: F,
    ticks: S,
    queue: Frames<EventOf<F>>,
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
    type Item = Result<EventOf<F>, Disconnect>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.dequeue() {
                return Poll::Ready(Some(Ok(event)));
            }
            let Some(tick) = std::task::ready!(Pin::new(&mut this.ticks).poll_next(cx)) else {
                return Poll::Ready(None);
            };
            match this.frame(tick) {
                Some(Ok(event)) => return Poll::Ready(Some(Ok(event))),
                Some(Err(Disconnect)) => return Poll::Ready(Some(Err(Disconnect))),
                // A heartbeat the wire has no form for, or a held token:
                // wait for the next tick.
                None => {}
            }
        }
    }
}

impl<F: Framing, S> Framed<F, S> {
    /// The next queued event. The queue fills only around a part's tokens,
    /// so once it is empty its room is given back rather than held for the
    /// rest of a long stream.
    fn dequeue(&mut self) -> Option<EventOf<F>> {
        let event = self.queue.pop_front()?;
        if self.queue.is_empty() {
            self.queue = Frames::new();
        }
        Some(event)
    }

    /// The event for one tick (others it yields go to the queue), or `None`
    /// when it yields nothing.
    fn frame(&mut self, tick: Tick<TokenEvent>) -> Option<Result<EventOf<F>, Disconnect>> {
        let framing = &mut self.framing;
        let event = match tick {
            Tick::Heartbeat => return F::Wire::heartbeat().map(Ok),
            Tick::Item(TokenEvent::Token { index, part, text }) => {
                if self.part != Some(part) {
                    if let Some(previous) = self.part {
                        framing.part_end(previous, &mut self.queue);
                    }
                    framing.part_start(part, &mut self.queue);
                    self.part = Some(part);
                }
                if framing.hold(index, part, &text) {
                    return self.dequeue().map(Ok);
                }
                let event = framing.token(index, part, text);
                if self.queue.is_empty() {
                    event
                } else {
                    self.queue.push_back(event);
                    self.dequeue()?
                }
            }
            Tick::Item(TokenEvent::Done(summary)) => {
                if let Some(last) = self.part.take() {
                    framing.part_end(last, &mut self.queue);
                }
                framing.done(&summary, &mut self.queue);
                self.dequeue()?
            }
            Tick::Item(TokenEvent::ShuttingDown { next }) => {
                framing.failure(Failure::ShuttingDown { next })
            }
            Tick::Item(TokenEvent::InjectedError { next }) => {
                framing.failure(Failure::Injected { next })
            }
            Tick::Item(TokenEvent::InjectedDisconnect) => return Some(Err(Disconnect)),
        };
        Some(Ok(event))
    }
}
