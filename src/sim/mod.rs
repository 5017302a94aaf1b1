//! The simulation: pure and deterministic, it knows nothing of HTTP.
//!
//! A [`Responder`](responder::Responders) writes the reply text, [`cut`]
//! splits it into chunks, and the result is a [`Script`]; [`Pacing`] says
//! when each chunk is due and [`ResumeId`] names a position in the script so
//! a reconnect can continue after it ([`Start`]). A validated [`Plan`] holds
//! all of it for one request.

mod cut;
mod fault;
mod pacing;
mod plan;
pub mod responder;
mod resume;
pub mod schema;
mod script;

pub use cut::{Unit, count_tokens, cut};
pub use fault::{Fault, FaultParseError, drawn};
pub use pacing::Pacing;
pub use plan::Plan;
pub use resume::{ResumeId, ResumeIdError, Start, StreamId};
pub use script::Script;
