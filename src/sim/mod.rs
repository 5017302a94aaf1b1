//! The simulation: pure and deterministic, it knows nothing of HTTP.
//!
//! A [`Responder`](responder::Responders) writes the reply text, [`cut`]
//! splits it into chunks, and the result is a [`Script`]; [`Pacing`] says
//! when each chunk is due and [`ResumeId`] names a position in the script so
//! a reconnect can continue after it ([`Start`]). A validated [`Plan`] holds
//! all of it for one request.
//!
//! A profile's [`LatencyModel`] draws the time to first token and the gaps
//! from seeded [`distribution`]s, adds the prompt's prefill and stalls, and
//! says how load slows the model ([`LoadCurve`]); [`Schedule`] walks the
//! result token by token.

mod conversation;
mod cut;
pub mod distribution;
pub mod embedding;
mod ends;
mod fault;
pub mod fixture;
mod latency;
mod pacing;
mod plan;
pub mod responder;
mod resume;
mod schedule;
pub mod schema;
mod script;
pub mod shape;

pub use conversation::{Conversation, Message};
pub use cut::{Unit, count_tokens, cut, load_tokenizer};
pub use distribution::{Distribution, Draw, Spread};
pub use fault::{Fault, FaultParseError, drawn};
pub use latency::{Latency, LatencyModel, LoadCurve, Nominal, Stall};
pub use pacing::Pacing;
pub use plan::Plan;
pub use resume::{ResumeId, ResumeIdError, Start, StreamId};
pub use schedule::{Schedule, Step};
pub use script::{Part, PartKind, Script};
pub use shape::Shape;
