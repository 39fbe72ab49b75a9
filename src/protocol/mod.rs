//! The Alibaba Cloud RPC ("POP") protocol: parameters, the common request parameters, V1
//! signatures, replay protection and response envelopes. No actix here: the gateway hands in
//! bytes and gets back a [`envelope::Reply`].

pub mod auth;
pub mod envelope;
pub mod nonce;
pub mod params;
pub mod percent;
pub mod signature;

use crate::actions::Action;
use crate::error::{ApiError, ApiResult, ErrorCode};
use envelope::Format;
use params::Params;

/// The API version this emulator serves.
pub const VERSION: &str = "2020-03-31";

/// The response format `params` ask for (JSON if they name none).
pub fn format(params: &Params) -> ApiResult<Format> {
    params.get("Format").map_or(Ok(Format::Json), |value| {
        Format::parse(value).ok_or_else(|| ApiError::new(ErrorCode::InvalidParameterFormat))
    })
}

/// The action `params` call, after checking that `Version` is the one served.
pub fn action(params: &Params) -> ApiResult<Action> {
    let name = params
        .non_empty("Action")
        .ok_or_else(|| ApiError::with(ErrorCode::MissingParameter, "Action"))?;
    let action =
        Action::parse(name).ok_or_else(|| ApiError::new(ErrorCode::InvalidActionNotFound))?;
    match params.non_empty("Version") {
        None => Err(ApiError::with(ErrorCode::MissingParameter, "Version")),
        Some(VERSION) => Ok(action),
        Some(_) => Err(ApiError::new(ErrorCode::InvalidVersion)),
    }
}
