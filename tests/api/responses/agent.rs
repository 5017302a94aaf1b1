//! One agent loop: a function call, the test runs the tool, its output goes
//! back with the call, and the answer is text about the result.

use serde_json::{Value, json};

use super::{post, stream_of, weather_tool};
use crate::helpers::*;

/// The test's one tool: it reports what it was called with.
fn run_tool(name: &str, arguments: &str) -> String {
    format!("{name} was called with {arguments} and says 21°C")
}

#[tokio::test]
async fn an_agent_loop_ends_with_a_text_answer_about_the_result() {
    let app = spawn_app().await;
    let mut input = vec![json!({"role": "user", "content": "What is the weather in Paris?"})];
    let request = |input: &[Value]| {
        json!({"model": "sim-default", "stream": true, "input": input, "tools": [weather_tool()],
               "parallel_tool_calls": false})
    };
    let got = stream_of(post(&app, &request(&input))).await;
    let first = got.last().expect("events").1["response"].clone();
    assert_eq!(first["status"], "completed");
    let call = first["output"][0].clone();
    assert_eq!(call["type"], "function_call", "{first}");
    let result = run_tool(
        call["name"].as_str().expect("a name"),
        call["arguments"].as_str().expect("arguments"),
    );
    input.push(call.clone());
    input.push(
        json!({"type": "function_call_output", "call_id": call["call_id"], "output": result}),
    );
    let got = stream_of(post(&app, &request(&input))).await;
    let answer = &got.last().expect("events").1["response"];
    assert_eq!(answer["status"], "completed");
    let output = answer["output"].as_array().expect("output");
    assert_eq!(
        (output.len(), &output[0]["type"]),
        (1, &json!("message")),
        "{answer}"
    );
    let text = output[0]["content"][0]["text"].as_str().expect("text");
    assert!(
        text.contains("get_weather") && text.contains(&result),
        "{text}"
    );
}
