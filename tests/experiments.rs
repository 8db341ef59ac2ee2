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
    // first heartbeat each take at least the minimum latency.
    let setup = Setup::default();
    for (r, s) in results() {
        let floor = r.line.lo - r.line.heartbeat() + 4 * setup.latency.0;
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
        if r.line.hi - r.line.lo > setup.latency.1 {
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
        "one-way latency 2.5ms..3.5ms",
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
        (
            &["experiment", "fig16", "--latency", "2ms..8ms", "--lines", "12-24"],
            "--latency: the first leader did not settle in the warm-up of 12-24 ms: heartbeats every 6ms cannot hold followers with one-way latency 2ms..8ms",
        ),
        (&["experiment", "fig16", "--logs", "5:1,5:1"], "--logs: must name exactly five logs"),
        (&["experiment", "fig16", "--replay", "150-200"], "--replay: must be RANGE:TRIAL"),
        (&["experiment", "fig16", "--frobnicate"], "fig16: unknown option `--frobnicate`"),
        (&["experiment", "nacos-failover", "--lines", "150-155"], "nacos-failover: unknown option `--lines`"),
        (&["experiment", "fig17"], "experiment: unknown experiment `fig17`; there are fig16, nacos-failover, nacos-propagation, nacos-beat-size and nacos-lost-writes"),
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
