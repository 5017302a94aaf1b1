//! Settings: the types that `config/default.toml` deserialises into, how the
//! layers are merged ([`load`]) and the range checks that reject a bad value
//! with one line naming the key (`validate`). Unknown keys are caught per
//! layer (`schema`), and every error names the file as the user gave it or
//! the environment variable (`source`).

mod latency;
mod load;
mod patch;
mod schema;
mod source;
mod validate;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use load::{LOCAL_DEFAULTS, Overrides, built_in, load, load_with_env};
pub use patch::{PACING_KEYS, PatchError};
pub use validate::InvalidSetting;

use crate::sim::shape::Effort;
use crate::sim::{Distribution, LatencyModel, Unit};

/// Every setting trickle has, after layering and validation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Listening address and shutdown behaviour.
    pub server: ServerSettings,
    /// Event-stream framing: retry hint and heartbeat.
    pub sse: SseSettings,
    /// Pacing defaults shared by every model profile.
    pub stream: StreamSettings,
    /// The clock demo.
    pub clock: ClockSettings,
    /// Request and capacity limits.
    pub limits: Limits,
    /// Model profiles and the default one.
    pub models: ModelSettings,
    /// Where canned replies come from.
    pub responses: ResponsesSettings,
    /// Rules that decide replies, for tests.
    pub fixtures: FixturesSettings,
    /// The request journal, for tests.
    pub journal: JournalSettings,
    /// Forwarding to a real provider and recording its replies as fixtures.
    pub record: RecordSettings,
    /// Injected faults.
    pub faults: FaultSettings,
    /// The web page.
    pub page: PageSettings,
    /// Log level and format.
    pub log: LogSettings,
    /// Optional API keys.
    pub auth: AuthSettings,
    /// Cross-origin access.
    pub cors: CorsSettings,
}

/// `[auth]`
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Accepted keys; empty means no authentication.
    pub api_keys: Vec<String>,
    /// Whether `/metrics` needs a key too.
    pub protect_metrics: bool,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys never reach a log line.
        f.debug_struct("AuthSettings")
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .field("protect_metrics", &self.protect_metrics)
            .finish()
    }
}

/// `[cors]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSettings {
    /// Origins allowed to call trickle from a browser, e.g.
    /// `http://localhost:5173`; `*` allows any; empty allows none but the
    /// page's own.
    pub allowed_origins: Vec<String>,
}

/// `[faults]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSettings {
    /// Whether requests may ask for a fault with `X-Trickle-Fault`.
    pub allow_header: bool,
}

/// `[page]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageSettings {
    /// Folder to serve the page from instead of the built-in copy; empty
    /// for the built-in one.
    pub dir: String,
}

/// `[log]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// A `tracing` filter such as `info` or `trickle=debug,actix_server=warn`.
    pub level: String,
    /// Text for people, JSON lines for log collectors.
    pub format: LogFormat,
    /// Whether text lines are coloured.
    pub color: LogColor,
}

/// When text log lines carry ANSI colour codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogColor {
    /// Only when stderr is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always, also into a file or a pipe (and despite `NO_COLOR`).
    Always,
    /// Never.
    Never,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind.
    pub host: String,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// How long open streams may run after SIGINT/SIGTERM.
    pub shutdown_grace_s: u64,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// How long a client may take to send its request headers.
    pub header_timeout_ms: u64,
    /// Let several processes listen on the same port (`SO_REUSEPORT`).
    pub reuse_port: bool,
}

impl ServerSettings {
    /// Worker threads in force: `workers`, or one per core when it is 0.
    pub fn worker_count(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// `[sse]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SseSettings {
    /// Reconnect delay announced with `retry:`.
    pub retry_ms: u64,
    /// Per-connection random increase of the retry, as a fraction.
    pub retry_jitter: f64,
    /// Silence after which a `:` heartbeat comment is written.
    pub keep_alive_s: u64,
}

/// `[stream]`: pacing defaults.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSettings {
    /// Time to first token.
    pub ttft_ms: u64,
    /// Time between tokens.
    pub token_delay_ms: u64,
    /// Gap variation as a fraction of the delay.
    pub jitter: f64,
    /// How replies are cut.
    #[serde(deserialize_with = "unit")]
    pub unit: Unit,
}

/// `[clock]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSettings {
    /// Time between ticks.
    pub interval_ms: u64,
    /// Number of ticks.
    pub count: u32,
}

/// `[limits]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Longest prompt in characters, after trimming.
    pub max_prompt_chars: usize,
    /// Largest per-request `token_delay_ms`.
    pub max_token_delay_ms: u64,
    /// Smallest per-request clock interval.
    pub min_clock_interval_ms: u64,
    /// Largest per-request clock interval.
    pub max_clock_interval_ms: u64,
    /// Largest per-request clock count.
    pub max_clock_count: u32,
    /// Open streams on the whole server.
    pub max_streams: usize,
    /// Open streams per client address; 0 means no cap.
    pub max_streams_per_client: usize,
    /// Proxies whose `X-Forwarded-For` names the client, as IPs or CIDRs.
    #[serde(deserialize_with = "ip_or_net")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long a client may take to send its whole request body.
    pub body_timeout_ms: u64,
}

/// Reads `10.0.0.0/8` as a network and a bare `127.0.0.1` as that one host.
fn ip_or_net<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|text| {
            text.parse::<ipnet::IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "{text:?} is not an IP address or CIDR network (e.g. 127.0.0.1 or 10.0.0.0/8)"
                    ))
                })
        })
        .collect()
}

/// `[models]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    /// Profile used when a request names none.
    pub default: String,
    /// Profiles by name.
    pub profiles: BTreeMap<String, ProfileSettings>,
}

/// One model profile as written in the file; unset pacing comes from `[stream]`.
/// Keys that do not apply to the profile's `kind` are refused by validation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSettings {
    /// What the model does; chat when unset.
    #[serde(default)]
    pub kind: ModelKind,
    /// Where the reply text comes from; canned when unset.
    pub responder: Option<ResponderKind>,
    /// Shown by `GET /v1/models` and the page.
    #[serde(default)]
    pub description: String,
    /// How replies are cut.
    #[serde(default, deserialize_with = "optional_unit")]
    pub unit: Option<Unit>,
    /// Time to first token.
    pub ttft_ms: Option<u64>,
    /// Time between tokens.
    pub token_delay_ms: Option<u64>,
    /// Gap variation as a fraction of the delay.
    pub jitter: Option<f64>,
    /// How the TTFT base spreads around `ttft_ms`; fixed when unset.
    #[serde(default, deserialize_with = "latency::distribution")]
    pub ttft_distribution: Option<Distribution>,
    /// The TTFT base's standard deviation.
    pub ttft_sd_ms: Option<u64>,
    /// How gaps spread around `token_delay_ms`; uniform (by `jitter`) when
    /// unset.
    #[serde(default, deserialize_with = "latency::distribution")]
    pub token_delay_distribution: Option<Distribution>,
    /// The gaps' standard deviation, for normal and lognormal gaps.
    pub token_delay_sd_ms: Option<u64>,
    /// The chance that a token stalls.
    pub stall_probability: Option<f64>,
    /// A stall's mean length.
    pub stall_ms: Option<u64>,
    /// How stalls spread around `stall_ms`; fixed when unset.
    #[serde(default, deserialize_with = "latency::distribution")]
    pub stall_distribution: Option<Distribution>,
    /// The stalls' standard deviation.
    pub stall_sd_ms: Option<u64>,
    /// TTFT added per 1,000 prompt tokens.
    pub prefill_ms_per_1k_tokens: Option<u64>,
    /// Streams the model generates at once; no limit when unset.
    pub slots: Option<u32>,
    /// Streams that may wait for a slot.
    pub queue: Option<u32>,
    /// The delay at full slots is multiplied by 1 + this, linear in between.
    pub itl_load_factor: Option<f64>,
    /// Length of a generated reply in words.
    pub words: Option<u32>,
    /// A fault some of this profile's requests get.
    pub fault: Option<crate::sim::Fault>,
    /// The share of requests (by seed) that get `fault`; default 1.
    pub fault_rate: Option<f64>,
    /// Reasoning for requests that do not say whether to reason.
    #[serde(default, deserialize_with = "effort")]
    pub reasoning_effort: Option<Effort>,
    /// An embedding model's vector length, and the most a request's
    /// `dimensions` may ask for.
    pub dimensions: Option<u32>,
}

/// What a model profile does. Every route takes models of one kind, and the
/// model lookup refuses the other ([`crate::state::Runtime::profile_for`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Replies: `/chat`, chat completions, messages.
    #[default]
    Chat,
    /// Vectors: `/v1/embeddings`.
    Embedding,
}

impl<'de> Deserialize<'de> for ModelKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        one_of(
            d,
            &[
                ("chat", ModelKind::Chat),
                ("embedding", ModelKind::Embedding),
            ],
        )
    }
}

/// A profile's `reasoning_effort`: OpenAI's efforts but `none`, which is
/// what leaving it unset means.
fn effort<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Effort>, D::Error> {
    let efforts = [
        ("minimal", Effort::Minimal),
        ("low", Effort::Low),
        ("medium", Effort::Medium),
        ("high", Effort::High),
    ];
    one_of(d, &efforts).map(Some)
}

/// Names the enums of the settings read, for [`one_of`].
macro_rules! named {
    ($($kind:ident { $($name:literal => $value:ident),+ $(,)? })+) => {$(
        impl<'de> Deserialize<'de> for $kind {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                one_of(d, &[$(($name, $kind::$value)),+])
            }
        }
    )+};
}

named! {
    LogColor { "auto" => Auto, "always" => Always, "never" => Never }
    LogFormat { "text" => Text, "json" => Json }
    ResponderKind { "canned" => Canned, "echo" => Echo, "generated" => Generated }
    ReplayPacing { "recorded" => Recorded, "profile" => Profile }
    RecordApi { "openai" => OpenAi, "anthropic" => Anthropic }
}

const UNITS: [(&str, Unit); 3] = [
    ("char", Unit::Char),
    ("word", Unit::Word),
    ("token", Unit::Token),
];

fn unit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Unit, D::Error> {
    one_of(d, &UNITS)
}

fn optional_unit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Unit>, D::Error> {
    one_of(d, &UNITS).map(Some)
}

/// Reads one of `names`, or fails naming the value and every name allowed
/// (the config crate's own error for an enum names neither).
fn one_of<'de, D: serde::Deserializer<'de>, T: Copy>(
    d: D,
    names: &[(&str, T)],
) -> Result<T, D::Error> {
    let text = String::deserialize(d)?;
    let found = names.iter().find(|(name, _)| *name == text);
    found.map(|&(_, value)| value).ok_or_else(|| {
        let allowed: Vec<&str> = names.iter().map(|&(name, _)| name).collect();
        serde::de::Error::custom(format!(
            "{text:?} is not allowed (allowed: {})",
            allowed.join(", ")
        ))
    })
}

/// Which responder writes a profile's replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponderKind {
    /// Rules and defaults from the responses file.
    Canned,
    /// The prompt itself.
    Echo,
    /// Seeded prose of `words` words.
    Generated,
}

/// `[responses]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsesSettings {
    /// Path of a responses file; empty for the built-in one.
    pub file: String,
}

/// `[fixtures]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixturesSettings {
    /// Path of a fixtures file; empty for none.
    pub file: String,
    /// When no fixture matches: refuse the request (404) instead of letting
    /// the model profile answer.
    pub strict: bool,
    /// How a recorded reply is paced: as the upstream sent it, or by the
    /// model profile.
    pub replay: ReplayPacing,
}

/// How a fixture recorded from an upstream is paced when it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplayPacing {
    /// The upstream's chunks, with its time to first chunk and gaps.
    Recorded,
    /// Cut by the unit and paced by the model profile, like any fixture.
    Profile,
}

/// `[record]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSettings {
    /// Base URL of a real provider to forward unmatched requests to; empty
    /// for none.
    pub upstream: String,
    /// Which API family is forwarded: `openai` (chat completions) or
    /// `anthropic` (messages).
    pub api: RecordApi,
    /// The fixtures file recordings are appended to.
    pub file: String,
    /// Longest wait for the upstream's answer to start.
    pub connect_timeout_s: u64,
}

impl RecordSettings {
    /// Whether recordings are being appended to `file`.
    pub fn records_into(&self, file: &str) -> bool {
        !self.upstream.is_empty() && std::path::Path::new(&self.file) == std::path::Path::new(file)
    }
}

/// The API family `[record]` forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordApi {
    /// `POST /v1/chat/completions`
    OpenAi,
    /// `POST /v1/messages`
    Anthropic,
}

/// `[journal]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JournalSettings {
    /// Requests kept in the journal, the oldest dropped first; 0 keeps none.
    pub size: usize,
}

/// A profile with every pacing value resolved against `[stream]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The profile's name, as clients send it in `model`.
    pub name: String,
    /// What the model does.
    pub kind: ModelKind,
    /// Where the reply text comes from.
    pub responder: ResponderKind,
    /// Human description.
    pub description: String,
    /// Default unit for requests that send none.
    pub unit: Unit,
    /// Time to first token.
    pub ttft: Duration,
    /// Time between tokens.
    pub token_delay: Duration,
    /// Gap variation as a fraction of the delay.
    pub jitter: f64,
    /// Distributions, prefill, stalls and load slowdown.
    pub latency: LatencyModel,
    /// Streams the model generates at once; `None`: no limit.
    pub slots: Option<u32>,
    /// Streams that may wait for a slot when all are taken.
    pub queue: u32,
    /// Length of a generated reply in words.
    pub words: u32,
    /// A fault some requests get, and the share (by seed) that do.
    pub fault: Option<(crate::sim::Fault, f64)>,
    /// Reasoning for requests that do not say whether to reason.
    pub reasoning_effort: Option<Effort>,
    /// An embedding's length when the request does not ask for fewer.
    pub dimensions: u32,
}

/// Words in a generated reply when a profile does not say.
const DEFAULT_GENERATED_WORDS: u32 = 120;

/// An embedding's length when a profile does not say: that of OpenAI's
/// `text-embedding-3-small`.
const DEFAULT_DIMENSIONS: u32 = 1536;

impl Settings {
    /// The named profile with `[stream]` defaults filled in.
    pub fn profile(&self, name: &str) -> Option<Profile> {
        let p = self.models.profiles.get(name)?;
        let s = &self.stream;
        Some(Profile {
            name: name.to_owned(),
            kind: p.kind,
            responder: p.responder.unwrap_or(ResponderKind::Canned),
            description: p.description.clone(),
            unit: p.unit.unwrap_or(s.unit),
            ttft: Duration::from_millis(p.ttft_ms.unwrap_or(s.ttft_ms)),
            token_delay: Duration::from_millis(p.token_delay_ms.unwrap_or(s.token_delay_ms)),
            jitter: p.jitter.unwrap_or(s.jitter),
            latency: latency::model(p),
            slots: p.slots,
            queue: p.queue.unwrap_or(0),
            words: p.words.unwrap_or(DEFAULT_GENERATED_WORDS),
            fault: p.fault.map(|f| (f, p.fault_rate.unwrap_or(1.0))),
            reasoning_effort: p.reasoning_effort,
            dimensions: p.dimensions.unwrap_or(DEFAULT_DIMENSIONS),
        })
    }

    /// `host:port` to bind.
    pub fn address(&self) -> String {
        format!("{}:{}", self.server.host, self.server.port)
    }
}
