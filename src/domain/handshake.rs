//! Handshakes (invitations) and their state machine: Pending, then exactly one of Accepted,
//! Declined, Cancelled or Expired.

use super::DomainError;
use super::ids::{AccountId, HandshakeId, ResourceDirectoryId};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// How long an invitation stays Pending: 14 days (ExpireTime = CreateTime + 14 days).
pub const VALIDITY: TimeDelta = TimeDelta::days(14);

/// A handshake's status; the variant names are the wire values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandshakeStatus {
    /// Waiting for the invitee.
    Pending,
    /// The invitee accepted and joined the directory.
    Accepted,
    /// The management account withdrew it.
    Cancelled,
    /// The invitee declined.
    Declined,
    /// Nobody acted before ExpireTime.
    Expired,
}

impl HandshakeStatus {
    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Accepted => "Accepted",
            Self::Cancelled => "Cancelled",
            Self::Declined => "Declined",
            Self::Expired => "Expired",
        }
    }
}

impl fmt::Display for HandshakeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What TargetEntity holds; the variant names are the wire values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetType {
    /// A 16-digit account id.
    Account,
    /// A logon email.
    Email,
}

impl TargetType {
    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Email => "Email",
        }
    }
}

/// An invitation from a resource directory to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// `h-` id.
    pub id: HandshakeId,
    /// The inviting directory (it may since have been destroyed).
    pub resource_directory_id: ResourceDirectoryId,
    /// The directory's management account when the invitation was sent.
    pub master_account_id: AccountId,
    /// That account's name (shared by every invitation of the directory).
    pub master_account_name: Arc<str>,
    /// The invitee: an account id or a logon email.
    pub target_entity: String,
    /// Which of the two TargetEntity is.
    pub target_type: TargetType,
    /// Free text, at most 1024 characters (equal notes may share one allocation).
    pub note: Arc<str>,
    /// Tags given when the invitation was sent (key, value), in their order.
    pub tags: Vec<(String, String)>,
    /// Current status.
    pub status: HandshakeStatus,
    /// When it was sent (second precision).
    pub create_time: DateTime<Utc>,
    /// When its status last changed.
    pub modify_time: DateTime<Utc>,
    /// When a Pending invitation becomes Expired.
    pub expire_time: DateTime<Utc>,
}

impl Handshake {
    /// This handshake as of `now`: a copy with expiry applied, for reads that change nothing.
    #[must_use]
    pub fn as_of(&self, now: DateTime<Utc>) -> Self {
        let mut copy = self.clone();
        copy.refresh(now);
        copy
    }

    /// Applies expiry as of `now`: a Pending invitation at or past ExpireTime is Expired, and its
    /// ModifyTime is the moment it expired. Returns whether anything changed.
    pub fn refresh(&mut self, now: DateTime<Utc>) -> bool {
        if self.status == HandshakeStatus::Pending && now >= self.expire_time {
            self.status = HandshakeStatus::Expired;
            self.modify_time = self.expire_time;
            true
        } else {
            false
        }
    }

    /// Moves a Pending invitation to `to` at `now`; anything else is a status mismatch.
    pub(crate) fn transition(
        &mut self,
        to: HandshakeStatus,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.refresh(now);
        if self.status != HandshakeStatus::Pending {
            return Err(DomainError::HandshakeNotPending(self.status));
        }
        self.status = to;
        self.modify_time = super::fixtures::truncate_to_seconds(now);
        Ok(())
    }
}
