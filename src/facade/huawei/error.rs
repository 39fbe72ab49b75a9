//! Errors on their way to the wire: a catalog code plus the detail its message needs. Domain,
//! credential and store errors map onto the catalog here, each variant explicitly.

pub use super::catalog::ErrorCode;

use crate::domain::{CredentialError, DomainError, Status};
use crate::store::{StoreError, WriteError};
use std::fmt;

/// An error for the `{"error_code","error_msg","request_id"}` envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct HwError(Box<(ErrorCode, Option<String>, Option<String>)>);

/// `Result` with an [`HwError`].
pub type HwResult<T> = Result<T, HwError>;

impl HwError {
    /// An error whose message needs no detail.
    #[must_use]
    pub fn new(code: ErrorCode) -> Self {
        Self(Box::new((code, None, None)))
    }

    /// An error whose message's `{}` is `detail`.
    #[must_use]
    pub fn with(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self(Box::new((code, Some(detail.into()), None)))
    }

    /// An invalid parameter, named.
    #[must_use]
    pub fn invalid(name: &str) -> Self {
        Self::with(ErrorCode::OrganizationsInvalidParameter, name)
    }

    /// This error with `why` it was refused: one line for the journal and the log, never in
    /// the body.
    #[must_use]
    pub fn because(mut self, why: impl Into<String>) -> Self {
        self.0.2 = Some(why.into());
        self
    }

    /// Why it was refused, in plain words: the reason given, or else the message.
    #[must_use]
    pub fn why(&self) -> String {
        self.0.2.clone().unwrap_or_else(|| self.message())
    }

    /// The catalog code.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        self.0.0
    }

    /// The message as sent.
    #[must_use]
    pub fn message(&self) -> String {
        self.0.0.message(self.0.1.as_deref().unwrap_or_default())
    }
}

impl fmt::Debug for HwError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code().as_str(), self.message())
    }
}

impl From<DomainError> for HwError {
    fn from(error: DomainError) -> Self {
        Self::new(match error {
            DomainError::HandshakeNotFound(_)
            // Only under the parties' authority, which Organizations does not use.
            | DomainError::MissingRealName
            | DomainError::NoRealNameAuthentication => ErrorCode::OrganizationsHandshakeNotFound,
            DomainError::NotPending(status) => match status {
                Status::Cancelled => ErrorCode::OrganizationsHandshakeCancelled,
                Status::Accepted => ErrorCode::OrganizationsHandshakeAccepted,
                Status::Declined => ErrorCode::OrganizationsHandshakeDeclined,
                Status::Expired => ErrorCode::OrganizationsHandshakeExpired,
                // A transition found Pending and still failed: another request won the race.
                Status::Pending => ErrorCode::OrganizationsConcurrentModification,
            },
            DomainError::OrganizationGone(_) | DomainError::CallerNotInOrganization => {
                ErrorCode::OrganizationsNotFound
            }
            DomainError::InOrganization(_) => ErrorCode::OrganizationsAlreadyMember,
            DomainError::CallerNotManager => ErrorCode::OrganizationsNotManagementAccount,
            // Huawei accounts are all enterprise accounts: the first two cannot arise from its
            // worlds.
            DomainError::PersonalAccount
            | DomainError::RealNameNotEnterprise(_)
            | DomainError::UnknownTarget(_)
            | DomainError::TargetIsCaller => ErrorCode::OrganizationsAccountNotFound,
            DomainError::DuplicatePending(_) => ErrorCode::OrganizationsDuplicateInvitation,
            DomainError::InvitationRateExceeded(_) => {
                ErrorCode::OrganizationsInvitationLimitExceeded
            }
            DomainError::MemberQuotaExceeded(_) => ErrorCode::OrganizationsAccountQuotaExceeded,
            DomainError::UnknownCursor(_) => return Self::invalid("marker"),
        })
    }
}

impl From<CredentialError> for HwError {
    fn from(error: CredentialError) -> Self {
        match error {
            // The caller fills in the AK; this arm is for completeness.
            CredentialError::UnknownKey => Self::with(ErrorCode::GatewayUnknownAk, ""),
            CredentialError::Disabled
            | CredentialError::MissingToken
            | CredentialError::MalformedToken
            | CredentialError::TokenMismatch
            | CredentialError::TokenExpired => Self::new(ErrorCode::GatewayUnauthorized),
        }
    }
}

impl From<StoreError> for HwError {
    fn from(_: StoreError) -> Self {
        Self::new(ErrorCode::InternalError)
    }
}

impl From<WriteError> for HwError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Refused(refused) => refused.into(),
            WriteError::Store(failed) => failed.into(),
        }
    }
}
