//! Authentication of RPC requests, signed with V1 (`Signature` parameter) or V3
//! (`Authorization: ACS3-HMAC-SHA256 …` or `ACS3-HMAC-SM3 …`). Both run the same checks in the same order: required
//! parts present, the algorithm, the timestamp's form and window, the credential (and its STS
//! token), the signature, the nonce. The order is not documented (AMBIGUOUS); this one never
//! records a nonce for a request that failed any other check.
//!
//! Both "nows" come from the caller: wall time for the timestamp window (SDKs sign with real
//! time), emulator time for credential expiry.

use super::error::{ApiError, ApiResult, ErrorCode};
use super::nonce::{MAX_NONCE_BYTES, NonceCache, Recorded};
use super::params::Params;
use super::{signature_v1, signature_v3};
use crate::domain::{self, AccountId};
use crate::store::Store;

pub use crate::facade::headers::Headers;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

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

/// Who made an authenticated request, and what the server computed to check its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account the key acts for.
    pub account_id: AccountId,
    /// The key that signed.
    pub access_key_id: String,
    /// Whether the key is a temporary (STS) one.
    pub temporary: bool,
    /// What was signed, for errors that quote it (a fault rule's SignatureDoesNotMatch).
    pub signed: Signed,
}

/// What the server computed to check a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// V1: the string to sign.
    V1 {
        /// `GET&%2F&…`.
        string_to_sign: String,
    },
    /// V3: the string to sign and the canonical request it hashes.
    V3 {
        /// `ACS3-…\n<hex>`.
        string_to_sign: String,
        /// The canonical request.
        canonical_request: String,
    },
}

impl Signed {
    /// The string to sign, whatever the scheme.
    #[must_use]
    pub fn string_to_sign(&self) -> &str {
        match self {
            Self::V1 { string_to_sign } | Self::V3 { string_to_sign, .. } => string_to_sign,
        }
    }
}

/// A credential that passed every check: its account, and whether it is temporary.
struct Passed {
    account_id: AccountId,
    temporary: bool,
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

/// Parses a request timestamp: exactly `YYYY-MM-DDThh:mm:ssZ`.
pub fn parse_timestamp(text: &str) -> ApiResult<DateTime<Utc>> {
    // By hand: a fixed layout, on every request; chrono's parser interprets a format string.
    let bad = || ApiError::new(ErrorCode::InvalidTimeStampFormat);
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(0..4),
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    ) else {
        return Err(bad());
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).map_err(|_| bad())?, month, day)
        .ok_or_else(bad)?;
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(bad)?;
    Ok(NaiveDateTime::new(date, time).and_utc())
}

/// A nonce longer than [`MAX_NONCE_BYTES`] is invalid (`name` as the scheme calls it): every
/// used nonce is remembered for up to half an hour, so its length must be bounded.
fn check_nonce(nonce: &str, name: &str) -> ApiResult<()> {
    if nonce.len() > MAX_NONCE_BYTES {
        return Err(ApiError::with(ErrorCode::InvalidParameter, name));
    }
    Ok(())
}

/// What a scheme extracted from the request, for the checks both schemes share.
struct Claim<'a> {
    access_key_id: &'a str,
    security_token: Option<&'a str>,
    timestamp: &'a str,
    nonce: &'a str,
}

/// The shared checks: timestamp, credential, signature (`signed_by(secret)`), nonce.
fn settle(
    ctx: AuthContext<'_>,
    claim: &Claim<'_>,
    signed_by: impl Fn(&str) -> bool,
    mismatch: impl FnOnce() -> ApiError,
) -> ApiResult<Passed> {
    let signed_at = parse_timestamp(claim.timestamp)?;
    let skew = ctx.wall_now - signed_at;
    if skew.abs() > TIMESTAMP_WINDOW {
        return Err(
            ApiError::new(ErrorCode::InvalidTimeStampExpired).because(format!(
                "Timestamp {} is {} minutes {} the emulator's wall clock ({}); 15 are allowed",
                claim.timestamp,
                skew.num_minutes().abs(),
                if skew > TimeDelta::zero() {
                    "behind"
                } else {
                    "ahead of"
                },
                crate::clock::wire_time(ctx.wall_now)
            )),
        );
    }
    let credential = ctx
        .store
        .query(|view| {
            domain::authenticate(
                view,
                claim.access_key_id,
                claim.security_token,
                ctx.emulator_now,
            )
        })
        .map_err(|error| {
            let why = format!("AccessKeyId {}: {error}", claim.access_key_id);
            ApiError::from(error).because(why)
        })?;
    if !signed_by(credential.secret.expose()) {
        let refused = mismatch();
        let why = format!(
            "the signature is not the server's for the secret of {}: {}",
            claim.access_key_id,
            refused.message()
        );
        return Err(refused.because(why));
    }
    let account_id = credential.account_id;
    let temporary = credential.security_token.is_some();
    // A nonce only has to be remembered while its timestamp could still pass the window.
    match ctx
        .nonces
        .check_and_record(claim.nonce, signed_at + TIMESTAMP_WINDOW, ctx.wall_now)
    {
        Recorded::New => {}
        Recorded::Used => return Err(ApiError::new(ErrorCode::SignatureNonceUsed)),
        // Refused rather than forgotten early: forgetting would let a replay through.
        Recorded::Full => return Err(ApiError::new(ErrorCode::Throttling)),
        Recorded::Unavailable => return Err(ApiError::new(ErrorCode::InternalError)),
    }
    Ok(Passed {
        account_id,
        temporary,
    })
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
    check_nonce(nonce, "SignatureNonce")?;
    let string_to_sign =
        signature_v1::string_to_sign(method, &signature_v1::canonical_query(params));
    let claim = Claim {
        access_key_id,
        security_token: params.non_empty("SecurityToken"),
        timestamp,
        nonce,
    };
    let passed = settle(
        ctx,
        &claim,
        |secret| signature_v1::verify(secret, &string_to_sign, sent_signature),
        || ApiError::with(ErrorCode::SignatureDoesNotMatch, string_to_sign.as_str()),
    )?;
    Ok(Caller {
        account_id: passed.account_id,
        access_key_id: access_key_id.to_owned(),
        temporary: passed.temporary,
        signed: Signed::V1 { string_to_sign },
    })
}

/// The V3 headers a request must carry besides Authorization, in the order they are checked.
pub const REQUIRED_V3: [&str; 2] = ["x-acs-date", "x-acs-signature-nonce"];

/// Authenticates a V3-signed request: `query` is the query string's parameters alone (a form
/// body is covered by the payload hash, not the canonical query). A missing or malformed
/// Authorization header is an incomplete signature, and so is one whose SignedHeaders leave out
/// `host` or an `x-acs-*` header the request carries.
///
/// On a mismatch the message carries the server's StringToSign and the CanonicalRequest it
/// hashed, each in brackets: the fastest way to see which header or parameter differs from what
/// the client signed. An empty `Signature=` is a mismatch too, as the live gateway answers it.
pub fn authenticate_v3(
    query: &Params,
    method: &str,
    headers: &Headers,
    body: &[u8],
    ctx: AuthContext<'_>,
) -> ApiResult<Caller> {
    let authorization = headers
        .get("authorization")
        .and_then(signature_v3::Authorization::parse)
        .ok_or_else(|| ApiError::with(ErrorCode::IncompleteSignature, ""))?;
    let algorithm = signature_v3::Algorithm::parse(authorization.algorithm)
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidSignatureMethod))?;
    let mut values = [""; REQUIRED_V3.len()];
    for (slot, name) in values.iter_mut().zip(REQUIRED_V3) {
        *slot = headers
            .non_empty(name)
            .ok_or_else(|| ApiError::with(ErrorCode::MissingParameter, name))?;
    }
    let [timestamp, nonce] = values;
    if signature_v3::unsigned_required(&authorization, headers.names()).is_some() {
        return Err(ApiError::with(ErrorCode::IncompleteSignature, ""));
    }
    check_nonce(nonce, "x-acs-signature-nonce")?;
    let canonical_request = signature_v3::canonical_request(
        method,
        &signature_v3::canonical_query(query),
        &authorization,
        |name| headers.get(name),
        &signature_v3::payload_hash(algorithm, body),
    );
    let string_to_sign = signature_v3::string_to_sign(algorithm, &canonical_request);
    let claim = Claim {
        access_key_id: authorization.credential,
        security_token: headers.non_empty("x-acs-security-token"),
        timestamp,
        nonce,
    };
    let passed = settle(
        ctx,
        &claim,
        |secret| signature_v3::verify(algorithm, secret, &string_to_sign, authorization.signature),
        || {
            ApiError::with_details(
                ErrorCode::SignatureDoesNotMatchV3,
                [string_to_sign.as_str(), canonical_request.as_str()],
            )
        },
    )?;
    Ok(Caller {
        account_id: passed.account_id,
        access_key_id: authorization.credential.to_owned(),
        temporary: passed.temporary,
        signed: Signed::V3 {
            string_to_sign,
            canonical_request,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::{Headers, parse_timestamp};

    #[test]
    fn timestamps_must_be_second_precision_utc_with_a_z() {
        assert!(parse_timestamp("2026-11-22T07:28:40Z").is_ok());
        for bad in [
            "2026-11-22T07:28:40",
            "2026-11-22T07:28:40.000Z",
            "2026-11-22 07:28:40Z",
            "2026-11-22T07:28:40+00:00",
            "2026-13-22T07:28:40Z",
            "2026-02-30T07:28:40Z",
            "2026-11-22T24:00:00Z",
            "+026-11-22T07:28:40Z",
            "",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn header_names_fold_case_and_repeated_values_join_with_commas() {
        let headers = Headers::from_pairs([("X-Acs-Date", "a"), ("accept", "x"), ("Accept", "y")]);
        assert_eq!(headers.get("x-acs-date"), Some("a"));
        assert_eq!(headers.get("accept"), Some("x,y"));
    }
}
