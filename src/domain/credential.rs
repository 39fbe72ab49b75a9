//! Access keys: permanent key pairs and STS credentials, each acting for one account.

use super::ids::AccountId;
use chrono::{DateTime, Utc};
use std::fmt;

/// A secret string; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for signing and export.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// One access key of the world's credential table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The AccessKeyId clients send.
    pub access_key_id: String,
    /// The AccessKeySecret clients sign with.
    pub secret: Secret,
    /// The account the key acts for.
    pub account_id: AccountId,
    /// Present for STS credentials: the SecurityToken that must accompany the key.
    pub security_token: Option<Secret>,
    /// For STS credentials: when the token stops being accepted (emulator clock).
    pub expiration: Option<DateTime<Utc>>,
    /// A disabled key is refused (`InvalidAccessKeyId.Inactive`).
    pub disabled: bool,
}

/// Why a credential was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No such AccessKeyId.
    #[error("unknown access key")]
    UnknownKey,
    /// The key is disabled.
    #[error("access key is disabled")]
    Disabled,
    /// An STS key came without its SecurityToken.
    #[error("STS access key without SecurityToken")]
    MissingToken,
    /// The SecurityToken is none the world issued.
    #[error("SecurityToken is not one the emulator issued")]
    MalformedToken,
    /// The SecurityToken belongs to another key, or came with a permanent key.
    #[error("SecurityToken does not belong to this access key")]
    TokenMismatch,
    /// The STS credential has expired.
    #[error("SecurityToken has expired")]
    TokenExpired,
}
