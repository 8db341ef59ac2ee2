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
        let keys: Vec<Key> = self
            .keys
            .iter()
            .filter(|(_, kh)| kh.latest_acked.is_some() && kh.reported != kh.latest_acked)
            .map(|(k, _)| k.clone())
            .collect();
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
        LossCause::Change(Cause::Commit { from }) if l.now.is_none() => {
            format!("S{node} deleted it: an older delete from S{from} arrived after it")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::data::Failure;

    fn key() -> Key {
        Key::from("k")
    }
    fn datum(token: OpId) -> Option<Datum> {
        Some(Datum { version: 1, token })
    }
    const DEAD: Cause = Cause::DeadKey {
        from: 2,
        beat_term: 7,
    };

    #[test]
    fn an_acknowledged_write_deleted_by_a_beat_is_lost_once() {
        let mut h = History::default();
        let w = h.invoke(OpKind::Write, key(), Some(1), 10);
        assert!(h.allows("k", None), "nothing acknowledged: anything goes");
        h.complete(w, Ok(()), 20);
        assert!(h.allows("k", datum(w)));
        assert!(!h.allows("k", None));
        let lost = h.judge_change("k", datum(w), None, DEAD).expect("a loss");
        assert_eq!(
            (lost.op, lost.invoked, lost.cause),
            (w, 10, LossCause::Change(DEAD))
        );
        // Reported once per write, however many nodes lose it.
        assert_eq!(h.judge_change("k", datum(w), None, DEAD), None);
    }

    #[test]
    fn a_node_that_never_had_the_write_loses_nothing_by_changing() {
        let mut h = History::default();
        let a = h.invoke(OpKind::Write, key(), Some(1), 10);
        h.complete(a, Ok(()), 20);
        let b = h.invoke(OpKind::Write, key(), Some(1), 30);
        h.complete(b, Ok(()), 40);
        // Holding a (acknowledged before b was invoked) is already stale:
        // going from stale to absent is no new loss here.
        assert!(!h.allows("k", datum(a)));
        assert_eq!(h.judge_change("k", datum(a), None, DEAD), None);
        // But a leader elected without b loses it.
        let lost = h.judge_leader(|_| datum(a));
        assert_eq!(lost.len(), 1);
        assert_eq!((lost[0].op, lost[0].cause), (b, LossCause::Elected));
    }

    #[test]
    fn concurrent_and_unknown_outcomes_may_replace_an_acknowledged_write() {
        let mut h = History::default();
        let w = h.invoke(OpKind::Write, key(), Some(1), 10);
        let c = h.invoke(OpKind::Write, key(), Some(2), 15); // concurrent with w
        h.complete(w, Ok(()), 20);
        h.complete(c, Ok(()), 25);
        // c, invoked last, is the reference; w overlapped it.
        assert!(h.allows("k", datum(w)), "w overlaps c: either may be last");
        assert!(h.allows("k", datum(c)));
        // An operation whose outcome is unknown may have happened.
        let t = h.invoke(OpKind::Write, key(), Some(1), 30);
        h.complete(t, Err(Failure::NoMajority), 5030);
        assert!(h.allows("k", datum(t)));
        // One that failed for certain never happened: its value is a bug.
        let f = h.invoke(OpKind::Write, key(), None, 40);
        h.complete(f, Err(Failure::Unreachable), 40);
        assert!(!h.allows("k", datum(f)));
    }

    #[test]
    fn deletes_are_writes_of_nothing() {
        let mut h = History::default();
        let w = h.invoke(OpKind::Write, key(), Some(1), 10);
        h.complete(w, Ok(()), 20);
        let d = h.invoke(OpKind::Delete, key(), Some(1), 30);
        assert!(h.allows("k", None), "a pending delete may have happened");
        h.complete(d, Ok(()), 30);
        assert!(h.allows("k", None));
        assert!(
            !h.allows("k", datum(w)),
            "the acknowledged delete came after w"
        );
        let back = h.judge_change("k", None, datum(w), Cause::Pull { from: 3 });
        assert_eq!(back.map(|l| (l.op, l.kind)), Some((d, OpKind::Delete)));
    }
}
