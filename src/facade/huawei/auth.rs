//! Authentication as the API gateway does it (reference `huawei.md` §2.4, §2.5), in this order:
//! an `Authorization` header (else `x-auth-token not found`, or `decrypt token fail` for an IAM
//! token); its `SDK-HMAC-SHA256` shape; `X-Sdk-Date` present, well-formed and signed (else the
//! mismatch message); within 15 minutes of real time; the AK known; its security token right for
//! it; the signature. No nonce: the SDKs resend identical requests on retries, and the gateway
//! accepts them. Both "nows" come from the caller.

use super::error::{ErrorCode, HwError};
use super::signing::{self, Authorization};
use crate::domain::{self, AccountId, CredentialError};
use crate::facade::headers::Headers;
use crate::store::Store;
use chrono::{DateTime, Utc};

/// Who made an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account the AK acts for.
    pub account_id: AccountId,
    /// The AK.
    pub access_key_id: String,
}

/// The parts of a request the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The path as received, still percent-encoded.
    pub raw_path: &'a str,
    /// The query as received (empty if none).
    pub raw_query: &'a str,
    /// The headers.
    pub headers: &'a Headers,
    /// The body bytes as received.
    pub body: &'a [u8],
}

impl Signed<'_> {
    /// The canonical request the server computes for the client's signed headers.
    #[must_use]
    pub fn canonical_request(&self, authorization: &Authorization<'_>) -> String {
        signing::canonical_request(
            self.method,
            &signing::canonical_uri(self.raw_path),
            &signing::canonical_query(self.raw_query),
            authorization,
            |name| self.headers.get(name),
            &signing::payload_hash(self.body, self.headers.get("x-sdk-content-sha256")),
        )
    }
}

/// The AK a request claims, if its Authorization header has the SDK shape (for the journal).
#[must_use]
pub fn claimed_key(headers: &Headers) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(Authorization::parse)
        .map(|a| a.access)
}

/// Authenticates `request` against the credentials in `store`.
pub fn authenticate(
    store: &dyn Store,
    request: &Signed<'_>,
    wall_now: DateTime<Utc>,
    emulator_now: DateTime<Utc>,
) -> Result<Caller, HwError> {
    let Some(header) = request.headers.get("authorization") else {
        return Err(HwError::new(
            if request.headers.get("x-auth-token").is_some() {
                ErrorCode::GatewayDecryptTokenFail
            } else {
                ErrorCode::GatewayNoAuthToken
            },
        ));
    };
    let authorization = Authorization::parse(header)
        .ok_or_else(|| HwError::new(ErrorCode::GatewayBadAuthorization))?;
    let canonical_request = request.canonical_request(&authorization);
    let mismatch = || {
        HwError::with(
            ErrorCode::GatewaySignatureMismatch,
            signing::mismatch_detail(&canonical_request),
        )
    };
    // AMBIGUOUS (no public source): a missing, malformed or unsigned X-Sdk-Date gets the
    // mismatch message, the reference's recommendation.
    let sdk_date = request
        .headers
        .get("x-sdk-date")
        .filter(|_| {
            authorization
                .header_names()
                .any(|name| name == "x-sdk-date")
        })
        .ok_or_else(mismatch)?;
    let signed_at = signing::parse_sdk_date(sdk_date).ok_or_else(mismatch)?;
    if !signing::is_fresh(signed_at, wall_now) {
        return Err(HwError::with(
            ErrorCode::GatewaySignatureExpired,
            signing::expired_detail(sdk_date, wall_now),
        ));
    }
    let credential = store
        .query(|view| {
            domain::authenticate(
                view,
                authorization.access,
                request.headers.get("x-security-token"),
                emulator_now,
            )
        })
        .map_err(|error| match error {
            CredentialError::UnknownKey => {
                HwError::with(ErrorCode::GatewayUnknownAk, authorization.access)
            }
            other => other.into(),
        })?;
    let string_to_sign = signing::string_to_sign(sdk_date, &canonical_request);
    if !signing::verify(
        credential.secret.expose(),
        &string_to_sign,
        authorization.signature,
    ) {
        return Err(mismatch());
    }
    Ok(Caller {
        account_id: credential.account_id,
        access_key_id: authorization.access.to_owned(),
    })
}
