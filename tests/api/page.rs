//! The page's files, its security headers, the model list and health.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_page_and_its_assets_are_served_from_the_binary() {
    let app = spawn_app().await;
    let cases = [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
    ];
    for (path, content_type) in cases {
        let response = within(path, app.client.get(app.url(path)).send())
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{path}");
        let got = response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(got.starts_with(content_type), "{path}: {got}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        if path == "/" {
            let csp = response.headers()["content-security-policy"]
                .to_str()
                .expect("ascii")
                .to_owned();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
            assert!(
                body_text(response)
                    .await
                    .contains("<script src=\"/app.js\" defer>")
            );
        }
    }
    let (status, code, _) = error_of(
        within("404", app.client.get(app.url("/app.jsx")).send())
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
}

#[tokio::test]
async fn page_dir_serves_the_files_from_disk() {
    let dir = std::env::temp_dir().join(format!("trickle-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for name in ["index.html", "app.js", "style.css"] {
        std::fs::write(dir.join(name), format!("edited {name}")).expect("written");
    }
    let app = spawn_app_with(|s| s.page.dir = dir.to_string_lossy().into_owned()).await;
    let text = body_text(
        within("page", app.client.get(app.url("/")).send())
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(text, "edited index.html");
    std::fs::write(dir.join("app.js"), "live edit").expect("rewritten");
    let text = body_text(
        within("js", app.client.get(app.url("/app.js")).send())
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(text, "live edit", "files are re-read on every request");
}

#[tokio::test]
async fn models_are_listed_in_openais_shape() {
    let app = spawn_app().await;
    let response = within("models", app.client.get(app.url("/v1/models")).send())
        .await
        .expect("sent");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["object"], "list");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "sim-default",
            "sim-echo",
            "sim-embed",
            "sim-fast",
            "sim-prose",
            "sim-reasoning",
            "sim-slow"
        ]
    );
    let default = &body["data"][0];
    assert_eq!(
        (
            default["object"].as_str(),
            default["owned_by"].as_str(),
            default["default"].as_bool()
        ),
        (Some("model"), Some("trickle"), Some(true))
    );
}

#[tokio::test]
async fn health_reports_the_open_streams() {
    let app = spawn_app().await;
    let _clock = open_stream(app.get_clock("interval_ms=1000&count=10")).await;
    let body: serde_json::Value = within("healthz", app.client.get(app.url("/healthz")).send())
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        body,
        serde_json::json!({"status": "ok", "open_streams": {"chat": 0, "clock": 1, "openai": 0, "anthropic": 0, "responses": 0, "ai_sdk": 0, "ollama": 0, "gemini": 0}})
    );
}

/// `GET /page/settings.json` as JSON, with its raw text.
async fn page_settings(app: &TestApp) -> (serde_json::Value, String) {
    let response = within(
        "page settings",
        app.client.get(app.url("/page/settings.json")).send(),
    )
    .await
    .expect("sent");
    assert_eq!(
        response.status(),
        200,
        "GET /page/settings.json, without a key"
    );
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let text = body_text(response).await;
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    (body, text)
}

#[tokio::test]
async fn page_settings_are_the_settings_in_force_and_need_no_key() {
    let app = spawn_app_with(|s| {
        s.clock.interval_ms = 300;
        s.clock.count = 4;
        s.limits.max_prompt_chars = 500;
        s.limits.max_token_delay_ms = 900;
        s.limits.min_clock_interval_ms = 20;
        s.limits.max_clock_interval_ms = 30_000;
        s.limits.max_clock_count = 50;
        s.stream.token_delay_ms = 35;
        s.models.default = "sim-fast".to_owned();
        s.auth.api_keys = vec!["sk-page-secret".to_owned()];
    })
    .await;
    let (body, text) = page_settings(&app).await;
    assert!(!text.contains("sk-page-secret"), "a key leaked: {text}");
    assert_eq!(body["clock"], json!({"interval_ms": 300, "count": 4}));
    assert_eq!(
        body["limits"],
        json!({
            "max_prompt_chars": 500,
            "max_token_delay_ms": 900,
            "min_clock_interval_ms": 20,
            "max_clock_interval_ms": 30_000,
            "max_clock_count": 50,
        })
    );
    assert_eq!(
        body["default_model"],
        json!({"id": "sim-fast", "token_delay_ms": 35})
    );
}

#[tokio::test]
async fn starter_prompts_come_from_the_canned_rules_in_force() {
    let app = spawn_app().await;
    let (body, _) = page_settings(&app).await;
    let built_in = body["starters"].as_array().expect("starters");
    for expected in ["hi", "who are you", "poem"] {
        assert!(
            built_in.contains(&json!(expected)),
            "{expected}: {built_in:?}"
        );
    }

    let dir = std::env::temp_dir().join(format!("trickle-starters-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("responses.toml");
    std::fs::write(
        &file,
        r#"
defaults = ["no rule matched"]

[[rules]]
contains = "Tell me a secret"
reply = "a secret"

[[rules]]
regex = '(?i)\b(weather|rain)\b'
reply = "sunny"

[[rules]]
regex = '^\d+$'
reply = "a number"
"#,
    )
    .expect("written");
    let app = spawn_app_with(|s| s.responses.file = file.to_string_lossy().into_owned()).await;
    let (body, _) = page_settings(&app).await;
    assert_eq!(body["starters"], json!(["tell me a secret", "weather"]));
    for (prompt, reply_text) in [("tell me a secret", "a secret"), ("weather", "sunny")] {
        let events = events(open_stream(app.post_chat(json!({"prompt": prompt}))).await).await;
        assert_eq!(reply(&events).text, reply_text, "{prompt}");
    }
}
