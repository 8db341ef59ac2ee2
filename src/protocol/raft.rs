//! Textbook Raft leader election (Ongaro & Ousterhout, "In Search of an
//! Understandable Consensus Algorithm", §5.2 and the election restriction of
//! §5.4.1), with etcd-io/raft's optional Pre-Vote and CheckQuorum.
//!
//! Only elections and heartbeats are modelled. Each node has an abstract log
//! ([`LogPos`]: last index and last term) that is fixed at boot and used only
//! for the up-to-date check of RequestVote; AppendEntries are empty
//! heartbeats and a leader never appends.
//!
//! Timers (two slots):
//! - [`Timer::Election`]: the randomized election timeout on followers,
//!   pre-candidates and candidates, drawn uniformly from
//!   `[election_min, election_max]` at every reset. On a leader it is used
//!   only with CheckQuorum, as the quorum check every `election_min`; without
//!   CheckQuorum a leader's election timer is cancelled.
//! - [`Timer::Heartbeat`]: on a leader, the heartbeat every
//!   `heartbeat_interval`. On a follower with CheckQuorum it is the *lease*
//!   timer: armed for `election_min` at every AppendEntries from the leader;
//!   while it runs the follower is "in lease" (it heard from a live leader less
//!   than `election_min` ago) and ignores vote requests with a higher term.
//!
//! Where the model follows the paper rather than etcd: a follower's election
//! timer is reset only by an AppendEntries from the current leader or by
//! granting a vote (Figure 2); merely seeing a higher term does not reset it
//! (etcd's becomeFollower does), and a candidate whose votes are refused
//! keeps waiting for its timeout (etcd steps back to follower).

use super::{Countdowns, Entropy, Field, MessageInfo, MessageKind, Micros, NodeId, Protocol, Ready, Role, Status, TimerKind};
use crate::error::Error;
use crate::json::{json_num, json_opt, json_str};
use crate::time::{fmt_ms, format_duration, MsJson};
use std::fmt::Write;

/// The longest timing the model accepts.
const MAX_TIMING: Micros = 86_400_000_000;

/// The last entry of a node's log: all the up-to-date check of §5.4.1 needs.
/// `(0, 0)` is an empty log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogPos {
    pub index: u64,
    pub term: u64,
}

impl LogPos {
    /// §5.4.1: this log is at least as up to date as `other` if its last term
    /// is higher, or the last terms are equal and it is at least as long.
    pub fn at_least_as_up_to_date_as(self, other: LogPos) -> bool {
        self.term > other.term || (self.term == other.term && self.index >= other.index)
    }
}

/// Raft's timings and the etcd options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Lower bound of the randomized election timeout (inclusive).
    pub election_min: Micros,
    /// Upper bound of the randomized election timeout (inclusive).
    pub election_max: Micros,
    /// A leader sends empty AppendEntries this often.
    pub heartbeat_interval: Micros,
    /// etcd's PreVote: poll for a majority before raising the term.
    pub pre_vote: bool,
    /// etcd's CheckQuorum: a leader that has not heard from a majority within
    /// `election_min` steps down, and followers keep a leader lease.
    pub check_quorum: bool,
    /// Initial log of each node (index `id - 1`); missing nodes have an empty log.
    pub logs: Vec<LogPos>,
}

impl Default for Config {
    /// The paper's recommended 150-300 ms election timeout, heartbeats every 50 ms.
    fn default() -> Self {
        Config {
            election_min: 150_000,
            election_max: 300_000,
            heartbeat_interval: 50_000,
            pre_vote: false,
            check_quorum: false,
            logs: Vec::new(),
        }
    }
}

impl Config {
    /// The initial log of node `id`.
    pub fn log_of(&self, id: NodeId) -> LogPos {
        id.checked_sub(1)
            .and_then(|i| self.logs.get(i as usize))
            .copied()
            .unwrap_or_default()
    }
}

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
    fn term_of(&self) -> u64 {
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

/// Why a (pre-)vote was not granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// RequestVote: the candidate's term is below the local term. PreVote:
    /// the proposed term is not above the local term.
    StaleTerm { local_term: u64 },
    /// votedFor is already another candidate in this term.
    AlreadyVoted { voted_for: NodeId },
    /// §5.4.1: the candidate's log is behind the voter's.
    LogNotUpToDate { ours: LogPos },
    /// CheckQuorum lease: the voter heard from a live leader less than
    /// election_min ago (or is that leader). The request is dropped: no term
    /// change, no reply.
    InLease { leader: NodeId },
}

/// How a counted (pre-)vote reply left the poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    Pending,
    Won,
    /// Pre-vote only: a majority refused, back to follower (timer untouched).
    Lost,
}

/// Why a node became a follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepDownReason {
    /// A message carried a term above the local one.
    HigherTerm {
        from: NodeId,
        kind: MessageKind,
        term: u64,
        old_term: u64,
    },
    /// CheckQuorum: the leader heard from fewer than a majority in election_min.
    QuorumLost { active: u32, needed: u32 },
}

/// What the trace says about one step, named as the paper names things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The election timer fired (or the user forced it): the node became a
    /// candidate at `term`, or with Pre-Vote a pre-candidate asking about `term`.
    ElectionTimeout {
        forced: bool,
        was: Role,
        pre_vote: bool,
        term: u64,
        timeout: Micros,
        forgot_leader: Option<NodeId>,
    },
    /// Pre-Vote won: the real election starts at `term`.
    StartElection {
        term: u64,
        timeout: Micros,
    },
    /// A RequestVote (or PreVote) handled. `timeout` is the election timeout
    /// drawn when a real vote was granted.
    RequestVote {
        from: NodeId,
        pre_vote: bool,
        term: u64,
        last_log: LogPos,
        refusal: Option<Refusal>,
        timeout: Option<Micros>,
    },
    /// A (pre-)vote reply counted by a (pre-)candidate.
    VoteReply {
        from: NodeId,
        pre_vote: bool,
        granted: bool,
        votes: u32,
        refused: u32,
        needed: u32,
        poll: Poll,
    },
    BecomeLeader {
        term: u64,
        votes: u32,
        needed: u32,
    },
    /// A heartbeat accepted by a follower.
    AppendEntries {
        from: NodeId,
        term: u64,
        was: Role,
        new_leader: bool,
        timeout: Micros,
    },
    /// A heartbeat refused: stale term (or, impossibly, a second leader of this term).
    AppendEntriesRejected {
        from: NodeId,
        term: u64,
        local_term: u64,
    },
    /// A failed AppendEntries reply (successes are not noted).
    AppendEntriesReply {
        from: NodeId,
        term: u64,
    },
    /// The leader broadcast an empty AppendEntries.
    SendHeartbeat {
        term: u64,
        peers: u32,
        next: Micros,
    },
    /// CheckQuorum passed (a failed check is a `StepDown`).
    CheckQuorum {
        active: u32,
        needed: u32,
        period: Micros,
    },
    StepDown {
        was: Role,
        term: u64,
        reason: StepDownReason,
        timeout: Option<Micros>,
    },
    /// A follower's lease ran out: it votes again.
    LeaseExpired {
        leader: Option<NodeId>,
        period: Micros,
    },
}

fn id_text(id: Option<NodeId>) -> String {
    id.map_or_else(|| "none".to_string(), |i| format!("S{i}"))
}

fn ms(us: Micros) -> MsJson {
    MsJson(us as i64)
}

fn ms_text(us: Micros) -> String {
    fmt_ms(us as i64)
}

fn log_text(l: LogPos) -> String {
    format!("last log index {} term {}", l.index, l.term)
}

impl super::Note for Note {
    fn name(&self) -> &'static str {
        match self {
            Note::ElectionTimeout { .. } => "electionTimeout",
            Note::StartElection { .. } => "startElection",
            Note::RequestVote {
                pre_vote: false, ..
            } => "requestVote",
            Note::RequestVote { pre_vote: true, .. } => "preVote",
            Note::VoteReply {
                pre_vote: false, ..
            } => "voteReply",
            Note::VoteReply { pre_vote: true, .. } => "preVoteReply",
            Note::BecomeLeader { .. } => "becomeLeader",
            Note::AppendEntries { .. } | Note::AppendEntriesRejected { .. } => "appendEntries",
            Note::AppendEntriesReply { .. } => "appendEntriesReply",
            Note::SendHeartbeat { .. } => "sendHeartbeat",
            Note::CheckQuorum { .. } => "checkQuorum",
            Note::StepDown { .. } => "stepDown",
            Note::LeaseExpired { .. } => "leaseExpired",
        }
    }

    fn category(&self) -> &'static str {
        match self {
            Note::AppendEntries { .. }
            | Note::AppendEntriesRejected { .. }
            | Note::AppendEntriesReply { .. }
            | Note::SendHeartbeat { .. }
            | Note::CheckQuorum { .. } => "beat",
            _ => "election",
        }
    }

    fn routine(&self) -> bool {
        matches!(
            self,
            Note::AppendEntries {
                was: Role::Follower,
                new_leader: false,
                ..
            } | Note::CheckQuorum { .. }
        )
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Note::ElectionTimeout {
                forced,
                was,
                pre_vote,
                term,
                timeout,
                forgot_leader,
            } => {
                json_num(out, "forced", forced);
                json_str(out, "was", was.as_str());
                json_num(out, "preVote", pre_vote);
                json_num(
                    out,
                    if *pre_vote { "proposedTerm" } else { "newTerm" },
                    term,
                );
                json_num(out, "electionTimeoutMs", ms(*timeout));
                json_opt(out, "forgotLeader", *forgot_leader);
            }
            Note::StartElection { term, timeout } => {
                json_num(out, "newTerm", term);
                json_num(out, "electionTimeoutMs", ms(*timeout));
            }
            Note::RequestVote {
                from,
                pre_vote,
                term,
                last_log,
                refusal,
                timeout,
            } => {
                json_num(out, "from", from);
                json_num(out, "preVote", pre_vote);
                json_num(out, "candidateTerm", term);
                json_num(out, "lastLogIndex", last_log.index);
                json_num(out, "lastLogTerm", last_log.term);
                json_num(out, "granted", refusal.is_none());
                match refusal {
                    None => {}
                    Some(Refusal::StaleTerm { local_term }) => {
                        json_str(out, "reason", "stale term");
                        json_num(out, "localTerm", local_term);
                    }
                    Some(Refusal::AlreadyVoted { voted_for }) => {
                        json_str(out, "reason", "already voted");
                        json_num(out, "votedFor", voted_for);
                    }
                    Some(Refusal::LogNotUpToDate { ours }) => {
                        json_str(out, "reason", "log not up to date");
                        json_num(out, "ourLastLogIndex", ours.index);
                        json_num(out, "ourLastLogTerm", ours.term);
                    }
                    Some(Refusal::InLease { leader }) => {
                        json_str(out, "reason", "in lease");
                        json_num(out, "leader", leader);
                    }
                }
                json_num(
                    out,
                    "replied",
                    !matches!(refusal, Some(Refusal::InLease { .. })),
                );
                json_opt(out, "electionTimeoutMs", timeout.map(ms));
            }
            Note::VoteReply {
                from,
                pre_vote,
                granted,
                votes,
                refused,
                needed,
                poll,
            } => {
                json_num(out, "from", from);
                json_num(out, "preVote", pre_vote);
                json_num(out, "granted", granted);
                json_num(out, "votes", votes);
                json_num(out, "refused", refused);
                json_num(out, "needed", needed);
                let p = match poll {
                    Poll::Pending => "pending",
                    Poll::Won => "won",
                    Poll::Lost => "lost",
                };
                json_str(out, "poll", p);
            }
            Note::BecomeLeader {
                term,
                votes,
                needed,
            } => {
                json_num(out, "leaderTerm", term);
                json_num(out, "votes", votes);
                json_num(out, "needed", needed);
            }
            Note::AppendEntries {
                from,
                term,
                was,
                new_leader,
                timeout,
            } => {
                json_num(out, "from", from);
                json_num(out, "leaderTerm", term);
                json_num(out, "success", true);
                json_str(out, "was", was.as_str());
                json_num(out, "newLeader", new_leader);
                json_num(out, "electionTimeoutMs", ms(*timeout));
            }
            Note::AppendEntriesRejected {
                from,
                term,
                local_term,
            } => {
                json_num(out, "from", from);
                json_num(out, "leaderTerm", term);
                json_num(out, "success", false);
                json_num(out, "localTerm", local_term);
            }
            Note::AppendEntriesReply { from, term } => {
                json_num(out, "from", from);
                json_num(out, "success", false);
                json_num(out, "replyTerm", term);
            }
            Note::SendHeartbeat { term, peers, next } => {
                json_num(out, "leaderTerm", term);
                json_num(out, "peers", peers);
                json_num(out, "nextMs", ms(*next));
            }
            Note::CheckQuorum {
                active,
                needed,
                period,
            } => {
                json_num(out, "active", active);
                json_num(out, "needed", needed);
                json_num(out, "periodMs", ms(*period));
            }
            Note::StepDown {
                was,
                term,
                reason,
                timeout,
            } => {
                json_str(out, "was", was.as_str());
                json_num(out, "newTerm", term);
                match reason {
                    StepDownReason::HigherTerm {
                        from,
                        kind,
                        term: _,
                        old_term,
                    } => {
                        json_str(out, "reason", "higher term");
                        json_num(out, "from", from);
                        json_str(out, "message", kind.as_str());
                        json_num(out, "oldTerm", old_term);
                    }
                    StepDownReason::QuorumLost { active, needed } => {
                        json_str(out, "reason", "check quorum lost");
                        json_num(out, "active", active);
                        json_num(out, "needed", needed);
                    }
                }
                json_opt(out, "electionTimeoutMs", timeout.map(ms));
            }
            Note::LeaseExpired { leader, period } => {
                json_opt(out, "leader", *leader);
                json_num(out, "periodMs", ms(*period));
            }
        }
    }

    fn write_text(&self, out: &mut String) {
        let _ = self.text(out);
    }
}

impl Note {
    fn text(&self, out: &mut String) -> std::fmt::Result {
        match self {
            Note::ElectionTimeout { forced, was, pre_vote, term, timeout, forgot_leader } => {
                let why = if *forced { "timeout forced" } else { "election timeout" };
                write!(out, "{why}")?;
                if *was != Role::Follower || forgot_leader.is_some() {
                    write!(out, " (was {was}")?;
                    if let Some(l) = forgot_leader {
                        write!(out, ", forgets leader S{l}")?;
                    }
                    write!(out, ")")?;
                }
                if *pre_vote {
                    write!(
                        out,
                        " → PRE_CANDIDATE at term {}, PreVote for term {term} to all; election timeout {}",
                        term - 1,
                        ms_text(*timeout)
                    )
                } else {
                    write!(
                        out,
                        " → CANDIDATE, term {term}, votedFor self, RequestVote to all; election timeout {}",
                        ms_text(*timeout)
                    )
                }
            }
            Note::StartElection { term, timeout } => write!(
                out,
                "pre-vote majority → CANDIDATE, term {term}, votedFor self, RequestVote to all; election timeout {}",
                ms_text(*timeout)
            ),
            Note::RequestVote { from, pre_vote, term, last_log, refusal, timeout } => {
                let what = if *pre_vote { "pre-vote " } else { "" };
                write!(out, "from S{from} (term {term}, {}) → ", log_text(*last_log))?;
                match refusal {
                    None => {
                        write!(out, "{what}granted")?;
                        match timeout {
                            Some(t) => write!(out, ", election timeout reset {}", ms_text(*t)),
                            None => write!(out, " (own term and vote unchanged)"),
                        }
                    }
                    Some(Refusal::StaleTerm { local_term }) => {
                        if *pre_vote {
                            write!(out, "{what}refused: term {term} not above local term {local_term}")
                        } else {
                            write!(out, "refused: stale term (local term {local_term})")
                        }
                    }
                    Some(Refusal::AlreadyVoted { voted_for }) => {
                        write!(out, "refused: already voted for S{voted_for} in term {term}")
                    }
                    Some(Refusal::LogNotUpToDate { ours }) => {
                        write!(out, "{what}refused: log not up to date (ours: {})", log_text(*ours))
                    }
                    Some(Refusal::InLease { leader }) => {
                        write!(out, "ignored: in lease of leader S{leader}, no term change, no reply")
                    }
                }
            }
            Note::VoteReply { from, pre_vote, granted, votes, refused, needed, poll } => {
                let what = if *pre_vote { "pre-vote" } else { "vote" };
                let verdict = if *granted { "granted" } else { "refused" };
                write!(out, "from S{from}: {what} {verdict} → {votes} granted ({needed} needed)")?;
                if *refused > 0 {
                    write!(out, ", {refused} refused")?;
                }
                match poll {
                    Poll::Pending => Ok(()),
                    Poll::Won => write!(out, " → majority"),
                    Poll::Lost => write!(out, " → pre-vote lost, back to FOLLOWER"),
                }
            }
            Note::BecomeLeader { term, votes, needed } => {
                write!(out, "{votes} votes ({needed} needed) in term {term} → LEADER")
            }
            Note::AppendEntries { from, term, was, new_leader, timeout } => {
                write!(out, "from S{from} (term {term})")?;
                if *was != Role::Follower {
                    write!(out, ", {was} → FOLLOWER")?;
                }
                if *new_leader {
                    write!(out, ", leader S{from}")?;
                }
                write!(out, " → success, election timeout reset {}", ms_text(*timeout))
            }
            Note::AppendEntriesRejected { from, term, local_term } => {
                if term < local_term {
                    write!(
                        out,
                        "from S{from} (term {term} < local term {local_term}) → rejected, replies term {local_term} so the stale leader steps down"
                    )
                } else {
                    write!(out, "from S{from} (term {term}) → rejected: this node is LEADER of term {local_term}")
                }
            }
            Note::AppendEntriesReply { from, term } => write!(out, "from S{from}: failed (term {term})"),
            Note::SendHeartbeat { term, peers, next } => {
                write!(out, "empty AppendEntries (term {term}) to {peers} peers; next in {}", ms_text(*next))
            }
            Note::CheckQuorum { active, needed, period } => write!(
                out,
                "heard from {active} nodes ({needed} needed, self included) in the last {} → stays LEADER",
                ms_text(*period)
            ),
            Note::StepDown { was, term, reason, timeout } => {
                match reason {
                    StepDownReason::HigherTerm { from, kind, term: t, old_term } => write!(
                        out,
                        "term {t} from S{from} ({}) > local term {old_term} → FOLLOWER at term {term} (was {was}), votedFor none",
                        kind.as_str()
                    )?,
                    StepDownReason::QuorumLost { active, needed } => write!(
                        out,
                        "check quorum lost: heard from {active} nodes of {needed} needed → FOLLOWER at term {term} (was {was}), no leader"
                    )?,
                }
                match timeout {
                    Some(t) => write!(out, "; election timeout {}", ms_text(*t)),
                    None => Ok(()),
                }
            }
            Note::LeaseExpired { leader, period } => write!(
                out,
                "no AppendEntries from leader {} for {} → lease over, vote requests are considered again",
                id_text(*leader),
                ms_text(*period)
            ),
        }
    }
}

/// What a restart keeps: Raft persists currentTerm, votedFor and the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Persistent {
    pub term: u64,
    pub voted_for: Option<NodeId>,
    /// `None` on first boot: the log then comes from [`Config::logs`].
    pub log: Option<LogPos>,
}

/// One Raft server's election state.
#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    cluster_size: u32,
    config: Config,
    // Persistent state (Figure 2).
    term: u64,
    voted_for: Option<NodeId>,
    log: LogPos,
    // Volatile state.
    role: Role,
    leader: Option<NodeId>,
    /// Replies in the current (pre-)election, by voter id - 1: None = no answer yet.
    votes: Vec<Option<bool>>,
    /// CheckQuorum on a leader: peers heard from since the last check, by id - 1.
    recent_active: Vec<bool>,
    /// CheckQuorum on a follower: the lease timer (the Heartbeat slot) is
    /// running, i.e. the leader's last AppendEntries is less than election_min old.
    lease: bool,
    /// The election timeout drawn last.
    election_timeout: Micros,
}

type Out = Ready<Message, Timer, Note>;

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
    fn majority(&self) -> u32 {
        self.cluster_size / 2 + 1
    }

    fn slot(id: NodeId) -> usize {
        id.wrapping_sub(1) as usize
    }

    fn granted_count(&self) -> u32 {
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
        Message::RequestVote {
            term,
            last_log_index: self.log.index,
            last_log_term: self.log.term,
            pre_vote,
        }
    }

    /// The election timer fired (or was forced): start a (pre-)election at
    /// term + 1, from any role.
    fn election_timeout(&mut self, forced: bool, rng: &mut dyn Entropy, out: &mut Out) {
        let was = self.role;
        if was == Role::Leader {
            disarm(out, Timer::Heartbeat);
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

    fn send_heartbeat(&mut self, out: &mut Out) {
        let next = self.config.heartbeat_interval;
        out.note(Note::SendHeartbeat {
            term: self.term,
            peers: self.cluster_size.saturating_sub(1),
            next,
        });
        out.broadcast(Message::AppendEntries { term: self.term });
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
        } else if !cand.at_least_as_up_to_date_as(self.log) {
            Some(Refusal::LogNotUpToDate { ours: self.log })
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
        } else if !cand.at_least_as_up_to_date_as(self.log) {
            Some(Refusal::LogNotUpToDate { ours: self.log })
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
        term: u64,
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
                Message::AppendEntriesReply {
                    term: self.term,
                    success: false,
                },
            );
            return;
        }
        let was = self.role;
        self.role = Role::Follower;
        let new_leader = self.leader != Some(from);
        if new_leader {
            self.end_lease(out);
            self.leader = Some(from);
        }
        let timeout = self.reset_election_timer(rng, out);
        if self.config.check_quorum {
            self.lease = true;
            arm(out, Timer::Heartbeat, self.config.election_min);
        }
        out.note(Note::AppendEntries {
            from,
            term,
            was,
            new_leader,
            timeout,
        });
        out.send(
            from,
            Message::AppendEntriesReply {
                term: self.term,
                success: true,
            },
        );
    }
}

impl Protocol for Node {
    type Config = Config;
    type Message = Message;
    type Timer = Timer;
    type Note = Note;
    type Persistent = Persistent;

    const NAME: &'static str = "raft";

    fn validate_config(c: &Config) -> Result<(), Error> {
        let at_most_a_day = |field: &str, v: Micros| -> Result<(), Error> {
            if v > MAX_TIMING {
                return Err(Error::new(
                    field,
                    format!("must be at most 24h, got {}", format_duration(v)),
                ));
            }
            Ok(())
        };
        if c.election_min == 0 {
            return Err(Error::new("timings.electionMin", "must be greater than 0"));
        }
        at_most_a_day("timings.electionMin", c.election_min)?;
        at_most_a_day("timings.electionMax", c.election_max)?;
        if c.election_max < c.election_min {
            return Err(Error::new(
                "timings.electionMax",
                format!(
                    "must be at least timings.electionMin ({}), got {}",
                    format_duration(c.election_min),
                    format_duration(c.election_max)
                ),
            ));
        }
        if c.heartbeat_interval == 0 {
            return Err(Error::new("timings.heartbeat", "must be greater than 0"));
        }
        at_most_a_day("timings.heartbeat", c.heartbeat_interval)?;
        for (i, l) in c.logs.iter().enumerate() {
            if (l.index == 0) != (l.term == 0) {
                return Err(Error::new(
                    "logs",
                    format!(
                        "S{}: an empty log has index 0 and term 0, and a non-empty one a term of at least 1; got index {} term {}",
                        i + 1,
                        l.index,
                        l.term
                    ),
                ));
            }
        }
        Ok(())
    }

    fn config_warnings(c: &Config, latency_max: Micros) -> Vec<String> {
        let (beat, min, d) = (c.heartbeat_interval, c.election_min, format_duration);
        let mut out = Vec::new();
        if beat >= min {
            out.push(format!(
                "timings.heartbeat ({}) is not below timings.electionMin ({}): followers time out between heartbeats, so elections repeat and leaders come and go",
                d(beat),
                d(min)
            ));
        } else if beat.saturating_add(latency_max) >= min {
            out.push(format!(
                "timings.heartbeat ({}) plus network.latencyMax ({}) reaches timings.electionMin ({}): a late heartbeat can let a follower time out and start a needless election",
                d(beat),
                d(latency_max),
                d(min)
            ));
        }
        if latency_max.saturating_mul(2) >= min {
            out.push(format!(
                "a round trip (2 × network.latencyMax = {}) reaches timings.electionMin ({}): a candidate can time out before its votes come back, so elections may not settle",
                d(latency_max.saturating_mul(2)),
                d(min)
            ));
        }
        if c.election_min == c.election_max {
            out.push(format!(
                "timings.electionMin equals timings.electionMax ({}): with no randomness, candidates time out together and split votes can repeat (Figure 16's 150-150 ms line)",
                d(min)
            ));
        }
        out
    }

    fn new(
        id: NodeId,
        cluster_size: u32,
        config: &Config,
        persisted: &Persistent,
        _rng: &mut dyn Entropy,
    ) -> Self {
        let log = persisted.log.unwrap_or_else(|| config.log_of(id));
        Node {
            id,
            cluster_size,
            config: config.clone(),
            // A server's term is never below the term of its last entry.
            term: persisted.term.max(log.term),
            voted_for: persisted.voted_for,
            log,
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
            Message::AppendEntries { term } => self.handle_append_entries(from, term, rng, out),
            Message::AppendEntriesReply { term, success } => {
                // Stale failures (from an older term) are ignored.
                if !success && term >= self.term {
                    out.note(Note::AppendEntriesReply { from, term });
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

    fn set_election_countdown(&mut self, after: Micros, _timer_due_in: &dyn Fn(Timer) -> Option<Micros>, out: &mut Out) {
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
            log: Some(self.log),
        }
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
            ("lastLogIndex", self.log.index.to_string()),
            ("lastLogTerm", self.log.term.to_string()),
        ];
        if matches!(self.role, Role::Candidate | Role::PreCandidate) {
            // Who answered how: a split vote reads off the candidates.
            // (At most a dozen names: a cluster of 101 would fill the inspector.)
            let who = |want: bool| -> String {
                let ids: Vec<String> = self.votes.iter().enumerate().filter(|(_, v)| **v == Some(want)).map(|(i, _)| format!("S{}", i + 1)).collect();
                if ids.len() > 12 { format!("{}, …", ids[..12].join(", ")) } else { ids.join(", ") }
            };
            let refused = who(false);
            let mut text = format!("{} of {} needed: {}", self.granted_count(), self.majority(), who(true));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Dest, Note as _};
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
                    self.sent.push((self.now, id, to, *msg));
                    if !self.cut.contains(&(id, to)) {
                        self.queue.push_back((id, to, *msg));
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
        n.on_message(2, Message::AppendEntries { term: 0 }, &mut d, &mut out);
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
            Message::AppendEntries { term: 2 },
            Message::AppendEntriesReply {
                term: 2,
                success: false,
            },
        ];
        for msg in msgs {
            let mut n = leader3(&cfg());
            let mut d = Draws::new(&[]);
            let mut out = Out::default();
            n.on_message(3, msg, &mut d, &mut out);
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
        n.on_message(3, Message::AppendEntries { term: 3 }, &mut d, &mut out);
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
                        success: false
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
            n.on_message(2, Message::AppendEntries { term }, &mut d, &mut out);
            assert_eq!((n.role, n.term, n.leader), (Role::Follower, term, Some(2)));
            assert_eq!(
                sent(&out),
                vec![(
                    Dest::To(2),
                    Message::AppendEntriesReply {
                        term,
                        success: true
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
            vec![(Dest::To(1), refusal), (Dest::To(1), refusal)]
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
        n.on_message(2, no, &mut d, &mut out);
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
        n.on_message(1, Message::AppendEntries { term: 1 }, &mut d, &mut out);
        assert_eq!(
            armed(&out, Timer::Heartbeat),
            Some(150 * MS),
            "the lease runs election_min"
        );
        for msg in [rv(2, 0, 0), pre(2, 0, 0)] {
            out.clear();
            n.on_message(3, msg, &mut d, &mut out);
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
        n.on_message(1, Message::AppendEntries { term: 1 }, &mut d, &mut out);
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
        assert_eq!(
            saved,
            Persistent {
                term: 4,
                voted_for: Some(2),
                log: Some(LogPos { index: 7, term: 3 })
            }
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
            n.on_message(from, Message::RequestVoteReply { term: 5, granted, pre_vote: false }, &mut d, &mut Out::default());
        }
        let votes = n.fields().into_iter().find(|(k, _)| *k == "votesGranted").map(|(_, v)| v);
        assert_eq!(votes.as_deref(), Some("2 of 3 needed: S1, S3 (refused: S4)"));
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
}
