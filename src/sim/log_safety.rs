//! Raft's log invariants (Figure 3), checked live from what the nodes
//! report about their logs:
//! - Log Matching: two logs with an entry of the same index and term are
//!   identical up to it. Every entry carries a hash of its log's prefix, so
//!   it is one comparison per appended entry.
//! - Leader Completeness: a leader's log holds every committed entry. The
//!   committed prefix is one hash at the highest commit index seen.
//! - State Machine Safety: no two nodes apply different entries at an index.
//!
//! Memory stays flat: only the last [`WINDOW`] indices are remembered. An
//! entry further back than that (a node returning after a very long time
//! with an old log) is not compared.

use super::monitor::{Finding, ViolationKind};
use crate::protocol::data::OpId;
use crate::protocol::{LogEvent, Micros, NodeId};
use std::collections::VecDeque;

/// Indices remembered behind the highest one seen.
pub const WINDOW: u64 = 8192;

#[derive(Clone, Debug, Default)]
pub struct LogSafety {
    /// By index from `first`: the (term, chain hash, node) first seen there,
    /// one per term (usually one in all). A ring over the window: indices
    /// come nearly in order, and this is on every appended entry.
    appended: VecDeque<Seen>,
    /// By index from `first`: (term, op, node) first applied there.
    applied: VecDeque<Option<(u64, OpId, NodeId)>>,
    /// The index of the rings' front slot.
    first: u64,
    /// The highest commit index any node reached, its chain, and who.
    committed: Option<(u64, u64, NodeId)>,
}

/// The claims at one index: the first term's inline (no allocation on the
/// common path), any other term's after it.
#[derive(Clone, Debug, Default)]
struct Seen {
    first: Option<(u64, u64, NodeId)>,
    more: Vec<(u64, u64, NodeId)>,
}

impl Seen {
    /// The claim of `term` here, or None after recording `claim` as it.
    fn claim(&mut self, claim: (u64, u64, NodeId)) -> Option<(u64, u64, NodeId)> {
        let Some(first) = self.first else {
            self.first = Some(claim);
            return None;
        };
        if first.0 == claim.0 {
            return Some(first);
        }
        match self.more.iter().find(|e| e.0 == claim.0) {
            Some(e) => Some(*e),
            None => {
                self.more.push(claim);
                None
            }
        }
    }
}

fn finding(
    t: Micros,
    kind: ViolationKind,
    nodes: Vec<(NodeId, u64)>,
    detail: (u64, u64),
) -> Finding {
    Finding {
        t,
        kind,
        nodes,
        until: None,
        detail,
        lost: None,
    }
}

impl LogSafety {
    /// One step of a node's log. `term` is the node's current term.
    pub fn event(&mut self, t: Micros, node: NodeId, term: u64, ev: LogEvent) -> Option<Finding> {
        match ev {
            LogEvent::Appended {
                index,
                term: entry_term,
                chain,
            } => {
                let slot = self.slot(index)?;
                let (_, first_chain, by) = self.appended[slot].claim((entry_term, chain, node))?;
                (first_chain != chain).then(|| {
                    finding(
                        t,
                        ViolationKind::LogMatching,
                        vec![(node, term), (by, entry_term)],
                        (index, entry_term),
                    )
                })
            }
            LogEvent::Committed { index, chain } => match self.committed {
                Some((i, c, by)) if i == index && c != chain => Some(finding(
                    t,
                    ViolationKind::StateMachineSafety,
                    vec![(node, term), (by, term)],
                    (index, 0),
                )),
                Some((i, ..)) if i >= index => None,
                _ => {
                    self.committed = Some((index, chain, node));
                    None
                }
            },
            LogEvent::Applied {
                index,
                term: entry_term,
                op,
            } => {
                let slot = self.slot(index)?;
                let (seen_term, seen_op, by) =
                    *self.applied[slot].get_or_insert((entry_term, op, node));
                ((seen_term, seen_op) != (entry_term, op)).then(|| {
                    finding(
                        t,
                        ViolationKind::StateMachineSafety,
                        vec![(node, term), (by, seen_term)],
                        (index, 0),
                    )
                })
            }
        }
    }

    /// A node became leader of `term` with a log ending at `last`: it must
    /// hold the highest committed entry, with the same prefix.
    pub fn elected(
        &self,
        t: Micros,
        node: NodeId,
        term: u64,
        last: u64,
        chain_at: impl Fn(u64) -> Option<u64>,
    ) -> Option<Finding> {
        let (index, chain, _) = self.committed?;
        let holds = index <= last && chain_at(index).is_none_or(|c| c == chain);
        (!holds).then(|| {
            finding(
                t,
                ViolationKind::LeaderCompleteness,
                vec![(node, term)],
                (index, last),
            )
        })
    }

    /// Indices remembered (appended and applied): what [`WINDOW`] bounds.
    pub fn remembered(&self) -> usize {
        self.appended.len() + self.applied.len()
    }

    /// The rings' slot of `index`, grown to reach it and cut to the window;
    /// None for an index already behind the window.
    fn slot(&mut self, index: u64) -> Option<usize> {
        let mut slot = index.checked_sub(self.first)? as usize;
        let window = WINDOW as usize;
        if slot >= self.appended.len() + window {
            // So far ahead that nothing held stays in the window.
            self.appended.clear();
            self.applied.clear();
            self.first = index + 1 - WINDOW;
            slot = window - 1;
        }
        // Almost always the next index, or one already held: a push and a
        // pop at the ends, where a resize and a drain cost far more.
        while slot >= self.appended.len() {
            self.appended.push_back(Seen::default());
            self.applied.push_back(None);
        }
        while self.appended.len() > window {
            self.appended.pop_front();
            self.applied.pop_front();
            self.first += 1;
            // The window only overflows after pushes, which made `slot` the
            // newest index: it stays inside as the front moves.
            slot -= 1;
        }
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appended(index: u64, term: u64, chain: u64) -> LogEvent {
        LogEvent::Appended { index, term, chain }
    }

    #[test]
    fn same_index_and_term_with_another_prefix_breaks_log_matching() {
        let mut s = LogSafety::default();
        assert!(s.event(1, 1, 2, appended(5, 2, 77)).is_none());
        assert!(
            s.event(2, 2, 2, appended(5, 2, 77)).is_none(),
            "same prefix"
        );
        assert!(
            s.event(3, 3, 3, appended(5, 3, 99)).is_none(),
            "another term: no claim"
        );
        let f = s.event(4, 4, 2, appended(5, 2, 78)).expect("a finding");
        assert_eq!(f.kind, ViolationKind::LogMatching);
        assert_eq!((f.nodes[0].0, f.nodes[1].0, f.detail), (4, 1, (5, 2)));
    }

    #[test]
    fn a_leader_must_hold_the_highest_committed_entry() {
        let mut s = LogSafety::default();
        assert!(
            s.elected(0, 1, 1, 0, |_| None).is_none(),
            "nothing committed yet"
        );
        s.event(
            1,
            1,
            1,
            LogEvent::Committed {
                index: 3,
                chain: 30,
            },
        );
        s.event(
            1,
            2,
            1,
            LogEvent::Committed {
                index: 2,
                chain: 20,
            },
        );
        assert!(s.elected(2, 2, 2, 4, |i| (i == 3).then_some(30)).is_none());
        let short = s.elected(2, 3, 2, 2, |_| Some(20)).expect("too short");
        assert_eq!(
            (short.kind, short.detail),
            (ViolationKind::LeaderCompleteness, (3, 2))
        );
        assert!(
            s.elected(2, 4, 2, 9, |_| Some(31)).is_some(),
            "another entry at 3"
        );
    }

    #[test]
    fn two_entries_applied_at_one_index_break_state_machine_safety() {
        let mut s = LogSafety::default();
        let at = |op| LogEvent::Applied {
            index: 7,
            term: 2,
            op,
        };
        assert!(s.event(1, 1, 2, at(40)).is_none());
        assert!(s.event(2, 2, 2, at(40)).is_none());
        let f = s.event(3, 3, 3, at(41)).expect("a finding");
        assert_eq!((f.kind, f.detail.0), (ViolationKind::StateMachineSafety, 7));
    }

    #[test]
    fn memory_stays_within_the_window() {
        let mut s = LogSafety::default();
        for i in 1..=50_000 {
            s.event(i, 1, 1, appended(i, 1, i));
            s.event(
                i,
                1,
                1,
                LogEvent::Applied {
                    index: i,
                    term: 1,
                    op: i,
                },
            );
        }
        assert_eq!(s.appended.len() as u64, WINDOW);
        assert_eq!(s.applied.len() as u64, WINDOW);
        assert_eq!(
            s.first,
            50_000 - WINDOW + 1,
            "the ring ends at the newest index"
        );
        // Behind the window: not compared, no finding, no panic.
        assert!(s.event(9, 1, 1, appended(3, 1, 12345)).is_none());
    }

    #[test]
    fn a_jump_far_ahead_keeps_the_window_ending_at_the_new_index() {
        let mut s = LogSafety::default();
        assert!(s.event(1, 1, 1, appended(5, 1, 50)).is_none());
        let far = 5 + 3 * WINDOW;
        assert!(s.event(2, 2, 1, appended(far, 1, 70)).is_none());
        assert_eq!(s.appended.len() as u64, WINDOW);
        assert_eq!(s.first, far + 1 - WINDOW);
        // The old index fell out; the new one is held and compared.
        assert!(s.event(3, 3, 1, appended(5, 1, 51)).is_none());
        let f = s.event(4, 3, 1, appended(far, 1, 71)).expect("a finding");
        assert_eq!((f.kind, f.detail), (ViolationKind::LogMatching, (far, 1)));
        // Just under a window ahead: the two ends are both kept.
        let near = far + WINDOW - 1;
        assert!(s.event(5, 1, 1, appended(near, 1, 90)).is_none());
        assert_eq!(s.first, near + 1 - WINDOW);
        assert!(
            s.event(6, 2, 1, appended(far, 1, 70)).is_none(),
            "still held: same chain"
        );
        assert!(
            s.event(7, 2, 1, appended(far, 1, 72)).is_some(),
            "still held: another chain"
        );
    }
}
