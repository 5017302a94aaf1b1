//! The proxy: the client's request sent on to the upstream with its own
//! headers, the upstream's answer passed back. A stream goes back event by
//! event as each is whole (a partial event waits for its end, so a cut
//! never hands the client half a line); dropping the response (the client
//! left) drops the upstream request. The reply is recorded only after the
//! API's end marker; a cut stream ends with the API's error event instead.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};

use super::Gateway;
use super::capture::{Capture, State};
use super::events::Splitter;
use super::writer;
use crate::config::RecordApi;
use crate::error::ApiError;
use crate::framing::Api;
use crate::journal::{Recording, Reporter};
use crate::metrics::Outcome;
use crate::sim::fixture::{RecordedRule, TextMatch, When};
use crate::state::StreamGuard;
use crate::stream::{Observer as _, ShutdownWatch};

/// A request the gateway forwards, as the route read it.
pub struct Request {
    /// The body exactly as the client sent it.
    pub body: Bytes,
    /// Whether the client asked for a stream.
    pub stream: bool,
    /// The conditions the recording will match on.
    pub when: When,
    /// The request's journal entry, if the journal is on.
    pub journal: Option<Recording>,
    /// Its place among the open streams (admitted before anything is
    /// forwarded), and the server's shutdown, which ends it.
    pub admitted: (StreamGuard, ShutdownWatch),
}

/// Request headers not passed on: hop-by-hop ones, what the client library
/// recomputes, compression (events must pass through as sent), trickle's own.
fn passed_on(name: &HeaderName) -> bool {
    let name = name.as_str();
    !matches!(
        name,
        "host"
            | "content-length"
            | "connection"
            | "keep-alive"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "accept-encoding"
            | "proxy-authorization"
            | "proxy-connection"
            | "cookie"
    ) && !name.starts_with("x-trickle-")
}

/// Response headers not passed back: hop-by-hop ones and what the server
/// here sets itself.
fn passed_back(name: &str) -> bool {
    !matches!(
        name,
        "content-length"
            | "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "date"
            | "server"
            | "set-cookie"
            | "alt-svc"
    )
}

/// Forwards `request` to the gateway's upstream and answers with what it
/// sends; `api` shapes trickle's own errors (upstream unreachable, cut).
pub async fn forward(
    req: &HttpRequest,
    gateway: Arc<Gateway>,
    request: Request,
    api: Api,
) -> Result<HttpResponse, ApiError> {
    let mut url = gateway.upstream.join(req.path());
    if !req.query_string().is_empty() {
        url = format!("{url}?{}", req.query_string());
    }
    let mut headers = reqwest::header::HeaderMap::new();
    // actix-web and reqwest use different versions of the `http` types.
    for (name, value) in req.headers().iter().filter(|(name, _)| passed_on(name)) {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(name.as_str().as_bytes()),
            reqwest::header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    let upstream_error = |why: String| ApiError::Upstream {
        upstream: gateway.upstream.to_string(),
        why,
    };
    // A reply that is not streamed, or an error, ends here: the guard is
    // told how, so it is not logged as a client that left.
    let (mut guard, shutdown) = request.admitted;
    let mut refused = |error: ApiError| {
        guard.finish(Outcome::Error);
        error
    };
    let started = Instant::now();
    let sent = gateway
        .client
        .post(&url)
        .headers(headers)
        .body(request.body.clone())
        .send();
    let response = match tokio::time::timeout(gateway.connect_timeout, sent).await {
        Err(_) => {
            return Err(refused(upstream_error(format!(
                "no answer within {} s (record.connect_timeout_s)",
                gateway.connect_timeout.as_secs()
            ))));
        }
        Ok(Err(e)) => {
            return Err(refused(upstream_error(format!(
                "cannot reach {url}: {}; check record.upstream",
                chain(&e)
            ))));
        }
        Ok(Ok(response)) => response,
    };
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut answer = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if passed_back(name.as_str())
            && let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_str().as_bytes()),
                HeaderValue::from_bytes(value.as_bytes()),
            )
        {
            answer.append_header((name, value));
        }
    }
    if let Some(entry) = &request.journal {
        entry.forwarded();
    }
    // An upstream error is the API's own error: passed back as it is, and
    // nothing is recorded.
    if !status.is_success() || !request.stream {
        let body = (response.bytes().await).map_err(|e| {
            refused(upstream_error(format!(
                "the answer broke off: {}",
                chain(&e)
            )))
        })?;
        guard.finish(if status.is_success() {
            Outcome::Completed
        } else {
            Outcome::Error
        });
        if status.is_success() {
            let mut capture = Capture::new(gateway.api, started);
            let read =
                serde_json::from_slice(&body).is_ok_and(|v| capture.whole(&v, Instant::now()));
            if read {
                record(&gateway, request.when, capture);
            }
        }
        return Ok(answer.body(body));
    }
    let proxy = Proxy {
        guard,
        shutdown,
        upstream: Box::pin(response.bytes_stream()),
        splitter: Splitter::default(),
        capture: Some(Capture::new(gateway.api, started)),
        when: Some(request.when),
        // The stream reports its end without keeping the entry alive.
        journal: request.journal.as_ref().map(Recording::streaming),
        gateway,
        api,
        events: 0,
        ended: false,
    };
    Ok(answer.streaming(proxy))
}

/// An error and its causes, one after the other.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

type Upstream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>>>>;

/// The upstream's events on their way to the client. See the module docs.
struct Proxy {
    /// Counts the stream among the open ones until it is dropped.
    guard: StreamGuard,
    shutdown: ShutdownWatch,
    upstream: Upstream,
    splitter: Splitter,
    capture: Option<Capture>,
    when: Option<When>,
    journal: Option<Reporter>,
    gateway: Arc<Gateway>,
    api: Api,
    /// Events passed back, for the journal.
    events: u32,
    ended: bool,
}

impl Proxy {
    /// The stream ended (or the server is shutting it down): a clean end
    /// was recorded already; anything else gets the API's error event,
    /// unless the upstream sent one itself.
    fn end(&mut self, shutting_down: bool) -> Option<Bytes> {
        self.ended = true;
        let state = self.capture.as_ref().map_or(State::Done, Capture::state);
        let outcome = match state {
            State::Done => Outcome::Completed,
            _ if shutting_down => Outcome::Shutdown,
            _ => Outcome::Error,
        };
        if let Some(entry) = &self.journal {
            entry.ended(outcome, self.events);
        }
        self.guard.finish(outcome);
        if state != State::Open {
            return None;
        }
        let error = if shutting_down {
            ApiError::ShuttingDown
        } else {
            tracing::warn!(
                upstream = %self.gateway.upstream,
                events = self.events,
                "upstream stream ended before its end marker; nothing recorded"
            );
            ApiError::Upstream {
                upstream: self.gateway.upstream.to_string(),
                why: "the stream ended before the API's end marker; nothing was recorded; retry the request".to_owned(),
            }
        };
        let body = self.api.error_body(&error);
        let event = match self.gateway.api {
            RecordApi::OpenAi => format!("data: {body}\n\n"),
            RecordApi::Anthropic => format!("event: error\ndata: {body}\n\n"),
        };
        Some(Bytes::from(event))
    }
}

impl Stream for Proxy {
    type Item = Result<Bytes, actix_web::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.ended {
                return Poll::Ready(None);
            }
            if this.shutdown.is_shutting_down(cx) {
                return Poll::Ready(this.end(true).map(Ok));
            }
            let chunk = match this.upstream.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => chunk,
                Poll::Ready(Some(Err(_)) | None) => return Poll::Ready(this.end(false).map(Ok)),
            };
            let (whole, events) = this.splitter.push(&chunk);
            let now = Instant::now();
            this.events =
                (this.events).saturating_add(u32::try_from(events.len()).unwrap_or(u32::MAX));
            if let Some(capture) = &mut this.capture {
                for event in &events {
                    capture.event(event, now);
                }
                if capture.state() == State::Done
                    && let (Some(capture), Some(when)) = (this.capture.take(), this.when.take())
                {
                    record(&this.gateway, when, capture);
                }
            }
            if !whole.is_empty() {
                return Poll::Ready(Some(Ok(whole)));
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if !self.ended
            && let Some(entry) = &self.journal
        {
            entry.ended(Outcome::ClientGone, self.events);
        }
    }
}

/// Appends the captured reply to the recordings file as a fixture.
fn record(gateway: &Gateway, when: When, capture: Capture) {
    let Some(answer) = capture.answer() else {
        tracing::warn!(upstream = %gateway.upstream, "the upstream's reply said nothing; nothing recorded");
        return;
    };
    let user = match &when.user {
        Some(TextMatch::Exact(text)) => text.chars().take(40).collect::<String>(),
        _ => String::new(),
    };
    let time = humantime::format_rfc3339_seconds(SystemTime::now());
    let model = when.model.as_deref().unwrap_or("");
    let rule = RecordedRule {
        name: format!("recorded {time} {model}: {user}"),
        when,
        answer,
    };
    match writer::append(&gateway.file, &rule) {
        Ok(()) => tracing::info!(file = %gateway.file.display(), fixture = %rule.name, "recorded"),
        Err(e) => tracing::error!(
            file = %gateway.file.display(),
            "cannot write the recording: {e}; check record.file"
        ),
    }
}
