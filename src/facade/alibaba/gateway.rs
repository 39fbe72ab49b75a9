//! The HTTP edge of the RPC gateway: the handler on `/`, and the answer to any path no facade or
//! the control plane serves. The `/` handler turns the raw request into bytes, runs the pipeline
//! (transport checks, parameters, Format, Action and Version, signature, fault rules, action),
//! renders the result in the format the request asked for, journals it and writes one
//! access-log line. It never returns an actix error: everything, failures included, leaves as
//! an Alibaba envelope.
//!
//! Every answer carries the headers live gateway replies show (public SDK response dumps,
//! 2022–2025): `x-acs-request-id`, `x-acs-trace-id` (32 lower-case hex), and the CORS pair
//! `access-control-allow-origin: *` / `access-control-expose-headers: *`. An `OPTIONS` on `/` is
//! a CORS preflight and gets the methods, headers and max-age those dumps show, so that a
//! browser can call the emulator.

use super::actions::{self, Action, Context, Output};
use super::auth::{self, AuthContext, Caller, Headers, Signed};
use super::envelope::{self, Format, Reply, RequestId};
use super::error::{AccessDenied, ApiError, ApiResult, ErrorCode};
use super::nonce::NonceCache;
use super::params::Params;
use super::policy;
use super::route::{self, Route};
use super::signature_v1;
use super::signature_v3::Authorization;
use crate::body::{self, BodyError};
use crate::clock::{Clock, EmulatorClock, wire_time};
use crate::control::Cloud;
use crate::control::faults::{DEFAULT_RETRY_AFTER_MS, Faults};
use crate::control::journal::{Journal, JournalEntry};
use crate::store::Store;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest query string served, in bytes.
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
/// The longest request body served, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// HostId when the request names no host.
pub const DEFAULT_HOST_ID: &str = "resourcemanager.aliyuncs.com";
/// The response header carrying the RequestId.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";
/// The response header that tells SDKs how long to wait after throttling, in milliseconds.
const RETRY_AFTER_HEADER: &str = "x-acs-retry-after";
/// The response header carrying the gateway's trace id.
const TRACE_ID_HEADER: &str = "x-acs-trace-id";
/// CORS headers on every answer, as in the dumps of 2023–2025 replies.
const CORS: [(&str, &str); 2] = [
    ("access-control-allow-origin", "*"),
    ("access-control-expose-headers", "*"),
];
/// What a preflight allows: the methods, headers and max-age of the 2019–2022 dumps (which carry
/// them on every reply).
const PREFLIGHT_METHODS: &str = "POST, GET, OPTIONS, PUT, DELETE";
const PREFLIGHT_HEADERS: &str = "X-Requested-With, X-Sequence, _aop_secret, _aop_signature, x-acs-action, x-acs-version, x-acs-date, Content-Type";
const PREFLIGHT_MAX_AGE: &str = "172800";

/// What the gateway works with, shared by every worker.
pub struct Gateway {
    /// Alibaba's world.
    pub store: Arc<dyn Store>,
    /// Emulator time: handshake times and expiry.
    pub clock: Arc<EmulatorClock>,
    /// Real time: the signature timestamp window.
    pub wall_clock: Arc<dyn Clock>,
    /// Used signature nonces.
    pub nonces: NonceCache,
    /// Fault rules (both clouds'; this gateway fires Alibaba's).
    pub faults: Arc<Faults>,
    /// The request journal.
    pub journal: Arc<Journal>,
    /// How long a client has to send the body once the head has arrived.
    pub read_timeout: Duration,
}

type State = web::Data<Gateway>;

/// The RPC endpoint, `/`.
pub fn service() -> actix_web::Resource {
    web::resource("/").to(rpc)
}

/// The answer to a path nothing serves: `InvalidApi.NotFound`.
pub fn not_found_service() -> actix_web::Route {
    web::to(not_found)
}

/// What the renderer, the journal and the access log need to know about one exchange.
#[derive(Default)]
struct Exchange {
    format: Format,
    params: Params,
    action: Option<Action>,
    scheme: Option<&'static str>,
    access_key_id: Option<String>,
    account_id: Option<String>,
    retry_after_ms: Option<u64>,
    /// The body was not read to its end: the answer closes the connection.
    unread_body: bool,
}

impl Exchange {
    /// Before anything is parsed: errors answer in a Format the query states plainly, else in
    /// the default for the action it plainly names.
    fn new(req: &HttpRequest) -> Self {
        Self {
            format: sniffed_format(req, None),
            ..Self::default()
        }
    }
}

/// Whether `req` looks like V3 before its parameters are read (an Authorization or x-acs-action
/// header); the exact rule, which needs the parameters, is in `authenticate`.
fn looks_v3(req: &HttpRequest) -> bool {
    req.headers().contains_key(AUTHORIZATION) || req.headers().contains_key("x-acs-action")
}

/// The format of a request whose parameters could not be parsed: a Format its raw query or form
/// body states plainly, else the default for the action it plainly names.
fn sniffed_format(req: &HttpRequest, form: Option<&[u8]>) -> Format {
    let raw = || std::iter::once(req.query_string().as_bytes()).chain(form);
    raw().find_map(Format::sniff).unwrap_or_else(|| {
        let action = raw()
            .flat_map(|r| envelope::sniff(r, "Action="))
            .filter_map(|value| std::str::from_utf8(value).ok())
            .find(|name| Action::parse(name).is_some());
        route::default_format(looks_v3(req), action)
    })
}

async fn rpc(req: HttpRequest, payload: web::Payload, state: State) -> HttpResponse {
    if req.method() == Method::OPTIONS {
        return preflight(&req);
    }
    let started = Instant::now();
    let mut exchange = Exchange::new(&req);
    // Before the body: a CONNECT's body is the rest of the connection.
    let result = if req.method() != Method::GET && req.method() != Method::POST {
        exchange.unread_body = true;
        Err(ApiError::new(ErrorCode::UnsupportedHttpMethod))
    } else {
        match body::read(payload, MAX_BODY_BYTES, state.read_timeout).await {
            Ok(body) => handle(&state, &req, &body, &mut exchange).await,
            Err(problem) => {
                exchange.unread_body = true;
                Err(match problem {
                    BodyError::TooLarge => ApiError::new(ErrorCode::RequestBodyTooLarge),
                    BodyError::TimedOut => ApiError::new(ErrorCode::RequestTimeout),
                    BodyError::Broken => ApiError::with(ErrorCode::InvalidParameter, "Body"),
                })
            }
        }
    };
    respond(&state, &req, exchange, result, started)
}

async fn not_found(req: HttpRequest, state: State) -> HttpResponse {
    let exchange = Exchange::new(&req);
    respond(
        &state,
        &req,
        exchange,
        Err(ApiError::new(ErrorCode::InvalidApiNotFound)),
        Instant::now(),
    )
}

/// A fresh trace id: 32 lower-case hex digits, as the gateway sends.
fn trace_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The answer to a CORS preflight: 200, no body. The allowed headers are the ones the browser
/// asks for when it names them: the dumps' fixed list lacks `authorization` and
/// `x-acs-signature-nonce`, which every V3 call sends (AMBIGUOUS: no dump of a preflight reply).
fn preflight(req: &HttpRequest) -> HttpResponse {
    let request_id = RequestId::new();
    let asked = req
        .headers()
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty());
    tracing::info!(target: "access", request_id = %request_id, method = "OPTIONS", status = 200);
    let mut response = HttpResponse::Ok();
    for header in CORS {
        response.insert_header(header);
    }
    response
        .insert_header(("access-control-allow-methods", PREFLIGHT_METHODS))
        .insert_header((
            "access-control-allow-headers",
            asked.unwrap_or(PREFLIGHT_HEADERS),
        ))
        .insert_header(("access-control-max-age", PREFLIGHT_MAX_AGE))
        .insert_header((REQUEST_ID_HEADER, request_id.as_str()))
        .insert_header((TRACE_ID_HEADER, trace_id()));
    response.finish()
}

fn is_form(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Authenticated, then through the fault rules, then the action.
async fn handle(
    state: &Gateway,
    req: &HttpRequest,
    body: &[u8],
    exchange: &mut Exchange,
) -> ApiResult<(Action, Output)> {
    let (action, caller) = authenticate(state, req, body, exchange).inspect_err(|e| {
        // A full nonce cache: SDKs back off on the header as they do for a throttling fault.
        if e.code().is_throttling() {
            exchange.retry_after_ms = Some(DEFAULT_RETRY_AFTER_MS);
        }
    })?;
    let fault = state.faults.fire(
        Cloud::Alibaba,
        action.as_str(),
        exchange.params.get("HandshakeId"),
        &caller.access_key_id,
        rand::random,
    );
    if let Some(effect) = fault {
        if let Some(latency) = effect.latency {
            actix_web::rt::time::sleep(latency).await;
        }
        if let Some(code) = effect.code {
            exchange.retry_after_ms = effect.retry_after_ms;
            // Rules are checked against this catalog when added.
            let code = ErrorCode::parse(code).unwrap_or(ErrorCode::InternalError);
            return Err(fault_error(code, effect.detail, action, &caller));
        }
    }
    let ctx = Context {
        store: &*state.store,
        now: state.clock.now(),
        caller: &caller.account_id,
    };
    Ok((action, actions::dispatch(ctx, action, &exchange.params)?))
}

/// A fault rule's error, as the real service would word it for this call. A message that names
/// something takes the rule's `detail` first; what the rule leaves out is filled from the call
/// (the action's main parameter, the request's real string to sign and, for V3, canonical
/// request), so no template reaches the wire. SignatureDoesNotMatch takes the wording of the
/// scheme the call used; NoPermission and Forbidden.RAM carry the caller's AccessDeniedDetail.
fn fault_error(
    code: ErrorCode,
    detail: Option<String>,
    action: Action,
    caller: &Caller,
) -> ApiError {
    let code = match (code, &caller.signed) {
        (ErrorCode::SignatureDoesNotMatch, Signed::V3 { .. }) => ErrorCode::SignatureDoesNotMatchV3,
        _ => code,
    };
    let mut details: Vec<String> = match (code, &caller.signed) {
        (ErrorCode::InvalidParameter | ErrorCode::MissingParameter, _) => {
            vec![action.main_parameter().to_owned()]
        }
        (
            ErrorCode::SignatureDoesNotMatchV3,
            Signed::V3 {
                string_to_sign,
                canonical_request,
            },
        ) => vec![string_to_sign.clone(), canonical_request.clone()],
        (ErrorCode::SignatureDoesNotMatch | ErrorCode::IncompleteSignature, signed) => {
            vec![signed.string_to_sign().to_owned()]
        }
        _ => vec![],
    };
    if let Some(detail) = detail {
        match details.first_mut() {
            Some(first) => *first = detail,
            None => details.push(detail),
        }
    }
    let error = ApiError::with_details(code, details);
    match code {
        ErrorCode::NoPermission | ErrorCode::ForbiddenRam => error.denied(AccessDenied::new(
            policy::RAM_SERVICE,
            action.as_str(),
            caller.account_id.as_str(),
            &caller.access_key_id,
            caller.temporary,
        )),
        _ => error,
    }
}

/// Transport checks, parameters, Format, routing and signature; fills `exchange` as it learns.
fn authenticate(
    state: &Gateway,
    req: &HttpRequest,
    body: &[u8],
    exchange: &mut Exchange,
) -> ApiResult<(Action, Caller)> {
    let query = req.query_string();
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::new(ErrorCode::RequestUrlTooLarge));
    }
    let form = is_form(req).then_some(body);
    exchange.params = match Params::parse(query.as_bytes(), form) {
        Ok(params) => params,
        Err(e) => {
            exchange.format = sniffed_format(req, form);
            return Err(ApiError::with(ErrorCode::InvalidParameter, e.name()));
        }
    };
    let params = &exchange.params;
    // V3 signs with an Authorization header and no Signature parameter; a request that routes
    // by x-acs-action (no Action parameter) but lacks the header is a V3 request missing it.
    let v3 = params.get(signature_v1::SIGNATURE).is_none()
        && (req.headers().contains_key(AUTHORIZATION)
            || (req.headers().contains_key("x-acs-action") && params.get("Action").is_none()));
    exchange.format = route::default_format(v3, params.non_empty("Action"));
    exchange.format = route::format(params)?.unwrap_or(exchange.format);

    let ctx = AuthContext {
        store: &*state.store,
        nonces: &state.nonces,
        wall_now: state.wall_clock.now(),
        emulator_now: state.clock.now(),
    };
    let method = req.method().as_str();
    let (action, caller) = if v3 {
        let headers = Headers::from_pairs(
            req.headers()
                .iter()
                .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?))),
        );
        let action = Route::from_headers(&headers).action()?;
        exchange.action = Some(action);
        exchange.scheme = Some("V3");
        exchange.access_key_id = headers
            .get("authorization")
            .and_then(Authorization::parse)
            .map(|a| a.credential.to_owned());
        // The canonical query covers the query string alone; a form body is covered by its hash.
        let query_only = match form {
            Some(_) => Params::parse(query.as_bytes(), None).expect("a part of what parsed above"),
            None => params.clone(),
        };
        (
            action,
            auth::authenticate_v3(&query_only, method, &headers, body, ctx)?,
        )
    } else {
        let action = Route::from_params(params).action()?;
        exchange.action = Some(action);
        exchange.scheme = Some("V1");
        exchange.access_key_id = params.non_empty("AccessKeyId").map(str::to_owned);
        (action, auth::authenticate_v1(params, method, ctx)?)
    };
    exchange.account_id = Some(caller.account_id.to_string());
    Ok((action, caller))
}

/// For a reused SignatureNonce, the journalled request that used it first, if still kept.
fn nonce_reuse(state: &Gateway, exchange: &Exchange, error: &ApiError) -> Option<String> {
    if error.code() != ErrorCode::SignatureNonceUsed {
        return None;
    }
    let nonce = exchange.params.get("SignatureNonce")?;
    let (request_id, time) = state.journal.first_with("SignatureNonce", nonce)?;
    Some(format!(
        "SignatureNonce {nonce} was used by request {request_id} at {time}"
    ))
}

fn respond(
    state: &Gateway,
    req: &HttpRequest,
    exchange: Exchange,
    result: ApiResult<(Action, Output)>,
    started: Instant,
) -> HttpResponse {
    let request_id = RequestId::new();
    let reply: Reply = match &result {
        Ok((action, output)) => {
            envelope::success(exchange.format, &action.xml_root(), &request_id, output)
        }
        Err(error) => {
            let host_id = req
                .headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or(DEFAULT_HOST_ID);
            envelope::error(exchange.format, &request_id, host_id, error)
        }
    };
    let code = result.as_ref().err().map(|e| e.code().as_str());
    let why = result
        .as_ref()
        .err()
        .map(|error| nonce_reuse(state, &exchange, error).unwrap_or_else(|| error.why()));
    tracing::info!(
        target: "access",
        request_id = %request_id,
        action = exchange.action.map(Action::as_str),
        access_key_id = exchange.access_key_id.as_deref(),
        status = reply.status,
        code,
        why = why.as_deref(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    );
    let status =
        StatusCode::from_u16(reply.status).expect("catalog statuses are valid HTTP statuses");
    let mut response = HttpResponse::build(status);
    response
        .insert_header((CONTENT_TYPE, reply.content_type))
        .insert_header((REQUEST_ID_HEADER, request_id.as_str()))
        .insert_header((TRACE_ID_HEADER, trace_id()));
    for header in CORS {
        response.insert_header(header);
    }
    if let Some(ms) = exchange.retry_after_ms {
        response.insert_header((RETRY_AFTER_HEADER, ms.to_string()));
    }
    if exchange.unread_body {
        response.force_close();
    }
    if state.journal.enabled() {
        state.journal.record(JournalEntry {
            time: wire_time(state.wall_clock.now()),
            cloud: Cloud::Alibaba,
            request_id: request_id.to_string(),
            method: req.method().to_string(),
            path: req.path().to_owned(),
            action: exchange.action.map(Action::as_str),
            signature: exchange.scheme,
            access_key_id: exchange.access_key_id,
            account_id: exchange.account_id,
            parameters: Journal::parameters(exchange.params.iter()),
            status: reply.status,
            code,
            note: None,
            why,
            truncated: false,
        });
    }
    response.body(reply.body)
}
