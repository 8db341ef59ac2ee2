//! The simulation layer: a deterministic discrete-event simulator that drives
//! one [`Protocol`] instance per node over a simulated network.
//!
//! Time is integer microseconds. Events are ordered by (time, sequence), so
//! two events at the same instant run in the order they were scheduled.
//! [`Simulation::advance`] runs every event due within the span, so a run is
//! the same however its time is cut into steps. All randomness comes from one
//! seed (see [`rng`]).
//!
//! The work splits in two: [`Engine`] holds everything that does not depend
//! on the model (clock, event queue, network, timers' bookkeeping, faults,
//! monitor, trace) and exists once; [`Simulation`] adds the nodes' model
//! state and the messages on the wire, and is generic over the model. This
//! keeps the per-model copy of the code small (the wasm module carries one
//! per model).

pub mod monitor;
pub mod network;
pub mod queue;
pub mod rng;
pub mod trace;

use crate::error::Error;
use crate::protocol::{
    Countdowns, Dest, Entropy, Field, MessageInfo, MessageKind, Micros, NodeId, Protocol, Ready, Role, Status,
    TimerKind, MAX_TIMERS,
};
use monitor::Monitor;
use network::{BeatRule, BeatScope, DropReason, InFlight, NetworkConfig, Topology, Wire};
use rng::Stream;
use queue::EventQueue;
use crate::time::format_duration;
use trace::{ClockSetBy, EventKind, Sink, TraceEvent};

/// Largest cluster the simulator accepts.
pub const MAX_NODES: u32 = 1001;

/// What every run needs besides the model's own config.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub nodes: u32,
    pub seed: u64,
    pub network: NetworkConfig,
    /// Every timer fires up to this much late (uniform), as real timers do
    /// under scheduling noise. 0 (the default) keeps timers exact; a little
    /// breaks the lock-step of identical timeouts (Raft's 150-150 ms case).
    pub timer_jitter: Micros,
}

impl SimConfig {
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=MAX_NODES).contains(&self.nodes) {
            return Err(Error::new("nodes", format!("must be between 1 and {MAX_NODES}, got {}", self.nodes)));
        }
        if self.timer_jitter > 1_000_000 {
            return Err(Error::new("timerJitter", "must be at most 1s"));
        }
        self.network.validate()
    }
}

/// What a queue entry is for, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Boot { node: NodeId, epoch: u32 },
    Timer { node: NodeId, slot: u8, gen: u32 },
    Deliver(u64),
    /// The periodic leader crash is due (if `gen` is still the schedule's).
    PeriodicCrash { gen: u32 },
    /// Restart a node the periodic crash took down (if still down since).
    PeriodicRestart { node: NodeId, epoch: u32 },
}

/// A [`Pending`] packed in one word, the kind in the top two bits (the two
/// periodic-crash kinds share 3, told apart by bit 61). Copying
/// an enum with a byte tag through the queue cost store-forwarding stalls
/// on every event; a word moves in a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Packed(u64);

impl Packed {
    const BOOT: u64 = 1 << 62;
    const TIMER: u64 = 2 << 62;
    const PERIODIC: u64 = 3 << 62;
    const RESTART: u64 = 1 << 61;

    #[inline]
    fn pack(p: Pending) -> Packed {
        Packed(match p {
            Pending::Boot { node, epoch } => Self::BOOT | u64::from(node) << 32 | u64::from(epoch),
            Pending::Timer { node, slot, gen } => Self::TIMER | u64::from(node) << 40 | u64::from(slot) << 32 | u64::from(gen),
            // Message ids count from 1 and never reach 2^62.
            Pending::Deliver(id) => {
                debug_assert!(id < 1 << 62);
                id
            }
            Pending::PeriodicCrash { gen } => Self::PERIODIC | u64::from(gen),
            Pending::PeriodicRestart { node, epoch } => Self::PERIODIC | Self::RESTART | u64::from(node) << 32 | u64::from(epoch),
        })
    }

    #[inline]
    fn unpack(self) -> Pending {
        let w = self.0;
        match w >> 62 {
            0 => Pending::Deliver(w),
            1 => Pending::Boot { node: (w >> 32) as u32 & 0x3FFF_FFFF, epoch: w as u32 },
            2 => Pending::Timer { node: (w >> 40) as u32 & 0x3F_FFFF, slot: (w >> 32) as u8, gen: w as u32 },
            _ if w & Self::RESTART != 0 => Pending::PeriodicRestart { node: (w >> 32) as u32 & 0x1FFF_FFFF, epoch: w as u32 },
            _ => Pending::PeriodicCrash { gen: w as u32 },
        }
    }
}

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

type ReadyOf<P> = Ready<<P as Protocol>::Message, <P as Protocol>::Timer, <P as Protocol>::Note>;
/// One call into a model: the step `drive` runs on a node. An enum, not a
/// closure, so the call is a direct one and `drive` still exists once per
/// model (it matters for the wasm size).
enum Step<P: Protocol> {
    Start,
    Timer(P::Timer),
    Message(NodeId, P::Message),
    ForceTimeout,
    /// Set the election clock to run out this long from now.
    SetElection(Micros),
}

fn check_node(n: u32, field: &str, id: NodeId) -> Result<usize, Error> {
    if id == 0 || id > n {
        Err(Error::new(field, format!("node {id} does not exist (nodes are 1 to {n})")))
    } else {
        Ok((id - 1) as usize)
    }
}

/// Everything a run has that does not depend on the model.
pub struct Engine {
    n: u32,
    seed: u64,
    now: Micros,
    seq: u64,
    queue: EventQueue<Packed>,
    alive: Vec<bool>,
    /// Bumped by every crash and restart; a Boot of an older epoch is stale.
    epoch: Vec<u32>,
    timers: Vec<[TimerSlot; MAX_TIMERS]>,
    network: NetworkConfig,
    topology: Topology,
    next_message_id: u64,
    net_rng: Stream,
    monitor: Monitor,
    sinks: Vec<Box<dyn Sink>>,
    /// Heartbeat-round counter: every protocol step that sends is one round.
    round: u64,
    timer_jitter: Micros,
    stats: Stats,
    /// `periodic-crash`: the schedule in force, and its generation (a
    /// pending crash of an older one is stale).
    periodic: Option<PeriodicCrash>,
    periodic_gen: u32,
}

/// Crash the leader every `every`, and restart it `down` later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodicCrash {
    pub every: Micros,
    pub down: Micros,
    /// When it was set: the crashes fall on since + k * every.
    pub since: Micros,
}

impl Engine {
    fn new(sim: &SimConfig) -> Engine {
        let n = sim.nodes as usize;
        Engine {
            n: sim.nodes,
            seed: sim.seed,
            now: 0,
            seq: 0,
            queue: EventQueue::new(),
            alive: vec![true; n],
            epoch: vec![0; n],
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
        }
    }

    fn schedule(&mut self, at: Micros, what: Pending) {
        self.seq += 1;
        self.queue.push(at, self.seq, Packed::pack(what));
    }

    /// Pops the next event due at or before `end`, moving the clock to it.
    #[inline]
    fn pop_due(&mut self, end: Micros) -> Option<Packed> {
        let ev = self.queue.pop_until(end)?;
        self.now = ev.at;
        Some(ev.item)
    }

    fn finish_at(&mut self, end: Micros) {
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

    fn emit(&mut self, node: Option<NodeId>, term: Option<u64>, kind: EventKind<'_>) {
        if self.sinks.is_empty() {
            return;
        }
        let ev = TraceEvent { t: self.now, node, term, kind };
        for s in &mut self.sinks {
            s.record(&ev);
        }
    }

    /// Feeds a node's change of state to the monitor and the trace.
    fn observe(&mut self, id: NodeId, before: (Status, bool), after: (Status, bool), restarted: bool) {
        if before == after {
            return;
        }
        if before.0.role != after.0.role && after.1 {
            self.emit(Some(id), Some(after.0.term), EventKind::Role { from: before.0.role, to: after.0.role });
        }
        let (found, resolved) = self.monitor.observe(self.now, id, before, after, restarted);
        for f in found {
            self.emit(Some(id), Some(after.0.term), EventKind::Violation(f));
        }
        if let Some(since) = resolved {
            self.emit(None, None, EventKind::LeadersResolved { since });
        }
    }

    fn vote(&mut self, id: NodeId, term: u64, candidate: NodeId) {
        if let Some(f) = self.monitor.vote(self.now, id, term, candidate) {
            self.emit(Some(id), Some(term), EventKind::Violation(f));
        }
    }

    /// A Boot event: true if the node should start now.
    fn boots(&mut self, node: NodeId, epoch: u32) -> bool {
        let i = (node - 1) as usize;
        if !self.alive[i] || self.epoch[i] != epoch {
            return false;
        }
        self.emit(Some(node), None, EventKind::Boot);
        true
    }

    /// A Timer event: true if it is still the armed one on a live node and
    /// due now (an entry overtaken by a later re-arm goes back in the queue).
    #[inline]
    fn fires(&mut self, node: NodeId, slot: u8, gen: u32) -> bool {
        let i = (node - 1) as usize;
        let t = &mut self.timers[i][slot as usize];
        if !self.alive[i] || t.gen != gen {
            return false;
        }
        match t.due {
            Some(due) if due > self.now => {
                t.queued = Some(due);
                let seq = t.seq;
                self.queue.push(due, seq, Packed::pack(Pending::Timer { node, slot, gen }));
                false
            }
            _ => {
                t.due = None;
                t.queued = None;
                true
            }
        }
    }

    /// A message arrives: true if it reaches the receiver; otherwise the
    /// drop is counted and traced.
    #[inline(always)]
    fn arrives(&mut self, id: u64, kind: MessageKind, from: NodeId, to: NodeId, term: Option<u64>) -> bool {
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

    fn disarm(&mut self, node: NodeId, slot: usize) {
        let t = &mut self.timers[(node - 1) as usize][slot];
        t.gen = t.gen.wrapping_add(1);
        t.due = None;
        t.queued = None;
    }

    fn disarm_all(&mut self, node: NodeId) {
        for slot in 0..MAX_TIMERS {
            self.disarm(node, slot);
        }
    }

    #[inline]
    fn arm(&mut self, node: NodeId, slot: usize, after: Micros) {
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
        self.queue.push(due, seq, Packed::pack(Pending::Timer { node, slot: slot as u8, gen }));
    }

    /// How long until a node's timer in `slot` fires, if armed: what the
    /// models' countdowns are computed from.
    fn timer_due_in(&self, node: NodeId, slot: usize) -> Option<Micros> {
        self.timers[(node - 1) as usize][slot].due.map(|d| d.saturating_sub(self.now))
    }

    fn next_round(&mut self) -> u64 {
        self.round += 1;
        self.round
    }

    fn expire_rules(&mut self) {
        for rule in self.topology.expire_rules() {
            self.emit(None, None, EventKind::RuleRemoved { id: rule, expired: true });
        }
    }

    /// Sends one message: drop rules, partitions, cuts and loss first, then
    /// a latency draw. Returns the message id and due time when it goes on
    /// the wire (the caller keeps the payload).
    #[inline(always)]
    fn route(&mut self, from: NodeId, to: NodeId, kind: MessageKind, term: Option<u64>, round: u64) -> Option<(u64, Micros)> {
        let id = self.next_message_id;
        self.next_message_id += 1;
        self.stats.sent += 1;
        let mut reason = None;
        if kind == MessageKind::Beat {
            reason = self.topology.beat_rule_drops(from, to, round).map(DropReason::BeatRule);
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
        let latency = self.net_rng.between(self.network.latency_min, self.network.latency_max);
        let due = self.now.saturating_add(latency);
        self.schedule(due, Pending::Deliver(id));
        if !self.sinks.is_empty() {
            self.emit(Some(from), term, EventKind::Send { id, kind, to, due });
        }
        Some((id, due))
    }

    fn dropped(&mut self, id: u64, kind: MessageKind, from: NodeId, to: NodeId, term: Option<u64>, reason: DropReason) {
        self.stats.dropped += 1;
        if !self.sinks.is_empty() {
            self.emit(Some(from), term, EventKind::Drop { id, kind, from, to, reason });
        }
    }

    /// The bookkeeping of a crash; `status` is the node's state as it dies.
    fn crashed(&mut self, id: NodeId, status: Status) -> Result<(), Error> {
        let i = check_node(self.n, "node", id)?;
        if !self.alive[i] {
            return Err(Error::new("node", format!("S{id} is already down")));
        }
        self.alive[i] = false;
        self.epoch[i] += 1;
        self.disarm_all(id);
        self.emit(Some(id), Some(status.term), EventKind::Crash);
        self.observe(id, (status, true), (status, false), false);
        Ok(())
    }

    /// The bookkeeping of a restart, from `before` (status, alive) to `after`.
    fn restarted(&mut self, id: NodeId, before: (Status, bool), after: Status) {
        let i = (id - 1) as usize;
        self.epoch[i] += 1;
        self.disarm_all(id);
        self.alive[i] = true;
        self.emit(Some(id), Some(after.term), EventKind::Restart);
        self.observe(id, before, (after, true), true);
    }

    // ---- Network actions -----------------------------------------------

    /// Split the network: each group is one side; nodes not listed form one
    /// more side together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) -> Result<(), Error> {
        let mut seen = vec![false; self.n as usize];
        if groups.iter().all(|g| g.is_empty()) {
            return Err(Error::new("groups", "must name at least one node"));
        }
        for g in groups {
            for &id in g {
                let i = check_node(self.n, "groups", id)?;
                if seen[i] {
                    return Err(Error::new("groups", format!("S{id} is in more than one group")));
                }
                seen[i] = true;
            }
        }
        self.topology.partition(groups);
        let mut sides: Vec<String> = groups.iter().filter(|g| !g.is_empty()).map(|g| node_list(g)).collect();
        let rest: Vec<NodeId> = (1..=self.n).filter(|&id| !seen[(id - 1) as usize]).collect();
        if !rest.is_empty() {
            sides.push(node_list(&rest));
        }
        self.emit(None, None, EventKind::Partition { groups: sides.join(" | ") });
        Ok(())
    }

    /// Cut one node off from all others.
    pub fn isolate(&mut self, id: NodeId) -> Result<(), Error> {
        check_node(self.n, "node", id)?;
        self.partition(&[vec![id]])
    }

    /// Remove every partition (cut links and drop rules stay).
    pub fn heal(&mut self) {
        self.topology.heal();
        self.emit(None, None, EventKind::Heal);
    }

    /// Cut the one-way link `from` → `to`.
    pub fn cut(&mut self, from: NodeId, to: NodeId) -> Result<(), Error> {
        check_node(self.n, "from", from)?;
        check_node(self.n, "to", to)?;
        if from == to {
            return Err(Error::new("to", "must differ from `from`: a node has no link to itself"));
        }
        if self.topology.cut(from, to) {
            self.emit(None, None, EventKind::Cut { from, to });
        }
        Ok(())
    }

    /// Restore the one-way link `from` → `to`.
    pub fn restore(&mut self, from: NodeId, to: NodeId) -> Result<(), Error> {
        check_node(self.n, "from", from)?;
        check_node(self.n, "to", to)?;
        if self.topology.restore(from, to) {
            self.emit(None, None, EventKind::Restore { from, to });
        }
        Ok(())
    }

    /// Drop heartbeats matching `scope`: the next `rounds` heartbeat rounds,
    /// or all of them until the rule is removed. Returns the rule id.
    pub fn drop_beats(&mut self, scope: BeatScope, rounds: Option<u32>) -> Result<u32, Error> {
        match scope {
            BeatScope::All => {}
            BeatScope::From(n) | BeatScope::To(n) => {
                check_node(self.n, "node", n)?;
            }
            BeatScope::Link(a, b) => {
                check_node(self.n, "from", a)?;
                check_node(self.n, "to", b)?;
                if a == b {
                    return Err(Error::new("to", "must differ from `from`"));
                }
            }
        }
        if rounds == Some(0) {
            return Err(Error::new("count", "must be at least 1 (leave it out to drop until removed)"));
        }
        let rule = self.topology.add_rule(scope, rounds);
        let (id, what) = (rule.id, rule.describe());
        self.emit(None, None, EventKind::RuleAdded { id, what });
        Ok(id)
    }

    /// Remove a heartbeat-drop rule by id.
    pub fn remove_rule(&mut self, id: u32) -> Result<(), Error> {
        match self.topology.remove_rule(id) {
            Some(_) => {
                self.emit(None, None, EventKind::RuleRemoved { id, expired: false });
                Ok(())
            }
            None => Err(Error::new("rule", format!("no drop rule #{id} is active"))),
        }
    }

    /// Remove every heartbeat-drop rule.
    pub fn clear_rules(&mut self) {
        let ids: Vec<u32> = self.topology.rules().iter().map(|r| r.id).collect();
        for id in ids {
            let _ = self.remove_rule(id);
        }
    }

    /// Change latency and loss; messages already in flight keep their due time.
    pub fn set_network(&mut self, network: NetworkConfig) -> Result<(), Error> {
        network.validate()?;
        let what = network.describe();
        self.network = network;
        self.emit(None, None, EventKind::Network { what });
        Ok(())
    }
}

/// One node's model state and its own random stream.
struct Slot<P: Protocol> {
    proto: P,
    rng: Stream,
    /// The kind of timer armed in each slot.
    kinds: [Option<P::Timer>; MAX_TIMERS],
}

/// A run of one model: the [`Engine`] plus the nodes' model state and the
/// messages on the wire. Dereferences to the engine for everything that
/// does not depend on the model.
pub struct Simulation<P: Protocol> {
    engine: Engine,
    config: P::Config,
    nodes: Vec<Slot<P>>,
    wire: Wire<P::Message>,
    ready: ReadyOf<P>,
}

impl<P: Protocol> std::ops::Deref for Simulation<P> {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

impl<P: Protocol> std::ops::DerefMut for Simulation<P> {
    fn deref_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }
}

impl<P: Protocol> Simulation<P> {
    pub fn new(config: P::Config, sim: SimConfig) -> Result<Self, Error> {
        sim.validate()?;
        P::validate_config(&config)?;
        let jitter = P::boot_jitter(&config);
        let mut this = Simulation {
            engine: Engine::new(&sim),
            nodes: Vec::with_capacity(sim.nodes as usize),
            wire: Wire::default(),
            ready: Ready::default(),
            config,
        };
        for id in 1..=sim.nodes {
            let mut rng = Stream::new(sim.seed, u64::from(id));
            // Every server starts at its own moment: a random tick phase.
            let phase = if jitter > 0 { rng.below(jitter) } else { 0 };
            let proto = P::new(id, sim.nodes, &this.config, &P::Persistent::default(), &mut rng);
            this.nodes.push(Slot { proto, rng, kinds: [None; MAX_TIMERS] });
            this.engine.schedule(phase, Pending::Boot { node: id, epoch: 0 });
        }
        Ok(this)
    }

    /// The model-independent part, also reachable through deref.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    // ---- Queries -------------------------------------------------------

    pub fn model_config(&self) -> &P::Config {
        &self.config
    }

    /// Panics on a bad id: for callers that validated it (use [`Engine::node`]).
    pub fn status(&self, id: NodeId) -> Status {
        self.nodes[(id - 1) as usize].proto.status()
    }
    pub fn protocol(&self, id: NodeId) -> &P {
        &self.nodes[(id - 1) as usize].proto
    }

    /// Time left on a node's election and heartbeat clocks (None when down).
    pub fn countdowns(&self, id: NodeId) -> Countdowns {
        if !self.engine.is_alive(id) {
            return Countdowns::default();
        }
        let engine = &self.engine;
        self.nodes[(id - 1) as usize].proto.countdowns(&|t: P::Timer| engine.timer_due_in(id, t.index()))
    }

    pub fn fields(&self, id: NodeId) -> Vec<Field> {
        self.nodes[(id - 1) as usize].proto.fields()
    }

    /// Messages on the wire, in send order.
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight<P::Message>> {
        self.wire.iter()
    }
    pub fn in_flight_count(&self) -> usize {
        self.wire.len()
    }

    /// The model's warnings about these timings on the network as it is now
    /// (see [`Protocol::config_warnings`]); empty when the cluster can settle.
    pub fn config_warnings(&self) -> Vec<String> {
        P::config_warnings(&self.config, self.network().latency_max)
    }

    /// Roles of all nodes, for quick checks.
    pub fn roles(&self) -> Vec<Role> {
        self.nodes.iter().map(|s| s.proto.status().role).collect()
    }

    // ---- Running -------------------------------------------------------

    /// Runs every event due within `span` from now, then sets the clock to
    /// the end of the span.
    pub fn advance(&mut self, span: Micros) {
        let end = self.engine.now.saturating_add(span);
        self.run_until(end);
    }

    /// Runs every event due at or before `end` (no-op if `end` is past).
    pub fn run_until(&mut self, end: Micros) {
        self.run_until_budget(end, u64::MAX);
    }

    /// Like [`Self::run_until`] but stops after `budget` events; returns true
    /// when it reached `end`. The clock then stands at the last event run.
    pub fn run_until_budget(&mut self, end: Micros, budget: u64) -> bool {
        let mut left = budget;
        loop {
            if left == 0 {
                if self.engine.next_event_at().is_some_and(|at| at <= end) {
                    return false;
                }
                break;
            }
            let Some(what) = self.engine.pop_due(end) else { break };
            if self.process(what) {
                self.engine.stats.events += 1;
                left -= 1;
            }
        }
        self.engine.finish_at(end);
        true
    }

    /// Runs until `pred` holds after an event, or `end`. Returns whether it held.
    pub fn run_until_condition(&mut self, end: Micros, mut pred: impl FnMut(&Self) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        while let Some(what) = self.engine.pop_due(end) {
            if self.process(what) {
                self.engine.stats.events += 1;
                if pred(self) {
                    return true;
                }
            }
        }
        self.engine.finish_at(end);
        false
    }

    /// Runs one event; false when it was stale (a replaced timer, a message
    /// already dropped, a boot of a crashed node).
    fn process(&mut self, what: Packed) -> bool {
        match what.unpack() {
            Pending::Boot { node, epoch } => {
                if !self.engine.boots(node, epoch) {
                    return false;
                }
                self.drive(node, Step::Start);
                true
            }
            Pending::Timer { node, slot, gen } => {
                if !self.engine.fires(node, slot, gen) {
                    return false;
                }
                let kind = self.nodes[(node - 1) as usize].kinds[slot as usize].expect("an armed timer has a kind");
                self.drive(node, Step::Timer(kind));
                true
            }
            Pending::Deliver(id) => {
                let Some(m) = self.wire.take(id) else { return false };
                if self.engine.arrives(m.id, m.kind, m.from, m.to, m.msg.term()) {
                    self.drive(m.to, Step::Message(m.from, m.msg));
                }
                true
            }
            // Rare: kept out of the hot loop.
            periodic => self.periodic_event(periodic),
        }
    }

    /// A `periodic-crash` event: crash the leader and plan its restart and
    /// the next crash, or restart a node it took down. False when stale.
    #[cold]
    #[inline(never)]
    fn periodic_event(&mut self, what: Pending) -> bool {
        match what {
            Pending::PeriodicCrash { gen } => {
                let Some(p) = self.engine.periodic.filter(|_| gen == self.engine.periodic_gen) else { return false };
                if let Some(id) = self.periodic_victim() {
                    // A live node: the crash cannot fail.
                    let _ = self.crash(id);
                    let epoch = self.engine.epoch[(id - 1) as usize];
                    let at = self.engine.now.saturating_add(p.down);
                    self.engine.schedule(at, Pending::PeriodicRestart { node: id, epoch });
                }
                let next = self.engine.now.saturating_add(p.every);
                self.engine.schedule(next, Pending::PeriodicCrash { gen });
                true
            }
            Pending::PeriodicRestart { node, epoch } => {
                // Restarted (or crashed again) by hand since: not ours any more.
                let i = (node - 1) as usize;
                if self.engine.alive[i] || self.engine.epoch[i] != epoch {
                    return false;
                }
                let _ = self.restart(node);
                true
            }
            _ => false,
        }
    }

    /// Whom the periodic crash takes down: the live leader, or of several
    /// (a Nacos partition) the one with the highest term, then the lowest id.
    fn periodic_victim(&self) -> Option<NodeId> {
        let mut best: Option<(u64, NodeId)> = None;
        for (i, node) in self.nodes.iter().enumerate() {
            let st = node.proto.status();
            if self.engine.alive[i] && st.role == Role::Leader && best.is_none_or(|(term, _)| st.term > term) {
                best = Some((st.term, i as NodeId + 1));
            }
        }
        best.map(|(_, id)| id)
    }

    /// Calls the model on one node and carries out what it asks for.
    fn drive(&mut self, id: NodeId, step: Step<P>) {
        let i = (id - 1) as usize;
        let Simulation { engine, nodes, wire, ready, .. } = self;
        ready.clear();
        ready.keep_notes = !engine.sinks.is_empty();
        let node = &mut nodes[i];
        let before = node.proto.status();
        let (p, rng) = (&mut node.proto, &mut node.rng);
        match step {
            Step::Start => p.start(rng, ready),
            Step::Timer(kind) => p.on_timer(kind, rng, ready),
            Step::Message(from, msg) => p.on_message(from, msg, rng, ready),
            Step::ForceTimeout => p.force_timeout(rng, ready),
            Step::SetElection(after) => {
                let e: &Engine = engine;
                p.set_election_countdown(after, &|t: P::Timer| e.timer_due_in(id, t.index()), ready)
            }
        }
        let after = node.proto.status();
        if !engine.sinks.is_empty() {
            for note in &ready.notes {
                engine.emit(Some(id), Some(after.term), EventKind::Protocol(note));
            }
        }
        // Most steps change nothing the monitor watches (a follower's beat).
        if before != after {
            engine.observe(id, (before, true), (after, true), false);
        }
        for &(term, candidate) in &ready.votes {
            engine.vote(id, term, candidate);
        }
        for &timer in &ready.cancels {
            engine.disarm(id, timer.index());
        }
        for &(timer, after) in &ready.timers {
            let jitter = if engine.timer_jitter > 0 { node.rng.below(engine.timer_jitter) } else { 0 };
            node.kinds[timer.index()] = Some(timer);
            engine.arm(id, timer.index(), after.saturating_add(jitter));
        }
        if !ready.messages.is_empty() {
            let round = engine.next_round();
            let mut beats = false;
            for &(dest, msg) in &ready.messages {
                let (kind, term) = (msg.kind(), msg.term());
                beats |= kind == MessageKind::Beat;
                let (first, last) = match dest {
                    Dest::To(to) => (to, to),
                    Dest::AllOthers => (1, engine.n),
                };
                for to in first..=last {
                    if to == id && dest == Dest::AllOthers {
                        continue;
                    }
                    if let Some((mid, due)) = engine.route(id, to, kind, term, round) {
                        let sent = engine.now;
                        wire.push(InFlight { id: mid, from: id, to, kind, sent, due, msg });
                    }
                }
            }
            if beats {
                engine.expire_rules();
            }
        }
    }

    // ---- Node actions --------------------------------------------------

    /// Crash a node: its timers stop and messages to it are lost.
    pub fn crash(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.engine.n, "node", id)?;
        let status = self.nodes[i].proto.status();
        self.engine.crashed(id, status)
    }

    /// Restart a node (crashing it first if it is up): it keeps only what the
    /// model persists and starts its tasks now, or in a model with tick
    /// phases (Nacos) at a random phase within a tick, as at boot.
    pub fn restart(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.engine.n, "node", id)?;
        let before = (self.nodes[i].proto.status(), self.engine.alive[i]);
        let persisted = self.nodes[i].proto.persistent();
        let slot = &mut self.nodes[i];
        slot.proto = P::new(id, self.engine.n, &self.config, &persisted, &mut slot.rng);
        let after = slot.proto.status();
        self.engine.restarted(id, before, after);
        // Its tasks start like at boot, at a random phase: a restart at a
        // round time (a script's, or periodic-crash's every period) would
        // otherwise put restarted Nacos servers on one tick phase, where
        // their clocks run out together and split vote after vote.
        let jitter = P::boot_jitter(&self.config);
        if jitter == 0 {
            self.drive(id, Step::Start);
        } else {
            let phase = self.nodes[i].rng.below(jitter);
            let (at, epoch) = (self.engine.now.saturating_add(phase), self.engine.epoch[i]);
            self.engine.schedule(at, Pending::Boot { node: id, epoch });
        }
        Ok(())
    }

    /// Force an election timeout on a live node now.
    pub fn force_timeout(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.engine.n, "node", id)?;
        if !self.engine.alive[i] {
            return Err(Error::new("node", format!("S{id} is down; restart it first")));
        }
        let term = self.nodes[i].proto.status().term;
        self.engine.emit(Some(id), Some(term), EventKind::Timeout);
        self.drive(id, Step::ForceTimeout);
        Ok(())
    }

    /// The first moment at or after `at` when a live node's election clock
    /// can run out (absolute time). [`Cluster::align_timers`] picks by it.
    /// Panics on a bad id: for callers that validated it.
    ///
    /// [`Cluster::align_timers`]: crate::cluster::Cluster::align_timers
    pub fn election_moment(&self, id: NodeId, at: Micros) -> Micros {
        let (engine, now) = (&self.engine, self.engine.now);
        let after = at.saturating_sub(now);
        let due_in = |t: P::Timer| engine.timer_due_in(id, t.index());
        now.saturating_add(self.nodes[(id - 1) as usize].proto.election_moment(after, &due_in))
    }

    /// See [`Protocol::vote_request_hops`].
    pub fn vote_request_hops(&self) -> u64 {
        P::vote_request_hops(&self.config)
    }

    /// Sets a node's election clock to run out at `at` (or the model's first
    /// moment after), logs it against `peer` (id, when its clock runs out),
    /// and returns when it now runs out. Panics on a bad id: for callers
    /// that validated it (and checked the node is up).
    pub fn set_election_clock(&mut self, id: NodeId, at: Micros, by: ClockSetBy, peer: (NodeId, Micros)) -> Micros {
        self.drive(id, Step::SetElection(at.saturating_sub(self.engine.now)));
        let due = self.engine.now.saturating_add(self.countdowns(id).leader_due.unwrap_or(0));
        let term = self.status(id).term;
        self.engine.emit(Some(id), Some(term), EventKind::ElectionClockSet { due, by, peer: peer.0, peer_due: peer.1 });
        due
    }

    /// Crash the leader every `every` from now and restart it `down` after
    /// each crash (`periodic-crash every= down=`); replaces the schedule in
    /// force. None stops the crashes; restarts already due still happen.
    pub fn set_periodic_crash(&mut self, schedule: Option<(Micros, Micros)>) -> Result<(), Error> {
        const DAY: Micros = 86_400_000_000;
        if let Some((every, down)) = schedule {
            if !(1000..=DAY).contains(&every) {
                return Err(Error::new("every", format!("must be from 1ms to 24h, got {}", format_duration(every))));
            }
            if down > DAY {
                return Err(Error::new("down", format!("must be at most 24h, got {}", format_duration(down))));
            }
        }
        let e = &mut self.engine;
        e.periodic_gen = e.periodic_gen.wrapping_add(1);
        e.periodic = schedule.map(|(every, down)| PeriodicCrash { every, down, since: e.now });
        if let Some(p) = e.periodic {
            let gen = e.periodic_gen;
            e.schedule(p.since.saturating_add(p.every), Pending::PeriodicCrash { gen });
        }
        Ok(())
    }

    /// Drop one message in flight by id.
    pub fn drop_message(&mut self, id: u64) -> Result<(), Error> {
        match self.wire.take(id) {
            Some(m) => {
                self.engine.dropped(m.id, m.kind, m.from, m.to, m.msg.term(), DropReason::Manual);
                Ok(())
            }
            None => Err(Error::new("message", format!("message #{id} is not in flight"))),
        }
    }
}

fn node_list(ids: &[NodeId]) -> String {
    ids.iter().map(|i| format!("S{i}")).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::{Packed, Pending, MAX_NODES};

    #[test]
    fn queue_entries_pack_and_unpack_losslessly() {
        for p in [
            Pending::Boot { node: 1, epoch: 0 },
            Pending::Boot { node: MAX_NODES, epoch: u32::MAX },
            Pending::Timer { node: 7, slot: 1, gen: 3 },
            Pending::Timer { node: MAX_NODES, slot: u8::MAX, gen: u32::MAX },
            Pending::Deliver(1),
            Pending::Deliver((1 << 62) - 1),
            Pending::PeriodicCrash { gen: 0 },
            Pending::PeriodicCrash { gen: u32::MAX },
            Pending::PeriodicRestart { node: 1, epoch: 0 },
            Pending::PeriodicRestart { node: MAX_NODES, epoch: u32::MAX },
        ] {
            assert_eq!(Packed::pack(p).unpack(), p);
        }
    }
}
