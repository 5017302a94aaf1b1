//! The per-token path: when a token is due (schedule), cutting it out of the
//! reply, and framing it as a native event with its resume id. Run with
//! `cargo bench --bench per_token`; regressions show as slower iterations.

use std::hint::black_box;
use std::time::Duration;

use actix_web::body::MessageBody as _;
use actix_web_lab::sse::Sse;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::{StreamExt as _, stream};
use trickle::framing::native;
use trickle::sim::{Pacing, Script, Unit};
use trickle::stream::{Tick, TokenEvent};

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
    c.bench_function("frame and encode: one token event", |b| {
        b.iter_custom(|iterations| {
            let events: Vec<_> = (0..iterations)
                .map(|i| {
                    let index = (i % u64::from(tokens)) as u32;
                    let text = script.chunk(index).expect("in range");
                    Tick::Item(TokenEvent::Token { index, text })
                })
                .collect();
            let body =
                Sse::from_stream(stream::iter(events).map(native::chat_event(42, 0x1fff_fa99)));
            let start = std::time::Instant::now();
            let bytes = runtime.block_on(async {
                let mut body = std::pin::pin!(body);
                let mut total = 0;
                while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await
                {
                    total += chunk.expect("encodes").len();
                }
                total
            });
            black_box(bytes);
            start.elapsed()
        })
    });
}

criterion_group!(benches, per_token);
criterion_main!(benches);
