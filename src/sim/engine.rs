//! The model-independent half of a run: clock, event queue, timers'
//! bookkeeping, message routing, the monitor and the trace sinks.

use super::client::History;
use super::event::{Packed, Pending};
use super::monitor::{Finding, Monitor};
use super::network::{BeatRule, DropReason, NetworkConfig, Topology};
use super::queue::EventQueue;
use super::rng::{self, Stream};
use super::trace::{EventKind, Sink, TraceEvent};
use super::{check_node, PeriodicCrash, SimConfig};
use crate::error::Error;
use crate::protocol::data::{ClientRequest, DatumChange, OpId, Outcome};
use crate::protocol::{MessageKind, Micros, NodeId, Status, WireSize, MAX_TIMERS};

/// A node's timer slot: the generation that a pending Timer event must
/// match, when it is due, and where its entry sits in the queue.
///
/// Re-arming a timer to a later time (a Raft follower does it on every
/// heartbeat) does not push a new entry: the slot remembers the new due time
/// and the sequence number the push would have had, and when the old entry
/// comes up it is put back at the due time with that sequence number. The
/// order of events is exactly that of pushing every time; the queue does a
/// fraction of the work.
#[derive(Clone, Copy, Debug, Default)]
struct TimerSlot {
    gen: u32,
    due: Option<Micros>,
    /// Time of this slot's live entry in the queue (None: no live entry).
    queued: Option<Micros>,
    /// The sequence number of the latest arming.
    seq: u64,
}

/// Counters of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events that did work (stale timers and dropped deliveries excluded).
    pub events: u64,
    pub sent: u64,
    pub delivered: u64,
    pub dropped: u64,
}

/// Everything a run has that does not depend on the model.
pub struct Engine {
    pub(super) n: u32,
    pub(super) seed: u64,
    pub(super) now: Micros,
    pub(super) seq: u64,
    pub(super) queue: EventQueue<Packed>,
    pub(super) alive: Vec<bool>,
    /// Bumped by every crash and restart; a Boot of an older epoch is stale.
    pub(super) epoch: Vec<u32>,
    /// Down until their first boot (`boot=SPREAD`): not crashed, not yet started.
    pub(super) booting: Vec<bool>,
    /// A node stalled by `pause` runs nothing before this moment (0: never paused).
    pub(super) paused_until: Vec<Micros>,
    /// When each node's current pause began.
    pub(super) pause_since: Vec<Micros>,
    /// Client requests that reached a paused node, handed to it when it resumes.
    pub(super) held: Vec<(NodeId, ClientRequest)>,
    /// A node writing to disk runs nothing before this moment either (0:
    /// no write under way); see `disk.rs`.
    pub(super) busy_until: Vec<Micros>,
    /// The later of the two: what timers and deliveries check, in one load.
    pub(super) stalled: Vec<Micros>,
    /// See [`SimConfig::disk_write`].
    pub(super) disk_write: (Micros, Micros),
    timers: Vec<[TimerSlot; MAX_TIMERS]>,
    pub(super) network: NetworkConfig,
    pub(super) topology: Topology,
    pub(super) next_message_id: u64,
    pub(super) net_rng: Stream,
    pub(super) monitor: Monitor,
    pub(super) sinks: Vec<Box<dyn Sink>>,
    /// Heartbeat-round counter: every protocol step that sends is one round.
    pub(super) round: u64,
    pub(super) timer_jitter: Micros,
    pub(super) stats: Stats,
    /// `periodic-crash`: the schedule in force, and its generation (a
    /// pending crash of an older one is stale).
    pub(super) periodic: Option<PeriodicCrash>,
    pub(super) periodic_gen: u32,
    /// The client's operations and the workload, with their own random stream.
    pub(super) client: History,
    pub(super) client_rng: Stream,
}

impl Engine {
    pub(super) fn new(sim: &SimConfig) -> Engine {
        let n = sim.nodes as usize;
        Engine {
            n: sim.nodes,
            seed: sim.seed,
            now: 0,
            seq: 0,
            queue: EventQueue::new(),
            alive: vec![true; n],
            epoch: vec![0; n],
            booting: vec![false; n],
            paused_until: vec![0; n],
            pause_since: vec![0; n],
            held: Vec::new(),
            busy_until: vec![0; n],
            stalled: vec![0; n],
            disk_write: sim.disk_write,
            timers: vec![[TimerSlot::default(); MAX_TIMERS]; n],
            network: sim.network.clone(),
            topology: Topology::new(sim.nodes),
            next_message_id: 1,
            net_rng: Stream::new(sim.seed, rng::NETWORK_STREAM),
            monitor: Monitor::default(),
            sinks: Vec::new(),
            round: 0,
            timer_jitter: sim.timer_jitter,
            stats: Stats::default(),
            periodic: None,
            periodic_gen: 0,
            client: History::default(),
            client_rng: Stream::new(sim.seed, rng::CLIENT_STREAM),
        }
    }

    pub(super) fn schedule(&mut self, at: Micros, what: Pending) {
        self.seq += 1;
        self.queue.push(at, self.seq, Packed::pack(what));
    }

    /// Pops the next event due at or before `end`, moving the clock to it.
    // Always inlined in the Experiments package, like `Wire::take`.
    #[cfg_attr(feature = "experiments", inline(always))]
    #[cfg_attr(not(feature = "experiments"), inline)]
    pub(super) fn pop_due(&mut self, end: Micros) -> Option<Packed> {
        let ev = self.queue.pop_until(end)?;
        self.now = ev.at;
        Some(ev.item)
    }

    pub(super) fn finish_at(&mut self, end: Micros) {
        if end > self.now {
            self.now = end;
        }
    }

    // ---- Queries -------------------------------------------------------

    pub fn now(&self) -> Micros {
        self.now
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn node_count(&self) -> u32 {
        self.n
    }
    pub fn network(&self) -> &NetworkConfig {
        &self.network
    }
    pub fn topology(&self) -> &Topology {
        &self.topology
    }
    /// The client's history: every write and delete and how it ended.
    pub fn client(&self) -> &History {
        &self.client
    }
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }
    pub fn stats(&self) -> Stats {
        self.stats
    }
    /// Time of the next pending event, if any.
    pub fn next_event_at(&self) -> Option<Micros> {
        self.queue.peek().map(|s| s.at)
    }
    pub fn is_alive(&self, id: NodeId) -> bool {
        self.alive[(id - 1) as usize]
    }
    /// Checks that a node id exists.
    pub fn node(&self, field: &str, id: NodeId) -> Result<NodeId, Error> {
        check_node(self.n, field, id).map(|_| id)
    }
    /// Live nodes in LEADER state.
    pub fn leaders(&self) -> Vec<NodeId> {
        self.monitor.leaders().map(|(n, _)| n).collect()
    }
    /// The one live leader, if there is exactly one.
    pub fn leader(&self) -> Option<NodeId> {
        let mut it = self.monitor.leaders();
        match (it.next(), it.next()) {
            (Some((n, _)), None) => Some(n),
            _ => None,
        }
    }
    pub fn rules(&self) -> &[BeatRule] {
        self.topology.rules()
    }

    /// The `periodic-crash` schedule in force, if any.
    pub fn periodic(&self) -> Option<PeriodicCrash> {
        self.periodic
    }

    pub fn add_sink(&mut self, sink: Box<dyn Sink>) {
        self.sinks.push(sink);
    }
    pub fn flush_sinks(&mut self) {
        for s in &mut self.sinks {
            s.flush();
        }
    }
    pub fn clear_sinks(&mut self) {
        self.flush_sinks();
        self.sinks.clear();
    }

    // ---- Bookkeeping for the generic shell ------------------------------

    pub(super) fn emit(&mut self, node: Option<NodeId>, term: Option<u64>, kind: EventKind<'_>) {
        if self.sinks.is_empty() {
            return;
        }
        let ev = TraceEvent {
            t: self.now,
            node,
            term,
            kind,
        };
        for s in &mut self.sinks {
            s.record(&ev);
        }
    }

    /// Feeds a node's change of state to the monitor and the trace.
    pub(super) fn observe(
        &mut self,
        id: NodeId,
        before: (Status, bool),
        after: (Status, bool),
        restarted: bool,
    ) {
        if before == after {
            return;
        }
        if before.0.role != after.0.role && after.1 {
            self.emit(
                Some(id),
                Some(after.0.term),
                EventKind::Role {
                    from: before.0.role,
                    to: after.0.role,
                },
            );
        }
        let (found, resolved) = self.monitor.observe(self.now, id, before, after, restarted);
        for f in found {
            self.emit(Some(id), Some(after.0.term), EventKind::Violation(f));
        }
        if let Some(since) = resolved {
            self.emit(None, None, EventKind::LeadersResolved { since });
        }
    }

    /// A client operation ended: recorded once, traced.
    pub(super) fn client_done(&mut self, op: OpId, outcome: Outcome) {
        let Some(done) = self.client.complete(op, outcome, self.now) else {
            return;
        };
        if self.sinks.is_empty() {
            return;
        }
        let (via, kind, key, invoked) = (done.via, done.kind, done.key.clone(), done.invoked);
        self.emit(
            via,
            None,
            EventKind::ClientResult {
                op,
                kind,
                key: &key,
                outcome,
                invoked,
            },
        );
    }

    /// A node's datum changed: the durability checker judges it.
    pub(super) fn datum_changed(&mut self, id: NodeId, term: u64, c: &DatumChange) {
        if let Some(lost) = self.client.judge_change(&c.key, c.before, c.datum, c.cause) {
            let f = self.monitor.lost_write(self.now, id, term, lost);
            self.emit(Some(id), Some(term), EventKind::Violation(f));
        }
    }

    /// A finding of the log invariants: recorded and traced. Rare: the
    /// callers test for one inline, so the every-entry check is no call.
    #[cold]
    pub(super) fn log_finding(&mut self, id: NodeId, term: u64, f: Finding) {
        self.monitor.record(f.clone());
        self.emit(Some(id), Some(term), EventKind::Violation(f));
    }

    pub(super) fn vote(&mut self, id: NodeId, term: u64, candidate: NodeId) {
        if let Some(f) = self.monitor.vote(self.now, id, term, candidate) {
            self.emit(Some(id), Some(term), EventKind::Violation(f));
        }
    }

    /// A Boot event: true if the node should start now.
    pub(super) fn boots(&mut self, node: NodeId, epoch: u32) -> bool {
        let i = (node - 1) as usize;
        if self.epoch[i] != epoch {
            return false;
        }
        if self.booting[i] {
            self.booting[i] = false;
            self.alive[i] = true;
        } else if !self.alive[i] {
            return false;
        }
        self.emit(Some(node), None, EventKind::Boot);
        true
    }

    /// A Timer event: how late it fires, if it is still the armed one on a
    /// live node and due now (an entry overtaken by a later re-arm goes back
    /// in the queue, and so does one due while its node is paused or
    /// writing to disk: it fires when that ends, late by as much).
    #[inline]
    pub(super) fn fires(&mut self, node: NodeId, slot: u8, gen: u32) -> Option<Micros> {
        let i = (node - 1) as usize;
        let paused_until = self.stalled[i];
        let t = &mut self.timers[i][slot as usize];
        if !self.alive[i] || t.gen != gen {
            return None;
        }
        match t.due {
            Some(due) if due > self.now => {
                t.queued = Some(due);
                let seq = t.seq;
                self.queue
                    .push(due, seq, Packed::pack(Pending::Timer { node, slot, gen }));
                None
            }
            _ if paused_until > self.now => {
                t.queued = Some(paused_until);
                let seq = t.seq;
                self.queue.push(
                    paused_until,
                    seq,
                    Packed::pack(Pending::Timer { node, slot, gen }),
                );
                None
            }
            due => {
                t.due = None;
                t.queued = None;
                Some(self.now.saturating_sub(due.unwrap_or(self.now)))
            }
        }
    }

    /// How long until a paused node resumes (None: not paused).
    pub fn paused_for(&self, id: NodeId) -> Option<Micros> {
        let until = *self.paused_until.get((id.wrapping_sub(1)) as usize)?;
        (until > self.now).then(|| until - self.now)
    }

    /// How long until a node's disk write ends, when it is writing and not
    /// also paused past the write (None: not writing).
    pub fn writing_for(&self, id: NodeId) -> Option<Micros> {
        let i = (id.wrapping_sub(1)) as usize;
        let (busy, paused) = (*self.busy_until.get(i)?, self.paused_until[i]);
        (busy > self.now && busy > paused).then(|| busy - self.now)
    }

    /// Whether a node is stalled by `pause` now.
    #[inline]
    pub fn is_paused(&self, id: NodeId) -> bool {
        self.paused_until
            .get((id.wrapping_sub(1)) as usize)
            .is_some_and(|u| *u > self.now)
    }

    /// Until when a node runs nothing: paused, or writing to disk (0 when
    /// neither ever happened).
    #[inline]
    pub(super) fn stalled_until(&self, id: NodeId) -> Micros {
        self.stalled[(id - 1) as usize]
    }

    /// Whether a node runs nothing now: paused, or writing to disk. What
    /// comes due for it waits.
    #[inline]
    pub(super) fn is_stalled(&self, id: NodeId) -> bool {
        self.stalled_until(id) > self.now
    }

    /// Each disk write's range ((0, 0): no disk); see [`SimConfig::disk_write`].
    pub fn disk_write(&self) -> (Micros, Micros) {
        self.disk_write
    }

    /// Whether a node is writing to disk now (see `disk.rs`).
    pub fn is_writing(&self, id: NodeId) -> bool {
        self.busy_until
            .get((id.wrapping_sub(1)) as usize)
            .is_some_and(|u| *u > self.now)
    }

    /// A message arrives: true if it reaches the receiver; otherwise the
    /// drop is counted and traced.
    #[inline(always)]
    pub(super) fn arrives(
        &mut self,
        id: u64,
        kind: MessageKind,
        from: NodeId,
        to: NodeId,
        term: Option<u64>,
    ) -> bool {
        let reason = if !self.alive[(to - 1) as usize] {
            Some(DropReason::Crashed)
        } else {
            // Cut while the message was on the wire.
            self.topology.blocked(from, to)
        };
        match reason {
            Some(r) => {
                self.dropped(id, kind, from, to, term, r);
                false
            }
            None => {
                self.stats.delivered += 1;
                true
            }
        }
    }

    pub(super) fn disarm(&mut self, node: NodeId, slot: usize) {
        let t = &mut self.timers[(node - 1) as usize][slot];
        t.gen = t.gen.wrapping_add(1);
        t.due = None;
        t.queued = None;
    }

    pub(super) fn disarm_all(&mut self, node: NodeId) {
        for slot in 0..MAX_TIMERS {
            self.disarm(node, slot);
        }
    }

    #[inline]
    pub(super) fn arm(&mut self, node: NodeId, slot: usize, after: Micros) {
        let due = self.now.saturating_add(after);
        self.seq += 1;
        let seq = self.seq;
        let t = &mut self.timers[(node - 1) as usize][slot];
        t.due = Some(due);
        t.seq = seq;
        // A live entry before the new due time will be moved when it comes
        // up; an earlier (or equal: the sequence number must be the new one)
        // deadline needs a new entry.
        if t.queued.is_some_and(|q| q < due) {
            return;
        }
        t.gen = t.gen.wrapping_add(1);
        t.queued = Some(due);
        let gen = t.gen;
        self.queue.push(
            due,
            seq,
            Packed::pack(Pending::Timer {
                node,
                slot: slot as u8,
                gen,
            }),
        );
    }

    /// How long until a node's timer in `slot` fires, if armed: what the
    /// models' countdowns are computed from.
    pub(super) fn timer_due_in(&self, node: NodeId, slot: usize) -> Option<Micros> {
        self.timers[(node - 1) as usize][slot]
            .due
            .map(|d| d.saturating_sub(self.now))
    }

    pub(super) fn next_round(&mut self) -> u64 {
        self.round += 1;
        self.round
    }

    pub(super) fn expire_rules(&mut self) {
        for rule in self.topology.expire_rules() {
            self.emit(
                None,
                None,
                EventKind::RuleRemoved {
                    id: rule,
                    expired: true,
                },
            );
        }
    }

    /// Sends one message: drop rules, partitions, cuts and loss first, then
    /// a latency draw. Returns the message id and due time when it goes on
    /// the wire (the caller keeps the payload).
    #[inline(always)]
    pub(super) fn route(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: MessageKind,
        term: Option<u64>,
        round: u64,
        load: Option<(u32, WireSize)>,
    ) -> Option<(u64, Micros)> {
        let id = self.next_message_id;
        self.next_message_id += 1;
        self.stats.sent += 1;
        let mut reason = None;
        if kind == MessageKind::Beat {
            reason = self
                .topology
                .beat_rule_drops(from, to, round)
                .map(DropReason::BeatRule);
        }
        if reason.is_none() {
            reason = self.topology.blocked(from, to);
        }
        if reason.is_none() && self.network.loss > 0.0 && self.net_rng.chance(self.network.loss) {
            reason = Some(DropReason::Loss);
        }
        if let Some(reason) = reason {
            self.dropped(id, kind, from, to, term, reason);
            return None;
        }
        let latency = self
            .net_rng
            .between(self.network.latency_min, self.network.latency_max);
        let due = self.now.saturating_add(latency);
        self.dispatch(id, (from, to), kind, term, due, load, 0);
        Some((id, due))
    }

    /// Schedules message `id`'s delivery at `due` and traces its sending
    /// (`resent`: how many times TCP sent it again first).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn dispatch(
        &mut self,
        id: u64,
        (from, to): (NodeId, NodeId),
        kind: MessageKind,
        term: Option<u64>,
        due: Micros,
        load: Option<(u32, WireSize)>,
        resent: u32,
    ) {
        self.schedule(due, Pending::Deliver(id));
        if !self.sinks.is_empty() {
            self.emit(
                Some(from),
                term,
                EventKind::Send {
                    id,
                    kind,
                    to,
                    due,
                    load,
                    resent,
                },
            );
        }
    }

    pub(super) fn dropped(
        &mut self,
        id: u64,
        kind: MessageKind,
        from: NodeId,
        to: NodeId,
        term: Option<u64>,
        reason: DropReason,
    ) {
        self.stats.dropped += 1;
        if !self.sinks.is_empty() {
            self.emit(
                Some(from),
                term,
                EventKind::Drop {
                    id,
                    kind,
                    from,
                    to,
                    reason,
                },
            );
        }
    }
}
