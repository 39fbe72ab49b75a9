//! The HTTP edge of the Organizations endpoint: every path under `/v1/`, `/v3/` and `/v5/`. The
//! handler routes on the raw path (before authentication: an unknown API is `APIGW.0101` even
//! unsigned), reads the body within its bound, authenticates, applies Huawei's fault rules, runs
//! the operation, and answers JSON with `X-Request-Id` on every reply, failures included; it
//! journals the exchange and writes one access-log line. It never returns an actix error.

use super::auth::{self, Signed};
use super::error::{ErrorCode, HwError, HwResult};
use super::operations::{self, Context};
use super::route::{self, Operation, Route};
use super::signing::{self, Authorization, percent_decode};
use crate::body::{self, BodyError};
use crate::clock::{Clock, EmulatorClock, wire_time};
use crate::control::Cloud;
use crate::control::faults::{FaultEffect, Faults};
use crate::control::journal::{Journal, JournalEntry};
use crate::facade::headers::Headers;
use crate::store::Store;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest request body read, in bytes (an InviteAccount body is well under 4 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest query string served, in bytes (a marker is at most 400 characters).
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
/// The `Content-Type` of every reply.
pub const CONTENT_TYPE_JSON: &str = "application/json;charset=UTF-8";
/// The reply header carrying the request id: the SDKs' only source of it.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// What the Organizations endpoint works with, shared by every worker.
pub struct Gateway {
    /// Huawei's world.
    pub store: Arc<dyn Store>,
    /// Emulator time: handshake times, expiry, retention, temporary credentials.
    pub clock: Arc<EmulatorClock>,
    /// Real time: the `X-Sdk-Date` window.
    pub wall_clock: Arc<dyn Clock>,
    /// Fault rules (both clouds'; this endpoint fires Huawei's).
    pub faults: Arc<Faults>,
    /// The request journal.
    pub journal: Arc<Journal>,
    /// How long a client has to send the body once the head has arrived.
    pub read_timeout: Duration,
}

type State = web::Data<Gateway>;

/// The path prefixes the endpoint owns.
pub const PREFIXES: [&str; 3] = ["/v1", "/v3", "/v5"];

/// The endpoint's scopes: everything under each prefix reaches one handler.
pub fn scopes() -> impl Iterator<Item = actix_web::Scope> {
    PREFIXES
        .into_iter()
        .map(|prefix| web::scope(prefix).default_service(web::to(handle)))
}

/// A request id: 32 lower-case hex digits.
fn request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .simple()
        .to_string()
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
    request_id: &'a str,
}

/// The body of `error`'s reply, carrying `request_id`.
#[must_use]
pub fn error_body(error: &HwError, request_id: &str) -> Vec<u8> {
    serde_json::to_vec(&ErrorBody {
        error_code: error.code().as_str(),
        error_msg: &error.message(),
        request_id,
    })
    .expect("error bodies serialize to JSON")
}

/// A fresh request id, as every reply carries.
#[must_use]
pub fn new_request_id() -> String {
    request_id()
}

/// What the journal and the access log learn about one exchange.
#[derive(Default)]
struct Exchange {
    operation: Option<Operation>,
    access_key_id: Option<String>,
    account_id: Option<String>,
    parameters: BTreeMap<String, String>,
    retry_after_ms: Option<u64>,
    note: Option<String>,
    /// The body was not read to its end: the answer closes the connection.
    unread_body: bool,
}

async fn handle(req: HttpRequest, payload: web::Payload, state: State) -> HttpResponse {
    let started = Instant::now();
    let mut exchange = Exchange::default();
    let result = serve(&state, &req, payload, &mut exchange).await;
    respond(&state, &req, exchange, result, started)
}

async fn serve(
    state: &Gateway,
    req: &HttpRequest,
    payload: web::Payload,
    exchange: &mut Exchange,
) -> HwResult<Vec<u8>> {
    let raw_path = req.uri().path();
    let route = route::route(req.method().as_str(), raw_path)
        .ok_or_else(|| HwError::new(ErrorCode::GatewayApiNotFound))?;
    exchange.operation = Some(route.operation);
    let query = req.query_string();
    if query.len() > MAX_QUERY_BYTES {
        return Err(HwError::invalid("query"));
    }
    exchange.parameters = parameters(&route, query);
    let body = body::read(payload, MAX_BODY_BYTES, state.read_timeout)
        .await
        .map_err(|problem| {
            exchange.unread_body = true;
            match problem {
                BodyError::TooLarge => HwError::new(ErrorCode::GatewayEntityTooLarge),
                BodyError::TimedOut => HwError::new(ErrorCode::GatewayRequestTimeout),
                BodyError::Broken => HwError::invalid("body"),
            }
        })?;
    let headers = Headers::from_pairs(
        req.headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?))),
    );
    exchange.access_key_id = auth::claimed_key(&headers).map(str::to_owned);
    let signed = Signed {
        method: req.method().as_str(),
        raw_path,
        raw_query: query,
        headers: &headers,
        body: &body,
    };
    let wall_now = state.wall_clock.now();
    let caller = auth::authenticate(&*state.store, &signed, wall_now, state.clock.now())?;
    exchange.account_id = Some(caller.account_id.to_string());
    // AMBIGUOUS: whether the gateway checks X-Domain-Id is undocumented; the AK alone identifies
    // the caller, and a different X-Domain-Id is let pass and noted.
    if let Some(sent) = headers.get("x-domain-id")
        && sent != caller.account_id.as_str()
    {
        exchange.note = Some(format!(
            "X-Domain-Id {sent} is not the account of {} ({}); ignored",
            caller.access_key_id, caller.account_id
        ));
    }
    let fault = state.faults.fire(
        Cloud::Huawei,
        route.operation.as_str(),
        route.handshake_id.as_deref(),
        &caller.access_key_id,
        rand::random,
    );
    if let Some(effect) = fault {
        if let Some(latency) = effect.latency {
            actix_web::rt::time::sleep(latency).await;
        }
        if effect.code.is_some() {
            exchange.retry_after_ms = effect.retry_after_ms;
            return Err(fault_error(
                &effect,
                &route,
                &signed,
                &caller.access_key_id,
                wall_now,
            ));
        }
    }
    let host = headers.get("host").unwrap_or("127.0.0.1");
    let ctx = Context {
        store: &*state.store,
        now: state.clock.now(),
        caller: &caller.account_id,
        host,
    };
    operations::run(ctx, &route, query, &body)
}

/// The error a fired rule answers with. A message that needs a detail the rule did not give is
/// filled from the request, so no template ever reaches the wire.
fn fault_error(
    effect: &FaultEffect,
    route: &Route,
    signed: &Signed<'_>,
    access_key_id: &str,
    wall_now: chrono::DateTime<chrono::Utc>,
) -> HwError {
    // Rules are checked against this catalog when added.
    let code = effect
        .code
        .and_then(ErrorCode::parse)
        .unwrap_or(ErrorCode::InternalError);
    if let Some(detail) = &effect.detail {
        return HwError::with(code, detail.clone());
    }
    let detail = match code {
        ErrorCode::GatewaySignatureExpired => {
            let date = signed.headers.get("x-sdk-date").unwrap_or_default();
            signing::expired_detail(date, wall_now)
        }
        ErrorCode::GatewayUnknownAk => access_key_id.to_owned(),
        ErrorCode::GatewaySignatureMismatch => signed
            .headers
            .get("authorization")
            .and_then(Authorization::parse)
            .map(|a| signing::mismatch_detail(&signed.canonical_request(&a)))
            .unwrap_or_default(),
        ErrorCode::GatewayThrottled => "100".to_owned(),
        ErrorCode::OrganizationsPolicyDenied => route.operation.iam_action().to_owned(),
        ErrorCode::OrganizationsInvalidParameter => match route.operation {
            Operation::InviteAccount => "target",
            Operation::ListHandshakes | Operation::ListReceivedHandshakes => "limit",
            _ => "handshake_id",
        }
        .to_owned(),
        _ => String::new(),
    };
    HwError::with(code, detail)
}

/// The query and path parameters as journalled (decoded as the gateway signs them).
fn parameters(route: &Route, query: &str) -> BTreeMap<String, String> {
    let mut parameters: BTreeMap<String, String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect();
    if let Some(id) = &route.handshake_id {
        parameters.insert("handshake_id".to_owned(), id.clone());
    }
    parameters
}

fn respond(
    state: &Gateway,
    req: &HttpRequest,
    exchange: Exchange,
    result: HwResult<Vec<u8>>,
    started: Instant,
) -> HttpResponse {
    let request_id = request_id();
    let (status, code, body) = match &result {
        Ok(body) => (200, None, body.clone()),
        Err(error) => (
            error.code().status(),
            Some(error.code().as_str()),
            error_body(error, &request_id),
        ),
    };
    let operation = exchange.operation.map(Operation::as_str);
    let why = result.as_ref().err().map(HwError::why);
    tracing::info!(
        target: "access",
        cloud = "huawei",
        request_id = %request_id,
        action = operation,
        access_key_id = exchange.access_key_id.as_deref(),
        status,
        code,
        why = why.as_deref(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    );
    let mut response = HttpResponse::build(
        StatusCode::from_u16(status).expect("catalog statuses are valid HTTP statuses"),
    );
    response
        .insert_header((CONTENT_TYPE, CONTENT_TYPE_JSON))
        .insert_header((REQUEST_ID_HEADER, request_id.as_str()));
    if let Some(ms) = exchange.retry_after_ms {
        // Seconds, as urllib3 reads it; a partial second rounds up.
        response.insert_header((RETRY_AFTER, ms.div_ceil(1000).to_string()));
    }
    if exchange.unread_body {
        response.force_close();
    }
    if state.journal.enabled() {
        state.journal.record(JournalEntry {
            time: wire_time(state.wall_clock.now()),
            cloud: Cloud::Huawei,
            request_id,
            method: req.method().to_string(),
            path: req.uri().path().to_owned(),
            action: operation,
            signature: exchange.access_key_id.as_ref().map(|_| signing::ALGORITHM),
            access_key_id: exchange.access_key_id,
            account_id: exchange.account_id,
            parameters: exchange.parameters,
            status,
            code,
            note: exchange.note,
            why,
            truncated: false,
        });
    }
    response.body(body)
}
