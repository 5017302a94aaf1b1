//! Cutting a reply into the chunks that are sent one per event.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// How a reply is cut into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One user-perceived character (an extended grapheme cluster).
    Char,
    /// A run of non-whitespace with the whitespace that follows it.
    Word,
}

impl Unit {
    /// The name used on the wire and in config.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Char => "char",
            Unit::Word => "word",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cuts `text` into chunks and returns the end byte offset of each one.
///
/// The chunks cover the text exactly: concatenated they are `text`, and each
/// boundary lies on a grapheme cluster boundary.
pub fn cut(text: &str, unit: Unit) -> Vec<u32> {
    match unit {
        Unit::Char => text
            .grapheme_indices(true)
            .map(|(at, g)| offset(at + g.len()))
            .collect(),
        Unit::Word => words(text),
    }
}

fn offset(at: usize) -> u32 {
    // Replies are bounded far below 4 GiB by the prompt and file limits.
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Word chunks: leading whitespace joins the first word, and each word keeps
/// the whitespace after it, so no chunk is whitespace alone except an
/// all-whitespace reply.
fn words(text: &str) -> Vec<u32> {
    let mut ends = Vec::new();
    let mut in_space = false;
    let mut seen_word = false;
    for (at, g) in text.grapheme_indices(true) {
        let space = g.chars().all(char::is_whitespace);
        if !space && in_space && seen_word {
            ends.push(offset(at));
        }
        seen_word |= !space;
        in_space = space;
    }
    if !text.is_empty() {
        ends.push(offset(text.len()));
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, unit: Unit) -> Vec<&str> {
        let mut start = 0;
        cut(text, unit)
            .into_iter()
            .map(|end| {
                let piece = &text[start..end as usize];
                start = end as usize;
                piece
            })
            .collect()
    }

    #[test]
    fn char_unit_never_splits_a_grapheme_cluster() {
        let cases = [
            ("family emoji with zero-width joiners", "👨‍👩‍👧‍👦", 1),
            ("thumbs up with skin tone modifier", "👍🏽", 1),
            ("flag from two regional indicators", "🇯🇵", 1),
            ("e with a combining acute accent", "e\u{301}", 1),
            ("hangul syllables", "한국어", 3),
            ("CJK ideographs", "漢字", 2),
            ("CRLF is one cluster", "a\r\nb", 3),
        ];
        for (what, text, count) in cases {
            let got = pieces(text, Unit::Char);
            assert_eq!(got.len(), count, "{what}: {got:?}");
            assert_eq!(got.concat(), text, "{what}");
        }
    }

    #[test]
    fn word_unit_keeps_whitespace_attached() {
        assert_eq!(
            pieces("  Hello,  world!\n\nBye ", Unit::Word),
            ["  Hello,  ", "world!\n\n", "Bye "]
        );
        assert_eq!(pieces("   ", Unit::Word), ["   "]);
        assert!(pieces("", Unit::Word).is_empty());
        assert!(pieces("", Unit::Char).is_empty());
    }
}
