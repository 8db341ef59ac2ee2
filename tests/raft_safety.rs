//! Election Safety of the raft model under random fault schedules: crashes,
//! restarts (of down and of running nodes), partitions, one-way link cuts,
//! heartbeat drops, loss, latency spikes and forced timeouts, drawn by
//! `raftbeat::chaos` from one seed each, and in one case in three the
//! leader crashed every 20-100 ms by `periodic-crash`; in one case in three
//! (drawn apart) `align-timers` and `spread-timers` at random moments. Every option
//! combination (Pre-Vote, CheckQuorum) runs 10 000 schedules: 40 000 in all.
//!
//! Checked after every event, not only at the end:
//! - the monitor's Election Safety (two leaders in one term), one vote per
//!   term per node, and no term going down without a restart;
//! - the election restriction (§5.4.1): logs are fixed here, so every
//!   leader's log must be at least as up to date as a majority of all logs
//!   (its voters'). A model that granted votes without the check fails it.
//!
//! A failure prints the seed and a script that replays the schedule:
//! `raftbeat run FILE --verbose`. More schedules: RAFTBEAT_SCHEDULES=N
//! (per combination), e.g. in release mode.
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use raftbeat::chaos::{self, ChaosConfig, Fault};
use raftbeat::cluster::{Cluster, ClusterConfig};
use raftbeat::protocol::raft::LogPos;
use raftbeat::protocol::{Entropy, Micros, NodeId};
use raftbeat::sim::monitor::ViolationKind;
use raftbeat::sim::rng::Stream;

mod common;
use common::MS;

fn schedules_per_combination() -> u64 {
    std::env::var("RAFTBEAT_SCHEDULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// One random case: cluster size, logs, jitter and the fault schedule all
/// come from `seed`.
struct Case {
    config: ClusterConfig,
    seed: u64,
    faults: Vec<Fault>,
    end: Micros,
    logs: Vec<LogPos>,
}

fn case(seed: u64, pre_vote: bool, check_quorum: bool) -> Case {
    let mut r = Stream::new(seed, 7);
    let nodes = [3u32, 5, 5, 5, 7][r.below(5) as usize];
    // Random short logs: terms 1-3, some nodes behind, some empty.
    let logs: Vec<LogPos> = (0..nodes)
        .map(|_| match r.below(4) {
            0 => LogPos { index: 0, term: 0 },
            _ => LogPos {
                index: 1 + r.below(4),
                term: 1 + r.below(3),
            },
        })
        .collect();
    let jitter = if r.below(2) == 0 { "0ms" } else { "0.3ms" };
    let config = common::config([
        ("model", "raft".to_string()),
        ("nodes", nodes.to_string()),
        ("seed", seed.to_string()),
        ("election", "10ms..20ms".to_string()),
        ("heartbeat", "4ms".to_string()),
        ("latency", "1ms..3ms".to_string()),
        ("preVote", pre_vote.to_string()),
        ("checkQuorum", check_quorum.to_string()),
        ("logs", common::logs_text(&logs)),
        ("timerJitter", jitter.to_string()),
    ]);
    // One case in three crashes the leader periodically instead (its own
    // crashes; the schedule then crashes and times out nothing itself, so
    // its commands stay valid), beside partitions, cuts, drops and loss.
    let periodic = r.below(3) == 0;
    let chaos = ChaosConfig {
        mean_interval: 15 * MS,
        max_latency: 40 * MS,
        base_latency: (MS, 3 * MS),
        crashes: !periodic,
        timeouts: !periodic,
        ..ChaosConfig::default()
    };
    let end = 400 * MS;
    let mut faults = chaos::schedule(seed, nodes, 5 * MS, end, &chaos);
    if periodic {
        let (every, down) = (20 + r.below(81), r.below(61));
        faults.insert(
            0,
            Fault {
                at: 5 * MS,
                command: format!("periodic-crash every={every}ms down={down}ms")
                    .parse()
                    .unwrap(),
            },
        );
    }
    // One case in three also aligns or spreads the election clocks at a few
    // random moments: aligned clocks make split votes on demand. (Drawn
    // last, so the other draws, and the cases before this, stay the same.)
    if r.below(3) == 0 {
        for _ in 0..2 + r.below(5) {
            let at = 5 * MS + r.below(end - 5 * MS);
            let command = if r.below(3) == 0 {
                "spread-timers"
            } else {
                "align-timers"
            };
            faults.push(Fault {
                at,
                command: command.parse().unwrap(),
            });
        }
        faults.sort_by_key(|f| f.at);
    }
    Case {
        config,
        seed,
        faults,
        end,
        logs,
    }
}

/// Whether node `id`'s log is at least as up to date as a majority of all logs.
fn may_lead(logs: &[LogPos], id: NodeId) -> bool {
    let mine = logs[(id - 1) as usize];
    logs.iter()
        .filter(|l| mine.at_least_as_up_to_date_as(**l))
        .count()
        > logs.len() / 2
}

/// Runs a case; Err describes the first violation. Ok counts the timer
/// keys that moved a clock.
fn run(c: &Case) -> Result<usize, String> {
    let mut cluster = Cluster::new(&c.config).map_err(|e| e.to_string())?;
    let may: Vec<bool> = (1..=c.logs.len() as NodeId)
        .map(|id| may_lead(&c.logs, id))
        .collect();
    let mut bad_leader: Option<(NodeId, u64, Micros)> = None;
    let mut step = |cluster: &mut Cluster, until: Micros| {
        let Cluster::Raft(s) = cluster else {
            unreachable!("a raft cluster")
        };
        s.run_until_condition(until, |s| {
            for (l, term) in s.monitor().leaders() {
                if !may[(l - 1) as usize] && bad_leader.is_none() {
                    bad_leader = Some((l, term, s.now()));
                }
            }
            false
        });
    };
    let mut timer_keys = 0;
    for f in &c.faults {
        step(&mut cluster, f.at);
        let applied = chaos::apply_drawn(&mut cluster, &f.command)
            .map_err(|e| format!("fault `{}`: {e}", f.command))?;
        if applied && f.command.name().ends_with("-timers") {
            timer_keys += 1;
        }
    }
    step(&mut cluster, c.end);
    let m = cluster.monitor();
    for kind in [
        ViolationKind::ElectionSafety,
        ViolationKind::DoubleVote,
        ViolationKind::TermDecrease,
    ] {
        if m.count(kind) > 0 {
            let first = m
                .findings()
                .find(|f| f.kind == kind)
                .map(|f| format!("at {} µs: {}", f.t, f.describe()))
                .unwrap_or_default();
            return Err(format!(
                "{} {} findings; first {first}",
                m.count(kind),
                kind.as_str()
            ));
        }
    }
    if let Some((l, term, t)) = bad_leader {
        return Err(format!(
            "S{l} became leader of term {term} at {t} µs with log {:?}, behind a majority of {:?}",
            c.logs[(l - 1) as usize],
            c.logs
        ));
    }
    Ok(timer_keys)
}

/// The schedule as a script for `raftbeat run`, expecting what Raft
/// promises (two leaders of different terms at once is allowed).
fn replay(c: &Case) -> String {
    chaos::to_script(
        &c.config,
        c.seed,
        &chaos::applied(&c.config, &c.faults).unwrap(),
        c.end,
        &[
            "expect no-violation election-safety",
            "expect no-violation double-vote",
            "expect no-violation term-decrease",
        ],
    )
}

fn check_combination(pre_vote: bool, check_quorum: bool, base_seed: u64) {
    let n = schedules_per_combination();
    let (mut faults, mut timer_keys) = (0usize, 0usize);
    for i in 0..n {
        let c = case(base_seed + i, pre_vote, check_quorum);
        faults += c.faults.len();
        match run(&c) {
            Ok(k) => timer_keys += k,
            Err(e) => panic!(
                "preVote={pre_vote} checkQuorum={check_quorum}, seed {}: {e}\nReplay with `raftbeat run FILE --verbose`:\n{}",
                c.seed,
                replay(&c)
            ),
        }
    }
    assert!(
        faults as u64 > n * 15,
        "{faults} faults over {n} schedules: the schedules are too tame to mean much"
    );
    // A third of the cases draw 2-6 timer keys: most must find clocks to move.
    assert!(
        timer_keys as u64 > n / 2,
        "only {timer_keys} timer keys applied over {n} schedules"
    );
}

#[test]
fn election_safety_holds_under_random_faults() {
    check_combination(false, false, 1_000_000);
}

#[test]
fn election_safety_holds_under_random_faults_with_pre_vote() {
    check_combination(true, false, 2_000_000);
}

#[test]
fn election_safety_holds_under_random_faults_with_check_quorum() {
    check_combination(false, true, 3_000_000);
}

#[test]
fn election_safety_holds_under_random_faults_with_pre_vote_and_check_quorum() {
    check_combination(true, true, 4_000_000);
}

/// The schedules do break things: leaders change, terms climb, and some
/// cases see two leaders of different terms at once (allowed by Raft).
#[test]
fn the_schedules_exercise_elections() {
    let (mut terms, mut overlaps) = (0u64, 0u64);
    for i in 0..200 {
        let c = case(9_000_000 + i, false, false);
        let mut cluster = Cluster::new(&c.config).unwrap();
        chaos::run(&mut cluster, &c.faults, c.end).unwrap();
        terms += cluster.node_views().iter().map(|v| v.term).max().unwrap();
        overlaps += cluster.monitor().count(ViolationKind::TwoLeaders);
    }
    assert!(
        terms / 200 >= 5,
        "only {} terms per schedule on average",
        terms / 200
    );
    assert!(overlaps > 0, "no schedule ever produced a stale leader");
}

/// The check is not vacuous: a replay script names the seed and its faults.
#[test]
fn a_failure_report_replays() {
    let c = case(42, true, true);
    let s = replay(&c);
    assert!(s.starts_with("cluster model=raft"), "{s}");
    assert!(
        s.contains("seed=42") && s.contains("preVote=true") && s.contains("checkQuorum=true"),
        "{s}"
    );
    let parsed = raftbeat::script::parse(&s).expect("the replay parses");
    let report = raftbeat::script::run(&parsed, None);
    assert_eq!(
        report.failures().count(),
        0,
        "the replay of a passing case passes"
    );
    assert!(
        report.outcomes.len() > c.faults.len(),
        "every fault is a command"
    );
    // And a leader whose log is behind a majority is caught.
    let logs = [
        LogPos { index: 1, term: 1 },
        LogPos { index: 5, term: 2 },
        LogPos { index: 5, term: 2 },
    ];
    assert!(!may_lead(&logs, 1) && may_lead(&logs, 2));
}
