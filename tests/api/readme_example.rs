//! The README's Rust test, shown there as it is from the first `use` on
//! (`testing::the_readme_shows_the_examples_ci_runs` keeps the two the same).

use serde_json::{Value, json};
use trickle::journal::Outcome;
use trickle::testing::TestServer;

const FIXTURES: &str = r#"
[[fixture]]
name = "refund policy"
match.user = { contains = "refund" }
reply.text = "Refunds take 5 business days."
"#;

/// The code under test: it asks a model through the OpenAI chat API.
async fn ask(base_url: &str, question: &str) -> String {
    let reply: Value = reqwest::Client::new()
        .post(format!("{base_url}/v1/chat/completions"))
        .bearer_auth("sk-test")
        .json(&json!({
            "model": "sim-default",
            "messages": [{"role": "user", "content": question}],
        }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    reply["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_support_bot_answers_refund_questions_from_the_fixture() {
    let server = TestServer::with_fixtures(FIXTURES)
        .await
        .expect("trickle starts");

    let answer = ask(server.base_url(), "How long does a refund take?").await;

    assert_eq!(answer, "Refunds take 5 business days.");
    let journal = server.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].fixture.as_deref(), Some("refund policy"));
    assert_eq!(journal[0].messages[0].text, "How long does a refund take?");
    assert_eq!(journal[0].outcome, Outcome::Completed);
    server.stop().await;
}
