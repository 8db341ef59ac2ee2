//! RaftCore's data path: signalPublish and signalDelete on the leader (with
//! OPERATE_LOCK held while it waits for a majority), onPublish and onDelete
//! on the others, the digest every beat carries, and receivedBeat's pulls
//! and dead-key deletion.

use super::config::{PUBLISH_TIMEOUT, PULL_BATCH, PULL_SLEEP, TERM_STEP};
use super::message::{CommitRefused, Digest};
use super::size;
use super::{Message, Node, Note, Peer, Timer};
use crate::protocol::data::{Cause, ClientRequest, Datum, Failure, Key, OpId, OpKind, Outcome};
use crate::protocol::{Entropy, NodeId, Ready, Role};
use std::rc::Rc;

type Out = Ready<Message, Timer, Note>;

/// A client request waiting for OPERATE_LOCK. `origin` is the node the
/// client called when it came forwarded; None when the client called here.
#[derive(Clone, Debug)]
pub struct Request {
    pub request: ClientRequest,
    pub origin: Option<NodeId>,
}

/// The write holding OPERATE_LOCK while it waits for its majority.
#[derive(Clone, Debug)]
pub struct Publishing {
    pub seq: u64,
    pub op: OpId,
    pub key: Key,
    pub origin: Option<NodeId>,
    /// The leader itself, plus one per 200 reply.
    pub acks: u32,
    pub needed: u32,
}

impl Node {
    /// The beat's datum list: rebuilt only when the store changed since
    /// the last beat, else the same shared one.
    pub(super) fn digest(&mut self) -> Rc<Digest> {
        let generation = self.datums.generation();
        if let Some((g, d)) = &self.digest {
            if *g == generation {
                return d.clone();
            }
        }
        let entries: Vec<(Key, u64)> = self
            .datums
            .iter()
            .map(|(k, d)| (k.clone(), d.version))
            .collect();
        let json_bytes = size::digest_json(&entries);
        let d = Rc::new(Digest {
            entries,
            json_bytes,
        });
        self.digest = Some((generation, d.clone()));
        d
    }

    /// The term rule of onPublish, onDelete and the pull callback: follow
    /// the source's term unless it is 100 or more ahead, then add 100.
    /// Persisted either way.
    fn follow_term(&mut self, source_term: u64) {
        if self.term + TERM_STEP > source_term {
            // getLeader().term.set(source.term); local.term.set(getLeader().term)
            if let Some(l) = self.leader {
                if l != self.id {
                    self.peer_mut(l).term = source_term;
                }
                self.term = source_term;
            }
            // With no known leader getLeader() is null: the throw skips the term.
        } else {
            self.term += TERM_STEP;
        }
        self.persisted_term = self.term;
    }

    fn reply(&mut self, op: OpId, origin: Option<NodeId>, outcome: Outcome, out: &mut Out) {
        match origin {
            Some(o) if o != self.id => out.send(o, Message::ForwardReply { op, outcome }),
            _ => out.outcome(op, outcome),
        }
    }

    /// A client's write or delete, from the client or forwarded: the leader
    /// takes OPERATE_LOCK (or queues for it); a follower proxies it to the
    /// leader it knows, or fails with none.
    pub(super) fn signal(
        &mut self,
        request: ClientRequest,
        origin: Option<NodeId>,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        if self.state == Role::Leader {
            if self.publishing.is_some() {
                out.note(Note::LockWait {
                    op: request.op,
                    key: request.key.clone(),
                    queued: self.lock_queue.len() as u32 + 1,
                });
                self.lock_queue.push_back(Request { request, origin });
            } else {
                self.apply_request(request, origin, rng, out);
            }
            return;
        }
        match self.leader.filter(|&l| l != self.id) {
            Some(leader) => {
                out.note(Note::Proxy {
                    op: request.op,
                    kind: request.kind,
                    key: request.key.clone(),
                    to: leader,
                });
                // The answer comes back on this connection; a request that
                // came forwarded goes back on the one it came on.
                if let Some(back) = origin.filter(|&o| o != self.id) {
                    self.relays.push((request.op, back));
                }
                out.send(
                    leader,
                    Message::Forward {
                        request,
                        origin: self.id,
                    },
                );
            }
            None => {
                out.note(Note::Refused {
                    op: request.op,
                    failure: Failure::NoLeader,
                });
                self.reply(request.op, origin, Err(Failure::NoLeader), out);
            }
        }
    }

    /// Runs requests queued on the lock until one holds it (a write) or
    /// none is left.
    fn next_in_lock(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        while self.publishing.is_none() {
            let Some(r) = self.lock_queue.pop_front() else {
                return;
            };
            self.apply_request(r.request, r.origin, rng, out);
        }
    }

    /// The leader's half of signalPublish / signalDelete, lock held.
    fn apply_request(
        &mut self,
        request: ClientRequest,
        origin: Option<NodeId>,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        // A request that queued while this node led may find it deposed:
        // onPublish on itself then throws "wasn't leader".
        if self.state != Role::Leader {
            out.note(Note::Refused {
                op: request.op,
                failure: Failure::NotLeader,
            });
            self.reply(request.op, origin, Err(Failure::NotLeader), out);
            return;
        }
        let key = self.datums.key(&request.key).unwrap_or(request.key);
        let op = request.op;
        match request.kind {
            OpKind::Write => {
                let version = self.datums.get(&key).map_or(1, |d| d.version + 1);
                let datum = Datum { version, token: op };
                let peer_before = self.local_peer();
                // onPublish on itself: resetLeaderDue, store, term + 100, persist.
                self.reset_leader_due(rng);
                let before = self.datums.put(key.clone(), datum);
                out.change(key.clone(), before, Some(datum), Cause::Local);
                self.term += TERM_STEP;
                self.persisted_term = self.term;
                let source = if self.config.version.source_is_snapshot() {
                    peer_before
                } else {
                    self.local_peer()
                };
                self.publish_seq += 1;
                let needed = self.majority();
                out.note(Note::SignalPublish {
                    op,
                    key: key.clone(),
                    version,
                    term: self.term,
                    source_term: source.term,
                    needed,
                });
                if needed <= 1 {
                    self.reply(op, origin, Ok(()), out);
                    return;
                }
                self.publishing = Some(Publishing {
                    seq: self.publish_seq,
                    op,
                    key: key.clone(),
                    origin,
                    acks: 1,
                    needed,
                });
                out.broadcast(Message::Commit {
                    seq: self.publish_seq,
                    key,
                    datum,
                    source,
                });
                out.set_timer(Timer::PublishTimeout, PUBLISH_TIMEOUT);
            }
            OpKind::Delete => {
                // onDelete on itself: the term rule leaves a leader's term as it is.
                self.reset_leader_due(rng);
                let removed = self.datums.remove(&key);
                let existed = removed.is_some();
                if existed {
                    out.change(key.clone(), removed, None, Cause::Local);
                }
                self.persisted_term = self.term;
                out.note(Note::SignalDelete {
                    op,
                    key: key.clone(),
                    existed,
                });
                out.broadcast(Message::Delete {
                    key,
                    source: self.local_peer(),
                });
                // Fire and forget: the client is answered now.
                self.reply(op, origin, Ok(()), out);
            }
        }
    }

    fn finish_publish(&mut self, outcome: Outcome, rng: &mut dyn Entropy, out: &mut Out) {
        let Some(p) = self.publishing.take() else {
            return;
        };
        out.cancel_timer(Timer::PublishTimeout);
        out.note(Note::PublishResult {
            op: p.op,
            key: p.key,
            acks: p.acks,
            needed: p.needed,
            outcome,
        });
        self.reply(p.op, p.origin, outcome, out);
        self.next_in_lock(rng, out);
    }

    pub(super) fn publish_timed_out(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        self.finish_publish(Err(Failure::NoMajority), rng, out);
    }

    /// A commit's reply: counts toward the latch of the write that sent it,
    /// if that write still waits.
    pub(super) fn commit_replied(
        &mut self,
        from: NodeId,
        seq: u64,
        result: Result<(), CommitRefused>,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let counted = result.is_ok() && self.publishing.as_ref().is_some_and(|p| p.seq == seq);
        if result.is_err() {
            self.commit_failures += 1;
        }
        out.note(Note::CommitResponse {
            from,
            refused: result.err(),
            counted,
        });
        if counted {
            let done = {
                let p = self.publishing.as_mut().expect("checked above");
                p.acks += 1;
                p.acks >= p.needed
            };
            if done {
                self.finish_publish(Ok(()), rng, out);
            }
        }
    }

    /// onPublish's two refusals, shared with onDelete.
    fn check_source(&self, source: &Peer) -> Result<(), CommitRefused> {
        if self.leader != Some(source.ip) {
            return Err(CommitRefused::NotLeader {
                leader: self.leader,
            });
        }
        if source.term < self.term {
            return Err(CommitRefused::OutOfDate {
                source_term: source.term,
                local_term: self.term,
            });
        }
        Ok(())
    }

    /// POST /raft/datum/commit on a follower: onPublish.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_publish(
        &mut self,
        from: NodeId,
        seq: u64,
        key: Key,
        datum: Datum,
        source: Peer,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let term_before = self.term;
        let result = self.check_source(&source);
        if result.is_ok() {
            self.reset_leader_due(rng);
            let before = self.datums.put(key.clone(), datum);
            out.change(key.clone(), before, Some(datum), Cause::Commit { from });
            self.follow_term(source.term);
        }
        out.note(Note::OnPublish {
            from,
            key,
            version: datum.version,
            source_term: source.term,
            term_before,
            term: self.term,
            refused: result.err(),
        });
        out.send(from, Message::CommitReply { seq, result });
    }

    /// DELETE /raft/datum on a follower: onDelete. Keys stand for service
    /// metadata, whose delete applies the term rule.
    pub(super) fn on_delete(
        &mut self,
        from: NodeId,
        key: Key,
        source: Peer,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let term_before = self.term;
        let result = self.check_source(&source);
        if result.is_ok() {
            self.reset_leader_due(rng);
            if let Some(before) = self.datums.remove(&key) {
                out.change(key.clone(), Some(before), None, Cause::Commit { from });
            }
            self.follow_term(source.term);
        }
        out.note(Note::OnDelete {
            from,
            key,
            source_term: source.term,
            term_before,
            term: self.term,
            refused: result.err(),
        });
        out.send(from, Message::DeleteReply(result));
    }

    /// signalDelete's callback: a 200 resets the leader's own leaderDue.
    pub(super) fn delete_replied(
        &mut self,
        from: NodeId,
        result: Result<(), CommitRefused>,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        if result.is_ok() {
            self.reset_leader_due(rng);
        } else {
            self.commit_failures += 1;
        }
        out.note(Note::DeleteResponse {
            from,
            refused: result.err(),
        });
    }

    /// receivedBeat's sync: pull what is missing or older, in batches of
    /// 50 from the beat's sender, then delete every key the beat did not
    /// list. Both lists are in key order, so one merge walk does it.
    pub(super) fn sync_with(&mut self, digest: &Rc<Digest>, remote: Peer, out: &mut Out) {
        if let Some((d, g)) = &self.synced {
            if Rc::ptr_eq(d, digest) && *g == self.datums.generation() {
                return;
            }
        }
        let mut batch: Vec<Key> = Vec::new();
        let mut pulls: Vec<Rc<[Key]>> = Vec::new();
        let mut dead: Vec<Key> = Vec::new();
        let mut local = self.datums.iter().peekable();
        // Keys travel as shared pointers, so most equal keys are the same
        // allocation: the pointer test spares the string comparison.
        for (key, version) in &digest.entries {
            while let Some((lk, _)) = local.next_if(|(lk, _)| !lk.same(key) && *lk < key) {
                dead.push(lk.clone());
            }
            let have = local.next_if(|(lk, _)| *lk == key).map(|(_, d)| d.version);
            if have.is_none_or(|h| h < *version) {
                batch.push(key.clone());
                if batch.len() == PULL_BATCH {
                    pulls.push(std::mem::take(&mut batch).into());
                }
            }
        }
        dead.extend(local.map(|(k, _)| k.clone()));
        if !batch.is_empty() {
            pulls.push(batch.into());
        }
        for keys in &pulls {
            self.pulls_sent += 1;
            out.note(Note::PullDatums {
                to: remote.ip,
                keys: keys.len() as u32,
                first: keys[0].clone(),
            });
            out.send(
                remote.ip,
                Message::Pull {
                    keys: keys.clone(),
                    beat_term: remote.term,
                },
            );
        }
        if !dead.is_empty() {
            for key in &dead {
                let before = self.datums.remove(key);
                out.change(
                    key.clone(),
                    before,
                    None,
                    Cause::DeadKey {
                        from: remote.ip,
                        beat_term: remote.term,
                    },
                );
            }
            out.note(Note::DeadKeys {
                from: remote.ip,
                count: dead.len() as u32,
                first: dead[0].clone(),
            });
        }
        self.synced = if pulls.is_empty() {
            Some((digest.clone(), self.datums.generation()))
        } else {
            None
        };
    }

    /// GET /raft/datum: the datums asked for that this node has.
    pub(super) fn serve_pull(&mut self, from: NodeId, keys: &[Key], beat_term: u64, out: &mut Out) {
        let datums: Vec<(Key, Datum)> = keys
            .iter()
            .filter_map(|k| self.datums.get(k).map(|d| (k.clone(), d)))
            .collect();
        out.send(
            from,
            Message::PullReply {
                datums: datums.into(),
                beat_term,
            },
        );
    }

    /// A pull's reply: applied now, or after the callback's 200 ms sleep
    /// when an earlier batch holds it.
    pub(super) fn pull_replied(
        &mut self,
        from: NodeId,
        datums: Rc<[(Key, Datum)]>,
        beat_term: u64,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        if self.pull_sleeping {
            self.pull_queue.push_back((from, datums, beat_term));
            return;
        }
        self.apply_pulled(from, &datums, beat_term, rng, out);
    }

    pub(super) fn pull_slept(&mut self, rng: &mut dyn Entropy, out: &mut Out) {
        match self.pull_queue.pop_front() {
            Some((from, datums, beat_term)) => {
                self.apply_pulled(from, &datums, beat_term, rng, out)
            }
            None => self.pull_sleeping = false,
        }
    }

    /// The pull callback: each datum newer than the local one is stored,
    /// resets leaderDue and applies the term rule with the beat's term;
    /// then the callback sleeps 200 ms.
    fn apply_pulled(
        &mut self,
        from: NodeId,
        datums: &[(Key, Datum)],
        beat_term: u64,
        rng: &mut dyn Entropy,
        out: &mut Out,
    ) {
        let term_before = self.term;
        let mut applied = 0u32;
        for (key, datum) in datums {
            if self
                .datums
                .get(key)
                .is_some_and(|d| d.version >= datum.version)
            {
                continue;
            }
            let before = self.datums.put(key.clone(), *datum);
            out.change(key.clone(), before, Some(*datum), Cause::Pull { from });
            self.reset_leader_due(rng);
            self.follow_term(beat_term);
            applied += 1;
        }
        out.note(Note::DatumsPulled {
            from,
            received: datums.len() as u32,
            applied,
            beat_term,
            term_before,
            term: self.term,
        });
        self.pull_sleeping = true;
        out.set_timer(Timer::PullSleep, PULL_SLEEP);
    }

    /// OPERATE_LOCK for the inspector.
    pub(super) fn lock_text(&self) -> String {
        match &self.publishing {
            None => "free".to_string(),
            Some(p) => format!(
                "held by write {} ({}/{} acks), {} queued",
                p.key,
                p.acks,
                p.needed,
                self.lock_queue.len()
            ),
        }
    }
}
