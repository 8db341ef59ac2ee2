//! The durability checker: an acknowledged write must stay readable on the
//! current leader and on every node that held it, unless an operation that
//! may come after it replaced it. Judged on every datum change a model
//! reports and whenever a node becomes leader, so a loss is named where it
//! happens: the node, and the beat, pull or commit that did it.
//!
//! The rule, for a key whose latest acknowledged operation (by invocation)
//! is W: a node's value is allowed if it is W's, or that of an operation
//! not acknowledged before W was invoked (concurrent with W or later, or
//! whose outcome is unknown); an absent key is allowed if W is a delete, or
//! such a delete exists. Failed-for-certain operations explain nothing.

use super::client::History;
use crate::protocol::data::{Cause, Datum, Key, OpId, OpKind};
use crate::protocol::{Micros, NodeId};

/// How an acknowledged write was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossCause {
    /// A change on a node that held the write.
    Change(Cause),
    /// A node without it became leader.
    Elected,
}

/// A lost acknowledged write: the `lost-write` finding's details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostWrite {
    pub key: Key,
    pub op: OpId,
    pub kind: OpKind,
    pub invoked: Micros,
    pub cause: LossCause,
    /// What the node holds now: a version and the writing op, or nothing.
    pub now: Option<Datum>,
}

impl History {
    /// Whether a node may hold `value` for `key` now.
    pub fn allows(&self, key: &str, value: Option<Datum>) -> bool {
        let Some(kh) = self.keys.get(key) else {
            return true;
        };
        let Some(w) = kh.latest_acked.and_then(|id| self.ops.get(&id)) else {
            return true;
        };
        let may_follow = |id: OpId| {
            id == w.id
                || self
                    .ops
                    .get(&id)
                    .is_some_and(|op| !op.definitely_failed() && !op.acked_before(w.invoked))
        };
        match value {
            Some(d) => may_follow(d.token),
            None => {
                w.kind == OpKind::Delete
                    || kh.live.iter().any(|&id| {
                        self.ops
                            .get(&id)
                            .is_some_and(|op| op.kind == OpKind::Delete)
                            && may_follow(id)
                    })
            }
        }
    }

    /// A change on a node: the loss it causes, if it takes away an
    /// acknowledged write not reported yet.
    pub(super) fn judge_change(
        &mut self,
        key: &str,
        before: Option<Datum>,
        after: Option<Datum>,
        cause: Cause,
    ) -> Option<LostWrite> {
        if !self.allows(key, before) || self.allows(key, after) {
            return None;
        }
        self.report(key, LossCause::Change(cause), after)
    }

    /// A node became leader: every acknowledged write it cannot serve.
    pub(super) fn judge_leader(&mut self, value: impl Fn(&str) -> Option<Datum>) -> Vec<LostWrite> {
        let mut keys: Vec<Key> = self
            .keys
            .iter()
            .filter(|(_, kh)| kh.latest_acked.is_some() && kh.reported != kh.latest_acked)
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_unstable();
        keys.into_iter()
            .filter_map(|k| {
                let v = value(&k);
                if self.allows(&k, v) {
                    None
                } else {
                    self.report(&k, LossCause::Elected, v)
                }
            })
            .collect()
    }

    fn report(&mut self, key: &str, cause: LossCause, now: Option<Datum>) -> Option<LostWrite> {
        let kh = self.keys.get_mut(key)?;
        let w = kh.latest_acked?;
        if kh.reported == Some(w) {
            return None;
        }
        kh.reported = Some(w);
        let op = self.ops.get(&w)?;
        Some(LostWrite {
            key: op.key.clone(),
            op: w,
            kind: op.kind,
            invoked: op.invoked,
            cause,
            now,
        })
    }
}

/// The node a loss names, for the finding's text.
pub fn describe(l: &LostWrite, node: NodeId) -> String {
    let what = match l.kind {
        OpKind::Write => "write",
        OpKind::Delete => "delete",
    };
    let how = match l.cause {
        LossCause::Elected => format!("S{node} became leader without it"),
        LossCause::Change(Cause::DeadKey { from, beat_term }) => {
            format!(
                "S{node} deleted it as a dead key: not listed in S{from}'s beat (term {beat_term})"
            )
        }
        LossCause::Change(Cause::Pull { from }) => {
            format!("S{node} replaced it with an older write pulled from S{from}")
        }
        LossCause::Change(Cause::Commit { from }) => {
            format!("S{node} replaced it with an older write committed by S{from}")
        }
        LossCause::Change(Cause::Local) => format!("S{node} replaced it itself"),
    };
    let now = match l.now {
        Some(d) => format!("; it holds v{} (#{})", d.version, d.token),
        None => String::new(),
    };
    format!(
        "acknowledged {what} of {} (#{}, invoked at {}) lost: {how}{now}",
        l.key,
        l.op,
        crate::time::fmt_ms(l.invoked as i64)
    )
}
