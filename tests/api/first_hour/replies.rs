//! The built-in canned replies are sent over every API, cut in every unit
//! (characters on `/chat`, BPE tokens over the OpenAI and Anthropic APIs,
//! words for some profiles), so none may say how it is being cut.

/// Phrases that claim a unit, in the languages the built-in replies use.
const UNIT_CLAIMS: &[&str] = &[
    "at a time",
    "by character",
    "by letter",
    "by word",
    "by token",
    "per character",
    "when the unit",
    "一文字ずつ",
    "一字ずつ",
    "逐字",
    "буква",
    "по букве",
    "حرفًا بحرف",
    "حرفا بحرف",
];

#[test]
fn no_canned_reply_says_how_it_is_cut() {
    let file: toml::Value =
        toml::from_str(include_str!("../../../config/responses.toml")).expect("valid TOML");
    let defaults = file["defaults"].as_array().expect("defaults");
    let rules = file["rules"].as_array().expect("rules");
    let replies: Vec<&str> = defaults
        .iter()
        .chain(rules.iter().map(|rule| &rule["reply"]))
        .map(|reply| reply.as_str().expect("a reply is text"))
        .collect();
    assert!(replies.len() > 10, "all the replies were read");
    let false_claims: Vec<(&str, &str)> = replies
        .iter()
        .flat_map(|reply| {
            UNIT_CLAIMS
                .iter()
                .filter(|claim| reply.to_lowercase().contains(&claim.to_lowercase()))
                .map(move |claim| (*claim, *reply))
        })
        .collect();
    assert!(
        false_claims.is_empty(),
        "replies that say how they are cut (false on other routes or units): {false_claims:#?}"
    );
}
