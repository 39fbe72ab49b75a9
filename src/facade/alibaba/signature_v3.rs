//! Signature V3 (`ACS3-HMAC-SHA256`, `ACS3-HMAC-SM3`) as pure functions, one per step of the
//! spec (<https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature>).
//! The server rebuilds the canonical request from the headers the *client* lists in
//! SignedHeaders: Python signs every header it sets, Node only `host` and `x-acs-*`.
//!
//! `ACS3-HMAC-SM3` replaces SHA-256 with SM3 in both hashes (payload and canonical request) and
//! in the HMAC. The Tea cores select it with `signature_algorithm` / `signatureAlgorithm` and
//! still send the payload hash in `x-acs-content-sha256` (Python `alibabacloud_tea_openapi`
//! `Utils.hash` and `get_authorization`; Node `@alicloud/openapi-core` `Utils.hash`,
//! `getAuthorization`, and `doRequest`, which sets that header from the same hash).

use super::params::Params;
use super::percent::canonical_pairs;
use crate::facade::canonical;
use hmac::Hmac;
use sha2::{Digest, Sha256};
use sm3::Sm3;

/// The default V3 algorithm, what the SDKs send unless told otherwise.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// A V3 algorithm served. (`ACS3-RSA-SHA256` signs with a private key the world does not hold.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `ACS3-HMAC-SHA256`: SHA-256 hashes, HMAC-SHA256.
    HmacSha256,
    /// `ACS3-HMAC-SM3`: SM3 hashes, HMAC-SM3.
    HmacSm3,
}

impl Algorithm {
    /// The name as it leads the Authorization header and the string to sign.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => ALGORITHM,
            Self::HmacSm3 => "ACS3-HMAC-SM3",
        }
    }

    /// The algorithm named `name`, exactly.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::HmacSha256, Self::HmacSm3]
            .into_iter()
            .find(|algorithm| algorithm.as_str() == name)
    }

    fn hash_hex(self, bytes: &[u8]) -> String {
        match self {
            Self::HmacSha256 => hex::encode(Sha256::digest(bytes)),
            Self::HmacSm3 => hex::encode(Sm3::digest(bytes)),
        }
    }
}

/// A parsed `Authorization: <algorithm> Credential=<AK>,SignedHeaders=<a;b>,Signature=<hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// `ACS3-HMAC-SHA256`, or another ACS3 algorithm the emulator refuses.
    pub algorithm: &'a str,
    /// The AccessKeyId.
    pub credential: &'a str,
    /// The signed header names as sent, `;`-separated.
    pub signed_headers: &'a str,
    /// Hex signature.
    pub signature: &'a str,
}

impl<'a> Authorization<'a> {
    /// Parses the header value; `None` if it is not of that shape. An empty `Signature=` parses
    /// (and fails verification): the live gateway answers it `SignatureDoesNotMatch`.
    #[must_use]
    pub fn parse(value: &'a str) -> Option<Self> {
        let (algorithm, rest) = value.trim().split_once(' ')?;
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            match part.trim().split_once('=')? {
                ("Credential", v) => credential = Some(v),
                ("SignedHeaders", v) => signed_headers = Some(v),
                ("Signature", v) => signature = Some(v),
                _ => return None,
            }
        }
        let (credential, signed_headers, signature) = (credential?, signed_headers?, signature?);
        (!credential.is_empty()).then_some(Self {
            algorithm,
            credential,
            signed_headers,
            signature,
        })
    }

    /// The signed header names, lower-cased as they are signed.
    pub fn header_names(&self) -> impl Iterator<Item = &'a str> {
        self.signed_headers
            .split(';')
            .filter(|name| !name.is_empty())
    }
}

/// The first header among `names` (lower-case) that the spec requires signed but
/// `authorization` leaves out: "every common request header present, except Authorization, must
/// be signed", i.e. `host` and every `x-acs-*` header the request carries. Without this rule a
/// signature over `host` alone would vouch for any action, date and nonce sent beside it.
pub fn unsigned_required<'h>(
    authorization: &Authorization<'_>,
    names: impl IntoIterator<Item = &'h str>,
) -> Option<&'h str> {
    names.into_iter().find(|name| {
        (*name == "host" || name.starts_with("x-acs-"))
            && !authorization.header_names().any(|signed| signed == *name)
    })
}

/// `HashedRequestPayload`: lower-case hex hash of the body (SHA-256 or SM3).
#[must_use]
pub fn payload_hash(algorithm: Algorithm, body: &[u8]) -> String {
    algorithm.hash_hex(body)
}

/// `CanonicalQueryString`: every query parameter, sorted by name, `pct(name)=pct(value)`, `&`-joined.
#[must_use]
pub fn canonical_query(query: &Params) -> String {
    canonical_pairs(query.iter())
}

/// `CanonicalRequest`; `header` gives a signed header's value (values of a repeated header
/// joined with `,`), `None` if absent.
pub fn canonical_request<'h>(
    method: &str,
    canonical_query: &str,
    authorization: &Authorization<'_>,
    header: impl Fn(&str) -> Option<&'h str>,
    payload_hash: &str,
) -> String {
    // RPC: the CanonicalURI is always "/".
    canonical::canonical_request(
        method,
        "/",
        canonical_query,
        authorization.signed_headers,
        header,
        payload_hash,
    )
}

/// `StringToSign = Algorithm + "\n" + hex(Hash(CanonicalRequest))`.
#[must_use]
pub fn string_to_sign(algorithm: Algorithm, canonical_request: &str) -> String {
    format!(
        "{}\n{}",
        algorithm.as_str(),
        algorithm.hash_hex(canonical_request.as_bytes())
    )
}

/// `Signature = hex(HMAC(AccessKeySecret, StringToSign))`, HMAC-SHA256 or HMAC-SM3; the key is
/// the AccessKeySecret itself (no "&", unlike V1).
#[must_use]
pub fn sign(algorithm: Algorithm, secret: &str, string_to_sign: &str) -> String {
    match algorithm {
        Algorithm::HmacSha256 => canonical::hmac_hex::<Hmac<Sha256>>(secret, string_to_sign),
        Algorithm::HmacSm3 => canonical::hmac_hex::<Hmac<Sm3>>(secret, string_to_sign),
    }
}

/// Whether the hex `signature` is right, compared in constant time.
#[must_use]
pub fn verify(algorithm: Algorithm, secret: &str, string_to_sign: &str, signature: &str) -> bool {
    match algorithm {
        Algorithm::HmacSha256 => {
            canonical::hmac_hex_matches::<Hmac<Sha256>>(secret, string_to_sign, signature)
        }
        Algorithm::HmacSm3 => {
            canonical::hmac_hex_matches::<Hmac<Sm3>>(secret, string_to_sign, signature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // protocols.md §3: the official doc sample (RunInstances) and the Resource Manager example.
    #[test]
    fn the_documented_examples_sign_as_published() {
        let auth = Authorization::parse(
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=x",
        )
        .unwrap();
        let headers = [
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            (
                "x-acs-content-sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            ("x-acs-date", "2023-10-26T09:01:01Z"),
            ("x-acs-signature-nonce", "d410180a5abf7fe235dd9b74aca91fc0"),
            ("x-acs-version", "2014-05-26"),
        ];
        let lookup = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let query = Params::parse(
            b"ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
            None,
        )
        .unwrap();
        let cr = canonical_request(
            "POST",
            &canonical_query(&query),
            &auth,
            lookup,
            &payload_hash(Algorithm::HmacSha256, b""),
        );
        let sts = string_to_sign(Algorithm::HmacSha256, &cr);
        assert_eq!(
            sts,
            "ACS3-HMAC-SHA256\n29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015"
        );
        let sha256 = Algorithm::HmacSha256;
        assert_eq!(
            sign(sha256, "YourAccessKeySecret", &sts),
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        );
        assert!(verify(
            sha256,
            "YourAccessKeySecret",
            &sts,
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        ));
        assert!(!verify(sha256, "YourAccessKeySecret", &sts, "zz"));
    }

    // GB/T 32905-2016 appendix A: SM3("abc"); the empty body's SM3, which both Tea cores send
    // in x-acs-content-sha256 (captured); and HMAC-SM3 as OpenSSL computes it.
    #[test]
    fn sm3_hashes_and_macs_as_the_standard_and_the_sdks_do() {
        let sm3 = Algorithm::HmacSm3;
        assert_eq!(
            payload_hash(sm3, b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            payload_hash(sm3, b""),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
        );
        assert!(string_to_sign(sm3, "x").starts_with("ACS3-HMAC-SM3\n"));
        let signature = sign(sm3, "testsecret", "ACS3-HMAC-SM3\nabc");
        assert!(verify(sm3, "testsecret", "ACS3-HMAC-SM3\nabc", &signature));
        assert!(!verify(
            Algorithm::HmacSha256,
            "testsecret",
            "ACS3-HMAC-SM3\nabc",
            &signature
        ));
        assert_eq!(Algorithm::parse("ACS3-HMAC-SM3"), Some(sm3));
        assert_eq!(Algorithm::parse("ACS3-RSA-SHA256"), None);
        assert_eq!(Algorithm::parse("acs3-hmac-sha256"), None);
    }

    #[test]
    fn host_and_every_x_acs_header_present_must_be_signed() {
        let auth = Authorization::parse(
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=ab",
        )
        .unwrap();
        let names = ["accept", "host", "user-agent", "x-acs-date"];
        assert_eq!(unsigned_required(&auth, names), None);
        let names = ["authorization", "host", "x-acs-action", "x-acs-date"];
        assert_eq!(unsigned_required(&auth, names), Some("x-acs-action"));
        let host_only = Authorization::parse(
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=x-acs-date,Signature=ab",
        )
        .unwrap();
        assert_eq!(
            unsigned_required(&host_only, ["host", "x-acs-date"]),
            Some("host")
        );
        // A request without a Host header (HTTP/1.0) need not sign one.
        assert_eq!(unsigned_required(&host_only, ["x-acs-date"]), None);
    }

    #[test]
    fn authorization_headers_parse_only_in_their_documented_shape() {
        let auth = Authorization::parse(
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=ab",
        )
        .unwrap();
        assert_eq!(
            (auth.algorithm, auth.credential, auth.signature),
            ("ACS3-HMAC-SHA256", "AK", "ab")
        );
        assert_eq!(
            auth.header_names().collect::<Vec<_>>(),
            ["host", "x-acs-date"]
        );
        let unsigned =
            Authorization::parse("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=")
                .unwrap();
        assert_eq!(unsigned.signature, "");
        for bad in [
            "",
            "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab",
            "ACS3-HMAC-SHA256",
            "ACS3-HMAC-SHA256 Credential=AK,Signature=ab",
            "Bearer token",
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=ab,Extra=1",
        ] {
            assert_eq!(Authorization::parse(bad), None, "{bad}");
        }
    }
}
