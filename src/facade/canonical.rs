//! What the two SigV4-shaped signers (Alibaba `ACS3-*`, Huawei `SDK-HMAC-SHA256`) share, word for
//! word in their specs: the canonical request's layout and a hex HMAC of the string to sign. Each
//! facade keeps its own algorithm names, string to sign and key handling.

use hmac::Mac;
use hmac::digest::KeyInit;

/// `Method\nCanonicalURI\nCanonicalQuery\n` + `name:trim(value)\n` per signed header (in the
/// client's order, a missing one as empty) + `\n` + `SignedHeaders\nHashedPayload`.
#[must_use]
pub fn canonical_request<'h>(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    signed_headers: &str,
    header: impl Fn(&str) -> Option<&'h str>,
    payload_hash: &str,
) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(method);
    out.push('\n');
    out.push_str(canonical_uri);
    out.push('\n');
    out.push_str(canonical_query);
    out.push('\n');
    for name in signed_headers.split(';').filter(|name| !name.is_empty()) {
        out.push_str(name);
        out.push(':');
        out.push_str(header(name).unwrap_or("").trim());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(payload_hash);
    out
}

fn keyed<M: Mac + KeyInit>(secret: &str, string_to_sign: &str) -> M {
    // Both clouds key the HMAC with the secret's bytes as they are, with no derivation.
    let mut mac =
        <M as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    mac
}

/// `hex(HMAC(secret, string_to_sign))`, lower-case.
#[must_use]
pub fn hmac_hex<M: Mac + KeyInit>(secret: &str, string_to_sign: &str) -> String {
    hex::encode(keyed::<M>(secret, string_to_sign).finalize().into_bytes())
}

/// Whether the hex `signature` is `hmac_hex`'s answer, compared in constant time; `false` if it
/// is not hex.
#[must_use]
pub fn hmac_hex_matches<M: Mac + KeyInit>(
    secret: &str,
    string_to_sign: &str,
    signature: &str,
) -> bool {
    hex::decode(signature).is_ok_and(|sent| {
        keyed::<M>(secret, string_to_sign)
            .verify_slice(&sent)
            .is_ok()
    })
}
