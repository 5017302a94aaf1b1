//! Range checks. Each failure is one line naming the key, the bad value and
//! what is allowed, e.g. `invalid config: stream.jitter = 1.5 (allowed: 0 to 1)`.

use std::fmt;

use super::{ModelKind, ProfileSettings, Settings};

/// The longest embedding a profile may make: over twice OpenAI's largest
/// (3072), and a bound on the reply to a request of 2048 inputs.
const MAX_DIMENSIONS: u32 = 8192;

/// The most requests the journal may keep. Each holds up to
/// `limits.max_body_bytes` of messages, so a typo must not ask for unbounded
/// memory; no test reads back more than this.
const MAX_JOURNAL: usize = 100_000;

/// Profile keys of either kind; of the others, these are an embedding
/// profile's and the rest a chat profile's.
const SHARED_KEYS: [&str; 2] = ["kind", "description"];
const EMBEDDING_KEYS: [&str; 1] = ["dimensions"];

/// A setting outside its allowed range.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidSetting {
    /// Dotted key, e.g. `stream.jitter`.
    pub key: String,
    /// The value found.
    pub value: String,
    /// What would be accepted.
    pub allowed: String,
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid config: {} = {} (allowed: {})",
            self.key, self.value, self.allowed
        )
    }
}

impl std::error::Error for InvalidSetting {}

pub(super) fn range<T: PartialOrd + fmt::Display>(
    key: &str,
    value: T,
    min: T,
    max: T,
) -> Result<(), InvalidSetting> {
    if value >= min && value <= max {
        return Ok(());
    }
    Err(InvalidSetting {
        key: key.to_owned(),
        value: value.to_string(),
        allowed: format!("{min} to {max}"),
    })
}

pub(super) fn fraction(key: &str, value: f64) -> Result<(), InvalidSetting> {
    if (0.0..=1.0).contains(&value) {
        return Ok(());
    }
    Err(InvalidSetting {
        key: key.to_owned(),
        value: value.to_string(),
        allowed: "0 to 1".to_owned(),
    })
}

impl Settings {
    /// Checks every value against its allowed range.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        range(
            "server.shutdown_grace_s",
            self.server.shutdown_grace_s,
            0,
            3600,
        )?;
        range("server.workers", self.server.workers, 0, 1024)?;
        range(
            "server.header_timeout_ms",
            self.server.header_timeout_ms,
            100,
            600_000,
        )?;
        range("sse.retry_ms", self.sse.retry_ms, 0, 600_000)?;
        fraction("sse.retry_jitter", self.sse.retry_jitter)?;
        range("sse.keep_alive_s", self.sse.keep_alive_s, 1, 3600)?;
        range("stream.ttft_ms", self.stream.ttft_ms, 0, 600_000)?;
        range(
            "stream.token_delay_ms",
            self.stream.token_delay_ms,
            0,
            60_000,
        )?;
        fraction("stream.jitter", self.stream.jitter)?;
        let l = &self.limits;
        range("limits.max_body_bytes", l.max_body_bytes, 1, 16 << 20)?;
        range("limits.max_prompt_chars", l.max_prompt_chars, 1, 1_000_000)?;
        range(
            "limits.max_token_delay_ms",
            l.max_token_delay_ms,
            0,
            600_000,
        )?;
        range(
            "limits.min_clock_interval_ms",
            l.min_clock_interval_ms,
            1,
            3_600_000,
        )?;
        range(
            "limits.max_clock_interval_ms",
            l.max_clock_interval_ms,
            l.min_clock_interval_ms,
            3_600_000,
        )?;
        range("limits.max_clock_count", l.max_clock_count, 1, 1_000_000)?;
        range("limits.max_streams", l.max_streams, 0, 1_000_000)?;
        range("limits.body_timeout_ms", l.body_timeout_ms, 100, 600_000)?;
        range(
            "limits.max_streams_per_client",
            l.max_streams_per_client,
            0,
            1_000_000,
        )?;
        range(
            "clock.interval_ms",
            self.clock.interval_ms,
            l.min_clock_interval_ms,
            l.max_clock_interval_ms,
        )?;
        range("clock.count", self.clock.count, 1, l.max_clock_count)?;
        range("journal.size", self.journal.size, 0, MAX_JOURNAL)?;
        range(
            "record.connect_timeout_s",
            self.record.connect_timeout_s,
            1,
            600,
        )?;
        let upstream = &self.record.upstream;
        if !upstream.is_empty() && crate::record::Upstream::parse(upstream).is_err() {
            return Err(InvalidSetting {
                key: "record.upstream".to_owned(),
                value: format!("{upstream:?}"),
                allowed: "empty, or an http or https base URL such as \"https://api.openai.com\""
                    .to_owned(),
            });
        }
        if !upstream.is_empty() && self.record.file.trim().is_empty() {
            return Err(InvalidSetting {
                key: "record.file".to_owned(),
                value: "\"\"".to_owned(),
                allowed: "a file to append recordings to, such as \"recordings.toml\"".to_owned(),
            });
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return Err(InvalidSetting {
                key: "log.level".to_owned(),
                value: format!("{:?}", self.log.level),
                allowed: format!(
                    "a level (error, warn, info, debug, trace) or a filter like trickle=debug: {e}"
                ),
            });
        }
        if self
            .auth
            .api_keys
            .iter()
            .any(|k| k.trim().is_empty() || k.trim() != k)
        {
            return Err(InvalidSetting {
                key: "auth.api_keys".to_owned(),
                value: "(a key, not shown)".to_owned(),
                allowed: "non-empty keys without surrounding whitespace".to_owned(),
            });
        }
        for origin in &self.cors.allowed_origins {
            let ok =
                origin == "*" || origin.starts_with("http://") || origin.starts_with("https://");
            if !ok || origin.ends_with('/') {
                return Err(InvalidSetting {
                    key: "cors.allowed_origins".to_owned(),
                    value: format!("{origin:?}"),
                    allowed: "\"*\" or origins like \"http://localhost:5173\" (scheme, host, optional port, no path)".to_owned(),
                });
            }
        }
        if !self.page.dir.is_empty()
            && !std::path::Path::new(&self.page.dir)
                .join("index.html")
                .is_file()
        {
            return Err(InvalidSetting {
                key: "page.dir".to_owned(),
                value: format!("{:?}", self.page.dir),
                allowed:
                    "empty, or a folder holding index.html, app.js and style.css (such as web)"
                        .to_owned(),
            });
        }
        self.validate_models()
    }

    fn validate_models(&self) -> Result<(), InvalidSetting> {
        let chat = |p: &&ProfileSettings| p.kind == ModelKind::Chat;
        if self
            .models
            .profiles
            .get(&self.models.default)
            .filter(chat)
            .is_none()
        {
            let names: Vec<&str> = (self.models.profiles.iter())
                .filter(|(_, p)| chat(p))
                .map(|(name, _)| name.as_str())
                .collect();
            return Err(InvalidSetting {
                key: "models.default".to_owned(),
                value: format!("{:?}", self.models.default),
                allowed: format!("one of the chat profiles: {}", names.join(", ")),
            });
        }
        for (name, p) in &self.models.profiles {
            let key = |field: &str| format!("models.profiles.{name}.{field}");
            kind_keys(name, p)?;
            if let Some(v) = p.dimensions {
                range(&key("dimensions"), v, 1, MAX_DIMENSIONS)?;
            }
            if let Some(v) = p.ttft_ms {
                range(&key("ttft_ms"), v, 0, 600_000)?;
            }
            if let Some(v) = p.token_delay_ms {
                range(&key("token_delay_ms"), v, 0, 60_000)?;
            }
            if let Some(v) = p.jitter {
                fraction(&key("jitter"), v)?;
            }
            if let Some(v) = p.words {
                range(&key("words"), v, 1, 100_000)?;
            }
            if let Some(v) = p.fault_rate {
                fraction(&key("fault_rate"), v)?;
            }
            super::latency::check(name, p)?;
        }
        Ok(())
    }
}

/// A key that means nothing for the profile's kind is refused rather than
/// silently ignored: `ttft_ms` on an embedding model, `dimensions` on a chat
/// model.
fn kind_keys(name: &str, p: &ProfileSettings) -> Result<(), InvalidSetting> {
    // Written back as TOML, a profile holds exactly the keys that were set
    // (unset ones are `None` and left out). It was read from TOML, so it
    // can always be written back.
    let Ok(toml::Value::Table(set)) = toml::Value::try_from(p) else {
        return Ok(());
    };
    let embedding = p.kind == ModelKind::Embedding;
    let fits =
        |field: &str| SHARED_KEYS.contains(&field) || EMBEDDING_KEYS.contains(&field) == embedding;
    let misplaced = set.iter().find(|(field, _)| !fits(field));
    let Some((field, value)) = misplaced else {
        return Ok(());
    };
    Err(InvalidSetting {
        key: format!("models.profiles.{name}.{field}"),
        value: value.to_string(),
        allowed: if embedding {
            "unset: an embedding profile takes only kind, description and dimensions".to_owned()
        } else {
            format!("unset: {field} is for profiles with kind = \"embedding\"")
        },
    })
}
