//! Durable state through the binary, `--data-dir`: a restart keeps the worlds, the clock, the
//! fault rules and the nonces in use; `kill -9` at random moments, while several clients change state, loses no
//! acknowledged change and leaves none half-applied.

use crate::signer::{Key, form_encode, sign_v1};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_resourcemanager-emulator");

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(directory: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--workers",
            "2",
            "--journal-size",
            "0",
            "--data-dir",
        ])
        .arg(directory)
        .args(extra)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the banner names the port: {first:?}"));
    Server { child, port }
}

fn data_dir(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("rm-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    directory
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(5))
        .build()
}

/// The form body of a V1-signed POST of `action` with `params`.
fn signed_body(key: Key, action: &str, params: &[(&str, &str)]) -> String {
    let mut all = vec![
        ("Action".to_owned(), action.to_owned()),
        ("Version".to_owned(), "2020-03-31".to_owned()),
        ("Format".to_owned(), "JSON".to_owned()),
    ];
    all.extend(
        params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    form_encode(&sign_v1("POST", key, &all, &[]))
}

/// Sends a form `body` as it is.
fn post(agent: &ureq::Agent, port: u16, body: &str) -> (u16, Value) {
    let response = match agent
        .post(&format!("http://127.0.0.1:{port}/"))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(body)
    {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("{e}"),
    };
    let status = response.status();
    (
        status,
        serde_json::from_str(&response.into_string().unwrap()).unwrap(),
    )
}

/// A signed V1 POST of `action` with `params`: the status and the body, or `None` if the
/// connection failed (the server was killed).
fn call(
    agent: &ureq::Agent,
    port: u16,
    key: Key,
    action: &str,
    params: &[(&str, &str)],
) -> Option<(u16, Value)> {
    let body = signed_body(key, action, params);
    let reply = agent
        .post(&format!("http://127.0.0.1:{port}/"))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(&body);
    let response = match reply {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(ureq::Error::Transport(_)) => return None,
    };
    let status = response.status();
    let body = response.into_string().ok()?;
    Some((status, serde_json::from_str(&body).unwrap_or(Value::Null)))
}

fn control(agent: &ureq::Agent, port: u16, method: &str, path: &str, body: Option<&str>) -> Value {
    let request = agent.request(method, &format!("http://127.0.0.1:{port}/_emulator{path}"));
    let response = match body {
        Some(body) => request.send_string(body),
        None => request.call(),
    }
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    serde_json::from_str(&response.into_string().unwrap()).unwrap()
}

const MANAGEMENT: Key = Key::new("LTAI5tEmuManagement01", "EmuManagementSecret01");
const INVITEE: Key = Key::new("LTAI5tEmuInvitee00001", "EmuInviteeSecret00001");

#[test]
fn a_restart_keeps_the_worlds_the_clock_the_fault_rules_and_the_nonces_in_use() {
    let directory = data_dir("restart");
    let agent = agent();
    let replayed = signed_body(
        MANAGEMENT,
        "GetHandshake",
        &[("HandshakeId", "h-Pend1ngAcc0unt02")],
    );
    {
        let server = start(&directory, &[]);
        let accepted = call(
            &agent,
            server.port,
            INVITEE,
            "AcceptHandshake",
            &[("HandshakeId", "h-Ih8IuPfvV0t0abcd")],
        );
        assert_eq!(accepted.map(|(status, _)| status), Some(200));
        assert_eq!(post(&agent, server.port, &replayed).0, 200);
        control(
            &agent,
            server.port,
            "POST",
            "/clock",
            Some(r#"{"action":"set","time":"2027-01-01T00:00:00Z"}"#),
        );
        control(
            &agent,
            server.port,
            "POST",
            "/clock",
            Some(r#"{"action":"freeze"}"#),
        );
        control(
            &agent,
            server.port,
            "POST",
            "/faults",
            Some(r#"{"action":"GetHandshake","code":"Throttling.User","times":2}"#),
        );
        // Killed, not stopped: nothing gets a chance to flush.
        drop(server);
    }
    let server = start(&directory, &[]);
    let (status, body) = post(&agent, server.port, &replayed);
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("SignatureNonceUsed")),
        "a request replayed across the restart is still refused"
    );
    let state = control(&agent, server.port, "GET", "/state", None);
    let handshake = state["handshakes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "h-Ih8IuPfvV0t0abcd")
        .unwrap();
    assert_eq!(handshake["status"], "Accepted");
    let invitee = state["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "1772422852740000")
        .unwrap();
    assert_eq!(invitee["resource_directory"], "rd-3G6zcw");
    let clock = control(&agent, server.port, "GET", "/clock", None);
    assert_eq!(
        (clock["now"].as_str(), clock["frozen"].as_bool()),
        (Some("2027-01-01T00:00:00Z"), Some(true))
    );
    let faults = control(&agent, server.port, "GET", "/faults", None);
    assert_eq!(faults["faults"][0]["code"], "Throttling.User");
    assert_eq!(faults["faults"][0]["remaining"], 2);
    let throttled = call(
        &agent,
        server.port,
        MANAGEMENT,
        "GetHandshake",
        &[("HandshakeId", "h-Ih8IuPfvV0t0abcd")],
    );
    assert_eq!(
        throttled.map(|(status, body)| (status, body["Code"].clone())),
        Some((400, "Throttling.User".into()))
    );

    // Reset goes back to the seed, durably too.
    control(&agent, server.port, "POST", "/reset", None);
    drop(server);
    let server = start(&directory, &[]);
    let state = control(&agent, server.port, "GET", "/state", None);
    let handshake = state["handshakes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "h-Ih8IuPfvV0t0abcd")
        .unwrap();
    assert_eq!(handshake["status"], "Pending");

    // Another world for the same directory is refused unless asked for.
    drop(server);
    let refused = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--fixtures",
            "fixtures/default.toml",
            "--data-dir",
        ])
        .arg(&directory)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("already holds a world; pass --replace-data"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let _ = std::fs::remove_dir_all(&directory);
}

/// What the clients were told succeeded: handshake id and the status it must have now.
type Acknowledged = Arc<Mutex<Vec<(String, &'static str)>>>;

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The generated world's invitee key of handshake `i`.
fn bench_key(i: usize) -> Key {
    Key::new(
        leak(format!("LTAI5tBench{i:010}")),
        leak(format!("BenchSecret{i:010}")),
    )
}

fn bench_id(i: usize) -> String {
    format!("h-Bench{i:011}")
}

/// One client: runs `op` for each of `items` until the server goes away, recording what it was
/// told succeeded.
fn client(
    port: u16,
    items: Vec<usize>,
    stop: Arc<AtomicBool>,
    acknowledged: Acknowledged,
    op: fn(&ureq::Agent, u16, usize) -> Option<(u16, Value, &'static str)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let agent = agent();
        for i in items {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            match op(&agent, port, i) {
                None => return,
                Some((200, body, status)) => {
                    let id = body["Handshake"]["HandshakeId"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    acknowledged.lock().unwrap().push((id, status));
                }
                Some(_) => {}
            }
        }
    })
}

#[test]
fn kill_9_at_random_moments_loses_no_acknowledged_change_and_half_applies_none() {
    const HANDSHAKES: usize = 400;
    let directory = data_dir("crash");
    std::fs::create_dir_all(&directory).unwrap();
    let world = directory.join("world.json");
    let generated = Command::new(BIN)
        .args([
            "fixtures",
            "generate",
            "--accounts",
            "--handshakes",
            &HANDSHAKES.to_string(),
        ])
        .output()
        .unwrap();
    std::fs::write(&world, generated.stdout).unwrap();
    let data = directory.join("data");
    let acknowledged: Acknowledged = Arc::default();
    let agent = agent();
    for round in 0..20u64 {
        let server = if round == 0 {
            start(&data, &["--fixtures", world.to_str().unwrap()])
        } else {
            start(&data, &[])
        };
        let port = server.port;
        let state = control(&agent, port, "GET", "/state", None);
        check(&state, &acknowledged.lock().unwrap(), round);
        let pending: Vec<usize> = (0..HANDSHAKES)
            .filter(|i| {
                state["handshakes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["id"] == bench_id(*i) && h["status"] == "Pending")
            })
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let share = |rest: usize| {
            pending
                .iter()
                .copied()
                .filter(|i| i % 4 == rest)
                .collect::<Vec<_>>()
        };
        let clients = vec![
            client(
                port,
                share(0),
                stop.clone(),
                acknowledged.clone(),
                |agent, port, i| {
                    let id = bench_id(i);
                    call(
                        agent,
                        port,
                        bench_key(i),
                        "AcceptHandshake",
                        &[("HandshakeId", &id)],
                    )
                    .map(|(s, b)| (s, b, "Accepted"))
                },
            ),
            client(
                port,
                share(1),
                stop.clone(),
                acknowledged.clone(),
                |agent, port, i| {
                    let id = bench_id(i);
                    call(
                        agent,
                        port,
                        bench_key(i),
                        "DeclineHandshake",
                        &[("HandshakeId", &id)],
                    )
                    .map(|(s, b)| (s, b, "Declined"))
                },
            ),
            client(
                port,
                share(2),
                stop.clone(),
                acknowledged.clone(),
                |agent, port, i| {
                    let id = bench_id(i);
                    call(
                        agent,
                        port,
                        MANAGEMENT,
                        "CancelHandshake",
                        &[("HandshakeId", &id)],
                    )
                    .map(|(s, b)| (s, b, "Cancelled"))
                },
            ),
            client(
                port,
                (0..HANDSHAKES)
                    .map(|i| i + 1000 * usize::try_from(round).unwrap())
                    .collect(),
                stop.clone(),
                acknowledged.clone(),
                |agent, port, i| {
                    let email = format!("crash{i}@fresh.example");
                    call(
                        agent,
                        port,
                        MANAGEMENT,
                        "InviteAccountToResourceDirectory",
                        &[("TargetEntity", &email), ("TargetType", "Email")],
                    )
                    .map(|(s, b)| (s, b, "Pending"))
                },
            ),
        ];
        // A moment chosen by the round, between 20 and 400 ms in.
        std::thread::sleep(Duration::from_millis(20 + (round * 7919) % 380));
        let mut server = server;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for client in clients {
            client.join().unwrap();
        }
    }
    let server = start(&data, &[]);
    let state = control(&agent, server.port, "GET", "/state", None);
    check(&state, &acknowledged.lock().unwrap(), 20);
    assert!(
        acknowledged.lock().unwrap().len() > 100,
        "the clients changed enough to prove something: {}",
        acknowledged.lock().unwrap().len()
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&directory);
}

/// Every acknowledged change is there, and every accepted invitation's account is a member
/// (and only those accounts): nothing half-applied.
fn check(state: &Value, acknowledged: &[(String, &'static str)], round: u64) {
    let handshakes = state["handshakes"].as_array().unwrap();
    for (id, status) in acknowledged {
        let found = handshakes.iter().find(|h| h["id"] == id.as_str());
        assert_eq!(
            found.map(|h| h["status"].as_str().unwrap()),
            Some(*status),
            "round {round}: acknowledged {id} {status}"
        );
    }
    let accepted: std::collections::HashSet<&str> = handshakes
        .iter()
        .filter(|h| h["status"] == "Accepted")
        .map(|h| h["target_entity"].as_str().unwrap())
        .collect();
    for account in state["accounts"].as_array().unwrap() {
        let id = account["id"].as_str().unwrap();
        let member = account["resource_directory"] == "rd-Bench01" && id != "1512666876910000";
        assert_eq!(member, accepted.contains(id), "round {round}: account {id}");
    }
}
