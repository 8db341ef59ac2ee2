//! Raft log replication under load: `cargo bench --bench raft_log`.
//!
//! Five Raft servers with RaftScope's timings (election timeout 100-200 ms,
//! a heartbeat every 50 ms, one-way latency 10-15 ms), settled, then a
//! workload of 10 writes/s through the leader:
//! - speed: simulated seconds per wall second over one simulated hour,
//!   five times (the median is the number; target: well above the 30 000
//!   the browser must reach, `benches/browser/raft-log.js`);
//! - memory: 24 simulated hours, with every node's log length, the log
//!   checker's window (`sim/log_safety.rs`), the live heap (a counting
//!   allocator) and the RSS at 1 h, 6 h and 24 h: flat after the first
//!   snapshots, since every node keeps one to two windows of 1024 entries.
//!
//! An argument picks sections by name: speed, memory.

use raftbeat::experiment::commit_latency::{self, RaftSim, Setup};
use std::time::Instant;

#[path = "common/heap.rs"]
mod heap;

#[global_allocator]
static ALLOC: heap::Counting = heap::Counting;

const SEC: u64 = 1_000_000;
const HOUR: u64 = 3600 * SEC;

/// A settled cluster with the workload on.
fn loaded(seed: u64) -> RaftSim {
    let setup = Setup::default();
    let mut s = commit_latency::settled(&setup, setup.network.clone(), seed).unwrap();
    s.set_workload(Some(setup.workload())).unwrap();
    s
}

fn log_lengths(s: &RaftSim) -> Vec<usize> {
    (1..=s.node_count())
        .map(|n| s.protocol(n).log().len())
        .collect()
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));

    if wants("speed") {
        println!(
            "== speed: 5-node raft, RaftScope timings, 10 writes/s, one simulated hour, 5 runs"
        );
        let mut walls = Vec::new();
        for seed in 1..=5 {
            let mut s = loaded(seed);
            let (t0, e0) = (s.now(), s.stats().events);
            let start = Instant::now();
            s.run_until(t0 + HOUR);
            let wall = start.elapsed().as_secs_f64();
            let events = s.stats().events - e0;
            println!(
                "seed {seed}: wall {wall:.3} s, {:.0} sim s per wall s, {events} events ({:.2} M/s), {} writes acknowledged",
                3600.0 / wall,
                events as f64 / wall / 1e6,
                s.client().counts().ok
            );
            walls.push(wall);
        }
        walls.sort_by(f64::total_cmp);
        println!(
            "median: {:.0} simulated seconds per wall second",
            3600.0 / walls[walls.len() / 2]
        );
    }

    if wants("memory") {
        println!("\n== memory: 5-node raft, RaftScope timings, 10 writes/s for 24 simulated hours");
        let base_rss = heap::rss_kib();
        let mut s = loaded(1);
        let t0 = s.now();
        let base = heap::live() as i64;
        let start = Instant::now();
        let mut max_len = 0;
        let mut hour = 0;
        for minute in 1..=24 * 60 {
            s.run_until(t0 + minute * 60 * SEC);
            max_len = max_len.max(*log_lengths(&s).iter().max().unwrap());
            if minute % 60 == 0 {
                hour += 1;
                if [1, 6, 24].contains(&hour) || hour % 6 == 0 {
                    println!(
                        "{hour:>2} h: logs {:?} entries (longest so far {max_len}), log checker {} indices, \
                         live heap {:+} KiB, RSS {} KiB (at start {base_rss} KiB), {} acknowledged, wall {:.1} s",
                        log_lengths(&s),
                        s.monitor().log.remembered(),
                        (heap::live() as i64 - base) / 1024,
                        heap::rss_kib(),
                        s.client().counts().ok,
                        start.elapsed().as_secs_f64()
                    );
                }
            }
        }
        println!(
            "snapshot of S1 at index {}, commit index {}; lost-write findings {}",
            s.protocol(1).snapshot_pos().index,
            s.protocol(1).commit_index(),
            s.monitor()
                .count(raftbeat::sim::monitor::ViolationKind::LostWrite)
        );
    }
}
