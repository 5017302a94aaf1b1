use super::*;
use crate::error::ApiError;

fn arrival(session: Option<&str>) -> Arrival {
    Arrival {
        session: session.map(str::to_owned),
        method: "POST".to_owned(),
        route: "/v1/chat/completions".to_owned(),
        api: "openai",
    }
}

fn ids(entries: &[Entry]) -> Vec<u64> {
    entries.iter().map(|e| e.id).collect()
}

#[test]
fn the_oldest_entries_go_first_when_the_journal_is_full() {
    let journal = Journal::default();
    for _ in 0..5 {
        journal.open(arrival(None), 3);
    }
    assert_eq!(ids(&journal.list(None)), [3, 4, 5]);
}

#[test]
fn a_size_of_zero_keeps_nothing() {
    let journal = Journal::default();
    assert!(journal.open(arrival(None), 0).is_none());
    assert!(journal.list(None).is_empty());
}

#[test]
fn sessions_are_listed_and_cleared_apart() {
    let journal = Journal::default();
    journal.open(arrival(Some("a")), 10);
    journal.open(arrival(Some("b")), 10);
    journal.open(arrival(None), 10);
    journal.open(arrival(Some("a")), 10);
    assert_eq!(ids(&journal.list(Some("a"))), [1, 4]);
    assert_eq!(journal.clear(Some("a")), 2);
    assert_eq!(ids(&journal.list(None)), [2, 3]);
    assert_eq!(journal.clear(None), 2);
    let next = journal.open(arrival(None), 10).expect("on");
    assert_eq!(next.entry().id, 5, "ids are not reused after a clear");
}

#[test]
fn a_streams_end_is_its_own_and_the_first_end_wins() {
    let journal = Journal::default();
    let recording = journal.open(arrival(None), 10).expect("on");
    let stream = recording.streaming();
    recording.answered(200, None);
    let open = recording.entry();
    assert_eq!((open.outcome, open.status), (Outcome::Open, Some(200)));
    assert_eq!(open.duration_ms, None);
    stream.ended(metrics::Outcome::Completed, 7);
    stream.ended(metrics::Outcome::ClientGone, 9);
    let done = recording.entry();
    assert_eq!((done.outcome, done.tokens), (Outcome::Completed, 7));
    assert!(done.duration_ms.is_some());
}

#[test]
fn a_running_stream_does_not_keep_an_entry_the_journal_dropped() {
    let journal = Journal::default();
    let stream = journal.open(arrival(None), 1).expect("on").streaming();
    journal.open(arrival(None), 1).expect("on");
    assert!(stream.0.upgrade().is_none(), "the entry is freed");
    stream.ended(metrics::Outcome::Completed, 7);
    assert_eq!(ids(&journal.list(None)), [2]);
}

#[test]
fn an_error_event_is_a_fault_when_one_was_planned() {
    let cases = [
        (None, Outcome::Error, "no fault planned"),
        (Some("stream_error@2"), Outcome::Fault, "a planned fault"),
    ];
    for (fault, outcome, why) in cases {
        let recording = Journal::default().open(arrival(None), 1).expect("on");
        recording.planned(7, fault.map(str::to_owned));
        recording.ended(metrics::Outcome::Error, 2);
        assert_eq!(recording.entry().outcome, outcome, "{why}");
    }
}

#[test]
fn an_answer_without_a_stream_ends_the_entry_by_its_status() {
    let fault = ApiError::InjectedStatus {
        status: 429,
        retry_after: None,
    };
    let cases = [
        (200, None, Outcome::Completed, "a whole reply"),
        (204, None, Outcome::Completed, "nothing left to resume"),
        (404, Some("no_fixture"), Outcome::Error, "an error answer"),
        (
            429,
            Some(fault.code()),
            Outcome::Fault,
            "an injected status",
        ),
    ];
    for (status, code, outcome, why) in cases {
        let recording = Journal::default().open(arrival(None), 1).expect("on");
        recording.answered(status, code);
        let entry = recording.entry();
        assert_eq!(entry.outcome, outcome, "{why}");
        assert_eq!(entry.error_code.as_deref(), code, "{why}");
    }
}

#[test]
fn a_dropped_entry_can_still_be_written_unseen() {
    let journal = Journal::default();
    let first = journal.open(arrival(None), 1).expect("on");
    journal.open(arrival(None), 1);
    first.answered(200, None);
    assert_eq!(ids(&journal.list(None)), [2]);
    assert_eq!(journal.list(None)[0].outcome, Outcome::Open);
}

#[test]
fn an_entry_reads_back_from_its_json() {
    let recording = Journal::default().open(arrival(Some("s")), 1).expect("on");
    let conversation = Conversation::of(
        Some("Be brief.".to_owned()),
        &[("user".to_owned(), "hi".to_owned())],
    );
    recording.asked("sim-default", &conversation);
    recording.matched("greeting");
    recording.answered(200, None);
    let entry = recording.entry();
    let json = serde_json::to_value(&entry).expect("serialises");
    assert_eq!(json["messages"][0]["text"], "hi");
    assert_eq!(json["outcome"], "completed");
    let back: Entry = serde_json::from_value(json).expect("deserialises");
    assert_eq!(back, entry);
}
