//! The request journal (the control plane's `/_emulator/requests`): the last N requests to either
//! cloud, with their parameters (signatures and security tokens left out), caller, status and
//! code, so contract tests can assert what a client sent.
//!
//! Every request is journalled, unauthenticated ones too, so what an entry keeps is bounded: each
//! text at most [`MAX_TEXT_BYTES`], each parameter value at most [`MAX_VALUE_BYTES`] and all the
//! parameters together at most [`MAX_PARAMETERS_BYTES`]; an entry cut to fit says `truncated`.
//! Entries are shared, so a query copies pointers under the lock, and only as many as it returns.

use super::Cloud;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How many requests are kept unless `--journal-size` says otherwise.
pub const DEFAULT_CAPACITY: usize = 1000;
/// The longest method, path, access key id or account an entry keeps, in bytes.
pub const MAX_TEXT_BYTES: usize = 1024;
/// The longest parameter name or value an entry keeps, in bytes.
pub const MAX_VALUE_BYTES: usize = 1024;
/// The most parameter bytes (names and values) an entry keeps; parameters past it are left out.
pub const MAX_PARAMETERS_BYTES: usize = 4096;

/// Parameters never written to the journal.
const SECRET_PARAMETERS: [&str; 2] = ["Signature", "SecurityToken"];

/// Filters of a journal query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter<'a> {
    /// Only this cloud.
    pub cloud: Option<Cloud>,
    /// Only this operation.
    pub action: Option<&'a str>,
    /// Only this code (`none`: successes).
    pub code: Option<&'a str>,
    /// At most the last this many.
    pub limit: Option<usize>,
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// When it arrived (UTC, wall clock).
    pub time: String,
    /// The cloud whose endpoint it reached.
    pub cloud: Cloud,
    /// Its request id.
    pub request_id: String,
    /// `GET` or `POST` (or whatever else came).
    pub method: String,
    /// The request path.
    pub path: String,
    /// The action, if it named a known one.
    pub action: Option<&'static str>,
    /// The signing scheme (`V1`, `V3`, `SDK-HMAC-SHA256`), once known.
    pub signature: Option<&'static str>,
    /// The AccessKeyId it claimed.
    pub access_key_id: Option<String>,
    /// The authenticated account.
    pub account_id: Option<String>,
    /// Query and form parameters (REST: query and path parameters), minus secrets.
    pub parameters: BTreeMap<String, String>,
    /// HTTP status answered.
    pub status: u16,
    /// Error code, if any.
    pub code: Option<&'static str>,
    /// What the emulator noticed and let pass (e.g. an `X-Domain-Id` that is not the caller's
    /// account, which the real gateway does not check either).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a refused request, why, in plain words naming the deciding fact (never in the
    /// cloud's own error body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Whether a text or parameter was cut short, or parameters left out, to fit the entry's
    /// bounds (set by the journal).
    pub truncated: bool,
}

/// `text` cut to at most `max` bytes on a character boundary; whether it was cut.
fn cut(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    true
}

impl JournalEntry {
    /// Cuts the entry to the journal's bounds, marking it if anything was cut.
    fn bound(&mut self) {
        let mut cut_any = false;
        for text in [&mut self.method, &mut self.path, &mut self.request_id]
            .into_iter()
            .chain(self.access_key_id.as_mut())
            .chain(self.account_id.as_mut())
        {
            cut_any |= cut(text, MAX_TEXT_BYTES);
        }
        let mut budget = MAX_PARAMETERS_BYTES;
        let parameters = std::mem::take(&mut self.parameters);
        for (mut name, mut value) in parameters {
            cut_any |= cut(&mut name, MAX_VALUE_BYTES) | cut(&mut value, MAX_VALUE_BYTES);
            let size = name.len() + value.len();
            if size > budget {
                cut_any = true;
                budget = 0;
                continue;
            }
            budget -= size;
            self.parameters.insert(name, value);
        }
        self.truncated |= cut_any;
    }
}

/// Keeps the last `capacity` requests.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<VecDeque<Arc<JournalEntry>>>,
    // Bumped by every record and clear, so a polling console can tell "nothing new" cheaply.
    version: AtomicU64,
}

impl Journal {
    /// A journal of `capacity` entries (0 keeps none).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(DEFAULT_CAPACITY))),
            version: AtomicU64::new(0),
        }
    }

    /// Whether entries are kept at all.
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The parameters as journalled: secrets left out.
    pub fn parameters<'a>(
        pairs: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> BTreeMap<String, String> {
        pairs
            .filter(|(name, _)| !SECRET_PARAMETERS.contains(name))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// Records an entry, cut to the journal's bounds, dropping the oldest beyond capacity.
    pub fn record(&self, mut entry: JournalEntry) {
        if !self.enabled() {
            return;
        }
        entry.bound();
        let entry = Arc::new(entry);
        let dropped = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let dropped = (entries.len() == self.capacity)
                .then(|| entries.pop_front())
                .flatten();
            entries.push_back(entry);
            dropped
        };
        // Freed outside the lock.
        drop(dropped);
        self.version.fetch_add(1, Ordering::Relaxed);
    }

    /// A number that changes whenever the entries do (a record or a clear).
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// The entry with this request id, if still kept.
    #[must_use]
    pub fn find(&self, request_id: &str) -> Option<JournalEntry> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .iter()
            .rev()
            .find(|e| e.request_id == request_id)
            .map(|e| (**e).clone())
    }

    /// The entries that pass `filter`, oldest first ("none" as the code matches successes): the
    /// last `limit` of them, found from the newest back.
    #[must_use]
    pub fn query(&self, filter: Filter<'_>) -> Vec<Arc<JournalEntry>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let mut matching: Vec<_> = entries
            .iter()
            .rev()
            .filter(|e| filter.cloud.is_none_or(|c| e.cloud == c))
            .filter(|e| filter.action.is_none_or(|a| e.action == Some(a)))
            .filter(|e| filter.code.is_none_or(|c| e.code.unwrap_or("none") == c))
            .take(filter.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect();
        drop(entries);
        matching.reverse();
        matching
    }

    /// The request id and time of the oldest successful entry whose parameter `name` is
    /// `value` (the request that first used a nonce).
    #[must_use]
    pub fn first_with(&self, name: &str, value: &str) -> Option<(String, String)> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .iter()
            .find(|e| e.code.is_none() && e.parameters.get(name).map(String::as_str) == Some(value))
            .map(|e| (e.request_id.clone(), e.time.clone()))
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.version.fetch_add(1, Ordering::Relaxed);
    }

    /// How many entries are kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether none is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u16, action: &'static str, code: Option<&'static str>) -> JournalEntry {
        JournalEntry {
            time: String::new(),
            cloud: Cloud::Alibaba,
            request_id: n.to_string(),
            method: "POST".into(),
            path: "/".into(),
            action: Some(action),
            signature: Some("V1"),
            access_key_id: None,
            account_id: None,
            parameters: Journal::parameters(
                [
                    ("Signature", "x"),
                    ("SecurityToken", "t"),
                    ("HandshakeId", "h"),
                ]
                .into_iter(),
            ),
            status: n,
            code,
            note: None,
            why: None,
            truncated: false,
        }
    }

    #[test]
    fn the_journal_keeps_the_last_entries_filters_them_and_drops_secrets() {
        let journal = Journal::new(3);
        for (n, action, code) in [
            (1, "A", None),
            (2, "B", Some("X")),
            (3, "A", Some("X")),
            (4, "A", None),
        ] {
            journal.record(entry(n, action, code));
        }
        let ids = |entries: Vec<Arc<JournalEntry>>| {
            entries.into_iter().map(|e| e.status).collect::<Vec<_>>()
        };
        let all = Filter::default();
        assert_eq!(ids(journal.query(all)), [2, 3, 4]);
        let action = Filter {
            action: Some("A"),
            ..all
        };
        assert_eq!(ids(journal.query(action)), [3, 4]);
        let code = |code| Filter {
            code: Some(code),
            ..all
        };
        assert_eq!(ids(journal.query(code("X"))), [2, 3]);
        assert_eq!(ids(journal.query(code("none"))), [4]);
        let last = Filter {
            limit: Some(1),
            ..all
        };
        assert_eq!(ids(journal.query(last)), [4]);
        let huawei = Filter {
            cloud: Some(Cloud::Huawei),
            ..all
        };
        assert!(journal.query(huawei).is_empty());
        assert_eq!(
            journal.query(all)[0].parameters.keys().collect::<Vec<_>>(),
            ["HandshakeId"]
        );
        journal.clear();
        assert!(journal.is_empty());
    }

    #[test]
    fn an_entry_is_cut_to_its_bounds_and_marked() {
        let journal = Journal::new(2);
        let mut big = entry(1, "A", None);
        big.path = format!("/{}", "p".repeat(5000));
        big.access_key_id = Some("é".repeat(1000));
        big.parameters = (0..100)
            .map(|i| (format!("Name{i:03}"), "v".repeat(250_000)))
            .collect();
        journal.record(big);
        journal.record(entry(2, "A", None));
        let [big, small] = &journal.query(Filter::default())[..] else {
            panic!("two entries");
        };
        assert!(big.truncated && !small.truncated);
        assert_eq!(big.path.len(), MAX_TEXT_BYTES);
        let key = big.access_key_id.as_deref().unwrap();
        assert!(key.len() <= MAX_TEXT_BYTES && key.chars().all(|c| c == 'é'));
        let bytes: usize = big.parameters.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(bytes <= MAX_PARAMETERS_BYTES, "{bytes}");
        assert_eq!(big.parameters["Name000"].len(), MAX_VALUE_BYTES);
    }
}
