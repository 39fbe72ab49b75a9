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
pub use world::{Counts, World};

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
}
