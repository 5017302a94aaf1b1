//! `/api/tags`, `/api/show`, `/api/version`, and errors in Ollama's shape.

use serde_json::{Value, json};

use super::post;
use crate::helpers::*;

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = within(path, app.client.get(app.url(path)).send())
        .await
        .expect("sent");
    assert_eq!(response.status(), 200, "{path}");
    within("body", response.json()).await.expect("JSON")
}

/// Status and `error` of an error answer, checking it is Ollama's
/// `{"error":"…"}` and nothing else.
async fn error_of(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = within("error", request.send()).await.expect("sent");
    let status = response.status().as_u16();
    let body: Value = within("body", response.json()).await.expect("JSON");
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    (status, body["error"].as_str().expect("error").to_owned())
}

#[tokio::test]
async fn tags_list_the_chat_profiles_as_ollama_models() {
    let app = spawn_app().await;
    let tags = get_json(&app, "/api/tags").await;
    let models = tags["models"].as_array().expect("models");
    let names: Vec<&str> = models.iter().filter_map(|m| m["name"].as_str()).collect();
    assert!(names.contains(&"sim-default:latest") && names.contains(&"sim-echo:latest"));
    assert!(
        !names.iter().any(|n| n.starts_with("sim-embed")),
        "chat models only: {names:?}"
    );
    for model in models {
        assert_eq!(model["model"], model["name"]);
        let digest = model["digest"].as_str().expect("digest");
        assert!(
            digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
            "{digest}"
        );
        humantime::parse_rfc3339(model["modified_at"].as_str().expect("modified_at"))
            .expect("RFC 3339");
        assert!(model["size"].as_u64().is_some_and(|s| s > 0));
        let details = &model["details"];
        for key in ["format", "family", "parameter_size", "quantization_level"] {
            assert!(details[key].is_string(), "details.{key}: {details}");
        }
        assert!(details["families"].is_array());
    }
    let version = get_json(&app, "/api/version").await;
    let version = version["version"].as_str().expect("version");
    assert!(
        version.split('.').all(|n| n.parse::<u32>().is_ok()),
        "{version}"
    );
}

#[tokio::test]
async fn show_describes_a_profile_with_or_without_its_tag() {
    let app = spawn_app().await;
    for body in [
        json!({"model": "sim-echo"}),
        json!({"model": "sim-echo:latest"}),
        json!({"name": "sim-echo"}),
    ] {
        let response = within("show", post(&app, "/api/show", &body).send())
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{body}");
        let shown: Value = response.json().await.expect("JSON");
        assert!(
            shown["model_info"].is_object(),
            "model_info is required by clients"
        );
        assert_eq!(shown["details"]["family"], "trickle");
        assert_eq!(
            shown["capabilities"],
            json!(["completion", "tools", "thinking"])
        );
    }
}

#[tokio::test]
async fn errors_are_ollamas_error_objects() {
    let app = spawn_app().await;
    let hi = json!([{"role": "user", "content": "hi"}]);
    let cases = [
        (
            "/api/chat",
            json!({"model": "llama9", "messages": hi}),
            404,
            "model 'llama9' not found",
            "an unknown model",
        ),
        (
            "/api/generate",
            json!({"model": "sim-echo:7b", "prompt": "hi"}),
            404,
            "model 'sim-echo:7b' not found",
            "a tag other than latest",
        ),
        (
            "/api/show",
            json!({"model": "llama9"}),
            404,
            "model 'llama9' not found",
            "show of an unknown model",
        ),
        (
            "/api/chat",
            json!({"messages": hi}),
            400,
            "model is required",
            "no model",
        ),
        (
            "/api/chat",
            json!({"model": "sim-embed", "messages": hi}),
            400,
            "embedding model",
            "an embedding model",
        ),
        (
            "/api/chat",
            json!({"model": "sim-echo", "messages": [{"role": "system", "content": "x"}]}),
            400,
            "role \"user\"",
            "no user message",
        ),
        (
            "/api/generate",
            json!({"model": "sim-echo", "prompt": "hi", "think": "very"}),
            400,
            "invalid think value",
            "an unknown think level",
        ),
        (
            "/api/generate",
            json!({"model": "sim-echo", "prompt": "hi", "format": "xml"}),
            400,
            "invalid format",
            "a format that is neither json nor a schema",
        ),
        (
            "/api/generate",
            json!({"model": "sim-echo", "prompt": "hi", "raw": true, "system": "x"}),
            400,
            "raw mode",
            "raw with a system prompt",
        ),
        (
            "/api/generate",
            json!({"model": "sim-echo", "prompt": "hi", "options": {"seed": "x"}}),
            400,
            "invalid request body",
            "an option of the wrong type",
        ),
    ];
    for (path, body, status, message, why) in cases {
        let (got, error) = error_of(post(&app, path, &body)).await;
        assert_eq!(got, status, "{why}: {error}");
        assert!(error.contains(message), "{why}: {error}");
    }
    // A wrong method is the route table's JSON 405, in the native shape.
    let response = within("GET /api/chat", app.client.get(app.url("/api/chat")).send())
        .await
        .expect("sent");
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn api_keys_guard_the_ollama_routes_with_bearer_keys() {
    let app = spawn_app_with(|s| s.auth.api_keys = vec!["sk-local".to_owned()]).await;
    let (status, error) = error_of(app.client.get(app.url("/api/tags"))).await;
    assert_eq!(status, 401);
    assert!(error.contains("unauthorized"), "{error}");
    let request = app.client.get(app.url("/api/tags")).bearer_auth("sk-local");
    let response = within("tags", request.send()).await.expect("sent");
    assert_eq!(response.status(), 200);
}
