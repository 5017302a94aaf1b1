//! Hot reload: on SIGHUP, or when the config, responses or fixtures file changes, the
//! settings are read again through every layer, validated, and swapped in as a
//! whole. New requests get them; open streams keep theirs. Invalid settings
//! are refused with one log line and the old ones stay in force.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};

use crate::config::Settings;
use crate::state::{AppState, Runtime};

/// Settings that only a restart can change: they shape the listening socket
/// and the workers.
fn restart_only(old: &Settings, new: &Settings) -> Vec<&'static str> {
    let mut ignored = Vec::new();
    if old.server.host != new.server.host {
        ignored.push("server.host");
    }
    if old.server.port != new.server.port {
        ignored.push("server.port");
    }
    if old.server.workers != new.server.workers {
        ignored.push("server.workers");
    }
    if old.server.header_timeout_ms != new.server.header_timeout_ms {
        ignored.push("server.header_timeout_ms");
    }
    if old.server.shutdown_grace_s != new.server.shutdown_grace_s {
        ignored.push("server.shutdown_grace_s");
    }
    if old.cors.allowed_origins != new.cors.allowed_origins {
        ignored.push("cors.allowed_origins");
    }
    if old.log.level != new.log.level || old.log.format != new.log.format {
        ignored.push("log");
    }
    ignored
}

/// Swaps in freshly loaded settings, or says why they were refused.
pub fn reload(state: &AppState, loaded: Result<Settings, String>) -> Result<(), String> {
    let settings = loaded?;
    let ignored = restart_only(&state.runtime().settings, &settings);
    let runtime = Runtime::new(settings)?;
    state.replace_runtime(runtime);
    if ignored.is_empty() {
        tracing::info!("settings reloaded");
    } else {
        tracing::warn!(
            ignored = ignored.join(", "),
            "settings reloaded; these take effect at the next restart"
        );
    }
    Ok(())
}

/// Reloads and logs the outcome in one line.
pub fn reload_and_log(state: &AppState, loaded: Result<Settings, String>) {
    if let Err(problem) = reload(state, loaded) {
        tracing::error!("reload refused, settings unchanged: {problem}");
    }
}

/// Watches `files` from a background thread and calls `on_change` once per
/// burst of changes (editors often write a file in several steps). The
/// watcher lives as long as the returned handle.
pub fn watch(
    files: Vec<PathBuf>,
    on_change: impl Fn() + Send + 'static,
) -> notify::Result<notify::RecommendedWatcher> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    // Watch the folders: an editor that saves by renaming replaces the file.
    let mut folders: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    folders.sort();
    folders.dedup();
    for folder in folders {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        watcher.watch(folder, RecursiveMode::NonRecursive)?;
    }
    let names: Vec<_> = files
        .iter()
        .filter_map(|f| f.file_name().map(ToOwned::to_owned))
        .collect();
    std::thread::spawn(move || {
        let relevant = |event: &notify::Result<notify::Event>| {
            event.as_ref().is_ok_and(|e| {
                (e.kind.is_modify() || e.kind.is_create())
                    && e.paths
                        .iter()
                        .any(|p| p.file_name().is_some_and(|n| names.iter().any(|m| m == n)))
            })
        };
        while let Ok(event) = rx.recv() {
            if !relevant(&event) {
                continue;
            }
            while rx.recv_timeout(Duration::from_millis(200)).is_ok() {}
            on_change();
        }
    });
    Ok(watcher)
}
