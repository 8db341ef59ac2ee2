//! Every scenario under tests/scenarios/ runs and must match its golden
//! blocks. `RAFTBEAT_REWRITE=1 cargo test --test scenarios` rewrites them
//! (then read the diff before committing it).
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use raftbeat::script;
use std::path::Path;

#[test]
fn scenario_goldens_match() {
    let rewrite = std::env::var_os("RAFTBEAT_REWRITE").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 7,
        "expected the scenario files, found {}",
        files.len()
    );
    let mut problems = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = script::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = script::run(&parsed, None);
        for f in report.failures() {
            problems.push(format!(
                "{name}:{}: `{}` failed: {} (seed {:?})",
                f.line_no,
                f.text.trim(),
                f.failure.as_deref().unwrap_or(""),
                report.seed
            ));
        }
        if rewrite {
            std::fs::write(path, report.rewrite(&parsed)).unwrap();
            continue;
        }
        for (chunk, outcome) in report.golden_mismatches(&parsed) {
            problems.push(format!(
                "{name}:{}: output of `{}` differs from its golden block (RAFTBEAT_REWRITE=1 to update)\n--- expected\n{}\n--- actual\n{}",
                chunk.line_no,
                chunk.text.trim(),
                chunk.expected.as_deref().unwrap_or_default().join("\n"),
                outcome.output.join("\n")
            ));
        }
        let missing = parsed
            .chunks
            .iter()
            .filter(|c| c.expected.is_none())
            .count();
        if missing > 0 {
            problems.push(format!("{name}: {missing} commands have no golden block (RAFTBEAT_REWRITE=1 to write them)"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_wasm_test_runs_every_scenario_too() {
    // tests/web.rs embeds the scenarios with include_str!; a new file must be added there.
    let web = include_str!("web.rs");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".txt") {
            assert!(
                web.contains(&format!("    \"{name}\",")),
                "tests/web.rs does not run {name}: add it to SCENARIOS"
            );
        }
    }
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("www/tours")).unwrap()
    {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            web.contains(&format!("include_str!(\"../www/tours/{name}\")")),
            "tests/web.rs does not run {name}: add it to TOURS"
        );
    }
}

/// A guided tour (www/tours/) is a scenario whose `pause` lines are stops
/// with captions. Its claims are checked here: every stop has a caption, and
/// at least one `expect` since the previous stop backs it.
#[test]
fn every_tour_stop_has_a_caption_backed_by_an_expectation() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/tours");
    let mut tours = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let parsed = script::parse(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = script::run(&parsed, None);
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
            "{name}: the tour stopped early"
        );
        let (mut stops, mut checks) = (0, 0);
        for chunk in &parsed.chunks {
            match chunk.command {
                script::Command::Expect(_) => checks += 1,
                script::Command::Pause => {
                    stops += 1;
                    // The caption: the comment lines right above (after the last blank line).
                    let caption = chunk
                        .lead
                        .iter()
                        .rev()
                        .take_while(|l| l.trim().starts_with('#'))
                        .count();
                    assert!(
                        caption > 0,
                        "{name}:{}: stop {stops} has no caption (a comment right above `pause`)",
                        chunk.line_no
                    );
                    assert!(stops == 1 || checks > 0, "{name}:{}: nothing checks stop {stops}'s caption: add an `expect` before it", chunk.line_no);
                    checks = 0;
                }
                _ => {}
            }
        }
        assert!(stops >= 2, "{name}: a tour has stops");
        tours += 1;
    }
    assert!(tours >= 1, "no tour under www/tours");
}

mod round_trips {
    //! Every action prints as the script line that reads back as it, and
    //! every config as the `cluster` words that read back as it: the text
    //! `toScript()`, share links and chaos replays carry. Floats bit for bit.
    use proptest::prelude::*;
    use raftbeat::cluster::{ClusterConfig, Model, Value};
    use raftbeat::script::{Action, NetworkChange, NodeRef, ScopeRef};

    fn node() -> impl Strategy<Value = NodeRef> {
        prop_oneof![4 => (0u32..2000).prop_map(NodeRef::Id), 1 => Just(NodeRef::Leader)]
    }
    /// Durations in whole microseconds, short and long.
    fn micros() -> impl Strategy<Value = u64> {
        prop_oneof![
            0u64..5_000,
            0u64..100_000_000,
            Just(1234),
            (0u64..90_000).prop_map(|s| s * 1_000_000)
        ]
    }
    /// Probabilities as typed, as computed, and at the edges.
    fn loss() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.1234567),
            Just(1e-9),
            Just(0.0),
            Just(1.0),
            Just(5e-324),
            0.0f64..=1.0,
            (0u32..1001).prop_map(|k| f64::from(k) / 1000.0 * 0.3)
        ]
    }
    fn scope() -> impl Strategy<Value = ScopeRef> {
        prop_oneof![
            Just(ScopeRef::All),
            node().prop_map(ScopeRef::From),
            node().prop_map(ScopeRef::To),
            (node(), node()).prop_map(|(a, b)| ScopeRef::Link(a, b))
        ]
    }
    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            node().prop_map(Action::Crash),
            node().prop_map(Action::Restart),
            node().prop_map(Action::Timeout),
            node().prop_map(Action::Isolate),
            (node(), micros()).prop_map(|(node, span)| Action::Pause { node, span }),
            prop::collection::vec(prop::collection::vec(node(), 1..4), 1..4)
                .prop_map(Action::Partition),
            Just(Action::Heal),
            (node(), node(), any::<bool>()).prop_map(|(from, to, both)| Action::Cut {
                from,
                to,
                both
            }),
            (node(), node(), any::<bool>()).prop_map(|(from, to, both)| Action::Restore {
                from,
                to,
                both
            }),
            (scope(), prop::option::of(1u32..=u32::MAX))
                .prop_map(|(scope, count)| Action::DropBeats { scope, count }),
            prop::option::of(any::<u32>()).prop_map(Action::AllowBeats),
            any::<u64>().prop_map(Action::DropMessage),
            (
                prop::option::of(micros()),
                prop::option::of(micros()),
                prop::option::of(loss())
            )
                .prop_filter("network changes something", |c| *c != (None, None, None))
                .prop_map(
                    |(latency_min, latency_max, loss)| Action::Network(NetworkChange {
                        latency_min,
                        latency_max,
                        loss
                    })
                ),
            prop::option::of((micros(), micros())).prop_map(Action::PeriodicCrash),
            Just(Action::AlignTimers),
            Just(Action::SpreadTimers),
        ]
    }

    proptest! {
        #[test]
        fn printed_actions_parse_back_to_the_same_action(a in action()) {
            let line = a.to_string();
            let back: Action = line.parse().map_err(|e| TestCaseError::fail(format!("`{line}`: {e}")))?;
            prop_assert_eq!(&back, &a, "{}", line);
            if let (Action::Network(x), Action::Network(y)) = (&a, &back) {
                prop_assert_eq!(x.loss.map(f64::to_bits), y.loss.map(f64::to_bits), "{}", line);
            }
            // And a line as written prints as itself.
            prop_assert_eq!(back.to_string(), line);
        }

        #[test]
        fn configs_round_trip_through_their_words(
            raft in any::<bool>(),
            nodes in 1u32..=9,
            seed in any::<u64>(),
            loss in loss(),
            lat in (0u64..50_000, 0u64..50_000),
            jitter in 0u64..10_000,
            heartbeat_ms in 1u64..2_000,
            pre_vote in any::<bool>(),
        ) {
            let mut c = ClusterConfig { model: if raft { Model::Raft } else { Model::Nacos }, nodes, seed: Some(seed), timer_jitter: jitter, ..Default::default() };
            c.network.loss = loss;
            c.network.latency_min = lat.0.min(lat.1);
            c.network.latency_max = lat.0.max(lat.1);
            if raft {
                c.raft.heartbeat_interval = heartbeat_ms * 1000 + jitter % 1000;
                c.raft.pre_vote = pre_vote;
            } else {
                c.nacos.heartbeat_interval = heartbeat_ms * 1000;
            }
            let words = c.to_pairs(seed);
            let text: Vec<(String, Value)> = words.iter().map(|(k, v)| (k.clone(), Value::Text(v.clone()))).collect();
            let back = ClusterConfig::from_pairs_unchecked(&text).map_err(|e| TestCaseError::fail(format!("{words:?}: {e}")))?;
            prop_assert_eq!(back.network.loss.to_bits(), loss.to_bits(), "{:?}", words);
            prop_assert_eq!(&back, &c, "{:?}", words);
        }
    }
}
