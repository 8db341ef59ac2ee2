//! The event queue: pops events in (time, sequence) order, exactly like a
//! binary heap would, but cheaper for how a simulation uses it.
//!
//! Time only moves forward and almost every event is scheduled a little
//! ahead of now (a message's latency, a heartbeat interval, an election
//! timeout), so the queue is a timing wheel: a ring of buckets 256 µs wide
//! covering about one second ahead, with a bitmap to skip empty buckets.
//! The bucket at the cursor is unpacked into a small sorted run that pops
//! from the front; later buckets are unsorted lists until the cursor gets
//! there. Events beyond the window wait in a binary heap and move into the
//! wheel as the cursor approaches them. A heap pop of a few dozen entries
//! costs a mispredicted branch per level; this costs a bit scan.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// log2 of a bucket's width in microseconds.
const SHIFT: u32 = 8;
/// Buckets in the ring: the window is `SLOTS << SHIFT` µs (about 1.05 s).
const SLOTS: usize = 4096;
const WORDS: usize = SLOTS / 64;
const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub struct Entry<T> {
    pub at: u64,
    pub seq: u64,
    pub item: T,
}

impl<T> Entry<T> {
    fn key(&self) -> (u64, u64) {
        (self.at, self.seq)
    }
}

/// A far entry, ordered so the std max-heap pops the earliest first.
struct Far<T>(Entry<T>);

impl<T> PartialEq for Far<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}
impl<T> Eq for Far<T> {}
impl<T> PartialOrd for Far<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Far<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.key().cmp(&self.0.key())
    }
}

/// Invariants, with `b(e) = e.at >> SHIFT`:
/// - `current[next..]` is sorted and holds every entry with `b <= cursor`;
/// - the wheel holds the entries with `cursor < b < cursor + SLOTS`, in slot
///   `b % SLOTS`;
/// - `far` holds the entries with `b >= cursor + SLOTS`.
///
/// The cursor moves only when the current run is used up and an entry is
/// wanted, so it stays near the clock and new entries go to the wheel.
pub struct EventQueue<T> {
    current: Vec<Entry<T>>,
    next: usize,
    cursor: u64,
    heads: Box<[u32; SLOTS]>,
    bits: [u64; WORDS],
    /// Wheel entries, each with the index of the next in its bucket.
    slab: Vec<(Entry<T>, u32)>,
    free: u32,
    in_wheel: usize,
    far: BinaryHeap<Far<T>>,
}

impl<T: Copy> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> EventQueue<T> {
    pub fn new() -> Self {
        EventQueue {
            current: Vec::new(),
            next: 0,
            cursor: 0,
            heads: Box::new([NIL; SLOTS]),
            bits: [0; WORDS],
            slab: Vec::new(),
            free: NIL,
            in_wheel: 0,
            far: BinaryHeap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.current.len() - self.next + self.in_wheel + self.far.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The earliest entry, if any.
    pub fn peek(&self) -> Option<&Entry<T>> {
        if let Some(e) = self.current.get(self.next) {
            return Some(e);
        }
        if self.in_wheel > 0 {
            // The first bucket ahead holds the earliest entry.
            let (slot, _) = self.next_bucket();
            let mut best: Option<&Entry<T>> = None;
            let mut i = self.heads[slot];
            while i != NIL {
                let (e, link) = &self.slab[i as usize];
                if best.is_none_or(|b| e.key() < b.key()) {
                    best = Some(e);
                }
                i = *link;
            }
            return best;
        }
        self.far.peek().map(|f| &f.0)
    }

    #[inline(always)]
    pub fn push(&mut self, at: u64, seq: u64, item: T) {
        let e = Entry { at, seq, item };
        let b = at >> SHIFT;
        if b <= self.cursor {
            self.insert_current(e);
        } else if b < self.cursor + SLOTS as u64 {
            self.insert_wheel(b, e);
        } else {
            self.far.push(Far(e));
        }
    }

    /// Removes and returns the earliest entry if it is due at or before `end`.
    #[inline(always)]
    pub fn pop_until(&mut self, end: u64) -> Option<Entry<T>> {
        if self.next == self.current.len() {
            // Most buckets hold one entry: take it straight from the wheel.
            if let Some(e) = self.pop_single(end) {
                return e;
            }
            if !self.refill() {
                return None;
            }
        }
        let e = self.current[self.next];
        if e.at > end {
            return None;
        }
        self.next += 1;
        Some(e)
    }

    /// With the current run used up and the next bucket holding a single
    /// entry: that entry if due by `end` (Some(None) if not). None when the
    /// general path must run.
    #[inline(always)]
    fn pop_single(&mut self, end: u64) -> Option<Option<Entry<T>>> {
        if self.in_wheel == 0 {
            return None;
        }
        let (slot, bucket) = self.next_bucket();
        let i = self.heads[slot];
        let (e, link) = self.slab[i as usize];
        if link != NIL {
            return None;
        }
        if e.at > end {
            return Some(None);
        }
        self.take_bucket(slot);
        self.release(i);
        self.cursor = bucket;
        // Far entries lie beyond the old window, so beyond this bucket too.
        if !self.far.is_empty() {
            self.bring_in_far();
        }
        Some(Some(e))
    }

    pub fn pop(&mut self) -> Option<Entry<T>> {
        self.pop_until(u64::MAX)
    }

    fn insert_current(&mut self, e: Entry<T>) {
        if self.next == self.current.len() {
            self.current.clear();
            self.next = 0;
        }
        let run = &self.current[self.next..];
        // Usually the latest: search from the back.
        let at = match run.last() {
            Some(last) if last.key() < e.key() => self.current.len(),
            _ => self.next + run.partition_point(|x| x.key() < e.key()),
        };
        self.current.insert(at, e);
    }

    #[inline(always)]
    fn insert_wheel(&mut self, b: u64, e: Entry<T>) {
        let slot = (b % SLOTS as u64) as usize;
        let link = self.heads[slot];
        let i = if self.free != NIL {
            let i = self.free;
            self.free = self.slab[i as usize].1;
            self.slab[i as usize] = (e, link);
            i
        } else {
            self.slab.push((e, link));
            (self.slab.len() - 1) as u32
        };
        self.heads[slot] = i;
        self.bits[slot / 64] |= 1 << (slot % 64);
        self.in_wheel += 1;
    }

    /// The current run is used up: moves the cursor to the next bucket that
    /// holds anything and unpacks it. False when the queue is empty.
    fn refill(&mut self) -> bool {
        self.current.clear();
        self.next = 0;
        if self.in_wheel > 0 {
            let (slot, bucket) = self.next_bucket();
            self.cursor = bucket;
            self.unpack(slot);
        } else if let Some(top) = self.far.peek() {
            self.cursor = top.0.at >> SHIFT;
        } else {
            return false;
        }
        self.bring_in_far();
        // Insertion sort: a bucket holds a handful of entries, and the
        // standard sort would add kilobytes to the wasm module.
        for i in 1..self.current.len() {
            let e = self.current[i];
            let mut j = i;
            while j > 0 && self.current[j - 1].key() > e.key() {
                self.current[j] = self.current[j - 1];
                j -= 1;
            }
            self.current[j] = e;
        }
        true
    }

    /// The window moved: brings in the far entries it now covers.
    fn bring_in_far(&mut self) {
        let end = self.cursor + SLOTS as u64;
        while let Some(top) = self.far.peek() {
            let b = top.0.at >> SHIFT;
            if b >= end {
                break;
            }
            let Some(Far(e)) = self.far.pop() else { break };
            if b <= self.cursor {
                self.current.push(e);
            } else {
                self.insert_wheel(b, e);
            }
        }
    }

    /// Moves a bucket's entries into the current run.
    fn unpack(&mut self, slot: usize) {
        let mut i = self.take_bucket(slot);
        while i != NIL {
            let (e, link) = self.slab[i as usize];
            self.current.push(e);
            self.release(i);
            i = link;
        }
    }

    /// Empties a slot; returns the first entry of its list.
    #[inline(always)]
    fn take_bucket(&mut self, slot: usize) -> u32 {
        self.bits[slot / 64] &= !(1 << (slot % 64));
        std::mem::replace(&mut self.heads[slot], NIL)
    }

    /// Returns a wheel entry's place to the free list.
    #[inline(always)]
    fn release(&mut self, i: u32) {
        self.slab[i as usize].1 = self.free;
        self.free = i;
        self.in_wheel -= 1;
    }

    /// The first bucket after the cursor that holds anything: its slot and
    /// its bucket number. The wheel must not be empty.
    #[inline(always)]
    fn next_bucket(&self) -> (usize, u64) {
        let from = ((self.cursor + 1) % SLOTS as u64) as usize;
        let slot = self.next_set_slot(from);
        let ahead = (slot + SLOTS - from) % SLOTS;
        (slot, self.cursor + 1 + ahead as u64)
    }

    /// The first slot at or after `from` (cyclically) with a bucket; the
    /// wheel must not be empty.
    fn next_set_slot(&self, from: usize) -> usize {
        let (w, bit) = (from / 64, from % 64);
        let first = self.bits[w] & (!0u64 << bit);
        if first != 0 {
            return w * 64 + first.trailing_zeros() as usize;
        }
        for k in 1..=WORDS {
            let w2 = (w + k) % WORDS;
            let word = self.bits[w2];
            if word != 0 {
                return w2 * 64 + word.trailing_zeros() as usize;
            }
        }
        unreachable!("next_set_slot on an empty wheel")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Entropy;
    use crate::sim::rng::Stream;

    /// The queue against a sorted reference, over pushes near and far,
    /// ties, and pops interleaved, at times growing like a simulation's.
    #[test]
    fn pops_in_time_then_sequence_order_like_a_heap() {
        for seed in 0..40 {
            let mut rng = Stream::new(seed, 9);
            let mut q = EventQueue::new();
            let mut reference = std::collections::BTreeSet::new();
            let mut now = 0u64;
            let mut seq = 0u64;
            for _ in 0..4000 {
                let pushes = rng.below(4);
                for _ in 0..pushes {
                    seq += 1;
                    let ahead = match rng.below(6) {
                        0 => 0,
                        1 => rng.below(300),
                        2 => rng.below(20_000),
                        3 => rng.below(1_100_000),
                        4 => 1_000_000 + rng.below(5_000_000),
                        _ => rng.below(60_000_000),
                    };
                    // Sometimes an old sequence number, as the lazy timer
                    // re-arm pushes.
                    let base = if rng.below(5) == 0 {
                        seq.saturating_sub(rng.below(50))
                    } else {
                        seq
                    };
                    let s = base * 1_000_000 + seq;
                    q.push(now + ahead, s, seq);
                    reference.insert((now + ahead, s, seq));
                }
                for _ in 0..rng.below(4) {
                    let want = reference.pop_first();
                    let got = q.pop().map(|e| (e.at, e.seq, e.item));
                    assert_eq!(got, want, "seed {seed}");
                    if let Some((at, ..)) = got {
                        assert!(at >= now);
                        now = at;
                    }
                    assert_eq!(
                        q.peek().map(|e| (e.at, e.seq, e.item)),
                        reference.first().copied(),
                        "seed {seed}"
                    );
                }
                assert_eq!(q.len(), reference.len());
            }
            while let Some(want) = reference.pop_first() {
                assert_eq!(
                    q.pop().map(|e| (e.at, e.seq, e.item)),
                    Some(want),
                    "seed {seed}"
                );
            }
            assert!(q.is_empty() && q.pop().is_none() && q.peek().is_none());
        }
    }

    #[test]
    fn an_empty_queue_accepts_any_time_and_far_entries_come_back_in_order() {
        let mut q = EventQueue::new();
        q.push(10_000_000_000, 1, 'a');
        q.push(5, 2, 'b');
        q.push(86_400_000_000, 3, 'c');
        q.push(5, 0, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|e| e.item)).collect();
        assert_eq!(order, ['d', 'b', 'a', 'c']);
    }
}
