//! Fuzzing the inputs people type: script text, script commands, config
//! values. Nothing may panic: every bad input is an `Error` naming a field
//! (or a line) and a rule. Case counts scale with RAFTBEAT_FUZZ_CASES
//! (default 1000 per property); `make test` runs the default.
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use raftbeat::cluster::{canonical_key, Cluster, ClusterConfig, Value};
use raftbeat::script;

fn cases() -> u32 {
    std::env::var("RAFTBEAT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

const KEYS: &[&str] = &[
    "model",
    "nodes",
    "seed",
    "tick",
    "heartbeat",
    "leaderTimeout",
    "leaderRandom",
    "electionMin",
    "electionMax",
    "election",
    "preVote",
    "checkQuorum",
    "logs",
    "latency",
    "latencyMin",
    "latencyMax",
    "loss",
    "timerJitter",
    "boot",
    "diskWrite",
    "beatRunTime",
    "beatPhase",
    "timings.heartbeat",
    "network.loss",
    "bogus",
    "",
];

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nacos".to_string()),
        Just("raft".to_string()),
        Just("5s".to_string()),
        Just("150ms..300ms".to_string()),
        Just("0".to_string()),
        Just("1e309".to_string()),
        Just("-1ms".to_string()),
        Just("18446744073709551616".to_string()),
        Just("5:1,3:1,x".to_string()),
        Just("NaN".to_string()),
        (0u64..20_000_000).prop_map(|n| format!("{n}us")),
        (0u32..1200).prop_map(|n| n.to_string()),
        "[ -~]{0,12}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text_value().prop_map(Value::Text),
        any::<f64>().prop_map(Value::Number),
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            Just(1e300),
            Just(0.5),
            Just(5.0)
        ]
        .prop_map(Value::Number),
        any::<bool>().prop_map(Value::Bool),
    ]
}

/// Lines that look like commands, with arguments drawn from plausible and
/// hostile words.
fn command_line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("cluster"),
        Just("run"),
        Just("crash"),
        Just("restart"),
        Just("timeout"),
        Just("isolate"),
        Just("partition"),
        Just("heal"),
        Just("cut"),
        Just("restore"),
        Just("drop-beats"),
        Just("allow-beats"),
        Just("drop-message"),
        Just("network"),
        Just("expect"),
        Just("leader"),
        Just("S1"),
        Just("3"),
        Just("0"),
        Just("99999999999"),
        Just("for=1s"),
        Just("until=2s"),
        Just("trace=all"),
        Just("trace=,"),
        Just("1,2|3"),
        Just("|"),
        Just("1->2"),
        Just("2<->2"),
        Just("from=leader"),
        Just("to=S9"),
        Just("count=0"),
        Just("count=3"),
        Just("rule=1"),
        Just("loss=2"),
        Just("latency=5ms..1ms"),
        Just("term"),
        Just(">="),
        Just("=="),
        Just("role"),
        Just("follower"),
        Just("known-leader"),
        Just("voted-for"),
        Just("periodic-crash"),
        Just("every=1s"),
        Just("down=0s"),
        Just("off"),
        Just("none"),
        Just("violation"),
        Just("two-leaders"),
        Just("no-violations"),
        Just("nodes=3"),
        Just("seed=1"),
        Just("model=raft"),
        Just("----"),
        Just("#"),
        Just("é"),
        Just("\t"),
    ];
    prop::collection::vec(word, 0..6).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_parser(text in "\\PC{0,200}") {
        if let Err(e) = script::parse(&text) {
            prop_assert!(e.field.starts_with("line "), "{e}");
        }
    }

    #[test]
    fn command_like_lines_parse_or_fail_with_their_line(lines in prop::collection::vec(command_line(), 1..12)) {
        let text = lines.join("\n");
        match script::parse(&text) {
            Ok(parsed) => {
                // Every parsed command also runs without panicking on a small cluster.
                let mut c = Cluster::new(&ClusterConfig { nodes: 3, seed: Some(1), ..Default::default() }).unwrap();
                for chunk in &parsed.chunks {
                    let capped = match &chunk.command {
                        script::Command::Cluster(_) | script::Command::Run { .. } => continue,
                        other => other.clone(),
                    };
                    let _ = script::apply(&mut c, &capped, &mut Vec::new());
                }
                c.advance(2_000_000);
            }
            Err(e) => prop_assert!(e.field.starts_with("line ") && !e.rule.is_empty(), "{e}"),
        }
    }

    #[test]
    fn any_config_is_accepted_and_runs_or_is_refused_by_name(pairs in prop::collection::vec((prop::sample::select(KEYS), value()), 0..8)) {
        let pairs: Vec<(String, Value)> = pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        match ClusterConfig::from_pairs(&pairs) {
            Ok(mut cfg) => {
                // Keep the run small: the point is that a validated config starts.
                cfg.nodes = cfg.nodes.min(9);
                let mut c = Cluster::new(&cfg).expect("a validated config starts");
                for w in c.warnings() {
                    prop_assert!(w.starts_with("timings.") || w.contains("network.latencyMax"), "a warning names no field: {w}");
                }
                c.advance(1_000_000);
            }
            Err(e) => {
                let known = canonical_key(&e.field).is_some() || pairs.iter().any(|(k, _)| *k == e.field) || e.field == "network.latencyMax";
                prop_assert!(known, "error names an unknown field: {e}");
                prop_assert!(!e.rule.is_empty());
            }
        }
    }
}
