//! Pre-signs distinct requests for the benchmark harness (`benches/run`), one per line, for
//! `benches/wrk/presigned.lua`: `TARGET<TAB>Header: value<TAB>…`. Every request has its own
//! nonce, so replay protection stays on while wrk replays the file. Signing uses the library's
//! own V1 and V3 functions.
//!
//! `presign ACTION SCHEME FORMAT COUNT HOST:PORT` with ACTION `accept` (handshake `i` by its
//! invitee's key `LTAI5tBench<i>`, from `fixtures generate --accounts`) or `cancel` (by the
//! management key), SCHEME `v1`, `v3` or `huawei` (Organizations' REST API, SDK-HMAC-SHA256:
//! handshake `h-bench<i>` of `fixtures generate --cloud huawei --accounts`, accepted with key
//! `HWBENCH<i>` or cancelled with `EMUHWMANAGEMENT00001`; FORMAT is ignored), FORMAT `JSON` or
//! `XML`. Huawei requests carry no nonce, so each is distinct only by its handshake.

use resourcemanager_emulator::facade::alibaba::params::Params;
use resourcemanager_emulator::facade::alibaba::signature_v1::{encode_params, sign_params};
use resourcemanager_emulator::facade::alibaba::signature_v3::{self, Algorithm, Authorization};

const SHA256: Algorithm = Algorithm::HmacSha256;
use resourcemanager_emulator::facade::headers::Headers;
use resourcemanager_emulator::facade::huawei::signing;
use std::io::Write;

const HUAWEI_SIGNED: &str = "content-type;host;x-sdk-date";

/// One Huawei request line: `TARGET<TAB>Header: value<TAB>…`, signed for `host`.
fn huawei_line(action: &str, i: usize, host: &str, date: &str) -> String {
    let handshake = format!("h-bench{i:027}");
    let (path, key, secret) = if action == "accept" {
        (
            format!("/v1/received-handshakes/{handshake}/accept"),
            format!("HWBENCH{i:013}"),
            format!("HwBenchSecret{i:013}"),
        )
    } else {
        (
            format!("/v1/organizations/handshakes/{handshake}/cancel"),
            "EMUHWMANAGEMENT00001".to_owned(),
            "EmuHwManagementSecret0000000000000000001".to_owned(),
        )
    };
    let headers = Headers::from_pairs([
        ("content-type", "application/json"),
        ("host", host),
        ("x-sdk-date", date),
    ]);
    let unsigned = signing::Authorization {
        access: &key,
        signed_headers: HUAWEI_SIGNED,
        signature: "",
    };
    let canonical = signing::canonical_request(
        "POST",
        &signing::canonical_uri(&path),
        "",
        &unsigned,
        |name| headers.get(name),
        &signing::payload_hash(b"", None),
    );
    let signature = signing::sign(&secret, &signing::string_to_sign(date, &canonical));
    format!(
        "{path}\tContent-Type: application/json\tX-Sdk-Date: {date}\tAuthorization: {} Access={key}, SignedHeaders={HUAWEI_SIGNED}, Signature={signature}",
        signing::ALGORITHM
    )
}

const V3_SIGNED: &str =
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version";

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [action, scheme, format, count, host] = args.as_slice() else {
        eprintln!("usage: presign accept|cancel v1|v3|huawei JSON|XML COUNT HOST:PORT");
        std::process::exit(2);
    };
    let count: usize = count.parse().expect("COUNT is a number");
    let action_name = if action == "accept" {
        "AcceptHandshake"
    } else {
        "CancelHandshake"
    };
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let run = format!("{:016x}", rand::random::<u64>());
    let empty_hash = signature_v3::payload_hash(SHA256, b"");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if scheme == "huawei" {
        let date = signing::format_sdk_date(chrono::Utc::now());
        for i in 0..count {
            writeln!(out, "{}", huawei_line(action, i, host, &date))?;
        }
        return out.flush();
    }
    for i in 0..count {
        let (key, secret) = if action == "accept" {
            (format!("LTAI5tBench{i:010}"), format!("BenchSecret{i:010}"))
        } else {
            (
                "LTAI5tEmuManagement01".to_owned(),
                "EmuManagementSecret01".to_owned(),
            )
        };
        let handshake = format!("h-Bench{i:011}");
        let nonce = format!("{run}{i:016x}");
        if scheme == "v1" {
            let mut params = Params::default();
            for (name, value) in [
                ("Action", action_name),
                ("Version", "2020-03-31"),
                ("Format", format.as_str()),
                ("HandshakeId", &handshake),
                ("AccessKeyId", &key),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureVersion", "1.0"),
                ("SignatureNonce", &nonce),
                ("Timestamp", &timestamp),
            ] {
                params.insert(name, value);
            }
            sign_params(&mut params, "POST", &secret);
            writeln!(out, "/?{}", encode_params(&params))?;
        } else {
            let mut query = Params::default();
            query.insert("HandshakeId", handshake.as_str());
            let headers = [
                ("host", host.as_str()),
                ("x-acs-action", action_name),
                ("x-acs-content-sha256", empty_hash.as_str()),
                ("x-acs-date", timestamp.as_str()),
                ("x-acs-signature-nonce", nonce.as_str()),
                ("x-acs-version", "2020-03-31"),
            ];
            let unsigned = Authorization {
                algorithm: signature_v3::ALGORITHM,
                credential: &key,
                signed_headers: V3_SIGNED,
                signature: "",
            };
            let lookup = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
            let canonical = signature_v3::canonical_request(
                "POST",
                &signature_v3::canonical_query(&query),
                &unsigned,
                lookup,
                &empty_hash,
            );
            let signature = signature_v3::sign(
                SHA256,
                &secret,
                &signature_v3::string_to_sign(SHA256, &canonical),
            );
            write!(out, "/?{}", encode_params(&query))?;
            for (name, value) in headers.iter().filter(|(name, _)| *name != "host") {
                write!(out, "\t{name}: {value}")?;
            }
            writeln!(
                out,
                "\tAuthorization: {} Credential={key},SignedHeaders={V3_SIGNED},Signature={signature}",
                signature_v3::ALGORITHM
            )?;
        }
    }
    out.flush()
}
