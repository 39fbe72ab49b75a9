//! What is Huawei's own in the shared lifecycle: the shapes of its ids, the rule parameters
//! handed to the domain, and the wire spelling of statuses and target types (reference
//! `huawei.md` §4.1, §6).

use crate::domain::{
    AccountId, Authority, HandshakeId, InvalidId, OrganizationId, Policy, Status, TargetKind,
};
use crate::store::document::doc_id;
use chrono::TimeDelta;

/// Organizations' rules: invitations are valid 14 days; a finished one stays visible 30 days
/// (AMBIGUOUS: the quota page says one year; the API pages say 30 days, which we follow, for
/// every finished status, `expired` included); the sending organization reads its invitations
/// and its management account lists and cancels them; at most 10 member accounts and 20
/// invitations per 24 hours per organization.
pub const POLICY: Policy = Policy {
    validity: TimeDelta::days(14),
    retention: Some(TimeDelta::days(30)),
    authority: Authority::Organization,
    member_quota: Some(10),
    invitation_rate: Some((20, TimeDelta::hours(24))),
};

fn lower_alnum(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// A handshake id: `^h-[0-9a-z]{8,32}$` (new ones are `h-` and 32).
pub fn handshake_id(text: &str) -> Result<HandshakeId, InvalidId> {
    let valid = text
        .strip_prefix("h-")
        .is_some_and(|rest| (8..=32).contains(&rest.len()) && lower_alnum(rest));
    InvalidId::unless(
        valid,
        text,
        "handshake id (h- and 8 to 32 lower-case letters or digits)",
        HandshakeId::parse,
    )
}

/// An organization id: `^o-[0-9a-z]{10,32}$`.
pub fn organization_id(text: &str) -> Result<OrganizationId, InvalidId> {
    let valid = text
        .strip_prefix("o-")
        .is_some_and(|rest| (10..=32).contains(&rest.len()) && lower_alnum(rest));
    InvalidId::unless(
        valid,
        text,
        "organization id (o- and 10 to 32 lower-case letters or digits)",
        OrganizationId::parse,
    )
}

/// An account (domain) id: 32 lower-case hex digits.
pub fn account_id(text: &str) -> Result<AccountId, InvalidId> {
    let valid = text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    InvalidId::unless(
        valid,
        text,
        "account id (32 lower-case hex digits)",
        AccountId::parse,
    )
}

/// A status as the API spells it.
#[must_use]
pub const fn status(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Accepted => "accepted",
        Status::Cancelled => "cancelled",
        Status::Declined => "declined",
        Status::Expired => "expired",
    }
}

/// A target type as the API spells it (Organizations has no email targets).
#[must_use]
pub const fn target_type(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Id => "account",
        TargetKind::Name => "name",
        TargetKind::Email => "email",
    }
}

/// A target type as sent: `account` or `name`. AMBIGUOUS: SDK docs before 2024-09 listed
/// `email`; it is refused.
#[must_use]
pub fn parse_target_type(text: &str) -> Option<TargetKind> {
    match text {
        "account" => Some(TargetKind::Id),
        "name" => Some(TargetKind::Name),
        _ => None,
    }
}

/// The `urn` of a handshake.
#[must_use]
pub fn urn(manager: &AccountId, organization: &OrganizationId, id: &HandshakeId) -> String {
    format!("organizations::{manager}:handshake:{organization}/{id}")
}

doc_id!(
    /// An account id in a world document, checked as it is read.
    DocAccountId(AccountId) = account_id
);
doc_id!(
    /// A handshake id in a world document, checked as it is read.
    DocHandshakeId(HandshakeId) = handshake_id
);
doc_id!(
    /// An organization id in a world document, checked as it is read.
    DocOrganizationId(OrganizationId) = organization_id
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_documented_shapes() {
        assert!(handshake_id("h-awjp43m7bz3b8jgy5v61jrfwakt3og8w").is_ok());
        assert!(handshake_id("h-12345678").is_ok());
        for bad in [
            "h-1234567",
            "h-UPPERCASE1",
            "h-a b*c~d/e+fé",
            "x-12345678",
            &format!("h-{}", "a".repeat(33)),
        ] {
            assert!(handshake_id(bad).is_err(), "{bad}");
        }
        assert!(organization_id("o-fhkmi6mek7wlqdp6nideqhb47qwtjdsv").is_ok());
        assert!(organization_id("o-short").is_err());
        assert!(account_id("0a6d25d23900d45c0faac010e0fb4de0").is_ok());
        assert!(account_id("0A6D25D23900D45C0FAAC010E0FB4DE0").is_err());
        assert!(account_id("1512666876910000").is_err());
    }

    #[test]
    fn the_urn_names_manager_organization_and_handshake() {
        let urn = urn(
            &account_id("0a6d25d23900d45c0faac010e0fb4de0").unwrap(),
            &organization_id("o-fhkmi6mek7wlqdp6nideqhb47qwtjdsv").unwrap(),
            &handshake_id("h-awjp43m7bz3b8jgy5v61jrfwakt3og8w").unwrap(),
        );
        assert_eq!(
            urn,
            "organizations::0a6d25d23900d45c0faac010e0fb4de0:handshake:o-fhkmi6mek7wlqdp6nideqhb47qwtjdsv/h-awjp43m7bz3b8jgy5v61jrfwakt3og8w"
        );
    }
}
