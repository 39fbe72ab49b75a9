//! The control plane's endpoints under `/_emulator/`: JSON in and out, for tests and operators.
//! They are never reachable through a cloud's dispatch and never signed with cloud keys; with
//! `--admin-token`, every call needs `Authorization: Bearer <token>`.
//!
//! - `GET /_emulator/health`: status, version, uptime, counts, clock.
//! - `POST /_emulator/reset`: both worlds back to what was loaded at start.
//! - `GET|PUT /_emulator/state`: export (streamed) or replace both worlds (the fixture schema;
//!   JSON, or TOML with a `toml` content type), one upload at a time. A bad document is refused
//!   and the old worlds stay.
//! - `GET|POST /_emulator/clock`: read; `{"action": "freeze" | "resume" | "system"}`,
//!   `{"action": "set", "time": "2026-12-01T00:00:00Z"}`, `{"action": "advance", "by": "14d"}`.
//! - `GET|POST|DELETE /_emulator/faults`, `DELETE /_emulator/faults/{id}`: fault rules.
//! - `GET|DELETE /_emulator/requests?cloud=&action=&code=&limit=`: the request journal.
//! - `/_emulator/ui` and the JSON it reads: the console ([`super::console`]).
//!
//! The admin token is taken as `Bearer <token>`, or as the password of HTTP Basic credentials
//! (any user name): browsers ask for and resend those by themselves, which is how the console
//! page and its calls carry the token. A refusal says `WWW-Authenticate: Basic` for that reason.

use super::faults::{FaultSpec, Faults};
use super::journal::{Filter, Journal};
use super::{Backend, Cloud};
use crate::body::{self, BodyError};
use crate::clock::{EmulatorClock, wire_time};
use crate::store::document::parse_duration;
use actix_web::body::{BodySize, MessageBody};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, ContentType, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// The largest document `PUT /_emulator/state` takes. One upload is read at a time, so this
/// bounds what uploads hold.
pub const MAX_STATE_BYTES: usize = 1 << 30;
/// The largest body the other calls take (a clock command, a fault rule).
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;
/// The pieces `GET /_emulator/state` sends its document in, and how many may wait to be sent.
const EXPORT_CHUNK_BYTES: usize = 64 * 1024;
const EXPORT_CHUNKS_QUEUED: usize = 4;

/// What the control plane works on.
pub struct ControlState {
    /// The worlds.
    pub backend: std::sync::Arc<dyn Backend>,
    /// Emulator time.
    pub clock: std::sync::Arc<EmulatorClock>,
    /// Fault rules of both clouds.
    pub faults: std::sync::Arc<Faults>,
    /// Requests of both clouds.
    pub journal: std::sync::Arc<Journal>,
    /// When required, the bearer token every call must carry.
    pub admin_token: Option<String>,
    /// When the emulator started.
    pub started: std::time::Instant,
    /// How long a client has to send a body once the head has arrived.
    pub read_timeout: std::time::Duration,
    /// Whether a `PUT /_emulator/state` is being read or imported.
    pub uploading: AtomicBool,
}

/// The control plane's routes.
pub fn scope() -> actix_web::Scope {
    let resource = |path: &str| web::resource(path).default_service(web::to(method_not_allowed));
    web::scope("/_emulator")
        .service(resource("/health").route(web::get().to(health)))
        .service(resource("/reset").route(web::post().to(reset)))
        .service(
            resource("/state")
                .route(web::get().to(get_state))
                .route(web::put().to(put_state)),
        )
        .service(
            resource("/clock")
                .route(web::get().to(get_clock))
                .route(web::post().to(set_clock)),
        )
        .service(
            resource("/faults")
                .route(web::get().to(list_faults))
                .route(web::post().to(add_fault))
                .route(web::delete().to(clear_faults)),
        )
        .service(resource("/faults/{id}").route(web::delete().to(delete_fault)))
        .service(
            resource("/requests")
                .route(web::get().to(list_requests))
                .route(web::delete().to(clear_requests)),
        )
        .configure(super::console::routes)
        .default_service(web::to(unknown))
}

/// A control-plane failure: a JSON `{"error": "..."}` with its status.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The request is malformed; says why.
    #[error("{0}")]
    BadRequest(String),
    /// No such thing; says what.
    #[error("{0}")]
    NotFound(String),
    /// The admin token is missing or wrong.
    #[error("this call needs the admin token: Authorization: Bearer <token>")]
    Unauthorized,
    /// The path exists but not with this method.
    #[error("method not allowed on this control-plane path")]
    MethodNotAllowed,
    /// The store could not commit, or the call must wait for another; nothing changed.
    #[error("{0}")]
    Unavailable(String),
    /// The body is over the call's limit.
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    /// The body did not arrive in time.
    #[error("the body did not arrive within {0} s")]
    TimedOut(u64),
}

impl ResponseError for ControlError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, Self::TooLarge(_) | Self::TimedOut(_)) {
            // The rest of the body is not read: the connection cannot carry another request.
            response.force_close();
        }
        if matches!(self, Self::Unauthorized) {
            // So a browser asks for the token (as a password) and resends it by itself.
            response.insert_header((
                WWW_AUTHENTICATE,
                "Basic realm=\"resourcemanager-emulator\", charset=\"UTF-8\"",
            ));
        }
        response.json(json!({ "error": self.to_string() }))
    }
}

pub(super) type Answer = Result<HttpResponse, ControlError>;

pub(super) type State = web::Data<ControlState>;

/// The admin-token rule of every control-plane call (the console's included).
pub(super) fn authorize(req: &HttpRequest, state: &ControlState) -> Result<(), ControlError> {
    let Some(token) = &state.admin_token else {
        return Ok(());
    };
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let sent = if let Some(bearer) = header.strip_prefix("Bearer ") {
        Some(bearer.to_owned())
    } else {
        header
            .strip_prefix("Basic ")
            .and_then(|encoded| {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()
            })
            .and_then(|decoded| String::from_utf8(decoded).ok())
            .and_then(|pair| {
                pair.split_once(':')
                    .map(|(_, password)| password.to_owned())
            })
    };
    if sent.as_deref() == Some(token.as_str()) {
        Ok(())
    } else {
        Err(ControlError::Unauthorized)
    }
}

/// The body, read only once the caller is authorized: a body over `limit` gets this plane's
/// JSON error, never the HTTP layer's text one, and never before the token is checked.
async fn read_body(
    payload: web::Payload,
    limit: usize,
    state: &ControlState,
) -> Result<web::Bytes, ControlError> {
    body::read(payload, limit, state.read_timeout)
        .await
        .map_err(|problem| match problem {
            BodyError::TooLarge => ControlError::TooLarge(limit),
            BodyError::TimedOut => ControlError::TimedOut(state.read_timeout.as_secs()),
            BodyError::Broken => ControlError::BadRequest("cannot read the body".into()),
        })
}

async fn json_body<T: DeserializeOwned>(
    payload: web::Payload,
    state: &ControlState,
) -> Result<T, ControlError> {
    let body = read_body(payload, MAX_COMMAND_BYTES, state).await?;
    serde_json::from_slice(&body)
        .map_err(|e| ControlError::BadRequest(format!("invalid JSON body: {e}")))
}

/// Holds the one upload slot of `PUT /_emulator/state` while it lives.
struct Upload<'a>(&'a AtomicBool);

impl<'a> Upload<'a> {
    fn begin(slot: &'a AtomicBool) -> Result<Self, ControlError> {
        slot.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .map(|_| Self(slot))
            .map_err(|_| {
                ControlError::Unavailable(
                    "another state upload is in progress; they are taken one at a time".into(),
                )
            })
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// What the exporter writes, handed to the response in pieces; the exporter waits while
/// [`EXPORT_CHUNKS_QUEUED`] pieces are unsent, so a slow reader holds a few pieces, not the
/// document.
struct ChunkWriter {
    pieces: mpsc::Sender<web::Bytes>,
    pending: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        let piece = web::Bytes::from(std::mem::replace(
            &mut self.pending,
            Vec::with_capacity(EXPORT_CHUNK_BYTES),
        ));
        self.pieces
            .blocking_send(piece)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= EXPORT_CHUNK_BYTES {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            self.send()
        }
    }
}

/// A response body that is whatever arrives on a channel, until it closes.
struct Pieces(mpsc::Receiver<web::Bytes>);

impl MessageBody for Pieces {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<web::Bytes, Self::Error>>> {
        self.0.poll_recv(cx).map(|piece| piece.map(Ok))
    }
}

fn clock_json(state: &ControlState) -> Value {
    let reading = state.clock.reading();
    json!({ "now": wire_time(reading.now), "frozen": reading.frozen, "offset_seconds": reading.offset_seconds })
}

async fn health(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    Ok(HttpResponse::Ok().json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": state.started.elapsed().as_secs(),
        "world": state.backend.counts(),
        "clock": clock_json(&state),
        "faults": state.faults.len(),
        "journal": state.journal.len(),
        "nonces": state.backend.nonces(),
    })))
}

async fn reset(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    state.backend.reset().map_err(ControlError::Unavailable)?;
    Ok(HttpResponse::Ok().json(json!({ "status": "reset", "world": state.backend.counts() })))
}

/// The document, streamed: it is written on a blocking thread from a snapshot of the worlds and
/// sent as it is written, so neither the document's text nor a tree of it is ever held whole.
/// The connection closes after it.
async fn get_state(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let (pieces, body) = mpsc::channel(EXPORT_CHUNKS_QUEUED);
    let backend = state.backend.clone();
    // Its end is the end of the body; a client that leaves early stops it with a write error.
    drop(actix_web::rt::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            pieces,
            pending: Vec::with_capacity(EXPORT_CHUNK_BYTES),
        };
        backend
            .export(&mut out)
            .and_then(|()| std::io::Write::flush(&mut out))
    }));
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .force_close()
        .body(Pieces(body)))
}

/// Read, parsed and checked one upload at a time, on a blocking thread (a large document takes
/// seconds to parse, and a worker busy with it would stall every connection it serves); the
/// worlds are swapped only once the whole document is known to be good.
async fn put_state(req: HttpRequest, payload: web::Payload, state: State) -> Answer {
    authorize(&req, &state)?;
    let _upload = Upload::begin(&state.uploading)?;
    let body = read_body(payload, MAX_STATE_BYTES, &state).await?;
    let toml = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("toml"));
    let backend = state.backend.clone();
    web::block(move || {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ControlError::BadRequest("the document is not UTF-8".into()))?;
        backend.import(text, toml).map_err(ControlError::BadRequest)
    })
    .await
    .map_err(|e| ControlError::Unavailable(format!("the import did not finish: {e}")))??;
    Ok(HttpResponse::Ok().json(json!({ "status": "replaced", "world": state.backend.counts() })))
}

async fn get_clock(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    Ok(HttpResponse::Ok().json(clock_json(&state)))
}

/// A change of the emulator clock.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
enum ClockCommand {
    /// Stop time where it is.
    Freeze,
    /// Let time run again from where it stands.
    Resume,
    /// Back to system time, running.
    System,
    /// Move to an instant (a frozen clock stays frozen).
    Set { time: String },
    /// Move by a duration such as `14d`, `-1h`, `90m`, `30s`.
    Advance { by: String },
}

/// Keeps the clock's setting where the worlds are kept (a durable store).
fn save_clock(state: &ControlState) -> Result<(), ControlError> {
    let setting = serde_json::to_value(state.clock.setting()).unwrap_or(Value::Null);
    state
        .backend
        .save_setting(super::CLOCK_SETTING, setting)
        .map_err(ControlError::Unavailable)
}

/// Keeps the fault rules where the worlds are kept (a durable store).
fn save_faults(state: &ControlState) -> Result<(), ControlError> {
    let rules = serde_json::to_value(state.faults.specs()).unwrap_or(Value::Null);
    state
        .backend
        .save_setting(super::FAULTS_SETTING, rules)
        .map_err(ControlError::Unavailable)
}

async fn set_clock(req: HttpRequest, payload: web::Payload, state: State) -> Answer {
    authorize(&req, &state)?;
    match json_body::<ClockCommand>(payload, &state).await? {
        ClockCommand::Freeze => state.clock.freeze(),
        ClockCommand::Resume => state.clock.resume(),
        ClockCommand::System => state.clock.reset(),
        ClockCommand::Set { time } => {
            let at = DateTime::parse_from_rfc3339(&time)
                .map_err(|e| ControlError::BadRequest(format!("invalid time {time:?}: {e}")))?;
            state
                .clock
                .set(at.with_timezone(&Utc))
                .map_err(|e| ControlError::BadRequest(format!("cannot set {time:?}: {e}")))?;
        }
        ClockCommand::Advance { by } => {
            let delta = parse_duration(&by)
                .map_err(|e| ControlError::BadRequest(format!("invalid duration {by:?}: {e}")))?;
            state
                .clock
                .advance(delta)
                .map_err(|e| ControlError::BadRequest(format!("cannot advance by {by:?}: {e}")))?;
        }
    }
    save_clock(&state)?;
    Ok(HttpResponse::Ok().json(clock_json(&state)))
}

async fn list_faults(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    Ok(HttpResponse::Ok().json(json!({ "faults": state.faults.list() })))
}

async fn add_fault(req: HttpRequest, payload: web::Payload, state: State) -> Answer {
    authorize(&req, &state)?;
    let spec = json_body::<FaultSpec>(payload, &state).await?;
    let catalog = state.backend.catalog(spec.cloud);
    let rule = state
        .faults
        .add(spec, catalog)
        .map_err(ControlError::BadRequest)?;
    save_faults(&state)?;
    Ok(HttpResponse::Created().json(rule))
}

async fn clear_faults(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let deleted = state.faults.len();
    state.faults.clear();
    save_faults(&state)?;
    Ok(HttpResponse::Ok().json(json!({ "deleted": deleted })))
}

async fn delete_fault(req: HttpRequest, id: web::Path<String>, state: State) -> Answer {
    authorize(&req, &state)?;
    if state.faults.remove(&id) {
        save_faults(&state)?;
        Ok(HttpResponse::Ok().json(json!({ "deleted": 1 })))
    } else {
        Err(ControlError::NotFound(format!("no fault rule {id}")))
    }
}

/// Filters of `GET /_emulator/requests`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestsQuery {
    cloud: Option<Cloud>,
    action: Option<String>,
    code: Option<String>,
    limit: Option<usize>,
}

async fn list_requests(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let query: RequestsQuery = serde_urlencoded::from_str(req.query_string()).map_err(|e| {
        ControlError::BadRequest(format!(
            "invalid query: {e} (filters: cloud, action, code, limit)"
        ))
    })?;
    let requests = state.journal.query(Filter {
        cloud: query.cloud,
        action: query.action.as_deref(),
        code: query.code.as_deref(),
        limit: query.limit,
    });
    Ok(HttpResponse::Ok().json(json!({ "requests": requests })))
}

async fn clear_requests(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    let deleted = state.journal.len();
    state.journal.clear();
    Ok(HttpResponse::Ok().json(json!({ "deleted": deleted })))
}

async fn method_not_allowed(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    Err(ControlError::MethodNotAllowed)
}

async fn unknown(req: HttpRequest, state: State) -> Answer {
    authorize(&req, &state)?;
    Err(ControlError::NotFound(format!(
        "no control-plane endpoint {}",
        req.path()
    )))
}
