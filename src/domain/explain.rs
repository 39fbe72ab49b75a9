//! Why a rule refused: one line in plain words naming the deciding fact ("caller … is not the
//! invitee (TargetEntity …)", "handshake … is Accepted, not Pending"), for the request journal
//! and the access log, never for the cloud's own error body. It re-reads the world the rule
//! read, so the rules themselves stay as lean as the wire needs.

use super::handshake::Status;
use super::ids::{AccountId, HandshakeId};
use super::view::{View, invitee_of};
use super::{Authority, DomainError, Policy};
use chrono::{DateTime, Utc};

/// The operation a rule was deciding, as far as the explanation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    /// Accept or decline: the invitee acts.
    Invitee,
    /// Cancel: the sender acts.
    Sender,
    /// Read one handshake.
    Reader,
    /// Invite or list: no handshake is named.
    Organization,
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pending => "Pending",
        Status::Accepted => "Accepted",
        Status::Cancelled => "Cancelled",
        Status::Declined => "Declined",
        Status::Expired => "Expired",
    }
}

/// One line on why `error` refused `caller` acting as `acting` on `id` (if one was named).
#[must_use]
pub fn explain(
    view: &dyn View,
    policy: &Policy,
    acting: Acting,
    caller: &AccountId,
    id: Option<&HandshakeId>,
    error: &DomainError,
    now: DateTime<Utc>,
) -> String {
    let stored = id.and_then(|id| view.handshake(id));
    match error {
        DomainError::HandshakeNotFound(id) => {
            let Some(h) = stored else {
                return format!("no handshake {id} exists in this world");
            };
            if !h.retained_at(now, policy.retention) {
                let shown = h.as_of(now);
                return format!(
                    "handshake {id} finished ({}) at {}, past the retention period",
                    status_word(shown.status),
                    crate::clock::wire_time(shown.modified)
                );
            }
            let target = || match invitee_of(view, &h.target).account() {
                Some(invitee) => format!("TargetEntity {}, account {invitee}", h.target.entity),
                None => format!(
                    "TargetEntity {}, which no account of this world has",
                    h.target.entity
                ),
            };
            match (acting, policy.authority) {
                (Acting::Invitee, _) => {
                    format!("caller {caller} is not the invitee ({})", target())
                }
                (Acting::Reader, Authority::Parties) => format!(
                    "caller {caller} is neither the invitee ({}) nor the sender ({})",
                    target(),
                    h.manager
                ),
                (Acting::Sender, Authority::Parties) => format!(
                    "caller {caller} is not the management account that sent handshake {id} ({})",
                    h.manager
                ),
                _ => {
                    let own = view.account(caller).and_then(|a| a.organization);
                    format!(
                        "handshake {id} was sent by organization {}, not the caller's ({})",
                        h.organization,
                        own.map_or_else(|| "none".to_owned(), |o| o.to_string())
                    )
                }
            }
        }
        DomainError::NotPending(status) => match stored {
            Some(h) if *status == Status::Expired && h.status == Status::Pending => format!(
                "handshake {} expired at {} (emulator clock {}), not Pending",
                h.id,
                crate::clock::wire_time(h.expires),
                crate::clock::wire_time(now)
            ),
            Some(h) => format!(
                "handshake {} is {}, not Pending",
                h.id,
                status_word(*status)
            ),
            None => format!("the handshake is {}, not Pending", status_word(*status)),
        },
        DomainError::CallerNotInOrganization => {
            format!("caller {caller} belongs to no organization")
        }
        DomainError::CallerNotManager => {
            let organization = view
                .account(caller)
                .and_then(|a| a.organization)
                .and_then(|o| view.organization(&o));
            match organization {
                Some(o) => format!(
                    "caller {caller} is a member of {}, not its management account ({})",
                    o.id, o.manager
                ),
                None => format!("caller {caller} is not a management account"),
            }
        }
        DomainError::InOrganization(organization) => {
            let whom = if acting == Acting::Invitee {
                format!("caller {caller}")
            } else {
                "the invited account".to_owned()
            };
            format!("{whom} already belongs to organization {organization}")
        }
        other => other.to_string(),
    }
}
