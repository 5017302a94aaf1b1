//! A reply's schedule walked token by token, for what the grid cannot say:
//! drawn gaps, stalls and load. Each token is due one step after the
//! previous one was due (not after it left), its delay stretched by the
//! load curve at the moment the previous one left, so the schedule stays
//! absolute and only the curve moves it from what the seed says.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::sim::{LoadCurve, Schedule};

/// See the module docs.
#[derive(Debug)]
pub(super) struct Walk {
    schedule: Schedule,
    /// When the next token is due, from the start (before a resumed
    /// stream's base is taken off).
    due: Duration,
    load: Option<LoadCurve>,
    /// Streams generating on the model, read by the load curve.
    active: Option<Arc<AtomicUsize>>,
}

impl Walk {
    /// The walk of a stream that starts at token `from` of `end`: token 0
    /// is due at the TTFT; a resumed stream's first token one step after
    /// `base`, where the seed placed the last token sent.
    pub(super) fn new(
        schedule: Schedule,
        load: Option<LoadCurve>,
        (from, end): (u32, u32),
        base: Duration,
    ) -> Walk {
        let due = if from == 0 { schedule.first() } else { base };
        let mut walk = Walk {
            schedule,
            due,
            load,
            active: None,
        };
        if from > 0 && from < end {
            walk.advance(from);
        }
        walk
    }

    /// When the next token is due.
    pub(super) fn due(&self) -> Duration {
        self.due
    }

    /// Reads the load from `active` (ignored without a load curve).
    pub(super) fn read_load_from(&mut self, active: Arc<AtomicUsize>) {
        if self.load.is_some() {
            self.active = Some(active);
        }
    }

    /// Moves on to token `index`: one seeded step, its delay stretched by
    /// the load at this moment.
    pub(super) fn advance(&mut self, index: u32) {
        let step = self.schedule.step(index);
        let stretch = match (&self.load, &self.active) {
            (Some(curve), Some(active)) => curve.stretch(active.load(Ordering::Relaxed)),
            _ => 1.0,
        };
        let delay = if stretch == 1.0 {
            step.delay
        } else {
            step.delay.mul_f64(stretch)
        };
        self.due += delay + step.stall;
    }
}
