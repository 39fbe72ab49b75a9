//! Hostile clients: inputs that would grow memory without bound, clients that send slowly or
//! never finish, and HTTP the parser refuses. Each gets a bounded answer in the shape of the
//! cloud it addressed, and the server goes on serving everyone else.

use crate::helpers::*;
use resourcemanager_emulator::app::Limits;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// An app whose clients get one second per phase of a request.
fn impatient() -> TestApp {
    spawn_app_with(Options {
        limits: Limits {
            read_timeout: Duration::from_secs(1),
            keep_alive: Duration::from_secs(1),
            ..Limits::default()
        },
        ..Options::default()
    })
}

fn connect(app: &TestApp) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", app.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream
}

/// Everything the server sends until it closes the connection.
fn read_all(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    stream
        .read_to_end(&mut bytes)
        .expect("the server closes the connection");
    bytes
}

fn nonces(app: &TestApp) -> u64 {
    app.control("GET", "/_emulator/health", None).json()["nonces"]["count"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_validly_signed_request_with_a_huge_nonce_is_invalid_and_remembers_nothing() {
    let app = spawn_app();
    let get = |nonce: &str| {
        app.call(MANAGEMENT, "GetHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .param("SignatureNonce", nonce)
            .transport(Transport::PostForm)
            .send()
    };
    let reply = get(&"n".repeat(250_000));
    assert_error(&reply, "JSON", &app.host(), &invalid("SignatureNonce"));
    assert_eq!(nonces(&app), 0);
    assert_eq!(get(&"n".repeat(128)).status, 200, "128 bytes is the limit");
    assert_eq!(nonces(&app), 1);
    assert_error(
        &get(&"m".repeat(129)),
        "JSON",
        &app.host(),
        &invalid("SignatureNonce"),
    );
    let reply = app
        .call_v3(INVITEE, "GetHandshake")
        .query("HandshakeId", "h-Ih8IuPfvV0t0abcd")
        .header("x-acs-signature-nonce", Some(&"v".repeat(129)))
        .send();
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &invalid("x-acs-signature-nonce"),
    );
    assert_eq!(nonces(&app), 1);
}

#[test]
fn a_full_nonce_cache_answers_throttling_with_retry_after_and_still_refuses_replays() {
    let app = spawn_app_with(Options {
        limits: Limits {
            nonce_memory: 4096,
            ..Limits::default()
        },
        ..Options::default()
    });
    let get = || {
        app.call(MANAGEMENT, "GetHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
    };
    let nonce = crate::signer::nonce();
    assert_eq!(get().param("SignatureNonce", &nonce).send().status, 200);
    let throttled = (0..2000)
        .map(|_| get().send())
        .find(|reply| reply.status != 200)
        .expect("4 KiB of nonces fills up");
    assert_error(
        &throttled,
        "JSON",
        &app.host(),
        &expected(
            400,
            "Throttling",
            "Request was denied due to request throttling.",
        ),
    );
    assert_eq!(throttled.header("x-acs-retry-after"), Some("1000"));
    let replay = get().param("SignatureNonce", &nonce).send();
    assert_eq!(
        replay.code(),
        "SignatureNonceUsed",
        "a full cache forgets nothing"
    );
    let health = app.control("GET", "/_emulator/health", None).json();
    assert!(health["nonces"]["bytes"].as_u64().unwrap() <= 4096);
    assert_eq!(health["nonces"]["capacity_bytes"], 4096);
}

/// A head and the start of a body, then nothing: the answer, and how long it took to come.
fn stall(app: &TestApp, head: &str) -> (Reply, Duration) {
    let mut stream = connect(app);
    let started = Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(b"a").unwrap();
    let reply = parse_reply(&read_all(&mut stream));
    (reply, started.elapsed())
}

#[test]
fn a_body_that_never_arrives_gets_the_clouds_timeout_error_and_the_connection_is_closed() {
    let app = impatient();
    let head = |path: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n",
            app.host()
        )
    };
    let (reply, took) = stall(&app, &head("/"));
    assert_error(
        &reply,
        "XML",
        &app.host(),
        &expected(408, "Request.Timeout", "Request timeout"),
    );
    assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(5));
    assert_eq!(reply.header("connection"), Some("close"));

    let (reply, _) = stall(&app, &head("/v1/organizations/accounts/invite"));
    assert_eq!(reply.status, 408);
    assert_eq!(reply.json()["error_code"], "APIGW.0201");
    assert_eq!(reply.json()["error_msg"], "Request timeout.");

    let (reply, _) = stall(&app, &head("/_emulator/clock"));
    assert_eq!(reply.status, 408);
    assert!(reply.json()["error"].as_str().unwrap().contains("1 s"));
}

#[test]
fn a_body_sent_a_byte_at_a_time_is_cut_off_at_the_deadline() {
    let app = impatient();
    let mut stream = connect(&app);
    let started = Instant::now();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let dribble = std::thread::spawn(move || {
        // Stops when the server has closed the connection.
        for _ in 0..40 {
            if writer.write_all(b"x").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    let reply = parse_reply(&read_all(&mut stream));
    assert_eq!(
        (reply.status, reply.code()),
        (408, "Request.Timeout".into())
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    dribble.join().unwrap();
}

#[test]
fn many_connections_that_stall_after_the_head_are_all_answered_and_closed() {
    let app = impatient();
    let started = Instant::now();
    let mut streams: Vec<_> = (0..100)
        .map(|_| {
            let mut stream = connect(&app);
            write!(
                stream,
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n"
            )
            .unwrap();
            stream
        })
        .collect();
    for stream in &mut streams {
        let reply = parse_reply(&read_all(stream));
        assert_eq!(reply.status, 408);
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        app.call(MANAGEMENT, "GetHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .send()
            .status,
        200
    );
}

#[test]
fn a_connect_request_is_refused_at_once_without_waiting_for_its_body() {
    let app = spawn_app();
    let mut stream = connect(&app);
    let started = Instant::now();
    write!(stream, "CONNECT / HTTP/1.1\r\nHost: {}\r\n\r\n", app.host()).unwrap();
    let reply = parse_reply(&read_all(&mut stream));
    assert_error(
        &reply,
        "XML",
        &app.host(),
        &expected(
            400,
            "UnsupportedHTTPMethod",
            "This http method not supported.",
        ),
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn with_a_token_an_oversized_control_body_is_unauthorized_json_before_it_is_read() {
    let app = spawn_app_with(Options {
        admin_token: Some("s3cret".into()),
        ..Options::default()
    });
    let body = format!(r#"{{"action":"freeze","pad":"{}"}}"#, "p".repeat(300_000));
    let reply = app.control("POST", "/_emulator/clock", Some(&body));
    assert_eq!(reply.status, 401);
    assert!(reply.json()["error"].as_str().unwrap().contains("Bearer"));
    let mut request = format!(
        "POST /_emulator/clock HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer s3cret\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    let reply = app.raw(&request);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["error"], "the body is larger than 65536 bytes");
}

#[test]
fn state_uploads_are_taken_one_at_a_time() {
    let app = spawn_app();
    let doc = app.control("GET", "/_emulator/state", None).body;
    let half = doc.len() / 2;
    let mut first = connect(&app);
    write!(
        first,
        "PUT /_emulator/state HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        doc.len(),
        &doc[..half]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let second = app.control("PUT", "/_emulator/state", Some(&doc));
    assert_eq!(second.status, 503, "{}", second.body);
    assert!(
        second.json()["error"]
            .as_str()
            .unwrap()
            .contains("one at a time")
    );
    first.write_all(&doc.as_bytes()[half..]).unwrap();
    let reply = parse_reply(&read_all(&mut first));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        app.control("PUT", "/_emulator/state", Some(&doc)).status,
        200
    );
}

#[test]
fn a_large_state_import_does_not_stall_other_requests() {
    let app = spawn_app();
    let doc = serde_json::to_string(&resourcemanager_emulator::app::WorldDoc::generate(
        100_000, false, true, false,
    ))
    .unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    let port = app.port;
    let upload = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "PUT /_emulator/state HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            doc.len()
        )
        .unwrap();
        stream.write_all(doc.as_bytes()).unwrap();
        let reply = parse_reply(&read_all(&mut stream));
        done.send(()).unwrap();
        reply
    });
    let mut answered = 0;
    let mut slowest = Duration::ZERO;
    while finished.try_recv().is_err() {
        let started = Instant::now();
        assert_eq!(app.control("GET", "/_emulator/health", None).status, 200);
        slowest = slowest.max(started.elapsed());
        answered += 1;
    }
    let reply = upload.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["world"]["handshakes"], 100_000);
    assert!(
        answered >= 3,
        "health answered {answered} times during the import"
    );
    assert!(
        slowest < Duration::from_secs(1),
        "health waited {slowest:?}"
    );
}

/// Sends `bytes` on a new connection and reads the answer up to the close.
fn exchange(app: &TestApp, bytes: &[u8]) -> Reply {
    let mut stream = connect(app);
    stream.write_all(bytes).unwrap();
    parse_reply(&read_all(&mut stream))
}

#[test]
fn a_malformed_request_line_or_header_gets_the_envelope_of_the_cloud_it_addressed() {
    let app = spawn_app();
    let malformed = invalid("HTTP request");
    for (request, format) in [
        // No Action and no Format: as a bare request, XML (issue 10).
        (&b"GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n"[..], "XML"),
        (
            b"GET /?Format=XML&a=\x01 HTTP/1.1\r\nHost: h\r\n\r\n",
            "XML",
        ),
        (b"GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n", "XML"),
        (b"GET / HTTP/9.9\r\nHost: h\r\n\r\n", "XML"),
        (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
            "XML",
        ),
    ] {
        let reply = exchange(&app, request);
        let host = if request.starts_with(b"GET") {
            "h"
        } else {
            "resourcemanager.aliyuncs.com"
        };
        assert_error(&reply, format, host, &malformed);
        assert_eq!(reply.header("connection"), Some("close"));
    }
    let huawei = exchange(
        &app,
        b"GET /v1/organizations/handshakes HTTP/1.1\r\nBad Header\r\n\r\n",
    );
    assert_eq!(huawei.status, 400);
    assert_eq!(huawei.json()["error_code"], "APIGW.0201");
    assert_eq!(huawei.json()["error_msg"], "API request error.");
    assert_eq!(
        huawei.header("x-request-id"),
        huawei.json()["request_id"].as_str()
    );
    let control = exchange(
        &app,
        b"GET /_emulator/health HTTP/1.1\r\nBad Header\r\n\r\n",
    );
    assert_eq!(
        (control.status, control.json()["error"].as_str()),
        (400, Some("the HTTP request is malformed"))
    );

    let journal = app.control("GET", "/_emulator/requests", None).json();
    let entries = journal["requests"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        6,
        "control-plane requests are not journalled"
    );
    assert_eq!(entries[0]["path"], "/\u{1}");
    assert_eq!(entries[0]["code"], "InvalidParameter");
    assert_eq!(entries[5]["cloud"], "huawei");
    assert_eq!(entries[5]["path"], "/v1/organizations/handshakes");
}

#[test]
fn an_oversized_head_gets_the_size_code_of_its_cloud() {
    let app = spawn_app();
    let header = format!(
        "GET / HTTP/1.1\r\nHost: h\r\nX-Big: {}\r\n\r\n",
        "b".repeat(140_000)
    );
    assert_error(
        &exchange(&app, header.as_bytes()),
        "XML",
        "h",
        &expected(431, "Request.HeaderTooLarge", "Request header too Large"),
    );
    let line = format!("GET /?{} HTTP/1.1\r\n\r\n", "q".repeat(140_000));
    assert_error(
        &exchange(&app, line.as_bytes()),
        "XML",
        "resourcemanager.aliyuncs.com",
        &expected(413, "Request.UrlTooLarge", "Request URL too Large"),
    );
    let huawei = exchange(&app, header.replace("GET /", "GET /v1/x").as_bytes());
    assert_eq!(
        (huawei.status, huawei.json()["error_msg"].as_str()),
        (494, Some("Request headers too large."))
    );
    let huawei = exchange(&app, line.replace("GET /", "GET /v1/").as_bytes());
    assert_eq!(
        (huawei.status, huawei.json()["error_msg"].as_str()),
        (414, Some("Request URI too large."))
    );
}

#[test]
fn a_request_with_both_content_length_and_transfer_encoding_is_refused_and_nothing_after_it_runs() {
    let app = spawn_app();
    let smuggled = crate::signer::form_encode(
        &app.call(INVITEE, "AcceptHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .signed_params(),
    );
    let request = format!(
        "POST /?Action=GetHandshake HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nPOST /?{smuggled} HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
    );
    let mut stream = connect(&app);
    stream.write_all(request.as_bytes()).unwrap();
    let bytes = read_all(&mut stream);
    let reply = parse_reply(&bytes);
    assert_error(&reply, "JSON", "h", &invalid("Transfer-Encoding"));
    assert_eq!(reply.header("connection"), Some("close"));
    assert_eq!(
        String::from_utf8_lossy(&bytes).matches("HTTP/1.1 ").count(),
        1,
        "one answer, then the connection closes"
    );
    assert_eq!(
        app.handshake("h-Ih8IuPfvV0t0abcd").unwrap().status,
        resourcemanager_emulator::domain::Status::Pending,
        "the request after it was never served"
    );
    let journal = app.control("GET", "/_emulator/requests", None).json();
    assert_eq!(journal["requests"].as_array().unwrap().len(), 1);
}

#[test]
fn every_head_has_a_deadline_not_only_a_connections_first() {
    let app = impatient();
    let mut stream = connect(&app);
    stream
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let mut first = [0; 4096];
    let n = stream.read(&mut first).unwrap();
    assert!(first[..n].starts_with(b"HTTP/1.1 200"));
    let started = Instant::now();
    stream
        .write_all(b"GET /?Action=GetHandshake HTTP/1.1\r\nHo")
        .unwrap();
    let reply = parse_reply(&read_all(&mut stream));
    assert_error(
        &reply,
        "JSON",
        "resourcemanager.aliyuncs.com",
        &expected(408, "Request.Timeout", "Request timeout"),
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );

    // A head sent a byte at a time runs out of time all the same.
    let mut stream = connect(&app);
    let started = Instant::now();
    let mut answer = Vec::new();
    for byte in b"GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ".iter().cycle() {
        if stream.write_all(&[*byte]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        if started.elapsed() > Duration::from_secs(5) {
            break;
        }
        stream.set_nonblocking(true).unwrap();
        let mut chunk = [0; 4096];
        if let Ok(n) = stream.read(&mut chunk) {
            answer.extend_from_slice(&chunk[..n]);
            if n == 0 || answer.ends_with(b"}") {
                break;
            }
        }
        stream.set_nonblocking(false).unwrap();
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        answer.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[test]
fn silent_and_idle_connections_are_closed_without_an_answer() {
    let app = impatient();
    let started = Instant::now();
    let mut silent = connect(&app);
    assert!(read_all(&mut silent).is_empty(), "nothing to answer");
    assert!(started.elapsed() < Duration::from_secs(5));

    let mut idle = connect(&app);
    idle.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let bytes = read_all(&mut idle);
    assert!(bytes.starts_with(b"HTTP/1.1 200"));
    assert_eq!(
        String::from_utf8_lossy(&bytes).matches("HTTP/1.1").count(),
        1
    );
}

#[test]
fn a_body_over_the_limit_is_answered_to_clients_still_uploading_without_a_reset() {
    let app = spawn_app();
    let port = app.port;
    let clients: Vec<_> = (0..20)
        .map(|_| {
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(20)))
                    .unwrap();
                let body = vec![b'a'; 4 << 20];
                write!(
                    stream,
                    "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .unwrap();
                // As most clients do: send the whole request, then read the answer.
                stream.write_all(&body).expect("no reset while uploading");
                let mut bytes = Vec::new();
                stream.read_to_end(&mut bytes).expect("no reset before the answer");
                parse_reply(&bytes)
            })
        })
        .collect();
    for client in clients {
        let reply = client.join().unwrap();
        assert_error(
            &reply,
            "XML",
            "h",
            &expected(413, "Request.BodyTooLarge", "Request body too Large"),
        );
    }
}

#[test]
fn a_client_that_stops_reading_an_answer_is_dropped_after_the_read_timeout() {
    let app = impatient();
    let doc = serde_json::to_string(&resourcemanager_emulator::app::WorldDoc::generate(
        100_000, false, true, false,
    ))
    .unwrap();
    let put = app.control("PUT", "/_emulator/state", Some(&doc));
    assert_eq!(put.status, 200, "{}", put.body);
    let mut stream = connect(&app);
    stream
        .write_all(b"GET /_emulator/state HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    // Far more than the sockets buffer, and nobody reading it: long enough for a slow (debug,
    // loaded) export to fill the buffers and then for the deadline to pass.
    std::thread::sleep(Duration::from_secs(8));
    let mut bytes = Vec::new();
    // What was buffered, then the end (or a reset): the server gave up on the rest.
    let _ = stream.read_to_end(&mut bytes);
    assert!(bytes.starts_with(b"HTTP/1.1 200"));
    assert!(
        !bytes.ends_with(b"\r\n0\r\n\r\n"),
        "the answer was cut short ({} bytes of a {}-byte world)",
        bytes.len(),
        doc.len()
    );
    assert_eq!(app.control("GET", "/_emulator/health", None).status, 200);
}
