//! The console: a page at `/_emulator/ui` for people, over the control plane. The page, its
//! script and its style sheet are compiled in (`console/`), fetch nothing from the network
//! (a Content-Security-Policy says so to the browser) and need no build step. The JSON it reads
//! beyond the rest of the control plane is here, read-only and paged on the server, so a world
//! of a million handshakes browses as fast as the default one:
//!
//! - `GET /_emulator/handshakes?cloud=&status=&q=&offset=&after=&limit=`: both clouds' (or one
//!   cloud's) invitations newest first, as of the emulator clock. `status` is a neutral status
//!   (`pending`, `accepted`, `cancelled`, `declined`, `expired`); `q` is a handshake id, an
//!   organization id (its sent invitations), an account id, email or name (its received ones),
//!   or else text looked for in ids and targets. `next` is the cursor of the following page. A
//!   status filter or text search examines at most [`SCAN_BUDGET`] handshakes per cloud and
//!   request, then answers `partial` with what it found and a cursor that goes on.
//! - `GET /_emulator/organizations|accounts|access_keys?cloud=&q=&offset=&limit=`: in id order,
//!   Alibaba's then Huawei's; `q` looks one up by id (accounts: by email or name too).
//! - `GET /_emulator/journal?cloud=&action=&code=&key=&limit=&since=`: the journal newest first;
//!   with `since` equal to the current `version`, only `{"version", "unchanged": true}`.
//! - `GET /_emulator/journal/{request_id}/curl`: that request as a curl command, signed afresh.
//! - `GET /_emulator/catalog`: each cloud's operations, for the fault form.
//!
//! Every call, the page's included, follows the control plane's admin-token rule.

use super::http::{Answer, ControlError, ControlState, State, authorize};
use super::journal::{Filter, JournalEntry};
use super::{Cloud, Dialect};
use crate::clock::{Clock, wire_time};
use crate::domain::{
    Account, AccountType, Credential, Cursor, Handshake, HandshakeId, List, Organization,
    OrganizationId, Page, RealNameType, Secret, Status, TargetKind, View,
};
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::cmp::Reverse;
use std::sync::Arc;

/// The page.
pub const PAGE: &str = include_str!("console/index.html");
/// Its script.
pub const SCRIPT: &str = include_str!("console/console.js");
/// Its style sheet.
pub const STYLE: &str = include_str!("console/console.css");

/// What the browser may load: the page's own script, style and calls, nothing else.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The most items one page holds.
pub const MAX_LIMIT: usize = 500;
/// Items per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 50;
/// How many handshakes one request examines in each cloud for a status filter or a text search
/// before it answers with what it found: a rare match in a world of a million would otherwise
/// scan it all in one request. The page is then `partial` and its cursor goes on from there.
pub const SCAN_BUDGET: usize = 50_000;
/// How many handshakes a scan reads from the store at a time.
const SCAN_CHUNK: usize = 2_000;
/// How far `offset` may reach when both clouds' lists are merged (each must be read that far);
/// one cloud's list skips any offset for free, and `after` pages any distance.
pub const MAX_MERGED_OFFSET: usize = 10_000;

/// The console's routes, added to the control plane's scope. Paths that share a handler share
/// a resource: each handler costs the binary its own copy of actix's service machinery.
pub fn routes(config: &mut web::ServiceConfig) {
    let get = |paths: &[&str]| web::resource(paths.to_vec());
    config
        .service(
            get(&["/ui", "/ui/", "/ui/console.js", "/ui/console.css"]).route(web::get().to(asset)),
        )
        .service(get(&["/handshakes"]).route(web::get().to(handshakes)))
        .service(get(&["/organizations", "/accounts", "/access_keys"]).route(web::get().to(tables)))
        .service(get(&["/journal"]).route(web::get().to(journal)))
        .service(get(&["/journal/{request_id}/curl"]).route(web::get().to(curl)))
        .service(get(&["/catalog"]).route(web::get().to(catalog)));
}

/// What the fault form offers: each cloud's operations.
async fn catalog(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let operations: serde_json::Map<String, Value> = Cloud::ALL
        .into_iter()
        .map(|cloud| {
            let names = state.backend.catalog(cloud).operations;
            (cloud.as_str().to_owned(), json!(names))
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "operations": operations })))
}

async fn asset(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let (content_type, body) = match req.path().rsplit('/').next() {
        Some("console.js") => ("text/javascript; charset=utf-8", SCRIPT),
        Some("console.css") => ("text/css; charset=utf-8", STYLE),
        _ => ("text/html; charset=utf-8", PAGE),
    };
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        // Small and local: always revalidate, so a new binary's page is never stale.
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(body))
}

fn query<T: for<'de> Deserialize<'de>>(req: &HttpRequest, names: &str) -> Result<T, ControlError> {
    serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ControlError::BadRequest(format!("invalid query: {e} (parameters: {names})")))
}

fn limit(limit: Option<usize>) -> Result<usize, ControlError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        0 => Err(ControlError::BadRequest(format!(
            "limit must be 1 to {MAX_LIMIT}"
        ))),
        n => Ok(n.min(MAX_LIMIT)),
    }
}

fn clouds(cloud: Option<Cloud>) -> Vec<Cloud> {
    cloud.map_or_else(|| Cloud::ALL.to_vec(), |c| vec![c])
}

fn non_empty(q: Option<&str>) -> Option<&str> {
    q.map(str::trim).filter(|q| !q.is_empty())
}

// ---- Handshakes ------------------------------------------------------------------------------

/// Parameters of `GET /_emulator/handshakes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HandshakesQuery {
    cloud: Option<Cloud>,
    status: Option<String>,
    q: Option<String>,
    offset: Option<usize>,
    after: Option<String>,
    limit: Option<usize>,
}

/// A neutral status as the console names it.
const fn status_name(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Accepted => "accepted",
        Status::Cancelled => "cancelled",
        Status::Declined => "declined",
        Status::Expired => "expired",
    }
}

fn parse_status(text: &str) -> Result<Status, ControlError> {
    [
        Status::Pending,
        Status::Accepted,
        Status::Cancelled,
        Status::Declined,
        Status::Expired,
    ]
    .into_iter()
    .find(|s| status_name(*s).eq_ignore_ascii_case(text))
    .ok_or_else(|| {
        ControlError::BadRequest(format!(
            "unknown status {text:?} (pending, accepted, cancelled, declined, expired)"
        ))
    })
}

/// Where one cloud's part of the answer comes from, as `q` resolves in its world.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A list of the store's.
    List(List),
    /// One handshake, found by id.
    One(HandshakeId),
    /// Every handshake whose id or target contains this (lower-case) text.
    Text(String),
    /// Nothing: `q` named something exactly in another cloud, so this one is not scanned.
    Skip,
}

/// How `q` resolves in `view`, and what the console calls that match.
fn source(view: &dyn View, q: Option<&str>) -> (Source, &'static str) {
    let Some(q) = q else {
        return (Source::List(List::All), "all");
    };
    if let Ok(id) = HandshakeId::parse(q)
        && view.handshake(&id).is_some()
    {
        return (Source::One(id), "handshake");
    }
    if let Ok(id) = OrganizationId::parse(q)
        && view.organization(&id).is_some()
    {
        return (Source::List(List::Sent(id)), "organization");
    }
    for kind in [TargetKind::Id, TargetKind::Email, TargetKind::Name] {
        if let Some(account) = view.account_named(kind, q) {
            return (Source::List(List::Received(account)), "account");
        }
    }
    (Source::Text(q.to_ascii_lowercase()), "text")
}

/// One cloud's position in a merged listing: not started, after a handshake, or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Start,
    After(HandshakeId),
    Done,
}

/// `alibaba:h-…,huawei:` (empty: that cloud is done); a cloud not named starts at the top.
fn parse_after(text: &str) -> Result<Vec<(Cloud, Position)>, ControlError> {
    let bad = || ControlError::BadRequest(format!("invalid cursor {text:?}: pass back `next`"));
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (cloud, id) = part.split_once(':').ok_or_else(bad)?;
            let cloud = Cloud::ALL
                .into_iter()
                .find(|c| c.as_str() == cloud)
                .ok_or_else(bad)?;
            let position = if id.is_empty() {
                Position::Done
            } else {
                Position::After(HandshakeId::parse(id).map_err(|_| bad())?)
            };
            Ok((cloud, position))
        })
        .collect()
}

fn format_after(positions: &[(Cloud, Position)]) -> Option<String> {
    if positions.iter().all(|(_, p)| *p == Position::Done) {
        return None;
    }
    let parts: Vec<String> = positions
        .iter()
        .filter_map(|(cloud, position)| match position {
            Position::Start => None,
            Position::After(id) => Some(format!("{cloud}:{id}")),
            Position::Done => Some(format!("{cloud}:")),
        })
        .collect();
    Some(parts.join(","))
}

/// What one cloud contributes: candidates in list order, whether more follow them, the total
/// when it is known without a scan, and what `q` matched.
struct Part {
    cloud: Cloud,
    page: Page,
    total: Option<usize>,
    matched: &'static str,
    /// Where a scan ran out of budget: the last handshake it examined.
    frontier: Option<Arc<Handshake>>,
}

/// Up to `limit` handshakes of `list` from `from` that `keep` keeps, examining at most
/// [`SCAN_BUDGET`] of them; with the last one examined when the budget ran out first. `None` if
/// an `After` cursor is not in the list.
fn scan(
    view: &dyn View,
    list: List,
    from: Cursor,
    limit: usize,
    keep: &dyn Fn(&Handshake) -> bool,
) -> Option<(Page, Option<Arc<Handshake>>)> {
    let (mut cursor, mut to_skip) = match from {
        Cursor::Offset(skip) => (Cursor::Offset(0), skip),
        after @ Cursor::After(_) => (after, 0),
    };
    let mut items = Vec::new();
    let mut examined = 0;
    loop {
        let chunk = view.page(list, cursor, SCAN_CHUNK, None)?;
        for handshake in &chunk.items {
            examined += 1;
            if !keep(handshake) {
                continue;
            }
            if to_skip > 0 {
                to_skip -= 1;
            } else if items.len() == limit {
                return Some((Page { items, more: true }, None));
            } else {
                items.push(handshake.clone());
            }
        }
        let examined_last = match chunk.items.last() {
            Some(handshake) if chunk.more => handshake.clone(),
            _ => return Some((Page { items, more: false }, None)),
        };
        if examined >= SCAN_BUDGET {
            return Some((Page { items, more: true }, Some(examined_last)));
        }
        cursor = Cursor::After(examined_last.id);
    }
}

/// Whether `hay` contains `needle` (lower-case), ASCII case folded, without allocating.
fn contains_folded(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[allow(
    clippy::too_many_arguments,
    reason = "one cloud's page: the view, the question and its position"
)]
fn part(
    view: &dyn View,
    cloud: Cloud,
    (source, matched): (Source, &'static str),
    status: Option<Status>,
    now: DateTime<Utc>,
    from: Cursor,
    limit: usize,
    done: bool,
) -> Result<Part, ControlError> {
    let keep_status = |h: &Handshake| status.is_none_or(|s| h.status_at(now) == s);
    let empty = |total| Part {
        cloud,
        page: Page::default(),
        total,
        matched,
        frontier: None,
    };
    let (list, text) = match &source {
        Source::One(id) => {
            let found = view.handshake(id).filter(|h| keep_status(h));
            let total = usize::from(found.is_some());
            let first = matches!(from, Cursor::Offset(0));
            return Ok(Part {
                cloud,
                page: Page {
                    items: found.filter(|_| first && !done).into_iter().collect(),
                    more: false,
                },
                total: Some(total),
                matched,
                frontier: None,
            });
        }
        Source::List(list) => (*list, None),
        Source::Text(text) => (List::All, Some(text.as_str())),
        Source::Skip => return Ok(empty(Some(0))),
    };
    let total = (status.is_none() && text.is_none()).then(|| view.list_len(list));
    if done {
        return Ok(empty(total));
    }
    let keep = |h: &Handshake| {
        keep_status(h)
            && text.is_none_or(|t| {
                contains_folded(h.id.as_str(), t) || contains_folded(&h.target.entity, t)
            })
    };
    let unknown_cursor = || {
        ControlError::BadRequest(
            "the cursor names a handshake no longer in this list: start again".into(),
        )
    };
    let (page, frontier) = if status.is_some() || text.is_some() {
        scan(view, list, from, limit, &keep).ok_or_else(unknown_cursor)?
    } else {
        (
            view.page(list, from, limit, None)
                .ok_or_else(unknown_cursor)?,
            None,
        )
    };
    Ok(Part {
        cloud,
        page,
        total,
        matched,
        frontier,
    })
}

/// A handshake as the console shows it: as of `now`, in neutral and wire spelling.
fn handshake_json(cloud: Cloud, dialect: Dialect, stored: &Handshake, now: DateTime<Utc>) -> Value {
    let shown = stored.as_of(now);
    json!({
        "cloud": cloud,
        "id": shown.id.as_str(),
        "status": status_name(shown.status),
        "wire_status": (dialect.status)(shown.status),
        "stored_status": status_name(stored.status),
        "organization": shown.organization.as_str(),
        "manager": shown.manager.as_str(),
        "manager_name": &*shown.manager_name,
        "target_type": (dialect.target_type)(shown.target.kind),
        "target": shown.target.entity,
        "note": &*shown.note,
        "tags": shown.tags,
        "created": wire_time(shown.created),
        "modified": wire_time(shown.modified),
        "expires": wire_time(shown.expires),
        // A finished invitation past its cloud's retention is kept but shown by no API.
        "retained": stored.retained_at(now, dialect.retention),
    })
}

/// Where `cloud` stood according to the cursor.
fn position_of(after: Option<&[(Cloud, Position)]>, cloud: Cloud) -> Position {
    after
        .and_then(|a| a.iter().find(|(c, _)| *c == cloud).map(|(_, p)| *p))
        .unwrap_or(Position::Start)
}

/// The cursor after a page: each cloud goes on after the last of its items the page consumed
/// (skipped or shown), and is done once all its items are consumed and its list has no more.
fn positions(
    parts: &[Part],
    consumed: &[(Cloud, &Arc<Handshake>)],
    after: Option<&[(Cloud, Position)]>,
) -> Vec<(Cloud, Position)> {
    parts
        .iter()
        .map(|p| {
            let used = consumed.iter().filter(|(c, _)| *c == p.cloud).count();
            let position = if used == p.page.items.len() && !p.page.more {
                Position::Done
            } else if let Some(frontier) =
                p.frontier.as_ref().filter(|_| used == p.page.items.len())
            {
                // All it found is on the page: go on scanning where it stopped.
                Position::After(frontier.id)
            } else {
                consumed
                    .iter()
                    .rev()
                    .find(|(c, _)| *c == p.cloud)
                    .map_or(position_of(after, p.cloud), |(_, h)| Position::After(h.id))
            };
            (p.cloud, position)
        })
        .collect()
}

/// The sort key of the merged listing: newest first, then by id (each cloud's own order), then
/// by cloud.
fn merged_key(cloud: Cloud, h: &Handshake) -> (Reverse<i64>, HandshakeId, &'static str) {
    (Reverse(h.created.timestamp()), h.id, cloud.as_str())
}

async fn handshakes(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let query: HandshakesQuery = query(&req, "cloud, status, q, offset, after, limit")?;
    let limit = limit(query.limit)?;
    let status = query.status.as_deref().map(parse_status).transpose()?;
    let q = non_empty(query.q.as_deref());
    let clouds = clouds(query.cloud);
    let offset = query.offset.unwrap_or(0);
    if query.after.is_some() && offset > 0 {
        return Err(ControlError::BadRequest(
            "give offset or after, not both".into(),
        ));
    }
    if clouds.len() > 1 && offset > MAX_MERGED_OFFSET {
        return Err(ControlError::BadRequest(format!(
            "offset over both clouds reaches at most {MAX_MERGED_OFFSET}: name a cloud or page with after"
        )));
    }
    let after = query.after.as_deref().map(parse_after).transpose()?;
    let now = state.clock.now();
    // One cloud skips `offset` in its store; merged clouds read `offset + limit` each and skip
    // while merging.
    let (from, take) = match (&after, clouds.len()) {
        (Some(_), _) => (Cursor::Offset(0), limit),
        (None, 1) => (Cursor::Offset(offset), limit),
        (None, _) => (Cursor::Offset(0), offset + limit),
    };
    // What `q` names in each cloud; a cloud where it names nothing exactly is not scanned for
    // it as text when another cloud has it exactly (an id typed is that id).
    let mut sources: Vec<(Source, &'static str)> = clouds
        .iter()
        .map(|&cloud| state.backend.store(cloud).query(|view| source(view, q)))
        .collect();
    if sources.iter().any(|(s, _)| !matches!(s, Source::Text(_))) {
        for (source, matched) in &mut sources {
            if matches!(source, Source::Text(_)) {
                (*source, *matched) = (Source::Skip, "nothing");
            }
        }
    }
    let mut parts = Vec::new();
    for (&cloud, source) in clouds.iter().zip(sources) {
        let position = position_of(after.as_deref(), cloud);
        let from = match position {
            Position::After(id) => Cursor::After(id),
            _ => from,
        };
        let done = position == Position::Done;
        let store = state.backend.store(cloud);
        parts.push(store.query(|view| part(view, cloud, source, status, now, from, take, done))?);
    }
    let mut merged: Vec<(Cloud, &Arc<Handshake>)> = parts
        .iter()
        .flat_map(|p| p.page.items.iter().map(move |h| (p.cloud, h)))
        .collect();
    merged.sort_unstable_by_key(|(cloud, h)| merged_key(*cloud, h));
    // A cloud whose scan stopped short has examined nothing older than its frontier: nothing of
    // another cloud older than that may be shown yet, or the order would break.
    if let Some(cut) = parts
        .iter()
        .filter_map(|p| p.frontier.as_ref().map(|h| merged_key(p.cloud, h)))
        .min()
    {
        merged.retain(|(cloud, h)| merged_key(*cloud, h) <= cut);
    }
    let skip = if after.is_none() && clouds.len() > 1 {
        offset
    } else {
        0
    };
    let consumed = &merged[..merged.len().min(skip + limit)];
    let shown = &consumed[skip.min(consumed.len())..];
    let positions = positions(&parts, consumed, after.as_deref());
    let total = parts
        .iter()
        .map(|p| p.total)
        .try_fold(0, |sum, t| t.map(|t| sum + t));
    let items: Vec<Value> = shown
        .iter()
        .map(|(cloud, h)| handshake_json(*cloud, state.backend.dialect(*cloud), h, now))
        .collect();
    let matched: Value = parts
        .iter()
        .map(|p| (p.cloud.as_str().to_owned(), Value::from(p.matched)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    Ok(HttpResponse::Ok().json(json!({
        "now": wire_time(now),
        "handshakes": items,
        "total": total,
        "next": format_after(&positions),
        "matched": matched,
        "partial": parts.iter().any(|p| p.frontier.is_some()),
    })))
}

// ---- Organizations, accounts, access keys ------------------------------------------------------

/// Parameters of the id-ordered tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableQuery {
    cloud: Option<Cloud>,
    q: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

/// A table of one kind of thing, per cloud: how many there are, a page of them, and the
/// look-up of `q`.
struct Table {
    count: fn(&dyn View) -> usize,
    page: fn(&dyn View, Seen, usize, usize) -> Vec<Value>,
    find: fn(&dyn View, Seen, &str) -> Vec<Value>,
}

/// Whose item and when: the cloud, and the emulator clock's now (key expiry).
#[derive(Debug, Clone, Copy)]
struct Seen {
    cloud: Cloud,
    now: DateTime<Utc>,
}

/// `clouds`' tables one after the other: `offset` counts across them.
fn table(req: &HttpRequest, state: &ControlState, table: &Table, key: &str) -> Answer {
    authorize(req, state)?;
    let query: TableQuery = query(req, "cloud, q, offset, limit")?;
    let limit = limit(query.limit)?;
    let mut items = Vec::new();
    let mut total = 0;
    let mut skip = query.offset.unwrap_or(0);
    let now = state.clock.now();
    for cloud in clouds(query.cloud) {
        let store = state.backend.store(cloud);
        let seen = Seen { cloud, now };
        store.query(|view| {
            if let Some(q) = non_empty(query.q.as_deref()) {
                let found = (table.find)(view, seen, q);
                total += found.len();
                items.extend(found);
                return;
            }
            let count = (table.count)(view);
            total += count;
            if items.len() < limit && skip < count {
                items.extend((table.page)(view, seen, skip, limit - items.len()));
            }
            skip = skip.saturating_sub(count);
        });
    }
    items.truncate(limit);
    Ok(HttpResponse::Ok().json(json!({ key: items, "total": total })))
}

fn organization_json(view: &dyn View, seen: Seen, o: &Organization) -> Value {
    let manager = view.account(&o.manager);
    json!({
        "cloud": seen.cloud,
        "id": o.id.as_str(),
        "manager": o.manager.as_str(),
        "manager_name": manager.map(|a| a.name),
        "members": view.members(&o.id),
        "member_quota": o.member_quota,
        "sent": view.list_len(List::Sent(o.id)),
    })
}

fn account_json(view: &dyn View, seen: Seen, a: &Account) -> Value {
    json!({
        "cloud": seen.cloud,
        "id": a.id.as_str(),
        "name": a.name,
        "email": a.email,
        "type": match a.account_type {
            AccountType::Enterprise => "enterprise",
            AccountType::Personal => "personal",
        },
        "real_name_type": match a.real_name_type {
            RealNameType::Enterprise => "enterprise",
            RealNameType::Individual => "individual",
            RealNameType::None => "none",
        },
        "organization": a.organization.map(|o| o.as_str().to_owned()),
        "received": view.list_len(List::Received(a.id)),
    })
}

fn credential_json(seen: Seen, c: &Credential) -> Value {
    json!({
        "cloud": seen.cloud,
        "id": c.access_key_id,
        "secret": c.secret.expose(),
        "account_id": c.account_id.as_str(),
        "security_token": c.security_token.as_ref().map(Secret::expose),
        "expiration": c.expiration.map(wire_time),
        "expired": c.expiration.is_some_and(|at| seen.now >= at),
        "disabled": c.disabled,
    })
}

const ORGANIZATIONS: Table = Table {
    count: |view| view.counts().organizations,
    page: |view, seen, offset, limit| {
        view.organizations(offset, limit)
            .iter()
            .map(|o| organization_json(view, seen, o))
            .collect()
    },
    find: |view, seen, q| {
        OrganizationId::parse(q)
            .ok()
            .and_then(|id| view.organization(&id))
            .map(|o| organization_json(view, seen, &o))
            .into_iter()
            .collect()
    },
};

const ACCOUNTS: Table = Table {
    count: |view| view.counts().accounts,
    page: |view, seen, offset, limit| {
        view.accounts(offset, limit)
            .iter()
            .map(|a| account_json(view, seen, a))
            .collect()
    },
    find: |view, seen, q| {
        [TargetKind::Id, TargetKind::Email, TargetKind::Name]
            .into_iter()
            .find_map(|kind| view.account_named(kind, q))
            .and_then(|id| view.account(&id))
            .map(|a| account_json(view, seen, &a))
            .into_iter()
            .collect()
    },
};

const ACCESS_KEYS: Table = Table {
    count: |view| view.counts().access_keys,
    page: |view, seen, offset, limit| {
        view.credentials(offset, limit)
            .iter()
            .map(|c| credential_json(seen, c))
            .collect()
    },
    find: |view, seen, q| {
        view.credential(q)
            .map(|c| credential_json(seen, &c))
            .into_iter()
            .collect()
    },
};

async fn tables(req: HttpRequest, state: State) -> Answer {
    match req.path().rsplit('/').next() {
        Some("organizations") => table(&req, &state, &ORGANIZATIONS, "organizations"),
        Some("accounts") => table(&req, &state, &ACCOUNTS, "accounts"),
        _ => table(&req, &state, &ACCESS_KEYS, "access_keys"),
    }
}

// ---- Journal ---------------------------------------------------------------------------------

/// Parameters of `GET /_emulator/journal`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalQuery {
    cloud: Option<Cloud>,
    action: Option<String>,
    code: Option<String>,
    key: Option<String>,
    limit: Option<usize>,
    since: Option<u64>,
}

async fn journal(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let query: JournalQuery = query(&req, "cloud, action, code, key, limit, since")?;
    let limit = limit(query.limit.or(Some(100)))?;
    // Read before the entries: an entry recorded in between shows now and again next time,
    // never not at all.
    let version = state.journal.version();
    if query.since == Some(version) {
        return Ok(HttpResponse::Ok().json(json!({ "version": version, "unchanged": true })));
    }
    let entries = state.journal.query(Filter {
        cloud: query.cloud,
        action: non_empty(query.action.as_deref()),
        code: non_empty(query.code.as_deref()),
        limit: None,
    });
    let key = non_empty(query.key.as_deref());
    let requests: Vec<&JournalEntry> = entries
        .iter()
        .map(AsRef::as_ref)
        .rev()
        .filter(|e| key.is_none_or(|k| e.access_key_id.as_deref() == Some(k)))
        .take(limit)
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "version": version,
        "kept": state.journal.len(),
        "requests": requests,
    })))
}

async fn curl(req: HttpRequest, request_id: web::Path<String>, state: State) -> Answer {
    authorize(&req, &state)?;
    let entry = state
        .journal
        .find(&request_id)
        .ok_or_else(|| ControlError::NotFound(format!("no request {request_id} in the journal")))?;
    let info = req.connection_info();
    let endpoint = format!("{}://{}", info.scheme(), info.host());
    let curl = state
        .backend
        .curl(&entry, &endpoint)
        .map_err(ControlError::BadRequest)?;
    Ok(HttpResponse::Ok().json(json!({ "curl": curl })))
}
