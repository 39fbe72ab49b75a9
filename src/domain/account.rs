//! Accounts and the resource directories they manage or belong to.

use super::ids::{AccountId, ResourceDirectoryId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The account's profile type; only enterprise accounts may join a resource directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// An enterprise account.
    Enterprise,
    /// A personal account.
    Personal,
}

/// The kind of real-name verification the account has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RealNameType {
    /// Verified as an enterprise.
    Enterprise,
    /// Verified as an individual.
    Individual,
    /// Not verified.
    None,
}

impl fmt::Display for RealNameType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Enterprise => "enterprise",
            Self::Individual => "individual",
            Self::None => "none",
        })
    }
}

/// An Alibaba Cloud account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// 16-digit id.
    pub id: AccountId,
    /// Display name (a management account's name is the handshake's MasterAccountName).
    pub name: String,
    /// Logon email; an Email-type invitation is addressed to it.
    pub logon_email: String,
    /// Enterprise or personal.
    pub account_type: AccountType,
    /// Real-name verification kind.
    pub real_name_type: RealNameType,
    /// The directory the account belongs to (a management account belongs to the one it manages).
    pub resource_directory: Option<ResourceDirectoryId>,
}

impl Account {
    /// Whether an invitation's target names this account: by id, or by logon email (ASCII case
    /// folded, as mail systems treat addresses).
    #[must_use]
    pub fn is_target(&self, target_type: super::TargetType, entity: &str) -> bool {
        match target_type {
            super::TargetType::Account => self.id.as_str() == entity,
            super::TargetType::Email => self.logon_email.eq_ignore_ascii_case(entity),
        }
    }
}

/// A resource directory and its management ("master") account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDirectory {
    /// `rd-` id.
    pub id: ResourceDirectoryId,
    /// The account that manages it and sends its invitations.
    pub master_account_id: AccountId,
}
