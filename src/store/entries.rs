//! A sorted list of handshake entries that never moves more than a chunk at once: the list of a
//! million invitations grows without the multi-megabyte reallocation a single vector would make
//! under the world's lock. Entries live in chunks of at most [`CHUNK`]; a full chunk splits in
//! two. Finding the i-th entry walks the chunk lengths (a thousand for a million entries), and a
//! list of one entry, the common case for an invitee, needs no allocation at all.

use crate::domain::HandshakeId;
use std::cmp::Reverse;

/// A list entry: sorts oldest first, and for equal times by id descending.
pub type Entry = (i64, Reverse<HandshakeId>);

/// The most entries a chunk holds before it splits.
pub const CHUNK: usize = 1024;

/// A sorted list of entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entries {
    /// Exactly one entry.
    One(Entry),
    /// Sorted chunks, none empty, each at most [`CHUNK`] long.
    Chunks(Vec<Vec<Entry>>),
}

impl Entries {
    /// A list of already sorted entries.
    #[must_use]
    pub fn from_sorted(sorted: Vec<Entry>) -> Self {
        if sorted.len() == 1 {
            return Self::One(sorted[0]);
        }
        // Copied chunk by chunk: a chunk split off the whole vector would keep its capacity, and
        // a million entries would reserve gigabytes.
        Self::Chunks(sorted.chunks(CHUNK).map(<[Entry]>::to_vec).collect())
    }

    /// How many entries.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Chunks(chunks) => chunks.iter().map(Vec::len).sum(),
        }
    }

    /// Inserts `entry` in order (almost always at the end: a new invitation is the newest).
    pub fn insert(&mut self, entry: Entry) {
        let chunks = match self {
            Self::One(only) => {
                let mut pair = vec![*only, entry];
                pair.sort_unstable();
                *self = Self::Chunks(vec![pair]);
                return;
            }
            Self::Chunks(chunks) => chunks,
        };
        if chunks.is_empty() {
            *self = Self::One(entry);
            return;
        }
        // The first chunk whose last entry is not below `entry`, or the last chunk.
        let at = chunks
            .partition_point(|chunk| chunk.last().is_some_and(|last| *last < entry))
            .min(chunks.len() - 1);
        let chunk = &mut chunks[at];
        let position = chunk.partition_point(|e| *e < entry);
        chunk.insert(position, entry);
        if chunk.len() > CHUNK {
            let upper = chunk.split_off(chunk.len() / 2);
            chunks.insert(at + 1, upper);
        }
    }

    fn chunks(&self) -> &[Vec<Entry>] {
        match self {
            Self::One(_) => &[],
            Self::Chunks(chunks) => chunks,
        }
    }

    /// The entry at `index`.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&Entry> {
        if let Self::One(only) = self {
            return (index == 0).then_some(only);
        }
        let mut index = index;
        for chunk in self.chunks() {
            if index < chunk.len() {
                return chunk.get(index);
            }
            index -= chunk.len();
        }
        None
    }

    /// How many entries come before the first for which `below` is false (`below` must be true
    /// for a prefix of the list).
    pub fn partition_point(&self, below: impl Fn(&Entry) -> bool) -> usize {
        if let Self::One(only) = self {
            return usize::from(below(only));
        }
        let chunks = self.chunks();
        let whole = chunks.partition_point(|chunk| chunk.last().is_some_and(&below));
        let before: usize = chunks[..whole].iter().map(Vec::len).sum();
        before
            + chunks
                .get(whole)
                .map_or(0, |chunk| chunk.partition_point(&below))
    }

    /// The entries before `end`, newest (highest index) first; finding `end` costs a walk of
    /// the chunk lengths, not of the entries.
    pub fn before(&self, end: usize) -> impl Iterator<Item = &Entry> {
        let (head, whole): (&[Entry], &[Vec<Entry>]) = match self {
            Self::One(only) => (&std::slice::from_ref(only)[..end.min(1)], &[]),
            Self::Chunks(chunks) => {
                let (mut remaining, mut at) = (end, 0);
                while at < chunks.len() && remaining >= chunks[at].len() {
                    remaining -= chunks[at].len();
                    at += 1;
                }
                match chunks.get(at) {
                    Some(chunk) => (&chunk[..remaining], &chunks[..at]),
                    None => (&[], chunks.as_slice()),
                }
            }
        };
        head.iter()
            .rev()
            .chain(whole.iter().rev().flat_map(|chunk| chunk.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(time: i64, n: u32) -> Entry {
        (
            time,
            Reverse(HandshakeId::parse(&format!("h-{n:08}")).unwrap()),
        )
    }

    proptest! {
        #[test]
        fn the_chunked_list_behaves_like_a_sorted_vector(
            initial in proptest::collection::vec((0i64..50, 0u32..5000), 0..3000),
            inserted in proptest::collection::vec((0i64..60, 5000u32..9000), 0..2500),
        ) {
            let mut model: Vec<Entry> = initial.iter().map(|&(t, n)| entry(t, n)).collect();
            model.sort_unstable();
            model.dedup();
            let mut list = Entries::from_sorted(model.clone());
            for &(t, n) in &inserted {
                let e = entry(t, n);
                if model.binary_search(&e).is_err() {
                    model.insert(model.partition_point(|x| *x < e), e);
                    if list.len() == 0 { list = Entries::from_sorted(vec![e]); } else { list.insert(e); }
                }
            }
            prop_assert_eq!(list.len(), model.len());
            for (i, e) in model.iter().enumerate().step_by(37) {
                prop_assert_eq!(list.get(i), Some(e));
                prop_assert_eq!(list.partition_point(|x| x < e), i);
            }
            prop_assert_eq!(list.get(model.len()), None);
            for end in [0, 1, model.len() / 2, model.len()] {
                let got: Vec<_> = list.before(end).take(50).copied().collect();
                let want: Vec<_> = model[..end.min(model.len())].iter().rev().take(50).copied().collect();
                prop_assert_eq!(got, want);
            }
            if let Entries::Chunks(chunks) = &list {
                prop_assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK));
            }
            if let Entries::Chunks(chunks) = Entries::from_sorted(model.clone()) {
                // Built chunks hold what they hold, not the capacity of the whole list.
                prop_assert!(chunks.iter().all(|c| c.capacity() <= CHUNK));
            }
        }
    }

    #[test]
    fn a_list_of_one_needs_no_chunks_and_grows_into_them() {
        let mut list = Entries::from_sorted(vec![entry(5, 1)]);
        assert!(matches!(list, Entries::One(_)));
        assert_eq!(list.before(1).count(), 1);
        assert_eq!(list.before(0).count(), 0);
        list.insert(entry(3, 2));
        assert_eq!(list.len(), 2);
        assert_eq!(list.get(0), Some(&entry(3, 2)));
        assert_eq!(list.partition_point(|e| e.0 < 4), 1);
    }
}
