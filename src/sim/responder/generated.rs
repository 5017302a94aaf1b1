//! Seeded English prose of an exact number of words, built from a small
//! corpus of sentences in the voice of a helpful assistant.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SENTENCES: &[&str] = &[
    "That is a good question, and the short answer depends on what you are optimising for.",
    "Let me walk through the main trade-offs one at a time.",
    "The first thing to check is whether the data fits comfortably in memory.",
    "If it does, a simple in-process cache will beat any network round trip.",
    "Streaming the response as it is produced keeps the interface responsive.",
    "Most users notice the time to the first word far more than the total time.",
    "A steady rhythm of small updates feels faster than one large block of text.",
    "It helps to measure before changing anything, because intuition about performance is often wrong.",
    "Start with the simplest version that could work and grow it from there.",
    "Keep the interface small so that each part can be tested on its own.",
    "Errors should say what happened and what the reader can do about it.",
    "A retry with a little random delay avoids a thundering herd of reconnects.",
    "Timeouts belong on every call that crosses a network boundary.",
    "Logs are most useful when every line carries the request it belongs to.",
    "For a quick prototype, a single process on one machine is usually plenty.",
    "When one process is not enough, stateless instances behind a load balancer scale out cleanly.",
    "The same seed should always give the same result, which makes failures easy to reproduce.",
    "Small, well-named functions make the intent of the code obvious.",
    "A test that starts the real server catches problems that unit tests miss.",
    "It is worth writing down the decision and the reason for it while both are fresh.",
    "Backpressure matters: a slow reader must not make the writer buffer without limit.",
    "Caching the result of an expensive step is often the cheapest speed-up available.",
    "Before adding a dependency, check that it is maintained and that its licence suits you.",
    "Readable code is code that the next person can change with confidence.",
    "In practice, the network is rarely as reliable as the diagram suggests.",
    "Monitoring the tail of the latency distribution tells you more than the average does.",
    "A clear error message saves more time than any amount of documentation.",
    "Graceful shutdown lets work in progress finish instead of cutting it off.",
    "Configuration should have sensible defaults and a single place to change them.",
    "Incremental rollouts limit the damage that a bad change can do.",
    "If you need more detail on any of these points, just ask.",
    "Here is a practical way to think about it.",
    "Each of these steps is small, but together they make a noticeable difference.",
    "The details vary between systems, yet the underlying ideas stay the same.",
    "Try the simplest option first and keep the others in reserve.",
    "A short benchmark on realistic data settles most of these debates quickly.",
];

/// `words` words of prose, in paragraphs of three to five sentences, ending
/// with a full stop. The same `seed` always gives the same text.
pub fn prose(words: u32, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = String::new();
    let mut left = words as usize;
    let mut in_paragraph = 0;
    let mut paragraph_len = rng.random_range(3..=5);
    while left > 0 {
        let sentence = SENTENCES[rng.random_range(0..SENTENCES.len())];
        if !out.is_empty() {
            out.push_str(if in_paragraph == paragraph_len {
                "\n\n"
            } else {
                " "
            });
        }
        if in_paragraph == paragraph_len {
            in_paragraph = 0;
            paragraph_len = rng.random_range(3..=5);
        }
        let taken: Vec<&str> = sentence.split(' ').take(left).collect();
        left -= taken.len();
        out.push_str(&taken.join(" "));
        in_paragraph += 1;
    }
    if !out.ends_with('.') {
        out = out.trim_end_matches([',', ':', ';']).to_owned();
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_has_exactly_the_requested_words() {
        for words in [1, 7, 150, 1000] {
            let text = prose(words, 3);
            assert_eq!(text.split_whitespace().count(), words as usize, "{text}");
            assert!(text.ends_with('.'));
        }
    }

    #[test]
    fn prose_is_seeded() {
        assert_eq!(prose(80, 1), prose(80, 1));
        assert_ne!(prose(80, 1), prose(80, 2));
    }
}
