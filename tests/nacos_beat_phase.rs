//! When a new Nacos leader's first beat comes: 4.5 s after its sendVote
//! (HeartBeat takes 500 ms off the fresh 5 000 at each of its ticks) plus
//! however far its HeartBeat tick runs behind its MasterElection tick, the
//! `beatPhase` setting. A fresh server's two tasks tick together; servers
//! that have run for a while (`beatPhase=random`) lag anywhere in the tick.
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use raftbeat::cluster::Cluster;
use raftbeat::protocol::Micros;
use raftbeat::sim::trace::{Record, Sink};
use std::cell::RefCell;
use std::rc::Rc;

/// sendVote, sendBeat, restart and crash events: (time, node, name).
#[derive(Default)]
struct Tasks(Vec<(Micros, u32, &'static str)>);

impl Sink for Tasks {
    fn record(&mut self, r: &dyn Record) {
        if matches!(r.name(), "sendVote" | "sendBeat" | "restart" | "crash") {
            self.0.push((r.t(), r.node().unwrap_or(0), r.name()));
        }
    }
}

/// For every leadership a run shows, the time from the winning sendVote to
/// the leader's first sendBeat, and whether the leader had been restarted.
fn first_beat_gaps(words: &str, actions: &[(Micros, &str)], end: Micros) -> Vec<(Micros, bool)> {
    let mut c = Cluster::new(&common::config_from_words(words)).unwrap();
    let tasks = Rc::new(RefCell::new(Tasks::default()));
    c.add_sink(Box::new(tasks.clone()));
    for &(at, line) in actions {
        c.advance(at - c.now());
        raftbeat::chaos::apply(&mut c, line).unwrap();
    }
    c.advance(end - c.now());
    let mut last_vote: Vec<Option<Micros>> = vec![None; 8];
    let mut restarted = [false; 8];
    let mut gaps = Vec::new();
    for &(t, node, name) in &tasks.borrow().0 {
        let i = node as usize;
        match name {
            "sendVote" => last_vote[i] = Some(t),
            // Only a leader's first beat after its vote: later ones (and a
            // beat after a crash) have no vote to measure from.
            "sendBeat" => {
                if let Some(v) = last_vote[i].take() {
                    gaps.push((t - v, restarted[i]));
                }
            }
            "restart" => {
                restarted[i] = true;
                last_vote[i] = None;
            }
            _ => last_vote[i] = None,
        }
    }
    gaps
}

const FIRST_BEAT: Micros = 4_500_000;
const TICK: Micros = 500_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A fixed phase is the same lag on every leader: 4.5 s plus it.
    #[test]
    fn a_fixed_phase_delays_every_first_beat_by_exactly_itself(
        seed in 0u64..1_000_000,
        phase_ms in 0u64..500,
    ) {
        let words = format!("nodes=5 seed={seed} beatPhase={phase_ms}ms");
        let gaps = first_beat_gaps(&words, &[(40_000_000, "crash leader")], 120_000_000);
        prop_assert!(gaps.len() >= 2, "two leaders in two minutes: {gaps:?}");
        for (gap, _) in gaps {
            prop_assert_eq!(gap, FIRST_BEAT + phase_ms * 1000);
        }
    }

    /// Drifted servers lag within the tick, each by its own amount; one
    /// restarted during the run ticks its two tasks together again.
    #[test]
    fn a_drifted_server_lags_within_the_tick_and_a_restart_resets_it(seed in 0u64..1_000_000) {
        let words = format!("nodes=3 seed={seed} beatPhase=random");
        // Restart every node in turn, then crash the leaders until a
        // restarted node has led.
        let actions = [
            (30_000_000, "restart 1"),
            (31_000_000, "restart 2"),
            (32_000_000, "restart 3"),
            (60_000_000, "crash leader"),
            (61_000_000, "restart 1"),
            (61_000_001, "restart 2"),
            (61_000_002, "restart 3"),
        ];
        let gaps = first_beat_gaps(&words, &actions, 120_000_000);
        prop_assert!(gaps.iter().any(|g| g.1), "a restarted server led: {gaps:?}");
        for (gap, restarted) in gaps {
            if restarted {
                prop_assert_eq!(gap, FIRST_BEAT);
            } else {
                prop_assert!((FIRST_BEAT..FIRST_BEAT + TICK).contains(&gap), "{gap}");
            }
        }
    }
}

/// Across many clusters of drifted servers, the first leader's first beat
/// spreads over the whole tick, not only its start.
#[test]
fn drifted_first_beats_cover_the_tick() {
    let lags: Vec<Micros> = (0..200)
        .filter_map(|seed| {
            let words = format!("nodes=3 seed={seed} beatPhase=random");
            let gaps = first_beat_gaps(&words, &[], 40_000_000);
            gaps.first().map(|g| g.0 - FIRST_BEAT)
        })
        .collect();
    assert!(lags.len() >= 190, "most clusters elect within 40 s");
    let quarter = |q: Micros| lags.iter().filter(|&&l| l / (TICK / 4) == q).count();
    for q in 0..4 {
        assert!(quarter(q) >= 25, "quarter {q} of the tick: {lags:?}");
    }
    assert!(lags.iter().all(|&l| l < TICK));
}
