//! The request journal over HTTP: an entry per request to every API, with
//! its route, model, messages, fixture, outcome and tokens; refusals and
//! faults; sessions, `DELETE`, the size bound, keys kept out, and the same
//! protection as `/metrics`.

use futures_util::StreamExt as _;
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use trickle::journal::{Entry, Outcome};

use crate::helpers::*;

const SESSION: &str = "x-trickle-session";

/// The journal's entries, one session's or (with `None`) all of them.
async fn journal(app: &TestApp, session: Option<&str>) -> Vec<Entry> {
    let mut request = app.client.get(app.url("/_trickle/requests"));
    if let Some(session) = session {
        request = request.header(SESSION, session);
    }
    let body: Value = within("journal", async {
        request.send().await.expect("sent").json().await
    })
    .await
    .expect("JSON");
    serde_json::from_value(body["requests"].clone()).expect("entries")
}

/// Sends `request` in `session` and reads the whole answer.
async fn send(request: RequestBuilder, session: &str) -> (u16, String) {
    let response = within("response", request.header(SESSION, session).send())
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, body_text(response).await)
}

fn user(entry: &Entry) -> &str {
    let last = entry.messages.last().expect("a message");
    assert_eq!(last.role, "user", "{entry:?}");
    &last.text
}

#[tokio::test]
async fn every_api_journals_its_route_model_messages_outcome_and_tokens() {
    let app = spawn_app().await;
    let chat =
        json!({"model": "sim-echo", "messages": [{"role": "user", "content": "hello journal"}]});
    let streamed = json!({"model": "sim-echo", "stream": true, "messages": [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "hello journal"}]});
    let ui = json!({"id": "c", "model": "sim-echo", "trigger": "submit-message", "messages": [
        {"id": "u1", "role": "user", "parts": [{"type": "text", "text": "hello journal"}]}]});
    let gemini = json!({"contents": [{"role": "user", "parts": [{"text": "hello journal"}]}]});
    let anthropic = json!({"model": "sim-echo", "max_tokens": 100, "messages": chat["messages"]});
    let generate = json!({"model": "sim-echo", "prompt": "hello journal"});
    let gemini_path = |method: &str| format!("/v1beta/models/sim-echo:{method}");
    let gemini_route = |method: &str| format!("/v1beta/models/{{model}}:{method}");
    let cases = [
        (
            "/chat".to_owned(),
            json!({"prompt": "hello journal", "model": "sim-echo"}),
            "chat",
        ),
        ("/v1/chat/completions".to_owned(), streamed, "openai"),
        ("/v1/chat/completions".to_owned(), chat.clone(), "openai"),
        (
            "/v1/responses".to_owned(),
            json!({"model": "sim-echo", "input": "hello journal"}),
            "responses",
        ),
        ("/v1/messages".to_owned(), anthropic, "anthropic"),
        (gemini_path("generateContent"), gemini.clone(), "gemini"),
        (gemini_path("streamGenerateContent"), gemini, "gemini"),
        ("/api/chat".to_owned(), chat, "ollama"),
        ("/api/generate".to_owned(), generate, "ollama"),
        ("/ai-sdk/chat".to_owned(), ui, "ai_sdk"),
    ];
    for (i, (path, body, api)) in cases.into_iter().enumerate() {
        let route = match path.rsplit_once(':') {
            Some((_, method)) => gemini_route(method),
            None => path.clone(),
        };
        let session = format!("api-{i}");
        let (status, text) = send(app.client.post(app.url(&path)).json(&body), &session).await;
        assert_eq!(status, 200, "{path}: {text}");
        let entries = journal(&app, Some(&session)).await;
        let [entry] = entries.as_slice() else {
            panic!("{path}: one entry, not {entries:?}")
        };
        let why = format!("{path}: {entry:?}");
        assert_eq!((entry.api.as_str(), &entry.route), (api, &route), "{why}");
        assert_eq!(entry.method, "POST", "{why}");
        assert_eq!(entry.model.as_deref(), Some("sim-echo"), "{why}");
        assert_eq!(user(entry), "hello journal", "{why}");
        assert_eq!(
            (entry.outcome, entry.status),
            (Outcome::Completed, Some(200)),
            "{why}"
        );
        assert!(entry.tokens > 0 && entry.seed.is_some(), "{why}");
        assert!(
            entry.fixture.is_none() && entry.duration_ms.is_some(),
            "{why}"
        );
        assert_eq!(entry.session.as_deref(), Some(session.as_str()), "{why}");
    }
    let system = &journal(&app, Some("api-1")).await[0];
    assert_eq!(system.system.as_deref(), Some("Be brief."));
}

#[tokio::test]
async fn embeddings_are_journaled_with_their_inputs() {
    let app = spawn_app().await;
    let body = json!({"model": "sim-embed", "input": ["one", "two"], "encoding_format": "float"});
    let request = app.client.post(app.url("/v1/embeddings")).json(&body);
    assert_eq!(send(request, "embed").await.0, 200);
    let entry = &journal(&app, Some("embed")).await[0];
    assert_eq!(
        (entry.api.as_str(), entry.outcome),
        ("embeddings", Outcome::Completed)
    );
    let inputs: Vec<(&str, &str)> = (entry.messages.iter())
        .map(|m| (m.role.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(inputs, [("input", "one"), ("input", "two")]);
    assert_eq!(
        (entry.model.as_deref(), entry.tokens),
        (Some("sim-embed"), 0)
    );
}

const FIXTURES: &str = r#"
[[fixture]]
name = "refusal"
match.user = { exact = "refuse" }
reply.error = { status = 429, message = "slow down" }

[[fixture]]
name = "greeting"
match.user = { exact = "hi" }
reply.text = "Hello from the fixture."
"#;

#[tokio::test]
async fn refusals_before_the_stream_are_entries_with_their_status() {
    let server = trickle::testing::TestServer::start_with_fixtures(
        {
            let mut s = test_settings();
            s.faults.allow_header = true;
            s
        },
        FIXTURES,
    )
    .await
    .expect("starts");
    let app = TestApp::of(server);
    let chat = |body: Value| app.client.post(app.url("/v1/chat/completions")).json(&body);
    let ask = |text: &str| json!({"model": "sim-default", "messages": [{"role": "user", "content": text}]});
    let bad_json = app
        .client
        .post(app.url("/v1/chat/completions"))
        .header("content-type", "application/json")
        .body("{not json");
    let cases = [
        (
            chat(ask("hi")),
            200,
            Outcome::Completed,
            None,
            Some("greeting"),
        ),
        (
            chat(ask("refuse")),
            429,
            Outcome::Error,
            Some("fixture_error"),
            Some("refusal"),
        ),
        (
            bad_json,
            400,
            Outcome::Error,
            Some("invalid_parameter"),
            None,
        ),
        (
            app.post_chat(json!({"prompt": "hi there", "model": "nope"})),
            404,
            Outcome::Error,
            Some("unknown_model"),
            None,
        ),
        (
            chat(ask("fault")).header("x-trickle-fault", "status=503"),
            503,
            Outcome::Fault,
            Some("injected_fault"),
            None,
        ),
    ];
    for (i, (request, status, outcome, code, fixture)) in cases.into_iter().enumerate() {
        let session = format!("refused-{i}");
        assert_eq!(send(request, &session).await.0, status, "case {i}");
        let entry = &journal(&app, Some(&session)).await[0];
        let why = format!("case {i}: {entry:?}");
        assert_eq!(
            (entry.status, entry.outcome),
            (Some(status), outcome),
            "{why}"
        );
        assert_eq!(entry.error_code.as_deref(), code, "{why}");
        assert_eq!(entry.fixture.as_deref(), fixture, "{why}");
    }
    let unknown = &journal(&app, Some("refused-3")).await[0];
    assert_eq!(unknown.model.as_deref(), Some("nope"));
    assert_eq!(
        user(unknown),
        "hi there",
        "the messages of a refused request"
    );
    let fault = &journal(&app, Some("refused-4")).await[0];
    assert_eq!(fault.fault.as_deref(), Some("status=503"));
}

#[tokio::test]
async fn stream_faults_and_a_client_that_leaves_are_told_apart() {
    let app = spawn_app_with(|s| s.faults.allow_header = true).await;
    let body = json!({"prompt": "explain faults", "model": "sim-prose", "seed": 3});
    for (fault, session) in [("stream_error@2", "error"), ("disconnect@3", "cut")] {
        let request = app.post_chat(body.clone()).header("x-trickle-fault", fault);
        // A cut can come before the headers leave: only the end matters.
        if let Ok(response) = within("response", request.header(SESSION, session).send()).await {
            let _ = within("body", response.bytes()).await;
        }
        let entry = &journal(&app, Some(session)).await[0];
        assert_eq!(entry.outcome, Outcome::Fault, "{fault}: {entry:?}");
        assert_eq!(entry.fault.as_deref(), Some(fault));
        assert_eq!(
            entry.tokens,
            if session == "cut" { 3 } else { 2 },
            "{fault}"
        );
    }
    let slow = json!({"prompt": "explain faults", "model": "sim-prose", "token_delay_ms": 200});
    let response = open_stream(app.post_chat(slow).header(SESSION, "gone")).await;
    let mut body = response.bytes_stream();
    within("first bytes", body.next())
        .await
        .expect("bytes")
        .expect("ok");
    let open = &journal(&app, Some("gone")).await[0];
    assert_eq!((open.outcome, open.status), (Outcome::Open, Some(200)));
    drop(body);
    let gone = within("the client_gone entry", async {
        loop {
            let entry = journal(&app, Some("gone")).await.remove(0);
            if entry.outcome != Outcome::Open {
                return entry;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(gone.outcome, Outcome::ClientGone, "{gone:?}");
}

#[tokio::test]
async fn each_session_sees_and_deletes_only_its_own_entries() {
    let app = spawn_app().await;
    for (session, prompt) in [("a", "one"), ("b", "two"), ("a", "three")] {
        send(app.post_chat(json!({"prompt": prompt})), session).await;
    }
    let a: Vec<String> = (journal(&app, Some("a")).await.iter())
        .map(|e| user(e).to_owned())
        .collect();
    assert_eq!(a, ["one", "three"], "newest last");
    let by_query = app.client.get(app.url("/_trickle/requests?session=b"));
    let body: Value = within("b", async {
        by_query.send().await.expect("sent").json().await
    })
    .await
    .expect("JSON");
    assert_eq!(body["requests"][0]["messages"][0]["text"], "two");
    let delete = app
        .client
        .delete(app.url("/_trickle/requests"))
        .header(SESSION, "a");
    let deleted: Value = within("delete", async {
        delete.send().await.expect("sent").json().await
    })
    .await
    .expect("JSON");
    assert_eq!(deleted, json!({"deleted": 2}));
    assert_eq!(journal(&app, None).await.len(), 1, "b's entry stays");
    let delete = app.client.delete(app.url("/_trickle/requests")).send();
    let deleted = within("delete all", delete).await.expect("sent");
    assert_eq!(body_text(deleted).await, r#"{"deleted":1}"#);
    assert!(journal(&app, None).await.is_empty());
}

#[tokio::test]
async fn the_journal_keeps_the_newest_requests_up_to_its_size() {
    let app = spawn_app_with(|s| s.journal.size = 3).await;
    for i in 1..=5 {
        send(app.post_chat(json!({"prompt": format!("prompt {i}")})), "s").await;
    }
    let kept: Vec<String> = (journal(&app, None).await.iter())
        .map(|e| format!("{} {}", e.id, user(e)))
        .collect();
    assert_eq!(kept, ["3 prompt 3", "4 prompt 4", "5 prompt 5"]);
    let off = spawn_app_with(|s| s.journal.size = 0).await;
    send(off.post_chat(json!({"prompt": "hi"})), "s").await;
    assert!(journal(&off, None).await.is_empty(), "size 0 keeps nothing");
}

#[tokio::test]
async fn api_keys_never_reach_the_journal() {
    let key = "sk-secret-journal-key";
    let app = spawn_app_with(|s| s.auth.api_keys = vec![key.to_owned()]).await;
    let bearer = format!("Bearer {key}");
    let ask = json!({"model": "sim-echo", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]});
    let requests = [
        app.post_chat(json!({"prompt": "hi"}))
            .header("authorization", &bearer),
        (app.client.post(app.url("/v1/chat/completions")))
            .header("authorization", &bearer)
            .json(&ask),
        (app.client.post(app.url("/v1/messages")))
            .header("x-api-key", key)
            .json(&ask),
        (app.client
            .post(app.url("/v1beta/models/sim-echo:generateContent")))
        .header("x-goog-api-key", key)
        .json(&json!({"contents": [{"parts": [{"text": "hi"}]}]})),
        (app.client.post(app.url(&format!(
            "/v1beta/models/sim-echo:generateContent?key={key}"
        ))))
        .json(&json!({"contents": [{"parts": [{"text": "hi"}]}]})),
        (app.client.post(app.url("/v1/chat/completions")))
            .header("authorization", &bearer)
            .body("{not json"),
    ];
    for (i, request) in requests.into_iter().enumerate() {
        let (status, text) = send(request, "keys").await;
        assert!(
            status == 200 || status == 400,
            "request {i}: {status} {text}"
        );
    }
    let text = within("journal", async {
        let response = app.client.get(app.url("/_trickle/requests")).send().await;
        response.expect("sent").text().await
    })
    .await
    .expect("text");
    assert_eq!(journal(&app, None).await.len(), 6, "{text}");
    assert!(!text.contains(key), "a key in the journal: {text}");
    assert!(!text.to_lowercase().contains("bearer"), "{text}");
}

#[tokio::test]
async fn the_journal_is_protected_like_the_metrics() {
    let key = "sk-journal";
    for protect in [false, true] {
        let app = spawn_app_with(|s| {
            s.auth.api_keys = vec![key.to_owned()];
            s.auth.protect_metrics = protect;
        })
        .await;
        for (path, method) in [
            ("/metrics", "GET"),
            ("/_trickle/requests", "GET"),
            ("/_trickle/requests", "DELETE"),
        ] {
            let request = |with_key: bool| {
                let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
                let request = app.client.request(method, app.url(path));
                if with_key {
                    request.bearer_auth(key)
                } else {
                    request
                }
            };
            let without = send(request(false), "s").await.0;
            assert_eq!(
                without,
                if protect { 401 } else { 200 },
                "{method} {path}, protect_metrics = {protect}"
            );
            assert_eq!(
                send(request(true), "s").await.0,
                200,
                "{method} {path} with the key"
            );
        }
    }
}
