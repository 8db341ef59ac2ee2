//! Log replication (§5.3, §5.4.2, §7): client commands, AppendEntries with
//! nextIndex/matchIndex and conflict backtracking, the commit rule of
//! Figure 8, applying to the state machine, snapshots and compaction.

use super::log::{Entry, Log, Snapshot};
use super::node::Out;
use super::{LogPos, Message, Note};
use crate::protocol::data::{ClientRequest, Failure, OpKind};
use crate::protocol::{LogEvent, NodeId, Role};
use std::rc::Rc;

/// Entries per AppendEntries at most (etcd's MaxSizePerMsg, counted in entries).
pub const MAX_BATCH: usize = 64;
/// A leader refuses new commands while this many of its entries are
/// uncommitted (etcd's MaxUncommittedEntriesSize): a leader cut off from
/// its majority does not grow its log without bound.
pub const MAX_UNCOMMITTED: u64 = 4096;
/// A node snapshots its state machine after this many applied entries, and
/// then drops the entries before its previous snapshot: the log keeps
/// between one and two of these windows, so its memory stays flat however
/// long a run is, and a follower that lags by less still catches up from
/// entries alone.
pub const SNAPSHOT_EVERY: u64 = 1024;

use super::node::Node;

impl Node {
    /// A client's command reaches this node.
    pub(super) fn client_request(&mut self, request: ClientRequest, out: &mut Out) {
        if self.role != Role::Leader {
            match self.leader.filter(|l| *l != self.id) {
                Some(leader) => {
                    out.note(Note::Redirect {
                        op: request.op,
                        leader: Some(leader),
                    });
                    out.redirects.push((request, leader));
                }
                None => {
                    out.note(Note::Redirect {
                        op: request.op,
                        leader: None,
                    });
                    out.outcome(request.op, Err(Failure::NoLeader));
                }
            }
            return;
        }
        let uncommitted = self.log.last().index.saturating_sub(self.commit);
        if uncommitted >= MAX_UNCOMMITTED {
            out.note(Note::Dropped {
                op: request.op,
                uncommitted,
            });
            out.outcome(request.op, Err(Failure::Dropped));
            return;
        }
        let entry = Entry {
            term: self.term,
            op: request.op,
            kind: request.kind,
            key: request.key,
        };
        let (index, chain) = self.log.append(entry);
        out.log.push(LogEvent::Appended {
            index,
            term: self.term,
            chain,
        });
        self.pending.push_back((index, request.op));
        out.note(Note::ClientRequest {
            op: request.op,
            kind: request.kind,
            key: self
                .log
                .get(index)
                .map(|e| e.key.clone())
                .unwrap_or_default(),
            index,
            term: self.term,
        });
        // Peers that were caught up get it now; the others are being
        // probed, and get it with their next AppendEntries.
        for p in 1..=self.cluster_size {
            if p != self.id && self.next[Self::slot(p)] == index {
                self.send_append(p, out);
            }
        }
        self.maybe_commit(out);
    }

    /// Sends peer `p` what it lacks from nextIndex on (nothing: a
    /// heartbeat), or the snapshot when those entries were compacted away.
    /// nextIndex then moves past what was sent, optimistically (etcd's
    /// replicate state): a loss shows as a rejection and backs it up.
    /// Returns the number of entries sent.
    pub(super) fn send_append(&mut self, p: NodeId, out: &mut Out) -> usize {
        let s = Self::slot(p);
        let next = self.next[s];
        if next <= self.log.base().index {
            if !self.log.base_committed() {
                // The `logs` setting's entries: nothing to send. The peer
                // gets heartbeats from after them, and stays behind.
                self.next[s] = self.log.base().index + 1;
                return self.send_append(p, out);
            }
            let snap = self.snapshot.clone();
            self.next[s] = snap.pos.index + 1;
            out.note(Note::SendSnapshot {
                to: p,
                pos: snap.pos,
                keys: snap.machine.store.len() as u64,
            });
            out.send(
                p,
                Message::InstallSnapshot {
                    term: self.term,
                    snapshot: snap,
                },
            );
            return 0;
        }
        let prev_index = next - 1;
        let prev_term = self.log.term_at(prev_index).unwrap_or(0);
        let entries = self.log.slice(next, MAX_BATCH);
        let n = entries.len();
        self.next[s] = next + n as u64;
        out.send(
            p,
            Message::AppendEntries {
                term: self.term,
                prev_index,
                prev_term,
                entries,
                commit: self.commit,
            },
        );
        n
    }

    /// The majority's matchIndex: commit it if it is of this term (Figure 8).
    pub(super) fn maybe_commit(&mut self, out: &mut Out) {
        let n = self.majority_match();
        if n <= self.commit {
            return;
        }
        if self.log.term_at(n) != Some(self.term) {
            // Figure 8: an entry of an earlier term is not committed by
            // counting replicas; it commits with the first of this term.
            if self.commit_wait != n {
                self.commit_wait = n;
                out.note(Note::CommitWaits {
                    index: n,
                    term: self.log.term_at(n).unwrap_or(0),
                });
            }
            return;
        }
        let from = self.commit;
        self.set_commit(n, out);
        out.note(Note::Commit {
            from,
            to: n,
            term: self.term,
        });
        self.apply(out);
    }

    /// The highest index a majority holds: the majority-th largest of the
    /// peers' matchIndex and the leader's own last index. Runs on every
    /// reply, heartbeats included: small clusters sort on the stack.
    fn majority_match(&self) -> u64 {
        const ON_STACK: usize = 16;
        let k = (self.majority() - 1) as usize;
        // The peers' matchIndex as they are kept (by id), with the leader's
        // own slot standing for its last index.
        let fill = |m: &mut [u64]| {
            m.copy_from_slice(&self.matched);
            m[Self::slot(self.id)] = self.log.last().index;
            kth_largest(m, k)
        };
        let n = self.matched.len();
        if n <= ON_STACK {
            fill(&mut [0u64; ON_STACK][..n])
        } else {
            fill(&mut vec![0u64; n])
        }
    }

    fn set_commit(&mut self, to: u64, out: &mut Out) {
        self.commit = to;
        if let Some(chain) = self.log.chain_at(to) {
            out.log.push(LogEvent::Committed { index: to, chain });
        }
    }

    /// Applies what is committed and not yet applied; answers the clients
    /// waiting on this leader; snapshots and compacts when due.
    pub(super) fn apply(&mut self, out: &mut Out) {
        while self.applied < self.commit {
            let index = self.applied + 1;
            let Some(e) = self.log.get(index) else {
                break;
            };
            self.machine.apply(e);
            out.log.push(LogEvent::Applied {
                index,
                term: e.term,
                op: e.op,
            });
            let op = e.op;
            self.applied = index;
            while let Some(&(i, pending)) = self.pending.front() {
                if i > index {
                    break;
                }
                self.pending.pop_front();
                // Another leader's entry at this index means the command
                // was overwritten (never committed): it failed for sure.
                let ok = i == index && pending == op;
                out.outcome(
                    pending,
                    if ok {
                        Ok(())
                    } else {
                        Err(Failure::LeadershipLost)
                    },
                );
            }
        }
        if self.applied >= self.snapshot.pos.index + SNAPSHOT_EVERY {
            self.take_snapshot(out);
        }
    }

    /// Snapshots the state machine at the applied index and drops the
    /// entries the previous snapshot covers.
    fn take_snapshot(&mut self, out: &mut Out) {
        let old = self.snapshot.pos.index;
        let pos = LogPos {
            index: self.applied,
            term: self.log.term_at(self.applied).unwrap_or(0),
        };
        let chain = self.log.chain_at(self.applied).unwrap_or(0);
        self.snapshot = Rc::new(Snapshot {
            pos,
            chain,
            machine: self.machine.clone(),
        });
        self.log.compact_to(old);
        out.note(Note::Compact {
            snapshot: pos,
            base: self.log.base(),
        });
    }

    /// A leader lost its leadership: the clients still waiting learn that
    /// their commands may or may not commit.
    pub(super) fn fail_pending(&mut self, out: &mut Out) {
        for (_, op) in self.pending.drain(..) {
            out.outcome(op, Err(Failure::LeadershipLost));
        }
    }

    /// A leader's fresh progress for every peer (Figure 2: nextIndex = last + 1).
    pub(super) fn reset_progress(&mut self) {
        let next = self.log.last().index + 1;
        self.next.iter_mut().for_each(|n| *n = next);
        self.matched.iter_mut().for_each(|m| *m = 0);
    }

    /// The follower's side of AppendEntries, once the term and leader are
    /// settled: the consistency check, then append, then commit.
    /// Returns the reply's (success, index, hint) and the note's counts.
    pub(super) fn accept_entries(
        &mut self,
        mut prev: LogPos,
        mut entries: Vec<Entry>,
        leader_commit: u64,
        out: &mut Out,
    ) -> Accepted {
        let base = self.log.base();
        if prev.index < base.index && !self.log.base_committed() {
            // Below the `logs` setting's start: entries nobody can compare.
            return Accepted::rejected(prev.index, prev.index);
        }
        // Entries at or below the base are committed, and so are ours.
        if prev.index < base.index {
            let skip = (base.index - prev.index).min(entries.len() as u64) as usize;
            entries.drain(..skip);
            if entries.is_empty() {
                return Accepted {
                    success: true,
                    index: prev.index + skip as u64,
                    hint: 0,
                    appended: 0,
                    truncated: 0,
                    commit: None,
                };
            }
            prev = base;
        }
        match self.log.term_at(prev.index) {
            None => {
                let hint = self.log.last().index + 1;
                return Accepted::rejected(prev.index, hint);
            }
            Some(t) if t != prev.term => {
                let hint = self
                    .log
                    .first_index_of_term_at(prev.index)
                    .max(self.commit + 1);
                return Accepted::rejected(prev.index, hint);
            }
            Some(_) => {}
        }
        let (mut appended, mut truncated) = (0u32, 0u64);
        let last_new = prev.index + entries.len() as u64;
        for (k, e) in entries.into_iter().enumerate() {
            let index = prev.index + 1 + k as u64;
            match self.log.term_at(index) {
                Some(t) if t == e.term => continue,
                Some(_) => {
                    truncated += self.log.last().index.saturating_sub(index - 1);
                    self.log.truncate_after(index - 1);
                }
                None => {}
            }
            let term = e.term;
            let (i, chain) = self.log.append(e);
            out.log.push(LogEvent::Appended {
                index: i,
                term,
                chain,
            });
            appended += 1;
        }
        let mut commit = None;
        let to = leader_commit.min(last_new);
        if to > self.commit {
            commit = Some((self.commit, to));
            self.set_commit(to, out);
            self.apply(out);
        }
        Accepted {
            success: true,
            index: last_new,
            hint: 0,
            appended,
            truncated,
            commit,
        }
    }

    /// The leader's side of an AppendEntries or InstallSnapshot reply of
    /// its own term.
    pub(super) fn progress(
        &mut self,
        from: NodeId,
        success: bool,
        index: u64,
        hint: u64,
        out: &mut Out,
    ) {
        let s = Self::slot(from);
        if s >= self.next.len() {
            return;
        }
        if success {
            // Only a higher matchIndex can move the majority's match: a
            // heartbeat's reply that matches nothing new skips the count
            // (the leader's own appends count in client_request), and so
            // does a match at or below the commit index (the replies after
            // a majority's): the majority's match could not pass it.
            if index > self.matched[s] {
                self.matched[s] = index;
                if index > self.commit {
                    self.maybe_commit(out);
                }
            }
            self.next[s] = self.next[s].max(index + 1);
            if self.next[s] <= self.log.last().index {
                self.send_append(from, out);
            }
            return;
        }
        if index < self.matched[s] {
            return; // stale: a later reply already matched past it
        }
        let mut next = hint.min(index).max(self.matched[s] + 1).max(1);
        if next <= self.log.base().index && !self.log.base_committed() {
            next = self.log.base().index + 1;
        }
        // Only a step back is worth sending at once; otherwise the next
        // heartbeat tries again (no ping-pong with a peer that cannot match).
        let back = next < self.next[s];
        self.next[s] = next;
        if back {
            out.note(Note::Backtrack {
                from,
                rejected: index,
                next,
            });
            self.send_append(from, out);
        }
    }

    /// InstallSnapshot on a follower. Returns the index it now matches.
    pub(super) fn install_snapshot(
        &mut self,
        from: NodeId,
        snap: Rc<Snapshot>,
        out: &mut Out,
    ) -> u64 {
        let pos = snap.pos;
        if pos.index <= self.commit {
            return self.commit;
        }
        let keeps = self.log.term_at(pos.index) == Some(pos.term)
            && self.log.chain_at(pos.index) == Some(snap.chain);
        if keeps {
            self.log.compact_to(pos.index);
        } else {
            self.log = Log::starting_at(pos, snap.chain, true);
        }
        self.machine = snap.machine.clone();
        self.commit = pos.index;
        self.applied = pos.index;
        out.log.push(LogEvent::Committed {
            index: pos.index,
            chain: snap.chain,
        });
        out.note(Note::InstallSnapshot {
            from,
            pos,
            kept: if keeps { self.log.len() as u64 } else { 0 },
            keys: self.machine.store.len() as u64,
        });
        self.snapshot = snap;
        pos.index
    }

    /// The leader's view of `key`: its last command in the log, else the
    /// state machine's datum.
    pub(super) fn log_value(&self, key: &str) -> Option<crate::protocol::data::Datum> {
        let mut later_writes = 0;
        let mut last = None;
        for (_, e) in self.log.iter_from(self.applied + 1) {
            if &*e.key == key {
                if e.kind == OpKind::Write {
                    later_writes += 1;
                }
                last = Some(e);
            }
        }
        match last {
            None => self.machine.store.get(key),
            Some(e) if e.kind == OpKind::Delete => None,
            Some(e) => Some(crate::protocol::data::Datum {
                version: self.machine.writes(key) + later_writes,
                token: e.op,
            }),
        }
    }
}

/// What a follower did with an AppendEntries.
pub(super) struct Accepted {
    pub success: bool,
    /// Success: the last index now matched. Failure: the rejected prev_index.
    pub index: u64,
    /// Failure: where the leader should try next.
    pub hint: u64,
    pub appended: u32,
    pub truncated: u64,
    /// The commit index moved (from, to).
    pub commit: Option<(u64, u64)>,
}

impl Accepted {
    fn rejected(index: u64, hint: u64) -> Accepted {
        Accepted {
            success: false,
            index,
            hint,
            appended: 0,
            truncated: 0,
            commit: None,
        }
    }
}

/// The `k`-th largest of `m` (from 0), sorting `m` largest first. By
/// insertion: a cluster is a handful of nodes, and the standard sort adds
/// 3 KB to the wasm module.
fn kth_largest(m: &mut [u64], k: usize) -> u64 {
    for i in 1..m.len() {
        let v = m[i];
        let mut j = i;
        while j > 0 && m[j - 1] < v {
            m[j] = m[j - 1];
            j -= 1;
        }
        m[j] = v;
    }
    m[k]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kth_largest_is_the_sorted_slice_at_k() {
        use crate::protocol::Entropy;
        let mut rng = crate::sim::rng::Stream::new(9, 2);
        for _ in 0..2_000 {
            let n = 1 + rng.below(20) as usize;
            let mut m: Vec<u64> = (0..n).map(|_| rng.below(8)).collect();
            let mut sorted = m.clone();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            let k = rng.below(n as u64) as usize;
            assert_eq!(kth_largest(&mut m, k), sorted[k]);
            assert_eq!(m, sorted);
        }
    }
}
