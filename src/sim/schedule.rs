//! A stream's seeded schedule, step by step: when its first token is due and
//! the gap before each next one, split into the delay (which load may
//! stretch) and a stall (which it does not).
//!
//! On the grid (fixed or uniform delays, no stalls) every offset is O(1), as
//! [`Pacing::offset`] computes it. Drawn gaps and stalls make the schedule a
//! sum of gaps: walking it is O(1) per token with no allocation, and the
//! offset of token `i` alone is O(i) (a resume computes it once).

use std::sync::Arc;
use std::time::Duration;

use super::distribution::{Draw, Variable};
use super::{Latency, Pacing, Stall};

/// The gap before one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The delay proper, which the load curve stretches.
    pub delay: Duration,
    /// An extra pause, or zero.
    pub stall: Duration,
}

/// One stream's seeded schedule. See the module docs.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pacing: Pacing,
    /// Each gap drawn from this distribution, instead of the grid.
    gap: Option<Draw>,
    stall: Option<Stall>,
    /// Each gap as recorded, instead of the grid (past its end: zero).
    recorded: Option<Arc<[Duration]>>,
}

impl Schedule {
    /// The schedule of `pacing`, with `latency`'s drawn gaps and stalls.
    pub fn new(pacing: Pacing, latency: &Latency) -> Self {
        Schedule {
            pacing,
            gap: latency.delay.map(|spread| spread.around(pacing.delay)),
            stall: latency.stall,
            recorded: latency.recorded.clone(),
        }
    }

    /// True when offsets come straight off the grid.
    pub fn is_grid(&self) -> bool {
        self.gap.is_none() && self.stall.is_none() && self.recorded.is_none()
    }

    /// When token 0 is due, from the start of the stream.
    pub fn first(&self) -> Duration {
        match (&self.gap, &self.recorded) {
            (None, None) => self.pacing.offset(0),
            _ => self.pacing.ttft,
        }
    }

    /// The gap between token `index - 1` and token `index` (`index` ≥ 1).
    pub fn step(&self, index: u32) -> Step {
        let seed = self.pacing.seed;
        if let Some(gaps) = &self.recorded {
            let delay = gaps.get(index as usize).copied().unwrap_or_default();
            return Step {
                delay,
                stall: Duration::ZERO,
            };
        }
        let delay = match self.gap {
            Some(gap) => gap.seeded(seed, Variable::Gap, index),
            None => (self.pacing.offset(index)).saturating_sub(self.pacing.offset(index - 1)),
        };
        let stall = self
            .stall
            .map_or(Duration::ZERO, |stall| stall.before(seed, index));
        Step { delay, stall }
    }

    /// When token `index` is due, from the start, without load.
    pub fn offset(&self, index: u32) -> Duration {
        if self.is_grid() {
            return self.pacing.offset(index);
        }
        (1..=index).fold(self.first(), |at, i| {
            let step = self.step(i);
            at + step.delay + step.stall
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::distribution::{Distribution, Spread};

    const MS: Duration = Duration::from_millis(1);

    fn pacing(seed: u64) -> Pacing {
        Pacing {
            ttft: 400 * MS,
            delay: 30 * MS,
            jitter: 0.0,
            seed,
        }
    }

    fn busy() -> Latency {
        Latency {
            delay: Some(Spread {
                distribution: Distribution::Lognormal,
                sd: 10 * MS,
            }),
            stall: Some(Stall {
                probability: 0.02,
                pause: Spread {
                    distribution: Distribution::Normal,
                    sd: 100 * MS,
                }
                .around(500 * MS),
            }),
            load: None,
            recorded: None,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule_and_another_seed_another() {
        let offsets = |seed| -> Vec<Duration> {
            let schedule = Schedule::new(pacing(seed), &busy());
            (0..500).map(|i| schedule.offset(i)).collect()
        };
        assert_eq!(offsets(11), offsets(11));
        assert_ne!(offsets(11), offsets(12));
    }

    #[test]
    fn walking_step_by_step_gives_the_offsets() {
        let schedule = Schedule::new(pacing(5), &busy());
        let mut at = schedule.first();
        assert_eq!(at, 400 * MS);
        for i in 1..300 {
            let step = schedule.step(i);
            at += step.delay + step.stall;
            assert_eq!(at, schedule.offset(i), "token {i}");
        }
    }

    #[test]
    fn the_grid_is_todays_schedule() {
        let grid = Pacing {
            jitter: 0.3,
            ..pacing(8)
        };
        let schedule = Schedule::new(grid, &Latency::default());
        assert!(schedule.is_grid());
        for i in 0..200 {
            assert_eq!(schedule.offset(i), grid.offset(i));
        }
        for i in 1..200 {
            assert_eq!(schedule.step(i).delay, grid.offset(i) - grid.offset(i - 1));
        }
    }

    #[test]
    fn a_recorded_schedule_keeps_its_own_gaps() {
        let gaps: Arc<[Duration]> = [0, 5, 40, 0, 12].map(|ms| ms * MS).into();
        let schedule = Schedule::new(pacing(3), &Latency::recorded(gaps));
        assert!(!schedule.is_grid());
        assert_eq!(schedule.first(), 400 * MS);
        let offsets: Vec<Duration> = (0..6).map(|i| schedule.offset(i)).collect();
        let expected = [400, 405, 445, 445, 457, 457].map(|ms| ms * MS);
        assert_eq!(offsets, expected);
    }

    #[test]
    fn stalls_add_to_the_grid_without_moving_it_otherwise() {
        let stall = Stall {
            probability: 0.1,
            pause: Spread::FIXED.around(250 * MS),
        };
        let latency = Latency {
            stall: Some(stall),
            ..Latency::default()
        };
        let schedule = Schedule::new(pacing(2), &latency);
        let mut stalls = Duration::ZERO;
        for i in 1..400 {
            stalls += stall.before(2, i);
            assert_eq!(schedule.offset(i), pacing(2).offset(i) + stalls);
        }
        assert!(stalls > Duration::ZERO, "some tokens stalled");
    }
}
