//! The safety monitor, always on. It watches every node's role and term and
//! every vote cast, and records what a correct Raft must never do. Nacos's
//! RaftCore does some of these things by design (two leaders at once under a
//! partition): the monitor reports them, it never hides them.

use super::durability::{self, LossCause, LostWrite};
use crate::json::{json_num, json_str};
use crate::protocol::data::Cause;
use crate::protocol::{Micros, NodeId, Role, Status};
use crate::time::{fmt_ms, MsJson};
use std::collections::VecDeque;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViolationKind {
    /// Two or more live nodes are in LEADER state at the same time.
    TwoLeaders,
    /// Two different nodes were leader in the same term (Raft's Election Safety).
    ElectionSafety,
    /// A node voted for two different candidates in one term.
    DoubleVote,
    /// A node's term went down other than by a restart.
    TermDecrease,
    /// A write the client was told succeeded is gone (the durability checker).
    LostWrite,
    /// Two logs hold an entry of the same index and term but differ before it.
    LogMatching,
    /// A leader was elected without an entry already committed.
    LeaderCompleteness,
    /// Two nodes applied different entries at the same index.
    StateMachineSafety,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 8] = [
        ViolationKind::TwoLeaders,
        ViolationKind::ElectionSafety,
        ViolationKind::DoubleVote,
        ViolationKind::TermDecrease,
        ViolationKind::LostWrite,
        ViolationKind::LogMatching,
        ViolationKind::LeaderCompleteness,
        ViolationKind::StateMachineSafety,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::TwoLeaders => "two-leaders",
            ViolationKind::ElectionSafety => "election-safety",
            ViolationKind::DoubleVote => "double-vote",
            ViolationKind::TermDecrease => "term-decrease",
            ViolationKind::LostWrite => "lost-write",
            ViolationKind::LogMatching => "log-matching",
            ViolationKind::LeaderCompleteness => "leader-completeness",
            ViolationKind::StateMachineSafety => "state-machine-safety",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ViolationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One finding: what, when, and which nodes at which terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub t: Micros,
    pub kind: ViolationKind,
    /// The nodes involved with their terms.
    pub nodes: Vec<(NodeId, u64)>,
    /// For two-leaders: when the overlap ended, if it has.
    pub until: Option<Micros>,
    /// For double-vote: the two candidates; for term-decrease: old and new term.
    pub detail: (u64, u64),
    /// For lost-write: which write, and what lost it.
    pub lost: Option<Box<LostWrite>>,
}

impl Finding {
    pub fn describe(&self) -> String {
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .map(|(n, t)| format!("S{n} (term {t})"))
            .collect();
        match self.kind {
            ViolationKind::TwoLeaders => {
                let mut s = format!("{} leaders at once: {}", self.nodes.len(), nodes.join(", "));
                if let Some(u) = self.until {
                    let _ = write!(s, " until {}", fmt_ms(u as i64));
                }
                s
            }
            ViolationKind::ElectionSafety => {
                format!(
                    "two leaders in term {}: {}",
                    self.nodes[0].1,
                    nodes.join(" and ")
                )
            }
            ViolationKind::DoubleVote => format!(
                "S{} voted twice in term {}: for S{} and for S{}",
                self.nodes[0].0, self.nodes[0].1, self.detail.0, self.detail.1
            ),
            ViolationKind::TermDecrease => {
                format!(
                    "S{} term went down from {} to {} without a restart",
                    self.nodes[0].0, self.detail.0, self.detail.1
                )
            }
            ViolationKind::LogMatching => format!(
                "S{} and S{} both hold an entry of term {} at index {}, but their logs differ before it (Log Matching)",
                self.nodes[0].0,
                self.nodes.get(1).map_or(0, |n| n.0),
                self.detail.1,
                self.detail.0
            ),
            ViolationKind::LeaderCompleteness => format!(
                "S{} became leader of term {} without the entry committed at index {} (its log ends at {}) (Leader Completeness)",
                self.nodes[0].0, self.nodes[0].1, self.detail.0, self.detail.1
            ),
            ViolationKind::StateMachineSafety => format!(
                "S{} and S{} applied different entries at index {} (State Machine Safety)",
                self.nodes[0].0,
                self.nodes.get(1).map_or(0, |n| n.0),
                self.detail.0
            ),
            ViolationKind::LostWrite => match &self.lost {
                Some(l) => durability::describe(l, self.nodes[0].0),
                None => "an acknowledged write was lost".to_string(),
            },
        }
    }

    pub fn write_json(&self, out: &mut String) {
        json_str(out, "kind", self.kind.as_str());
        out.push_str(",\"nodes\":[");
        for (i, (n, t)) in self.nodes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{{\"node\":{n},\"term\":{t}}}");
        }
        out.push(']');
        if let Some(u) = self.until {
            json_num(out, "until_ms", MsJson(u as i64));
        }
        match self.kind {
            ViolationKind::DoubleVote => {
                json_num(out, "first", self.detail.0);
                json_num(out, "second", self.detail.1);
            }
            ViolationKind::TermDecrease => {
                json_num(out, "from_term", self.detail.0);
                json_num(out, "to_term", self.detail.1);
            }
            ViolationKind::LogMatching | ViolationKind::StateMachineSafety => {
                json_num(out, "index", self.detail.0);
                if self.kind == ViolationKind::LogMatching {
                    json_num(out, "entry_term", self.detail.1);
                }
            }
            ViolationKind::LeaderCompleteness => {
                json_num(out, "index", self.detail.0);
                json_num(out, "last_log_index", self.detail.1);
            }
            ViolationKind::LostWrite => {
                if let Some(l) = &self.lost {
                    json_str(out, "key", &l.key);
                    json_num(out, "op", l.op);
                    json_str(out, "op_kind", l.kind.as_str());
                    json_num(out, "invoked_ms", MsJson(l.invoked as i64));
                    let (cause, from, beat_term) = match l.cause {
                        LossCause::Elected => ("elected", None, None),
                        LossCause::Change(Cause::DeadKey { from, beat_term }) => {
                            ("dead-key", Some(from), Some(beat_term))
                        }
                        LossCause::Change(Cause::Pull { from }) => ("pull", Some(from), None),
                        LossCause::Change(Cause::Commit { from }) => ("commit", Some(from), None),
                        LossCause::Change(Cause::Local) => ("local", None, None),
                    };
                    json_str(out, "cause", cause);
                    if let Some(f) = from {
                        json_num(out, "by", f);
                    }
                    if let Some(t) = beat_term {
                        let field = if cause == "apply" {
                            "index"
                        } else {
                            "beat_term"
                        };
                        json_num(out, field, t);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Findings kept in full; past this, only the counts go on.
/// Findings kept in full: the most recent ones (plus the first of each
/// kind); past this only the counts go on, so a long run stays flat.
pub const MAX_FINDINGS: usize = 128;
/// Votes remembered per node; older terms fall out of the window.
const VOTE_MEMORY: usize = 64;
/// Terms remembered for Election Safety. Two leaders of one term overlap in
/// time, long before hundreds of newer terms have started.
const TERM_MEMORY: usize = 256;

/// Plain vectors throughout: every collection here is small and bounded, and
/// B-tree code would cost the wasm module more than the lookups gain.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// Live nodes in LEADER state with their terms, by node id.
    leaders: Vec<(NodeId, u64)>,
    /// Sequence number of the open two-leaders finding, and its start.
    overlap: Option<(u64, Micros)>,
    /// Who was leader in each recent term: (term, node), oldest first.
    term_leaders: VecDeque<(u64, NodeId)>,
    /// Per node (index id-1): recent votes (term, candidate), oldest first.
    votes: Vec<VecDeque<(u64, NodeId)>>,
    /// The most recent findings with their sequence numbers.
    findings: VecDeque<(u64, Finding)>,
    /// The first finding of each kind (indexed like `ViolationKind::ALL`).
    first: [Option<Finding>; 8],
    counts: [u64; 8],
    seq: u64,
    /// Raft's log invariants.
    pub log: super::log_safety::LogSafety,
}

fn kind_index(kind: ViolationKind) -> usize {
    ViolationKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0)
}

impl Monitor {
    /// The most recent findings (at most [`MAX_FINDINGS`]), oldest first.
    pub fn findings(&self) -> impl DoubleEndedIterator<Item = &Finding> + ExactSizeIterator + '_ {
        self.findings.iter().map(|(_, f)| f)
    }

    /// The first finding of a kind in this run.
    pub fn first(&self, kind: ViolationKind) -> Option<&Finding> {
        self.first[kind_index(kind)].as_ref()
    }

    pub fn count(&self, kind: ViolationKind) -> u64 {
        self.counts[kind_index(kind)]
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Live nodes currently in LEADER state, by id.
    pub fn leaders(&self) -> impl Iterator<Item = (NodeId, u64)> + '_ {
        self.leaders.iter().copied()
    }

    /// A lost acknowledged write, found by the durability checker.
    pub fn lost_write(&mut self, t: Micros, node: NodeId, term: u64, lost: LostWrite) -> Finding {
        let f = Finding {
            t,
            kind: ViolationKind::LostWrite,
            nodes: vec![(node, term)],
            until: None,
            detail: (0, 0),
            lost: Some(Box::new(lost)),
        };
        self.record(f.clone());
        f
    }

    pub(super) fn record(&mut self, f: Finding) -> u64 {
        let k = kind_index(f.kind);
        self.counts[k] += 1;
        if self.first[k].is_none() {
            self.first[k] = Some(f.clone());
        }
        self.seq += 1;
        if self.findings.len() == MAX_FINDINGS {
            self.findings.pop_front();
        }
        self.findings.push_back((self.seq, f));
        self.seq
    }

    /// A vote cast by `node` in `term` for `candidate`.
    pub fn vote(
        &mut self,
        t: Micros,
        node: NodeId,
        term: u64,
        candidate: NodeId,
    ) -> Option<Finding> {
        let i = (node - 1) as usize;
        if self.votes.len() <= i {
            self.votes.resize_with(i + 1, VecDeque::new);
        }
        let votes = &mut self.votes[i];
        match votes.iter_mut().find(|(t, _)| *t == term) {
            Some((_, prev)) if *prev != candidate => {
                let f = Finding {
                    t,
                    kind: ViolationKind::DoubleVote,
                    nodes: vec![(node, term)],
                    until: None,
                    lost: None,
                    detail: (u64::from(*prev), u64::from(candidate)),
                };
                *prev = candidate;
                self.record(f.clone());
                Some(f)
            }
            Some(_) => None,
            None => {
                if votes.len() == VOTE_MEMORY {
                    votes.pop_front();
                }
                votes.push_back((term, candidate));
                None
            }
        }
    }

    /// A node's state after a step. `restarted` exempts a term going down.
    /// Returns new findings and, when an overlap of leaders ended, its start.
    pub fn observe(
        &mut self,
        t: Micros,
        node: NodeId,
        before: (Status, bool),
        after: (Status, bool),
        restarted: bool,
    ) -> (Vec<Finding>, Option<Micros>) {
        let mut found = Vec::new();
        let (b, b_alive) = before;
        let (a, a_alive) = after;
        if a.term < b.term && !restarted {
            let f = Finding {
                t,
                kind: ViolationKind::TermDecrease,
                nodes: vec![(node, a.term)],
                until: None,
                lost: None,
                detail: (b.term, a.term),
            };
            self.record(f.clone());
            found.push(f);
        }
        let was_leader = b_alive && b.role == Role::Leader;
        let is_leader = a_alive && a.role == Role::Leader;
        if is_leader && (!was_leader || a.term != b.term) {
            match self
                .term_leaders
                .iter()
                .find(|(term, _)| *term == a.term)
                .map(|(_, n)| *n)
            {
                Some(other) if other != node => {
                    let f = Finding {
                        t,
                        kind: ViolationKind::ElectionSafety,
                        nodes: vec![(other, a.term), (node, a.term)],
                        until: None,
                        detail: (0, 0),
                        lost: None,
                    };
                    self.record(f.clone());
                    found.push(f);
                }
                Some(_) => {}
                None => {
                    if self.term_leaders.len() == TERM_MEMORY {
                        self.term_leaders.pop_front();
                    }
                    self.term_leaders.push_back((a.term, node));
                }
            }
        }
        let mut resolved = None;
        let at = self.leaders.binary_search_by_key(&node, |(n, _)| *n);
        if is_leader {
            match at {
                Ok(i) => self.leaders[i].1 = a.term,
                Err(i) => {
                    self.leaders.insert(i, (node, a.term));
                    if self.leaders.len() >= 2 {
                        let f = Finding {
                            t,
                            kind: ViolationKind::TwoLeaders,
                            nodes: self.leaders.clone(),
                            until: None,
                            detail: (0, 0),
                            lost: None,
                        };
                        let seq = self.record(f.clone());
                        let since = self.overlap.map_or(t, |(_, s)| s);
                        self.overlap = Some((seq, since));
                        found.push(f);
                    }
                }
            }
        } else if let Ok(i) = at {
            self.leaders.remove(i);
            if self.leaders.len() <= 1 {
                if let Some((seq, since)) = self.overlap.take() {
                    if let Some((_, f)) = self.findings.iter_mut().rev().find(|(s, _)| *s == seq) {
                        f.until = Some(t);
                    }
                    resolved = Some(since);
                }
            }
        }
        (found, resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(role: Role, term: u64) -> (Status, bool) {
        (
            Status {
                role,
                term,
                vote_for: None,
                leader: None,
            },
            true,
        )
    }

    #[test]
    fn two_leaders_open_and_close_an_overlap() {
        let mut m = Monitor::default();
        m.observe(10, 1, st(Role::Candidate, 1), st(Role::Leader, 1), false);
        assert_eq!(m.total(), 0);
        let (f, _) = m.observe(20, 3, st(Role::Candidate, 2), st(Role::Leader, 2), false);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, ViolationKind::TwoLeaders);
        assert_eq!(f[0].nodes, vec![(1, 1), (3, 2)]);
        let (_, resolved) = m.observe(30, 1, st(Role::Leader, 1), st(Role::Follower, 2), false);
        assert_eq!(resolved, Some(20));
        assert_eq!(m.findings().next().unwrap().until, Some(30));
    }

    #[test]
    fn a_crashed_leader_is_not_a_leader() {
        let mut m = Monitor::default();
        m.observe(10, 1, st(Role::Follower, 1), st(Role::Leader, 1), false);
        let crashed = (
            Status {
                role: Role::Leader,
                term: 1,
                vote_for: None,
                leader: None,
            },
            false,
        );
        m.observe(20, 1, st(Role::Leader, 1), crashed, false);
        let (f, _) = m.observe(30, 2, st(Role::Candidate, 2), st(Role::Leader, 2), false);
        assert!(f.is_empty());
    }

    #[test]
    fn election_safety_double_votes_and_term_decreases() {
        let mut m = Monitor::default();
        m.observe(1, 1, st(Role::Candidate, 4), st(Role::Leader, 4), false);
        m.observe(2, 1, st(Role::Leader, 4), st(Role::Follower, 4), false);
        let (f, _) = m.observe(3, 2, st(Role::Candidate, 4), st(Role::Leader, 4), false);
        assert_eq!(f[0].kind, ViolationKind::ElectionSafety);
        assert!(m.vote(4, 3, 7, 1).is_none());
        assert!(m.vote(5, 3, 7, 1).is_none(), "the same vote again is fine");
        assert_eq!(m.vote(6, 3, 7, 2).unwrap().kind, ViolationKind::DoubleVote);
        let (f, _) = m.observe(7, 3, st(Role::Follower, 7), st(Role::Follower, 6), false);
        assert_eq!(f[0].kind, ViolationKind::TermDecrease);
        let (f, _) = m.observe(8, 3, st(Role::Follower, 6), st(Role::Follower, 0), true);
        assert!(f.is_empty(), "a restart may lower the term");
        assert_eq!(m.count(ViolationKind::DoubleVote), 1);
    }

    #[test]
    fn findings_are_bounded_but_counted_and_the_first_is_kept() {
        let mut m = Monitor::default();
        for term in 0..(MAX_FINDINGS as u64 + 50) {
            m.vote(term, 1, term, 1);
            m.vote(term, 1, term, 2);
        }
        assert_eq!(m.count(ViolationKind::DoubleVote), MAX_FINDINGS as u64 + 50);
        assert_eq!(m.findings().len(), MAX_FINDINGS);
        assert_eq!(
            m.findings().next().unwrap().nodes[0].1,
            50,
            "the oldest fell out"
        );
        assert_eq!(m.first(ViolationKind::DoubleVote).unwrap().nodes[0].1, 0);
    }
}
