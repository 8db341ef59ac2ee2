//! The disk write a Raft server makes before it speaks (`diskWrite`), as
//! LogCabin makes it.
//!
//! LogCabin (`Server/RaftConsensus.cc`, the 2014 build the Raft paper
//! measured and later ones) writes currentTerm and votedFor with
//! `updateLogMetadata` (with `SimpleFileLog`, a metadata file fsynced, then
//! its directory) while it holds the server's one mutex, and its peer
//! threads, which send the RPCs, need that mutex too; an RPC handler's reply
//! leaves when the handler returns. So:
//!
//! - `startNewElection` raises the term, votes for itself and sets the next
//!   election timer, then writes once: the election timer counts from the
//!   timeout, and the vote requests leave after the write.
//! - `handleRequestVote` with a higher term: `stepDown` writes the new term;
//!   a grant then sets the election timer and writes the vote. Two writes
//!   before the reply, the timer armed between them. A grant in the current
//!   term writes once; a refusal in the current term not at all.
//! - `handleAppendEntries` with a higher term writes it (`stepDown`), then
//!   sets the timer; a follower that appends entries syncs them before it
//!   replies (`append`). A heartbeat in the current term writes nothing.
//! - A leader's own entries go to disk on a separate thread, in parallel with
//!   replication: they hold nothing here.
//!
//! While the mutex is held nothing else runs on the server: messages, timers
//! and client requests that come due wait, as during a `pause`, and run when
//! the write ends. A crash during the write loses what waited for it.

use super::event::Pending;
use super::rng::Stream;
use super::simulation::{Simulation, Step};
use super::trace::EventKind;
use super::Engine;
use crate::protocol::{Dest, LogEvent, Micros, NodeId, Protocol, Status};

/// A step's messages, waiting for its node's disk write to end at `at`.
pub(super) struct Unsynced<M> {
    pub(super) at: Micros,
    pub(super) node: NodeId,
    pub(super) messages: Vec<(Dest, M)>,
}

/// What one step must sync before its messages leave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Writes {
    /// Writes of the term and vote: one for a new term (a candidate's own
    /// vote goes in the same write), one more for a vote granted to another.
    pub(super) state: u32,
    /// A follower appended entries: one more write, after those.
    pub(super) log: bool,
    /// The step handled a message of a higher term: LogCabin's `stepDown`
    /// wrote it before the handler set any timer, so the step's timers
    /// count from the end of the first write.
    pub(super) timers_after_first: bool,
}

impl Writes {
    /// The writes of a step that took node `id` from `before` to `after`,
    /// casting `votes` and doing `log` to its log; `on_message`: the step
    /// handled a message (else a timer, a user's action or a client).
    pub(super) fn of_step(
        id: NodeId,
        (before, after): (Status, Status),
        votes: &[(u64, NodeId)],
        log: &[LogEvent],
        on_message: bool,
    ) -> Writes {
        let new_term = after.term != before.term;
        let granted = votes.iter().any(|&(_, c)| c != id);
        Writes {
            state: u32::from(new_term) + u32::from(granted),
            log: after.role != crate::protocol::Role::Leader
                && log.iter().any(|e| matches!(e, LogEvent::Appended { .. })),
            // Not a Pre-Vote candidate whose last poll reply started its
            // election: its new term is its own, written after its timer.
            timers_after_first: new_term && on_message && after.vote_for != Some(id),
        }
    }

    pub(super) fn count(self) -> u32 {
        self.state + u32::from(self.log)
    }
}

impl Engine {
    /// Starts node `id`'s disk write for `writes` (one draw each from the
    /// node's own stream), after any write already under way: the node runs
    /// nothing until it ends. Returns how much later than now the step's
    /// timers start counting.
    pub(super) fn start_write(
        &mut self,
        id: NodeId,
        term: u64,
        rng: &mut Stream,
        writes: Writes,
    ) -> Micros {
        let (lo, hi) = self.disk_write;
        let mut total = 0;
        let mut first = 0;
        for k in 0..writes.count() {
            let d = rng.between(lo, hi);
            if k == 0 {
                first = d;
            }
            total += d;
        }
        let i = (id - 1) as usize;
        let start = self.busy_until[i].max(self.now);
        let until = start + total;
        self.busy_until[i] = until;
        self.stalled[i] = self.stalled[i].max(until);
        let epoch = self.epoch[i];
        self.schedule(until, Pending::Synced { node: id, epoch });
        self.emit(
            Some(id),
            Some(term),
            EventKind::DiskWrite {
                until,
                state: writes.state,
                log: writes.log,
            },
        );
        if writes.timers_after_first {
            start - self.now + first
        } else {
            start - self.now
        }
    }
}

impl<P: Protocol> Simulation<P> {
    /// A `Synced` event: node `id`'s write (or one of several in a row)
    /// ended. The messages that waited for it leave; when no write is left,
    /// the client requests that waited reach the node. A node stalled by a
    /// `pause` meanwhile sends when the pause ends. False when stale.
    pub(super) fn synced(&mut self, id: NodeId, epoch: u32) -> bool {
        let i = (id - 1) as usize;
        let e = &mut self.engine;
        if e.epoch[i] != epoch || !e.alive[i] {
            return false;
        }
        if e.is_paused(id) {
            let until = e.paused_until[i];
            e.schedule(until, Pending::Synced { node: id, epoch });
            return false;
        }
        let now = e.now;
        let mut k = 0;
        while k < self.unsynced.len() {
            if self.unsynced[k].node == id && self.unsynced[k].at <= now {
                let batch = self.unsynced.remove(k);
                self.drive(id, Step::Flush(batch.messages));
            } else {
                k += 1;
            }
        }
        if !self.engine.is_stalled(id) {
            self.release_held(id);
        }
        true
    }

    /// What waited for a node's write is lost with it (a crash or restart).
    pub(super) fn forget_unsynced(&mut self, id: NodeId) {
        self.unsynced.retain(|u| u.node != id);
        let i = (id - 1) as usize;
        self.engine.busy_until[i] = 0;
        self.engine.stalled[i] = self.engine.paused_until[i];
    }
}

#[cfg(test)]
mod tests {
    use super::Writes;
    use crate::protocol::{LogEvent, Role, Status};

    fn st(role: Role, term: u64, vote_for: Option<u32>) -> Status {
        Status {
            role,
            term,
            vote_for,
            leader: None,
        }
    }

    #[test]
    fn writes_follow_logcabin() {
        let f = |t, v| st(Role::Follower, t, v);
        // A candidate: new term and its own vote, one write; its timer counts
        // from the timeout.
        let w = Writes::of_step(
            1,
            (f(1, None), st(Role::Candidate, 2, Some(1))),
            &[(2, 1)],
            &[],
            false,
        );
        assert_eq!((w.state, w.log, w.timers_after_first), (1, false, false));
        // A voter granting a higher term: stepDown, then the vote.
        let w = Writes::of_step(2, (f(1, None), f(2, Some(1))), &[(2, 1)], &[], true);
        assert_eq!((w.state, w.timers_after_first), (2, true));
        // A Pre-Vote candidate whose poll won on a reply: its own election,
        // one write, its timer from the step.
        let w = Writes::of_step(
            1,
            (f(1, None), st(Role::Candidate, 2, Some(1))),
            &[(2, 1)],
            &[],
            true,
        );
        assert_eq!((w.state, w.timers_after_first), (1, false));
        // A grant in its own term: one write.
        let w = Writes::of_step(2, (f(2, None), f(2, Some(1))), &[(2, 1)], &[], true);
        assert_eq!((w.state, w.timers_after_first), (1, false));
        // A heartbeat in the current term: nothing.
        let w = Writes::of_step(2, (f(2, Some(1)), f(2, Some(1))), &[], &[], true);
        assert_eq!(w.count(), 0);
        // A follower that appends entries syncs them; a leader does not wait.
        let app = [LogEvent::Appended {
            index: 3,
            term: 2,
            chain: 7,
        }];
        let w = Writes::of_step(2, (f(2, Some(1)), f(2, Some(1))), &[], &app, true);
        assert_eq!((w.state, w.log), (0, true));
        let l = st(Role::Leader, 2, Some(1));
        assert_eq!(Writes::of_step(1, (l, l), &[], &app, false).count(), 0);
    }
}
