//! Lost acknowledged writes when the Nacos leader crashes during a
//! workload, per release.
//!
//! Five servers with Nacos's constants on the default LAN. Once the first
//! leader settles, the client writes at a steady rate through whichever
//! node leads; the leader crashes at a random moment, comes back later
//! (with its datums and, before 1.3, its stored term), and the workload
//! runs on. The durability checker (`sim/durability.rs`) reports every
//! acknowledged write a node then loses: a survivor elected without it,
//! a dead-key deletion, an older datum pulled or committed over it.

use super::fig16::{trial_seed, EXPERIMENT_STREAM};
use super::flat::{self, whole};
use super::nacos_data::{self, cluster, settle};
use crate::error::Error;
use crate::protocol::data::Cause;
use crate::protocol::nacos::{self, Version};
use crate::protocol::{Entropy, Micros};
use crate::sim::client::Workload;
use crate::sim::durability::LossCause;
use crate::sim::monitor::ViolationKind;
use crate::sim::network::NetworkConfig;
use crate::sim::rng::Stream;

pub const DEFAULT_RUNS: u32 = 200;
pub const MAX_RUNS: u32 = 1_000_000;
pub const DEFAULT_VERSIONS: [Version; 2] = [Version { minor: 2 }, Version { minor: 4 }];
/// Without loss every acknowledged write survives the crash (the +100 term
/// of each write keeps a survivor without it from winning); with a little,
/// commits and votes go missing and some do not.
pub const DEFAULT_LOSSES: [f64; 2] = [0.0, 0.05];

#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub nodes: u32,
    pub nacos: nacos::Config,
    pub network: NetworkConfig,
    /// The client's writes per second.
    pub rate: f64,
    /// Keys it writes to, uniformly.
    pub keys: u32,
    /// The crash falls uniformly in [warmup, warmup + window) after the
    /// first leader settled.
    pub warmup: Micros,
    pub window: Micros,
    /// How long the crashed leader stays down.
    pub down: Micros,
    /// How long the workload runs on after the crash.
    pub after: Micros,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            nodes: 5,
            nacos: nacos::Config::default(),
            network: NetworkConfig::default(),
            rate: 10.0,
            keys: 100,
            warmup: 10 * 1_000_000,
            window: 20 * 1_000_000,
            down: 30 * 1_000_000,
            after: 60 * 1_000_000,
        }
    }
}

impl Setup {
    pub fn validate(&self) -> Result<(), Error> {
        nacos_data::check_failover_setup(&self.network, self.nodes, &self.workload())?;
        if self.window == 0 {
            return Err(Error::new("window", "must be greater than 0"));
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

/// One run's findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// Acknowledged writes lost (`lost-write` findings).
    pub lost: u64,
    /// Writes acknowledged in the run.
    pub acked: u64,
    /// Losses by cause: a node elected without the write, a dead-key
    /// deletion, an older datum pulled, or committed, over it.
    pub elected: u64,
    pub dead_key: u64,
    pub pull: u64,
    pub commit: u64,
    /// When the leader crashed, from boot.
    pub crash_at: Micros,
}

/// The seed of run `run` of release `version` at message loss `loss`.
pub fn run_seed(seed: u64, version: Version, loss: f64, run: u32) -> u64 {
    trial_seed(
        seed,
        0x6c6f_7374 ^ loss.to_bits(),
        u64::from(version.minor),
        run,
    )
}

pub fn run(setup: &Setup, version: Version, sim_seed: u64) -> Result<Run, Error> {
    setup.validate()?;
    let mut nacos = setup.nacos.clone();
    nacos.version = version;
    let mut s = cluster(setup.nodes, nacos, setup.network.clone(), sim_seed)?;
    settle(&mut s)?;
    let mut draws = Stream::new(sim_seed, EXPERIMENT_STREAM);
    s.set_workload(Some(setup.workload()))?;
    let crash_at = s.now() + setup.warmup + draws.below(setup.window);
    s.run_until(crash_at);
    let mut crashed = None;
    if let Some(leader) = s.client_target() {
        s.crash(leader)?;
        crashed = Some(leader);
    }
    s.run_until(crash_at + setup.down);
    if let Some(l) = crashed {
        s.restart(l)?;
    }
    s.run_until(crash_at + setup.after.max(setup.down));
    s.set_workload(None)?;
    // Two beat rounds for the last pulls and dead keys.
    let t = s.now() + 2 * setup.nacos.heartbeat_interval;
    s.run_until(t);
    let mut r = Run {
        lost: s.monitor().count(ViolationKind::LostWrite),
        acked: s.client().counts().ok,
        crash_at,
        ..Run::default()
    };
    // The monitor keeps the latest findings only: causes of the rest are
    // not counted (the total above is).
    for f in s.monitor().findings() {
        match f.lost.as_deref().map(|l| l.cause) {
            Some(LossCause::Elected) => r.elected += 1,
            Some(LossCause::Change(Cause::DeadKey { .. })) => r.dead_key += 1,
            Some(LossCause::Change(Cause::Pull { .. })) => r.pull += 1,
            Some(LossCause::Change(Cause::Commit { .. } | Cause::Local)) => r.commit += 1,
            None => {}
        }
    }
    Ok(r)
}

/// Numbers per run in the flat form handed to JavaScript.
pub const FLAT_STRIDE: usize = 7;

impl Run {
    pub fn write_flat(&self, out: &mut Vec<f64>) {
        out.extend(
            [
                self.lost,
                self.acked,
                self.elected,
                self.dead_key,
                self.pull,
                self.commit,
                self.crash_at,
            ]
            .map(|v| v as f64),
        );
    }

    pub fn read_flat(data: &[f64]) -> Result<Vec<Run>, Error> {
        let rows = flat::rows(data, FLAT_STRIDE, "run")?;
        rows.map(|c| {
            Ok(Run {
                lost: whole(c[0])?,
                acked: whole(c[1])?,
                elected: whole(c[2])?,
                dead_key: whole(c[3])?,
                pull: whole(c[4])?,
                commit: whole(c[5])?,
                crash_at: whole(c[6])?,
            })
        })
        .collect()
    }
}

/// Every run of one release at one loss rate.
pub struct VersionResult {
    pub version: Version,
    pub loss: f64,
    pub runs: Vec<Run>,
}

/// Runs `first .. first + count` of one release at `setup`'s loss.
pub fn run_range(
    setup: &Setup,
    version: Version,
    seed: u64,
    first: u32,
    count: u32,
) -> Result<Vec<Run>, Error> {
    (first..first.saturating_add(count))
        .map(|i| {
            run(
                setup,
                version,
                run_seed(seed, version, setup.network.loss, i),
            )
        })
        .collect()
}

/// Every run of every release at every loss rate, releases outermost.
pub fn run_all(
    setup: &Setup,
    seed: u64,
    runs: u32,
    versions: &[Version],
    losses: &[f64],
) -> Result<Vec<VersionResult>, Error> {
    let mut out = Vec::new();
    for &version in versions {
        for &loss in losses {
            let mut s = setup.clone();
            s.network.loss = loss;
            out.push(VersionResult {
                version,
                loss,
                runs: run_range(&s, version, seed, 0, runs)?,
            });
        }
    }
    Ok(out)
}
