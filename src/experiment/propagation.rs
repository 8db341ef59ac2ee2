//! Nacos write propagation: how long after a write is invoked the client
//! has its ok, and every follower holds it.
//!
//! Five servers with Nacos's constants on the default LAN. After the first
//! leader settles, the client writes a new key through the leader, one at a
//! time, each at a random moment of the beat interval. A follower gets the
//! write by the leader's commit (an HTTP request: a lost packet is resent
//! by TCP after 200 ms, doubling, so it comes late rather than never), or,
//! when a beat listing the key comes first (or the commit was refused or
//! failed), by pulling it: the write is then "repaired", and can take up to
//! a beat interval more.

use super::fig16::{trial_seed, EXPERIMENT_STREAM};
use super::flat::{self, flag};
use super::nacos_data::{cluster, holds, settle, Tap, Via};
use super::stats::Sample;
use crate::error::Error;
use crate::protocol::data::OpKind;
use crate::protocol::{nacos, Entropy, Micros, NodeId};
use crate::sim::network::NetworkConfig;
use crate::sim::rng::Stream;

#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub nodes: u32,
    pub nacos: nacos::Config,
    pub network: NetworkConfig,
    /// Writes per run.
    pub writes: u32,
    /// A write not on every follower this long after it was invoked counts
    /// as unresolved.
    pub cap: Micros,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            nodes: 5,
            nacos: nacos::Config::default(),
            network: NetworkConfig::default(),
            writes: DEFAULT_WRITES,
            cap: 60 * 1_000_000,
        }
    }
}

pub const DEFAULT_WRITES: u32 = 100;
pub const DEFAULT_RUNS: u32 = 5;
pub const DEFAULT_LOSSES: [f64; 2] = [0.0, 0.1];
pub const MAX_WRITES: u32 = 100_000;

impl Setup {
    pub fn validate(&self) -> Result<(), Error> {
        self.network.validate()?;
        if self.nodes < 2 {
            return Err(Error::new(
                "nodes",
                "must be at least 2, so that there are followers",
            ));
        }
        if !(1..=MAX_WRITES).contains(&self.writes) {
            return Err(Error::new(
                "writes",
                format!(
                    "must be a whole number from 1 to {MAX_WRITES}, got {}",
                    self.writes
                ),
            ));
        }
        if self.network.loss >= 0.5 {
            return Err(Error::new(
                "loss",
                format!(
                    "must be below 0.5 (a leader must stay elected), got {}",
                    self.network.loss
                ),
            ));
        }
        Ok(())
    }
}

/// One write: the client's answer and when every follower held it, both
/// from the invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// Acknowledged; false when the client was told it failed.
    pub acked: bool,
    pub ok: Micros,
    /// Until every follower held it at once (unresolved: not within the cap).
    pub all: Sample,
    /// Some follower got it by a pull, not the commit.
    pub repaired: bool,
}

impl Write {
    /// How long after the ok the last follower got it (0 if before).
    pub fn after_ok(&self) -> Sample {
        Sample {
            us: self.all.us.saturating_sub(self.ok),
            resolved: self.all.resolved,
        }
    }
}

/// The seed of run `run` at loss index `line`.
pub fn run_seed(seed: u64, line: u32, run: u32) -> u64 {
    trial_seed(seed, 0x7072_6f70, u64::from(line), run)
}

/// One run: `setup.writes` writes, one after the other.
pub fn run(setup: &Setup, sim_seed: u64) -> Result<Vec<Write>, Error> {
    setup.validate()?;
    let mut s = cluster(
        setup.nodes,
        setup.nacos.clone(),
        setup.network.clone(),
        sim_seed,
    )?;
    settle(&mut s)?;
    let tap = Tap::attach(&mut s);
    let mut draws = Stream::new(sim_seed, EXPERIMENT_STREAM);
    let mut out = Vec::with_capacity(setup.writes as usize);
    for i in 0..setup.writes {
        let gap = draws.below(setup.nacos.heartbeat_interval);
        s.run_until(s.now() + gap);
        let key = format!("p{i}");
        let leader = s.client_target();
        let followers: Vec<NodeId> = (1..=s.node_count())
            .filter(|&n| Some(n) != leader && s.is_alive(n))
            .collect();
        let t0 = s.now();
        let op = s.client_request(OpKind::Write, &key, leader)?;
        let mut by_pull = vec![false; followers.len()];
        let mut got = vec![false; followers.len()];
        let mut all_at = None;
        let end = t0 + setup.cap;
        s.run_until_condition(end, |s| {
            for (j, &f) in followers.iter().enumerate() {
                if !got[j] && holds(s, f, &key, op) {
                    got[j] = true;
                    by_pull[j] = tap.borrow().last[(f - 1) as usize] == Some(Via::Pull);
                }
            }
            if all_at.is_none() && followers.iter().all(|&f| holds(s, f, &key, op)) {
                all_at = Some(s.now());
            }
            let done = s.client().op(op).is_none_or(|o| o.done.is_some());
            done && (all_at.is_some() || !s.client().op(op).is_some_and(|o| o.acked()))
        });
        let history = s.client().op(op);
        let acked = history.is_some_and(|o| o.acked());
        let ok = history
            .and_then(|o| o.done)
            .map_or(s.now() - t0, |(_, at)| at - t0);
        out.push(Write {
            acked,
            ok,
            all: Sample {
                us: all_at.unwrap_or(s.now()) - t0,
                resolved: all_at.is_some(),
            },
            repaired: by_pull.iter().any(|&p| p),
        });
        // Let the slow commits of a failed write land before the next.
        if !acked {
            s.run_until(s.now() + setup.nacos.heartbeat_interval);
        }
    }
    Ok(out)
}

/// Numbers per write in the flat form handed to JavaScript: acked (0/1),
/// ok in microseconds, every follower (see `Sample::to_f64`), repaired (0/1).
pub const FLAT_STRIDE: usize = 4;

impl Write {
    pub fn write_flat(&self, out: &mut Vec<f64>) {
        out.extend([
            f64::from(u8::from(self.acked)),
            self.ok as f64,
            self.all.to_f64(),
            f64::from(u8::from(self.repaired)),
        ]);
    }

    pub fn read_flat(data: &[f64]) -> Result<Vec<Write>, Error> {
        let rows = flat::rows(data, FLAT_STRIDE, "write")?;
        rows.map(|c| {
            let bad = |v: f64| Error::new("data", format!("not a time in microseconds: {v}"));
            let ok = Sample::from_f64(c[1])
                .filter(|s| s.resolved)
                .ok_or_else(|| bad(c[1]))?;
            Ok(Write {
                acked: flag(c[0])?,
                ok: ok.us,
                all: Sample::from_f64(c[2]).ok_or_else(|| bad(c[2]))?,
                repaired: flag(c[3])?,
            })
        })
        .collect()
    }
}

/// The writes of one loss line, every run.
pub struct LossResult {
    pub loss: f64,
    pub writes: Vec<Write>,
}

/// Every run of every loss line, in order.
pub fn run_all(
    setup: &Setup,
    seed: u64,
    runs: u32,
    losses: &[f64],
) -> Result<Vec<LossResult>, Error> {
    losses
        .iter()
        .enumerate()
        .map(|(line, &loss)| {
            let mut s = setup.clone();
            s.network.loss = loss;
            let mut writes = Vec::new();
            for r in 0..runs {
                writes.extend(run(&s, run_seed(seed, line as u32, r))?);
            }
            Ok(LossResult { loss, writes })
        })
        .collect()
}
