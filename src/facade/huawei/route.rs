//! Routing on the raw path (reference `huawei.md` §1.1, §1.4): split the path as received on
//! `/`, match a template, then percent-decode the `{handshake_id}` segment. Signing decodes the
//! whole path instead, so `%2F` inside an id is one segment here and a separator there.
//! Routing comes before authentication: an unknown path or method is `APIGW.0101` even unsigned.

use super::signing::percent_decode;

/// An operation the Organizations endpoint (or the SDK's IAM/STS bootstrap) serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /v1/organizations/accounts/invite`.
    InviteAccount,
    /// `GET /v1/organizations/handshakes`.
    ListHandshakes,
    /// `GET /v1/organizations/handshakes/{handshake_id}`.
    ShowHandshake,
    /// `POST /v1/organizations/handshakes/{handshake_id}/cancel`.
    CancelHandshake,
    /// `GET /v1/received-handshakes`.
    ListReceivedHandshakes,
    /// `POST /v1/received-handshakes/{handshake_id}/accept`.
    AcceptHandshake,
    /// `POST /v1/received-handshakes/{handshake_id}/decline`.
    DeclineHandshake,
    /// `GET /v3/auth/domains` (IAM): the caller's account, for the SDK's domain-id bootstrap.
    KeystoneListAuthDomains,
    /// `GET /v5/caller-identity` (STS): the bootstrap's fallback.
    GetCallerIdentity,
}

impl Operation {
    /// Every operation, in declaration order.
    pub const ALL: [Operation; 9] = [
        Self::InviteAccount,
        Self::ListHandshakes,
        Self::ShowHandshake,
        Self::CancelHandshake,
        Self::ListReceivedHandshakes,
        Self::AcceptHandshake,
        Self::DeclineHandshake,
        Self::KeystoneListAuthDomains,
        Self::GetCallerIdentity,
    ];

    /// Every operation's name (fault rules and the journal use them).
    pub const NAMES: &'static [&'static str] = &[
        "InviteAccount",
        "ListHandshakes",
        "ShowHandshake",
        "CancelHandshake",
        "ListReceivedHandshakes",
        "AcceptHandshake",
        "DeclineHandshake",
        "KeystoneListAuthDomains",
        "GetCallerIdentity",
    ];

    /// The operation's name, as the SDK's method is called in the API reference.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        let index = Self::ALL
            .iter()
            .position(|op| *op == self)
            .expect("every operation is in ALL");
        Self::NAMES[index]
    }

    /// The method and path of a request for this operation; `handshake_id` goes into the path
    /// as given (already encoded), empty if absent.
    #[must_use]
    pub fn request_line(self, handshake_id: Option<&str>) -> (&'static str, String) {
        let id = handshake_id.unwrap_or_default();
        match self {
            Self::InviteAccount => ("POST", "/v1/organizations/accounts/invite".into()),
            Self::ListHandshakes => ("GET", "/v1/organizations/handshakes".into()),
            Self::ShowHandshake => ("GET", format!("/v1/organizations/handshakes/{id}")),
            Self::CancelHandshake => ("POST", format!("/v1/organizations/handshakes/{id}/cancel")),
            Self::ListReceivedHandshakes => ("GET", "/v1/received-handshakes".into()),
            Self::AcceptHandshake => ("POST", format!("/v1/received-handshakes/{id}/accept")),
            Self::DeclineHandshake => ("POST", format!("/v1/received-handshakes/{id}/decline")),
            Self::KeystoneListAuthDomains => ("GET", "/v3/auth/domains".into()),
            Self::GetCallerIdentity => ("GET", "/v5/caller-identity".into()),
        }
    }

    /// The IAM action a policy would name (the `Organizations.1007` message).
    #[must_use]
    pub const fn iam_action(self) -> &'static str {
        match self {
            Self::InviteAccount => "organizations:accounts:invite",
            Self::ListHandshakes => "organizations:handshakes:list",
            Self::ShowHandshake => "organizations:handshakes:get",
            Self::CancelHandshake => "organizations:handshakes:cancel",
            Self::ListReceivedHandshakes => "organizations:receivedHandshakes:list",
            Self::AcceptHandshake => "organizations:handshakes:accept",
            Self::DeclineHandshake => "organizations:handshakes:decline",
            Self::KeystoneListAuthDomains => "iam:domains:list",
            Self::GetCallerIdentity => "sts:callerIdentity:get",
        }
    }
}

/// A matched request: the operation and, for per-handshake ones, the decoded id segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// What is called.
    pub operation: Operation,
    /// The `{handshake_id}` segment, percent-decoded (not yet validated).
    pub handshake_id: Option<String>,
}

/// Matches `method` and the raw `path`; `None` is `APIGW.0101`. AMBIGUOUS: a trailing `/` (which
/// the SDKs never send) is taken as the route without it.
#[must_use]
pub fn route(method: &str, path: &str) -> Option<Route> {
    let path = path
        .strip_suffix('/')
        .filter(|rest| !rest.is_empty())
        .unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let (operation, id) = match (method, segments.as_slice()) {
        ("POST", ["", "v1", "organizations", "accounts", "invite"]) => {
            (Operation::InviteAccount, None)
        }
        ("GET", ["", "v1", "organizations", "handshakes"]) => (Operation::ListHandshakes, None),
        ("GET", ["", "v1", "organizations", "handshakes", id]) => {
            (Operation::ShowHandshake, Some(*id))
        }
        ("POST", ["", "v1", "organizations", "handshakes", id, "cancel"]) => {
            (Operation::CancelHandshake, Some(*id))
        }
        ("GET", ["", "v1", "received-handshakes"]) => (Operation::ListReceivedHandshakes, None),
        ("POST", ["", "v1", "received-handshakes", id, "accept"]) => {
            (Operation::AcceptHandshake, Some(*id))
        }
        ("POST", ["", "v1", "received-handshakes", id, "decline"]) => {
            (Operation::DeclineHandshake, Some(*id))
        }
        ("GET", ["", "v3", "auth", "domains"]) => (Operation::KeystoneListAuthDomains, None),
        ("GET", ["", "v5", "caller-identity"]) => (Operation::GetCallerIdentity, None),
        _ => return None,
    };
    if id.is_some_and(str::is_empty) {
        return None;
    }
    Some(Route {
        operation,
        handshake_id: id.map(percent_decode),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_route_matches_and_only_with_its_method() {
        let id = Some("h-awjp43m7bz3b8jgy5v61jrfwakt3og8w".to_owned());
        for (method, path, operation, handshake_id) in [
            (
                "POST",
                "/v1/organizations/accounts/invite",
                Operation::InviteAccount,
                None,
            ),
            (
                "GET",
                "/v1/organizations/handshakes",
                Operation::ListHandshakes,
                None,
            ),
            (
                "GET",
                "/v1/organizations/handshakes/h-awjp43m7bz3b8jgy5v61jrfwakt3og8w",
                Operation::ShowHandshake,
                id.clone(),
            ),
            (
                "POST",
                "/v1/organizations/handshakes/h-awjp43m7bz3b8jgy5v61jrfwakt3og8w/cancel",
                Operation::CancelHandshake,
                id.clone(),
            ),
            (
                "GET",
                "/v1/received-handshakes/",
                Operation::ListReceivedHandshakes,
                None,
            ),
            (
                "POST",
                "/v1/received-handshakes/h-awjp43m7bz3b8jgy5v61jrfwakt3og8w/accept",
                Operation::AcceptHandshake,
                id.clone(),
            ),
            (
                "POST",
                "/v1/received-handshakes/h-awjp43m7bz3b8jgy5v61jrfwakt3og8w/decline",
                Operation::DeclineHandshake,
                id,
            ),
            (
                "GET",
                "/v3/auth/domains",
                Operation::KeystoneListAuthDomains,
                None,
            ),
            (
                "GET",
                "/v5/caller-identity",
                Operation::GetCallerIdentity,
                None,
            ),
        ] {
            assert_eq!(
                route(method, path),
                Some(Route {
                    operation,
                    handshake_id
                }),
                "{method} {path}"
            );
            let other = if method == "GET" { "POST" } else { "GET" };
            assert_eq!(route(other, path), None, "{other} {path}");
        }
        for path in [
            "/v1/organizations",
            "/v1/organizations/handshakes//cancel",
            "/v2/caller-identity",
            "/v1/received-handshakes/x/accept/now",
        ] {
            assert_eq!(route("POST", path), None, "{path}");
            assert_eq!(route("GET", path), None, "{path}");
        }
    }

    #[test]
    fn an_encoded_slash_stays_inside_the_id_segment() {
        let matched = route(
            "POST",
            "/v1/received-handshakes/h-a%20b%2Ac~d%2Fe%2Bf%C3%A9/accept",
        )
        .unwrap();
        assert_eq!(matched.handshake_id.as_deref(), Some("h-a b*c~d/e+fé"));
        for op in Operation::ALL {
            assert!(Operation::NAMES.contains(&op.as_str()));
        }
    }
}
