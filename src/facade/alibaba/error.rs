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
    access_denied: Option<AccessDenied>,
    // For the journal and the log only: never in the body, which SDKs compare byte for byte.
    why: Option<String>,
}

/// What a RAM denial says about itself, `AccessDeniedDetail` in the body: the fields RAM's
/// DecodeDiagnosticMessage documents, in the order live bodies list them. The Tea clients expose
/// it as `access_denied_detail` / `accessDeniedDetail`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessDenied {
    /// The RAM action, `resourcemanager:<Action>`.
    pub auth_action: String,
    /// Who was denied, as the console shows them. AMBIGUOUS: the world names no RAM users, so
    /// the access key id stands in.
    pub auth_principal_display_name: String,
    /// The account the principal belongs to.
    pub auth_principal_owner_id: String,
    /// `SubUser` (a RAM user's permanent key) or `AssumedRoleUser` (an STS key).
    pub auth_principal_type: &'static str,
    /// The diagnosis, base64 of its decoded form (DecodeDiagnosticMessage's result shape).
    pub encoded_diagnostic_message: String,
    /// `ImplicitDeny`: no policy allows the action.
    pub no_permission_type: &'static str,
    /// `AccountLevelIdentityBasedPolicy`.
    pub policy_type: &'static str,
}

impl AccessDenied {
    /// The denial of RAM action `service:action` to the key `access_key_id` of `account_id`.
    #[must_use]
    pub fn new(
        service: &str,
        action: &str,
        account_id: &str,
        access_key_id: &str,
        temporary: bool,
    ) -> Self {
        use base64::Engine;
        let auth_action = format!("{service}:{action}");
        let auth_principal_type = if temporary {
            "AssumedRoleUser"
        } else {
            "SubUser"
        };
        let (no_permission_type, policy_type) = ("ImplicitDeny", "AccountLevelIdentityBasedPolicy");
        let decoded = serde_json::json!({
            "AuthAction": auth_action,
            "AuthPrincipal": {
                "AuthPrincipalDisplayName": access_key_id,
                "AuthPrincipalOwnerId": account_id,
                "AuthPrincipalType": auth_principal_type,
            },
            "AuthResource": "*",
            "ExplicitDeny": false,
            "NoPermissionPolicyType": policy_type,
        });
        Self {
            encoded_diagnostic_message: base64::engine::general_purpose::STANDARD
                .encode(decoded.to_string()),
            auth_action,
            auth_principal_display_name: access_key_id.to_owned(),
            auth_principal_owner_id: account_id.to_owned(),
            auth_principal_type,
            no_permission_type,
            policy_type,
        }
    }

    /// The fields as XML elements name them, in order.
    #[must_use]
    pub fn fields(&self) -> [(&'static str, &str); 7] {
        [
            ("AuthAction", &self.auth_action),
            (
                "AuthPrincipalDisplayName",
                &self.auth_principal_display_name,
            ),
            ("AuthPrincipalOwnerId", &self.auth_principal_owner_id),
            ("AuthPrincipalType", self.auth_principal_type),
            ("EncodedDiagnosticMessage", &self.encoded_diagnostic_message),
            ("NoPermissionType", self.no_permission_type),
            ("PolicyType", self.policy_type),
        ]
    }
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
            access_denied: None,
            why: None,
        }))
    }

    /// This error with the `AccessDeniedDetail` of a RAM denial.
    #[must_use]
    pub fn denied(mut self, detail: AccessDenied) -> Self {
        self.0.access_denied = Some(detail);
        self
    }

    /// This error with `why` it was refused: one line for the journal and the log.
    #[must_use]
    pub fn because(mut self, why: impl Into<String>) -> Self {
        self.0.why = Some(why.into());
        self
    }

    /// Why it was refused, in plain words: the reason given, or else the message.
    #[must_use]
    pub fn why(&self) -> String {
        self.0.why.clone().unwrap_or_else(|| self.message())
    }

    /// The `AccessDeniedDetail`, for a RAM denial.
    #[must_use]
    pub fn access_denied(&self) -> Option<&AccessDenied> {
        self.0.access_denied.as_ref()
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
