//! Faults and interventions, as verbs on a run: crash and restart, the
//! periodic leader crash, partitions, cut links, heartbeat-drop rules,
//! network changes, dropping one message, and the timer keys (force a
//! timeout, set an election clock).

use super::event::{Packed, Pending};
use super::network::{BeatScope, DropReason, NetworkConfig};
use super::simulation::Step;
use super::trace::{ClockSetBy, EventKind};
use super::{check_node, Engine, Simulation};
use crate::error::Error;
use crate::protocol::data::ClientRequest;
use crate::protocol::{Entropy, MessageInfo, Micros, NodeId, Protocol, Role, Status, TimerKind};

/// The longest pause a node accepts.
pub const MAX_PAUSE: Micros = 3_600_000_000;
use crate::time::format_duration;

/// Crash the leader every `every`, and restart it `down` later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodicCrash {
    pub every: Micros,
    pub down: Micros,
    /// When it was set: the crashes fall on since + k * every.
    pub since: Micros,
}

impl Engine {
    /// The bookkeeping of a crash; `status` is the node's state as it dies.
    pub(super) fn crashed(&mut self, id: NodeId, status: Status) -> Result<(), Error> {
        let i = check_node(self.n, "node", id)?;
        if self.booting[i] {
            return Err(Error::new("node", format!("S{id} has not booted yet")));
        }
        if !self.alive[i] {
            return Err(Error::new("node", format!("S{id} is already down")));
        }
        self.alive[i] = false;
        self.epoch[i] += 1;
        self.paused_until[i] = 0;
        self.stalled[i] = 0;
        self.held.retain(|(n, _)| *n != id);
        self.disarm_all(id);
        self.emit(Some(id), Some(status.term), EventKind::Crash);
        self.observe(id, (status, true), (status, false), false);
        Ok(())
    }

    /// The bookkeeping of a restart, from `before` (status, alive) to `after`.
    pub(super) fn restarted(&mut self, id: NodeId, before: (Status, bool), after: Status) {
        let i = (id - 1) as usize;
        self.epoch[i] += 1;
        self.disarm_all(id);
        self.alive[i] = true;
        self.booting[i] = false;
        self.paused_until[i] = 0;
        self.stalled[i] = 0;
        self.held.retain(|(n, _)| *n != id);
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
                    return Err(Error::new(
                        "groups",
                        format!("S{id} is in more than one group"),
                    ));
                }
                seen[i] = true;
            }
        }
        self.topology.partition(groups);
        let mut sides: Vec<String> = groups
            .iter()
            .filter(|g| !g.is_empty())
            .map(|g| node_list(g))
            .collect();
        let rest: Vec<NodeId> = (1..=self.n)
            .filter(|&id| !seen[(id - 1) as usize])
            .collect();
        if !rest.is_empty() {
            sides.push(node_list(&rest));
        }
        self.emit(
            None,
            None,
            EventKind::Partition {
                groups: sides.join(" | "),
            },
        );
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
            return Err(Error::new(
                "to",
                "must differ from `from`: a node has no link to itself",
            ));
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
            return Err(Error::new(
                "count",
                "must be at least 1 (leave it out to drop until removed)",
            ));
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

impl<P: Protocol> Simulation<P> {
    /// A `periodic-crash` event: crash the leader and plan its restart and
    /// the next crash, or restart a node it took down. False when stale.
    #[cold]
    #[inline(never)]
    pub(super) fn periodic_event(&mut self, what: Pending) -> bool {
        match what {
            Pending::PeriodicCrash { gen } => {
                let Some(p) = self
                    .engine
                    .periodic
                    .filter(|_| gen == self.engine.periodic_gen)
                else {
                    return false;
                };
                if let Some(id) = self.periodic_victim() {
                    // A live node: the crash cannot fail.
                    let _ = self.crash(id);
                    let epoch = self.engine.epoch[(id - 1) as usize];
                    let at = self.engine.now.saturating_add(p.down);
                    self.engine
                        .schedule(at, Pending::PeriodicRestart { node: id, epoch });
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
            Pending::Workload { gen } => self.workload_event(gen),
            Pending::Resume { node, epoch } => self.resume(node, epoch),
            Pending::ConnDeadline(id) => self.conn_deadline(id),
            Pending::Synced { node, epoch } if P::SYNCS => self.synced(node, epoch),
            _ => false,
        }
    }

    /// Whom the periodic crash takes down: the live leader, or of several
    /// (a Nacos partition) the one with the highest term, then the lowest id.
    pub(super) fn periodic_victim(&self) -> Option<NodeId> {
        let mut best: Option<(u64, NodeId)> = None;
        for (i, node) in self.nodes.iter().enumerate() {
            let st = node.proto.status();
            if self.engine.alive[i]
                && st.role == Role::Leader
                && best.is_none_or(|(term, _)| st.term > term)
            {
                best = Some((st.term, i as NodeId + 1));
            }
        }
        best.map(|(_, id)| id)
    }

    // ---- Node actions --------------------------------------------------

    /// Crash a node: its timers stop and messages to it are lost.
    pub fn crash(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.engine.n, "node", id)?;
        let status = self.nodes[i].proto.status();
        self.engine.crashed(id, status)?;
        self.forget_unsynced(id);
        self.client_connections_lost(id);
        if P::HTTP {
            self.http_process_died(id);
        }
        Ok(())
    }

    /// Restart a node (crashing it first if it is up): it keeps only what the
    /// model persists and starts its tasks now, or in a model with tick
    /// phases (Nacos) at a random phase within a tick, as at boot.
    pub fn restart(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.engine.n, "node", id)?;
        let before = (self.nodes[i].proto.status(), self.engine.alive[i]);
        if before.1 {
            self.client_connections_lost(id);
            if P::HTTP {
                self.http_process_died(id);
            }
        }
        self.forget_unsynced(id);
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

    /// Stall a live node for `span` (a stop-the-world GC pause): nothing
    /// runs on it. Its timers that come due wait, and so do messages and
    /// client requests to it; they are not lost. When the pause ends they
    /// all run, the timers late by as much as they waited (a fixed-rate
    /// task then runs its missed periods back to back). A pause of a node
    /// already paused extends it.
    pub fn pause(&mut self, id: NodeId, span: Micros) -> Result<(), Error> {
        let i = check_node(self.engine.n, "node", id)?;
        if !self.engine.alive[i] {
            return Err(Error::new(
                "node",
                format!("S{id} is down; restart it first"),
            ));
        }
        if span == 0 || span > MAX_PAUSE {
            return Err(Error::new(
                "for",
                format!(
                    "must be above 0 and at most 1h, got {}",
                    format_duration(span)
                ),
            ));
        }
        let until = self.engine.now.saturating_add(span);
        let since = self.engine.now;
        let e = &mut self.engine;
        if until <= e.paused_until[i] {
            return Ok(());
        }
        if e.paused_until[i] <= e.now {
            e.pause_since[i] = since;
        }
        e.paused_until[i] = until;
        e.stalled[i] = e.stalled[i].max(until);
        let term = self.nodes[i].proto.status().term;
        e.emit(Some(id), Some(term), EventKind::Pause { until });
        let epoch = e.epoch[i];
        // Sequence 0: at `until` the resume comes before what waited for it.
        e.queue
            .push(until, 0, Packed::pack(Pending::Resume { node: id, epoch }));
        Ok(())
    }

    /// A pause ends (unless the node crashed, restarted or was paused longer
    /// since): the client requests that waited reach it (unless a disk
    /// write under way holds them longer: its end hands them over).
    fn resume(&mut self, id: NodeId, epoch: u32) -> bool {
        let i = (id - 1) as usize;
        let e = &mut self.engine;
        if e.epoch[i] != epoch || !e.alive[i] || e.paused_until[i] != e.now {
            return false;
        }
        let since = e.pause_since[i];
        let term = self.nodes[i].proto.status().term;
        e.emit(Some(id), Some(term), EventKind::Resume { since });
        if !e.is_writing(id) {
            self.release_held(id);
        }
        true
    }

    /// The client requests that waited for a stalled node reach it.
    pub(super) fn release_held(&mut self, id: NodeId) {
        let e = &mut self.engine;
        let held: Vec<ClientRequest> = {
            let mut out = Vec::new();
            e.held.retain(|(n, r)| {
                if *n == id {
                    out.push(r.clone());
                    false
                } else {
                    true
                }
            });
            out
        };
        for r in held {
            self.deliver(id, r);
        }
    }

    /// Force an election timeout on a live node now.
    pub fn force_timeout(&mut self, id: NodeId) -> Result<(), Error> {
        let i = check_node(self.engine.n, "node", id)?;
        if !self.engine.alive[i] {
            return Err(Error::new(
                "node",
                format!("S{id} is down; restart it first"),
            ));
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
        now.saturating_add(
            self.nodes[(id - 1) as usize]
                .proto
                .election_moment(after, &due_in),
        )
    }

    /// See [`Protocol::vote_request_hops`].
    pub fn vote_request_hops(&self) -> u64 {
        P::vote_request_hops(&self.config)
    }

    /// Sets a node's election clock to run out at `at` (or the model's first
    /// moment after), logs it against `peer` (id, when its clock runs out),
    /// and returns when it now runs out. Panics on a bad id: for callers
    /// that validated it (and checked the node is up).
    pub fn set_election_clock(
        &mut self,
        id: NodeId,
        at: Micros,
        by: ClockSetBy,
        peer: (NodeId, Micros),
    ) -> Micros {
        self.drive(id, Step::SetElection(at.saturating_sub(self.engine.now)));
        let due = self
            .engine
            .now
            .saturating_add(self.countdowns(id).leader_due.unwrap_or(0));
        let term = self.status(id).term;
        self.engine.emit(
            Some(id),
            Some(term),
            EventKind::ElectionClockSet {
                due,
                by,
                peer: peer.0,
                peer_due: peer.1,
            },
        );
        due
    }

    /// Crash the leader every `every` from now and restart it `down` after
    /// each crash (`periodic-crash every= down=`); replaces the schedule in
    /// force. None stops the crashes; restarts already due still happen.
    pub fn set_periodic_crash(&mut self, schedule: Option<(Micros, Micros)>) -> Result<(), Error> {
        const DAY: Micros = 86_400_000_000;
        if let Some((every, down)) = schedule {
            if !(1000..=DAY).contains(&every) {
                return Err(Error::new(
                    "every",
                    format!("must be from 1ms to 24h, got {}", format_duration(every)),
                ));
            }
            if down > DAY {
                return Err(Error::new(
                    "down",
                    format!("must be at most 24h, got {}", format_duration(down)),
                ));
            }
        }
        let e = &mut self.engine;
        e.periodic_gen = e.periodic_gen.wrapping_add(1);
        e.periodic = schedule.map(|(every, down)| PeriodicCrash {
            every,
            down,
            since: e.now,
        });
        if let Some(p) = e.periodic {
            let gen = e.periodic_gen;
            e.schedule(
                p.since.saturating_add(p.every),
                Pending::PeriodicCrash { gen },
            );
        }
        Ok(())
    }

    /// Drop one message in flight by id.
    pub fn drop_message(&mut self, id: u64) -> Result<(), Error> {
        match self.wire.take(id) {
            Some((e, msg)) => {
                self.engine
                    .dropped(e.id, e.kind, e.from, e.to, msg.term(), DropReason::Manual);
                if P::HTTP {
                    self.conns.message_dropped(id, &mut self.engine);
                }
                Ok(())
            }
            None => Err(Error::new(
                "message",
                format!("message #{id} is not in flight"),
            )),
        }
    }
}

fn node_list(ids: &[NodeId]) -> String {
    ids.iter()
        .map(|i| format!("S{i}"))
        .collect::<Vec<_>>()
        .join(",")
}
