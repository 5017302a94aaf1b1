//! Time to first token = base + prefill (+ queue): the prefill grows
//! linearly with the prompt's tokens, as counted or as a handler says, and a
//! resumed stream does not pay it again. Read from the plan, no clock.

use std::time::Duration;

use actix_web::test::TestRequest;
use trickle::routes::plan::{PlanRequest, Resume, plan};
use trickle::sim::count_tokens;
use trickle::state::Runtime;

use crate::helpers::test_settings;

fn runtime() -> Runtime {
    let mut settings = test_settings();
    let profile = settings
        .models
        .profiles
        .get_mut("sim-echo")
        .expect("built in");
    profile.ttft_ms = Some(200);
    profile.prefill_ms_per_1k_tokens = Some(150);
    Runtime::new(settings).expect("valid settings")
}

fn ttft(runtime: &Runtime, prompt: &str, prompt_tokens: Option<u32>) -> Duration {
    let request = PlanRequest {
        prompt: Some(prompt.to_owned()),
        model: Some("sim-echo".to_owned()),
        seed: Some(1),
        prompt_tokens,
        ..PlanRequest::default()
    };
    let req = TestRequest::default().to_http_request();
    let planned = plan(&req, runtime, request, Resume::Never).expect("a valid request");
    planned.pacing.ttft
}

#[test]
fn ttft_grows_linearly_with_the_prompts_tokens() {
    let runtime = runtime();
    for words in [1, 10, 100, 1000, 1300] {
        let prompt = "token ".repeat(words);
        let tokens = count_tokens(&prompt);
        let prefill = Duration::from_nanos(150_000_000 * u64::from(tokens) / 1000);
        assert_eq!(
            ttft(&runtime, &prompt, None),
            Duration::from_millis(200) + prefill,
            "{tokens} tokens"
        );
    }
}

#[test]
fn a_handlers_own_token_count_is_used_when_it_gives_one() {
    let runtime = runtime();
    for tokens in [0, 1000, 2000, 4000] {
        let want = Duration::from_millis(200 + 150 * u64::from(tokens) / 1000);
        assert_eq!(ttft(&runtime, "hi", Some(tokens)), want, "{tokens} tokens");
    }
}

#[test]
fn a_resumed_stream_does_not_pay_the_prefill_again() {
    let runtime = runtime();
    let prompt = "token ".repeat(1000);
    let fresh = {
        let request = PlanRequest {
            prompt: Some(prompt.clone()),
            model: Some("sim-echo".to_owned()),
            seed: Some(1),
            ..PlanRequest::default()
        };
        let req = TestRequest::default().to_http_request();
        plan(&req, &runtime, request, Resume::FromLastEventId).expect("valid")
    };
    assert!(
        fresh.pacing.ttft > Duration::from_millis(300),
        "prefill paid"
    );
    let last_id = format!("{}-5", fresh.stream_id());
    let request = PlanRequest {
        prompt: Some(prompt),
        model: Some("sim-echo".to_owned()),
        ..PlanRequest::default()
    };
    let req = TestRequest::default()
        .insert_header(("last-event-id", last_id))
        .to_http_request();
    let resumed = plan(&req, &runtime, request, Resume::FromLastEventId).expect("valid");
    assert_eq!(resumed.pacing.ttft, Duration::from_millis(200));
}
