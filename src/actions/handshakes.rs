//! AcceptHandshake and CancelHandshake: their input (a HandshakeId) and their output (the
//! handshake, with fields in the order the API reference shows them).

use super::Context;
use crate::domain::{Handshake, HandshakeId};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::protocol::params::Params;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The input of every action that names one handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeIdInput {
    /// The handshake.
    pub handshake_id: HandshakeId,
}

impl HandshakeIdInput {
    /// Reads `HandshakeId`: absent or empty is missing; anything but `h-` + 16 alphanumerics is invalid.
    pub fn parse(params: &Params) -> ApiResult<Self> {
        let raw = params
            .non_empty("HandshakeId")
            .ok_or_else(|| ApiError::new(ErrorCode::MissingParameterHandshakeId))?;
        let handshake_id = HandshakeId::parse(raw)
            .map_err(|_| ApiError::new(ErrorCode::InvalidParameterHandshakeId))?;
        Ok(Self { handshake_id })
    }
}

/// `{"Handshake": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandshakeOutput {
    /// The handshake after the action.
    pub handshake: HandshakeView,
}

/// A handshake as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandshakeView {
    /// `h-` id.
    pub handshake_id: String,
    /// `rd-` id.
    pub resource_directory_id: String,
    /// 16-digit id.
    pub master_account_id: String,
    /// Management account name.
    pub master_account_name: String,
    /// Invitee account id or email.
    pub target_entity: String,
    /// `Account` or `Email`.
    pub target_type: &'static str,
    /// Note.
    pub note: String,
    /// `Pending`, `Accepted`, `Cancelled`, `Declined` or `Expired`.
    pub status: &'static str,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub create_time: String,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub modify_time: String,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub expire_time: String,
}

/// The wire form of a handshake time: UTC, whole seconds, `Z`.
#[must_use]
pub fn wire_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl From<Handshake> for HandshakeView {
    fn from(h: Handshake) -> Self {
        Self {
            handshake_id: h.id.into(),
            resource_directory_id: h.resource_directory_id.into(),
            master_account_id: h.master_account_id.into(),
            master_account_name: h.master_account_name,
            target_entity: h.target_entity,
            target_type: h.target_type.as_str(),
            note: h.note,
            status: h.status.as_str(),
            create_time: wire_time(h.create_time),
            modify_time: wire_time(h.modify_time),
            expire_time: wire_time(h.expire_time),
        }
    }
}

fn output(handshake: Handshake) -> HandshakeOutput {
    HandshakeOutput {
        handshake: handshake.into(),
    }
}

/// AcceptHandshake.
pub fn accept(ctx: Context<'_>, input: HandshakeIdInput) -> ApiResult<HandshakeOutput> {
    let accepted = ctx
        .store
        .update(|world| world.accept_handshake(ctx.caller, &input.handshake_id, ctx.now))?;
    Ok(output(accepted))
}

/// CancelHandshake.
pub fn cancel(ctx: Context<'_>, input: HandshakeIdInput) -> ApiResult<HandshakeOutput> {
    let cancelled = ctx
        .store
        .update(|world| world.cancel_handshake(ctx.caller, &input.handshake_id, ctx.now))?;
    Ok(output(cancelled))
}
