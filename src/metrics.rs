//! Prometheus metrics, one registry per server. Recording is lock-free
//! (atomic counters and histogram buckets), so the per-token cost is a few
//! atomic adds.

use prometheus::{
    Encoder as _, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

/// How a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Its final event (`done`, `end`) was sent.
    Completed,
    /// The client went away first.
    ClientGone,
    /// It ended with a `stream_error`.
    Error,
    /// The server ended it while shutting down.
    Shutdown,
}

impl Outcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::ClientGone => "client_gone",
            Outcome::Error => "error",
            Outcome::Shutdown => "shutdown",
        }
    }
}

/// Every metric trickle exports.
pub struct Metrics {
    registry: Registry,
    /// `trickle_open_streams{route}`, refreshed at scrape time.
    pub open_streams: IntGaugeVec,
    /// `trickle_streams_total{route,outcome}`
    pub streams: IntCounterVec,
    /// `trickle_tokens_sent_total`
    pub tokens: IntCounter,
    /// `trickle_ttft_seconds`
    pub ttft: Histogram,
    /// `trickle_event_lateness_seconds`
    pub lateness: Histogram,
    /// `trickle_responses_total{status}`
    pub responses: IntCounterVec,
    /// `trickle_faults_total{kind}`
    pub faults: IntCounterVec,
    /// `trickle_model_active_streams{model}`, refreshed at scrape time.
    pub model_active: IntGaugeVec,
    /// `trickle_model_queued_streams{model}`, refreshed at scrape time.
    pub model_queued: IntGaugeVec,
    /// `trickle_model_queue_wait_seconds{model}`
    pub queue_wait: HistogramVec,
    /// `trickle_model_ttft_seconds{model}`
    pub model_ttft: HistogramVec,
    /// `trickle_model_overloaded_total{model}`
    pub overloaded: IntCounterVec,
}

/// Bucket bounds in seconds, from sub-millisecond lateness to slow models' TTFT.
const TTFT_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0];
/// Queue waits, from a slot freed at once to a queue minutes long.
const WAIT_BUCKETS: &[f64] = &[
    0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0,
];
const LATENESS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.5, 1.0,
];

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let open_streams = IntGaugeVec::new(
            Opts::new("trickle_open_streams", "Streams open now, by route"),
            &["route"],
        )
        .expect("static metric definition is valid");
        let streams = IntCounterVec::new(
            Opts::new(
                "trickle_streams_total",
                "Streams finished, by route and outcome",
            ),
            &["route", "outcome"],
        )
        .expect("static metric definition is valid");
        let tokens = IntCounter::new("trickle_tokens_sent_total", "Tokens sent on every route")
            .expect("static metric definition is valid");
        let ttft = Histogram::with_opts(
            HistogramOpts::new("trickle_ttft_seconds", "Time from request to first token")
                .buckets(TTFT_BUCKETS.to_vec()),
        )
        .expect("static metric definition is valid");
        let lateness = Histogram::with_opts(
            HistogramOpts::new(
                "trickle_event_lateness_seconds",
                "How long after its scheduled time each event was sent",
            )
            .buckets(LATENESS_BUCKETS.to_vec()),
        )
        .expect("static metric definition is valid");
        let responses = IntCounterVec::new(
            Opts::new("trickle_responses_total", "HTTP responses, by status"),
            &["status"],
        )
        .expect("static metric definition is valid");
        let faults = IntCounterVec::new(
            Opts::new("trickle_faults_total", "Injected faults, by kind"),
            &["kind"],
        )
        .expect("static metric definition is valid");
        let per_model = PerModel::new();
        for metric in [
            Box::new(faults.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(per_model.active.clone()),
            Box::new(per_model.queued.clone()),
            Box::new(per_model.queue_wait.clone()),
            Box::new(per_model.ttft.clone()),
            Box::new(per_model.overloaded.clone()),
            Box::new(open_streams.clone()),
            Box::new(streams.clone()),
            Box::new(tokens.clone()),
            Box::new(ttft.clone()),
            Box::new(lateness.clone()),
            Box::new(responses.clone()),
        ] {
            registry
                .register(metric)
                .expect("each metric is registered once");
        }
        Metrics {
            registry,
            open_streams,
            streams,
            tokens,
            ttft,
            lateness,
            responses,
            faults,
            model_active: per_model.active,
            model_queued: per_model.queued,
            queue_wait: per_model.queue_wait,
            model_ttft: per_model.ttft,
            overloaded: per_model.overloaded,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metric families.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The metrics labelled by model.
struct PerModel {
    active: IntGaugeVec,
    queued: IntGaugeVec,
    queue_wait: HistogramVec,
    ttft: HistogramVec,
    overloaded: IntCounterVec,
}

impl PerModel {
    fn new() -> Self {
        let gauge = |name, help| {
            IntGaugeVec::new(Opts::new(name, help), &["model"])
                .expect("static metric definition is valid")
        };
        let histogram = |name, help, buckets: &[f64]| {
            HistogramVec::new(
                HistogramOpts::new(name, help).buckets(buckets.to_vec()),
                &["model"],
            )
            .expect("static metric definition is valid")
        };
        PerModel {
            active: gauge(
                "trickle_model_active_streams",
                "Streams a model is generating now (holding a slot)",
            ),
            queued: gauge(
                "trickle_model_queued_streams",
                "Streams waiting for one of a model's slots now",
            ),
            queue_wait: histogram(
                "trickle_model_queue_wait_seconds",
                "Time a stream waited for a slot, on models with slots",
                WAIT_BUCKETS,
            ),
            ttft: histogram(
                "trickle_model_ttft_seconds",
                "Time from request to first token, by model (queue wait included)",
                TTFT_BUCKETS,
            ),
            overloaded: IntCounterVec::new(
                Opts::new(
                    "trickle_model_overloaded_total",
                    "Requests refused because a model's slots and queue were full",
                ),
                &["model"],
            )
            .expect("static metric definition is valid"),
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
