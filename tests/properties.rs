//! Property tests for what hostile input reaches: the event-stream encoding
//! and resume ids.

use actix_web::body::to_bytes;
use actix_web_lab::sse::{self, Sse};
use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use proptest::prelude::*;
use trickle::sim::ResumeId;
use trickle::sim::responder::normalize_newlines;

/// Encodes one token event as the native framing does, then parses the bytes
/// as a spec-conformant client would.
fn round_trip(token: &str, id: &str) -> Vec<eventsource_stream::Event> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let event: sse::Event = sse::Data::new(token.to_owned()).id(id.to_owned()).into();
        let body = Sse::from_infallible_stream(futures_util::stream::iter([event]));
        let bytes = to_bytes(body).await.expect("encodes");
        futures_util::stream::iter([Ok::<_, std::convert::Infallible>(bytes)])
            .eventsource()
            .map(|e| e.expect("parses"))
            .collect()
            .await
    })
}

proptest! {
    #[test]
    fn any_token_survives_the_event_stream_byte_for_byte(raw in any::<String>(), position in any::<u32>()) {
        let token = normalize_newlines(&raw);
        let id = ResumeId { seed: 1, digest: 2, position }.to_string();
        let events = round_trip(&token, &id);
        prop_assert_eq!(events.len(), 1, "exactly one event, whatever the text");
        prop_assert_eq!(&events[0].event, "message", "no event name can be injected");
        prop_assert_eq!(&events[0].id, &id, "no id can be injected");
        prop_assert_eq!(events[0].retry, None, "no retry can be injected");
        prop_assert_eq!(&events[0].data, &token);
    }

    #[test]
    fn field_lookalikes_stay_data(lines in proptest::collection::vec("(event|id|retry|data|):? ?[a-z0-9 ]{0,8}", 1..6)) {
        let token = lines.join("\n");
        let events = round_trip(&token, "x");
        prop_assert_eq!(events.len(), 1);
        prop_assert_eq!(&events[0].event, "message");
        prop_assert_eq!(&events[0].data, &token);
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
