//! The simulated client: its history of writes and deletes (Jepsen-style:
//! invoke, then ok, failed or still pending) and the workload that issues
//! them. The durability checker (`durability.rs`) judges nodes' datums
//! against this history.

use crate::protocol::data::{Key, OpId, OpKind, Outcome};
use crate::protocol::{Micros, NodeId};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

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

/// The client history of a run. Ordered maps: the checker walks keys in
/// order (a leader's store is judged key by key, reproducibly), and they
/// spare the wasm module a hash table and a sort.
#[derive(Clone, Debug, Default)]
pub struct History {
    next: OpId,
    /// Ops the checker may still need, by id.
    pub(super) ops: BTreeMap<OpId, Op>,
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
            .map_or_else(|| Rc::from(key), |(k, _)| k.clone())
    }
}

/// Forgets the ops of one key that can no longer justify a value: failed
/// for certain, or acknowledged before the reference op was invoked.
fn prune(kh: &mut KeyHistory, ops: &mut BTreeMap<OpId, Op>) {
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
