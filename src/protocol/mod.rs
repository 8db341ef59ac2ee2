//! The pure protocol layer: one module per model.
//!
//! A model is a state machine in the style of etcd-io/raft: it has no clock,
//! does no I/O and owns no randomness. The simulation drives it with
//! [`Protocol::start`], [`Protocol::on_timer`], [`Protocol::on_message`] and
//! [`Protocol::force_timeout`], hands it an [`Entropy`] source for the random
//! draws the algorithm itself makes (Nacos's `RandomUtils.nextLong`, Raft's
//! randomized timeout), and collects what it wants done from a [`Ready`]:
//! messages to send, timers to (re)arm, notes for the trace, and votes cast.

pub mod data;
pub mod nacos;
pub mod raft;

use data::{ClientRequest, DatumChange, Failure, OpId, Outcome, Store};

use std::fmt::{self, Debug};

/// Node ids are 1-based, as people count servers (S1..Sn).
pub type NodeId = u32;

/// Models count time in the simulator's integer microseconds.
pub use crate::time::Micros;

/// Random draws handed to a model by its driver.
pub trait Entropy {
    /// Uniform integer in `[0, n)`; `n` must be positive.
    fn below(&mut self, n: u64) -> u64;
}

/// The role a node holds in its own view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Follower,
    /// etcd's StatePreCandidate: polling for a Pre-Vote majority (raft model only).
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    /// The name Nacos uses (RaftPeer.State), also used in traces.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Follower => "FOLLOWER",
            Role::PreCandidate => "PRE_CANDIDATE",
            Role::Candidate => "CANDIDATE",
            Role::Leader => "LEADER",
        }
    }

    /// Small stable code used in the flat buffers handed to JavaScript.
    pub fn code(self) -> u8 {
        match self {
            Role::Follower => 0,
            Role::PreCandidate => 1,
            Role::Candidate => 2,
            Role::Leader => 3,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of message this is, as the network's drop rules and the page
/// see it. Heartbeats are `Beat` in both models (Nacos's /raft/beat, Raft's
/// empty AppendEntries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Beat,
    BeatReply,
    VoteRequest,
    VoteReply,
    PreVoteRequest,
    PreVoteReply,
    /// Nacos's GET /raft/peer, sent by makeLeader to peers still marked LEADER.
    PeerQuery,
    PeerQueryReply,
    /// Nacos's POST /raft/datum/commit: a write sent to every server.
    Commit,
    CommitReply,
    /// Nacos's DELETE /raft/datum.
    Delete,
    DeleteReply,
    /// Nacos's GET /raft/datum?keys=: a follower pulls what a beat listed.
    Pull,
    PullReply,
    /// A client's request proxied to the leader.
    Forward,
    ForwardReply,
    /// Raft's InstallSnapshot.
    Snapshot,
    SnapshotReply,
}

impl MessageKind {
    /// In code order: new kinds go at the end, so codes never change.
    pub const ALL: [MessageKind; 18] = [
        MessageKind::Beat,
        MessageKind::BeatReply,
        MessageKind::VoteRequest,
        MessageKind::VoteReply,
        MessageKind::PreVoteRequest,
        MessageKind::PreVoteReply,
        MessageKind::PeerQuery,
        MessageKind::PeerQueryReply,
        MessageKind::Commit,
        MessageKind::CommitReply,
        MessageKind::Delete,
        MessageKind::DeleteReply,
        MessageKind::Pull,
        MessageKind::PullReply,
        MessageKind::Forward,
        MessageKind::ForwardReply,
        MessageKind::Snapshot,
        MessageKind::SnapshotReply,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Beat => "beat",
            MessageKind::BeatReply => "beat-reply",
            MessageKind::VoteRequest => "vote-request",
            MessageKind::VoteReply => "vote-reply",
            MessageKind::PreVoteRequest => "prevote-request",
            MessageKind::PreVoteReply => "prevote-reply",
            MessageKind::PeerQuery => "peer-query",
            MessageKind::PeerQueryReply => "peer-query-reply",
            MessageKind::Commit => "commit",
            MessageKind::CommitReply => "commit-reply",
            MessageKind::Delete => "delete",
            MessageKind::DeleteReply => "delete-reply",
            MessageKind::Pull => "pull",
            MessageKind::PullReply => "pull-reply",
            MessageKind::Forward => "forward",
            MessageKind::ForwardReply => "forward-reply",
            MessageKind::Snapshot => "snapshot",
            MessageKind::SnapshotReply => "snapshot-reply",
        }
    }

    /// Stable code used in the flat buffers handed to JavaScript.
    pub fn code(self) -> u8 {
        MessageKind::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or(0) as u8
    }

    pub fn is_reply(self) -> bool {
        matches!(
            self,
            MessageKind::BeatReply
                | MessageKind::VoteReply
                | MessageKind::PreVoteReply
                | MessageKind::PeerQueryReply
                | MessageKind::CommitReply
                | MessageKind::DeleteReply
                | MessageKind::PullReply
                | MessageKind::ForwardReply
                | MessageKind::SnapshotReply
        )
    }

    /// For a reply, the kind of request it answers (over HTTP, the request
    /// whose connection it travels back on).
    pub fn request_of(self) -> Option<MessageKind> {
        Some(match self {
            MessageKind::BeatReply => MessageKind::Beat,
            MessageKind::VoteReply => MessageKind::VoteRequest,
            MessageKind::PreVoteReply => MessageKind::PreVoteRequest,
            MessageKind::PeerQueryReply => MessageKind::PeerQuery,
            MessageKind::CommitReply => MessageKind::Commit,
            MessageKind::DeleteReply => MessageKind::Delete,
            MessageKind::PullReply => MessageKind::Pull,
            MessageKind::ForwardReply => MessageKind::Forward,
            MessageKind::SnapshotReply => MessageKind::Snapshot,
            _ => return None,
        })
    }
}

/// Why an HTTP request ended without its reply (models whose
/// [`Protocol::HTTP`] is true; see `src/sim/transport.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// Nobody listens: the server is down or has not booted. Fails at once.
    Refused,
    /// The connection could not be set up: a partition or a cut link in
    /// either direction. Fails after the connect timeout.
    ConnectTimeout,
    /// No reply within the read timeout of the request leaving.
    ReadTimeout,
    /// The server process died with the connection open (its RST).
    Reset,
}

impl RequestError {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestError::Refused => "refused",
            RequestError::ConnectTimeout => "connect-timeout",
            RequestError::ReadTimeout => "read-timeout",
            RequestError::Reset => "reset",
        }
    }

    /// The Java exception an HTTP client would report.
    pub fn describe(self) -> &'static str {
        match self {
            RequestError::Refused => "connection refused",
            RequestError::ConnectTimeout => "connect timed out",
            RequestError::ReadTimeout => "read timed out",
            RequestError::Reset => "connection reset",
        }
    }
}

/// An HTTP client's two timeouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// Setting up the connection (TCP handshake).
    pub connect: Micros,
    /// From the request leaving to its reply arriving.
    pub read: Micros,
}

/// What every model's messages tell the network and the trace about themselves.
pub trait MessageInfo {
    fn kind(&self) -> MessageKind;
    /// The term the message carries, if any.
    fn term(&self) -> Option<u64>;
    /// For replies: whether the request was granted / accepted.
    fn granted(&self) -> Option<bool> {
        None
    }
    /// Its size on the wire, where the model says (Nacos's beat and pulls).
    fn size(&self) -> Option<WireSize> {
        None
    }
    /// How many datums or entries it carries (a beat's keys, a pull's batch).
    fn entries(&self) -> u32 {
        0
    }
}

/// A message's size in bytes: its JSON, and what goes over the wire
/// (gzipped where the sender compresses, else the same).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireSize {
    pub json: u32,
    pub gzip: u32,
}

/// A model's timers. Each model has at most [`MAX_TIMERS`] of them; arming a
/// timer replaces its previous deadline.
pub trait TimerKind: Copy + Eq + Debug {
    fn index(self) -> usize;
    fn name(self) -> &'static str;
}

pub const MAX_TIMERS: usize = 4;

/// Where a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    To(NodeId),
    /// Every node but the sender, in id order.
    AllOthers,
}

/// A trace note from a model: one line of the trace, named after the method
/// of the original system that did the work (e.g. Nacos's `receivedBeat`).
/// (No `Debug` supertrait: it would put every model's Debug code in the
/// trait object's vtable, and so in the wasm module.)
pub trait Note {
    /// Event name, e.g. "sendVote".
    fn name(&self) -> &'static str;
    /// Event category, for filtering: "election", "beat".
    fn category(&self) -> &'static str;
    /// True for steady-state chatter that changed nothing (a follower's
    /// n-th identical heartbeat): hidden from scenario goldens by default.
    fn routine(&self) -> bool {
        false
    }
    /// Extra JSON fields, each written as `,"key":value`.
    fn write_json(&self, out: &mut String);
    /// Plain-language detail after "S3 <name>", e.g. "from S1 → resetLeaderDue 17 250 ms".
    fn write_text(&self, out: &mut String);
}

/// What a model asks its driver to do after one call (etcd's `Ready`).
/// The driver clears it before every call and reuses the buffers.
#[derive(Debug)]
pub struct Ready<M, T, N> {
    pub messages: Vec<(Dest, M)>,
    pub timers: Vec<(T, Micros)>,
    /// Timers to disarm.
    pub cancels: Vec<T>,
    pub notes: Vec<N>,
    /// Votes cast in this call: (term, candidate). The safety monitor checks
    /// that a node never votes for two candidates in one term.
    pub votes: Vec<(u64, NodeId)>,
    /// Client requests answered in this call (by the node the client called).
    pub outcomes: Vec<(OpId, Outcome)>,
    /// Datums this call changed: the durability checker follows every one.
    /// Nacos's only: a Raft state machine applies the committed log in order
    /// and may lag it by any amount, so Raft's durable value is its log,
    /// judged when a node becomes leader (`Protocol::leader_value`).
    pub changes: Vec<DatumChange>,
    /// Client requests this node sends back to the leader it names (Raft's
    /// redirect): the client resends them there.
    pub redirects: Vec<(ClientRequest, NodeId)>,
    /// What a model with a replicated log did to it, for the safety monitor.
    pub log: Vec<LogEvent>,
    /// False when nobody reads the notes (no trace): `note` then drops them,
    /// which saves a copy on every step of an untraced run.
    pub keep_notes: bool,
    /// An input, set by the driver before `on_timer`: how late the timer
    /// fires (0, unless its node was paused when it came due). A fixed-rate
    /// task uses it to run its missed periods back to back.
    pub late: Micros,
    /// An input, set by the driver before `start`: true when the node ran
    /// before (a restart), false at its first boot.
    pub restart: bool,
}

impl<M, T, N> Default for Ready<M, T, N> {
    fn default() -> Self {
        Ready {
            messages: Vec::new(),
            timers: Vec::new(),
            cancels: Vec::new(),
            notes: Vec::new(),
            votes: Vec::new(),
            outcomes: Vec::new(),
            changes: Vec::new(),
            redirects: Vec::new(),
            log: Vec::new(),
            keep_notes: true,
            late: 0,
            restart: false,
        }
    }
}

impl<M, T, N> Ready<M, T, N> {
    pub fn clear(&mut self) {
        self.messages.clear();
        self.timers.clear();
        self.cancels.clear();
        self.notes.clear();
        self.votes.clear();
        self.outcomes.clear();
        self.changes.clear();
        self.redirects.clear();
        self.log.clear();
        self.late = 0;
        self.restart = false;
    }
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.messages.push((Dest::To(to), msg));
    }
    pub fn broadcast(&mut self, msg: M) {
        self.messages.push((Dest::AllOthers, msg));
    }
    pub fn set_timer(&mut self, timer: T, after: Micros) {
        self.timers.push((timer, after));
    }
    pub fn cancel_timer(&mut self, timer: T) {
        self.cancels.push(timer);
    }
    #[inline]
    pub fn note(&mut self, note: N) {
        if self.keep_notes {
            self.notes.push(note);
        }
    }
    pub fn vote(&mut self, term: u64, candidate: NodeId) {
        self.votes.push((term, candidate));
    }
    pub fn outcome(&mut self, op: OpId, outcome: Outcome) {
        self.outcomes.push((op, outcome));
    }
    pub fn change(
        &mut self,
        key: data::Key,
        before: Option<data::Datum>,
        datum: Option<data::Datum>,
        cause: data::Cause,
    ) {
        self.changes.push(DatumChange {
            key,
            before,
            datum,
            cause,
        });
    }
}

/// One step of a replicated log, as the safety monitor sees it. `chain` is
/// a hash of the whole log up to `index`: equal chains, equal prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogEvent {
    /// An entry is now in the node's log (appended by a leader, or received).
    Appended { index: u64, term: u64, chain: u64 },
    /// The node's commit index reached `index`.
    Committed { index: u64, chain: u64 },
    /// The node applied the entry at `index` to its state machine.
    Applied { index: u64, term: u64, op: OpId },
}

/// The part of a node's state every model has, read by the simulation, the
/// safety monitor and the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    pub role: Role,
    pub term: u64,
    pub vote_for: Option<NodeId>,
    /// The leader this node knows of (Nacos: `peers.leader`).
    pub leader: Option<NodeId>,
}

/// Time left on a node's two protocol clocks, in microseconds from now:
/// until it would start an election, and (on a leader) until its next beat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Countdowns {
    pub leader_due: Option<Micros>,
    pub heartbeat_due: Option<Micros>,
}

/// A named model field for the inspector, e.g. ("leaderDueMs", "17250").
pub type Field = (&'static str, String);

/// One consensus model, driven by the simulation.
pub trait Protocol: Sized {
    type Config: Clone + Debug;
    type Message: Clone + Debug + MessageInfo;
    type Timer: TimerKind;
    type Note: Note + Debug;
    /// What survives a restart (Nacos: the term last written to disk).
    type Persistent: Clone + Debug + Default;

    /// Model name as used in configs and scripts.
    const NAME: &'static str;

    /// How the model's messages travel. False (Raft, as its paper assumes):
    /// independent one-way datagrams, each lost or delivered on its own.
    /// True (Nacos): every request is an HTTP request on its own TCP
    /// connection, its reply comes back on that connection, and a request
    /// that gets no reply ends in [`Protocol::on_request_failed`]
    /// (`src/sim/transport.rs`).
    const HTTP: bool = false;

    /// Whether the model writes its persistent state to disk before it
    /// speaks (Raft, as LogCabin does: term and vote, and a follower's log),
    /// so that the driver's disk model (`diskWrite`) applies to it. False
    /// (Nacos): its model has no such write.
    const SYNCS: bool = false;

    /// The HTTP client's timeouts, where [`Protocol::HTTP`] is true.
    fn http_timeouts(_config: &Self::Config) -> HttpTimeouts {
        HttpTimeouts {
            connect: 5_000_000,
            read: 10_000_000,
        }
    }

    /// An HTTP request this node sent to `to` ended without a reply: the
    /// error callback. Only called where [`Protocol::HTTP`] is true.
    fn on_request_failed(
        &mut self,
        _to: NodeId,
        _request: Self::Message,
        _error: RequestError,
        _rng: &mut dyn Entropy,
        _out: &mut Ready<Self::Message, Self::Timer, Self::Note>,
    ) {
    }

    /// Checks the model's timings; the error names the field and the rule.
    fn validate_config(config: &Self::Config) -> Result<(), crate::error::Error>;

    /// Timings that are allowed but keep the cluster from settling (beats
    /// slower than the election timeout, no randomness), given the network's
    /// slowest one-way latency. Each names its fields and what to expect.
    /// They are warnings, not errors: watching such a cluster churn is part
    /// of what the lab is for.
    fn config_warnings(_config: &Self::Config, _latency_max: Micros) -> Vec<String> {
        Vec::new()
    }

    /// Nodes boot at a uniform random offset in `[0, boot_jitter)`: their
    /// tick phase, where the model has ticks.
    fn boot_jitter(_config: &Self::Config) -> Micros {
        0
    }

    /// A freshly booted node. `cluster_size` counts every node, this one included.
    fn new(
        id: NodeId,
        cluster_size: u32,
        config: &Self::Config,
        persisted: &Self::Persistent,
        rng: &mut dyn Entropy,
    ) -> Self;

    /// Called once at boot: arm the initial timers.
    fn start(
        &mut self,
        rng: &mut dyn Entropy,
        out: &mut Ready<Self::Message, Self::Timer, Self::Note>,
    );

    fn on_timer(
        &mut self,
        timer: Self::Timer,
        rng: &mut dyn Entropy,
        out: &mut Ready<Self::Message, Self::Timer, Self::Note>,
    );

    fn on_message(
        &mut self,
        from: NodeId,
        msg: Self::Message,
        rng: &mut dyn Entropy,
        out: &mut Ready<Self::Message, Self::Timer, Self::Note>,
    );

    /// The user forces an election timeout now (RaftScope's "time out").
    fn force_timeout(
        &mut self,
        rng: &mut dyn Entropy,
        out: &mut Ready<Self::Message, Self::Timer, Self::Note>,
    );

    /// How many one-way message delays pass from an election timeout to its
    /// vote requests reaching the voters: 1, or 3 with Pre-Vote (the poll
    /// and its replies come first). `spread-timers` leaves that much room.
    fn vote_request_hops(_config: &Self::Config) -> u64 {
        1
    }

    /// The first moment, `after` from now or later, at which this node's
    /// election clock can run out (Nacos counts leaderDue down only on its
    /// tick). What [`Protocol::set_election_countdown`] will set.
    fn election_moment(
        &self,
        after: Micros,
        _timer_due_in: &dyn Fn(Self::Timer) -> Option<Micros>,
    ) -> Micros {
        after
    }

    /// The user sets the election clock to run out at
    /// [`Protocol::election_moment`] of `after`. RaftScope's "align" and
    /// "spread" timers.
    fn set_election_countdown(
        &mut self,
        after: Micros,
        timer_due_in: &dyn Fn(Self::Timer) -> Option<Micros>,
        out: &mut Ready<Self::Message, Self::Timer, Self::Note>,
    );

    fn status(&self) -> Status;

    /// What a restart keeps.
    fn persistent(&self) -> Self::Persistent;

    /// Time until this node's election and heartbeat clocks fire, given when
    /// each of its timers is next due (from now).
    fn countdowns(&self, timer_due_in: &dyn Fn(Self::Timer) -> Option<Micros>) -> Countdowns;

    /// Model fields by their original names, for the inspector.
    fn fields(&self) -> Vec<Field>;

    /// A client's write or delete reaches this node. A model without data
    /// answers that it keeps none.
    fn on_client(
        &mut self,
        request: ClientRequest,
        _rng: &mut dyn Entropy,
        out: &mut Ready<Self::Message, Self::Timer, Self::Note>,
    ) {
        out.outcome(request.op, Err(Failure::NoData));
    }

    /// The node's datums, in a model that keeps them.
    fn store(&self) -> Option<&Store> {
        None
    }

    /// What this node would serve for `key` as leader, which the
    /// durability checker judges when it is elected: its datum, or in Raft
    /// the last command of the key in its log.
    fn leader_value(&self, key: &str) -> Option<data::Datum> {
        self.store().and_then(|s| s.get(key))
    }

    /// The chain hash of this node's log at `index` ([`LogEvent`]), where
    /// it has one: the monitor's Leader Completeness check.
    fn log_chain(&self, _index: u64) -> Option<u64> {
        None
    }

    /// The last index of this node's log (0 in a model without one).
    fn log_last(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_kind_codes_are_distinct() {
        let codes: std::collections::HashSet<u8> =
            MessageKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), MessageKind::ALL.len());
    }
}
