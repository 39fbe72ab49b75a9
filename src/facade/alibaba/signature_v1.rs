//! Signature V1 (RPC, HMAC-SHA1) as pure functions, one per step of the spec
//! (<https://help.aliyun.com/document_detail/28839.html>, "Signature mechanism").

use super::params::Params;
use super::percent::{canonical_pairs, encode_into};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The parameter that carries the signature and is left out of what is signed.
pub const SIGNATURE: &str = "Signature";

/// Step 1-4: `CanonicalizedQueryString`: every parameter but Signature (empty values too), in
/// byte order of names (`Params` iterates that way), `percentEncode(name)=percentEncode(value)`
/// joined with `&`.
#[must_use]
pub fn canonical_query(params: &Params) -> String {
    canonical_pairs(params.iter().filter(|(name, _)| *name != SIGNATURE))
}

/// Step 5: `StringToSign = HTTPMethod & percentEncode("/") & percentEncode(CanonicalizedQueryString)`.
#[must_use]
pub fn string_to_sign(method: &str, canonical_query: &str) -> String {
    let mut out = String::with_capacity(method.len() + 5 + canonical_query.len() * 3 / 2);
    out.push_str(method);
    out.push_str("&%2F&");
    encode_into(&mut out, canonical_query);
    out
}

fn mac(secret: &str, string_to_sign: &str) -> Hmac<Sha1> {
    // 6. "the key is the AccessKeySecret followed by &"
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    mac
}

/// Step 6: `Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`.
#[must_use]
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    STANDARD.encode(mac(secret, string_to_sign).finalize().into_bytes())
}

/// Step 7: whether `signature` (base64, as sent) is right, compared in constant time.
#[must_use]
pub fn verify(secret: &str, string_to_sign: &str, signature: &str) -> bool {
    STANDARD
        .decode(signature)
        .is_ok_and(|sent| mac(secret, string_to_sign).verify_slice(&sent).is_ok())
}

/// Signs `params` in place for `method`: adds `Signature`, returns the string to sign.
pub fn sign_params(params: &mut Params, method: &str, secret: &str) -> String {
    params.remove(SIGNATURE);
    let sts = string_to_sign(method, &canonical_query(params));
    params.insert(SIGNATURE, sign(secret, &sts));
    sts
}

/// The query string (or form body) for `params`, each part RFC 3986-encoded.
#[must_use]
pub fn encode_params(params: &Params) -> String {
    canonical_pairs(params.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    // protocols.md §2: the official ECS example and the Resource Manager example.
    #[test]
    fn the_documented_examples_sign_as_published() {
        let mut p = params(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("TimeStamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]);
        let sts = string_to_sign("GET", &canonical_query(&p));
        assert_eq!(
            sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(sign("testsecret", &sts), "CT9X0VtwR86fNWSnsc6v8YGOjuE=");

        p.remove("TimeStamp");
        p.insert("Timestamp", "2016-02-23T12:46:24Z");
        assert_eq!(
            sign("testsecret", &string_to_sign("GET", &canonical_query(&p))),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );

        let rm = params(&[
            ("AccessKeyId", "testid"),
            ("Action", "AcceptHandshake"),
            ("Format", "JSON"),
            ("HandshakeId", "h-Ih8IuPfvV0t0abcd"),
            ("Note", "a b*c~d"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2020-06-01T12:00:00Z"),
            ("Version", "2020-03-31"),
        ]);
        assert_eq!(
            sign("testsecret", &string_to_sign("POST", &canonical_query(&rm))),
            "GpEoBR+RTPKZNeED2BSrwq1Jcz4="
        );
    }

    #[test]
    fn the_signature_parameter_is_not_signed_and_empty_values_are() {
        let p = params(&[("A", "1"), ("Signature", "x"), ("SignatureType", "")]);
        assert_eq!(canonical_query(&p), "A=1&SignatureType=");
    }

    #[test]
    fn verification_rejects_a_wrong_or_undecodable_signature() {
        let good = sign("s", "sts");
        assert!(verify("s", "sts", &good));
        assert!(!verify("t", "sts", &good));
        assert!(!verify("s", "sts", "not base64!"));
    }
}
