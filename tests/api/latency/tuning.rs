//! `GET /_trickle/profiles` and `PATCH /_trickle/profiles/{name}`: what is
//! in force, live changes checked as the config file is, new streams on the
//! new values, a reload that replaces them, and the `/metrics` key.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trickle::reload::reload;

use super::{gate, until};
use crate::helpers::{open_stream, spawn_app, spawn_app_with, test_settings, within};

async fn profiles(app: &crate::helpers::TestApp) -> Value {
    let response = within(
        "profiles",
        app.client.get(app.url("/_trickle/profiles")).send(),
    )
    .await
    .expect("sent");
    assert_eq!(response.status(), 200);
    within("body", response.json()).await.expect("JSON")
}

async fn patch(app: &crate::helpers::TestApp, name: &str, body: &Value) -> (StatusCode, Value) {
    let url = app.url(&format!("/_trickle/profiles/{name}"));
    let response = within("patch", app.client.patch(url).json(body).send())
        .await
        .expect("sent");
    let status = response.status();
    (status, within("body", response.json()).await.expect("JSON"))
}

#[tokio::test]
async fn the_profiles_in_force_are_listed_with_every_pacing_value() {
    let app = spawn_app().await;
    let listed = profiles(&app).await;
    assert_eq!(listed["default"], "sim-default");
    let slow = &listed["profiles"]["sim-slow"];
    let want = json!({
        "kind": "chat", "patched": false,
        "ttft_ms": 0, "ttft_distribution": "fixed", "ttft_sd_ms": 0,
        "token_delay_ms": 0, "token_delay_distribution": "uniform", "token_delay_sd_ms": 0,
        "jitter": 0.4, "stall_probability": 0.0, "stall_ms": 0,
        "stall_distribution": "fixed", "stall_sd_ms": 0, "prefill_ms_per_1k_tokens": 0,
        "slots": null, "queue": 0, "itl_load_factor": 0.0, "active": 0, "queued": 0,
    });
    assert_eq!(*slow, want);
    assert_eq!(
        listed["profiles"]["sim-embed"],
        json!({"kind": "embedding", "dimensions": 1536})
    );
}

#[tokio::test]
async fn a_patch_applies_to_new_streams_and_a_reload_replaces_it() {
    let app = spawn_app().await;
    let body = json!({"slots": 1, "ttft_ms": 60000, "token_delay_distribution": "lognormal",
        "token_delay_sd_ms": 4, "prefill_ms_per_1k_tokens": 80});
    let (status, patched) = patch(&app, "sim-echo", &body).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        (&patched["slots"], &patched["ttft_ms"], &patched["patched"]),
        (&json!(1), &json!(60000), &json!(true))
    );
    assert_eq!(profiles(&app).await["profiles"]["sim-echo"], patched);
    // The new values are in force: one slot, held a minute by its TTFT.
    let held = open_stream(app.post_chat(json!({"prompt": "hi", "model": "sim-echo"}))).await;
    let echo = gate(&app, "sim-echo");
    until("the slot to be taken", || echo.active() == 1).await;
    let refused = within(
        "refusal",
        app.post_chat(json!({"prompt": "hi", "model": "sim-echo"}))
            .send(),
    )
    .await
    .expect("sent");
    assert_eq!(refused.status(), 503);
    drop(held);
    reload(&app.state, Ok(test_settings())).expect("valid settings");
    let echo = &profiles(&app).await["profiles"]["sim-echo"];
    assert_eq!(
        (&echo["slots"], &echo["ttft_ms"], &echo["patched"]),
        (&json!(null), &json!(0), &json!(false))
    );
}

#[tokio::test]
async fn a_bad_patch_is_refused_with_the_config_files_rules_and_changes_nothing() {
    let app = spawn_app().await;
    let before = profiles(&app).await;
    let rules = "invalid config: models.profiles.sim-echo";
    let cases = [
        ("sim-echo", json!({"jitter": 1.5}), 422, "invalid_setting", format!("{rules}.jitter = 1.5 (allowed: 0 to 1)")),
        ("sim-echo", json!({"queue": 2}), 422, "invalid_setting", format!("{rules}.queue = 2 (allowed: 0 or unset unless slots is set: without slots no stream waits)")),
        ("sim-echo", json!({"slots": 1, "itl_load_factor": 0.5}), 422, "invalid_setting", format!("{rules}.itl_load_factor = 0.5 (allowed: 0 or unset unless slots is at least 2: the curve runs from one stream alone to full slots)")),
        ("sim-echo", json!({"token_delay_sd_ms": 5}), 422, "invalid_setting", format!("{rules}.token_delay_sd_ms = 5 (allowed: 0 or unset while token_delay_distribution is uniform; set token_delay_distribution to normal or lognormal (uniform gaps spread by jitter))")),
        ("sim-echo", json!({"ttft_ms": 700000}), 422, "invalid_setting", format!("{rules}.ttft_ms = 700000 (allowed: 0 to 600000)")),
        ("sim-embed", json!({"ttft_ms": 5}), 422, "invalid_setting", "invalid config: models.profiles.sim-embed.ttft_ms = 5 (allowed: unset: an embedding profile takes only kind, description and dimensions)".to_owned()),
        ("sim-echo", json!({"slots": "four"}), 400, "invalid_parameter", "invalid parameter: slots: invalid type: string \"four\", expected u32".to_owned()),
        ("sim-echo", json!({"stall_distribution": "gamma"}), 400, "invalid_parameter", "invalid parameter: stall_distribution: \"gamma\" is not allowed (allowed: fixed, uniform, normal, lognormal)".to_owned()),
        ("sim-echo", json!({"responder": "canned"}), 400, "invalid_parameter", "invalid parameter: `responder` is not a pacing key; a PATCH changes only ttft_ms, ttft_distribution, ttft_sd_ms, token_delay_ms, token_delay_distribution, token_delay_sd_ms, jitter, stall_probability, stall_ms, stall_distribution, stall_sd_ms, prefill_ms_per_1k_tokens, slots, queue, itl_load_factor, and the other keys change in the config file".to_owned()),
        ("sim-echo", json!([1, 2]), 400, "invalid_parameter", "invalid parameter: invalid type: sequence, expected a map".to_owned()),
        ("gpt-9", json!({"slots": 1}), 404, "unknown_model", "unknown model \"gpt-9\": available models are sim-default, sim-echo, sim-embed, sim-fast, sim-prose, sim-reasoning, sim-slow".to_owned()),
    ];
    for (name, body, status, code, message) in cases {
        let (got, error) = patch(&app, name, &body).await;
        assert_eq!(got, status, "{body}: {error}");
        assert_eq!(error["error"]["code"], code, "{body}");
        assert_eq!(error["error"]["message"], message, "{body}");
    }
    assert_eq!(profiles(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn live_tuning_needs_the_metrics_key_when_metrics_are_protected() {
    let app = spawn_app_with(|s| {
        s.auth.api_keys = vec!["sk-ops".to_owned()];
        s.auth.protect_metrics = true;
    })
    .await;
    let url = app.url("/_trickle/profiles/sim-echo");
    let body = json!({"jitter": 0.1});
    let bare = within("patch", app.client.patch(&url).json(&body).send())
        .await
        .expect("sent");
    assert_eq!(bare.status(), 401);
    let listed = within("list", app.client.get(app.url("/_trickle/profiles")).send())
        .await
        .expect("sent");
    assert_eq!(listed.status(), 401);
    let keyed = app.client.patch(&url).bearer_auth("sk-ops").json(&body);
    assert_eq!(
        within("patch", keyed.send()).await.expect("sent").status(),
        200
    );
}

#[tokio::test]
async fn a_reload_keeps_a_models_slots_unless_their_number_changed() {
    let mut settings = test_settings();
    super::add_busy(&mut settings, "busy", 1, 1, 60_000);
    let app = spawn_app_with(|s| *s = settings.clone()).await;
    let before = gate(&app, "busy");
    let held = open_stream(app.post_chat(json!({"prompt": "hi", "model": "busy"}))).await;
    until("the slot to be taken", || before.active() == 1).await;
    reload(&app.state, Ok(settings.clone())).expect("valid settings");
    let same = gate(&app, "busy");
    assert!(
        std::sync::Arc::ptr_eq(&before, &same),
        "same slots and queue"
    );
    assert_eq!(same.active(), 1, "the stream generating keeps its slot");
    let busy = settings.models.profiles.get_mut("busy").expect("added");
    busy.slots = Some(2);
    reload(&app.state, Ok(settings)).expect("valid settings");
    let resized = gate(&app, "busy");
    assert!(!std::sync::Arc::ptr_eq(&before, &resized), "new slots");
    assert_eq!(
        resized.active(),
        0,
        "the open stream finishes on the old ones"
    );
    drop(held);
}
