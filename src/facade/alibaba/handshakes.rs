//! The seven handshake actions: their inputs (a HandshakeId; an invitation; paging), their
//! outputs (one handshake, with fields in the order the API reference shows them, or a page of
//! them in the `Handshakes.Handshake[]` wrapper), and each action as a call of the shared rule
//! under Resource Manager's policy.

use super::actions::Context;
use super::error::{ApiError, ApiResult, ErrorCode};
use super::params::{self, Params};
use super::policy::{self, POLICY};
use super::world::MAX_NOTE_CHARS;
use crate::clock::WireTime;
use crate::domain::{
    self, AccountId, Acting, Cursor, Handshake, HandshakeId, HandshakeRead, Invitation,
    OrganizationId, Target, TargetKind,
};
use crate::store::WriteError;
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The input of every action that names one handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeIdInput {
    /// The handshake.
    pub handshake_id: HandshakeId,
}

impl HandshakeIdInput {
    /// Reads `HandshakeId`: absent or empty is missing; anything but `h-` + 16 alphanumerics is invalid.
    pub fn parse(params: &Params) -> ApiResult<Self> {
        let raw = params
            .non_empty("HandshakeId")
            .ok_or_else(|| ApiError::new(ErrorCode::MissingParameterHandshakeId))?;
        let handshake_id = policy::handshake_id(raw)
            .map_err(|_| ApiError::new(ErrorCode::InvalidParameterHandshakeId))?;
        Ok(Self { handshake_id })
    }
}

/// `{"Handshake": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandshakeOutput {
    /// The handshake after the action.
    pub handshake: HandshakeView,
}

/// A handshake as the API shows it. Built from the domain handshake without copying a string:
/// ids and times serialize straight to the wire form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandshakeView {
    /// `h-` id.
    pub handshake_id: HandshakeId,
    /// `rd-` id.
    pub resource_directory_id: OrganizationId,
    /// 16-digit id.
    pub master_account_id: AccountId,
    /// Management account name.
    pub master_account_name: Arc<str>,
    /// Invitee account id or email.
    pub target_entity: String,
    /// `Account` or `Email`.
    pub target_type: &'static str,
    /// Note.
    pub note: Arc<str>,
    /// `Pending`, `Accepted`, `Cancelled`, `Declined` or `Expired`.
    pub status: &'static str,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub create_time: WireTime,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub modify_time: WireTime,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub expire_time: WireTime,
    /// GetHandshake by the invitee only: the management account's real name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_account_real_name: Option<String>,
    /// GetHandshake by the invitee only: the invitee's real name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_account_real_name: Option<String>,
}

impl From<Handshake> for HandshakeView {
    fn from(h: Handshake) -> Self {
        Self {
            handshake_id: h.id,
            resource_directory_id: h.organization,
            master_account_id: h.manager,
            master_account_name: h.manager_name,
            target_entity: h.target.entity,
            target_type: policy::target_type(h.target.kind),
            note: h.note,
            status: policy::status(h.status),
            create_time: WireTime(h.created),
            modify_time: WireTime(h.modified),
            expire_time: WireTime(h.expires),
            master_account_real_name: None,
            invited_account_real_name: None,
        }
    }
}

fn output(handshake: Handshake) -> HandshakeOutput {
    HandshakeOutput {
        handshake: handshake.into(),
    }
}

/// The input of InviteAccountToResourceDirectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteInput(pub Invitation);

/// How many `Tag.N` pairs an invitation may carry.
pub const MAX_TAGS: usize = 20;

impl InviteInput {
    /// Reads TargetEntity, TargetType, Note and `Tag.N.Key` / `Tag.N.Value`.
    pub fn parse(params: &Params) -> ApiResult<Self> {
        let target_entity = params
            .non_empty("TargetEntity")
            .ok_or_else(|| ApiError::new(ErrorCode::MissingParameterTargetEntity))?;
        let kind = match params.non_empty("TargetType") {
            None => return Err(ApiError::new(ErrorCode::MissingParameterTargetType)),
            Some("Account") => TargetKind::Id,
            Some("Email") => TargetKind::Email,
            Some(_) => return Err(ApiError::new(ErrorCode::InvalidParameterTargetType)),
        };
        let well_formed = match kind {
            TargetKind::Id | TargetKind::Name => policy::account_id(target_entity).is_ok(),
            TargetKind::Email => target_entity.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty()
                    && domain.contains('.')
                    && !target_entity.contains(char::is_whitespace)
            }),
        };
        if !well_formed {
            return Err(ApiError::new(ErrorCode::InvalidParameterTargetEntity));
        }
        let note = params.get("Note").unwrap_or_default();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ApiError::new(ErrorCode::InvalidParameterNoteLength));
        }
        if note.chars().any(char::is_control) {
            return Err(ApiError::new(ErrorCode::InvalidParameterNote));
        }
        Ok(Self(Invitation {
            target: Target {
                kind,
                entity: target_entity.to_owned(),
            },
            note: note.to_owned(),
            tags: parse_tags(params)?,
        }))
    }
}

/// `Tag.N.Key` / `Tag.N.Value` pairs, N from 1 to 20, in order of N.
fn parse_tags(params: &Params) -> ApiResult<Vec<(String, String)>> {
    let mut tags: BTreeMap<usize, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for (name, value) in params.iter().filter(|(name, _)| name.starts_with("Tag.")) {
        let invalid = || ApiError::with(ErrorCode::InvalidParameter, name);
        let (index, field) = name["Tag.".len()..].split_once('.').ok_or_else(invalid)?;
        let index = params::name_index(index)
            .filter(|n| (1..=MAX_TAGS).contains(n))
            .ok_or_else(invalid)?;
        let slot = tags.entry(index).or_default();
        match field {
            "Key" => slot.0 = Some(value),
            "Value" => slot.1 = Some(value),
            _ => return Err(invalid()),
        }
    }
    tags.into_iter()
        .map(|(n, (key, value))| match key.filter(|k| !k.is_empty()) {
            Some(key) => Ok((key.to_owned(), value.unwrap_or_default().to_owned())),
            None => Err(ApiError::with(
                ErrorCode::InvalidParameter,
                format!("Tag.{n}.Key"),
            )),
        })
        .collect()
}

/// A fresh handshake id: `h-` and 16 random letters or digits.
fn random_handshake_id() -> HandshakeId {
    let tail: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    policy::handshake_id(&format!("h-{tail}")).expect("h- and 16 alphanumerics is a handshake id")
}

/// The error of a refused rule, with why: the fact that decided it, for the journal.
fn refused(
    ctx: Context<'_>,
    acting: Acting,
    id: Option<&HandshakeId>,
    error: impl Into<WriteError>,
) -> ApiError {
    match error.into() {
        WriteError::Refused(refusal) => {
            let why = ctx.store.query(|view| {
                domain::explain(view, &POLICY, acting, ctx.caller, id, &refusal, ctx.now)
            });
            ApiError::from(refusal).because(why)
        }
        WriteError::Store(failed) => {
            let why = failed.to_string();
            ApiError::from(failed).because(why)
        }
    }
}

/// InviteAccountToResourceDirectory.
pub fn invite(ctx: Context<'_>, input: InviteInput) -> ApiResult<HandshakeOutput> {
    let sent = ctx.store.transact(|view| {
        domain::invite(
            view,
            &POLICY,
            ctx.caller,
            input.0,
            random_handshake_id,
            ctx.now,
        )
    });
    Ok(output(sent.map_err(|e| {
        refused(ctx, Acting::Organization, None, e)
    })?))
}

/// DeclineHandshake.
pub fn decline(ctx: Context<'_>, input: HandshakeIdInput) -> ApiResult<HandshakeOutput> {
    let declined = ctx
        .store
        .transact(|view| domain::decline(view, &POLICY, ctx.caller, &input.handshake_id, ctx.now));
    let id = Some(&input.handshake_id);
    Ok(output(
        declined.map_err(|e| refused(ctx, Acting::Invitee, id, e))?,
    ))
}

/// GetHandshake.
pub fn get(ctx: Context<'_>, input: HandshakeIdInput) -> ApiResult<HandshakeOutput> {
    let HandshakeRead {
        handshake,
        real_names,
    } = ctx
        .store
        .query(|view| domain::read(view, &POLICY, ctx.caller, &input.handshake_id, ctx.now))
        .map_err(|e| refused(ctx, Acting::Reader, Some(&input.handshake_id), e))?;
    let mut view = HandshakeView::from(handshake);
    if let Some((master, invited)) = real_names {
        view.master_account_real_name = Some(master);
        view.invited_account_real_name = Some(invited);
    }
    Ok(HandshakeOutput { handshake: view })
}

/// The paging parameters of the list actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingInput {
    /// From 1.
    pub page_number: usize,
    /// From 1 to 100.
    pub page_size: usize,
}

/// The largest PageSize.
pub const MAX_PAGE_SIZE: usize = 100;
/// PageSize when none is given.
pub const DEFAULT_PAGE_SIZE: usize = 10;

impl PagingInput {
    /// Reads PageNumber (default 1) and PageSize (default 10).
    pub fn parse(params: &Params) -> ApiResult<Self> {
        let read =
            |name: &str, default: usize, valid: &dyn Fn(usize) -> bool| match params.get(name) {
                None => Ok(default),
                Some(text) => params::decimal(text)
                    .filter(|n| valid(*n))
                    .ok_or_else(|| ApiError::with(ErrorCode::InvalidParameter, name)),
            };
        Ok(Self {
            page_number: read("PageNumber", 1, &|n| n >= 1)?,
            page_size: read("PageSize", DEFAULT_PAGE_SIZE, &|n| {
                (1..=MAX_PAGE_SIZE).contains(&n)
            })?,
        })
    }
}

/// `{"TotalCount", "PageNumber", "PageSize", "Handshakes": {"Handshake": [...]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandshakeListOutput {
    /// All matching handshakes, on every page.
    pub total_count: usize,
    /// The page shown.
    pub page_number: usize,
    /// The page size asked for.
    pub page_size: usize,
    /// The page.
    pub handshakes: HandshakeList,
}

/// The XML-style list wrapper: one `Handshake` element per item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandshakeList {
    /// The items.
    #[serde(rename = "Handshake")]
    pub handshake: Vec<HandshakeView>,
}

fn page(listing: domain::Listing, paging: PagingInput) -> HandshakeListOutput {
    HandshakeListOutput {
        total_count: listing.total,
        page_number: paging.page_number,
        page_size: paging.page_size,
        handshakes: HandshakeList {
            handshake: listing.items.into_iter().map(HandshakeView::from).collect(),
        },
    }
}

impl PagingInput {
    fn cursor(self) -> Cursor {
        Cursor::Offset((self.page_number - 1).saturating_mul(self.page_size))
    }
}

/// ListHandshakesForAccount.
pub fn list_for_account(ctx: Context<'_>, paging: PagingInput) -> ApiResult<HandshakeListOutput> {
    let listing = ctx
        .store
        .query(|view| {
            domain::list_received(
                view,
                &POLICY,
                ctx.caller,
                paging.cursor(),
                paging.page_size,
                ctx.now,
            )
        })
        .map_err(|e| refused(ctx, Acting::Organization, None, e))?;
    Ok(page(listing, paging))
}

/// ListHandshakesForResourceDirectory.
pub fn list_for_directory(ctx: Context<'_>, paging: PagingInput) -> ApiResult<HandshakeListOutput> {
    let listing = ctx
        .store
        .query(|view| {
            domain::list_sent(
                view,
                &POLICY,
                ctx.caller,
                paging.cursor(),
                paging.page_size,
                ctx.now,
            )
        })
        .map_err(|e| refused(ctx, Acting::Organization, None, e))?;
    Ok(page(listing, paging))
}

/// AcceptHandshake.
pub fn accept(ctx: Context<'_>, input: HandshakeIdInput) -> ApiResult<HandshakeOutput> {
    let accepted = ctx
        .store
        .transact(|view| domain::accept(view, &POLICY, ctx.caller, &input.handshake_id, ctx.now))
        .map_err(|e| refused(ctx, Acting::Invitee, Some(&input.handshake_id), e))?;
    Ok(output(accepted))
}

/// CancelHandshake.
pub fn cancel(ctx: Context<'_>, input: HandshakeIdInput) -> ApiResult<HandshakeOutput> {
    let cancelled = ctx
        .store
        .transact(|view| domain::cancel(view, &POLICY, ctx.caller, &input.handshake_id, ctx.now))
        .map_err(|e| refused(ctx, Acting::Sender, Some(&input.handshake_id), e))?;
    Ok(output(cancelled))
}
