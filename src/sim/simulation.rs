//! A run of one model: the engine plus the nodes' model state and the
//! messages on the wire, and the loop that runs events and carries out what
//! the model asks for.

use super::disk::{Unsynced, Writes};
use super::event::{Packed, Pending};
use super::network::{Envelope, InFlight, Wire};
use super::rng::{Stream, BOOT_STREAM};
use super::trace::EventKind;
use super::transport::Connections;
use super::{Engine, SimConfig};
use crate::error::Error;
use crate::protocol::data::ClientRequest;
use crate::protocol::{
    Countdowns, Dest, Entropy, Field, MessageInfo, MessageKind, Micros, NodeId, Protocol, Ready,
    RequestError, Role, Status, TimerKind, MAX_TIMERS,
};

pub(super) type ReadyOf<P> =
    Ready<<P as Protocol>::Message, <P as Protocol>::Timer, <P as Protocol>::Note>;
/// One call into a model: the step `drive` runs on a node. An enum, not a
/// closure, so the call is a direct one and `drive` still exists once per
/// model (it matters for the wasm size).
pub(super) enum Step<P: Protocol> {
    Start,
    /// A timer fires, this late (see `Ready::late`).
    Timer(P::Timer, Micros),
    Message(NodeId, P::Message),
    ForceTimeout,
    /// Set the election clock to run out this long from now.
    SetElection(Micros),
    /// A client's request reaches the node.
    Client(ClientRequest),
    /// An HTTP request this node sent to the given server failed.
    RequestFailed(NodeId, P::Message, RequestError),
    /// Messages that waited for the node's disk write leave (`disk.rs`).
    Flush(Vec<(Dest, P::Message)>),
}

/// One node's model state and its own random stream.
pub(super) struct Slot<P: Protocol> {
    pub(super) proto: P,
    pub(super) rng: Stream,
    /// The kind of timer armed in each slot.
    pub(super) kinds: [Option<P::Timer>; MAX_TIMERS],
}

/// A run of one model: the [`Engine`] plus the nodes' model state and the
/// messages on the wire. Dereferences to the engine for everything that
/// does not depend on the model.
pub struct Simulation<P: Protocol> {
    pub(super) engine: Engine,
    pub(super) config: P::Config,
    pub(super) nodes: Vec<Slot<P>>,
    pub(super) wire: Wire<P::Message>,
    /// Open HTTP connections (models with [`Protocol::HTTP`]; else empty).
    pub(super) conns: Connections<P::Message>,
    /// Messages waiting for their node's disk write to end (`disk.rs`).
    pub(super) unsynced: Vec<Unsynced<P::Message>>,
    pub(super) ready: ReadyOf<P>,
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
        if sim.disk_on() && !P::SYNCS {
            return Err(Error::new(
                "diskWrite",
                format!(
                    "the {} model writes nothing to disk before it speaks; leave it out",
                    P::NAME
                ),
            ));
        }
        P::validate_config(&config)?;
        let jitter = P::boot_jitter(&config);
        let mut boot_rng = (sim.boot_spread > 0).then(|| Stream::new(sim.seed, BOOT_STREAM));
        let mut this = Simulation {
            engine: Engine::new(&sim),
            nodes: Vec::with_capacity(sim.nodes as usize),
            wire: Wire::default(),
            conns: Connections::default(),
            unsynced: Vec::new(),
            ready: Ready::default(),
            config,
        };
        for id in 1..=sim.nodes {
            let mut rng = Stream::new(sim.seed, u64::from(id));
            // Every server starts at its own moment: a random tick phase.
            let phase = if jitter > 0 { rng.below(jitter) } else { 0 };
            let proto = P::new(
                id,
                sim.nodes,
                &this.config,
                &P::Persistent::default(),
                &mut rng,
            );
            this.nodes.push(Slot {
                proto,
                rng,
                kinds: [None; MAX_TIMERS],
            });
            // With a boot spread, the server is down until its moment.
            let start = match boot_rng.as_mut() {
                Some(r) => {
                    let i = (id - 1) as usize;
                    this.engine.alive[i] = false;
                    this.engine.booting[i] = true;
                    r.below(sim.boot_spread)
                }
                None => 0,
            };
            this.engine
                .schedule(start + phase, Pending::Boot { node: id, epoch: 0 });
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
        self.nodes[(id - 1) as usize]
            .proto
            .countdowns(&|t: P::Timer| engine.timer_due_in(id, t.index()))
    }

    pub fn fields(&self, id: NodeId) -> Vec<Field> {
        self.nodes[(id - 1) as usize].proto.fields()
    }

    /// Messages on the wire, in send order.
    pub fn in_flight(&self) -> impl Iterator<Item = InFlight<&P::Message>> {
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
            let Some(what) = self.engine.pop_due(end) else {
                break;
            };
            if self.process(what) {
                self.engine.stats.events += 1;
                left -= 1;
            }
        }
        self.engine.finish_at(end);
        true
    }

    /// Runs until `pred` holds after an event, or `end`. Returns whether it held.
    pub fn run_until_condition(
        &mut self,
        end: Micros,
        mut pred: impl FnMut(&Self) -> bool,
    ) -> bool {
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
    /// already dropped, a boot of a crashed node). Always inlined in the
    /// Experiments package, like `Wire::take`.
    #[cfg_attr(feature = "experiments", inline(always))]
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
                let Some(late) = self.engine.fires(node, slot, gen) else {
                    return false;
                };
                let kind = self.nodes[(node - 1) as usize].kinds[slot as usize]
                    .expect("an armed timer has a kind");
                self.drive(node, Step::Timer(kind, late));
                true
            }
            Pending::Deliver(id) => {
                // A paused receiver, or one writing to disk, takes it when
                // it runs again: it waits.
                if let Some(to) = self.wire.envelope(id).map(|e| e.to) {
                    if self.engine.is_stalled(to) {
                        let until = self.engine.stalled_until(to);
                        self.engine.schedule(until, Pending::Deliver(id));
                        if P::HTTP {
                            self.conns.request_waits(id, &mut self.engine);
                        }
                        return false;
                    }
                }
                if P::HTTP {
                    return self.http_deliver(id);
                }
                let Some((e, msg)) = self.wire.take(id) else {
                    return false;
                };
                if self.engine.arrives(e.id, e.kind, e.from, e.to, msg.term()) {
                    self.drive(e.to, Step::Message(e.from, msg));
                }
                true
            }
            // Rare: kept out of the hot loop.
            periodic => self.periodic_event(periodic),
        }
    }

    /// Calls the model on one node and carries out what it asks for.
    pub(super) fn drive(&mut self, id: NodeId, step: Step<P>) {
        let i = (id - 1) as usize;
        let Simulation {
            engine,
            nodes,
            wire,
            conns,
            unsynced,
            ready,
            config,
        } = self;
        ready.clear();
        ready.keep_notes = !engine.sinks.is_empty();
        let node = &mut nodes[i];
        let before = node.proto.status();
        let on_message = matches!(step, Step::Message(..));
        // What a finished write held leaves now, even if a later step of
        // the node has started another write meanwhile.
        let flush = matches!(step, Step::Flush(..));
        let (p, rng) = (&mut node.proto, &mut node.rng);
        match step {
            Step::Start => {
                ready.restart = engine.epoch[i] > 0;
                p.start(rng, ready)
            }
            Step::Timer(kind, late) => {
                ready.late = late;
                p.on_timer(kind, rng, ready)
            }
            Step::Message(from, msg) => p.on_message(from, msg, rng, ready),
            Step::ForceTimeout => p.force_timeout(rng, ready),
            Step::SetElection(after) => {
                let e: &Engine = engine;
                p.set_election_countdown(after, &|t: P::Timer| e.timer_due_in(id, t.index()), ready)
            }
            Step::Client(request) => p.on_client(request, rng, ready),
            Step::RequestFailed(to, request, error) => {
                p.on_request_failed(to, request, error, rng, ready)
            }
            Step::Flush(messages) => ready.messages.extend(messages),
        }
        let after = node.proto.status();
        if !engine.sinks.is_empty() {
            for note in &ready.notes {
                engine.emit(Some(id), Some(after.term), EventKind::Protocol(note));
            }
        }
        for change in &ready.changes {
            engine.datum_changed(id, after.term, change);
        }
        // Most steps change nothing the monitor watches (a follower's beat).
        if before != after {
            engine.observe(id, (before, true), (after, true), false);
            if after.role == Role::Leader && before.role != Role::Leader {
                let p = &node.proto;
                if p.store().is_some() {
                    for lost in engine.client.judge_leader(|k| p.leader_value(k)) {
                        let f = engine.monitor.lost_write(engine.now, id, after.term, lost);
                        engine.emit(Some(id), Some(after.term), EventKind::Violation(f));
                    }
                }
                let f = engine
                    .monitor
                    .log
                    .elected(engine.now, id, after.term, p.log_last(), |i| p.log_chain(i));
                if let Some(f) = f {
                    engine.log_finding(id, after.term, f);
                }
            }
        }
        for &ev in &ready.log {
            if let Some(f) = engine.monitor.log.event(engine.now, id, after.term, ev) {
                engine.log_finding(id, after.term, f);
            }
        }
        for &(op, outcome) in &ready.outcomes {
            engine.client_done(op, outcome);
        }
        for &(term, candidate) in &ready.votes {
            engine.vote(id, term, candidate);
        }
        // With a disk, a step that changed what must be synced holds its
        // node for the write (`disk.rs`); timers may count from within it.
        let mut timers_from = 0;
        if P::SYNCS && engine.disk_write.1 > 0 {
            let writes = Writes::of_step(id, (before, after), &ready.votes, &ready.log, on_message);
            if writes.count() > 0 {
                timers_from = engine.start_write(id, after.term, &mut node.rng, writes);
            }
        }
        for &timer in &ready.cancels {
            engine.disarm(id, timer.index());
        }
        for &(timer, after) in &ready.timers {
            let jitter = if engine.timer_jitter > 0 {
                node.rng.below(engine.timer_jitter)
            } else {
                0
            };
            node.kinds[timer.index()] = Some(timer);
            engine.arm(
                id,
                timer.index(),
                after.saturating_add(jitter).saturating_add(timers_from),
            );
        }
        // Messages of a node writing to disk leave when the write ends.
        if P::SYNCS && !flush && !ready.messages.is_empty() {
            let busy_until = engine.busy_until[i];
            if busy_until > engine.now {
                unsynced.push(Unsynced {
                    at: busy_until,
                    node: id,
                    messages: ready.messages.drain(..).collect(),
                });
            }
        }
        if !ready.messages.is_empty() {
            let round = engine.next_round();
            let mut beats = false;
            for (dest, msg) in ready.messages.drain(..) {
                let (kind, term) = (msg.kind(), msg.term());
                beats |= kind == MessageKind::Beat;
                // What the trace says of its load: the same for every copy,
                // and only read when something traces.
                let load = if engine.sinks.is_empty() {
                    None
                } else {
                    let entries = msg.entries();
                    (entries > 0).then(|| (entries, msg.size().unwrap_or_default()))
                };
                let sending = Sending {
                    from: id,
                    kind,
                    term,
                    round,
                    load,
                };
                // One receiver: the message goes as it is. Several: each
                // copy but the last is a clone, made only once the copy is
                // routed (a dropped one costs none); the last takes the
                // message itself, so an AppendEntries' entries need no copy.
                match dest {
                    Dest::To(to) => {
                        post::<P>(engine, wire, conns, config, &sending, to, || msg);
                    }
                    Dest::AllOthers => {
                        // The last receiver: the highest node but this one
                        // (0, none, in a one-node cluster).
                        let n = engine.n;
                        let last = if n == id { n - 1 } else { n };
                        for to in 1..last {
                            if to != id {
                                post::<P>(engine, wire, conns, config, &sending, to, || {
                                    msg.clone()
                                });
                            }
                        }
                        if last >= 1 {
                            post::<P>(engine, wire, conns, config, &sending, last, || msg);
                        }
                    }
                }
            }
            if beats {
                engine.expire_rules();
            }
        }
    }
}

/// What every copy of one message shares.
struct Sending {
    from: NodeId,
    kind: MessageKind,
    term: Option<u64>,
    round: u64,
    load: Option<(u32, crate::protocol::WireSize)>,
}

/// Sends one copy of a message to `to`: over its HTTP connection, or routed
/// onto the wire. `make` gives the copy, and runs only when there is
/// somewhere to put it.
#[inline(always)]
fn post<P: Protocol>(
    engine: &mut Engine,
    wire: &mut Wire<P::Message>,
    conns: &mut Connections<P::Message>,
    config: &P::Config,
    s: &Sending,
    to: NodeId,
    make: impl FnOnce() -> P::Message,
) {
    if P::HTTP {
        let timeouts = P::http_timeouts(config);
        conns.send(engine, wire, timeouts, s.from, to, make(), s.round, s.load);
        return;
    }
    if let Some((id, due)) = engine.route(s.from, to, s.kind, s.term, s.round, s.load) {
        let envelope = Envelope {
            id,
            from: s.from,
            to,
            kind: s.kind,
            sent: engine.now,
            due,
        };
        wire.push(envelope, make());
    }
}
