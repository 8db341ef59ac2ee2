//! Settings that keep a cluster from settling are allowed, warned about,
//! and really do what the warning says:
//!
//! - heartbeats slower than the election timeout: both models accept them,
//!   name the fields in a warning, and over many seeds keep electing (the
//!   term climbs) where the default timings elect once;
//! - a heartbeat that can arrive late, a vote round trip longer than the
//!   timeout, no randomness in Raft's timeout: each its own warning;
//! - the warnings follow the network: a `network` change can add or clear one.
//!
//! A failure prints the seed and the settings.
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use raftbeat::cluster::Cluster;
use raftbeat::sim::monitor::ViolationKind;
use raftbeat::sim::network::NetworkConfig;

const SEEDS: u64 = 40;

fn cluster(words: &str, seed: u64) -> Cluster {
    let config = common::config_from_words(&format!("{words} seed={seed}"));
    Cluster::new(&config).unwrap_or_else(|e| panic!("`{words}` does not start: {e}"))
}

fn highest_term(c: &Cluster) -> u64 {
    c.node_views().iter().map(|v| v.term).max().unwrap_or(0)
}

/// Runs `words` for `span_us` on every seed; returns the lowest and the
/// highest term any node reached, over the seeds. Checks the warnings on
/// the way: one naming timings.heartbeat and `expect_warning`, or none.
fn term_range(words: &str, span_us: u64, expect_warning: Option<&str>) -> (u64, u64) {
    let (mut least, mut most) = (u64::MAX, 0);
    for seed in 0..SEEDS {
        let mut c = cluster(words, seed);
        let warnings = c.warnings();
        match expect_warning {
            Some(field) => assert!(
                warnings.iter().any(|w| w.contains(field) && w.contains("timings.heartbeat")),
                "seed {seed}, `{words}`: no warning naming timings.heartbeat and {field}: {warnings:?}"
            ),
            None => assert!(warnings.is_empty(), "seed {seed}, `{words}`: unexpected warnings {warnings:?}"),
        }
        c.advance(span_us);
        // Churn is not a safety failure: one leader per term, still.
        assert!(
            c.monitor().first(ViolationKind::ElectionSafety).is_none(),
            "seed {seed}, `{words}`: two leaders in one term"
        );
        let term = highest_term(&c);
        least = least.min(term);
        most = most.max(term);
    }
    (least, most)
}

#[test]
fn raft_heartbeats_slower_than_the_election_timeout_are_allowed_warned_and_churn() {
    let ten_s = 10_000_000;
    let (unstable, _) = term_range(
        "model=raft heartbeat=200ms",
        ten_s,
        Some("timings.electionMin (150ms)"),
    );
    let (_, calm) = term_range("model=raft", ten_s, None);
    // Ten seconds hold 50 heartbeat rounds: every one of them lets a
    // follower time out. With the defaults, one or two elections at the start.
    assert!(
        unstable >= 10,
        "heartbeat 200ms: only term {unstable} after 10 s on some seed"
    );
    assert!(calm <= 3, "defaults: term {calm} after 10 s on some seed");
}

#[test]
fn nacos_heartbeats_slower_than_the_leader_timeout_are_allowed_warned_and_churn() {
    let ten_min = 600_000_000;
    let (unstable, _) = term_range(
        "model=nacos heartbeat=20s",
        ten_min,
        Some("timings.leaderTimeout (15s)"),
    );
    let (_, calm) = term_range("model=nacos", ten_min, None);
    assert!(
        unstable >= 10,
        "heartbeat 20s: only term {unstable} after 10 min on some seed"
    );
    assert!(calm <= 3, "defaults: term {calm} after 10 min on some seed");
}

#[test]
fn each_unsettling_timing_has_its_own_warning_naming_its_fields() {
    let warned = |words: &str| cluster(words, 1).warnings();
    let one = |words: &str, parts: &[&str]| {
        let w = warned(words);
        assert_eq!(w.len(), 1, "`{words}`: {w:?}");
        for p in parts {
            assert!(w[0].contains(p), "`{words}`: `{p}` not in {w:?}");
        }
    };
    one(
        "model=raft heartbeat=100ms latency=55ms..60ms",
        &[
            "timings.heartbeat (100ms)",
            "network.latencyMax (60ms)",
            "late heartbeat",
        ],
    );
    one(
        "model=raft latency=70ms..80ms",
        &[
            "2 × network.latencyMax = 160ms",
            "timings.electionMin (150ms)",
        ],
    );
    one(
        "model=raft election=150ms..150ms",
        &[
            "timings.electionMin equals timings.electionMax (150ms)",
            "split votes",
        ],
    );
    one(
        "model=nacos heartbeat=14600ms",
        &[
            "timings.heartbeat (14600ms)",
            "a tick (500ms)",
            "timings.leaderTimeout (15s)",
        ],
    );
    one(
        "model=nacos heartbeat=15s",
        &["is not below timings.leaderTimeout (15s)"],
    );
    // Just inside every bound: no warning.
    assert_eq!(
        warned("model=raft heartbeat=100ms latency=40ms..49ms"),
        Vec::<String>::new()
    );
    assert_eq!(
        warned("model=raft election=150ms..151ms latency=70ms..74ms"),
        Vec::<String>::new()
    );
    assert_eq!(
        warned("model=nacos heartbeat=14400ms"),
        Vec::<String>::new()
    );
}

#[test]
fn warnings_follow_the_network_as_it_changes() {
    let mut c = cluster("model=raft", 3);
    assert!(c.warnings().is_empty());
    let slow = NetworkConfig {
        latency_min: 80_000,
        latency_max: 90_000,
        loss: 0.0,
    };
    c.set_network(slow).expect("a valid network");
    let w = c.warnings();
    assert!(w.len() == 1 && w[0].contains("round trip"), "{w:?}");
    c.set_network(NetworkConfig::default())
        .expect("a valid network");
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
}
