//! The Alibaba section of a world document: resource directories, accounts, access keys and
//! handshakes, with the names and spellings of the fixture schema (`fixtures/default.toml`).
//! Loading checks every id's shape and every cross-reference; a problem names the value it is
//! about, so the document loader can point at its line and column.

use super::policy::{self, DocAccountId, DocDirectoryId, DocHandshakeId};
use crate::domain::{
    Account, AccountId, AccountType, Handshake, Organization, OrganizationId, RealNameType, Status,
    Target, TargetKind,
};
use crate::store::World;
use crate::store::document::{
    self, Interner, Problem, TagDoc, TimeSpec, define, join_managers, resolve,
};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The longest Note an invitation may carry.
pub const MAX_NOTE_CHARS: usize = 1024;

/// The Alibaba section: the document's top-level tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlibabaDoc {
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
    pub id: DocDirectoryId,
    /// Its management account (which belongs to it implicitly).
    pub master_account_id: DocAccountId,
}

/// `enterprise` or `personal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountTypeDoc {
    /// An enterprise account.
    Enterprise,
    /// A personal account.
    Personal,
}

/// `enterprise`, `individual` or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RealNameDoc {
    /// Verified as an enterprise.
    Enterprise,
    /// Verified as an individual.
    Individual,
    /// Not verified.
    None,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountDoc {
    /// 16 digits.
    pub id: DocAccountId,
    /// Display name.
    pub name: String,
    /// Logon email.
    pub logon_email: String,
    /// `enterprise` or `personal`.
    #[serde(rename = "type")]
    pub account_type: AccountTypeDoc,
    /// `enterprise`, `individual` or `none`.
    pub real_name_type: RealNameDoc,
    /// The directory it is a member of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_directory: Option<DocDirectoryId>,
}

/// An access key (`security_token` and `expiration` for STS credentials; `disabled` refuses it
/// with `InvalidAccessKeyId.Inactive`).
pub type AccessKeyDoc = document::AccessKeyDoc<DocAccountId>;

/// `Account` or `Email`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetTypeDoc {
    /// A 16-digit account id.
    Account,
    /// A logon email.
    Email,
}

/// `Pending`, `Accepted`, `Cancelled`, `Declined` or `Expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusDoc {
    /// Waiting for the invitee (shown as Expired once past its ExpireTime).
    Pending,
    /// Accepted.
    Accepted,
    /// Cancelled.
    Cancelled,
    /// Declined.
    Declined,
    /// Expired.
    Expired,
}

/// A handshake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandshakeDoc {
    /// `h-` id.
    pub id: DocHandshakeId,
    /// The inviting directory. If it is not in the world, the directory counts as destroyed and
    /// the master account fields must be given.
    pub resource_directory_id: DocDirectoryId,
    /// Defaults to the directory's management account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_account_id: Option<DocAccountId>,
    /// Defaults to that account's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_account_name: Option<String>,
    /// Account id or logon email.
    pub target_entity: String,
    /// `Account` or `Email`.
    pub target_type: TargetTypeDoc,
    /// At most 1024 characters.
    #[serde(default)]
    pub note: String,
    /// Tags given with the invitation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagDoc>,
    /// The stored status. A Pending one past its ExpireTime is shown as Expired (derived, never
    /// stored: moving the clock back makes it Pending again).
    pub status: StatusDoc,
    /// When it was sent.
    pub create_time: TimeSpec,
    /// Defaults to `create_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modify_time: Option<TimeSpec>,
    /// Defaults to `create_time` + 14 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<TimeSpec>,
}

impl AlibabaDoc {
    /// Checks the section and builds the world; relative times resolve against `now`.
    pub fn into_world(self, now: DateTime<Utc>) -> Result<World, Problem> {
        let mut ids = HashSet::new();
        let mut directories = HashMap::new();
        for doc in &self.resource_directories {
            define(&mut ids, &doc.id.0, "resource directory")?;
            directories.insert(doc.id.0, doc.master_account_id.0);
        }
        let accounts = accounts(self.accounts, &directories)?;
        let by_id: HashMap<AccountId, &Account> = accounts.iter().map(|a| (a.id, a)).collect();
        let credentials =
            document::credentials(self.access_keys, |id| by_id.contains_key(id), now)?;
        let mut shared = Interner::default();
        let mut seen = HashSet::new();
        let mut handshakes = Vec::with_capacity(self.handshakes.len());
        for doc in self.handshakes {
            define(&mut seen, &doc.id.0, "handshake")?;
            let handshake = handshake(doc, &directories, &by_id, now, &mut shared)?;
            handshakes.push(Arc::new(handshake));
        }
        Ok(World {
            organizations: directories
                .into_iter()
                .map(|(id, manager)| Organization {
                    id,
                    manager,
                    member_quota: None,
                })
                .collect(),
            accounts,
            credentials,
            handshakes,
        })
    }

    /// The section describing `world`, with absolute times, sorted so that it diffs cleanly.
    #[must_use]
    pub fn from_world(world: &World) -> Self {
        let mut doc = Self {
            resource_directories: world
                .organizations
                .iter()
                .map(|o| DirectoryDoc {
                    id: DocDirectoryId(o.id),
                    master_account_id: DocAccountId(o.manager),
                })
                .collect(),
            accounts: world
                .accounts
                .iter()
                .map(|a| AccountDoc {
                    id: DocAccountId(a.id),
                    name: a.name.clone(),
                    logon_email: a.email.clone(),
                    account_type: match a.account_type {
                        AccountType::Enterprise => AccountTypeDoc::Enterprise,
                        AccountType::Personal => AccountTypeDoc::Personal,
                    },
                    real_name_type: match a.real_name_type {
                        RealNameType::Enterprise => RealNameDoc::Enterprise,
                        RealNameType::Individual => RealNameDoc::Individual,
                        RealNameType::None => RealNameDoc::None,
                    },
                    resource_directory: a.organization.map(DocDirectoryId),
                })
                .collect(),
            access_keys: document::access_key_docs(&world.credentials, DocAccountId),
            handshakes: Vec::with_capacity(world.handshakes.len()),
        };
        // Sorted on the domain values (oldest first, then by id), not on rendered strings.
        let mut handshakes: Vec<&Handshake> = world.handshakes.iter().map(Arc::as_ref).collect();
        handshakes.sort_by_key(|h| (h.created, h.id));
        doc.handshakes = handshakes.into_iter().map(handshake_doc).collect();
        doc.resource_directories.sort_by_key(|d| d.id.0);
        doc.accounts.sort_by_key(|a| a.id.0);
        doc
    }
}

fn handshake_doc(h: &Handshake) -> HandshakeDoc {
    HandshakeDoc {
        id: DocHandshakeId(h.id),
        resource_directory_id: DocDirectoryId(h.organization),
        master_account_id: Some(DocAccountId(h.manager)),
        master_account_name: Some(h.manager_name.to_string()),
        target_entity: h.target.entity.clone(),
        target_type: match h.target.kind {
            TargetKind::Email => TargetTypeDoc::Email,
            TargetKind::Id | TargetKind::Name => TargetTypeDoc::Account,
        },
        note: h.note.to_string(),
        tags: document::tag_docs(&h.tags),
        status: match h.status {
            Status::Pending => StatusDoc::Pending,
            Status::Accepted => StatusDoc::Accepted,
            Status::Cancelled => StatusDoc::Cancelled,
            Status::Declined => StatusDoc::Declined,
            Status::Expired => StatusDoc::Expired,
        },
        create_time: TimeSpec::At(h.created),
        modify_time: Some(TimeSpec::At(h.modified)),
        expire_time: Some(TimeSpec::At(h.expires)),
    }
}

/// The accounts; each management account is made a member of the directory it manages.
fn accounts(
    docs: Vec<AccountDoc>,
    directories: &HashMap<OrganizationId, AccountId>,
) -> Result<Vec<Account>, Problem> {
    let mut ids = HashSet::new();
    let mut emails: HashMap<String, AccountId> = HashMap::new();
    let mut accounts = Vec::with_capacity(docs.len());
    for doc in docs {
        let id = doc.id.0;
        define(&mut ids, &id, "account")?;
        if let Some(directory) = &doc.resource_directory
            && !directories.contains_key(&directory.0)
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
            return Err(Problem::second(
                &doc.logon_email,
                format!(
                    "accounts {other} and {id} share logon_email {}",
                    doc.logon_email
                ),
            ));
        }
        accounts.push(Account {
            id,
            name: doc.name,
            email: doc.logon_email,
            account_type: match doc.account_type {
                AccountTypeDoc::Enterprise => AccountType::Enterprise,
                AccountTypeDoc::Personal => AccountType::Personal,
            },
            real_name_type: match doc.real_name_type {
                RealNameDoc::Enterprise => RealNameType::Enterprise,
                RealNameDoc::Individual => RealNameType::Individual,
                RealNameDoc::None => RealNameType::None,
            },
            organization: doc.resource_directory.map(|d| d.0),
        });
    }
    join_managers(
        &mut accounts,
        directories,
        ("resource directory", "master account"),
    )?;
    Ok(accounts)
}

fn handshake(
    doc: HandshakeDoc,
    directories: &HashMap<OrganizationId, AccountId>,
    accounts: &HashMap<AccountId, &Account>,
    now: DateTime<Utc>,
    shared: &mut Interner,
) -> Result<Handshake, Problem> {
    let id = doc.id;
    let directory = doc.resource_directory_id.0;
    let (manager, manager_name) = match directories.get(&directory) {
        Some(master) => {
            if doc
                .master_account_id
                .is_some_and(|given| given.0 != *master)
            {
                return Err(Problem::at(
                    id,
                    format!(
                        "handshake {id}: master_account_id is not the management account of {directory}"
                    ),
                ));
            }
            let name = doc
                .master_account_name
                .unwrap_or_else(|| accounts[master].name.clone());
            (*master, name)
        }
        None => match (doc.master_account_id, doc.master_account_name) {
            (Some(master), Some(name)) => (master.0, name),
            _ => {
                return Err(Problem::at(
                    doc.resource_directory_id,
                    format!(
                        "handshake {id}: resource directory {directory} is not defined (a destroyed directory needs master_account_id and master_account_name)"
                    ),
                ));
            }
        },
    };
    let kind = match doc.target_type {
        TargetTypeDoc::Account if policy::account_id(&doc.target_entity).is_err() => {
            return Err(Problem::at(
                &doc.target_entity,
                format!(
                    "handshake {id}: target_entity {:?} is not an account id",
                    doc.target_entity
                ),
            ));
        }
        TargetTypeDoc::Email if !doc.target_entity.contains('@') => {
            return Err(Problem::at(
                &doc.target_entity,
                format!(
                    "handshake {id}: target_entity {:?} is not an email address",
                    doc.target_entity
                ),
            ));
        }
        TargetTypeDoc::Account => TargetKind::Id,
        TargetTypeDoc::Email => TargetKind::Email,
    };
    if doc.note.chars().count() > MAX_NOTE_CHARS {
        return Err(Problem::at(
            id,
            format!("handshake {id}: note is longer than {MAX_NOTE_CHARS} characters"),
        ));
    }
    let created = resolve(doc.create_time, now, id, "create_time")?;
    let expires = match doc.expire_time {
        Some(t) => resolve(t, now, id, "expire_time")?,
        None => created
            .checked_add_signed(policy::POLICY.validity)
            .ok_or_else(|| Problem::at(id, format!("handshake {id}: expiry out of range")))?,
    };
    let modified = match doc.modify_time {
        Some(t) => resolve(t, now, id, "modify_time")?,
        None => created,
    };
    if modified < created || expires < created {
        return Err(Problem::at(
            id,
            format!("handshake {id}: modify_time and expire_time may not precede create_time"),
        ));
    }
    Ok(Handshake {
        id: id.0,
        organization: directory,
        manager,
        manager_name: shared.get(&manager_name),
        target: Target {
            kind,
            entity: doc.target_entity,
        },
        note: shared.get(&doc.note),
        tags: document::tags(doc.tags),
        status: match doc.status {
            StatusDoc::Pending => Status::Pending,
            StatusDoc::Accepted => Status::Accepted,
            StatusDoc::Cancelled => Status::Cancelled,
            StatusDoc::Declined => Status::Declined,
            StatusDoc::Expired => Status::Expired,
        },
        created,
        modified,
        expires,
    })
}

/// The management account of generated worlds (the default world's, with its key).
const GENERATED_MASTER: &str = "1512666876910000";

/// A generated world for benchmarks: one directory (`rd-Bench01`, managed by `1512666876910000`
/// with the default world's management key) and `handshakes` Pending invitations
/// `h-Bench00000000000` … sent an hour before loading. With `accounts`, invitation `i` targets its
/// own enterprise account `1{i:015}` whose key is `LTAI5tBench{i:010}` / `BenchSecret{i:010}`, so
/// each can be accepted; without, it targets the email `invitee{i}@bench.example`.
#[must_use]
pub fn generate(handshakes: usize, accounts: bool) -> AlibabaDoc {
    let master = DocAccountId(policy::account_id(GENERATED_MASTER).expect("a 16-digit id"));
    let directory =
        DocDirectoryId(policy::directory_id("rd-Bench01").expect("rd- and 7 alphanumerics"));
    let enterprise = |id: DocAccountId, name: String, logon_email: String| AccountDoc {
        id,
        name,
        logon_email,
        account_type: AccountTypeDoc::Enterprise,
        real_name_type: RealNameDoc::Enterprise,
        resource_directory: None,
    };
    let key = |id: String, secret: String, account_id: DocAccountId| AccessKeyDoc {
        id,
        secret,
        account_id,
        security_token: None,
        expiration: None,
        disabled: false,
    };
    let mut doc = AlibabaDoc {
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
            let account =
                DocAccountId(policy::account_id(&format!("1{i:015}")).expect("16 digits"));
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
            (account.to_string(), TargetTypeDoc::Account)
        } else {
            (format!("invitee{i}@bench.example"), TargetTypeDoc::Email)
        };
        doc.handshakes.push(HandshakeDoc {
            id: DocHandshakeId(
                policy::handshake_id(&format!("h-Bench{i:011}")).expect("h- and 16 alphanumerics"),
            ),
            resource_directory_id: directory,
            master_account_id: None,
            master_account_name: None,
            target_entity,
            target_type,
            note: "Benchmark".into(),
            tags: Vec::new(),
            status: StatusDoc::Pending,
            create_time: TimeSpec::FromNow(TimeDelta::hours(-1)),
            modify_time: None,
            expire_time: None,
        });
    }
    doc
}
