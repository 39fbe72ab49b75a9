//! Pre-signs distinct requests for the benchmark harness (`benches/run`), one per line, for
//! `benches/wrk/presigned.lua`: `TARGET<TAB>Header: value<TAB>…`. Every request has its own
//! nonce, so replay protection stays on while wrk replays the file. Signing uses the library's
//! own V1 and V3 functions.
//!
//! `presign ACTION SCHEME FORMAT COUNT HOST:PORT` with ACTION `accept` (handshake `i` by its
//! invitee's key `LTAI5tBench<i>`, from `fixtures generate --accounts`) or `cancel` (by the
//! management key), SCHEME `v1` or `v3`, FORMAT `JSON` or `XML`.

use resourcemanager_emulator::facade::alibaba::params::Params;
use resourcemanager_emulator::facade::alibaba::signature_v1::{encode_params, sign_params};
use resourcemanager_emulator::facade::alibaba::signature_v3::{self, Authorization};
use std::io::Write;

const V3_SIGNED: &str =
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version";

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [action, scheme, format, count, host] = args.as_slice() else {
        eprintln!("usage: presign accept|cancel v1|v3 JSON|XML COUNT HOST:PORT");
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
    let empty_hash = signature_v3::payload_hash(b"");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
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
            let signature = signature_v3::sign(&secret, &signature_v3::string_to_sign(&canonical));
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
