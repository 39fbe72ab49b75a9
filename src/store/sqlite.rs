//! The durable store's database: one SQLite file (`emulator.db`, WAL journal) in the data
//! directory, holding each cloud's world ("realm") twice, as it is now (`scope` 0) and as it was
//! seeded (`scope` 1, what reset returns to), plus the control plane's lasting settings.
//!
//! Writes go through one committer thread: a writer enqueues its operation (under the world's
//! lock, so the queue's order is the order of the changes in memory), then waits, outside the
//! lock, until the transaction holding it has committed. The committer takes everything queued
//! since its last commit into one transaction, so concurrent writers share a commit and,
//! with `--sync full`, its fsync (group commit).
//!
//! A second emulator on the same directory is refused by an exclusive lock on `emulator.lock`,
//! which names the holder's pid. A file that is not an emulator database, or of a newer schema,
//! is refused without being touched.

use super::{StoreError, World};
use crate::domain::{
    Account, AccountId, AccountType, Change, Credential, Handshake, HandshakeId, Organization,
    OrganizationId, RealNameType, Secret, Status, Target, TargetKind,
};
use crate::store::document::Interner;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// `PRAGMA application_id`: "RMEM".
const APPLICATION_ID: i64 = 0x524D_454D;
/// `PRAGMA user_version` of the schema this build writes.
pub const SCHEMA_VERSION: i64 = 1;
/// The database's file name in the data directory.
pub const DATABASE_FILE: &str = "emulator.db";
/// The lock's file name in the data directory.
pub const LOCK_FILE: &str = "emulator.lock";
/// How many failed commits are remembered for the writers still waiting on them.
const FAILURES_KEPT: usize = 64;

/// The schema, one table per entity, each keyed by (realm, scope, id).
const SCHEMA: &str = "
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE organizations (
  realm TEXT NOT NULL, scope INTEGER NOT NULL, id TEXT NOT NULL,
  manager TEXT NOT NULL, member_quota INTEGER,
  PRIMARY KEY (realm, scope, id)) WITHOUT ROWID;
CREATE TABLE accounts (
  realm TEXT NOT NULL, scope INTEGER NOT NULL, id TEXT NOT NULL,
  name TEXT NOT NULL, email TEXT NOT NULL, account_type TEXT NOT NULL,
  real_name_type TEXT NOT NULL, organization TEXT,
  PRIMARY KEY (realm, scope, id)) WITHOUT ROWID;
CREATE TABLE access_keys (
  realm TEXT NOT NULL, scope INTEGER NOT NULL, id TEXT NOT NULL,
  secret TEXT NOT NULL, account TEXT NOT NULL, security_token TEXT, expiration INTEGER,
  disabled INTEGER NOT NULL,
  PRIMARY KEY (realm, scope, id)) WITHOUT ROWID;
CREATE TABLE handshakes (
  realm TEXT NOT NULL, scope INTEGER NOT NULL, id TEXT NOT NULL,
  organization TEXT NOT NULL, manager TEXT NOT NULL, manager_name TEXT NOT NULL,
  target_kind TEXT NOT NULL, target_entity TEXT NOT NULL, note TEXT NOT NULL,
  tags TEXT NOT NULL, status TEXT NOT NULL,
  created INTEGER NOT NULL, modified INTEGER NOT NULL, expires INTEGER NOT NULL,
  PRIMARY KEY (realm, scope, id)) WITHOUT ROWID;
CREATE INDEX handshakes_by_organization ON handshakes (realm, scope, organization, created);
CREATE TABLE nonces (digest INTEGER PRIMARY KEY, until INTEGER NOT NULL);
";

/// How many nonces are kept between two sweeps of the expired ones.
const NONCES_PER_SWEEP: u64 = 4096;

/// The tables holding a realm's world, in the order they are copied.
const TABLES: [&str; 4] = ["organizations", "accounts", "access_keys", "handshakes"];

/// How commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sync {
    /// A commit is in the operating system once acknowledged: it survives the emulator being
    /// killed at any moment (WAL, `synchronous=NORMAL`).
    #[default]
    Normal,
    /// A commit is on the disk once acknowledged: it survives power loss too (`synchronous=FULL`).
    Full,
}

/// How the database was found when it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// The directory held no world: it must be seeded.
    Empty,
    /// The directory holds a world.
    Existing,
}

/// What a writer asks the committer to do.
enum Op {
    Changes(&'static str, Vec<Change>),
    Replace(&'static str, World),
    Seed(&'static str, World),
    Reset(&'static str),
    Setting(String, String),
    Nonce(u64, i64),
    Barrier,
    /// Tests only: caps the database at its current size, as a full disk would.
    #[cfg(test)]
    Full,
}

#[derive(Default)]
struct Queue {
    next: u64,
    ops: VecDeque<(u64, Op)>,
    closed: bool,
}

#[derive(Default)]
struct Done {
    committed: u64,
    failures: VecDeque<(u64, u64, String)>,
}

struct Shared {
    queue: Mutex<Queue>,
    work: Condvar,
    done: Mutex<Done>,
    finished: Condvar,
}

/// The open database, its committer and its directory lock.
pub struct Database {
    directory: PathBuf,
    shared: Arc<Shared>,
    committer: Mutex<Option<std::thread::JoinHandle<()>>>,
    // Held for the database's lifetime: the OS releases the lock when the process ends.
    _lock: File,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

fn failed(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError(format!("{what}: {error}"))
}

/// Takes the directory's lock, or says who holds it.
fn lock(directory: &Path) -> Result<File, StoreError> {
    let path = directory.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| failed(&format!("cannot open {}", path.display()), e))?;
    if file.try_lock().is_err() {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(StoreError(format!(
            "the data directory {} is in use by another emulator (pid {})",
            directory.display(),
            holder.trim()
        )));
    }
    let pid = std::process::id().to_string();
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(pid.as_bytes()));
    written.map_err(|e| failed(&format!("cannot write {}", path.display()), e))?;
    Ok(file)
}

/// Opens (creating if needed) the connection and checks or creates the schema.
fn connect(directory: &Path, sync: Sync) -> Result<(Connection, Opened), StoreError> {
    let path = directory.join(DATABASE_FILE);
    let display = path.display().to_string();
    let connection =
        Connection::open(&path).map_err(|e| failed(&format!("cannot open {display}"), e))?;
    let not_ours = |e: rusqlite::Error| {
        StoreError(format!(
            "{display} is not a resourcemanager-emulator database ({e}); it was left untouched"
        ))
    };
    let application: i64 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(not_ours)?;
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(not_ours)?;
    let tables: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
        .map_err(not_ours)?;
    let opened = match (application, version, tables) {
        (0, 0, 0) => {
            connection
                .execute_batch(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA application_id = {APPLICATION_ID};
                     BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                ))
                .map_err(|e| failed(&format!("cannot create the schema in {display}"), e))?;
            Opened::Empty
        }
        (APPLICATION_ID, SCHEMA_VERSION, _) => Opened::Existing,
        (APPLICATION_ID, newer, _) if newer > SCHEMA_VERSION => {
            return Err(StoreError(format!(
                "{display} has schema version {newer}, newer than this emulator's {SCHEMA_VERSION}: use a newer emulator; it was left untouched"
            )));
        }
        (APPLICATION_ID, older, _) => {
            // Version 1 is the first schema: nothing older exists to migrate forward yet.
            return Err(StoreError(format!(
                "{display} has schema version {older}, which this emulator cannot migrate; it was left untouched"
            )));
        }
        _ => {
            return Err(StoreError(format!(
                "{display} is not a resourcemanager-emulator database (application id {application:#x}); it was left untouched"
            )));
        }
    };
    let synchronous = match sync {
        Sync::Normal => "NORMAL",
        Sync::Full => "FULL",
    };
    connection
        .execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 5000;"
        ))
        .map_err(|e| failed(&format!("cannot configure {display}"), e))?;
    let empty: bool = connection
        .query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM handshakes UNION ALL SELECT 1 FROM accounts)",
            [],
            |row| row.get(0),
        )
        .map_err(|e| failed(&format!("cannot read {display}"), e))?;
    Ok((connection, if empty { Opened::Empty } else { opened }))
}

impl Database {
    /// Opens the database in `directory` (created if missing), taking its lock.
    pub fn open(directory: &Path, sync: Sync) -> Result<(Self, Opened), StoreError> {
        std::fs::create_dir_all(directory)
            .map_err(|e| failed(&format!("cannot create {}", directory.display()), e))?;
        let lock = lock(directory)?;
        let (connection, opened) = connect(directory, sync)?;
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                next: 1,
                ..Queue::default()
            }),
            work: Condvar::new(),
            done: Mutex::new(Done::default()),
            finished: Condvar::new(),
        });
        let worker = shared.clone();
        let committer = std::thread::Builder::new()
            .name("store-committer".into())
            .spawn(move || commit_loop(connection, &worker))
            .map_err(|e| failed("cannot start the committer", e))?;
        Ok((
            Self {
                directory: directory.to_owned(),
                shared,
                committer: Mutex::new(Some(committer)),
                _lock: lock,
            },
            opened,
        ))
    }

    /// The data directory.
    #[must_use]
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    fn enqueue(&self, op: Op) -> u64 {
        let mut queue = self
            .shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let ticket = queue.next;
        queue.next += 1;
        queue.ops.push_back((ticket, op));
        self.shared.work.notify_one();
        ticket
    }

    /// Waits until the operation `ticket` is committed, or says why it was not.
    pub fn wait(&self, ticket: u64) -> Result<(), StoreError> {
        let mut done = self
            .shared
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while done.committed < ticket {
            done = self
                .shared
                .finished
                .wait(done)
                .unwrap_or_else(PoisonError::into_inner);
        }
        match done
            .failures
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&ticket))
        {
            Some((_, _, why)) => Err(StoreError(why.clone())),
            None => Ok(()),
        }
    }

    /// Queues `changes` to `realm`'s world; call [`Database::wait`] with the ticket.
    pub fn log_changes(&self, realm: &'static str, changes: Vec<Change>) -> u64 {
        self.enqueue(Op::Changes(realm, changes))
    }

    /// Queues the replacement of `realm`'s current world.
    pub fn log_replace(&self, realm: &'static str, world: World) -> u64 {
        self.enqueue(Op::Replace(realm, world))
    }

    /// Queues seeding `realm`: both its current and its seed world become `world`.
    pub fn log_seed(&self, realm: &'static str, world: World) -> u64 {
        self.enqueue(Op::Seed(realm, world))
    }

    /// Queues putting `realm`'s current world back to its seed.
    pub fn log_reset(&self, realm: &'static str) -> u64 {
        self.enqueue(Op::Reset(realm))
    }

    /// Queues nothing: its ticket settles once everything queued before it has.
    pub fn log_barrier(&self) -> u64 {
        self.enqueue(Op::Barrier)
    }

    /// Tests only: from now on the database cannot grow, as on a full disk.
    #[cfg(test)]
    pub(crate) fn fill_the_disk(&self) {
        let _ = self.wait(self.enqueue(Op::Full));
    }

    /// Stores a setting (the clock, the fault rules) and waits for it.
    pub fn save_setting(&self, key: &str, value: String) -> Result<(), StoreError> {
        self.wait(self.enqueue(Op::Setting(key.to_owned(), value)))
    }

    /// Keeps a used nonce's digest until `until` (Unix seconds), and waits for it.
    pub fn save_nonce(&self, digest: u64, until: i64) -> Result<(), StoreError> {
        self.wait(self.enqueue(Op::Nonce(digest, until)))
    }

    /// The nonces kept that are still in use after `now` (Unix seconds).
    pub fn nonces(&self, now: i64) -> Result<Vec<(u64, i64)>, StoreError> {
        let connection = self.reader()?;
        let mut statement = connection
            .prepare("SELECT digest, until FROM nonces WHERE until > ?1")
            .map_err(|e| failed("cannot read the nonces", e))?;
        statement
            .query_map([now], |row| {
                Ok((row.get::<_, i64>(0)?.cast_unsigned(), row.get::<_, i64>(1)?))
            })
            .and_then(Iterator::collect)
            .map_err(|e| failed("cannot read the nonces", e))
    }

    /// A setting, if stored.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let connection = self.reader()?;
        connection
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| failed("cannot read a setting", e))
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        let path = self.directory.join(DATABASE_FILE);
        let connection = Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| failed(&format!("cannot open {}", path.display()), e))?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| failed("cannot configure a reader", e))?;
        Ok(connection)
    }

    /// `realm`'s current world, as committed.
    pub fn load(&self, realm: &str) -> Result<World, StoreError> {
        let connection = self.reader()?;
        load(&connection, realm, 0)
            .map_err(|e| failed(&format!("cannot load the {realm} world"), e))
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        self.shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .closed = true;
        self.shared.work.notify_one();
        if let Some(committer) = self
            .committer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = committer.join();
        }
    }
}

fn commit_loop(mut connection: Connection, shared: &Shared) {
    let mut nonces = 0u64;
    loop {
        let batch: Vec<(u64, Op)> = {
            let mut queue = shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
            while queue.ops.is_empty() && !queue.closed {
                queue = shared
                    .work
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if queue.ops.is_empty() {
                return;
            }
            queue.ops.drain(..).collect()
        };
        let (first, last) = (batch[0].0, batch[batch.len() - 1].0);
        let kept = batch
            .iter()
            .filter(|(_, op)| matches!(op, Op::Nonce(..)))
            .count();
        nonces += kept as u64;
        let sweep = nonces >= NONCES_PER_SWEEP;
        if sweep {
            nonces = 0;
        }
        let outcome = commit(&mut connection, batch, sweep);
        let mut done = shared.done.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(why) = outcome {
            tracing::error!(target: "store", "a commit failed, nothing of it was written: {why}");
            done.failures.push_back((first, last, why));
            if done.failures.len() > FAILURES_KEPT {
                done.failures.pop_front();
            }
        }
        done.committed = last;
        shared.finished.notify_all();
    }
}

fn commit(connection: &mut Connection, batch: Vec<(u64, Op)>, sweep: bool) -> Result<(), String> {
    let tx = connection.transaction().map_err(|e| e.to_string())?;
    for (_, op) in batch {
        apply(&tx, op).map_err(|e| e.to_string())?;
    }
    if sweep {
        // Nonces past their window protect nothing: the timestamp check refuses their replays.
        tx.execute(
            "DELETE FROM nonces WHERE until <= ?1",
            [chrono::Utc::now().timestamp()],
        )
        .map_err(|e| e.to_string())?;
    }
    tx.commit().map_err(|e| e.to_string())
}

fn apply(tx: &Transaction<'_>, op: Op) -> rusqlite::Result<()> {
    match op {
        Op::Changes(realm, changes) => {
            for change in changes {
                match change {
                    Change::Handshake(handshake) => put_handshake(tx, realm, 0, &handshake)?,
                    Change::Membership {
                        account,
                        organization,
                    } => {
                        tx.prepare_cached(
                            "UPDATE accounts SET organization = ?3 WHERE realm = ?1 AND scope = 0 AND id = ?2",
                        )?
                        .execute(params![realm, account.as_str(), organization.as_ref().map(OrganizationId::as_str)])?;
                    }
                }
            }
            Ok(())
        }
        Op::Replace(realm, world) => {
            clear(tx, realm, 0)?;
            put_world(tx, realm, 0, &world)
        }
        Op::Seed(realm, world) => {
            for scope in [0, 1] {
                clear(tx, realm, scope)?;
                put_world(tx, realm, scope, &world)?;
            }
            Ok(())
        }
        Op::Reset(realm) => {
            clear(tx, realm, 0)?;
            for table in TABLES {
                let columns = columns(tx, table)?;
                let rest = columns
                    .iter()
                    .filter(|c| !matches!(c.as_str(), "realm" | "scope"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                tx.execute(
                    &format!(
                        "INSERT INTO {table} (realm, scope, {rest}) SELECT realm, 0, {rest} FROM {table} WHERE realm = ?1 AND scope = 1"
                    ),
                    [realm],
                )?;
            }
            Ok(())
        }
        Op::Setting(key, value) => {
            tx.prepare_cached("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")?
                .execute(params![key, value])?;
            Ok(())
        }
        Op::Nonce(digest, until) => {
            // SQLite integers are signed: the digest's bits are kept as they are.
            tx.prepare_cached("INSERT OR REPLACE INTO nonces (digest, until) VALUES (?1, ?2)")?
                .execute(params![digest.cast_signed(), until])?;
            Ok(())
        }
        Op::Barrier => Ok(()),
        #[cfg(test)]
        Op::Full => {
            let pages: i64 = tx.query_row("PRAGMA page_count", [], |row| row.get(0))?;
            tx.execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        }
    }
}

fn columns(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = tx.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
    statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect()
}

fn clear(tx: &Transaction<'_>, realm: &str, scope: i64) -> rusqlite::Result<()> {
    for table in TABLES {
        tx.execute(
            &format!("DELETE FROM {table} WHERE realm = ?1 AND scope = ?2"),
            params![realm, scope],
        )?;
    }
    Ok(())
}

const fn status_name(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Accepted => "accepted",
        Status::Cancelled => "cancelled",
        Status::Declined => "declined",
        Status::Expired => "expired",
    }
}

fn status_from(name: &str) -> Option<Status> {
    Some(match name {
        "pending" => Status::Pending,
        "accepted" => Status::Accepted,
        "cancelled" => Status::Cancelled,
        "declined" => Status::Declined,
        "expired" => Status::Expired,
        _ => return None,
    })
}

const fn kind_name(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Id => "id",
        TargetKind::Email => "email",
        TargetKind::Name => "name",
    }
}

fn kind_from(name: &str) -> Option<TargetKind> {
    Some(match name {
        "id" => TargetKind::Id,
        "email" => TargetKind::Email,
        "name" => TargetKind::Name,
        _ => return None,
    })
}

fn put_handshake(
    tx: &Transaction<'_>,
    realm: &str,
    scope: i64,
    h: &Handshake,
) -> rusqlite::Result<()> {
    let tags = serde_json::to_string(&h.tags).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "INSERT OR REPLACE INTO handshakes (realm, scope, id, organization, manager, manager_name, target_kind, target_entity, note, tags, status, created, modified, expires)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        realm,
        scope,
        h.id.as_str(),
        h.organization.as_str(),
        h.manager.as_str(),
        &*h.manager_name,
        kind_name(h.target.kind),
        h.target.entity,
        &*h.note,
        tags,
        status_name(h.status),
        h.created.timestamp(),
        h.modified.timestamp(),
        h.expires.timestamp(),
    ])?;
    Ok(())
}

fn put_world(tx: &Transaction<'_>, realm: &str, scope: i64, world: &World) -> rusqlite::Result<()> {
    for o in &world.organizations {
        tx.prepare_cached(
            "INSERT INTO organizations (realm, scope, id, manager, member_quota) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            realm,
            scope,
            o.id.as_str(),
            o.manager.as_str(),
            o.member_quota.and_then(|q| i64::try_from(q).ok())
        ])?;
    }
    for a in &world.accounts {
        tx.prepare_cached(
            "INSERT INTO accounts (realm, scope, id, name, email, account_type, real_name_type, organization) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            realm,
            scope,
            a.id.as_str(),
            a.name,
            a.email,
            match a.account_type {
                AccountType::Enterprise => "enterprise",
                AccountType::Personal => "personal",
            },
            a.real_name_type.to_string(),
            a.organization.as_ref().map(OrganizationId::as_str),
        ])?;
    }
    for c in &world.credentials {
        tx.prepare_cached(
            "INSERT INTO access_keys (realm, scope, id, secret, account, security_token, expiration, disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            realm,
            scope,
            c.access_key_id,
            c.secret.expose(),
            c.account_id.as_str(),
            c.security_token.as_ref().map(Secret::expose),
            c.expiration.map(|at| at.timestamp()),
            c.disabled,
        ])?;
    }
    for h in &world.handshakes {
        put_handshake(tx, realm, scope, h)?;
    }
    Ok(())
}

/// A value read back that the schema's writer never writes.
fn corrupt(what: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unexpected stored value: {what}").into(),
    )
}

fn id<T>(
    text: &str,
    parse: fn(&str) -> Result<T, crate::domain::InvalidId>,
) -> rusqlite::Result<T> {
    parse(text).map_err(corrupt)
}

fn time(seconds: i64) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| corrupt(seconds))
}

fn load(connection: &Connection, realm: &str, scope: i64) -> rusqlite::Result<World> {
    let mut world = World::default();
    let mut statement = connection.prepare(
        "SELECT id, manager, member_quota FROM organizations WHERE realm = ?1 AND scope = ?2",
    )?;
    let mut rows = statement.query(params![realm, scope])?;
    while let Some(row) = rows.next()? {
        world.organizations.push(Organization {
            id: id(row.get_ref(0)?.as_str()?, OrganizationId::parse)?,
            manager: id(row.get_ref(1)?.as_str()?, AccountId::parse)?,
            member_quota: row
                .get::<_, Option<i64>>(2)?
                .and_then(|q| usize::try_from(q).ok()),
        });
    }
    let mut statement = connection.prepare(
        "SELECT id, name, email, account_type, real_name_type, organization FROM accounts WHERE realm = ?1 AND scope = ?2",
    )?;
    let mut rows = statement.query(params![realm, scope])?;
    while let Some(row) = rows.next()? {
        world.accounts.push(Account {
            id: id(row.get_ref(0)?.as_str()?, AccountId::parse)?,
            name: row.get(1)?,
            email: row.get(2)?,
            account_type: match row.get_ref(3)?.as_str()? {
                "enterprise" => AccountType::Enterprise,
                "personal" => AccountType::Personal,
                other => return Err(corrupt(other)),
            },
            real_name_type: match row.get_ref(4)?.as_str()? {
                "enterprise" => RealNameType::Enterprise,
                "individual" => RealNameType::Individual,
                "none" => RealNameType::None,
                other => return Err(corrupt(other)),
            },
            organization: row
                .get_ref(5)?
                .as_str_or_null()?
                .map(|text| id(text, OrganizationId::parse))
                .transpose()?,
        });
    }
    let mut statement = connection.prepare(
        "SELECT id, secret, account, security_token, expiration, disabled FROM access_keys WHERE realm = ?1 AND scope = ?2",
    )?;
    let mut rows = statement.query(params![realm, scope])?;
    while let Some(row) = rows.next()? {
        world.credentials.push(Credential {
            access_key_id: row.get(0)?,
            secret: Secret::new(row.get::<_, String>(1)?),
            account_id: id(row.get_ref(2)?.as_str()?, AccountId::parse)?,
            security_token: row.get::<_, Option<String>>(3)?.map(Secret::new),
            expiration: row.get::<_, Option<i64>>(4)?.map(time).transpose()?,
            disabled: row.get(5)?,
        });
    }
    let mut shared = Interner::default();
    let mut statement = connection.prepare(
        "SELECT id, organization, manager, manager_name, target_kind, target_entity, note, tags, status, created, modified, expires FROM handshakes WHERE realm = ?1 AND scope = ?2",
    )?;
    let mut rows = statement.query(params![realm, scope])?;
    while let Some(row) = rows.next()? {
        let tags = row.get_ref(7)?.as_str()?;
        let tags: Vec<(String, String)> = if tags == "[]" {
            Vec::new()
        } else {
            serde_json::from_str(tags).map_err(corrupt)?
        };
        world.handshakes.push(Arc::new(Handshake {
            id: id(row.get_ref(0)?.as_str()?, HandshakeId::parse)?,
            organization: id(row.get_ref(1)?.as_str()?, OrganizationId::parse)?,
            manager: id(row.get_ref(2)?.as_str()?, AccountId::parse)?,
            manager_name: shared.get(row.get_ref(3)?.as_str()?),
            target: Target {
                kind: kind_from(row.get_ref(4)?.as_str()?).ok_or_else(|| corrupt("target kind"))?,
                entity: row.get(5)?,
            },
            note: shared.get(row.get_ref(6)?.as_str()?),
            tags,
            status: status_from(row.get_ref(8)?.as_str()?).ok_or_else(|| corrupt("status"))?,
            created: time(row.get(9)?)?,
            modified: time(row.get(10)?)?,
            expires: time(row.get(11)?)?,
        }));
    }
    Ok(world)
}
