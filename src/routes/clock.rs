//! `GET /clock`: the classic event-stream demo. The time every `interval_ms`,
//! `count` times on an absolute schedule, then an `end` event.

use std::time::{Duration, SystemTime};

use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use actix_web_lab::sse;
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::json;

use super::{body, last_event_id, peer_ip};
use crate::error::ApiError;
use crate::framing::{native, sse as event_stream};
use crate::state::{AppState, RouteLabel};
use crate::stream::{Paced, Sent, Tick, Timeline};

/// The route's label in metrics, logs and `/healthz`.
pub const ROUTE: RouteLabel = "clock";

const FIELDS: &str = "interval_ms, count";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockParams {
    interval_ms: Option<u64>,
    /// Wider than a tick number, so that any count too large is refused by
    /// the limit check below, which names the configured limit.
    count: Option<u64>,
}

/// `GET /clock?interval_ms=…&count=…`
pub async fn get(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let settings = &runtime.settings;
    let params: ClockParams = body::form(req.query_string().as_bytes(), FIELDS)?;
    let limits = &settings.limits;
    let interval = params.interval_ms.unwrap_or(settings.clock.interval_ms);
    let (min, max) = (limits.min_clock_interval_ms, limits.max_clock_interval_ms);
    if !(min..=max).contains(&interval) {
        return Err(ApiError::OutOfRange(format!(
            "interval_ms = {interval}: must be {min} to {max} (limits.min_clock_interval_ms, limits.max_clock_interval_ms)"
        )));
    }
    let count = params.count.unwrap_or(u64::from(settings.clock.count));
    let count = u32::try_from(count)
        .ok()
        .filter(|count| (1..=limits.max_clock_count).contains(count))
        .ok_or_else(|| {
            ApiError::OutOfRange(format!(
                "count = {count}: must be 1 to {} (limits.max_clock_count)",
                limits.max_clock_count
            ))
        })?;
    let last = match last_event_id(&req)? {
        None => 0,
        Some(id) => id.parse::<u32>().map_err(|_| {
            ApiError::InvalidLastEventId(format!(
                "{:?} is not a tick number",
                id.chars().take(40).collect::<String>()
            ))
        })?,
    };
    if last >= count {
        return Ok(HttpResponse::NoContent().finish());
    }
    let guard = state.open_stream(ROUTE, peer_ip(&req, &settings.limits.trusted_proxies))?;
    let timeline = ClockTimeline {
        next: last + 1,
        first: last + 1,
        count,
        interval: Duration::from_millis(interval),
        ended: false,
    };
    let keep_alive = Duration::from_secs(settings.sse.keep_alive_s);
    let events =
        Paced::new(timeline, keep_alive, state.shutdown_signal(), guard).map(|t| Ok(frame(t)));
    Ok(event_stream::respond(
        &req,
        events,
        Some(event_stream::retry_for_connection(&settings.sse)),
    ))
}

/// What the clock timeline yields.
#[derive(Debug)]
enum ClockEvent {
    Tick { number: u32, at: SystemTime },
    End { ticks: u32 },
    ShuttingDown { last: u32 },
}

/// Ticks `first..=count`, the first at once, then one per interval.
#[derive(Debug)]
struct ClockTimeline {
    next: u32,
    first: u32,
    count: u32,
    interval: Duration,
    ended: bool,
}

impl Timeline for ClockTimeline {
    type Item = ClockEvent;

    fn next_due(&self) -> Option<Duration> {
        if self.ended {
            return None;
        }
        let tick = self.next.min(self.count);
        Some(self.interval * (tick - self.first))
    }

    fn emit(&mut self, _elapsed: Duration) -> ClockEvent {
        if self.next <= self.count {
            self.next += 1;
            return ClockEvent::Tick {
                number: self.next - 1,
                at: SystemTime::now(),
            };
        }
        self.ended = true;
        ClockEvent::End { ticks: self.count }
    }

    fn kind(item: &ClockEvent) -> Sent {
        match item {
            ClockEvent::Tick { .. } => Sent::Tick,
            _ => Sent::Other,
        }
    }

    fn interrupt(&mut self, _elapsed: Duration) -> Option<ClockEvent> {
        if self.ended {
            return None;
        }
        self.ended = true;
        Some(ClockEvent::ShuttingDown {
            last: self.next - 1,
        })
    }
}

fn frame(tick: Tick<ClockEvent>) -> sse::Event {
    match tick {
        Tick::Heartbeat => event_stream::heartbeat(),
        Tick::Item(ClockEvent::Tick { number, at }) => {
            sse::Data::new(humantime::format_rfc3339_millis(at).to_string())
                .id(number.to_string())
                .into()
        }
        Tick::Item(ClockEvent::End { ticks }) => {
            native::json_event("end", ticks.to_string(), &json!({"ticks": ticks}))
        }
        Tick::Item(ClockEvent::ShuttingDown { last }) => native::stream_error(
            last.to_string(),
            "shutting_down",
            "the server is shutting down; reconnect with Last-Event-ID to continue",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_follow_an_absolute_schedule_from_the_first_one_sent() {
        let mut timeline = ClockTimeline {
            next: 3,
            first: 3,
            count: 5,
            interval: Duration::from_millis(2000),
            ended: false,
        };
        let mut due = Vec::new();
        while let Some(at) = timeline.next_due() {
            due.push(at.as_millis());
            // However late a tick is sent, the next one keeps its slot.
            timeline.emit(at + Duration::from_millis(700));
        }
        assert_eq!(due, [0, 2000, 4000, 4000], "ticks 3, 4, 5, then the end");
    }
}
