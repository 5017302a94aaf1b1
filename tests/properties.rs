//! Property tests for what hostile input reaches: trickle's own framings
//! (native, OpenAI, Anthropic) encoding any token, and resume ids.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::body::to_bytes;
use actix_web::test::TestRequest;
use actix_web_lab::sse::{self, Sse};
use bytestring::ByteString;
use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use proptest::prelude::*;
use serde_json::{Value, json};
use trickle::config::{Overrides, load_with_env};
use trickle::framing::Framing;
use trickle::framing::anthropic::{Message, MessageStream};
use trickle::framing::native::NativeChat;
use trickle::framing::openai::{Completion, CompletionStream};
use trickle::routes::plan::{PlanRequest, Resume, plan};
use trickle::sim::responder::normalize_newlines;
use trickle::sim::{PartKind, Plan, ResumeId};
use trickle::state::Runtime;

/// The built-in settings in force, made once for every case.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let settings =
            load_with_env(&Overrides::default(), Some(HashMap::new())).expect("settings");
        Runtime::new(settings).expect("runtime")
    })
}

/// A plan built the way `/chat` builds one, with `seed`.
fn chat_plan(seed: u64) -> (Plan, &'static Runtime) {
    let runtime = runtime();
    let request = PlanRequest {
        prompt: Some("hi".to_owned()),
        model: Some("sim-echo".to_owned()),
        seed: Some(seed),
        ..PlanRequest::default()
    };
    let req = TestRequest::default().to_http_request();
    let plan = plan(&req, runtime, request, Resume::FromLastEventId).expect("a valid request");
    (plan, runtime)
}

/// Encodes `event` as the server's body does, then parses the bytes as a
/// spec-conformant client would.
fn parse(event: sse::Event) -> Vec<eventsource_stream::Event> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let body = Sse::from_infallible_stream(futures_util::stream::iter([event]));
        let bytes = to_bytes(body).await.expect("encodes");
        futures_util::stream::iter([Ok::<_, std::convert::Infallible>(bytes)])
            .eventsource()
            .map(|e| e.expect("parses"))
            .collect()
            .await
    })
}

/// One token through `/chat`'s framing, parsed back.
fn native_round_trip(
    token: &str,
    seed: u64,
    index: u32,
) -> (Vec<eventsource_stream::Event>, String) {
    let (plan, runtime) = chat_plan(seed);
    let id = plan.stream_id().at(index + 1).to_string();
    let mut framing = NativeChat::new(&plan, &runtime.settings.sse);
    (parse(framing.token(index, 0, ByteString::from(token))), id)
}

/// The JSON of the only event `event` encodes to.
fn only_json(event: sse::Event) -> (String, Value) {
    let events = parse(event);
    assert_eq!(events.len(), 1, "exactly one event");
    let value = serde_json::from_str(&events[0].data).expect("the data is JSON");
    (events[0].event.clone(), value)
}

proptest! {
    #[test]
    fn any_token_survives_the_native_framing_byte_for_byte(raw in any::<String>(), seed in any::<u64>(), index in 0..u32::MAX - 1) {
        let token = normalize_newlines(&raw);
        let (events, id) = native_round_trip(&token, seed, index);
        prop_assert_eq!(events.len(), 1, "exactly one event, whatever the text");
        prop_assert_eq!(&events[0].event, "message", "no event name can be injected");
        prop_assert_eq!(&events[0].id, &id, "no id can be injected");
        prop_assert_eq!(events[0].retry, None, "no retry can be injected");
        prop_assert_eq!(&events[0].data, &token);
    }

    #[test]
    fn field_lookalikes_stay_data(lines in proptest::collection::vec("(event|id|retry|data|):? ?[a-z0-9 ]{0,8}", 1..6)) {
        let token = lines.join("\n");
        let (events, _) = native_round_trip(&token, 1, 0);
        prop_assert_eq!(events.len(), 1);
        prop_assert_eq!(&events[0].event, "message");
        prop_assert_eq!(&events[0].data, &token);
    }

    #[test]
    fn any_token_survives_the_provider_framings_as_json(raw in any::<String>()) {
        let token = normalize_newlines(&raw);
        let mut openai = CompletionStream::new(Completion {
            id: "chatcmpl-1".to_owned(), created: 0, model: "m".to_owned(),
            include_usage: true, prompt_tokens: 1, completion_tokens: 1,
            reasoning_tokens: 0, parts: vec![PartKind::Text],
        });
        let (name, chunk) = only_json(openai.token(0, 0, ByteString::from(token.as_str())));
        prop_assert_eq!(name, "message");
        prop_assert_eq!(&chunk["choices"][0]["delta"], &json!({"content": token}));
        prop_assert_eq!(&chunk["usage"], &Value::Null);
        let mut anthropic = MessageStream::new(Message {
            id: "msg_1".to_owned(), model: "m".to_owned(), input_tokens: 1, output_tokens: 1,
            parts: vec![PartKind::Text],
        });
        let (name, delta) = only_json(anthropic.token(0, 0, ByteString::from(token.as_str())));
        prop_assert_eq!(name, "content_block_delta");
        prop_assert_eq!(delta, json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}}));
    }

    #[test]
    fn resume_ids_round_trip(seed in any::<u64>(), digest in any::<u32>(), position in any::<u32>()) {
        let id = ResumeId { seed, digest, position };
        prop_assert_eq!(id.to_string().parse::<ResumeId>(), Ok(id));
    }

    #[test]
    fn any_text_parses_or_is_rejected_without_panicking(text in ".{0,64}") {
        if let Ok(id) = text.parse::<ResumeId>() {
            prop_assert_eq!(id.to_string().parse::<ResumeId>(), Ok(id));
        }
    }

    #[test]
    fn a_tampered_id_never_reads_as_the_original(seed in any::<u64>(), digest in any::<u32>(), position in any::<u32>(), at in any::<prop::sample::Index>(), with in "[0-9a-z-]") {
        let id = ResumeId { seed, digest, position };
        let mut text = id.to_string().into_bytes();
        let i = at.index(text.len());
        prop_assume!(text[i] != with.as_bytes()[0]);
        text[i] = with.as_bytes()[0];
        let tampered = String::from_utf8(text).expect("ascii");
        prop_assert_ne!(tampered.parse::<ResumeId>().ok(), Some(id));
    }
}
