//! Handshakes (invitations) and their state machine. A handshake's stored status changes only by
//! a party's action; expiry is derived on read ("as of now") and never stored, so what a reader
//! sees depends on the clock alone, not on which requests happened to touch the handshake.

use super::DomainError;
use super::ids::{AccountId, HandshakeId, OrganizationId};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

/// A handshake's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for the invitee.
    Pending,
    /// The invitee accepted and joined the organization.
    Accepted,
    /// The management account withdrew it.
    Cancelled,
    /// The invitee declined.
    Declined,
    /// Nobody acted before its expiry.
    Expired,
}

/// How an invitation names its invitee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// By account id.
    Id,
    /// By logon email.
    Email,
    /// By account name.
    Name,
}

/// The invitee as the invitation names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// Which of id, email or name `entity` is.
    pub kind: TargetKind,
    /// The id, email or name, as sent.
    pub entity: String,
}

/// An invitation from an organization to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// Its id.
    pub id: HandshakeId,
    /// The inviting organization (it may since have been destroyed).
    pub organization: OrganizationId,
    /// The organization's management account when the invitation was sent.
    pub manager: AccountId,
    /// That account's name (shared by every invitation of the organization).
    pub manager_name: Arc<str>,
    /// The invitee.
    pub target: Target,
    /// Free text (equal notes may share one allocation).
    pub note: Arc<str>,
    /// Tags given when the invitation was sent (key, value), in their order.
    pub tags: Vec<(String, String)>,
    /// The status as last changed by an action (never `Expired` by the passing of time alone).
    pub status: Status,
    /// When it was sent (second precision).
    pub created: DateTime<Utc>,
    /// When its status last changed.
    pub modified: DateTime<Utc>,
    /// When a Pending invitation becomes Expired.
    pub expires: DateTime<Utc>,
}

impl Handshake {
    /// The status as of `now`: a Pending invitation at or past its expiry is Expired.
    #[must_use]
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        if self.status == Status::Pending && now >= self.expires {
            Status::Expired
        } else {
            self.status
        }
    }

    /// This handshake as of `now`: expiry applied, and an expired one's modification time is the
    /// moment it expired.
    #[must_use]
    pub fn as_of(&self, now: DateTime<Utc>) -> Self {
        let mut copy = self.clone();
        if copy.status_at(now) == Status::Expired && copy.status == Status::Pending {
            copy.status = Status::Expired;
            copy.modified = copy.expires;
        }
        copy
    }

    /// Whether the handshake is still shown as of `now` under a retention period: a finished one
    /// disappears `retention` after it finished.
    #[must_use]
    pub fn retained_at(&self, now: DateTime<Utc>, retention: Option<TimeDelta>) -> bool {
        let Some(retention) = retention else {
            return true;
        };
        let shown = self.as_of(now);
        shown.status == Status::Pending
            || shown
                .modified
                .checked_add_signed(retention)
                .is_none_or(|gone| now < gone)
    }

    /// The handshake moved from Pending to `to` at `now`; anything but Pending (as of `now`) is a
    /// status mismatch that names the status found.
    pub fn transition(&self, to: Status, now: DateTime<Utc>) -> Result<Self, DomainError> {
        match self.status_at(now) {
            Status::Pending => Ok(Self {
                status: to,
                modified: truncate_to_seconds(now),
                ..self.clone()
            }),
            found => Err(DomainError::NotPending(found)),
        }
    }
}

/// Drops sub-second precision: every handshake time on the wire is whole seconds.
#[must_use]
pub fn truncate_to_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(at.timestamp(), 0).single().unwrap_or(at)
}
