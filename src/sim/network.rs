//! The simulated network: latency, loss, partitions, one-way link cuts,
//! heartbeat-drop rules, and the messages in flight.

use crate::error::Error;
use crate::protocol::{MessageKind, Micros, NodeId};
use crate::time::format_duration;

/// Latency is uniform in `[latency_min, latency_max]` for every message; each
/// message is independently lost with probability `loss`.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkConfig {
    pub latency_min: Micros,
    pub latency_max: Micros,
    pub loss: f64,
}

impl Default for NetworkConfig {
    /// A LAN: Nacos's HTTP calls take a few milliseconds.
    fn default() -> Self {
        NetworkConfig {
            latency_min: 2_000,
            latency_max: 8_000,
            loss: 0.0,
        }
    }
}

impl NetworkConfig {
    pub fn validate(&self) -> Result<(), Error> {
        if self.latency_max < self.latency_min {
            return Err(Error::new(
                "network.latencyMax",
                format!(
                    "must be at least network.latencyMin ({}), got {}",
                    format_duration(self.latency_min),
                    format_duration(self.latency_max)
                ),
            ));
        }
        if self.latency_max > 3_600_000_000 {
            return Err(Error::new("network.latencyMax", "must be at most 1 hour"));
        }
        if !(0.0..=1.0).contains(&self.loss) || self.loss.is_nan() {
            return Err(Error::new(
                "network.loss",
                format!(
                    "must be a probability between 0 and 1, got {}",
                    crate::num::fmt_f64(self.loss)
                ),
            ));
        }
        Ok(())
    }

    pub fn describe(&self) -> String {
        format!(
            "latency {}..{}, loss {}",
            format_duration(self.latency_min),
            format_duration(self.latency_max),
            crate::num::fmt_f64(self.loss)
        )
    }
}

/// Why a message never arrived. Every drop is traced with one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Random loss (network.loss).
    Loss,
    /// Sender and receiver are in different partition groups.
    Partition,
    /// The one-way link from sender to receiver is cut.
    LinkCut,
    /// A heartbeat-drop rule matched (its id).
    BeatRule(u32),
    /// The receiver was down when the message arrived.
    Crashed,
    /// The user dropped it by id.
    Manual,
    /// HTTP: the server is down or not booted, so the connection is refused.
    Refused,
    /// HTTP: a reply whose connection is gone (its client timed out, died
    /// or restarted since the request left).
    Closed,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::LinkCut => "link-cut",
            DropReason::BeatRule(_) => "beat-rule",
            DropReason::Crashed => "crashed",
            DropReason::Manual => "manual",
            DropReason::Refused => "refused",
            DropReason::Closed => "connection-closed",
        }
    }
}

/// Which heartbeats a drop rule catches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeatScope {
    /// Every beat, everywhere.
    All,
    /// Every beat a node sends.
    From(NodeId),
    /// Every beat a node receives.
    To(NodeId),
    /// Beats on one directed link.
    Link(NodeId, NodeId),
}

impl BeatScope {
    fn matches(self, from: NodeId, to: NodeId) -> bool {
        match self {
            BeatScope::All => true,
            BeatScope::From(n) => n == from,
            BeatScope::To(n) => n == to,
            BeatScope::Link(a, b) => a == from && b == to,
        }
    }

    pub fn describe(self) -> String {
        match self {
            BeatScope::All => "all beats".to_string(),
            BeatScope::From(n) => format!("beats from S{n}"),
            BeatScope::To(n) => format!("beats to S{n}"),
            BeatScope::Link(a, b) => format!("beats S{a}→S{b}"),
        }
    }
}

/// A heartbeat-drop rule. `remaining` counts heartbeat rounds (one sendBeat
/// is one round, whatever the cluster size); `None` drops until removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BeatRule {
    pub id: u32,
    pub scope: BeatScope,
    pub remaining: Option<u32>,
    /// The round this rule last counted, so one broadcast counts once.
    last_round: u64,
}

impl BeatRule {
    pub fn describe(&self) -> String {
        match self.remaining {
            Some(n) => format!("drop the next {n} rounds of {}", self.scope.describe()),
            None => format!("drop {}", self.scope.describe()),
        }
    }
}

/// Partitions, cut links and drop rules: what decides whether a message may pass.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// Partition group per node (index id-1); all zero when healed.
    groups: Vec<u32>,
    /// Cut one-way links, sorted (few, so a vector beats a set).
    cuts: Vec<(NodeId, NodeId)>,
    rules: Vec<BeatRule>,
    next_rule: u32,
    /// Some partition or cut is in place: when false, every link is open
    /// and `blocked` answers without looking (it runs twice per message).
    split: bool,
}

impl Topology {
    pub fn new(nodes: u32) -> Self {
        Topology {
            groups: vec![0; nodes as usize],
            cuts: Vec::new(),
            rules: Vec::new(),
            next_rule: 1,
            split: false,
        }
    }

    fn update_split(&mut self) {
        self.split = !self.cuts.is_empty() || self.is_partitioned();
    }

    /// Why a message from `from` to `to` cannot pass the topology right now.
    #[inline]
    pub fn blocked(&self, from: NodeId, to: NodeId) -> Option<DropReason> {
        if !self.split {
            return None;
        }
        if !self.cuts.is_empty() && self.cuts.binary_search(&(from, to)).is_ok() {
            return Some(DropReason::LinkCut);
        }
        if self.groups[(from - 1) as usize] != self.groups[(to - 1) as usize] {
            return Some(DropReason::Partition);
        }
        None
    }

    /// Applies the drop rules to a beat of heartbeat round `round`.
    pub fn beat_rule_drops(&mut self, from: NodeId, to: NodeId, round: u64) -> Option<u32> {
        for rule in &mut self.rules {
            if !rule.scope.matches(from, to) {
                continue;
            }
            if let Some(left) = rule.remaining.as_mut() {
                if rule.last_round != round {
                    if *left == 0 {
                        continue;
                    }
                    *left -= 1;
                    rule.last_round = round;
                }
            }
            return Some(rule.id);
        }
        None
    }

    /// Removes the counted rules that have dropped all their rounds; call
    /// after a whole round is sent. Returns their ids.
    pub fn expire_rules(&mut self) -> Vec<u32> {
        let mut gone = Vec::new();
        self.rules.retain(|r| {
            let spent = r.remaining == Some(0);
            if spent {
                gone.push(r.id);
            }
            !spent
        });
        gone
    }

    pub fn add_rule(&mut self, scope: BeatScope, rounds: Option<u32>) -> &BeatRule {
        let id = self.next_rule;
        self.next_rule += 1;
        self.rules.push(BeatRule {
            id,
            scope,
            remaining: rounds,
            last_round: 0,
        });
        self.rules.last().expect("just pushed")
    }

    pub fn remove_rule(&mut self, id: u32) -> Option<BeatRule> {
        let at = self.rules.iter().position(|r| r.id == id)?;
        Some(self.rules.remove(at))
    }

    pub fn rules(&self) -> &[BeatRule] {
        &self.rules
    }

    /// Splits the cluster: each listed group is one side, and every node not
    /// listed forms one more side together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        self.groups.iter_mut().for_each(|g| *g = 0);
        for (i, group) in groups.iter().enumerate() {
            for &n in group {
                self.groups[(n - 1) as usize] = i as u32 + 1;
            }
        }
        self.update_split();
    }

    pub fn heal(&mut self) {
        self.groups.iter_mut().for_each(|g| *g = 0);
        self.update_split();
    }

    pub fn is_partitioned(&self) -> bool {
        self.groups.iter().any(|&g| g != self.groups[0])
    }

    /// Partition group of each node (index id-1); equal numbers can talk.
    pub fn groups(&self) -> &[u32] {
        &self.groups
    }

    /// Cuts a link; false if it was already cut.
    pub fn cut(&mut self, from: NodeId, to: NodeId) -> bool {
        match self.cuts.binary_search(&(from, to)) {
            Ok(_) => false,
            Err(i) => {
                self.cuts.insert(i, (from, to));
                self.split = true;
                true
            }
        }
    }

    /// Restores a link; false if it was not cut.
    pub fn restore(&mut self, from: NodeId, to: NodeId) -> bool {
        match self.cuts.binary_search(&(from, to)) {
            Ok(i) => {
                self.cuts.remove(i);
                self.update_split();
                true
            }
            Err(_) => false,
        }
    }

    pub fn cuts(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cuts.iter().copied()
    }
}

/// A message on the wire, as the views and tests see it (`msg` is a
/// reference when it comes from [`Wire::iter`]).
#[derive(Clone, Debug)]
pub struct InFlight<M> {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MessageKind,
    pub sent: Micros,
    pub due: Micros,
    pub msg: M,
}

/// What the wire knows of a message besides its contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MessageKind,
    pub sent: Micros,
    pub due: Micros,
}

impl Envelope {
    pub fn with<M>(self, msg: M) -> InFlight<M> {
        let Envelope {
            id,
            from,
            to,
            kind,
            sent,
            due,
        } = self;
        InFlight {
            id,
            from,
            to,
            kind,
            sent,
            due,
            msg,
        }
    }
}

/// Messages in flight, indexed by id. Ids only grow and latency is bounded,
/// so the live ids sit in a sliding window `base..end`: a ring whose size is
/// a power of two, indexed by `id & mask`, gives O(1) insert, lookup and
/// removal with no hashing and no wrap-around test. Envelopes and contents
/// sit in two rings: each half moves in a few loads and stores, where the
/// whole (over 64 bytes) was a `memory.copy` call in wasm on every push and
/// delivery. Every slot outside the window is empty.
#[derive(Clone, Debug)]
pub struct Wire<M> {
    base: u64,
    end: u64,
    envelopes: Vec<Option<Envelope>>,
    messages: Vec<Option<M>>,
    live: usize,
}

impl<M> Default for Wire<M> {
    fn default() -> Self {
        Wire {
            base: 1,
            end: 1,
            envelopes: Vec::new(),
            messages: Vec::new(),
            live: 0,
        }
    }
}

impl<M> Wire<M> {
    /// The id the next message will get.
    pub fn next_id(&self) -> u64 {
        self.end
    }

    /// Where an id sits in the ring (whether or not it is in the window).
    #[inline(always)]
    fn index(&self, id: u64) -> usize {
        (id & (self.envelopes.len() as u64 - 1)) as usize
    }

    /// The ring slot of an id in the window (None outside it).
    #[inline(always)]
    fn slot(&self, id: u64) -> Option<usize> {
        (id >= self.base && id < self.end).then(|| self.index(id))
    }

    /// Adds a message; ids must grow. Ids skipped (messages dropped before
    /// they reached the wire) stay empty slots.
    #[inline(always)]
    pub fn push(&mut self, envelope: Envelope, msg: M) {
        let id = envelope.id;
        debug_assert!(id >= self.end);
        if self.live == 0 {
            self.base = id;
        }
        let span = id + 1 - self.base;
        if span > self.envelopes.len() as u64 {
            self.grow(span);
        }
        let i = self.index(id);
        self.envelopes[i] = Some(envelope);
        self.messages[i] = Some(msg);
        self.end = id + 1;
        self.live += 1;
    }

    /// Rebuilds the rings at a power-of-two size of at least `span`.
    #[cold]
    fn grow(&mut self, span: u64) {
        let size = span.next_power_of_two().max(16) as usize;
        let mut envelopes: Vec<Option<Envelope>> = vec![None; size];
        let mut messages: Vec<Option<M>> = std::iter::repeat_with(|| None).take(size).collect();
        let mask = size as u64 - 1;
        for id in self.base..self.end {
            let (from, to) = (self.index(id), (id & mask) as usize);
            envelopes[to] = self.envelopes[from].take();
            messages[to] = self.messages[from].take();
        }
        self.envelopes = envelopes;
        self.messages = messages;
    }

    /// The message's envelope, if it is on the wire.
    #[inline]
    pub fn envelope(&self, id: u64) -> Option<Envelope> {
        self.envelopes[self.slot(id)?]
    }

    /// Moves a message's due time (a message that waits at a wall).
    pub fn set_due(&mut self, id: u64, due: Micros) {
        if let Some(i) = self.slot(id) {
            if let Some(e) = &mut self.envelopes[i] {
                e.due = due;
            }
        }
    }

    // Always inlined in the Experiments package: out of line, V8 ran its
    // call for every delivery (+5 % in the speed run); the lab keeps the
    // call and its kilobyte.
    #[cfg_attr(feature = "experiments", inline(always))]
    #[cfg_attr(not(feature = "experiments"), inline)]
    pub fn take(&mut self, id: u64) -> Option<(Envelope, M)> {
        let i = self.slot(id)?;
        let envelope = self.envelopes[i].take()?;
        let msg = self.messages[i]
            .take()
            .expect("an envelope has its message");
        self.live -= 1;
        // The window's front moves past what is gone.
        while self.base < self.end && self.envelopes[self.index(self.base)].is_none() {
            self.base += 1;
        }
        Some((envelope, msg))
    }

    pub fn get(&self, id: u64) -> Option<InFlight<&M>> {
        let i = self.slot(id)?;
        let e = self.envelopes[i]?;
        let msg = self.messages[i].as_ref()?;
        Some(e.with(msg))
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// In id order, which is send order.
    pub fn iter(&self) -> impl Iterator<Item = InFlight<&M>> {
        (self.base..self.end).filter_map(|id| self.get(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_and_loss_are_validated_with_field_names() {
        let mut c = NetworkConfig {
            loss: 1.5,
            ..NetworkConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "network.loss");
        c.loss = f64::NAN;
        assert_eq!(c.validate().unwrap_err().field, "network.loss");
        let c = NetworkConfig {
            latency_min: 10,
            latency_max: 5,
            loss: 0.0,
        };
        assert_eq!(c.validate().unwrap_err().field, "network.latencyMax");
    }

    #[test]
    fn partitions_and_cuts_block_the_right_directions() {
        let mut t = Topology::new(5);
        assert_eq!(t.blocked(1, 2), None);
        t.partition(&[vec![1, 2]]);
        assert_eq!(t.blocked(1, 2), None);
        assert_eq!(t.blocked(1, 3), Some(DropReason::Partition));
        assert_eq!(
            t.blocked(4, 5),
            None,
            "unlisted nodes form one side together"
        );
        t.heal();
        t.cut(1, 2);
        assert_eq!(t.blocked(1, 2), Some(DropReason::LinkCut));
        assert_eq!(t.blocked(2, 1), None, "cuts are one-way");
        t.partition(&[vec![3]]);
        assert_eq!(t.blocked(1, 2), Some(DropReason::LinkCut));
        assert!(t.restore(1, 2));
        assert_eq!(t.blocked(1, 2), None);
        assert_eq!(t.blocked(1, 3), Some(DropReason::Partition));
        t.heal();
        assert!(
            (1..=5).all(|a| (1..=5).all(|b| t.blocked(a, b).is_none())),
            "healed and restored: all open"
        );
    }

    #[test]
    fn counted_rules_count_rounds_not_messages() {
        let mut t = Topology::new(5);
        let id = t.add_rule(BeatScope::From(1), Some(2)).id;
        for round in [10, 11] {
            for to in 2..=5 {
                assert_eq!(t.beat_rule_drops(1, to, round), Some(id));
            }
            assert!(t.beat_rule_drops(2, 3, round).is_none());
        }
        assert_eq!(t.expire_rules(), vec![id]);
        assert_eq!(t.beat_rule_drops(1, 2, 12), None);
    }

    /// A beat from S1 to S2 with id `id`, due at `due`.
    fn beat(id: u64, due: u64) -> Envelope {
        Envelope {
            id,
            from: 1,
            to: 2,
            kind: MessageKind::Beat,
            sent: 0,
            due,
        }
    }

    /// The ring against an ordered map, over pushes with gaps, takes in any
    /// order (of live, taken and unknown ids), due-time moves and growth.
    #[test]
    fn wire_behaves_like_an_ordered_map() {
        use crate::protocol::Entropy;
        use crate::sim::rng::Stream;
        use std::collections::BTreeMap;
        for seed in 0..20 {
            let mut rng = Stream::new(seed, 5);
            let mut w: Wire<u64> = Wire::default();
            let mut model: BTreeMap<u64, (Micros, u64)> = BTreeMap::new();
            let mut next = 1u64;
            for step in 0..5000u64 {
                match rng.below(10) {
                    0..=3 => {
                        next += rng.below(3); // ids dropped before the wire
                        w.push(beat(next, step), step);
                        model.insert(next, (step, step));
                        next += 1;
                    }
                    4..=7 => {
                        // Mostly old ids, sometimes a window's worth back.
                        let back = if rng.below(4) == 0 { 300 } else { 40 };
                        let id = next.saturating_sub(rng.below(back) + 1);
                        let got = w.take(id).map(|(e, m)| (e.id, e.due, m));
                        let want = model.remove(&id).map(|(due, m)| (id, due, m));
                        assert_eq!(got, want, "seed {seed} step {step}");
                    }
                    8 => {
                        let id = next.saturating_sub(rng.below(20) + 1);
                        w.set_due(id, step + 7);
                        if let Some(e) = model.get_mut(&id) {
                            e.0 = step + 7;
                        }
                    }
                    _ => {
                        let id = next.saturating_sub(rng.below(20) + 1);
                        assert_eq!(w.envelope(id).map(|e| e.due), model.get(&id).map(|e| e.0));
                    }
                }
                assert_eq!(w.len(), model.len());
            }
            let listed: Vec<(u64, u64)> = w.iter().map(|m| (m.id, *m.msg)).collect();
            let want: Vec<(u64, u64)> = model.iter().map(|(id, e)| (*id, e.1)).collect();
            assert_eq!(listed, want, "seed {seed}");
        }
    }

    #[test]
    fn wire_keeps_a_sliding_window() {
        let mut w: Wire<u8> = Wire::default();
        for i in 0..5 {
            let id = w.next_id();
            w.push(beat(id, i), i as u8);
        }
        assert_eq!(w.take(3).unwrap().1, 2);
        assert!(w.take(3).is_none());
        assert_eq!(w.take(1).unwrap().1, 0);
        assert_eq!(w.len(), 3);
        assert_eq!(w.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2, 4, 5]);
        w.take(2);
        w.take(4);
        w.take(5);
        assert!(w.is_empty());
        assert_eq!(w.next_id(), 6);
        // A gap (ids dropped before reaching the wire) is skipped over.
        w.push(beat(9, 0), 9);
        w.push(beat(12, 0), 12);
        assert_eq!(w.iter().map(|m| m.id).collect::<Vec<_>>(), vec![9, 12]);
        assert_eq!(*w.get(12).unwrap().msg, 12);
        assert_eq!(w.take(9).unwrap().1, 9);
        assert_eq!(w.len(), 1);
        assert!(w.take(99).is_none() && w.take(0).is_none());
    }
}
