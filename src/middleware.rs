//! Middleware that applies to every route: response counting for metrics.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Data;

use crate::state::AppState;

/// Counts every response by status in `trickle_responses_total`.
pub async fn count_status(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let state = req.app_data::<Data<AppState>>().cloned();
    let response = next.call(req).await?;
    if let Some(state) = state {
        state
            .metrics()
            .responses
            .with_label_values(&[response.status().as_str()])
            .inc();
    }
    Ok(response)
}
