//! The answers the edge writes itself, for requests actix's HTTP layer refused or never saw
//! whole: in the shape of the cloud the request addressed (by its path, routed as the app routes
//! it), or the control plane's JSON. Each closes the connection, and the cloud's are journalled
//! and logged like any other answer.

use super::Edge;
use super::framing::Head;
use crate::clock::wire_time;
use crate::control::Cloud;
use crate::control::journal::JournalEntry;
use crate::facade::alibaba::envelope::{self, Format, RequestId};
use crate::facade::alibaba::error::{ApiError, ErrorCode};
use crate::facade::alibaba::gateway::{DEFAULT_HOST_ID, REQUEST_ID_HEADER};
use crate::facade::huawei;
use crate::facade::huawei::error::{ErrorCode as HwCode, HwError};
use actix_web::http::StatusCode;
use std::collections::BTreeMap;

/// Why the edge answers a request itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// actix could not parse the request line or a header line.
    Malformed,
    /// Both Content-Length and Transfer-Encoding (RFC 9112 §6.1: smuggling).
    Conflict,
    /// The request line alone is over actix's head limit.
    LineTooLarge,
    /// The head is over actix's head limit.
    HeadTooLarge,
    /// The head did not arrive within the read timeout.
    Timeout,
    /// actix failed internally.
    Internal,
}

impl Refusal {
    /// Why, in plain words, for the journal and the log.
    #[must_use]
    pub const fn why(self) -> &'static str {
        match self {
            Self::Malformed => "the request line or a header line is not HTTP/1.1",
            Self::Conflict => {
                "the request has both Content-Length and Transfer-Encoding (RFC 9112 §6.1)"
            }
            Self::LineTooLarge => "the request line is longer than the head limit",
            Self::HeadTooLarge => "the request head is larger than the head limit",
            Self::Timeout => "the request head did not arrive within the read timeout",
            Self::Internal => "the HTTP layer failed",
        }
    }
}

/// Who a request addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    Alibaba,
    Huawei,
    Control,
}

/// The path and query of a request target (origin form, or absolute form stripped of scheme
/// and authority).
fn path_and_query(target: &str) -> (&str, &str) {
    let origin = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => target,
    };
    origin.split_once('?').unwrap_or((origin, ""))
}

fn audience(path: &str) -> Audience {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if under("/_emulator") {
        Audience::Control
    } else if huawei::gateway::PREFIXES.iter().any(|prefix| under(prefix)) {
        Audience::Huawei
    } else {
        Audience::Alibaba
    }
}

/// An HTTP/1.1 response that closes the connection.
fn response(status: u16, content_type: &str, extra: Option<(&str, &str)>, body: &[u8]) -> Vec<u8> {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-length: {}\r\ncontent-type: {content_type}\r\n",
        body.len()
    );
    if let Some((name, value)) = extra {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "connection: close\r\ndate: {}\r\n\r\n",
        chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT")
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// What is known of a refused request.
struct Refused<'a> {
    refusal: Refusal,
    path: &'a str,
    query: &'a str,
    host: Option<String>,
    method: String,
}

impl Refused<'_> {
    /// Journals and logs the edge's answer to this request.
    fn journal(
        &self,
        edge: &Edge,
        cloud: Cloud,
        request_id: String,
        status: u16,
        code: &'static str,
    ) {
        tracing::info!(
            target: "access",
            cloud = cloud.as_str(),
            request_id = %request_id,
            status,
            code,
            why = self.refusal.why(),
            refused_by = "http",
        );
        edge.journal.record(JournalEntry {
            time: wire_time(edge.wall_clock.now()),
            cloud,
            request_id,
            method: self.method.clone(),
            path: self.path.to_owned(),
            action: None,
            signature: None,
            access_key_id: None,
            account_id: None,
            parameters: BTreeMap::new(),
            status,
            code: Some(code),
            truncated: false,
            note: None,
            why: Some(self.refusal.why().to_owned()),
        });
    }
}

/// The whole response for `refusal` of `head` (the refused request, as far as it arrived).
#[must_use]
pub fn answer(refusal: Refusal, head: Option<&Head>, edge: &Edge) -> Vec<u8> {
    let target = head.map(|h| String::from_utf8_lossy(h.target()).into_owned());
    let (path, query) = path_and_query(target.as_deref().unwrap_or("/"));
    let refused = Refused {
        refusal,
        path,
        query,
        host: head
            .and_then(|h| h.host.as_deref())
            .map(|h| String::from_utf8_lossy(h).into_owned()),
        method: head
            .map(|h| String::from_utf8_lossy(h.method()).into_owned())
            .unwrap_or_default(),
    };
    match audience(path) {
        Audience::Alibaba => alibaba(&refused, edge),
        Audience::Huawei => huawei(&refused, edge),
        Audience::Control => control(&refused, edge),
    }
}

fn alibaba(refused: &Refused<'_>, edge: &Edge) -> Vec<u8> {
    let error = match refused.refusal {
        Refusal::Malformed => ApiError::with(ErrorCode::InvalidParameter, "HTTP request"),
        Refusal::Conflict => ApiError::with(ErrorCode::InvalidParameter, "Transfer-Encoding"),
        Refusal::LineTooLarge => ApiError::new(ErrorCode::RequestUrlTooLarge),
        Refusal::HeadTooLarge => ApiError::new(ErrorCode::RequestHeaderTooLarge),
        Refusal::Timeout => ApiError::new(ErrorCode::RequestTimeout),
        Refusal::Internal => ApiError::new(ErrorCode::InternalError),
    };
    let request_id = RequestId::new();
    let reply = envelope::error(
        Format::sniff(refused.query.as_bytes()).unwrap_or_else(|| {
            // As the gateway: JSON for a request naming an action, XML for a bare one.
            let action =
                crate::facade::alibaba::envelope::sniff(refused.query.as_bytes(), "Action=")
                    .find_map(|value| std::str::from_utf8(value).ok());
            crate::facade::alibaba::route::default_format(false, action)
        }),
        &request_id,
        refused.host.as_deref().unwrap_or(DEFAULT_HOST_ID),
        &error,
    );
    refused.journal(
        edge,
        Cloud::Alibaba,
        request_id.to_string(),
        reply.status,
        error.code().as_str(),
    );
    response(
        reply.status,
        reply.content_type,
        Some((REQUEST_ID_HEADER, request_id.as_str())),
        &reply.body,
    )
}

fn huawei(refused: &Refused<'_>, edge: &Edge) -> Vec<u8> {
    let code = match refused.refusal {
        Refusal::Malformed | Refusal::Conflict => HwCode::GatewayBadRequest,
        Refusal::LineTooLarge => HwCode::GatewayUriTooLarge,
        Refusal::HeadTooLarge => HwCode::GatewayHeadersTooLarge,
        Refusal::Timeout => HwCode::GatewayRequestTimeout,
        Refusal::Internal => HwCode::InternalError,
    };
    let request_id = huawei::gateway::new_request_id();
    let body = huawei::gateway::error_body(&HwError::new(code), &request_id);
    refused.journal(
        edge,
        Cloud::Huawei,
        request_id.clone(),
        code.status(),
        code.as_str(),
    );
    response(
        code.status(),
        huawei::gateway::CONTENT_TYPE_JSON,
        Some((huawei::gateway::REQUEST_ID_HEADER, &request_id)),
        &body,
    )
}

/// The control plane's JSON error; control-plane calls are not journalled.
fn control(refused: &Refused<'_>, edge: &Edge) -> Vec<u8> {
    let (status, error) = match refused.refusal {
        Refusal::Malformed => (
            StatusCode::BAD_REQUEST,
            "the HTTP request is malformed".to_owned(),
        ),
        Refusal::Conflict => (
            StatusCode::BAD_REQUEST,
            "a request may not carry both Content-Length and Transfer-Encoding".to_owned(),
        ),
        Refusal::LineTooLarge => (
            StatusCode::URI_TOO_LONG,
            "the request line is too long".to_owned(),
        ),
        Refusal::HeadTooLarge => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "the request head is too large".to_owned(),
        ),
        Refusal::Timeout => (
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request head did not arrive within {} s",
                edge.read_timeout.as_secs()
            ),
        ),
        Refusal::Internal => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error".to_owned(),
        ),
    };
    let body = serde_json::to_vec(&serde_json::json!({ "error": error }))
        .expect("a JSON object serializes");
    response(status.as_u16(), "application/json", None, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_routed_to_their_audience_as_the_app_routes_them() {
        for (target, expected) in [
            ("/", Audience::Alibaba),
            ("/?Action=X", Audience::Alibaba),
            ("/v1", Audience::Huawei),
            ("/v3/auth/domains", Audience::Huawei),
            ("/v5/caller-identity?x", Audience::Huawei),
            ("/v1x", Audience::Alibaba),
            ("/_emulator/state", Audience::Control),
            ("/_emulatorx", Audience::Alibaba),
            ("http://host:1/v1/organizations", Audience::Huawei),
            ("", Audience::Alibaba),
        ] {
            assert_eq!(audience(path_and_query(target).0), expected, "{target}");
        }
        assert_eq!(path_and_query("/a?b=c&d"), ("/a", "b=c&d"));
    }
}
