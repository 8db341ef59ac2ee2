//! Raft commit latency: how long a client waits from invoking a write at
//! the leader to its ok, with no faults, under message loss, and across a
//! leader crash.
//!
//! Five servers with RaftScope's timings (election timeout 100-200 ms, a
//! heartbeat every 50 ms, one-way latency 10-15 ms). Once a leader is
//! followed by every node, the client writes at a steady Poisson rate
//! through whichever node leads (it sits next to the leader: the request
//! itself takes no time). The leader answers when it applies the entry,
//! after a majority has it: at least one round trip. Each line runs its
//! own trials:
//! - no faults;
//! - message loss at a rate (a lost AppendEntries or reply waits for the
//!   next one, or the next heartbeat);
//! - a leader crash at a random moment of the middle half of the
//!   workload: the writes it was waiting on lose their connection (they
//!   may or may not commit: "unknown"), and writes invoked while no leader
//!   is known fail at once.
//!
//! Every operation is counted: ok, failed (certainly not applied),
//! unknown (may have been), or still pending when the run ends.

use super::client_ops::Collector;
use super::fig16::{trial_seed, EXPERIMENT_STREAM};
use super::flat::{flag, whole};
use super::stats::Sample;
use crate::error::Error;
use crate::protocol::{raft, Entropy, Micros, NodeId};
use crate::sim::client::Workload;
use crate::sim::network::NetworkConfig;
use crate::sim::rng::Stream;
use crate::sim::{SimConfig, Simulation};

pub type RaftSim = Simulation<raft::Node>;

pub const DEFAULT_TRIALS: u32 = 20;
pub const MAX_TRIALS: u32 = 100_000;
/// The loss lines, beside the loss-free and the crash lines.
pub const DEFAULT_LOSSES: [f64; 2] = [0.01, 0.05];
pub const DEFAULT_DURATION: Micros = 60 * 1_000_000;
/// The longest workload a trial runs.
pub const MAX_DURATION: Micros = 24 * 3_600_000_000;

/// RaftScope's timings: what the Raft visualisation (and this simulator's
/// lab page) runs with.
pub fn raftscope_timings() -> raft::Config {
    raft::Config {
        election_min: 100_000,
        election_max: 200_000,
        heartbeat_interval: 50_000,
        ..raft::Config::default()
    }
}

/// RaftScope's one-way message latency.
pub fn raftscope_network() -> NetworkConfig {
    NetworkConfig {
        latency_min: 10_000,
        latency_max: 15_000,
        loss: 0.0,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub nodes: u32,
    pub raft: raft::Config,
    pub network: NetworkConfig,
    /// The client's writes per second.
    pub rate: f64,
    /// Keys it writes to, uniformly.
    pub keys: u32,
    /// How long the workload runs in each trial.
    pub duration: Micros,
    /// After the workload stops, how long the run goes on for the last
    /// answers; what is still waiting then is "pending".
    pub drain: Micros,
    /// "Right after the crash": writes invoked this long after it.
    pub after: Micros,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            nodes: 5,
            raft: raftscope_timings(),
            network: raftscope_network(),
            rate: 10.0,
            keys: 100,
            duration: DEFAULT_DURATION,
            drain: 5 * 1_000_000,
            after: 1_000_000,
        }
    }
}

impl Setup {
    pub fn validate(&self) -> Result<(), Error> {
        SimConfig {
            nodes: self.nodes,
            seed: 0,
            network: self.network.clone(),
            timer_jitter: 0,
            boot_spread: 0,
            disk_write: (0, 0),
        }
        .validate()?;
        if self.nodes < 3 {
            return Err(Error::new(
                "nodes",
                "must be at least 3, so that a leader can fail over",
            ));
        }
        <raft::Node as crate::protocol::Protocol>::validate_config(&self.raft)?;
        self.workload().validate()?;
        if !(1..=MAX_DURATION).contains(&self.duration) {
            return Err(Error::new(
                "duration",
                format!(
                    "must be above 0 and at most 24h, got {}",
                    crate::time::format_duration(self.duration)
                ),
            ));
        }
        Ok(())
    }

    pub fn workload(&self) -> Workload {
        Workload {
            rate: self.rate,
            keys: self.keys,
            via_leader: true,
            delete: 0.0,
        }
    }
}

/// What a line does to the cluster.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    None,
    /// Every message is lost with this chance.
    Loss(f64),
    /// The leader crashes once, in the middle half of the workload, and
    /// stays down.
    LeaderCrash,
}

impl Fault {
    pub fn label(self) -> String {
        match self {
            Fault::None => "no faults".into(),
            Fault::Loss(p) => format!("loss {}", crate::num::fmt_f64(p)),
            Fault::LeaderCrash => "leader crash".into(),
        }
    }
    /// The lines of a run: no faults, each loss rate, a leader crash.
    pub fn lines(losses: &[f64]) -> Vec<Fault> {
        let mut v = vec![Fault::None];
        v.extend(losses.iter().map(|&p| Fault::Loss(p)));
        v.push(Fault::LeaderCrash);
        v
    }
    fn loss(self) -> f64 {
        match self {
            Fault::Loss(p) => p,
            _ => 0.0,
        }
    }
    pub fn check(self) -> Result<Fault, Error> {
        let p = self.loss();
        if !(p.is_finite() && (0.0..0.5).contains(&p)) {
            return Err(Error::new(
                "loss",
                format!(
                    "must be a rate from 0 to below 0.5, got {}",
                    crate::num::fmt_f64(p)
                ),
            ));
        }
        Ok(self)
    }
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Certainly not applied (no leader to send to, a refusal).
    Failed,
    /// May have been applied (the leader went down or stepped down first).
    Unknown,
    /// No answer when the run ended.
    Pending,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Ok,
        Outcome::Failed,
        Outcome::Unknown,
        Outcome::Pending,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Unknown => "unknown",
            Outcome::Pending => "pending",
        }
    }
    fn code(self) -> u64 {
        Outcome::ALL.iter().position(|o| *o == self).unwrap_or(0) as u64
    }
}

/// When an operation was invoked, relative to a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Answered before the crash (every op of a line without one).
    Before,
    /// Invoked before the crash and not yet answered at it.
    InFlight,
    /// Invoked within `Setup::after` of the crash.
    RightAfter,
    /// Invoked later.
    Later,
}

impl Phase {
    pub const ALL: [Phase; 4] = [
        Phase::Before,
        Phase::InFlight,
        Phase::RightAfter,
        Phase::Later,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::InFlight => "in_flight",
            Phase::RightAfter => "right_after",
            Phase::Later => "later",
        }
    }
    fn code(self) -> u64 {
        Phase::ALL.iter().position(|p| *p == self).unwrap_or(0) as u64
    }
}

/// One operation of a trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Op {
    /// When it was invoked, from the start of the workload.
    pub invoked: Micros,
    /// From invocation to the answer (pending: to the end of the run).
    pub latency: Micros,
    pub outcome: Outcome,
    pub phase: Phase,
}

/// One trial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trial {
    /// When the leader crashed, from the start of the workload.
    pub crash_at: Option<Micros>,
    /// Every operation, in invocation order.
    pub ops: Vec<Op>,
}

impl Trial {
    /// From the crash to the first ok of a write invoked after it: how long
    /// the cluster took writes nowhere (unresolved: none was ok by the end).
    pub fn recovery(&self) -> Option<Sample> {
        let c = self.crash_at?;
        let end = self
            .ops
            .iter()
            .map(|o| o.invoked + o.latency)
            .max()
            .unwrap_or(c);
        Some(
            self.ops
                .iter()
                .filter(|o| o.invoked >= c && o.outcome == Outcome::Ok)
                .map(|o| o.invoked + o.latency - c)
                .min()
                .map_or(
                    Sample {
                        us: end.saturating_sub(c),
                        resolved: false,
                    },
                    |us| Sample { us, resolved: true },
                ),
        )
    }

    /// The flat form handed to JavaScript: `[ops, crashed 0/1, crash_at]`,
    /// then four numbers an op (invoked, latency, outcome, phase codes).
    pub fn write_flat(&self, out: &mut Vec<f64>) {
        out.push(self.ops.len() as f64);
        out.push(if self.crash_at.is_some() { 1.0 } else { 0.0 });
        out.push(self.crash_at.unwrap_or(0) as f64);
        for o in &self.ops {
            out.extend([o.invoked, o.latency, o.outcome.code(), o.phase.code()].map(|v| v as f64));
        }
    }

    /// Every trial in `data` (the concatenation of `write_flat`s).
    pub fn read_flat(data: &[f64]) -> Result<Vec<Trial>, Error> {
        let mut out = Vec::new();
        let mut rest = data;
        let short = |what: &str| {
            Error::new(
                "data",
                format!("must hold whole trials (3 numbers, then 4 an op), {what}"),
            )
        };
        while !rest.is_empty() {
            if rest.len() < 3 {
                return Err(short("got a cut header"));
            }
            let n = whole(rest[0])? as usize;
            let crashed = flag(rest[1])?;
            let crash_at = whole(rest[2])?;
            let body = rest
                .get(3..3 + 4 * n)
                .ok_or_else(|| short("got a cut trial"))?;
            let ops = body
                .chunks(4)
                .map(|c| {
                    let code = |v: f64, what: &str| -> Result<usize, Error> {
                        let i = whole(v)? as usize;
                        if i < 4 {
                            Ok(i)
                        } else {
                            Err(Error::new(
                                "data",
                                format!("{what} code must be 0 to 3, got {i}"),
                            ))
                        }
                    };
                    Ok(Op {
                        invoked: whole(c[0])?,
                        latency: whole(c[1])?,
                        outcome: Outcome::ALL[code(c[2], "outcome")?],
                        phase: Phase::ALL[code(c[3], "phase")?],
                    })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            out.push(Trial {
                crash_at: crashed.then_some(crash_at),
                ops,
            });
            rest = &rest[3 + 4 * n..];
        }
        Ok(out)
    }
}

/// The seed of trial `trial` of a line.
pub fn trial_seed_of(seed: u64, fault: Fault, trial: u32) -> u64 {
    let tag = match fault {
        Fault::None => 0,
        Fault::Loss(p) => p.to_bits(),
        Fault::LeaderCrash => 1,
    };
    trial_seed(seed, 0x636f_6d6d_6974 ^ tag, 0, trial)
}

/// A cluster of `setup`'s servers, run until one leader is followed by
/// every live node (a minute is ample with any sane timings).
pub fn settled(setup: &Setup, network: NetworkConfig, seed: u64) -> Result<RaftSim, Error> {
    let mut s = RaftSim::new(
        setup.raft.clone(),
        SimConfig {
            nodes: setup.nodes,
            seed,
            network,
            timer_jitter: 0,
            boot_spread: 0,
            disk_write: (0, 0),
        },
    )?;
    let cap = 60 * 1_000_000;
    if !s.run_until_condition(cap, |s| followed_leader(s).is_some()) {
        return Err(Error::new(
            "raft",
            "no leader followed by every node within a minute of simulated time",
        ));
    }
    Ok(s)
}

/// The leader, when every live node follows it.
pub fn followed_leader(s: &RaftSim) -> Option<NodeId> {
    let leader = s.leader()?;
    (1..=s.node_count())
        .all(|id| id == leader || !s.is_alive(id) || s.status(id).leader == Some(leader))
        .then_some(leader)
}

/// Runs one trial of a line.
pub fn run_trial(setup: &Setup, fault: Fault, sim_seed: u64) -> Result<Trial, Error> {
    setup.validate()?;
    let fault = fault.check()?;
    let mut network = setup.network.clone();
    network.loss = fault.loss();
    let mut s = settled(setup, network, sim_seed)?;
    let mut c = Collector::new(setup.rate);
    let t0 = s.now();
    s.set_workload(Some(setup.workload()))?;
    let mut crash_at = None;
    let mut answered_before = 0;
    if fault == Fault::LeaderCrash {
        let mut draws = Stream::new(sim_seed, EXPERIMENT_STREAM);
        let at = t0 + setup.duration / 4 + draws.below((setup.duration / 2).max(1));
        c.run_until(&mut s, at)?;
        answered_before = c.done.len();
        if let Some(leader) = s.client_target() {
            s.crash(leader)?;
            crash_at = Some(at);
        }
    }
    c.run_until(&mut s, t0 + setup.duration)?;
    s.set_workload(None)?;
    let end = s.now() + setup.drain;
    c.run_until(&mut s, end)?;
    let phase = |invoked: Micros, index: Option<usize>| match crash_at {
        None => Phase::Before,
        Some(at) if invoked < at => {
            if index.is_some_and(|i| i < answered_before) {
                Phase::Before
            } else {
                Phase::InFlight
            }
        }
        Some(at) if invoked < at + setup.after => Phase::RightAfter,
        Some(_) => Phase::Later,
    };
    let mut ops: Vec<(u64, Op)> = c
        .done
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let outcome = match d.outcome {
                Ok(()) => Outcome::Ok,
                Err(f) if f.definite() => Outcome::Failed,
                Err(_) => Outcome::Unknown,
            };
            (
                d.id,
                Op {
                    invoked: d.invoked - t0,
                    latency: d.done - d.invoked,
                    outcome,
                    phase: phase(d.invoked, Some(i)),
                },
            )
        })
        .collect();
    for (id, invoked) in c.pending(&s) {
        ops.push((
            id,
            Op {
                invoked: invoked - t0,
                latency: end - invoked,
                outcome: Outcome::Pending,
                phase: phase(invoked, None),
            },
        ));
    }
    ops.sort_unstable_by_key(|(id, _)| *id);
    Ok(Trial {
        crash_at: crash_at.map(|at| at - t0),
        ops: ops.into_iter().map(|(_, o)| o).collect(),
    })
}

/// Trials `first .. first + count` of a line.
pub fn run_trials(
    setup: &Setup,
    fault: Fault,
    seed: u64,
    first: u32,
    count: u32,
) -> Result<Vec<Trial>, Error> {
    (first..first.saturating_add(count))
        .map(|t| run_trial(setup, fault, trial_seed_of(seed, fault, t)))
        .collect()
}

/// Every trial of one line.
#[derive(Clone, Debug, PartialEq)]
pub struct LineResult {
    pub fault: Fault,
    pub trials: Vec<Trial>,
}

/// Every line (no faults, each loss, a leader crash), `trials` each.
pub fn run_all(
    setup: &Setup,
    seed: u64,
    trials: u32,
    losses: &[f64],
) -> Result<Vec<LineResult>, Error> {
    Fault::lines(losses)
        .into_iter()
        .map(|fault| {
            Ok(LineResult {
                fault,
                trials: run_trials(setup, fault, seed, 0, trials)?,
            })
        })
        .collect()
}
