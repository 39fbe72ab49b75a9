//! The domain: resource directories, accounts, access keys and handshakes, with the rules of the
//! invitation lifecycle. It knows nothing of HTTP, actix or the wire format; time comes in as a
//! parameter and the world sits behind the [`Store`] boundary.

mod account;
mod credential;
pub mod fixtures;
mod handshake;
mod ids;
mod store;
mod world;

pub use account::{Account, AccountType, RealNameType, ResourceDirectory};
pub use credential::{Credential, CredentialError, Secret};
pub use handshake::{Handshake, HandshakeStatus, TargetType, VALIDITY};
pub use ids::{AccountId, HandshakeId, InvalidId, ResourceDirectoryId};
pub use store::{MemoryStore, Store};
pub use world::{Counts, HandshakeRead, Invitation, World};

/// Why a handshake rule refused a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// No such handshake, or the caller is not the party the action needs.
    #[error("no handshake {0} that this caller may act on")]
    HandshakeNotFound(HandshakeId),
    /// The handshake is not Pending.
    #[error("the handshake is {0}, not Pending")]
    HandshakeNotPending(HandshakeStatus),
    /// The inviting directory no longer exists.
    #[error("resource directory {0} no longer exists")]
    ResourceDirectoryNotFound(ResourceDirectoryId),
    /// The invitee already manages or belongs to a directory.
    #[error("the account already belongs to resource directory {0}")]
    AccountInDirectory(ResourceDirectoryId),
    /// The invitee is a personal account.
    #[error("the account is a personal account")]
    PersonalAccount,
    /// The invitee's real-name verification is not of enterprise type.
    #[error("the account's real-name verification is {0}, not enterprise")]
    RealNameNotEnterprise(RealNameType),
    /// The caller manages no resource directory.
    #[error("the caller manages no resource directory")]
    NoManagedDirectory,
    /// An invitation's target names no account of the world (TargetType Account).
    #[error("no account {0} to invite")]
    UnknownTarget(String),
    /// A Pending invitation from the directory to the same target exists.
    #[error("handshake {0} to the same target is still Pending")]
    DuplicatePending(HandshakeId),
    /// The invitee reading the handshake has no account name.
    #[error("the invited account has no name")]
    MissingRealName,
    /// The invitee reading the handshake has passed no real-name verification.
    #[error("the invited account has not passed real-name verification")]
    NoRealNameAuthentication,
}
