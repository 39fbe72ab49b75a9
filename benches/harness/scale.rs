//! The world-size table of the benchmark harness (`benches/run --scale`): the latency of single
//! requests against a freshly started emulator whose world holds HANDSHAKES Pending invitations
//! from one directory (`fixtures generate --handshakes N --accounts`), measured client-side over
//! one keep-alive connection, requests sent one after the other.
//!
//! `scale HOST:PORT HANDSHAKES SAMPLES STALL_SECONDS [PID]` sends, SAMPLES times each:
//! ListHandshakesForResourceDirectory (PageSize 10) page 1 and page N/20, an
//! InviteAccountToResourceDirectory to a fresh email, an AcceptHandshake of a random invitation
//! by its invitee's key (`LTAI5tBench<i>`), a GetHandshake of another by the management key.
//! Then, for STALL_SECONDS (0 skips it), it accepts invitations one after the other on one
//! connection while a second connection sends Invites and List pages without pause: the
//! Accepts' worst latency bounds how long any request held the server (its one worker and the
//! world's lock). PID, if given, is the emulator's, for its resident memory after loading.
//!
//! It prints two Markdown rows, `seq | …` and `stall | …` (`scale --header` prints the headers),
//! and exits non-zero at the first unexpected answer: a status other than 200, or a body that
//! is not what the action should return. Requests are signed with the library's own V1 signer,
//! each with its own nonce; signing happens before the clock starts. Every request slower than
//! 2 ms is named on standard error, with its place in its series.

use resourcemanager_emulator::facade::alibaba::params::Params;
use resourcemanager_emulator::facade::alibaba::signature_v1::{encode_params, sign_params};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const MANAGER_KEY: &str = "LTAI5tEmuManagement01";
const MANAGER_SECRET: &str = "EmuManagementSecret01";
const PAGE_SIZE: usize = 10;
const LIST: &str = "ListHandshakesForResourceDirectory";
const INVITE: &str = "InviteAccountToResourceDirectory";
const ACCEPT: &str = "AcceptHandshake";
const GET: &str = "GetHandshake";
/// The target for every request, and for any stall.
const TARGET_MS: f64 = 2.0;

fn fail(message: &str) -> ! {
    let shown: String = message.chars().take(600).collect();
    let cut = if shown.len() < message.len() {
        " …"
    } else {
        ""
    };
    eprintln!("scale: {shown}{cut}");
    std::process::exit(1);
}

/// One keep-alive connection to the emulator, signing as it goes.
struct Client {
    agent: ureq::Agent,
    base: String,
    run: String,
    sent: u64,
}

impl Client {
    fn new(host: &str, tag: &str) -> Self {
        Self {
            agent: ureq::AgentBuilder::new()
                .max_idle_connections(1)
                .timeout(Duration::from_secs(30))
                .build(),
            base: format!("http://{host}/"),
            run: format!("{:012x}{tag}", rand::random::<u64>() >> 16),
            sent: 0,
        }
    }

    /// A signed V1 URL for `action` with `extra` parameters.
    fn url(&mut self, action: &str, key: &str, secret: &str, extra: &[(&str, &str)]) -> String {
        self.sent += 1;
        let nonce = format!("{}{:012x}", self.run, self.sent);
        let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut params = Params::default();
        for (name, value) in [
            ("Action", action),
            ("Version", "2020-03-31"),
            ("Format", "JSON"),
            ("AccessKeyId", key),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", nonce.as_str()),
            ("Timestamp", timestamp.as_str()),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        {
            params.insert(name, value);
        }
        sign_params(&mut params, "POST", secret);
        format!("{}?{}", self.base, encode_params(&params))
    }

    /// Sends `url` (signed beforehand), times it to the last byte of the body, and returns the
    /// parsed body; anything but a 200 with a JSON body ends the run.
    fn call(&self, what: &str, url: &str) -> (Duration, Value) {
        let start = Instant::now();
        let (status, body) = match self.agent.post(url).call() {
            Ok(response) => (response.status(), response.into_string()),
            Err(ureq::Error::Status(status, response)) => (status, response.into_string()),
            Err(error) => fail(&format!("{what}: {error}")),
        };
        let elapsed = start.elapsed();
        let body = body.unwrap_or_else(|e| fail(&format!("{what}: reading the body: {e}")));
        if status != 200 {
            fail(&format!("{what}: status {status}: {body}"));
        }
        let body = serde_json::from_str(&body)
            .unwrap_or_else(|e| fail(&format!("{what}: not JSON ({e}): {body}")));
        (elapsed, body)
    }

    fn list(&mut self, page: usize) -> (Duration, Value) {
        let page = page.to_string();
        let size = PAGE_SIZE.to_string();
        let url = self.url(
            LIST,
            MANAGER_KEY,
            MANAGER_SECRET,
            &[("PageNumber", &page), ("PageSize", &size)],
        );
        let (time, body) = self.call(LIST, &url);
        let items = body["Handshakes"]["Handshake"]
            .as_array()
            .map_or(0, Vec::len);
        if items != PAGE_SIZE {
            fail(&format!(
                "{LIST} page {page}: {items} items, not {PAGE_SIZE}: {body}"
            ));
        }
        (time, body)
    }

    fn invite(&mut self) -> Duration {
        let email = format!("scale-{}-{}@bench.example", self.run, self.sent);
        let url = self.url(
            INVITE,
            MANAGER_KEY,
            MANAGER_SECRET,
            &[
                ("TargetEntity", &email),
                ("TargetType", "Email"),
                ("Note", "Scale"),
            ],
        );
        let (time, body) = self.call(INVITE, &url);
        expect(&body, "Status", "Pending", INVITE);
        expect(&body, "TargetEntity", &email, INVITE);
        time
    }

    fn accept(&mut self, i: usize) -> Duration {
        let id = handshake_id(i);
        let url = self.url(
            ACCEPT,
            &format!("LTAI5tBench{i:010}"),
            &format!("BenchSecret{i:010}"),
            &[("HandshakeId", &id)],
        );
        let (time, body) = self.call(ACCEPT, &url);
        expect(&body, "HandshakeId", &id, ACCEPT);
        expect(&body, "Status", "Accepted", ACCEPT);
        time
    }

    fn get(&mut self, i: usize) -> Duration {
        let id = handshake_id(i);
        let url = self.url(GET, MANAGER_KEY, MANAGER_SECRET, &[("HandshakeId", &id)]);
        let (time, body) = self.call(GET, &url);
        expect(&body, "HandshakeId", &id, GET);
        time
    }
}

fn handshake_id(i: usize) -> String {
    format!("h-Bench{i:011}")
}

fn expect(body: &Value, field: &str, wanted: &str, what: &str) {
    if body["Handshake"][field].as_str() != Some(wanted) {
        fail(&format!(
            "{what}: Handshake.{field} is not {wanted:?}: {body}"
        ));
    }
}

/// Median, 99th percentile and maximum, in milliseconds.
fn summary(times: &mut [Duration]) -> (f64, f64, f64) {
    assert!(!times.is_empty(), "at least one sample");
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index into a short list"
        )]
        let index = ((times.len() - 1) as f64 * q).round() as usize;
        ms(times[index])
    };
    (at(0.5), at(0.99), ms(times[times.len() - 1]))
}

/// Names on standard error the requests of a series slower than the target (at most five), in
/// the order they were sent: a first-request effect and a recurring stall look different.
fn report_slow(series: &str, times: &[Duration]) {
    let slow: Vec<String> = times
        .iter()
        .enumerate()
        .filter(|(_, t)| t.as_secs_f64() * 1e3 > TARGET_MS)
        .map(|(k, t)| format!("#{k} {:.3} ms", t.as_secs_f64() * 1e3))
        .collect();
    if !slow.is_empty() {
        let shown = slow.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        eprintln!(
            "scale: {series}: {} of {} over {TARGET_MS} ms: {shown}",
            slow.len(),
            times.len()
        );
    }
}

fn cell(series: &str, times: &mut [Duration]) -> String {
    report_slow(series, times);
    let (median, _, max) = summary(times);
    format!("{median:.3} / {max:.3}")
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn rss(pid: Option<&str>) -> String {
    let Some(pid) = pid else {
        return "n/a".into();
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or_else(
            || "n/a".into(),
            |kb| format!("{} MB", thousands((kb + 500) / 1000)),
        )
}

fn header() {
    println!(
        "seq | handshakes | List page 1 | List page N/20 | Invite | Accept | Get | resident memory after load |"
    );
    println!("seq |---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "stall | handshakes | seconds | Accepts | Accept median ms | p99 ms | max ms | Invites + Lists alongside | their max ms | Accept max ≤ 2 ms |"
    );
    println!("stall |---:|---:|---:|---:|---:|---:|---:|---:|---|");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--header") {
        header();
        return;
    }
    let (host, n, samples, stall_seconds, pid) = match args.as_slice() {
        [host, n, samples, stall, rest @ ..] if rest.len() <= 1 => (
            host.clone(),
            n.parse::<usize>().expect("HANDSHAKES is a number"),
            samples.parse::<usize>().expect("SAMPLES is a number"),
            stall.parse::<f64>().expect("STALL_SECONDS is a number"),
            rest.first().cloned(),
        ),
        _ => {
            eprintln!(
                "usage: scale --header | scale HOST:PORT HANDSHAKES SAMPLES STALL_SECONDS [PID]"
            );
            std::process::exit(2);
        }
    };
    if samples == 0 || n < 2 * samples + 100 || n < 20 * PAGE_SIZE {
        fail("SAMPLES must be positive, and the world needs 2 x SAMPLES + 100 and 200 handshakes");
    }
    let memory = rss(pid.as_deref());

    // The invitations to accept and to read, in random order over the whole world; the rest
    // warm the connection up (read only) and are accepted alongside the background load.
    let mut order: Vec<usize> = (0..n).collect();
    rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rand::rng());
    let (to_accept, rest) = order.split_at(samples);
    let (to_get, spare) = rest.split_at(samples);

    let mut client = Client::new(&host, "a");
    // The connection, and a first pass through the signature and look-up code.
    for &i in spare.iter().take(20) {
        client.get(i);
    }
    let deep = (n / 20).max(1);
    let mut page_one: Vec<Duration> = (0..samples)
        .map(|_| {
            let (time, body) = client.list(1);
            if body["TotalCount"].as_u64() != u64::try_from(n).ok() {
                fail(&format!("{LIST}: TotalCount is not {n}: {body}"));
            }
            time
        })
        .collect();
    let mut page_deep: Vec<Duration> = (0..samples).map(|_| client.list(deep).0).collect();
    let mut invites: Vec<Duration> = (0..samples).map(|_| client.invite()).collect();
    let mut accepts: Vec<Duration> = to_accept.iter().map(|&i| client.accept(i)).collect();
    let mut gets: Vec<Duration> = to_get.iter().map(|&i| client.get(i)).collect();
    println!(
        "seq | {} | {} | {} | {} | {} | {} | {memory} |",
        thousands(n),
        cell("List page 1", &mut page_one),
        cell("List deep page", &mut page_deep),
        cell("Invite", &mut invites),
        cell("Accept", &mut accepts),
        cell("Get", &mut gets),
    );
    if stall_seconds > 0.0 {
        stall(&mut client, &host, n, &spare[20..], stall_seconds);
    }
}

/// Accepts `to_accept` on `client`, one after the other, for `seconds` (or until they run out)
/// while another connection sends Invites and List pages without pause; prints the `stall` row.
fn stall(client: &mut Client, host: &str, n: usize, to_accept: &[usize], seconds: f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicUsize::new(0));
    let background = {
        let (stop, started, host) = (Arc::clone(&stop), Arc::clone(&started), host.to_owned());
        std::thread::spawn(move || {
            let mut client = Client::new(&host, "b");
            let mut times = Vec::new();
            let mut k = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let time = match k % 3 {
                    0 => client.invite(),
                    1 => client.list(1).0,
                    _ => client.list(1 + rand::random_range(0..n / PAGE_SIZE)).0,
                };
                times.push(time);
                k += 1;
                started.store(k, Ordering::Relaxed);
            }
            times
        })
    };
    while started.load(Ordering::Relaxed) < 20 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let begun = Instant::now();
    let deadline = begun + Duration::from_secs_f64(seconds);
    let mut concurrent = Vec::new();
    for &i in to_accept {
        if Instant::now() >= deadline {
            break;
        }
        concurrent.push(client.accept(i));
    }
    let elapsed = begun.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mut alongside = background.join().expect("the background client finished");
    report_slow("Accept alongside Invites and Lists", &concurrent);
    report_slow("Invites and Lists alongside", &alongside);
    let (median, p99, max) = summary(&mut concurrent);
    let (_, _, their_max) = summary(&mut alongside);
    println!(
        "stall | {} | {elapsed:.1} | {} | {median:.3} | {p99:.3} | {max:.3} | {} | {their_max:.3} | {} |",
        thousands(n),
        thousands(concurrent.len()),
        thousands(alongside.len()),
        if max <= TARGET_MS { "yes" } else { "**no**" },
    );
}
