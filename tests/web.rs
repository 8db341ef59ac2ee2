//! The compiled core driven through its JavaScript-facing API, in headless
//! Chrome: `wasm-pack test --headless --chrome -- --test web` (part of `make test`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Float64Array, Object, Reflect};
use raftbeat::wasm::{Simulation, NODE_STRIDE};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn config(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn nacos(seed: f64) -> Simulation {
    Simulation::new(config(&[("model", "nacos".into()), ("nodes", 5.into()), ("seed", seed.into())])).unwrap()
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap()
}

fn error_message(r: Result<impl Sized, JsError>) -> String {
    let e: JsValue = r.err().expect("expected an error").into();
    assert!(e.is_instance_of::<js_sys::Error>(), "a JS Error, not a bare value");
    get(&e, "message").as_string().unwrap()
}

/// Live nodes in LEADER state, from `nodes()`.
fn leaders(sim: &Simulation) -> Vec<u32> {
    sim.nodes()
        .iter()
        .filter(|n| get(n, "role").as_string().as_deref() == Some("LEADER") && get(n, "alive").as_bool() == Some(true))
        .map(|n| get(&n, "id").as_f64().unwrap() as u32)
        .collect()
}

/// Runs until a leader other than `not` shows in `nodes()`, at most `max_ms`.
fn wait_for_leader(sim: &mut Simulation, max_ms: f64, not: Option<u32>) -> Option<(u32, f64)> {
    let start = sim.time_ms();
    while sim.time_ms() - start < max_ms {
        sim.step(100.0).unwrap();
        if let Some(l) = leaders(sim).into_iter().find(|l| Some(*l) != not) {
            return Some((l, sim.time_ms()));
        }
    }
    None
}

#[wasm_bindgen_test]
fn a_nacos_cluster_elects_a_leader_the_nodes_agree_on() {
    let mut sim = nacos(7.0);
    assert_eq!(sim.node_count(), 5);
    assert_eq!(sim.seed(), "7");
    let (leader, at) = wait_for_leader(&mut sim, 20_000.0, None).expect("nacos elects within 15 s of start plus a vote round trip");
    assert!(at <= 15_600.0, "first election at {at} ms");
    // Followers learn the leader only at its first beat, up to 5 s later.
    sim.step(5_600.0).unwrap();
    let nodes: Array = sim.nodes();
    for n in nodes.iter() {
        assert_eq!(get(&n, "leader").as_f64(), Some(f64::from(leader)), "every node follows S{leader}");
        let role = get(&n, "role").as_string().unwrap();
        let id = get(&n, "id").as_f64().unwrap() as u32;
        assert_eq!(role, if id == leader { "LEADER" } else { "FOLLOWER" });
    }
}

#[wasm_bindgen_test]
fn dropping_the_leaders_heartbeats_elects_another_within_nacos_bounds() {
    let mut sim = nacos(11.0);
    let (old, _) = wait_for_leader(&mut sim, 20_000.0, None).unwrap();
    sim.step(6_000.0).unwrap(); // the leader's first beat reaches everyone
    let rule = sim.drop_beats(JsValue::UNDEFINED, None).unwrap();
    assert!(rule >= 1);
    let dropped_at = sim.time_ms();
    // The last beat was at most 5 s before the drop; a follower times out
    // 15-20 s after it (plus one 500 ms tick), and wins within a round trip.
    let (new, at) = wait_for_leader(&mut sim, 26_000.0, Some(old)).expect("a new leader within 26 s");
    assert_ne!(new, old);
    let after = at - dropped_at;
    assert!((10_000.0..=21_000.0).contains(&after), "re-elected {after} ms after the drop");
    // The old leader was reachable: the winner's vote request (higher term)
    // made it a FOLLOWER that voted for the winner, so there was no overlap.
    let nodes = sim.nodes();
    let old_node = nodes.get(old - 1);
    assert_eq!(get(&old_node, "role").as_string().unwrap(), "FOLLOWER");
    assert_eq!(get(&old_node, "voteFor").as_f64(), Some(f64::from(new)));
    let findings: Array = sim.findings().unwrap().into();
    assert_eq!(findings.length(), 0, "no safety findings when nobody is partitioned");
}

#[wasm_bindgen_test]
fn frame_size_does_not_change_the_run() {
    let run = |frame: f64| {
        let mut sim = nacos(3.0);
        let mut t = 0.0;
        let mut events = 0u32;
        let mut acted = false;
        while t < 40_000.0 {
            sim.step(frame).unwrap();
            t += frame;
            events += Array::from(&sim.events().unwrap()).length();
            if !acted && t >= 20_000.0 {
                // Actions land at the same simulated time whatever the frame size.
                sim.apply_at(20_000.0, "crash 2").ok();
                acted = true;
            }
        }
        sim.step(50_000.0 - sim.time_ms()).unwrap();
        events += Array::from(&sim.events().unwrap()).length();
        let data: Float64Array = sim.node_data();
        (data.to_vec(), events, sim.time_ms())
    };
    let (a, ea, ta) = run(16.0);
    let (b, eb, tb) = run(1_000.0);
    assert_eq!(ta, tb);
    assert_eq!(a.len(), 5 * NODE_STRIDE);
    assert_eq!(a, b, "node data after 16 ms and 1 s frames");
    assert_eq!(ea, eb, "event counts");
}

#[wasm_bindgen_test]
fn bad_input_throws_errors_naming_the_field() {
    let msg = error_message(Simulation::new(config(&[("nodes", 0.into())])));
    assert!(msg.starts_with("nodes: must be between 1 and 1001"), "{msg}");
    let msg = error_message(Simulation::new(config(&[("network", config(&[("loss", 2.into())]))])));
    assert!(msg.starts_with("network.loss:"), "{msg}");
    let msg = error_message(Simulation::new(config(&[("timings", config(&[("heartbeat", 30_000.into())]))])));
    assert!(msg.starts_with("timings.leaderTimeout:"), "{msg}");
    let msg = error_message(Simulation::new(JsValue::from_str("nacos")));
    assert!(msg.starts_with("config:"), "{msg}");
    let mut sim = nacos(1.0);
    for bad in [f64::NAN, -5.0, f64::INFINITY] {
        let msg = error_message(sim.step(bad));
        assert!(msg.starts_with("dtMs:"), "{msg}");
    }
    let msg = error_message(sim.crash(JsValue::from(9)));
    assert!(msg.contains("node 9 does not exist"), "{msg}");
    let msg = error_message(sim.apply("crash"));
    assert!(msg.starts_with("command:"), "{msg}");
    // The simulation still works after every refusal.
    sim.step(1_000.0).unwrap();
    assert_eq!(sim.time_ms(), 1_000.0);
}
