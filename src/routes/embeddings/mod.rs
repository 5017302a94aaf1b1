//! `POST /v1/embeddings`: OpenAI's embeddings API. Not a stream: the vectors
//! come from [`crate::sim::embedding`] at once, in one JSON reply, made on
//! the blocking pool so a large batch does not hold up the streams paced on
//! this worker. API keys, body limits and response metrics apply as on
//! every route.

use actix_web::http::header::ContentType;
use actix_web::web::{self, Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use serde::{Serialize, Serializer};
mod request;

use super::{journal, messages};
use crate::error::{ApiError, Shaped};
use crate::framing::Api;
use crate::sim::{Conversation, embedding};
use crate::state::{AppState, RouteLabel};
use request::{Job, Request};

/// The API's label in the journal.
pub const ROUTE: RouteLabel = "embeddings";

/// `POST /v1/embeddings`
pub async fn create(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    answer(req, payload, state)
        .await
        .map_err(|e| e.shaped(Api::OpenAi))
}

async fn answer(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let request: Request = messages::read_json(&req, payload, &runtime).await?;
    let job = request.job(&runtime)?;
    if let Some(entry) = journal::entry(&req) {
        entry.asked(&job.profile.name, &job.conversation());
    }
    let body = web::block(move || serde_json::to_vec(&job.reply()))
        .await
        .map_err(|_| ApiError::Interrupted)?
        .map_err(|e| {
            tracing::error!(error = %e, "an embeddings reply did not serialise");
            ApiError::Interrupted
        })?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// OpenAI's `list` of `embedding` objects, with usage.
#[derive(Serialize)]
struct Reply<'a> {
    object: &'static str,
    data: Vec<Item>,
    model: &'a str,
    usage: Usage,
}

#[derive(Serialize)]
struct Item {
    object: &'static str,
    index: usize,
    embedding: Vector,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Vector {
    #[serde(serialize_with = "widened")]
    Float(Vec<f32>),
    Base64(String),
}

#[derive(Serialize)]
struct Usage {
    prompt_tokens: u32,
    total_tokens: u32,
}

/// Each `f32` written as the `f64` it is exactly, as OpenAI writes them, so
/// a client reading the floats gets the very values base64 would give it.
fn widened<S: Serializer>(vector: &[f32], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(vector.iter().map(|&x| f64::from(x)))
}

impl Job {
    /// The inputs as the journal keeps them: one `input` message each.
    fn conversation(&self) -> Conversation {
        let inputs: Vec<(String, String)> = (self.pieces.iter())
            .map(|p| {
                (
                    "input".to_owned(),
                    String::from_utf8_lossy(&p.bytes).into_owned(),
                )
            })
            .collect();
        Conversation::of(None, &inputs)
    }

    /// OpenAI's reply: one vector per input, in order, and the tokens read.
    fn reply(&self) -> Reply<'_> {
        let data = (self.pieces.iter().enumerate())
            .map(|(index, piece)| {
                let vector = embedding::embed(&piece.bytes, self.dimensions);
                Item {
                    object: "embedding",
                    index,
                    embedding: if self.base64 {
                        Vector::Base64(embedding::to_base64(&vector))
                    } else {
                        Vector::Float(vector)
                    },
                }
            })
            .collect();
        let tokens = self.pieces.iter().map(|p| p.tokens).sum();
        Reply {
            object: "list",
            data,
            model: &self.profile.name,
            usage: Usage {
                prompt_tokens: tokens,
                total_tokens: tokens,
            },
        }
    }
}
