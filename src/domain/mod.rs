//! The domain: organizations, accounts, access keys and handshakes, with the rules of the
//! invitation lifecycle, the same for every cloud. It knows nothing of HTTP or wire formats, and
//! names no cloud: where clouds differ (validity, retention, who may read or cancel, quotas) a
//! facade hands in its [`Policy`]. Time comes in as a parameter. Rules read the world through
//! [`View`] (indexed queries a store answers) and decide; they never write: they return the
//! [`Change`]s they made, which the store commits atomically.

mod account;
mod credential;
mod explain;
mod handshake;
mod ids;
mod lifecycle;
mod view;

pub use account::{Account, AccountType, Organization, RealNameType};
pub use credential::{Credential, CredentialError, Secret};
pub use explain::{Acting, explain};
pub use handshake::{Handshake, Status, Target, TargetKind, truncate_to_seconds};
pub use ids::{AccountId, HandshakeId, InvalidId, OrganizationId};
pub use lifecycle::{
    Decided, HandshakeRead, Invitation, Listing, accept, authenticate, cancel, decline, invite,
    list_received, list_sent, read,
};
pub use view::{Counts, Cursor, Invitee, List, Page, View, invitee_of};

use chrono::TimeDelta;
use std::sync::Arc;

/// A change a rule made, for the store to commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A handshake created or changed (the whole new value).
    Handshake(Arc<Handshake>),
    /// An account joined (or left) an organization.
    Membership {
        /// The account.
        account: AccountId,
        /// Its organization from now on.
        organization: Option<OrganizationId>,
    },
}

/// Who may read, list and cancel an organization's invitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// The two parties of each handshake: its sender (reads, cancels) and its invitee (reads;
    /// an invitee must have passed real-name verification and cannot read what it accepted).
    Parties,
    /// The sending organization: any member reads its invitations; its management account
    /// lists and cancels them. A caller in no organization is refused as such first.
    Organization,
}

/// The rules where clouds differ, handed in by each facade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// How long a Pending invitation stays valid.
    pub validity: TimeDelta,
    /// How long a finished invitation stays visible (`None`: forever).
    pub retention: Option<TimeDelta>,
    /// Who may read, list and cancel.
    pub authority: Authority,
    /// The most accounts an organization may hold, its management account included.
    pub member_quota: Option<usize>,
    /// The most invitations an organization may send within a period.
    pub invitation_rate: Option<(usize, TimeDelta)>,
}

/// Why a rule refused a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// No such handshake, or the caller is not the party the action needs.
    #[error("no handshake {0} that this caller may act on")]
    HandshakeNotFound(HandshakeId),
    /// The handshake is not Pending.
    #[error("the handshake is {0:?}, not Pending")]
    NotPending(Status),
    /// The inviting organization no longer exists.
    #[error("organization {0} no longer exists")]
    OrganizationGone(OrganizationId),
    /// The account (invitee) already belongs to an organization.
    #[error("the account already belongs to organization {0}")]
    InOrganization(OrganizationId),
    /// The invitee is a personal account.
    #[error("the account is a personal account")]
    PersonalAccount,
    /// The invitee's real-name verification is not of enterprise type.
    #[error("the account's real-name verification is {0}, not enterprise")]
    RealNameNotEnterprise(RealNameType),
    /// The caller belongs to no organization.
    #[error("the caller belongs to no organization")]
    CallerNotInOrganization,
    /// The caller is not its organization's management account.
    #[error("the caller is not the management account of its organization")]
    CallerNotManager,
    /// An invitation's target names no account of the world.
    #[error("no account {0} to invite")]
    UnknownTarget(String),
    /// The caller invites itself.
    #[error("the caller cannot invite itself")]
    TargetIsCaller,
    /// A Pending invitation from the organization to the same account exists.
    #[error("handshake {0} to the same account is still Pending")]
    DuplicatePending(HandshakeId),
    /// The invitee reading the handshake has no account name.
    #[error("the invited account has no name")]
    MissingRealName,
    /// The invitee reading the handshake has passed no real-name verification.
    #[error("the invited account has not passed real-name verification")]
    NoRealNameAuthentication,
    /// The organization sent as many invitations as its rate allows.
    #[error("the organization sent {0} invitations within the rate period")]
    InvitationRateExceeded(usize),
    /// The organization holds as many accounts as its quota allows.
    #[error("the organization holds {0} accounts, its quota")]
    MemberQuotaExceeded(usize),
    /// A paging cursor names no handshake of the list.
    #[error("the paging marker {0} is not a handshake of this list")]
    UnknownCursor(HandshakeId),
}
