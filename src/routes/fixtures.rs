//! Which fixture, if any, answers a request: the request described as the
//! rules see it ([`Asked`]), the first rule that matches, and what having
//! none means under `fixtures.strict`. An error answer ends the request here.

use actix_web::HttpRequest;

use super::journal;
use super::plan::PlanRequest;
use crate::error::ApiError;
use crate::sim::fixture::{Asked, Rule};
use crate::state::Runtime;

/// The rule that answers `request`, whose latest user message is `prompt`.
pub fn choose<'r>(
    req: &HttpRequest,
    runtime: &'r Runtime,
    request: &PlanRequest,
    prompt: &str,
) -> Result<Option<&'r Rule>, ApiError> {
    let strict = runtime.settings.fixtures.strict;
    if runtime.fixtures.is_empty() && !strict {
        return Ok(None);
    }
    let asked = asked(runtime, request, prompt);
    let found = runtime.fixtures.find(&asked, &header_of(req));
    if let (Some(rule), Some(entry)) = (found, journal::entry(req)) {
        entry.matched(&rule.name);
    }
    match found {
        Some(rule) => match &rule.answer.error {
            Some((status, message)) => Err(ApiError::Fixture {
                status: *status,
                message: message.clone(),
            }),
            None => Ok(Some(rule)),
        },
        None if strict => Err(ApiError::NoFixture {
            user: prompt.chars().take(200).collect(),
        }),
        None => Ok(None),
    }
}

/// Whether a rule would answer `request`, without counting the match (the
/// recording gateway forwards what none answers).
pub fn would_answer(
    req: &HttpRequest,
    runtime: &Runtime,
    request: &PlanRequest,
    prompt: &str,
) -> bool {
    (runtime.fixtures).would_answer(&asked(runtime, request, prompt), &header_of(req))
}

/// `request` as the rules see it.
fn asked<'a>(runtime: &'a Runtime, request: &'a PlanRequest, prompt: &'a str) -> Asked<'a> {
    Asked {
        user: prompt,
        system: request.conversation.system.as_deref(),
        model: (request.model.as_deref()).unwrap_or(&runtime.settings.models.default),
        api: request.route,
        tools: !request.shape.tools.is_empty(),
        tool_result: (request.shape.tool_result.as_ref()).map(|r| r.name.as_deref()),
        turn: request.conversation.turn(),
    }
}

/// Reads a request header as a rule's `match.header` compares it.
fn header_of(req: &HttpRequest) -> impl Fn(&str) -> Option<String> + '_ {
    |name: &str| {
        (req.headers().get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}
