//! The Raft log stays bounded however long a run is: every node snapshots
//! every `SNAPSHOT_EVERY` applied entries and keeps one to two windows of
//! entries, plus what it has not committed yet. Behaviour, not speed: the
//! timed 24-hour run is `cargo bench --bench raft_log`.
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use raftbeat::experiment::commit_latency::{self, Setup};
use raftbeat::protocol::raft::SNAPSHOT_EVERY;
use raftbeat::sim::log_safety::WINDOW;

const MINUTE: u64 = 60 * 1_000_000;

#[test]
fn two_hours_at_50_writes_a_second_keep_every_log_within_two_snapshot_windows() {
    let setup = Setup {
        rate: 50.0,
        ..Setup::default()
    };
    let mut s = commit_latency::settled(&setup, setup.network.clone(), 3).unwrap();
    s.set_workload(Some(setup.workload())).unwrap();
    let t0 = s.now();
    let mut longest = 0;
    for minute in 1..=120 {
        s.run_until(t0 + minute * MINUTE);
        for id in 1..=s.node_count() {
            let n = s.protocol(id);
            let uncommitted = n.log().last().index - n.commit_index();
            let len = n.log().len() as u64;
            assert!(
                len <= 2 * SNAPSHOT_EVERY + uncommitted,
                "minute {minute}, S{id}: {len} entries, {uncommitted} uncommitted"
            );
            longest = longest.max(len);
        }
        // The monitor's log checker remembers a window, not the run.
        assert!(
            s.monitor().log.remembered() as u64 <= 2 * (WINDOW + 1024),
            "minute {minute}: {}",
            s.monitor().log.remembered()
        );
    }
    let acked = s.client().counts().ok;
    // 50 writes/s for two hours: about 360 000, hundreds of snapshots.
    assert!(acked > 340_000, "{acked}");
    assert!(s.protocol(1).snapshot_pos().index > 300_000);
    // The bound is reached, not vacuous: logs do grow past one window.
    assert!(longest > SNAPSHOT_EVERY, "{longest}");
}
