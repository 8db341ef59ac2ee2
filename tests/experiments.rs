//! The experiments: Figure 16's faithful numbers on fewer trials with a
//! fixed seed (the full 9 100 trials are `cargo bench --bench fig16`), the
//! shape of the curves, replays, the Nacos failover, and the command line.
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use raftbeat::experiment::failover;
use raftbeat::experiment::fig16::{self, Check, Setup, LINES};
use raftbeat::experiment::report::{self, LineResult};
use raftbeat::experiment::stats::{summarize, Summary};
use raftbeat::script;
mod common;
use common::raftbeat;
use std::sync::OnceLock;

const SEED: u64 = 1;
const PER_LINE: u32 = 300;

/// 300 trials a line (30 for 150-150), seed 1: run once for every test here.
fn results() -> &'static Vec<(LineResult, Summary)> {
    static R: OnceLock<Vec<(LineResult, Summary)>> = OnceLock::new();
    R.get_or_init(|| {
        let setup = Setup::default();
        LINES
            .iter()
            .map(|line| {
                let mut samples = Vec::new();
                fig16::run_trials(
                    line,
                    &setup,
                    SEED,
                    0,
                    line.trials_for(PER_LINE),
                    &mut samples,
                )
                .unwrap();
                let s = summarize(&samples).unwrap();
                (
                    LineResult {
                        line,
                        samples,
                        slowest: 0,
                    },
                    s,
                )
            })
            .collect()
    })
}

fn summary(label: &str) -> Summary {
    results()
        .iter()
        .find(|(r, _)| r.line.label() == label)
        .map(|(_, s)| *s)
        .unwrap()
}

#[test]
fn the_papers_numbers_hold_on_fewer_trials() {
    let mut checked = 0;
    for (r, s) in results() {
        assert_eq!(s.unresolved, 0, "{}: a trial hit the cap", r.line.label());
        for c in r.line.claims.iter().filter(|c| c.check != Check::None) {
            let v = s.get(c.stat);
            assert!(
                c.holds(v),
                "{} {} = {v} µs: not {} (paper: {})",
                r.line.label(),
                c.stat.as_str(),
                c.describe_check(),
                c.words
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked, 4,
        "150-150 median, 150-155 median, 150-200 worst, 12-24 mean"
    );
    // And in numbers, for whoever reads the failure:
    assert!((229_600..=344_400).contains(&summary("150-155").median));
    assert!(summary("150-200").max <= 650_000);
    assert!((28_000..=42_000).contains(&summary("12-24").mean));
    assert!(summary("150-150").median > 10_000_000);
}

#[test]
fn no_trial_beats_the_physical_minimum() {
    // A survivor times out at least electionMin after it received the last
    // heartbeat, which left the leader at most a heartbeat interval (half
    // electionMin) before the crash; then a vote request, its reply and the
    // first heartbeat each take at least the minimum latency, and the
    // candidate and a voter each write to disk before they send.
    let setup = Setup::default();
    for (r, s) in results() {
        let floor = r.line.lo - r.line.heartbeat() + 4 * setup.latency.0 + 2 * setup.disk_write.0;
        assert!(
            s.min >= floor,
            "{}: min {} µs below {floor} µs",
            r.line.label(),
            s.min
        );
        // The paper: "the smallest possible downtime was about half of the
        // minimum election timeout": the fastest trial lands near that floor.
        // Only where the timeouts spread wider than a message takes can a
        // first election win outright; at 150-150 and 150-151 every first
        // round splits.
        if r.line.hi - r.line.lo > setup.latency.1 + setup.disk_write.1 {
            assert!(
                s.min <= floor + r.line.lo / 2,
                "{}: min {} µs, far above the floor {floor} µs",
                r.line.label(),
                s.min
            );
        }
    }
}

#[test]
fn the_curves_have_the_papers_shape() {
    // Top graph: a little randomness removes most split votes.
    let top = ["150-150", "150-151", "150-155", "150-175"].map(|l| summary(l).median);
    assert!(
        top.windows(2).all(|w| w[0] > w[1]),
        "medians {top:?} should fall as randomness grows"
    );
    assert!(
        summary("150-175").p99 < summary("150-155").p99 / 2,
        "the tail shrinks with randomness"
    );
    // Bottom graph: downtime scales with the minimum timeout.
    let bottom = ["12-24", "25-50", "50-100", "100-200", "150-300"].map(|l| summary(l).median);
    assert!(
        bottom.windows(2).all(|w| w[0] < w[1]),
        "medians {bottom:?} should grow with the timeout"
    );
}

#[test]
fn trials_are_independent_of_order_and_chunking() {
    let line = fig16::line("150-175").unwrap();
    let setup = Setup::default();
    let mut whole = Vec::new();
    fig16::run_trials(line, &setup, 7, 0, 40, &mut whole).unwrap();
    let mut parts = Vec::new();
    fig16::run_trials(line, &setup, 7, 0, 13, &mut parts).unwrap();
    fig16::run_trials(line, &setup, 7, 13, 27, &mut parts).unwrap();
    assert_eq!(
        whole, parts,
        "a worker's chunks give the same trials as one run"
    );
    let mut other = Vec::new();
    fig16::run_trials(line, &setup, 8, 0, 40, &mut other).unwrap();
    assert_ne!(whole, other, "another seed, other trials");
}

#[test]
fn a_replayed_trial_shows_the_same_election() {
    let setup = Setup::default();
    for (label, trial) in [("150-200", 3), ("12-24", 11), ("150-155", 0)] {
        let line = fig16::line(label).unwrap();
        let t = fig16::run_trial(line, &setup, SEED, trial).unwrap();
        let text = fig16::replay_script(line, &setup, &t);
        let parsed = script::parse(&text).unwrap();
        let report = script::run(&parsed, None);
        assert_eq!(report.failures().count(), 0, "{label} #{trial}:\n{text}");
        let trace = report
            .outcomes
            .iter()
            .flat_map(|o| o.output.iter())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            trace.contains(&format!("S{}   crash", t.crashed)),
            "{trace}"
        );
        let leader = t.new_leader.unwrap();
        assert!(
            trace.contains(&format!("S{leader}   becomeLeader")),
            "{trace}"
        );
    }
}

#[test]
fn nacos_failover_detects_in_its_leader_timeout_and_spreads_with_the_next_beat() {
    let setup = failover::Setup::default();
    let mut trials = Vec::new();
    failover::run_trials(&setup, SEED, 0, 200, &mut trials).unwrap();
    let phases = report::failover_phases(&trials);
    let get = |name: &str| summarize(&phases.iter().find(|(n, _)| *n == name).unwrap().1).unwrap();
    let (total, detect, propagate) = (get("total"), get("detection"), get("propagation"));
    assert_eq!(total.unresolved, 0);
    // leaderDue is 15 s + [0, 5 s) from the last beat, and the crash falls
    // within 5 s of that beat: detection lies in (10 s, 20 s].
    assert!(
        detect.min > 10_000_000 && detect.max <= 20_000_000,
        "{detect:?}"
    );
    // A new leader beats when its heartbeatDue (reset to 5 s by sendVote)
    // runs out: about 4.5 s after its election, whatever the trial.
    assert!(
        propagate.min >= 4_000_000 && propagate.max <= 5_000_000,
        "{propagate:?}"
    );
    assert!(
        total.median > 15_000_000 && total.max < 26_000_000,
        "{total:?}"
    );
}

// ---- The command line ----------------------------------------------------

#[test]
fn cli_json_equals_the_library() {
    let (code, out, err) = raftbeat(&[
        "experiment",
        "fig16",
        "--trials",
        "20",
        "--seed",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("182 trials in"),
        "9 lines of 20 and 2 of 150-150, wall time on stderr: {err}"
    );
    assert_eq!(out.matches("\"range_ms\":[").count(), 10, "{out}");
    for key in [
        "\"trials\":",
        "\"min_ms\":",
        "\"median_ms\":",
        "\"mean_ms\":",
        "\"p90_ms\":",
        "\"p99_ms\":",
        "\"max_ms\":",
    ] {
        assert_eq!(out.matches(key).count(), 10, "{key} in every line: {out}");
    }
    assert!(
        out.starts_with("[\n{\"range_ms\":[150,150],\"trials\":2,"),
        "{out}"
    );
    // The same numbers as the library computes for the same seed and trials.
    let setup = Setup::default();
    let lib: Vec<LineResult> = LINES
        .iter()
        .map(|line| {
            let mut samples = Vec::new();
            fig16::run_trials(line, &setup, 5, 0, line.trials_for(20), &mut samples).unwrap();
            LineResult {
                line,
                samples,
                slowest: 0,
            }
        })
        .collect();
    assert_eq!(out, report::fig16_json(&lib));
    // Same flags, same bytes.
    assert_eq!(
        raftbeat(&[
            "experiment",
            "fig16",
            "--trials",
            "20",
            "--seed",
            "5",
            "--format",
            "json"
        ])
        .1,
        out
    );
}

#[test]
fn cli_text_and_csv_show_the_paper_beside_the_measurement() {
    let (code, out, err) = raftbeat(&[
        "experiment",
        "fig16",
        "--trials",
        "30",
        "--lines",
        "150-155,12-24",
    ]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "150-155",
        "12-24",
        "median 287",
        "mean 35, longest 152",
        "one-way latency 0.2ms..0.4ms",
        "disk write 1ms..4ms",
        "seed 1",
    ] {
        assert!(out.contains(want), "`{want}` missing:\n{out}");
    }
    assert!(!out.contains("150-200"), "--lines picks lines:\n{out}");
    let (code, csv, _) = raftbeat(&[
        "experiment",
        "fig16",
        "--trials",
        "10",
        "--lines",
        "150-200",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[0].starts_with("range_lo_ms,range_hi_ms,graph,trials,min_ms,median_ms"),
        "{csv}"
    );
    assert!(
        rows[1].starts_with("150,200,top,10,") && rows[1].ends_with(",0,worst 513"),
        "{csv}"
    );
    let (code, nacos, _) = raftbeat(&["experiment", "nacos-failover", "--trials", "20"]);
    assert_eq!(code, 0);
    assert!(
        nacos.contains("detection") && nacos.contains("propagation") && nacos.contains("1 s bins"),
        "{nacos}"
    );
}

#[test]
fn cli_replay_prints_a_script_that_runs() {
    let (code, out, err) = raftbeat(&["experiment", "fig16", "--replay", "150-200:3"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("# Figure 16, 150-200 ms: one trial"),
        "{out}"
    );
    let report = script::run(&script::parse(&out).unwrap(), None);
    assert_eq!(report.failures().count(), 0, "{out}");
    let (code, out, _) = raftbeat(&["experiment", "nacos-failover", "--replay", "2"]);
    assert_eq!(code, 0);
    let report = script::run(&script::parse(&out).unwrap(), None);
    assert_eq!(report.failures().count(), 0, "{out}");
}

#[test]
fn cli_bad_flags_name_the_flag_and_the_rule() {
    let cases: &[(&[&str], &str)] = &[
        (&["experiment", "fig16", "--trials", "0"], "--trials: must be a whole number from 1 to 1000000, got `0`"),
        (&["experiment", "fig16", "--trials", "many"], "--trials: must be a whole number"),
        (&["experiment", "fig16", "--trials"], "--trials: expected a number of trials after it"),
        (&["experiment", "fig16", "--seed", "-1"], "--seed: must be a whole number from 0 to 18446744073709551615, got `-1`"),
        (&["experiment", "fig16", "--format", "xml"], "--format: must be text, json or csv, got `xml`"),
        (&["experiment", "fig16", "--lines", "1-2"], "--lines: `1-2` is not a Figure 16 range; the ranges are 150-150, 150-151"),
        (&["experiment", "fig16", "--latency", "5ms..1ms"], "--latency: the maximum must be at least the minimum"),
        (&["experiment", "fig16", "--latency", "5"], "--latency: must be a range like 1.5ms..4.5ms"),
        (&["experiment", "fig16", "--jitter", "2s"], "--jitter: must be at most 1s"),
        (&["experiment", "fig16", "--disk-write", "4ms..1ms"], "--disk-write: the maximum must be at least the minimum"),
        (&["experiment", "fig16", "--disk-write", "1ms..2s"], "--disk-write: must be at most 1s"),
        (&["experiment", "fig16", "--disk-write", "3ms"], "--disk-write: must be a range like 1.5ms..4.5ms"),
        (
            &["experiment", "fig16", "--latency", "2ms..8ms", "--lines", "12-24"],
            "--latency: the first leader did not settle in the warm-up of 12-24 ms: heartbeats every 6ms cannot hold followers with one-way latency 2ms..8ms",
        ),
        (&["experiment", "fig16", "--logs", "5:1,5:1"], "--logs: must name exactly five logs"),
        (&["experiment", "fig16", "--replay", "150-200"], "--replay: must be RANGE:TRIAL"),
        (&["experiment", "fig16", "--frobnicate"], "fig16: unknown option `--frobnicate`"),
        (&["experiment", "nacos-failover", "--lines", "150-155"], "nacos-failover: unknown option `--lines`"),
        (&["experiment", "fig17"], "experiment: unknown experiment `fig17`; there are fig16, nacos-failover, nacos-propagation, nacos-beat-size, nacos-lost-writes, raft-commit-latency and lost-writes"),
    ];
    for (args, want) in cases {
        let (code, out, err) = raftbeat(args);
        assert_eq!(code, 2, "{args:?} should fail: {out}{err}");
        assert!(err.contains(want), "{args:?}: expected `{want}` in `{err}`");
        assert!(out.is_empty(), "{args:?}: nothing on stdout, got {out}");
    }
    let (code, out, _) = raftbeat(&["experiment", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("raftbeat experiment fig16") && out.contains("nacos-failover"));
}

// ---- The Nacos data experiments -------------------------------------------

mod nacos_data {
    use super::raftbeat;
    use raftbeat::experiment::beat_size::{self, Row};
    use raftbeat::experiment::data_report;
    use raftbeat::experiment::lost_writes::{self, Run};
    use raftbeat::experiment::propagation;
    use raftbeat::protocol::nacos::Version;
    use raftbeat::sim::FIRST_RTO;
    use std::sync::OnceLock;

    fn propagation_lines() -> &'static Vec<propagation::LossResult> {
        static R: OnceLock<Vec<propagation::LossResult>> = OnceLock::new();
        R.get_or_init(|| {
            let setup = propagation::Setup {
                writes: 60,
                ..propagation::Setup::default()
            };
            propagation::run_all(&setup, 3, 3, &[0.0, 0.1]).unwrap()
        })
    }

    #[test]
    fn without_loss_every_write_reaches_every_follower_within_one_way_and_its_ok_within_a_round_trip(
    ) {
        let setup = propagation::Setup::default();
        let (lo, hi) = (setup.network.latency_min, setup.network.latency_max);
        let r = &propagation_lines()[0];
        assert_eq!(r.writes.len(), 180);
        for w in &r.writes {
            assert!(w.acked && !w.repaired && w.all.resolved, "{w:?}");
            // The leader applies at once and commits to all: one hop.
            assert!((lo..=hi).contains(&w.all.us), "{w:?}");
            // The ok waits for the second reply: two hops.
            assert!((2 * lo..=2 * hi).contains(&w.ok), "{w:?}");
        }
    }

    #[test]
    fn with_loss_a_lost_commit_is_resent_a_retransmission_timeout_later() {
        // Nacos's commits are HTTP requests: TCP resends a lost one after
        // 200 ms (doubling), so it comes late instead of never. Only a beat
        // that lands inside that wait makes the follower pull the write.
        let setup = propagation::Setup::default();
        let (lo, hi) = (setup.network.latency_min, setup.network.latency_max);
        let r = &propagation_lines()[1];
        let acked: Vec<_> = r.writes.iter().filter(|w| w.acked).collect();
        let repaired: Vec<_> = acked.iter().filter(|w| w.repaired).collect();
        let resent: Vec<_> = acked
            .iter()
            .filter(|w| !w.repaired && w.all.us > hi)
            .collect();
        for w in &acked {
            assert!(w.all.resolved, "{w:?}");
            // On time, or at least one retransmission timeout late.
            if !w.repaired {
                assert!(w.all.us <= hi || w.all.us >= FIRST_RTO + lo, "{w:?}");
            }
        }
        // 1 - 0.9^4: about a third of the writes lose a commit to someone.
        assert!(
            5 * resent.len() >= acked.len() && 2 * resent.len() <= acked.len(),
            "{} of {} resent",
            resent.len(),
            acked.len()
        );
        // A beat comes every 5 s; a resend waits 200 ms to a few seconds.
        assert!(
            10 * repaired.len() < acked.len(),
            "{} of {} repaired",
            repaired.len(),
            acked.len()
        );
        // The JSON's counts are the writes'.
        let json = data_report::propagation_line_json(r);
        assert!(
            json.contains(&format!("\"repaired\":{}", repaired.len())),
            "{json}"
        );
        let mut flat = Vec::new();
        for w in &r.writes {
            w.write_flat(&mut flat);
        }
        assert_eq!(propagation::Write::read_flat(&flat).unwrap(), r.writes);
        assert!(propagation::Write::read_flat(&flat[1..]).is_err());
    }

    fn rows() -> &'static Vec<Row> {
        static R: OnceLock<Vec<Row>> = OnceLock::new();
        R.get_or_init(|| {
            beat_size::run_all(&beat_size::Setup::default(), 1, &[100, 1000, 2000]).unwrap()
        })
    }

    #[test]
    fn beat_bytes_grow_linearly_with_the_keys() {
        let r = rows();
        for row in r {
            assert_eq!(row.entries, row.keys, "{row:?}");
            // No list, no growth: only the term's digits (+100 a write) differ.
            assert!(
                row.beat_only.json.abs_diff(r[0].beat_only.json) <= 2,
                "{row:?}"
            );
            assert!(row.beat.json > row.beat_only.json, "{row:?}");
        }
        let slope = |a: &Row, b: &Row, f: &dyn Fn(&Row) -> u32| {
            f64::from(f(b) - f(a)) / f64::from(b.keys - a.keys)
        };
        let json1 = slope(&r[0], &r[1], &|x| x.beat.json);
        let json2 = slope(&r[1], &r[2], &|x| x.beat.json);
        // {"key":"k123","timestamp":1} with escaped quotes and a comma:
        // about 40 bytes a key, one more per digit of the key.
        assert!((35.0..45.0).contains(&json1), "{json1}");
        assert!((json2 - json1).abs() <= 1.5, "{json1} vs {json2}");
        let gzip = slope(&r[0], &r[2], &|x| x.beat.gzip);
        assert!((3.0..6.0).contains(&gzip), "{gzip}");
    }

    #[test]
    fn a_dropped_commit_costs_one_pull_and_a_restart_pulls_what_changed() {
        for row in rows() {
            let d = &row.dropped_commit;
            assert!(!d.unresolved, "{row:?}");
            assert_eq!((d.pulls, d.keys), (1, 1), "{row:?}");
            // Written just after a beat round: the repair waits for the next.
            assert!(d.took <= 5_200_000 && d.took >= 4_800_000, "{row:?}");
            let s = &row.restart;
            assert!(!s.unresolved && s.changed > 0, "{row:?}");
            assert!(s.keys >= s.changed, "{row:?}");
            assert!(s.pulls >= s.changed.div_ceil(50), "{row:?}");
            assert!(
                s.bytes > 150 * s.changed,
                "a datum's reply is over 150 bytes: {row:?}"
            );
        }
        let mut flat = Vec::new();
        for row in rows() {
            row.write_flat(&mut flat);
        }
        assert_eq!(&Row::read_flat(&flat).unwrap(), rows());
    }

    #[test]
    fn with_send_beat_only_beats_list_no_keys_and_nothing_is_repaired() {
        let mut setup = beat_size::Setup::default();
        setup.nacos.send_beat_only = true;
        let row = beat_size::run_row(&setup, 50, 1).unwrap();
        assert_eq!(row.entries, 0);
        assert_eq!(row.beat, row.beat_only);
        assert!(
            row.dropped_commit.unresolved && row.dropped_commit.pulls == 0,
            "{row:?}"
        );
        assert!(row.restart.unresolved && row.restart.pulls == 0, "{row:?}");
    }

    #[test]
    fn lost_writes_need_message_loss_and_each_has_a_cause() {
        let setup = lost_writes::Setup::default();
        let v14 = Version { minor: 4 };
        let results =
            lost_writes::run_all(&setup, 1, 40, &[Version { minor: 2 }, v14], &[0.0, 0.05])
                .unwrap();
        for r in &results {
            for run in &r.runs {
                assert!(run.lost <= run.acked && run.acked > 100, "{run:?}");
                assert_eq!(
                    run.elected + run.dead_key + run.pull + run.commit,
                    run.lost,
                    "{run:?}"
                );
            }
            let with = r.runs.iter().filter(|x| x.lost > 0).count();
            if r.loss == 0.0 {
                assert!(with <= 1, "{} {}: {with} of 40", r.version, r.loss);
            } else {
                assert!(with >= 5, "{} {}: {with} of 40", r.version, r.loss);
            }
        }
        // Runs are independent of how they are cut into chunks.
        let mut s = setup.clone();
        s.network.loss = 0.05;
        let a = lost_writes::run_range(&s, v14, 1, 10, 5).unwrap();
        assert_eq!(a[..], results[3].runs[10..15]);
        let mut flat = Vec::new();
        for r in &a {
            r.write_flat(&mut flat);
        }
        assert_eq!(Run::read_flat(&flat).unwrap(), a);
    }

    #[test]
    fn cli_json_equals_the_library() {
        let (code, out, err) = raftbeat(&[
            "experiment",
            "nacos-lost-writes",
            "--runs",
            "6",
            "--seed",
            "4",
            "--loss",
            "0.05",
            "--versions",
            "1.2",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("6 runs in"), "{err}");
        let setup = lost_writes::Setup::default();
        let lib = lost_writes::run_all(&setup, 4, 6, &[Version { minor: 2 }], &[0.05]).unwrap();
        assert_eq!(out, data_report::lost_writes_json(&setup, 4, &lib));

        let (code, out, err) = raftbeat(&[
            "experiment",
            "nacos-beat-size",
            "--keys",
            "10,30",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let setup = beat_size::Setup::default();
        let lib = beat_size::run_all(&setup, 1, &[10, 30]).unwrap();
        assert_eq!(out, data_report::beat_size_json(&setup, 1, &lib));

        let (code, out, err) = raftbeat(&[
            "experiment",
            "nacos-propagation",
            "--runs",
            "2",
            "--writes",
            "10",
            "--loss",
            "0.2",
            "--seed",
            "9",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let setup = propagation::Setup {
            writes: 10,
            ..propagation::Setup::default()
        };
        let lib = propagation::run_all(&setup, 9, 2, &[0.2]).unwrap();
        assert_eq!(out, data_report::propagation_json(&setup, 9, 2, &lib));
        let (_, text, _) = raftbeat(&[
            "experiment",
            "nacos-propagation",
            "--runs",
            "1",
            "--writes",
            "5",
        ]);
        assert!(
            text.contains("loss 0.1: 5 writes") && text.contains("every follower"),
            "{text}"
        );
    }

    #[test]
    fn cli_bad_flags_name_the_flag_and_the_rule() {
        let cases: &[(&[&str], &str)] = &[
            (&["experiment", "nacos-propagation", "--runs", "0"], "--runs: must be a whole number from 1 to 100000, got `0`"),
            (&["experiment", "nacos-propagation", "--writes", "x"], "--writes: must be a whole number from 1 to 100000, got `x`"),
            (&["experiment", "nacos-propagation", "--loss", "0.7"], "--loss: must list rates from 0 to below 0.5, like 0,0.1, got `0.7`"),
            (&["experiment", "nacos-propagation", "--loss", ","], "--loss: must list rates"),
            (&["experiment", "nacos-propagation", "--loss"], "--loss: expected loss rates like 0,0.1 after it"),
            (&["experiment", "nacos-propagation", "--format", "csv"], "--format: must be text or json, got `csv`"),
            (&["experiment", "nacos-propagation", "--latency", "9ms..1ms"], "--latency: the maximum must be at least the minimum"),
            (&["experiment", "nacos-beat-size", "--keys", "10,0"], "--keys: must list whole numbers from 1 to 1000000, like 10,100,1000, got `0`"),
            (&["experiment", "nacos-beat-size", "--keys", "2000000"], "--keys: must list whole numbers from 1 to 1000000"),
            (&["experiment", "nacos-beat-size", "--down", "0s"], "--down: must be above 0 and at most 1h, got `0s`"),
            (&["experiment", "nacos-beat-size", "--seed", "-3"], "--seed: must be a whole number from 0 to 18446744073709551615, got `-3`"),
            (&["experiment", "nacos-lost-writes", "--versions", "1.2,2.0"], "--versions: must list Nacos releases (1.0, 1.1, 1.2, 1.3 or 1.4), like 1.2,1.4, got `2.0`"),
            (&["experiment", "nacos-lost-writes", "--rate", "0"], "--rate: must be a number of writes per second above 0 and at most 1000, got `0`"),
            (&["experiment", "nacos-lost-writes", "--keys", "0"], "--keys: must be a whole number from 1 to 1000000, got `0`"),
            (&["experiment", "nacos-lost-writes", "--runs"], "--runs: expected a number of runs after it"),
            (&["experiment", "nacos-lost-writes", "--trials", "5"], "nacos-lost-writes: unknown option `--trials`"),
        ];
        for (args, want) in cases {
            let (code, out, err) = raftbeat(args);
            assert_eq!(code, 2, "{args:?} should fail: {out}{err}");
            assert!(err.contains(want), "{args:?}: expected `{want}` in `{err}`");
            assert!(out.is_empty(), "{args:?}: nothing on stdout, got {out}");
        }
    }
}

// ---- The Raft data experiments -------------------------------------------

mod raft_data {
    use super::raftbeat;
    use raftbeat::experiment::commit_latency::{self, Fault, Outcome, Phase, Trial};
    use raftbeat::experiment::lost_writes_compared::{self as compared, Model, Run};
    use raftbeat::experiment::raft_data_report as report;
    use raftbeat::protocol::nacos::Version;
    use std::sync::OnceLock;

    fn lines() -> &'static Vec<commit_latency::LineResult> {
        static R: OnceLock<Vec<commit_latency::LineResult>> = OnceLock::new();
        R.get_or_init(|| {
            let setup = commit_latency::Setup {
                duration: 30 * 1_000_000,
                ..commit_latency::Setup::default()
            };
            commit_latency::run_all(&setup, 7, 6, &[0.05]).unwrap()
        })
    }

    #[test]
    fn every_commit_takes_at_least_a_round_trip_and_without_faults_every_write_is_ok() {
        let setup = commit_latency::Setup::default();
        let (lo, hi) = (setup.network.latency_min, setup.network.latency_max);
        let ls = lines();
        assert_eq!(
            ls.iter().map(|l| l.fault).collect::<Vec<_>>(),
            [Fault::None, Fault::Loss(0.05), Fault::LeaderCrash]
        );
        for l in ls {
            assert_eq!(l.trials.len(), 6);
            for t in &l.trials {
                // 30 s at 10 writes/s: about 300 writes.
                assert!((200..400).contains(&t.ops.len()), "{}", t.ops.len());
                for o in t.ops.iter().filter(|o| o.outcome == Outcome::Ok) {
                    // To a follower and back: two one-way latencies at least.
                    assert!(o.latency >= 2 * lo, "{:?}: {o:?}", l.fault);
                }
            }
        }
        for t in &ls[0].trials {
            assert!(t.crash_at.is_none());
            for o in &t.ops {
                assert_eq!(o.outcome, Outcome::Ok, "{o:?}");
                assert_eq!(o.phase, Phase::Before);
                // No loss: a round trip to the second-fastest follower; an
                // append overtaken on the wire by the next one is refused
                // and sent again: one more round trip.
                assert!(o.latency <= 4 * hi, "{o:?}");
            }
        }
        let clean = ls[0]
            .trials
            .iter()
            .flat_map(|t| &t.ops)
            .filter(|o| o.latency <= 2 * hi)
            .count();
        let all = ls[0].trials.iter().map(|t| t.ops.len()).sum::<usize>();
        assert!(
            clean * 100 >= all * 95,
            "{clean} of {all} within a clean round trip"
        );
        // Loss stretches the tail past a clean round trip.
        let loss_max = ls[1]
            .trials
            .iter()
            .flat_map(|t| &t.ops)
            .filter(|o| o.outcome == Outcome::Ok)
            .map(|o| o.latency)
            .max()
            .unwrap();
        assert!(loss_max > 2 * hi, "{loss_max}");
    }

    #[test]
    fn a_leader_crash_loses_the_connection_of_writes_in_flight_and_a_new_leader_takes_writes_after_an_election(
    ) {
        let setup = commit_latency::Setup::default();
        let crash = &lines()[2];
        for t in &crash.trials {
            let at = t.crash_at.expect("a leader to crash");
            assert!((7_500_000..22_500_000).contains(&at), "{at}");
            for o in &t.ops {
                match o.phase {
                    // The client was waiting on the crashed leader: it may have committed.
                    Phase::InFlight => {
                        assert!(o.invoked < at);
                        assert_eq!(o.outcome, Outcome::Unknown, "{o:?}");
                    }
                    Phase::Before => assert!(o.invoked + o.latency <= at),
                    Phase::RightAfter => assert!(o.invoked >= at && o.invoked < at + setup.after),
                    Phase::Later => assert!(o.invoked >= at + setup.after),
                }
            }
            let r = t.recovery().unwrap();
            // No write is taken before a survivor times out and wins.
            assert!(r.resolved && r.us >= setup.raft.election_min, "{r:?}");
            assert!(r.us < 2_000_000, "{r:?}");
        }
        let right_after = crash
            .trials
            .iter()
            .flat_map(|t| &t.ops)
            .filter(|o| o.phase == Phase::RightAfter);
        assert!(right_after.clone().any(|o| o.outcome == Outcome::Failed));
        assert!(right_after.clone().any(|o| o.outcome == Outcome::Ok));
    }

    #[test]
    fn trials_are_the_same_for_the_same_seed_however_they_are_cut() {
        let setup = commit_latency::Setup {
            duration: 30 * 1_000_000,
            ..commit_latency::Setup::default()
        };
        let l = &lines()[2];
        let again = commit_latency::run_trials(&setup, Fault::LeaderCrash, 7, 2, 3).unwrap();
        assert_eq!(again[..], l.trials[2..5]);
        let other = commit_latency::run_trials(&setup, Fault::LeaderCrash, 8, 2, 1).unwrap();
        assert_ne!(other[0], l.trials[2]);
        let mut flat = Vec::new();
        for t in &l.trials {
            t.write_flat(&mut flat);
        }
        assert_eq!(Trial::read_flat(&flat).unwrap(), l.trials);
        assert!(Trial::read_flat(&flat[..flat.len() - 1]).is_err());
        assert!(Trial::read_flat(&[1.0, 2.0, 0.0]).is_err());
    }

    #[test]
    fn raft_loses_no_acknowledged_write_under_the_schedules_that_cost_nacos_some() {
        let setup = compared::Setup::default();
        let models = compared::models(&[Version { minor: 4 }]);
        let results = compared::run_all(&setup, 1, 12, &models, &[0.0, 0.05]).unwrap();
        assert_eq!(results.len(), 4);
        let raft: Vec<_> = results.iter().filter(|r| r.model == Model::Raft).collect();
        let nacos: Vec<_> = results.iter().filter(|r| r.model != Model::Raft).collect();
        for r in &raft {
            assert_eq!(r.lost(), 0, "{r:?}");
            assert!(r.acked() > 12 * 800, "{r:?}");
        }
        assert!(nacos.iter().map(|r| r.lost()).sum::<u64>() > 0, "{nacos:?}");
        // The same schedule: each run's faults come from its seed alone.
        for loss in [0.0, 0.05] {
            let seed = compared::run_seed(1, loss, 3);
            assert_eq!(
                compared::schedule(&setup, seed),
                compared::schedule(&setup, seed)
            );
            assert_ne!(
                compared::schedule(&setup, seed),
                compared::schedule(&setup, seed + 1)
            );
            for f in compared::schedule(&setup, seed) {
                assert!((setup.length.0..=setup.length.1).contains(&f.length));
            }
        }
        let text = report::compared_text(&setup, 1, &results);
        assert!(text.contains("Raft lost 0 of "), "{text}");
        assert!(text.contains("Nacos 1.4 lost "), "{text}");
        let mut flat = Vec::new();
        for r in &results[1].runs {
            r.write_flat(&mut flat);
        }
        assert_eq!(Run::read_flat(&flat).unwrap(), results[1].runs);
    }

    #[test]
    fn cli_json_equals_the_library() {
        let (code, out, err) = raftbeat(&[
            "experiment",
            "raft-commit-latency",
            "--trials",
            "2",
            "--seed",
            "5",
            "--duration",
            "20s",
            "--loss",
            "0.02",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("6 trials in"), "{err}");
        let setup = commit_latency::Setup {
            duration: 20 * 1_000_000,
            ..commit_latency::Setup::default()
        };
        let lib = commit_latency::run_all(&setup, 5, 2, &[0.02]).unwrap();
        assert_eq!(out, report::commit_json(&setup, 5, 2, &lib));
        // The page's path: each line's trials in the flat form, read back.
        let mut flat = Vec::new();
        for t in &lib[2].trials {
            t.write_flat(&mut flat);
        }
        let back = commit_latency::LineResult {
            fault: Fault::LeaderCrash,
            trials: Trial::read_flat(&flat).unwrap(),
        };
        assert_eq!(
            report::commit_line_json(&back),
            report::commit_line_json(&lib[2])
        );

        let (code, out, err) = raftbeat(&[
            "experiment",
            "lost-writes",
            "--runs",
            "3",
            "--seed",
            "4",
            "--versions",
            "1.0,1.4",
            "--loss",
            "0.05",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("9 runs in"), "{err}");
        let setup = compared::Setup::default();
        let models = compared::models(&[Version { minor: 0 }, Version { minor: 4 }]);
        let lib = compared::run_all(&setup, 4, 3, &models, &[0.05]).unwrap();
        assert_eq!(out, report::compared_json(&setup, 4, &lib));
        assert!(out.contains("\"verdict\":\"Raft lost 0 of "), "{out}");

        let (code, csv, _) = raftbeat(&[
            "experiment",
            "raft-commit-latency",
            "--trials",
            "1",
            "--duration",
            "5s",
            "--format",
            "csv",
        ]);
        assert_eq!(code, 0);
        assert!(
            csv.starts_with("line,trial,invoked_ms,latency_ms,outcome,phase\nno faults,0,"),
            "{csv}"
        );
    }

    #[test]
    fn cli_bad_flags_name_the_flag_and_the_rule() {
        let cases: &[(&[&str], &str)] = &[
            (&["experiment", "raft-commit-latency", "--trials", "0"], "--trials: must be a whole number from 1 to 100000, got `0`"),
            (&["experiment", "raft-commit-latency", "--rate", "0"], "--rate: must be a number of writes per second above 0 and at most 1000, got `0`"),
            (&["experiment", "raft-commit-latency", "--duration", "0s"], "--duration: must be above 0 and at most 24h, got `0s`"),
            (&["experiment", "raft-commit-latency", "--duration"], "--duration: expected a duration like 1m after it"),
            (&["experiment", "raft-commit-latency", "--loss", "0.6"], "--loss: must list rates from 0 to below 0.5"),
            (&["experiment", "raft-commit-latency", "--format", "xml"], "--format: must be text, json or csv, got `xml`"),
            (&["experiment", "lost-writes", "--versions", "1.5"], "--versions: must list Nacos releases (1.0, 1.1, 1.2, 1.3 or 1.4), like 1.2,1.4, got `1.5`"),
            (&["experiment", "lost-writes", "--runs", "0"], "--runs: must be a whole number from 1 to 1000000, got `0`"),
            (&["experiment", "lost-writes", "--rate", "-1"], "--rate: must be a number of writes per second above 0 and at most 1000, got `-1`"),
            (&["experiment", "lost-writes", "--format", "csv"], "--format: must be text or json, got `csv`"),
            (&["experiment", "lost-writes", "--trials", "5"], "lost-writes: unknown option `--trials`"),
        ];
        for (args, want) in cases {
            let (code, out, err) = raftbeat(args);
            assert_eq!(code, 2, "{args:?} should fail: {out}{err}");
            assert!(err.contains(want), "{args:?}: expected `{want}` in `{err}`");
            assert!(out.is_empty(), "{args:?}: nothing on stdout, got {out}");
        }
    }
}
