//! Replay protection: a SignatureNonce is remembered until the timestamp it came with leaves the
//! 15-minute window, because after that the timestamp check alone refuses a replay. So memory is
//! bounded by the request rate times the window, and expired nonces are dropped as new ones arrive.
//!
//! AMBIGUOUS (scope): nonces are global, not per AccessKeyId; with random nonces the difference
//! never shows, and global is the stricter reading.

use chrono::{DateTime, Utc};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Mutex, PoisonError};

/// The nonces in use, with the instant each may be forgotten.
#[derive(Debug, Default)]
pub struct NonceCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    until: HashMap<String, i64>,
    by_expiry: BinaryHeap<Reverse<(i64, String)>>,
}

impl NonceCache {
    /// Records `nonce` as used until `forget_at`. Returns `false` if it is already in use.
    /// Forgets every nonce whose time has passed as of `now`.
    pub fn check_and_record(
        &self,
        nonce: &str,
        forget_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let now = now.timestamp();
        while let Some(Reverse((at, _))) = inner.by_expiry.peek() {
            if *at > now {
                break;
            }
            if let Some(Reverse((at, old))) = inner.by_expiry.pop()
                && inner.until.get(&old) == Some(&at)
            {
                inner.until.remove(&old);
            }
        }
        if inner.until.contains_key(nonce) {
            return false;
        }
        let forget_at = forget_at.timestamp();
        inner.until.insert(nonce.to_owned(), forget_at);
        inner.by_expiry.push(Reverse((forget_at, nonce.to_owned())));
        true
    }

    /// How many nonces are remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .until
            .len()
    }

    /// Whether no nonce is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    #[test]
    fn a_nonce_is_refused_until_its_time_passes_and_then_forgotten() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let cache = NonceCache::default();
        assert!(cache.check_and_record("n", t0 + TimeDelta::minutes(15), t0));
        assert!(!cache.check_and_record(
            "n",
            t0 + TimeDelta::minutes(16),
            t0 + TimeDelta::minutes(1)
        ));
        assert!(cache.check_and_record(
            "other",
            t0 + TimeDelta::minutes(30),
            t0 + TimeDelta::minutes(15)
        ));
        assert_eq!(
            cache.len(),
            1,
            "the first nonce was forgotten once its time passed"
        );
        assert!(cache.check_and_record(
            "n",
            t0 + TimeDelta::minutes(31),
            t0 + TimeDelta::minutes(16)
        ));
    }
}
