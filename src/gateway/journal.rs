//! The request journal (the control plane's `/_emulator/requests`): the last N requests to `/`,
//! with their parsed parameters (signature and security token left out), caller, status and
//! code, so contract tests can assert what a client sent.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// How many requests are kept unless `--journal-size` says otherwise.
pub const DEFAULT_CAPACITY: usize = 1000;

/// Parameters never written to the journal.
const SECRET_PARAMETERS: [&str; 2] = ["Signature", "SecurityToken"];

/// One request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// When it arrived (UTC, wall clock).
    pub time: String,
    /// Its RequestId.
    pub request_id: String,
    /// `GET` or `POST` (or whatever else came).
    pub method: String,
    /// The action, if it named a known one.
    pub action: Option<&'static str>,
    /// `V1` or `V3`, once known.
    pub signature: Option<&'static str>,
    /// The AccessKeyId it claimed.
    pub access_key_id: Option<String>,
    /// The authenticated account.
    pub account_id: Option<String>,
    /// Query and form parameters, minus Signature and SecurityToken.
    pub parameters: BTreeMap<String, String>,
    /// HTTP status answered.
    pub status: u16,
    /// Error code, if any.
    pub code: Option<&'static str>,
}

/// Keeps the last `capacity` requests.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<VecDeque<JournalEntry>>,
}

impl Journal {
    /// A journal of `capacity` entries (0 keeps none).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(DEFAULT_CAPACITY))),
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
    }

    /// The entries, oldest first, with `action` and `code` if given ("none" matches success),
    /// at most the last `limit`.
    #[must_use]
    pub fn query(
        &self,
        action: Option<&str>,
        code: Option<&str>,
        limit: Option<usize>,
    ) -> Vec<JournalEntry> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let matching: Vec<_> = entries
            .iter()
            .filter(|e| action.is_none_or(|a| e.action == Some(a)))
            .filter(|e| code.is_none_or(|c| e.code.unwrap_or("none") == c))
            .cloned()
            .collect();
        let skip = limit.map_or(0, |limit| matching.len().saturating_sub(limit));
        matching.into_iter().skip(skip).collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
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
            request_id: n.to_string(),
            method: "POST".into(),
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
        assert_eq!(ids(journal.query(None, None, None)), [2, 3, 4]);
        assert_eq!(ids(journal.query(Some("A"), None, None)), [3, 4]);
        assert_eq!(ids(journal.query(None, Some("X"), None)), [2, 3]);
        assert_eq!(ids(journal.query(None, Some("none"), None)), [4]);
        assert_eq!(ids(journal.query(None, None, Some(1))), [4]);
        assert_eq!(
            journal.query(None, None, None)[0]
                .parameters
                .keys()
                .collect::<Vec<_>>(),
            ["HandshakeId"]
        );
        journal.clear();
        assert!(journal.is_empty());
    }
}
