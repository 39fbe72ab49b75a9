//! An independent V1 signer, written from the spec for these tests: it shares no code with
//! src/, so a misunderstanding in the emulator's signer cannot hide behind the same one here.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub id: &'static str,
    pub secret: &'static str,
    pub token: Option<&'static str>,
}

impl Key {
    pub const fn new(id: &'static str, secret: &'static str) -> Self {
        Self {
            id,
            secret,
            token: None,
        }
    }

    pub const fn sts(id: &'static str, secret: &'static str, token: &'static str) -> Self {
        Self {
            id,
            secret,
            token: Some(token),
        }
    }

    pub fn with_secret(self, secret: Option<&'static str>) -> Self {
        Self {
            secret: secret.unwrap_or(self.secret),
            ..self
        }
    }
}

/// RFC 3986: unreserved bytes stay, everything else is %XY.
pub fn pct(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn form_encode(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn string_to_sign(method: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<_> = params.iter().filter(|(k, _)| k != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let canonical = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{method}&{}&{}", pct("/"), pct(&canonical))
}

pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A V1/V3 timestamp `offset` from now.
pub fn timestamp(offset: chrono::TimeDelta) -> String {
    (chrono::Utc::now() + offset)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

pub fn now_timestamp() -> String {
    timestamp(chrono::TimeDelta::zero())
}

pub fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// `params` with the V1 parameters added (theirs win), `remove` left out, then signed.
pub fn sign_v1(
    method: &str,
    key: Key,
    params: &[(String, String)],
    remove: &[&str],
) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = vec![
        ("AccessKeyId".into(), key.id.into()),
        ("SignatureMethod".into(), "HMAC-SHA1".into()),
        ("SignatureVersion".into(), "1.0".into()),
        ("SignatureNonce".into(), nonce()),
        ("Timestamp".into(), now_timestamp()),
    ];
    if let Some(token) = key.token {
        all.push(("SecurityToken".into(), token.into()));
    }
    for (name, value) in params {
        all.retain(|(n, _)| n != name);
        all.push((name.clone(), value.clone()));
    }
    all.retain(|(n, _)| !remove.contains(&n.as_str()));
    if !remove.contains(&"Signature") {
        let sig = signature(key.secret, &string_to_sign(method, &all));
        all.push(("Signature".into(), sig));
    }
    all
}

/// Hex of the V3 `algorithm`'s hash: SHA-256, or SM3 for `ACS3-HMAC-SM3`.
fn hash_v3(algorithm: &str, bytes: &[u8]) -> String {
    if algorithm == "ACS3-HMAC-SM3" {
        hex::encode(sm3::Sm3::digest(bytes))
    } else {
        hex::encode(Sha256::digest(bytes))
    }
}

/// V3 canonical request over `query` and the signed `headers` (lower-case names, as signed).
pub fn canonical_request_v3(
    method: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
) -> String {
    canonical_request_v3_with("ACS3-HMAC-SHA256", method, query, headers, body)
}

/// [`canonical_request_v3`] for `algorithm`, whose hash covers the body.
pub fn canonical_request_v3_with(
    algorithm: &str,
    method: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
) -> String {
    let mut query = query.to_vec();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = headers.to_vec();
    headers.sort();
    let canonical_headers: String = headers
        .iter()
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect::<Vec<_>>()
        .concat();
    let signed = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    format!(
        "{method}\n/\n{query}\n{canonical_headers}\n{signed}\n{}",
        hash_v3(algorithm, body)
    )
}

pub fn signature_v3(secret: &str, canonical_request: &str) -> String {
    signature_v3_with("ACS3-HMAC-SHA256", secret, canonical_request)
}

/// The hex signature of `canonical_request` with `algorithm` (`ACS3-HMAC-SHA256` or `-SM3`).
pub fn signature_v3_with(algorithm: &str, secret: &str, canonical_request: &str) -> String {
    let string_to_sign = format!(
        "{algorithm}\n{}",
        hash_v3(algorithm, canonical_request.as_bytes())
    );
    if algorithm == "ACS3-HMAC-SM3" {
        let mut mac = Hmac::<sm3::Sm3>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(string_to_sign.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    } else {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(string_to_sign.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The headers of a V3 request as the Python Tea SDK builds them (all of them signed).
pub fn v3_headers(key: Key, host: &str, action: &str, body: &[u8]) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), host.into()),
        ("x-acs-action".into(), action.into()),
        ("x-acs-version".into(), "2020-03-31".into()),
        ("x-acs-date".into(), now_timestamp()),
        ("x-acs-signature-nonce".into(), nonce()),
        (
            "x-acs-content-sha256".into(),
            hex::encode(Sha256::digest(body)),
        ),
        ("accept".into(), "application/json".into()),
    ];
    if let Some(token) = key.token {
        headers.push(("x-acs-security-token".into(), token.into()));
        headers.push(("x-acs-accesskey-id".into(), key.id.into()));
    }
    headers
}

/// Adds the Authorization header for `headers` as they stand, signed with `algorithm`.
pub fn authorize_v3(
    algorithm: &str,
    key: Key,
    method: &str,
    query: &[(String, String)],
    headers: &mut Vec<(String, String)>,
    body: &[u8],
) {
    headers.retain(|(n, _)| n != "authorization");
    let cr = canonical_request_v3_with(algorithm, method, query, headers, body);
    let mut names: Vec<_> = headers.iter().map(|(k, _)| k.clone()).collect();
    names.sort();
    let value = format!(
        "{algorithm} Credential={},SignedHeaders={},Signature={}",
        key.id,
        names.join(";"),
        signature_v3_with(algorithm, key.secret, &cr)
    );
    headers.push(("authorization".into(), value));
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn sm3_hex(bytes: &[u8]) -> String {
    hash_v3("ACS3-HMAC-SM3", bytes)
}
