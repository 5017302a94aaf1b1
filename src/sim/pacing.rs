//! When each token is due, as an offset from the stream's start.
//!
//! The schedule is absolute: token `i` is due at `ttft + i × delay` plus a
//! seeded jitter term, so rounding and scheduling overheads never accumulate
//! (1,000 tokens at 20 ms take 20 s). The jitter term of token `i` depends
//! only on the seed and `i`, so any offset is computed in O(1) and a resumed
//! stream keeps the original rhythm.
//!
//! This grid is the whole schedule of a profile with fixed or uniform
//! delays; [`super::Schedule`] adds drawn gaps and stalls on top of it.

use std::time::Duration;

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The timing of one stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// Time to first token.
    pub ttft: Duration,
    /// Nominal time between tokens.
    pub delay: Duration,
    /// Each token's offset moves by up to ±jitter/2 × delay, so consecutive
    /// gaps lie within delay × (1 ± jitter). 0 to 1.
    pub jitter: f64,
    /// Seeds the jitter.
    pub seed: u64,
}

impl Pacing {
    /// When token `index` (0-based) is due, from the start of the stream.
    pub fn offset(&self, index: u32) -> Duration {
        let nominal = self.ttft + self.delay * index;
        if self.jitter == 0.0 || self.delay.is_zero() {
            return nominal;
        }
        let unit = uniform(self.seed, index) - 0.5;
        let shift = self.delay.as_secs_f64() * self.jitter * unit;
        if shift >= 0.0 {
            nominal + Duration::from_secs_f64(shift)
        } else {
            nominal.saturating_sub(Duration::from_secs_f64(-shift))
        }
    }
}

/// A uniform value in [0, 1) from the seed and index.
fn uniform(seed: u64, index: u32) -> f64 {
    let bits = xxh3_64_with_seed(&index.to_le_bytes(), seed) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pacing(jitter: f64) -> Pacing {
        Pacing {
            ttft: Duration::from_millis(250),
            delay: Duration::from_millis(20),
            jitter,
            seed: 42,
        }
    }

    #[test]
    fn without_jitter_the_schedule_is_exact() {
        let p = pacing(0.0);
        assert_eq!(p.offset(0), Duration::from_millis(250));
        assert_eq!(p.offset(999), Duration::from_millis(250 + 999 * 20));
    }

    #[test]
    fn jitter_stays_within_bounds_and_never_drifts() {
        let p = pacing(1.0);
        let mut previous = p.offset(0);
        for i in 1..10_000 {
            let at = p.offset(i);
            let nominal = Duration::from_millis(250 + 20 * u64::from(i));
            let error = at.as_secs_f64() - nominal.as_secs_f64();
            assert!(error.abs() <= 0.010 + 1e-9, "token {i} is {error}s off");
            assert!(at >= previous, "token {i} is due before token {}", i - 1);
            previous = at;
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_timing() {
        let a: Vec<_> = (0..100).map(|i| pacing(0.5).offset(i)).collect();
        let b: Vec<_> = (0..100).map(|i| pacing(0.5).offset(i)).collect();
        let other = Pacing {
            seed: 7,
            ..pacing(0.5)
        };
        let c: Vec<_> = (0..100).map(|i| other.offset(i)).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
