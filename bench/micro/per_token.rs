//! The per-token path: when a token is due (the grid, and a walked schedule
//! with lognormal gaps and stalls), cutting it out of the reply, and framing
//! it as an event (native, with its resume id, and as an OpenAI chunk). Run
//! with `cargo bench --bench per_token`; regressions show as slower
//! iterations.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use actix_web::body::MessageBody as _;
use actix_web::test::TestRequest;
use actix_web_lab::sse::Sse;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::stream;
use trickle::config::{Overrides, load_with_env};
use trickle::framing::native::NativeChat;
use trickle::framing::openai::{Completion, CompletionStream};
use trickle::framing::{EventStream, Framed, Framing};
use trickle::routes::plan::{PlanRequest, Resume, plan};
use trickle::sim::{
    Distribution, Latency, Pacing, PartKind, Schedule, Script, Spread, Stall, Unit,
};
use trickle::state::Runtime;
use trickle::stream::{Tick, TokenEvent};

/// Frames `iterations` tokens of `script` with `framing` and encodes them
/// as the response body does; returns the time taken.
fn frame_and_encode<F: Framing<Wire = EventStream>>(
    runtime: &tokio::runtime::Runtime,
    script: &Script,
    framing: F,
    iterations: u64,
) -> Duration {
    let tokens = u64::from(script.len());
    let events: Vec<_> = (0..iterations)
        .map(|i| {
            let index = (i % tokens) as u32;
            let text = script.chunk(index).expect("in range");
            Tick::Item(TokenEvent::Token {
                index,
                part: 0,
                text,
            })
        })
        .collect();
    let body = Sse::from_stream(Framed::new(framing, stream::iter(events)));
    let start = std::time::Instant::now();
    let bytes = runtime.block_on(async {
        let mut body = std::pin::pin!(body);
        let mut total = 0;
        while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
            total += chunk.expect("encodes").len();
        }
        total
    });
    black_box(bytes);
    start.elapsed()
}

fn per_token(c: &mut Criterion) {
    let reply = "Streaming replies token by token makes an interface feel alive. ".repeat(10);
    let script = Script::new(reply, Unit::Char);
    let pacing = Pacing {
        ttft: Duration::from_millis(250),
        delay: Duration::from_millis(20),
        jitter: 0.2,
        seed: 42,
    };
    let tokens = script.len();

    c.bench_function("schedule: offset of one token", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % tokens;
            black_box(pacing.offset(black_box(i)))
        })
    });

    let walked = Schedule::new(
        pacing,
        &Latency {
            delay: Some(Spread {
                distribution: Distribution::Lognormal,
                sd: Duration::from_millis(8),
            }),
            stall: Some(Stall {
                probability: 0.01,
                pause: Spread::FIXED.around(Duration::from_millis(500)),
            }),
            load: None,
            recorded: None,
        },
    );
    c.bench_function("schedule: one step of lognormal gaps with stalls", |b| {
        let mut i = 0;
        b.iter(|| {
            i = i % tokens + 1;
            black_box(walked.step(black_box(i)))
        })
    });

    c.bench_function("cut: one token from the reply", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % tokens;
            black_box(script.chunk(black_box(i)))
        })
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let settings = load_with_env(&Overrides::default(), Some(HashMap::new())).expect("settings");
    let server = Runtime::new(settings).expect("built-in runtime");
    let request = PlanRequest {
        prompt: Some("hi".to_owned()),
        seed: Some(42),
        ..PlanRequest::default()
    };
    let req = TestRequest::default().to_http_request();
    let chat = plan(&req, &server, request, Resume::FromLastEventId).expect("a valid request");
    c.bench_function("frame and encode: one native token event", |b| {
        b.iter_custom(|iterations| {
            let framing = NativeChat::new(&chat, &server.settings.sse);
            frame_and_encode(&runtime, &script, framing, iterations)
        })
    });
    c.bench_function("frame and encode: one OpenAI chunk", |b| {
        b.iter_custom(|iterations| {
            let framing = CompletionStream::new(Completion {
                id: "chatcmpl-000000000000002a1ffffa99".to_owned(),
                created: 1_780_000_000,
                model: "sim-default".to_owned(),
                include_usage: true,
                prompt_tokens: 12,
                completion_tokens: 120,
                reasoning_tokens: 0,
                parts: vec![PartKind::Text],
            });
            frame_and_encode(&runtime, &script, framing, iterations)
        })
    });
}

criterion_group!(benches, per_token);
criterion_main!(benches);
