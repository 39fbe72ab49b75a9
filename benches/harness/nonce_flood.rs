//! Floods the emulator with distinct, validly signed requests for the benchmark harness
//! (`benches/run --nonces`): each request is a V1 GetHandshake by the default world's management
//! key with a nonce of its own (32 hex digits, as the Tea SDKs send), signed as it is sent (no
//! file of pre-signed requests: ten million would not fit), so every one of them is remembered by
//! the nonce cache, for about 29 minutes (see the timestamp). Prints how many succeeded and the
//! rate.
//!
//! `nonce_flood HOST:PORT COUNT CONNECTIONS`: COUNT requests over CONNECTIONS keep-alive
//! connections, one request in flight on each.

use resourcemanager_emulator::facade::alibaba::params::Params;
use resourcemanager_emulator::facade::alibaba::signature_v1::{encode_params, sign_params};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Sends requests `first..end` on one connection, from `*next` on; counts those answered 200.
/// Returns at the first I/O error, with `*next` the request to resend.
fn flood(host: &str, run: u64, next: &mut u64, end: u64, ok: &mut u64) -> std::io::Result<()> {
    let stream = TcpStream::connect(host)?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    let mut body = Vec::new();
    while *next < end {
        let i = *next;
        // Signed 14 minutes ahead, as a client whose clock runs fast may sign: every nonce is
        // then kept for about 29 minutes, so a long run still holds all it sent at the end.
        let timestamp = (chrono::Utc::now() + chrono::TimeDelta::minutes(14))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let nonce = format!("{run:016x}{i:016x}");
        let mut params = Params::default();
        for (name, value) in [
            ("Action", "GetHandshake"),
            ("Version", "2020-03-31"),
            ("Format", "JSON"),
            ("HandshakeId", "h-Ih8IuPfvV0t0abcd"),
            ("AccessKeyId", "LTAI5tEmuManagement01"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", &nonce),
            ("Timestamp", &timestamp),
        ] {
            params.insert(name, value);
        }
        sign_params(&mut params, "POST", "EmuManagementSecret01");
        // One write per request: pieces written apart would each be a segment of their own.
        let request = format!(
            "POST /?{} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n",
            encode_params(&params)
        );
        writer.write_all(request.as_bytes())?;
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let succeeded = line.starts_with("HTTP/1.1 200");
        let mut length = 0;
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        *ok += u64::from(succeeded);
        *next += 1;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, count, connections] = args.as_slice() else {
        eprintln!("usage: nonce_flood HOST:PORT COUNT CONNECTIONS");
        std::process::exit(2);
    };
    let count: u64 = count.parse().expect("COUNT is a number");
    let connections: u64 = connections.parse().expect("CONNECTIONS is a number");
    let run = rand::random::<u64>();
    let started = Instant::now();
    let succeeded = AtomicU64::new(0);
    let reconnects = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for c in 0..connections {
            let share = count / connections + u64::from(c < count % connections);
            let first = c * (count / connections + 1);
            let (host, succeeded, reconnects) = (host.as_str(), &succeeded, &reconnects);
            scope.spawn(move || {
                let (mut next, mut ok) = (first, 0);
                // As a client does: a connection that breaks is opened again and the request
                // resent (its nonce was not recorded unless its answer came).
                while let Err(e) = flood(host, run, &mut next, first + share, &mut ok) {
                    if reconnects.fetch_add(1, Ordering::Relaxed) >= 1000 {
                        eprintln!("nonce_flood: connection {c}: {e}; giving up");
                        break;
                    }
                }
                succeeded.fetch_add(ok, Ordering::Relaxed);
            });
        }
    });
    let elapsed = started.elapsed();
    let ok = succeeded.load(Ordering::Relaxed);
    let rate = u128::from(count) * 1000 / elapsed.as_millis().max(1);
    println!(
        "{ok} of {count} succeeded in {:.1} s ({rate} requests/s, {} reconnects)",
        elapsed.as_secs_f64(),
        reconnects.load(Ordering::Relaxed)
    );
}
