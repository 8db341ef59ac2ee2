//! The trace notes of the Nacos model, one per RaftCore method that did
//! work, and their text and JSON.

use super::message::CommitRefused;
use super::BeatRejected;
use crate::json::{json_num, json_opt, json_str};
use crate::protocol::data::{Failure, Key, OpId, OpKind, Outcome};
use crate::protocol::{MessageKind, NodeId, RequestError, Role, WireSize};
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
    SendBeat {
        leader_due: i64,
        peers: u32,
        /// Keys the beat lists (0 with sendBeatOnly), and its size.
        keys: u32,
        size: WireSize,
    },
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
    /// signalPublish on a follower: the write is proxied to the leader.
    Proxy {
        op: OpId,
        kind: OpKind,
        key: Key,
        to: NodeId,
    },
    /// The proxied request's answer, passed on to the client.
    ProxyReply {
        op: OpId,
        from: NodeId,
        outcome: Outcome,
    },
    /// The request failed at once (no leader known, or no longer leader).
    Refused { op: OpId, failure: Failure },
    /// signalPublish waits for OPERATE_LOCK, held by a write awaiting its majority.
    LockWait { op: OpId, key: Key, queued: u32 },
    /// signalPublish on the leader: new version, onPublish on itself
    /// (term + 100), commit sent to every other server.
    SignalPublish {
        op: OpId,
        key: Key,
        version: u64,
        term: u64,
        source_term: u64,
        needed: u32,
    },
    /// signalDelete on the leader: deleted, sent to all, answered at once.
    SignalDelete { op: OpId, key: Key, existed: bool },
    /// signalPublish's latch: a majority answered, or the 5000 ms ran out.
    PublishResult {
        op: OpId,
        key: Key,
        acks: u32,
        needed: u32,
        outcome: Outcome,
    },
    /// A commit's callback on the leader.
    CommitResponse {
        from: NodeId,
        refused: Option<CommitRefused>,
        counted: bool,
    },
    /// onPublish on a follower: applied with the term rule, or refused.
    OnPublish {
        from: NodeId,
        key: Key,
        version: u64,
        source_term: u64,
        term_before: u64,
        term: u64,
        refused: Option<CommitRefused>,
    },
    OnDelete {
        from: NodeId,
        key: Key,
        source_term: u64,
        term_before: u64,
        term: u64,
        refused: Option<CommitRefused>,
    },
    /// signalDelete's callback on the leader (a 200 resets its leaderDue).
    DeleteResponse {
        from: NodeId,
        refused: Option<CommitRefused>,
    },
    /// receivedBeat asks the beat's sender for a batch of keys.
    PullDatums { to: NodeId, keys: u32, first: Key },
    /// The pull callback applied a batch (then sleeps 200 ms).
    DatumsPulled {
        from: NodeId,
        received: u32,
        applied: u32,
        beat_term: u64,
        term_before: u64,
        term: u64,
    },
    /// receivedBeat deleted the local keys the beat did not list.
    DeadKeys {
        from: NodeId,
        count: u32,
        first: Key,
    },
    /// An HTTP request's error callback (onError): the connection failed
    /// or timed out. Beats count a failure, a proxied write fails its
    /// client (`op`), the rest only log.
    RequestError {
        to: NodeId,
        kind: MessageKind,
        error: RequestError,
        /// The beat failure count after this one (beats only).
        failures: Option<u64>,
        /// The client request a proxy carried.
        op: Option<OpId>,
    },
}

fn refusal_text(r: &CommitRefused) -> String {
    match r {
        CommitRefused::NotLeader { leader } => format!(
            "tried to publish data but wasn't leader (leader here: {})",
            id_text(*leader)
        ),
        CommitRefused::OutOfDate {
            source_term,
            local_term,
        } => format!("out of date publish (source term {source_term} < local term {local_term})"),
    }
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Ok(()) => "ok".to_string(),
        Err(f) => format!("failed: {}", f.describe()),
    }
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
            Note::Proxy { .. } => "proxy",
            Note::ProxyReply { .. } => "proxyReply",
            Note::Refused { .. } => "refused",
            Note::LockWait { .. } => "operateLock",
            Note::SignalPublish { .. } => "signalPublish",
            Note::SignalDelete { .. } => "signalDelete",
            Note::PublishResult { .. } => "publishResult",
            Note::CommitResponse { .. } => "commitResponse",
            Note::OnPublish { .. } => "onPublish",
            Note::OnDelete { .. } => "onDelete",
            Note::DeleteResponse { .. } => "deleteResponse",
            Note::PullDatums { .. } => "pullDatums",
            Note::DatumsPulled { .. } => "datumsPulled",
            Note::DeadKeys { .. } => "deadKeys",
            Note::RequestError { kind, .. } => match kind {
                MessageKind::Beat => "beatError",
                MessageKind::VoteRequest => "voteError",
                MessageKind::PeerQuery => "getPeerError",
                MessageKind::Commit => "commitError",
                MessageKind::Delete => "deleteError",
                MessageKind::Pull => "pullError",
                MessageKind::Forward => "proxyError",
                _ => "requestError",
            },
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
            Note::RequestError { kind, .. } => match kind {
                MessageKind::Beat => "beat",
                MessageKind::VoteRequest | MessageKind::PeerQuery => "election",
                _ => "data",
            },
            _ => "data",
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
                | Note::CommitResponse {
                    refused: None,
                    counted: false,
                    ..
                }
                | Note::DeleteResponse { refused: None, .. }
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
            Note::SendBeat {
                leader_due,
                peers,
                keys,
                size,
            } => {
                json_num(out, "leaderDueMs", ms(*leader_due));
                json_num(out, "peers", peers);
                // Only a beat that lists datums says so: a cluster without
                // data keeps the trace it had before beats carried any.
                if *keys > 0 {
                    json_num(out, "keys", keys);
                    json_num(out, "bytes", size.json);
                    json_num(out, "gzipBytes", size.gzip);
                }
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
            Note::Proxy { op, kind, key, to } => {
                json_num(out, "op", op);
                json_str(out, "kind", kind.as_str());
                json_str(out, "key", key);
                json_num(out, "to", to);
            }
            Note::ProxyReply { op, from, outcome } => {
                json_num(out, "op", op);
                json_num(out, "from", from);
                outcome_json(out, outcome);
            }
            Note::Refused { op, failure } => {
                json_num(out, "op", op);
                json_str(out, "reason", failure.as_str());
            }
            Note::LockWait { op, key, queued } => {
                json_num(out, "op", op);
                json_str(out, "key", key);
                json_num(out, "queued", queued);
            }
            Note::SignalPublish {
                op,
                key,
                version,
                term,
                source_term,
                needed,
            } => {
                json_num(out, "op", op);
                json_str(out, "key", key);
                json_num(out, "version", version);
                json_num(out, "newTerm", term);
                json_num(out, "sourceTerm", source_term);
                json_num(out, "needed", needed);
            }
            Note::SignalDelete { op, key, existed } => {
                json_num(out, "op", op);
                json_str(out, "key", key);
                json_num(out, "existed", existed);
            }
            Note::PublishResult {
                op,
                key,
                acks,
                needed,
                outcome,
            } => {
                json_num(out, "op", op);
                json_str(out, "key", key);
                json_num(out, "acks", acks);
                json_num(out, "needed", needed);
                outcome_json(out, outcome);
            }
            Note::CommitResponse {
                from,
                refused,
                counted,
            } => {
                json_num(out, "from", from);
                json_num(out, "ok", refused.is_none());
                json_num(out, "counted", counted);
                refused_json(out, refused);
            }
            Note::OnPublish {
                from,
                key,
                version,
                source_term,
                term_before,
                term,
                refused,
            } => {
                json_num(out, "from", from);
                json_str(out, "key", key);
                json_num(out, "version", version);
                json_num(out, "sourceTerm", source_term);
                json_num(out, "localTerm", term_before);
                json_num(out, "newTerm", term);
                refused_json(out, refused);
            }
            Note::OnDelete {
                from,
                key,
                source_term,
                term_before,
                term,
                refused,
            } => {
                json_num(out, "from", from);
                json_str(out, "key", key);
                json_num(out, "sourceTerm", source_term);
                json_num(out, "localTerm", term_before);
                json_num(out, "newTerm", term);
                refused_json(out, refused);
            }
            Note::DeleteResponse { from, refused } => {
                json_num(out, "from", from);
                json_num(out, "ok", refused.is_none());
                refused_json(out, refused);
            }
            Note::PullDatums { to, keys, first } => {
                json_num(out, "to", to);
                json_num(out, "keys", keys);
                json_str(out, "first", first);
            }
            Note::DatumsPulled {
                from,
                received,
                applied,
                beat_term,
                term_before,
                term,
            } => {
                json_num(out, "from", from);
                json_num(out, "received", received);
                json_num(out, "applied", applied);
                json_num(out, "beatTerm", beat_term);
                json_num(out, "localTerm", term_before);
                json_num(out, "newTerm", term);
            }
            Note::DeadKeys { from, count, first } => {
                json_num(out, "from", from);
                json_num(out, "count", count);
                json_str(out, "first", first);
            }
            Note::RequestError {
                to,
                kind,
                error,
                failures,
                op,
            } => {
                json_num(out, "to", to);
                json_str(out, "kind", kind.as_str());
                json_str(out, "error", error.as_str());
                json_opt(out, "beatFailures", *failures);
                json_opt(out, "op", *op);
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
            Note::SendBeat { leader_due, peers, keys, size } => {
                write!(out, "resetLeaderDue {}; beat to {peers} peers", fmt_ms(*leader_due))?;
                if *keys > 0 {
                    write!(out, " listing {keys} keys ({} bytes JSON, about {} gzipped)", size.json, size.gzip)?;
                }
                Ok(())
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
            Note::Proxy { op, kind, key, to } => write!(out, "{} {key} (#{op}) proxied to leader S{to}", kind.as_str()),
            Note::ProxyReply { op, from, outcome } => write!(out, "#{op}: leader S{from} answered {}", outcome_text(outcome)),
            Note::Refused { op, failure } => write!(out, "#{op} failed: {}", failure.describe()),
            Note::LockWait { op, key, queued } => write!(out, "write {key} (#{op}) waits for OPERATE_LOCK ({queued} queued)"),
            Note::SignalPublish { op, key, version, term, source_term, needed } => write!(
                out,
                "{key} v{version} (#{op}) → onPublish here, term {term}; commit to all with source term {source_term}, waits for {needed} of the cluster"
            ),
            Note::SignalDelete { op, key, existed } => {
                let what = if *existed { "deleted" } else { "not here" };
                write!(out, "{key} (#{op}) {what}; delete sent to all, answered at once")
            }
            Note::PublishResult { op, key, acks, needed, outcome } => write!(
                out,
                "{key} (#{op}): {acks} of {needed} confirmed → {}",
                outcome_text(outcome)
            ),
            Note::CommitResponse { from, refused, counted } => match refused {
                None if *counted => write!(out, "from S{from}: 200, counted"),
                None => write!(out, "from S{from}: 200 after the wait ended"),
                Some(r) => write!(out, "from S{from}: refused, {}", refusal_text(r)),
            },
            Note::OnPublish { from, key, version, source_term, term_before, term, refused } => match refused {
                None => write!(
                    out,
                    "{key} v{version} from S{from} (source term {source_term}) → stored, resetLeaderDue, term {term_before} → {term}"
                ),
                Some(r) => write!(out, "{key} v{version} from S{from} refused: {}", refusal_text(r)),
            },
            Note::OnDelete { from, key, source_term, term_before, term, refused } => match refused {
                None => write!(
                    out,
                    "{key} from S{from} (source term {source_term}) → deleted, resetLeaderDue, term {term_before} → {term}"
                ),
                Some(r) => write!(out, "delete of {key} from S{from} refused: {}", refusal_text(r)),
            },
            Note::DeleteResponse { from, refused } => match refused {
                None => write!(out, "from S{from}: 200 → resetLeaderDue"),
                Some(r) => write!(out, "from S{from}: refused, {}", refusal_text(r)),
            },
            Note::PullDatums { to, keys, first } => {
                write!(out, "GET /raft/datum from S{to}: {keys} keys missing or older here, from {first}")
            }
            Note::DatumsPulled { from, received, applied, beat_term, term_before, term } => write!(
                out,
                "{received} datums from S{from}, {applied} newer applied (beat term {beat_term}), term {term_before} → {term}; sleeps 200 ms"
            ),
            Note::DeadKeys { from, count, first } => {
                write!(out, "{count} keys not in S{from}'s beat deleted, from {first}")
            }
            Note::RequestError { to, kind, error, failures, op } => {
                let e = error.describe();
                match (kind, failures, op) {
                    (MessageKind::Beat, Some(n), _) => {
                        write!(out, "error while sending heart-beat to S{to}: {e} → beat failure counted ({n})")
                    }
                    (MessageKind::VoteRequest, ..) => write!(out, "error while sending vote to S{to}: {e}"),
                    (MessageKind::PeerQuery, ..) => write!(out, "GET /raft/peer to S{to}: {e}; nothing done"),
                    (MessageKind::Commit, ..) => write!(out, "failed to publish data to S{to}: {e}"),
                    (MessageKind::Delete, ..) => write!(out, "failed to delete data from S{to}: {e}"),
                    (MessageKind::Pull, ..) => write!(out, "failed to sync datum from S{to}: {e}"),
                    (_, _, Some(op)) => write!(out, "#{op}: proxy to S{to} failed: {e} → the client is told it failed"),
                    _ => write!(out, "{} to S{to}: {e}", kind.as_str()),
                }
            }
        }
    }
}

fn ms(us: i64) -> MsJson {
    MsJson(us)
}

fn outcome_json(out: &mut String, o: &Outcome) {
    json_num(out, "ok", o.is_ok());
    if let Err(f) = o {
        json_str(out, "reason", f.as_str());
    }
}

fn refused_json(out: &mut String, r: &Option<CommitRefused>) {
    match r {
        Some(CommitRefused::NotLeader { leader }) => {
            json_str(out, "reason", "wasn't leader");
            json_opt(out, "leader", *leader);
        }
        Some(CommitRefused::OutOfDate { .. }) => json_str(out, "reason", "out of date publish"),
        None => {}
    }
}
