//! A Raft server's log: entries with their terms, behind a compacted base,
//! and the state machine the committed entries are applied to, with its
//! snapshot.
//!
//! Every entry also carries a chain hash of the whole log up to it. Two
//! logs hold the same entry at an index exactly when their chains agree
//! there, so the safety monitor checks Log Matching and Leader
//! Completeness by comparing one number (a 64-bit hash: a collision is
//! possible in principle, at odds of 2^-64 per comparison).

use super::LogPos;
use crate::protocol::data::{Datum, Key, OpId, OpKind, Store};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// One client command in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: u64,
    /// The client operation (its id is also the value token it writes).
    pub op: OpId,
    pub kind: OpKind,
    pub key: Key,
}

/// The chain hash after `entry` at the end of a log whose chain was `prev`.
pub fn chain(prev: u64, term: u64, op: OpId) -> u64 {
    // SplitMix64's finaliser over the three words: cheap, well mixed.
    let mut x = prev ^ term.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ op.rotate_left(32);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The chain of a log whose first entries were compacted away before any
/// chain existed: a base set by the `logs` setting, at (index, term).
pub fn base_chain(base: LogPos) -> u64 {
    if base.index == 0 {
        0
    } else {
        chain(base.index, base.term, 0)
    }
}

/// The log: entries `base.index + 1 ..= last`, each with its chain hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// The last compacted position (index 0 term 0 when nothing was).
    base: LogPos,
    base_chain: u64,
    /// True when everything up to the base was committed and is in a
    /// snapshot; false for the `logs` setting's start, whose entries the
    /// simulation does not have (nobody can send them, and nothing says
    /// they were committed).
    base_committed: bool,
    entries: VecDeque<(Entry, u64)>,
}

impl Default for Log {
    fn default() -> Self {
        Log::starting_at(LogPos::default(), 0, true)
    }
}

impl Log {
    /// A log that starts after `base`: a snapshot's position (committed),
    /// or the `logs` setting's (not).
    pub fn starting_at(base: LogPos, chain: u64, committed: bool) -> Log {
        Log {
            base,
            base_chain: chain,
            base_committed: committed || base.index == 0,
            entries: VecDeque::new(),
        }
    }

    pub fn base(&self) -> LogPos {
        self.base
    }

    pub fn base_committed(&self) -> bool {
        self.base_committed
    }

    pub fn last(&self) -> LogPos {
        match self.entries.back() {
            Some((e, _)) => LogPos {
                index: self.base.index + self.entries.len() as u64,
                term: e.term,
            },
            None => self.base,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn slot(&self, index: u64) -> Option<usize> {
        index
            .checked_sub(self.base.index + 1)
            .map(|s| s as usize)
            .filter(|s| *s < self.entries.len())
    }

    /// The term at `index`: known for the base and the entries after it.
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == self.base.index {
            return Some(self.base.term);
        }
        self.slot(index).map(|s| self.entries[s].0.term)
    }

    /// The chain hash at `index`, where the log still knows it.
    pub fn chain_at(&self, index: u64) -> Option<u64> {
        if index == self.base.index {
            return Some(self.base_chain);
        }
        self.slot(index).map(|s| self.entries[s].1)
    }

    pub fn get(&self, index: u64) -> Option<&Entry> {
        self.slot(index).map(|s| &self.entries[s].0)
    }

    /// Where index `from` sits in the deque: the first entry's place for an
    /// index at or below the base, the end for one past the last.
    fn offset(&self, from: u64) -> usize {
        from.saturating_sub(self.base.index + 1)
            .min(self.entries.len() as u64) as usize
    }

    /// Entries `from ..= last`, oldest first (from must be above the base).
    pub fn iter_from(&self, from: u64) -> impl DoubleEndedIterator<Item = (u64, &Entry)> {
        let skip = self.offset(from);
        let first = self.base.index + 1 + skip as u64;
        self.entries
            .range(skip..)
            .enumerate()
            .map(move |(i, (e, _))| (first + i as u64, e))
    }

    /// Up to `max` entries from `from` on, for an AppendEntries.
    pub fn slice(&self, from: u64, max: usize) -> Vec<Entry> {
        // A range of the deque: its length known up front, and nothing to
        // walk for a heartbeat (from past the end: empty, no allocation).
        let skip = self.offset(from);
        let end = skip.saturating_add(max).min(self.entries.len());
        self.entries
            .range(skip..end)
            .map(|(e, _)| e.clone())
            .collect()
    }

    /// Appends one entry; returns its index and chain.
    pub fn append(&mut self, entry: Entry) -> (u64, u64) {
        let prev = self.chain_at(self.last().index).unwrap_or(0);
        let c = chain(prev, entry.term, entry.op);
        self.entries.push_back((entry, c));
        (self.last().index, c)
    }

    /// Drops every entry after `index` (the base stays).
    pub fn truncate_after(&mut self, index: u64) {
        let keep = index.saturating_sub(self.base.index) as usize;
        self.entries.truncate(keep);
    }

    /// Drops the entries up to `index`, which becomes the new base.
    pub fn compact_to(&mut self, index: u64) {
        let (Some(term), Some(c)) = (self.term_at(index), self.chain_at(index)) else {
            return;
        };
        if index <= self.base.index {
            return;
        }
        let n = (index - self.base.index) as usize;
        self.entries.drain(..n);
        self.base = LogPos { index, term };
        self.base_chain = c;
        self.base_committed = true;
    }

    /// The first index of the term at `index` (the conflict hint of §5.3).
    pub fn first_index_of_term_at(&self, index: u64) -> u64 {
        let Some(term) = self.term_at(index) else {
            return index;
        };
        let mut i = index;
        while i > self.base.index + 1 && self.term_at(i - 1) == Some(term) {
            i -= 1;
        }
        i
    }

    /// The last index holding `term`, if the log has one.
    pub fn last_index_of_term(&self, term: u64) -> Option<u64> {
        self.iter_from(self.base.index + 1)
            .rev()
            .find(|(_, e)| e.term <= term)
            .filter(|(_, e)| e.term == term)
            .map(|(i, _)| i)
    }
}

/// The key/value state machine: what the committed entries applied so far
/// say. A key's version counts its committed writes (deletes do not reset it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateMachine {
    pub store: Store,
    /// The last datum of each deleted key, for its write count (a live
    /// key's is its version): one map lookup per apply, not two. (Datums,
    /// like the store's: one B-tree in the wasm module, not two.)
    deleted: BTreeMap<Key, Datum>,
}

impl StateMachine {
    /// Applies one entry: returns the key's datum before and after.
    pub fn apply(&mut self, e: &Entry) -> (Option<Datum>, Option<Datum>) {
        match e.kind {
            OpKind::Write => {
                let deleted = &mut self.deleted;
                let (before, d) = self.store.upsert(e.key.clone(), |old| Datum {
                    version: match old {
                        Some(d) => d.version,
                        None if deleted.is_empty() => 0,
                        None => deleted.remove(&*e.key).map_or(0, |d| d.version),
                    } + 1,
                    token: e.op,
                });
                (before, Some(d))
            }
            OpKind::Delete => {
                let before = self.store.remove(&e.key);
                if let Some(d) = before {
                    self.deleted.insert(e.key.clone(), d);
                }
                (before, None)
            }
        }
    }

    /// Committed writes of `key` applied so far.
    pub fn writes(&self, key: &str) -> u64 {
        match self.store.get(key) {
            Some(d) => d.version,
            None => self.deleted.get(key).map_or(0, |d| d.version),
        }
    }
}

/// A snapshot: the state machine after applying everything up to `pos`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub pos: LogPos,
    pub chain: u64,
    pub machine: StateMachine,
}

pub type SharedSnapshot = Rc<Snapshot>;

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(term: u64, op: OpId) -> Entry {
        Entry {
            term,
            op,
            kind: OpKind::Write,
            key: Key::from("k"),
        }
    }

    #[test]
    fn chains_agree_exactly_when_the_prefixes_do() {
        let mut a = Log::default();
        let mut b = Log::default();
        for (t, op) in [(1, 1), (1, 2), (2, 3)] {
            a.append(entry(t, op));
            b.append(entry(t, op));
        }
        assert_eq!(a.chain_at(3), b.chain_at(3));
        b.truncate_after(1);
        b.append(entry(1, 9));
        b.append(entry(2, 3));
        assert_eq!(b.last(), a.last());
        assert_eq!(a.chain_at(1), b.chain_at(1));
        assert_ne!(
            a.chain_at(3),
            b.chain_at(3),
            "same index and term, other history"
        );
    }

    #[test]
    fn compaction_keeps_terms_and_chains_from_the_base_on() {
        let mut l = Log::default();
        for i in 1..=10 {
            l.append(entry(1 + i / 4, i));
        }
        let c7 = l.chain_at(7);
        l.compact_to(6);
        assert_eq!(l.base(), LogPos { index: 6, term: 2 });
        assert_eq!(
            (l.term_at(5), l.term_at(6), l.term_at(7)),
            (None, Some(2), Some(2))
        );
        assert_eq!(l.chain_at(7), c7);
        assert_eq!(l.last(), LogPos { index: 10, term: 3 });
        assert_eq!(l.first_index_of_term_at(7), 7, "never below the base + 1");
        assert_eq!(l.first_index_of_term_at(10), 8);
        assert_eq!(l.last_index_of_term(2), Some(7));
        assert_eq!(l.last_index_of_term(1), None);
        assert_eq!(l.slice(9, 5).len(), 2);
        l.truncate_after(8);
        assert_eq!(l.last(), LogPos { index: 8, term: 3 });
    }

    #[test]
    fn versions_count_committed_writes_across_deletes() {
        let mut m = StateMachine::default();
        let (k, w, d) = (Key::from("k"), OpKind::Write, OpKind::Delete);
        let e = |op, kind| Entry {
            term: 1,
            op,
            kind,
            key: k.clone(),
        };
        m.apply(&e(1, w));
        assert_eq!(m.apply(&e(2, d)).1, None);
        let (before, after) = m.apply(&e(3, w));
        assert_eq!(before, None);
        assert_eq!(
            after,
            Some(Datum {
                version: 2,
                token: 3
            })
        );
    }
}
