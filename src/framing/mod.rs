//! Wire framings: thin adapters that turn the one paced token stream into a
//! protocol's events. Everything above them (plan, script, pacing) is shared.

pub mod anthropic;
pub mod native;
pub mod openai;
