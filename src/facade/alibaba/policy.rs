//! What is Alibaba's own in the shared lifecycle: the shapes of its ids, the rule parameters
//! handed to the domain, and the wire spelling of statuses and target types.

use crate::domain::{
    AccountId, Authority, HandshakeId, InvalidId, OrganizationId, Policy, Status, TargetKind,
};
use crate::store::document::doc_id;
use chrono::TimeDelta;

/// The RAM service namespace of Resource Manager's actions (`resourcemanager:AcceptHandshake`).
pub const RAM_SERVICE: &str = "resourcemanager";

/// Resource Manager's rules: invitations are valid 14 days (ExpireTime = CreateTime + 14
/// days) and stay listed for ever; each party reads its handshakes; no member quota or
/// invitation rate is enforced (their codes are reachable through fault rules).
pub const POLICY: Policy = Policy {
    validity: TimeDelta::days(14),
    retention: None,
    authority: Authority::Parties,
    member_quota: None,
    invitation_rate: None,
};

fn alnum(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// An account id: 16 digits.
pub fn account_id(text: &str) -> Result<AccountId, InvalidId> {
    let valid = text.len() == 16 && text.bytes().all(|b| b.is_ascii_digit());
    InvalidId::unless(valid, text, "account id (16 digits)", AccountId::parse)
}

/// A handshake id: `h-` and 16 letters or digits, mixed case.
pub fn handshake_id(text: &str) -> Result<HandshakeId, InvalidId> {
    let valid = text
        .strip_prefix("h-")
        .is_some_and(|rest| rest.len() == 16 && alnum(rest));
    InvalidId::unless(
        valid,
        text,
        "handshake id (h- and 16 letters or digits)",
        HandshakeId::parse,
    )
}

/// A resource directory id: `rd-` and 6 to 10 letters or digits. AMBIGUOUS: the docs show both
/// 6 (`rd-3G****`) and 10 (`rd-abcdef****`) characters, so both lengths and those between pass.
pub fn directory_id(text: &str) -> Result<OrganizationId, InvalidId> {
    let valid = text
        .strip_prefix("rd-")
        .is_some_and(|rest| (6..=10).contains(&rest.len()) && alnum(rest));
    InvalidId::unless(
        valid,
        text,
        "resource directory id (rd- and 6 to 10 letters or digits)",
        OrganizationId::parse,
    )
}

/// A status as the API spells it.
#[must_use]
pub const fn status(status: Status) -> &'static str {
    match status {
        Status::Pending => "Pending",
        Status::Accepted => "Accepted",
        Status::Cancelled => "Cancelled",
        Status::Declined => "Declined",
        Status::Expired => "Expired",
    }
}

/// A TargetType as the API spells it (Resource Manager has no name targets).
#[must_use]
pub const fn target_type(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Id => "Account",
        TargetKind::Email => "Email",
        TargetKind::Name => "Name",
    }
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
    /// A resource directory id in a world document, checked as it is read.
    DocDirectoryId(OrganizationId) = directory_id
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_ids_need_the_prefix_and_exactly_sixteen_alphanumerics() {
        assert!(handshake_id("h-Ih8IuPfvV0t0abcd").is_ok());
        for bad in [
            "h-Ih8IuPfvV0t0abc",
            "h-Ih8IuPfvV0t0abcde",
            "H-Ih8IuPfvV0t0abcd",
            "h-Ih8IuPfvV0t0ab_d",
            "",
            "h-",
        ] {
            assert!(handshake_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn account_ids_are_sixteen_digits() {
        assert!(account_id("1512666876910000").is_ok());
        assert!(account_id("151266687691000").is_err());
        assert!(account_id("151266687691000a").is_err());
        assert_eq!(
            account_id("12").unwrap_err().to_string(),
            "invalid account id (16 digits): \"12\""
        );
    }

    #[test]
    fn directory_ids_take_six_to_ten_alphanumerics() {
        assert!(directory_id("rd-3G6zcw").is_ok());
        assert!(directory_id("rd-abcdef1234").is_ok());
        assert!(directory_id("rd-3G6zc").is_err());
        assert!(directory_id("rd-abcdef12345").is_err());
    }
}
