//! RequestVote (and Pre-Vote), AppendEntries and InstallSnapshot with their
//! replies, and the two timers.

use super::log::{Entry, SharedSnapshot};
use crate::protocol::{MessageInfo, MessageKind, TimerKind};

#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// AppendEntries: the entries after (prev_index, prev_term) and the
    /// leader's commit index. With no entries it is the heartbeat.
    AppendEntries {
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        commit: u64,
    },
    /// On success, `index` is the last index the follower now matches. On a
    /// log mismatch it is the rejected prev_index, and `hint` the first index
    /// the leader should try next (§5.3's optimisation).
    AppendEntriesReply {
        term: u64,
        success: bool,
        index: u64,
        hint: u64,
    },
    /// InstallSnapshot (§7), sent whole: the follower needs entries the
    /// leader compacted away.
    InstallSnapshot { term: u64, snapshot: SharedSnapshot },
    /// The follower's last index after the install.
    InstallSnapshotReply { term: u64, index: u64 },
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
            Message::InstallSnapshot { .. } => MessageKind::Snapshot,
            Message::InstallSnapshotReply { .. } => MessageKind::SnapshotReply,
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
    fn entries(&self) -> u32 {
        match self {
            Message::AppendEntries { entries, .. } => entries.len() as u32,
            Message::InstallSnapshot { snapshot, .. } => snapshot.machine.store.len() as u32,
            _ => 0,
        }
    }
}

impl Message {
    pub(super) fn term_of(&self) -> u64 {
        match *self {
            Message::RequestVote { term, .. }
            | Message::RequestVoteReply { term, .. }
            | Message::AppendEntries { term, .. }
            | Message::AppendEntriesReply { term, .. }
            | Message::InstallSnapshot { term, .. }
            | Message::InstallSnapshotReply { term, .. } => term,
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
