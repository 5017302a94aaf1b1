//! The page's files, its security headers, the model list and health.

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
        serde_json::json!({"status": "ok", "open_streams": {"chat": 0, "clock": 1, "openai": 0, "anthropic": 0}})
    );
}
