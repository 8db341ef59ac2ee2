//! The simulated client: its history of writes and deletes (Jepsen-style:
//! invoke, then ok, failed or still pending) and the workload that issues
//! them. The durability checker (`durability.rs`) judges nodes' datums
//! against this history.

use crate::protocol::data::{Key, OpId, OpKind, Outcome};
use crate::protocol::{Micros, NodeId};
use std::collections::{BTreeMap, VecDeque};

/// One client operation as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub id: OpId,
    pub kind: OpKind,
    pub key: Key,
    /// The node the client called (None: it found none).
    pub via: Option<NodeId>,
    pub invoked: Micros,
    /// The outcome and when it came; None while pending.
    pub done: Option<(Outcome, Micros)>,
}

impl Op {
    pub fn acked(&self) -> bool {
        matches!(self.done, Some((Ok(()), _)))
    }
    /// Failed for certain: it never took effect anywhere.
    pub fn definitely_failed(&self) -> bool {
        matches!(self.done, Some((Err(f), _)) if f.definite())
    }
    /// Acknowledged before `t`: it precedes anything invoked at or after `t`.
    pub fn acked_before(&self, t: Micros) -> bool {
        matches!(self.done, Some((Ok(()), at)) if at < t)
    }
    pub fn outcome_str(&self) -> &'static str {
        match self.done {
            None => "pending",
            Some((Ok(()), _)) => "ok",
            Some((Err(_), _)) => "failed",
        }
    }
}

/// What the history keeps per key: the acknowledged operation invoked last
/// (the checker's reference), the operations that may still explain a
/// value, and the last operation invoked.
#[derive(Clone, Debug, Default)]
pub(super) struct KeyHistory {
    pub(super) latest_acked: Option<OpId>,
    /// Ops of this key that can still justify a node's value: everything
    /// not yet known to precede `latest_acked`.
    pub(super) live: Vec<OpId>,
    pub(super) last: Option<OpId>,
    /// The acknowledged op already reported lost (one finding per write).
    pub(super) reported: Option<OpId>,
}

/// A client issuing random writes: `workload rate=R/s keys=N ...`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Workload {
    /// Operations per second (a Poisson process).
    pub rate: f64,
    /// Keys `k0` .. `k{keys-1}`, chosen uniformly.
    pub keys: u32,
    /// Send to the leader (true) or to any node.
    pub via_leader: bool,
    /// The chance that an operation is a delete.
    pub delete: f64,
}

/// Ops kept in full for the page; older ones stay only in the counts.
pub const RECENT_OPS: usize = 256;

/// The client history of a run. Keys in an ordered map: the checker walks
/// them in order (a leader's store is judged key by key, reproducibly).
#[derive(Clone, Debug, Default)]
pub struct History {
    next: OpId,
    /// Ops the checker may still need, by id.
    pub(super) ops: OpTable,
    pub(super) keys: BTreeMap<Key, KeyHistory>,
    recent_ops: VecDeque<Op>,
    pub(super) workload: Option<Workload>,
    pub(super) workload_gen: u32,
    /// The workload's keys k0, k1, ... as made so far (by index).
    pub(super) workload_keys: Vec<Option<Key>>,
    counts: Counts,
}

/// How many operations ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub invoked: u64,
    pub ok: u64,
    pub failed: u64,
}

impl History {
    /// Records an invocation; returns its op id.
    pub(super) fn invoke(
        &mut self,
        kind: OpKind,
        key: Key,
        via: Option<NodeId>,
        now: Micros,
    ) -> OpId {
        self.next += 1;
        let id = self.next;
        self.counts.invoked += 1;
        let kh = self.keys.entry(key.clone()).or_default();
        kh.live.push(id);
        kh.last = Some(id);
        let op = Op {
            id,
            kind,
            key,
            via,
            invoked: now,
            done: None,
        };
        self.ops.insert(id, op);
        id
    }

    /// Records an outcome; returns the op when this was its first one.
    pub(super) fn complete(&mut self, id: OpId, outcome: Outcome, now: Micros) -> Option<&Op> {
        let op = self.ops.get_mut(&id)?;
        if op.done.is_some() {
            return None;
        }
        op.done = Some((outcome, now));
        let op = op.clone();
        match outcome {
            Ok(()) => self.counts.ok += 1,
            Err(_) => self.counts.failed += 1,
        }
        let kh = self.keys.get_mut(&op.key).expect("an op's key is recorded");
        if outcome.is_ok() && kh.latest_acked.is_none_or(|w| w < id) {
            kh.latest_acked = Some(id);
        }
        prune(kh, &mut self.ops);
        if self.recent_ops.len() == RECENT_OPS {
            self.recent_ops.pop_front();
        }
        self.recent_ops.push_back(op);
        self.recent_ops.back()
    }

    /// The client resends a pending op to `node` (a redirect).
    pub(super) fn redirect(&mut self, id: OpId, node: NodeId) {
        if let Some(op) = self.ops.get_mut(&id) {
            op.via = Some(node);
        }
    }

    pub fn op(&self, id: OpId) -> Option<&Op> {
        self.ops.get(&id)
    }

    /// The last operation invoked on a key, if the history still has it.
    pub fn last(&self, key: &str) -> Option<&Op> {
        self.keys
            .get(key)
            .and_then(|k| k.last)
            .and_then(|id| self.ops.get(&id))
    }

    /// Ops still pending that were sent to `node`, in id order.
    pub(super) fn pending_via(&self, node: NodeId) -> Vec<OpId> {
        self.ops
            .values()
            .filter(|op| op.done.is_none() && op.via == Some(node))
            .map(|op| op.id)
            .collect()
    }

    /// The most recently completed ops (at most [`RECENT_OPS`]), oldest first.
    pub fn recent(&self) -> impl Iterator<Item = &Op> {
        self.recent_ops.iter()
    }
    pub fn counts(&self) -> Counts {
        self.counts
    }
    pub fn workload(&self) -> Option<Workload> {
        self.workload
    }
    /// Keys the client has touched.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }
    /// A key the history already holds, shared; else a new one.
    pub(super) fn intern(&self, key: &str) -> Key {
        self.keys
            .get_key_value(key)
            .map_or_else(|| Key::from(key), |(k, _)| k.clone())
    }
}

/// Ops by id, which only grow: a vector in id order, searched by halves,
/// where a removed op leaves a hole until holes are half the vector. Ops
/// come and go at the workload's rate, and in a B-tree each insert and
/// remove shifts its node's arrays, which in wasm are calls to
/// `memory.copy`: this took a sixth of a Raft run under a workload.
#[derive(Clone, Debug, Default)]
pub(super) struct OpTable {
    slots: Vec<(OpId, Option<Op>)>,
    holes: usize,
}

impl OpTable {
    fn slot(&self, id: OpId) -> Option<usize> {
        self.slots.binary_search_by_key(&id, |(k, _)| *k).ok()
    }
    pub(super) fn get(&self, id: &OpId) -> Option<&Op> {
        self.slot(*id).and_then(|i| self.slots[i].1.as_ref())
    }
    fn get_mut(&mut self, id: &OpId) -> Option<&mut Op> {
        self.slot(*id).and_then(|i| self.slots[i].1.as_mut())
    }
    /// Adds an op with an id above every id so far.
    fn insert(&mut self, id: OpId, op: Op) {
        debug_assert!(
            self.slots.last().is_none_or(|(k, _)| *k < id),
            "op ids grow"
        );
        self.slots.push((id, Some(op)));
    }
    fn remove(&mut self, id: &OpId) {
        let Some(i) = self.slot(*id) else { return };
        if self.slots[i].1.take().is_some() {
            self.holes += 1;
        }
        if self.holes > 16 && 2 * self.holes > self.slots.len() {
            self.slots.retain(|(_, op)| op.is_some());
            self.holes = 0;
        }
    }
    /// In id order.
    pub(super) fn values(&self) -> impl Iterator<Item = &Op> {
        self.slots.iter().filter_map(|(_, op)| op.as_ref())
    }
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.len() - self.holes
    }
}

/// Forgets the ops of one key that can no longer justify a value: failed
/// for certain, or acknowledged before the reference op was invoked.
fn prune(kh: &mut KeyHistory, ops: &mut OpTable) {
    let reference = kh
        .latest_acked
        .and_then(|w| ops.get(&w))
        .map(|w| (w.id, w.invoked));
    kh.live.retain(|id| {
        let keep = ops.get(id).is_some_and(|op| {
            Some(op.id) == reference.map(|r| r.0)
                || kh.last == Some(op.id)
                || !(op.definitely_failed() || reference.is_some_and(|(_, t)| op.acked_before(t)))
        });
        if !keep {
            ops.remove(id);
        }
        keep
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Entropy;
    use crate::sim::rng::Stream;

    fn op(id: OpId) -> Op {
        Op {
            id,
            kind: OpKind::Write,
            key: Key::from("k"),
            via: None,
            invoked: id,
            done: None,
        }
    }

    /// The table against an ordered map, over inserts, removes (of live,
    /// removed and unknown ids) and lookups, through many compactions.
    #[test]
    fn op_table_behaves_like_an_ordered_map() {
        for seed in 0..20 {
            let mut rng = Stream::new(seed, 3);
            let mut table = OpTable::default();
            let mut reference = BTreeMap::new();
            let mut next = 0;
            for _ in 0..5_000 {
                if rng.below(3) == 0 {
                    next += 1 + rng.below(3);
                    table.insert(next, op(next));
                    reference.insert(next, op(next));
                } else {
                    let id = rng.below(next + 2);
                    table.remove(&id);
                    reference.remove(&id);
                }
                let id = rng.below(next + 2);
                assert_eq!(table.get(&id), reference.get(&id), "seed {seed}");
                if let Some(o) = table.get_mut(&id) {
                    o.via = Some(1);
                    reference.get_mut(&id).unwrap().via = Some(1);
                }
                assert_eq!(table.len(), reference.len());
                assert!(table.holes <= 16 || 2 * table.holes <= table.slots.len());
            }
            assert!(table.values().eq(reference.values()), "seed {seed}");
        }
    }
}
