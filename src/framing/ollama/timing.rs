//! The durations Ollama reports on its last line, taken from the reply's
//! schedule: the same for a stream and a whole reply, and the same for the
//! same seed. Prompt evaluation is the time to the first token, generation
//! the time from the first token to the last, and the parts add up to the
//! total exactly.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::sim::{Fault, Plan};

/// Loading a model that is already in memory: a few milliseconds, taken out
/// of the time to the first token.
const LOAD: Duration = Duration::from_millis(5);

/// When a reply's first and last tokens are due, from the start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timing {
    /// The first token (the whole reply's end when it sends none).
    pub first: Duration,
    /// The last token, when the reply is done.
    pub last: Duration,
}

impl Timing {
    /// `plan`'s schedule up to its cut, with a stall fault's pause where the
    /// stream would take it.
    pub fn of(plan: &Plan) -> Self {
        let stall = |index: u32| match plan.fault {
            Some(Fault::Stall { after, duration }) if index >= after => duration,
            _ => Duration::ZERO,
        };
        let Some(last_index) = plan.end.checked_sub(1) else {
            return Timing::default();
        };
        Timing {
            first: plan.pacing.offset(0) + stall(0),
            last: plan.pacing.offset(last_index) + stall(plan.end),
        }
    }

    /// `total_duration`, `load_duration`, `prompt_eval_count`,
    /// `prompt_eval_duration`, `eval_count` and `eval_duration`, in
    /// Ollama's order; durations in nanoseconds.
    pub fn fields(&self, prompt_tokens: u32, eval_tokens: u32) -> Map<String, Value> {
        let load = self.first.min(LOAD);
        let last = self.last.max(self.first);
        let fields = [
            ("total_duration", nanos(last)),
            ("load_duration", nanos(load)),
            ("prompt_eval_count", u64::from(prompt_tokens)),
            ("prompt_eval_duration", nanos(self.first - load)),
            ("eval_count", u64::from(eval_tokens)),
            ("eval_duration", nanos(last - self.first)),
        ];
        (fields.into_iter())
            .map(|(key, value)| (key.to_owned(), Value::from(value)))
            .collect()
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_durations_add_up_to_the_total() {
        let timing = Timing {
            first: Duration::from_millis(300),
            last: Duration::from_millis(1_250),
        };
        let fields = timing.fields(12, 40);
        let get = |key: &str| fields[key].as_u64().expect(key);
        assert_eq!(get("total_duration"), 1_250_000_000);
        assert_eq!(get("load_duration"), 5_000_000);
        assert_eq!(get("prompt_eval_duration"), 295_000_000);
        assert_eq!(get("eval_duration"), 950_000_000);
        assert_eq!(
            get("load_duration") + get("prompt_eval_duration") + get("eval_duration"),
            get("total_duration")
        );
        assert_eq!((get("prompt_eval_count"), get("eval_count")), (12, 40));
        let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "total_duration",
                "load_duration",
                "prompt_eval_count",
                "prompt_eval_duration",
                "eval_count",
                "eval_duration"
            ]
        );
    }

    #[test]
    fn a_reply_due_at_once_loads_in_no_time() {
        let fields = Timing::default().fields(1, 0);
        assert!(
            ["total_duration", "load_duration", "eval_duration"]
                .iter()
                .all(|key| fields[*key] == 0)
        );
    }
}
