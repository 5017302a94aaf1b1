//! Gemini's model list under both versions, `/v1/models` answered in
//! Google's shape only to Google clients, and keys by `x-goog-api-key` or
//! `?key=` with errors in Google's shape.

use reqwest::RequestBuilder;
use serde_json::{Value, json};

use super::{call, user};
use crate::helpers::*;

async fn json_of(what: &str, request: RequestBuilder) -> (u16, Value) {
    let response = within(what, request.send()).await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

fn names(list: &Value) -> Vec<&str> {
    (list["models"].as_array().expect("models").iter())
        .map(|m| m["name"].as_str().expect("a name"))
        .collect()
}

#[tokio::test]
async fn the_model_list_is_googles_under_v1beta_and_pages() {
    let app = spawn_app().await;
    let get = |path: &str| app.client.get(app.url(path));
    let (status, list) = json_of("list", get("/v1beta/models")).await;
    assert_eq!(status, 200);
    let all = names(&list);
    assert!(
        all.contains(&"models/sim-default") && all.contains(&"models/sim-echo"),
        "{list}"
    );
    assert!(
        !all.contains(&"models/sim-embed"),
        "embedding models are not Gemini's to serve"
    );
    let default = &list["models"][all
        .iter()
        .position(|n| *n == "models/sim-default")
        .expect("listed")];
    assert_eq!(
        default["supportedGenerationMethods"],
        json!(["generateContent", "countTokens"])
    );
    assert_eq!(default["displayName"], "sim-default");
    let (_, first) = json_of("page 1", get("/v1beta/models?pageSize=2")).await;
    assert_eq!(names(&first), all[..2]);
    let token = first["nextPageToken"].as_str().expect("a next page");
    let (_, second) = json_of(
        "page 2",
        get(&format!("/v1beta/models?pageSize=2&pageToken={token}")),
    )
    .await;
    assert_eq!(names(&second), all[2..4.min(all.len())]);
    let (status, one) = json_of("one", get("/v1beta/models/sim-echo")).await;
    assert_eq!((status, &one["name"]), (200, &json!("models/sim-echo")));
    let (status, missing) = json_of("missing", get("/v1beta/models/nope")).await;
    assert_eq!(
        (status, &missing["error"]["status"]),
        (404, &json!("NOT_FOUND")),
        "{missing}"
    );
}

#[tokio::test]
async fn v1_models_is_googles_only_for_a_google_client() {
    let app = spawn_app().await;
    let get = |path: &str| app.client.get(app.url(path));
    let (_, openai) = json_of("OpenAI's", get("/v1/models")).await;
    assert_eq!(openai["object"], "list", "{openai}");
    for (what, request) in [
        (
            "x-goog-api-client",
            get("/v1/models").header("x-goog-api-client", "google-genai-sdk/3.3.0"),
        ),
        (
            "x-goog-api-key",
            get("/v1/models").header("x-goog-api-key", "any"),
        ),
        ("?key=", get("/v1/models?key=any")),
    ] {
        let (status, google) = json_of(what, request).await;
        assert_eq!(status, 200, "{what}");
        assert!(
            names(&google).contains(&"models/sim-default"),
            "{what}: {google}"
        );
        assert_eq!(google.get("object"), None, "{what}");
    }
    let (status, one) = json_of("one", get("/v1/models/sim-echo?key=any")).await;
    assert_eq!((status, &one["name"]), (200, &json!("models/sim-echo")));
    let (status, _) = json_of("one, not Google", get("/v1/models/sim-echo")).await;
    assert_eq!(status, 404, "OpenAI's clients get no Google object");
}

#[tokio::test]
async fn keys_come_by_header_or_query_and_errors_take_googles_shape() {
    let app = spawn_app_with(|s| s.auth.api_keys = vec!["sk-test".into()]).await;
    let generate = |version: &str| call(&app, version, "sim-echo:generateContent", &user("hi"));
    let refused = [
        ("no key", generate("/v1beta")),
        (
            "wrong header",
            generate("/v1beta").header("x-goog-api-key", "sk-nope"),
        ),
        (
            "wrong query",
            call(
                &app,
                "/v1",
                "sim-echo:generateContent?key=sk-nope",
                &user("hi"),
            ),
        ),
        ("list", app.client.get(app.url("/v1beta/models"))),
        (
            "Google's /v1/models",
            app.client
                .get(app.url("/v1/models"))
                .header("x-goog-api-client", "x"),
        ),
    ];
    for (what, request) in refused {
        let (status, body) = json_of(what, request).await;
        assert_eq!(status, 401, "{what}");
        assert_eq!(
            (&body["error"]["code"], &body["error"]["status"]),
            (&json!(401), &json!("UNAUTHENTICATED")),
            "{what}: {body}"
        );
    }
    let (_, body) = json_of("no key", generate("/v1")).await;
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(
        message.contains("x-goog-api-key") && message.contains("?key="),
        "{message}"
    );
    let accepted = [
        (
            "header",
            generate("/v1beta").header("x-goog-api-key", "sk-test"),
        ),
        (
            "query",
            call(
                &app,
                "/v1",
                "sim-echo:generateContent?key=sk-test",
                &user("hi"),
            ),
        ),
        ("bearer", generate("/v1").bearer_auth("sk-test")),
        ("list", app.client.get(app.url("/v1/models?key=sk-test"))),
    ];
    for (what, request) in accepted {
        let (status, body) = json_of(what, request).await;
        assert_eq!(status, 200, "{what}: {body}");
    }
    let (status, openai) = json_of(
        "OpenAI's list",
        app.client.get(app.url("/v1/models")).bearer_auth("sk-test"),
    )
    .await;
    assert_eq!((status, &openai["object"]), (200, &json!("list")));
}
