//! Random fault schedules, as typed script actions, so that any schedule
//! prints as a script that replays it exactly (`raftbeat run`).
//!
//! A schedule comes from its own seed: the same seed, cluster size and span
//! give the same faults. The generator keeps track of what it broke so every
//! command is valid when it runs (it restarts only crashed nodes, restores
//! only cut links) and can end with a full repair.

use crate::cluster::{Cluster, ClusterConfig};
use crate::error::Error;
use crate::protocol::{Entropy, Micros, NodeId};
use crate::script::{self, Action, NetworkChange, NodeRef, ScopeRef};
use crate::sim::rng::Stream;
use crate::time::format_duration;

/// Which faults to draw, and how often.
#[derive(Clone, Debug, PartialEq)]
pub struct ChaosConfig {
    /// Mean time between faults; each gap is uniform in [0.5, 1.5] of it.
    pub mean_interval: Micros,
    pub crashes: bool,
    pub partitions: bool,
    pub link_cuts: bool,
    pub beat_drops: bool,
    /// Loss up to this probability.
    pub max_loss: f64,
    /// Latency spikes up to this one-way latency (0: none).
    pub max_latency: Micros,
    pub timeouts: bool,
    /// Never crash or isolate more than a minority at once, so a majority can
    /// always make progress (for liveness checks).
    pub keep_majority: bool,
    /// The latency range to return to after a spike (the cluster's own).
    pub base_latency: (Micros, Micros),
}

impl ChaosConfig {
    fn base_network(&self) -> Action {
        Action::Network(NetworkChange {
            latency_min: Some(self.base_latency.0),
            latency_max: Some(self.base_latency.1),
            loss: Some(0.0),
        })
    }
}

impl Default for ChaosConfig {
    fn default() -> Self {
        ChaosConfig {
            mean_interval: 60_000_000,
            crashes: true,
            partitions: true,
            link_cuts: true,
            beat_drops: true,
            max_loss: 0.3,
            max_latency: 200_000,
            timeouts: true,
            keep_majority: false,
            base_latency: (2_000, 8_000),
        }
    }
}

/// One fault: when, and the action that does it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub at: Micros,
    pub command: Action,
}

/// What the generator has broken so far.
struct Broken {
    down: Vec<NodeId>,
    isolated: bool,
    cuts: Vec<(NodeId, NodeId)>,
    drops: bool,
    lossy: bool,
}

fn pick<T: Copy>(rng: &mut Stream, items: &[T]) -> T {
    items[rng.below(items.len() as u64) as usize]
}

/// Draws the faults for a cluster of `nodes` between `start` and `end`.
pub fn schedule(
    seed: u64,
    nodes: u32,
    start: Micros,
    end: Micros,
    cfg: &ChaosConfig,
) -> Vec<Fault> {
    // A stream no simulation uses (simulations use 0..=nodes).
    let mut rng = Stream::new(seed, u64::MAX);
    let mut out = Vec::new();
    let mut b = Broken {
        down: Vec::new(),
        isolated: false,
        cuts: Vec::new(),
        drops: false,
        lossy: false,
    };
    let minority = (nodes - 1) / 2;
    let mut t = start;
    let all: Vec<NodeId> = (1..=nodes).collect();
    loop {
        let half = cfg.mean_interval / 2;
        t = t.saturating_add(half + rng.below(cfg.mean_interval.max(1)));
        if t >= end {
            break;
        }
        let alive: Vec<NodeId> = all
            .iter()
            .copied()
            .filter(|n| !b.down.contains(n))
            .collect();
        let mut options: Vec<&str> = Vec::new();
        let budget = if cfg.keep_majority {
            minority as usize
        } else {
            nodes.saturating_sub(1) as usize
        };
        if cfg.crashes {
            if b.down.len() < budget && !alive.is_empty() {
                options.push("crash");
            }
            if !b.down.is_empty() {
                options.extend(["restart", "restart"]);
            } else if !alive.is_empty() {
                options.push("restart-running");
            }
        }
        if cfg.partitions && nodes > 1 {
            options.push(if b.isolated { "heal" } else { "partition" });
        }
        if cfg.link_cuts && nodes > 1 {
            options.push("cut");
            if !b.cuts.is_empty() {
                options.push("restore");
            }
        }
        if cfg.beat_drops {
            options.push(if b.drops { "allow-beats" } else { "drop-beats" });
        }
        if cfg.max_loss > 0.0 || cfg.max_latency > 0 {
            options.push("network");
        }
        if cfg.timeouts && !alive.is_empty() {
            options.push("timeout");
        }
        if options.is_empty() {
            break;
        }
        let command = match pick(&mut rng, &options) {
            "crash" => {
                let n = pick(&mut rng, &alive);
                b.down.push(n);
                Action::Crash(NodeRef::Id(n))
            }
            "restart" => {
                let i = rng.below(b.down.len() as u64) as usize;
                Action::Restart(NodeRef::Id(b.down.remove(i)))
            }
            "restart-running" => Action::Restart(NodeRef::Id(pick(&mut rng, &alive))),
            "partition" => {
                // A random side of 1..=half the nodes (or any size without keep_majority).
                let max_side = if cfg.keep_majority {
                    minority.max(1)
                } else {
                    nodes - 1
                };
                let size = 1 + rng.below(u64::from(max_side)) as usize;
                let mut pool = all.clone();
                let mut side = Vec::new();
                for _ in 0..size {
                    let i = rng.below(pool.len() as u64) as usize;
                    side.push(pool.remove(i));
                }
                side.sort_unstable();
                b.isolated = true;
                Action::Partition(vec![side.into_iter().map(NodeRef::Id).collect()])
            }
            "heal" => {
                b.isolated = false;
                Action::Heal
            }
            "cut" => {
                let a = pick(&mut rng, &all);
                let others: Vec<NodeId> = all.iter().copied().filter(|&x| x != a).collect();
                let c = pick(&mut rng, &others);
                if !b.cuts.contains(&(a, c)) {
                    b.cuts.push((a, c));
                }
                Action::Cut {
                    from: NodeRef::Id(a),
                    to: NodeRef::Id(c),
                    both: false,
                }
            }
            "restore" => {
                let i = rng.below(b.cuts.len() as u64) as usize;
                let (a, c) = b.cuts.remove(i);
                Action::Restore {
                    from: NodeRef::Id(a),
                    to: NodeRef::Id(c),
                    both: false,
                }
            }
            "drop-beats" => {
                b.drops = true;
                let n = pick(&mut rng, &all);
                let n = NodeRef::Id(n);
                match rng.below(3) {
                    0 => Action::DropBeats {
                        scope: ScopeRef::From(n),
                        count: None,
                    },
                    1 => Action::DropBeats {
                        scope: ScopeRef::To(n),
                        count: Some(1 + rng.below(5) as u32),
                    },
                    _ => Action::DropBeats {
                        scope: ScopeRef::From(n),
                        count: Some(1 + rng.below(5) as u32),
                    },
                }
            }
            "allow-beats" => {
                b.drops = false;
                Action::AllowBeats(None)
            }
            "network" => {
                if b.lossy {
                    b.lossy = false;
                    cfg.base_network()
                } else {
                    b.lossy = true;
                    let loss = (rng.below(1001) as f64 / 1000.0) * cfg.max_loss;
                    let lo = cfg.base_latency.0;
                    let hi = lo + rng.below(cfg.max_latency.max(1));
                    Action::Network(NetworkChange {
                        latency_min: Some(lo),
                        latency_max: Some(hi),
                        loss: Some(loss),
                    })
                }
            }
            "timeout" => Action::Timeout(NodeRef::Id(pick(&mut rng, &alive))),
            other => unreachable!("unknown option {other}"),
        };
        out.push(Fault { at: t, command });
    }
    out
}

/// The actions that undo everything a schedule may have broken: heal,
/// allow beats, restore every link, restart every crashed node, and put
/// the network back to `cfg.base_latency` with no loss.
pub fn repair(cluster: &Cluster, cfg: &ChaosConfig) -> Vec<Action> {
    let mut out = vec![Action::Heal, Action::AllowBeats(None), cfg.base_network()];
    for (a, b) in cluster.topology().cuts() {
        out.push(Action::Restore {
            from: NodeRef::Id(a),
            to: NodeRef::Id(b),
            both: false,
        });
    }
    out.extend(
        (1..=cluster.node_count())
            .filter(|&id| !cluster.is_alive(id))
            .map(|id| Action::Restart(NodeRef::Id(id))),
    );
    out
}

/// An action, typed or as a script line (`"periodic-crash off"`).
pub trait IntoAction {
    fn to_action(&self) -> Result<Action, Error>;
}
impl IntoAction for Action {
    fn to_action(&self) -> Result<Action, Error> {
        Ok(self.clone())
    }
}
impl IntoAction for str {
    fn to_action(&self) -> Result<Action, Error> {
        self.parse()
    }
}
impl IntoAction for String {
    fn to_action(&self) -> Result<Action, Error> {
        self.parse()
    }
}

/// Applies one action to a running cluster.
pub fn apply(cluster: &mut Cluster, action: &(impl IntoAction + ?Sized)) -> Result<(), Error> {
    script::act(cluster, &action.to_action()?).map(drop)
}

/// Applies an action drawn without looking at the cluster. `align-timers`
/// and `spread-timers` may then find too few election clocks to move: they
/// changed nothing, and this returns Ok(false); leave them out of a replay
/// script ([`applied`]), which stops at an error. Other errors are errors.
pub fn apply_drawn(
    cluster: &mut Cluster,
    action: &(impl IntoAction + ?Sized),
) -> Result<bool, Error> {
    match apply(cluster, action) {
        Err(e)
            if (e.field == "align-timers" || e.field == "spread-timers")
                && e.rule.starts_with("needs ") =>
        {
            Ok(false)
        }
        other => other.map(|()| true),
    }
}

/// The faults of a schedule that apply ([`apply_drawn`]) to a fresh cluster
/// of `config`, in order: what a replay script holds.
pub fn applied(config: &ClusterConfig, faults: &[Fault]) -> Result<Vec<Fault>, Error> {
    let mut cluster = Cluster::new(config)?;
    let mut kept = Vec::new();
    for f in faults {
        cluster.run_until(f.at);
        if apply_drawn(&mut cluster, &f.command)? {
            kept.push(f.clone());
        }
    }
    Ok(kept)
}

/// Runs a schedule on a cluster up to `end`: advance to each fault, apply it
/// ([`apply_drawn`]).
pub fn run(cluster: &mut Cluster, faults: &[Fault], end: Micros) -> Result<(), Error> {
    for f in faults {
        cluster.run_until(f.at);
        apply_drawn(cluster, &f.command).map_err(|e| {
            Error::new(
                format!("fault at {}: `{}`", format_duration(f.at), f.command),
                e.to_string(),
            )
        })?;
    }
    cluster.run_until(end);
    Ok(())
}

/// A scenario script that replays a config and a schedule, for a failing
/// test to print, ending with the given `expect ...` lines (what the model
/// promises: Raft may show two leaders of different terms, Nacos more).
pub fn to_script(
    config: &ClusterConfig,
    seed: u64,
    faults: &[Fault],
    end: Micros,
    expectations: &[&str],
) -> String {
    let mut s = config.script_line(seed);
    s.push('\n');
    for f in faults {
        s.push_str(&format!(
            "run until={}\n{}\n",
            format_duration(f.at),
            f.command
        ));
    }
    s.push_str(&format!("run until={}\n", format_duration(end)));
    for e in expectations {
        s.push_str(e);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_reproducible_and_always_valid() {
        let cfg = ChaosConfig {
            mean_interval: 2_000_000,
            ..ChaosConfig::default()
        };
        let a = schedule(5, 5, 0, 600_000_000, &cfg);
        assert_eq!(a, schedule(5, 5, 0, 600_000_000, &cfg));
        assert_ne!(a, schedule(6, 5, 0, 600_000_000, &cfg));
        assert!(a.len() > 200, "{} faults", a.len());
        let kinds: std::collections::BTreeSet<&str> = a.iter().map(|f| f.command.name()).collect();
        for k in [
            "crash",
            "restart",
            "partition",
            "heal",
            "cut",
            "restore",
            "drop-beats",
            "allow-beats",
            "network",
            "timeout",
        ] {
            assert!(kinds.contains(k), "{k} never drawn: {kinds:?}");
        }
        // Every command applies cleanly to a real cluster.
        let config = ClusterConfig {
            nodes: 5,
            seed: Some(1),
            ..Default::default()
        };
        let mut c = Cluster::new(&config).unwrap();
        run(&mut c, &a, 600_000_000).unwrap();
        for cmd in repair(&c, &cfg) {
            apply(&mut c, &cmd).unwrap();
        }
        assert!((1..=5).all(|id| c.node_view(id).alive));
    }

    #[test]
    fn keep_majority_never_downs_a_majority() {
        let cfg = ChaosConfig {
            mean_interval: 1_000_000,
            keep_majority: true,
            ..ChaosConfig::default()
        };
        let faults = schedule(9, 5, 0, 300_000_000, &cfg);
        let mut down = std::collections::HashSet::new();
        for f in &faults {
            match &f.command {
                Action::Crash(n) => {
                    down.insert(*n);
                }
                Action::Restart(n) => {
                    down.remove(n);
                }
                Action::Partition(sides) => {
                    assert!(sides.len() == 1 && sides[0].len() <= 2, "{}", f.command)
                }
                _ => {}
            }
            assert!(down.len() <= 2, "{down:?} at {}", f.at);
        }
    }

    #[test]
    fn a_timer_key_with_nothing_to_move_is_skipped_and_left_out_of_the_replay() {
        let config = ClusterConfig {
            nodes: 1,
            seed: Some(3),
            ..Default::default()
        };
        let mut c = Cluster::new(&config).unwrap();
        c.run_until(1_000_000); // booted: its tick (and leaderDue) runs
        assert_eq!(apply_drawn(&mut c, "align-timers"), Ok(false));
        assert_eq!(
            apply_drawn(&mut c, "spread-timers"),
            Ok(true),
            "one clock is enough to spread"
        );
        assert!(
            apply_drawn(&mut c, "crash 9").is_err(),
            "other errors stay errors"
        );
        let faults = [
            Fault {
                at: 1_000_000,
                command: Action::AlignTimers,
            },
            Fault {
                at: 2_000_000,
                command: Action::Crash(NodeRef::Id(1)),
            },
            Fault {
                at: 3_000_000,
                command: Action::SpreadTimers,
            },
        ];
        // Node 1 is down at 3 s: nothing to spread either.
        assert_eq!(applied(&config, &faults).unwrap(), vec![faults[1].clone()]);
        let text = to_script(
            &config,
            3,
            &applied(&config, &faults).unwrap(),
            4_000_000,
            &[],
        );
        let report = script::run(&script::parse(&text).unwrap(), None);
        assert_eq!(report.failures().count(), 0, "{text}");
    }
}
