#![cfg(not(target_arch = "wasm32"))]
//! Properties of Raft's log replication over random fault schedules with a
//! workload: the four invariants of the paper's Figure 3 (Election Safety,
//! Log Matching, Leader Completeness, State Machine Safety) are never
//! broken, no acknowledged write is lost, the logs converge once the faults
//! end, and every run is a printed script that replays it exactly.

use proptest::prelude::*;
use raftbeat::cluster::{Cluster, ClusterConfig};
use raftbeat::script::{self, Action, Command, Script};
use raftbeat::sim::monitor::ViolationKind;

/// A random fault: one script line (nodes 1..=5).
fn fault() -> impl Strategy<Value = String> {
    let node = 1u32..=5;
    prop_oneof![
        node.clone().prop_map(|n| format!("crash {n}")),
        node.clone().prop_map(|n| format!("restart {n}")),
        Just("crash leader".to_string()),
        Just("restart leader".to_string()),
        node.clone().prop_map(|n| format!("isolate {n}")),
        Just("partition 1,2 | 3,4,5".to_string()),
        Just("partition 1,3,5 | 2,4".to_string()),
        Just("heal".to_string()),
        (node.clone(), node.clone())
            .prop_filter("two nodes", |(a, b)| a != b)
            .prop_map(|(a, b)| format!("cut {a}->{b}")),
        node.clone()
            .prop_map(|n| format!("drop-beats from={n} count=3")),
        (node.clone(), 1u32..1500).prop_map(|(n, ms)| format!("pause {n} for={ms}ms")),
        node.prop_map(|n| format!("timeout {n}")),
        (0u32..30).prop_map(|p| format!("network loss=0.{p:02}")),
    ]
}

/// A schedule: (time in ms, fault), in time order, within the first 8 s.
fn schedule() -> impl Strategy<Value = Vec<(u64, String)>> {
    proptest::collection::vec((300u64..8_000, fault()), 1..10).prop_map(|mut v| {
        v.sort_by_key(|(t, _)| *t);
        v
    })
}

/// The cluster a script's first line starts.
fn cluster_of(s: &Script) -> Cluster {
    let Command::Cluster(pairs) = &s.chunks[0].command else {
        panic!("a script starts with its cluster line");
    };
    Cluster::new(&ClusterConfig::from_pairs(pairs).unwrap()).unwrap()
}

/// One run as a script, and what it left.
struct Run {
    script: String,
    cluster: Cluster,
}

fn cluster_line(seed: u64, pre_vote: bool, check_quorum: bool, via_any: bool) -> (String, String) {
    // RaftScope's timings.
    let cluster = format!(
        "cluster model=raft nodes=5 seed={seed} election=100ms..200ms heartbeat=50ms latency=10ms..15ms preVote={pre_vote} checkQuorum={check_quorum}"
    );
    let via = if via_any { "any" } else { "leader" };
    let workload = format!("workload rate=20/s keys=6 via={via} delete=0.1");
    (cluster, workload)
}

/// Runs the schedule with a workload, then heals everything, restarts every
/// node that is down, stops the workload and lets the cluster settle.
/// Returns the script that replays it (every `leader` pinned to the node it
/// named when it ran).
fn run(
    seed: u64,
    pre_vote: bool,
    check_quorum: bool,
    via_any: bool,
    faults: &[(u64, String)],
) -> Run {
    let (cluster, workload) = cluster_line(seed, pre_vote, check_quorum, via_any);
    let parsed = script::parse(&format!("{cluster}\n")).unwrap();
    let mut c = cluster_of(&parsed);
    let mut text = format!("{cluster}\nrun until=300ms\n{workload}\n");
    c.run_until(300_000);
    act(&mut c, &workload);
    for (t, line) in faults {
        c.run_until(t * 1000);
        text.push_str(&format!("run until={t}ms\n"));
        let a: Action = line.parse().unwrap();
        // A fault that does not apply (crash of a node already down) is
        // refused; it changes nothing and stays out of the script.
        if let Ok(done) = script::act(&mut c, &a) {
            text.push_str(&format!("{done}\n"));
        }
    }
    c.run_until(9_000_000);
    text.push_str("run until=9s\n");
    // The faults end: every partition, cut link, drop rule and loss goes,
    // the down nodes come back, the workload stops.
    let mut end = vec!["heal".to_string(), "network loss=0".to_string()];
    end.push("allow-beats".to_string());
    for a in 1..=5 {
        for b in (1..=5).filter(|b| *b != a) {
            end.push(format!("restore {a}->{b}"));
        }
    }
    end.push("workload off".to_string());
    for id in 1..=5 {
        if !c.node_view(id).alive {
            end.push(format!("restart {id}"));
        }
    }
    for line in end {
        // Restoring a link that is not cut is refused; it changes nothing.
        let a: Action = line.parse().unwrap();
        if let Ok(done) = script::act(&mut c, &a) {
            text.push_str(&format!("{done}\n"));
        }
    }
    // Elections settle. Then one more write: a new leader commits entries
    // of earlier terms only with one of its own (Figure 8), and the
    // followers catch up (a snapshot at worst).
    c.run_until(12_000_000);
    text.push_str("run until=12s\n");
    act(&mut c, "write last");
    text.push_str("write last\n");
    c.run_until(14_000_000);
    text.push_str("run until=14s\n");
    Run {
        script: text,
        cluster: c,
    }
}

fn act(c: &mut Cluster, line: &str) {
    let a: Action = line.parse().unwrap();
    script::act(c, &a).unwrap();
}

const SAFETY: [ViolationKind; 6] = [
    ViolationKind::ElectionSafety,
    ViolationKind::DoubleVote,
    ViolationKind::LogMatching,
    ViolationKind::LeaderCompleteness,
    ViolationKind::StateMachineSafety,
    ViolationKind::LostWrite,
];

/// Everything a run left that a replay must reproduce.
fn digest(c: &Cluster) -> String {
    let mut out = String::new();
    for f in c.monitor().findings() {
        out.push_str(&format!("{} {}\n", f.t, f.describe()));
    }
    for id in 1..=5 {
        let r = c.raft_node(id).unwrap();
        let store: Vec<String> = c
            .store(id)
            .unwrap()
            .iter()
            .map(|(k, d)| format!("{k}=v{}#{}", d.version, d.token))
            .collect();
        out.push_str(&format!(
            "S{id} term {} last {:?} commit {} {}\n",
            c.node_view(id).term,
            r.log().last(),
            r.commit_index(),
            store.join(" ")
        ));
    }
    let n = c.client().counts();
    out.push_str(&format!(
        "ops {} ok {} failed {}\n",
        n.invoked, n.ok, n.failed
    ));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    /// Across random fault schedules: no safety finding, no lost
    /// acknowledged write, and once the faults end one leader whose state
    /// machine every node reaches. A failure prints its script.
    #[test]
    fn raft_keeps_every_acknowledged_write_under_random_faults(
        seed in any::<u64>(),
        pre_vote in any::<bool>(),
        check_quorum in any::<bool>(),
        via_any in any::<bool>(),
        faults in schedule(),
    ) {
        let r = run(seed, pre_vote, check_quorum, via_any, &faults);
        let c = &r.cluster;
        let m = c.monitor();
        for k in SAFETY {
            prop_assert_eq!(
                m.count(k), 0,
                "{}: {}\n--- replay with raftbeat run:\n{}",
                k.as_str(),
                m.first(k).map(|f| f.describe()).unwrap_or_default(),
                r.script
            );
        }
        prop_assert!(c.client().counts().invoked > 0);
        prop_assert_eq!(c.client().last("last").map(|op| op.outcome_str()), Some("ok"), "{}", r.script);
        // Liveness after the faults: one leader; every node applied what it did.
        let leader = c.leader();
        prop_assert!(leader.is_some(), "no leader after healing\n{}", r.script);
        let leader = leader.unwrap();
        let want: Vec<_> = c.store(leader).unwrap().iter().map(|(k, d)| (k.clone(), *d)).collect();
        let commit = c.raft_node(leader).unwrap().commit_index();
        for id in 1..=5 {
            let node = c.raft_node(id).unwrap();
            prop_assert_eq!(node.commit_index(), commit, "S{} commit\n{}", id, r.script);
            let have: Vec<_> = c.store(id).unwrap().iter().map(|(k, d)| (k.clone(), *d)).collect();
            prop_assert_eq!(&have, &want, "S{} differs from leader S{}\n{}", id, leader, r.script);
            for (k, d) in &have {
                prop_assert!(c.client().allows(k, Some(*d)), "S{} holds {} {:?}\n{}", id, k, d, r.script);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// The printed script is the run: replaying it gives the same findings,
    /// terms, logs, commit indices, state machines and client counts.
    #[test]
    fn every_run_replays_from_its_printed_script(
        seed in any::<u64>(),
        pre_vote in any::<bool>(),
        faults in schedule(),
    ) {
        let r = run(seed, pre_vote, false, true, &faults);
        let parsed = script::parse(&r.script).unwrap();
        let report = script::run(&parsed, None);
        prop_assert_eq!(report.failures().count(), 0, "{}", r.script);
        let mut c = cluster_of(&parsed);
        for chunk in parsed.chunks.iter().skip(1) {
            script::apply(&mut c, &chunk.command, &mut Vec::new()).unwrap();
        }
        prop_assert_eq!(digest(&c), digest(&r.cluster), "{}", r.script);
    }
}

/// Malformed `expect log` and `expect commit` lines name the line and the rule.
#[test]
fn bad_log_expectations_name_the_line_and_the_rule() {
    for (line, want) in [
        ("expect log S1", "log: expected `log NODE INDEX:TERM,...`"),
        ("expect log S1 3", "`3` is not INDEX:TERM"),
        (
            "expect log S1 0:1",
            "the index must be a whole number of at least 1, got `0`",
        ),
        (
            "expect log S1 1:0",
            "the term must be a whole number of at least 1, got `0`",
        ),
        (
            "expect log S1 2:1,1:1",
            "indices must increase, but 1 follows 2",
        ),
        ("expect log S1 5-3:1", "the run ends before it starts"),
        ("expect log S1 1:x", "got `x`"),
        ("expect log S9x 1:1", "node"),
        (
            "expect commit S1",
            "commit: expected `commit NODE [OP] INDEX`",
        ),
        (
            "expect commit S1 many",
            "expected a commit index (a whole number), got `many`",
        ),
        (
            "expect commit S1 => 3",
            "expected ==, !=, >=, <=, > or <, got `=>`",
        ),
    ] {
        let text = format!("cluster model=raft nodes=3 seed=1\n{line}\n");
        let e = script::parse(&text).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{line}: {e}");
        assert!(e.contains(want), "{line}: {e}");
    }
    // In the nacos model the forms parse, and fail as checks, saying why.
    let text = "cluster model=nacos nodes=3 seed=1\nexpect commit S1 0\nexpect log S1 empty\n";
    let report = script::run(&script::parse(text).unwrap(), None);
    let failures: Vec<String> = report
        .failures()
        .filter_map(|f| f.failure.clone())
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures.iter().all(|f| f.contains("nacos model")),
        "{failures:?}"
    );
}

/// A write while no node leads is a failed request, not an error.
#[test]
fn a_write_with_no_leader_fails_and_is_recorded() {
    let parsed = script::parse("cluster model=raft nodes=3 seed=1\n").unwrap();
    let mut c = cluster_of(&parsed);
    let done = script::act(&mut c, &"write k1".parse().unwrap()).unwrap();
    assert_eq!(done.to_string(), "write k1");
    let op = c.client().last("k1").unwrap();
    assert_eq!(op.outcome_str(), "failed");
    assert!(op.definitely_failed());
    // Sent to a follower that knows no leader yet: the same.
    script::act(&mut c, &"write k2 via=2".parse().unwrap()).unwrap();
    assert!(c.client().last("k2").unwrap().definitely_failed());
}
