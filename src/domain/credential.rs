//! Access keys: permanent key pairs and temporary (STS) credentials, each acting for one account,
//! and the rule that decides whether a presented key and token may be used.

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

/// One access key of a cloud's credential table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The key id clients send.
    pub access_key_id: String,
    /// The secret clients sign with.
    pub secret: Secret,
    /// The account the key acts for.
    pub account_id: AccountId,
    /// Present for temporary credentials: the token that must accompany the key.
    pub security_token: Option<Secret>,
    /// For temporary credentials: when the token stops being accepted (emulator clock).
    pub expiration: Option<DateTime<Utc>>,
    /// A disabled key is refused.
    pub disabled: bool,
}

/// Why a credential was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No such key id.
    #[error("unknown access key")]
    UnknownKey,
    /// The key is disabled.
    #[error("access key is disabled")]
    Disabled,
    /// A temporary key came without its token.
    #[error("temporary access key without its security token")]
    MissingToken,
    /// The token is none the world issued.
    #[error("security token is not one the emulator issued")]
    MalformedToken,
    /// The token belongs to another key, or came with a permanent key.
    #[error("security token does not belong to this access key")]
    TokenMismatch,
    /// The temporary credential has expired.
    #[error("security token has expired")]
    TokenExpired,
}

impl Credential {
    /// Whether this key may be used with the `presented` token at `now`. `issued` tells whether
    /// some key of the world carries a token (a look-up by token, never a scan).
    ///
    /// A token with a permanent key is a mismatch whatever the token (the catalog's rule); with a
    /// temporary key, a wrong token is a mismatch if the world issued it to another key, and
    /// malformed otherwise (real tokens are opaque blobs the gateway decodes).
    pub fn check(
        &self,
        presented: Option<&str>,
        issued: impl FnOnce(&str) -> bool,
        now: DateTime<Utc>,
    ) -> Result<(), CredentialError> {
        if self.disabled {
            return Err(CredentialError::Disabled);
        }
        match (&self.security_token, presented) {
            (None, None) => Ok(()),
            (Some(_), None) => Err(CredentialError::MissingToken),
            (None, Some(_)) => Err(CredentialError::TokenMismatch),
            (Some(expected), Some(presented)) if expected.expose() != presented => {
                Err(if issued(presented) {
                    CredentialError::TokenMismatch
                } else {
                    CredentialError::MalformedToken
                })
            }
            (Some(_), Some(_)) => match self.expiration {
                Some(at) if now >= at => Err(CredentialError::TokenExpired),
                _ => Ok(()),
            },
        }
    }
}
