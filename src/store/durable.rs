//! The durable store: a cloud's world indexed in memory, as the memory store keeps it, in front of
//! the SQLite [`Database`]. Reads are answered from memory. A write decides and applies its
//! changes under the world's lock, queues them for the database in the same order, and returns
//! only once they are committed: every acknowledged change is on disk (or, with the default
//! sync, in the operating system) before the client hears of it. If a commit fails, nothing of
//! it is written, the writer gets the store error, and the world is reloaded from the database,
//! so memory never keeps what the disk does not have.

use super::memory::Indexed;
use super::sqlite::Database;
use super::{Store, StoreError, World};
use crate::domain::{Change, View};
use std::sync::{Arc, PoisonError, RwLock};

/// One cloud's world, durable.
pub struct DurableStore {
    realm: &'static str,
    database: Arc<Database>,
    world: RwLock<Indexed>,
}

impl std::fmt::Debug for DurableStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableStore")
            .field("realm", &self.realm)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl DurableStore {
    /// The world of `realm` as the database holds it.
    pub fn open(database: Arc<Database>, realm: &'static str) -> Result<Self, StoreError> {
        let world = database.load(realm)?;
        Ok(Self::loaded(database, realm, world))
    }

    /// The world of `realm` as already loaded from the database (`Database::load`).
    #[must_use]
    pub fn loaded(database: Arc<Database>, realm: &'static str, world: World) -> Self {
        Self {
            realm,
            database,
            world: RwLock::new(Indexed::build(world)),
        }
    }

    /// Seeds `realm` with `world` (its current and its reset world), replacing what was there.
    pub fn seed(
        database: Arc<Database>,
        realm: &'static str,
        world: World,
    ) -> Result<Self, StoreError> {
        let ticket = database.log_seed(realm, world.clone());
        database.wait(ticket)?;
        Ok(Self {
            realm,
            database,
            world: RwLock::new(Indexed::build(world)),
        })
    }

    /// After a failed commit: the world as committed. Under the world's lock, after everything
    /// queued before has settled, so no change is in memory that the disk may still refuse.
    fn reload(&self) {
        let mut world = self.world.write().unwrap_or_else(PoisonError::into_inner);
        let _ = self.database.wait(self.database.log_barrier());
        match self.database.load(self.realm) {
            Ok(loaded) => *world = Indexed::build(loaded),
            Err(error) => {
                tracing::error!(target: "store", "cannot reload the {} world after a failed commit: {error}", self.realm);
            }
        }
    }

    fn settle(&self, ticket: Option<u64>) -> Result<(), StoreError> {
        let Some(ticket) = ticket else {
            return Ok(());
        };
        self.database.wait(ticket).inspect_err(|_| self.reload())
    }
}

impl Store for DurableStore {
    fn read(&self, f: &mut dyn FnMut(&dyn View)) {
        f(&*self.world.read().unwrap_or_else(PoisonError::into_inner));
    }

    fn write(&self, f: &mut dyn FnMut(&dyn View) -> Vec<Change>) -> Result<(), StoreError> {
        let ticket = {
            let mut world = self.world.write().unwrap_or_else(PoisonError::into_inner);
            let changes = f(&*world);
            if changes.is_empty() {
                None
            } else {
                // Queued under the lock: the database sees the changes in the order memory does.
                let ticket = self.database.log_changes(self.realm, changes.clone());
                for change in changes {
                    world.apply(change);
                }
                Some(ticket)
            }
        };
        self.settle(ticket)
    }

    fn replace(&self, world: World) -> Result<(), StoreError> {
        let indexed = Indexed::build(world.clone());
        let ticket = {
            let mut current = self.world.write().unwrap_or_else(PoisonError::into_inner);
            let ticket = self.database.log_replace(self.realm, world);
            *current = indexed;
            ticket
        };
        self.settle(Some(ticket))
    }

    fn reset(&self) -> Result<(), StoreError> {
        // The seed is on disk only (a reopened store never loads it): copy it there, then read
        // the result back, all under the lock so that no write slips in between.
        let mut world = self.world.write().unwrap_or_else(PoisonError::into_inner);
        self.database.wait(self.database.log_reset(self.realm))?;
        *world = Indexed::build(self.database.load(self.realm)?);
        Ok(())
    }

    fn export(&self) -> World {
        self.world
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .export()
    }
}
