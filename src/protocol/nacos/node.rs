//! One Nacos server's RaftCore: its own RaftPeer, its RaftPeerSet, and the
//! MasterElection and HeartBeat tasks as a state machine.

use super::message::{Beat, Digest};
use super::note::id_text;
use super::sync::{Publishing, Request};
use super::{BeatPhase, BeatRejected, Config, Message, Note, Peer, Timer};
use crate::error::Error;
use crate::protocol::data::{ClientRequest, Datum, Failure, Key, OpId, Outcome, Store};
use crate::protocol::{
    Countdowns, Entropy, Field, HttpTimeouts, Micros, NodeId, Protocol, Ready, RequestError, Role,
    Status,
};
use std::collections::VecDeque;
use std::fmt::Write;
use std::rc::Rc;

/// A pull reply waiting for the callback: its sender, datums and beat term.
pub(super) type PulledBatch = (NodeId, Rc<[(Key, Datum)]>, u64);

/// The local view of another peer (an entry of RaftPeerSet's map).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PeerView {
    pub(super) term: u64,
    pub(super) state: Role,
    pub(super) vote_for: Option<NodeId>,
}

impl PeerView {
    const NEW: PeerView = PeerView {
        term: 0,
        state: Role::Follower,
        vote_for: None,
    };
}

/// What survives a restart: the term written to disk by `raftStore.updateTerm`
/// (on every applied write, delete and pull) and every datum (`raftStore.write`).
/// Election increments are never persisted, and neither is voteFor.
#[derive(Clone, Debug, Default)]
pub struct Persistent {
    pub term: u64,
    pub datums: Store,
}

/// One Nacos server's RaftCore state: its own RaftPeer and its RaftPeerSet.
#[derive(Clone, Debug)]
pub struct Node {
    pub(super) id: NodeId,
    pub(super) cluster_size: u32,
    pub(super) config: Config,
    // The local RaftPeer.
    pub(super) term: u64,
    pub(super) vote_for: Option<NodeId>,
    pub(super) state: Role,
    pub(super) leader_due: i64,
    pub(super) heartbeat_due: i64,
    // RaftPeerSet: the other peers as last reported, and the known leader.
    pub(super) peers: Vec<PeerView>,
    pub(super) leader: Option<NodeId>,
    pub(super) persisted_term: u64,
    pub(super) beat_failures: u64,
    /// decideLeader's vote tally, kept to avoid an allocation per reply.
    tally: Vec<u32>,
    // RaftCore.datums, and what the data path keeps.
    pub(super) datums: Store,
    /// The last beat's digest, reused while the store is unchanged.
    pub(super) digest: Option<(u64, Rc<Digest>)>,
    /// A digest this node was found in sync with, and its store's
    /// generation then: the same beat again needs no walk over the keys.
    pub(super) synced: Option<(Rc<Digest>, u64)>,
    /// The write or delete holding OPERATE_LOCK (signalPublish waits for
    /// its majority with the lock held), and the requests queued behind it.
    pub(super) publishing: Option<Publishing>,
    pub(super) lock_queue: VecDeque<Request>,
    pub(super) publish_seq: u64,
    /// Pull replies waiting while the callback sleeps its 200 ms.
    pub(super) pull_queue: VecDeque<PulledBatch>,
    pub(super) pull_sleeping: bool,
    pub(super) pulls_sent: u64,
    pub(super) commit_failures: u64,
    /// Forwarded requests this node proxied on to the leader it knows,
    /// and who forwarded each here: the answer goes back that way, on the
    /// connection it came on.
    pub(super) relays: Vec<(OpId, NodeId)>,
}

impl Node {
    pub(super) fn local_peer(&self) -> Peer {
        Peer {
            ip: self.id,
            term: self.term,
            state: self.state,
            vote_for: self.vote_for,
        }
    }

    pub(super) fn majority(&self) -> u32 {
        self.cluster_size / 2 + 1
    }

    pub(super) fn peer_mut(&mut self, id: NodeId) -> &mut PeerView {
        &mut self.peers[(id - 1) as usize]
    }

    /// RandomUtils.nextLong(0, bound) in whole milliseconds.
    fn random_ms(rng: &mut dyn Entropy, bound: Micros) -> i64 {
        let ms = bound / 1000;
        if ms == 0 {
            0
        } else {
            (rng.below(ms) * 1000) as i64
        }
    }

    /// resetLeaderDue: LEADER_TIMEOUT_MS + nextLong(0, RANDOM_MS).
    pub(super) fn reset_leader_due(&mut self, rng: &mut dyn Entropy) {
        self.leader_due =
            self.config.leader_timeout as i64 + Self::random_ms(rng, self.config.leader_random);
    }

    /// resetHeartbeatDue: exactly HEARTBEAT_INTERVAL_MS.
    fn reset_heartbeat_due(&mut self) {
        self.heartbeat_due = self.config.heartbeat_interval as i64;
    }

    /// The timeout branch of MasterElection: resetLeaderDue,
    /// resetHeartbeatDue, sendVote.
    fn leader_timed_out(&mut self, forced: bool, rng: &mut dyn Entropy, out: &mut Out) {
        self.reset_leader_due(rng);
        self.reset_heartbeat_due();
        // sendVote: peers.reset() forgets the leader and every voteFor ...
        let forgot_leader = self.leader.take();
        for p in &mut self.peers {
            p.vote_for = None;
        }
        // ... then term += 1, voteFor = self, CANDIDATE, and a request to all.
        self.term += 1;
        self.vote_for = Some(self.id);
        self.state = Role::Candidate;
        out.vote(self.term, self.id);
        out.note(Note::SendVote {
            term: self.term,
            leader_due: self.leader_due,
            heartbeat_due: self.heartbeat_due,
            forced,
            forgot_leader,
        });
        out.broadcast(Message::Vote(self.local_peer()));
    }

    /// sendBeat: only a LEADER beats; it resets its own leaderDue first.
    fn send_beat(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        if self.state != Role::Leader {
            return;
        }
        self.reset_leader_due(rng);
        let digest = if self.config.send_beat_only {
            None
        } else {
            Some(self.digest())
        };
        let beat = Beat {
            peer: self.local_peer(),
            digest,
        };
        out.note(Note::SendBeat {
            leader_due: self.leader_due,
            peers: self.cluster_size - 1,
            keys: beat.digest.as_ref().map_or(0, |d| d.entries.len() as u32),
            size: super::size::beat(&beat),
        });
        out.broadcast(Message::Beat(beat));
    }

    fn received_vote(&mut self, remote: Peer, rng: &mut dyn Entropy, out: &mut Out) {
        let local_term = self.term;
        if remote.term <= self.term {
            if self.vote_for.is_none() {
                self.vote_for = Some(self.id);
                out.vote(self.term, self.id);
            }
            out.note(Note::ReceivedVote {
                candidate: remote.ip,
                candidate_term: remote.term,
                local_term,
                granted: false,
                leader_due: None,
            });
            out.send(
                remote.ip,
                Message::VoteReply {
                    voter: self.local_peer(),
                    granted: false,
                },
            );
            return;
        }
        // Grant: no "already voted" check (the term update does that work),
        // no log check, heartbeatDue and the known leader untouched.
        self.reset_leader_due(rng);
        self.state = Role::Follower;
        self.vote_for = Some(remote.ip);
        self.term = remote.term;
        out.vote(self.term, remote.ip);
        out.note(Note::ReceivedVote {
            candidate: remote.ip,
            candidate_term: remote.term,
            local_term,
            granted: true,
            leader_due: Some(self.leader_due),
        });
        out.send(
            remote.ip,
            Message::VoteReply {
                voter: self.local_peer(),
                granted: true,
            },
        );
    }

    /// decideLeader: store the reply, count every voteFor in the local map
    /// (self included); the first id, in map order, to reach the top count
    /// wins if it has a majority, even if it is not this node.
    fn decide_leader(&mut self, voter: Peer, out: &mut Out) {
        *self.peer_mut(voter.ip) = PeerView {
            term: voter.term,
            state: voter.state,
            vote_for: voter.vote_for,
        };
        self.tally.iter_mut().for_each(|c| *c = 0);
        let (mut top, mut votes) = (None, 0u32);
        for id in 1..=self.cluster_size {
            let vote_for = if id == self.id {
                self.vote_for
            } else {
                self.peers[(id - 1) as usize].vote_for
            };
            if let Some(v) = vote_for {
                let c = &mut self.tally[v as usize];
                *c += 1;
                if *c > votes {
                    votes = *c;
                    top = Some(v);
                }
            }
        }
        let needed = self.majority();
        let mut elected = None;
        if votes >= needed {
            let winner = top.expect("a top count implies a top id");
            if winner == self.id {
                self.state = Role::Leader;
            } else {
                self.peer_mut(winner).state = Role::Leader;
            }
            if self.leader != Some(winner) {
                self.leader = Some(winner);
                elected = Some(winner);
            }
        }
        out.note(Note::DecideLeader {
            voter: voter.ip,
            voter_vote_for: voter.vote_for,
            top,
            votes,
            needed,
            elected,
        });
    }

    fn received_beat(&mut self, beat: Beat, rng: &mut dyn Entropy, out: &mut Out) {
        let remote = beat.peer;
        let rejected = if remote.state != Role::Leader {
            Some(BeatRejected::NotLeader {
                state: remote.state,
            })
        } else if self.term > remote.term {
            Some(BeatRejected::OutOfDate {
                beat_term: remote.term,
                local_term: self.term,
            })
        } else {
            None
        };
        if let Some(reason) = rejected {
            out.note(Note::RejectedBeat {
                from: remote.ip,
                reason,
            });
            out.send(remote.ip, Message::BeatReply(Err(reason)));
            return;
        }
        // Equal terms are accepted, and the local term is NOT raised to the
        // beat's: a follower that missed the vote keeps its lower term.
        let became_follower = self.state != Role::Follower;
        if became_follower {
            self.state = Role::Follower;
            self.vote_for = Some(remote.ip);
        }
        self.reset_leader_due(rng);
        self.reset_heartbeat_due();
        out.note(Note::ReceivedBeat {
            from: remote.ip,
            beat_term: remote.term,
            became_follower,
            leader_due: self.leader_due,
            heartbeat_due: self.heartbeat_due,
        });
        self.make_leader(remote, out);
        if !self.config.send_beat_only {
            if let Some(digest) = beat.digest {
                self.sync_with(&digest, remote, out);
            }
        }
        out.send(remote.ip, Message::BeatReply(Ok(self.local_peer())));
    }

    /// makeLeader: remember the sender as leader; ask every other peer the
    /// local map still shows as LEADER for its state; store the sender's record.
    fn make_leader(&mut self, remote: Peer, out: &mut Out) {
        let previous = self.leader;
        self.leader = Some(remote.ip);
        let mut queried = 0;
        for id in 1..=self.cluster_size {
            if id != self.id
                && id != remote.ip
                && self.peers[(id - 1) as usize].state == Role::Leader
            {
                out.send(id, Message::GetPeer);
                queried += 1;
            }
        }
        *self.peer_mut(remote.ip) = PeerView {
            term: remote.term,
            state: remote.state,
            vote_for: remote.vote_for,
        };
        if previous != Some(remote.ip) || queried > 0 {
            out.note(Note::MakeLeader {
                leader: remote.ip,
                previous,
                queried,
            });
        }
    }

    fn update_peer(&mut self, p: Peer) {
        *self.peer_mut(p.ip) = PeerView {
            term: p.term,
            state: p.state,
            vote_for: p.vote_for,
        };
    }

    /// A proxied request's answer: back to the node that forwarded it
    /// here, or to the client that called this node.
    fn relay_or_answer(&mut self, op: OpId, outcome: Outcome, out: &mut Out) {
        match self.relays.iter().position(|(o, _)| *o == op) {
            Some(i) => {
                let (_, back) = self.relays.remove(i);
                out.send(back, Message::ForwardReply { op, outcome });
            }
            None => out.outcome(op, outcome),
        }
    }

    /// One run of the MasterElection task.
    fn master_election(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        self.leader_due -= self.config.tick as i64;
        if self.leader_due <= 0 {
            self.leader_timed_out(false, rng, out);
        }
    }

    /// Time from the next tick to the tick at which `due` reaches <= 0.
    fn ticks_until(&self, due: i64) -> Micros {
        let tick = self.config.tick as i64;
        let k = if due <= 0 { 1 } else { (due + tick - 1) / tick };
        ((k - 1) * tick) as Micros
    }
}

type Out = Ready<Message, Timer, Note>;

impl Protocol for Node {
    type Config = Config;
    type Message = Message;
    type Timer = Timer;
    type Note = Note;
    type Persistent = Persistent;

    const NAME: &'static str = "nacos";
    const HTTP: bool = true;

    fn http_timeouts(c: &Config) -> HttpTimeouts {
        HttpTimeouts {
            connect: c.connect_timeout,
            read: c.read_timeout,
        }
    }

    /// The callbacks' onError: sendBeat logs and counts a failure, sendVote,
    /// signalPublish, signalDelete and the pull log, makeLeader's GET
    /// /raft/peer does nothing. No retry anywhere. A proxied write fails
    /// its client (the proxy's exception reaches the HTTP handler).
    fn on_request_failed(
        &mut self,
        to: NodeId,
        request: Message,
        error: RequestError,
        _rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let kind = crate::protocol::MessageInfo::kind(&request);
        let (mut failures, mut op) = (None, None);
        match request {
            Message::Beat(_) => {
                self.beat_failures += 1;
                failures = Some(self.beat_failures);
            }
            Message::GetPeer => return,
            Message::Forward { request, .. } => {
                op = Some(request.op);
                self.relay_or_answer(request.op, Err(Failure::ProxyFailed), out);
            }
            _ => {}
        }
        out.note(Note::RequestError {
            to,
            kind,
            error,
            failures,
            op,
        });
    }

    fn validate_config(c: &Config) -> Result<(), Error> {
        c.validate()
    }

    fn config_warnings(c: &Config, latency_max: Micros) -> Vec<String> {
        c.warnings(latency_max)
    }

    fn boot_jitter(c: &Config) -> Micros {
        c.tick
    }

    fn new(
        id: NodeId,
        cluster_size: u32,
        config: &Config,
        persisted: &Persistent,
        rng: &mut dyn Entropy,
    ) -> Self {
        // RaftPeer's field initialisers: leaderDueMs = nextLong(0, LEADER_TIMEOUT_MS),
        // heartbeatDueMs = nextLong(0, HEARTBEAT_INTERVAL_MS).
        let leader_due = Self::random_ms(rng, config.leader_timeout);
        let heartbeat_due = Self::random_ms(rng, config.heartbeat_interval);
        Node {
            id,
            cluster_size,
            config: config.clone(),
            term: if config.version.restores_term() {
                persisted.term
            } else {
                0
            },
            vote_for: None,
            state: Role::Follower,
            leader_due,
            heartbeat_due,
            peers: vec![PeerView::NEW; cluster_size as usize],
            leader: None,
            persisted_term: persisted.term,
            beat_failures: 0,
            tally: vec![0; cluster_size as usize + 1],
            datums: persisted.datums.clone(),
            digest: None,
            synced: None,
            publishing: None,
            lock_queue: VecDeque::new(),
            publish_seq: 0,
            pull_queue: VecDeque::new(),
            pull_sleeping: false,
            pulls_sent: 0,
            commit_failures: 0,
            relays: Vec::new(),
        }
    }

    fn start(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        // Both tasks are scheduled with no initial delay. A server seen
        // running already (not restarted here) may have its HeartBeat task
        // drifted behind, by its fixed delay's accumulated lateness.
        let behind = match self.config.beat_phase {
            _ if out.restart => 0,
            BeatPhase::Fixed(d) => d,
            BeatPhase::Drifted => rng.below(self.config.tick),
        };
        out.set_timer(Timer::ElectionTick, 0);
        out.set_timer(Timer::BeatTick, behind);
    }

    fn on_timer(&mut self, timer: Timer, rng: &mut dyn Entropy, out: &mut Out) {
        let tick = self.config.tick;
        match timer {
            Timer::PublishTimeout => self.publish_timed_out(rng, out),
            Timer::PullSleep => self.pull_slept(rng, out),
            Timer::ElectionTick => {
                // scheduleAtFixedRate: runs missed while the server was
                // stalled happen back to back now, then the rate resumes.
                let late = out.late;
                let runs = 1 + late / tick;
                for _ in 0..runs {
                    self.master_election(rng, out);
                }
                out.set_timer(Timer::ElectionTick, tick - late % tick);
            }
            Timer::BeatTick => {
                // scheduleWithFixedDelay: the next run a tick after this one
                // ends, however late this one was.
                self.heartbeat_due -= tick as i64;
                if self.heartbeat_due <= 0 {
                    self.reset_heartbeat_due();
                    self.send_beat(rng, out);
                }
                out.set_timer(Timer::BeatTick, tick + self.config.beat_run_time);
            }
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Message, rng: &mut dyn Entropy, out: &mut Out) {
        match msg {
            Message::Vote(candidate) => self.received_vote(candidate, rng, out),
            Message::VoteReply { voter, .. } => self.decide_leader(voter, out),
            Message::Beat(beat) => self.received_beat(beat, rng, out),
            Message::BeatReply(Ok(peer)) => {
                self.update_peer(peer);
                out.note(Note::BeatResponse { from, ok: true });
            }
            Message::BeatReply(Err(_)) => {
                self.beat_failures += 1;
                out.note(Note::BeatResponse { from, ok: false });
            }
            Message::GetPeer => {
                out.note(Note::GetPeer { from });
                out.send(from, Message::GetPeerReply(self.local_peer()));
            }
            Message::GetPeerReply(peer) => {
                self.update_peer(peer);
                out.note(Note::PeerUpdate {
                    peer: peer.ip,
                    state: peer.state,
                    term: peer.term,
                });
            }
            Message::Commit {
                seq,
                key,
                datum,
                source,
            } => self.on_publish(from, seq, key, datum, source, rng, out),
            Message::CommitReply { seq, result } => {
                self.commit_replied(from, seq, result, rng, out)
            }
            Message::Delete { key, source } => self.on_delete(from, key, source, rng, out),
            Message::DeleteReply(result) => self.delete_replied(from, result, rng, out),
            Message::Pull { keys, beat_term } => self.serve_pull(from, &keys, beat_term, out),
            Message::PullReply { datums, beat_term } => {
                self.pull_replied(from, datums, beat_term, rng, out)
            }
            Message::Forward { request, origin } => self.signal(request, Some(origin), rng, out),
            Message::ForwardReply { op, outcome } => {
                self.relay_or_answer(op, outcome, out);
                out.note(Note::ProxyReply { op, from, outcome });
            }
        }
    }

    fn on_client(&mut self, request: ClientRequest, rng: &mut dyn Entropy, out: &mut Out) {
        self.signal(request, None, rng, out);
    }

    fn store(&self) -> Option<&Store> {
        Some(&self.datums)
    }

    fn force_timeout(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        self.leader_timed_out(true, rng, out);
    }

    fn election_moment(
        &self,
        after: Micros,
        timer_due_in: &dyn Fn(Timer) -> Option<Micros>,
    ) -> Micros {
        // MasterElection checks leaderDue only on its ticks.
        match timer_due_in(Timer::ElectionTick) {
            Some(next) => next.saturating_add(
                after
                    .saturating_sub(next)
                    .div_ceil(self.config.tick)
                    .saturating_mul(self.config.tick),
            ),
            None => after,
        }
    }

    fn set_election_countdown(
        &mut self,
        after: Micros,
        timer_due_in: &dyn Fn(Timer) -> Option<Micros>,
        _out: &mut Out,
    ) {
        // MasterElection subtracts a tick, then checks leaderDue: to run out
        // on the k-th tick from the next, leaderDue must be k+1 ticks.
        let Some(next) = timer_due_in(Timer::ElectionTick) else {
            return;
        };
        let k = (self.election_moment(after, timer_due_in) - next) / self.config.tick;
        self.leader_due = k
            .saturating_add(1)
            .saturating_mul(self.config.tick)
            .min(i64::MAX as Micros) as i64;
    }

    fn status(&self) -> Status {
        Status {
            role: self.state,
            term: self.term,
            vote_for: self.vote_for,
            leader: self.leader,
        }
    }

    fn persistent(&self) -> Persistent {
        Persistent {
            term: self.persisted_term,
            datums: self.datums.clone(),
        }
    }

    fn countdowns(&self, timer_due_in: &dyn Fn(Timer) -> Option<Micros>) -> Countdowns {
        Countdowns {
            leader_due: timer_due_in(Timer::ElectionTick)
                .map(|next| next + self.ticks_until(self.leader_due)),
            heartbeat_due: timer_due_in(Timer::BeatTick)
                .map(|next| next + self.ticks_until(self.heartbeat_due)),
        }
    }

    fn fields(&self) -> Vec<Field> {
        let mut peers = String::new();
        for id in 1..=self.cluster_size {
            if id == self.id {
                continue;
            }
            let p = self.peers[(id - 1) as usize];
            if !peers.is_empty() {
                peers.push_str(", ");
            }
            let _ = write!(
                peers,
                "S{id} {} t{} voteFor {}",
                p.state,
                p.term,
                id_text(p.vote_for)
            );
        }
        vec![
            ("ip", format!("S{}", self.id)),
            ("state", self.state.to_string()),
            ("term", self.term.to_string()),
            ("voteFor", id_text(self.vote_for)),
            ("leader", id_text(self.leader)),
            ("leaderDueMs", (self.leader_due / 1000).to_string()),
            ("heartbeatDueMs", (self.heartbeat_due / 1000).to_string()),
            ("persistedTerm", self.persisted_term.to_string()),
            ("beatFailures", self.beat_failures.to_string()),
            ("datums", self.datums.len().to_string()),
            ("operateLock", self.lock_text()),
            ("pullsSent", self.pulls_sent.to_string()),
            ("commitFailures", self.commit_failures.to_string()),
            ("peers", peers),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Dest;

    /// Entropy that replays a script of draws, so a test states every random
    /// number the model asks for.
    struct Draws(Vec<u64>);
    impl Entropy for Draws {
        fn below(&mut self, n: u64) -> u64 {
            let v = if self.0.is_empty() {
                0
            } else {
                self.0.remove(0)
            };
            assert!(v < n, "scripted draw {v} out of range [0, {n})");
            v
        }
    }

    fn beat(peer: Peer) -> Message {
        Message::Beat(Beat { peer, digest: None })
    }

    fn node(id: NodeId, n: u32, draws: &mut Draws) -> Node {
        Node::new(id, n, &Config::default(), &Persistent::default(), draws)
    }

    #[test]
    fn initial_dues_are_drawn_in_whole_ms_below_the_constants() {
        let mut d = Draws(vec![14_999, 4_999]);
        let n = node(1, 3, &mut d);
        assert_eq!(n.leader_due, 14_999_000);
        assert_eq!(n.heartbeat_due, 4_999_000);
    }

    #[test]
    fn master_election_fires_when_leader_due_reaches_zero_and_resets_both_dues() {
        let mut d = Draws(vec![1_000, 3_000]);
        let mut n = node(1, 3, &mut d);
        let mut out = Out::default();
        n.on_timer(Timer::ElectionTick, &mut d, &mut out); // 1000 -> 500
        assert_eq!(n.state, Role::Follower);
        out.clear();
        d.0.push(2_250); // resetLeaderDue's draw
        n.on_timer(Timer::ElectionTick, &mut d, &mut out); // 500 -> 0: sendVote
        assert_eq!(n.state, Role::Candidate);
        assert_eq!(n.term, 1);
        assert_eq!(n.vote_for, Some(1));
        assert_eq!(n.leader_due, 17_250_000);
        assert_eq!(n.heartbeat_due, 5_000_000, "sendVote resets heartbeatDue");
        assert_eq!(out.votes, vec![(1, 1)]);
        assert!(matches!(
            out.messages[0],
            (Dest::AllOthers, Message::Vote(Peer { ip: 1, term: 1, .. }))
        ));
        assert_eq!(out.timers, vec![(Timer::ElectionTick, 500_000)]);
        // The HeartBeat task of the same tick takes its 500.
        out.clear();
        n.on_timer(Timer::BeatTick, &mut d, &mut out);
        assert_eq!(n.heartbeat_due, 4_500_000);
        assert_eq!(out.timers, vec![(Timer::BeatTick, 500_000)]);
    }

    #[test]
    fn after_a_stall_the_fixed_rate_task_catches_up_and_the_fixed_delay_task_does_not() {
        let mut d = Draws(vec![14_000, 4_000]);
        let config = Config {
            beat_run_time: 3_000,
            ..Config::default()
        };
        let mut n = Node::new(1, 3, &config, &Persistent::default(), &mut d);
        // MasterElection, 10.2 s late: 20 missed runs and this one, back to
        // back (leaderDue 14 000 - 21 x 500 = 3 500), then the rate resumes
        // on its old phase, 300 ms on.
        let mut out = Out {
            late: 10_200_000,
            ..Out::default()
        };
        n.on_timer(Timer::ElectionTick, &mut d, &mut out);
        assert_eq!(n.leader_due, 3_500_000);
        assert_eq!(out.timers, vec![(Timer::ElectionTick, 300_000)]);
        // HeartBeat, as late: one run, then a tick plus its run time.
        let mut out = Out {
            late: 10_200_000,
            ..Out::default()
        };
        n.on_timer(Timer::BeatTick, &mut d, &mut out);
        assert_eq!(n.heartbeat_due, 3_500_000);
        assert_eq!(out.timers, vec![(Timer::BeatTick, 503_000)]);
        // A stall longer than leaderDue: the catch-up runs out the clock.
        let mut out = Out {
            late: 5_000_000,
            ..Out::default()
        };
        d.0.push(1_000);
        n.on_timer(Timer::ElectionTick, &mut d, &mut out);
        assert_eq!(n.state, Role::Candidate, "timed out during the catch-up");
        assert_eq!(
            out.votes.len(),
            1,
            "one sendVote: the catch-up resets leaderDue"
        );
    }

    #[test]
    fn received_vote_grants_only_a_higher_term_and_keeps_the_known_leader() {
        let mut d = Draws(vec![0, 0]);
        let mut n = node(2, 3, &mut d);
        n.term = 3;
        n.leader = Some(3);
        let mut out = Out::default();
        let cand = Peer {
            ip: 1,
            term: 3,
            state: Role::Candidate,
            vote_for: Some(1),
        };
        n.on_message(1, Message::Vote(cand), &mut d, &mut out);
        assert_eq!(n.term, 3);
        assert_eq!(
            n.vote_for,
            Some(2),
            "empty voteFor becomes self on the reject path"
        );
        out.clear();
        d.0.push(100);
        n.on_message(1, Message::Vote(Peer { term: 4, ..cand }), &mut d, &mut out);
        assert_eq!((n.term, n.vote_for, n.state), (4, Some(1), Role::Follower));
        assert_eq!(n.leader_due, 15_100_000);
        assert_eq!(
            n.leader,
            Some(3),
            "the voter still points at the old leader"
        );
        assert_eq!(out.votes, vec![(4, 1)]);
    }

    #[test]
    fn decide_leader_can_crown_another_peer_without_stepping_down() {
        // S2 is a candidate at term 5; S1 and S3 both report voteFor S1.
        let mut d = Draws(vec![0, 0]);
        let mut n = node(2, 3, &mut d);
        n.term = 5;
        n.state = Role::Candidate;
        n.vote_for = Some(2);
        let mut out = Out::default();
        let s1 = Peer {
            ip: 1,
            term: 5,
            state: Role::Candidate,
            vote_for: Some(1),
        };
        n.on_message(
            1,
            Message::VoteReply {
                voter: s1,
                granted: false,
            },
            &mut d,
            &mut out,
        );
        assert_eq!(n.leader, None, "1 vote each for S1 and S2: no majority");
        let s3 = Peer {
            ip: 3,
            term: 5,
            state: Role::Follower,
            vote_for: Some(1),
        };
        n.on_message(
            3,
            Message::VoteReply {
                voter: s3,
                granted: false,
            },
            &mut d,
            &mut out,
        );
        assert_eq!(n.leader, Some(1));
        assert_eq!(
            n.state,
            Role::Candidate,
            "a losing candidate does not step down"
        );
        assert_eq!(
            n.peers[0].state,
            Role::Leader,
            "S1 is marked LEADER in S2's own map"
        );
    }

    #[test]
    fn received_beat_accepts_equal_terms_and_never_adopts_the_beat_term() {
        let mut d = Draws(vec![0, 0]);
        let mut n = node(3, 3, &mut d);
        n.term = 2;
        let mut out = Out::default();
        let leader = Peer {
            ip: 1,
            term: 2,
            state: Role::Leader,
            vote_for: Some(1),
        };
        d.0.push(1_234);
        n.on_message(1, beat(leader), &mut d, &mut out);
        assert_eq!(n.leader, Some(1));
        assert_eq!(n.leader_due, 16_234_000);
        assert_eq!(n.heartbeat_due, 5_000_000);
        // A follower at term 1 follows a term-7 leader without raising its term.
        let mut low = node(2, 3, &mut Draws(vec![0, 0]));
        low.term = 1;
        out.clear();
        low.on_message(
            1,
            beat(Peer { term: 7, ..leader }),
            &mut Draws(vec![0]),
            &mut out,
        );
        assert_eq!((low.term, low.leader), (1, Some(1)));
        // A higher local term rejects the beat as out of date.
        let mut high = node(2, 3, &mut Draws(vec![0, 0]));
        high.term = 9;
        out.clear();
        high.on_message(1, beat(leader), &mut Draws(vec![]), &mut out);
        assert_eq!(high.leader, None);
        assert!(matches!(
            out.messages[0].1,
            Message::BeatReply(Err(BeatRejected::OutOfDate { .. }))
        ));
    }

    #[test]
    fn a_leader_beats_every_heartbeat_interval_and_resets_its_own_leader_due() {
        let mut d = Draws(vec![0, 0]);
        let mut n = node(1, 3, &mut d);
        n.state = Role::Leader;
        n.leader_due = 15_000_000;
        n.heartbeat_due = 5_000_000;
        let mut beats = 0;
        for _ in 0..40 {
            let mut out = Out::default();
            d.0.push(0);
            n.on_timer(Timer::BeatTick, &mut d, &mut out);
            if out
                .messages
                .iter()
                .any(|(_, m)| matches!(m, Message::Beat(_)))
            {
                beats += 1;
                assert_eq!(n.leader_due, 15_000_000);
            }
        }
        assert_eq!(beats, 4, "40 ticks of 500 ms = 20 s = 4 beats at 5000 ms");
        assert_eq!(n.state, Role::Leader);
    }
}
