//! Where one HTTP/1 message ends and the next begins, on each side of a connection, as far as
//! the edge needs to know it. Requests: the head (its request line, Host, and the headers that
//! frame the body, read the way actix reads them), then a body of Content-Length bytes, chunked,
//! or the rest of the connection. Responses: actix's own output, framed by Content-Length, with
//! no body for HEAD and 1xx, or chunked (after which the edge stops looking).
//!
//! Neither side validates: a request actix cannot parse is actix's to refuse, and a framer that
//! meets something it cannot follow stops following (the connection then simply passes through).
//! Every buffer is bounded: lines are kept only up to [`KEPT_LINE_BYTES`].

use std::collections::VecDeque;

/// How much of a request line or header line is kept to be read (the rest is skipped).
pub const KEPT_LINE_BYTES: usize = 1024;
/// How many requests may wait for their responses before the edge stops following the
/// connection (actix parses ahead of its answers).
const MAX_PENDING: usize = 64;

/// What the edge knows of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// The request line, up to [`KEPT_LINE_BYTES`].
    pub line: Vec<u8>,
    /// Whether the request line ended.
    pub line_complete: bool,
    /// The Host header, up to [`KEPT_LINE_BYTES`].
    pub host: Option<Vec<u8>>,
    /// Whether the head ended.
    pub complete: bool,
    /// Both Content-Length and Transfer-Encoding were sent.
    pub conflict: bool,
    framing: Framing,
}

/// The headers that frame a request's body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Framing {
    content_length: Option<u64>,
    /// A Content-Length actix refuses (repeated, or not digits).
    bad_length: bool,
    transfer_encoding: Option<Coding>,
    websocket: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Chunked,
    Other,
}

impl Head {
    /// The method, as sent.
    #[must_use]
    pub fn method(&self) -> &[u8] {
        self.line.split(|&b| b == b' ').next().unwrap_or_default()
    }

    /// The request target, as sent (empty if the line is cut before it).
    #[must_use]
    pub fn target(&self) -> &[u8] {
        self.line.split(|&b| b == b' ').nth(1).unwrap_or_default()
    }

    fn http11(&self) -> bool {
        self.line.ends_with(b"HTTP/1.1")
    }

    fn header(&mut self, line: &[u8]) {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            // As actix reads it: one value, digits only; anything else it refuses.
            let parsed = (!value.is_empty() && value.iter().all(u8::is_ascii_digit))
                .then(|| std::str::from_utf8(value).ok()?.parse().ok())
                .flatten();
            let framing = &mut self.framing;
            framing.bad_length |= framing.content_length.is_some() || parsed.is_none();
            framing.content_length = parsed;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            self.framing.transfer_encoding = Some(if value.eq_ignore_ascii_case(b"chunked") {
                Coding::Chunked
            } else {
                Coding::Other
            });
        } else if name.eq_ignore_ascii_case(b"host") {
            self.host = Some(value.to_vec());
        } else if name.eq_ignore_ascii_case(b"upgrade") {
            self.framing.websocket = value.eq_ignore_ascii_case(b"websocket");
        }
    }

    /// How the body after this head is framed, as actix decides it.
    fn body(&self) -> Body {
        let framing = &self.framing;
        if framing.bad_length {
            // actix refuses the head; what follows is never read as a request.
            Body::Lost
        } else if framing.transfer_encoding == Some(Coding::Chunked) && self.http11() {
            Body::Chunked(Chunk::Size)
        } else if framing.websocket
            || (framing.content_length.is_none() && self.method() == b"CONNECT")
        {
            Body::Rest
        } else {
            match framing.content_length {
                Some(0) | None => Body::None,
                Some(n) => Body::Length(n),
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// The size line.
    Size,
    /// Data, this many bytes left.
    Data(u64),
    /// The line end after the data.
    DataEnd,
    /// Trailer lines, until an empty one.
    Trailers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    Length(u64),
    Chunked(Chunk),
    /// The rest of the connection.
    Rest,
    /// Framing the edge cannot follow.
    Lost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between requests (blank lines are skipped there, as httparse does).
    Idle,
    /// In a head.
    Head,
    /// In a body.
    Body(Body),
}

/// Where the request side of a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Between requests.
    Idle,
    /// Part of a head has arrived.
    Head,
    /// A body is arriving.
    Body,
    /// The framer no longer follows the connection.
    Lost,
}

/// Follows the requests of one connection.
#[derive(Debug)]
pub struct Requests {
    state: State,
    /// The line being read, up to [`KEPT_LINE_BYTES`].
    line: Vec<u8>,
    /// Requests whose response has not begun, oldest first; the last may be incomplete.
    pending: VecDeque<Head>,
    /// How many heads have begun.
    started: u64,
}

/// What feeding bytes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed {
    /// Nothing the edge acts on.
    Read,
    /// A head with both Content-Length and Transfer-Encoding ends at this offset of the bytes
    /// fed (its last byte, not fed); nothing from there on is taken.
    Conflict(usize),
}

impl Default for Requests {
    fn default() -> Self {
        Self {
            state: State::Idle,
            line: Vec::new(),
            pending: VecDeque::new(),
            started: 0,
        }
    }
}

impl Requests {
    /// Where the requests stand.
    #[must_use]
    pub fn phase(&self) -> Phase {
        match self.state {
            State::Idle => Phase::Idle,
            State::Head => Phase::Head,
            State::Body(Body::Lost) => Phase::Lost,
            State::Body(_) => Phase::Body,
        }
    }

    /// How many heads have begun.
    #[must_use]
    pub fn started(&self) -> u64 {
        self.started
    }

    /// The oldest request not yet answered: the one actix answers next.
    #[must_use]
    pub fn unanswered(&self) -> Option<&Head> {
        self.pending.front()
    }

    /// The newest request (the one being read, if any).
    #[must_use]
    pub fn latest(&self) -> Option<&Head> {
        self.pending.back()
    }

    /// A response to the oldest request has begun; whether that request was a HEAD.
    pub fn answered(&mut self) -> bool {
        self.pending
            .pop_front()
            .is_some_and(|head| head.method() == b"HEAD")
    }

    /// How many requests wait for a response (the head being read included).
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    fn lose(&mut self) {
        self.state = State::Body(Body::Lost);
    }

    /// Follows `bytes`, the next ones read from the client.
    pub fn feed(&mut self, bytes: &[u8]) -> Fed {
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            match self.state {
                State::Idle => {
                    let skip = rest
                        .iter()
                        .position(|&b| b != b'\r' && b != b'\n')
                        .unwrap_or(rest.len());
                    at += skip;
                    if skip < rest.len() {
                        if self.pending.len() >= MAX_PENDING {
                            self.lose();
                            return Fed::Read;
                        }
                        self.started += 1;
                        self.pending.push_back(Head::default());
                        self.state = State::Head;
                    }
                }
                State::Head => {
                    let (taken, ended) = self.take_line(rest);
                    if !ended {
                        let head = self.pending.back_mut().expect("a head is being read");
                        if !head.line_complete {
                            // What there is of the request line already names its target.
                            head.line.clone_from(&self.line);
                        }
                        at += taken;
                        continue;
                    }
                    let line = std::mem::take(&mut self.line);
                    let head = self.pending.back_mut().expect("a head is being read");
                    if !head.line_complete {
                        head.line = line;
                        head.line_complete = true;
                    } else if line.is_empty() {
                        head.complete = true;
                        head.conflict = head.framing.content_length.is_some()
                            && head.framing.transfer_encoding.is_some();
                        if head.conflict {
                            return Fed::Conflict(at + taken - 1);
                        }
                        self.state = match head.body() {
                            Body::None => State::Idle,
                            body => State::Body(body),
                        };
                    } else {
                        head.header(&line);
                    }
                    at += taken;
                }
                State::Body(body) => at += self.body(body, rest),
            }
        }
        Fed::Read
    }

    /// Takes bytes of `rest` up to and including a line feed into the kept line (without its
    /// line end); how many were taken and whether the line ended.
    fn take_line(&mut self, rest: &[u8]) -> (usize, bool) {
        let (taken, ended) = match rest.iter().position(|&b| b == b'\n') {
            Some(lf) => (lf + 1, true),
            None => (rest.len(), false),
        };
        let text = &rest[..if ended { taken - 1 } else { taken }];
        let room = KEPT_LINE_BYTES.saturating_sub(self.line.len());
        self.line.extend_from_slice(&text[..text.len().min(room)]);
        if ended && self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        (taken, ended)
    }

    /// Follows body bytes at the start of `rest`; how many were body.
    fn body(&mut self, body: Body, rest: &[u8]) -> usize {
        match body {
            Body::None => {
                self.state = State::Idle;
                0
            }
            Body::Length(left) => {
                let taken = usize::try_from(left).map_or(rest.len(), |left| left.min(rest.len()));
                let left = left - taken as u64;
                self.state = if left == 0 {
                    State::Idle
                } else {
                    State::Body(Body::Length(left))
                };
                taken
            }
            Body::Rest | Body::Lost => rest.len(),
            Body::Chunked(Chunk::Data(left)) => {
                let taken = usize::try_from(left).map_or(rest.len(), |left| left.min(rest.len()));
                let left = left - taken as u64;
                self.state = State::Body(Body::Chunked(if left == 0 {
                    Chunk::DataEnd
                } else {
                    Chunk::Data(left)
                }));
                taken
            }
            Body::Chunked(chunk) => {
                let (taken, ended) = self.take_line(rest);
                if ended {
                    let line = std::mem::take(&mut self.line);
                    self.state = match chunk {
                        Chunk::Size => match chunk_size(&line) {
                            Some(0) => State::Body(Body::Chunked(Chunk::Trailers)),
                            Some(size) => State::Body(Body::Chunked(Chunk::Data(size))),
                            None => State::Body(Body::Lost),
                        },
                        Chunk::DataEnd if line.is_empty() => {
                            State::Body(Body::Chunked(Chunk::Size))
                        }
                        Chunk::Trailers if line.is_empty() => State::Idle,
                        Chunk::Trailers => State::Body(Body::Chunked(Chunk::Trailers)),
                        Chunk::DataEnd | Chunk::Data(_) => State::Body(Body::Lost),
                    };
                }
                taken
            }
        }
    }
}

/// A chunk size line's size (hex digits, then optional extensions).
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.split(|&b| b == b';').next()?.trim_ascii();
    u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// A response head as actix writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseHead {
    /// Its length in bytes, the blank line included.
    pub len: usize,
    /// The status code.
    pub status: u16,
    /// Whether it says `content-length: 0` and has no Content-Type: what actix writes when it
    /// refuses a request itself (an application answer always has a type).
    pub bare: bool,
    length: Option<u64>,
    chunked: bool,
}

/// Reads the response head at the start of `bytes`; `None` if it does not end there.
#[must_use]
pub fn response_head(bytes: &[u8]) -> Option<ResponseHead> {
    let len = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut lines = bytes[..len - 4]
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii);
    let status = lines
        .next()?
        .split(|&b| b == b' ')
        .nth(1)
        .and_then(|code| std::str::from_utf8(code).ok()?.parse().ok())?;
    let (mut length, mut chunked, mut typed) = (None, false, false);
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            length = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            chunked = true;
        } else if name.eq_ignore_ascii_case(b"content-type") {
            typed = true;
        }
    }
    Some(ResponseHead {
        len,
        status,
        bare: length == Some(0) && !typed,
        length,
        chunked,
    })
}

/// Where the response side of a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Responses {
    /// The next byte begins a response head.
    AtHead,
    /// This many bytes are left of a head or body.
    In(u64),
    /// No longer followed (after a chunked body, or a head the edge could not read).
    Lost,
}

impl Responses {
    /// After a head that was passed on: its bytes and its body's, for a request that was a HEAD
    /// if `head_request`.
    #[must_use]
    pub fn after(head: &ResponseHead, head_request: bool) -> Self {
        let informational = head.status < 200;
        let bodiless = informational || head.status == 204 || head.status == 304 || head_request;
        if head.chunked && !bodiless {
            return Self::Lost;
        }
        let body = if bodiless {
            0
        } else {
            head.length.unwrap_or(0)
        };
        Self::In(head.len as u64 + body)
    }

    /// How many of `available` bytes belong to the current message.
    #[must_use]
    pub fn run(self, available: usize) -> usize {
        match self {
            Self::AtHead => 0,
            Self::In(left) => usize::try_from(left).map_or(available, |left| left.min(available)),
            Self::Lost => available,
        }
    }

    /// After `n` bytes of the current message were written.
    #[must_use]
    pub fn advance(self, n: usize) -> Self {
        match self {
            Self::In(left) if left <= n as u64 => Self::AtHead,
            Self::In(left) => Self::In(left - n as u64),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(requests: &mut Requests, text: &[u8]) -> Fed {
        requests.feed(text)
    }

    #[test]
    fn requests_are_followed_across_reads_through_bodies_of_each_kind() {
        let mut requests = Requests::default();
        let stream: &[u8] = b"\r\nPOST /a?Format=XML HTTP/1.1\r\nHost: h:1\r\nContent-Length: 5\r\n\r\nhelloGET /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\n\n";
        // One byte at a time: every split point of every line and body.
        for byte in stream {
            assert_eq!(requests.feed(std::slice::from_ref(byte)), Fed::Read);
        }
        assert_eq!(requests.phase(), Phase::Idle);
        assert_eq!(requests.started(), 3);
        let first = requests.unanswered().unwrap();
        assert_eq!(first.target(), b"/a?Format=XML");
        assert_eq!(first.host.as_deref(), Some(&b"h:1"[..]));
        assert!(!requests.answered());
        assert_eq!(requests.unanswered().unwrap().target(), b"/v1/x");
        requests.answered();
        assert_eq!(requests.unanswered().unwrap().line, b"GET / HTTP/1.1");
        assert_eq!(requests.waiting(), 1);
    }

    #[test]
    fn phases_follow_a_head_and_a_body() {
        let mut requests = Requests::default();
        assert_eq!(requests.phase(), Phase::Idle);
        requests.feed(b"PUT / HTTP/1.1\r\nContent-Le");
        assert_eq!(requests.phase(), Phase::Head);
        requests.feed(b"ngth: 3\r\n\r\nab");
        assert_eq!(requests.phase(), Phase::Body);
        requests.feed(b"c");
        assert_eq!(requests.phase(), Phase::Idle);
        requests.feed(b"CONNECT / HTTP/1.1\r\n\r\nanything at all");
        assert_eq!(
            requests.phase(),
            Phase::Body,
            "a CONNECT's body is the rest"
        );
        let mut bad = Requests::default();
        bad.feed(b"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        assert_eq!(bad.phase(), Phase::Lost);
    }

    #[test]
    fn a_head_with_both_length_and_transfer_encoding_stops_before_its_last_byte() {
        let mut requests = Requests::default();
        let text = b"GET / HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n";
        let Fed::Conflict(at) = feed_all(&mut requests, text) else {
            panic!("a conflict");
        };
        assert_eq!(&text[at - 3..=at], b"\r\n\r\n");
        assert_eq!(text[at], b'\n');
        assert!(requests.latest().unwrap().conflict);
        assert!(
            !requests.unanswered().unwrap().conflict,
            "the GET before it is fine"
        );
    }

    #[test]
    fn kept_lines_are_bounded() {
        let mut requests = Requests::default();
        let mut text = b"GET /".to_vec();
        text.extend(std::iter::repeat_n(b'a', 100_000));
        requests.feed(&text);
        requests.feed(b" HTTP/1.1\r\nX: ");
        requests.feed(&vec![b'b'; 100_000]);
        let head = requests.unanswered().unwrap();
        assert_eq!(head.line.len(), KEPT_LINE_BYTES);
        assert!(head.line_complete);
        let mut long = Requests::default();
        long.feed(b"GET /v1/");
        long.feed(&vec![b'a'; 100_000]);
        let head = long.unanswered().unwrap();
        assert!(!head.line_complete && head.target().starts_with(b"/v1/aaa"));
        assert!(requests.line.len() <= KEPT_LINE_BYTES);
    }

    #[test]
    fn response_heads_are_read_as_actix_writes_them() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let head = response_head(bare).unwrap();
        assert_eq!((head.len, head.status, head.bare), (bare.len(), 400, true));
        let app = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\ncontent-type: application/json\r\n\r\n{\"a\":\"b\"}...";
        let head = response_head(app).unwrap();
        assert!(!head.bare);
        let state = Responses::after(&head, false);
        assert_eq!(state, Responses::In(head.len as u64 + 12));
        assert_eq!(
            Responses::after(&head, true),
            Responses::In(head.len as u64)
        );
        assert_eq!(state.run(5), 5);
        assert_eq!(state.advance(head.len + 12), Responses::AtHead);
        let chunked = response_head(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: x\r\n\r\n",
        )
        .unwrap();
        assert_eq!(Responses::after(&chunked, false), Responses::Lost);
        let cont = response_head(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
        assert_eq!(Responses::after(&cont, false), Responses::In(25));
        assert_eq!(response_head(b"HTTP/1.1 200 OK\r\n"), None);
    }
}
