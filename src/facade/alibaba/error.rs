//! API errors: a catalog code plus the per-error detail its message needs. Domain, credential and
//! store errors map onto the catalog here, each variant explicitly, so a new variant forces a
//! decision.

pub use super::catalog::ErrorCode;

use crate::domain::{CredentialError, DomainError};
use crate::store::{StoreError, WriteError};
use std::fmt;

/// An error on its way to the wire. Boxed so `Result<_, ApiError>` stays one pointer wide.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    code: ErrorCode,
    details: Vec<String>,
}

/// `Result` with an [`ApiError`].
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error whose message needs no detail.
    #[must_use]
    pub fn new(code: ErrorCode) -> Self {
        Self::with_details(code, [] as [String; 0])
    }

    /// An error whose message template's `{}` is filled with `detail`.
    #[must_use]
    pub fn with(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::with_details(code, [detail])
    }

    /// An error whose message template's placeholders are filled with `details`, in order.
    #[must_use]
    pub fn with_details<S: Into<String>>(
        code: ErrorCode,
        details: impl IntoIterator<Item = S>,
    ) -> Self {
        Self(Box::new(Inner {
            code,
            details: details.into_iter().map(Into::into).collect(),
        }))
    }

    /// The catalog code.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.0.code.status()
    }

    /// The message as sent. Each `{}` of the template takes the next detail, or nothing if
    /// there is none left: a template never reaches the wire. A detail is never searched for
    /// placeholders of its own.
    #[must_use]
    pub fn message(&self) -> String {
        let mut parts = self.0.code.message_template().split("{}");
        let mut out = String::from(parts.next().unwrap_or_default());
        let mut details = self.0.details.iter();
        for part in parts {
            out.push_str(details.next().map_or("", String::as_str));
            out.push_str(part);
        }
        out
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.code.as_str(), self.message())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for ApiError {}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        let code = match error {
            DomainError::HandshakeNotFound(_) => ErrorCode::EntityNotExistsHandshake,
            DomainError::NotPending(_) => ErrorCode::HandshakeStatusMismatch,
            DomainError::OrganizationGone(_) => ErrorCode::SpecifiedResourceDirectoryNotExists,
            // Inviting oneself: the management account already belongs to its own directory.
            DomainError::InOrganization(_) | DomainError::TargetIsCaller => {
                ErrorCode::NotSupportAccountInAnotherResourceDirectory
            }
            DomainError::PersonalAccount => ErrorCode::InvalidAccountType,
            DomainError::RealNameNotEnterprise(_) => ErrorCode::NotSupportAccountRealNameType,
            DomainError::CallerNotInOrganization | DomainError::CallerNotManager => {
                ErrorCode::EntityNotExistsResourceDirectory
            }
            DomainError::UnknownTarget(_) => ErrorCode::InvalidParameterTargetEntity,
            DomainError::DuplicatePending(_) => ErrorCode::EntityAlreadyExistsHandshake,
            DomainError::MissingRealName => ErrorCode::MissingAccountRealName,
            DomainError::NoRealNameAuthentication => ErrorCode::NoRealNameAuthentication,
            DomainError::InvitationRateExceeded(_) => ErrorCode::LimitExceededInvitationRate,
            DomainError::MemberQuotaExceeded(_) => ErrorCode::LimitExceededAccount,
            // Resource Manager pages by number; a marker never reaches the domain.
            DomainError::UnknownCursor(_) => {
                return ApiError::with(ErrorCode::InvalidParameter, "PageNumber");
            }
        };
        ApiError::new(code)
    }
}

impl From<StoreError> for ApiError {
    fn from(_: StoreError) -> Self {
        ApiError::new(ErrorCode::InternalError)
    }
}

impl From<WriteError> for ApiError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Refused(refused) => refused.into(),
            WriteError::Store(failed) => failed.into(),
        }
    }
}

impl From<CredentialError> for ApiError {
    fn from(error: CredentialError) -> Self {
        ApiError::new(match error {
            CredentialError::UnknownKey => ErrorCode::InvalidAccessKeyIdNotFound,
            CredentialError::Disabled => ErrorCode::InvalidAccessKeyIdInactive,
            CredentialError::MissingToken => ErrorCode::MissingSecurityToken,
            CredentialError::MalformedToken => ErrorCode::InvalidSecurityTokenMalformed,
            CredentialError::TokenMismatch => ErrorCode::InvalidSecurityTokenMismatchWithAccessKey,
            CredentialError::TokenExpired => ErrorCode::InvalidSecurityTokenExpired,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detail_fills_the_placeholder() {
        let err = ApiError::with(ErrorCode::MissingParameter, "Action");
        assert_eq!(
            err.message(),
            "The input parameter \"Action\" that is mandatory for processing this request is not supplied."
        );
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn details_fill_placeholders_in_order_and_are_never_read_as_templates() {
        let err = ApiError::with_details(ErrorCode::SignatureDoesNotMatchV3, ["a{}", "b"]);
        assert_eq!(
            err.message(),
            "Specified signature does not match our calculation. server StringToSign is [a{}] server CanonicalRequest is [b]"
        );
        let bare = ApiError::new(ErrorCode::InvalidParameter);
        assert_eq!(bare.message(), "Specified parameter  is not valid.");
    }

    #[test]
    fn the_string_to_sign_follows_the_colon_without_a_space() {
        let err = ApiError::with(ErrorCode::SignatureDoesNotMatch, "GET&%2F&A%3DB");
        assert!(
            err.message()
                .ends_with("server string to sign is:GET&%2F&A%3DB")
        );
    }
}
