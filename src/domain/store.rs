//! The store boundary: everything outside `domain` reaches the world through [`Store`], so a
//! durable store (an embedded database) can replace [`MemoryStore`] without touching the layers
//! above. A store runs each closure atomically: a write sees no other write half-done.

use super::World;
use std::sync::{PoisonError, RwLock};

/// Where the world lives. Object-safe so the application can hold `Arc<dyn Store>`.
pub trait Store: Send + Sync {
    /// Runs `f` with shared access to the world.
    fn read(&self, f: &mut dyn FnMut(&World));
    /// Runs `f` with exclusive access; the change is complete (and, for a durable store,
    /// persisted) when this returns.
    fn write(&self, f: &mut dyn FnMut(&mut World));
}

impl dyn Store + '_ {
    /// Reads a value out of the world.
    pub fn query<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        let mut f = Some(f);
        let mut out = None;
        self.read(&mut |world| out = f.take().map(|f| f(world)));
        out.expect("Store::read runs its closure exactly once")
    }

    /// Changes the world atomically and returns what the change produced.
    pub fn update<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let mut f = Some(f);
        let mut out = None;
        self.write(&mut |world| out = f.take().map(|f| f(world)));
        out.expect("Store::write runs its closure exactly once")
    }
}

/// The in-memory store: one reader-writer lock around the world.
#[derive(Debug, Default)]
pub struct MemoryStore {
    world: RwLock<World>,
}

impl MemoryStore {
    /// A store holding `world`.
    #[must_use]
    pub fn new(world: World) -> Self {
        Self {
            world: RwLock::new(world),
        }
    }
}

impl Store for MemoryStore {
    fn read(&self, f: &mut dyn FnMut(&World)) {
        // A panic inside a closure cannot leave the world half-changed for readers that matter:
        // every rule validates before it mutates, so a poisoned lock is still consistent.
        f(&self.world.read().unwrap_or_else(PoisonError::into_inner));
    }

    fn write(&self, f: &mut dyn FnMut(&mut World)) {
        f(&mut self.world.write().unwrap_or_else(PoisonError::into_inner));
    }
}
