//! The trace notes of the Raft model, named as the paper names things, and
//! their text and JSON; the reasons they carry.

use super::LogPos;
use crate::json::{json_num, json_opt, json_str};
use crate::protocol::data::{Key, OpId, OpKind};
use crate::protocol::{MessageKind, Micros, NodeId, Role};
use crate::time::{fmt_ms, MsJson};
use std::fmt::Write;

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
    /// An AppendEntries accepted by a follower: `received` entries, of
    /// which `appended` were new, after dropping `truncated` conflicting ones.
    AppendEntries {
        from: NodeId,
        term: u64,
        was: Role,
        new_leader: bool,
        timeout: Micros,
        received: u32,
        appended: u32,
        truncated: u64,
        /// The commit index moved (from, to).
        commit: Option<(u64, u64)>,
    },
    /// The consistency check failed: no entry at prev with prev's term.
    AppendEntriesMismatch {
        from: NodeId,
        prev: LogPos,
        last: LogPos,
        hint: u64,
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
    /// The leader's heartbeat: an AppendEntries to every peer, carrying
    /// `entries` in all to the peers that lacked them.
    SendHeartbeat {
        term: u64,
        peers: u32,
        next: Micros,
        entries: u64,
        commit: u64,
    },
    /// A client's command appended to the leader's log.
    ClientRequest {
        op: OpId,
        kind: OpKind,
        key: Key,
        index: u64,
        term: u64,
    },
    /// A non-leader sends the client to the leader it knows (or has none).
    Redirect {
        op: OpId,
        leader: Option<NodeId>,
    },
    /// The leader refused a command: too many entries uncommitted.
    Dropped {
        op: OpId,
        uncommitted: u64,
    },
    /// The leader's commit index advanced.
    Commit {
        from: u64,
        to: u64,
        term: u64,
    },
    /// A majority matches `index`, but its entry is of an earlier term
    /// (Figure 8): it waits for an entry of the leader's own term.
    CommitWaits {
        index: u64,
        term: u64,
    },
    /// A follower's log did not match: nextIndex backs up.
    Backtrack {
        from: NodeId,
        rejected: u64,
        next: u64,
    },
    /// The entries a follower needs were compacted: the leader sends its snapshot.
    SendSnapshot {
        to: NodeId,
        pos: LogPos,
        keys: u64,
    },
    /// A follower installed the leader's snapshot, keeping `kept` entries after it.
    InstallSnapshot {
        from: NodeId,
        pos: LogPos,
        kept: u64,
        keys: u64,
    },
    /// The node snapshotted its state machine and dropped old entries.
    Compact {
        snapshot: LogPos,
        base: LogPos,
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

pub(super) fn id_text(id: Option<NodeId>) -> String {
    id.map_or_else(|| "none".to_string(), |i| format!("S{i}"))
}

pub(super) fn ms(us: Micros) -> MsJson {
    MsJson(us as i64)
}

fn ms_text(us: Micros) -> String {
    fmt_ms(us as i64)
}

fn log_text(l: LogPos) -> String {
    format!("last log index {} term {}", l.index, l.term)
}

impl crate::protocol::Note for Note {
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
            Note::AppendEntriesMismatch { .. } => "appendEntries",
            Note::ClientRequest { .. } => "clientCommand",
            Note::Redirect { .. } => "redirect",
            Note::Dropped { .. } => "dropped",
            Note::Commit { .. } => "commit",
            Note::CommitWaits { .. } => "commitWaits",
            Note::Backtrack { .. } => "backtrack",
            Note::SendSnapshot { .. } => "sendSnapshot",
            Note::InstallSnapshot { .. } => "installSnapshot",
            Note::Compact { .. } => "compact",
        }
    }

    fn category(&self) -> &'static str {
        match self {
            Note::AppendEntries { .. }
            | Note::AppendEntriesRejected { .. }
            | Note::AppendEntriesReply { .. }
            | Note::SendHeartbeat { .. }
            | Note::CheckQuorum { .. } => "beat",
            Note::AppendEntriesMismatch { .. }
            | Note::Commit { .. }
            | Note::CommitWaits { .. }
            | Note::Backtrack { .. }
            | Note::SendSnapshot { .. }
            | Note::InstallSnapshot { .. }
            | Note::Compact { .. } => "data",
            Note::ClientRequest { .. } | Note::Redirect { .. } | Note::Dropped { .. } => "client",
            _ => "election",
        }
    }

    fn routine(&self) -> bool {
        matches!(
            self,
            Note::AppendEntries {
                was: Role::Follower,
                new_leader: false,
                appended: 0,
                truncated: 0,
                commit: None,
                ..
            } | Note::CheckQuorum { .. }
                | Note::Compact { .. }
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
                received,
                appended,
                truncated,
                commit,
            } => {
                json_num(out, "from", from);
                json_num(out, "leaderTerm", term);
                json_num(out, "success", true);
                json_str(out, "was", was.as_str());
                json_num(out, "newLeader", new_leader);
                json_num(out, "electionTimeoutMs", ms(*timeout));
                if *received > 0 {
                    json_num(out, "entries", received);
                    json_num(out, "appended", appended);
                }
                if *truncated > 0 {
                    json_num(out, "truncated", truncated);
                }
                if let Some((_, to)) = commit {
                    json_num(out, "commitIndex", to);
                }
            }
            Note::AppendEntriesMismatch {
                from,
                prev,
                last,
                hint,
            } => {
                json_num(out, "from", from);
                json_num(out, "success", false);
                json_num(out, "prevLogIndex", prev.index);
                json_num(out, "prevLogTerm", prev.term);
                json_num(out, "lastLogIndex", last.index);
                json_num(out, "lastLogTerm", last.term);
                json_num(out, "hint", hint);
            }
            Note::ClientRequest {
                op,
                kind,
                key,
                index,
                term,
            } => {
                json_num(out, "op", op);
                json_str(out, "opKind", kind.as_str());
                json_str(out, "key", key);
                json_num(out, "index", index);
                json_num(out, "entryTerm", term);
            }
            Note::Redirect { op, leader } => {
                json_num(out, "op", op);
                json_opt(out, "leader", *leader);
            }
            Note::Dropped { op, uncommitted } => {
                json_num(out, "op", op);
                json_num(out, "uncommitted", uncommitted);
            }
            Note::Commit { from, to, term } => {
                json_num(out, "fromIndex", from);
                json_num(out, "commitIndex", to);
                json_num(out, "leaderTerm", term);
            }
            Note::CommitWaits { index, term } => {
                json_num(out, "index", index);
                json_num(out, "entryTerm", term);
            }
            Note::Backtrack {
                from,
                rejected,
                next,
            } => {
                json_num(out, "from", from);
                json_num(out, "rejectedPrevLogIndex", rejected);
                json_num(out, "nextIndex", next);
            }
            Note::SendSnapshot { to, pos, keys } => {
                json_num(out, "to", to);
                json_num(out, "lastIncludedIndex", pos.index);
                json_num(out, "lastIncludedTerm", pos.term);
                json_num(out, "keys", keys);
            }
            Note::InstallSnapshot {
                from,
                pos,
                kept,
                keys,
            } => {
                json_num(out, "from", from);
                json_num(out, "lastIncludedIndex", pos.index);
                json_num(out, "lastIncludedTerm", pos.term);
                json_num(out, "keptEntries", kept);
                json_num(out, "keys", keys);
            }
            Note::Compact { snapshot, base } => {
                json_num(out, "snapshotIndex", snapshot.index);
                json_num(out, "logStartsAfter", base.index);
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
            Note::SendHeartbeat {
                term,
                peers,
                next,
                entries,
                commit,
            } => {
                json_num(out, "leaderTerm", term);
                json_num(out, "peers", peers);
                json_num(out, "nextMs", ms(*next));
                if *entries > 0 {
                    json_num(out, "entries", entries);
                }
                if *commit > 0 {
                    json_num(out, "commitIndex", commit);
                }
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
            Note::AppendEntries { from, term, was, new_leader, timeout, received, appended, truncated, commit } => {
                write!(out, "from S{from} (term {term})")?;
                if *was != Role::Follower {
                    write!(out, ", {was} → FOLLOWER")?;
                }
                if *new_leader {
                    write!(out, ", leader S{from}")?;
                }
                write!(out, " → success, election timeout reset {}", ms_text(*timeout))?;
                if *truncated > 0 {
                    write!(out, "; dropped {truncated} conflicting")?;
                }
                if *received > 0 {
                    write!(out, "; {appended} of {received} entries new")?;
                }
                match commit {
                    Some((a, b)) => write!(out, "; commit index {a} → {b}, applied"),
                    None => Ok(()),
                }
            }
            Note::AppendEntriesMismatch { from, prev, last, hint } => write!(
                out,
                "from S{from}: no entry at index {} with term {} (log ends at index {} term {}) → rejected, try from {hint}",
                prev.index, prev.term, last.index, last.term
            ),
            Note::ClientRequest { op, kind, key, index, term } => write!(
                out,
                "{} {key} (#{op}) appended at index {index} (term {term}), replicating",
                kind.as_str()
            ),
            Note::Redirect { op, leader: Some(l) } => {
                write!(out, "#{op}: not the leader → redirects the client to S{l}")
            }
            Note::Redirect { op, leader: None } => {
                write!(out, "#{op}: not the leader and knows none → fails")
            }
            Note::Dropped { op, uncommitted } => {
                write!(out, "#{op} refused: {uncommitted} entries uncommitted")
            }
            Note::Commit { from, to, term } => write!(
                out,
                "majority matches index {to} (term {term}) → commit index {from} → {to}, applied"
            ),
            Note::CommitWaits { index, term } => write!(
                out,
                "majority matches index {index}, but its term {term} is not the current one → not committed yet (Figure 8)"
            ),
            Note::Backtrack { from, rejected, next } => write!(
                out,
                "S{from} has no match at index {rejected} → nextIndex {next}, sending again"
            ),
            Note::SendSnapshot { to, pos, keys } => write!(
                out,
                "S{to} needs entries compacted away → InstallSnapshot up to index {} term {} ({keys} keys)",
                pos.index, pos.term
            ),
            Note::InstallSnapshot { from, pos, kept, keys } => write!(
                out,
                "from S{from}: snapshot up to index {} term {} ({keys} keys) installed, {kept} later entries kept",
                pos.index, pos.term
            ),
            Note::Compact { snapshot, base } => write!(
                out,
                "snapshot at index {} → log now starts after index {}",
                snapshot.index, base.index
            ),
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
            Note::SendHeartbeat { term, peers, next, entries, .. } => {
                if *entries == 0 {
                    write!(out, "empty AppendEntries (term {term}) to {peers} peers; next in {}", ms_text(*next))
                } else {
                    write!(out, "AppendEntries (term {term}) to {peers} peers, {entries} entries to those behind; next in {}", ms_text(*next))
                }
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
