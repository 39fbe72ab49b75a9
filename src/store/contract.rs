//! The store contract: the lifecycle rules run through [`Store`] (`transact` and `query`) over
//! small hand-built worlds, under Alibaba's policy and a Huawei-like one. Each case takes a
//! factory that seeds a store with a [`World`]; `store_contract!` at the end instantiates every
//! case for a store, so a new store adds one line. Every refusal is also checked to change
//! nothing: the export before and after it, sorted, are equal.

use super::{MemoryStore, Store, World, WriteError};
use crate::domain::{
    self, Account, AccountId, AccountType, Authority, Change, Credential, CredentialError, Cursor,
    Decided, DomainError, Handshake, HandshakeId, HandshakeRead, Invitation, List, Listing,
    Organization, OrganizationId, Policy, RealNameType, Secret, Status, Target, TargetKind, View,
};
use crate::facade::alibaba::policy::POLICY as ALIBABA;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::cmp::Reverse;
use std::fmt;
use std::sync::Arc;

/// Seeds a store with a world.
type Factory<'a> = &'a dyn Fn(World) -> Box<dyn Store>;

/// Huawei Organizations' rules, roughly: the sending organization's authority, a retention
/// period, a member quota and an invitation rate.
const HUAWEI: Policy = Policy {
    validity: TimeDelta::days(14),
    retention: Some(TimeDelta::days(30)),
    authority: Authority::Organization,
    member_quota: Some(10),
    invitation_rate: Some((20, TimeDelta::hours(24))),
};

const SECOND: TimeDelta = TimeDelta::seconds(1);
const HOUR: TimeDelta = TimeDelta::hours(1);
const DAY: TimeDelta = TimeDelta::days(1);

const ORG_A: &str = "o-a";
const ORG_B: &str = "o-b";
/// An organization handshakes still name, destroyed since.
const ORG_GONE: &str = "o-gone";
/// Manages ORG_A.
const MANAGER: &str = "1000";
/// A member of ORG_A that does not manage it.
const MEMBER: &str = "1001";
/// Manages ORG_B.
const OTHER_MANAGER: &str = "2000";
const OTHER_MEMBER: &str = "2001";
/// The gone organization's manager (no account any more).
const GONE_MANAGER: &str = "9000";
/// Enterprise accounts in no organization, free to join.
const FREE: &str = "3000";
const FREE2: &str = "3001";
const PERSONAL: &str = "3002";
/// Real-name verified as an individual.
const INDIVIDUAL: &str = "3003";
/// No real-name verification.
const UNVERIFIED: &str = "3004";
/// No account name.
const NAMELESS: &str = "3005";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
}

fn aid(id: &str) -> AccountId {
    AccountId::parse(id).expect("a test account id")
}

fn oid(id: &str) -> OrganizationId {
    OrganizationId::parse(id).expect("a test organization id")
}

fn hid(id: &str) -> HandshakeId {
    HandshakeId::parse(id).expect("a test handshake id")
}

fn by_id(entity: &str) -> Target {
    Target {
        kind: TargetKind::Id,
        entity: entity.to_owned(),
    }
}

fn by_email(entity: &str) -> Target {
    Target {
        kind: TargetKind::Email,
        entity: entity.to_owned(),
    }
}

fn by_name(entity: &str) -> Target {
    Target {
        kind: TargetKind::Name,
        entity: entity.to_owned(),
    }
}

fn account(id: &str, name: &str, email: &str, organization: Option<&str>) -> Account {
    Account {
        id: aid(id),
        name: name.to_owned(),
        email: email.to_owned(),
        account_type: AccountType::Enterprise,
        real_name_type: RealNameType::Enterprise,
        organization: organization.map(oid),
    }
}

fn key(id: &str, account: &str) -> Credential {
    Credential {
        access_key_id: id.to_owned(),
        secret: Secret::new(format!("{id}-secret")),
        account_id: aid(account),
        security_token: None,
        expiration: None,
        disabled: false,
    }
}

fn sts(id: &str, account: &str, token: &str, expiration: Option<DateTime<Utc>>) -> Credential {
    Credential {
        security_token: Some(Secret::new(token)),
        expiration,
        ..key(id, account)
    }
}

/// Two organizations with a member each, and accounts of every kind in none.
fn world() -> World {
    let mut personal = account(PERSONAL, "Personal", "someone@personal.example", None);
    personal.account_type = AccountType::Personal;
    personal.real_name_type = RealNameType::Individual;
    let mut individual = account(INDIVIDUAL, "Individual", "ops@individual.example", None);
    individual.real_name_type = RealNameType::Individual;
    let mut unverified = account(UNVERIFIED, "Unverified", "ops@unverified.example", None);
    unverified.real_name_type = RealNameType::None;
    World {
        organizations: vec![
            Organization {
                id: oid(ORG_A),
                manager: aid(MANAGER),
                member_quota: None,
            },
            Organization {
                id: oid(ORG_B),
                manager: aid(OTHER_MANAGER),
                member_quota: None,
            },
        ],
        accounts: vec![
            account(MANAGER, "Company A", "admin@companya.example", Some(ORG_A)),
            account(MEMBER, "Member A", "ops@member-a.example", Some(ORG_A)),
            account(
                OTHER_MANAGER,
                "Company B",
                "admin@companyb.example",
                Some(ORG_B),
            ),
            account(
                OTHER_MEMBER,
                "Member B",
                "ops@member-b.example",
                Some(ORG_B),
            ),
            account(FREE, "Partner", "free@partner.example", None),
            account(FREE2, "Partner Two", "two@partner.example", None),
            personal,
            individual,
            unverified,
            account(NAMELESS, "", "ops@nameless.example", None),
        ],
        credentials: vec![
            key("AK-MANAGER", MANAGER),
            Credential {
                disabled: true,
                ..key("AK-DISABLED", FREE)
            },
            sts("STS-FREE", FREE, "token-free", Some(t0() + HOUR)),
            sts("STS-OTHER", FREE2, "token-other", None),
            sts("STS-EXPIRED", FREE, "token-expired", Some(t0() - HOUR)),
            Credential {
                disabled: true,
                ..sts("STS-DISABLED", FREE, "token-disabled", None)
            },
        ],
        handshakes: Vec::new(),
    }
}

fn world_with(handshakes: Vec<Arc<Handshake>>) -> World {
    World {
        handshakes,
        ..world()
    }
}

/// A stored handshake from `from`'s manager, valid 14 days from `created`.
fn seed(
    id: &str,
    from: &str,
    target: Target,
    status: Status,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
) -> Arc<Handshake> {
    let (manager, manager_name) = match from {
        ORG_A => (MANAGER, "Company A"),
        ORG_B => (OTHER_MANAGER, "Company B"),
        _ => (GONE_MANAGER, "Gone Company"),
    };
    Arc::new(Handshake {
        id: hid(id),
        organization: oid(from),
        manager: aid(manager),
        manager_name: Arc::from(manager_name),
        target,
        note: Arc::from("Welcome"),
        tags: Vec::new(),
        status,
        created,
        modified,
        expires: created + ALIBABA.validity,
    })
}

fn pending(id: &str, from: &str, target: Target, created: DateTime<Utc>) -> Arc<Handshake> {
    seed(id, from, target, Status::Pending, created, created)
}

/// The world with every list sorted, so that two exports compare equal exactly when the worlds
/// are the same, whatever order a store returns them in.
fn sorted(mut world: World) -> World {
    world.organizations.sort_by_key(|o| o.id);
    world.accounts.sort_by_key(|a| a.id);
    world
        .credentials
        .sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));
    world.handshakes.sort_by_key(|h| h.id);
    world
}

fn ids(listing: &Listing) -> Vec<HandshakeId> {
    listing.items.iter().map(|h| h.id).collect()
}

/// The ids of `handshakes` in list order: newest first, then by id.
fn newest_first(handshakes: &[Arc<Handshake>]) -> Vec<HandshakeId> {
    let mut sorted: Vec<_> = handshakes
        .iter()
        .map(|h| (Reverse(h.created), h.id))
        .collect();
    sorted.sort_unstable();
    sorted.into_iter().map(|(_, id)| id).collect()
}

type Rule = fn(
    &dyn View,
    &Policy,
    &AccountId,
    &HandshakeId,
    DateTime<Utc>,
) -> Result<Decided<Handshake>, DomainError>;

/// A store under test with the policy its rules run under.
struct Cloud {
    store: Box<dyn Store>,
    policy: Policy,
}

impl Cloud {
    fn new(factory: Factory<'_>, world: World, policy: Policy) -> Self {
        Self {
            store: factory(world),
            policy,
        }
    }

    /// `caller` invites `target`; new ids are `h-new0001`, `h-new0002`, ... (the first unused).
    fn invite(
        &self,
        caller: &str,
        target: Target,
        now: DateTime<Utc>,
    ) -> Result<Handshake, WriteError> {
        let caller = aid(caller);
        let invitation = Invitation {
            target,
            note: "Join us".to_owned(),
            tags: vec![("team".to_owned(), "ops".to_owned())],
        };
        let mut drawn = 0;
        let new_id = || {
            drawn += 1;
            hid(&format!("h-new{drawn:04}"))
        };
        self.store
            .transact(|view| domain::invite(view, &self.policy, &caller, invitation, new_id, now))
    }

    fn act(
        &self,
        rule: Rule,
        caller: &str,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, WriteError> {
        let caller = aid(caller);
        self.store
            .transact(|view| rule(view, &self.policy, &caller, id, now))
    }

    fn accept(
        &self,
        caller: &str,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, WriteError> {
        self.act(domain::accept, caller, id, now)
    }

    fn decline(
        &self,
        caller: &str,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, WriteError> {
        self.act(domain::decline, caller, id, now)
    }

    fn cancel(
        &self,
        caller: &str,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<Handshake, WriteError> {
        self.act(domain::cancel, caller, id, now)
    }

    fn read(
        &self,
        caller: &str,
        id: &HandshakeId,
        now: DateTime<Utc>,
    ) -> Result<HandshakeRead, DomainError> {
        let caller = aid(caller);
        self.store
            .query(|view| domain::read(view, &self.policy, &caller, id, now))
    }

    fn sent(
        &self,
        caller: &str,
        from: Cursor,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Listing, DomainError> {
        let caller = aid(caller);
        self.store
            .query(|view| domain::list_sent(view, &self.policy, &caller, from, limit, now))
    }

    fn received(
        &self,
        caller: &str,
        from: Cursor,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Listing, DomainError> {
        let caller = aid(caller);
        self.store
            .query(|view| domain::list_received(view, &self.policy, &caller, from, limit, now))
    }

    fn authenticate(
        &self,
        access_key_id: &str,
        token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Credential, CredentialError> {
        self.store
            .query(|view| domain::authenticate(view, access_key_id, token, now))
    }

    fn snapshot(&self) -> World {
        sorted(self.store.export())
    }

    fn account(&self, id: &str) -> Account {
        self.store
            .query(|view| view.account(&aid(id)))
            .expect("a known account")
    }

    fn members(&self, organization: &str) -> usize {
        self.store.query(|view| view.members(&oid(organization)))
    }

    fn stored(&self, id: &HandshakeId) -> Option<Handshake> {
        self.store
            .query(|view| view.handshake(id))
            .map(|h| (*h).clone())
    }

    fn list_len(&self, list: List) -> usize {
        self.store.query(|view| view.list_len(list))
    }

    /// Runs `action`, which must be refused with `expected`, and checks that it changed nothing.
    #[track_caller]
    fn refuses<T: fmt::Debug, E: Into<WriteError>>(
        &self,
        expected: DomainError,
        action: impl FnOnce(&Self) -> Result<T, E>,
    ) {
        let before = self.snapshot();
        match action(self).map_err(Into::into) {
            Err(refused) => assert_eq!(refused, WriteError::Refused(expected)),
            Ok(value) => panic!("expected {expected:?}, got {value:?}"),
        }
        assert_eq!(self.snapshot(), before, "a refusal changed the world");
    }
}

/// Checks every page of a list against `expected`, its shown items in order: by offset, for
/// every offset and limit; after each item's marker; and by following markers, which must walk
/// every item exactly once. `total` is what every page reports.
#[track_caller]
fn check_paging(
    page_of: &dyn Fn(Cursor, usize) -> Result<Listing, DomainError>,
    expected: &[HandshakeId],
    total: usize,
) {
    let n = expected.len();
    for offset in 0..=n + 1 {
        for limit in 0..=n + 1 {
            let page = page_of(Cursor::Offset(offset), limit).expect("a page by offset");
            let (from, to) = (offset.min(n), (offset + limit).min(n));
            assert_eq!(
                ids(&page),
                expected[from..to],
                "offset {offset} limit {limit}"
            );
            assert_eq!(
                page.more,
                offset + limit < n,
                "more at offset {offset} limit {limit}"
            );
            assert_eq!(page.total, total, "total at offset {offset} limit {limit}");
        }
    }
    for (at, marker) in expected.iter().enumerate() {
        for limit in 0..=n {
            let page = page_of(Cursor::After(*marker), limit).expect("a page after a marker");
            let to = (at + 1 + limit).min(n);
            assert_eq!(
                ids(&page),
                expected[at + 1..to],
                "after {marker} limit {limit}"
            );
            assert_eq!(page.more, at + 1 + limit < n, "more after {marker}");
            assert_eq!(page.total, total);
        }
    }
    for limit in 1..=n.max(1) {
        let mut walked = Vec::new();
        let mut page = page_of(Cursor::Offset(0), limit).expect("the first page");
        loop {
            walked.extend(ids(&page));
            if !page.more {
                break;
            }
            let last = page.items.last().expect("a page with more is not empty").id;
            page = page_of(Cursor::After(last), limit).expect("the next page");
        }
        assert_eq!(walked, expected, "walking by markers, limit {limit}");
    }
}

// ---- invite ------------------------------------------------------------------------------

fn invite_sends_a_pending_invitation(factory: Factory<'_>) {
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world(), policy);
        let now = t0() + TimeDelta::milliseconds(750);
        let sent = cloud.invite(MANAGER, by_id(FREE), now).unwrap();
        assert_eq!(sent.status, Status::Pending);
        assert_eq!(sent.organization, oid(ORG_A));
        assert_eq!(sent.manager, aid(MANAGER));
        assert_eq!(&*sent.manager_name, "Company A");
        assert_eq!(sent.target, by_id(FREE));
        assert_eq!(&*sent.note, "Join us");
        assert_eq!(sent.tags, [("team".to_owned(), "ops".to_owned())]);
        assert_eq!((sent.created, sent.modified), (t0(), t0()), "whole seconds");
        assert_eq!(sent.expires, t0() + policy.validity);
        assert_eq!(cloud.stored(&sent.id), Some(sent.clone()));
        assert_eq!(
            ids(&cloud.sent(MANAGER, Cursor::Offset(0), 10, now).unwrap()),
            [sent.id]
        );
        assert_eq!(
            ids(&cloud.received(FREE, Cursor::Offset(0), 10, now).unwrap()),
            [sent.id]
        );
        assert_eq!(cloud.store.query(|v| v.counts()).handshakes, 1);

        // An address no account has may still sign up: it reaches no account's list.
        let open = cloud
            .invite(MANAGER, by_email("Someone@Fresh.example"), now)
            .unwrap();
        assert_eq!(open.target, by_email("Someone@Fresh.example"), "as sent");
        assert_eq!(cloud.list_len(List::Sent(oid(ORG_A))), 2);
        assert_eq!(cloud.list_len(List::Received(aid(FREE))), 1);

        // A known account's email or name reaches that account.
        let by_mail = cloud
            .invite(MANAGER, by_email("TWO@partner.example"), now)
            .unwrap();
        assert_eq!(
            ids(&cloud.received(FREE2, Cursor::Offset(0), 10, now).unwrap()),
            [by_mail.id]
        );
        let named = cloud.invite(MANAGER, by_name("Individual"), now).unwrap();
        assert_eq!(
            ids(&cloud
                .received(INDIVIDUAL, Cursor::Offset(0), 10, now)
                .unwrap()),
            [named.id]
        );
        assert_eq!(cloud.list_len(List::Sent(oid(ORG_A))), 4);
    }
}

fn invite_refuses_a_second_pending_invitation_to_the_same_invitee(factory: Factory<'_>) {
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world(), policy);
        let first = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
        for target in [
            by_id(FREE),
            by_email("free@partner.example"),
            by_email("FREE@Partner.Example"),
            by_name("Partner"),
        ] {
            cloud.refuses(DomainError::DuplicatePending(first.id), |c| {
                c.invite(MANAGER, target, t0() + HOUR)
            });
        }
        // Another organization may invite the same account.
        cloud
            .invite(OTHER_MANAGER, by_email("free@partner.example"), t0())
            .unwrap();
        // An unknown address is the same invitee whatever its case.
        let open = cloud
            .invite(MANAGER, by_email("new@fresh.example"), t0())
            .unwrap();
        cloud.refuses(DomainError::DuplicatePending(open.id), |c| {
            c.invite(MANAGER, by_email("NEW@Fresh.Example"), t0())
        });
        // Once the first is no longer Pending, a new one may go out; then it is the duplicate.
        cloud.cancel(MANAGER, &first.id, t0() + HOUR).unwrap();
        let second = cloud
            .invite(MANAGER, by_email("free@partner.example"), t0() + HOUR)
            .unwrap();
        assert_ne!(second.id, first.id);
        cloud.refuses(DomainError::DuplicatePending(second.id), |c| {
            c.invite(MANAGER, by_id(FREE), t0() + HOUR)
        });
        cloud.decline(FREE, &second.id, t0() + HOUR).unwrap();
        cloud.invite(MANAGER, by_id(FREE), t0() + HOUR).unwrap();
    }
}

fn invite_checks_the_caller_and_the_target(factory: Factory<'_>) {
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world(), policy);
        let now = t0();
        cloud.refuses(DomainError::CallerNotInOrganization, |c| {
            c.invite(FREE, by_id(FREE2), now)
        });
        cloud.refuses(DomainError::CallerNotManager, |c| {
            c.invite(MEMBER, by_id(FREE), now)
        });
        for (target, entity) in [
            (by_id("9999"), "9999"),
            (by_id("not an id"), "not an id"),
            (by_name("Nobody"), "Nobody"),
            (by_name(""), ""),
        ] {
            cloud.refuses(DomainError::UnknownTarget(entity.to_owned()), |c| {
                c.invite(MANAGER, target, now)
            });
        }
        for target in [
            by_id(MANAGER),
            by_email("ADMIN@companya.example"),
            by_name("Company A"),
        ] {
            cloud.refuses(DomainError::TargetIsCaller, |c| {
                c.invite(MANAGER, target, now)
            });
        }
        for (target, organization) in [
            (by_id(MEMBER), ORG_A),
            (by_id(OTHER_MANAGER), ORG_B),
            (by_email("ops@member-b.example"), ORG_B),
        ] {
            cloud.refuses(DomainError::InOrganization(oid(organization)), |c| {
                c.invite(MANAGER, target, now)
            });
        }
        cloud.refuses(DomainError::PersonalAccount, |c| {
            c.invite(MANAGER, by_id(PERSONAL), now)
        });
        // Real-name verification is the invitee's business when it accepts.
        cloud.invite(MANAGER, by_id(INDIVIDUAL), now).unwrap();
        cloud.invite(MANAGER, by_id(UNVERIFIED), now).unwrap();
        cloud
            .invite(MANAGER, by_email("nobody@fresh.example"), now)
            .unwrap();
    }
}

// ---- accept, decline, cancel -------------------------------------------------------------

fn accept_joins_the_organization(factory: Factory<'_>) {
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world(), policy);
        let sent = cloud
            .invite(MANAGER, by_email("Free@Partner.example"), t0())
            .unwrap();
        assert_eq!(cloud.members(ORG_A), 2);
        let at = t0() + HOUR + TimeDelta::milliseconds(500);
        let accepted = cloud.accept(FREE, &sent.id, at).unwrap();
        assert_eq!(accepted.status, Status::Accepted);
        assert_eq!(accepted.modified, t0() + HOUR);
        assert_eq!(
            (accepted.created, accepted.expires),
            (sent.created, sent.expires)
        );
        assert_eq!(cloud.stored(&sent.id), Some(accepted));
        assert_eq!(cloud.account(FREE).organization, Some(oid(ORG_A)));
        assert_eq!(cloud.members(ORG_A), 3);
        assert_eq!(cloud.members(ORG_B), 2);
        cloud.refuses(DomainError::NotPending(Status::Accepted), |c| {
            c.accept(FREE, &sent.id, at)
        });
        cloud.refuses(DomainError::InOrganization(oid(ORG_A)), |c| {
            c.invite(OTHER_MANAGER, by_id(FREE), at)
        });
    }
}

fn accept_checks_in_order(factory: Factory<'_>) {
    let created = t0() - HOUR;
    let world = world_with(vec![
        pending("h-gone01", ORG_GONE, by_id(FREE), created),
        seed(
            "h-gone02",
            ORG_GONE,
            by_id(FREE),
            Status::Cancelled,
            created,
            created,
        ),
        pending("h-free01", ORG_A, by_id(FREE), created),
        pending("h-free02", ORG_B, by_email("free@partner.example"), created),
        pending("h-memb01", ORG_B, by_id(MEMBER), created),
        pending("h-pers01", ORG_A, by_id(PERSONAL), created),
        pending("h-indiv1", ORG_A, by_id(INDIVIDUAL), created),
        pending("h-unver1", ORG_A, by_id(UNVERIFIED), created),
        seed(
            "h-decl01",
            ORG_A,
            by_id(FREE2),
            Status::Declined,
            created,
            created,
        ),
    ]);
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world.clone(), policy);
        let now = t0();
        let not_found = |id: &str| DomainError::HandshakeNotFound(hid(id));
        // Not the invitee: the handshake does not exist, whatever its state.
        cloud.refuses(not_found("h-nothing"), |c| {
            c.accept(FREE, &hid("h-nothing"), now)
        });
        for caller in [FREE2, MANAGER, MEMBER] {
            cloud.refuses(not_found("h-free01"), |c| {
                c.accept(caller, &hid("h-free01"), now)
            });
        }
        cloud.refuses(not_found("h-gone02"), |c| {
            c.accept(FREE2, &hid("h-gone02"), now)
        });
        // Not Pending, before the organization is looked at.
        cloud.refuses(DomainError::NotPending(Status::Declined), |c| {
            c.accept(FREE2, &hid("h-decl01"), now)
        });
        cloud.refuses(DomainError::NotPending(Status::Cancelled), |c| {
            c.accept(FREE, &hid("h-gone02"), now)
        });
        cloud.refuses(DomainError::OrganizationGone(oid(ORG_GONE)), |c| {
            c.accept(FREE, &hid("h-gone01"), now)
        });
        cloud.refuses(DomainError::InOrganization(oid(ORG_A)), |c| {
            c.accept(MEMBER, &hid("h-memb01"), now)
        });
        cloud.refuses(DomainError::PersonalAccount, |c| {
            c.accept(PERSONAL, &hid("h-pers01"), now)
        });
        cloud.refuses(
            DomainError::RealNameNotEnterprise(RealNameType::Individual),
            |c| c.accept(INDIVIDUAL, &hid("h-indiv1"), now),
        );
        cloud.refuses(
            DomainError::RealNameNotEnterprise(RealNameType::None),
            |c| c.accept(UNVERIFIED, &hid("h-unver1"), now),
        );
        cloud.accept(FREE, &hid("h-free01"), now).unwrap();
        cloud.refuses(DomainError::InOrganization(oid(ORG_A)), |c| {
            c.accept(FREE, &hid("h-free02"), now)
        });
    }
}

fn decline_finishes_the_invitation(factory: Factory<'_>) {
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world(), policy);
        let sent = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
        for caller in [FREE2, MANAGER, MEMBER, OTHER_MANAGER] {
            cloud.refuses(DomainError::HandshakeNotFound(sent.id), |c| {
                c.decline(caller, &sent.id, t0())
            });
        }
        let declined = cloud.decline(FREE, &sent.id, t0() + HOUR * 2).unwrap();
        assert_eq!(declined.status, Status::Declined);
        assert_eq!(declined.modified, t0() + HOUR * 2);
        assert_eq!(cloud.stored(&sent.id), Some(declined));
        assert_eq!(cloud.account(FREE).organization, None);
        assert_eq!(cloud.members(ORG_A), 2);
        let later = t0() + HOUR * 3;
        cloud.refuses(DomainError::NotPending(Status::Declined), |c| {
            c.decline(FREE, &sent.id, later)
        });
        cloud.refuses(DomainError::NotPending(Status::Declined), |c| {
            c.accept(FREE, &sent.id, later)
        });
        cloud.refuses(DomainError::NotPending(Status::Declined), |c| {
            c.cancel(MANAGER, &sent.id, later)
        });
    }
}

fn cancel_under_parties_is_the_sending_managers(factory: Factory<'_>) {
    // Sent by MEMBER when it managed ORG_A.
    let world = world_with(vec![Arc::new(Handshake {
        manager: aid(MEMBER),
        ..(*pending("h-former1", ORG_A, by_id(FREE2), t0() - HOUR)).clone()
    })]);
    let cloud = Cloud::new(factory, world, ALIBABA);
    let sent = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
    for caller in [FREE, FREE2, MEMBER, OTHER_MANAGER] {
        cloud.refuses(DomainError::HandshakeNotFound(sent.id), |c| {
            c.cancel(caller, &sent.id, t0())
        });
    }
    cloud.refuses(DomainError::HandshakeNotFound(hid("h-nothing")), |c| {
        c.cancel(FREE, &hid("h-nothing"), t0())
    });
    let cancelled = cloud.cancel(MANAGER, &sent.id, t0() + HOUR).unwrap();
    assert_eq!(cancelled.status, Status::Cancelled);
    assert_eq!(cancelled.modified, t0() + HOUR);
    assert_eq!(cloud.stored(&sent.id), Some(cancelled));
    cloud.refuses(DomainError::NotPending(Status::Cancelled), |c| {
        c.cancel(MANAGER, &sent.id, t0() + HOUR)
    });
    // The sender, not the organization's manager of today.
    let former = hid("h-former1");
    cloud.refuses(DomainError::HandshakeNotFound(former), |c| {
        c.cancel(MANAGER, &former, t0())
    });
    cloud.cancel(MEMBER, &former, t0()).unwrap();
}

fn cancel_under_organization_is_its_managers(factory: Factory<'_>) {
    let world = world_with(vec![Arc::new(Handshake {
        manager: aid(MEMBER),
        ..(*pending("h-former1", ORG_A, by_id(FREE2), t0() - HOUR)).clone()
    })]);
    let cloud = Cloud::new(factory, world, HUAWEI);
    let sent = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
    // A caller in no organization is told so first, whatever the handshake.
    for id in [sent.id, hid("h-nothing")] {
        cloud.refuses(DomainError::CallerNotInOrganization, |c| {
            c.cancel(FREE, &id, t0())
        });
    }
    cloud.refuses(DomainError::CallerNotManager, |c| {
        c.cancel(MEMBER, &sent.id, t0())
    });
    cloud.refuses(DomainError::HandshakeNotFound(sent.id), |c| {
        c.cancel(OTHER_MANAGER, &sent.id, t0())
    });
    cloud.refuses(DomainError::HandshakeNotFound(hid("h-nothing")), |c| {
        c.cancel(MANAGER, &hid("h-nothing"), t0())
    });
    let cancelled = cloud.cancel(MANAGER, &sent.id, t0() + HOUR).unwrap();
    assert_eq!(cancelled.status, Status::Cancelled);
    cloud.refuses(DomainError::NotPending(Status::Cancelled), |c| {
        c.cancel(MANAGER, &sent.id, t0() + HOUR)
    });
    // The organization's manager of today cancels what a former one sent.
    cloud.cancel(MANAGER, &hid("h-former1"), t0()).unwrap();
}

// ---- read ----------------------------------------------------------------------------------

fn read_under_parties(factory: Factory<'_>) {
    let cloud = Cloud::new(factory, world(), ALIBABA);
    let now = t0();
    let sent = cloud
        .invite(MANAGER, by_email("free@partner.example"), now)
        .unwrap();
    let by_manager = cloud.read(MANAGER, &sent.id, now).unwrap();
    assert_eq!(by_manager.handshake, sent);
    assert_eq!(by_manager.real_names, None);
    let by_invitee = cloud.read(FREE, &sent.id, now).unwrap();
    assert_eq!(by_invitee.handshake, sent);
    assert_eq!(
        by_invitee.real_names,
        Some(("Company A".to_owned(), "Partner".to_owned()))
    );
    for caller in [FREE2, MEMBER, OTHER_MANAGER, OTHER_MEMBER] {
        assert_eq!(
            cloud.read(caller, &sent.id, now),
            Err(DomainError::HandshakeNotFound(sent.id))
        );
    }
    assert_eq!(
        cloud.read(MANAGER, &hid("h-nothing"), now),
        Err(DomainError::HandshakeNotFound(hid("h-nothing")))
    );

    let unverified = cloud.invite(MANAGER, by_id(UNVERIFIED), now).unwrap();
    assert_eq!(
        cloud.read(UNVERIFIED, &unverified.id, now),
        Err(DomainError::NoRealNameAuthentication)
    );
    let nameless = cloud.invite(MANAGER, by_id(NAMELESS), now).unwrap();
    assert_eq!(
        cloud.read(NAMELESS, &nameless.id, now),
        Err(DomainError::MissingRealName)
    );
    assert!(cloud.read(MANAGER, &nameless.id, now).is_ok());
    let individual = cloud.invite(MANAGER, by_id(INDIVIDUAL), now).unwrap();
    assert_eq!(
        cloud
            .read(INDIVIDUAL, &individual.id, now)
            .unwrap()
            .real_names,
        Some(("Company A".to_owned(), "Individual".to_owned()))
    );

    // A declined invitation stays readable; an accepted one is a status mismatch to its invitee.
    let declined = cloud.invite(MANAGER, by_id(FREE2), now).unwrap();
    cloud.decline(FREE2, &declined.id, now).unwrap();
    let read = cloud.read(FREE2, &declined.id, now).unwrap();
    assert_eq!(read.handshake.status, Status::Declined);
    assert!(read.real_names.is_some());
    cloud.accept(FREE, &sent.id, now).unwrap();
    assert_eq!(
        cloud.read(FREE, &sent.id, now),
        Err(DomainError::NotPending(Status::Accepted))
    );
    assert_eq!(
        cloud.read(MANAGER, &sent.id, now).unwrap().handshake.status,
        Status::Accepted
    );
}

fn read_under_organization(factory: Factory<'_>) {
    let cloud = Cloud::new(factory, world(), HUAWEI);
    let now = t0();
    let sent = cloud.invite(MANAGER, by_id(FREE), now).unwrap();
    for caller in [MANAGER, MEMBER] {
        let read = cloud.read(caller, &sent.id, now).unwrap();
        assert_eq!(read.handshake, sent);
        assert_eq!(read.real_names, None);
    }
    for id in [sent.id, hid("h-nothing")] {
        assert_eq!(
            cloud.read(FREE, &id, now),
            Err(DomainError::CallerNotInOrganization)
        );
    }
    for caller in [OTHER_MANAGER, OTHER_MEMBER] {
        assert_eq!(
            cloud.read(caller, &sent.id, now),
            Err(DomainError::HandshakeNotFound(sent.id))
        );
    }
    // Once it joined, the invitee is a member and reads what it accepted.
    cloud.accept(FREE, &sent.id, now).unwrap();
    assert_eq!(
        cloud.read(FREE, &sent.id, now).unwrap().handshake.status,
        Status::Accepted
    );
}

// ---- time: expiry and retention ------------------------------------------------------------

fn expiry_is_derived_on_read_and_never_stored(factory: Factory<'_>) {
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world(), policy);
        let sent = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
        let expires = t0() + policy.validity;
        assert_eq!(sent.status_at(expires - SECOND), Status::Pending);
        assert_eq!(sent.status_at(expires), Status::Expired);
        let before = cloud.snapshot();

        let read = cloud.read(MANAGER, &sent.id, expires - SECOND).unwrap();
        assert_eq!(read.handshake.status, Status::Pending);
        let read = cloud.read(MANAGER, &sent.id, expires).unwrap().handshake;
        assert_eq!((read.status, read.modified), (Status::Expired, expires));
        let listed = cloud.sent(MANAGER, Cursor::Offset(0), 10, expires).unwrap();
        assert_eq!(listed.items, std::slice::from_ref(&read));
        let listed = cloud
            .received(FREE, Cursor::Offset(0), 10, expires)
            .unwrap();
        assert_eq!(listed.items, [read]);
        cloud.refuses(DomainError::NotPending(Status::Expired), |c| {
            c.accept(FREE, &sent.id, expires)
        });
        cloud.refuses(DomainError::NotPending(Status::Expired), |c| {
            c.decline(FREE, &sent.id, expires)
        });
        cloud.refuses(DomainError::NotPending(Status::Expired), |c| {
            c.cancel(MANAGER, &sent.id, expires + DAY)
        });
        let stored = cloud.stored(&sent.id).unwrap();
        assert_eq!((stored.status, stored.modified), (Status::Pending, t0()));
        assert_eq!(cloud.snapshot(), before, "reading stored nothing");

        // Time moved back: it is Pending again, and still a duplicate.
        let back = t0() + DAY;
        assert_eq!(cloud.read(MANAGER, &sent.id, back).unwrap().handshake, sent);
        cloud.refuses(DomainError::DuplicatePending(sent.id), |c| {
            c.invite(MANAGER, by_id(FREE), back)
        });
        // An expired invitation is no duplicate.
        let again = cloud.invite(MANAGER, by_id(FREE), expires).unwrap();
        assert_ne!(again.id, sent.id);
        cloud.refuses(DomainError::DuplicatePending(again.id), |c| {
            c.invite(MANAGER, by_id(FREE), expires)
        });
        assert_eq!(
            cloud.accept(FREE, &sent.id, back).unwrap().status,
            Status::Accepted
        );
    }
}

fn retention_hides_finished_invitations(factory: Factory<'_>) {
    let cloud = Cloud::new(factory, world(), HUAWEI);
    let cancelled = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
    cloud.cancel(MANAGER, &cancelled.id, t0() + DAY).unwrap();
    let expired = cloud.invite(MANAGER, by_id(FREE2), t0()).unwrap();
    let late = cloud
        .invite(MANAGER, by_email("late@fresh.example"), t0() + DAY * 40)
        .unwrap();
    let retention = HUAWEI.retention.unwrap();

    let gone = t0() + DAY + retention;
    let read = cloud.read(MANAGER, &cancelled.id, gone - SECOND).unwrap();
    assert_eq!(read.handshake.status, Status::Cancelled);
    let listed = cloud
        .sent(MANAGER, Cursor::Offset(0), 10, gone - SECOND)
        .unwrap();
    assert!(ids(&listed).contains(&cancelled.id));
    assert_eq!(
        cloud.read(MANAGER, &cancelled.id, gone),
        Err(DomainError::HandshakeNotFound(cancelled.id))
    );
    cloud.refuses(DomainError::HandshakeNotFound(cancelled.id), |c| {
        c.cancel(MANAGER, &cancelled.id, gone)
    });
    cloud.refuses(DomainError::HandshakeNotFound(cancelled.id), |c| {
        c.accept(FREE, &cancelled.id, gone)
    });
    assert!(
        !ids(&cloud.sent(MANAGER, Cursor::Offset(0), 10, gone).unwrap()).contains(&cancelled.id)
    );
    assert_eq!(
        ids(&cloud.received(FREE, Cursor::Offset(0), 10, gone).unwrap()),
        Vec::<HandshakeId>::new()
    );

    // An expired one is finished when it expired.
    let expired_gone = expired.expires + retention;
    let read = cloud
        .read(MANAGER, &expired.id, expired_gone - SECOND)
        .unwrap();
    assert_eq!(read.handshake.status, Status::Expired);
    cloud.refuses(DomainError::NotPending(Status::Expired), |c| {
        c.decline(FREE2, &expired.id, expired_gone - SECOND)
    });
    cloud.refuses(DomainError::HandshakeNotFound(expired.id), |c| {
        c.decline(FREE2, &expired.id, expired_gone)
    });
    // A Pending one is never hidden; the total is the whole list's, hidden ones included.
    let listed = cloud
        .sent(MANAGER, Cursor::Offset(0), 10, expired_gone)
        .unwrap();
    assert_eq!(ids(&listed), [late.id]);
    assert_eq!((listed.total, listed.more), (3, false));
    let listed = cloud
        .sent(MANAGER, Cursor::Offset(0), 10, late.expires - SECOND)
        .unwrap();
    assert_eq!(ids(&listed), [late.id]);

    // Without retention, everything stays.
    let forever = Cloud::new(factory, cloud.store.export(), ALIBABA);
    let much_later = t0() + DAY * 1000;
    assert!(forever.read(MANAGER, &cancelled.id, much_later).is_ok());
    let listed = forever
        .sent(MANAGER, Cursor::Offset(0), 10, much_later)
        .unwrap();
    assert_eq!(ids(&listed), [late.id, cancelled.id, expired.id]);
}

// ---- lists ---------------------------------------------------------------------------------

/// Handshakes from ORG_A (and one from ORG_B), some created in the same second.
fn list_world() -> (World, Vec<Arc<Handshake>>) {
    let handshakes = vec![
        pending("h-p01", ORG_A, by_id(FREE), t0() - HOUR * 5),
        pending(
            "h-p02",
            ORG_A,
            by_email("Free@partner.example"),
            t0() - HOUR * 3,
        ),
        pending(
            "h-p04",
            ORG_A,
            by_email("new@fresh.example"),
            t0() - HOUR * 3,
        ),
        pending("h-p03", ORG_A, by_id(FREE2), t0() - HOUR * 3),
        seed(
            "h-p05",
            ORG_A,
            by_id(FREE),
            Status::Cancelled,
            t0() - HOUR,
            t0() - HOUR,
        ),
        pending("h-p06", ORG_A, by_name("Partner"), t0() - HOUR * 2),
        pending("h-p07", ORG_A, by_id(FREE2), t0()),
        pending("h-q01", ORG_B, by_id(FREE), t0() - HOUR),
    ];
    (world_with(handshakes.clone()), handshakes)
}

fn lists_page_newest_first_by_offset_and_marker(factory: Factory<'_>) {
    let (world, handshakes) = list_world();
    let sent_by_a: Vec<_> = handshakes
        .iter()
        .filter(|h| h.organization == oid(ORG_A))
        .cloned()
        .collect();
    let expected_sent = newest_first(&sent_by_a);
    assert_eq!(
        expected_sent,
        [
            "h-p07", "h-p05", "h-p06", "h-p02", "h-p03", "h-p04", "h-p01"
        ]
        .map(hid)
    );
    let expected_received = ["h-p05", "h-q01", "h-p06", "h-p02", "h-p01"].map(hid);
    // With a retention period the store filters each page; nothing here is old enough to hide.
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world.clone(), policy);
        let now = t0();
        check_paging(
            &|from, limit| cloud.sent(MANAGER, from, limit, now),
            &expected_sent,
            7,
        );
        check_paging(
            &|from, limit| cloud.received(FREE, from, limit, now),
            &expected_received,
            5,
        );
        assert_eq!(cloud.list_len(List::Sent(oid(ORG_A))), 7);
        assert_eq!(cloud.list_len(List::Received(aid(FREE))), 5);
        // A marker must be an item of the list.
        for marker in ["h-q01", "h-nothing"] {
            assert_eq!(
                cloud.sent(MANAGER, Cursor::After(hid(marker)), 3, now),
                Err(DomainError::UnknownCursor(hid(marker)))
            );
        }
        assert_eq!(
            cloud.received(FREE, Cursor::After(hid("h-p03")), 3, now),
            Err(DomainError::UnknownCursor(hid("h-p03")))
        );
        // An account with nothing received, and lists only a manager has.
        let empty = cloud.received(FREE2, Cursor::Offset(0), 10, now).unwrap();
        assert_eq!((ids(&empty).len(), empty.total), (2, 2));
        let nothing = cloud
            .received(PERSONAL, Cursor::Offset(0), 10, now)
            .unwrap();
        assert_eq!(
            nothing,
            Listing {
                items: vec![],
                total: 0,
                more: false
            }
        );
        assert_eq!(
            cloud.sent(MEMBER, Cursor::Offset(0), 10, now),
            Err(DomainError::CallerNotManager)
        );
        assert_eq!(
            cloud.sent(FREE, Cursor::Offset(0), 10, now),
            Err(DomainError::CallerNotInOrganization)
        );
    }
}

fn retention_pages_count_shown_items_only(factory: Factory<'_>) {
    let handshakes = vec![
        pending("h-r1", ORG_A, by_id(FREE), t0() - DAY),
        seed(
            "h-r2",
            ORG_A,
            by_email("r2@fresh.example"),
            Status::Cancelled,
            t0() - DAY * 50,
            t0() - DAY * 45,
        ),
        seed(
            "h-r3",
            ORG_A,
            by_id(FREE2),
            Status::Declined,
            t0() - DAY * 10,
            t0() - DAY * 9,
        ),
        // Expired 46 days ago: hidden.
        pending("h-r4", ORG_A, by_email("r4@fresh.example"), t0() - DAY * 60),
        // Expired 6 days ago: shown, as Expired.
        pending("h-r5", ORG_A, by_email("r5@fresh.example"), t0() - DAY * 20),
        seed(
            "h-r6",
            ORG_A,
            by_email("r6@fresh.example"),
            Status::Accepted,
            t0() - DAY * 40,
            t0() - DAY * 29,
        ),
    ];
    let world = world_with(handshakes.clone());
    let cloud = Cloud::new(factory, world.clone(), HUAWEI);
    let now = t0();
    let shown = ["h-r1", "h-r3", "h-r5", "h-r6"].map(hid);
    check_paging(
        &|from, limit| cloud.sent(MANAGER, from, limit, now),
        &shown,
        6,
    );
    let r5 = &cloud
        .sent(MANAGER, Cursor::Offset(2), 1, now)
        .unwrap()
        .items[0];
    assert_eq!((r5.status, r5.modified), (Status::Expired, t0() - DAY * 6));
    // A day later the accepted one is gone too.
    let later = t0() + DAY;
    check_paging(
        &|from, limit| cloud.sent(MANAGER, from, limit, later),
        &shown[..3],
        6,
    );
    let forever = Cloud::new(factory, world, ALIBABA);
    check_paging(
        &|from, limit| forever.sent(MANAGER, from, limit, later),
        &newest_first(&handshakes),
        6,
    );
}

// ---- quota and rate ------------------------------------------------------------------------

fn member_quota_is_checked_at_invite_and_at_accept(factory: Factory<'_>) {
    let mut world = world();
    // ORG_A holds 9 of its 10.
    for n in 0..7 {
        world.accounts.push(account(
            &format!("110{n}"),
            &format!("Filler {n}"),
            "",
            Some(ORG_A),
        ));
    }
    let cloud = Cloud::new(factory, world.clone(), HUAWEI);
    assert_eq!(cloud.members(ORG_A), 9);
    let first = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
    let second = cloud.invite(MANAGER, by_id(FREE2), t0()).unwrap();
    cloud.accept(FREE, &first.id, t0()).unwrap();
    assert_eq!(cloud.members(ORG_A), 10);
    cloud.refuses(DomainError::MemberQuotaExceeded(10), |c| {
        c.invite(MANAGER, by_id(INDIVIDUAL), t0())
    });
    cloud.refuses(DomainError::MemberQuotaExceeded(10), |c| {
        c.invite(MANAGER, by_email("new@fresh.example"), t0())
    });
    cloud.refuses(DomainError::MemberQuotaExceeded(10), |c| {
        c.accept(FREE2, &second.id, t0())
    });
    // Checks that come first still win.
    cloud.refuses(DomainError::PersonalAccount, |c| {
        c.invite(MANAGER, by_id(PERSONAL), t0())
    });
    // A member leaves: there is room again.
    cloud
        .store
        .write(&mut |_| {
            vec![Change::Membership {
                account: aid("1100"),
                organization: None,
            }]
        })
        .unwrap();
    assert_eq!(cloud.members(ORG_A), 9);
    assert_eq!(cloud.account("1100").organization, None);
    cloud.accept(FREE2, &second.id, t0()).unwrap();
    assert_eq!(cloud.members(ORG_A), 10);

    // No quota: no limit.
    let unlimited = Cloud::new(factory, world, ALIBABA);
    for target in [FREE, FREE2, INDIVIDUAL] {
        let sent = unlimited.invite(MANAGER, by_id(target), t0()).unwrap();
        if target != INDIVIDUAL {
            unlimited.accept(target, &sent.id, t0()).unwrap();
        }
    }
    assert_eq!(unlimited.members(ORG_A), 11);
}

fn invitation_rate_counts_by_creation_time(factory: Factory<'_>) {
    let period_start = t0() - HOUR * 24;
    let mut handshakes = Vec::new();
    // Sent before the period (modified within it): not counted.
    for n in 0..5 {
        handshakes.push(seed(
            &format!("h-old{n}"),
            ORG_A,
            by_email(&format!("old{n}@seed.example")),
            Status::Cancelled,
            period_start - SECOND,
            t0(),
        ));
    }
    // Sent exactly at its start, then within it, any status: counted.
    handshakes.push(seed(
        "h-edge",
        ORG_A,
        by_email("edge@seed.example"),
        Status::Declined,
        period_start,
        period_start,
    ));
    for n in 0..18 {
        handshakes.push(seed(
            &format!("h-recent{n}"),
            ORG_A,
            by_email(&format!("new{n}@seed.example")),
            if n % 2 == 0 {
                Status::Pending
            } else {
                Status::Cancelled
            },
            t0() - HOUR * 23 + TimeDelta::minutes(n),
            t0() - HOUR * 23 + TimeDelta::minutes(n),
        ));
    }
    let world = world_with(handshakes);
    let cloud = Cloud::new(factory, world.clone(), HUAWEI);
    let since = |at| cloud.store.query(|v| v.sent_since(&oid(ORG_A), at));
    assert_eq!(since(period_start), 19);
    assert_eq!(
        since(period_start + TimeDelta::milliseconds(1)),
        18,
        "whole seconds"
    );
    assert_eq!(since(period_start - SECOND), 24);
    assert_eq!(since(t0()), 0);
    assert_eq!(
        cloud
            .store
            .query(|v| v.sent_since(&oid(ORG_B), period_start - DAY)),
        0
    );

    cloud
        .invite(MANAGER, by_email("twentieth@fresh.example"), t0())
        .unwrap();
    cloud.refuses(DomainError::InvitationRateExceeded(20), |c| {
        c.invite(MANAGER, by_id(FREE), t0())
    });
    // Other organizations have their own count.
    cloud.invite(OTHER_MANAGER, by_id(FREE), t0()).unwrap();
    // A second later the one sent at the period's start has left it.
    cloud.invite(MANAGER, by_id(FREE), t0() + SECOND).unwrap();
    cloud.refuses(DomainError::InvitationRateExceeded(20), |c| {
        c.invite(MANAGER, by_id(FREE2), t0() + SECOND)
    });

    let unlimited = Cloud::new(factory, world, ALIBABA);
    for target in [FREE, FREE2, INDIVIDUAL] {
        unlimited.invite(MANAGER, by_id(target), t0()).unwrap();
    }
}

// ---- authentication ------------------------------------------------------------------------

fn authenticate_checks_key_token_and_expiry(factory: Factory<'_>) {
    let cloud = Cloud::new(factory, world(), ALIBABA);
    let now = t0();
    let auth = |key: &str, token: Option<&str>, at| cloud.authenticate(key, token, at);
    assert_eq!(
        auth("AK-MANAGER", None, now).unwrap().account_id,
        aid(MANAGER)
    );
    assert_eq!(
        auth("STS-FREE", Some("token-free"), now)
            .unwrap()
            .account_id,
        aid(FREE)
    );
    assert!(auth("STS-OTHER", Some("token-other"), now + DAY * 1000).is_ok());
    for (key, token, at, expected) in [
        ("AK-NONE", None, now, CredentialError::UnknownKey),
        ("", None, now, CredentialError::UnknownKey),
        ("ak-manager", None, now, CredentialError::UnknownKey),
        ("AK-DISABLED", None, now, CredentialError::Disabled),
        ("AK-DISABLED", Some("junk"), now, CredentialError::Disabled),
        (
            "STS-DISABLED",
            Some("token-disabled"),
            now,
            CredentialError::Disabled,
        ),
        ("STS-FREE", None, now, CredentialError::MissingToken),
        (
            "STS-FREE",
            Some("token-other"),
            now,
            CredentialError::TokenMismatch,
        ),
        (
            "STS-FREE",
            Some("junk"),
            now,
            CredentialError::MalformedToken,
        ),
        ("STS-FREE", Some(""), now, CredentialError::MalformedToken),
        (
            "AK-MANAGER",
            Some("token-free"),
            now,
            CredentialError::TokenMismatch,
        ),
        (
            "AK-MANAGER",
            Some("junk"),
            now,
            CredentialError::TokenMismatch,
        ),
        (
            "STS-EXPIRED",
            Some("token-expired"),
            now,
            CredentialError::TokenExpired,
        ),
        (
            "STS-EXPIRED",
            Some("token-free"),
            now,
            CredentialError::TokenMismatch,
        ),
        ("STS-EXPIRED", None, now, CredentialError::MissingToken),
        (
            "STS-FREE",
            Some("token-free"),
            now + HOUR,
            CredentialError::TokenExpired,
        ),
    ] {
        assert_eq!(auth(key, token, at), Err(expected), "{key} with {token:?}");
    }
    assert!(auth("STS-FREE", Some("token-free"), now + HOUR - SECOND).is_ok());
}

// ---- the store itself ----------------------------------------------------------------------

fn refusals_change_nothing(factory: Factory<'_>) {
    let (world, _) = list_world();
    for policy in [ALIBABA, HUAWEI] {
        let cloud = Cloud::new(factory, world.clone(), policy);
        let before = cloud.snapshot();
        assert_eq!(before, sorted(world.clone()), "the export is the seed");
        let now = t0();
        let p07 = hid("h-p07");
        let refusals: Vec<Result<Handshake, WriteError>> = vec![
            cloud.invite(MANAGER, by_id(FREE), now),
            cloud.invite(MANAGER, by_id(MEMBER), now),
            cloud.invite(MANAGER, by_id("1"), now),
            cloud.invite(MEMBER, by_id(FREE), now),
            cloud.accept(FREE, &p07, now),
            cloud.accept(FREE2, &hid("h-p05"), now),
            cloud.decline(FREE, &p07, now),
            cloud.decline(FREE2, &p07, now + DAY * 30),
            cloud.cancel(OTHER_MANAGER, &p07, now),
            cloud.cancel(MEMBER, &p07, now),
            cloud.cancel(MANAGER, &hid("h-p05"), now),
        ];
        for refusal in refusals {
            assert!(
                matches!(refusal, Err(WriteError::Refused(_))),
                "{refusal:?}"
            );
        }
        assert_eq!(cloud.snapshot(), before);
        // Nor does a write that returns no changes.
        cloud.store.write(&mut |_| Vec::new()).unwrap();
        assert_eq!(cloud.snapshot(), before);
    }
}

fn reset_returns_to_the_seed_and_replace_keeps_it(factory: Factory<'_>) {
    let cloud = Cloud::new(factory, world(), ALIBABA);
    let seed = sorted(world());
    assert_eq!(cloud.snapshot(), seed);
    let sent = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
    cloud.accept(FREE, &sent.id, t0()).unwrap();
    assert_ne!(cloud.snapshot(), seed);
    cloud.store.reset().unwrap();
    assert_eq!(cloud.snapshot(), seed);
    assert_eq!(cloud.account(FREE).organization, None);
    assert_eq!(cloud.members(ORG_A), 2);
    assert_eq!(cloud.list_len(List::Sent(oid(ORG_A))), 0);
    assert_eq!(cloud.stored(&sent.id), None);

    // Replace with another world: its indexes work, and reset still returns to the seed.
    let (other, _) = list_world();
    let mut other = other;
    other.accounts.retain(|a| a.id != aid(NAMELESS));
    cloud.store.replace(other.clone()).unwrap();
    assert_eq!(cloud.snapshot(), sorted(other.clone()));
    assert_eq!(cloud.list_len(List::Sent(oid(ORG_A))), 7);
    assert_eq!(
        cloud.store.query(|v| v.counts()).accounts,
        world().accounts.len() - 1
    );
    cloud.refuses(DomainError::DuplicatePending(hid("h-p07")), |c| {
        c.invite(MANAGER, by_id(FREE2), t0())
    });
    cloud.store.reset().unwrap();
    assert_eq!(cloud.snapshot(), seed);
    cloud.invite(MANAGER, by_id(FREE2), t0()).unwrap();

    // An export replaced back is the same world, indexes and all.
    cloud.store.replace(other).unwrap();
    let sent = cloud
        .invite(MANAGER, by_email("x@fresh.example"), t0())
        .unwrap();
    let exported = cloud.store.export();
    cloud.store.replace(exported).unwrap();
    check_paging(
        &|from, limit| cloud.sent(MANAGER, from, limit, t0()),
        &[
            sent.id,
            hid("h-p07"),
            hid("h-p05"),
            hid("h-p06"),
            hid("h-p02"),
            hid("h-p03"),
            hid("h-p04"),
            hid("h-p01"),
        ],
        8,
    );
    cloud.refuses(DomainError::DuplicatePending(sent.id), |c| {
        c.invite(MANAGER, by_email("X@fresh.example"), t0())
    });
}

fn rewriting_a_handshake_keeps_one_list_entry(factory: Factory<'_>) {
    let (world, _) = list_world();
    let cloud = Cloud::new(factory, world, HUAWEI);
    let sent_list = List::Sent(oid(ORG_A));
    let received_list = List::Received(aid(FREE));
    let (sent_len, received_len) = (cloud.list_len(sent_list), cloud.list_len(received_list));
    let count = || cloud.store.query(|v| v.counts()).handshakes;
    let handshakes = count();

    // The same handshake written again, changed, twice in one write and once more after.
    let p06 = cloud.stored(&hid("h-p06")).unwrap();
    let declined = Arc::new(Handshake {
        status: Status::Declined,
        modified: t0(),
        ..p06
    });
    cloud
        .store
        .write(&mut |_| {
            vec![
                Change::Handshake(declined.clone()),
                Change::Handshake(declined.clone()),
            ]
        })
        .unwrap();
    cloud
        .store
        .write(&mut |_| vec![Change::Handshake(declined.clone())])
        .unwrap();
    // Through the rules too.
    cloud.cancel(MANAGER, &hid("h-p02"), t0()).unwrap();
    cloud.accept(FREE, &hid("h-p01"), t0()).unwrap();
    assert_eq!(cloud.list_len(sent_list), sent_len);
    assert_eq!(cloud.list_len(received_list), received_len);
    assert_eq!(count(), handshakes);
    assert_eq!(cloud.stored(&hid("h-p06")).as_ref(), Some(&*declined));
    let expected = [
        "h-p07", "h-p05", "h-p06", "h-p02", "h-p03", "h-p04", "h-p01",
    ]
    .map(hid);
    check_paging(
        &|from, limit| cloud.sent(MANAGER, from, limit, t0()),
        &expected,
        7,
    );
    let statuses: Vec<_> = cloud
        .sent(MANAGER, Cursor::Offset(0), 10, t0())
        .unwrap()
        .items
        .iter()
        .map(|h| h.status)
        .collect();
    assert_eq!(
        statuses,
        [
            Status::Pending,
            Status::Cancelled,
            Status::Declined,
            Status::Cancelled,
            Status::Pending,
            Status::Pending,
            Status::Accepted,
        ]
    );

    // A new handshake written directly joins its lists once.
    let fresh = pending("h-fresh", ORG_A, by_id(FREE), t0() + HOUR);
    cloud
        .store
        .write(&mut |_| vec![Change::Handshake(fresh.clone())])
        .unwrap();
    assert_eq!(cloud.list_len(sent_list), sent_len + 1);
    assert_eq!(cloud.list_len(received_list), received_len + 1);
    let mut with_fresh = vec![fresh.id];
    with_fresh.extend(expected);
    check_paging(
        &|from, limit| cloud.sent(MANAGER, from, limit, t0() + HOUR),
        &with_fresh,
        8,
    );
}

fn browsing_pages_organizations_accounts_and_keys_in_id_order(factory: Factory<'_>) {
    let cloud = Cloud::new(factory, world(), ALIBABA);
    let ids = |offset, limit| -> Vec<String> {
        cloud.store.query(|v| {
            v.accounts(offset, limit)
                .iter()
                .map(|a| a.id.as_str().to_owned())
                .collect()
        })
    };
    let mut every: Vec<String> = world()
        .accounts
        .iter()
        .map(|a| a.id.as_str().to_owned())
        .collect();
    every.sort();
    assert_eq!(ids(0, 100), every);
    assert_eq!(ids(2, 3), every[2..5]);
    assert!(ids(every.len(), 10).is_empty());
    assert!(ids(usize::MAX, 10).is_empty());

    // A membership change shows in the next page: the order is of keys, the values are current.
    let sent = cloud.invite(MANAGER, by_id(FREE), t0()).unwrap();
    cloud.accept(FREE, &sent.id, t0()).unwrap();
    let free = cloud.store.query(|v| {
        v.accounts(0, 100)
            .into_iter()
            .find(|a| a.id == aid(FREE))
            .unwrap()
    });
    assert_eq!(free.organization, Some(oid(ORG_A)));

    let keys: Vec<String> = cloud.store.query(|v| {
        v.credentials(1, 2)
            .into_iter()
            .map(|c| c.access_key_id)
            .collect()
    });
    assert_eq!(keys, ["AK-MANAGER", "STS-DISABLED"]);
    let organizations: Vec<OrganizationId> = cloud
        .store
        .query(|v| v.organizations(0, 10).iter().map(|o| o.id).collect());
    assert_eq!(organizations, [oid(ORG_A), oid(ORG_B)]);

    // Another world replaces the order with its own; reset brings the seed's back.
    let mut other = world();
    other.accounts.retain(|a| a.id != aid(NAMELESS));
    cloud.store.replace(other).unwrap();
    assert_eq!(ids(0, 100).len(), every.len() - 1);
    cloud.store.reset().unwrap();
    assert_eq!(ids(0, 100), every);
}

/// Instantiates every contract case for one store: `store_contract!(name: factory);`.
macro_rules! store_contract {
    ($store:ident: $factory:expr) => {
        store_contract!(@cases $store: $factory;
            invite_sends_a_pending_invitation,
            invite_refuses_a_second_pending_invitation_to_the_same_invitee,
            invite_checks_the_caller_and_the_target,
            accept_joins_the_organization,
            accept_checks_in_order,
            decline_finishes_the_invitation,
            cancel_under_parties_is_the_sending_managers,
            cancel_under_organization_is_its_managers,
            read_under_parties,
            read_under_organization,
            expiry_is_derived_on_read_and_never_stored,
            retention_hides_finished_invitations,
            lists_page_newest_first_by_offset_and_marker,
            retention_pages_count_shown_items_only,
            member_quota_is_checked_at_invite_and_at_accept,
            invitation_rate_counts_by_creation_time,
            authenticate_checks_key_token_and_expiry,
            refusals_change_nothing,
            reset_returns_to_the_seed_and_replace_keeps_it,
            rewriting_a_handshake_keeps_one_list_entry,
            browsing_pages_organizations_accounts_and_keys_in_id_order,
        );
    };
    (@cases $store:ident: $factory:expr; $($case:ident),+ $(,)?) => {
        mod $store {
            use super::{Store, World};

            fn factory(world: World) -> Box<dyn Store> {
                ($factory)(world)
            }

            $(
                #[test]
                fn $case() {
                    super::$case(&factory);
                }
            )+
        }
    };
}

store_contract!(memory: |world| Box::new(super::MemoryStore::new(world)));

/// A durable store in a directory of its own, removed when the store is dropped.
struct TempDurable {
    store: Option<super::DurableStore>,
    directory: std::path::PathBuf,
}

impl TempDurable {
    fn seeded(world: World) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let directory = std::env::temp_dir().join(format!(
            "rm-emulator-contract-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let (database, _) =
            super::sqlite::Database::open(&directory, super::sqlite::Sync::Normal).unwrap();
        let store =
            super::DurableStore::seed(std::sync::Arc::new(database), "test", world).unwrap();
        Self {
            store: Some(store),
            directory,
        }
    }

    fn inner(&self) -> &super::DurableStore {
        self.store.as_ref().expect("present until dropped")
    }
}

impl Drop for TempDurable {
    fn drop(&mut self) {
        // The database (and its committer) closes before its directory goes.
        drop(self.store.take());
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

impl Store for TempDurable {
    fn read(&self, f: &mut dyn FnMut(&dyn View)) {
        self.inner().read(f);
    }

    fn write(&self, f: &mut dyn FnMut(&dyn View) -> Vec<Change>) -> Result<(), super::StoreError> {
        self.inner().write(f)
    }

    fn replace(&self, world: World) -> Result<(), super::StoreError> {
        self.inner().replace(world)
    }

    fn reset(&self) -> Result<(), super::StoreError> {
        self.inner().reset()
    }

    fn export(&self) -> World {
        self.inner().export()
    }
}

store_contract!(sqlite: |world| Box::new(super::TempDurable::seeded(world)));

fn temp_directory(name: &str) -> std::path::PathBuf {
    let directory = std::env::temp_dir().join(format!("rm-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    directory
}

/// What the durable store commits is what a reopened store reads back; the seed stays what
/// reset returns to; a second opener of the directory is refused, naming the holder.
#[test]
fn a_durable_store_reopens_with_every_committed_change() {
    use super::sqlite::{Database, Opened, Sync};
    let directory = temp_directory("reopen");
    let before = {
        let (database, opened) = Database::open(&directory, Sync::Full).unwrap();
        assert_eq!(opened, Opened::Empty);
        let store = super::DurableStore::seed(Arc::new(database), "test", world()).unwrap();
        let store: &dyn Store = &store;
        let invitation = Invitation {
            target: Target {
                kind: TargetKind::Email,
                entity: "new@fresh.example".into(),
            },
            note: "Welcome \u{2014} join us".into(),
            tags: vec![("env".into(), "test".into())],
        };
        store
            .transact(|view| {
                domain::invite(
                    view,
                    &ALIBABA,
                    &aid(MANAGER),
                    invitation,
                    || hid("h-Fresh00000000001"),
                    t0(),
                )
            })
            .unwrap();
        let second = Database::open(&directory, Sync::Normal).unwrap_err();
        assert!(
            second.0.contains("is in use by another emulator (pid"),
            "{second}"
        );
        sorted(store.export())
    };
    let (database, opened) = Database::open(&directory, Sync::Normal).unwrap();
    assert_eq!(opened, Opened::Existing);
    let store = super::DurableStore::open(Arc::new(database), "test").unwrap();
    assert_eq!(sorted(store.export()), before);
    store.reset().unwrap();
    assert_eq!(sorted(store.export()), sorted(world()));
    drop(store);
    let _ = std::fs::remove_dir_all(&directory);
}

/// A file that is not an emulator database, or of a newer schema, is refused and left as it was.
#[test]
fn a_foreign_or_newer_database_is_refused_and_left_untouched() {
    use super::sqlite::{DATABASE_FILE, Database, Sync};
    let directory = temp_directory("foreign");
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join(DATABASE_FILE);
    std::fs::write(&path, "not a database, just text").unwrap();
    let refused = Database::open(&directory, Sync::Normal).unwrap_err();
    assert!(
        refused
            .0
            .contains("is not a resourcemanager-emulator database"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "not a database, just text"
    );

    std::fs::remove_file(&path).unwrap();
    {
        let other = rusqlite::Connection::open(&path).unwrap();
        other
            .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
    }
    let refused = Database::open(&directory, Sync::Normal).unwrap_err();
    assert!(refused.0.contains("application id"), "{refused}");

    std::fs::remove_file(&path).unwrap();
    drop(Database::open(&directory, Sync::Normal).unwrap());
    {
        let newer = rusqlite::Connection::open(&path).unwrap();
        newer.execute_batch("PRAGMA user_version = 99;").unwrap();
    }
    let refused = Database::open(&directory, Sync::Normal).unwrap_err();
    assert!(refused.0.contains("schema version 99, newer"), "{refused}");
    let _ = std::fs::remove_dir_all(&directory);
}

/// A full disk: the write that does not fit gets the store error and leaves nothing behind, in
/// memory or on disk, and reads go on.
#[test]
fn a_full_disk_refuses_the_write_and_changes_nothing() {
    use super::sqlite::{Database, Sync};
    let directory = temp_directory("full");
    let (database, _) = Database::open(&directory, Sync::Normal).unwrap();
    let database = Arc::new(database);
    let store = super::DurableStore::seed(database.clone(), "test", world()).unwrap();
    let store: &dyn Store = &store;
    database.fill_the_disk();
    let mut refused = None;
    for n in 0..10_000 {
        let before = sorted(store.export());
        let invitation = Invitation {
            target: Target {
                kind: TargetKind::Email,
                entity: format!("filler{n}@fresh.example"),
            },
            note: "x".repeat(1000),
            tags: Vec::new(),
        };
        let id = hid(&format!("h-Fill{n:012}"));
        match store
            .transact(|view| domain::invite(view, &ALIBABA, &aid(MANAGER), invitation, || id, t0()))
        {
            Ok(_) => {}
            Err(WriteError::Store(error)) => {
                refused = Some((error, before, id));
                break;
            }
            Err(other) => panic!("{other}"),
        }
    }
    let (error, before, id) = refused.expect("the disk fills up");
    assert!(error.0.contains("full"), "{error}");
    assert_eq!(
        sorted(store.export()),
        before,
        "memory keeps nothing the disk refused"
    );
    assert!(store.query(|view| view.handshake(&id)).is_none());
    assert_eq!(
        sorted(
            super::DurableStore::open(database, "test")
                .unwrap()
                .export()
        ),
        before
    );
    let _ = std::fs::remove_dir_all(&directory);
}

/// The list of every handshake holds each one once, newest first, whoever sent or received it.
#[test]
fn the_list_of_all_handshakes_holds_each_once_newest_first() {
    for factory in [
        &(|world| Box::new(MemoryStore::new(world)) as Box<dyn Store>)
            as &dyn Fn(World) -> Box<dyn Store>,
        &|world| Box::new(TempDurable::seeded(world)) as Box<dyn Store>,
    ] {
        let seeded = world_with(vec![
            pending("h-all01", ORG_A, by_id(FREE), t0()),
            pending("h-all02", ORG_B, by_email("free@partner.example"), t0()),
            pending("h-all03", ORG_A, by_id(FREE), t0() - TimeDelta::hours(1)),
            pending("h-all04", ORG_GONE, by_id(FREE), t0() + TimeDelta::hours(1)),
        ]);
        let count = seeded.handshakes.len();
        let store = factory(seeded.clone());
        let page = store
            .query(|view| view.page(List::All, Cursor::Offset(0), count + 1, None))
            .unwrap();
        assert_eq!(page.items.len(), count);
        assert!(!page.more);
        let mut expected: Vec<_> = seeded
            .handshakes
            .iter()
            .map(|h| (Reverse(h.created), h.id))
            .collect();
        expected.sort();
        let listed: Vec<_> = page
            .items
            .iter()
            .map(|h| (Reverse(h.created), h.id))
            .collect();
        assert_eq!(listed, expected);
        assert_eq!(store.query(|view| view.list_len(List::All)), count);
    }
}
