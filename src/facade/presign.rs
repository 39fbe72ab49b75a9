//! Signed requests for people to paste: a V1-signed URL or curl command for the Alibaba gateway,
//! an `SDK-HMAC-SHA256`-signed curl command for Huawei's endpoint. The `sign` subcommand and the
//! console (a curl command for any journal entry) both print them; they differ only in where
//! the key's secret comes from (a world file, or the world being served).

use super::alibaba::params::Params;
use super::alibaba::percent::{canonical_pairs, encode};
use super::alibaba::{route, signature_v1};
use super::headers::Headers;
use super::huawei::route::Operation;
use super::huawei::signing::{self, Authorization};
use chrono::{DateTime, Utc};

/// A request to sign: what is sent, and the key that signs it.
#[derive(Debug, Clone)]
pub struct Presign<'a> {
    /// The emulator's base URL, e.g. `http://127.0.0.1:8765`.
    pub endpoint: &'a str,
    /// The action (Alibaba) or operation (Huawei).
    pub action: &'a str,
    /// Alibaba: the action's parameters. Huawei: `handshake_id`, `body` and query parameters.
    pub params: Vec<(&'a str, &'a str)>,
    /// The key id.
    pub access_key_id: &'a str,
    /// Its secret.
    pub secret: &'a str,
    /// Its security token, for temporary keys.
    pub security_token: Option<&'a str>,
    /// The key's account, sent as Huawei's `X-Domain-Id` when known.
    pub account_id: Option<&'a str>,
    /// The signing time (wall clock: the gateways check it against real time).
    pub now: DateTime<Utc>,
}

/// How an Alibaba request is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlibabaForm {
    /// A URL with every parameter in the query.
    Url,
    /// `curl` of that URL.
    CurlGet,
    /// `curl -X POST` with every parameter in a form body.
    CurlPost,
}

/// The Alibaba request, V1-signed with a fresh nonce, answering in `format`.
#[must_use]
pub fn alibaba(request: &Presign<'_>, format: &str, form: AlibabaForm) -> String {
    let mut params = Params::default();
    for &(name, value) in &request.params {
        params.insert(name, value);
    }
    let nonce = uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .simple()
        .to_string();
    for (name, value) in [
        ("Action", request.action),
        ("Version", route::VERSION),
        ("Format", format),
        ("AccessKeyId", request.access_key_id),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce.as_str()),
        (
            "Timestamp",
            &request.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
    ] {
        params.insert(name, value);
    }
    if let Some(token) = request.security_token {
        params.insert("SecurityToken", token);
    }
    let method = if form == AlibabaForm::CurlPost {
        "POST"
    } else {
        "GET"
    };
    signature_v1::sign_params(&mut params, method, request.secret);
    let encoded = signature_v1::encode_params(&params);
    let base = request.endpoint.trim_end_matches('/');
    match form {
        AlibabaForm::Url => format!("{base}/?{encoded}"),
        AlibabaForm::CurlGet => format!("curl -sS '{base}/?{encoded}'"),
        AlibabaForm::CurlPost => format!(
            "curl -sS -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data '{encoded}' '{base}/'"
        ),
    }
}

/// The Huawei request as a signed curl command, or why the operation is unknown.
pub fn huawei(request: &Presign<'_>) -> Result<String, String> {
    let operation = Operation::ALL
        .into_iter()
        .find(|op| op.as_str() == request.action)
        .ok_or_else(|| {
            format!(
                "{:?} is not a Huawei operation ({})",
                request.action,
                Operation::NAMES.join(", ")
            )
        })?;
    let (mut handshake_id, mut body, mut query) = (None, "", Vec::new());
    for &(name, value) in &request.params {
        match name {
            "handshake_id" => handshake_id = Some(value),
            "body" => body = value,
            _ => query.push((name, value)),
        }
    }
    query.sort_unstable();
    let (method, path) = operation.request_line(handshake_id.map(encode).as_deref());
    let query = canonical_pairs(query.into_iter());
    let base = request.endpoint.trim_end_matches('/');
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .to_owned();
    let date = signing::format_sdk_date(request.now);
    let mut headers = vec![
        ("content-type", "application/json".to_owned()),
        ("host", host),
    ];
    if let Some(account) = request.account_id {
        headers.push(("x-domain-id", account.to_owned()));
    }
    headers.push(("x-sdk-date", date.clone()));
    if let Some(token) = request.security_token {
        headers.push(("x-security-token", token.to_owned()));
    }
    let signed_headers = headers
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";");
    let lookup = Headers::from_pairs(headers.iter().map(|(n, v)| (*n, v.as_str())));
    let unsigned = Authorization {
        access: request.access_key_id,
        signed_headers: &signed_headers,
        signature: "",
    };
    let canonical_request = signing::canonical_request(
        method,
        &signing::canonical_uri(&path),
        &signing::canonical_query(&query),
        &unsigned,
        |name| lookup.get(name),
        &signing::payload_hash(body.as_bytes(), None),
    );
    let signature = signing::sign(
        request.secret,
        &signing::string_to_sign(&date, &canonical_request),
    );
    let mut curl = format!("curl -sS -X {method}");
    for (name, value) in headers.iter().filter(|(name, _)| *name != "host") {
        curl.push_str(&format!(" -H '{name}: {value}'"));
    }
    curl.push_str(&format!(
        " -H 'Authorization: {} Access={}, SignedHeaders={signed_headers}, Signature={signature}'",
        signing::ALGORITHM,
        request.access_key_id
    ));
    if !body.is_empty() {
        curl.push_str(&format!(" --data '{body}'"));
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    curl.push_str(&format!(" '{base}{path}{query}'"));
    Ok(curl)
}
