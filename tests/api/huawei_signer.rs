//! An independent SDK-HMAC-SHA256 signer, written from the reference (`huawei.md` §2.2) for these
//! tests: it shares no code with src/, so a misreading of the algorithm in the emulator cannot
//! hide behind the same misreading here.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The scheme name, first in `Authorization` and in the string to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// `X-Sdk-Date`: `YYYYMMDDTHHMMSSZ`, UTC.
pub fn sdk_date(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 3986: `A-Z a-z 0-9 - _ . ~` stay, every other UTF-8 byte is `%XY` in upper case.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Python's `urllib.parse.unquote`: `%XY` decoded, a stray `%` kept, `+` kept, invalid UTF-8
/// replaced.
pub fn unquote(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = raw.get(i + 1..i + 3)
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The raw path decoded as a whole, split on `/`, each segment encoded, with a final `/`.
pub fn canonical_uri(raw_path: &str) -> String {
    let mut uri = unquote(raw_path)
        .split('/')
        .map(encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The raw query's `k=v` pairs decoded, sorted by (key, value), encoded, joined with `&`.
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (unquote(k), unquote(v)),
            None => (unquote(part), String::new()),
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The first value of a header, by case-insensitive name.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `Method\nURI\nQuery\n` + `name:trim(value)\n` per signed header (in the listed order, an
/// absent one as `name:`) + `\n` + the signed list + `\n` + the payload hash
/// (`X-Sdk-Content-Sha256` if sent, else the body's SHA-256).
pub fn canonical_request(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    signed: &[&str],
    body: &[u8],
) -> String {
    let mut canonical_headers = String::new();
    for name in signed {
        let value = header(headers, name).unwrap_or_default().trim();
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let payload =
        header(headers, "x-sdk-content-sha256").map_or_else(|| sha256_hex(body), str::to_owned);
    format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{}\n{payload}",
        canonical_uri(raw_path),
        canonical_query(raw_query),
        signed.join(";")
    )
}

/// `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// `hex(HMAC-SHA256(SK, string to sign))`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `Authorization` value as the SDKs write it.
pub fn authorization(access_key_id: &str, signed: &[&str], signature: &str) -> String {
    format!(
        "{ALGORITHM} Access={access_key_id}, SignedHeaders={}, Signature={signature}",
        signed.join(";")
    )
}

/// The gateway's mismatch message for a canonical request.
pub fn mismatch_message(canonical_request: &str) -> String {
    format!(
        "Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:{}",
        canonical_request.replace('\n', "|")
    )
}
