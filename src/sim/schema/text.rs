//! Strings: a value in a known `format`, one built to match a `pattern`, or
//! a few plain words fitted to `minLength` and `maxLength`.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::pattern;
use super::shape::Shape;

/// Plain words for text, keys of maps and the parts of emails and URIs:
/// lower-case ASCII, so a length in bytes is a length in characters.
pub(super) const WORDS: &[&str] = &[
    "amber", "anchor", "apple", "birch", "bright", "cedar", "cloud", "coral", "delta", "ember",
    "field", "garden", "harbor", "island", "jasper", "lantern", "maple", "meadow", "north",
    "ocean", "orbit", "pebble", "quartz", "river", "saffron", "signal", "silver", "summit",
    "thunder", "valley", "willow", "winter",
];

/// Strings never grow past this many characters, whatever `minLength` asks.
const MAX_TEXT: u64 = 4096;

/// A string for `shape`. A format or pattern wins over the length limits
/// when they disagree.
pub(super) fn string(rng: &mut ChaCha8Rng, shape: &Shape) -> Value {
    let min = shape.min_length.unwrap_or(0).min(MAX_TEXT) as usize;
    let max = shape.max_length.map_or(usize::MAX, |max| {
        usize::try_from(max).unwrap_or(usize::MAX).max(min)
    });
    if let Some(text) = shape.format.and_then(|format| formatted(rng, format)) {
        return Value::String(text);
    }
    if let Some(text) = shape
        .pattern
        .and_then(|p| pattern::matching(rng, p, min, max))
    {
        return Value::String(text);
    }
    Value::String(plain(rng, min, max))
}

/// One to four words, lengthened or cut to fit `min..=max` characters.
fn plain(rng: &mut ChaCha8Rng, min: usize, max: usize) -> String {
    let mut text = String::new();
    let words = rng.random_range(1..=4u32);
    for i in 0.. {
        if (i >= words && text.len() >= min) || text.len() >= max {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word(rng));
    }
    if text.len() > max {
        text.truncate(max);
        // Whole words read better than a cut one, when enough text is left.
        match text.rfind(' ') {
            Some(space) if space >= min.max(1) => text.truncate(space),
            // A cut on a space would read as a typo and could be trimmed.
            _ if text.ends_with(' ') => {
                text.pop();
                text.push('s');
            }
            _ => {}
        }
    }
    text
}

/// One word from [`WORDS`].
pub(super) fn word(rng: &mut ChaCha8Rng) -> &'static str {
    WORDS[rng.random_range(0..WORDS.len())]
}

/// A value in `format`, or `None` for a format this module does not know.
fn formatted(rng: &mut ChaCha8Rng, format: &str) -> Option<String> {
    Some(match format {
        "date" => date(rng),
        "date-time" => format!("{}T{}", date(rng), time(rng)),
        "time" => time(rng),
        "email" | "idn-email" => format!("{}.{}@example.com", word(rng), word(rng)),
        "uri" | "url" | "iri" | "uri-reference" | "iri-reference" => {
            format!("https://example.com/{}/{}", word(rng), word(rng))
        }
        "hostname" | "idn-hostname" => format!("{}.example.com", word(rng)),
        "ipv4" => format!("192.0.2.{}", rng.random_range(1..=254u32)),
        "ipv6" => format!("2001:db8::{:x}", rng.random_range(1..=0xffffu32)),
        "uuid" => uuid(rng),
        "duration" => format!("PT{}M", rng.random_range(1..=90u32)),
        _ => return None,
    })
}

/// A calendar date from 2020 to 2030; days stop at 28 so every month has them.
fn date(rng: &mut ChaCha8Rng) -> String {
    let year = rng.random_range(2020..=2030u32);
    let month = rng.random_range(1..=12u32);
    let day = rng.random_range(1..=28u32);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A time of day in UTC, as RFC 3339 writes it.
fn time(rng: &mut ChaCha8Rng) -> String {
    let hour = rng.random_range(0..24u32);
    let minute = rng.random_range(0..60u32);
    let second = rng.random_range(0..60u32);
    format!("{hour:02}:{minute:02}:{second:02}Z")
}

/// A random (version 4) UUID in its hyphenated lower-case form.
fn uuid(rng: &mut ChaCha8Rng) -> String {
    let mut bytes: [u8; 16] = rng.random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
