//! The seven Organizations APIs and the two bootstrap calls: each parses its input (path id,
//! `limit`/`marker`, the InviteAccount body), calls the shared rule under Organizations' policy,
//! and builds its reply with the documented field order (reference `huawei.md` §4, §5, §8).

use super::error::{ErrorCode, HwError, HwResult};
use super::policy::{self, POLICY};
use super::route::{Operation, Route};
use super::signing::percent_decode;
use crate::clock::WireTime;
use crate::domain::{
    self, AccountId, Acting, Cursor, Handshake, HandshakeId, Invitation, Listing, OrganizationId,
    Target,
};
use crate::store::{Store, WriteError};
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Serialize;
use std::sync::Arc;

/// The default page size. AMBIGUOUS: the international doc says 200, the newer EU doc 1000.
pub const DEFAULT_LIMIT: usize = 200;
/// The largest page size.
pub const MAX_LIMIT: usize = 2000;
/// The longest `notes`.
pub const MAX_NOTES_CHARS: usize = 1024;
/// The most tags an invitation carries.
pub const MAX_TAGS: usize = 20;

/// What an operation needs besides its input.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Huawei's world.
    pub store: &'a dyn Store,
    /// Emulator time.
    pub now: DateTime<Utc>,
    /// The authenticated caller's account.
    pub caller: &'a AccountId,
    /// The `Host` the client addressed, for the bootstrap replies' links.
    pub host: &'a str,
}

/// A handshake as the API shows it, fields in the documented order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandshakeDto {
    id: HandshakeId,
    urn: String,
    updated_at: WireTime,
    created_at: WireTime,
    expired_at: WireTime,
    management_account_id: AccountId,
    management_account_name: Arc<str>,
    organization_id: OrganizationId,
    notes: Arc<str>,
    target: TargetDto,
    status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct TargetDto {
    #[serde(rename = "type")]
    kind: &'static str,
    entity: String,
}

impl From<Handshake> for HandshakeDto {
    fn from(h: Handshake) -> Self {
        Self {
            urn: policy::urn(&h.manager, &h.organization, &h.id),
            id: h.id,
            updated_at: WireTime(h.modified),
            created_at: WireTime(h.created),
            expired_at: WireTime(h.expires),
            management_account_id: h.manager,
            management_account_name: h.manager_name,
            organization_id: h.organization,
            notes: h.note,
            target: TargetDto {
                kind: policy::target_type(h.target.kind),
                entity: h.target.entity,
            },
            status: policy::status(h.status),
        }
    }
}

/// `{"handshake": …}`.
#[derive(Serialize)]
struct One {
    handshake: HandshakeDto,
}

/// `{"handshakes": […], "page_info": {…}}`.
#[derive(Serialize)]
struct Many {
    handshakes: Vec<HandshakeDto>,
    page_info: PageInfo,
}

/// `next_marker` is `null` on the last page (AMBIGUOUS: null or absent; null).
#[derive(Serialize)]
struct PageInfo {
    next_marker: Option<HandshakeId>,
    current_count: usize,
}

/// `GET /v3/auth/domains`, keys in the documented order.
#[derive(Serialize)]
struct Domains {
    domains: Vec<DomainDto>,
    links: Links,
}

#[derive(Serialize)]
struct DomainDto {
    description: &'static str,
    enabled: bool,
    id: AccountId,
    links: Links,
    name: String,
}

#[derive(Serialize)]
struct Links {
    #[serde(rename = "self")]
    own: String,
}

/// `GET /v5/caller-identity`, keys in the documented order.
#[derive(Serialize)]
struct CallerIdentity {
    account_id: AccountId,
    principal_urn: String,
    principal_id: AccountId,
}

fn body<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("replies serialize to JSON")
}

fn one(handshake: Handshake) -> Vec<u8> {
    body(&One {
        handshake: handshake.into(),
    })
}

fn many(listing: Listing) -> Vec<u8> {
    let next_marker = listing
        .more
        .then(|| listing.items.last().map(|h| h.id))
        .flatten();
    body(&Many {
        page_info: PageInfo {
            next_marker,
            current_count: listing.items.len(),
        },
        handshakes: listing.items.into_iter().map(Into::into).collect(),
    })
}

/// The error of a refused rule, with why: the fact that decided it, for the journal.
fn refused(
    ctx: Context<'_>,
    acting: Acting,
    id: Option<&HandshakeId>,
    error: impl Into<WriteError>,
) -> HwError {
    match error.into() {
        WriteError::Refused(refusal) => {
            let why = ctx.store.query(|view| {
                domain::explain(view, &POLICY, acting, ctx.caller, id, &refusal, ctx.now)
            });
            HwError::from(refusal).because(why)
        }
        WriteError::Store(failed) => {
            let why = failed.to_string();
            HwError::from(failed).because(why)
        }
    }
}

/// Runs the operation `route` names and returns the reply body. `query` is the raw query,
/// `body` the raw body.
pub fn run(ctx: Context<'_>, route: &Route, query: &str, body: &[u8]) -> HwResult<Vec<u8>> {
    let id = || handshake_id(route.handshake_id.as_deref().unwrap_or_default());
    let (store, caller, now) = (ctx.store, ctx.caller, ctx.now);
    Ok(match route.operation {
        Operation::InviteAccount => {
            let invitation = invitation(body)?;
            one(store
                .transact(|view| {
                    domain::invite(view, &POLICY, caller, invitation, random_handshake_id, now)
                })
                .map_err(|e| refused(ctx, Acting::Organization, None, e))?)
        }
        Operation::ListHandshakes => {
            let (from, limit) = paging(query)?;
            let listing = store
                .query(|view| domain::list_sent(view, &POLICY, caller, from, limit, now))
                .map_err(|error| match error {
                    // Listing is also open to delegated administrators, hence another code.
                    domain::DomainError::CallerNotManager => {
                        let why = refused(ctx, Acting::Organization, None, error).why();
                        HwError::new(ErrorCode::OrganizationsNotManagementOrDelegated).because(why)
                    }
                    other => refused(ctx, Acting::Organization, None, other),
                })?;
            many(listing)
        }
        Operation::ShowHandshake => {
            let id = id()?;
            let read = store
                .query(|view| domain::read(view, &POLICY, caller, &id, now))
                .map_err(|e| refused(ctx, Acting::Reader, Some(&id), e))?;
            one(read.handshake)
        }
        Operation::CancelHandshake => {
            let id = id()?;
            one(store
                .transact(|view| domain::cancel(view, &POLICY, caller, &id, now))
                .map_err(|e| refused(ctx, Acting::Sender, Some(&id), e))?)
        }
        Operation::ListReceivedHandshakes => {
            let (from, limit) = paging(query)?;
            many(
                store
                    .query(|view| domain::list_received(view, &POLICY, caller, from, limit, now))
                    .map_err(|e| refused(ctx, Acting::Organization, None, e))?,
            )
        }
        Operation::AcceptHandshake => {
            let id = id()?;
            one(store
                .transact(|view| domain::accept(view, &POLICY, caller, &id, now))
                .map_err(|e| refused(ctx, Acting::Invitee, Some(&id), e))?)
        }
        Operation::DeclineHandshake => {
            let id = id()?;
            one(store
                .transact(|view| domain::decline(view, &POLICY, caller, &id, now))
                .map_err(|e| refused(ctx, Acting::Invitee, Some(&id), e))?)
        }
        Operation::KeystoneListAuthDomains => {
            let name = store
                .query(|view| view.account(caller))
                .map(|a| a.name)
                .unwrap_or_default();
            self::body(&Domains {
                domains: vec![DomainDto {
                    description: "",
                    enabled: true,
                    id: *caller,
                    links: Links {
                        own: format!("http://{}/v3/domains/{caller}", ctx.host),
                    },
                    name,
                }],
                links: Links {
                    own: format!("http://{}/v3/auth/domains", ctx.host),
                },
            })
        }
        Operation::GetCallerIdentity => {
            let name = store
                .query(|view| view.account(caller))
                .map(|a| a.name)
                .unwrap_or_default();
            self::body(&CallerIdentity {
                account_id: *caller,
                principal_urn: format!("iam::{caller}:user:{name}"),
                principal_id: *caller,
            })
        }
    })
}

/// The `{handshake_id}` path parameter: `^h-[0-9a-z]{8,32}$`.
fn handshake_id(raw: &str) -> HwResult<HandshakeId> {
    policy::handshake_id(raw).map_err(|_| HwError::invalid("handshake_id"))
}

/// `h-` and 32 random lower-case letters or digits, like the documented ids.
fn random_handshake_id() -> HandshakeId {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let tail: String = (0..32)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    policy::handshake_id(&format!("h-{tail}")).expect("h- and 32 lower-case alphanumerics")
}

/// `limit` (1–2000, default 200) and `marker` (4–400 of `[A-Za-z0-9+/=\-_.]`, the id of the
/// previous page's last handshake). Other query parameters are ignored; a repeated one is
/// invalid. The query is decoded as the gateway signs it: a literal `+` stays `+`.
fn paging(query: &str) -> HwResult<(Cursor, usize)> {
    let (mut limit, mut marker) = (None, None);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (percent_decode(name), percent_decode(value));
        let slot = match name.as_str() {
            "limit" => &mut limit,
            "marker" => &mut marker,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(HwError::invalid(&name));
        }
    }
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| HwError::invalid("limit"))?,
    };
    let from = match marker {
        None => Cursor::Offset(0),
        Some(text) => {
            let well_formed = (4..=400).contains(&text.len())
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=-_.".contains(&b));
            if !well_formed {
                return Err(HwError::invalid("marker"));
            }
            Cursor::After(policy::handshake_id(&text).map_err(|_| HwError::invalid("marker"))?)
        }
    };
    Ok((from, limit))
}

/// The InviteAccount body, parsed as JSON whatever its Content-Type (trailing white space, as
/// the Go SDK's `\n`, is fine): `target` {`type` `account`|`name`, `entity` 1–100}, `notes`
/// (required, `""` allowed, at most 1024 characters; AMBIGUOUS: the response tables call it
/// optional), `tags` (at most 20 `{key, value}`; stored, never returned). Unknown fields are
/// ignored.
fn invitation(body: &[u8]) -> HwResult<Invitation> {
    use serde_json::Value;
    let body: Value = serde_json::from_slice(body).map_err(|_| HwError::invalid("body"))?;
    let body = body.as_object().ok_or_else(|| HwError::invalid("body"))?;
    let target = body
        .get("target")
        .and_then(Value::as_object)
        .ok_or_else(|| HwError::invalid("target"))?;
    let kind = target
        .get("type")
        .and_then(Value::as_str)
        .and_then(policy::parse_target_type)
        .ok_or_else(|| HwError::invalid("target.type"))?;
    let entity = target
        .get("entity")
        .and_then(Value::as_str)
        .filter(|e| (1..=100).contains(&e.chars().count()))
        .ok_or_else(|| HwError::invalid("target.entity"))?;
    let notes = body
        .get("notes")
        .and_then(Value::as_str)
        .filter(|n| n.chars().count() <= MAX_NOTES_CHARS)
        .ok_or_else(|| HwError::invalid("notes"))?;
    let tags = match body.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(tags)) if tags.len() <= MAX_TAGS => tags
            .iter()
            .map(tag)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| HwError::invalid("tags"))?,
        Some(_) => return Err(HwError::invalid("tags")),
    };
    Ok(Invitation {
        target: Target {
            kind,
            entity: entity.to_owned(),
        },
        note: notes.to_owned(),
        tags,
    })
}

/// One tag: `key` 1–128 of letters, digits, spaces and `_.:=+-@`, not starting with `_sys_` and
/// not ending in a space; `value` 0–255 of the same and `/`.
fn tag(value: &serde_json::Value) -> Option<(String, String)> {
    let key = value.get("key")?.as_str()?;
    let text = value.get("value")?.as_str()?;
    let allowed = |c: char, extra: &str| {
        c.is_alphanumeric() || c == ' ' || "_.:=+-@".contains(c) || extra.contains(c)
    };
    let key_ok = (1..=128).contains(&key.chars().count())
        && !key.starts_with("_sys_")
        && !key.ends_with(char::is_whitespace)
        && key.chars().all(|c| allowed(c, ""));
    let value_ok = text.chars().count() <= 255 && text.chars().all(|c| allowed(c, "/"));
    (key_ok && value_ok).then(|| (key.to_owned(), text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_takes_limit_and_a_marker_and_refuses_anything_off_pattern() {
        assert_eq!(paging("").unwrap(), (Cursor::Offset(0), DEFAULT_LIMIT));
        let (from, limit) = paging("limit=1&marker=h-awjp43m7bz3b8jgy5v61jrfwakt3og8w").unwrap();
        assert_eq!(limit, 1);
        assert!(matches!(from, Cursor::After(_)));
        for bad in [
            "limit=0",
            "limit=2001",
            "limit=x",
            "limit=1&limit=2",
            "marker=abc",
            "marker=a%20b%2Fc%2Bd~e%C3%A9%3D%26",
            "marker=bWFya2VyLTE%3D",
        ] {
            let err = paging(bad).unwrap_err();
            assert_eq!(
                err.code(),
                ErrorCode::OrganizationsInvalidParameter,
                "{bad}"
            );
        }
        assert_eq!(
            paging("marker=abc").unwrap_err().message(),
            "Invalid parameter: marker."
        );
    }

    #[test]
    fn an_invitation_body_is_parsed_and_each_bad_field_is_named() {
        let sent = invitation(br#"{"target": {"type": "name", "entity": "paas_iam_573332"}, "notes": "Welcome \u2014 join us", "tags": [{"key": "env", "value": "test"}, {"key": "team", "value": ""}]}"#).unwrap();
        assert_eq!(sent.target.entity, "paas_iam_573332");
        assert_eq!(sent.note, "Welcome \u{2014} join us");
        assert_eq!(sent.tags.len(), 2);
        assert!(
            invitation(b"{\"target\":{\"type\":\"account\",\"entity\":\"x\"},\"notes\":\"\"}\n")
                .is_ok()
        );
        for (body, name) in [
            (&b"not json"[..], "body"),
            (b"[1]", "body"),
            (br#"{"notes": ""}"#, "target"),
            (br#"{"target": {"type": "email", "entity": "a@b.c"}, "notes": ""}"#, "target.type"),
            (br#"{"target": {"type": "account", "entity": ""}, "notes": ""}"#, "target.entity"),
            (br#"{"target": {"type": "account", "entity": "x"}}"#, "notes"),
            (br#"{"target": {"type": "account", "entity": "x"}, "notes": "", "tags": [{"key": "_sys_x", "value": ""}]}"#, "tags"),
            (br#"{"target": {"type": "account", "entity": "x"}, "notes": "", "tags": {}}"#, "tags"),
        ] {
            let err = invitation(body).unwrap_err();
            assert_eq!(err.message(), format!("Invalid parameter: {name}."), "{}", String::from_utf8_lossy(body));
        }
        let long = format!(
            r#"{{"target": {{"type": "account", "entity": "x"}}, "notes": "{}"}}"#,
            "n".repeat(1025)
        );
        assert_eq!(
            invitation(long.as_bytes()).unwrap_err().message(),
            "Invalid parameter: notes."
        );
    }

    #[test]
    fn new_ids_have_the_documented_shape() {
        let id = random_handshake_id();
        assert_eq!(id.as_str().len(), 34);
        assert!(policy::handshake_id(id.as_str()).is_ok());
    }
}
