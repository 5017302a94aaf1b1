//! Seeded draws from the distributions a latency model uses: fixed, uniform,
//! normal and lognormal, each given by its mean and standard deviation and
//! clamped at 0.
//!
//! A draw is a pure function of the seed, the variable it is for and an
//! index (counter-based, like the grid's jitter in `super::pacing`): the
//! same seed gives the same value whatever was drawn before, so token `i`'s
//! gap is the same on a fresh and on a resumed stream, and adding a new
//! random variable never shifts the old ones.

use std::time::Duration;

use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The shape of a distribution; its mean and spread are given beside it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    /// Always the mean.
    #[default]
    Fixed,
    /// Evenly spread over mean ± √3 × sd (an interval with that sd).
    Uniform,
    /// Gaussian with that mean and sd, values below 0 clamped to 0.
    Normal,
    /// The logarithm is Gaussian; parameters chosen so that the values have
    /// that mean and sd. Always positive, with a long right tail.
    Lognormal,
}

impl Distribution {
    /// Every distribution with its name in config files and JSON.
    pub const NAMES: [(&'static str, Distribution); 4] = [
        ("fixed", Distribution::Fixed),
        ("uniform", Distribution::Uniform),
        ("normal", Distribution::Normal),
        ("lognormal", Distribution::Lognormal),
    ];

    /// The name in config files and JSON.
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("fixed", |(name, _)| name)
    }
}

/// A distribution's shape and spread, without its mean (which often comes
/// from elsewhere: a request may set its own `token_delay_ms`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spread {
    /// The shape.
    pub distribution: Distribution,
    /// Standard deviation (ignored by `Fixed`).
    pub sd: Duration,
}

impl Spread {
    /// No spread at all: always the mean.
    pub const FIXED: Spread = Spread {
        distribution: Distribution::Fixed,
        sd: Duration::ZERO,
    };

    /// This spread around `mean`.
    pub fn around(self, mean: Duration) -> Draw {
        Draw {
            distribution: self.distribution,
            mean,
            sd: self.sd,
        }
    }
}

/// A distribution of durations: shape, mean and standard deviation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Draw {
    /// The shape.
    pub distribution: Distribution,
    /// The mean (before clamping at 0, which only `Normal` can need).
    pub mean: Duration,
    /// The standard deviation.
    pub sd: Duration,
}

/// The independent random variables of one stream. Each has its own stream
/// of uniforms, so drawing one never moves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Variable {
    /// The time to first token's base.
    Ttft = 1,
    /// The gap before each token.
    Gap = 2,
    /// Whether a token stalls.
    StallChance = 3,
    /// How long a stall lasts.
    StallPause = 4,
}

impl Draw {
    /// The value for `seed`, `variable` and `index`.
    pub fn seeded(&self, seed: u64, variable: Variable, index: u32) -> Duration {
        if self.distribution == Distribution::Fixed || self.sd.is_zero() {
            return self.mean;
        }
        self.from_uniforms(uniform(seed, variable, index, 0), || {
            uniform(seed, variable, index, 1)
        })
    }

    /// The value that uniforms `u` and (for Gaussian shapes) `v()` in [0, 1)
    /// map to.
    pub fn from_uniforms(&self, u: f64, v: impl FnOnce() -> f64) -> Duration {
        let (mean, sd) = (self.mean.as_secs_f64(), self.sd.as_secs_f64());
        let value = match self.distribution {
            Distribution::Fixed => mean,
            Distribution::Uniform => mean + sd * 3f64.sqrt() * (2.0 * u - 1.0),
            Distribution::Normal => mean + sd * gaussian(u, v()),
            Distribution::Lognormal if mean <= 0.0 => 0.0,
            Distribution::Lognormal => {
                let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                (mu + sigma2.sqrt() * gaussian(u, v())).exp()
            }
        };
        seconds(value)
    }
}

/// A standard normal value from two uniforms in [0, 1) (Box–Muller).
fn gaussian(u: f64, v: f64) -> f64 {
    // 1 − u lies in (0, 1], so the logarithm is finite.
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// `value` seconds as a duration, clamped to 0 and to a day (no schedule
/// needs more, and it keeps the conversion from overflowing).
pub fn seconds(value: f64) -> Duration {
    Duration::from_secs_f64(value.clamp(0.0, 86_400.0))
}

/// A uniform value in [0, 1) from the seed, the variable, the index and
/// which of a draw's uniforms it is. The input is eight bytes, so it never
/// collides with the grid jitter's four-byte input.
pub fn uniform(seed: u64, variable: Variable, index: u32, which: u32) -> f64 {
    let mut input = [0u8; 8];
    input[..4].copy_from_slice(&index.to_le_bytes());
    input[4..].copy_from_slice(&(variable as u32 * 2 + which).to_le_bytes());
    let bits = xxh3_64_with_seed(&input, seed) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests;
