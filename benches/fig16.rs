//! Figure 16 in full: `cargo bench --bench fig16` (or `make bench`).
//!
//! Runs the ten lines with the paper's trial counts (1000 a line, 100 for
//! 150-150: 9 100 trials) under seed 1, prints the table with the paper's
//! numbers and the checks against them, then the wall time of five repetitions
//! (the target: under 1 s natively). Also the Nacos failover (1000 trials)
//! and a fast-forward of the raft model with RaftScope's timings (5 nodes,
//! election 100-200 ms, heartbeat 50 ms, latency 10-15 ms), in simulated
//! seconds per wall second. Exits 1 if a check fails.

use raftbeat::cluster::{Cluster, ClusterConfig, Value};
use raftbeat::experiment::cli::run_fig16;
use raftbeat::experiment::failover;
use raftbeat::experiment::fig16::{Check, Setup, LINES};
use raftbeat::experiment::report::fig16_text;
use raftbeat::experiment::stats::summarize;
use std::time::Instant;

fn main() {
    let setup = Setup::default();
    let lines: Vec<_> = LINES.iter().collect();
    let mut walls = Vec::new();
    let mut results = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = run_fig16(&lines, &setup, 1, 1000).expect("the trials run");
        walls.push(t.elapsed().as_secs_f64());
        results = Some(r);
    }
    let results = results.expect("ran");
    print!("{}", fig16_text(&results, &setup, 1));
    let trials: usize = results.iter().map(|r| r.samples.len()).sum();
    walls.sort_by(f64::total_cmp);
    println!(
        "\nfig16: {trials} trials, wall time over 5 runs: best {:.3} s, median {:.3} s, worst {:.3} s (target: under 1 s)",
        walls[0], walls[2], walls[4]
    );

    let t = Instant::now();
    let mut trials = Vec::new();
    failover::run_trials(
        &failover::Setup::default(),
        1,
        0,
        failover::DEFAULT_TRIALS,
        &mut trials,
    )
    .expect("the trials run");
    println!(
        "nacos-failover: {} trials in {:.3} s",
        trials.len(),
        t.elapsed().as_secs_f64()
    );

    let pairs = [
        ("model", "raft"),
        ("nodes", "5"),
        ("seed", "1"),
        ("election", "100ms..200ms"),
        ("heartbeat", "50ms"),
        ("latency", "10ms..15ms"),
    ];
    let config =
        ClusterConfig::from_pairs(&pairs.map(|(k, v)| (k.to_string(), Value::Text(v.to_string()))))
            .expect("config");
    let mut c = Cluster::new(&config).expect("cluster");
    let sim_s = 100_000u64;
    let t = Instant::now();
    c.run_until(sim_s * 1_000_000);
    let wall = t.elapsed().as_secs_f64();
    println!(
        "fast-forward (RaftScope timings, no trace): {sim_s} simulated s in {wall:.3} s: {:.0} simulated s per wall s, {:.0} ns per event",
        sim_s as f64 / wall,
        wall * 1e9 / c.stats().events as f64
    );

    let failed = results.iter().any(|r| {
        let s = summarize(&r.samples).expect("trials");
        r.line
            .claims
            .iter()
            .any(|c| c.check != Check::None && !c.holds(s.get(c.stat)))
    });
    if failed {
        eprintln!("fig16: a check against the paper's numbers failed (see the table)");
        std::process::exit(1);
    }
}
