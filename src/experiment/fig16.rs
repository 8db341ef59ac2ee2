//! Figure 16 of the Raft paper (Ongaro & Ousterhout, USENIX ATC 2014, §9.3):
//! the time to detect and replace a crashed leader, for ten ranges of the
//! randomized election timeout.
//!
//! The paper's setup, and how each part is reproduced here:
//!
//! - Five servers "with different log lengths, so some candidates were not
//!   eligible to become leader": S1..S5 hold 6, 5, 4, 3 and 2 entries (all
//!   of term 1). S1, the longest, leads first and crashes. Of the four
//!   survivors, S2 can win with any two votes and S3 only with the votes
//!   of both S4 and S5; S4 and S5 can never collect three votes (the
//!   up-to-date check of §5.4.1), but they still time out, raise the term
//!   and take votes away: two of the four survivors are ineligible.
//! - "A synchronized broadcast of heartbeat RPCs from the leader before
//!   terminating its process": the leader's regular heartbeat round, which
//!   is one broadcast to every follower at one instant; the crash follows
//!   it "uniformly randomly within its heartbeat interval", and the
//!   heartbeat interval is half the minimum election timeout.
//! - The time is measured from the crash until the other servers receive
//!   the new leader's first heartbeat. Here that means: until some live
//!   server is LEADER and *every* other live server (all three other
//!   survivors) has accepted an AppendEntries from it in its term. A
//!   follower that a higher-term candidate then pulls away does not count:
//!   the trial ends when the whole cluster agrees.
//! - The network: see [`Setup::default`] for the latency model and why.
//!
//! Every trial is its own seeded simulation: trial `i` of range `lo-hi`
//! under seed `s` always gives the same time, whatever else is run, in
//! whichever order, natively or in the browser.

use super::stats::{Sample, Stat};
use crate::cluster::{ClusterConfig, Model};
use crate::error::Error;
use crate::protocol::raft::{self, LogPos};
use crate::protocol::{Entropy, Micros, NodeId, Protocol, Role};
use crate::sim::network::NetworkConfig;
use crate::sim::rng::Stream;
use crate::sim::{SimConfig, Simulation};
use crate::time::format_duration;

/// Which of the paper's two graphs a line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Graph {
    /// Varying randomness: 150-150 ... 150-300 ms.
    Top,
    /// Scaling the minimum timeout: 12-24 ... 150-300 ms.
    Bottom,
    /// 150-300 ms is drawn in both.
    Both,
}

impl Graph {
    pub fn as_str(self) -> &'static str {
        match self {
            Graph::Top => "top",
            Graph::Bottom => "bottom",
            Graph::Both => "both",
        }
    }
    pub fn in_top(self) -> bool {
        self != Graph::Bottom
    }
    pub fn in_bottom(self) -> bool {
        self != Graph::Top
    }
}

/// How a measured number is held against the paper's stated one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Shown beside the measurement, not checked.
    None,
    /// Within this many percent of the paper's number.
    WithinPct(u32),
    /// At most this many microseconds.
    AtMost(Micros),
    /// Strictly above this many microseconds.
    Above(Micros),
}

/// A number the paper states for a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    pub stat: Stat,
    pub paper: Micros,
    /// As the paper puts it.
    pub words: &'static str,
    pub check: Check,
}

impl Claim {
    /// Whether a measured value passes this claim's check (true when unchecked).
    pub fn holds(&self, measured: Micros) -> bool {
        match self.check {
            Check::None => true,
            Check::WithinPct(p) => {
                let diff = measured.abs_diff(self.paper) as u128 * 100;
                diff <= u128::from(p) * u128::from(self.paper)
            }
            Check::AtMost(b) => measured <= b,
            Check::Above(b) => measured > b,
        }
    }

    pub fn describe_check(&self) -> String {
        let ms = |us: Micros| format_duration(us);
        match self.check {
            Check::None => "not checked".to_string(),
            Check::WithinPct(p) => format!("within {p}% of {}", ms(self.paper)),
            Check::AtMost(b) => format!("at most {}", ms(b)),
            Check::Above(b) => format!("above {}", ms(b)),
        }
    }
}

/// One line of Figure 16.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Election timeout range, inclusive, in microseconds.
    pub lo: Micros,
    pub hi: Micros,
    pub graph: Graph,
    /// The paper's trial count: 1000, and 100 for 150-150 ms.
    pub paper_trials: u32,
    pub claims: &'static [Claim],
}

impl Line {
    pub fn label(&self) -> String {
        format!("{}-{}", self.lo / 1000, self.hi / 1000)
    }
    /// The heartbeat interval: half the minimum election timeout.
    pub fn heartbeat(&self) -> Micros {
        self.lo / 2
    }
    /// Trials for a run asked for `per_line` trials a line: the paper's
    /// proportion (150-150 runs a tenth), at least one.
    pub fn trials_for(&self, per_line: u32) -> u32 {
        if self.paper_trials < 1000 {
            (per_line / (1000 / self.paper_trials)).max(1)
        } else {
            per_line
        }
    }
}

const MS: Micros = 1_000;

/// The ten lines, top graph first; 150-300 ms (in both graphs) once.
pub const LINES: [Line; 10] = [
    Line {
        lo: 150 * MS,
        hi: 150 * MS,
        graph: Graph::Top,
        paper_trials: 100,
        claims: &[Claim {
            stat: Stat::Median,
            paper: 10_000 * MS,
            words: "consistently > 10 s",
            check: Check::Above(10_000 * MS),
        }],
    },
    Line {
        lo: 150 * MS,
        hi: 151 * MS,
        graph: Graph::Top,
        paper_trials: 1000,
        claims: &[],
    },
    Line {
        lo: 150 * MS,
        hi: 155 * MS,
        graph: Graph::Top,
        paper_trials: 1000,
        claims: &[Claim {
            stat: Stat::Median,
            paper: 287 * MS,
            words: "median 287",
            check: Check::WithinPct(20),
        }],
    },
    Line {
        lo: 150 * MS,
        hi: 175 * MS,
        graph: Graph::Top,
        paper_trials: 1000,
        claims: &[],
    },
    Line {
        lo: 150 * MS,
        hi: 200 * MS,
        graph: Graph::Top,
        paper_trials: 1000,
        claims: &[Claim {
            stat: Stat::Max,
            paper: 513 * MS,
            words: "worst 513",
            check: Check::AtMost(650 * MS),
        }],
    },
    Line {
        lo: 150 * MS,
        hi: 300 * MS,
        graph: Graph::Both,
        paper_trials: 1000,
        claims: &[],
    },
    Line {
        lo: 12 * MS,
        hi: 24 * MS,
        graph: Graph::Bottom,
        paper_trials: 1000,
        claims: &[
            Claim {
                stat: Stat::Mean,
                paper: 35 * MS,
                words: "mean 35",
                check: Check::WithinPct(20),
            },
            Claim {
                stat: Stat::Max,
                paper: 152 * MS,
                words: "longest 152",
                check: Check::None,
            },
        ],
    },
    Line {
        lo: 25 * MS,
        hi: 50 * MS,
        graph: Graph::Bottom,
        paper_trials: 1000,
        claims: &[],
    },
    Line {
        lo: 50 * MS,
        hi: 100 * MS,
        graph: Graph::Bottom,
        paper_trials: 1000,
        claims: &[],
    },
    Line {
        lo: 100 * MS,
        hi: 200 * MS,
        graph: Graph::Bottom,
        paper_trials: 1000,
        claims: &[],
    },
];

/// Finds a line by its label, `150-155` (milliseconds).
pub fn line(label: &str) -> Option<&'static Line> {
    LINES.iter().find(|l| l.label() == label.trim())
}

/// The cluster and network every trial runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// One-way latency of every message, uniform in this range.
    pub latency: (Micros, Micros),
    /// Every timer fires up to this much late (see `SimConfig::timer_jitter`).
    pub timer_jitter: Micros,
    /// Every disk write of a term, a vote or a follower's log takes a
    /// uniform time in this range and holds its server meanwhile (see
    /// `SimConfig::disk_write`); (0, 0): none.
    pub disk_write: (Micros, Micros),
    /// The log of S1..S5 (the up-to-date check is all that reads them).
    pub logs: [LogPos; 5],
    /// A trial that has not settled this long after the crash stops there
    /// and counts as unresolved.
    pub cap: Micros,
}

/// One-way latency 0.2-0.4 ms, timer jitter 0.2 ms, and a disk write of
/// 1-4 ms (see [`Setup::default`] and `docs/experiments.md`).
pub const DEFAULT_LATENCY: (Micros, Micros) = (200, 400);
pub const DEFAULT_JITTER: Micros = 200;
pub const DEFAULT_DISK_WRITE: (Micros, Micros) = (1_000, 4_000);

impl Default for Setup {
    /// The network and the disk, each from outside the figure. A message
    /// takes 0.2-0.4 ms one way (a kernel TCP RPC on 1 Gb Ethernet). Before
    /// a server sends a vote request or a vote it writes its term and vote
    /// to disk as LogCabin does (`src/sim/disk.rs`): a granting voter
    /// twice, each write 1-4 ms (LogCabin's 2014 log, `SimpleFileLog`,
    /// fsyncs the metadata file and then its directory; a small fsync on a
    /// SATA SSD takes 0.5-2 ms). A heartbeat writes nothing and travels at
    /// network speed. 0.2 ms of timer lateness breaks the otherwise endless
    /// lock-step of identical 150-150 ms timeouts. `docs/experiments.md`
    /// gives the sources and the sweep around this choice.
    fn default() -> Self {
        let log = |index| LogPos { index, term: 1 };
        Setup {
            latency: DEFAULT_LATENCY,
            timer_jitter: DEFAULT_JITTER,
            disk_write: DEFAULT_DISK_WRITE,
            logs: [log(6), log(5), log(4), log(3), log(2)],
            cap: 3_600 * 1_000_000,
        }
    }
}

impl Setup {
    pub fn validate(&self) -> Result<(), Error> {
        NetworkConfig {
            latency_min: self.latency.0,
            latency_max: self.latency.1,
            loss: 0.0,
        }
        .validate()?;
        if self.timer_jitter > 1_000_000 {
            return Err(Error::new("jitter", "must be at most 1s"));
        }
        if self.disk_write.1 < self.disk_write.0 {
            return Err(Error::new(
                "disk-write",
                "the maximum must be at least the minimum",
            ));
        }
        if self.disk_write.1 > crate::sim::MAX_DISK_WRITE {
            return Err(Error::new("disk-write", "must be at most 1s"));
        }
        if self.cap == 0 {
            return Err(Error::new("cap", "must be greater than 0"));
        }
        Ok(())
    }

    /// The servers whose log is at least as up to date as every other log:
    /// the first leader is drawn among them.
    pub fn most_up_to_date(&self) -> Vec<NodeId> {
        (0..self.logs.len())
            .filter(|&i| {
                self.logs
                    .iter()
                    .all(|o| self.logs[i].at_least_as_up_to_date_as(*o))
            })
            .map(|i| i as NodeId + 1)
            .collect()
    }

    /// Whether `id` can collect a majority of the whole cluster's votes from
    /// the servers in `alive` (itself included): the up-to-date check of
    /// §5.4.1 lets a voter grant only a candidate whose log is at least as
    /// up to date as its own.
    pub fn can_win(&self, id: NodeId, alive: &[NodeId]) -> bool {
        let mine = self.logs[(id - 1) as usize];
        let voters = alive
            .iter()
            .filter(|&&v| mine.at_least_as_up_to_date_as(self.logs[(v - 1) as usize]))
            .count();
        voters > self.logs.len() / 2
    }

    pub fn raft_config(&self, line: &Line) -> raft::Config {
        raft::Config {
            election_min: line.lo,
            election_max: line.hi,
            heartbeat_interval: line.heartbeat(),
            pre_vote: false,
            check_quorum: false,
            logs: self.logs.to_vec(),
        }
    }

    pub fn sim_config(&self, seed: u64) -> SimConfig {
        SimConfig {
            nodes: self.logs.len() as u32,
            seed,
            network: NetworkConfig {
                latency_min: self.latency.0,
                latency_max: self.latency.1,
                loss: 0.0,
            },
            timer_jitter: self.timer_jitter,
            boot_spread: 0,
            disk_write: self.disk_write,
        }
    }

    /// The `cluster` line of a scenario script with this setup and a line's
    /// timings (for replaying one trial with `raftbeat run`): every setting
    /// as scripts and share links write it.
    pub fn cluster_words(&self, line: &Line, seed: u64) -> String {
        let config = ClusterConfig {
            model: Model::Raft,
            nodes: self.logs.len() as u32,
            seed: Some(seed),
            raft: self.raft_config(line),
            network: NetworkConfig {
                latency_min: self.latency.0,
                latency_max: self.latency.1,
                loss: 0.0,
            },
            timer_jitter: self.timer_jitter,
            disk_write: self.disk_write,
            ..ClusterConfig::default()
        };
        config.script_line(seed)
    }
}

/// The random stream of the experiment's own draws (which server leads, when
/// it crashes): none the simulation uses (0 network, 1..=n nodes, MAX chaos).
pub const EXPERIMENT_STREAM: u64 = u64::MAX - 1;

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The simulation seed of one trial: a hash of the run's seed, the line's
/// range and the trial number, so each trial replays on its own.
pub fn trial_seed(seed: u64, lo: Micros, hi: Micros, trial: u32) -> u64 {
    mix(mix(mix(mix(seed) ^ lo) ^ hi.rotate_left(24)) ^ u64::from(trial))
}

/// What one trial saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trial {
    pub sample: Sample,
    /// The simulation seed (replays the trial).
    pub seed: u64,
    pub crashed: NodeId,
    /// When the crash happened (simulated time).
    pub crash_at: Micros,
    /// The leader every survivor followed in the end (None if unresolved).
    pub new_leader: Option<NodeId>,
    /// Elections started after the crash: the new leader's term minus the
    /// crashed leader's (1 when the first election won).
    pub terms: u64,
}

/// The one live leader that every other live server follows in its term.
pub fn settled_leader<P: Protocol>(s: &Simulation<P>) -> Option<NodeId> {
    let leader = s.leader()?;
    let term = s.status(leader).term;
    for id in 1..=s.node_count() {
        if id == leader || !s.is_alive(id) {
            continue;
        }
        let st = s.status(id);
        if st.role != Role::Follower || st.leader != Some(leader) || st.term != term {
            return None;
        }
    }
    Some(leader)
}

/// Runs trial `trial` of `line` under `seed`.
pub fn run_trial(line: &Line, setup: &Setup, seed: u64, trial: u32) -> Result<Trial, Error> {
    let sim_seed = trial_seed(seed, line.lo, line.hi, trial);
    let mut s = Simulation::<raft::Node>::new(setup.raft_config(line), setup.sim_config(sim_seed))?;
    let mut draws = Stream::new(sim_seed, EXPERIMENT_STREAM);
    let eligible = setup.most_up_to_date();
    if eligible.is_empty() {
        return Err(Error::new(
            "logs",
            "no server's log is at least as up to date as all others: nobody can lead",
        ));
    }
    // Warm-up: boot, then force one eligible server's election at once (a
    // 150-150 ms cluster left alone would split its votes for seconds first).
    let first = eligible[draws.below(eligible.len() as u64) as usize];
    s.run_until(0);
    s.force_timeout(first)?;
    let settle_by = line.hi * 20 + setup.latency.1 * 20;
    if !s.run_until_condition(settle_by, |s| settled_leader(s) == Some(first)) {
        return Err(warmup_error(line, setup, "the first leader did not settle"));
    }
    // The synchronized round: the leader's next heartbeat broadcast.
    let due = s
        .countdowns(first)
        .heartbeat_due
        .ok_or_else(|| warmup_error(line, setup, "the leader has no heartbeat timer"))?;
    let sync = s.now() + due;
    s.run_until(sync);
    // The crash, uniformly within the heartbeat interval after it.
    let crash_at = sync + draws.below(line.heartbeat());
    s.run_until(crash_at);
    if s.leader() != Some(first) {
        return Err(warmup_error(
            line,
            setup,
            "the leader lost its leadership before the crash",
        ));
    }
    let old_term = s.status(first).term;
    s.crash(first)?;
    let settled = s.run_until_condition(crash_at.saturating_add(setup.cap), |s| {
        settled_leader(s).is_some()
    });
    let took = s.now() - crash_at;
    let new_leader = if settled { settled_leader(&s) } else { None };
    let terms = new_leader.map_or(0, |l| s.status(l).term - old_term);
    Ok(Trial {
        sample: Sample {
            us: took,
            resolved: settled,
        },
        seed: sim_seed,
        crashed: first,
        crash_at,
        new_leader,
        terms,
    })
}

fn warmup_error(line: &Line, setup: &Setup, what: &str) -> Error {
    Error::new(
        "latency",
        format!(
            "{what} in the warm-up of {} ms: heartbeats every {} cannot hold followers with one-way latency {}..{}",
            line.label(),
            format_duration(line.heartbeat()),
            format_duration(setup.latency.0),
            format_duration(setup.latency.1)
        ),
    )
}

/// Trials `first .. first + count` of a line, appended to `out`.
pub fn run_trials(
    line: &Line,
    setup: &Setup,
    seed: u64,
    first: u32,
    count: u32,
    out: &mut Vec<Sample>,
) -> Result<(), Error> {
    out.reserve(count as usize);
    for t in first..first.saturating_add(count) {
        out.push(run_trial(line, setup, seed, t)?.sample);
    }
    Ok(())
}

/// A scenario script that replays one trial: the same cluster and seed, the
/// same warm-up, the crash at the same instant, then a run to the moment the
/// trial ended, with its trace.
pub fn replay_script(line: &Line, setup: &Setup, trial: &Trial) -> String {
    let end = trial.crash_at + trial.sample.us;
    format!(
        "# Figure 16, {} ms: one trial (simulation seed {}).\n{}\nrun until=0ms\ntimeout S{}\nrun until={} trace=none\ncrash S{}\nrun until={} trace=role,election,fault\nexpect leader{}\n",
        line.label(),
        trial.seed,
        setup.cluster_words(line, trial.seed),
        trial.crashed,
        format_duration(trial.crash_at),
        trial.crashed,
        format_duration(end),
        trial.new_leader.map_or_else(String::new, |l| format!(" == S{l}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_lines_with_the_papers_trial_counts() {
        assert_eq!(LINES.len(), 10);
        let total: u32 = LINES.iter().map(|l| l.trials_for(1000)).sum();
        assert_eq!(total, 9_100);
        assert_eq!(LINES.iter().filter(|l| l.graph.in_top()).count(), 6);
        assert_eq!(LINES.iter().filter(|l| l.graph.in_bottom()).count(), 5);
        assert_eq!(line("150-155").unwrap().heartbeat(), 75_000);
        assert_eq!(line("12-24").unwrap().heartbeat(), 6_000);
        assert_eq!(line("150-150").unwrap().trials_for(50), 5);
        assert_eq!(line("150-150").unwrap().trials_for(3), 1);
    }

    #[test]
    fn two_of_the_four_survivors_can_win() {
        let setup = Setup::default();
        assert_eq!(setup.most_up_to_date(), vec![1], "S1 leads first");
        let survivors = [2, 3, 4, 5];
        let winners: Vec<NodeId> = survivors
            .iter()
            .copied()
            .filter(|&id| setup.can_win(id, &survivors))
            .collect();
        assert_eq!(winners, vec![2, 3], "S4 and S5 cannot collect three votes");
    }

    #[test]
    fn claims_check_the_papers_numbers() {
        let median = LINES[2].claims[0];
        assert!(median.holds(287_000 * 6 / 5) && !median.holds(287_000 * 6 / 5 + 1));
        assert!(median.holds(287_000 * 4 / 5) && !median.holds(287_000 * 4 / 5 - 1));
        assert!(LINES[4].claims[0].holds(650_000) && !LINES[4].claims[0].holds(650_001));
        assert!(!LINES[0].claims[0].holds(10_000_000) && LINES[0].claims[0].holds(10_000_001));
    }

    #[test]
    fn a_trial_replays_and_ends_when_every_survivor_follows() {
        let l = line("150-300").unwrap();
        let setup = Setup::default();
        let a = run_trial(l, &setup, 9, 4).unwrap();
        assert_eq!(
            a,
            run_trial(l, &setup, 9, 4).unwrap(),
            "same seed, same trial"
        );
        assert_ne!(a.seed, run_trial(l, &setup, 9, 5).unwrap().seed);
        assert!(a.sample.resolved);
        // At least: the remaining time to the earliest possible timeout (half
        // the minimum at worst), a vote round trip and a heartbeat.
        assert!(a.sample.us >= 75_000 + 3 * setup.latency.0, "{a:?}");
        let leader = a.new_leader.unwrap();
        assert!(
            leader != a.crashed && setup.can_win(leader, &[2, 3, 4, 5]),
            "{a:?}"
        );
        assert!(a.terms >= 1);
    }
}
