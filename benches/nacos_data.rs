//! The Nacos data path under load: `cargo bench --bench nacos_data`.
//!
//! Five Nacos servers, 10 000 keys written through the leader first, then a
//! workload of 10 writes/s over those keys for one simulated hour:
//! - wall time of the hour (target: under 2 s natively);
//! - the live heap (a counting allocator) and the stores' and client
//!   history's sizes every simulated minute: flat after the first minute;
//! - the digest cache: an idle hour (no writes) with 10 000 keys must cost
//!   about what an idle hour with no keys costs, since the leader reuses
//!   its digest and followers skip the walk when nothing changed
//!   (`protocol/nacos/sync.rs`); without the cache each beat would walk
//!   every key on every node.
//!
//! An argument picks sections by name: hour, keys, idle.

use raftbeat::experiment::nacos_data::{preloaded, NacosSim};
use raftbeat::protocol::Protocol;
use raftbeat::sim::client::Workload;
use std::time::Instant;

#[path = "common/heap.rs"]
mod heap;

#[global_allocator]
static ALLOC: heap::Counting = heap::Counting;

const SEC: u64 = 1_000_000;
const MINUTE: u64 = 60 * SEC;
const HOUR: u64 = 60 * MINUTE;
const KEYS: u32 = 10_000;

/// A settled five-node cluster holding `keys` keys; (cluster, wall seconds).
fn loaded(keys: u32, seed: u64) -> (NacosSim, f64) {
    let start = Instant::now();
    let s = preloaded(5, keys, seed).unwrap();
    (s, start.elapsed().as_secs_f64())
}

fn store_sizes(s: &NacosSim) -> Vec<usize> {
    (1..=s.node_count())
        .map(|n| s.protocol(n).store().map_or(0, |st| st.len()))
        .collect()
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));

    if wants("hour") {
        println!("== 5-node nacos, {KEYS} keys, 10 writes/s for one simulated hour");
        let (mut s, preload) = loaded(KEYS, 1);
        println!(
            "pre-load: {KEYS} writes in {preload:.3} s wall, {:.0} s simulated, {} events",
            s.now() as f64 / 1e6,
            s.stats().events
        );
        s.set_workload(Some(Workload {
            rate: 10.0,
            keys: KEYS,
            via_leader: true,
            delete: 0.0,
        }))
        .unwrap();
        let (t0, e0, ok0) = (s.now(), s.stats().events, s.client().counts().ok);
        let base = heap::live();
        let mut heap = Vec::new();
        let mut rss = Vec::new();
        let start = Instant::now();
        for minute in 1..=60 {
            s.run_until(t0 + minute * MINUTE);
            heap.push(heap::live() as i64 - base as i64);
            rss.push(heap::rss_kib());
        }
        let wall = start.elapsed().as_secs_f64();
        println!(
            "hour: wall {wall:.3} s (target < 2 s), {} events ({:.1} M/s), {} writes acknowledged, lost-write findings {}",
            s.stats().events - e0,
            (s.stats().events - e0) as f64 / wall / 1e6,
            s.client().counts().ok - ok0,
            s.monitor().count(raftbeat::sim::monitor::ViolationKind::LostWrite)
        );
        println!(
            "stores {:?} keys, client history {} keys",
            store_sizes(&s),
            s.client().key_count()
        );
        let kib = |v: &[i64]| {
            v.iter()
                .map(|b| (b / 1024).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!("live heap change by minute (KiB): {}", kib(&heap));
        let after = &heap[1..];
        println!(
            "minutes 2-60: live heap change min {} KiB, max {} KiB; RSS {} KiB at minute 1, {} KiB at minute 60",
            after.iter().min().unwrap() / 1024,
            after.iter().max().unwrap() / 1024,
            rss[0],
            rss[59]
        );
        // The step near minute 50 is the client history's op table growing
        // once (tombstones from replaced ops); two more hours show the
        // heap stays put after it.
        let mut later = Vec::new();
        for hour in 2..=3 {
            s.run_until(t0 + hour * HOUR);
            later.push(heap::live() as i64 - base as i64);
        }
        println!(
            "live heap change at the end of hours 2 and 3 (KiB): {}; RSS {} KiB",
            kib(&later),
            heap::rss_kib()
        );
    }

    if wants("keys") {
        // The per-key part of the hour: what the digest rebuilds and
        // follower walks cost grows with the keys, the rest does not.
        println!("\n== the same hour (10 writes/s) against the number of keys");
        for keys in [100u32, 1_000, KEYS] {
            let (mut s, _) = loaded(keys, 1);
            s.set_workload(Some(Workload {
                rate: 10.0,
                keys,
                via_leader: true,
                delete: 0.0,
            }))
            .unwrap();
            let (t0, e0) = (s.now(), s.stats().events);
            let start = Instant::now();
            s.run_until(t0 + HOUR);
            println!(
                "{keys:>6} keys: wall {:.3} s, {} events",
                start.elapsed().as_secs_f64(),
                s.stats().events - e0
            );
        }
    }

    if wants("idle") {
        println!("\n== the digest cache: one idle simulated hour (no writes), 5-node nacos");
        for keys in [0u32, KEYS] {
            let (mut s, _) = loaded(keys, 2);
            let (t0, e0) = (s.now(), s.stats().events);
            let start = Instant::now();
            s.run_until(t0 + HOUR);
            let wall = start.elapsed().as_secs_f64();
            println!(
                "{keys:>6} keys: wall {:.1} ms, {} events",
                wall * 1e3,
                s.stats().events - e0
            );
        }
        println!("(equal walls: the leader reuses its digest and followers skip the walk; without the cache");
        println!(" each of 720 beat rounds would walk {KEYS} keys on all five nodes)");
    }
}
