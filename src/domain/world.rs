//! The world: directories, accounts, credentials and handshakes, and the rules that change them.
//! Every rule takes "now" from its caller, so time is whatever clock the caller injects.

use super::DomainError;
use super::account::{Account, AccountType, RealNameType, ResourceDirectory};
use super::credential::{Credential, CredentialError};
use super::handshake::{Handshake, HandshakeStatus};
use super::ids::{AccountId, HandshakeId, ResourceDirectoryId};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Everything the emulator knows. Built from a fixture document (see [`super::fixtures`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    pub(crate) directories: HashMap<ResourceDirectoryId, ResourceDirectory>,
    pub(crate) accounts: HashMap<AccountId, Account>,
    pub(crate) credentials: HashMap<String, Credential>,
    pub(crate) handshakes: HashMap<HandshakeId, Handshake>,
}

/// How many of each thing the world holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Resource directories.
    pub resource_directories: usize,
    /// Accounts.
    pub accounts: usize,
    /// Access keys.
    pub access_keys: usize,
    /// Handshakes.
    pub handshakes: usize,
}

impl World {
    /// Counts of each kind of entity.
    #[must_use]
    pub fn counts(&self) -> Counts {
        Counts {
            resource_directories: self.directories.len(),
            accounts: self.accounts.len(),
            access_keys: self.credentials.len(),
            handshakes: self.handshakes.len(),
        }
    }

    /// A handshake by id, as stored (expiry applied only when something touched it).
    #[must_use]
    pub fn handshake(&self, id: &HandshakeId) -> Option<&Handshake> {
        self.handshakes.get(id)
    }

    /// An account by id.
    #[must_use]
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.get(id)
    }

    /// The access keys, sorted by id.
    #[must_use]
    pub fn credentials(&self) -> Vec<&Credential> {
        let mut all: Vec<_> = self.credentials.values().collect();
        all.sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));
        all
    }

    /// The usable credential for `access_key_id`, checking the SecurityToken that came with it.
    ///
    /// A token is accepted only with the STS key it was issued for; one that belongs to no key is
    /// malformed (real tokens are opaque blobs the gateway decodes).
    pub fn credential(
        &self,
        access_key_id: &str,
        security_token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<&Credential, CredentialError> {
        let credential = self
            .credentials
            .get(access_key_id)
            .ok_or(CredentialError::UnknownKey)?;
        if credential.disabled {
            return Err(CredentialError::Disabled);
        }
        match (&credential.security_token, security_token) {
            (None, None) => {}
            (Some(_), None) => return Err(CredentialError::MissingToken),
            (expected, Some(presented)) => {
                if expected.as_ref().is_none_or(|t| t.expose() != presented) {
                    let issued = self.credentials.values().any(|c| {
                        c.security_token
                            .as_ref()
                            .is_some_and(|t| t.expose() == presented)
                    });
                    return Err(if issued {
                        CredentialError::TokenMismatch
                    } else {
                        CredentialError::MalformedToken
                    });
                }
                if credential.expiration.is_some_and(|at| now >= at) {
                    return Err(CredentialError::TokenExpired);
                }
            }
        }
        Ok(credential)
    }

    /// The invitee accepts: the handshake becomes Accepted and the account joins the directory.
    ///
    /// Checks, in order: the caller is the invitee (else the handshake "does not exist"), it is
    /// still Pending, the directory still exists, and the account may join (not in a directory,
    /// enterprise type, enterprise real name).
    pub fn accept_handshake(
        &mut self,
        caller: &AccountId,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, DomainError> {
        let account = self
            .accounts
            .get_mut(caller)
            .ok_or_else(|| DomainError::HandshakeNotFound(id.clone()))?;
        let handshake = self
            .handshakes
            .get_mut(id)
            .filter(|h| account.is_target(h.target_type, &h.target_entity))
            .ok_or_else(|| DomainError::HandshakeNotFound(id.clone()))?;
        handshake.refresh(now);
        if handshake.status != HandshakeStatus::Pending {
            return Err(DomainError::HandshakeNotPending(handshake.status));
        }
        if !self
            .directories
            .contains_key(&handshake.resource_directory_id)
        {
            return Err(DomainError::ResourceDirectoryNotFound(
                handshake.resource_directory_id.clone(),
            ));
        }
        if let Some(directory) = &account.resource_directory {
            return Err(DomainError::AccountInDirectory(directory.clone()));
        }
        if account.account_type != AccountType::Enterprise {
            return Err(DomainError::PersonalAccount);
        }
        if account.real_name_type != RealNameType::Enterprise {
            return Err(DomainError::RealNameNotEnterprise(account.real_name_type));
        }
        handshake.transition(HandshakeStatus::Accepted, now)?;
        account.resource_directory = Some(handshake.resource_directory_id.clone());
        Ok(handshake.clone())
    }

    /// The management account that sent the invitation withdraws it.
    pub fn cancel_handshake(
        &mut self,
        caller: &AccountId,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, DomainError> {
        let handshake = self
            .handshakes
            .get_mut(id)
            .filter(|h| h.master_account_id == *caller)
            .ok_or_else(|| DomainError::HandshakeNotFound(id.clone()))?;
        handshake.transition(HandshakeStatus::Cancelled, now)?;
        Ok(handshake.clone())
    }
}
