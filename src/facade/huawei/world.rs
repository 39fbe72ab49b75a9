//! The Huawei section of a world document, `[huawei]`: organizations, accounts (32-hex ids and
//! unique names, which `name` invitations address), access keys (with an optional security token
//! and expiry for temporary credentials) and handshakes, with the API's own field names and
//! lower-case statuses. Loading checks every id's shape and every cross-reference; a problem
//! names the value it is about, so the loader can point at its line and column.

use super::policy::{self, DocAccountId, DocHandshakeId, DocOrganizationId};
use crate::domain::{
    Account, AccountId, AccountType, Handshake, Organization, OrganizationId, RealNameType, Status,
    Target, TargetKind,
};
use crate::store::World;
use crate::store::document::{
    self, Interner, Problem, TagDoc, TimeSpec, define, join_managers, resolve,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The `[huawei]` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiDoc {
    /// Organizations.
    #[serde(default)]
    pub organizations: Vec<OrganizationDoc>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<AccountDoc>,
    /// AK/SK pairs, permanent and temporary.
    #[serde(default)]
    pub access_keys: Vec<AccessKeyDoc>,
    /// Handshakes.
    #[serde(default)]
    pub handshakes: Vec<HandshakeDoc>,
}

impl HuaweiDoc {
    /// Whether the section is empty (it is then left out of exported documents).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.organizations.is_empty()
            && self.accounts.is_empty()
            && self.access_keys.is_empty()
            && self.handshakes.is_empty()
    }
}

/// An organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationDoc {
    /// `o-` id.
    pub id: DocOrganizationId,
    /// Its management account (a member of it implicitly).
    pub management_account_id: DocAccountId,
    /// A raised member quota (default 10, the management account included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_quota: Option<usize>,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountDoc {
    /// 32 lower-case hex digits.
    pub id: DocAccountId,
    /// The account name (unique; `name` invitations address it).
    pub name: String,
    /// The organization it is a member of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<DocOrganizationId>,
}

/// An AK/SK pair (`security_token` and `expiration` for temporary credentials).
pub type AccessKeyDoc = document::AccessKeyDoc<DocAccountId>;

/// `account` (entity = account id) or `name` (entity = account name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetTypeDoc {
    /// By account id.
    Account,
    /// By account name.
    Name,
}

/// A lower-case status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusDoc {
    /// Waiting (shown as expired once past `expired_at`).
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
    /// The inviting organization.
    pub organization_id: DocOrganizationId,
    /// Defaults to the organization's management account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account_id: Option<DocAccountId>,
    /// Defaults to that account's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account_name: Option<String>,
    /// `account` or `name`.
    pub target_type: TargetTypeDoc,
    /// The account id or name invited.
    pub target_entity: String,
    /// At most 1024 characters.
    #[serde(default)]
    pub notes: String,
    /// The stored status; a pending one past `expired_at` is shown as expired.
    pub status: StatusDoc,
    /// When it was sent.
    pub created_at: TimeSpec,
    /// Defaults to `created_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<TimeSpec>,
    /// Defaults to `created_at` + 14 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<TimeSpec>,
    /// Tags given with the invitation (stored, never shown by the API).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagDoc>,
}

impl HuaweiDoc {
    /// Checks the section and builds the world; relative times resolve against `now`.
    pub fn into_world(self, now: DateTime<Utc>) -> Result<World, Problem> {
        let mut seen = HashSet::new();
        let mut organizations: HashMap<OrganizationId, AccountId> = HashMap::new();
        let mut quotas = HashMap::new();
        for doc in &self.organizations {
            define(&mut seen, &doc.id.0, "organization")?;
            organizations.insert(doc.id.0, doc.management_account_id.0);
            quotas.insert(doc.id.0, doc.member_quota);
        }
        let accounts = accounts(self.accounts, &organizations)?;
        let by_id: HashMap<AccountId, &Account> = accounts.iter().map(|a| (a.id, a)).collect();
        let credentials =
            document::credentials(self.access_keys, |id| by_id.contains_key(id), now)?;
        let mut shared = Interner::default();
        let mut ids = HashSet::new();
        let mut handshakes = Vec::with_capacity(self.handshakes.len());
        for doc in self.handshakes {
            define(&mut ids, &doc.id.0, "handshake")?;
            handshakes.push(Arc::new(handshake(
                doc,
                &organizations,
                &by_id,
                now,
                &mut shared,
            )?));
        }
        Ok(World {
            organizations: organizations
                .into_iter()
                .map(|(id, manager)| Organization {
                    id,
                    manager,
                    member_quota: quotas[&id],
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
            organizations: world
                .organizations
                .iter()
                .map(|o| OrganizationDoc {
                    id: DocOrganizationId(o.id),
                    management_account_id: DocAccountId(o.manager),
                    member_quota: o.member_quota,
                })
                .collect(),
            accounts: world
                .accounts
                .iter()
                .map(|a| AccountDoc {
                    id: DocAccountId(a.id),
                    name: a.name.clone(),
                    organization_id: a.organization.map(DocOrganizationId),
                })
                .collect(),
            access_keys: document::access_key_docs(&world.credentials, DocAccountId),
            handshakes: Vec::new(),
        };
        let mut handshakes: Vec<&Handshake> = world.handshakes.iter().map(Arc::as_ref).collect();
        handshakes.sort_by_key(|h| (h.created, h.id));
        doc.handshakes = handshakes.into_iter().map(handshake_doc).collect();
        doc.organizations.sort_by_key(|o| o.id.0);
        doc.accounts.sort_by_key(|a| a.id.0);
        doc
    }
}

fn handshake_doc(h: &Handshake) -> HandshakeDoc {
    HandshakeDoc {
        id: DocHandshakeId(h.id),
        organization_id: DocOrganizationId(h.organization),
        management_account_id: Some(DocAccountId(h.manager)),
        management_account_name: Some(h.manager_name.to_string()),
        target_type: match h.target.kind {
            TargetKind::Name => TargetTypeDoc::Name,
            TargetKind::Id | TargetKind::Email => TargetTypeDoc::Account,
        },
        target_entity: h.target.entity.clone(),
        notes: h.note.to_string(),
        status: match h.status {
            Status::Pending => StatusDoc::Pending,
            Status::Accepted => StatusDoc::Accepted,
            Status::Cancelled => StatusDoc::Cancelled,
            Status::Declined => StatusDoc::Declined,
            Status::Expired => StatusDoc::Expired,
        },
        created_at: TimeSpec::At(h.created),
        updated_at: Some(TimeSpec::At(h.modified)),
        expired_at: Some(TimeSpec::At(h.expires)),
        tags: document::tag_docs(&h.tags),
    }
}

/// The accounts; each management account is made a member of the organization it manages.
fn accounts(
    docs: Vec<AccountDoc>,
    organizations: &HashMap<OrganizationId, AccountId>,
) -> Result<Vec<Account>, Problem> {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    let mut accounts = Vec::with_capacity(docs.len());
    for doc in docs {
        let id = doc.id.0;
        define(&mut ids, &id, "account")?;
        if doc.name.is_empty() {
            return Err(Problem::at(id, format!("account {id}: name is empty")));
        }
        define(&mut names, &doc.name, "account name")?;
        if let Some(organization) = &doc.organization_id
            && !organizations.contains_key(&organization.0)
        {
            return Err(Problem::at(
                organization,
                format!("account {id} belongs to unknown organization {organization}"),
            ));
        }
        accounts.push(Account {
            id,
            name: doc.name,
            email: String::new(),
            account_type: AccountType::Enterprise,
            real_name_type: RealNameType::Enterprise,
            organization: doc.organization_id.map(|o| o.0),
        });
    }
    join_managers(
        &mut accounts,
        organizations,
        ("organization", "management account"),
    )?;
    Ok(accounts)
}

fn handshake(
    doc: HandshakeDoc,
    organizations: &HashMap<OrganizationId, AccountId>,
    accounts: &HashMap<AccountId, &Account>,
    now: DateTime<Utc>,
    shared: &mut Interner,
) -> Result<Handshake, Problem> {
    let id = doc.id;
    let organization = doc.organization_id.0;
    let Some(manager) = organizations.get(&organization) else {
        return Err(Problem::at(
            doc.organization_id,
            format!("handshake {id}: organization {organization} is not defined"),
        ));
    };
    if doc
        .management_account_id
        .is_some_and(|given| given.0 != *manager)
    {
        return Err(Problem::at(
            id,
            format!(
                "handshake {id}: management_account_id is not the management account of {organization}"
            ),
        ));
    }
    let manager_name = doc
        .management_account_name
        .unwrap_or_else(|| accounts[manager].name.clone());
    let kind = match doc.target_type {
        TargetTypeDoc::Account => TargetKind::Id,
        TargetTypeDoc::Name => TargetKind::Name,
    };
    if !(1..=100).contains(&doc.target_entity.chars().count()) {
        return Err(Problem::at(
            id,
            format!("handshake {id}: target_entity must be 1 to 100 characters"),
        ));
    }
    if doc.notes.chars().count() > super::operations::MAX_NOTES_CHARS {
        return Err(Problem::at(
            id,
            format!("handshake {id}: notes are longer than 1024 characters"),
        ));
    }
    let created = resolve(doc.created_at, now, id, "created_at")?;
    let expires = match doc.expired_at {
        Some(t) => resolve(t, now, id, "expired_at")?,
        None => created
            .checked_add_signed(policy::POLICY.validity)
            .ok_or_else(|| Problem::at(id, format!("handshake {id}: expiry out of range")))?,
    };
    let modified = match doc.updated_at {
        Some(t) => resolve(t, now, id, "updated_at")?,
        None => created,
    };
    if modified < created || expires < created {
        return Err(Problem::at(
            id,
            format!("handshake {id}: updated_at and expired_at may not precede created_at"),
        ));
    }
    Ok(Handshake {
        id: id.0,
        organization,
        manager: *manager,
        manager_name: shared.get(&manager_name),
        target: Target {
            kind,
            entity: doc.target_entity,
        },
        note: shared.get(&doc.notes),
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

/// The management account of generated worlds: the default world's, with its key.
const GENERATED_MANAGER: &str = "0a6d25d23900d45c0faac010e0fb4de0";

/// A generated world for benchmarks: one organization (`o-bench00000000000000000000000001`,
/// managed by `0a6d25d23900d45c0faac010e0fb4de0` with the default world's key
/// `EMUHWMANAGEMENT00001`, its member quota raised to hold every invitee) and `handshakes`
/// pending invitations `h-bench000…` sent two days before loading (outside the 24-hour
/// invitation rate). With `accounts`, invitation `i` targets its own account `{i:032x}` whose
/// key is `HWBENCH{i:013}` / `HwBenchSecret{i:013}`; without, the name `bench-invitee-{i}`.
#[must_use]
pub fn generate(handshakes: usize, accounts: bool) -> HuaweiDoc {
    let manager = DocAccountId(policy::account_id(GENERATED_MANAGER).expect("32 hex digits"));
    let organization = DocOrganizationId(
        policy::organization_id("o-bench00000000000000000000000001").expect("o- and 32"),
    );
    let key = |id: String, secret: String, account_id: DocAccountId| AccessKeyDoc {
        id,
        secret,
        account_id,
        security_token: None,
        expiration: None,
        disabled: false,
    };
    let mut doc = HuaweiDoc {
        organizations: vec![OrganizationDoc {
            id: organization,
            management_account_id: manager,
            member_quota: Some(handshakes.saturating_add(1)),
        }],
        accounts: vec![AccountDoc {
            id: manager,
            name: "paas_iam_573331".into(),
            organization_id: None,
        }],
        access_keys: vec![key(
            "EMUHWMANAGEMENT00001".into(),
            "EmuHwManagementSecret0000000000000000001".into(),
            manager,
        )],
        handshakes: Vec::with_capacity(handshakes),
    };
    for i in 0..handshakes {
        let (target_type, target_entity) = if accounts {
            // Offset so that no generated account is the manager's id.
            let account = DocAccountId(
                policy::account_id(&format!("{:032x}", i + 1)).expect("32 hex digits"),
            );
            doc.accounts.push(AccountDoc {
                id: account,
                name: format!("bench-invitee-{i}"),
                organization_id: None,
            });
            doc.access_keys.push(key(
                format!("HWBENCH{i:013}"),
                format!("HwBenchSecret{i:013}"),
                account,
            ));
            (TargetTypeDoc::Account, account.to_string())
        } else {
            (TargetTypeDoc::Name, format!("bench-invitee-{i}"))
        };
        doc.handshakes.push(HandshakeDoc {
            id: DocHandshakeId(
                policy::handshake_id(&format!("h-bench{i:027}")).expect("h- and 32"),
            ),
            organization_id: organization,
            management_account_id: None,
            management_account_name: None,
            target_type,
            target_entity,
            notes: "Benchmark".into(),
            status: StatusDoc::Pending,
            created_at: TimeSpec::FromNow(chrono::TimeDelta::days(-2)),
            updated_at: None,
            expired_at: None,
            tags: Vec::new(),
        });
    }
    doc
}
