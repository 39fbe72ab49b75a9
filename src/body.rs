//! Reading a request body within a size limit and a deadline, for every handler that reads one
//! (both facades and the control plane). actix's HTTP layer bounds the time a client has to send
//! a request head but not its body: without a deadline, a client that sends a head and then
//! nothing (or a byte now and then) holds its connection, and the handler, forever.

use actix_web::web::{Bytes, Payload};
use std::time::Duration;

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// It is longer than the limit.
    TooLarge,
    /// It did not arrive in time.
    TimedOut,
    /// The connection broke or the framing was invalid.
    Broken,
}

/// The whole body, if it arrives within `deadline` and is at most `limit` bytes. After an error
/// the body is left unread: the answer then closes the connection.
pub async fn read(payload: Payload, limit: usize, deadline: Duration) -> Result<Bytes, BodyError> {
    match actix_web::rt::time::timeout(deadline, payload.to_bytes_limited(limit)).await {
        Ok(Ok(Ok(body))) => Ok(body),
        Ok(Ok(Err(_))) => Err(BodyError::Broken),
        Ok(Err(_)) => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::TimedOut),
    }
}
