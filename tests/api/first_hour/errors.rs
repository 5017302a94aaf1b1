//! Request errors a new user runs into, each with a message that says what
//! to send instead. The decoding of bodies and query strings gives them, so
//! every route that decodes parameters gets the same words.

use crate::helpers::*;

#[tokio::test]
async fn curl_d_with_plain_text_says_the_body_was_read_as_a_form() {
    let app = spawn_app().await;
    // What `curl -d hi` sends.
    let request = app
        .client
        .post(app.url("/chat"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("hi");
    let (status, code, message) =
        error_of(within("-d hi", request.send()).await.expect("sent")).await;
    assert_eq!(
        (status, code.as_str()),
        (400, "invalid_parameter"),
        "{message}"
    );
    for hint in [
        "the body was read as a form",
        "curl -d",
        r#"-d '{"prompt":"hi"}'"#,
    ] {
        assert!(
            message.contains(hint),
            "{message:?} should mention {hint:?}"
        );
    }
}

#[tokio::test]
async fn numbers_say_what_fits_their_field() {
    let app = spawn_app().await;
    let post = |body: &str| {
        app.client
            .post(app.url("/chat"))
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    let form = |body: &str| {
        app.client
            .post(app.url("/chat"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
    };
    let cases = [
        (
            "a string for the seed in JSON",
            post(r#"{"prompt":"hi","seed":"x"}"#),
            400,
            "invalid_parameter",
            "seed must be an integer from 0 to 18446744073709551615",
        ),
        (
            "a word for the seed in a query",
            app.get_chat("prompt=hi&seed=abc"),
            400,
            "invalid_parameter",
            "seed must be an integer from 0 to 18446744073709551615",
        ),
        (
            "a fraction for the seed in a form body",
            form("prompt=hi&seed=1.5"),
            400,
            "invalid_parameter",
            "seed must be an integer from 0 to 18446744073709551615",
        ),
        (
            "a seed past 2^64 in JSON",
            post(r#"{"prompt":"hi","seed":18446744073709551616}"#),
            422,
            "out_of_range",
            "seed = 18446744073709551616: must be at most 18446744073709551615",
        ),
        (
            "a seed past 2^64 in a query",
            app.get_chat("prompt=hi&seed=18446744073709551616"),
            422,
            "out_of_range",
            "seed = 18446744073709551616: must be at most 18446744073709551615",
        ),
        (
            "a negative seed",
            post(r#"{"prompt":"hi","seed":-1}"#),
            422,
            "out_of_range",
            "seed = -1: must be at least 0",
        ),
        (
            "a clock count far past the limit",
            app.get_clock("count=1000000000000"),
            422,
            "out_of_range",
            "count = 1000000000000: must be 1 to 1000 (limits.max_clock_count)",
        ),
        (
            "a clock interval past 2^64",
            app.get_clock("interval_ms=99999999999999999999"),
            422,
            "out_of_range",
            "interval_ms = 99999999999999999999: must be at most 18446744073709551615",
        ),
    ];
    for (what, request, status, code, hint) in cases {
        let response = within(what, request.send()).await.expect("sent");
        let (got_status, got_code, message) = error_of(response).await;
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code),
            "{what}: {message}"
        );
        assert!(
            message.contains(hint),
            "{what}: {message:?} should contain {hint:?}"
        );
    }
}

#[tokio::test]
async fn provider_bodies_get_the_same_wording_in_their_own_shape() {
    let app = spawn_app().await;
    let body = serde_json::json!({"model": "sim-default", "seed": "x",
        "messages": [{"role": "user", "content": "hi"}]});
    let request = app.client.post(app.url("/v1/chat/completions")).json(&body);
    let response = within("completion", request.send()).await.expect("sent");
    assert_eq!(response.status(), 400);
    let error: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(error["error"]["param"], "body");
    let message = error["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("seed must be an integer from 0 to 18446744073709551615"),
        "{message}"
    );
}
