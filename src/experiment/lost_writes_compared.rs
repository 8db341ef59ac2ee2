//! Lost acknowledged writes, Raft against each Nacos release, under the
//! same fault schedules and the same workload.
//!
//! A schedule is drawn from the run's seed alone, in terms every model
//! understands: "at t after the leader settled, crash the node leading
//! then, restart it d later" and "cut the node leading then off from all
//! others for d". Each model (Raft, Nacos 1.0 .. 1.4) plays the same
//! schedule with the same simulation seed; "the leader" is whichever node
//! leads in that model at that moment. The durability checker
//! (`sim/durability.rs`) counts every acknowledged write a node later
//! loses.
//!
//! Timings: Nacos runs its own constants; Raft runs Nacos-like ones (a
//! heartbeat every 5 s, election timeouts of 15-20 s, as the lab's
//! comparisons do), so that a fault of a given length means the same in
//! both: the same failover time, the same writes in flight across it. With
//! RaftScope's 100-200 ms timeouts a 10 s outage would be a minor event
//! for Raft and a failover for Nacos. Durability is a safety property: the
//! timings change how many writes fail over, not whether an acknowledged
//! one may be lost.

use super::commit_latency::followed_leader as raft_followed_leader;
use super::fig16::{trial_seed, EXPERIMENT_STREAM};
use super::flat::{self, whole};
use super::nacos_data;
use crate::error::Error;
use crate::protocol::nacos::{self, Version};
use crate::protocol::{raft, Entropy, Micros, Protocol};
use crate::sim::client::Workload;
use crate::sim::monitor::ViolationKind;
use crate::sim::network::NetworkConfig;
use crate::sim::rng::Stream;
use crate::sim::{SimConfig, Simulation};

pub const DEFAULT_RUNS: u32 = 50;
pub const MAX_RUNS: u32 = 1_000_000;
pub const DEFAULT_LOSSES: [f64; 2] = [0.0, 0.05];
pub const ALL_VERSIONS: [Version; 5] = [
    Version { minor: 0 },
    Version { minor: 1 },
    Version { minor: 2 },
    Version { minor: 3 },
    Version { minor: 4 },
];

/// Raft with Nacos's heartbeat and leader timeout (the lab's
/// comparisons' NACOS_LIKE).
pub fn nacos_like_raft() -> raft::Config {
    raft::Config {
        election_min: 15_000_000,
        election_max: 20_000_000,
        heartbeat_interval: 5_000_000,
        ..raft::Config::default()
    }
}

/// A model of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Raft,
    Nacos(Version),
}

impl Model {
    pub fn label(self) -> String {
        match self {
            Model::Raft => "raft".into(),
            Model::Nacos(v) => format!("nacos {v}"),
        }
    }
    /// "raft" or a Nacos release like "1.4".
    pub fn parse(text: &str) -> Option<Model> {
        match text.trim() {
            "raft" => Some(Model::Raft),
            v => Version::parse(v).map(Model::Nacos),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub nodes: u32,
    pub nacos: nacos::Config,
    pub raft: raft::Config,
    pub network: NetworkConfig,
    pub rate: f64,
    pub keys: u32,
    /// Faults per run.
    pub faults: u32,
    /// The first fault comes this long after the leader settled, plus a
    /// gap; each next one a gap after the previous ended.
    pub warmup: Micros,
    /// Gaps are uniform in [0, gap).
    pub gap: Micros,
    /// Fault lengths are uniform in [min, max].
    pub length: (Micros, Micros),
    /// The chance that a fault is a crash (else an isolation).
    pub crash_chance: f64,
    /// How long the workload runs on after the last fault ended.
    pub after: Micros,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            nodes: 5,
            nacos: nacos::Config::default(),
            raft: nacos_like_raft(),
            network: NetworkConfig::default(),
            rate: 10.0,
            keys: 100,
            faults: 2,
            warmup: 10 * 1_000_000,
            gap: 20 * 1_000_000,
            length: (5 * 1_000_000, 30 * 1_000_000),
            crash_chance: 0.5,
            after: 60 * 1_000_000,
        }
    }
}

impl Setup {
    pub fn validate(&self) -> Result<(), Error> {
        nacos_data::check_failover_setup(&self.network, self.nodes, &self.workload())?;
        if !(1..=100).contains(&self.faults) {
            return Err(Error::new(
                "faults",
                format!("must be a whole number from 1 to 100, got {}", self.faults),
            ));
        }
        if self.gap == 0 || self.length.0 == 0 || self.length.1 < self.length.0 {
            return Err(Error::new(
                "length",
                "gaps must be above 0 and fault lengths a range above 0",
            ));
        }
        Ok(())
    }

    fn workload(&self) -> Workload {
        Workload {
            rate: self.rate,
            keys: self.keys,
            via_leader: true,
            delete: 0.0,
        }
    }
}

/// What a fault does to the node leading when it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Crash it; restart it (with what it persisted) at the end.
    Crash,
    /// Cut it off from every other node; heal at the end.
    Isolate,
}

/// One fault of a schedule, in model-independent terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// From the moment the first leader settled.
    pub at: Micros,
    pub length: Micros,
    pub kind: FaultKind,
}

/// The faults of one run: drawn from the run's seed only, so every model
/// gets the very same list.
pub fn schedule(setup: &Setup, run_seed: u64) -> Vec<Fault> {
    let mut draws = Stream::new(run_seed, EXPERIMENT_STREAM);
    let mut t = setup.warmup;
    (0..setup.faults)
        .map(|_| {
            t += draws.below(setup.gap);
            let length = draws.between(setup.length.0, setup.length.1);
            let kind = if draws.chance(setup.crash_chance) {
                FaultKind::Crash
            } else {
                FaultKind::Isolate
            };
            let f = Fault {
                at: t,
                length,
                kind,
            };
            t += length;
            f
        })
        .collect()
}

/// The seed of run `run` at message loss `loss`: the same for every model.
pub fn run_seed(seed: u64, loss: f64, run: u32) -> u64 {
    trial_seed(seed, 0x7673_6c6f_7374 ^ loss.to_bits(), 0, run)
}

/// One run's findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// Writes acknowledged in the run.
    pub acked: u64,
    /// Acknowledged writes lost: the `lost-write` findings.
    pub lost: u64,
    /// Faults that found a leader to hit.
    pub faults_hit: u64,
}

pub const FLAT_STRIDE: usize = 3;

impl Run {
    pub fn write_flat(&self, out: &mut Vec<f64>) {
        out.extend([self.acked, self.lost, self.faults_hit].map(|v| v as f64));
    }
    pub fn read_flat(data: &[f64]) -> Result<Vec<Run>, Error> {
        flat::rows(data, FLAT_STRIDE, "run")?
            .map(|c| {
                Ok(Run {
                    acked: whole(c[0])?,
                    lost: whole(c[1])?,
                    faults_hit: whole(c[2])?,
                })
            })
            .collect()
    }
}

/// Plays `faults` on a settled simulation (the clock at the settle time)
/// with the workload on, then runs `after` more and two beat rounds.
fn play<P: Protocol>(
    s: &mut Simulation<P>,
    setup: &Setup,
    faults: &[Fault],
    beat: Micros,
) -> Result<Run, Error> {
    let t0 = s.now();
    s.set_workload(Some(setup.workload()))?;
    let mut hit = 0;
    for f in faults {
        s.run_until(t0 + f.at);
        let Some(leader) = s.client_target() else {
            continue;
        };
        hit += 1;
        match f.kind {
            FaultKind::Crash => s.crash(leader)?,
            FaultKind::Isolate => s.isolate(leader)?,
        }
        s.run_until(t0 + f.at + f.length);
        match f.kind {
            FaultKind::Crash => s.restart(leader)?,
            FaultKind::Isolate => s.heal(),
        }
    }
    let end = faults.last().map_or(0, |f| f.at + f.length) + setup.after;
    s.run_until(t0 + end);
    s.set_workload(None)?;
    // Two beat rounds for the last commits, pulls and dead keys.
    let t = s.now() + 2 * beat;
    s.run_until(t);
    Ok(Run {
        acked: s.client().counts().ok,
        lost: s.monitor().count(ViolationKind::LostWrite),
        faults_hit: hit,
    })
}

/// One run of one model.
pub fn run(setup: &Setup, model: Model, sim_seed: u64) -> Result<Run, Error> {
    setup.validate()?;
    let faults = schedule(setup, sim_seed);
    let sim = SimConfig {
        nodes: setup.nodes,
        seed: sim_seed,
        network: setup.network.clone(),
        timer_jitter: 0,
        boot_spread: 0,
        disk_write: (0, 0),
    };
    match model {
        Model::Nacos(version) => {
            let mut config = setup.nacos.clone();
            config.version = version;
            let beat = config.heartbeat_interval;
            let mut s = nacos_data::cluster(setup.nodes, config, setup.network.clone(), sim_seed)?;
            nacos_data::settle(&mut s)?;
            play(&mut s, setup, &faults, beat)
        }
        Model::Raft => {
            let mut s = Simulation::<raft::Node>::new(setup.raft.clone(), sim)?;
            let cap = 600 * 1_000_000;
            if !s.run_until_condition(cap, |s| raft_followed_leader(s).is_some()) {
                return Err(Error::new(
                    "raft",
                    "no settled leader within 10 minutes of simulated time",
                ));
            }
            play(&mut s, setup, &faults, setup.raft.heartbeat_interval)
        }
    }
}

/// Runs `first .. first + count` of one model at `setup`'s loss.
pub fn run_range(
    setup: &Setup,
    model: Model,
    seed: u64,
    first: u32,
    count: u32,
) -> Result<Vec<Run>, Error> {
    (first..first.saturating_add(count))
        .map(|i| run(setup, model, run_seed(seed, setup.network.loss, i)))
        .collect()
}

/// Every run of one model at one loss rate.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelResult {
    pub model: Model,
    pub loss: f64,
    pub runs: Vec<Run>,
}

impl ModelResult {
    pub fn acked(&self) -> u64 {
        self.runs.iter().map(|r| r.acked).sum()
    }
    pub fn lost(&self) -> u64 {
        self.runs.iter().map(|r| r.lost).sum()
    }
    pub fn runs_with_loss(&self) -> usize {
        self.runs.iter().filter(|r| r.lost > 0).count()
    }
}

/// Every model at every loss rate, losses outermost (a line a model).
pub fn run_all(
    setup: &Setup,
    seed: u64,
    runs: u32,
    models: &[Model],
    losses: &[f64],
) -> Result<Vec<ModelResult>, Error> {
    let mut out = Vec::new();
    for &loss in losses {
        for &model in models {
            let mut s = setup.clone();
            s.network.loss = loss;
            out.push(ModelResult {
                model,
                loss,
                runs: run_range(&s, model, seed, 0, runs)?,
            });
        }
    }
    Ok(out)
}

/// Raft, then every Nacos release given.
pub fn models(versions: &[Version]) -> Vec<Model> {
    let mut m = vec![Model::Raft];
    m.extend(versions.iter().map(|&v| Model::Nacos(v)));
    m
}
