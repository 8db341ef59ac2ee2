//! One Raft server's election state machine: timeouts, (pre-)votes,
//! heartbeats, CheckQuorum and stepping down.

use super::log::{base_chain, Log, SharedSnapshot, Snapshot, StateMachine};
use super::note::{id_text, ms};
use super::{Config, LogPos, Message, Note, Poll, Refusal, StepDownReason, Timer};
use crate::error::Error;
use crate::protocol::data::{ClientRequest, Datum, OpId, Store};
use crate::protocol::{
    Countdowns, Entropy, Field, MessageInfo, MessageKind, Micros, NodeId, Protocol, Ready, Role,
    Status,
};
use std::collections::VecDeque;
use std::rc::Rc;

/// What a restart keeps: Raft persists currentTerm, votedFor, the log and
/// the last snapshot.
#[derive(Clone, Debug, Default)]
pub struct Persistent {
    pub term: u64,
    pub voted_for: Option<NodeId>,
    /// `None` on first boot: the log then starts at [`Config::logs`].
    pub log: Option<Log>,
    pub snapshot: Option<SharedSnapshot>,
}

/// One Raft server's election state.
#[derive(Clone, Debug)]
pub struct Node {
    pub(super) id: NodeId,
    pub(super) cluster_size: u32,
    pub(super) config: Config,
    // Persistent state (Figure 2).
    pub(super) term: u64,
    pub(super) voted_for: Option<NodeId>,
    pub(super) log: Log,
    /// The state machine as of the last snapshot (persisted with the log).
    pub(super) snapshot: SharedSnapshot,
    // Volatile state.
    pub(super) commit: u64,
    pub(super) applied: u64,
    pub(super) machine: StateMachine,
    /// On a leader, by peer id - 1: the next index to send, the highest known to match.
    pub(super) next: Vec<u64>,
    pub(super) matched: Vec<u64>,
    /// On a leader: (index, op) of the client commands it appended, awaiting commit.
    pub(super) pending: VecDeque<(u64, OpId)>,
    /// The index last noted as waiting for an entry of this term (Figure 8).
    pub(super) commit_wait: u64,
    pub(super) role: Role,
    pub(super) leader: Option<NodeId>,
    /// Replies in the current (pre-)election, by voter id - 1: None = no answer yet.
    pub(super) votes: Vec<Option<bool>>,
    /// CheckQuorum on a leader: peers heard from since the last check, by id - 1.
    pub(super) recent_active: Vec<bool>,
    /// CheckQuorum on a follower: the lease timer (the Heartbeat slot) is
    /// running, i.e. the leader's last AppendEntries is less than election_min old.
    pub(super) lease: bool,
    /// The election timeout drawn last.
    pub(super) election_timeout: Micros,
}

pub type Out = Ready<Message, Timer, Note>;

/// Arms `timer`, overriding any arm or cancel of it requested earlier in
/// this call (the driver applies cancels before arms).
fn arm(out: &mut Out, timer: Timer, after: Micros) {
    out.cancels.retain(|t| *t != timer);
    out.timers.retain(|(t, _)| *t != timer);
    out.set_timer(timer, after);
}

/// Disarms `timer`, overriding any arm of it requested earlier in this call.
fn disarm(out: &mut Out, timer: Timer) {
    out.timers.retain(|(t, _)| *t != timer);
    if !out.cancels.contains(&timer) {
        out.cancel_timer(timer);
    }
}

impl Node {
    /// The log, for views and expectations.
    pub fn log(&self) -> &Log {
        &self.log
    }
    pub fn commit_index(&self) -> u64 {
        self.commit
    }
    pub fn last_applied(&self) -> u64 {
        self.applied
    }
    /// The last snapshot's position.
    pub fn snapshot_pos(&self) -> LogPos {
        self.snapshot.pos
    }

    pub(super) fn majority(&self) -> u32 {
        self.cluster_size / 2 + 1
    }

    pub(super) fn slot(id: NodeId) -> usize {
        id.wrapping_sub(1) as usize
    }

    pub(super) fn granted_count(&self) -> u32 {
        self.votes.iter().filter(|v| **v == Some(true)).count() as u32
    }

    fn refused_count(&self) -> u32 {
        self.votes.iter().filter(|v| **v == Some(false)).count() as u32
    }

    /// Starts a new poll with this node's own vote in it.
    fn reset_votes(&mut self) {
        self.votes.iter_mut().for_each(|v| *v = None);
        if let Some(v) = self.votes.get_mut(Self::slot(self.id)) {
            *v = Some(true);
        }
    }

    /// Draws a fresh timeout in `[election_min, election_max]` and arms the election timer.
    fn reset_election_timer(&mut self, rng: &mut dyn Entropy, out: &mut Out) -> Micros {
        let span = self
            .config
            .election_max
            .saturating_sub(self.config.election_min);
        let timeout = self.config.election_min + rng.below(span + 1);
        self.election_timeout = timeout;
        arm(out, Timer::Election, timeout);
        timeout
    }

    /// CheckQuorum's lease: a follower that heard from its leader less than
    /// election_min ago, or the leader itself (etcd: `lead != None &&
    /// electionElapsed < electionTimeout`, which always holds on a leader).
    fn in_lease(&self) -> Option<NodeId> {
        if !self.config.check_quorum {
            return None;
        }
        match self.role {
            Role::Leader => Some(self.id),
            Role::Follower if self.lease => self.leader,
            _ => None,
        }
    }

    fn end_lease(&mut self, out: &mut Out) {
        if self.lease {
            self.lease = false;
            disarm(out, Timer::Heartbeat);
        }
    }

    fn request_vote(&self, term: u64, pre_vote: bool) -> Message {
        let last = self.log.last();
        Message::RequestVote {
            term,
            last_log_index: last.index,
            last_log_term: last.term,
            pre_vote,
        }
    }

    /// The election timer fired (or was forced): start a (pre-)election at
    /// term + 1, from any role.
    fn election_timeout(&mut self, forced: bool, rng: &mut dyn Entropy, out: &mut Out) {
        let was = self.role;
        if was == Role::Leader {
            disarm(out, Timer::Heartbeat);
            self.fail_pending(out);
        }
        self.end_lease(out);
        let forgot_leader = self.leader.take().filter(|l| *l != self.id);
        self.reset_votes();
        let timeout = self.reset_election_timer(rng, out);
        if self.config.pre_vote {
            // etcd's becomePreCandidate: neither the term nor the vote changes.
            self.role = Role::PreCandidate;
            let term = self.term + 1;
            out.note(Note::ElectionTimeout {
                forced,
                was,
                pre_vote: true,
                term,
                timeout,
                forgot_leader,
            });
            out.broadcast(self.request_vote(term, true));
            if self.granted_count() >= self.majority() {
                self.start_election(rng, out);
            }
        } else {
            self.become_candidate();
            out.vote(self.term, self.id);
            out.note(Note::ElectionTimeout {
                forced,
                was,
                pre_vote: false,
                term: self.term,
                timeout,
                forgot_leader,
            });
            out.broadcast(self.request_vote(self.term, false));
            if self.granted_count() >= self.majority() {
                self.become_leader(out);
            }
        }
    }

    fn become_candidate(&mut self) {
        self.role = Role::Candidate;
        self.term += 1;
        self.voted_for = Some(self.id);
        self.leader = None;
        self.reset_votes();
    }

    /// Pre-Vote won: the real election, with a fresh timeout.
    fn start_election(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        self.become_candidate();
        out.vote(self.term, self.id);
        let timeout = self.reset_election_timer(rng, out);
        out.note(Note::StartElection {
            term: self.term,
            timeout,
        });
        out.broadcast(self.request_vote(self.term, false));
        if self.granted_count() >= self.majority() {
            self.become_leader(out);
        }
    }

    fn become_leader(&mut self, out: &mut Out) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.end_lease(out);
        self.recent_active.iter_mut().for_each(|a| *a = false);
        self.reset_progress();
        if self.config.check_quorum {
            arm(out, Timer::Election, self.config.election_min);
        } else {
            disarm(out, Timer::Election);
        }
        out.note(Note::BecomeLeader {
            term: self.term,
            votes: self.granted_count(),
            needed: self.majority(),
        });
        self.send_heartbeat(out);
    }

    /// The heartbeat: an AppendEntries to every peer, carrying what it
    /// lacks (usually nothing) and the commit index.
    fn send_heartbeat(&mut self, out: &mut Out) {
        let next = self.config.heartbeat_interval;
        let at = out.notes.len();
        let mut entries = 0;
        for p in 1..=self.cluster_size {
            if p != self.id {
                entries += self.send_append(p, out) as u64;
            }
        }
        let note = Note::SendHeartbeat {
            term: self.term,
            peers: self.cluster_size.saturating_sub(1),
            next,
            entries,
            commit: self.commit,
        };
        // Before the snapshot notes send_append may have made.
        if out.keep_notes {
            out.notes.insert(at, note);
        }
        arm(out, Timer::Heartbeat, next);
    }

    /// CheckQuorum on the leader, every election_min.
    fn check_quorum(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        let me = Self::slot(self.id);
        let active = 1 + self
            .recent_active
            .iter()
            .enumerate()
            .filter(|(i, a)| **a && *i != me)
            .count() as u32;
        self.recent_active.iter_mut().for_each(|a| *a = false);
        let needed = self.majority();
        let period = self.config.election_min;
        if active >= needed {
            out.note(Note::CheckQuorum {
                active,
                needed,
                period,
            });
            arm(out, Timer::Election, period);
            return;
        }
        // etcd: becomeFollower(r.Term, None).
        self.role = Role::Follower;
        self.leader = None;
        self.fail_pending(out);
        disarm(out, Timer::Heartbeat);
        let timeout = self.reset_election_timer(rng, out);
        out.note(Note::StepDown {
            was: Role::Leader,
            term: self.term,
            reason: StepDownReason::QuorumLost { active, needed },
            timeout: Some(timeout),
        });
    }

    /// A message with a higher term: follower at that term, votedFor none,
    /// no known leader (an AppendEntries then sets its sender as leader in
    /// its own handler). Only a former leader, whose election timer was off
    /// or checking quorum, re-arms the election timer here, unless the
    /// message is an AppendEntries, whose handler re-arms it anyway.
    fn step_down(
        &mut self,
        from: NodeId,
        kind: MessageKind,
        term: u64,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let was = self.role;
        let old_term = self.term;
        self.term = term;
        self.voted_for = None;
        self.role = Role::Follower;
        self.end_lease(out);
        self.leader = None;
        let mut timeout = None;
        if was == Role::Leader {
            disarm(out, Timer::Heartbeat);
            self.fail_pending(out);
            if kind != MessageKind::Beat {
                timeout = Some(self.reset_election_timer(rng, out));
            }
        }
        out.note(Note::StepDown {
            was,
            term,
            reason: StepDownReason::HigherTerm {
                from,
                kind,
                term,
                old_term,
            },
            timeout,
        });
    }

    fn handle_request_vote(
        &mut self,
        from: NodeId,
        term: u64,
        cand: LogPos,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let refusal = if term < self.term {
            Some(Refusal::StaleTerm {
                local_term: self.term,
            })
        } else if let Some(v) = self.voted_for.filter(|v| *v != from) {
            Some(Refusal::AlreadyVoted { voted_for: v })
        } else if !cand.at_least_as_up_to_date_as(self.log.last()) {
            Some(Refusal::LogNotUpToDate {
                ours: self.log.last(),
            })
        } else {
            None
        };
        let mut timeout = None;
        if refusal.is_none() {
            if self.voted_for != Some(from) {
                self.voted_for = Some(from);
                out.vote(self.term, from);
            }
            timeout = Some(self.reset_election_timer(rng, out));
        }
        out.note(Note::RequestVote {
            from,
            pre_vote: false,
            term,
            last_log: cand,
            refusal,
            timeout,
        });
        out.send(
            from,
            Message::RequestVoteReply {
                term: self.term,
                granted: refusal.is_none(),
                pre_vote: false,
            },
        );
    }

    fn handle_pre_vote(&mut self, from: NodeId, term: u64, cand: LogPos, out: &mut Out) {
        let refusal = if term <= self.term {
            Some(Refusal::StaleTerm {
                local_term: self.term,
            })
        } else if !cand.at_least_as_up_to_date_as(self.log.last()) {
            Some(Refusal::LogNotUpToDate {
                ours: self.log.last(),
            })
        } else {
            None
        };
        let granted = refusal.is_none();
        out.note(Note::RequestVote {
            from,
            pre_vote: true,
            term,
            last_log: cand,
            refusal,
            timeout: None,
        });
        let reply_term = if granted { term } else { self.term };
        out.send(
            from,
            Message::RequestVoteReply {
                term: reply_term,
                granted,
                pre_vote: true,
            },
        );
    }

    fn handle_vote_reply(
        &mut self,
        from: NodeId,
        term: u64,
        granted: bool,
        pre_vote: bool,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let current = if pre_vote {
            self.role == Role::PreCandidate
                && ((granted && term == self.term + 1) || (!granted && term == self.term))
        } else {
            self.role == Role::Candidate && term == self.term
        };
        if !current || from == self.id {
            return;
        }
        match self.votes.get_mut(Self::slot(from)) {
            Some(v @ None) => *v = Some(granted),
            _ => return, // a duplicate, or an unknown voter
        }
        let (votes, refused, needed) =
            (self.granted_count(), self.refused_count(), self.majority());
        let poll = if votes >= needed {
            Poll::Won
        } else if pre_vote && refused >= needed {
            Poll::Lost
        } else {
            Poll::Pending
        };
        out.note(Note::VoteReply {
            from,
            pre_vote,
            granted,
            votes,
            refused,
            needed,
            poll,
        });
        match (poll, pre_vote) {
            (Poll::Won, true) => self.start_election(rng, out),
            (Poll::Won, false) => self.become_leader(out),
            // etcd: becomeFollower(r.Term, None); the election timer keeps running.
            (Poll::Lost, _) => self.role = Role::Follower,
            (Poll::Pending, _) => {}
        }
    }

    fn handle_append_entries(
        &mut self,
        from: NodeId,
        msg: AppendEntries,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let term = msg.term;
        if term < self.term || self.role == Role::Leader {
            out.note(Note::AppendEntriesRejected {
                from,
                term,
                local_term: self.term,
            });
            out.send(
                from,
                Message::AppendEntriesReply {
                    term: self.term,
                    success: false,
                    index: 0,
                    hint: 0,
                },
            );
            return;
        }
        let was = self.role;
        let new_leader = self.follow(from, rng, out);
        let timeout = self.election_timeout;
        let received = msg.entries.len() as u32;
        let a = self.accept_entries(msg.prev, msg.entries, msg.commit, out);
        if a.success {
            out.note(Note::AppendEntries {
                from,
                term,
                was,
                new_leader,
                timeout,
                received,
                appended: a.appended,
                truncated: a.truncated,
                commit: a.commit,
            });
        } else {
            out.note(Note::AppendEntriesMismatch {
                from,
                prev: msg.prev,
                last: self.log.last(),
                hint: a.hint,
            });
        }
        out.send(
            from,
            Message::AppendEntriesReply {
                term: self.term,
                success: a.success,
                index: a.index,
                hint: a.hint,
            },
        );
    }

    /// A message from the current term's leader: follower, election timer
    /// reset, lease renewed.
    /// Returns whether the leader is new to this node.
    fn follow(&mut self, from: NodeId, rng: &mut dyn Entropy, out: &mut Out) -> bool {
        self.role = Role::Follower;
        let new_leader = self.leader != Some(from);
        if new_leader {
            self.end_lease(out);
            self.leader = Some(from);
        }
        self.reset_election_timer(rng, out);
        if self.config.check_quorum {
            self.lease = true;
            arm(out, Timer::Heartbeat, self.config.election_min);
        }
        new_leader
    }

    fn handle_install_snapshot(
        &mut self,
        from: NodeId,
        term: u64,
        snapshot: SharedSnapshot,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        if term < self.term || self.role == Role::Leader {
            out.note(Note::AppendEntriesRejected {
                from,
                term,
                local_term: self.term,
            });
            out.send(
                from,
                Message::InstallSnapshotReply {
                    term: self.term,
                    index: 0,
                },
            );
            return;
        }
        self.follow(from, rng, out);
        let index = self.install_snapshot(from, snapshot, out);
        out.send(
            from,
            Message::InstallSnapshotReply {
                term: self.term,
                index,
            },
        );
    }
}

/// An AppendEntries' fields, unpacked.
struct AppendEntries {
    term: u64,
    prev: LogPos,
    entries: Vec<super::log::Entry>,
    commit: u64,
}

impl Protocol for Node {
    type Config = Config;
    type Message = Message;
    type Timer = Timer;
    type Note = Note;
    type Persistent = Persistent;

    const NAME: &'static str = "raft";
    const SYNCS: bool = true;

    fn validate_config(c: &Config) -> Result<(), Error> {
        c.validate()
    }

    fn config_warnings(c: &Config, latency_max: Micros) -> Vec<String> {
        c.warnings(latency_max)
    }

    fn new(
        id: NodeId,
        cluster_size: u32,
        config: &Config,
        persisted: &Persistent,
        _rng: &mut dyn Entropy,
    ) -> Self {
        let (log, snapshot) = match (&persisted.log, &persisted.snapshot) {
            (Some(log), Some(snap)) => (log.clone(), snap.clone()),
            _ => {
                let base = config.log_of(id);
                let chain = base_chain(base);
                let snap = Snapshot {
                    pos: base,
                    chain,
                    machine: StateMachine::default(),
                };
                (Log::starting_at(base, chain, false), Rc::new(snap))
            }
        };
        // A restart recovers the state machine from the snapshot; the
        // entries after it are applied again as the commit index is learned.
        let machine = snapshot.machine.clone();
        let commit = snapshot.pos.index;
        let n = cluster_size as usize;
        Node {
            id,
            cluster_size,
            config: config.clone(),
            // A server's term is never below the term of its last entry.
            term: persisted.term.max(log.last().term),
            voted_for: persisted.voted_for,
            log,
            snapshot,
            commit,
            applied: commit,
            machine,
            next: vec![1; n],
            matched: vec![0; n],
            pending: VecDeque::new(),
            commit_wait: 0,
            role: Role::Follower,
            leader: None,
            votes: vec![None; cluster_size as usize],
            recent_active: vec![false; cluster_size as usize],
            lease: false,
            election_timeout: 0,
        }
    }

    fn start(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        self.reset_election_timer(rng, out);
    }

    fn on_timer(&mut self, timer: Timer, rng: &mut dyn Entropy, out: &mut Out) {
        match (timer, self.role) {
            (Timer::Election, Role::Leader) => {
                if self.config.check_quorum {
                    self.check_quorum(rng, out);
                }
            }
            (Timer::Election, _) => self.election_timeout(false, rng, out),
            (Timer::Heartbeat, Role::Leader) => self.send_heartbeat(out),
            (Timer::Heartbeat, _) => {
                if self.lease {
                    self.lease = false;
                    out.note(Note::LeaseExpired {
                        leader: self.leader,
                        period: self.config.election_min,
                    });
                }
            }
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Message, rng: &mut dyn Entropy, out: &mut Out) {
        let term = msg.term_of();
        if self.role == Role::Leader && term >= self.term {
            if let Some(a) = self.recent_active.get_mut(Self::slot(from)) {
                *a = true;
            }
        }
        if term > self.term {
            match msg {
                Message::RequestVote {
                    pre_vote,
                    last_log_index,
                    last_log_term,
                    ..
                } => {
                    if let Some(leader) = self.in_lease() {
                        let last_log = LogPos {
                            index: last_log_index,
                            term: last_log_term,
                        };
                        let refusal = Some(Refusal::InLease { leader });
                        out.note(Note::RequestVote {
                            from,
                            pre_vote,
                            term,
                            last_log,
                            refusal,
                            timeout: None,
                        });
                        return;
                    }
                    if !pre_vote {
                        self.step_down(from, msg.kind(), term, rng, out);
                    }
                }
                // A granted pre-vote carries the term the pre-candidate asked about.
                Message::RequestVoteReply {
                    pre_vote: true,
                    granted: true,
                    ..
                } => {}
                _ => self.step_down(from, msg.kind(), term, rng, out),
            }
        }
        match msg {
            Message::RequestVote {
                term,
                last_log_index,
                last_log_term,
                pre_vote,
            } => {
                let cand = LogPos {
                    index: last_log_index,
                    term: last_log_term,
                };
                if pre_vote {
                    self.handle_pre_vote(from, term, cand, out);
                } else {
                    self.handle_request_vote(from, term, cand, rng, out);
                }
            }
            Message::RequestVoteReply {
                term,
                granted,
                pre_vote,
            } => self.handle_vote_reply(from, term, granted, pre_vote, rng, out),
            Message::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => {
                let prev = LogPos {
                    index: prev_index,
                    term: prev_term,
                };
                let msg = AppendEntries {
                    term,
                    prev,
                    entries,
                    commit,
                };
                self.handle_append_entries(from, msg, rng, out)
            }
            Message::AppendEntriesReply {
                term,
                success,
                index,
                hint,
            } => {
                let current = self.role == Role::Leader && term == self.term;
                if current && (success || hint > 0) {
                    self.progress(from, success, index, hint, out);
                } else if !success && term >= self.term {
                    // Stale failures (from an older term) are ignored.
                    out.note(Note::AppendEntriesReply { from, term });
                }
            }
            Message::InstallSnapshot { term, snapshot } => {
                self.handle_install_snapshot(from, term, snapshot, rng, out)
            }
            Message::InstallSnapshotReply { term, index } => {
                if self.role == Role::Leader && term == self.term && index > 0 {
                    self.progress(from, true, index, 0, out);
                }
            }
        }
    }

    /// As if the election timer fired now, whatever the role. On a leader
    /// this is not textbook Raft (a leader has no election timeout): like
    /// RaftScope's "time out", the leader stops heartbeating and starts a
    /// (pre-)election at term + 1, like a follower would.
    fn force_timeout(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        self.election_timeout(true, rng, out);
    }

    fn vote_request_hops(config: &Config) -> u64 {
        if config.pre_vote {
            3
        } else {
            1
        }
    }

    fn set_election_countdown(
        &mut self,
        after: Micros,
        _timer_due_in: &dyn Fn(Timer) -> Option<Micros>,
        out: &mut Out,
    ) {
        // electionTimeoutMs keeps the drawn timeout: only this countdown moves.
        arm(out, Timer::Election, after);
    }

    fn status(&self) -> Status {
        Status {
            role: self.role,
            term: self.term,
            vote_for: self.voted_for,
            leader: self.leader,
        }
    }

    fn persistent(&self) -> Persistent {
        Persistent {
            term: self.term,
            voted_for: self.voted_for,
            log: Some(self.log.clone()),
            snapshot: Some(self.snapshot.clone()),
        }
    }

    fn on_client(&mut self, request: ClientRequest, _rng: &mut dyn Entropy, out: &mut Out) {
        self.client_request(request, out);
    }

    fn store(&self) -> Option<&Store> {
        Some(&self.machine.store)
    }

    fn leader_value(&self, key: &str) -> Option<Datum> {
        self.log_value(key)
    }

    fn log_chain(&self, index: u64) -> Option<u64> {
        self.log.chain_at(index)
    }

    fn log_last(&self) -> u64 {
        self.log.last().index
    }

    fn countdowns(&self, timer_due_in: &dyn Fn(Timer) -> Option<Micros>) -> Countdowns {
        let leader = self.role == Role::Leader;
        Countdowns {
            leader_due: if leader && !self.config.check_quorum {
                None
            } else {
                timer_due_in(Timer::Election)
            },
            heartbeat_due: if leader {
                timer_due_in(Timer::Heartbeat)
            } else {
                None
            },
        }
    }

    fn fields(&self) -> Vec<Field> {
        let mut f = vec![
            ("currentTerm", self.term.to_string()),
            ("votedFor", id_text(self.voted_for)),
            ("state", self.role.to_string()),
            ("leader", id_text(self.leader)),
            ("lastLogIndex", self.log.last().index.to_string()),
            ("lastLogTerm", self.log.last().term.to_string()),
            ("commitIndex", self.commit.to_string()),
            ("lastApplied", self.applied.to_string()),
        ];
        if self.snapshot.pos.index > 0 && self.log.base_committed() {
            f.push((
                "snapshot",
                format!(
                    "index {} term {}, {} keys; log from {}",
                    self.snapshot.pos.index,
                    self.snapshot.pos.term,
                    self.snapshot.machine.store.len(),
                    self.log.base().index + 1
                ),
            ));
        }
        if self.role == Role::Leader {
            let list = |v: &[u64]| -> String {
                (1..=self.cluster_size)
                    .filter(|p| *p != self.id)
                    .take(12)
                    .map(|p| format!("S{p}:{}", v[Self::slot(p)]))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            f.push(("nextIndex", list(&self.next)));
            f.push(("matchIndex", list(&self.matched)));
        }
        f.push(("datums", self.machine.store.len().to_string()));
        if matches!(self.role, Role::Candidate | Role::PreCandidate) {
            // Who answered how: a split vote reads off the candidates.
            // (At most a dozen names: a cluster of 101 would fill the inspector.)
            let who = |want: bool| -> String {
                let ids: Vec<String> = self
                    .votes
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v == Some(want))
                    .map(|(i, _)| format!("S{}", i + 1))
                    .collect();
                if ids.len() > 12 {
                    format!("{}, …", ids[..12].join(", "))
                } else {
                    ids.join(", ")
                }
            };
            let refused = who(false);
            let mut text = format!(
                "{} of {} needed: {}",
                self.granted_count(),
                self.majority(),
                who(true)
            );
            if !refused.is_empty() {
                text.push_str(&format!(" (refused: {refused})"));
            }
            f.push(("votesGranted", text));
        }
        f.push(("electionTimeoutMs", ms(self.election_timeout).to_string()));
        f.push(("preVote", self.config.pre_vote.to_string()));
        f.push(("checkQuorum", self.config.check_quorum.to_string()));
        if self.config.check_quorum {
            f.push(("inLease", self.in_lease().is_some().to_string()));
        }
        f
    }
}
