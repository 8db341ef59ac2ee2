//! `align-timers` and `spread-timers`, RaftScope's keys for forcing or
//! avoiding a split vote, checked against the clocks before and after and
//! against what the election then does. proptest prints the failing inputs,
//! the seed among them.
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use raftbeat::cluster::Cluster;
use raftbeat::protocol::{Micros, Role};
use raftbeat::script;
use raftbeat::sim::trace::{Record, Sink};
use std::cell::RefCell;
use std::rc::Rc;

mod common;
use common::MS;

fn cluster(model: &str, nodes: u32, seed: u64, latency_max_ms: u64) -> Cluster {
    cluster_with(model, nodes, seed, latency_max_ms, &[])
}

fn cluster_with(
    model: &str,
    nodes: u32,
    seed: u64,
    latency_max_ms: u64,
    more: &[(&str, &str)],
) -> Cluster {
    let pairs = [
        ("model", model.to_string()),
        ("nodes", nodes.to_string()),
        ("seed", seed.to_string()),
        ("network.latency", format!("1ms..{latency_max_ms}ms")),
    ];
    let more = more.iter().map(|(k, v)| (*k, v.to_string()));
    Cluster::new(&common::config(pairs.into_iter().chain(more))).unwrap()
}

/// Every event traced, as (time, node, name).
#[derive(Default)]
struct Events(Vec<(Micros, u32, &'static str)>);

impl Sink for Events {
    fn record(&mut self, r: &dyn Record) {
        self.0.push((r.t(), r.node().unwrap_or(0), r.name()));
    }
}

fn traced(c: &mut Cluster) -> Rc<RefCell<Events>> {
    let events = Rc::new(RefCell::new(Events::default()));
    c.add_sink(Box::new(events.clone()));
    events
}

/// When each live non-leader's election clock runs out (absolute), by id.
fn clocks(c: &Cluster) -> Vec<(u32, Micros)> {
    c.node_views()
        .iter()
        .filter(|v| v.alive && v.role != Role::Leader)
        .filter_map(|v| v.countdowns.leader_due.map(|d| (v.id, c.now() + d)))
        .collect()
}

fn earliest(clocks: &[(u32, Micros)]) -> (u32, Micros) {
    clocks
        .iter()
        .map(|&(id, due)| (due, id))
        .min()
        .map(|(due, id)| (id, due))
        .unwrap()
}

/// Runs for a while, then crashes the leader if asked (the usual way to
/// set up a re-election) and lets `settle` pass. Its beats already on the
/// wire still arrive and reset clocks: a crash is settled once they have
/// (after the latency, at most 20 ms here).
fn set_up(c: &mut Cluster, warm: Micros, crash_leader: bool, settle: Micros) {
    c.run_until(warm);
    if crash_leader {
        if let Some(l) = c.leader() {
            c.crash(l).unwrap();
        }
    }
    c.run_until(warm + settle);
}

const SETTLED: Micros = 21 * MS;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Raft: the soonest clock stays and exactly one other clock moves,
    /// onto it.
    #[test]
    fn raft_align_makes_the_two_soonest_clocks_run_out_together(
        seed in any::<u64>(), nodes in 3u32..10, warm_ms in 0u64..2000, crash in any::<bool>(), settle_ms in 0u64..60,
    ) {
        let mut c = cluster("raft", nodes, seed, 8);
        set_up(&mut c, warm_ms * MS, crash, settle_ms * MS);
        let before = clocks(&c);
        prop_assume!(before.len() >= 2);
        c.align_timers().unwrap();
        let after = clocks(&c);
        let (first, at) = earliest(&before);
        let moved: Vec<_> = after.iter().filter(|a| !before.contains(a)).collect();
        prop_assert_eq!(moved.len().min(1), moved.len(), "more than one clock moved: {:?} -> {:?}", before, after);
        prop_assert!(after.contains(&(first, at)), "the soonest clock moved: {:?} -> {:?}", before, after);
        prop_assert!(after.iter().filter(|(_, due)| *due == at).count() >= 2, "no second clock at {}: {:?}", at, after);
    }

    /// Nacos: the second clock is the one whose MasterElection tick comes
    /// soonest at or after the first clock runs out, and it lands on that tick.
    #[test]
    fn nacos_align_picks_the_nearest_tick(
        seed in any::<u64>(), nodes in 3u32..10, warm_s in 0u64..40, crash in any::<bool>(),
    ) {
        let mut c = cluster("nacos", nodes, seed, 8);
        let events = traced(&mut c);
        set_up(&mut c, warm_s * 1_000_000, crash, 0);
        let before = clocks(&c);
        prop_assume!(before.len() >= 2);
        c.align_timers().unwrap();
        let after = clocks(&c);
        let (first, at) = earliest(&before);
        // Nodes boot once here (no restarts): a tick phase is the boot time.
        let boots: Vec<(u32, Micros)> = events.borrow().0.iter().filter(|e| e.2 == "boot").map(|e| (e.1, e.0)).collect();
        let tick_at_or_after = |id: u32| {
            let boot = boots.iter().find(|b| b.0 == id).unwrap().1;
            boot + (at.saturating_sub(boot)).div_ceil(500 * MS) * 500 * MS
        };
        let moved: Vec<_> = after.iter().filter(|a| !before.contains(a)).copied().collect();
        let best = before.iter().filter(|b| b.0 != first).map(|b| tick_at_or_after(b.0)).min().unwrap();
        match moved[..] {
            [(id, due)] => {
                prop_assert_eq!(due, tick_at_or_after(id));
                prop_assert_eq!(due, best, "S{} is not the nearest tick", id);
            }
            // Already there: nothing to move.
            [] => prop_assert!(before.iter().any(|&(id, due)| id != first && due == best)),
            _ => prop_assert!(false, "more than one clock moved: {:?} -> {:?}", before, after),
        }
        prop_assert!(after.contains(&(first, at)));
    }

    /// Both models: no clock moves earlier, the soonest stays, and afterwards
    /// every two clocks are at least a vote's delivery apart.
    #[test]
    fn spread_leaves_a_vote_delivery_between_clocks(
        model in prop::sample::select(vec!["nacos", "raft"]), seed in any::<u64>(), nodes in 2u32..10,
        latency_ms in 1u64..20, warm_ms in 0u64..30_000, crash in any::<bool>(), align_first in any::<bool>(), pre_vote in any::<bool>(),
    ) {
        let pre_vote = pre_vote && model == "raft";
        let mut c = if pre_vote { cluster_with(model, nodes, seed, latency_ms, &[("preVote", "true")]) } else { cluster(model, nodes, seed, latency_ms) };
        // Pre-Vote's poll and its replies come before the vote requests.
        let delivery = (if pre_vote { 3 } else { 1 } * latency_ms + 1) * MS;
        set_up(&mut c, warm_ms * MS, crash, 0);
        if align_first {
            let _ = c.align_timers();
        }
        let before = clocks(&c);
        prop_assume!(!before.is_empty());
        c.spread_timers().unwrap();
        let after = clocks(&c);
        prop_assert_eq!(earliest(&after), earliest(&before));
        for (id, due) in &after {
            let was = before.iter().find(|b| b.0 == *id).unwrap().1;
            prop_assert!(*due >= was, "S{} moved earlier: {} -> {}", id, was, due);
        }
        let mut dues: Vec<Micros> = after.iter().map(|a| a.1).collect();
        dues.sort_unstable();
        for w in dues.windows(2) {
            prop_assert!(w[1] - w[0] >= delivery, "clocks {} and {} too close: {:?}", w[0], w[1], after);
        }
    }

    /// Raft: after the leader crashes and the timers are spread, the first
    /// candidate wins the very next term: no split vote. With Pre-Vote too,
    /// whose poll takes a round trip before the real requests go out. (Not
    /// with CheckQuorum: a voter still in the dead leader's lease ignores
    /// the first request, whatever the clocks; see docs/scenarios.md.)
    #[test]
    fn raft_spread_timers_prevent_a_split_vote(
        seed in any::<u64>(), nodes in 3u32..10, warm_ms in 300u64..2000, pre_vote in any::<bool>(),
    ) {
        let mut c = cluster_with("raft", nodes, seed, 8, &[("preVote", if pre_vote { "true" } else { "false" })]);
        c.run_until(warm_ms * MS);
        let Some(leader) = c.leader() else { return Ok(()) };
        let term = c.node_view(leader).term;
        c.crash(leader).unwrap();
        c.run_until(c.now() + SETTLED);
        c.align_timers().unwrap();
        c.spread_timers().unwrap();
        let start = c.now();
        while c.leader().is_none() && c.now() < start + 2_000 * MS {
            c.advance(MS);
        }
        let next = c.leader().expect("no leader within 2 s");
        prop_assert_eq!(c.node_view(next).term, term + 1, "seed {}: a split vote after spread-timers", seed);
    }
}

/// Raft, with no leader and nothing on the wire to reset a clock: the two
/// aligned nodes time out at the very same instant.
#[test]
fn raft_aligned_nodes_time_out_at_the_same_instant() {
    let mut checked = 0;
    for seed in 0..200 {
        let mut c = cluster("raft", 3 + (seed % 7) as u32, seed, 8);
        set_up(&mut c, (300 + seed * 7 % 1000) * MS, true, SETTLED);
        if !c.leaders().is_empty() || !c.messages().is_empty() {
            continue;
        }
        let events = traced(&mut c);
        c.align_timers().unwrap();
        let (first, at) = earliest(&clocks(&c));
        let second = clocks(&c)
            .into_iter()
            .find(|&(id, due)| due == at && id != first)
            .unwrap()
            .0;
        c.run_until(at + 1);
        let timed_out: Vec<u32> = events
            .borrow()
            .0
            .iter()
            .filter(|e| e.0 == at && e.2 == "electionTimeout")
            .map(|e| e.1)
            .collect();
        assert!(
            timed_out.contains(&first) && timed_out.contains(&second),
            "seed {seed}: S{first} and S{second} at {at}: {timed_out:?}"
        );
        checked += 1;
    }
    assert!(
        checked >= 50,
        "only {checked} of 200 seeds had a quiet wire"
    );
}

/// Without spread, the align above does split Raft's vote some of the time:
/// the property above would be empty if the setup never split.
#[test]
fn raft_align_alone_splits_some_votes() {
    let mut splits = 0;
    for seed in 0..40 {
        let mut c = cluster("raft", 5, seed, 8);
        c.run_until(1_000 * MS);
        let Some(leader) = c.leader() else { continue };
        let term = c.node_view(leader).term;
        c.crash(leader).unwrap();
        c.run_until(c.now() + SETTLED);
        c.align_timers().unwrap();
        c.run_until(c.now() + 3_000 * MS);
        let next = c.leader().expect("no leader within 3 s");
        splits += usize::from(c.node_view(next).term > term + 1);
    }
    assert!(splits >= 5, "only {splits} of 40 aligned elections split");
}

#[test]
fn too_few_clocks_is_an_error_naming_the_command() {
    let mut c = cluster("raft", 1, 1, 8);
    c.run_until(1_000 * MS);
    let e = c.align_timers().unwrap_err().to_string();
    assert!(
        e.starts_with("align-timers:") && e.contains("two live nodes that are not leader"),
        "{e}"
    );
    let e = c.spread_timers().unwrap_err().to_string();
    assert!(
        e.starts_with("spread-timers:") && e.contains("a live node that is not leader"),
        "{e}"
    );
    let mut c = cluster("nacos", 3, 1, 8);
    for id in 1..=3 {
        c.crash(id).unwrap();
    }
    assert!(c.spread_timers().is_err());
    for (text, rule) in [
        ("align-timers now", "align-timers: takes no arguments"),
        ("spread-timers 3", "spread-timers: takes no arguments"),
    ] {
        let e = script::parse_action(text).unwrap_err().to_string();
        assert!(e.contains(rule), "{text}: {e}");
    }
}
