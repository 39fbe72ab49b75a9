//! Replay protection: a SignatureNonce is remembered until the timestamp it came with leaves the
//! 15-minute window, because after that the timestamp check alone refuses a replay. So memory is
//! bounded by the request rate times the window, and expired nonces are dropped as new ones arrive.
//!
//! A nonce is remembered as a keyed 64-bit digest (SipHash with a per-process random key, so no
//! client can choose nonces that collide; an honest collision refuses a fresh request with odds
//! of one in 2^64 per remembered nonce), in a set per minute of forget time: a minute's set is
//! dropped whole once the minute has passed, so nothing per nonce records when to forget it. A
//! nonce costs one 8-byte slot and one control byte of a hash table that is 44 to 88 % full, so
//! 10 to 21 bytes; a nonce is kept at most a minute longer than it must be. A look-up probes the
//! live minutes of its shard (at most 31 in normal operation: forget times lie within 30
//! minutes of now).
//!
//! The nonces are spread over independent shards. Under load the cache holds millions of
//! nonces; one big table grows by rehashing all of them at once, which stalled every connection
//! for tens of milliseconds. A shard's minute grows in steps thousands of times smaller, and
//! shards also keep workers from contending on one lock.
//!
//! The tables together may take at most the cache's capacity in bytes. A nonce whose table would
//! have to grow past it is refused with [`Recorded::Full`], and the gateway answers with its
//! throttling error: forgetting nonces early instead would let replays through.
//!
//! With `--data-dir` the cache also hands every new nonce to a [`NonceLog`] (the durable store)
//! and answers only once it is kept, so a request replayed across a restart is still refused:
//! the digest key is kept with them.
//!
//! AMBIGUOUS (scope): nonces are global, not per AccessKeyId; with random nonces the difference
//! never shows, and global is the stricter reading.

use chrono::{DateTime, Utc};
use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasherDefault, DefaultHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// How many independent shards the nonces are spread over (a power of two).
const SHARDS: usize = 64;
/// The memory the cache may take unless `--nonce-memory` says otherwise, in MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 256;
/// The longest SignatureNonce accepted, in bytes. The real gateway documents no limit; SDKs
/// send 32 or 64 hex digits or a 36-character UUID.
pub const MAX_NONCE_BYTES: usize = 128;
/// A minute's set starts this small: shards are many, and most minutes of most shards see few
/// nonces outside load tests.
const FIRST_CAPACITY: usize = 7;

/// What [`NonceCache::check_and_record`] did with a nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// It was new and is now remembered.
    New,
    /// It is already in use.
    Used,
    /// It is new, but remembering it would take the cache past its memory cap.
    Full,
    /// It is new, but the durable store could not keep it.
    Unavailable,
}

/// Where a durable emulator keeps the nonces in use: `remember` returns once the digest is kept.
pub trait NonceLog: Send + Sync {
    /// Keeps `digest` until `until` (Unix seconds).
    fn remember(&self, digest: u64, until: i64) -> Result<(), String>;
}

impl std::fmt::Debug for dyn NonceLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonceLog")
    }
}

/// The nonces in use.
#[derive(Debug)]
pub struct NonceCache {
    shards: Box<[Mutex<Shard>]>,
    // A keyed digest: SipHash over a secret prefix no client knows.
    key: [u8; 16],
    log: Option<Arc<dyn NonceLog>>,
    /// Bytes the tables of every shard take.
    used: AtomicUsize,
    capacity: usize,
}

/// Digests are already uniformly random; the table only needs them spread over its slots.
#[derive(Default)]
struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        // The top bits chose the shard, so they are the same across a shard's table: mix them
        // out of the bits the table indexes and filters with.
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 digests are hashed")
    }
    fn write_u64(&mut self, digest: u64) {
        self.0 = digest;
    }
}

type Digests = HashSet<u64, BuildHasherDefault<Mix>>;

/// One shard: a set of digests per minute of forget time, oldest minute first.
#[derive(Debug, Default)]
struct Shard {
    minutes: VecDeque<(i64, Digests)>,
}

/// The bytes a table with room for `capacity` digests allocates (slots, control bytes and one
/// group of trailing control bytes, as the standard library's hash table lays them out).
fn table_bytes(capacity: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 7 {
        capacity + 1
    } else {
        capacity / 7 * 8
    };
    buckets * (size_of::<u64>() + 1) + 16
}

impl Shard {
    /// Drops the minutes that have passed at `now`; returns the bytes freed.
    fn forget_until(&mut self, now: i64) -> usize {
        let mut freed = 0;
        while self
            .minutes
            .front()
            .is_some_and(|(minute, _)| minute * 60 <= now)
        {
            if let Some((_, digests)) = self.minutes.pop_front() {
                freed += table_bytes(digests.capacity());
            }
        }
        freed
    }

    fn contains(&self, digest: u64) -> bool {
        self.minutes
            .iter()
            .any(|(_, digests)| digests.contains(&digest))
    }

    /// The set of `minute`, created in order if missing.
    fn minute(&mut self, minute: i64) -> &mut Digests {
        let at = match self.minutes.binary_search_by_key(&minute, |(m, _)| *m) {
            Ok(at) => at,
            Err(at) => {
                self.minutes.insert(at, (minute, Digests::default()));
                at
            }
        };
        &mut self.minutes[at].1
    }
}

impl Default for NonceCache {
    fn default() -> Self {
        Self::with_capacity(usize::try_from(DEFAULT_MEMORY_MIB << 20).unwrap_or(usize::MAX))
    }
}

impl NonceCache {
    /// A cache whose tables may take `bytes` in all.
    #[must_use]
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            key: rand::random(),
            log: None,
            used: AtomicUsize::new(0),
            capacity: bytes,
        }
    }

    /// The cache of a durable emulator: digests keyed with `key`, the nonces `remembered` by
    /// `log` (digest, forget time) still in use at `now`, and every new one kept by `log`.
    #[must_use]
    pub fn durable(
        mut self,
        key: [u8; 16],
        log: Arc<dyn NonceLog>,
        remembered: impl IntoIterator<Item = (u64, i64)>,
        now: DateTime<Utc>,
    ) -> Self {
        self.key = key;
        for (digest, until) in remembered {
            if let Some(forget_at) = DateTime::from_timestamp(until, 0) {
                let _ = self.insert(digest, forget_at, now);
            }
        }
        self.log = Some(log);
        self
    }

    /// The digest key (what a durable store keeps beside the digests).
    #[must_use]
    pub fn key(&self) -> [u8; 16] {
        self.key
    }

    fn digest(&self, nonce: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        hasher.write(&self.key);
        hasher.write(nonce.as_bytes());
        hasher.finish()
    }

    /// Records `nonce` as used until `forget_at`, unless it is in use or the cache is full.
    /// Forgets the nonces of its shard whose time has passed as of `now`.
    pub fn check_and_record(
        &self,
        nonce: &str,
        forget_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Recorded {
        let digest = self.digest(nonce);
        let recorded = self.insert(digest, forget_at, now);
        match (&self.log, recorded) {
            // Outside the shard's lock: keeping it waits for a commit.
            (Some(log), Recorded::New) => match log.remember(digest, forget_at.timestamp()) {
                Ok(()) => Recorded::New,
                Err(_) => Recorded::Unavailable,
            },
            _ => recorded,
        }
    }

    fn insert(&self, digest: u64, forget_at: DateTime<Utc>, now: DateTime<Utc>) -> Recorded {
        let index = usize::try_from(digest >> (64 - SHARDS.trailing_zeros())).expect("a shard");
        let mut shard = self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let freed = shard.forget_until(now.timestamp());
        self.used.fetch_sub(freed, Ordering::Relaxed);
        if shard.contains(digest) {
            return Recorded::Used;
        }
        // Kept to the end of the minute its time falls in.
        let digests = shard.minute(forget_at.timestamp().div_euclid(60) + 1);
        if digests.len() == digests.capacity() {
            let before = table_bytes(digests.capacity());
            let wanted = (digests.capacity() * 2).max(FIRST_CAPACITY);
            let growth = table_bytes(wanted) - before;
            // Reserved before it is taken, so concurrent shards cannot overshoot together.
            if self
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                    (used + growth <= self.capacity).then_some(used + growth)
                })
                .is_err()
            {
                return Recorded::Full;
            }
            digests.reserve(wanted - digests.len());
            // The table may round differently from the estimate; keep the count exact.
            let actual = table_bytes(digests.capacity()) - before;
            if actual >= growth {
                self.used.fetch_add(actual - growth, Ordering::Relaxed);
            } else {
                self.used.fetch_sub(growth - actual, Ordering::Relaxed);
            }
        }
        digests.insert(digest);
        Recorded::New
    }

    /// How many nonces are remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let shard = s.lock().unwrap_or_else(PoisonError::into_inner);
                shard.minutes.iter().map(|(_, d)| d.len()).sum::<usize>()
            })
            .sum()
    }

    /// Whether no nonce is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the cache's tables take.
    #[must_use]
    pub fn memory(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Bytes the cache's tables may take.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn a_nonce_is_refused_until_its_time_passes_and_then_forgotten() {
        let t0 = t0();
        let cache = NonceCache::default();
        let fifteen = TimeDelta::minutes(15);
        assert_eq!(cache.check_and_record("n", t0 + fifteen, t0), Recorded::New);
        assert_eq!(
            cache.check_and_record("n", t0 + TimeDelta::minutes(16), t0 + TimeDelta::minutes(1)),
            Recorded::Used
        );
        // Kept to the end of its minute, then forgotten by the next look at its shard.
        assert_eq!(
            cache.check_and_record("n", t0 + fifteen, t0 + fifteen + TimeDelta::seconds(59)),
            Recorded::Used
        );
        assert_eq!(
            cache.check_and_record(
                "n",
                t0 + TimeDelta::minutes(31),
                t0 + TimeDelta::minutes(16)
            ),
            Recorded::New
        );
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn memory_stays_bounded_as_nonces_expire() {
        let t0 = t0();
        let cache = NonceCache::default();
        for i in 0..10_000 {
            let now = t0 + TimeDelta::seconds(i);
            assert_eq!(
                cache.check_and_record(&format!("nonce-{i}"), now + TimeDelta::minutes(15), now),
                Recorded::New
            );
        }
        // Each nonce lives 900 to 960 s; with one per second, about that many (give or take the
        // shards not touched since their minutes passed) remain of 10,000.
        assert!(cache.len() < 2_500, "{}", cache.len());
        assert_eq!(
            cache.check_and_record(
                "nonce-9999",
                t0 + TimeDelta::hours(1),
                t0 + TimeDelta::seconds(10_000)
            ),
            Recorded::Used
        );
    }

    #[test]
    fn a_full_cache_refuses_new_nonces_but_still_knows_the_used_ones() {
        let t0 = t0();
        let cache = NonceCache::with_capacity(64 * 1024);
        let until = t0 + TimeDelta::minutes(15);
        let mut recorded = 0;
        let full = (0..100_000).find(|i| {
            let outcome = cache.check_and_record(&format!("n-{i}"), until, t0);
            recorded += usize::from(outcome == Recorded::New);
            outcome == Recorded::Full
        });
        assert!(full.is_some(), "64 KiB cannot hold 100,000 nonces");
        assert!(cache.memory() <= cache.capacity(), "{}", cache.memory());
        assert_eq!(cache.len(), recorded);
        assert_eq!(cache.check_and_record("n-0", until, t0), Recorded::Used);
        // Once the minute has passed, the shard a new nonce lands in frees its memory.
        let later = until + TimeDelta::minutes(1);
        assert_eq!(
            cache.check_and_record("fresh", later + TimeDelta::minutes(15), later),
            Recorded::New
        );
        assert!(cache.len() < recorded);
    }

    #[test]
    fn nonces_cost_at_most_21_bytes_each_in_the_tables() {
        let t0 = t0();
        let cache = NonceCache::with_capacity(usize::MAX);
        let n = 200_000;
        for i in 0..n {
            let until = t0 + TimeDelta::seconds(900 + i64::from(i % 1800));
            assert_eq!(
                cache.check_and_record(&format!("{i:032x}"), until, t0),
                Recorded::New
            );
        }
        let per_nonce = cache.memory() / usize::try_from(n).unwrap();
        assert!(per_nonce <= 21, "{per_nonce} bytes per nonce");
    }
}
