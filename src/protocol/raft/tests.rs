//! Unit tests of the Raft model: one node driven by hand, message by message.

use super::node::Out;
use super::*;
use crate::protocol::{
    Countdowns, Dest, Entropy, MessageInfo, MessageKind, Micros, NodeId, Note as _, Protocol, Role,
    Status, TimerKind,
};
use std::collections::VecDeque;

/// Entropy that replays a script of draws (0 once it runs out), so a
/// test states every random number the model asks for, and records each
/// bound it was asked for.
struct Draws {
    script: VecDeque<u64>,
    asked: Vec<u64>,
}
impl Draws {
    fn new(script: &[u64]) -> Self {
        Draws {
            script: script.iter().copied().collect(),
            asked: Vec::new(),
        }
    }
}
impl Entropy for Draws {
    fn below(&mut self, n: u64) -> u64 {
        self.asked.push(n);
        let v = self.script.pop_front().unwrap_or(0);
        assert!(v < n, "scripted draw {v} out of range [0, {n})");
        v
    }
}

/// A small seeded generator for the multi-node runs.
struct Lcg(u64);
impl Entropy for Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const MS: Micros = 1_000;

/// An empty AppendEntries from a leader whose log is empty.
fn heartbeat(term: u64) -> Message {
    Message::AppendEntries {
        term,
        prev_index: 0,
        prev_term: 0,
        entries: Vec::new(),
        commit: 0,
    }
}

fn cfg() -> Config {
    Config::default()
}

fn node(id: NodeId, n: u32, config: &Config) -> Node {
    Node::new(id, n, config, &Persistent::default(), &mut Draws::new(&[]))
}

fn rv(term: u64, index: u64, log_term: u64) -> Message {
    Message::RequestVote {
        term,
        last_log_index: index,
        last_log_term: log_term,
        pre_vote: false,
    }
}

fn pre(term: u64, index: u64, log_term: u64) -> Message {
    Message::RequestVote {
        term,
        last_log_index: index,
        last_log_term: log_term,
        pre_vote: true,
    }
}

fn grant(term: u64) -> Message {
    Message::RequestVoteReply {
        term,
        granted: true,
        pre_vote: false,
    }
}

fn armed(out: &Out, timer: Timer) -> Option<Micros> {
    out.timers
        .iter()
        .find(|(t, _)| *t == timer)
        .map(|(_, a)| *a)
}

fn sent(out: &Out) -> Vec<(Dest, Message)> {
    out.messages.clone()
}

/// Node 1 of 3, elected leader at term 1 with S2's vote.
fn leader3(config: &Config) -> Node {
    let mut n = node(1, 3, config);
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.start(&mut d, &mut out);
    n.on_timer(Timer::Election, &mut d, &mut out);
    n.on_message(2, grant(1), &mut d, &mut out);
    assert_eq!(n.role, Role::Leader);
    n
}

/// A cluster wired with zero latency: every message sent by a call is
/// delivered, in send order, before time moves on; timers due at the same
/// instant all fire (in node id order) before any message is delivered.
struct Net {
    nodes: Vec<Node>,
    due: Vec<[Option<Micros>; 2]>,
    now: Micros,
    rng: Box<dyn Entropy>,
    /// Directed links that drop everything.
    cut: Vec<(NodeId, NodeId)>,
    queue: VecDeque<(NodeId, NodeId, Message)>,
    notes: Vec<(Micros, NodeId, Note)>,
    votes: Vec<(NodeId, u64, NodeId)>,
    sent: Vec<(Micros, NodeId, NodeId, Message)>,
}

impl Net {
    fn new(n: u32, config: &Config, rng: Box<dyn Entropy>) -> Net {
        let mut net = Net {
            nodes: Vec::new(),
            due: vec![[None; 2]; n as usize],
            now: 0,
            rng,
            cut: Vec::new(),
            queue: VecDeque::new(),
            notes: Vec::new(),
            votes: Vec::new(),
            sent: Vec::new(),
        };
        for id in 1..=n {
            let node = Node::new(id, n, config, &Persistent::default(), &mut *net.rng);
            net.nodes.push(node);
        }
        for id in 1..=n {
            net.drive(id, |p, r, o| p.start(r, o));
        }
        net
    }

    fn drive(&mut self, id: NodeId, f: impl FnOnce(&mut Node, &mut dyn Entropy, &mut Out)) {
        let i = (id - 1) as usize;
        let mut out = Out::default();
        f(&mut self.nodes[i], &mut *self.rng, &mut out);
        for t in &out.cancels {
            self.due[i][t.index()] = None;
        }
        for (t, after) in &out.timers {
            self.due[i][t.index()] = Some(self.now + after);
        }
        for (term, cand) in &out.votes {
            self.votes.push((id, *term, *cand));
        }
        for note in out.notes.drain(..) {
            self.notes.push((self.now, id, note));
        }
        let n = self.nodes.len() as NodeId;
        for (dest, msg) in &out.messages {
            let tos: Vec<NodeId> = match dest {
                Dest::To(to) => vec![*to],
                Dest::AllOthers => (1..=n).filter(|t| *t != id).collect(),
            };
            for to in tos {
                self.sent.push((self.now, id, to, msg.clone()));
                if !self.cut.contains(&(id, to)) {
                    self.queue.push_back((id, to, msg.clone()));
                }
            }
        }
    }

    fn deliver_all(&mut self) {
        while let Some((from, to, msg)) = self.queue.pop_front() {
            self.drive(to, |p, r, o| p.on_message(from, msg, r, o));
        }
    }

    fn next_due(&self) -> Option<Micros> {
        self.due
            .iter()
            .flat_map(|d| d.iter().flatten())
            .min()
            .copied()
    }

    /// Fires every timer due at the earliest deadline, then delivers.
    fn step(&mut self) {
        let Some(t) = self.next_due() else { return };
        self.now = t;
        for i in 0..self.nodes.len() {
            for (slot, timer) in [(0, Timer::Election), (1, Timer::Heartbeat)] {
                if self.due[i][slot] == Some(t) {
                    self.due[i][slot] = None;
                    self.drive(i as NodeId + 1, |p, r, o| p.on_timer(timer, r, o));
                }
            }
        }
        self.deliver_all();
    }

    fn run_until(&mut self, end: Micros) {
        while self.next_due().is_some_and(|t| t <= end) {
            self.step();
        }
        self.now = end;
    }

    fn isolate(&mut self, id: NodeId) {
        for other in 1..=self.nodes.len() as NodeId {
            if other != id {
                self.cut.push((id, other));
                self.cut.push((other, id));
            }
        }
    }

    fn leaders(&self) -> Vec<NodeId> {
        self.nodes
            .iter()
            .filter(|n| n.role == Role::Leader)
            .map(|n| n.id)
            .collect()
    }

    fn node(&self, id: NodeId) -> &Node {
        &self.nodes[(id - 1) as usize]
    }

    /// Election safety and one vote per term, over the whole run.
    fn assert_safe(&self) {
        let mut leaders: Vec<(u64, NodeId)> = Vec::new();
        for (_, id, note) in &self.notes {
            if let Note::BecomeLeader { term, .. } = note {
                assert!(
                    !leaders.iter().any(|(t, l)| t == term && l != id),
                    "two leaders in term {term}: {leaders:?} and S{id}"
                );
                leaders.push((*term, *id));
            }
        }
        for (i, (voter, term, cand)) in self.votes.iter().enumerate() {
            for (v2, t2, c2) in &self.votes[..i] {
                assert!(
                    !(v2 == voter && t2 == term && c2 != cand),
                    "S{voter} voted twice in term {term}"
                );
            }
        }
    }
}

#[test]
fn validation_names_the_field_and_the_rule() {
    assert_eq!(Node::validate_config(&cfg()), Ok(()));
    let err = |c: Config| Node::validate_config(&c).unwrap_err();
    assert_eq!(
        err(Config {
            election_min: 0,
            ..cfg()
        })
        .field,
        "timings.electionMin"
    );
    let e = err(Config {
        election_max: 100 * MS,
        ..cfg()
    });
    assert_eq!(e.field, "timings.electionMax");
    assert!(e.rule.contains("timings.electionMin (150ms)"), "{}", e.rule);
    assert_eq!(
        err(Config {
            heartbeat_interval: 0,
            ..cfg()
        })
        .field,
        "timings.heartbeat"
    );
    let e = err(Config {
        election_max: 25 * 3_600_000 * MS,
        ..cfg()
    });
    assert_eq!(e.field, "timings.electionMax");
    assert!(e.rule.contains("24h"), "{}", e.rule);
    let e = err(Config {
        logs: vec![LogPos::default(), LogPos { index: 3, term: 0 }],
        ..cfg()
    });
    assert_eq!(e.field, "logs");
    assert!(e.rule.contains("S2"), "{}", e.rule);
    // 150-150 ms (no randomness) is a valid, if bad, choice: Figure 16's first line.
    assert_eq!(
        Node::validate_config(&Config {
            election_max: 150 * MS,
            ..cfg()
        }),
        Ok(())
    );
}

#[test]
fn election_timeout_is_drawn_in_the_inclusive_range_at_every_reset() {
    let mut n = node(1, 3, &cfg());
    let mut d = Draws::new(&[150_000]);
    let mut out = Out::default();
    n.start(&mut d, &mut out);
    assert_eq!(
        d.asked,
        vec![150_001],
        "uniform over [150 ms, 300 ms], both ends included"
    );
    assert_eq!(out.timers, vec![(Timer::Election, 300 * MS)]);
    // A heartbeat from the leader redraws.
    out.clear();
    d.script.push_back(81_500);
    n.on_message(2, heartbeat(0), &mut d, &mut out);
    assert_eq!(armed(&out, Timer::Election), Some(231_500));
    // No randomness at all for 150-150 ms.
    let fixed = Config {
        election_max: 150 * MS,
        ..cfg()
    };
    let mut n = node(1, 3, &fixed);
    let mut d = Draws::new(&[]);
    out.clear();
    n.start(&mut d, &mut out);
    assert_eq!(d.asked, vec![1]);
    assert_eq!(out.timers, vec![(Timer::Election, 150 * MS)]);
}

#[test]
fn a_follower_that_times_out_becomes_candidate_and_asks_everyone() {
    let config = Config {
        logs: vec![LogPos { index: 7, term: 2 }],
        ..cfg()
    };
    let mut n = node(1, 5, &config);
    assert_eq!(n.term, 2, "a term is never below the last log term");
    let mut d = Draws::new(&[0, 81_500]);
    let mut out = Out::default();
    n.start(&mut d, &mut out);
    out.clear();
    n.on_timer(Timer::Election, &mut d, &mut out);
    assert_eq!(
        (n.role, n.term, n.voted_for, n.leader),
        (Role::Candidate, 3, Some(1), None)
    );
    assert_eq!(out.votes, vec![(3, 1)]);
    assert_eq!(sent(&out), vec![(Dest::AllOthers, rv(3, 7, 2))]);
    assert_eq!(out.timers, vec![(Timer::Election, 231_500)]);
    assert_eq!(n.granted_count(), 1, "its own vote");
}

#[test]
fn a_candidate_whose_log_is_behind_is_refused() {
    // The voter's log ends at index 5, term 2 (§5.4.1).
    let config = Config {
        logs: vec![LogPos::default(), LogPos { index: 5, term: 2 }],
        ..cfg()
    };
    let cases = [
        (LogPos { index: 4, term: 2 }, false), // same last term, shorter
        (LogPos { index: 9, term: 1 }, false), // longer, older last term
        (LogPos { index: 5, term: 2 }, true),  // identical
        (LogPos { index: 3, term: 3 }, true),  // shorter, newer last term
    ];
    for (cand, ok) in cases {
        let mut voter = node(2, 3, &config);
        let mut d = Draws::new(&[]);
        let mut out = Out::default();
        voter.on_message(1, rv(4, cand.index, cand.term), &mut d, &mut out);
        assert_eq!(voter.term, 4, "the higher term is adopted either way");
        assert_eq!(
            sent(&out),
            vec![(
                Dest::To(1),
                Message::RequestVoteReply {
                    term: 4,
                    granted: ok,
                    pre_vote: false
                }
            )],
            "candidate log {cand:?}"
        );
        if ok {
            assert_eq!(
                (voter.voted_for, out.votes.clone()),
                (Some(1), vec![(4, 1)])
            );
            assert!(
                armed(&out, Timer::Election).is_some(),
                "granting resets the election timer"
            );
        } else {
            assert_eq!((voter.voted_for, out.votes.clone()), (None, vec![]));
            assert!(
                out.timers.is_empty(),
                "a refusal does not reset the election timer"
            );
            assert!(matches!(
                out.notes.last(),
                Some(Note::RequestVote {
                    refusal: Some(Refusal::LogNotUpToDate { .. }),
                    ..
                })
            ));
        }
    }
}

#[test]
fn one_vote_per_term() {
    let mut n = node(2, 3, &cfg());
    n.term = 2;
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.on_message(1, rv(2, 0, 0), &mut d, &mut out);
    assert_eq!(n.voted_for, Some(1));
    n.on_message(3, rv(2, 0, 0), &mut d, &mut out);
    assert_eq!(n.voted_for, Some(1));
    assert!(matches!(
        out.notes.last(),
        Some(Note::RequestVote {
            from: 3,
            refusal: Some(Refusal::AlreadyVoted { voted_for: 1 }),
            ..
        })
    ));
    // The same candidate asking again (a duplicate) is granted again, no second vote recorded.
    n.on_message(1, rv(2, 0, 0), &mut d, &mut out);
    let grants: Vec<bool> = out
        .messages
        .iter()
        .map(|(_, m)| m.granted().unwrap())
        .collect();
    assert_eq!(grants, vec![true, false, true]);
    assert_eq!(out.votes, vec![(2, 1)]);
    // A new term frees the vote.
    out.clear();
    n.on_message(3, rv(3, 0, 0), &mut d, &mut out);
    assert_eq!((n.term, n.voted_for), (3, Some(3)));
    assert_eq!(out.votes, vec![(3, 3)]);
}

#[test]
fn a_majority_elects_and_the_leader_heartbeats_every_interval() {
    // S1 times out first (150 ms), S2 at 250 ms, S3 at 300 ms; later draws are 0.
    let mut net = Net::new(3, &cfg(), Box::new(Draws::new(&[0, 100_000, 150_000])));
    net.run_until(150 * MS);
    assert_eq!(net.leaders(), vec![1]);
    assert_eq!(net.node(1).term, 1);
    assert_eq!(net.node(2).status().leader, Some(1));
    assert_eq!(net.node(3).status().vote_for, Some(1));
    net.run_until(1_150 * MS);
    let beats: Vec<Micros> = net
        .sent
        .iter()
        .filter(|(_, from, to, m)| {
            *from == 1 && *to == 2 && matches!(m, Message::AppendEntries { .. })
        })
        .map(|(t, ..)| *t)
        .collect();
    assert_eq!(beats.len(), 21, "150 ms .. 1150 ms every 50 ms");
    assert!(
        beats.windows(2).all(|w| w[1] - w[0] == 50 * MS),
        "{beats:?}"
    );
    assert_eq!(net.leaders(), vec![1]);
    assert!(
        net.nodes.iter().all(|n| n.term == 1),
        "no follower timed out between heartbeats"
    );
    net.assert_safe();
}

#[test]
fn a_split_vote_retries_with_a_higher_term() {
    // S1 and S2 time out together at 150 ms; S3 only hears S1, S4 only hears S2.
    let draws = [0, 0, 150_000, 150_000, 10_000, 50_000, 150_000, 150_000];
    let mut net = Net::new(4, &cfg(), Box::new(Draws::new(&draws)));
    net.cut = vec![(1, 4), (2, 3)];
    net.run_until(150 * MS);
    assert!(net.leaders().is_empty());
    for id in [1, 2] {
        let n = net.node(id);
        assert_eq!(
            (n.role, n.term, n.granted_count()),
            (Role::Candidate, 1, 2),
            "S{id}: 2 of 3 needed"
        );
    }
    net.cut.clear();
    // S1 drew 160 ms, S2 200 ms: S1 retries first, at term 2.
    net.run_until(310 * MS);
    assert_eq!(net.leaders(), vec![1]);
    assert_eq!(net.node(1).term, 2);
    assert!(net.nodes.iter().all(|n| n.term == 2 && n.leader == Some(1)));
    assert!(net
        .notes
        .iter()
        .all(|(_, _, n)| !matches!(n, Note::BecomeLeader { term: 1, .. })));
    net.assert_safe();
}

#[test]
fn a_higher_term_in_any_message_makes_a_leader_step_down() {
    let msgs = [
        rv(2, 0, 0),
        Message::RequestVoteReply {
            term: 2,
            granted: false,
            pre_vote: false,
        },
        Message::RequestVoteReply {
            term: 2,
            granted: false,
            pre_vote: true,
        },
        heartbeat(2),
        Message::AppendEntriesReply {
            term: 2,
            success: false,
            index: 0,
            hint: 0,
        },
    ];
    for msg in msgs {
        let mut n = leader3(&cfg());
        let mut d = Draws::new(&[]);
        let mut out = Out::default();
        n.on_message(3, msg.clone(), &mut d, &mut out);
        assert_eq!((n.role, n.term), (Role::Follower, 2), "{msg:?}");
        let is_beat = matches!(msg, Message::AppendEntries { .. });
        let is_vote = matches!(msg, Message::RequestVote { .. });
        assert_eq!(n.leader, if is_beat { Some(3) } else { None }, "{msg:?}");
        assert_eq!(n.voted_for, if is_vote { Some(3) } else { None }, "{msg:?}");
        assert!(
            out.cancels.contains(&Timer::Heartbeat),
            "heartbeats stop: {msg:?}"
        );
        assert!(
            armed(&out, Timer::Election).is_some(),
            "the election timer runs again: {msg:?}"
        );
        assert!(
            matches!(
                out.notes[0],
                Note::StepDown {
                    was: Role::Leader,
                    ..
                }
            ),
            "{msg:?}"
        );
    }
    // A pre-vote request carries term + 1 but changes nobody's term.
    let mut n = leader3(&cfg());
    let mut out = Out::default();
    n.on_message(3, pre(2, 0, 0), &mut Draws::new(&[]), &mut out);
    assert_eq!((n.role, n.term), (Role::Leader, 1));
    // A stale message changes nothing.
    out.clear();
    n.on_message(
        3,
        Message::RequestVoteReply {
            term: 0,
            granted: false,
            pre_vote: false,
        },
        &mut Draws::new(&[]),
        &mut out,
    );
    assert_eq!((n.role, n.term), (Role::Leader, 1));
    assert!(out.messages.is_empty() && out.notes.is_empty());
}

#[test]
fn stale_requests_are_answered_at_the_local_term() {
    let mut n = node(2, 3, &cfg());
    n.term = 5;
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.on_message(1, rv(4, 0, 0), &mut d, &mut out);
    n.on_message(3, heartbeat(3), &mut d, &mut out);
    assert_eq!(
        sent(&out),
        vec![
            (
                Dest::To(1),
                Message::RequestVoteReply {
                    term: 5,
                    granted: false,
                    pre_vote: false
                }
            ),
            (
                Dest::To(3),
                Message::AppendEntriesReply {
                    term: 5,
                    success: false,
                    index: 0,
                    hint: 0,
                }
            ),
        ]
    );
    assert_eq!((n.term, n.voted_for, n.leader), (5, None, None));
    assert!(
        out.timers.is_empty(),
        "a stale leader does not reset the election timer"
    );
}

#[test]
fn a_candidate_receiving_append_entries_of_its_term_steps_down() {
    for pre_vote in [false, true] {
        let mut n = node(1, 3, &Config { pre_vote, ..cfg() });
        let mut d = Draws::new(&[]);
        let mut out = Out::default();
        n.on_timer(Timer::Election, &mut d, &mut out);
        let role = if pre_vote {
            Role::PreCandidate
        } else {
            Role::Candidate
        };
        assert_eq!(n.role, role);
        let term = n.term;
        out.clear();
        n.on_message(2, heartbeat(term), &mut d, &mut out);
        assert_eq!((n.role, n.term, n.leader), (Role::Follower, term, Some(2)));
        assert_eq!(
            sent(&out),
            vec![(
                Dest::To(2),
                Message::AppendEntriesReply {
                    term,
                    success: true,
                    index: 0,
                    hint: 0,
                }
            )]
        );
        assert!(
            matches!(out.notes[0], Note::AppendEntries { was, new_leader: true, .. } if was == role)
        );
    }
}

#[test]
fn pre_vote_keeps_an_isolated_node_at_its_term() {
    let persisted = Persistent {
        term: 4,
        voted_for: None,
        log: None,
        snapshot: None,
    };
    let mut with = Node::new(
        3,
        5,
        &Config {
            pre_vote: true,
            ..cfg()
        },
        &persisted,
        &mut Draws::new(&[]),
    );
    let mut without = Node::new(3, 5, &cfg(), &persisted, &mut Draws::new(&[]));
    let mut d = Draws::new(&[]);
    for _ in 0..20 {
        let mut out = Out::default();
        with.on_timer(Timer::Election, &mut d, &mut out);
        assert_eq!(
            (with.role, with.term, with.voted_for),
            (Role::PreCandidate, 4, None)
        );
        assert!(out.votes.is_empty());
        assert_eq!(sent(&out), vec![(Dest::AllOthers, pre(5, 0, 0))]);
        assert!(armed(&out, Timer::Election).is_some(), "it keeps polling");
        without.on_timer(Timer::Election, &mut d, &mut Out::default());
    }
    assert_eq!(with.term, 4);
    assert_eq!(
        without.term, 24,
        "without Pre-Vote each timeout raises the term"
    );
}

#[test]
fn a_pre_vote_request_changes_neither_the_term_nor_the_vote_of_the_voter() {
    let config = Config {
        pre_vote: true,
        logs: vec![LogPos::default(), LogPos { index: 5, term: 2 }],
        ..cfg()
    };
    let mut n = Node::new(
        2,
        3,
        &config,
        &Persistent {
            term: 3,
            voted_for: Some(2),
            log: None,
            snapshot: None,
        },
        &mut Draws::new(&[]),
    );
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.on_message(1, pre(4, 5, 2), &mut d, &mut out);
    assert_eq!(
        sent(&out),
        vec![(
            Dest::To(1),
            Message::RequestVoteReply {
                term: 4,
                granted: true,
                pre_vote: true
            }
        )]
    );
    assert_eq!((n.term, n.voted_for), (3, Some(2)));
    assert!(
        out.votes.is_empty() && out.timers.is_empty(),
        "no vote recorded, no timer reset"
    );
    // Behind log, or a term that is not above ours: refused at the local term.
    out.clear();
    n.on_message(1, pre(4, 4, 2), &mut d, &mut out);
    n.on_message(1, pre(3, 9, 9), &mut d, &mut out);
    let refusal = Message::RequestVoteReply {
        term: 3,
        granted: false,
        pre_vote: true,
    };
    assert_eq!(
        sent(&out),
        vec![(Dest::To(1), refusal.clone()), (Dest::To(1), refusal)]
    );
    assert_eq!((n.term, n.voted_for), (3, Some(2)));
}

#[test]
fn a_pre_vote_majority_starts_the_real_election_and_a_refused_one_ends_it() {
    let config = Config {
        pre_vote: true,
        ..cfg()
    };
    let mut net = Net::new(3, &config, Box::new(Draws::new(&[0, 100_000, 150_000])));
    net.run_until(150 * MS);
    assert_eq!(net.leaders(), vec![1]);
    assert_eq!(net.node(1).term, 1, "the pre-vote itself raised no term");
    let kinds: Vec<MessageKind> = net
        .sent
        .iter()
        .filter(|(_, from, to, _)| *from == 1 && *to == 2)
        .map(|(_, _, _, m)| m.kind())
        .collect();
    assert_eq!(
        kinds,
        vec![
            MessageKind::PreVoteRequest,
            MessageKind::VoteRequest,
            MessageKind::Beat
        ]
    );
    net.assert_safe();
    // Two refusals out of three: back to follower, the election timer untouched.
    let mut n = node(1, 3, &config);
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.on_timer(Timer::Election, &mut d, &mut out);
    out.clear();
    let no = Message::RequestVoteReply {
        term: 0,
        granted: false,
        pre_vote: true,
    };
    n.on_message(2, no.clone(), &mut d, &mut out);
    assert_eq!(
        n.role,
        Role::PreCandidate,
        "1 refused, 1 granted (self): undecided"
    );
    n.on_message(3, no, &mut d, &mut out);
    assert_eq!((n.role, n.term), (Role::Follower, 0));
    assert!(out.timers.is_empty() && out.cancels.is_empty());
}

#[test]
fn check_quorum_a_leader_that_hears_from_nobody_steps_down_after_election_min() {
    let config = Config {
        check_quorum: true,
        ..cfg()
    };
    let mut n = node(1, 3, &config);
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.on_timer(Timer::Election, &mut d, &mut out);
    out.clear();
    n.on_message(2, grant(1), &mut d, &mut out);
    assert_eq!(n.role, Role::Leader);
    assert_eq!(
        armed(&out, Timer::Election),
        Some(150 * MS),
        "quorum check every election_min"
    );
    // S2 answered a heartbeat: 2 of 3 heard, stays leader.
    out.clear();
    n.on_message(
        2,
        Message::AppendEntriesReply {
            term: 1,
            success: true,
            index: 0,
            hint: 0,
        },
        &mut d,
        &mut out,
    );
    n.on_timer(Timer::Election, &mut d, &mut out);
    assert_eq!(n.role, Role::Leader);
    assert_eq!(out.timers, vec![(Timer::Election, 150 * MS)]);
    // Then nobody for a whole period.
    out.clear();
    d.script.push_back(50_000);
    n.on_timer(Timer::Election, &mut d, &mut out);
    assert_eq!((n.role, n.term, n.leader), (Role::Follower, 1, None));
    assert!(out.cancels.contains(&Timer::Heartbeat));
    assert_eq!(out.timers, vec![(Timer::Election, 200 * MS)]);
    assert!(matches!(
        out.notes[0],
        Note::StepDown {
            reason: StepDownReason::QuorumLost {
                active: 1,
                needed: 2
            },
            ..
        }
    ));

    // In a cluster: cut S1 off at 310 ms; its checks run at 300, 450, 600 ms.
    let mut net = Net::new(3, &config, Box::new(Draws::new(&[0, 100_000, 150_000])));
    net.run_until(310 * MS);
    assert_eq!(net.leaders(), vec![1]);
    net.isolate(1);
    net.run_until(599 * MS);
    assert_eq!(
        net.node(1).role,
        Role::Leader,
        "S2's reply to the 300 ms heartbeat still counts at 450 ms"
    );
    net.run_until(600 * MS);
    assert_eq!(net.node(1).role, Role::Follower);
    assert_eq!(net.node(1).term, 1);

    // Without CheckQuorum the cut-off leader stays leader forever.
    let mut net = Net::new(3, &cfg(), Box::new(Draws::new(&[0, 100_000, 150_000])));
    net.run_until(310 * MS);
    net.isolate(1);
    net.run_until(5_000 * MS);
    assert_eq!(net.node(1).role, Role::Leader);
}

#[test]
fn check_quorum_lease_a_follower_that_just_heard_its_leader_ignores_higher_term_requests() {
    let config = Config {
        check_quorum: true,
        ..cfg()
    };
    let mut n = node(2, 3, &config);
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.on_message(1, heartbeat(1), &mut d, &mut out);
    assert_eq!(
        armed(&out, Timer::Heartbeat),
        Some(150 * MS),
        "the lease runs election_min"
    );
    for msg in [rv(2, 0, 0), pre(2, 0, 0)] {
        out.clear();
        n.on_message(3, msg.clone(), &mut d, &mut out);
        assert!(out.messages.is_empty(), "no reply: {msg:?}");
        assert_eq!((n.term, n.voted_for, n.leader), (1, None, Some(1)));
        assert!(matches!(
            out.notes[0],
            Note::RequestVote {
                refusal: Some(Refusal::InLease { leader: 1 }),
                ..
            }
        ));
    }
    // The lease runs out: the same request now wins the vote.
    out.clear();
    n.on_timer(Timer::Heartbeat, &mut d, &mut out);
    assert!(matches!(
        out.notes[0],
        Note::LeaseExpired {
            leader: Some(1),
            ..
        }
    ));
    out.clear();
    n.on_message(3, rv(2, 0, 0), &mut d, &mut out);
    assert_eq!((n.term, n.voted_for), (2, Some(3)));
    assert_eq!(sent(&out), vec![(Dest::To(3), grant(2))]);

    // Without CheckQuorum there is no lease.
    let mut n = node(2, 3, &cfg());
    out.clear();
    n.on_message(1, heartbeat(1), &mut d, &mut out);
    assert_eq!(armed(&out, Timer::Heartbeat), None);
    n.on_message(3, rv(2, 0, 0), &mut d, &mut out);
    assert_eq!((n.term, n.voted_for), (2, Some(3)));

    // etcd: the leader itself is in lease.
    let mut l = leader3(&config);
    out.clear();
    l.on_message(3, rv(2, 0, 0), &mut d, &mut out);
    assert_eq!((l.role, l.term), (Role::Leader, 1));
    assert!(out.messages.is_empty());
}

#[test]
fn a_restart_keeps_term_vote_and_log() {
    let config = Config {
        logs: vec![LogPos { index: 7, term: 3 }],
        ..cfg()
    };
    let mut n = node(1, 3, &config);
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.on_message(2, rv(4, 7, 3), &mut d, &mut out);
    let saved = n.persistent();
    assert_eq!((saved.term, saved.voted_for), (4, Some(2)));
    assert_eq!(
        saved.log.as_ref().map(|l| l.last()),
        Some(LogPos { index: 7, term: 3 })
    );
    // Rebooted with a config that no longer names the log: the persisted one wins.
    let mut n = Node::new(1, 3, &cfg(), &saved, &mut d);
    assert_eq!(
        n.status(),
        Status {
            role: Role::Follower,
            term: 4,
            vote_for: Some(2),
            leader: None
        }
    );
    out.clear();
    n.on_message(3, rv(4, 8, 3), &mut d, &mut out);
    n.on_message(3, rv(5, 6, 3), &mut d, &mut out);
    let refusals: Vec<Option<Refusal>> = out
        .notes
        .iter()
        .filter_map(|n| match n {
            Note::RequestVote { refusal, .. } => Some(*refusal),
            _ => None,
        })
        .collect();
    assert_eq!(
        refusals,
        vec![
            Some(Refusal::AlreadyVoted { voted_for: 2 }),
            Some(Refusal::LogNotUpToDate {
                ours: LogPos { index: 7, term: 3 }
            })
        ]
    );
}

#[test]
fn a_single_node_cluster_elects_itself_at_once() {
    for pre_vote in [false, true] {
        let mut n = node(1, 1, &Config { pre_vote, ..cfg() });
        let mut d = Draws::new(&[]);
        let mut out = Out::default();
        n.on_timer(Timer::Election, &mut d, &mut out);
        assert_eq!((n.role, n.term, n.leader), (Role::Leader, 1, Some(1)));
        assert_eq!(out.votes, vec![(1, 1)]);
        // The election timer armed on the way is cancelled, not left armed:
        // the driver applies cancels first, so both must not be requested.
        assert_eq!(out.timers, vec![(Timer::Heartbeat, 50 * MS)]);
        assert_eq!(out.cancels, vec![Timer::Election]);
    }
}

#[test]
fn a_forced_timeout_on_a_leader_starts_an_election_at_the_next_term() {
    let mut n = leader3(&cfg());
    let mut d = Draws::new(&[]);
    let mut out = Out::default();
    n.force_timeout(&mut d, &mut out);
    assert_eq!(
        (n.role, n.term, n.voted_for, n.leader),
        (Role::Candidate, 2, Some(1), None)
    );
    assert!(out.cancels.contains(&Timer::Heartbeat));
    assert!(armed(&out, Timer::Election).is_some());
    assert_eq!(sent(&out), vec![(Dest::AllOthers, rv(2, 0, 0))]);
    assert!(matches!(
        out.notes[0],
        Note::ElectionTimeout {
            forced: true,
            was: Role::Leader,
            ..
        }
    ));
}

#[test]
fn a_healed_stale_leader_steps_down() {
    for seed in 1..=20 {
        let mut net = Net::new(5, &cfg(), Box::new(Lcg(seed)));
        net.run_until(1_000 * MS);
        let old = net.leaders();
        assert_eq!(old.len(), 1, "seed {seed}");
        let old = old[0];
        let old_term = net.node(old).term;
        net.isolate(old);
        net.run_until(3_000 * MS);
        let now: Vec<NodeId> = net.leaders().into_iter().filter(|l| *l != old).collect();
        assert_eq!(
            now.len(),
            1,
            "seed {seed}: the majority side elects a new leader"
        );
        let new = now[0];
        assert!(net.node(new).term > old_term);
        assert_eq!(
            net.node(old).role,
            Role::Leader,
            "seed {seed}: the cut-off leader does not know"
        );
        net.cut.clear();
        net.run_until(3_100 * MS);
        assert_eq!(net.leaders(), vec![new], "seed {seed}");
        assert_eq!(net.node(old).leader, Some(new));
        assert_eq!(net.node(old).term, net.node(new).term);
        net.assert_safe();
    }
}

#[test]
fn elections_stay_safe_under_random_timeouts_partitions_and_options() {
    for seed in 1..=40u64 {
        let config = Config {
            pre_vote: seed % 2 == 0,
            check_quorum: seed % 3 == 0,
            election_max: if seed % 5 == 0 { 151 * MS } else { 300 * MS },
            logs: vec![
                LogPos { index: 5, term: 2 },
                LogPos { index: 5, term: 2 },
                LogPos { index: 4, term: 2 },
                LogPos { index: 4, term: 2 },
                LogPos { index: 5, term: 2 },
            ],
            ..cfg()
        };
        let mut net = Net::new(5, &config, Box::new(Lcg(seed)));
        let mut chaos = Lcg(seed ^ 0xabcdef);
        for round in 0..10 {
            net.cut.clear();
            if round % 2 == 1 {
                net.isolate(chaos.below(5) as NodeId + 1);
            }
            let end = net.now + 700 * MS;
            net.run_until(end);
        }
        net.cut.clear();
        let end = net.now + 5_000 * MS;
        net.run_until(end);
        net.assert_safe();
        let leaders = net.leaders();
        assert_eq!(leaders.len(), 1, "seed {seed}: {config:?}");
        assert!(
            ![3, 4].contains(&leaders[0]),
            "seed {seed}: S3 and S4 have shorter logs and cannot win"
        );
        let term = net.node(leaders[0]).term;
        assert!(
            net.nodes
                .iter()
                .all(|n| n.term == term && n.leader == Some(leaders[0])),
            "seed {seed}"
        );
    }
}

#[test]
fn countdowns_follow_the_role() {
    let due = |t: Timer| {
        Some(if t == Timer::Election {
            120 * MS
        } else {
            30 * MS
        })
    };
    let f = node(2, 3, &cfg());
    assert_eq!(
        f.countdowns(&due),
        Countdowns {
            leader_due: Some(120 * MS),
            heartbeat_due: None
        }
    );
    let l = leader3(&cfg());
    assert_eq!(
        l.countdowns(&due),
        Countdowns {
            leader_due: None,
            heartbeat_due: Some(30 * MS)
        }
    );
    let l = leader3(&Config {
        check_quorum: true,
        ..cfg()
    });
    assert_eq!(
        l.countdowns(&due),
        Countdowns {
            leader_due: Some(120 * MS),
            heartbeat_due: Some(30 * MS)
        }
    );
    let none = |_: Timer| None;
    assert_eq!(f.countdowns(&none), Countdowns::default());
}

#[test]
fn fields_use_the_papers_names() {
    let mut n = node(
        1,
        5,
        &Config {
            logs: vec![LogPos { index: 9, term: 4 }],
            ..cfg()
        },
    );
    let names = |n: &Node| n.fields().iter().map(|(k, _)| *k).collect::<Vec<_>>();
    assert_eq!(
        names(&n),
        vec![
            "currentTerm",
            "votedFor",
            "state",
            "leader",
            "lastLogIndex",
            "lastLogTerm",
            "commitIndex",
            "lastApplied",
            "datums",
            "electionTimeoutMs",
            "preVote",
            "checkQuorum"
        ]
    );
    let mut d = Draws::new(&[81_500]);
    n.on_timer(Timer::Election, &mut d, &mut Out::default());
    let fields = n.fields();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("currentTerm"), "5");
    assert_eq!(get("votedFor"), "S1");
    assert_eq!(get("state"), "CANDIDATE");
    assert_eq!(get("votesGranted"), "1 of 3 needed: S1");
    assert_eq!(get("electionTimeoutMs"), "231.5");
    assert_eq!(get("lastLogIndex"), "9");
    // Replies name their voters: a split vote reads off the candidate.
    for (from, granted) in [(4, false), (3, true)] {
        n.on_message(
            from,
            Message::RequestVoteReply {
                term: 5,
                granted,
                pre_vote: false,
            },
            &mut d,
            &mut Out::default(),
        );
    }
    let votes = n
        .fields()
        .into_iter()
        .find(|(k, _)| *k == "votesGranted")
        .map(|(_, v)| v);
    assert_eq!(
        votes.as_deref(),
        Some("2 of 3 needed: S1, S3 (refused: S4)")
    );
}

#[test]
fn notes_read_like_the_paper() {
    let text = |n: &Note| {
        let mut s = String::new();
        n.write_text(&mut s);
        s
    };
    let json = |n: &Note| {
        let mut s = String::new();
        n.write_json(&mut s);
        s
    };
    let granted = Note::RequestVote {
        from: 3,
        pre_vote: false,
        term: 4,
        last_log: LogPos { index: 5, term: 2 },
        refusal: None,
        timeout: Some(231_500),
    };
    assert_eq!(granted.name(), "requestVote");
    assert_eq!(granted.category(), "election");
    assert_eq!(
        text(&granted),
        "from S3 (term 4, last log index 5 term 2) → granted, election timeout reset 231.5 ms"
    );
    assert_eq!(
        json(&granted),
        ",\"from\":3,\"preVote\":false,\"candidateTerm\":4,\"lastLogIndex\":5,\"lastLogTerm\":2,\"granted\":true,\"replied\":true,\"electionTimeoutMs\":231.5"
    );
    let beat = Note::AppendEntries {
        from: 1,
        term: 4,
        was: Role::Follower,
        new_leader: false,
        timeout: 160_000,
        received: 0,
        appended: 0,
        truncated: 0,
        commit: None,
    };
    assert_eq!(
        text(&beat),
        "from S1 (term 4) → success, election timeout reset 160 ms"
    );
    assert_eq!(
        (beat.name(), beat.category(), beat.routine()),
        ("appendEntries", "beat", true)
    );
    let down = Note::StepDown {
        was: Role::Leader,
        term: 5,
        reason: StepDownReason::HigherTerm {
            from: 2,
            kind: MessageKind::BeatReply,
            term: 5,
            old_term: 4,
        },
        timeout: None,
    };
    assert_eq!(
        text(&down),
        "term 5 from S2 (beat-reply) > local term 4 → FOLLOWER at term 5 (was LEADER), votedFor none"
    );
    assert!(!down.routine());
    let timeout = Note::ElectionTimeout {
        forced: false,
        was: Role::Follower,
        pre_vote: true,
        term: 5,
        timeout: 150_000,
        forgot_leader: Some(1),
    };
    assert_eq!(
        text(&timeout),
        "election timeout (was FOLLOWER, forgets leader S1) → PRE_CANDIDATE at term 4, PreVote for term 5 to all; election timeout 150 ms"
    );
    assert!(json(&timeout).contains("\"proposedTerm\":5"));
}
