//! The in-memory store: one reader-writer lock around an indexed world, plus the seed it returns
//! to on reset. Every query is a look-up in an ordered map or a binary search in a sorted list,
//! so no request costs more in a world of a million handshakes than in a world of ten.
//!
//! The maps that grow while serving (handshakes, lists) are B-trees, not hash tables: a hash
//! table doubles by rehashing every entry at once, which with a million handshakes held the
//! world's lock for most of a second (BENCHMARKS.md). Lists are [`Entries`], kept oldest first,
//! sorted by (creation time, id reversed): a new invitation is the newest, so it goes at the end,
//! and "newest first, then by id" reads the list backwards. A page by offset is an index
//! computation; a page after a marker is a binary search.

use super::entries::{Entries, Entry};
use super::{Store, StoreError, World};
use crate::domain::{
    Account, AccountId, Change, Counts, Credential, Cursor, Handshake, HandshakeId, Invitee, List,
    Organization, OrganizationId, Page, Status, TargetKind, View, invitee_of,
};
use chrono::{DateTime, Utc};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

fn entry(h: &Handshake) -> Entry {
    (h.created.timestamp(), Reverse(h.id))
}

/// Which lists a handshake is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum ListKey {
    // Every handshake of the world: what the console browses.
    All,
    Sent(OrganizationId),
    Received(AccountId),
    // An address no account has, by a digest of it (no copy of every address): the duplicate
    // check reads the list and compares the addresses themselves.
    Unknown(u64),
}

fn key_of(invitee: &Invitee) -> ListKey {
    match invitee {
        Invitee::Account(account) => ListKey::Received(*account),
        Invitee::Unknown(kind, address) => {
            // Deterministic (fixed keys): the digest only groups, it is never trusted alone.
            let mut hasher = std::hash::DefaultHasher::new();
            (kind, address).hash(&mut hasher);
            ListKey::Unknown(hasher.finish())
        }
    }
}

/// A world with its indexes (the durable store keeps one too, in front of its database).
#[derive(Debug, Default)]
pub(super) struct Indexed {
    organizations: HashMap<OrganizationId, Organization>,
    accounts: HashMap<AccountId, Account>,
    emails: HashMap<String, AccountId>,
    names: HashMap<String, AccountId>,
    credentials: HashMap<String, Credential>,
    tokens: HashSet<String>,
    handshakes: BTreeMap<HandshakeId, Arc<Handshake>>,
    lists: BTreeMap<ListKey, Entries>,
    members: HashMap<OrganizationId, usize>,
    // The console's id-ordered browsing, each sorted on first use: worlds that are never
    // browsed (benchmarks, a million handshakes) pay nothing for it. Changes never add or remove
    // an organization, account or key (only `build` does), so once sorted it stays right.
    organization_order: OnceLock<Vec<OrganizationId>>,
    account_order: OnceLock<Vec<AccountId>>,
    credential_order: OnceLock<Vec<String>>,
}

impl Indexed {
    /// Indexes `world`.
    pub(super) fn build(world: World) -> Self {
        let mut indexed = Self::default();
        for organization in world.organizations {
            indexed.organizations.insert(organization.id, organization);
        }
        indexed.accounts.reserve(world.accounts.len());
        for account in world.accounts {
            if !account.email.is_empty() {
                indexed
                    .emails
                    .insert(account.email.to_ascii_lowercase(), account.id);
            }
            if !account.name.is_empty() {
                indexed
                    .names
                    .entry(account.name.clone())
                    .or_insert(account.id);
            }
            if let Some(organization) = account.organization {
                *indexed.members.entry(organization).or_default() += 1;
            }
            indexed.accounts.insert(account.id, account);
        }
        indexed.credentials.reserve(world.credentials.len());
        for credential in world.credentials {
            if let Some(token) = &credential.security_token {
                indexed.tokens.insert(token.expose().to_owned());
            }
            indexed
                .credentials
                .insert(credential.access_key_id.clone(), credential);
        }
        let mut lists: HashMap<ListKey, Vec<Entry>> = HashMap::new();
        for handshake in &world.handshakes {
            for key in indexed.keys(handshake) {
                lists.entry(key).or_default().push(entry(handshake));
            }
        }
        indexed.handshakes = world.handshakes.into_iter().map(|h| (h.id, h)).collect();
        indexed.lists = lists
            .into_iter()
            .map(|(key, mut list)| {
                list.sort_unstable();
                (key, Entries::from_sorted(list))
            })
            .collect();
        indexed
    }

    fn keys(&self, handshake: &Handshake) -> [ListKey; 3] {
        [
            ListKey::All,
            ListKey::Sent(handshake.organization),
            key_of(&invitee_of(self, &handshake.target)),
        ]
    }

    /// Applies one change.
    pub(super) fn apply(&mut self, change: Change) {
        match change {
            Change::Handshake(handshake) => {
                if !self.handshakes.contains_key(&handshake.id) {
                    let at = entry(&handshake);
                    for key in self.keys(&handshake) {
                        match self.lists.get_mut(&key) {
                            Some(list) => list.insert(at),
                            None => {
                                self.lists.insert(key, Entries::One(at));
                            }
                        }
                    }
                }
                self.handshakes.insert(handshake.id, handshake);
            }
            Change::Membership {
                account,
                organization,
            } => {
                if let Some(account) = self.accounts.get_mut(&account) {
                    if let Some(old) = account.organization
                        && let Some(count) = self.members.get_mut(&old)
                    {
                        *count = count.saturating_sub(1);
                    }
                    if let Some(new) = organization {
                        *self.members.entry(new).or_default() += 1;
                    }
                    account.organization = organization;
                }
            }
        }
    }

    /// The world as data.
    pub(super) fn export(&self) -> World {
        World {
            organizations: self.organizations.values().copied().collect(),
            accounts: self.accounts.values().cloned().collect(),
            credentials: self.credentials.values().cloned().collect(),
            handshakes: self.handshakes.values().cloned().collect(),
        }
    }

    fn list(&self, list: List) -> Option<&Entries> {
        let key = match list {
            List::All => ListKey::All,
            List::Sent(organization) => ListKey::Sent(organization),
            List::Received(account) => ListKey::Received(account),
        };
        self.lists.get(&key)
    }
}

/// The keys of `map`, sorted once into `order`.
fn sorted_keys<'a, K: Ord + Clone, V>(order: &'a OnceLock<Vec<K>>, map: &HashMap<K, V>) -> &'a [K] {
    order.get_or_init(|| {
        let mut keys: Vec<K> = map.keys().cloned().collect();
        keys.sort_unstable();
        keys
    })
}

/// The items of `keys` from `offset`, at most `limit` of them, looked up with `get`.
fn slice<K, T>(keys: &[K], offset: usize, limit: usize, get: impl Fn(&K) -> T) -> Vec<T> {
    keys.iter().skip(offset).take(limit).map(get).collect()
}

impl View for Indexed {
    fn organization(&self, id: &OrganizationId) -> Option<Organization> {
        self.organizations.get(id).copied()
    }

    fn account(&self, id: &AccountId) -> Option<Account> {
        self.accounts.get(id).cloned()
    }

    fn account_named(&self, kind: TargetKind, entity: &str) -> Option<AccountId> {
        match kind {
            TargetKind::Id => AccountId::parse(entity)
                .ok()
                .filter(|id| self.accounts.contains_key(id)),
            TargetKind::Email => self.emails.get(&entity.to_ascii_lowercase()).copied(),
            TargetKind::Name => self.names.get(entity).copied(),
        }
    }

    fn credential(&self, access_key_id: &str) -> Option<Credential> {
        self.credentials.get(access_key_id).cloned()
    }

    fn token_issued(&self, token: &str) -> bool {
        self.tokens.contains(token)
    }

    fn handshake(&self, id: &HandshakeId) -> Option<Arc<Handshake>> {
        self.handshakes.get(id).cloned()
    }

    fn pending(&self, organization: &OrganizationId, invitee: &Invitee) -> Option<HandshakeId> {
        // An invitee's list is short (the invitations it received), whatever the world's size.
        let list = self.lists.get(&key_of(invitee))?;
        list.before(list.len())
            .map(|(_, Reverse(id))| &self.handshakes[id])
            .find(|h| {
                h.organization == *organization
                    && h.status == Status::Pending
                    && (matches!(invitee, Invitee::Account(_))
                        || invitee_of(self, &h.target) == *invitee)
            })
            .map(|h| h.id)
    }

    fn page(
        &self,
        list: List,
        from: Cursor,
        limit: usize,
        shown: Option<&dyn Fn(&Handshake) -> bool>,
    ) -> Option<Page> {
        let empty = Entries::Chunks(Vec::new());
        let entries = self.list(list).unwrap_or(&empty);
        // `end` is one past the newest entry not yet passed.
        let end = match from {
            Cursor::Offset(skip) if shown.is_none() => entries.len().saturating_sub(skip),
            Cursor::Offset(_) => entries.len(),
            Cursor::After(id) => {
                let at = entry(self.handshakes.get(&id)?);
                let position = entries.partition_point(|e| *e < at);
                (entries.get(position) == Some(&at)).then_some(position)?
            }
        };
        let mut to_skip = match (from, shown) {
            (Cursor::Offset(skip), Some(_)) => skip,
            _ => 0,
        };
        let mut items = Vec::with_capacity(limit.min(end));
        for (_, Reverse(id)) in entries.before(end) {
            let handshake = &self.handshakes[id];
            if shown.is_none_or(|keep| keep(handshake)) {
                // Skipped items come before the page: only an item after it means more.
                if to_skip > 0 {
                    to_skip -= 1;
                } else if items.len() == limit {
                    return Some(Page { items, more: true });
                } else {
                    items.push(handshake.clone());
                }
            }
        }
        Some(Page { items, more: false })
    }

    fn list_len(&self, list: List) -> usize {
        self.list(list).map_or(0, Entries::len)
    }

    fn members(&self, organization: &OrganizationId) -> usize {
        self.members.get(organization).copied().unwrap_or(0)
    }

    fn sent_since(&self, organization: &OrganizationId, since: DateTime<Utc>) -> usize {
        let Some(entries) = self.list(List::Sent(*organization)) else {
            return 0;
        };
        // Creation times are whole seconds: at or after `since` is at or after its next second.
        let since = since.timestamp() + i64::from(since.timestamp_subsec_nanos() > 0);
        entries.len() - entries.partition_point(|(created, _)| *created < since)
    }

    fn counts(&self) -> Counts {
        Counts {
            organizations: self.organizations.len(),
            accounts: self.accounts.len(),
            access_keys: self.credentials.len(),
            handshakes: self.handshakes.len(),
        }
    }

    fn organizations(&self, offset: usize, limit: usize) -> Vec<Organization> {
        let order = sorted_keys(&self.organization_order, &self.organizations);
        slice(order, offset, limit, |id| self.organizations[id])
    }

    fn accounts(&self, offset: usize, limit: usize) -> Vec<Account> {
        let order = sorted_keys(&self.account_order, &self.accounts);
        slice(order, offset, limit, |id| self.accounts[id].clone())
    }

    fn credentials(&self, offset: usize, limit: usize) -> Vec<Credential> {
        let order = sorted_keys(&self.credential_order, &self.credentials);
        slice(order, offset, limit, |id| self.credentials[id].clone())
    }
}

/// The in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    world: RwLock<Indexed>,
    // As data, not indexed: a second set of indexes would double the memory of a large world,
    // and a reset is rare (it rebuilds the indexes outside the lock).
    seed: World,
}

impl MemoryStore {
    /// A store seeded with `world`.
    #[must_use]
    pub fn new(world: World) -> Self {
        Self {
            world: RwLock::new(Indexed::build(world.clone())),
            seed: world,
        }
    }
}

impl Store for MemoryStore {
    fn read(&self, f: &mut dyn FnMut(&dyn View)) {
        // Rules decide before anything is applied, so a panic inside one leaves the world
        // consistent and a poisoned lock can be used as it is.
        f(&*self.world.read().unwrap_or_else(PoisonError::into_inner));
    }

    fn write(&self, f: &mut dyn FnMut(&dyn View) -> Vec<Change>) -> Result<(), StoreError> {
        let mut world = self.world.write().unwrap_or_else(PoisonError::into_inner);
        for change in f(&*world) {
            world.apply(change);
        }
        Ok(())
    }

    fn replace(&self, world: World) -> Result<(), StoreError> {
        // Indexed outside the lock: building a large world takes a while.
        let indexed = Indexed::build(world);
        let old = std::mem::replace(
            &mut *self.world.write().unwrap_or_else(PoisonError::into_inner),
            indexed,
        );
        // Dropped after the lock is released: freeing a large world takes a while too.
        drop(old);
        Ok(())
    }

    fn reset(&self) -> Result<(), StoreError> {
        let indexed = Indexed::build(self.seed.clone());
        *self.world.write().unwrap_or_else(PoisonError::into_inner) = indexed;
        Ok(())
    }

    fn export(&self) -> World {
        self.world
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .export()
    }
}
