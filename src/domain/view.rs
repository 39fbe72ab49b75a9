//! What the rules read: the queries a store answers from its indexes, so that no rule's cost
//! grows with the size of the world.

use super::account::{Account, Organization};
use super::credential::Credential;
use super::handshake::{Handshake, Target, TargetKind};
use super::ids::{AccountId, HandshakeId, OrganizationId};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The ordered lists of invitations, newest first (creation time descending, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    /// Every handshake of the world (the control plane's console browses it).
    All,
    /// Sent by an organization.
    Sent(OrganizationId),
    /// Received by an account (addressed to its id, email or name).
    Received(AccountId),
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// After skipping this many shown items (page numbers).
    Offset(usize),
    /// Right after this handshake (markers).
    After(HandshakeId),
}

/// One page of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The items, in list order, as stored.
    pub items: Vec<Arc<Handshake>>,
    /// Whether items that would be shown follow this page.
    pub more: bool,
}

/// Whom an invitation reaches: the account its target names, or, for an address no account of
/// the world has, the address itself (case-folded).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Invitee {
    /// A known account.
    Account(AccountId),
    /// No known account.
    Unknown(TargetKind, String),
}

/// How many of each thing the world holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Organizations.
    pub organizations: usize,
    /// Accounts.
    pub accounts: usize,
    /// Access keys.
    pub access_keys: usize,
    /// Handshakes.
    pub handshakes: usize,
}

/// Read access to one cloud's world. Every query is a look-up in an index.
pub trait View {
    /// An organization by id.
    fn organization(&self, id: &OrganizationId) -> Option<Organization>;
    /// An account by id.
    fn account(&self, id: &AccountId) -> Option<Account>;
    /// The account an invitation target names (by id, case-folded email, or name).
    fn account_named(&self, kind: TargetKind, entity: &str) -> Option<AccountId>;
    /// A credential by key id.
    fn credential(&self, access_key_id: &str) -> Option<Credential>;
    /// Whether some credential carries `token`.
    fn token_issued(&self, token: &str) -> bool;
    /// A handshake by id, as stored.
    fn handshake(&self, id: &HandshakeId) -> Option<Arc<Handshake>>;
    /// The newest handshake stored as Pending from `organization` to `invitee`.
    fn pending(&self, organization: &OrganizationId, invitee: &Invitee) -> Option<HandshakeId>;
    /// Up to `limit` items of `list` from `from` that `shown` keeps (every item without it, so
    /// an offset costs nothing to skip); `None` if an `After` cursor is not in the list.
    fn page(
        &self,
        list: List,
        from: Cursor,
        limit: usize,
        shown: Option<&dyn Fn(&Handshake) -> bool>,
    ) -> Option<Page>;
    /// How many handshakes `list` holds.
    fn list_len(&self, list: List) -> usize;
    /// How many accounts belong to `organization`.
    fn members(&self, organization: &OrganizationId) -> usize;
    /// How many invitations `organization` sent at or after `since`.
    fn sent_since(&self, organization: &OrganizationId, since: DateTime<Utc>) -> usize;
    /// How many of each thing there are.
    fn counts(&self) -> Counts;
    /// Up to `limit` organizations from the `offset`-th, in id order (the console browses them).
    fn organizations(&self, offset: usize, limit: usize) -> Vec<Organization>;
    /// Up to `limit` accounts from the `offset`-th, in id order.
    fn accounts(&self, offset: usize, limit: usize) -> Vec<Account>;
    /// Up to `limit` access keys from the `offset`-th, in key id order.
    fn credentials(&self, offset: usize, limit: usize) -> Vec<Credential>;
}

/// Whom `target` reaches in `view`.
#[must_use]
pub fn invitee_of(view: &dyn View, target: &Target) -> Invitee {
    view.account_named(target.kind, &target.entity).map_or_else(
        || Invitee::Unknown(target.kind, target.entity.to_ascii_lowercase()),
        Invitee::Account,
    )
}

impl Invitee {
    /// The account, if known.
    #[must_use]
    pub fn account(&self) -> Option<&AccountId> {
        match self {
            Self::Account(id) => Some(id),
            Self::Unknown(..) => None,
        }
    }
}
