//! RequestVote (and Pre-Vote) and AppendEntries with their replies, and the
//! two timers.

use crate::protocol::{MessageInfo, MessageKind, TimerKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// RequestVote RPC; with `pre_vote` it is etcd's MsgPreVote, whose `term`
    /// is the sender's term + 1 and changes nobody's term.
    RequestVote {
        term: u64,
        last_log_index: u64,
        last_log_term: u64,
        pre_vote: bool,
    },
    /// The reply: the voter's current term (for a granted pre-vote, the
    /// term the pre-vote asked about).
    RequestVoteReply {
        term: u64,
        granted: bool,
        pre_vote: bool,
    },
    /// An empty AppendEntries: the heartbeat.
    AppendEntries {
        term: u64,
    },
    AppendEntriesReply {
        term: u64,
        success: bool,
    },
}

impl MessageInfo for Message {
    fn kind(&self) -> MessageKind {
        match self {
            Message::RequestVote {
                pre_vote: false, ..
            } => MessageKind::VoteRequest,
            Message::RequestVote { pre_vote: true, .. } => MessageKind::PreVoteRequest,
            Message::RequestVoteReply {
                pre_vote: false, ..
            } => MessageKind::VoteReply,
            Message::RequestVoteReply { pre_vote: true, .. } => MessageKind::PreVoteReply,
            Message::AppendEntries { .. } => MessageKind::Beat,
            Message::AppendEntriesReply { .. } => MessageKind::BeatReply,
        }
    }
    fn term(&self) -> Option<u64> {
        Some(self.term_of())
    }
    fn granted(&self) -> Option<bool> {
        match self {
            Message::RequestVoteReply { granted, .. } => Some(*granted),
            Message::AppendEntriesReply { success, .. } => Some(*success),
            _ => None,
        }
    }
}

impl Message {
    pub(super) fn term_of(&self) -> u64 {
        match *self {
            Message::RequestVote { term, .. }
            | Message::RequestVoteReply { term, .. }
            | Message::AppendEntries { term }
            | Message::AppendEntriesReply { term, .. } => term,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The randomized election timeout; on a CheckQuorum leader, the quorum check.
    Election,
    /// The leader's heartbeat; on a CheckQuorum follower, the leader lease.
    Heartbeat,
}

impl TimerKind for Timer {
    fn index(self) -> usize {
        match self {
            Timer::Election => 0,
            Timer::Heartbeat => 1,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Timer::Election => "election",
            Timer::Heartbeat => "heartbeat",
        }
    }
}
