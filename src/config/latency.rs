//! A chat profile's latency keys: how they are read, resolved into a
//! [`LatencyModel`] and checked. A key that would be silently ignored (a
//! spread on a fixed distribution, a queue without slots) is refused, naming
//! the key, the value and what is allowed.

use std::time::Duration;

use super::validate::{fraction, range};
use super::{InvalidSetting, ProfileSettings, one_of};
use crate::sim::{Distribution, LatencyModel, LoadCurve, Spread, Stall};

/// The longest TTFT, stall or prefill per 1,000 tokens: ten minutes.
const MAX_MS: u64 = 600_000;
/// The most slots or queued streams a profile may have.
const MAX_STREAMS: u32 = 1_000_000;
/// The largest load factor: a delay 101 times longer at full slots.
const MAX_LOAD_FACTOR: f64 = 100.0;

/// Reads a distribution's name, or fails naming every one allowed.
pub(super) fn distribution<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Distribution>, D::Error> {
    one_of(d, &Distribution::NAMES).map(Some)
}

fn ms(value: Option<u64>) -> Duration {
    Duration::from_millis(value.unwrap_or(0))
}

/// The latency model a profile's keys describe.
pub(super) fn model(p: &ProfileSettings) -> LatencyModel {
    let stall = Stall {
        probability: p.stall_probability.unwrap_or(0.0),
        pause: Spread {
            distribution: p.stall_distribution.unwrap_or_default(),
            sd: ms(p.stall_sd_ms),
        }
        .around(ms(p.stall_ms)),
    };
    let load = (p.itl_load_factor.filter(|&f| f > 0.0))
        .zip(p.slots)
        .map(|(factor, slots)| LoadCurve { factor, slots });
    LatencyModel {
        ttft: Spread {
            distribution: p.ttft_distribution.unwrap_or_default(),
            sd: ms(p.ttft_sd_ms),
        },
        delay: Spread {
            distribution: p.token_delay_distribution.unwrap_or(Distribution::Uniform),
            sd: ms(p.token_delay_sd_ms),
        },
        stall,
        prefill_per_1k_tokens: ms(p.prefill_ms_per_1k_tokens),
        load,
    }
}

/// Checks profile `name`'s latency keys.
pub(super) fn check(name: &str, p: &ProfileSettings) -> Result<(), InvalidSetting> {
    let key = |field: &str| format!("models.profiles.{name}.{field}");
    let all_spread = [
        Distribution::Uniform,
        Distribution::Normal,
        Distribution::Lognormal,
    ];
    spread(
        &key("ttft_sd_ms"),
        p.ttft_sd_ms,
        ("ttft_distribution", p.ttft_distribution.unwrap_or_default()),
        &all_spread,
    )?;
    let delay = p.token_delay_distribution.unwrap_or(Distribution::Uniform);
    spread(
        &key("token_delay_sd_ms"),
        p.token_delay_sd_ms,
        ("token_delay_distribution", delay),
        &[Distribution::Normal, Distribution::Lognormal],
    )?;
    if let Some(v) = p.stall_probability {
        fraction(&key("stall_probability"), v)?;
    }
    if let Some(v) = p.stall_ms {
        range(&key("stall_ms"), v, 0, MAX_MS)?;
    }
    spread(
        &key("stall_sd_ms"),
        p.stall_sd_ms,
        (
            "stall_distribution",
            p.stall_distribution.unwrap_or_default(),
        ),
        &all_spread,
    )?;
    if let Some(v) = p.prefill_ms_per_1k_tokens {
        range(&key("prefill_ms_per_1k_tokens"), v, 0, MAX_MS)?;
    }
    slots_and_load(name, p)
}

/// `sd_key` must lie in range, and may be more than 0 only when its
/// distribution is one of `spreads`.
fn spread(
    sd_key: &str,
    sd: Option<u64>,
    (shape_key, shape): (&str, Distribution),
    spreads: &[Distribution],
) -> Result<(), InvalidSetting> {
    let Some(sd) = sd else { return Ok(()) };
    range(sd_key, sd, 0, MAX_MS)?;
    if sd == 0 || spreads.contains(&shape) {
        return Ok(());
    }
    let names: Vec<&str> = spreads.iter().map(|d| d.as_str()).collect();
    let uniform = if spreads.contains(&Distribution::Uniform) {
        ""
    } else {
        " (uniform gaps spread by jitter)"
    };
    Err(InvalidSetting {
        key: sd_key.to_owned(),
        value: sd.to_string(),
        allowed: format!(
            "0 or unset while {shape_key} is {}; set {shape_key} to {}{uniform}",
            shape.as_str(),
            names.join(" or ")
        ),
    })
}

fn slots_and_load(name: &str, p: &ProfileSettings) -> Result<(), InvalidSetting> {
    let key = |field: &str| format!("models.profiles.{name}.{field}");
    if let Some(v) = p.slots {
        range(&key("slots"), v, 1, MAX_STREAMS)?;
    }
    if let Some(v) = p.queue {
        range(&key("queue"), v, 0, MAX_STREAMS)?;
        if v > 0 && p.slots.is_none() {
            return Err(InvalidSetting {
                key: key("queue"),
                value: v.to_string(),
                allowed: "0 or unset unless slots is set: without slots no stream waits".to_owned(),
            });
        }
    }
    if let Some(v) = p.itl_load_factor {
        range(&key("itl_load_factor"), v, 0.0, MAX_LOAD_FACTOR)?;
        if v > 0.0 && p.slots.is_none_or(|slots| slots < 2) {
            return Err(InvalidSetting {
                key: key("itl_load_factor"),
                value: v.to_string(),
                allowed: "0 or unset unless slots is at least 2: the curve runs from one stream alone to full slots".to_owned(),
            });
        }
    }
    Ok(())
}
