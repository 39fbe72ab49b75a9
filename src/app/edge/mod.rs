//! The connection edge: what happens below actix's HTTP/1 parser, on the socket itself. actix
//! has no hook for what it decides there: it answers a request line or header it cannot parse
//! with an empty `400`, an oversized head with an empty `431`, bounds the time to send only the
//! first head of a connection, serves the bytes after a chunked body that also had a
//! Content-Length as the next request, and closes a connection with unread input, which resets
//! it under a client still uploading. So every connection's socket is wrapped in a [`Guarded`]
//! stream that follows the messages going each way ([`framing`]) and:
//!
//! - gives every request head a deadline (the first from the connection's start, later ones from
//!   their first byte): past it the client gets the cloud's timeout error, and the connection
//!   closes (idle keep-alive connections are closed by actix's keep-alive timer);
//! - replaces actix's empty refusals with the envelope of the cloud the request addressed
//!   ([`answer`]), journalled like any other answer;
//! - answers a head with both Content-Length and Transfer-Encoding itself, before actix sees
//!   its end, and closes the connection: nothing after it is read as a request;
//! - on close, if the client may still be sending (a body the server did not read), shuts the
//!   sending side and reads on for a while (lingering close), so the client reads the answer
//!   instead of a reset;
//! - drops a connection whose client takes no byte of an answer for the read timeout: a client
//!   that stops reading would otherwise hold it, and the answer's buffers, for ever.
//!
//! What remains below any envelope: a client that closes or resets first, a connection that is
//! silent until its first deadline (closed without a word: there is no request to answer), a
//! head that times out or is refused while answers to earlier pipelined requests are still owed
//! (closed after those), and requests the edge stops following (after a chunked answer, or
//! framing it cannot follow, such as a body whose Content-Length actix refuses).

pub mod answer;
pub mod framing;

use crate::clock::Clock;
use crate::control::journal::Journal;
use actix_web::http::StatusCode;
use answer::Refusal;
use framing::{Fed, Phase, Requests, Responses};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// The most a lingering close reads and throws away.
const LINGER_BYTES: usize = 64 << 20;

/// What every guarded connection shares.
pub struct Edge {
    /// Each phase of reading a request: the head here, the body in the handlers.
    pub read_timeout: Duration,
    /// Where the edge's own answers are journalled.
    pub journal: Arc<Journal>,
    /// The time journal entries carry.
    pub wall_clock: Arc<dyn Clock>,
}

/// An answer of the edge's own, due once every earlier request has been answered.
struct Owed {
    /// How many answers must have begun before it (its request's place on the connection).
    after: u64,
    bytes: Vec<u8>,
}

/// A client connection as actix reads and writes it, guarded (see the module).
pub struct Guarded {
    stream: Option<TcpStream>,
    edge: Arc<Edge>,
    requests: Requests,
    responses: Responses,
    /// Answers begun (final responses; informational ones do not count).
    answers: u64,
    /// The edge's own bytes, sent before anything else.
    out: Vec<u8>,
    owed: Option<Owed>,
    deadline: Pin<Box<Sleep>>,
    /// The head the deadline is for (0: the first, timed from the connection's start).
    timing: Option<u64>,
    /// Reads end: the edge has taken over the rest of the connection.
    closing: bool,
    /// actix's writes are dropped: the edge answered in their place.
    muted: bool,
    /// Since when the client has taken no byte of an answer, as the deadline it has.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Guarded {
    /// Guards `stream`, its first head timed from now.
    #[must_use]
    pub fn new(stream: TcpStream, edge: Arc<Edge>) -> Self {
        let deadline = Box::pin(tokio::time::sleep(edge.read_timeout));
        Self {
            stream: Some(stream),
            edge,
            requests: Requests::default(),
            responses: Responses::AtHead,
            answers: 0,
            out: Vec::new(),
            owed: None,
            deadline,
            timing: Some(0),
            closing: false,
            muted: false,
            stalled: None,
        }
    }

    fn stream(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(self.stream.as_mut().expect("the stream lives until drop"))
    }

    /// Owes `refusal` as the answer to the oldest unanswered request, and ends the reads.
    fn refuse(&mut self, refusal: Refusal) {
        let bytes = answer::answer(refusal, self.requests.latest(), &self.edge);
        let waiting = u64::try_from(self.requests.waiting()).unwrap_or(u64::MAX);
        self.owed = Some(Owed {
            after: self.answers + waiting.saturating_sub(1),
            bytes,
        });
        self.closing = true;
        self.timing = None;
        self.pay();
    }

    /// Moves an owed answer to the outgoing bytes once it is due.
    fn pay(&mut self) {
        if self
            .owed
            .as_ref()
            .is_some_and(|owed| owed.after <= self.answers)
            && self.responses == Responses::AtHead
            && let Some(owed) = self.owed.take()
        {
            self.out.extend_from_slice(&owed.bytes);
            self.muted = true;
        }
    }

    /// Times the head being read, if one is.
    fn time_heads(&mut self) {
        match self.requests.phase() {
            Phase::Head => {
                let head = self.requests.started();
                match self.timing {
                    // The first head's time runs from the connection's start.
                    Some(0) if head == 1 => self.timing = Some(1),
                    Some(timed) if timed == head => {}
                    _ => {
                        self.deadline
                            .as_mut()
                            .reset(Instant::now() + self.edge.read_timeout);
                        self.timing = Some(head);
                    }
                }
            }
            Phase::Idle if self.requests.started() == 0 => {}
            Phase::Idle | Phase::Body | Phase::Lost => self.timing = None,
        }
    }

    /// The head deadline passed: the cloud's timeout error if part of a head arrived, then close.
    fn expire(&mut self) {
        if self.requests.phase() == Phase::Head {
            self.refuse(Refusal::Timeout);
        } else {
            self.closing = true;
            self.timing = None;
        }
    }

    /// The client takes nothing: pending until the write deadline, then an error (actix drops
    /// the connection).
    fn stall<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let timeout = self.edge.read_timeout;
        let deadline = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Writes the edge's own bytes; ready once none are left.
    fn flush_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.out.is_empty() {
            let out = std::mem::take(&mut self.out);
            let written = match self.stream().poll_write(cx, &out) {
                Poll::Ready(Ok(0)) => Err(io::ErrorKind::WriteZero.into()),
                Poll::Ready(result) => result,
                Poll::Pending => {
                    self.out = out;
                    return self.stall(cx);
                }
            };
            self.stalled = None;
            match written {
                Ok(n) => self.out = out[n..].to_vec(),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        Poll::Ready(Ok(()))
    }

    /// What to do with the response head at the start of `buf`: replace actix's own refusal
    /// with the cloud's envelope (returns the bytes it took), or follow it.
    fn head(&mut self, buf: &[u8]) -> Option<usize> {
        let Some(head) = framing::response_head(buf) else {
            self.responses = Responses::Lost;
            return None;
        };
        let refusal = head
            .bare
            .then(|| match StatusCode::from_u16(head.status).ok()? {
                StatusCode::BAD_REQUEST => Some(Refusal::Malformed),
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Some(
                    if self.requests.unanswered().is_some_and(|h| !h.line_complete) {
                        Refusal::LineTooLarge
                    } else {
                        Refusal::HeadTooLarge
                    },
                ),
                StatusCode::REQUEST_TIMEOUT => Some(Refusal::Timeout),
                StatusCode::INTERNAL_SERVER_ERROR => Some(Refusal::Internal),
                _ => None,
            });
        if let Some(Some(refusal)) = refusal {
            // actix refuses only the request it is reading, and then closes.
            self.out.extend(answer::answer(
                refusal,
                self.requests.unanswered(),
                &self.edge,
            ));
            self.owed = None;
            self.muted = true;
            self.closing = true;
            return Some(head.len);
        }
        let head_request = if head.status >= 200 {
            self.answers += 1;
            self.requests.answered()
        } else {
            false
        };
        self.responses = Responses::after(&head, head_request);
        None
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.closing {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match this.stream().poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if let Fed::Conflict(at) = this.requests.feed(&buf.filled()[before..]) {
                    // actix never sees the end of that head, nor anything after it.
                    buf.set_filled(before + at);
                    this.refuse(Refusal::Conflict);
                    return Poll::Ready(Ok(()));
                }
                this.time_heads();
                // A client that sends a byte now and then still runs out of time.
                if this.timing.is_some() && this.deadline.is_elapsed() {
                    this.expire();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                if this.timing.is_some() && this.deadline.as_mut().poll(cx).is_ready() {
                    this.expire();
                    return Poll::Ready(Ok(()));
                }
                Poll::Pending
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.flush_out(cx))?;
        let mut taken = 0;
        while taken < buf.len() {
            if this.muted {
                // Answered in actix's place; what it writes after that has no request.
                return Poll::Ready(Ok(buf.len()));
            }
            if this.responses == Responses::AtHead
                && let Some(replaced) = this.head(&buf[taken..])
            {
                taken += replaced;
                // Best effort now; poll_flush finishes it.
                let _ = this.flush_out(cx)?;
                continue;
            }
            let run = this.responses.run(buf.len() - taken);
            match this.stream().poll_write(cx, &buf[taken..taken + run]) {
                Poll::Ready(Ok(n)) => {
                    this.stalled = None;
                    taken += n;
                    this.responses = this.responses.advance(n);
                    this.pay();
                    if !this.out.is_empty() {
                        let _ = this.flush_out(cx)?;
                    }
                    if n < run {
                        break;
                    }
                }
                Poll::Ready(Err(e)) if taken == 0 => return Poll::Ready(Err(e)),
                Poll::Pending if taken == 0 => return this.stall(cx),
                Poll::Ready(Err(_)) | Poll::Pending => break,
            }
        }
        Poll::Ready(Ok(taken))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.flush_out(cx))?;
        self.stream().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        // actix is done: whatever the edge owes is due now.
        if let Some(owed) = this.owed.take() {
            this.out.extend_from_slice(&owed.bytes);
        }
        ready!(this.flush_out(cx))?;
        this.stream().poll_shutdown(cx)
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        let Some(stream) = self.stream.take() else {
            return;
        };
        // Only a client that may still be sending, or an answer not yet written (actix drops a
        // connection it refused as soon as its own write returns), needs the lingering close.
        let sending = self.closing || matches!(self.requests.phase(), Phase::Head | Phase::Body);
        if !sending && self.out.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let unsent = std::mem::take(&mut self.out);
        drop(runtime.spawn(linger_close(stream, unsent, self.edge.read_timeout)));
    }
}

/// Writes `unsent`, shuts the sending side and reads (and drops) what the client still sends,
/// until it closes, [`LINGER_BYTES`] or `linger`, whichever comes first: closing with input
/// unread would reset the connection, and a client still uploading would see the reset instead
/// of the answer.
async fn linger_close(mut stream: TcpStream, unsent: Vec<u8>, linger: Duration) {
    let _ = tokio::time::timeout(linger, stream.write_all(&unsent)).await;
    let _ = stream.shutdown().await;
    let mut sink = vec![0; 16 * 1024];
    let mut read = 0;
    let _ = tokio::time::timeout(linger, async {
        while read < LINGER_BYTES {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
    })
    .await;
}
