//! Signs and sends AcceptHandshake to a running emulator the way an SDK does: V1 signature,
//! every parameter in the query, POST. Start the emulator (`cargo run --release`), then:
//!
//! ```sh
//! cargo run --example accept_handshake -- [HANDSHAKE_ID] [HOST:PORT]
//! ```
//!
//! The first run prints the accepted handshake; a second run for the same id prints
//! `HandshakeStatusMismatch` (409).

use resourcemanager_emulator::facade::alibaba::params::Params;
use resourcemanager_emulator::facade::alibaba::signature_v1::{encode_params, sign_params};
use std::io::{Read, Write};
use std::net::TcpStream;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let handshake_id = args
        .next()
        .unwrap_or_else(|| "h-Ih8IuPfvV0t0abcd".to_owned());
    let host = args.next().unwrap_or_else(|| "127.0.0.1:8765".to_owned());

    let mut params = Params::default();
    for (name, value) in [
        ("Action", "AcceptHandshake"),
        ("Version", "2020-03-31"),
        ("Format", "JSON"),
        ("HandshakeId", &handshake_id),
        // The default world's well-known invitee key.
        ("AccessKeyId", "LTAI5tEmuInvitee00001"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        (
            "SignatureNonce",
            &format!("{:032x}", rand::random::<u128>()),
        ),
        (
            "Timestamp",
            &chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
    ] {
        params.insert(name, value);
    }
    let string_to_sign = sign_params(&mut params, "POST", "EmuInviteeSecret00001");
    println!("string to sign: {string_to_sign}");

    let mut stream = TcpStream::connect(&host)?;
    write!(
        stream,
        "POST /?{} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        encode_params(&params)
    )?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    println!("{}\n{body}", head.lines().next().unwrap_or_default());
    Ok(())
}
