//! The harness: a test app on a free port with a pinned emulator clock, a small HTTP client
//! (ureq for ordinary requests, raw TCP for malformed ones), and the expected envelopes.

use crate::signer::{Key, sign_v1};
use chrono::{DateTime, TimeZone, Utc};
use resourcemanager_emulator::app::Worlds;
use resourcemanager_emulator::app::state::Builder;
use resourcemanager_emulator::app::{AppState, Application, DEFAULT_WORLD, Limits, WorldDoc};
use resourcemanager_emulator::clock::{Clock, EmulatorClock, SystemClock};
use resourcemanager_emulator::domain::{Account, AccountId, Handshake, HandshakeId};
use resourcemanager_emulator::facade::alibaba::world::AlibabaDoc;
use resourcemanager_emulator::store::sqlite::{Database, Sync};
use resourcemanager_emulator::store::{DurableStore, Store};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// The emulator clock of every test app: handshake times are exact.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
}

pub const MANAGEMENT: Key = Key::new("LTAI5tEmuManagement01", "EmuManagementSecret01");
pub const INVITEE: Key = Key::new("LTAI5tEmuInvitee00001", "EmuInviteeSecret00001");
pub const OTHER_MEMBER: Key = Key::new("LTAI5tEmuInvitee00002", "EmuInviteeSecret00002");
pub const PERSONAL: Key = Key::new("LTAI5tEmuInvitee00003", "EmuInviteeSecret00003");
pub const INDIVIDUAL: Key = Key::new("LTAI5tEmuInvitee00004", "EmuInviteeSecret00004");
pub const JOINED: Key = Key::new("LTAI5tEmuInvitee00005", "EmuInviteeSecret00005");
pub const DISABLED: Key = Key::new("LTAI5tEmuDisabled0001", "EmuDisabledSecret0001");
pub const STS: Key = Key::sts(
    "STS.EmuInvitee00001",
    "EmuStsSecret00001",
    "EmuStsToken00001",
);
pub const STS_EXPIRED: Key = Key::sts(
    "STS.EmuExpired000001",
    "EmuStsSecretExpired01",
    "EmuStsTokenExpired01",
);

pub struct TestApp {
    pub port: u16,
    /// The emulator clock, to move time in tests.
    pub clock: Arc<EmulatorClock>,
    pub state: AppState,
    handle: actix_web::dev::ServerHandle,
    /// With `RM_TEST_STORE=sqlite`: the data directory of the durable stores.
    data_dir: Option<std::path::PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // stop() sends the command at once; the returned future only waits for completion.
        drop(self.handle.stop(false));
        if let Some(directory) = &self.data_dir {
            let _ = std::fs::remove_dir_all(directory);
        }
    }
}

/// The stores the suite runs over: memory, or with `RM_TEST_STORE=sqlite` the durable stores in
/// a fresh data directory (so the whole suite runs over both; `.ci/run` runs it twice).
fn builder(worlds: Worlds) -> (Builder, Option<std::path::PathBuf>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    if std::env::var("RM_TEST_STORE").as_deref() != Ok("sqlite") {
        return (AppState::builder(worlds), None);
    }
    let directory = std::env::temp_dir().join(format!(
        "rm-emulator-api-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let (database, _) = Database::open(&directory, Sync::Normal).expect("a fresh data directory");
    let database = Arc::new(database);
    let seed = |realm, world| -> Arc<dyn Store> {
        Arc::new(DurableStore::seed(database.clone(), realm, world).expect("seeds"))
    };
    let builder = AppState::builder_with(
        seed("alibaba", worlds.alibaba),
        seed("huawei", worlds.huawei),
    )
    .database(database);
    (builder, Some(directory))
}

pub struct Options {
    pub world: String,
    pub wall_clock: Arc<dyn Clock>,
    pub admin_token: Option<String>,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            world: DEFAULT_WORLD.to_owned(),
            wall_clock: Arc::new(SystemClock),
            admin_token: None,
            limits: Limits::default(),
        }
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(Options::default())
}

pub fn spawn_app_with(options: Options) -> TestApp {
    let world =
        WorldDoc::load_toml("test world", &options.world, t0()).expect("the test world loads");
    let clock = Arc::new(EmulatorClock::frozen_at(t0()));
    let (builder, data_dir) = builder(world);
    let state = builder
        .clocks(clock.clone(), options.wall_clock)
        .admin_token(options.admin_token)
        .limits(options.limits)
        .build();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(state, "127.0.0.1", 0, 2).expect("binds a free port");
            tx.send((app.port(), app.state(), app.handle())).unwrap();
            app.run_until_stopped().await
        })
    });
    let (port, state, handle) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the app starts");
    TestApp {
        port,
        clock,
        state,
        handle,
        data_dir,
    }
}

/// A response as the tests look at it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub request_id: String,
    pub body: String,
    /// Every header, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// A header's value, if the reply has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The text of the first `<name>` element (entities and CDATA decoded), for XML bodies.
    pub fn xml_field(&self, name: &str) -> Option<String> {
        parse_xml(&self.body)
            .into_iter()
            .find(|(path, _)| path.rsplit('/').next() == Some(name))
            .map(|(_, text)| text)
    }

    /// The error code, whatever the format.
    pub fn code(&self) -> String {
        if self.body.starts_with("<?xml") {
            self.xml_field("Code").unwrap_or_default()
        } else {
            self.json()["Code"].as_str().unwrap_or_default().to_owned()
        }
    }

    /// The body with the request id replaced by `<RequestId>`, after checking it is the header's.
    pub fn masked(&self) -> String {
        assert!(
            is_request_id(&self.request_id),
            "x-acs-request-id {:?}",
            self.request_id
        );
        assert!(
            self.body.contains(&self.request_id),
            "the body carries the header's request id: {}",
            self.body
        );
        self.body.replace(&self.request_id, "<RequestId>")
    }
}

/// Parses a whole XML document as a strict parser would, panicking if it is not well-formed:
/// one declaration, one root, balanced tags, known entities, and only characters XML 1.0 allows.
/// Returns every element's `/`-joined path with its decoded text, in document order.
pub fn parse_xml(body: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    // XML 1.0 `Char`: what no escape can bring back once it is in a document.
    let bad = body.chars().find(|&c| {
        !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    });
    assert_eq!(bad, None, "a character XML cannot carry: {body:?}");
    let mut reader = quick_xml::Reader::from_str(body);
    reader.config_mut().check_end_names = true;
    let (mut stack, mut out, mut roots, mut declared) =
        (Vec::<String>::new(), Vec::new(), 0, false);
    loop {
        match reader.read_event() {
            Ok(Event::Decl(_)) => {
                assert!(
                    !declared && stack.is_empty() && roots == 0,
                    "a misplaced declaration: {body}"
                );
                declared = true;
            }
            Ok(Event::Start(start)) => {
                if stack.is_empty() {
                    roots += 1;
                }
                stack.push(String::from_utf8(start.name().as_ref().to_vec()).unwrap());
                out.push((stack.join("/"), String::new()));
            }
            Ok(Event::Empty(start)) => {
                let name = String::from_utf8(start.name().as_ref().to_vec()).unwrap();
                out.push((format!("{}/{name}", stack.join("/")), String::new()));
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Text(text)) => {
                // Entities come as their own events; the text between them is literal.
                let text = text
                    .decode()
                    .unwrap_or_else(|e| panic!("undecodable text ({e}) in {body}"))
                    .into_owned();
                assert!(
                    !stack.is_empty() || text.trim().is_empty(),
                    "text outside the root: {body}"
                );
                if let Some(last) = out.last_mut().filter(|_| !stack.is_empty()) {
                    last.1.push_str(&text);
                }
            }
            Ok(Event::CData(data)) => {
                let text = String::from_utf8(data.into_inner().into_owned()).unwrap();
                out.last_mut()
                    .expect("CDATA inside an element")
                    .1
                    .push_str(&text);
            }
            Ok(Event::GeneralRef(entity)) => {
                let name = String::from_utf8(entity.into_inner().into_owned()).unwrap();
                let text = quick_xml::escape::unescape(&format!("&{name};"))
                    .unwrap_or_else(|e| panic!("entity &{name}; ({e}) in {body}"))
                    .into_owned();
                out.last_mut()
                    .expect("an entity inside an element")
                    .1
                    .push_str(&text);
            }
            Ok(Event::Eof) => break,
            Ok(other) => panic!("unexpected {other:?} in {body}"),
            Err(e) => panic!("not well-formed XML ({e}): {body}"),
        }
    }
    assert!(
        declared && roots == 1 && stack.is_empty(),
        "not one declared document: {body}"
    );
    out
}

/// A chunked body's data (streamed answers: the state export).
fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    loop {
        let (size, tail) = rest.split_once("\r\n").expect("a chunk size line");
        let size = usize::from_str_radix(size, 16).expect("a hex chunk size");
        if size == 0 {
            return body;
        }
        body.push_str(&tail[..size]);
        rest = tail[size..]
            .strip_prefix("\r\n")
            .expect("a chunk ends with CRLF");
    }
}

/// An upper-case UUID v4.
pub fn is_request_id(text: &str) -> bool {
    let groups: Vec<_> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && text
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('A'..='F').contains(&c))
        && groups[2].starts_with('4')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// GET with every parameter in the query (pop-core, legacy Python with set_method).
    Get,
    /// POST with every parameter in the query and an empty body (legacy Python, Tea v2).
    PostQuery,
    /// POST with every parameter in a form body and no query (pop-core POST).
    PostForm,
}

/// A signed request under construction.
pub struct Call<'a> {
    app: &'a TestApp,
    key: Key,
    transport: Transport,
    params: Vec<(String, String)>,
    remove: Vec<&'static str>,
    secret: Option<&'static str>,
    after_signing: Vec<(String, String)>,
}

impl TestApp {
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A signed call of `action` with `key`; JSON unless `.format()` says otherwise.
    pub fn call(&self, key: Key, action: &str) -> Call<'_> {
        // Nonce and timestamp are fixed here, so a Call signs the same way every time.
        let params = [
            ("Action", action.to_owned()),
            ("Version", "2020-03-31".to_owned()),
            ("Format", "JSON".to_owned()),
            ("SignatureNonce", crate::signer::nonce()),
            ("Timestamp", crate::signer::now_timestamp()),
        ]
        .map(|(name, value)| (name.to_owned(), value))
        .to_vec();
        Call {
            app: self,
            key,
            transport: Transport::PostQuery,
            params,
            remove: vec![],
            secret: None,
            after_signing: vec![],
        }
    }

    /// Alibaba's store, as the facade reaches it.
    pub fn store(&self) -> &Arc<dyn Store> {
        self.state
            .store(resourcemanager_emulator::control::Cloud::Alibaba)
    }

    /// Alibaba's whole world as a sorted document: two snapshots compare equal exactly when
    /// the worlds are the same.
    pub fn world(&self) -> AlibabaDoc {
        AlibabaDoc::from_world(&self.store().export())
    }

    /// A handshake as stored.
    pub fn handshake(&self, id: &str) -> Option<Handshake> {
        let id = HandshakeId::parse(id).unwrap();
        self.store()
            .query(|view| view.handshake(&id))
            .map(|h| (*h).clone())
    }

    /// An account as stored.
    pub fn account(&self, id: &str) -> Account {
        let id = AccountId::parse(id).unwrap();
        self.store().query(|view| view.account(&id)).unwrap()
    }

    /// Sends raw bytes and reads the reply (the server closes after it: `Connection: close`).
    pub fn raw(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        parse_reply(&bytes)
    }
}

/// A whole reply as read off the wire.
pub fn parse_reply(bytes: &[u8]) -> Reply {
    {
        let text = String::from_utf8(bytes.to_vec()).expect("replies are UTF-8");
        let (head, body) = text
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("no header end: {text:?}"));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("status line: {head}"));
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    l.split_once(':')
                        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let body = if header("transfer-encoding").eq_ignore_ascii_case("chunked") {
            dechunk(body)
        } else {
            body.to_owned()
        };
        let content_type = header("content-type");
        // Every XML body any test sees is parsed whole, not only its prefix.
        if content_type.starts_with("text/xml") {
            parse_xml(&body);
        }
        Reply {
            status,
            content_type,
            request_id: header("x-acs-request-id"),
            headers: head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_owned()))
                .collect(),
            body,
        }
    }
}

impl TestApp {
    /// A control-plane call with an optional JSON body.
    pub fn control(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let content_type = body.map(|_| "application/json");
        self.raw_request(
            method,
            path,
            content_type,
            body.unwrap_or_default().as_bytes(),
        )
    }

    /// A raw request with `method`, `target`, optional content type and body.
    pub fn raw_request(
        &self,
        method: &str,
        target: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let mut request = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.host(),
            body.len()
        );
        if let Some(content_type) = content_type {
            request.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }
}

impl Call<'_> {
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn handshake(self, id: &str) -> Self {
        self.param("HandshakeId", id)
    }

    pub fn format(self, format: &str) -> Self {
        self.param("Format", format)
    }

    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// Leaves a parameter out (before signing).
    pub fn without(mut self, name: &'static str) -> Self {
        self.remove.push(name);
        self
    }

    /// Signs with this secret instead of the key's.
    pub fn secret(mut self, secret: &'static str) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Sets a parameter after signing (tampering).
    pub fn after_signing(mut self, name: &str, value: &str) -> Self {
        self.after_signing.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The parameters as they will be sent, signed.
    pub fn signed_params(&self) -> Vec<(String, String)> {
        let method = if self.transport == Transport::Get {
            "GET"
        } else {
            "POST"
        };
        let mut params = sign_v1(
            method,
            self.key.with_secret(self.secret),
            &self.params,
            &self.remove,
        );
        for (name, value) in &self.after_signing {
            params.retain(|(n, _)| n != name);
            params.push((name.clone(), value.clone()));
        }
        params
    }

    pub fn send(self) -> Reply {
        let encoded = crate::signer::form_encode(&self.signed_params());
        match self.transport {
            Transport::Get => self
                .app
                .raw_request("GET", &format!("/?{encoded}"), None, b""),
            Transport::PostQuery => {
                self.app
                    .raw_request("POST", &format!("/?{encoded}"), None, b"")
            }
            Transport::PostForm => self.app.raw_request(
                "POST",
                "/",
                Some("application/x-www-form-urlencoded"),
                encoded.as_bytes(),
            ),
        }
    }
}

/// A V3-signed request under construction: POST, parameters in the query, signed headers.
pub struct CallV3<'a> {
    app: &'a TestApp,
    key: Key,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    unsigned: Vec<(String, String)>,
    body: Vec<u8>,
    secret: Option<&'static str>,
    authorization: Option<String>,
    algorithm: &'static str,
}

impl TestApp {
    /// A V3 call of `action` with `key`, signed the way the Python Tea SDK signs.
    pub fn call_v3(&self, key: Key, action: &str) -> CallV3<'_> {
        let headers = crate::signer::v3_headers(key, &self.host(), action, b"");
        CallV3 {
            app: self,
            key,
            query: vec![],
            headers,
            unsigned: vec![],
            body: vec![],
            secret: None,
            authorization: None,
            algorithm: "ACS3-HMAC-SHA256",
        }
    }
}

impl CallV3<'_> {
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets (or with `None` removes) a signed header.
    pub fn header(mut self, name: &str, value: Option<&str>) -> Self {
        self.headers.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Adds a header that is sent but not signed (Node signs only host and x-acs-*).
    pub fn unsigned_header(mut self, name: &str, value: &str) -> Self {
        self.unsigned.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends this body in place of the empty one that was signed.
    pub fn body(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }

    pub fn secret(mut self, secret: &'static str) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Signs with ACS3-HMAC-SM3, the payload hash in x-acs-content-sha256 as the Tea cores send it.
    pub fn sm3(mut self) -> Self {
        self.algorithm = "ACS3-HMAC-SM3";
        let hash = crate::signer::sm3_hex(b"");
        self.header("x-acs-content-sha256", Some(&hash))
    }

    /// Sends this Authorization header instead of signing.
    pub fn authorization(mut self, value: &str) -> Self {
        self.authorization = Some(value.to_owned());
        self
    }

    /// The value of a signed header, as it will be sent.
    pub fn header_value(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The names of the headers this call signs, as it will send them.
    pub fn signed_header_names(&self) -> Vec<String> {
        self.headers.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The canonical request the server builds for this call: the signed headers as sent and
    /// the hash of the body it receives.
    pub fn canonical_request(&self) -> String {
        crate::signer::canonical_request_v3_with(
            self.algorithm,
            "POST",
            &self.query,
            &self.headers,
            &self.body,
        )
    }

    pub fn send(self) -> Reply {
        let mut headers = self.headers.clone();
        match &self.authorization {
            Some(value) => headers.push(("authorization".into(), value.clone())),
            // Signed as the SDK does for these actions: over an empty body.
            None => crate::signer::authorize_v3(
                self.algorithm,
                self.key.with_secret(self.secret),
                "POST",
                &self.query,
                &mut headers,
                b"",
            ),
        }
        let target = format!("/?{}", crate::signer::form_encode(&self.query));
        let mut request = format!("POST {target} HTTP/1.1\r\n");
        for (name, value) in headers.iter().chain(&self.unsigned) {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!(
            "Connection: close\r\nContent-Length: {}\r\n\r\n",
            self.body.len()
        ));
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(&self.body);
        self.app.raw(&bytes)
    }
}

/// The exact error body the real gateway writes, with `<RequestId>` for the request id.
pub fn error_body(format: &str, host: &str, code: &str, message: &str) -> String {
    let recommend = format!(
        "https://api.aliyun.com/troubleshoot?q={code}&product=ResourceManager&requestId=<RequestId>"
    );
    if format == "XML" {
        let message = message
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!(
            r"<?xml version='1.0' encoding='UTF-8'?><Error><RequestId><RequestId></RequestId><HostId>{host}</HostId><Code>{code}</Code><Message>{message}</Message><Recommend><![CDATA[{recommend}]]></Recommend></Error>"
        )
    } else {
        format!(
            r#"{{"RequestId":"<RequestId>","HostId":"{host}","Code":"{code}","Message":{},"Recommend":"{recommend}"}}"#,
            serde_json::Value::String(message.to_owned())
        )
    }
}

/// An expected error: HTTP status, code and message.
#[derive(Debug, Clone)]
pub struct Expected {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

pub fn expected(status: u16, code: &'static str, message: impl Into<String>) -> Expected {
    Expected {
        status,
        code,
        message: message.into(),
    }
}

/// `MissingParameter` naming `name`.
pub fn missing(name: &str) -> Expected {
    let message = format!(
        "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
    );
    expected(400, "MissingParameter", message)
}

/// `InvalidParameter` naming `name`.
pub fn invalid(name: &str) -> Expected {
    expected(
        400,
        "InvalidParameter",
        format!("Specified parameter {name} is not valid."),
    )
}

/// Asserts `reply` is exactly the `expected` error in `format`, addressed to `host`.
#[track_caller]
pub fn assert_error(reply: &Reply, format: &str, host: &str, expected: &Expected) {
    assert_eq!(
        reply.status, expected.status,
        "status of {}: {}",
        expected.code, reply.body
    );
    let content_type = if format == "XML" {
        "text/xml;charset=utf-8"
    } else {
        "application/json;charset=utf-8"
    };
    assert_eq!(
        reply.content_type, content_type,
        "content type of {}",
        expected.code
    );
    assert_eq!(
        reply.masked(),
        error_body(format, host, expected.code, &expected.message)
    );
}
