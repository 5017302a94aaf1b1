//! Which fault, if any, a request gets: the `X-Trickle-Fault` header (when
//! `faults.allow_header` is on) beats a matching fixture's `fault`, then a
//! matching canned rule's, then the profile's (drawn by seed at `fault_rate`).

use actix_web::HttpRequest;

use crate::config::Profile;
use crate::error::ApiError;
use crate::sim::{Fault, drawn};
use crate::state::Runtime;

/// The request header that asks for a fault.
pub const HEADER: &str = "x-trickle-fault";

/// The fault for a request of `prompt` to `profile` with `seed`, or why its
/// header was refused. A matching fixture's fault comes right after the
/// header's.
pub fn choose(
    req: &HttpRequest,
    runtime: &Runtime,
    profile: &Profile,
    prompt: &str,
    seed: u64,
    fixture: Option<Fault>,
) -> Result<Option<Fault>, ApiError> {
    if let Some(value) = req.headers().get(HEADER) {
        if !runtime.settings.faults.allow_header {
            return Err(ApiError::InvalidParameter(
                "X-Trickle-Fault is disabled; set faults.allow_header = true (TRICKLE__FAULTS__ALLOW_HEADER=true) to use it".to_owned(),
            ));
        }
        let text = value.to_str().map_err(|_| {
            ApiError::InvalidParameter("X-Trickle-Fault: not visible ASCII".to_owned())
        })?;
        let fault = text
            .parse::<Fault>()
            .map_err(|e| ApiError::InvalidParameter(format!("X-Trickle-Fault: {e}")))?;
        return Ok(Some(fault));
    }
    if let Some(fault) = fixture.or_else(|| runtime.responders.rule_fault(profile, prompt)) {
        return Ok(Some(fault));
    }
    Ok(profile
        .fault
        .filter(|(_, rate)| drawn(seed, *rate))
        .map(|(fault, _)| fault))
}
