//! A string that matches a `pattern`: built by walking the regular
//! expression's syntax tree, then confirmed with the regex engine.
//!
//! Patterns are read with Rust's `regex` syntax, which shares the common
//! ground of ECMA-262 (classes, repetition, groups, alternation, anchors).
//! Character classes are drawn from printable ASCII where they allow it, so
//! `\d` and `\w` give what an ECMA-262 engine also accepts. A pattern the
//! syntax cannot read (look-around, back-references), or whose only matches
//! rest on a zero-width assertion such as `\b`, gives `None`.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Attempts at a string that both matches and fits the length limits.
const TRIES: usize = 32;
/// Repeats of an open-ended repetition (`*`, `+`, `{n,}`) beyond its minimum.
const OPEN_EXTRA: u32 = 3;
/// Repeats of one repetition, whatever `{n}` asks; keeps the work bounded.
const MAX_REPEAT: u32 = 256;
/// Bytes built before a runaway pattern (`(a{256}){256}`) is given up.
const MAX_TEXT: usize = 16 * 1024;
/// Compiled size of a pattern's regex at most, in bytes.
const MAX_PROGRAM: usize = 256 * 1024;
/// Printable ASCII, where every class is drawn from when it can be.
const PRINTABLE: (u32, u32) = (0x20, 0x7e);

/// A string matching `pattern` with `min..=max` characters, or one that
/// matches but misses the length when no attempt fits both; `None` when no
/// match can be built.
pub(super) fn matching(
    rng: &mut ChaCha8Rng,
    pattern: &str,
    min: usize,
    max: usize,
) -> Option<String> {
    let regex = compile(pattern)?;
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut found = None;
    for _ in 0..TRIES {
        let mut text = String::new();
        build(rng, &hir, &mut text);
        if !regex.is_match(&text) {
            continue;
        }
        if (min..=max).contains(&text.chars().count()) {
            return Some(text);
        }
        found.get_or_insert(text);
    }
    found
}

/// `pattern` as a regex, or `None` when it does not parse or would compile
/// to more than [`MAX_PROGRAM`] bytes (`(a{200}){200}`): a schema must not
/// make generation slow.
pub(super) fn compile(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_PROGRAM)
        .build()
        .ok()
}

fn build(rng: &mut ChaCha8Rng, hir: &Hir, out: &mut String) {
    if out.len() > MAX_TEXT {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges = class
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())));
            out.extend(pick(rng, ranges.collect()));
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges = class
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())));
            out.extend(pick(rng, ranges.collect()));
        }
        HirKind::Repetition(repetition) => {
            let min = repetition.min.min(MAX_REPEAT);
            let max = repetition
                .max
                .unwrap_or(min.saturating_add(OPEN_EXTRA))
                .clamp(min, MAX_REPEAT);
            for _ in 0..rng.random_range(min..=max) {
                build(rng, &repetition.sub, out);
            }
        }
        HirKind::Capture(capture) => build(rng, &capture.sub, out),
        HirKind::Concat(parts) => parts.iter().for_each(|part| build(rng, part, out)),
        HirKind::Alternation(branches) => {
            let branch = rng.random_range(0..branches.len());
            build(rng, &branches[branch], out);
        }
    }
}

/// A character from `ranges` (inclusive code points), from their printable
/// ASCII part when they have one; `None` for an empty class.
fn pick(rng: &mut ChaCha8Rng, ranges: Vec<(u32, u32)>) -> Option<char> {
    let printable: Vec<(u32, u32)> = ranges
        .iter()
        .map(|&(start, end)| (start.max(PRINTABLE.0), end.min(PRINTABLE.1)))
        .filter(|(start, end)| start <= end)
        .collect();
    let ranges = if printable.is_empty() {
        ranges
    } else {
        printable
    };
    let total: u32 = ranges.iter().map(|(start, end)| end - start + 1).sum();
    if total == 0 {
        return None;
    }
    let mut offset = rng.random_range(0..total);
    for (start, end) in ranges {
        let size = end - start + 1;
        if offset < size {
            return char::from_u32(start + offset);
        }
        offset -= size;
    }
    None
}
