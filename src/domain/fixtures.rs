//! The world as a document: the serde schema of fixture files (`fixtures/default.toml`,
//! `--fixtures PATH`), which state import and export reuse. Loading checks every id and every
//! cross-reference, and a problem is reported with the file, line and column it stands on.
//!
//! Times are either absolute (`2026-11-01T09:00:00Z`) or relative to the moment of loading
//! (`now`, `now-20d`, `now+1h`, `now-90m`, `now-30s`); exported documents use absolute times.

use super::{
    Account, AccountId, AccountType, Credential, Handshake, HandshakeId, HandshakeStatus,
    RealNameType, ResourceDirectory, ResourceDirectoryId, Secret, TargetType, VALIDITY, World,
};
use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

/// The default world, compiled into the binary.
pub const DEFAULT_WORLD: &str = include_str!("../../fixtures/default.toml");
/// How the default world is named in messages.
pub const DEFAULT_WORLD_NAME: &str = "fixtures/default.toml (embedded)";
/// The longest Note an invitation may carry.
pub const MAX_NOTE_CHARS: usize = 1024;

/// A whole world.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldDoc {
    /// Resource directories.
    #[serde(default)]
    pub resource_directories: Vec<DirectoryDoc>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<AccountDoc>,
    /// Access keys (permanent and STS).
    #[serde(default)]
    pub access_keys: Vec<AccessKeyDoc>,
    /// Handshakes.
    #[serde(default)]
    pub handshakes: Vec<HandshakeDoc>,
}

/// A resource directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryDoc {
    /// `rd-` id.
    pub id: ResourceDirectoryId,
    /// Its management account (which belongs to it implicitly).
    pub master_account_id: AccountId,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountDoc {
    /// 16 digits.
    pub id: AccountId,
    /// Display name.
    pub name: String,
    /// Logon email.
    pub logon_email: String,
    /// `enterprise` or `personal`.
    #[serde(rename = "type")]
    pub account_type: AccountType,
    /// `enterprise`, `individual` or `none`.
    pub real_name_type: RealNameType,
    /// The directory it is a member of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_directory: Option<ResourceDirectoryId>,
}

/// An access key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyDoc {
    /// AccessKeyId.
    pub id: String,
    /// AccessKeySecret.
    pub secret: String,
    /// The account it acts for.
    pub account_id: AccountId,
    /// STS credentials: the SecurityToken that must accompany the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_token: Option<String>,
    /// STS credentials: when the token expires (emulator clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<TimeSpec>,
    /// Refuse the key with `InvalidAccessKeyId.Inactive`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// A handshake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandshakeDoc {
    /// `h-` id.
    pub id: HandshakeId,
    /// The inviting directory. If it is not in the world, the directory counts as destroyed and
    /// the master account fields must be given.
    pub resource_directory_id: ResourceDirectoryId,
    /// Defaults to the directory's management account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_account_id: Option<AccountId>,
    /// Defaults to that account's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_account_name: Option<String>,
    /// Account id or logon email.
    pub target_entity: String,
    /// `Account` or `Email`.
    pub target_type: TargetType,
    /// At most 1024 characters.
    #[serde(default)]
    pub note: String,
    /// Tags given with the invitation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagDoc>,
    /// `Pending`, `Accepted`, `Cancelled`, `Declined` or `Expired`. A Pending one past its
    /// ExpireTime is loaded as Expired.
    pub status: HandshakeStatus,
    /// When it was sent.
    pub create_time: TimeSpec,
    /// Defaults to `create_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modify_time: Option<TimeSpec>,
    /// Defaults to `create_time` + 14 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<TimeSpec>,
}

/// A tag of a handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagDoc {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// A point in time, absolute or relative to when the document is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// A fixed instant.
    At(DateTime<Utc>),
    /// The load time plus this offset.
    FromNow(TimeDelta),
}

impl TimeSpec {
    /// The instant this names, for a document loaded at `now`, at second precision.
    #[must_use]
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        truncate_to_seconds(match self {
            Self::At(at) => at,
            Self::FromNow(offset) => now + offset,
        })
    }

    fn parse(text: &str) -> Result<Self, String> {
        match text.strip_prefix("now") {
            Some("") => Ok(Self::FromNow(TimeDelta::zero())),
            Some(offset) if offset.starts_with(['+', '-']) => parse_duration(offset)
                .map(Self::FromNow)
                .map_err(|e| format!("invalid relative time {text:?}: {e}")),
            Some(_) => Err(format!(
                "invalid relative time {text:?}: expected now, now+N<unit> or now-N<unit>"
            )),
            None => DateTime::parse_from_rfc3339(text)
                .map(|at| Self::At(at.with_timezone(&Utc)))
                .map_err(|e| {
                    format!(
                        "invalid time {text:?} ({e}): expected e.g. 2026-11-01T09:00:00Z or now-20d"
                    )
                }),
        }
    }
}

/// A signed duration: an optional sign, a whole number and a unit, `d`, `h`, `m` or `s`
/// (`14d`, `-1h`, `+90m`, `30s`).
pub fn parse_duration(text: &str) -> Result<TimeDelta, String> {
    let (sign, unsigned) = match text.split_at_checked(1) {
        Some(("-", rest)) => (-1, rest),
        Some(("+", rest)) => (1, rest),
        _ => (1, text),
    };
    let unit = unsigned.chars().last().ok_or("the duration is empty")?;
    let number: i64 = unsigned[..unsigned.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| "the amount is not a whole number")?;
    let seconds = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return Err("the unit must be d, h, m or s".into()),
    };
    number
        .checked_mul(seconds * sign)
        .and_then(TimeDelta::try_seconds)
        .ok_or_else(|| "out of range".into())
}

impl fmt::Display for TimeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::At(at) => f.write_str(&at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Self::FromNow(offset) => write!(f, "now{:+}s", offset.num_seconds()),
        }
    }
}

impl Serialize for TimeSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Drops sub-second precision: every handshake time on the wire is whole seconds.
#[must_use]
pub fn truncate_to_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(at.timestamp(), 0).single().unwrap_or(at)
}

/// A fixture document that could not be loaded, located in its source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {problem}")]
pub struct FixtureError {
    /// The file (or other source) name.
    pub source_name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub problem: String,
}

/// A problem found after parsing: what is wrong and which value (as written) it is about.
struct Problem {
    value: String,
    occurrence: usize,
    message: String,
}

impl Problem {
    fn at(value: impl fmt::Display, message: impl Into<String>) -> Self {
        Self {
            value: value.to_string(),
            occurrence: 1,
            message: message.into(),
        }
    }
}

impl WorldDoc {
    /// Parses a TOML document; `source_name` is used in error messages.
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self, FixtureError> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_and_column(text, span.start));
            FixtureError {
                source_name: source_name.to_owned(),
                line,
                column,
                problem: e.message().trim().to_owned(),
            }
        })
    }

    /// The document as TOML.
    #[must_use]
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Loads a TOML document into a world, resolving relative times against `now`.
    pub fn load_toml(
        source_name: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<World, FixtureError> {
        Self::from_toml(source_name, text)?.into_located_world(source_name, text, now)
    }

    /// Loads a JSON document (the control plane's state import) into a world.
    pub fn load_json(
        source_name: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<World, FixtureError> {
        let doc: Self = serde_json::from_str(text).map_err(|e| FixtureError {
            source_name: source_name.to_owned(),
            line: e.line(),
            column: e.column(),
            problem: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        })?;
        doc.into_located_world(source_name, text, now)
    }

    fn into_located_world(
        self,
        source_name: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<World, FixtureError> {
        self.into_world(now).map_err(|problem| {
            let (line, column) = locate(text, &problem.value, problem.occurrence);
            FixtureError {
                source_name: source_name.to_owned(),
                line,
                column,
                problem: problem.message,
            }
        })
    }

    /// Checks the document and builds the world; relative times resolve against `now`.
    fn into_world(self, now: DateTime<Utc>) -> Result<World, Problem> {
        let mut world = World::default();
        for doc in self.resource_directories {
            let directory = ResourceDirectory {
                id: doc.id,
                master_account_id: doc.master_account_id,
            };
            insert_unique(
                &mut world.directories,
                directory.id,
                directory,
                "resource directory",
            )?;
        }
        add_accounts(&mut world, self.accounts)?;
        add_access_keys(&mut world, self.access_keys, now)?;
        let mut shared = Interner::default();
        world.handshakes.reserve(self.handshakes.len());
        for doc in self.handshakes {
            let handshake = handshake_from_doc(&world, doc, now, &mut shared)?;
            insert_unique(
                &mut world.handshakes,
                handshake.id,
                Arc::new(handshake),
                "handshake",
            )?;
        }
        Ok(world)
    }

    /// The document describing `world`, with absolute times.
    #[must_use]
    pub fn from_world(world: &World) -> Self {
        // Hash maps have no order; a stable document diffs cleanly. Sorted on the domain values
        // (oldest first, then by id), not on their rendered strings.
        let mut handshakes: Vec<&Handshake> = world.handshakes.values().map(Arc::as_ref).collect();
        handshakes.sort_by_key(|h| (h.create_time, h.id));
        let mut doc = Self {
            resource_directories: world
                .directories
                .values()
                .map(|d| DirectoryDoc {
                    id: d.id,
                    master_account_id: d.master_account_id,
                })
                .collect(),
            accounts: world
                .accounts
                .values()
                .map(|a| AccountDoc {
                    id: a.id,
                    name: a.name.clone(),
                    logon_email: a.logon_email.clone(),
                    account_type: a.account_type,
                    real_name_type: a.real_name_type,
                    resource_directory: a.resource_directory,
                })
                .collect(),
            access_keys: world
                .credentials
                .values()
                .map(|c| AccessKeyDoc {
                    id: c.access_key_id.clone(),
                    secret: c.secret.expose().to_owned(),
                    account_id: c.account_id,
                    security_token: c.security_token.as_ref().map(|t| t.expose().to_owned()),
                    expiration: c.expiration.map(TimeSpec::At),
                    disabled: c.disabled,
                })
                .collect(),
            handshakes: handshakes
                .into_iter()
                .map(|h| HandshakeDoc {
                    id: h.id,
                    resource_directory_id: h.resource_directory_id,
                    master_account_id: Some(h.master_account_id),
                    master_account_name: Some(h.master_account_name.to_string()),
                    target_entity: h.target_entity.clone(),
                    target_type: h.target_type,
                    note: h.note.to_string(),
                    tags: h
                        .tags
                        .iter()
                        .map(|(key, value)| TagDoc {
                            key: key.clone(),
                            value: value.clone(),
                        })
                        .collect(),
                    status: h.status,
                    create_time: TimeSpec::At(h.create_time),
                    modify_time: Some(TimeSpec::At(h.modify_time)),
                    expire_time: Some(TimeSpec::At(h.expire_time)),
                })
                .collect(),
        };
        doc.resource_directories.sort_by_key(|a| a.id);
        doc.accounts.sort_by_key(|a| a.id);
        doc.access_keys.sort_by(|a, b| a.id.cmp(&b.id));
        doc
    }
}

/// Inserts `value`, refusing a second definition of `key`.
fn insert_unique<K: std::hash::Hash + Eq + fmt::Display, V>(
    map: &mut HashMap<K, V>,
    key: K,
    value: V,
    what: &str,
) -> Result<(), Problem> {
    if map.contains_key(&key) {
        return Err(Problem {
            occurrence: 2,
            ..Problem::at(&key, format!("{what} {key} is defined twice"))
        });
    }
    map.insert(key, value);
    Ok(())
}

/// Adds the accounts, then makes each management account a member of the directory it manages.
fn add_accounts(world: &mut World, docs: Vec<AccountDoc>) -> Result<(), Problem> {
    let mut emails: HashMap<String, AccountId> = HashMap::new();
    for doc in docs {
        let id = doc.id;
        if let Some(directory) = &doc.resource_directory
            && !world.directories.contains_key(directory)
        {
            return Err(Problem::at(
                directory,
                format!("account {id} belongs to unknown resource directory {directory}"),
            ));
        }
        if !doc.logon_email.contains('@') {
            return Err(Problem::at(
                &doc.logon_email,
                format!(
                    "account {id}: logon_email {:?} is not an email address",
                    doc.logon_email
                ),
            ));
        }
        if let Some(other) = emails.insert(doc.logon_email.to_ascii_lowercase(), id) {
            let message = format!(
                "accounts {other} and {id} share logon_email {}",
                doc.logon_email
            );
            return Err(Problem {
                occurrence: 2,
                ..Problem::at(&doc.logon_email, message)
            });
        }
        let account = Account {
            id: doc.id,
            name: doc.name,
            logon_email: doc.logon_email,
            account_type: doc.account_type,
            real_name_type: doc.real_name_type,
            resource_directory: doc.resource_directory,
        };
        insert_unique(&mut world.accounts, id, account, "account")?;
    }
    for directory in world.directories.values() {
        let master = &directory.master_account_id;
        let Some(account) = world.accounts.get_mut(master) else {
            return Err(Problem::at(
                master,
                format!(
                    "resource directory {}: master account {master} is not defined",
                    directory.id
                ),
            ));
        };
        match &account.resource_directory {
            None => account.resource_directory = Some(directory.id),
            Some(own) if *own == directory.id => {}
            Some(other) => {
                return Err(Problem::at(
                    master,
                    format!(
                        "account {master} manages {} but is a member of {other}",
                        directory.id
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn add_access_keys(
    world: &mut World,
    docs: Vec<AccessKeyDoc>,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    for doc in docs {
        if doc.id.is_empty() || doc.secret.is_empty() {
            return Err(Problem::at(
                doc.account_id,
                "an access key needs a non-empty id and secret",
            ));
        }
        if !world.accounts.contains_key(&doc.account_id) {
            return Err(Problem::at(
                doc.account_id,
                format!(
                    "access key {}: account {} is not defined",
                    doc.id, doc.account_id
                ),
            ));
        }
        if doc.security_token.as_deref() == Some("") {
            return Err(Problem::at(
                &doc.id,
                format!("access key {}: security_token is empty", doc.id),
            ));
        }
        let credential = Credential {
            access_key_id: doc.id.clone(),
            secret: Secret::new(doc.secret),
            account_id: doc.account_id,
            security_token: doc.security_token.map(Secret::new),
            expiration: doc.expiration.map(|t| t.resolve(now)),
            disabled: doc.disabled,
        };
        insert_unique(&mut world.credentials, doc.id, credential, "access key")?;
    }
    Ok(())
}

/// The management account of generated worlds (the default world's, with its key).
const GENERATED_MASTER: &str = "1512666876910000";

/// A generated world for benchmarks: one directory (`rd-Bench01`, managed by `1512666876910000`
/// with the default world's management key) and `handshakes` Pending invitations
/// `h-Bench00000000000` … sent an hour before loading. With `accounts`, invitation `i` targets its
/// own enterprise account `1{i:015}` whose key is `LTAI5tBench{i:010}` / `BenchSecret{i:010}`, so
/// each can be accepted; without, it targets the email `invitee{i}@bench.example`.
#[must_use]
pub fn generate(handshakes: usize, accounts: bool) -> WorldDoc {
    let master = AccountId::parse(GENERATED_MASTER).expect("a 16-digit id");
    let directory = ResourceDirectoryId::parse("rd-Bench01").expect("rd- and 7 alphanumerics");
    let enterprise = |id: AccountId, name: String, logon_email: String| AccountDoc {
        id,
        name,
        logon_email,
        account_type: AccountType::Enterprise,
        real_name_type: RealNameType::Enterprise,
        resource_directory: None,
    };
    let key = |id: String, secret: String, account_id: AccountId| AccessKeyDoc {
        id,
        secret,
        account_id,
        security_token: None,
        expiration: None,
        disabled: false,
    };
    let mut doc = WorldDoc {
        resource_directories: vec![DirectoryDoc {
            id: directory,
            master_account_id: master,
        }],
        accounts: vec![enterprise(
            master,
            "BenchCo".into(),
            "admin@bench.example".into(),
        )],
        access_keys: vec![key(
            "LTAI5tEmuManagement01".into(),
            "EmuManagementSecret01".into(),
            master,
        )],
        handshakes: Vec::with_capacity(handshakes),
    };
    for i in 0..handshakes {
        let (target_entity, target_type) = if accounts {
            let account = AccountId::parse(&format!("1{i:015}")).expect("16 digits");
            doc.accounts.push(enterprise(
                account,
                format!("Invitee{i}"),
                format!("invitee{i}@bench.example"),
            ));
            doc.access_keys.push(key(
                format!("LTAI5tBench{i:010}"),
                format!("BenchSecret{i:010}"),
                account,
            ));
            (account.to_string(), TargetType::Account)
        } else {
            (format!("invitee{i}@bench.example"), TargetType::Email)
        };
        doc.handshakes.push(HandshakeDoc {
            id: HandshakeId::parse(&format!("h-Bench{i:011}")).expect("h- and 16 alphanumerics"),
            resource_directory_id: directory,
            master_account_id: None,
            master_account_name: None,
            target_entity,
            target_type,
            note: "Benchmark".into(),
            tags: Vec::new(),
            status: HandshakeStatus::Pending,
            create_time: TimeSpec::FromNow(TimeDelta::hours(-1)),
            modify_time: None,
            expire_time: None,
        });
    }
    doc
}

/// One allocation per distinct text: the master account names and notes that a directory's
/// invitations repeat.
#[derive(Default)]
struct Interner(HashSet<Arc<str>>);

impl Interner {
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(shared.clone());
        shared
    }
}

fn handshake_from_doc(
    world: &World,
    doc: HandshakeDoc,
    now: DateTime<Utc>,
    shared: &mut Interner,
) -> Result<Handshake, Problem> {
    let id = doc.id;
    let (master_account_id, master_account_name) = match world
        .directories
        .get(&doc.resource_directory_id)
    {
        Some(directory) => {
            let master = &world.accounts[&directory.master_account_id];
            if doc
                .master_account_id
                .as_ref()
                .is_some_and(|given| *given != master.id)
            {
                return Err(Problem::at(
                    id,
                    format!(
                        "handshake {id}: master_account_id is not the management account of {}",
                        directory.id
                    ),
                ));
            }
            (
                master.id,
                doc.master_account_name
                    .unwrap_or_else(|| master.name.clone()),
            )
        }
        None => match (doc.master_account_id, doc.master_account_name) {
            (Some(master_id), Some(name)) => (master_id, name),
            _ => {
                return Err(Problem::at(
                    doc.resource_directory_id,
                    format!(
                        "handshake {id}: resource directory {} is not defined (a destroyed directory needs master_account_id and master_account_name)",
                        doc.resource_directory_id
                    ),
                ));
            }
        },
    };
    match doc.target_type {
        TargetType::Account if AccountId::parse(&doc.target_entity).is_err() => {
            return Err(Problem::at(
                &doc.target_entity,
                format!(
                    "handshake {id}: target_entity {:?} is not an account id",
                    doc.target_entity
                ),
            ));
        }
        TargetType::Email if !doc.target_entity.contains('@') => {
            return Err(Problem::at(
                &doc.target_entity,
                format!(
                    "handshake {id}: target_entity {:?} is not an email address",
                    doc.target_entity
                ),
            ));
        }
        _ => {}
    }
    if doc.note.chars().count() > MAX_NOTE_CHARS {
        return Err(Problem::at(
            id,
            format!("handshake {id}: note is longer than {MAX_NOTE_CHARS} characters"),
        ));
    }
    let create_time = doc.create_time.resolve(now);
    let expire_time = doc
        .expire_time
        .map_or(create_time + VALIDITY, |t| t.resolve(now));
    let modify_time = doc.modify_time.map_or(create_time, |t| t.resolve(now));
    if modify_time < create_time || expire_time < create_time {
        return Err(Problem::at(
            id,
            format!("handshake {id}: modify_time and expire_time may not precede create_time"),
        ));
    }
    let mut handshake = Handshake {
        id,
        resource_directory_id: doc.resource_directory_id,
        master_account_id,
        master_account_name: shared.get(&master_account_name),
        target_entity: doc.target_entity,
        target_type: doc.target_type,
        note: shared.get(&doc.note),
        tags: doc.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        status: doc.status,
        create_time,
        modify_time,
        expire_time,
    };
    handshake.refresh(now);
    Ok(handshake)
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where the `occurrence`-th quoted `value` stands in `text` (its line start if not found).
fn locate(text: &str, value: &str, occurrence: usize) -> (usize, usize) {
    let quoted = format!("\"{value}\"");
    text.match_indices(&quoted)
        .nth(occurrence.saturating_sub(1))
        .or_else(|| text.match_indices(&quoted).next())
        .map_or((1, 1), |(offset, _)| line_and_column(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
    }

    #[test]
    fn the_default_world_loads() {
        let world = WorldDoc::load_toml(DEFAULT_WORLD_NAME, DEFAULT_WORLD, now()).unwrap();
        let expired = world
            .handshake(&HandshakeId::parse("h-Exp1redAlready10").unwrap())
            .unwrap();
        assert_eq!(expired.status, HandshakeStatus::Expired);
        assert_eq!(expired.modify_time, expired.expire_time);
    }

    #[test]
    fn relative_times_resolve_against_the_load_time() {
        assert_eq!(
            TimeSpec::parse("now-20d").unwrap().resolve(now()),
            now() - TimeDelta::days(20)
        );
        assert_eq!(
            TimeSpec::parse("now+90m").unwrap().resolve(now()),
            now() + TimeDelta::minutes(90)
        );
        assert_eq!(TimeSpec::parse("now").unwrap().resolve(now()), now());
        assert!(TimeSpec::parse("now-20w").is_err());
        assert!(TimeSpec::parse("nowish").is_err());
        assert!(TimeSpec::parse("yesterday").is_err());
        assert_eq!(parse_duration("14d"), Ok(TimeDelta::days(14)));
        assert_eq!(parse_duration("-90m"), Ok(TimeDelta::minutes(-90)));
        assert!(
            parse_duration("").is_err()
                && parse_duration("d").is_err()
                && parse_duration("3w").is_err()
        );
    }

    #[test]
    fn a_malformed_document_is_reported_with_its_line() {
        let text = "[[accounts]]\nid = \"1234\"\nname = \"x\"\n";
        let err = WorldDoc::load_toml("w.toml", text, now()).unwrap_err();
        assert_eq!((err.source_name.as_str(), err.line), ("w.toml", 2));
        assert!(
            err.problem.contains("invalid account id"),
            "{}",
            err.problem
        );
    }

    #[test]
    fn a_dangling_reference_is_reported_where_it_is_written() {
        let text =
            "[[access_keys]]\nid = \"AK\"\nsecret = \"S\"\naccount_id = \"1234567890123456\"\n";
        let err = WorldDoc::load_toml("w.toml", text, now()).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.problem.contains("is not defined"), "{}", err.problem);
    }

    #[test]
    fn a_duplicate_is_reported_at_its_second_definition() {
        let account = "[[accounts]]\nid = \"1234567890123456\"\nname = \"x\"\nlogon_email = \"x@example.com\"\ntype = \"enterprise\"\nreal_name_type = \"enterprise\"\n";
        let text = format!("{account}{}", account.replace("x@", "y@"));
        let err = WorldDoc::load_toml("w.toml", &text, now()).unwrap_err();
        assert_eq!(err.line, 8);
        assert!(err.problem.contains("defined twice"), "{}", err.problem);
    }

    #[test]
    fn a_json_document_loads_and_its_problems_are_located() {
        let world = WorldDoc::load_toml(DEFAULT_WORLD_NAME, DEFAULT_WORLD, now()).unwrap();
        let json = serde_json::to_string_pretty(&WorldDoc::from_world(&world)).unwrap();
        assert_eq!(WorldDoc::load_json("state", &json, now()).unwrap(), world);
        let err = WorldDoc::load_json("state", "{\n  \"accounts\": 5\n}", now()).unwrap_err();
        assert_eq!((err.line, err.source_name.as_str()), (2, "state"));
    }

    #[test]
    fn a_generated_world_loads_with_one_account_and_key_per_invitation() {
        let world = generate(3, true).into_world(now()).ok().unwrap();
        let counts = world.counts();
        assert_eq!(
            (counts.handshakes, counts.accounts, counts.access_keys),
            (3, 4, 4)
        );
        let emails = generate(5, false).into_world(now()).ok().unwrap().counts();
        assert_eq!((emails.handshakes, emails.accounts), (5, 1));
    }

    #[test]
    fn an_exported_world_loads_back_unchanged() {
        let world = WorldDoc::load_toml(DEFAULT_WORLD_NAME, DEFAULT_WORLD, now()).unwrap();
        let text = WorldDoc::from_world(&world).to_toml();
        let again = WorldDoc::load_toml("export.toml", &text, now() + TimeDelta::hours(1)).unwrap();
        assert_eq!(world, again);
    }
}
