//! Integers and numbers within a shape's bounds and `multipleOf`, in a small
//! readable range (0 to 100, two decimals) when the bounds allow it.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::shape::{Bound, Shape};

/// The width of the range values are drawn from, in units of the step.
const SPAN: f64 = 100.0;
/// 2^53 - 1: beyond it integers are not exact in the doubles most clients
/// parse JSON numbers into, so generated values stay inside.
const LIMIT: f64 = 9_007_199_254_740_991.0;
/// The step of a number without `multipleOf`: two decimals read naturally.
const CENT: f64 = 0.01;

/// A JSON integer within the bounds, a multiple of `multipleOf` when one is
/// given. Bounds that no integer satisfies give the lower bound, best effort.
pub(super) fn integer(rng: &mut ChaCha8Rng, shape: &Shape) -> Value {
    let lower = shape.lower.map_or(f64::NEG_INFINITY, |b| {
        if b.exclusive {
            b.value.floor() + 1.0
        } else {
            b.value.ceil()
        }
    });
    let upper = shape.upper.map_or(f64::INFINITY, |b| {
        if b.exclusive {
            b.value.ceil() - 1.0
        } else {
            b.value.floor()
        }
    });
    let step = shape.multiple_of.map_or(1.0, integer_step);
    match pick(rng, lower / step, upper / step, step) {
        Some(k) => Value::from(k.saturating_mul(step as i64)),
        None => Value::from(lower.clamp(-LIMIT, LIMIT) as i64),
    }
}

/// A number within the bounds: a multiple of `multipleOf`, or of 0.01.
/// Bounds too close for any step give their midpoint.
pub(super) fn number(rng: &mut ChaCha8Rng, shape: &Shape) -> Value {
    let step = shape.multiple_of.unwrap_or(CENT);
    let places = decimals(step);
    let lower = shape.lower.map_or(-LIMIT, |b| b.value.max(-LIMIT));
    let upper = shape.upper.map_or(LIMIT, |b| b.value.min(LIMIT));
    let fits = |x: f64| inside(x, shape.lower, shape.upper);
    if let Some(k) = pick(rng, lower / step, upper / step, step) {
        // The step's neighbours rescue a draw that rounding put on an
        // excluded bound.
        for k in [k, k + 1, k - 1] {
            let x = round(k as f64 * step, places);
            if fits(x) {
                return Value::from(x);
            }
        }
    }
    let middle = lower / 2.0 + upper / 2.0;
    Value::from(if fits(middle) { middle } else { lower })
}

/// A multiplier `k` with `low <= k <= high`, inside the preferred window.
fn pick(rng: &mut ChaCha8Rng, low: f64, high: f64, step: f64) -> Option<i64> {
    let limit = (LIMIT / step).floor().clamp(1.0, LIMIT);
    let (low, high) = (low.ceil().max(-limit), high.floor().min(limit));
    if low > high || low.is_nan() || high.is_nan() {
        return None;
    }
    let (low, high) = window(low, high, (SPAN / step).floor().clamp(4.0, LIMIT));
    Some(rng.random_range(low as i64..=high as i64))
}

/// The part of `[low, high]` closest to `[0, span]`: the whole overlap when
/// there is one, else `span` wide beside the nearer end.
fn window(low: f64, high: f64, span: f64) -> (f64, f64) {
    if low <= span && high >= 0.0 {
        (low.max(0.0), high.min(span))
    } else if low > span {
        (low, high.min(low + span))
    } else {
        (low.max(high - span), high)
    }
}

/// The smallest whole multiple of `multiple`: 3 for 1.5, 1 for 0.5.
fn integer_step(multiple: f64) -> f64 {
    (1..=1000)
        .map(|t| f64::from(t) * multiple)
        .find(|m| (m - m.round()).abs() < 1e-9 && m.round() >= 1.0)
        .map_or(1.0, f64::round)
}

/// The decimal places of `step` (at most 12): 2 for 0.01, 0 for 5.
fn decimals(step: f64) -> i32 {
    (0..=12)
        .find(|&d| {
            let scaled = step * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-9 * scaled.abs().max(1.0)
        })
        .unwrap_or(12)
}

/// `x` rounded to `places` decimals, so that `0.1 * 3` is written `0.3`.
fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    let rounded = (x * scale).round() / scale;
    if rounded.is_finite() { rounded } else { x }
}

fn inside(x: f64, lower: Option<Bound>, upper: Option<Bound>) -> bool {
    let above = lower.is_none_or(|b| x > b.value || (x == b.value && !b.exclusive));
    let below = upper.is_none_or(|b| x < b.value || (x == b.value && !b.exclusive));
    above && below && x.is_finite()
}
