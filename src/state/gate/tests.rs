//! The gate without a server: slots, the queue's order, refusals with the
//! expected wait, and a waiting stream that leaves.

use super::*;

fn gate(slots: u32, queue: u32) -> Arc<Gate> {
    Arc::new(Gate::sized("m", slots, queue, Duration::from_secs(4)))
}

/// Polls once: the slot if the stream's turn has come.
fn ready(waiting: &mut Waiting) -> Option<Slot> {
    let mut cx = Context::from_waker(Waker::noop());
    match Pin::new(waiting).poll(&mut cx) {
        Poll::Ready(slot) => Some(slot),
        Poll::Pending => None,
    }
}

fn now(entry: Result<Entry, ApiError>) -> Slot {
    match entry {
        Ok(Entry::Now(slot)) => slot,
        Ok(Entry::Queued(_)) => panic!("queued, expected a slot"),
        Err(e) => panic!("refused: {e}"),
    }
}

fn queued(entry: Result<Entry, ApiError>) -> Waiting {
    match entry {
        Ok(Entry::Queued(waiting)) => waiting,
        Ok(Entry::Now(_)) => panic!("a slot at once, expected to wait"),
        Err(e) => panic!("refused: {e}"),
    }
}

#[tokio::test]
async fn past_the_slots_streams_wait_and_past_the_queue_they_are_refused() {
    let gate = gate(2, 2);
    let a = now(gate.enter());
    let _b = now(gate.enter());
    let _c = queued(gate.enter());
    let _d = queued(gate.enter());
    assert_eq!((gate.active(), gate.waiting()), (2, 2));
    let Err(ApiError::Overloaded {
        slots,
        queue,
        retry_after,
        ..
    }) = gate.enter()
    else {
        panic!("the fifth stream is refused");
    };
    // Third in line behind a full queue of two: 3 × 4 s ÷ 2 slots.
    assert_eq!((slots, queue, retry_after), (2, 2, Duration::from_secs(6)));
    drop(a);
    assert_eq!(gate.active(), 1);
}

#[tokio::test]
async fn waiting_streams_get_slots_in_the_order_they_came() {
    let gate = gate(1, 3);
    let a = now(gate.enter());
    let mut queue: Vec<Waiting> = (0..3).map(|_| queued(gate.enter())).collect();
    assert!(queue.iter_mut().all(|w| ready(w).is_none()));
    let mut holder = a;
    for turn in 0..3 {
        drop(holder);
        let slot = ready(&mut queue[turn]).expect("the next in line gets the slot");
        for later in &mut queue[turn + 1..] {
            assert!(
                ready(later).is_none(),
                "turn {turn}: a later one jumped the queue"
            );
        }
        assert_eq!(gate.waiting(), 2 - turn);
        holder = slot;
    }
    assert_eq!((gate.active(), gate.waiting()), (1, 0));
}

#[tokio::test]
async fn a_stream_that_leaves_the_queue_frees_its_place_at_once() {
    let gate = gate(1, 1);
    let a = now(gate.enter());
    let left = queued(gate.enter());
    assert!(gate.enter().is_err(), "the queue is full");
    drop(left);
    assert_eq!(gate.waiting(), 0);
    let mut next = queued(gate.enter());
    drop(a);
    assert!(
        ready(&mut next).is_some(),
        "the slot goes to the one still waiting"
    );
}

#[tokio::test(start_paused = true)]
async fn the_expected_wait_follows_how_long_slots_are_held() {
    let gate = gate(2, 0);
    assert_eq!(
        gate.expected_wait(1),
        Duration::from_secs(2),
        "prior: 4 s ÷ 2"
    );
    let slot = now(gate.enter());
    tokio::time::advance(Duration::from_secs(10)).await;
    drop(slot);
    assert_eq!(gate.expected_wait(1), Duration::from_secs(5), "10 s ÷ 2");
    assert_eq!(gate.expected_wait(3), Duration::from_secs(15));
}

#[tokio::test]
async fn without_slots_streams_are_only_counted() {
    let gate = gate(0, 0);
    let slots: Vec<Slot> = (0..50).map(|_| now(gate.enter())).collect();
    assert_eq!(gate.active(), 50);
    drop(slots);
    assert_eq!(gate.active(), 0);
}
