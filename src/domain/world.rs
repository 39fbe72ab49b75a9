//! The world: directories, accounts, credentials and handshakes, and the rules that change them.
//! Every rule takes "now" from its caller, so time is whatever clock the caller injects.

use super::DomainError;
use super::account::{Account, AccountType, RealNameType, ResourceDirectory};
use super::credential::{Credential, CredentialError};
use super::fixtures::truncate_to_seconds;
use super::handshake::{Handshake, HandshakeStatus, TargetType, VALIDITY};
use super::ids::{AccountId, HandshakeId, ResourceDirectoryId};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// Everything the emulator knows. Built from a fixture document (see [`super::fixtures`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct World {
    pub(crate) directories: HashMap<ResourceDirectoryId, ResourceDirectory>,
    pub(crate) accounts: HashMap<AccountId, Account>,
    pub(crate) credentials: HashMap<String, Credential>,
    // Shared so that a copy of the world (the reset snapshot) costs a map, not every handshake;
    // a handshake is copied when it is first changed (`Arc::make_mut`).
    pub(crate) handshakes: HashMap<HandshakeId, Arc<Handshake>>,
}

/// A new invitation, as the management account sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Account id or logon email.
    pub target_entity: String,
    /// Which of the two.
    pub target_type: TargetType,
    /// Free text.
    pub note: String,
    /// Tags (key, value).
    pub tags: Vec<(String, String)>,
}

/// A handshake as one of its parties reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeRead {
    /// The handshake, expiry applied.
    pub handshake: Handshake,
    /// For the invitee only: the management account's and the invitee's real names.
    pub real_names: Option<(String, String)>,
}

impl Clone for World {
    fn clone(&self) -> Self {
        Self {
            directories: self.directories.clone(),
            accounts: self.accounts.clone(),
            credentials: self.credentials.clone(),
            handshakes: self.handshakes.clone(),
        }
    }

    /// Field by field, so each map keeps and reuses its table (the control plane's reset).
    fn clone_from(&mut self, source: &Self) {
        self.directories.clone_from(&source.directories);
        self.accounts.clone_from(&source.accounts);
        self.credentials.clone_from(&source.credentials);
        self.handshakes.clone_from(&source.handshakes);
    }
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
        self.handshakes.get(id).map(Arc::as_ref)
    }

    /// Whether `caller` is the account `handshake` invites (by id or logon email).
    fn is_invitee(&self, caller: &AccountId, handshake: &Handshake) -> bool {
        self.accounts
            .get(caller)
            .is_some_and(|a| a.is_target(handshake.target_type, &handshake.target_entity))
    }

    /// The handshake `id` for a change, if `party` says the caller may make it; copied first if
    /// another world (the reset snapshot) still shares it.
    fn handshake_for_change(
        &mut self,
        id: &HandshakeId,
        party: impl FnOnce(&Handshake) -> bool,
    ) -> Result<&mut Handshake, DomainError> {
        match self.handshakes.get_mut(id) {
            Some(shared) if party(shared) => Ok(Arc::make_mut(shared)),
            _ => Err(DomainError::HandshakeNotFound(*id)),
        }
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
        let stored = self
            .handshakes
            .get(id)
            .filter(|h| self.is_invitee(caller, h));
        let stored = stored.ok_or(DomainError::HandshakeNotFound(*id))?;
        let handshake = stored.as_of(now);
        if handshake.status != HandshakeStatus::Pending {
            if stored.status == HandshakeStatus::Pending {
                // Expiry is time's doing: record it even though the caller's change is refused.
                self.handshake_for_change(id, |_| true)?.refresh(now);
            }
            return Err(DomainError::HandshakeNotPending(handshake.status));
        }
        if !self
            .directories
            .contains_key(&handshake.resource_directory_id)
        {
            return Err(DomainError::ResourceDirectoryNotFound(
                handshake.resource_directory_id,
            ));
        }
        let account = &self.accounts[caller];
        if let Some(directory) = account.resource_directory {
            return Err(DomainError::AccountInDirectory(directory));
        }
        if account.account_type != AccountType::Enterprise {
            return Err(DomainError::PersonalAccount);
        }
        if account.real_name_type != RealNameType::Enterprise {
            return Err(DomainError::RealNameNotEnterprise(account.real_name_type));
        }
        let accepted = self.handshake_for_change(id, |_| true)?;
        accepted.transition(HandshakeStatus::Accepted, now)?;
        let accepted = accepted.clone();
        if let Some(member) = self.accounts.get_mut(caller) {
            member.resource_directory = Some(accepted.resource_directory_id);
        }
        Ok(accepted)
    }

    /// The management account that sent the invitation withdraws it.
    pub fn cancel_handshake(
        &mut self,
        caller: &AccountId,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, DomainError> {
        let handshake = self.handshake_for_change(id, |h| h.master_account_id == *caller)?;
        handshake.transition(HandshakeStatus::Cancelled, now)?;
        Ok(handshake.clone())
    }

    /// The directory `caller` manages.
    fn managed_directory(&self, caller: &AccountId) -> Result<&ResourceDirectory, DomainError> {
        self.directories
            .values()
            .find(|d| d.master_account_id == *caller)
            .ok_or(DomainError::NoManagedDirectory)
    }

    /// The account an invitation's target names, if the world has it.
    fn target_account(&self, target_type: TargetType, entity: &str) -> Option<&Account> {
        match target_type {
            TargetType::Account => AccountId::parse(entity)
                .ok()
                .and_then(|id| self.accounts.get(&id)),
            TargetType::Email => self
                .accounts
                .values()
                .find(|a| a.is_target(target_type, entity)),
        }
    }

    /// The management account sends an invitation from its directory. `new_id` draws fresh ids
    /// until one is unused.
    ///
    /// Checks, in order: the caller manages a directory; an Account target exists; the target
    /// account (if known) is in no directory and is an enterprise account; no Pending invitation
    /// from this directory to the same target exists.
    pub fn invite(
        &mut self,
        caller: &AccountId,
        invitation: Invitation,
        mut new_id: impl FnMut() -> HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, DomainError> {
        let directory = self.managed_directory(caller)?.id;
        let target = self.target_account(invitation.target_type, &invitation.target_entity);
        match (invitation.target_type, target) {
            (TargetType::Account, None) => {
                return Err(DomainError::UnknownTarget(invitation.target_entity));
            }
            (_, Some(account)) => {
                if let Some(member_of) = &account.resource_directory {
                    return Err(DomainError::AccountInDirectory(*member_of));
                }
                if account.account_type != AccountType::Enterprise {
                    return Err(DomainError::PersonalAccount);
                }
            }
            (TargetType::Email, None) => {}
        }
        let duplicate = self.handshakes.values().find(|h| {
            h.resource_directory_id == directory
                && h.as_of(now).status == HandshakeStatus::Pending
                && h.target_entity
                    .eq_ignore_ascii_case(&invitation.target_entity)
        });
        if let Some(pending) = duplicate {
            return Err(DomainError::DuplicatePending(pending.id));
        }
        let id = std::iter::repeat_with(&mut new_id)
            .find(|id| !self.handshakes.contains_key(id))
            .expect("an endless supply");
        let master = &self.accounts[caller];
        let now = truncate_to_seconds(now);
        let handshake = Handshake {
            id,
            resource_directory_id: directory,
            master_account_id: master.id,
            master_account_name: Arc::from(master.name.as_str()),
            target_entity: invitation.target_entity,
            target_type: invitation.target_type,
            note: Arc::from(invitation.note),
            tags: invitation.tags,
            status: HandshakeStatus::Pending,
            create_time: now,
            modify_time: now,
            expire_time: now + VALIDITY,
        };
        self.handshakes.insert(id, Arc::new(handshake.clone()));
        Ok(handshake)
    }

    /// The invitee declines.
    pub fn decline_handshake(
        &mut self,
        caller: &AccountId,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, DomainError> {
        let invited = self
            .handshakes
            .get(id)
            .is_some_and(|h| self.is_invitee(caller, h));
        let handshake = self.handshake_for_change(id, |_| invited)?;
        handshake.transition(HandshakeStatus::Declined, now)?;
        Ok(handshake.clone())
    }

    /// Either party reads a handshake. The invitee also gets both real names, and cannot read
    /// an invitation it has accepted (the real service answers HandshakeStatusMismatch).
    pub fn get_handshake(
        &self,
        caller: &AccountId,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<HandshakeRead, DomainError> {
        let not_found = || DomainError::HandshakeNotFound(*id);
        let handshake = self.handshakes.get(id).ok_or_else(not_found)?.as_of(now);
        if handshake.master_account_id == *caller {
            return Ok(HandshakeRead {
                handshake,
                real_names: None,
            });
        }
        let invitee = self
            .accounts
            .get(caller)
            .filter(|a| a.is_target(handshake.target_type, &handshake.target_entity))
            .ok_or_else(not_found)?;
        if handshake.status == HandshakeStatus::Accepted {
            return Err(DomainError::HandshakeNotPending(handshake.status));
        }
        if invitee.real_name_type == RealNameType::None {
            return Err(DomainError::NoRealNameAuthentication);
        }
        if invitee.name.is_empty() {
            return Err(DomainError::MissingRealName);
        }
        let master_name = self.accounts.get(&handshake.master_account_id).map_or_else(
            || handshake.master_account_name.to_string(),
            |a| a.name.clone(),
        );
        let real_names = Some((master_name, invitee.name.clone()));
        Ok(HandshakeRead {
            handshake,
            real_names,
        })
    }

    /// The invitations `caller` received, newest first (CreateTime, then HandshakeId), expiry applied.
    #[must_use]
    pub fn handshakes_for_account(&self, caller: &AccountId, now: DateTime<Utc>) -> Vec<Handshake> {
        let Some(account) = self.accounts.get(caller) else {
            return Vec::new();
        };
        newest_first(
            self.handshakes
                .values()
                .filter(|h| account.is_target(h.target_type, &h.target_entity)),
            now,
        )
    }

    /// The invitations of the directory `caller` manages, newest first, expiry applied.
    pub fn handshakes_for_directory(
        &self,
        caller: &AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Handshake>, DomainError> {
        let directory = &self.managed_directory(caller)?.id;
        Ok(newest_first(
            self.handshakes
                .values()
                .filter(|h| h.resource_directory_id == *directory),
            now,
        ))
    }
}

/// Newest first: CreateTime descending, then HandshakeId ascending for a stable order.
fn newest_first<'a>(
    handshakes: impl Iterator<Item = &'a Arc<Handshake>>,
    now: DateTime<Utc>,
) -> Vec<Handshake> {
    let mut list: Vec<Handshake> = handshakes.map(|h| h.as_of(now)).collect();
    list.sort_by(|a, b| {
        b.create_time
            .cmp(&a.create_time)
            .then_with(|| a.id.cmp(&b.id))
    });
    list
}
