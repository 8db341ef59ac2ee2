//! The etcd options of the raft model, as properties over many seeds:
//!
//! - Pre-Vote: a node cut off from the majority (alone, or with one other
//!   node of five) never raises its term, however long the partition lasts;
//!   with CheckQuorum as well, its return does not unseat the leader.
//! - CheckQuorum: a leader cut into a minority steps down within two
//!   election timeouts (2 x electionMin, plus the timer jitter of the two
//!   quorum checks); the majority elects a new leader meanwhile.
//!
//! Each property comes with its control: without the option the opposite
//! happens, so the tests can tell the options apart. A failure prints the
//! seed and a script that replays it (`raftbeat run FILE --verbose`).
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use raftbeat::cluster::{Cluster, ClusterConfig};
use raftbeat::experiment::fig16::settled_leader;
use raftbeat::protocol::raft::Node;
use raftbeat::protocol::{Entropy, Micros, NodeId, Role};
use raftbeat::sim::rng::Stream;
use raftbeat::sim::Simulation;
use raftbeat::time::format_duration;

mod common;
use common::MS;
const T_MIN: Micros = 50 * MS;
const T_MAX: Micros = 100 * MS;
const CASES: u64 = 1_000;

struct Setup {
    config: ClusterConfig,
    seed: u64,
    jitter: Micros,
}

fn setup(seed: u64, nodes: u32, pre_vote: bool, check_quorum: bool) -> Setup {
    let jitter = if seed % 2 == 0 { 0 } else { 300 };
    Setup {
        config: common::config([
            ("model", "raft".to_string()),
            ("nodes", nodes.to_string()),
            ("seed", seed.to_string()),
            ("election", "50ms..100ms".to_string()),
            ("heartbeat", "10ms".to_string()),
            ("latency", "1ms..3ms".to_string()),
            ("preVote", pre_vote.to_string()),
            ("checkQuorum", check_quorum.to_string()),
            ("timerJitter", format!("{jitter}us")),
        ]),
        seed,
        jitter,
    }
}

fn raft(c: &mut Cluster) -> &mut Simulation<Node> {
    match c {
        Cluster::Raft(s) => s,
        Cluster::Nacos(_) => unreachable!("a raft cluster"),
    }
}

/// Starts the cluster and runs it until one leader is followed by all.
fn settled(s: &Setup) -> (Cluster, NodeId) {
    let mut c = Cluster::new(&s.config).unwrap();
    let sim = raft(&mut c);
    assert!(
        sim.run_until_condition(10_000 * MS, |s| settled_leader(s).is_some()),
        "seed {}: no first leader in 10 s",
        s.seed
    );
    let l = settled_leader(sim).unwrap();
    (c, l)
}

fn script(s: &Setup, lines: &[String]) -> String {
    let words: Vec<String> = s
        .config
        .to_pairs(s.seed)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("cluster {}\n{}\n", words.join(" "), lines.join("\n"))
}

/// What happened to the nodes cut off from the majority.
struct Cut {
    /// Highest term a cut-off node reached during the partition, and the term it had.
    rose: Option<(NodeId, u64, u64, Micros)>,
    /// Terms of the majority leader before the cut and after the heal.
    leader_terms: (u64, u64),
    script: String,
}

/// Cuts `minority` (1 or 2 nodes of 5, never the leader) off for 50
/// election timeouts, then heals and waits for the cluster to settle.
fn cut_off(s: &Setup, two: bool) -> Cut {
    let (mut c, leader) = settled(s);
    let mut r = Stream::new(s.seed, 99);
    let followers: Vec<NodeId> = (1..=5).filter(|&id| id != leader).collect();
    let mut side = vec![followers[r.below(4) as usize]];
    if two {
        let rest: Vec<NodeId> = followers
            .iter()
            .copied()
            .filter(|id| *id != side[0])
            .collect();
        side.push(rest[r.below(3) as usize]);
    }
    let sim = raft(&mut c);
    // Cut at a random moment within a heartbeat interval.
    let at = sim.now() + r.below(10 * MS);
    sim.run_until(at);
    let leader_term = sim.status(leader).term;
    let before: Vec<(NodeId, u64)> = side.iter().map(|&id| (id, sim.status(id).term)).collect();
    sim.partition(std::slice::from_ref(&side)).unwrap();
    let heal_at = at + 50 * T_MAX;
    let mut rose = None;
    sim.run_until_condition(heal_at, |s| {
        for &(id, t0) in &before {
            let t = s.status(id).term;
            if t > t0 && rose.is_none() {
                rose = Some((id, t0, t, s.now()));
            }
        }
        false
    });
    sim.heal();
    sim.run_until_condition(heal_at + 100 * T_MAX, |s| settled_leader(s).is_some());
    let after = settled_leader(sim).map_or(0, |l| sim.status(l).term);
    let side_text: Vec<String> = side.iter().map(|id| id.to_string()).collect();
    let script = script(
        s,
        &[
            format!("run until={} trace=none", format_duration(at)),
            format!("partition {}", side_text.join(",")),
            format!(
                "run until={} trace=role,election,fault",
                format_duration(heal_at)
            ),
            "heal".into(),
            "run for=2s trace=role,election,fault".into(),
        ],
    );
    Cut {
        rose,
        leader_terms: (leader_term, after),
        script,
    }
}

fn pre_vote_keeps_terms(check_quorum: bool, two: bool, base: u64) {
    let mut unseated = 0;
    for i in 0..CASES {
        let s = setup(base + i, 5, true, check_quorum);
        let cut = cut_off(&s, two);
        if let Some((id, t0, t, at)) = cut.rose {
            panic!("seed {}: S{id} was cut off at term {t0} and reached term {t} at {at} µs despite Pre-Vote\n{}", s.seed, cut.script);
        }
        if cut.leader_terms.1 != cut.leader_terms.0 {
            unseated += 1;
            if check_quorum {
                panic!(
                    "seed {}: with Pre-Vote and CheckQuorum the leader's term went from {} to {} when the cut-off nodes came back\n{}",
                    s.seed, cut.leader_terms.0, cut.leader_terms.1, cut.script
                );
            }
        }
    }
    println!("preVote, checkQuorum={check_quorum}, {} cut off: the return unseated the leader in {unseated} of {CASES} cases", if two { 2 } else { 1 });
}

#[test]
fn pre_vote_a_partitioned_node_never_raises_its_term() {
    pre_vote_keeps_terms(false, false, 100_000);
}

#[test]
fn pre_vote_two_partitioned_nodes_never_raise_their_terms() {
    pre_vote_keeps_terms(false, true, 200_000);
}

#[test]
fn pre_vote_and_check_quorum_a_returning_node_does_not_unseat_the_leader() {
    pre_vote_keeps_terms(true, false, 300_000);
    pre_vote_keeps_terms(true, true, 400_000);
}

/// The control: without Pre-Vote the cut-off node times out and raises its
/// term every election timeout, and its return unseats the leader.
#[test]
fn without_pre_vote_a_partitioned_node_raises_its_term_and_unseats_the_leader() {
    for i in 0..100 {
        let s = setup(500_000 + i, 5, false, false);
        let cut = cut_off(&s, false);
        let (_, t0, t, _) = cut.rose.unwrap_or_else(|| {
            panic!(
                "seed {}: the cut-off node kept its term for 50 timeouts\n{}",
                s.seed, cut.script
            )
        });
        assert!(t > t0);
        assert!(
            cut.leader_terms.1 > cut.leader_terms.0,
            "seed {}: the return of a higher term left the leader in place\n{}",
            s.seed,
            cut.script
        );
    }
}

/// Cuts the leader and `others` followers (a minority) off; returns how long
/// the leader took to step down (None if it did not within 100 timeouts),
/// and whether the majority elected a leader of its own meanwhile.
fn isolate_leader(s: &Setup, nodes: u32, others: u32) -> (Option<Micros>, bool, String) {
    let (mut c, leader) = settled(s);
    let mut r = Stream::new(s.seed, 77);
    let mut pool: Vec<NodeId> = (1..=nodes).filter(|&id| id != leader).collect();
    let mut side = vec![leader];
    for _ in 0..others {
        side.push(pool.remove(r.below(pool.len() as u64) as usize));
    }
    let sim = raft(&mut c);
    let at = sim.now() + r.below(T_MIN);
    sim.run_until(at);
    sim.partition(std::slice::from_ref(&side)).unwrap();
    let stepped =
        sim.run_until_condition(at + 100 * T_MAX, |s| s.status(leader).role != Role::Leader);
    let took = stepped.then(|| sim.now() - at);
    let majority_leader = sim.run_until_condition(sim.now() + 20 * T_MAX, |s| {
        s.leaders().iter().any(|l| !side.contains(l))
    });
    let side_text: Vec<String> = side.iter().map(|id| id.to_string()).collect();
    let script = script(
        s,
        &[
            format!("run until={} trace=none", format_duration(at)),
            format!("partition {}", side_text.join(",")),
            format!(
                "run for={} trace=role,election,fault",
                format_duration(3 * T_MIN)
            ),
        ],
    );
    (took, majority_leader, script)
}

#[test]
fn check_quorum_a_leader_in_the_minority_steps_down_within_two_election_timeouts() {
    let mut worst = 0;
    for i in 0..CASES {
        let nodes = [3, 5, 5, 7][(i % 4) as usize];
        let pre_vote = i % 3 == 0;
        let s = setup(600_000 + i, nodes, pre_vote, true);
        let others = (i % u64::from(nodes / 2)) as u32; // the leader plus 0..minority-1 followers
        let (took, majority, script) = isolate_leader(&s, nodes, others);
        let bound = 2 * (T_MIN + s.jitter);
        let took = took
            .unwrap_or_else(|| panic!("seed {}: the leader never stepped down\n{script}", s.seed));
        assert!(took <= bound, "seed {}: the leader stepped down {took} µs after losing its majority, past 2 election timeouts ({bound} µs)\n{script}", s.seed);
        assert!(
            majority,
            "seed {}: the majority side never elected a leader\n{script}",
            s.seed
        );
        worst = worst.max(took);
    }
    println!(
        "checkQuorum: the slowest step-down took {worst} µs (bound {} µs)",
        2 * (T_MIN + 300)
    );
    // The bound is tight, not vacuous: some leader needs more than one check.
    assert!(
        worst > T_MIN,
        "every leader stepped down within one timeout: {worst} µs"
    );
}

/// The control: without CheckQuorum a leader in the minority stays leader
/// for as long as the partition lasts, beside the majority's new leader.
#[test]
fn without_check_quorum_a_leader_in_the_minority_stays_leader() {
    for i in 0..100 {
        let s = setup(700_000 + i, 5, i % 2 == 0, false);
        let (took, majority, script) = isolate_leader(&s, 5, (i % 2) as u32);
        assert_eq!(
            took, None,
            "seed {}: the leader stepped down without CheckQuorum\n{script}",
            s.seed
        );
        assert!(majority, "seed {}\n{script}", s.seed);
    }
}
