//! Changing one profile's pacing at run time (`PATCH /_trickle/profiles/…`):
//! a JSON merge patch over the profile as the file set it, read and checked
//! exactly as the file is, so a bad value gets the config file's message.

use serde_json::{Map, Value};

use super::{InvalidSetting, ProfileSettings, Settings};

/// The keys a patch may change: how a profile paces its replies, not what
/// it replies.
pub const PACING_KEYS: [&str; 15] = [
    "ttft_ms",
    "ttft_distribution",
    "ttft_sd_ms",
    "token_delay_ms",
    "token_delay_distribution",
    "token_delay_sd_ms",
    "jitter",
    "stall_probability",
    "stall_ms",
    "stall_distribution",
    "stall_sd_ms",
    "prefill_ms_per_1k_tokens",
    "slots",
    "queue",
    "itl_load_factor",
];

/// Why a patch was refused.
#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    /// No profile has that name.
    #[error("no profile {0:?}")]
    UnknownProfile(String),
    /// A key that is not a pacing key.
    #[error("`{0}` is not a pacing key")]
    NotPacing(String),
    /// A value of the wrong type, or an unknown distribution.
    #[error("{0}")]
    Unreadable(String),
    /// A value outside its range, in the config file's words.
    #[error(transparent)]
    Invalid(#[from] InvalidSetting),
}

impl Settings {
    /// These settings with profile `name`'s pacing keys changed by `patch`:
    /// a key set to a value takes it, a key set to `null` goes back to its
    /// default (from `[stream]`, or none). The whole result is validated.
    pub fn with_pacing_patch(
        &self,
        name: &str,
        patch: &Map<String, Value>,
    ) -> Result<Settings, PatchError> {
        let profile = (self.models.profiles.get(name))
            .ok_or_else(|| PatchError::UnknownProfile(name.to_owned()))?;
        if let Some(key) = patch.keys().find(|k| !PACING_KEYS.contains(&k.as_str())) {
            return Err(PatchError::NotPacing(key.clone()));
        }
        // A profile as written holds only the keys that were set; unset ones
        // serialise as null and are left out, as in the file.
        let Ok(Value::Object(mut fields)) = serde_json::to_value(profile) else {
            return Err(PatchError::Unreadable(format!(
                "profile {name:?} cannot be patched"
            )));
        };
        fields.retain(|_, v| !v.is_null());
        for (key, value) in patch {
            match value {
                Value::Null => fields.remove(key),
                value => fields.insert(key.clone(), value.clone()),
            };
        }
        let patched: ProfileSettings = serde_path_to_error::deserialize(Value::Object(fields))
            .map_err(|e| PatchError::Unreadable(format!("{}: {}", e.path(), e.inner())))?;
        let mut settings = self.clone();
        settings.models.profiles.insert(name.to_owned(), patched);
        settings.validate()?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::*;
    use crate::config::{Overrides, load_with_env};

    fn built_in() -> Settings {
        load_with_env(&Overrides::default(), Some(HashMap::new())).expect("built-in settings")
    }

    fn patch(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("tests pass objects"),
        }
    }

    #[test]
    fn a_patch_changes_only_the_keys_it_names_and_null_restores_the_default() {
        let settings = built_in();
        let patched = settings
            .with_pacing_patch(
                "sim-fast",
                &patch(json!({"slots": 4, "queue": 8, "jitter": 0.5})),
            )
            .expect("valid");
        let fast = patched.profile("sim-fast").expect("still there");
        assert_eq!((fast.slots, fast.queue, fast.jitter), (Some(4), 8, 0.5));
        assert_eq!(
            fast.ttft,
            settings.profile("sim-fast").expect("built in").ttft
        );
        let restored = patched
            .with_pacing_patch("sim-fast", &patch(json!({"jitter": null})))
            .expect("valid");
        assert_eq!(
            restored.profile("sim-fast").expect("there").jitter,
            settings.stream.jitter
        );
    }

    #[test]
    fn a_bad_patch_is_refused_with_the_config_files_message() {
        let settings = built_in();
        let cases = [
            (
                json!({"jitter": 1.5}),
                "invalid config: models.profiles.sim-fast.jitter = 1.5 (allowed: 0 to 1)",
            ),
            (
                json!({"queue": 3}),
                "invalid config: models.profiles.sim-fast.queue = 3 (allowed: 0 or unset unless slots is set: without slots no stream waits)",
            ),
            (
                json!({"responder": "echo"}),
                "`responder` is not a pacing key",
            ),
            (
                json!({"ttft_distribution": "gamma"}),
                "ttft_distribution: \"gamma\" is not allowed (allowed: fixed, uniform, normal, lognormal)",
            ),
            (
                json!({"slots": "four"}),
                "slots: invalid type: string \"four\", expected u32",
            ),
        ];
        for (body, message) in cases {
            let error = settings
                .with_pacing_patch("sim-fast", &patch(body.clone()))
                .expect_err("refused");
            assert_eq!(error.to_string(), message, "{body}");
        }
        let unknown = settings.with_pacing_patch("gpt", &patch(json!({})));
        assert!(matches!(unknown, Err(PatchError::UnknownProfile(_))));
    }
}
