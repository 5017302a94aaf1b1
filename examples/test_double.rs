//! trickle as a test double inside a Rust program: a server on a free port
//! with fixtures written in code, two requests as the code under test would
//! send them (one whole, one streamed), and the journal of what it received.
//!
//! ```sh
//! cargo run --example test_double
//! ```

use futures_util::StreamExt as _;
use serde_json::{Value, json};
use trickle::testing::TestServer;

/// What the model answers: a text for one question, a tool call for
/// another.
const FIXTURES: &str = r#"
[[fixture]]
name = "capital"
match.user = { contains = "capital of France" }
reply.text = "Paris."

[[fixture]]
name = "weather"
match = { user = { contains = "weather" }, tools = true }
reply.tool_calls = [{ name = "get_weather", arguments = { city = "Paris" } }]
"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = TestServer::with_fixtures(FIXTURES).await?;
    println!("trickle listens on {}", server.base_url());
    let client = reqwest::Client::new();
    let url = format!("{}/v1/chat/completions", server.base_url());

    let ask = json!({"model": "sim-default",
        "messages": [{"role": "user", "content": "What is the capital of France?"}]});
    let reply: Value = client.post(&url).json(&ask).send().await?.json().await?;
    println!("whole reply: {}", reply["choices"][0]["message"]["content"]);

    let tools = json!([{"type": "function", "function": {"name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]);
    let ask = json!({"model": "sim-default", "stream": true, "tools": tools,
        "messages": [{"role": "user", "content": "What is the weather like?"}]});
    let mut body = client.post(&url).json(&ask).send().await?.bytes_stream();
    let mut events = 0;
    while let Some(bytes) = body.next().await {
        events += String::from_utf8_lossy(&bytes?).matches("data: ").count();
    }
    println!("streamed reply: {events} events");

    for entry in server.journal() {
        let asked = entry.messages.last().map_or("", |m| m.text.as_str());
        println!(
            "#{} {} {} {asked:?}: fixture {:?}, {:?}, {} tokens",
            entry.id, entry.method, entry.route, entry.fixture, entry.outcome, entry.tokens
        );
    }
    server.stop().await;
    Ok(())
}
