//! A profile's latency model: how its time to first token is drawn and
//! grows with the prompt, how its gaps vary, when it stalls, and how load
//! slows it. [`LatencyModel::stream`] turns it into one stream's [`Pacing`]
//! (the grid) and [`Latency`] (what the grid cannot say), which
//! [`super::Schedule`] walks.
//!
//! Seeded, so the same seed gives the same values: the TTFT base, every gap,
//! every stall. Not seeded: the queue wait and the load factor, which depend
//! on the other streams running at the time.

use std::sync::Arc;
use std::time::Duration;

use super::Pacing;
use super::distribution::{Distribution, Draw, Spread, Variable, uniform};

/// With probability `probability` per token, an extra pause before it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stall {
    /// The chance that a token stalls, 0 to 1.
    pub probability: f64,
    /// How long a stall lasts.
    pub pause: Draw,
}

impl Stall {
    /// The stall before token `index` of the stream seeded `seed`, or zero.
    pub fn before(&self, seed: u64, index: u32) -> Duration {
        if uniform(seed, Variable::StallChance, index, 0) < self.probability {
            self.pause.seeded(seed, Variable::StallPause, index)
        } else {
            Duration::ZERO
        }
    }
}

/// How the delay between tokens grows with the streams a model generates at
/// once: a stream alone gets the profile's delay, a model at full slots
/// multiplies it by 1 + `factor`, linear in between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadCurve {
    /// The extra share of the delay at full slots.
    pub factor: f64,
    /// The streams the model generates at once.
    pub slots: u32,
}

impl LoadCurve {
    /// The factor on each delay while `active` streams generate.
    pub fn stretch(&self, active: usize) -> f64 {
        if self.slots < 2 {
            return 1.0;
        }
        let full = self.slots as usize;
        let busy = (active.clamp(1, full) - 1) as f64 / (full - 1) as f64;
        1.0 + self.factor * busy
    }
}

/// What one stream's timing adds to its grid. All `None`: the grid alone,
/// today's O(1) schedule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Latency {
    /// Gaps drawn one by one from this spread around the pacing's delay,
    /// instead of the grid's jitter.
    pub delay: Option<Spread>,
    /// Extra pauses.
    pub stall: Option<Stall>,
    /// Load slowdown; the count of streams comes from the server.
    pub load: Option<LoadCurve>,
    /// The gap before each token as an upstream sent it (a recorded reply
    /// replayed with its own timing), instead of drawn or grid gaps.
    pub recorded: Option<Arc<[Duration]>>,
}

impl Latency {
    /// True when the grid says everything.
    pub fn is_none(&self) -> bool {
        self.delay.is_none()
            && self.stall.is_none()
            && self.load.is_none()
            && self.recorded.is_none()
    }

    /// A recorded reply's timing: its own gaps, nothing drawn, no stalls.
    pub fn recorded(gaps: Arc<[Duration]>) -> Self {
        Latency {
            recorded: Some(gaps),
            ..Latency::default()
        }
    }
}

/// A profile's latency model, as resolved from its settings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LatencyModel {
    /// How the TTFT base spreads around the profile's `ttft`.
    pub ttft: Spread,
    /// How gaps spread around the delay: `Fixed` and `Uniform` stay on the
    /// grid (`Uniform` is the grid's jitter); `Normal` and `Lognormal` draw
    /// each gap with this sd.
    pub delay: Spread,
    /// Extra pauses; none while their probability is 0.
    pub stall: Stall,
    /// Time to read the prompt, per 1,000 prompt tokens.
    pub prefill_per_1k_tokens: Duration,
    /// Load slowdown.
    pub load: Option<LoadCurve>,
}

/// The timing asked of one stream before the model's variation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nominal {
    /// Mean TTFT base.
    pub ttft: Duration,
    /// Mean delay between tokens.
    pub delay: Duration,
    /// The grid's jitter, for `Uniform` delays.
    pub jitter: f64,
}

impl LatencyModel {
    /// Whether the TTFT depends on the prompt's length (so it is worth
    /// counting its tokens).
    pub fn has_prefill(&self) -> bool {
        !self.prefill_per_1k_tokens.is_zero()
    }

    /// The time to read `prompt_tokens` tokens: linear in the prompt.
    pub fn prefill(&self, prompt_tokens: u32) -> Duration {
        let nanos = self.prefill_per_1k_tokens.as_nanos() * u128::from(prompt_tokens) / 1000;
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// One stream's grid and extras. Its TTFT is the base drawn for `seed`
    /// plus the prefill of `prompt_tokens`; a resumed stream passes `None`,
    /// as it does not read the prompt again.
    pub fn stream(
        &self,
        nominal: Nominal,
        seed: u64,
        prompt_tokens: Option<u32>,
    ) -> (Pacing, Latency) {
        let base = self
            .ttft
            .around(nominal.ttft)
            .seeded(seed, Variable::Ttft, 0);
        let prefill = prompt_tokens.map_or(Duration::ZERO, |n| self.prefill(n));
        let (jitter, drawn) = match self.delay.distribution {
            Distribution::Fixed => (0.0, None),
            Distribution::Uniform => (nominal.jitter, None),
            Distribution::Normal | Distribution::Lognormal => (0.0, Some(self.delay)),
        };
        let pacing = Pacing {
            ttft: base + prefill,
            delay: nominal.delay,
            jitter,
            seed,
        };
        let latency = Latency {
            delay: drawn,
            stall: (self.stall.probability > 0.0).then_some(self.stall),
            load: self.load,
            recorded: None,
        };
        (pacing, latency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn nominal() -> Nominal {
        Nominal {
            ttft: 300 * MS,
            delay: 20 * MS,
            jitter: 0.2,
        }
    }

    #[test]
    fn without_new_keys_a_stream_gets_todays_pacing() {
        let (pacing, latency) = LatencyModel {
            delay: Spread {
                distribution: Distribution::Uniform,
                sd: Duration::ZERO,
            },
            ..LatencyModel::default()
        }
        .stream(nominal(), 42, Some(5000));
        let today = Pacing {
            ttft: 300 * MS,
            delay: 20 * MS,
            jitter: 0.2,
            seed: 42,
        };
        assert_eq!((pacing, latency.is_none()), (today, true));
    }

    #[test]
    fn ttft_grows_linearly_with_the_prompt_and_resumes_skip_the_prefill() {
        let model = LatencyModel {
            prefill_per_1k_tokens: 120 * MS,
            ..LatencyModel::default()
        };
        for tokens in [0, 1, 500, 1000, 2000, 8000, 100_000] {
            let (pacing, _) = model.stream(nominal(), 1, Some(tokens));
            let prefill = Duration::from_nanos(120_000_000 * u64::from(tokens) / 1000);
            assert_eq!(pacing.ttft, 300 * MS + prefill, "{tokens} tokens");
        }
        let (resumed, _) = model.stream(nominal(), 1, None);
        assert_eq!(resumed.ttft, 300 * MS);
    }

    #[test]
    fn the_ttft_base_is_drawn_by_seed() {
        let model = LatencyModel {
            ttft: Spread {
                distribution: Distribution::Lognormal,
                sd: 100 * MS,
            },
            ..LatencyModel::default()
        };
        let ttft = |seed| model.stream(nominal(), seed, Some(0)).0.ttft;
        assert_eq!(ttft(3), ttft(3));
        assert_ne!(ttft(3), ttft(4));
    }

    #[test]
    fn the_load_curve_is_one_alone_and_one_plus_factor_at_full_slots() {
        let curve = LoadCurve {
            factor: 0.8,
            slots: 5,
        };
        let stretches: Vec<f64> = (0..=7).map(|active| curve.stretch(active)).collect();
        let want = [1.0, 1.0, 1.2, 1.4, 1.6, 1.8, 1.8, 1.8];
        for (got, want) in stretches.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{stretches:?}");
        }
        let single = LoadCurve {
            factor: 0.8,
            slots: 1,
        };
        assert_eq!(single.stretch(1), 1.0);
    }

    #[test]
    fn stalls_come_with_their_probability() {
        let stall = Stall {
            probability: 0.05,
            pause: Spread::FIXED.around(500 * MS),
        };
        let n = 20_000;
        let stalled = (0..n).filter(|&i| !stall.before(9, i).is_zero()).count();
        let (p, n) = (0.05, f64::from(n));
        let error = 4.0 * (p * (1.0 - p) / n).sqrt();
        assert!((stalled as f64 / n - p).abs() <= error, "{stalled} stalls");
        assert!((0..1000).all(|i| [Duration::ZERO, 500 * MS].contains(&stall.before(9, i))));
    }
}
