//! What Nacos servers send each other (RaftPeer and datums over HTTP), and
//! the node's timers.

use super::size;
use crate::protocol::data::{ClientRequest, Datum, Key, OpId, Outcome};
use crate::protocol::{MessageInfo, MessageKind, NodeId, Role, TimerKind, WireSize};
use std::rc::Rc;

/// A RaftPeer as it travels over HTTP (JSON): the sender's own record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer {
    pub ip: NodeId,
    pub term: u64,
    pub state: Role,
    pub vote_for: Option<NodeId>,
}

/// Why receivedBeat threw (the leader sees a non-200 reply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeatRejected {
    /// "invalid state from master": the sender did not claim LEADER.
    NotLeader { state: Role },
    /// "out of date beat": local term > the beat's term.
    OutOfDate { beat_term: u64, local_term: u64 },
}

/// Why onPublish or onDelete threw (the leader does not count the reply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitRefused {
    /// "tried to publish data but wasn't leader": the source is not the
    /// node this one believes is leader.
    NotLeader { leader: Option<NodeId> },
    /// "out of date publish": the source's term is below the local term.
    OutOfDate { source_term: u64, local_term: u64 },
}

/// The beat's datum list: every stored key with its version, in key order,
/// no values. Built once per beat (and only when the store changed since
/// the last one) and shared by every copy of the beat.
#[derive(Debug, PartialEq, Eq)]
pub struct Digest {
    pub entries: Vec<(Key, u64)>,
    /// The bytes the entries add to the beat's JSON.
    pub json_bytes: u32,
}

/// POST /raft/beat: the leader's peer record and, unless sendBeatOnly is
/// on, its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beat {
    pub peer: Peer,
    pub digest: Option<Rc<Digest>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// POST /raft/vote with the candidate's local peer.
    Vote(Peer),
    /// The voter's local peer, HTTP 200 whether granted or not. `granted` is
    /// for display only: Nacos's candidate never looks at it, it counts voteFor.
    VoteReply {
        voter: Peer,
        granted: bool,
    },
    Beat(Beat),
    BeatReply(Result<Peer, BeatRejected>),
    /// GET /raft/peer, from makeLeader to a peer the local map still shows as LEADER.
    GetPeer,
    GetPeerReply(Peer),
    /// POST /raft/datum/commit: signalPublish's message to every other server.
    /// `seq` stands for the request's own callback (its latch).
    Commit {
        seq: u64,
        key: Key,
        datum: Datum,
        source: Peer,
    },
    CommitReply {
        seq: u64,
        result: Result<(), CommitRefused>,
    },
    /// DELETE /raft/datum: signalDelete's message to every other server.
    Delete {
        key: Key,
        source: Peer,
    },
    DeleteReply(Result<(), CommitRefused>),
    /// GET /raft/datum?keys=...: receivedBeat pulls what it lacks from the
    /// beat's sender. The beat's term rides along as the callback's context.
    Pull {
        keys: Rc<[Key]>,
        beat_term: u64,
    },
    PullReply {
        datums: Rc<[(Key, Datum)]>,
        beat_term: u64,
    },
    /// A follower proxies a client's write or delete to the leader it knows;
    /// the answer goes back to `origin`, the node the client called.
    Forward {
        request: ClientRequest,
        origin: NodeId,
    },
    ForwardReply {
        op: OpId,
        outcome: Outcome,
    },
}

impl MessageInfo for Message {
    fn kind(&self) -> MessageKind {
        match self {
            Message::Vote(_) => MessageKind::VoteRequest,
            Message::VoteReply { .. } => MessageKind::VoteReply,
            Message::Beat(_) => MessageKind::Beat,
            Message::BeatReply(_) => MessageKind::BeatReply,
            Message::GetPeer => MessageKind::PeerQuery,
            Message::GetPeerReply(_) => MessageKind::PeerQueryReply,
            Message::Commit { .. } => MessageKind::Commit,
            Message::CommitReply { .. } => MessageKind::CommitReply,
            Message::Delete { .. } => MessageKind::Delete,
            Message::DeleteReply(_) => MessageKind::DeleteReply,
            Message::Pull { .. } => MessageKind::Pull,
            Message::PullReply { .. } => MessageKind::PullReply,
            Message::Forward { .. } => MessageKind::Forward,
            Message::ForwardReply { .. } => MessageKind::ForwardReply,
        }
    }
    fn term(&self) -> Option<u64> {
        match self {
            Message::Vote(p) | Message::GetPeerReply(p) => Some(p.term),
            Message::Beat(b) => Some(b.peer.term),
            Message::VoteReply { voter, .. } => Some(voter.term),
            Message::BeatReply(Ok(p)) => Some(p.term),
            Message::Commit { source, .. } | Message::Delete { source, .. } => Some(source.term),
            _ => None,
        }
    }
    fn granted(&self) -> Option<bool> {
        match self {
            Message::VoteReply { granted, .. } => Some(*granted),
            Message::BeatReply(r) => Some(r.is_ok()),
            Message::CommitReply { result, .. } => Some(result.is_ok()),
            Message::DeleteReply(r) => Some(r.is_ok()),
            Message::ForwardReply { outcome, .. } => Some(outcome.is_ok()),
            _ => None,
        }
    }
    fn size(&self) -> Option<WireSize> {
        match self {
            Message::Beat(b) => Some(size::beat(b)),
            Message::Pull { keys, .. } => Some(size::pull(keys)),
            Message::PullReply { datums, .. } => Some(size::pull_reply(datums)),
            _ => None,
        }
    }
    fn entries(&self) -> u32 {
        match self {
            Message::Beat(b) => b.digest.as_ref().map_or(0, |d| d.entries.len() as u32),
            Message::Pull { keys, .. } => keys.len() as u32,
            Message::PullReply { datums, .. } => datums.len() as u32,
            Message::Commit { .. } | Message::Delete { .. } => 1,
            _ => 0,
        }
    }
}

/// The node's timers: the tick that runs MasterElection then HeartBeat,
/// signalPublish's wait for a majority, and the pull callback's sleep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The MasterElection task: at a fixed rate, every tick.
    ElectionTick,
    PublishTimeout,
    PullSleep,
    /// The HeartBeat task: a tick after its last run ended (a fixed delay).
    BeatTick,
}

impl TimerKind for Timer {
    fn index(self) -> usize {
        match self {
            Timer::ElectionTick => 0,
            Timer::PublishTimeout => 1,
            Timer::PullSleep => 2,
            Timer::BeatTick => 3,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Timer::ElectionTick => "masterElection",
            Timer::BeatTick => "heartBeat",
            Timer::PublishTimeout => "publishTimeout",
            Timer::PullSleep => "pullSleep",
        }
    }
}
