#![cfg(not(target_arch = "wasm32"))]
//! Properties of Nacos's data path and of the durability checker, over
//! random seeds and fault schedules.

use proptest::prelude::*;
use raftbeat::cluster::{Cluster, ClusterConfig};
use raftbeat::protocol::nacos::Version;
use raftbeat::script::{self, Action};
use raftbeat::sim::monitor::ViolationKind;

fn cluster(seed: u64, nodes: u32, version: Version) -> Cluster {
    let mut cfg = ClusterConfig {
        seed: Some(seed),
        nodes,
        ..Default::default()
    };
    cfg.nacos.version = version;
    Cluster::new(&cfg).unwrap()
}

fn act(c: &mut Cluster, line: &str) {
    let a: Action = line.parse().unwrap();
    script::act(c, &a).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// With no faults, every acknowledged write is on every node within two
    /// beats of the workload stopping, and nothing is ever lost. Writes
    /// only: a delete is not serialised with the writes after it, and one
    /// that a write of the same key overtakes on the network deletes the
    /// acknowledged write in 1.4 (37-nacos-delete-overtaken-1.4.txt). And
    /// of keys every node already holds: a key's first write can be deleted
    /// as a dead key by a beat that left just before it and arrives after
    /// its commit (39-nacos-new-key-beat-overtaken.txt), so each key is
    /// written once, two beats before the workload, and a case whose
    /// set-up meets that race is set aside.
    #[test]
    fn without_faults_every_acknowledged_write_reaches_every_node(
        seed in any::<u64>(),
        nodes in prop_oneof![Just(3u32), Just(5u32)],
        keys in 1u32..40,
        old in any::<bool>(),
    ) {
        let version = Version { minor: if old { 2 } else { 4 } };
        let mut c = cluster(seed, nodes, version);
        c.run_until(40_000_000);
        prop_assume!(c.leader().is_some());
        for k in 0..keys {
            act(&mut c, &format!("write k{k}"));
        }
        c.advance(2 * 5_000_000 + 1_000_000);
        prop_assume!(c.monitor().count(ViolationKind::LostWrite) == 0);
        act(&mut c, &format!("workload rate=20/s keys={keys}"));
        c.advance(20_000_000);
        act(&mut c, "workload off");
        // Writes queued behind OPERATE_LOCK drain, then two beats.
        c.advance(2 * 5_000_000 + 1_000_000);
        let acked = c.client().counts().ok;
        prop_assert!(acked > 0);
        let leader = c.leader().unwrap();
        let want: Vec<_> = c.store(leader).unwrap().iter().map(|(k, d)| (k.clone(), *d)).collect();
        for id in 1..=nodes {
            let have: Vec<_> = c.store(id).unwrap().iter().map(|(k, d)| (k.clone(), *d)).collect();
            prop_assert_eq!(&have, &want, "S{} differs from leader S{}", id, leader);
            for (k, d) in &have {
                prop_assert!(c.client().allows(k, Some(*d)), "S{id} holds {k} {d:?}");
            }
        }
        prop_assert_eq!(c.monitor().count(ViolationKind::LostWrite), 0);
    }
}

/// A random fault schedule: (time in ms, action line), applied in order.
fn schedule(nodes: u32) -> impl Strategy<Value = Vec<(u64, String)>> {
    let node = 1..=nodes;
    let action = prop_oneof![
        node.clone().prop_map(|n| format!("crash {n}")),
        node.clone().prop_map(|n| format!("restart {n}")),
        Just("crash leader".to_string()),
        node.clone().prop_map(|n| format!("isolate {n}")),
        Just("heal".to_string()),
        (node.clone(), node.clone())
            .prop_filter("two nodes", |(a, b)| a != b)
            .prop_map(|(a, b)| format!("cut {a}->{b}")),
        node.prop_map(|n| format!("drop-beats from={n} count=2")),
    ];
    proptest::collection::vec((20_000u64..120_000, action), 1..6).prop_map(|mut v| {
        v.sort_by_key(|(t, _)| *t);
        v
    })
}

/// Runs a schedule with a workload; returns the script that replays it
/// exactly (every `leader` pinned to the node it named) and the findings.
fn run_schedule(seed: u64, version: Version, faults: &[(u64, String)]) -> (String, Vec<String>) {
    let mut c = cluster(seed, 5, version);
    let mut script = format!("cluster model=nacos nodes=5 seed={seed} version={version}\n");
    c.run_until(15_000_000);
    script.push_str("run until=15s\n");
    let workload = "workload rate=10/s keys=8 via=any delete=0.1";
    act(&mut c, workload);
    script.push_str(workload);
    script.push('\n');
    for (t, line) in faults {
        c.run_until(t * 1000);
        script.push_str(&format!("run until={t}ms\n"));
        let a: Action = line.parse().unwrap();
        if let Ok(done) = script::act(&mut c, &a) {
            script.push_str(&format!("{done}\n"));
        }
    }
    c.run_until(150_000_000);
    script.push_str("run until=150s\n");
    let findings = c
        .monitor()
        .findings()
        .filter(|f| f.kind == ViolationKind::LostWrite)
        .map(|f| format!("{} {}", f.t, f.describe()))
        .collect();
    (script, findings)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Every lost-write finding under random faults is explained by a
    /// replayable script: replaying the recorded actions gives the same
    /// findings, at the same times, naming the same nodes and causes.
    #[test]
    fn lost_writes_replay_from_their_script(
        seed in any::<u64>(),
        old in any::<bool>(),
        faults in schedule(5),
    ) {
        let version = Version { minor: if old { 2 } else { 4 } };
        let (text, findings) = run_schedule(seed, version, &faults);
        let parsed = script::parse(&text).unwrap();
        let report = script::run(&parsed, None);
        prop_assert_eq!(report.failures().count(), 0, "{}", text);
        // The script's cluster is the same run: check its findings.
        let mut c = cluster(seed, 5, version);
        for chunk in parsed.chunks.iter().skip(1) {
            script::apply(&mut c, &chunk.command, &mut Vec::new()).unwrap();
        }
        let replayed: Vec<String> = c
            .monitor()
            .findings()
            .filter(|f| f.kind == ViolationKind::LostWrite)
            .map(|f| format!("{} {}", f.t, f.describe()))
            .collect();
        prop_assert_eq!(replayed, findings, "{}", text);
    }
}

/// Bad input names the field and the rule; a missing leader is a failed
/// write, not an error.
#[test]
fn bad_data_input_is_refused_with_the_field_named() {
    let refused = |line: &str| line.parse::<Action>().unwrap_err().to_string();
    for (line, want) in [
        (
            "workload rate=-3/s keys=10",
            "rate: must be a number of operations per second above 0",
        ),
        (
            "workload rate=fast keys=10",
            "rate must be a number, got `fast`",
        ),
        (
            "workload rate=5/s keys=0",
            "keys: must be between 1 and 1000000, got 0",
        ),
        (
            "workload rate=5/s keys=10 via=S2",
            "via must be leader or any",
        ),
        (
            "workload rate=5/s keys=10 delete=2",
            "delete: must be a probability between 0 and 1",
        ),
        ("write", "write: expected one key"),
        ("write a b", "write: expected one key"),
        ("write k1 via=S0x", "via"),
        ("delete k/1 extra", "delete: expected one key"),
        ("write k=1", "write: expected one key"),
    ] {
        let e = refused(line);
        assert!(e.contains(want), "{line}: {e}");
    }
    let mut c = cluster(1, 3, Version::NEWEST);
    let e = script::act(&mut c, &"write k1 via=7".parse().unwrap()).unwrap_err();
    assert_eq!(e.field, "via");
    assert!(e.rule.contains("node 7 does not exist"), "{e}");
    // No leader yet: the write is recorded as failed, for certain.
    let done = script::act(&mut c, &"write k1".parse().unwrap()).unwrap();
    assert_eq!(done.to_string(), "write k1");
    let op = c.client().last("k1").unwrap();
    assert_eq!(op.outcome_str(), "failed");
    assert!(op.definitely_failed());
    for (key, value, field) in [
        ("version", "2.0", "version"),
        ("version", "1", "version"),
        ("sendBeatOnly", "maybe", "sendBeatOnly"),
    ] {
        let e = ClusterConfig::from_pairs(&[
            (
                "model".to_string(),
                raftbeat::cluster::Value::Text("nacos".into()),
            ),
            (
                key.to_string(),
                raftbeat::cluster::Value::Text(value.into()),
            ),
        ])
        .unwrap_err();
        assert_eq!(e.field, field, "{e}");
    }
    let e = ClusterConfig::from_pairs(&[
        (
            "model".to_string(),
            raftbeat::cluster::Value::Text("raft".into()),
        ),
        (
            "version".to_string(),
            raftbeat::cluster::Value::Text("1.2".into()),
        ),
    ])
    .unwrap_err();
    assert!(e.rule.contains("is a nacos setting"), "{e}");
}
