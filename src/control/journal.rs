//! The request journal (the control plane's `/_emulator/requests`): the last N requests to either
//! cloud, with their parameters (signatures and security tokens left out), caller, status and
//! code, so contract tests can assert what a client sent.

use super::Cloud;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// How many requests are kept unless `--journal-size` says otherwise.
pub const DEFAULT_CAPACITY: usize = 1000;

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
}

/// Keeps the last `capacity` requests.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<VecDeque<JournalEntry>>,
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

    /// Records an entry, dropping the oldest beyond capacity.
    pub fn record(&self, entry: JournalEntry) {
        if !self.enabled() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
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
            .cloned()
    }

    /// The entries that pass `filter`, oldest first ("none" as the code matches successes).
    #[must_use]
    pub fn query(&self, filter: Filter<'_>) -> Vec<JournalEntry> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let matching: Vec<_> = entries
            .iter()
            .filter(|e| filter.cloud.is_none_or(|c| e.cloud == c))
            .filter(|e| filter.action.is_none_or(|a| e.action == Some(a)))
            .filter(|e| filter.code.is_none_or(|c| e.code.unwrap_or("none") == c))
            .cloned()
            .collect();
        let skip = filter
            .limit
            .map_or(0, |limit| matching.len().saturating_sub(limit));
        matching.into_iter().skip(skip).collect()
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
        let ids =
            |entries: Vec<JournalEntry>| entries.into_iter().map(|e| e.status).collect::<Vec<_>>();
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
}
