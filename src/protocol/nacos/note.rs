//! The trace notes of the Nacos model, one per RaftCore method that did
//! work, and their text and JSON.

use super::BeatRejected;
use crate::json::{json_num, json_opt, json_str};
use crate::protocol::{NodeId, Role};
use crate::time::{fmt_ms, MsJson};
use std::fmt::Write;

/// What the trace says about one step, named after the Nacos method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// MasterElection found leaderDueMs <= 0 (or the user forced it):
    /// resetLeaderDue, resetHeartbeatDue, sendVote.
    SendVote {
        term: u64,
        leader_due: i64,
        heartbeat_due: i64,
        forced: bool,
        forgot_leader: Option<NodeId>,
    },
    /// receivedVote: granted when the candidate's term is higher.
    ReceivedVote {
        candidate: NodeId,
        candidate_term: u64,
        local_term: u64,
        granted: bool,
        leader_due: Option<i64>,
    },
    /// A vote reply counted by decideLeader.
    DecideLeader {
        voter: NodeId,
        voter_vote_for: Option<NodeId>,
        top: Option<NodeId>,
        votes: u32,
        needed: u32,
        elected: Option<NodeId>,
    },
    /// sendBeat on a LEADER: resetLeaderDue on itself, beat to every other node.
    SendBeat { leader_due: i64, peers: u32 },
    /// receivedBeat accepted the beat.
    ReceivedBeat {
        from: NodeId,
        beat_term: u64,
        became_follower: bool,
        leader_due: i64,
        heartbeat_due: i64,
    },
    /// receivedBeat threw.
    RejectedBeat { from: NodeId, reason: BeatRejected },
    /// makeLeader: the known leader changed, and/or stale leaders were queried.
    MakeLeader {
        leader: NodeId,
        previous: Option<NodeId>,
        queried: u32,
    },
    /// sendBeat's completion handler: peers.update on 200, a failure count otherwise.
    BeatResponse { from: NodeId, ok: bool },
    /// GET /raft/peer answered with the local peer.
    GetPeer { from: NodeId },
    /// The GET /raft/peer response: peers.update.
    PeerUpdate {
        peer: NodeId,
        state: Role,
        term: u64,
    },
}

pub(super) fn id_text(id: Option<NodeId>) -> String {
    id.map_or_else(|| "none".to_string(), |i| format!("S{i}"))
}

impl crate::protocol::Note for Note {
    fn name(&self) -> &'static str {
        match self {
            Note::SendVote { .. } => "sendVote",
            Note::ReceivedVote { .. } => "receivedVote",
            Note::DecideLeader { .. } => "decideLeader",
            Note::SendBeat { .. } => "sendBeat",
            Note::ReceivedBeat { .. } | Note::RejectedBeat { .. } => "receivedBeat",
            Note::MakeLeader { .. } => "makeLeader",
            Note::BeatResponse { .. } => "beatResponse",
            Note::GetPeer { .. } => "getPeer",
            Note::PeerUpdate { .. } => "peerUpdate",
        }
    }

    fn category(&self) -> &'static str {
        match self {
            Note::SendVote { .. } | Note::ReceivedVote { .. } | Note::DecideLeader { .. } => {
                "election"
            }
            Note::MakeLeader { .. } | Note::GetPeer { .. } | Note::PeerUpdate { .. } => "election",
            Note::SendBeat { .. }
            | Note::ReceivedBeat { .. }
            | Note::RejectedBeat { .. }
            | Note::BeatResponse { .. } => "beat",
        }
    }

    fn routine(&self) -> bool {
        matches!(
            self,
            Note::ReceivedBeat {
                became_follower: false,
                ..
            } | Note::BeatResponse { ok: true, .. }
                | Note::GetPeer { .. }
        )
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Note::SendVote {
                term,
                leader_due,
                heartbeat_due,
                forced,
                forgot_leader,
            } => {
                json_num(out, "newTerm", term);
                json_num(out, "leaderDueMs", ms(*leader_due));
                json_num(out, "heartbeatDueMs", ms(*heartbeat_due));
                json_num(out, "forced", forced);
                json_opt(out, "forgotLeader", *forgot_leader);
            }
            Note::ReceivedVote {
                candidate,
                candidate_term,
                local_term,
                granted,
                leader_due,
            } => {
                json_num(out, "from", candidate);
                json_num(out, "candidateTerm", candidate_term);
                json_num(out, "localTerm", local_term);
                json_num(out, "granted", granted);
                json_opt(out, "leaderDueMs", leader_due.map(ms));
            }
            Note::DecideLeader {
                voter,
                voter_vote_for,
                top,
                votes,
                needed,
                elected,
            } => {
                json_num(out, "from", voter);
                json_opt(out, "voterVoteFor", *voter_vote_for);
                json_opt(out, "mostVoted", *top);
                json_num(out, "votes", votes);
                json_num(out, "needed", needed);
                json_opt(out, "elected", *elected);
            }
            Note::SendBeat { leader_due, peers } => {
                json_num(out, "leaderDueMs", ms(*leader_due));
                json_num(out, "peers", peers);
            }
            Note::ReceivedBeat {
                from,
                beat_term,
                became_follower,
                leader_due,
                heartbeat_due,
            } => {
                json_num(out, "from", from);
                json_num(out, "beatTerm", beat_term);
                json_num(out, "accepted", true);
                json_num(out, "becameFollower", became_follower);
                json_num(out, "leaderDueMs", ms(*leader_due));
                json_num(out, "heartbeatDueMs", ms(*heartbeat_due));
            }
            Note::RejectedBeat { from, reason } => {
                json_num(out, "from", from);
                json_num(out, "accepted", false);
                match reason {
                    BeatRejected::NotLeader { state } => {
                        json_str(out, "reason", "invalid state from master");
                        json_str(out, "senderState", state.as_str());
                    }
                    BeatRejected::OutOfDate {
                        beat_term,
                        local_term,
                    } => {
                        json_str(out, "reason", "out of date beat");
                        json_num(out, "beatTerm", beat_term);
                        json_num(out, "localTerm", local_term);
                    }
                }
            }
            Note::MakeLeader {
                leader,
                previous,
                queried,
            } => {
                json_num(out, "leader", leader);
                json_opt(out, "previous", *previous);
                json_num(out, "queried", queried);
            }
            Note::BeatResponse { from, ok } => {
                json_num(out, "from", from);
                json_num(out, "ok", ok);
            }
            Note::GetPeer { from } => json_num(out, "from", from),
            Note::PeerUpdate { peer, state, term } => {
                json_num(out, "peer", peer);
                json_str(out, "state", state.as_str());
                json_num(out, "peerTerm", term);
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
            Note::SendVote { term, leader_due, heartbeat_due, forced, forgot_leader } => {
                let why = if *forced { "timeout forced" } else { "leaderDue expired" };
                let forgot = match forgot_leader {
                    Some(l) => format!(", forgets leader S{l}"),
                    None => String::new(),
                };
                write!(
                    out,
                    "{why} → resetLeaderDue {}, resetHeartbeatDue {}; term {term}, voteFor self, CANDIDATE{forgot}",
                    fmt_ms(*leader_due),
                    fmt_ms(*heartbeat_due)
                )
            }
            Note::ReceivedVote { candidate, candidate_term, local_term, granted, leader_due } => {
                if *granted {
                    write!(
                        out,
                        "from S{candidate} (term {candidate_term} > {local_term}) → granted: term {candidate_term}, voteFor S{candidate}, FOLLOWER, resetLeaderDue {}",
                        fmt_ms(leader_due.unwrap_or(0))
                    )
                } else {
                    write!(out, "from S{candidate} (term {candidate_term} <= {local_term}) → illegitimate vote, rejected")
                }
            }
            Note::DecideLeader { voter, voter_vote_for, top, votes, needed, elected } => {
                write!(
                    out,
                    "reply from S{voter} (voteFor {}): most voted {} with {votes} votes ({needed} needed)",
                    id_text(*voter_vote_for),
                    id_text(*top)
                )?;
                match elected {
                    Some(e) => write!(out, " → S{e} has become the LEADER"),
                    None => Ok(()),
                }
            }
            Note::SendBeat { leader_due, peers } => {
                write!(out, "resetLeaderDue {}; beat to {peers} peers", fmt_ms(*leader_due))
            }
            Note::ReceivedBeat { from, beat_term, became_follower, leader_due, heartbeat_due } => {
                let mk = if *became_follower { format!(", FOLLOWER, voteFor S{from}") } else { String::new() };
                write!(
                    out,
                    "from S{from} (term {beat_term}){mk} → resetLeaderDue {}, resetHeartbeatDue {}",
                    fmt_ms(*leader_due),
                    fmt_ms(*heartbeat_due)
                )
            }
            Note::RejectedBeat { from, reason } => match reason {
                BeatRejected::NotLeader { state } => {
                    write!(out, "from S{from} rejected: invalid state from master ({state})")
                }
                BeatRejected::OutOfDate { beat_term, local_term } => write!(
                    out,
                    "from S{from} rejected: out of date beat (beat term {beat_term} < local term {local_term})"
                ),
            },
            Note::MakeLeader { leader, previous, queried } => {
                if Some(*leader) != *previous {
                    write!(out, "S{leader} has become the LEADER (was {})", id_text(*previous))?;
                } else {
                    write!(out, "S{leader} still the LEADER")?;
                }
                if *queried > 0 {
                    write!(out, "; asks {queried} peer(s) still marked LEADER for their state")?;
                }
                Ok(())
            }
            Note::BeatResponse { from, ok } => {
                if *ok {
                    write!(out, "from S{from}: 200 → peers.update")
                } else {
                    write!(out, "from S{from}: error → beat failure counted")
                }
            }
            Note::GetPeer { from } => write!(out, "from S{from} → replies with local peer"),
            Note::PeerUpdate { peer, state, term } => write!(out, "S{peer} is {state} at term {term} → peers.update"),
        }
    }
}

fn ms(us: i64) -> MsJson {
    MsJson(us)
}
