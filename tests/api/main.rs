//! The integration suite: one binary; every test spawns the app on 127.0.0.1:0.

#![allow(
    clippy::too_many_lines,
    clippy::type_complexity,
    reason = "table-driven tests list their cases inline, as (parameters, key, expected error) tuples"
)]

// Harness: spawning the app, the HTTP client, the expected envelopes.
mod helpers;
// An independent V1 signer (shares no code with src/).
mod signer;
// An independent Huawei SDK-HMAC-SHA256 signer (shares no code with src/).
mod huawei_signer;

// AcceptHandshake and CancelHandshake: success bodies and every error of each action.
mod handshakes;
// The rest of the lifecycle: Invite, Decline, Get, the List actions, paging, expiry.
mod lifecycle;
// The control plane under /_emulator/.
mod control;
// Transport and common parameters: paths, methods, sizes, encoding, Action/Version/Format.
mod gateway;
// V1 authentication: missing parameters, timestamps, keys, signatures, STS, nonces.
mod signature;
// V3 (ACS3-HMAC-SHA256) authentication.
mod signature_v3;
// The captured SDK requests in tests/vectors/signatures, replayed byte for byte.
mod vectors;
// Arbitrary input never gets a 5xx or a non-envelope, and never changes state.
mod properties;
// Concurrent transitions of one handshake: exactly one wins.
mod concurrency;
// The binary's subcommands: errors, sign, and start-up failures.
mod cli;
// --data-dir: restarts and kill -9 lose no acknowledged change.
mod durability;
// The console at /_emulator/ui and the JSON it reads.
mod console;
// Huawei Organizations over REST: routing, gateway auth, the captured vectors, the seven APIs, paging, the control plane.
mod huawei;
// Hostile clients: unbounded inputs, slow or unfinished requests, malformed HTTP.
mod hostile;
