//! The simulation layer: a deterministic discrete-event simulator that drives
//! one [`Protocol`] instance per node over a simulated network.
//!
//! Time is integer microseconds. Events are ordered by (time, sequence), so
//! two events at the same instant run in the order they were scheduled.
//! [`Simulation::advance`] runs every event due within the span, so a run is
//! the same however its time is cut into steps. All randomness comes from one
//! seed (see [`rng`]).

pub mod monitor;
pub mod network;
pub mod rng;
pub mod time;
pub mod trace;

use crate::error::Error;
use crate::protocol::{
    Countdowns, Dest, Entropy, Field, MessageInfo, MessageKind, Micros, NodeId, Protocol, Ready, Role, Status,
    TimerKind, MAX_TIMERS,
};
use monitor::Monitor;
use network::{BeatRule, BeatScope, DropReason, InFlight, NetworkConfig, Topology, Wire};
use rng::Stream;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use trace::{EventKind, Sink, TraceEvent};

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

#[derive(Clone, Copy, Debug)]
enum Pending {
    Boot { node: NodeId, epoch: u32 },
    Timer { node: NodeId, slot: u8, gen: u32 },
    Deliver(u64),
}

#[derive(Clone, Copy, Debug)]
struct Scheduled {
    at: Micros,
    seq: u64,
    what: Pending,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed, so the std max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Clone, Copy, Debug)]
struct TimerSlot<T> {
    gen: u32,
    due: Option<Micros>,
    kind: Option<T>,
}

struct Slot<P: Protocol> {
    proto: P,
    alive: bool,
    /// Bumped by every crash and restart; a Boot of an older epoch is stale.
    epoch: u32,
    rng: Stream,
    timers: [TimerSlot<P::Timer>; MAX_TIMERS],
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
/// One call into a model: the step `drive` runs on a node.
type Step<'a, P> = &'a mut dyn FnMut(&mut P, &mut dyn Entropy, &mut ReadyOf<P>);

pub struct Simulation<P: Protocol> {
    config: P::Config,
    n: u32,
    seed: u64,
    now: Micros,
    seq: u64,
    queue: BinaryHeap<Scheduled>,
    nodes: Vec<Slot<P>>,
    network: NetworkConfig,
    topology: Topology,
    wire: Wire<P::Message>,
    next_message_id: u64,
    net_rng: Stream,
    monitor: Monitor,
    sinks: Vec<Box<dyn Sink>>,
    ready: ReadyOf<P>,
    /// Heartbeat-round counter: every protocol step that sends is one round.
    round: u64,
    timer_jitter: Micros,
    stats: Stats,
}

fn check_node(n: u32, field: &str, id: NodeId) -> Result<usize, Error> {
    if id == 0 || id > n {
        Err(Error::new(field, format!("node {id} does not exist (nodes are 1 to {n})")))
    } else {
        Ok((id - 1) as usize)
    }
}

impl<P: Protocol> Simulation<P> {
    pub fn new(config: P::Config, sim: SimConfig) -> Result<Self, Error> {
        sim.validate()?;
        P::validate_config(&config)?;
        let jitter = P::boot_jitter(&config);
        let mut this = Simulation {
            n: sim.nodes,
            seed: sim.seed,
            now: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            nodes: Vec::with_capacity(sim.nodes as usize),
            network: sim.network,
            topology: Topology::new(sim.nodes),
            wire: Wire::default(),
            next_message_id: 1,
            net_rng: Stream::new(sim.seed, rng::NETWORK_STREAM),
            monitor: Monitor::default(),
            sinks: Vec::new(),
            ready: Ready::default(),
            round: 0,
            timer_jitter: sim.timer_jitter,
            stats: Stats::default(),
            config,
        };
        for id in 1..=sim.nodes {
            let mut rng = Stream::new(sim.seed, u64::from(id));
            // Every server starts at its own moment: a random tick phase.
            let phase = if jitter > 0 { rng.below(jitter) } else { 0 };
            let proto = P::new(id, sim.nodes, &this.config, &P::Persistent::default(), &mut rng);
            this.nodes.push(Slot {
                proto,
                alive: true,
                epoch: 0,
                rng,
                timers: [TimerSlot { gen: 0, due: None, kind: None }; MAX_TIMERS],
            });
            this.schedule(phase, Pending::Boot { node: id, epoch: 0 });
        }
        Ok(this)
    }

    fn schedule(&mut self, at: Micros, what: Pending) {
        self.seq += 1;
        self.queue.push(Scheduled { at, seq: self.seq, what });
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
    pub fn model_config(&self) -> &P::Config {
        &self.config
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

    /// Panics on a bad id: for callers that validated it (use [`Self::node`]).
    pub fn status(&self, id: NodeId) -> Status {
        self.nodes[(id - 1) as usize].proto.status()
    }
    pub fn is_alive(&self, id: NodeId) -> bool {
        self.nodes[(id - 1) as usize].alive
    }
    /// Checks that a node id exists.
    pub fn node(&self, field: &str, id: NodeId) -> Result<NodeId, Error> {
        check_node(self.n, field, id).map(|_| id)
    }
    pub fn protocol(&self, id: NodeId) -> &P {
        &self.nodes[(id - 1) as usize].proto
    }

    /// Time left on a node's election and heartbeat clocks (None when down).
    pub fn countdowns(&self, id: NodeId) -> Countdowns {
        let slot = &self.nodes[(id - 1) as usize];
        if !slot.alive {
            return Countdowns::default();
        }
        let now = self.now;
        slot.proto.countdowns(&|t: P::Timer| slot.timers[t.index()].due.map(|d| d.saturating_sub(now)))
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

    // ---- Running -------------------------------------------------------

    /// Runs every event due within `span` from now, then sets the clock to
    /// the end of the span.
    pub fn advance(&mut self, span: Micros) {
        let end = self.now.saturating_add(span);
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
        while let Some(top) = self.queue.peek() {
            if top.at > end {
                break;
            }
            if left == 0 {
                return false;
            }
            let ev = self.queue.pop().expect("peeked");
            self.now = ev.at;
            if self.process(ev.what) {
                self.stats.events += 1;
                left -= 1;
            }
        }
        if end > self.now {
            self.now = end;
        }
        true
    }

    /// Runs until `pred` holds after an event, or `end`. Returns whether it held.
    pub fn run_until_condition(&mut self, end: Micros, mut pred: impl FnMut(&Self) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        while let Some(top) = self.queue.peek() {
            if top.at > end {
                break;
            }
            let ev = self.queue.pop().expect("peeked");
            self.now = ev.at;
            if self.process(ev.what) {
                self.stats.events += 1;
                if pred(self) {
                    return true;
                }
            }
        }
        if end > self.now {
            self.now = end;
        }
        false
    }

    /// Runs one event; false when it was stale (a replaced timer, a message
    /// already dropped, a boot of a crashed node).
    fn process(&mut self, what: Pending) -> bool {
        match what {
            Pending::Boot { node, epoch } => {
                let slot = &self.nodes[(node - 1) as usize];
                if !slot.alive || slot.epoch != epoch {
                    return false;
                }
                self.emit(Some(node), None, EventKind::Boot);
                self.drive(node, &mut |p, rng, out| p.start(rng, out));
                true
            }
            Pending::Timer { node, slot: s, gen } => {
                let slot = &mut self.nodes[(node - 1) as usize];
                let timer = slot.timers[s as usize];
                if !slot.alive || timer.gen != gen {
                    return false;
                }
                slot.timers[s as usize].due = None;
                let kind = timer.kind.expect("an armed timer has a kind");
                self.drive(node, &mut |p, rng, out| p.on_timer(kind, rng, out));
                true
            }
            Pending::Deliver(id) => {
                let Some(m) = self.wire.take(id) else { return false };
                if !self.nodes[(m.to - 1) as usize].alive {
                    self.dropped(&m, DropReason::Crashed);
                    return true;
                }
                if let Some(reason) = self.topology.blocked(m.from, m.to) {
                    // Cut while the message was on the wire.
                    self.dropped(&m, reason);
                    return true;
                }
                self.stats.delivered += 1;
                self.drive(m.to, &mut |p, rng, out| p.on_message(m.from, m.msg, rng, out));
                true
            }
        }
    }

    /// Calls the model on one node and carries out what it asks for. `f` is
    /// a trait object so this large function exists once per model, not once
    /// per call site (it matters for the wasm size).
    fn drive(&mut self, id: NodeId, f: Step<'_, P>) {
        let i = (id - 1) as usize;
        let mut ready = std::mem::take(&mut self.ready);
        ready.clear();
        let before = self.nodes[i].proto.status();
        {
            let slot = &mut self.nodes[i];
            f(&mut slot.proto, &mut slot.rng, &mut ready);
        }
        let after = self.nodes[i].proto.status();
        if !self.sinks.is_empty() {
            for note in &ready.notes {
                self.emit(Some(id), Some(after.term), EventKind::Protocol(note));
            }
        }
        self.observe(id, (before, true), (after, true), false);
        for &(term, candidate) in &ready.votes {
            if let Some(f) = self.monitor.vote(self.now, id, term, candidate) {
                self.emit(Some(id), Some(term), EventKind::Violation(f));
            }
        }
        for &timer in &ready.cancels {
            let t = &mut self.nodes[i].timers[timer.index()];
            t.gen = t.gen.wrapping_add(1);
            t.due = None;
        }
        for &(timer, after) in &ready.timers {
            let jitter = if self.timer_jitter > 0 { self.nodes[i].rng.below(self.timer_jitter) } else { 0 };
            let due = self.now.saturating_add(after).saturating_add(jitter);
            let t = &mut self.nodes[i].timers[timer.index()];
            t.gen = t.gen.wrapping_add(1);
            t.due = Some(due);
            t.kind = Some(timer);
            let gen = t.gen;
            self.schedule(due, Pending::Timer { node: id, slot: timer.index() as u8, gen });
        }
        if !ready.messages.is_empty() {
            self.round += 1;
            let round = self.round;
            let mut beats = false;
            for &(dest, msg) in &ready.messages {
                beats |= msg.kind() == MessageKind::Beat;
                match dest {
                    Dest::To(to) => self.send(id, to, msg, round),
                    Dest::AllOthers => {
                        for to in 1..=self.n {
                            if to != id {
                                self.send(id, to, msg, round);
                            }
                        }
                    }
                }
            }
            if beats {
                for rule in self.topology.expire_rules() {
                    self.emit(None, None, EventKind::RuleRemoved { id: rule, expired: true });
                }
            }
        }
        self.ready = ready;
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Message, round: u64) {
        let id = self.next_message_id;
        self.next_message_id += 1;
        self.stats.sent += 1;
        let kind = msg.kind();
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
        let sent = self.now;
        if let Some(reason) = reason {
            let m = InFlight { id, from, to, kind, sent, due: sent, msg };
            self.dropped(&m, reason);
            return;
        }
        let latency = self.net_rng.between(self.network.latency_min, self.network.latency_max);
        let due = sent.saturating_add(latency);
        self.wire.push(InFlight { id, from, to, kind, sent, due, msg });
        self.schedule(due, Pending::Deliver(id));
        if !self.sinks.is_empty() {
            self.emit(Some(from), msg.term(), EventKind::Send { id, kind, to, due });
        }
    }

    fn dropped(&mut self, m: &InFlight<P::Message>, reason: DropReason) {
        self.stats.dropped += 1;
        if !self.sinks.is_empty() {
            let ev = EventKind::Drop { id: m.id, kind: m.kind, from: m.from, to: m.to, reason };
            self.emit(Some(m.from), m.msg.term(), ev);
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

    fn emit(&mut self, node: Option<NodeId>, term: Option<u64>, kind: EventKind<'_>) {
        if self.sinks.is_empty() {
            return;
        }
        let ev = TraceEvent { t: self.now, node, term, kind };
        for s in &mut self.sinks {
            s.record(&ev);
        }
    }

    // ---- Actions -------------------------------------------------------

    /// Crash a node: its timers stop and messages to it are lost.
    pub fn crash(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.n, "node", id)?;
        if !self.nodes[i].alive {
            return Err(Error::new("node", format!("S{id} is already down")));
        }
        let status = self.nodes[i].proto.status();
        let slot = &mut self.nodes[i];
        slot.alive = false;
        slot.epoch += 1;
        for t in &mut slot.timers {
            t.gen = t.gen.wrapping_add(1);
            t.due = None;
        }
        self.emit(Some(id), Some(status.term), EventKind::Crash);
        self.observe(id, (status, true), (status, false), false);
        Ok(())
    }

    /// Restart a node (crashing it first if it is up): it keeps only what the
    /// model persists and starts its tasks now.
    pub fn restart(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.n, "node", id)?;
        let before = (self.nodes[i].proto.status(), self.nodes[i].alive);
        let persisted = self.nodes[i].proto.persistent();
        let slot = &mut self.nodes[i];
        slot.epoch += 1;
        for t in &mut slot.timers {
            t.gen = t.gen.wrapping_add(1);
            t.due = None;
        }
        slot.proto = P::new(id, self.n, &self.config, &persisted, &mut slot.rng);
        slot.alive = true;
        let after = slot.proto.status();
        self.emit(Some(id), Some(after.term), EventKind::Restart);
        self.observe(id, before, (after, true), true);
        self.drive(id, &mut |p, rng, out| p.start(rng, out));
        Ok(())
    }

    /// Force an election timeout on a live node now.
    pub fn force_timeout(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.n, "node", id)?;
        if !self.nodes[i].alive {
            return Err(Error::new("node", format!("S{id} is down; restart it first")));
        }
        let term = self.nodes[i].proto.status().term;
        self.emit(Some(id), Some(term), EventKind::Timeout);
        self.drive(id, &mut |p, rng, out| p.force_timeout(rng, out));
        Ok(())
    }

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
        let mut sides: Vec<String> =
            groups.iter().filter(|g| !g.is_empty()).map(|g| node_list(g)).collect();
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

    pub fn rules(&self) -> &[BeatRule] {
        self.topology.rules()
    }

    /// Drop one message in flight by id.
    pub fn drop_message(&mut self, id: u64) -> Result<(), Error> {
        match self.wire.take(id) {
            Some(m) => {
                self.dropped(&m, DropReason::Manual);
                Ok(())
            }
            None => Err(Error::new("message", format!("message #{id} is not in flight"))),
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

    /// Roles of all nodes, for quick checks.
    pub fn roles(&self) -> Vec<Role> {
        self.nodes.iter().map(|s| s.proto.status().role).collect()
    }
}

fn node_list(ids: &[NodeId]) -> String {
    ids.iter().map(|i| format!("S{i}")).collect::<Vec<_>>().join(",")
}
