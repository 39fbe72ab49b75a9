//! The store boundary: everything outside `domain` and `store` reaches a cloud's world through
//! [`Store`]. Rules read through the domain's [`View`] (indexed queries) and hand back the
//! [`Change`]s they decided; a store commits them atomically, so a durable store writes what
//! changed, never the whole world. [`World`] is a cloud's world as plain data: what documents
//! load into and what export reads.

#[cfg(test)]
mod contract;
pub mod document;
mod durable;
mod entries;
mod memory;
pub mod sqlite;

pub use durable::DurableStore;
pub use memory::MemoryStore;

use crate::domain::{
    Account, Change, Credential, Decided, DomainError, Handshake, Organization, View,
};
use std::sync::Arc;

/// One cloud's whole world as plain data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    /// Organizations.
    pub organizations: Vec<Organization>,
    /// Accounts.
    pub accounts: Vec<Account>,
    /// Access keys.
    pub credentials: Vec<Credential>,
    /// Handshakes (shared, so copies of a large world cost pointers).
    pub handshakes: Vec<Arc<Handshake>>,
}

/// A store that could not commit (a durable store's disk); nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the store could not commit: {0}")]
pub struct StoreError(pub String);

/// Why a transaction changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// A rule refused.
    #[error(transparent)]
    Refused(#[from] DomainError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where one cloud's world lives. Object-safe, so the application holds `Arc<dyn Store>`.
pub trait Store: Send + Sync {
    /// Runs `f` over a consistent view of the world.
    fn read(&self, f: &mut dyn FnMut(&dyn View));
    /// Runs `f` over the world with writers excluded and commits the changes it returns, all or
    /// nothing; they are durable (for a durable store) when this returns.
    fn write(&self, f: &mut dyn FnMut(&dyn View) -> Vec<Change>) -> Result<(), StoreError>;
    /// Replaces the whole world (the control plane's state import).
    fn replace(&self, world: World) -> Result<(), StoreError>;
    /// Puts the world back as the store was seeded (the control plane's reset).
    fn reset(&self) -> Result<(), StoreError>;
    /// The whole world as data.
    fn export(&self) -> World;
}

impl dyn Store + '_ {
    /// Reads a value out of the world.
    pub fn query<R>(&self, f: impl FnOnce(&dyn View) -> R) -> R {
        let mut f = Some(f);
        let mut out = None;
        self.read(&mut |view| out = f.take().map(|f| f(view)));
        out.expect("Store::read runs its closure exactly once")
    }

    /// Runs a rule and commits what it decided; a refusal commits nothing.
    pub fn transact<R>(
        &self,
        rule: impl FnOnce(&dyn View) -> Result<Decided<R>, DomainError>,
    ) -> Result<R, WriteError> {
        let mut rule = Some(rule);
        let mut out = None;
        self.write(&mut |view| {
            let decided = rule.take().map(|rule| rule(view));
            match decided {
                Some(Ok(Decided { value, changes })) => {
                    out = Some(Ok(value));
                    changes
                }
                Some(Err(refused)) => {
                    out = Some(Err(refused));
                    Vec::new()
                }
                None => Vec::new(),
            }
        })?;
        Ok(out.expect("Store::write runs its closure exactly once")?)
    }
}
