//! The lifecycle rules: invite, accept, decline, cancel, read and list. Each reads the world
//! through a [`View`], checks in a fixed order, and returns what it decided together with the
//! [`Change`]s to commit; a refusal changes nothing. Every rule takes "now" from its caller.

use super::account::{AccountType, Organization, RealNameType};
use super::credential::{Credential, CredentialError};
use super::handshake::{Handshake, Status, Target, TargetKind, truncate_to_seconds};
use super::ids::{AccountId, HandshakeId};
use super::view::{Cursor, Invitee, List, Page, View, invitee_of};
use super::{Authority, Change, DomainError, Policy};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What a rule decided, and the changes that make it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided<T> {
    /// The result for the caller.
    pub value: T,
    /// What the store must commit.
    pub changes: Vec<Change>,
}

/// A new invitation, as the management account sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The invitee.
    pub target: Target,
    /// Free text.
    pub note: String,
    /// Tags (key, value).
    pub tags: Vec<(String, String)>,
}

/// A handshake as one of its readers sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeRead {
    /// The handshake, expiry applied.
    pub handshake: Handshake,
    /// Under [`Authority::Parties`], for the invitee: the management account's and the
    /// invitee's names.
    pub real_names: Option<(String, String)>,
}

/// A page of a list, expiry applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The items, newest first.
    pub items: Vec<Handshake>,
    /// How many the whole list holds (without retention, every page's total).
    pub total: usize,
    /// Whether items follow this page.
    pub more: bool,
}

/// The usable credential for `access_key_id` with the `security_token` that came with it.
pub fn authenticate(
    view: &dyn View,
    access_key_id: &str,
    security_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Credential, CredentialError> {
    let credential = view
        .credential(access_key_id)
        .ok_or(CredentialError::UnknownKey)?;
    credential.check(security_token, |token| view.token_issued(token), now)?;
    Ok(credential)
}

/// The organization `caller` manages: it must belong to one, and manage it.
fn managed_organization(view: &dyn View, caller: &AccountId) -> Result<Organization, DomainError> {
    let organization = view
        .account(caller)
        .and_then(|account| account.organization)
        .and_then(|id| view.organization(&id))
        .ok_or(DomainError::CallerNotInOrganization)?;
    if organization.manager == *caller {
        Ok(organization)
    } else {
        Err(DomainError::CallerNotManager)
    }
}

/// A handshake that is still shown under the policy's retention.
fn visible(
    view: &dyn View,
    policy: &Policy,
    id: &HandshakeId,
    now: DateTime<Utc>,
) -> Option<Arc<Handshake>> {
    view.handshake(id)
        .filter(|h| h.retained_at(now, policy.retention))
}

/// The handshake `id` if `caller` is its invitee.
fn as_invitee(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    id: &HandshakeId,
    now: DateTime<Utc>,
) -> Result<Arc<Handshake>, DomainError> {
    visible(view, policy, id, now)
        .filter(|h| invitee_of(view, &h.target).account() == Some(caller))
        .ok_or(DomainError::HandshakeNotFound(*id))
}

/// The management account sends an invitation from its organization; `new_id` draws fresh ids
/// until one is unused.
///
/// Checks, in order: the caller manages an organization; the target names an account (an
/// email no account has is allowed: it may sign up) other than the caller; that account is in
/// no organization and is an enterprise account; no Pending invitation from this organization
/// reaches it; the organization is within its invitation rate and member quota.
pub fn invite(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    invitation: Invitation,
    mut new_id: impl FnMut() -> HandshakeId,
    now: DateTime<Utc>,
) -> Result<Decided<Handshake>, DomainError> {
    let organization = managed_organization(view, caller)?;
    let invitee = invitee_of(view, &invitation.target);
    match &invitee {
        Invitee::Account(id) if id == caller => return Err(DomainError::TargetIsCaller),
        Invitee::Account(id) => {
            let account = view
                .account(id)
                .ok_or_else(|| DomainError::UnknownTarget(invitation.target.entity.clone()))?;
            if let Some(member_of) = account.organization {
                return Err(DomainError::InOrganization(member_of));
            }
            if account.account_type != AccountType::Enterprise {
                return Err(DomainError::PersonalAccount);
            }
        }
        Invitee::Unknown(TargetKind::Email, _) => {}
        Invitee::Unknown(TargetKind::Id | TargetKind::Name, _) => {
            return Err(DomainError::UnknownTarget(invitation.target.entity));
        }
    }
    if let Some(pending) = view
        .pending(&organization.id, &invitee)
        .and_then(|id| view.handshake(&id))
        .filter(|h| h.status_at(now) == Status::Pending)
    {
        return Err(DomainError::DuplicatePending(pending.id));
    }
    if let Some((most, period)) = policy.invitation_rate {
        let since = now
            .checked_sub_signed(period)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let sent = view.sent_since(&organization.id, since);
        if sent >= most {
            return Err(DomainError::InvitationRateExceeded(sent));
        }
    }
    check_quota(view, policy, &organization)?;
    let id = std::iter::repeat_with(&mut new_id)
        .find(|id| view.handshake(id).is_none())
        .expect("an endless supply");
    let manager_name = view.account(caller).map(|a| a.name).unwrap_or_default();
    let created = truncate_to_seconds(now);
    let handshake = Handshake {
        id,
        organization: organization.id,
        manager: *caller,
        manager_name: Arc::from(manager_name),
        target: invitation.target,
        note: Arc::from(invitation.note),
        tags: invitation.tags,
        status: Status::Pending,
        created,
        modified: created,
        expires: created
            .checked_add_signed(policy.validity)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    };
    Ok(Decided {
        changes: vec![Change::Handshake(Arc::new(handshake.clone()))],
        value: handshake,
    })
}

fn check_quota(
    view: &dyn View,
    policy: &Policy,
    organization: &Organization,
) -> Result<(), DomainError> {
    match organization.member_quota.or(policy.member_quota) {
        Some(quota) if view.members(&organization.id) >= quota => {
            Err(DomainError::MemberQuotaExceeded(quota))
        }
        _ => Ok(()),
    }
}

/// The invitee accepts: the handshake becomes Accepted and the account joins the organization.
///
/// Checks, in order: the caller is the invitee (else the handshake "does not exist"), it is
/// still Pending, the organization still exists, the account may join (in no organization,
/// enterprise type, enterprise real name), and the organization is within its member quota.
pub fn accept(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    id: &HandshakeId,
    now: DateTime<Utc>,
) -> Result<Decided<Handshake>, DomainError> {
    let stored = as_invitee(view, policy, caller, id, now)?;
    let accepted = stored.transition(Status::Accepted, now)?;
    let organization = view
        .organization(&stored.organization)
        .ok_or(DomainError::OrganizationGone(stored.organization))?;
    let account = view
        .account(caller)
        .ok_or(DomainError::HandshakeNotFound(*id))?;
    if let Some(member_of) = account.organization {
        return Err(DomainError::InOrganization(member_of));
    }
    if account.account_type != AccountType::Enterprise {
        return Err(DomainError::PersonalAccount);
    }
    if account.real_name_type != RealNameType::Enterprise {
        return Err(DomainError::RealNameNotEnterprise(account.real_name_type));
    }
    check_quota(view, policy, &organization)?;
    Ok(Decided {
        changes: vec![
            Change::Handshake(Arc::new(accepted.clone())),
            Change::Membership {
                account: *caller,
                organization: Some(organization.id),
            },
        ],
        value: accepted,
    })
}

/// The invitee declines.
pub fn decline(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    id: &HandshakeId,
    now: DateTime<Utc>,
) -> Result<Decided<Handshake>, DomainError> {
    let declined = as_invitee(view, policy, caller, id, now)?.transition(Status::Declined, now)?;
    Ok(Decided {
        changes: vec![Change::Handshake(Arc::new(declined.clone()))],
        value: declined,
    })
}

/// The sender withdraws an invitation: under [`Authority::Parties`] the management account that
/// sent it; under [`Authority::Organization`] the management account of the sending
/// organization (a caller in no organization, or not its manager, is told so first).
pub fn cancel(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    id: &HandshakeId,
    now: DateTime<Utc>,
) -> Result<Decided<Handshake>, DomainError> {
    let not_found = || DomainError::HandshakeNotFound(*id);
    let stored = match policy.authority {
        Authority::Parties => visible(view, policy, id, now).filter(|h| h.manager == *caller),
        Authority::Organization => {
            let organization = managed_organization(view, caller)?;
            visible(view, policy, id, now).filter(|h| h.organization == organization.id)
        }
    }
    .ok_or_else(not_found)?;
    let cancelled = stored.transition(Status::Cancelled, now)?;
    Ok(Decided {
        changes: vec![Change::Handshake(Arc::new(cancelled.clone()))],
        value: cancelled,
    })
}

/// A reader reads a handshake. Under [`Authority::Parties`] either party may: the invitee also
/// gets both names, must have passed real-name verification, and cannot read an invitation it
/// accepted (the real Alibaba service answers a status mismatch). Under
/// [`Authority::Organization`] any member of the sending organization may.
pub fn read(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    id: &HandshakeId,
    now: DateTime<Utc>,
) -> Result<HandshakeRead, DomainError> {
    let not_found = || DomainError::HandshakeNotFound(*id);
    if policy.authority == Authority::Organization {
        let organization = view
            .account(caller)
            .and_then(|a| a.organization)
            .ok_or(DomainError::CallerNotInOrganization)?;
        let handshake = visible(view, policy, id, now)
            .filter(|h| h.organization == organization)
            .ok_or_else(not_found)?
            .as_of(now);
        return Ok(HandshakeRead {
            handshake,
            real_names: None,
        });
    }
    let stored = visible(view, policy, id, now).ok_or_else(not_found)?;
    let handshake = stored.as_of(now);
    if handshake.manager == *caller {
        return Ok(HandshakeRead {
            handshake,
            real_names: None,
        });
    }
    let invitee = invitee_of(view, &stored.target)
        .account()
        .filter(|account| *account == caller)
        .and_then(|account| view.account(account))
        .ok_or_else(not_found)?;
    if handshake.status == Status::Accepted {
        return Err(DomainError::NotPending(handshake.status));
    }
    if invitee.real_name_type == RealNameType::None {
        return Err(DomainError::NoRealNameAuthentication);
    }
    if invitee.name.is_empty() {
        return Err(DomainError::MissingRealName);
    }
    let manager_name = view
        .account(&handshake.manager)
        .map_or_else(|| handshake.manager_name.to_string(), |a| a.name);
    Ok(HandshakeRead {
        handshake,
        real_names: Some((manager_name, invitee.name)),
    })
}

fn listing(
    view: &dyn View,
    policy: &Policy,
    list: List,
    from: Cursor,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Listing, DomainError> {
    let shown = |h: &Handshake| h.retained_at(now, policy.retention);
    let filter: Option<&dyn Fn(&Handshake) -> bool> = policy.retention.map(|_| &shown as _);
    let page = match (view.page(list, from, limit, filter), from) {
        (Some(page), _) => page,
        (None, Cursor::After(id)) => return Err(DomainError::UnknownCursor(id)),
        (None, Cursor::Offset(_)) => Page::default(),
    };
    Ok(Listing {
        items: page.items.iter().map(|h| h.as_of(now)).collect(),
        total: view.list_len(list),
        more: page.more,
    })
}

/// The invitations of the organization the caller manages, newest first.
pub fn list_sent(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    from: Cursor,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Listing, DomainError> {
    let organization = managed_organization(view, caller)?;
    listing(view, policy, List::Sent(organization.id), from, limit, now)
}

/// The invitations the caller received (by id, email or name), newest first.
pub fn list_received(
    view: &dyn View,
    policy: &Policy,
    caller: &AccountId,
    from: Cursor,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Listing, DomainError> {
    listing(view, policy, List::Received(*caller), from, limit, now)
}
