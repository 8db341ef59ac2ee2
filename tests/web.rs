//! The compiled core driven through its JavaScript-facing API, in headless
//! Chrome: `wasm-pack test --headless --chrome -- --test web` (part of `make test`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Float64Array, Object, Reflect};
use raftbeat::wasm::{layout, parse_scenario, Simulation, MARK_STRIDE, NODE_STRIDE};
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
    Simulation::new(config(&[
        ("model", "nacos".into()),
        ("nodes", 5.into()),
        ("seed", seed.into()),
    ]))
    .unwrap()
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap()
}

fn error_message(r: Result<impl Sized, JsError>) -> String {
    let e: JsValue = r.err().expect("expected an error").into();
    assert!(
        e.is_instance_of::<js_sys::Error>(),
        "a JS Error, not a bare value"
    );
    get(&e, "message").as_string().unwrap()
}

/// Live nodes in LEADER state, from `nodes()`.
fn leaders(sim: &Simulation) -> Vec<u32> {
    Array::from(&sim.nodes().unwrap())
        .iter()
        .filter(|n| {
            get(n, "role").as_string().as_deref() == Some("LEADER")
                && get(n, "alive").as_bool() == Some(true)
        })
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
    let (leader, at) = wait_for_leader(&mut sim, 20_000.0, None)
        .expect("nacos elects within 15 s of start plus a vote round trip");
    assert!(at <= 15_600.0, "first election at {at} ms");
    // Followers learn the leader only at its first beat, up to 5 s later.
    sim.step(5_600.0).unwrap();
    let nodes = Array::from(&sim.nodes().unwrap());
    for n in nodes.iter() {
        assert_eq!(
            get(&n, "leader").as_f64(),
            Some(f64::from(leader)),
            "every node follows S{leader}"
        );
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
    let rule = sim
        .drop_beats(JsValue::UNDEFINED, JsValue::UNDEFINED)
        .unwrap();
    assert!(rule >= 1);
    let dropped_at = sim.time_ms();
    // The last beat was at most 5 s before the drop; a follower times out
    // 15-20 s after it (plus one 500 ms tick), and wins within a round trip.
    let (new, at) =
        wait_for_leader(&mut sim, 26_000.0, Some(old)).expect("a new leader within 26 s");
    assert_ne!(new, old);
    let after = at - dropped_at;
    assert!(
        (10_000.0..=21_000.0).contains(&after),
        "re-elected {after} ms after the drop"
    );
    // The old leader was reachable: the winner's vote request (higher term)
    // made it a FOLLOWER that voted for the winner, so there was no overlap.
    let nodes = Array::from(&sim.nodes().unwrap());
    let old_node = nodes.get(old - 1);
    assert_eq!(get(&old_node, "role").as_string().unwrap(), "FOLLOWER");
    assert_eq!(get(&old_node, "voteFor").as_f64(), Some(f64::from(new)));
    let findings: Array = sim.findings().unwrap().into();
    assert_eq!(
        findings.length(),
        0,
        "no safety findings when nobody is partitioned"
    );
}

#[wasm_bindgen_test]
fn frame_size_does_not_change_the_run() {
    let run = |frame: f64| {
        let mut sim = nacos(3.0);
        let mut t = 0.0;
        let mut events = 0u32;
        let mut acted = 0;
        while t < 40_000.0 {
            sim.step(frame).unwrap();
            t += frame;
            events += Array::from(&sim.events().unwrap()).length();
            // Actions land at the same simulated time whatever the frame size.
            if acted == 0 && t >= 20_000.0 {
                sim.apply_at(20_000.0, "crash 2".into()).unwrap();
                acted = 1;
            }
            // (Both frame sizes land on 20 s and 24 s exactly: an action
            // cannot go back in time.)
            if acted == 1 && t >= 24_000.0 {
                // The timer keys drive a model step outside any event.
                sim.apply_at(24_000.0, "align-timers".into()).unwrap();
                sim.apply_at(24_000.0, "spread-timers".into()).unwrap();
                acted = 2;
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
    assert!(
        msg.starts_with("nodes: must be between 1 and 1001"),
        "{msg}"
    );
    let msg = error_message(Simulation::new(config(&[(
        "network",
        config(&[("loss", 2.into())]),
    )])));
    assert!(msg.starts_with("network.loss:"), "{msg}");
    let msg = error_message(Simulation::new(config(&[(
        "timings",
        config(&[("heartbeat", 2_500.5.into())]),
    )])));
    assert!(
        msg.starts_with("timings.heartbeat: must be whole milliseconds"),
        "{msg}"
    );
    let msg = error_message(Simulation::new(JsValue::from_str("nacos")));
    assert!(msg.starts_with("config:"), "{msg}");
    let mut sim = nacos(1.0);
    for bad in [f64::NAN, -5.0, f64::INFINITY] {
        let msg = error_message(sim.step(bad));
        assert!(msg.starts_with("dtMs:"), "{msg}");
    }
    let msg = error_message(sim.crash(JsValue::from(9)));
    assert!(msg.contains("node 9 does not exist"), "{msg}");
    let msg = error_message(sim.apply("crash".into()));
    assert!(msg.starts_with("command:"), "{msg}");
    // The simulation still works after every refusal.
    sim.step(1_000.0).unwrap();
    assert_eq!(sim.time_ms(), 1_000.0);
}

#[wasm_bindgen_test]
fn unstable_timings_start_with_warnings_naming_the_fields() {
    let texts = |sim: &Simulation| -> Vec<String> {
        Array::from(&sim.warnings().unwrap())
            .iter()
            .map(|w| w.as_string().unwrap())
            .collect()
    };
    assert_eq!(texts(&nacos(1.0)), Vec::<String>::new());
    // Beats every 30 s against a 15 s leaderTimeout: allowed, warned about, and the cluster churns.
    let mut sim = Simulation::new(config(&[
        ("seed", 2.into()),
        ("timings", config(&[("heartbeat", 30_000.into())])),
    ]))
    .unwrap();
    let w = texts(&sim);
    assert!(
        w.len() == 1
            && w[0].starts_with("timings.heartbeat (30s) is not below timings.leaderTimeout (15s)"),
        "{w:?}"
    );
    sim.step(600_000.0).unwrap();
    let term = sim
        .node_data()
        .to_vec()
        .chunks(NODE_STRIDE)
        .map(|n| n[2])
        .fold(0.0, f64::max);
    assert!(term >= 10.0, "only term {term} after 10 min");
    // A network change can add a warning (a vote's round trip past Raft's 150 ms).
    let mut sim = Simulation::new(config(&[("model", "raft".into()), ("seed", 2.into())])).unwrap();
    assert_eq!(texts(&sim), Vec::<String>::new());
    sim.network(config(&[("latency", "80ms..90ms".into())]))
        .unwrap();
    let w = texts(&sim);
    assert!(
        w.len() == 1 && w[0].contains("2 × network.latencyMax = 180ms"),
        "{w:?}"
    );
}

/// Timeline entries as (t_ms, code, node, term).
fn marks(sim: &mut Simulation, from: f64) -> Vec<(f64, f64, f64, f64)> {
    let data = sim.timeline(from).unwrap().to_vec();
    data.chunks(MARK_STRIDE)
        .map(|c| (c[0], c[1], c[2], c[3]))
        .collect()
}

#[wasm_bindgen_test]
fn the_timeline_records_leadership_at_every_trace_level() {
    let mut sim = nacos(7.0);
    sim.set_trace_level("none".into()).unwrap();
    let (first, _) = wait_for_leader(&mut sim, 20_000.0, None).unwrap();
    assert_eq!(
        Array::from(&sim.events().unwrap()).length(),
        0,
        "no events at level none"
    );
    let up: Vec<_> = marks(&mut sim, 0.0)
        .into_iter()
        .filter(|m| m.1 == 1.0)
        .collect();
    assert_eq!(up.len(), 1, "one BECAME_LEADER mark");
    assert_eq!(
        (up[0].2, up[0].3),
        (f64::from(first), 1.0),
        "the leader and its term"
    );
    // Drop the leader's beats: it leaves LEADER (code 2) and another takes over.
    sim.step(6_000.0).unwrap();
    sim.apply("drop-beats from=leader".into()).unwrap();
    let (second, _) = wait_for_leader(&mut sim, 26_000.0, Some(first)).unwrap();
    let all = marks(&mut sim, 0.0);
    assert!(
        all.iter().any(|m| m.1 == 2.0 && m.2 == f64::from(first)),
        "{first} left LEADER: {all:?}"
    );
    assert!(
        all.iter().any(|m| m.1 == 3.0 && m.2 == f64::from(second)),
        "{second} stood for election: {all:?}"
    );
    assert!(
        all.iter()
            .any(|m| m.1 == 1.0 && m.2 == f64::from(second) && m.3 == 2.0),
        "{second} leads in term 2: {all:?}"
    );
    // Reading from an index returns only what is new.
    let n = sim.timeline_length() as f64;
    assert_eq!(marks(&mut sim, n).len(), 0);
    assert_eq!(marks(&mut sim, n - 1.0).len(), 1);
    // Off detaches the recorder: nothing new is recorded until it is back.
    sim.set_trace_level("off".into()).unwrap();
    sim.apply(format!("crash {second}").into()).unwrap();
    sim.step(30_000.0).unwrap();
    assert_eq!(sim.timeline_length() as f64, n);
    sim.set_trace_level("protocol".into()).unwrap();
    sim.apply(format!("restart {second}").into()).unwrap();
    assert!(
        sim.timeline_length() as f64 > n,
        "recording again after off"
    );
    let msg = error_message(sim.set_trace_level("loud".into()));
    assert!(
        msg.starts_with("traceLevel: must be all, protocol, changes, none or off"),
        "{msg}"
    );
}

#[wasm_bindgen_test]
fn trace_levels_keep_what_they_promise() {
    let count = |level: &str| {
        let mut sim = nacos(7.0);
        sim.set_trace_level(level.into()).unwrap();
        sim.step(30_000.0).unwrap();
        let events: Array = sim.events().unwrap().into();
        events
            .iter()
            .map(|e| get(&e, "event").as_string().unwrap())
            .collect::<Vec<_>>()
    };
    let all = count("all");
    let protocol = count("protocol");
    let changes = count("changes");
    assert!(all.iter().any(|e| e == "send"));
    assert!(
        !protocol.iter().any(|e| e == "send"),
        "protocol leaves out sends"
    );
    assert!(
        protocol.iter().any(|e| e == "receivedBeat"),
        "but keeps every receivedBeat"
    );
    assert!(changes.len() < protocol.len() && protocol.len() < all.len());
    assert!(changes.iter().any(|e| e == "decideLeader") && changes.iter().any(|e| e == "role"));
}

#[wasm_bindgen_test]
fn single_steps_stop_at_the_next_traced_event() {
    let mut sim = nacos(7.0);
    let mut times = Vec::new();
    for _ in 0..12 {
        assert!(sim.step_event(None).unwrap());
        let events: Array = sim.events().unwrap().into();
        assert!(events.length() >= 1, "each step shows at least one event");
        let last = events.get(events.length() - 1);
        assert_eq!(
            get(&last, "t_ms").as_f64(),
            Some(sim.time_ms()),
            "the clock stands at the event"
        );
        times.push(sim.time_ms());
    }
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert!(sim.next_event_ms().unwrap() >= sim.time_ms());
    // Bounded by a planned action's time: no event after it runs, however
    // far the next traced one is; events up to it do.
    let now = sim.time_ms();
    let next = sim.next_event_ms().unwrap();
    assert!(sim.step_event(Some(next - 0.001)).unwrap());
    assert_eq!(
        (sim.time_ms(), sim.next_event_ms()),
        (now, Some(next)),
        "nothing ran before the bound"
    );
    assert!(sim.step_event(Some(next)).unwrap());
    assert_eq!(sim.time_ms(), next, "the event at the bound ran");
    assert!(error_message(sim.step_event(Some(f64::NAN))).starts_with("untilMs: "));
}

#[wasm_bindgen_test]
fn actions_replayed_at_their_times_give_the_same_run() {
    let mut a = nacos(5.0);
    a.step(20_000.0).unwrap();
    let pinned = a.apply("drop-beats from=leader count=2".into()).unwrap();
    assert!(
        pinned.starts_with("drop-beats from=") && !pinned.contains("leader"),
        "`leader` is pinned: {pinned}"
    );
    a.step(1_234.5).unwrap();
    a.partition(js_sys::JSON::parse("[[1,2],[3,4,5]]").unwrap())
        .unwrap();
    a.step(40_000.0).unwrap();
    a.network(config(&[("loss", 0.25.into()), ("latencyMax", 20.into())]))
        .unwrap();
    a.cut(JsValue::from(3), JsValue::from("S4"), Some(true))
        .unwrap();
    a.step(30_000.0).unwrap();
    assert_eq!(a.action_count(), 4);
    // A new simulation from the same seed, fed the logged actions with applyAt.
    let mut b = nacos(5.0);
    for act in a.actions().unwrap().iter() {
        b.apply_at(get(&act, "tMs").as_f64().unwrap(), get(&act, "command"))
            .unwrap();
    }
    b.step(a.time_ms() - b.time_ms()).unwrap();
    assert_eq!(a.node_data().to_vec(), b.node_data().to_vec());
    assert_eq!(a.message_data().to_vec(), b.message_data().to_vec());
    assert_eq!(a.event_count(), b.event_count());
    assert_eq!(a.to_script(), b.to_script());
    assert_eq!(b.cuts().to_vec(), vec![3, 4, 4, 3]);
    let settings = b.settings().unwrap();
    assert_eq!(get(&settings, "loss").as_f64(), Some(0.25));
    assert_eq!(get(&settings, "latencyMax").as_f64(), Some(20.0));
    assert_eq!(
        get(&settings, "leaderTimeout").as_f64(),
        Some(15_000.0),
        "defaults are reported too"
    );
}

fn object(js: &str) -> JsValue {
    js_sys::JSON::parse(js).unwrap()
}

#[wasm_bindgen_test]
fn act_takes_action_objects_and_logs_them_exactly() {
    let mut a = nacos(5.0);
    a.step(20_000.0).unwrap();
    let leader = a.leader().unwrap();
    let logged = a
        .act(object(
            r#"{"do": "dropBeats", "from": "leader", "count": 2}"#,
        ))
        .unwrap();
    assert_eq!(
        get(&logged, "command").as_string().unwrap(),
        format!("drop-beats from={leader} count=2"),
        "`leader` is pinned"
    );
    assert_eq!(
        get(&get(&logged, "action"), "from").as_f64(),
        Some(f64::from(leader))
    );
    assert_eq!(get(&logged, "tMs").as_f64(), Some(20_000.0));
    a.step(1_000.0).unwrap();
    a.act(object(
        r#"{"do": "network", "loss": 0.1234567, "latency": "1.234ms..9ms"}"#,
    ))
    .unwrap();
    a.act(object(
        r#"{"do": "partition", "groups": [[1, 2], ["S3", 4, 5]]}"#,
    ))
    .unwrap();
    a.act(object(r#"{"do": "crash", "node": 1}"#)).unwrap();
    let settings = a.settings().unwrap();
    assert_eq!(
        get(&settings, "loss").as_f64().map(f64::to_bits),
        Some(0.1234567f64.to_bits()),
        "settings() keeps every digit"
    );
    assert_eq!(get(&settings, "latencyMin").as_f64(), Some(1.234));
    let script = a.to_script();
    assert!(
        script.contains("\nnetwork latency=1.234ms..9ms loss=0.1234567\n"),
        "{script}"
    );
    assert!(script.contains("\npartition 1,2 | 3,4,5\n"), "{script}");
    // The logged objects replay the same run through applyAt.
    let mut b = nacos(5.0);
    for act in a.actions().unwrap().iter() {
        b.apply_at(get(&act, "tMs").as_f64().unwrap(), get(&act, "action"))
            .unwrap();
    }
    b.step(a.time_ms() - b.time_ms()).unwrap();
    assert_eq!(a.to_script(), b.to_script());
    assert_eq!(a.node_data().to_vec(), b.node_data().to_vec());
    assert_eq!(a.event_count(), b.event_count());
    let action = get(&b.actions().unwrap().get(1), "action");
    assert_eq!(
        get(&action, "loss").as_f64().map(f64::to_bits),
        Some(0.1234567f64.to_bits())
    );
    assert_eq!(get(&action, "do").as_string().as_deref(), Some("network"));
}

#[wasm_bindgen_test]
fn act_refuses_bad_objects_naming_the_field() {
    let mut sim = nacos(1.0);
    for (arg, expected) in [
        (JsValue::from(5), "act: must be an object like {do: 'crash', node: 3}, got 5"),
        (JsValue::from_str("crash 1"), "act: must be an object"),
        (object("[1, 2]"), "act: must be an object"),
        (JsValue::NULL, "act: must be an object"),
        (object(r#"{"node": 1}"#), "act.do: is missing"),
        (object(r#"{"do": "explode"}"#), "act.do: must be one of crash, restart, timeout, isolate, pause, partition, heal, cut, restore, dropBeats, allowBeats, dropMessage, network, periodicCrash, alignTimers, spreadTimers, write, delete, workload, got `explode`"),
        (object(r#"{"do": 7}"#), "act.do: must be one of"),
        (object(r#"{"do": "crash"}"#), "act.node: is missing; crash needs it"),
        (object(r#"{"do": "crash", "node": true}"#), "act.node: must be a node id (3 or S3) or `leader`, got true"),
        (object(r#"{"do": "crash", "node": 9}"#), "act.node: node 9 does not exist"),
        (object(r#"{"do": "crash", "node": 1, "when": "now"}"#), "act.when: is not a field of crash (it takes node)"),
        (object(r#"{"do": "dropBeats", "from": 3, "count": -1}"#), "act.count: must be a whole number of heartbeat rounds, at least 1, got -1"),
        (object(r#"{"do": "dropBeats", "from": 3, "count": "2"}"#), "act.count: must be a whole number"),
        (object(r#"{"do": "partition", "groups": [1, 2]}"#), "act.groups: must be an array of arrays"),
        (object(r#"{"do": "partition", "groups": {"a": 1}}"#), "act.groups: must be an array of arrays"),
        (object(r#"{"do": "network", "loss": 2}"#), "act.loss: must be a probability between 0 and 1, got 2"),
        (object(r#"{"do": "network", "loss": "0.1"}"#), "act.loss: must be a number between 0 and 1"),
        (object(r#"{"do": "network"}"#), "act.loss: is missing"),
        (object(r#"{"do": "cut", "from": 1, "to": 2, "both": 1}"#), "act.both: must be true or false, got 1"),
        (object(r#"{"do": "periodicCrash", "every": -5}"#), "act.every: must not be negative"),
        (object(r#"{"do": "dropMessage", "id": 1.5}"#), "act.id: must be a whole number"),
    ] {
        let msg = error_message(sim.act(arg));
        assert!(msg.starts_with(expected), "expected `{expected}`, got `{msg}`");
    }
    assert_eq!(sim.action_count(), 0, "nothing refused was logged");
    sim.step(1_000.0).unwrap();
    sim.act(object(r#"{"do": "heal", "node": null}"#)).unwrap();
    assert_eq!(sim.action_count(), 1);
}

#[wasm_bindgen_test]
fn node_data_flags_dropped_beats_and_partitions() {
    let mut sim = nacos(7.0);
    sim.step(7_000.0).unwrap();
    let leader = sim.leader().unwrap();
    sim.drop_beats(JsValue::from(leader), JsValue::UNDEFINED)
        .unwrap();
    sim.apply("drop-beats to=1".into()).unwrap();
    sim.isolate(JsValue::from(2)).unwrap();
    let d = sim.node_data().to_vec();
    let at = |id: u32, k: usize| d[(id as usize - 1) * NODE_STRIDE + k];
    assert_eq!(
        at(leader, 9) as u32 & 1,
        1,
        "the leader's beats are dropped"
    );
    assert_eq!(at(1, 9) as u32 & 2, 2, "beats to S1 are dropped");
    assert_ne!(at(2, 8), at(3, 8), "S2 is on its own side");
    let rules = Array::from(&sim.rules().unwrap());
    assert_eq!(rules.length(), 2);
    assert_eq!(get(&rules.get(0), "scope").as_string().unwrap(), "from");
    assert_eq!(get(&rules.get(0), "from").as_f64(), Some(f64::from(leader)));
    assert_eq!(get(&rules.get(1), "to").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn scenarios_become_schedules() {
    let plan = parse_scenario(
        "# Drop the leader's beats.\ncluster model=nacos nodes=5 seed=7\nrun until=6s\n# Every beat of S5 is lost.\ndrop-beats from=S5\n----\n  golden output is ignored\n\nrun for=30s\nexpect leader != S5".into(),
    )
    .unwrap();
    let config: Array = get(&plan, "config").into();
    assert_eq!(config.length(), 3);
    let steps: Array = get(&plan, "steps").into();
    assert_eq!(steps.length(), 1);
    assert_eq!(get(&steps.get(0), "tMs").as_f64(), Some(6_000.0));
    assert_eq!(
        get(&steps.get(0), "command").as_string().unwrap(),
        "drop-beats from=S5"
    );
    assert_eq!(
        get(&steps.get(0), "note").as_string().unwrap(),
        "Every beat of S5 is lost."
    );
    assert_eq!(get(&plan, "endMs").as_f64(), Some(36_000.0));
    assert_eq!(
        get(&plan, "about").as_string().unwrap(),
        "Drop the leader's beats."
    );
    // `;` separates commands too, for an HTML attribute.
    let plan = parse_scenario("run until=2s; crash 1; run for=1s; restart 1".into()).unwrap();
    let steps: Array = get(&plan, "steps").into();
    assert_eq!(steps.length(), 2);
    assert_eq!(get(&steps.get(1), "tMs").as_f64(), Some(3_000.0));
    let msg = error_message(parse_scenario("run until=2s; explode 1".into()));
    assert!(msg.starts_with("scenario line 2:"), "{msg}");
    // One line: `;` ends a comment too. Several lines (docs/embedding.md's
    // attribute): a comment runs to its line's end, minus a closing `;`.
    for text in [
        "# Lost.; cluster seed=7; run until=6s; # From now on.; drop-beats from=leader",
        "# Lost.;\n  cluster seed=7;\n  run until=6s;\n  # From now on.;\n  drop-beats from=leader;\n",
    ] {
        let plan = parse_scenario(text.into()).unwrap();
        assert_eq!(get(&plan, "about").as_string().unwrap(), "Lost.", "{text}");
        let steps: Array = get(&plan, "steps").into();
        assert_eq!(steps.length(), 1, "{text}");
        assert_eq!(get(&steps.get(0), "note").as_string().unwrap(), "From now on.", "{text}");
        assert_eq!(get(&steps.get(0), "tMs").as_f64(), Some(6_000.0), "{text}");
    }
}

#[wasm_bindgen_test]
fn a_pause_is_a_stop_with_its_caption_and_no_command() {
    let plan = parse_scenario(
        "# For readers of the file.\n\n# The tour.\ncluster seed=7\nrun until=6s\ndrop-beats from=leader\n# The leader's beats are lost; for good.\npause\nrun for=5s\npause".into(),
    )
    .unwrap();
    // A caption is the paragraph right above its command.
    assert_eq!(get(&plan, "about").as_string().unwrap(), "The tour.");
    let steps: Array = get(&plan, "steps").into();
    assert_eq!(steps.length(), 3);
    let stop = steps.get(1);
    assert_eq!(get(&stop, "tMs").as_f64(), Some(6_000.0));
    assert_eq!(get(&stop, "pause").as_bool(), Some(true));
    assert!(get(&stop, "command").is_undefined());
    assert_eq!(
        get(&stop, "note").as_string().unwrap(),
        "The leader's beats are lost; for good.",
        "in lines of text a comment keeps its `;`"
    );
    assert_eq!(get(&steps.get(2), "tMs").as_f64(), Some(11_000.0));
    assert_eq!(get(&steps.get(2), "note").as_string().unwrap(), "");
    let msg = error_message(parse_scenario("run until=2s; pause now".into()));
    assert!(
        msg.starts_with("scenario line 2: pause: alone it is a tour's stop"),
        "{msg}"
    );
    // With a node and a span it is a stall, an action like any other.
    let plan = parse_scenario("run until=2s; pause S1 for=3s; pause".into()).unwrap();
    let steps: Array = get(&plan, "steps").into();
    assert_eq!(steps.length(), 2);
    assert_eq!(
        get(&steps.get(0), "command").as_string().unwrap(),
        "pause S1 for=3s"
    );
    assert!(
        get(&steps.get(0), "pause").is_undefined(),
        "an action is no stop"
    );
    assert_eq!(get(&steps.get(1), "pause").as_bool(), Some(true));
    // Not an action: the page never sends it to the core.
    let mut sim = nacos(1.0);
    let msg = error_message(sim.apply("pause".into()));
    assert!(msg.starts_with("command: must be an action"), "{msg}");
}

#[wasm_bindgen_test]
fn every_action_refuses_bad_arguments_by_name() {
    let mut sim = nacos(1.0);
    let cases: Vec<(Result<(), JsError>, &str)> = vec![
        (
            sim.drop_beats(JsValue::from(2), JsValue::from(-1))
                .map(drop),
            "count: must be a whole number >= 1, got -1",
        ),
        (
            sim.drop_beats(JsValue::from(2), JsValue::from(2.5))
                .map(drop),
            "count: must be a whole number >= 1, got 2.5",
        ),
        (
            sim.drop_beats(JsValue::from(77), JsValue::UNDEFINED)
                .map(drop),
            "node: node 77 does not exist",
        ),
        (
            sim.drop_beats(JsValue::UNDEFINED, JsValue::UNDEFINED)
                .map(drop),
            "node: `leader` names no node",
        ),
        (
            sim.allow_beats(JsValue::from(1.5)),
            "rule: must be a whole number >= 1",
        ),
        (
            sim.allow_beats(JsValue::from(4)),
            "rule: no drop rule #4 is active",
        ),
        (
            sim.partition(JsValue::from_str("1,2|3")),
            "groups: must be an array of arrays",
        ),
        (
            sim.partition(js_sys::JSON::parse("[[1,9]]").unwrap()),
            "groups: node 9 does not exist",
        ),
        (
            sim.cut(JsValue::from(1), JsValue::from(1), None),
            "to: must differ from `from`",
        ),
        (
            sim.restore(JsValue::from("S0"), JsValue::from(2), None),
            "from: node 0 does not exist",
        ),
        (
            sim.network(config(&[("loss", 3.into())])),
            "network.loss: must be a probability between 0 and 1",
        ),
        (
            sim.network(config(&[("heartbeat", 3.into())])),
            "heartbeat: network takes latency=",
        ),
        (sim.network(config(&[])), "network: expected"),
        (sim.drop_message(f64::NAN), "id: must be a message id"),
        (
            sim.drop_message(12345.0),
            "message: message #12345 is not in flight",
        ),
        (
            sim.timeout(JsValue::from(f64::INFINITY)),
            "node: must be a node id",
        ),
        (
            sim.restart(JsValue::NULL),
            "node: must be a number, a string or a boolean",
        ),
        (
            sim.apply("crash 1\nheal".into()).map(drop),
            "command: must be one line",
        ),
        (
            sim.apply("run for=5s".into()).map(drop),
            "command: must be an action",
        ),
        (
            sim.inspect(JsValue::from(0)).map(drop),
            "node: node 0 does not exist",
        ),
        (
            sim.timeline(-1.0).map(drop),
            "from: must be a whole number >= 0",
        ),
        (
            sim.step_budget(10.0, 0.0).map(drop),
            "maxEvents: must be a number >= 1",
        ),
        (sim.step(3_600_001.0), "dtMs: must be at most"),
        (
            sim.apply_at(-1.0, "heal".into()).map(drop),
            "tMs: must not be negative",
        ),
        // Text parameters take any JS value: a number or an object once
        // trapped in wasm-bindgen's string copy.
        (
            sim.apply(JsValue::from(5)).map(drop),
            "command: must be a string, got 5",
        ),
        (
            sim.apply_at(10.0, JsValue::from(5)).map(drop),
            "act: must be an object like {do: 'crash', node: 3}, got 5",
        ),
        (
            sim.apply_at(10.0, Object::new().into()).map(drop),
            "act.do: is missing",
        ),
        (
            sim.set_trace_level(JsValue::NULL),
            "traceLevel: must be a string, got null",
        ),
        (
            parse_scenario(JsValue::from(true)).map(drop),
            "text: must be a string, got true",
        ),
        (
            sim.network(JsValue::from(5)),
            "settings: must be an object like {latencyMin",
        ),
    ];
    for (result, expected) in cases {
        let msg = error_message(result);
        assert!(
            msg.starts_with(expected),
            "expected `{expected}`, got `{msg}`"
        );
    }
    // Absurd sizes and values in the config.
    for (key, value, expected) in [
        (
            "nodes",
            JsValue::from(1e9),
            "nodes: must be between 1 and 1001",
        ),
        ("nodes", JsValue::from(2.5), "nodes: must be a whole number"),
        ("seed", JsValue::from(-1), "seed: must be a whole number"),
        (
            "seed",
            JsValue::from_str("12345678901234567890123"),
            "seed: must be a whole number",
        ),
        ("model", JsValue::from(3), "model: must be a model name"),
        ("timings", JsValue::from(5), "timings: is not a setting"),
        (
            "heartbeat",
            JsValue::from(f64::INFINITY),
            "timings.heartbeat: must be a finite number",
        ),
        (
            "heartbeat",
            JsValue::from_str("5 parsecs"),
            "timings.heartbeat: unknown unit",
        ),
    ] {
        let msg = error_message(Simulation::new(config(&[(key, value)])));
        assert!(
            msg.starts_with(expected),
            "{key}: expected `{expected}`, got `{msg}`"
        );
    }
    // Still alive and well after all of that.
    sim.step(20_000.0).unwrap();
    assert!(sim.leader().is_some());
}

#[wasm_bindgen_test]
fn config_objects_are_read_by_field_and_bad_values_named() {
    let array = || JsValue::from(Array::of1(&3.into()));
    for (value, expected) in [
        (
            config(&[("nodes", array())]),
            "nodes: must be a number, a string or a boolean, got an array",
        ),
        (
            config(&[("seed", Object::new().into())]),
            "seed: must be a number, a string or a boolean, got an object",
        ),
        (
            config(&[("timings", config(&[("heartbeat", array())]))]),
            "timings.heartbeat: must be a number, a string or a boolean, got an array",
        ),
        (
            config(&[("timings", config(&[("heartbeat", config(&[]))]))]),
            "timings.heartbeat: must be a number, a string or a boolean, got an object",
        ),
        (
            config(&[("nodes", js_sys::Function::new_no_args("").into())]),
            "nodes: must be a number, a string or a boolean",
        ),
        (
            config(&[("nodes", f64::NAN.into())]),
            "nodes: must be a whole number, got NaN",
        ),
        (
            config(&[("network", config(&[("loss", f64::NAN.into())]))]),
            "network.loss: must be",
        ),
        (config(&[("nodez", 3.into())]), "nodez: is not a setting"),
        (
            config(&[("nodes", JsValue::NULL)]),
            "nodes: must be a number, a string or a boolean, got null",
        ),
        (
            JsValue::from(7),
            "config: must be an object like {model: 'nacos', nodes: 5, seed: 7}, got 7",
        ),
        (Array::new().into(), "config: must be an object like"),
    ] {
        let msg = error_message(Simulation::new(value));
        assert!(
            msg.starts_with(expected),
            "expected `{expected}`, got `{msg}`"
        );
    }
    // undefined is "not given": the defaults hold.
    let sim = Simulation::new(config(&[
        ("model", JsValue::UNDEFINED),
        ("nodes", JsValue::UNDEFINED),
        ("seed", 3.into()),
    ]))
    .unwrap();
    assert_eq!(
        (sim.model(), sim.node_count(), sim.seed()),
        ("nacos".to_string(), 5, "3".to_string())
    );
    // A 64-bit seed as a BigInt keeps every digit; strings and booleans pass as they are.
    let big = js_sys::BigInt::from(u64::MAX);
    let sim = Simulation::new(config(&[
        ("seed", big.into()),
        ("model", "raft".into()),
        ("preVote", true.into()),
        ("timings", config(&[("heartbeat", "40ms".into())])),
    ]))
    .unwrap();
    assert_eq!(sim.seed(), u64::MAX.to_string());
    let settings = sim.settings().unwrap();
    assert_eq!(get(&settings, "preVote").as_bool(), Some(true));
    assert_eq!(get(&settings, "heartbeat").as_f64(), Some(40.0));
}

#[wasm_bindgen_test]
fn snapshots_cross_as_plain_objects_with_camel_case_fields() {
    let mut sim = Simulation::new(config(&[("model", "raft".into()), ("seed", 1.into())])).unwrap();
    let settings = sim.settings().unwrap();
    assert_eq!(get(&settings, "seed").as_string().as_deref(), Some("1"));
    assert_eq!(get(&settings, "checkQuorum").as_bool(), Some(false));
    assert!(
        get(&settings, "tick").is_undefined(),
        "Nacos's timings are left out of a Raft cluster's settings"
    );
    assert!(get(&settings, "periodicCrash").is_null());
    let (leader, _) = wait_for_leader(&mut sim, 5_000.0, None).expect("raft elects within 5 s");
    let nodes = Array::from(&sim.nodes().unwrap());
    let node = nodes.get(leader - 1);
    // Each as nodeData has it (role code 3 LEADER, -1 for no countdown).
    let flat = sim.node_data().to_vec();
    let at = |k: usize| flat[(leader as usize - 1) * NODE_STRIDE + k];
    assert_eq!(get(&node, "role").as_string().as_deref(), Some("LEADER"));
    assert_eq!(get(&node, "term").as_f64(), Some(at(2)));
    assert_eq!(get(&node, "voteFor").as_f64(), Some(at(3)));
    assert!(get(&node, "leaderDueMs").is_null() && at(6) == -1.0);
    assert_eq!(get(&node, "heartbeatDueMs").as_f64(), Some(at(7)));
    // Messages: each as messageData has it, times in ms.
    while sim.in_flight() == 0 {
        sim.step(1.0).unwrap();
    }
    let messages = Array::from(&sim.messages().unwrap());
    let flat = sim.message_data().to_vec();
    assert_eq!(
        messages.length() as usize * raftbeat::wasm::MESSAGE_STRIDE,
        flat.len()
    );
    let m = messages.get(0);
    assert_eq!(get(&m, "id").as_f64(), Some(flat[0]));
    assert_eq!(
        (get(&m, "sentMs").as_f64(), get(&m, "dueMs").as_f64()),
        (Some(flat[4]), Some(flat[5]))
    );
    assert!(
        get(&m, "kind").as_string().is_some()
            && (get(&m, "granted").is_null() || get(&m, "granted").as_bool().is_some())
    );
    let fields = Array::from(&sim.inspect(JsValue::from(leader)).unwrap());
    assert!(fields.length() > 0);
    assert!(fields.iter().all(|f| Array::is_array(&f)
        && Array::from(&f).get(0).is_string()
        && Array::from(&f).get(1).is_string()));
    sim.apply("periodic-crash every=40s down=10s".into())
        .unwrap();
    let periodic = get(&sim.settings().unwrap(), "periodicCrash");
    assert_eq!(
        (
            get(&periodic, "every").as_f64(),
            get(&periodic, "down").as_f64()
        ),
        (Some(40_000.0), Some(10_000.0))
    );
    sim.apply("periodic-crash off".into()).unwrap();
    // Isolated, a Raft leader stays LEADER while the others elect: two leaders at once.
    let mut sim = Simulation::new(config(&[("model", "raft".into()), ("seed", 1.into())])).unwrap();
    let (old, _) = wait_for_leader(&mut sim, 5_000.0, None).unwrap();
    sim.isolate(JsValue::from(old)).unwrap();
    wait_for_leader(&mut sim, 5_000.0, Some(old)).expect("the others elect");
    sim.heal().unwrap();
    sim.step(2_000.0).unwrap();
    let findings = Array::from(&sim.findings().unwrap());
    assert!(findings.length() >= 1);
    let f = findings.get(0);
    assert_eq!(get(&f, "kind").as_string().as_deref(), Some("two-leaders"));
    let (t, until) = (
        get(&f, "tMs").as_f64().unwrap(),
        get(&f, "untilMs")
            .as_f64()
            .expect("the overlap ended at the heal"),
    );
    assert!(t < until && until <= sim.time_ms(), "{t} .. {until}");
    assert!(
        get(&f, "t_ms").is_undefined()
            && get(&f, "text")
                .as_string()
                .unwrap()
                .contains("leaders at once")
    );
    let involved = Array::from(&get(&f, "nodes"));
    assert_eq!(involved.length(), 2);
    assert!(get(&involved.get(0), "term").as_f64().unwrap() >= 1.0);
}

/// Every scenario script with its golden blocks, written by the native
/// build (`tests/scenarios.rs` checks the same files natively; a native test
/// there checks this list names them all).
macro_rules! scenarios {
    ($($file:literal,)*) => { &[$(($file, include_str!(concat!("scenarios/", $file)))),*] };
}
const SCENARIOS: &[(&str, &str)] = scenarios![
    "01-first-election.txt",
    "02-stable-leader.txt",
    "03-drop-leader-beats.txt",
    "04-leader-crash-restart.txt",
    "05-leader-in-minority.txt",
    "06-rejoin-disrupts.txt",
    "07-lower-term-follower.txt",
    "08-nacos-periodic-crash.txt",
    "09-raft-align-spread.txt",
    "10-raft-rejoin-without-prevote.txt",
    "11-raft-rejoin-with-prevote.txt",
    "12-raft-leader-minority-without-checkquorum.txt",
    "13-raft-leader-minority-with-checkquorum.txt",
    "14-raft-rejoin-prevote-race.txt",
    "15-raft-leader-minority-prevote-checkquorum.txt",
    "16-nacos-align-timers.txt",
    "17-nacos-write-forwarding.txt",
    "18-nacos-publish-timeout.txt",
    "19-nacos-publish-refusals.txt",
    "20-nacos-pull-batches.txt",
    "21-nacos-dead-keys.txt",
    "22-nacos-term-rule-1.2.txt",
    "23-nacos-term-rule-1.4.txt",
    "24-nacos-restart-term-1.4.txt",
    "25-nacos-restart-term-1.2.txt",
    "26-raft-lagging-follower.txt",
    "27-raft-conflict-backtracking.txt",
    "28-raft-figure-8.txt",
    "29-raft-redirect.txt",
    "30-raft-restart-keeps-log.txt",
    "31-raft-snapshot.txt",
    "32-nacos-staggered-boot.txt",
    "33-raft-staggered-boot.txt",
    "34-nacos-stalled-follower.txt",
    "35-nacos-stalled-leader.txt",
    "36-raft-stalled-leader.txt",
    "37-nacos-delete-overtaken-1.4.txt",
    "38-nacos-delete-overtaken-1.2.txt",
    "39-nacos-new-key-beat-overtaken.txt",
    "40-nacos-http-cut-to-follower.txt",
    "41-nacos-http-cut-to-leader.txt",
    "42-nacos-http-partition.txt",
    "43-nacos-http-refused.txt",
    "44-nacos-http-read-timeout.txt",
    "45-nacos-http-reply-to-restarted.txt",
    "46-nacos-http-loss.txt",
    "47-nacos-http-proxy-failed.txt",
    "48-raft-disk-write.txt",
    "49-nacos-beat-phase.txt",
];

/// The guided tours: no golden blocks, but every `expect` behind a caption
/// must hold in wasm too (the page plays them there).
const TOURS: &[(&str, &str)] = &[
    (
        "nacos-heartbeats.txt",
        include_str!("../www/tours/nacos-heartbeats.txt"),
    ),
    (
        "nacos-partition.txt",
        include_str!("../www/tours/nacos-partition.txt"),
    ),
    (
        "nacos-split-vote.txt",
        include_str!("../www/tours/nacos-split-vote.txt"),
    ),
    (
        "nacos-stale-votes.txt",
        include_str!("../www/tours/nacos-stale-votes.txt"),
    ),
    (
        "nacos-gc-pause.txt",
        include_str!("../www/tours/nacos-gc-pause.txt"),
    ),
    (
        "raft-heartbeats.txt",
        include_str!("../www/tours/raft-heartbeats.txt"),
    ),
    (
        "raft-split-vote.txt",
        include_str!("../www/tours/raft-split-vote.txt"),
    ),
    (
        "nacos-write.txt",
        include_str!("../www/tours/nacos-write.txt"),
    ),
    (
        "nacos-partition-writes.txt",
        include_str!("../www/tours/nacos-partition-writes.txt"),
    ),
    (
        "nacos-lost-write.txt",
        include_str!("../www/tours/nacos-lost-write.txt"),
    ),
    (
        "raft-write.txt",
        include_str!("../www/tours/raft-write.txt"),
    ),
    (
        "raft-figure-8.txt",
        include_str!("../www/tours/raft-figure-8.txt"),
    ),
];

#[wasm_bindgen_test]
fn every_tour_caption_holds_in_wasm() {
    for (name, text) in TOURS {
        let parsed = raftbeat::script::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = raftbeat::script::run(&parsed, None);
        let failed: Vec<_> = report
            .failures()
            .map(|f| {
                format!(
                    "{name}:{}: {}",
                    f.line_no,
                    f.failure.as_deref().unwrap_or("")
                )
            })
            .collect();
        assert!(failed.is_empty(), "{}", failed.join("\n"));
        assert_eq!(
            report.outcomes.len(),
            parsed.chunks.len(),
            "{name}: stopped early"
        );
    }
}

#[wasm_bindgen_test]
fn wasm_runs_every_scenario_exactly_as_native_wrote_it() {
    // The golden blocks hold each command's trace to the microsecond, made
    // natively: the wasm build (32-bit, its own multiply in the RNG) must
    // print the same, event for event.
    for (name, text) in SCENARIOS {
        let parsed = raftbeat::script::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = raftbeat::script::run(&parsed, None);
        assert!(
            report.failures().next().is_none(),
            "{name}: an expectation failed in wasm"
        );
        let mismatches = report.golden_mismatches(&parsed);
        if let Some((chunk, outcome)) = mismatches.first() {
            panic!(
                "{name}:{}: `{}` differs in wasm from its native golden block\n--- native\n{}\n--- wasm\n{}",
                chunk.line_no,
                chunk.text.trim(),
                chunk.expected.as_deref().unwrap_or_default().join("\n"),
                outcome.output.join("\n")
            );
        }
        assert!(
            parsed.chunks.iter().all(|c| c.expected.is_some()),
            "{name}: a command without a golden block"
        );
    }
}

/// Rust's own round-trip text of `x` (`{}`, or `{:e}` below 1e-5 and from
/// 1e16): what scripts and share links written natively hold.
fn rust_float_text(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-5..1e16).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A fixed-seed xorshift64: the same bit patterns on every run.
fn xorshift_bits(n: usize) -> Vec<u64> {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        })
        .collect()
}

#[wasm_bindgen_test]
fn floats_print_and_parse_in_wasm_exactly_as_natively() {
    // In wasm the digits come from JavaScript and the parsing from
    // parseFloat; the text must be Rust's, byte for byte, and read back bit
    // for bit.
    let below = |x: f64| f64::from_bits(x.to_bits() - 1);
    let mut values = vec![
        0.0,
        -0.0,
        5e-324,
        -5e-324,
        f64::from_bits(0x000F_FFFF_FFFF_FFFF),
        f64::MIN_POSITIVE,
        1e-5,
        below(1e-5),
        -1e-5,
        1e16,
        below(1e16),
        -1e16,
        f64::MAX,
        f64::MIN,
        0.1234567,
        0.1,
        0.30000000000000004,
        1e-9,
        1.5e20,
        -2.5e-7,
        1e21,
        1e-7,
        123456789.123,
    ];
    values.extend((0..=53).map(|p| (1u64 << p) as f64));
    values.extend((0..=53).map(|p| ((1u64 << p) - 1) as f64));
    let bits = xorshift_bits(3000);
    values.extend(
        bits.iter()
            .map(|&b| f64::from_bits(b))
            .filter(|x| x.is_finite()),
    );
    // Around the plain-decimal range too (about 1e-7 to 1e17), where random
    // bit patterns rarely land.
    values.extend(bits.iter().map(|&b| {
        let biased_exp = 1000 + (b >> 52) % 80;
        f64::from_bits((b & ((1 << 52) - 1)) | biased_exp << 52 | (b >> 63) << 63)
    }));
    for x in values {
        let text = raftbeat::num::fmt_f64_exact(x);
        assert_eq!(text, rust_float_text(x), "{:#x}", x.to_bits());
        assert_eq!(
            raftbeat::num::parse_f64(&text).map(f64::to_bits),
            Some(x.to_bits()),
            "{text}"
        );
    }
    // Longer texts than the shortest, rounding ties and the forms people
    // type: parseFloat rounds them as Rust's parser does.
    for text in [
        "9007199254740993",
        "9007199254740995",
        "2.2250738585072011e-308",
        "2.4703282292062328e-324",
        "2.4703282292062327e-324",
        "0.1000000000000000055511151231257827",
        "1.7976931348623158e308",
        "1e400",
        "-1e-400",
        "+5",
        "1.",
        ".5",
        "1E5",
        " 0.25 ",
        "-0",
    ] {
        let expected: f64 = text.trim().parse().unwrap();
        assert_eq!(
            raftbeat::num::parse_f64(text).map(f64::to_bits),
            Some(expected.to_bits()),
            "{text}"
        );
    }
    for bad in [
        "", ".", "1e", "e3", "NaN", "Infinity", "0x10", "1,5", "1e+-3",
    ] {
        assert_eq!(raftbeat::num::parse_f64(bad), None, "{bad}");
    }
}

/// `datums(node)` as (key, version, token) triples.
fn datums(sim: &Simulation, node: u32) -> Vec<(String, f64, f64)> {
    Array::from(&sim.datums(JsValue::from(node), JsValue::UNDEFINED).unwrap())
        .iter()
        .map(|d| {
            (
                get(&d, "key").as_string().unwrap(),
                get(&d, "version").as_f64().unwrap(),
                get(&d, "token").as_f64().unwrap(),
            )
        })
        .collect()
}

fn nacos3(seed: f64) -> Simulation {
    Simulation::new(config(&[
        ("model", "nacos".into()),
        ("nodes", 3.into()),
        ("seed", seed.into()),
    ]))
    .unwrap()
}

#[wasm_bindgen_test]
fn a_write_reaches_every_node_and_the_client_view_says_how_it_ended() {
    let mut sim = nacos3(7.0);
    let (leader, _) = wait_for_leader(&mut sim, 20_000.0, None).unwrap();
    sim.step(6_000.0).unwrap();
    let logged = sim.act(object(r#"{"do": "write", "key": "k1"}"#)).unwrap();
    assert_eq!(
        get(&logged, "command").as_string().unwrap(),
        format!("write k1 via={leader}"),
        "the leader the write went to is pinned"
    );
    sim.act(object(r#"{"do": "write", "key": "k2", "via": "leader"}"#))
        .unwrap();
    sim.step(1_000.0).unwrap();
    let client = sim.client(JsValue::UNDEFINED).unwrap();
    let counts = get(&client, "counts");
    assert_eq!(
        ["invoked", "ok", "failed"].map(|k| get(&counts, k).as_f64().unwrap()),
        [2.0, 2.0, 0.0]
    );
    assert!(get(&client, "workload").is_null());
    let recent = Array::from(&get(&client, "recent"));
    assert_eq!(recent.length(), 2);
    let first = recent.get(0);
    assert_eq!(get(&first, "op").as_f64(), Some(1.0));
    assert_eq!(get(&first, "kind").as_string().as_deref(), Some("write"));
    assert_eq!(get(&first, "key").as_string().as_deref(), Some("k1"));
    assert_eq!(get(&first, "via").as_f64(), Some(f64::from(leader)));
    assert_eq!(get(&first, "outcome").as_string().as_deref(), Some("ok"));
    assert!(get(&first, "reason").is_null());
    let (invoked, done) = (
        get(&first, "invokedMs").as_f64().unwrap(),
        get(&first, "doneMs").as_f64().unwrap(),
    );
    assert!(
        invoked < done && done <= sim.time_ms(),
        "{invoked} .. {done}"
    );
    assert_eq!(
        Array::from(&get(&sim.client(JsValue::from(1)).unwrap(), "recent")).length(),
        1,
        "`recent` limits the list to the newest"
    );
    // The commits reached every follower: the same datums everywhere, in key order.
    let want = vec![("k1".to_string(), 1.0, 1.0), ("k2".to_string(), 1.0, 2.0)];
    for n in 1..=3 {
        assert_eq!(datums(&sim, n), want, "S{n}");
        assert_eq!(sim.datum_count(JsValue::from(n)).unwrap(), 2);
    }
    let one = Array::from(&sim.datums(JsValue::from(1), JsValue::from(1)).unwrap());
    assert_eq!(one.length(), 1, "`limit` keeps the first keys");
    assert_eq!(get(&one.get(0), "key").as_string().as_deref(), Some("k1"));
    // A beat lists both keys and says its size, in both views of the wire.
    let lay = layout();
    let m = get(&lay, "message");
    let at = |k: &str| get(&m, k).as_f64().unwrap() as usize;
    let stride = at("stride");
    assert_eq!(stride, raftbeat::wasm::MESSAGE_STRIDE);
    let kinds = Array::from(&get(&lay, "kinds"));
    let mut seen_beat = false;
    for _ in 0..20_000 {
        sim.step(1.0).unwrap();
        let flat = sim.message_data().to_vec();
        let objects = Array::from(&sim.messages().unwrap());
        for (i, rec) in flat.chunks(stride).enumerate() {
            let o = objects.get(i as u32);
            let kind = kinds.get(rec[at("kind")] as u32).as_string().unwrap();
            assert_eq!(get(&o, "entries").as_f64(), Some(rec[at("entries")]));
            let bytes = rec[at("bytes")];
            assert_eq!(get(&o, "bytes").as_f64().unwrap_or(-1.0), bytes);
            if kind == "beat" {
                assert_eq!(rec[at("entries")], 2.0, "a beat lists every key");
                assert!(bytes > 0.0, "a beat listing keys is sized");
                seen_beat = true;
            } else if kind == "vote-request" {
                assert_eq!((rec[at("entries")], bytes), (0.0, -1.0));
            }
        }
        if seen_beat {
            break;
        }
    }
    assert!(seen_beat, "a beat went out within 20 s");
    // A delete leaves every node.
    sim.act(object(r#"{"do": "delete", "key": "k1"}"#)).unwrap();
    sim.step(1_000.0).unwrap();
    for n in 1..=3 {
        assert_eq!(datums(&sim, n), want[1..].to_vec(), "S{n}");
    }
    let script = sim.to_script();
    assert!(
        script.contains(&format!("\nwrite k1 via={leader}\n"))
            && script.contains(&format!("\ndelete k1 via={leader}\n")),
        "{script}"
    );
}

#[wasm_bindgen_test]
fn the_workload_runs_until_switched_off_and_replays_exactly() {
    let mut a = nacos3(3.0);
    wait_for_leader(&mut a, 20_000.0, None).unwrap();
    a.act(object(
        r#"{"do": "workload", "rate": 5, "keys": 10, "delete": 0.25}"#,
    ))
    .unwrap();
    let w = get(&a.client(JsValue::UNDEFINED).unwrap(), "workload");
    assert_eq!(get(&w, "rate").as_f64(), Some(5.0));
    assert_eq!(get(&w, "keys").as_f64(), Some(10.0));
    assert_eq!(get(&w, "via").as_string().as_deref(), Some("leader"));
    assert_eq!(get(&w, "delete").as_f64(), Some(0.25));
    a.step(10_000.0).unwrap();
    let invoked = |s: &Simulation| {
        get(
            &get(&s.client(JsValue::UNDEFINED).unwrap(), "counts"),
            "invoked",
        )
        .as_f64()
        .unwrap()
    };
    let during = invoked(&a);
    assert!(during >= 20.0, "about 50 operations in 10 s, got {during}");
    a.act(object(r#"{"do": "workload", "off": true}"#)).unwrap();
    assert!(get(&a.client(JsValue::UNDEFINED).unwrap(), "workload").is_null());
    a.step(10_000.0).unwrap();
    assert_eq!(invoked(&a), during, "no operation after `off`");
    let leader = a.leader().unwrap();
    assert!(a.datum_count(JsValue::from(leader)).unwrap() >= 1);
    assert!(a
        .to_script()
        .contains("\nworkload rate=5/s keys=10 delete=0.25\n"));
    assert!(a.to_script().contains("\nworkload off\n"));
    // The logged objects replay the same datums.
    let mut b = nacos3(3.0);
    for act in a.actions().unwrap().iter() {
        b.apply_at(get(&act, "tMs").as_f64().unwrap(), get(&act, "action"))
            .unwrap();
    }
    b.step(a.time_ms() - b.time_ms()).unwrap();
    assert_eq!(a.to_script(), b.to_script());
    for n in 1..=3 {
        assert_eq!(datums(&a, n), datums(&b, n));
    }
}

#[wasm_bindgen_test]
fn data_views_and_actions_refuse_bad_input_naming_the_field() {
    let mut sim = nacos3(1.0);
    for (arg, expected) in [
        (
            object(r#"{"do": "write", "key": "k1", "via": 9}"#),
            "act.via: node 9 does not exist",
        ),
        (
            object(r#"{"do": "write", "key": "k1", "via": "S0"}"#),
            "act.via: ",
        ),
        (object(r#"{"do": "write"}"#), "act.key: is missing"),
        (
            object(r#"{"do": "write", "key": 5}"#),
            "act.key: must be text, got 5",
        ),
        (
            object(r#"{"do": "write", "key": "a b"}"#),
            "act.key: must be 1 to 128 letters",
        ),
        (
            object(r#"{"do": "delete", "key": "k1", "node": 1}"#),
            "act.node: is not a field of delete",
        ),
        (
            object(r#"{"do": "workload", "rate": 10, "keys": 0}"#),
            "act.keys: must be a whole number",
        ),
        (
            object(r#"{"do": "workload", "rate": -1, "keys": 5}"#),
            "act.rate: must be a number of operations per second above 0",
        ),
        (
            object(r#"{"do": "workload", "rate": "fast", "keys": 5}"#),
            "act.rate: must be a number",
        ),
        (
            object(r#"{"do": "workload", "rate": 10, "keys": 5, "via": 2}"#),
            "act.via: must be `leader` or `any`",
        ),
        (
            object(r#"{"do": "workload", "rate": 10, "keys": 5, "delete": 2}"#),
            "act.delete: must be a probability between 0 and 1",
        ),
        (
            object(r#"{"do": "workload", "off": true, "rate": 3}"#),
            "act.rate: is not taken with off: true",
        ),
    ] {
        let msg = error_message(sim.act(arg));
        assert!(
            msg.starts_with(expected),
            "expected `{expected}`, got `{msg}`"
        );
    }
    assert_eq!(sim.action_count(), 0, "nothing refused was logged");
    for (result, expected) in [
        (
            sim.datums(JsValue::from(9), JsValue::UNDEFINED).map(drop),
            "node: node 9 does not exist",
        ),
        (
            sim.datums(JsValue::from_str("leader"), JsValue::UNDEFINED)
                .map(drop),
            "node: `leader` names no node",
        ),
        (
            sim.datums(JsValue::from(1), JsValue::from(0)).map(drop),
            "limit: must be a whole number >= 1, got 0",
        ),
        (
            sim.datums(JsValue::from(1), JsValue::from_str("5"))
                .map(drop),
            "limit: must be a whole number >= 1, got `5`",
        ),
        (
            sim.datum_count(JsValue::from(true)).map(drop),
            "node: must be a node id",
        ),
        (
            sim.client(JsValue::from(-1)).map(drop),
            "recent: must be a whole number >= 1, got -1",
        ),
    ] {
        let msg = error_message(result);
        assert!(
            msg.starts_with(expected),
            "expected `{expected}`, got `{msg}`"
        );
    }
    // With no leader, a write via the leader is a failed write, not an error.
    sim.act(object(r#"{"do": "write", "key": "k1"}"#)).unwrap();
    let op = Array::from(&get(&sim.client(JsValue::UNDEFINED).unwrap(), "recent")).get(0);
    assert_eq!(get(&op, "outcome").as_string().as_deref(), Some("failed"));
    assert_eq!(
        get(&op, "reason").as_string().as_deref(),
        Some("unreachable")
    );
    assert!(get(&op, "via").is_null());
    assert!(get(&op, "reasonText").as_string().is_some());
    // Config: the Nacos release and sendBeatOnly, read and reported.
    for (pairs, expected) in [
        (
            vec![("version", JsValue::from_str("2.0"))],
            "version: must be a Nacos release",
        ),
        (
            vec![("version", JsValue::from(2))],
            "version: must be a Nacos release",
        ),
        (
            vec![("sendBeatOnly", JsValue::from_str("maybe"))],
            "sendBeatOnly: must be true or false, got `maybe`",
        ),
        (
            vec![("sendBeatOnly", JsValue::from(2))],
            "sendBeatOnly: must be true or false, got 2",
        ),
        (
            vec![
                ("model", "raft".into()),
                ("version", JsValue::from_str("1.2")),
            ],
            "version: ",
        ),
    ] {
        let mut all = vec![("model", JsValue::from_str("nacos"))];
        all.extend(pairs);
        let msg = error_message(Simulation::new(config(&all)));
        assert!(
            msg.starts_with(expected),
            "expected `{expected}`, got `{msg}`"
        );
    }
    let old = Simulation::new(config(&[
        ("version", JsValue::from_str("1.2")),
        ("sendBeatOnly", JsValue::from(true)),
        ("seed", 1.into()),
    ]))
    .unwrap();
    let settings = old.settings().unwrap();
    assert_eq!(
        get(&settings, "version").as_string().as_deref(),
        Some("1.2")
    );
    assert_eq!(get(&settings, "sendBeatOnly").as_bool(), Some(true));
    assert!(
        old.config_text().contains("version=1.2")
            && old.config_text().contains("sendBeatOnly=true")
    );
    // As in a URL or a script, "yes" is read as true.
    let yes = Simulation::new(config(&[("sendBeatOnly", JsValue::from_str("yes"))])).unwrap();
    assert_eq!(
        get(&yes.settings().unwrap(), "sendBeatOnly").as_bool(),
        Some(true)
    );
    assert_eq!(
        get(&nacos3(1.0).settings().unwrap(), "version")
            .as_string()
            .as_deref(),
        Some("1.4"),
        "the default release is reported"
    );
    // Raft has no release setting; its datums are its state machine's.
    let mut raft =
        Simulation::new(config(&[("model", "raft".into()), ("seed", 1.into())])).unwrap();
    wait_for_leader(&mut raft, 5_000.0, None).unwrap();
    assert!(get(&raft.settings().unwrap(), "version").is_undefined());
    assert_eq!(raft.datum_count(JsValue::from(1)).unwrap(), 0);
    raft.act(object(r#"{"do": "write", "key": "k1"}"#)).unwrap();
    raft.step(100.0).unwrap();
    let op = Array::from(&get(&raft.client(JsValue::UNDEFINED).unwrap(), "recent")).get(0);
    assert_eq!(get(&op, "outcome").as_string().as_deref(), Some("ok"));
    assert_eq!(datums(&raft, 1), vec![("k1".to_string(), 1.0, 1.0)]);
}

fn raft5(seed: f64) -> Simulation {
    Simulation::new(config(&[
        ("model", "raft".into()),
        ("nodes", 5.into()),
        ("seed", seed.into()),
    ]))
    .unwrap()
}

#[wasm_bindgen_test]
fn a_raft_log_is_a_view_per_node_and_a_window_lined_up_by_index() {
    let mut sim = raft5(7.0);
    let (leader, _) = wait_for_leader(&mut sim, 5_000.0, None).unwrap();
    let lagging = if leader == 2 { 3 } else { 2 };
    // A follower down while the leader writes: its log stays behind.
    sim.act(object(&format!(r#"{{"do": "crash", "node": {lagging}}}"#)))
        .unwrap();
    for key in ["k1", "k2", "k3"] {
        sim.act(object(&format!(r#"{{"do": "write", "key": "{key}"}}"#)))
            .unwrap();
        sim.step(20.0).unwrap();
    }
    sim.step(100.0).unwrap();
    let term = get(&sim.nodes().unwrap(), &(leader - 1).to_string());
    let term = get(&term, "term").as_f64().unwrap();
    let log = sim.log(JsValue::from(leader), JsValue::UNDEFINED).unwrap();
    let num = |o: &JsValue, k: &str| get(o, k).as_f64().unwrap();
    assert_eq!(
        ["base", "last", "lastTerm", "commit", "applied", "snapshot"].map(|k| num(&log, k)),
        [0.0, 3.0, term, 3.0, 3.0, 0.0]
    );
    assert_eq!(get(&log, "baseCommitted").as_bool(), Some(true));
    let entries: Vec<(f64, f64, f64, String, String)> = Array::from(&get(&log, "entries"))
        .iter()
        .map(|e| {
            (
                num(&e, "index"),
                num(&e, "term"),
                num(&e, "op"),
                get(&e, "kind").as_string().unwrap(),
                get(&e, "key").as_string().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        (1..=3)
            .map(|i| (
                f64::from(i),
                term,
                f64::from(i),
                "write".to_string(),
                format!("k{i}")
            ))
            .collect::<Vec<_>>()
    );
    let newest = sim.log(JsValue::from("leader"), JsValue::from(2)).unwrap();
    assert_eq!(
        Array::from(&get(&newest, "entries"))
            .iter()
            .map(|e| num(&e, "index"))
            .collect::<Vec<_>>(),
        [2.0, 3.0],
        "`count` keeps the newest entries"
    );
    let behind = sim.log(JsValue::from(lagging), JsValue::UNDEFINED).unwrap();
    assert_eq!(
        ["last", "commit", "applied"].map(|k| num(&behind, k)),
        [0.0; 3]
    );
    assert_eq!(Array::from(&get(&behind, "entries")).length(), 0);

    // The flat window: per node its head, then a term per index from `first`.
    let lay = layout();
    let head = get(&lay, "log");
    let cell = get(&lay, "logCell");
    let stride = num(&head, "stride") as usize + 4;
    let data = sim.log_data(JsValue::from(4)).unwrap().to_vec();
    assert_eq!(data.len(), 5 * stride);
    let field = |node: u32, k: &str| data[(node as usize - 1) * stride + num(&head, k) as usize];
    let terms = |node: u32| {
        let at = (node as usize - 1) * stride + num(&head, "stride") as usize;
        data[at..at + 4].to_vec()
    };
    let none = num(&cell, "none");
    for node in 1..=5 {
        assert_eq!(field(node, "first"), 1.0, "the same window for every node");
    }
    assert_eq!(
        ["last", "lastTerm", "commit", "applied", "base", "snapshot"].map(|k| field(leader, k)),
        [3.0, term, 3.0, 3.0, 0.0, 0.0]
    );
    assert_eq!(terms(leader), [term, term, term, none]);
    assert_eq!(
        terms(lagging),
        [none; 4],
        "the lagging follower's cells are empty"
    );
    assert_eq!(field(lagging, "last"), 0.0);

    for (result, expected) in [
        (
            sim.log(JsValue::from(9), JsValue::UNDEFINED).map(drop),
            "node: node 9 does not exist",
        ),
        (
            sim.log(JsValue::from(1), JsValue::from(0)).map(drop),
            "count: must be a whole number from 1 to 256, got 0",
        ),
        (
            sim.log(JsValue::from(1), JsValue::from(2.5)).map(drop),
            "count: must be a whole number from 1 to 256, got 2.5",
        ),
        (
            sim.log_data(JsValue::from(65)).map(drop),
            "count: must be a whole number from 1 to 64, got 65",
        ),
        (
            sim.log_data(JsValue::UNDEFINED).map(drop),
            "count: must be a whole number from 1 to 64, got undefined",
        ),
    ] {
        let msg = error_message(result);
        assert!(
            msg.starts_with(expected),
            "expected `{expected}`, got `{msg}`"
        );
    }

    // Nacos keeps no log: null, and an empty window.
    let mut nacos = nacos3(7.0);
    assert!(nacos
        .log(JsValue::from(1), JsValue::UNDEFINED)
        .unwrap()
        .is_null());
    assert_eq!(nacos.log_data(JsValue::from(4)).unwrap().length(), 0);
}
