//! Micro-benchmarks of the per-request work that the load harness (`benches/run`) measures as a
//! whole: V1 and V3 verification from parsed parameters, parameter parsing, and envelope
//! rendering in JSON and XML. `cargo bench --bench micro`; `cargo test --benches` runs each once.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use resourcemanager_emulator::app::{DEFAULT_WORLD, WorldDoc};
use resourcemanager_emulator::domain::HandshakeId;
use resourcemanager_emulator::facade::alibaba::auth::Headers;
use resourcemanager_emulator::facade::alibaba::envelope::{self, Format, RequestId};
use resourcemanager_emulator::facade::alibaba::error::{ApiError, ErrorCode};
use resourcemanager_emulator::facade::alibaba::handshakes::{HandshakeOutput, HandshakeView};
use resourcemanager_emulator::facade::alibaba::params::Params;
use resourcemanager_emulator::facade::alibaba::signature_v1::{
    self as signature, encode_params, sign_params,
};
use resourcemanager_emulator::facade::alibaba::signature_v3::{self, Algorithm, Authorization};

const SHA256: Algorithm = Algorithm::HmacSha256;
use std::hint::black_box;

const SECRET: &str = "EmuInviteeSecret00001";

/// A signed AcceptHandshake query as the legacy Python SDK sends it.
fn v1_query() -> String {
    let mut params = Params::default();
    for (name, value) in [
        ("Action", "AcceptHandshake"),
        ("Version", "2020-03-31"),
        ("Format", "JSON"),
        ("HandshakeId", "h-Ih8IuPfvV0t0abcd"),
        ("RegionId", "cn-hangzhou"),
        ("AccessKeyId", "LTAI5tEmuInvitee00001"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureType", ""),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", "cc90da30fb670d1f75cfa66acac12500"),
        ("Timestamp", "2026-11-22T07:28:40Z"),
    ] {
        params.insert(name, value);
    }
    sign_params(&mut params, "POST", SECRET);
    encode_params(&params)
}

fn verification(c: &mut Criterion) {
    let query = v1_query();
    c.bench_function("params: parse a signed V1 query", |b| {
        b.iter(|| Params::parse(black_box(query.as_bytes()), None));
    });

    let params = Params::parse(query.as_bytes(), None).unwrap();
    let sent = params.get("Signature").unwrap().to_owned();
    c.bench_function("V1: string to sign and constant-time verify", |b| {
        b.iter(|| {
            let sts =
                signature::string_to_sign("POST", &signature::canonical_query(black_box(&params)));
            assert!(signature::verify(SECRET, &sts, &sent));
        });
    });

    let empty = signature_v3::payload_hash(SHA256, b"");
    let headers = Headers::from_pairs([
        ("host", "127.0.0.1:8765"),
        ("accept", "application/json"),
        (
            "user-agent",
            "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
        ),
        ("x-acs-action", "AcceptHandshake"),
        ("x-acs-version", "2020-03-31"),
        ("x-acs-date", "2026-11-22T07:28:30Z"),
        ("x-acs-signature-nonce", "c485c085c6f06a1fe367afb3ce7f0486"),
        ("x-acs-content-sha256", empty.as_str()),
    ]);
    let signed = "accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version";
    let query = Params::parse(b"HandshakeId=h-Ih8IuPfvV0t0abcd", None).unwrap();
    let unsigned = Authorization {
        algorithm: signature_v3::ALGORITHM,
        credential: "LTAI5tEmuInvitee00001",
        signed_headers: signed,
        signature: "",
    };
    let canonical = signature_v3::canonical_request(
        "POST",
        &signature_v3::canonical_query(&query),
        &unsigned,
        |n| headers.get(n),
        &empty,
    );
    let hex = signature_v3::sign(
        SHA256,
        SECRET,
        &signature_v3::string_to_sign(SHA256, &canonical),
    );
    let authorization = Authorization {
        signature: &hex,
        ..unsigned
    };
    c.bench_function(
        "V3: canonical request, string to sign and constant-time verify",
        |b| {
            b.iter(|| {
                let canonical = signature_v3::canonical_request(
                    "POST",
                    &signature_v3::canonical_query(black_box(&query)),
                    &authorization,
                    |n| headers.get(n),
                    &signature_v3::payload_hash(SHA256, b""),
                );
                assert!(signature_v3::verify(
                    SHA256,
                    SECRET,
                    &signature_v3::string_to_sign(SHA256, &canonical),
                    authorization.signature
                ));
            });
        },
    );
}

fn rendering(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap();
    let worlds = WorldDoc::load_toml("default", DEFAULT_WORLD, now).unwrap();
    let id = HandshakeId::parse("h-Ih8IuPfvV0t0abcd").unwrap();
    let handshake = worlds
        .alibaba
        .handshakes
        .iter()
        .find(|h| h.id == id)
        .map(|h| (**h).clone())
        .unwrap();
    let output = HandshakeOutput {
        handshake: HandshakeView::from(handshake),
    };
    let request_id = RequestId::new();
    for (name, format) in [("JSON", Format::Json), ("XML", Format::Xml)] {
        c.bench_function(
            &format!("envelope: AcceptHandshake success in {name}"),
            |b| {
                b.iter(|| {
                    envelope::success(
                        format,
                        "AcceptHandshakeResponse",
                        &request_id,
                        black_box(&output),
                    )
                });
            },
        );
        let error = ApiError::new(ErrorCode::HandshakeStatusMismatch);
        c.bench_function(
            &format!("envelope: HandshakeStatusMismatch error in {name}"),
            |b| {
                b.iter(|| {
                    envelope::error(format, &request_id, "127.0.0.1:8765", black_box(&error))
                });
            },
        );
    }
    c.bench_function("request id: a fresh upper-case UUID v4", |b| {
        b.iter(RequestId::new);
    });
}

criterion_group!(benches, verification, rendering);
criterion_main!(benches);
