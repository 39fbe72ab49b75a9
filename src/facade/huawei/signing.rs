//! Huawei Cloud APIG `SDK-HMAC-SHA256` verification as pure functions, one per step of the
//! algorithm (reference `huawei.md` §2.1–2.5; Python `huaweicloudsdkcore/signer/signer.py`, Go
//! `core/auth/signer/signer.go`). The server rebuilds the canonical request from the headers the
//! *client* lists in SignedHeaders: Python signs `content-type;host;user-agent;…`, Go neither
//! `host` nor `content-type`, so the set is never recomputed here.
//!
//! Nothing here reads a clock or the network: the caller passes "now" in, and looks up the secret.

use crate::facade::canonical;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use hmac::Hmac;
use sha2::{Digest, Sha256};

/// The only algorithm served; SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3 and the derived
/// V11-HMAC-SHA256 are refused like a malformed header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// How far `X-Sdk-Date` may be from the server's time, either way ("within 15 minutes").
pub const MAX_SKEW: TimeDelta = TimeDelta::minutes(15);

/// The `X-Sdk-Date` layout, `YYYYMMDDTHHMMSSZ` in UTC.
const SDK_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// A parsed `Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key id (AK).
    pub access: &'a str,
    /// The signed header names as sent, `;`-separated, in the client's order.
    pub signed_headers: &'a str,
    /// The hex signature, as sent (checked only by [`verify`]).
    pub signature: &'a str,
}

impl<'a> Authorization<'a> {
    /// Parses the header value; `None` for another scheme, a missing, repeated or unknown part,
    /// or an empty AK or signature. The SDKs write `", "` between the parts; any spaces around
    /// the commas are accepted.
    #[must_use]
    pub fn parse(value: &'a str) -> Option<Self> {
        let (scheme, rest) = value.trim().split_once(' ')?;
        if scheme != ALGORITHM {
            return None;
        }
        let (mut access, mut signed_headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let slot = match part.trim().split_once('=')? {
                ("Access", v) => (&mut access, v),
                ("SignedHeaders", v) => (&mut signed_headers, v),
                ("Signature", v) => (&mut signature, v),
                _ => return None,
            };
            // A second Access= could smuggle another AK past a log line; refuse it.
            if slot.0.replace(slot.1).is_some() {
                return None;
            }
        }
        let (access, signed_headers, signature) = (access?, signed_headers?, signature?);
        (!access.is_empty() && !signature.is_empty()).then_some(Self {
            access,
            signed_headers,
            signature,
        })
    }

    /// The signed header names in the client's order, as they appear in the canonical request.
    pub fn header_names(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.signed_headers
            .split(';')
            .filter(|name| !name.is_empty())
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes like Python's `urllib.parse.unquote`: a `%` not followed by two hex digits
/// stays literal, `+` stays `+`, and bytes that are not UTF-8 become U+FFFD. Routing uses it on a
/// single raw path segment; signing on the whole path and on each query part.
#[must_use]
pub fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i + 1..i + 3) {
            Some(&[hi, lo]) if bytes[i] == b'%' => hex_value(hi).zip(hex_value(lo)),
            _ => None,
        };
        if let Some((hi, lo)) = escaped {
            out.push((hi << 4) | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3986 encoding: unreserved `A-Z a-z 0-9 - _ . ~` literal, every other UTF-8 byte `%XX`
/// upper-case (Python's `quote(s, safe='~')`, Go's `escape`).
fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// `CanonicalURI`: the raw path percent-decoded as a whole, split on `/`, each segment
/// re-encoded, joined with `/`, with a final `/`. A `%2F` inside a path parameter thus signs as a
/// separator, exactly as the Python SDK computes it (`unquote(path).split('/')`).
#[must_use]
pub fn canonical_uri(raw_path: &str) -> String {
    let decoded = percent_decode(raw_path);
    let mut out = String::with_capacity(decoded.len() + 16);
    for (i, segment) in decoded.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode_into(&mut out, segment);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// `CanonicalQueryString`: each `&`-separated `k=v` percent-decoded (a literal `+` stays `+`, it
/// is never a space), sorted by decoded `(k, v)` bytes, re-encoded and joined as `enc(k)=enc(v)`
/// with `&`. A part without `=` is a key with an empty value (`k=`); empty parts (`a=1&&b=2`,
/// a trailing `&`) carry no parameter and are skipped. An empty query gives `""`.
#[must_use]
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect();
    // Repeated keys sort by value too, as the SDKs sort a list parameter's values.
    pairs.sort_unstable();
    let mut out = String::with_capacity(raw_query.len() + 8);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, key);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

/// `HashedPayload`: the `X-Sdk-Content-Sha256` value when the client sent one (e.g.
/// `UNSIGNED-PAYLOAD`), else lower-case hex SHA-256 of the body bytes exactly as received (the Go
/// SDK's trailing `\n` included).
#[must_use]
pub fn payload_hash(body: &[u8], content_sha256: Option<&str>) -> String {
    content_sha256.map_or_else(|| hex::encode(Sha256::digest(body)), str::to_owned)
}

/// `CanonicalRequest`; `header` gives a signed header's value as received (values of a repeated
/// header joined with `,`, looked up case-insensitively), `None` if absent. An absent listed
/// header still contributes `name:`, so the request fails as a mismatch rather than earlier.
pub fn canonical_request<'h>(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    authorization: &Authorization<'_>,
    header: impl Fn(&str) -> Option<&'h str>,
    payload_hash: &str,
) -> String {
    canonical::canonical_request(
        method,
        canonical_uri,
        canonical_query,
        authorization.signed_headers,
        header,
        payload_hash,
    )
}

/// `StringToSign = "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(SHA256(CanonicalRequest))`.
#[must_use]
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// `Signature = hex(HMAC-SHA256(SK, StringToSign))`, lower-case; the key is the SK's bytes as they
/// are (no derivation, unlike SigV4 or V11).
#[must_use]
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    canonical::hmac_hex::<Hmac<Sha256>>(secret, string_to_sign)
}

/// Whether the hex `signature` is right, compared in constant time; `false` if it is not hex.
#[must_use]
pub fn verify(secret: &str, string_to_sign: &str, signature: &str) -> bool {
    canonical::hmac_hex_matches::<Hmac<Sha256>>(secret, string_to_sign, signature)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0, |acc, &byte| {
        byte.is_ascii_digit()
            .then(|| acc * 10 + u32::from(byte - b'0'))
    })
}

/// Parses `X-Sdk-Date`: exactly `YYYYMMDDTHHMMSSZ` (16 characters, upper-case `T` and `Z`, a real
/// calendar date, seconds 00–59); `None` otherwise. Stricter than chrono's `%Y`, which would take
/// a sign or a five-digit year.
#[must_use]
pub fn parse_sdk_date(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(&b[4..6])?, digits(&b[6..8])?)?;
    let time = date.and_hms_opt(digits(&b[9..11])?, digits(&b[11..13])?, digits(&b[13..15])?)?;
    Some(time.and_utc())
}

/// Formats a time as `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`), as the gateway prints its server time.
#[must_use]
pub fn format_sdk_date(time: DateTime<Utc>) -> String {
    time.format(SDK_DATE_FORMAT).to_string()
}

/// Whether a request signed at `signed` is within [`MAX_SKEW`] of `now`, either way (exactly
/// 15 minutes still passes: the gateway rejects "more than 15 minutes").
#[must_use]
pub fn is_fresh(signed: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    (now - signed).abs() <= MAX_SKEW
}

/// The detail of the "signature expired" message: `<X-Sdk-Date as sent>,server time:<now>`. The
/// catalog's template holds one `{}` after `signature time:`, so both times travel in one string.
#[must_use]
pub fn expired_detail(sdk_date: &str, now: DateTime<Utc>) -> String {
    format!("{sdk_date},server time:{}", format_sdk_date(now))
}

/// The detail of the mismatch message: the server's canonical request with every `\n` replaced by
/// `|`, as the real gateway prints it after `verify aksk signature fail, canonicalRequest:`.
#[must_use]
pub fn mismatch_detail(canonical_request: &str) -> String {
    canonical_request.replace('\n', "|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashMap;
    use std::path::Path;

    const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/huawei");
    const MISMATCH_PREFIX: &str =
        "Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:";

    /// A request as the server receives it: the raw pieces a vector records.
    #[derive(Clone)]
    struct Request {
        method: String,
        path: String,
        query: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    /// What the server derives from a request, or `None` if Authorization does not parse.
    struct Derived {
        canonical_request: String,
        string_to_sign: String,
        signature: String,
    }

    impl Request {
        fn from_vector(v: &serde_json::Value) -> Self {
            let r = &v["request"];
            let text = |key: &str| r[key].as_str().expect(key).to_owned();
            let headers = r["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|pair| {
                    let name = pair[0].as_str().expect("header name");
                    let value = pair[1].as_str().expect("header value");
                    (name.to_owned(), value.to_owned())
                })
                .collect();
            Self {
                method: text("method"),
                path: text("path"),
                query: text("query"),
                headers,
                body: text("body").into_bytes(),
            }
        }

        /// Values of a header (case-insensitive), repeats joined with `,` as HTTP stacks do.
        fn header_map(&self) -> HashMap<String, String> {
            let mut map: HashMap<String, String> = HashMap::new();
            for (name, value) in &self.headers {
                map.entry(name.to_ascii_lowercase())
                    .and_modify(|joined| {
                        joined.push(',');
                        joined.push_str(value);
                    })
                    .or_insert_with(|| value.clone());
            }
            map
        }

        fn derive(&self, secret: &str) -> Option<Derived> {
            let headers = self.header_map();
            let get = |name: &str| headers.get(&name.to_ascii_lowercase()).map(String::as_str);
            let auth = Authorization::parse(get("authorization")?)?;
            let cr = canonical_request(
                &self.method,
                &canonical_uri(&self.path),
                &canonical_query(&self.query),
                &auth,
                get,
                &payload_hash(&self.body, get("x-sdk-content-sha256")),
            );
            let sts = string_to_sign(get("x-sdk-date").unwrap_or(""), &cr);
            Some(Derived {
                signature: sign(secret, &sts),
                canonical_request: cr,
                string_to_sign: sts,
            })
        }

        fn verifies(&self, secret: &str) -> bool {
            let headers = self.header_map();
            let Some(sent) = headers
                .get("authorization")
                .and_then(|v| Authorization::parse(v))
            else {
                return false;
            };
            self.derive(secret)
                .is_some_and(|d| verify(secret, &d.string_to_sign, sent.signature))
        }

        fn with_header(&self, lower_name: &str, value: &str) -> Self {
            let mut copy = self.clone();
            for (name, v) in &mut copy.headers {
                if name.eq_ignore_ascii_case(lower_name) {
                    value.clone_into(v);
                }
            }
            copy
        }
    }

    /// Changes one byte: the last ASCII letter or digit that is not part of a `%XX` escape (whose
    /// case change would decode to the same byte); appends `x` to text that has none.
    fn tweak(text: &str) -> String {
        let b = text.as_bytes();
        let in_escape = |i: usize| (i >= 1 && b[i - 1] == b'%') || (i >= 2 && b[i - 2] == b'%');
        match (0..b.len())
            .rev()
            .find(|&i| b[i].is_ascii_alphanumeric() && !in_escape(i))
        {
            Some(i) => {
                let replacement = if b[i] == b'x' { "y" } else { "x" };
                let mut out = text.to_owned();
                out.replace_range(i..=i, replacement);
                out
            }
            None => format!("{text}x"),
        }
    }

    /// Changes the last hex digit, so the forged signature still decodes and reaches the MAC compare.
    fn flip_hex(signature: &str) -> String {
        let (head, last) = signature.split_at(signature.len() - 1);
        format!("{head}{}", if last == "0" { '1' } else { '0' })
    }

    fn vectors() -> Vec<(String, serde_json::Value)> {
        let mut out: Vec<_> = std::fs::read_dir(Path::new(VECTORS))
            .expect("vector directory")
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .map(|path| {
                let text = std::fs::read_to_string(&path).expect("vector file");
                let name = path
                    .file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned();
                (name, serde_json::from_str(&text).expect("vector JSON"))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    #[test]
    fn all_67_vectors_rebuild_sign_and_verify() {
        let vectors = vectors();
        assert_eq!(vectors.len(), 67, "README promises 67 vectors");
        for (name, v) in &vectors {
            let field = |key: &str| v[key].as_str().expect(key);
            let secret = field("access_key_secret");
            let request = Request::from_vector(v);
            let headers = request.header_map();
            let auth = Authorization::parse(&headers["authorization"]).expect(name);
            assert_eq!(auth.access, field("access_key_id"), "{name}");
            let listed: Vec<&str> = v["signed_headers"]
                .as_array()
                .expect("signed_headers")
                .iter()
                .map(|h| h.as_str().expect("header name"))
                .collect();
            assert_eq!(auth.header_names().collect::<Vec<_>>(), listed, "{name}");

            let d = request.derive(secret).expect(name);
            assert_eq!(d.canonical_request, field("canonical_request"), "{name}");
            assert_eq!(d.string_to_sign, field("string_to_sign"), "{name}");
            assert_eq!(d.signature, field("signature"), "{name}");
            assert_eq!(auth.signature, field("client_signature"), "{name}");
            assert!(request.verifies(secret), "{name}");
            assert_eq!(
                format!("{MISMATCH_PREFIX}{}", mismatch_detail(&d.canonical_request)),
                field("apigw_0301_message"),
                "{name}"
            );
            let date = parse_sdk_date(&headers["x-sdk-date"]).expect(name);
            assert_eq!(format_sdk_date(date), headers["x-sdk-date"], "{name}");
        }
    }

    #[test]
    fn changing_any_signed_byte_of_a_vector_fails_verification() {
        for (name, v) in &vectors() {
            let secret = v["access_key_secret"].as_str().expect("secret");
            let original = Request::from_vector(v);
            let mut tampered = Vec::new();

            let mut r = original.clone();
            r.method = tweak(&r.method);
            tampered.push(("method", r));
            let mut r = original.clone();
            r.path = tweak(&r.path);
            tampered.push(("path", r));
            let mut r = original.clone();
            r.query = tweak(&r.query);
            tampered.push(("query", r));
            let mut r = original.clone();
            r.body = tweak(&String::from_utf8(r.body).expect("UTF-8 body")).into_bytes();
            tampered.push(("body", r));
            let headers = original.header_map();
            let auth = Authorization::parse(&headers["authorization"]).expect(name);
            for header in auth.header_names() {
                let value = headers.get(header).expect("signed header present");
                tampered.push((header, original.with_header(header, &tweak(value))));
            }
            let signature = flip_hex(auth.signature);
            let forged = headers["authorization"].replace(auth.signature, &signature);
            tampered.push(("signature", original.with_header("authorization", &forged)));

            for (what, request) in &tampered {
                assert!(
                    !request.verifies(secret),
                    "{name}: tampered {what} verified"
                );
            }
            assert!(
                !original.verifies(&tweak(secret)),
                "{name}: tampered secret"
            );
            assert!(original.verifies(secret), "{name}");
        }
    }

    // huaweicloud/huaweicloud-sdk-go-v3 core/auth/signer/signer_test.go (read at commit
    // 54c11bc9): AK "AccessKey", SK "SecretKey", host example.huaweicloud.com, path "/path".
    // The Go SDK signs neither host, content-type nor names with '_', and its JSON body ends "\n".
    #[test]
    fn the_go_sdk_published_vectors_verify() {
        let cases = [
            (
                "GET",
                "limit=1",
                None,
                &b""[..],
                "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
            ),
            (
                "POST",
                "key=value",
                Some("application/json"),
                &b"{\"Name\":\"test\",\"Id\":1}\n"[..],
                "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
            ),
        ];
        for (method, query, content_type, body, expected) in cases {
            let value = format!(
                "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature={expected}"
            );
            let auth = Authorization::parse(&value).expect("Go's Authorization");
            let header = |name: &str| match name {
                "x-sdk-date" => Some("20060102T150405Z"),
                "host" => Some("example.huaweicloud.com"),
                "test_underscore" => Some("TEST_VALUE"),
                "content-type" => content_type,
                _ => None,
            };
            let cr = canonical_request(
                method,
                &canonical_uri("/path"),
                &canonical_query(query),
                &auth,
                header,
                &payload_hash(body, None),
            );
            assert_eq!(
                cr,
                format!(
                    "{method}\n/path/\n{query}\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n{}",
                    hex::encode(Sha256::digest(body))
                )
            );
            let sts = string_to_sign("20060102T150405Z", &cr);
            assert_eq!(sign("SecretKey", &sts), expected, "{method}");
            assert!(verify("SecretKey", &sts, auth.signature), "{method}");
            assert!(!verify("SecretKey", &sts, &flip_hex(expected)), "{method}");
        }
    }

    // Same file, TestSigner_canonicalQueryString: the Go SDK's expected query, fed back unsorted.
    #[test]
    fn the_go_sdk_canonical_query_vector_is_reproduced() {
        let expected = "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29";
        assert_eq!(canonical_query(expected), expected);
        assert_eq!(
            canonical_query(
                "test=%E4%B8%80%20(%26%3D%3F!%23%25.*)&multi=3&path=/tmp/123&multi=1&limit=1&multi=2&enable=true"
            ),
            expected
        );
    }

    #[test]
    fn authorization_parses_the_sdk_shapes_and_refuses_the_rest() {
        let expected = Authorization {
            access: "AK",
            signed_headers: "host;x-sdk-date",
            signature: "ab12",
        };
        for ok in [
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab12",
            "SDK-HMAC-SHA256 Access=AK,SignedHeaders=host;x-sdk-date,Signature=ab12",
            "  SDK-HMAC-SHA256   Access=AK ,  SignedHeaders=host;x-sdk-date ,Signature=ab12 ",
            "SDK-HMAC-SHA256 Signature=ab12, Access=AK, SignedHeaders=host;x-sdk-date",
        ] {
            assert_eq!(Authorization::parse(ok), Some(expected), "{ok:?}");
        }
        assert_eq!(
            expected.header_names().collect::<Vec<_>>(),
            ["host", "x-sdk-date"]
        );
        for bad in [
            "",
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature=ab12",
            "SDK-ECDSA-P256-SHA256 Access=AK, SignedHeaders=host, Signature=ab12",
            "V11-HMAC-SHA256 Credential=AK/20261123/cn-north-4/organizations/sdk_request, SignedHeaders=host, Signature=ab12",
            "sdk-hmac-sha256 Access=AK, SignedHeaders=host, Signature=ab12",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
            "SDK-HMAC-SHA256 SignedHeaders=host, Signature=ab12",
            "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=ab12",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab12, Access=BK",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab12, Extra=1",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab12,",
            "SDK-HMAC-SHA256 Access AK, SignedHeaders=host, Signature=ab12",
            "SDK-HMAC-SHA256 Credential=AK, SignedHeaders=host, Signature=ab12",
        ] {
            assert_eq!(Authorization::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn canonical_uri_decodes_the_whole_path_and_reencodes_each_segment() {
        for (raw, expected) in [
            ("", "/"),
            ("/", "/"),
            (
                "/v1/organizations/handshakes",
                "/v1/organizations/handshakes/",
            ),
            ("/v1/received-handshakes/", "/v1/received-handshakes/"),
            // reference §1.4: %2F in the id becomes a separator for signing
            (
                "/v1/received-handshakes/h-a%20b%2Ac~d%2Fe%2Bf%C3%A9/accept",
                "/v1/received-handshakes/h-a%20b%2Ac~d/e%2Bf%C3%A9/accept/",
            ),
            ("/a%2fb", "/a/b/"),
            ("/%7E%41", "/~A/"),
            ("/a+b c", "/a%2Bb%20c/"),
            ("/é", "/%C3%A9/"),
            ("/a//b", "/a//b/"),
            // not an escape: the '%' itself is encoded, as Python's unquote leaves it
            ("/100%", "/100%25/"),
            ("/%zz%4", "/%25zz%254/"),
            // not UTF-8 once decoded: U+FFFD, like unquote(errors='replace')
            ("/%FF", "/%EF%BF%BD/"),
            ("/%C3", "/%EF%BF%BD/"),
        ] {
            assert_eq!(canonical_uri(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn canonical_query_sorts_decoded_pairs_and_keeps_plus_literal() {
        for (raw, expected) in [
            ("", ""),
            ("limit=5", "limit=5"),
            // reference §1.3: marker `a b/c+d~eé=&`
            (
                "marker=a%20b%2Fc%2Bd~e%C3%A9%3D%26&limit=1",
                "limit=1&marker=a%20b%2Fc%2Bd~e%C3%A9%3D%26",
            ),
            ("q=a+b", "q=a%2Bb"),
            ("flag", "flag="),
            ("flag=", "flag="),
            ("a=2&a=1&a=10", "a=1&a=10&a=2"),
            ("b=1&&a=2&", "a=2&b=1"),
            ("k=a=b", "k=a%3Db"),
            ("%7E=%7e", "~=~"),
            ("k=%zz", "k=%25zz"),
            // decoded bytes decide the order: 'B' (0x42) before 'a' (0x61), '%41'=='A' first
            ("a=1&B=2&%41=3", "A=3&B=2&a=1"),
        ] {
            assert_eq!(canonical_query(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn canonical_request_lists_headers_in_the_clients_order_and_absent_ones_empty() {
        let auth = Authorization::parse(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date;host;x-missing, Signature=00",
        )
        .expect("valid");
        let header = |name: &str| match name {
            "host" => Some(" 127.0.0.1:8080 "),
            "x-sdk-date" => Some("20261123T062904Z"),
            _ => None,
        };
        assert_eq!(
            canonical_request("GET", "/v1/x/", "a=1", &auth, header, "HASH"),
            "GET\n/v1/x/\na=1\nx-sdk-date:20261123T062904Z\nhost:127.0.0.1:8080\nx-missing:\n\nx-sdk-date;host;x-missing\nHASH"
        );
    }

    #[test]
    fn payload_hash_prefers_the_content_sha256_header() {
        assert_eq!(
            payload_hash(b"", None),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            payload_hash(b"abc", Some("UNSIGNED-PAYLOAD")),
            "UNSIGNED-PAYLOAD"
        );
    }

    #[test]
    fn verify_refuses_non_hex_and_wrong_length_signatures() {
        let sts = string_to_sign("20261123T062904Z", "GET\n/\n\n\n\n\nx");
        let good = sign("SK", &sts);
        assert!(verify("SK", &sts, &good));
        assert!(
            verify("SK", &sts, &good.to_uppercase()),
            "hex is case-insensitive"
        );
        assert!(!verify("SK", &sts, &good[..62]));
        assert!(!verify("SK", &sts, &format!("{good}00")));
        assert!(!verify("SK", &sts, "zz"));
        assert!(!verify("SK", &sts, ""));
    }

    #[test]
    fn sdk_dates_parse_exactly() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 23, 6, 29, 4)
            .single()
            .expect("valid");
        assert_eq!(parse_sdk_date("20261123T062904Z"), Some(t));
        assert_eq!(format_sdk_date(t), "20261123T062904Z");
        assert_eq!(
            parse_sdk_date("20240229T235959Z"),
            Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).single()
        );
        for bad in [
            "",
            "20261123T062904",
            "20261123T062904ZZ",
            "20261123t062904Z",
            "20261123T062904z",
            "2026-11-23T06:29:04Z",
            "20261323T062904Z",
            "20230229T000000Z",
            "20261123T240000Z",
            "20261123T066004Z",
            "20261123T062960Z",
            "+0261123T062904Z",
            "2026112 T062904Z",
            "20261123T0629éZ",
            "é0261123T06290Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn freshness_allows_fifteen_minutes_either_way() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 6, 29, 4)
            .single()
            .expect("valid");
        assert!(is_fresh(now, now));
        assert!(is_fresh(now - MAX_SKEW, now));
        assert!(is_fresh(now + MAX_SKEW, now));
        assert!(!is_fresh(now - MAX_SKEW - TimeDelta::seconds(1), now));
        assert!(!is_fresh(now + MAX_SKEW + TimeDelta::seconds(1), now));
        assert_eq!(
            expired_detail("20261123T061304Z", now),
            "20261123T061304Z,server time:20261123T062904Z"
        );
    }

    #[test]
    fn mismatch_detail_replaces_every_newline() {
        assert_eq!(mismatch_detail("GET\n/\n\nh:v\n\nh\nx"), "GET|/||h:v||h|x");
    }
}
