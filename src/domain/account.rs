//! Accounts and the organizations (Alibaba: resource directories) they manage or belong to.

use super::handshake::TargetKind;
use super::ids::{AccountId, OrganizationId};
use std::fmt;

/// The account's profile type; only enterprise accounts may join an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// An enterprise account.
    Enterprise,
    /// A personal account.
    Personal,
}

/// The kind of real-name verification the account has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// An account of one cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub id: AccountId,
    /// Display name (a management account's name is shown on its invitations).
    pub name: String,
    /// Logon email, empty where the cloud has none; an email invitation is addressed to it.
    pub email: String,
    /// Enterprise or personal.
    pub account_type: AccountType,
    /// Real-name verification kind.
    pub real_name_type: RealNameType,
    /// The organization the account belongs to (a management account belongs to the one it manages).
    pub organization: Option<OrganizationId>,
}

impl Account {
    /// Whether an invitation's target names this account: by id, by email (ASCII case folded, as
    /// mail systems treat addresses) or by name.
    #[must_use]
    pub fn is_target(&self, kind: TargetKind, entity: &str) -> bool {
        match kind {
            TargetKind::Id => self.id.as_str() == entity,
            TargetKind::Email => !self.email.is_empty() && self.email.eq_ignore_ascii_case(entity),
            TargetKind::Name => !self.name.is_empty() && self.name == entity,
        }
    }
}

/// An organization and its management account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Organization {
    /// Its id.
    pub id: OrganizationId,
    /// The account that manages it and sends its invitations.
    pub manager: AccountId,
    /// Its own member quota, where it differs from the policy's (a raised quota).
    pub member_quota: Option<usize>,
}
