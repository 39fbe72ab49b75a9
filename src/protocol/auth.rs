//! Authentication of RPC requests signed with V1: which parameters must be there, the timestamp
//! window, the credential, the signature and the nonce, in that order. The order is not
//! documented (AMBIGUOUS); this one never records a nonce for a request that failed any check.
//!
//! Both "nows" come from the caller: wall time for the timestamp window (SDKs sign with real
//! time), emulator time for credential expiry.

use super::nonce::NonceCache;
use super::params::Params;
use super::signature;
use crate::domain::{AccountId, Store};
use crate::error::{ApiError, ApiResult, ErrorCode};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// How far a request's timestamp may be from real time, either way.
pub const TIMESTAMP_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// The V1 parameters a request must carry, in the order they are checked.
pub const REQUIRED_V1: [&str; 6] = [
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "Timestamp",
    "SignatureNonce",
];

/// Who made an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account the key acts for.
    pub account_id: AccountId,
    /// The key that signed.
    pub access_key_id: String,
}

/// What authentication needs from the application.
#[derive(Clone, Copy)]
pub struct AuthContext<'a> {
    /// Holds the credential table.
    pub store: &'a dyn Store,
    /// Remembers used nonces.
    pub nonces: &'a NonceCache,
    /// Real time, for the timestamp window.
    pub wall_now: DateTime<Utc>,
    /// Emulator time, for STS expiry.
    pub emulator_now: DateTime<Utc>,
}

/// Parses a V1 `Timestamp`: exactly `YYYY-MM-DDThh:mm:ssZ`.
pub fn parse_timestamp(text: &str) -> ApiResult<DateTime<Utc>> {
    if text.len() != 20 {
        return Err(ApiError::new(ErrorCode::InvalidTimeStampFormat));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ")
        .map(|naive| naive.and_utc())
        .map_err(|_| ApiError::new(ErrorCode::InvalidTimeStampFormat))
}

/// Authenticates a V1-signed request made with `method`.
pub fn authenticate_v1(params: &Params, method: &str, ctx: AuthContext<'_>) -> ApiResult<Caller> {
    let mut values = [""; REQUIRED_V1.len()];
    for (slot, name) in values.iter_mut().zip(REQUIRED_V1) {
        *slot = params
            .non_empty(name)
            .ok_or_else(|| ApiError::with(ErrorCode::MissingParameter, name))?;
    }
    let [
        access_key_id,
        sent_signature,
        method_name,
        version,
        timestamp,
        nonce,
    ] = values;
    if method_name != "HMAC-SHA1" {
        return Err(ApiError::new(ErrorCode::InvalidSignatureMethod));
    }
    if version != "1.0" {
        return Err(ApiError::with(
            ErrorCode::InvalidParameter,
            "SignatureVersion",
        ));
    }
    let signed_at = parse_timestamp(timestamp)?;
    if (ctx.wall_now - signed_at).abs() > TIMESTAMP_WINDOW {
        return Err(ApiError::new(ErrorCode::InvalidTimeStampExpired));
    }

    let security_token = params.non_empty("SecurityToken");
    let string_to_sign = signature::string_to_sign(method, &signature::canonical_query(params));
    let account_id = ctx.store.query(|world| {
        let credential = world.credential(access_key_id, security_token, ctx.emulator_now)?;
        if signature::verify(credential.secret.expose(), &string_to_sign, sent_signature) {
            Ok(credential.account_id.clone())
        } else {
            Err(ApiError::with(
                ErrorCode::SignatureDoesNotMatch,
                string_to_sign.as_str(),
            ))
        }
    })?;

    if !ctx
        .nonces
        .check_and_record(nonce, signed_at + TIMESTAMP_WINDOW, ctx.wall_now)
    {
        return Err(ApiError::new(ErrorCode::SignatureNonceUsed));
    }
    Ok(Caller {
        account_id,
        access_key_id: access_key_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn timestamps_must_be_second_precision_utc_with_a_z() {
        assert!(parse_timestamp("2026-11-22T07:28:40Z").is_ok());
        for bad in [
            "2026-11-22T07:28:40",
            "2026-11-22T07:28:40.000Z",
            "2026-11-22 07:28:40Z",
            "2026-11-22T07:28:40+00:00",
            "2026-13-22T07:28:40Z",
            "",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }
}
