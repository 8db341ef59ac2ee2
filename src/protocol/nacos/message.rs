//! What Nacos servers send each other (RaftPeer over HTTP), and the one timer.

use crate::protocol::{MessageInfo, MessageKind, NodeId, Role, TimerKind};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// POST /raft/vote with the candidate's local peer.
    Vote(Peer),
    /// The voter's local peer, HTTP 200 whether granted or not. `granted` is
    /// for display only: Nacos's candidate never looks at it, it counts voteFor.
    VoteReply {
        voter: Peer,
        granted: bool,
    },
    /// POST /raft/beat with the leader's local peer ("beat only": no datums).
    Beat(Peer),
    BeatReply(Result<Peer, BeatRejected>),
    /// GET /raft/peer, from makeLeader to a peer the local map still shows as LEADER.
    GetPeer,
    GetPeerReply(Peer),
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
        }
    }
    fn term(&self) -> Option<u64> {
        match self {
            Message::Vote(p) | Message::Beat(p) | Message::GetPeerReply(p) => Some(p.term),
            Message::VoteReply { voter, .. } => Some(voter.term),
            Message::BeatReply(Ok(p)) => Some(p.term),
            Message::BeatReply(Err(_)) | Message::GetPeer => None,
        }
    }
    fn granted(&self) -> Option<bool> {
        match self {
            Message::VoteReply { granted, .. } => Some(*granted),
            Message::BeatReply(r) => Some(r.is_ok()),
            _ => None,
        }
    }
}

/// The one timer: MasterElection then HeartBeat, every tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Tick,
}

impl TimerKind for Timer {
    fn index(self) -> usize {
        0
    }
    fn name(self) -> &'static str {
        "tick"
    }
}
