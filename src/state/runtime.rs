//! The settings in force, resolved once: profiles, responders, fixtures, and each
//! chat model's [`Gate`]. Swapped as a whole on reload or a pacing patch;
//! the gates of models whose slots and queue did not change are carried
//! over, so the streams generating and waiting there keep their places.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use super::Gate;
use crate::config::{ModelKind, PatchError, Profile, Settings};
use crate::error::ApiError;
use crate::record::Gateway;
use crate::sim::fixture::Fixtures;
use crate::sim::responder::{Canned, Responders};

/// Everything a request needs that comes from configuration, resolved once.
#[derive(Debug)]
pub struct Runtime {
    /// The validated settings.
    pub settings: Settings,
    /// Profiles with `[stream]` defaults filled in.
    pub profiles: BTreeMap<String, Arc<Profile>>,
    /// The responders, canned replies loaded.
    pub responders: Arc<Responders>,
    /// The fixtures file's rules (none when it is not set).
    pub fixtures: Arc<Fixtures>,
    /// The recording gateway, when `record.upstream` is set.
    pub gateway: Option<Arc<Gateway>>,
    /// Each chat model's slots and queue.
    pub gates: BTreeMap<String, Arc<Gate>>,
    /// Profiles whose pacing was changed at run time since the settings
    /// were last read.
    pub patched: BTreeSet<String>,
}

impl Runtime {
    /// Resolves profiles and loads the responses file the settings name.
    pub fn new(settings: Settings) -> Result<Self, String> {
        let canned = if settings.responses.file.is_empty() {
            Canned::built_in()
        } else {
            Canned::from_path(Path::new(&settings.responses.file))
        }
        .map_err(|e| e.to_string())?;
        let fixtures = match settings.fixtures.file.as_str() {
            "" => Fixtures::default(),
            // Recording into the fixtures file: nothing recorded yet is no
            // rule yet (the file is watched, so the first recording loads).
            file if settings.record.records_into(file) && !Path::new(file).exists() => {
                Fixtures::default()
            }
            file => Fixtures::from_path(Path::new(file)).map_err(|e| e.to_string())?,
        };
        let gateway = Gateway::new(&settings.record)?.map(Arc::new);
        let mut runtime = Runtime::with_responders(
            settings,
            Arc::new(Responders::new(canned)),
            Arc::new(fixtures),
        );
        runtime.gateway = gateway;
        Ok(runtime)
    }

    /// Resolves profiles and makes their gates, keeping `responders` and
    /// `fixtures` (so a pacing patch keeps the fixtures' match counts).
    fn with_responders(
        settings: Settings,
        responders: Arc<Responders>,
        fixtures: Arc<Fixtures>,
    ) -> Self {
        let profiles: BTreeMap<String, Arc<Profile>> = settings
            .models
            .profiles
            .keys()
            .filter_map(|name| Some((name.clone(), Arc::new(settings.profile(name)?))))
            .collect();
        let gates = (profiles.values())
            .filter(|p| p.kind == ModelKind::Chat)
            .map(|p| (p.name.clone(), Arc::new(Gate::new(p))))
            .collect();
        Runtime {
            settings,
            profiles,
            responders,
            fixtures,
            gateway: None,
            gates,
            patched: BTreeSet::new(),
        }
    }

    /// These settings with profile `name`'s pacing changed by `patch`
    /// ([`Settings::with_pacing_patch`]); the responders are kept, the
    /// profile is marked as patched.
    pub fn patched(
        &self,
        name: &str,
        patch: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Runtime, PatchError> {
        let settings = self.settings.with_pacing_patch(name, patch)?;
        let mut runtime = Runtime::with_responders(
            settings,
            Arc::clone(&self.responders),
            Arc::clone(&self.fixtures),
        );
        runtime.gateway.clone_from(&self.gateway);
        runtime.patched.clone_from(&self.patched);
        runtime.patched.insert(name.to_owned());
        Ok(runtime)
    }

    /// Takes over `old`'s gate for every model whose slots and queue did not
    /// change, so streams generating or waiting there keep their places and
    /// count against the new settings. A model whose slots or queue changed
    /// starts a new gate; streams on the old one finish there.
    pub(super) fn keep_gates(&mut self, old: &Runtime) {
        for (name, gate) in &mut self.gates {
            if let Some(before) = old.gates.get(name)
                && before.size() == gate.size()
            {
                *gate = Arc::clone(before);
            }
        }
    }

    /// The gate of chat model `name`.
    pub fn gate(&self, name: &str) -> Option<&Arc<Gate>> {
        self.gates.get(name)
    }

    /// The chat profile a request names, or the default one.
    pub fn profile(&self, model: Option<&str>) -> Result<Arc<Profile>, ApiError> {
        self.profile_for(ModelKind::Chat, model)
    }

    /// The profile a request names (or the default one), which must be of
    /// `kind`: the one place a route's model is looked up, so every route
    /// refuses the other kind's models alike, saying which models it takes.
    pub fn profile_for(
        &self,
        kind: ModelKind,
        model: Option<&str>,
    ) -> Result<Arc<Profile>, ApiError> {
        let name = model.unwrap_or(&self.settings.models.default);
        // A model a fixture names (a recording's real model, say) is paced
        // by the default profile.
        let known = self.profiles.get(name).or_else(|| {
            (kind == ModelKind::Chat && self.fixtures.names_model(name))
                .then(|| self.profiles.get(&self.settings.models.default))
                .flatten()
        });
        let profile = known.ok_or_else(|| ApiError::UnknownModel {
            name: name.to_owned(),
            available: self.profiles.keys().cloned().collect::<Vec<_>>().join(", "),
        })?;
        if profile.kind == kind {
            return Ok(Arc::clone(profile));
        }
        let of_kind: Vec<&str> = (self.profiles.values())
            .filter(|p| p.kind == kind)
            .map(|p| p.name.as_str())
            .collect();
        let message = match kind {
            ModelKind::Chat => format!(
                "{name:?} is an embedding model: send it to POST /v1/embeddings; the models that chat are {}",
                of_kind.join(", ")
            ),
            ModelKind::Embedding if of_kind.is_empty() => format!(
                "{name:?} is a chat model, not an embedding model, and no embedding model is configured (a profile with kind = \"embedding\")"
            ),
            ModelKind::Embedding => format!(
                "{name:?} is a chat model, not an embedding model; the embedding models are {}",
                of_kind.join(", ")
            ),
        };
        Err(ApiError::InvalidRequest {
            param: "model",
            message,
        })
    }
}
