//! Nacos 1.x failover: crash the leader of a settled five-node cluster and
//! time how long until every live follower follows a new leader.
//!
//! The model runs with Nacos's own constants (`GlobalExecutor`: a 500 ms
//! tick, a beat every 5 s, a leader timeout of 15 s plus a random 0-5 s) on
//! the simulator's default LAN (2-8 ms one way). As in Figure 16, the crash
//! falls uniformly within the leader's heartbeat interval after one of its
//! beat rounds. The trial ends when a live node is LEADER and every other
//! live node's `peers.leader` (the leader it forwards writes to) names it.
//!
//! Each trial also records its three phases: detection (crash until the
//! first survivor's leaderDue runs out and it sends votes), election (until
//! the final leader wins its vote), and propagation (until the last
//! follower hears of it: Nacos followers learn the leader from its beats,
//! and a new leader's first beat waits for its heartbeatDue, up to 5 s).

use super::fig16::{trial_seed, EXPERIMENT_STREAM};
use super::flat;
use super::stats::Sample;
use crate::cluster::{ClusterConfig, Model};
use crate::error::Error;
use crate::protocol::{nacos, Entropy, Micros, NodeId, Role};
use crate::sim::network::NetworkConfig;
use crate::sim::rng::Stream;
use crate::sim::{SimConfig, Simulation};

#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub nodes: u32,
    pub nacos: nacos::Config,
    pub network: NetworkConfig,
    /// A trial not settled this long after the crash counts as unresolved.
    pub cap: Micros,
}

impl Default for Setup {
    /// Servers that have been up for a while: each one's HeartBeat tick
    /// has drifted to its own place behind its MasterElection tick, so a
    /// new leader's first beat comes 4.5 to 5 s after its vote (a fresh
    /// cluster's tasks tick together, and it would always be 4.5 s).
    fn default() -> Self {
        Setup {
            nodes: 5,
            nacos: nacos::Config {
                beat_phase: nacos::BeatPhase::Drifted,
                ..nacos::Config::default()
            },
            network: NetworkConfig::default(),
            cap: 600 * 1_000_000,
        }
    }
}

/// The default trial count.
pub const DEFAULT_TRIALS: u32 = 1000;

/// One trial's times, all from the crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trial {
    pub sample: Sample,
    pub seed: u64,
    pub crashed: NodeId,
    pub crash_at: Micros,
    pub new_leader: Option<NodeId>,
    /// Until the first survivor started an election (sendVote).
    pub detect: Option<Micros>,
    /// Until the final leader won.
    pub elected: Option<Micros>,
    /// Elections started after the crash (sendVote calls on survivors).
    pub elections: u32,
}

/// The one live LEADER whose id every other live node holds as its leader.
pub fn followed_leader(s: &Simulation<nacos::Node>) -> Option<NodeId> {
    let leader = s.leader()?;
    (1..=s.node_count())
        .all(|id| id == leader || !s.is_alive(id) || s.status(id).leader == Some(leader))
        .then_some(leader)
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
        if self.cap == 0 {
            return Err(Error::new("cap", "must be greater than 0"));
        }
        <nacos::Node as crate::protocol::Protocol>::validate_config(&self.nacos)
    }
}

/// The seed of a failover trial (distinct from every Figure 16 line's).
pub fn failover_seed(seed: u64, trial: u32) -> u64 {
    trial_seed(seed, u64::MAX, 0x6e_6163_6f73, trial)
}

pub fn run_trial(setup: &Setup, seed: u64, trial: u32) -> Result<Trial, Error> {
    let sim_seed = failover_seed(seed, trial);
    let sim = SimConfig {
        nodes: setup.nodes,
        seed: sim_seed,
        network: setup.network.clone(),
        timer_jitter: 0,
        boot_spread: 0,
        disk_write: (0, 0),
    };
    let mut s = Simulation::<nacos::Node>::new(setup.nacos.clone(), sim)?;
    let mut draws = Stream::new(sim_seed, EXPERIMENT_STREAM);
    // Nacos elects its first leader within leaderTimeout of boot (plus
    // rounds of split votes); give it ten minutes.
    if !s.run_until_condition(600 * 1_000_000, |s| followed_leader(s).is_some()) {
        return Err(Error::new(
            "nacos",
            "no settled first leader within 10 minutes of boot",
        ));
    }
    let leader = followed_leader(&s).expect("settled");
    let due = s
        .countdowns(leader)
        .heartbeat_due
        .ok_or_else(|| Error::new("nacos", "the leader has no heartbeat clock"))?;
    let beat_round = s.now() + due;
    s.run_until(beat_round);
    let crash_at = beat_round + draws.below(setup.nacos.heartbeat_interval);
    s.run_until(crash_at);
    let leader = followed_leader(&s)
        .ok_or_else(|| Error::new("nacos", "the cluster lost its leader before the crash"))?;
    s.crash(leader)?;
    let terms_before: Vec<u64> = (1..=setup.nodes).map(|id| s.status(id).term).collect();
    let mut detect = None;
    let mut leader_since: Option<(NodeId, Micros)> = None;
    let settled = s.run_until_condition(crash_at.saturating_add(setup.cap), |s| {
        if detect.is_none()
            && (1..=s.node_count()).any(|id| s.is_alive(id) && s.status(id).role == Role::Candidate)
        {
            detect = Some(s.now());
        }
        match (s.leader(), leader_since) {
            (Some(l), Some((m, _))) if l == m => {}
            (Some(l), _) => leader_since = Some((l, s.now())),
            (None, _) => leader_since = None,
        }
        followed_leader(s).is_some()
    });
    let took = s.now() - crash_at;
    let new_leader = if settled { followed_leader(&s) } else { None };
    // Nacos raises the term once per sendVote; a voter adopts the
    // candidate's term, so the highest term counts the elections.
    let max_before = terms_before.iter().copied().max().unwrap_or(0);
    let max_after = (1..=setup.nodes)
        .filter(|&id| s.is_alive(id))
        .map(|id| s.status(id).term)
        .max()
        .unwrap_or(0);
    Ok(Trial {
        sample: Sample {
            us: took,
            resolved: settled,
        },
        seed: sim_seed,
        crashed: leader,
        crash_at,
        new_leader,
        detect: detect.map(|t| t - crash_at),
        elected: leader_since.filter(|_| settled).map(|(_, t)| t - crash_at),
        elections: max_after.saturating_sub(max_before) as u32,
    })
}

pub fn run_trials(
    setup: &Setup,
    seed: u64,
    first: u32,
    count: u32,
    out: &mut Vec<Trial>,
) -> Result<(), Error> {
    out.reserve(count as usize);
    for t in first..first.saturating_add(count) {
        out.push(run_trial(setup, seed, t)?);
    }
    Ok(())
}

/// Floats per trial in the flat form handed to JavaScript: the total
/// (negative if unresolved, see `Sample::to_f64`), detection and election
/// times (-1 when absent), in microseconds, and the elections.
pub const FLAT_STRIDE: usize = 4;

impl Trial {
    pub fn write_flat(&self, out: &mut Vec<f64>) {
        let opt = |v: Option<Micros>| v.map_or(-1.0, |x| x as f64);
        out.extend([
            self.sample.to_f64(),
            opt(self.detect),
            opt(self.elected),
            f64::from(self.elections),
        ]);
    }

    /// Reads trials back from the flat form (the fields it does not carry,
    /// seed and nodes, are zero).
    pub fn read_flat(data: &[f64]) -> Result<Vec<Trial>, Error> {
        let rows = flat::rows(data, FLAT_STRIDE, "trial")?;
        let opt = |v: f64| -> Result<Option<Micros>, Error> {
            if v == -1.0 {
                Ok(None)
            } else {
                Sample::from_f64(v)
                    .filter(|s| s.resolved)
                    .map(|s| Some(s.us))
                    .ok_or_else(|| Error::new("data", format!("not a time in microseconds: {v}")))
            }
        };
        rows.map(|c| {
            let sample = Sample::from_f64(c[0]).ok_or_else(|| {
                Error::new("data", format!("not a time in microseconds: {}", c[0]))
            })?;
            Ok(Trial {
                sample,
                seed: 0,
                crashed: 0,
                crash_at: 0,
                new_leader: None,
                detect: opt(c[1])?,
                elected: opt(c[2])?,
                elections: c[3] as u32,
            })
        })
        .collect()
    }
}

/// The `cluster` line that replays a trial's simulation: every setting the
/// setup changes from the defaults, as a script writes it.
pub fn cluster_words(setup: &Setup, seed: u64) -> String {
    let config = ClusterConfig {
        model: Model::Nacos,
        nodes: setup.nodes,
        seed: Some(seed),
        nacos: setup.nacos.clone(),
        network: setup.network.clone(),
        ..ClusterConfig::default()
    };
    config.script_line(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failover_trial_replays_and_its_phases_are_ordered() {
        let setup = Setup::default();
        let a = run_trial(&setup, 3, 0).unwrap();
        assert_eq!(a, run_trial(&setup, 3, 0).unwrap());
        assert!(a.sample.resolved, "{a:?}");
        let (d, e) = (a.detect.unwrap(), a.elected.unwrap());
        assert!(d <= e && e <= a.sample.us, "{a:?}");
        // Detection cannot come before leaderTimeout minus one beat interval
        // (the crash lands at most one interval after the last beat).
        assert!(d >= 10_000_000, "{a:?}");
        assert_ne!(a.new_leader, Some(a.crashed));
        assert!(a.elections >= 1);
        let mut flat = Vec::new();
        a.write_flat(&mut flat);
        let back = Trial::read_flat(&flat).unwrap()[0];
        assert_eq!(
            (back.sample, back.detect, back.elected, back.elections),
            (a.sample, a.detect, a.elected, a.elections)
        );
        assert!(Trial::read_flat(&flat[..3]).is_err());
    }
}
