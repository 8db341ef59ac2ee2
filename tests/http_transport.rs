#![cfg(not(target_arch = "wasm32"))]
//! Properties of Nacos's HTTP transport (src/sim/transport.rs) under random
//! fault schedules: a reply only ever travels on a connection whose request
//! reached its server, and every request ends exactly once, as its reply, an
//! error callback, or with its client's process; and no reply later than
//! the read timeout is delivered.

use proptest::prelude::*;
use raftbeat::cluster::{Cluster, ClusterConfig};
use raftbeat::script::{self, Action};
use raftbeat::sim::ConnEvent;
use std::collections::BTreeMap;

const END: u64 = 150_000_000;
const READ_TIMEOUT: u64 = 10_000_000;

/// A random fault schedule: (time in ms, action line), applied in order.
/// Pauses longer than the read timeout and slow links make late replies.
fn schedule(nodes: u32) -> impl Strategy<Value = Vec<(u64, String)>> {
    let node = 1..=nodes;
    let pair = (node.clone(), node.clone()).prop_filter("two nodes", |(a, b)| a != b);
    let action = prop_oneof![
        node.clone().prop_map(|n| format!("crash {n}")),
        node.clone().prop_map(|n| format!("restart {n}")),
        Just("crash leader".to_string()),
        node.clone().prop_map(|n| format!("isolate {n}")),
        Just("heal".to_string()),
        pair.clone().prop_map(|(a, b)| format!("cut {a}->{b}")),
        pair.prop_map(|(a, b)| format!("restore {a}->{b}")),
        (node.clone(), 1u64..15).prop_map(|(n, s)| format!("pause {n} for={s}s")),
        node.prop_map(|n| format!("drop-beats from={n} count=2")),
        (0u32..4).prop_map(|l| format!("network loss={}", f64::from(l) * 0.15)),
        prop_oneof![Just("2ms..8ms"), Just("1ms..3s"), Just("4s..12s")]
            .prop_map(|l| format!("network latency={l}")),
    ];
    proptest::collection::vec((10_000u64..120_000, action), 1..10).prop_map(|mut v| {
        v.sort_by_key(|(t, _)| *t);
        v
    })
}

/// Runs a schedule with a workload through forwarding followers, recording
/// every connection's life. Returns the log.
fn run(seed: u64, faults: &[(u64, String)]) -> Vec<ConnEvent> {
    let cfg = ClusterConfig {
        seed: Some(seed),
        nodes: 5,
        ..Default::default()
    };
    let mut c = Cluster::new(&cfg).unwrap();
    let Cluster::Nacos(sim) = &mut c else {
        unreachable!("the default model is nacos")
    };
    sim.record_connections();
    c.run_until(10_000_000);
    let workload: Action = "workload rate=5/s keys=6 via=any delete=0.2"
        .parse()
        .unwrap();
    script::act(&mut c, &workload).unwrap();
    for (t, line) in faults {
        c.run_until(t * 1000);
        let a: Action = line.parse().unwrap();
        // A fault that does not apply now (crash of a down node) is skipped.
        let _ = script::act(&mut c, &a);
    }
    c.run_until(END);
    let Cluster::Nacos(sim) = &c else {
        unreachable!()
    };
    sim.connection_log().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn replies_follow_their_requests_and_every_request_ends_once(
        seed in any::<u64>(),
        faults in schedule(5),
    ) {
        let log = run(seed, &faults);
        // conn -> (opened at, request delivered, how many ends)
        let mut conns: BTreeMap<u64, (u64, bool, u32)> = BTreeMap::new();
        for ev in &log {
            match *ev {
                ConnEvent::Opened { conn, at, .. } => {
                    prop_assert!(conns.insert(conn, (at, false, 0)).is_none(), "#{} opened twice", conn);
                }
                ConnEvent::RequestDelivered { conn, .. } => {
                    let c = conns.get_mut(&conn).expect("delivered after it opened");
                    prop_assert!(!c.1, "#{} request delivered twice", conn);
                    c.1 = true;
                }
                ConnEvent::ReplyDelivered { conn, at, arrived } => {
                    let c = conns.get_mut(&conn).expect("a reply on an opened connection");
                    prop_assert!(c.1, "#{} reply delivered at {} before its request", conn, at);
                    // A reply later than the read timeout is dropped, never delivered.
                    prop_assert!(
                        arrived <= c.0 + READ_TIMEOUT,
                        "#{} opened at {} got its reply at {}, past the read timeout",
                        conn,
                        c.0,
                        arrived
                    );
                    c.2 += 1;
                }
                ConnEvent::Failed { conn, .. } | ConnEvent::ClientDied { conn, .. } => {
                    conns.get_mut(&conn).expect("an opened connection").2 += 1;
                }
            }
        }
        prop_assert!(conns.len() > 100, "the run opened {} connections", conns.len());
        // A request ends by its read timeout (10 s), later only while its
        // client is paused (at most 15 s here): older ones must have ended.
        for (conn, (at, _, ends)) in &conns {
            prop_assert!(*ends <= 1, "#{} ended {} times", conn, ends);
            if *at + READ_TIMEOUT + 15_000_000 < END {
                prop_assert_eq!(*ends, 1, "#{} (opened at {} us) never ended", conn, at);
            }
        }
    }
}
