//! Core simulator benchmarks: `cargo bench --bench core` (or `make bench`).
//!
//! 1. Events processed per wall second, natively, on one core, for 5, 51
//!    and 501 nodes of each model, with tracing off and with a full JSONL
//!    trace streamed to a null writer.
//! 2. 24 simulated hours of a 5-node nacos cluster with a random fault
//!    every minute: wall time, and the live heap at every simulated hour
//!    (it must stay flat).
//!
//! A counting allocator (common/heap.rs) measures the live heap without any extra crate.

use raftbeat::chaos::{self, ChaosConfig};
use raftbeat::cluster::{Cluster, ClusterConfig, Value};
use raftbeat::sim::trace::{Format, WriterSink};
use std::time::Instant;

#[path = "common/heap.rs"]
mod heap;

#[global_allocator]
static ALLOC: heap::Counting = heap::Counting;

fn config(model: &str, nodes: u32, seed: u64) -> ClusterConfig {
    let pairs = [
        ("model", model.to_string()),
        ("nodes", nodes.to_string()),
        ("seed", seed.to_string()),
    ];
    ClusterConfig::from_pairs(&pairs.map(|(k, v)| (k.to_string(), Value::Text(v)))).unwrap()
}

const HOUR: u64 = 3_600_000_000;

/// Runs until at least `min_events` events, doubling the simulated span;
/// returns (events, wall seconds, simulated seconds).
fn throughput(model: &str, nodes: u32, min_events: u64, traced: bool) -> (u64, f64, f64) {
    let mut c = Cluster::new(&config(model, nodes, 1)).unwrap();
    if traced {
        c.add_sink(Box::new(WriterSink::new(std::io::sink(), Format::Jsonl)));
    }
    // Warm up past the first election.
    c.run_until(30_000_000);
    let (e0, t0) = (c.stats().events, c.now());
    let start = Instant::now();
    let mut step = 1_000_000u64;
    while c.stats().events - e0 < min_events {
        c.advance(step);
        step = step.saturating_mul(2).min(HOUR);
    }
    let wall = start.elapsed().as_secs_f64();
    (c.stats().events - e0, wall, (c.now() - t0) as f64 / 1e6)
}

fn main() {
    // `cargo bench` passes --bench; a filter argument picks sections.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));

    if wants("throughput") {
        println!(
            "== events per wall second (one core, no trace / full JSONL trace to a null writer)"
        );
        println!(
            "{:<6} {:>6} {:>14} {:>14} {:>16} {:>12}",
            "model", "nodes", "events/s", "traced ev/s", "sim s / wall s", "events"
        );
        for model in ["nacos", "raft"] {
            for nodes in [5u32, 51, 501] {
                let min = match nodes {
                    5 => 20_000_000,
                    51 => 10_000_000,
                    _ => 5_000_000,
                };
                let (events, wall, sim) = throughput(model, nodes, min, false);
                let (tev, twall, _) = throughput(model, nodes, min / 10, true);
                println!(
                    "{model:<6} {nodes:>6} {:>14.0} {:>14.0} {:>16.0} {events:>12}",
                    events as f64 / wall,
                    tev as f64 / twall,
                    sim / wall
                );
            }
        }
    }

    if wants("day") {
        println!("\n== 24 simulated hours, 5-node nacos, a random fault every minute (mean)");
        let cfg = config("nacos", 5, 42);
        // One schedule for the week, so every fault is valid when it runs.
        let week = chaos::schedule(42, 5, 0, 7 * 24 * HOUR, &ChaosConfig::default());
        let faults: Vec<_> = week.iter().filter(|f| f.at <= 24 * HOUR).cloned().collect();
        let base = heap::live();
        let start = Instant::now();
        let mut c = Cluster::new(&cfg).unwrap();
        let mut next = 0;
        let mut heap = Vec::new();
        for hour in 1..=24u64 {
            while next < faults.len() && faults[next].at <= hour * HOUR {
                c.run_until(faults[next].at);
                chaos::apply(&mut c, &faults[next].command).unwrap();
                next += 1;
            }
            c.run_until(hour * HOUR);
            heap.push(heap::live() - base);
        }
        let wall = start.elapsed().as_secs_f64();
        println!(
            "faults {}, events {}, wall {wall:.3} s, findings {}",
            faults.len(),
            c.stats().events,
            c.monitor().total()
        );
        println!(
            "live heap by hour (KiB): {}",
            heap.iter()
                .map(|b| (b / 1024).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let (lo, hi) = (
            heap[1..].iter().min().unwrap(),
            heap[1..].iter().max().unwrap(),
        );
        println!("hours 2-24: min {} KiB, max {} KiB", lo / 1024, hi / 1024);
        // Keep going: the monitor's bounded memories fill within the first
        // day; after that the heap must not grow at all.
        let more = &week[faults.len()..];
        let mut daily = Vec::new();
        for day in 2..=7u64 {
            let mut peak = 0;
            for f in more
                .iter()
                .filter(|f| f.at > (day - 1) * 24 * HOUR && f.at <= day * 24 * HOUR)
            {
                c.run_until(f.at);
                chaos::apply(&mut c, &f.command).unwrap();
                peak = peak.max(heap::live() - base);
            }
            c.run_until(day * 24 * HOUR);
            daily.push(peak.max(heap::live() - base));
        }
        println!(
            "live heap, max per day for days 2-7 (KiB): {}",
            daily
                .iter()
                .map(|b| (b / 1024).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );

        println!("\n== the same day with the full JSONL trace streamed to a null writer");
        let start = Instant::now();
        let mut c = Cluster::new(&cfg).unwrap();
        c.add_sink(Box::new(WriterSink::new(std::io::sink(), Format::Jsonl)));
        chaos::run(&mut c, &faults, 24 * HOUR).unwrap();
        println!(
            "events {}, wall {:.3} s",
            c.stats().events,
            start.elapsed().as_secs_f64()
        );
    }
}
