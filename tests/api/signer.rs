//! An independent V1 signer, written from the spec for these tests: it shares no code with
//! src/, so a misunderstanding in the emulator's signer cannot hide behind the same one here.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

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

pub fn now_timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
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
