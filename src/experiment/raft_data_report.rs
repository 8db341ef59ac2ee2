//! The Raft data experiments' results as JSON, text and CSV: one
//! implementation for the command line and the page.

use super::commit_latency::{self, LineResult, Outcome, Phase};
use super::lost_writes_compared::{self as compared, Model, ModelResult};
use super::stats::{ms_cell, summarize, Sample, Summary};
use crate::json::{json_num, json_str};
use crate::num::fmt_f64;
use crate::time::{format_duration, MsJson};
use std::fmt::Write as _;

/// Counts of a set of ops by outcome: [ok, failed, unknown, pending].
fn outcome_counts<'a>(ops: impl Iterator<Item = &'a commit_latency::Op>) -> [usize; 4] {
    let mut c = [0; 4];
    for o in ops {
        let i = Outcome::ALL
            .iter()
            .position(|x| *x == o.outcome)
            .unwrap_or(0);
        c[i] += 1;
    }
    c
}

fn ok_latencies<'a>(ops: impl Iterator<Item = &'a commit_latency::Op>) -> Option<Summary> {
    let s: Vec<Sample> = ops
        .filter(|o| o.outcome == Outcome::Ok)
        .map(|o| Sample {
            us: o.latency,
            resolved: true,
        })
        .collect();
    summarize(&s)
}

fn all_ops(r: &LineResult) -> impl Iterator<Item = &commit_latency::Op> {
    r.trials.iter().flat_map(|t| t.ops.iter())
}

/// `"name":{..}`: counts by outcome and the ok latencies.
fn group_json(out: &mut String, name: &str, counts: [usize; 4], s: Option<Summary>) {
    let _ = write!(
        out,
        ",\"{name}\":{{\"writes\":{}",
        counts.iter().sum::<usize>()
    );
    for (o, n) in Outcome::ALL.iter().zip(counts) {
        json_num(out, o.as_str(), n);
    }
    out.push_str(",\"latency\":{");
    if let Some(s) = s {
        let mut f = String::new();
        s.write_json_fields(&mut f);
        out.push_str(&f[1..]);
    }
    out.push_str("}}");
}

/// Phases reported apart on a crash line.
const CRASH_PHASES: [Phase; 2] = [Phase::InFlight, Phase::RightAfter];

/// One line's object.
pub fn commit_line_json(r: &LineResult) -> String {
    let mut out = String::new();
    let _ = write!(out, "{{\"line\":\"{}\"", r.fault.label());
    let loss = match r.fault {
        commit_latency::Fault::Loss(p) => p,
        _ => 0.0,
    };
    let _ = write!(out, ",\"loss\":{}", fmt_f64(loss));
    json_num(
        &mut out,
        "crash",
        r.fault == commit_latency::Fault::LeaderCrash,
    );
    json_num(&mut out, "trials", r.trials.len());
    group_json(
        &mut out,
        "all",
        outcome_counts(all_ops(r)),
        ok_latencies(all_ops(r)),
    );
    if r.fault == commit_latency::Fault::LeaderCrash {
        for p in CRASH_PHASES {
            let ops = || all_ops(r).filter(move |o| o.phase == p);
            group_json(
                &mut out,
                p.as_str(),
                outcome_counts(ops()),
                ok_latencies(ops()),
            );
        }
        let rec: Vec<Sample> = r.trials.iter().filter_map(|t| t.recovery()).collect();
        out.push_str(",\"recovery\":{");
        if let Some(s) = summarize(&rec) {
            let mut f = String::new();
            s.write_json_fields(&mut f);
            out.push_str(&f[1..]);
        }
        out.push('}');
    }
    out.push('}');
    out
}

/// `raftbeat experiment raft-commit-latency --format json`.
pub fn commit_json(
    setup: &commit_latency::Setup,
    seed: u64,
    trials: u32,
    lines: &[LineResult],
) -> String {
    let mut out = String::from("{\"experiment\":\"raft-commit-latency\"");
    json_num(&mut out, "nodes", setup.nodes);
    json_num(&mut out, "seed", seed);
    json_num(&mut out, "trials", trials);
    let _ = write!(out, ",\"rate\":{}", fmt_f64(setup.rate));
    json_num(&mut out, "keys", setup.keys);
    json_num(&mut out, "duration_ms", MsJson(setup.duration as i64));
    let _ = write!(
        out,
        ",\"election_ms\":[{},{}]",
        MsJson(setup.raft.election_min as i64),
        MsJson(setup.raft.election_max as i64)
    );
    json_num(
        &mut out,
        "heartbeat_ms",
        MsJson(setup.raft.heartbeat_interval as i64),
    );
    let _ = write!(
        out,
        ",\"latency_ms\":[{},{}]",
        MsJson(setup.network.latency_min as i64),
        MsJson(setup.network.latency_max as i64)
    );
    json_num(&mut out, "right_after_ms", MsJson(setup.after as i64));
    out.push_str(",\"lines\":[");
    for (i, r) in lines.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&commit_line_json(r));
    }
    out.push_str("\n]}\n");
    out
}

fn text_row(out: &mut String, label: &str, counts: [usize; 4], s: Option<Summary>) {
    let _ = write!(
        out,
        "  {label:<26} {:>7} {:>7} {:>7} {:>7} {:>7}",
        counts.iter().sum::<usize>(),
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    match s {
        Some(s) => {
            for v in [s.median, s.p90, s.p99, s.max] {
                let _ = write!(out, " {:>8}", ms_cell(v));
            }
        }
        None => {
            for _ in 0..4 {
                let _ = write!(out, " {:>8}", "-");
            }
        }
    }
    out.push('\n');
}

pub fn commit_text(
    setup: &commit_latency::Setup,
    seed: u64,
    trials: u32,
    lines: &[LineResult],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Raft commit latency: time, in ms, from a write's invocation at the leader to the client's ok."
    );
    let _ = writeln!(
        out,
        "{} nodes, election timeout {}..{}, heartbeat {}, one-way latency {}..{}; {} writes/s over {} keys for {}, {} trials a line, seed {seed}.",
        setup.nodes,
        format_duration(setup.raft.election_min),
        format_duration(setup.raft.election_max),
        format_duration(setup.raft.heartbeat_interval),
        format_duration(setup.network.latency_min),
        format_duration(setup.network.latency_max),
        fmt_f64(setup.rate),
        setup.keys,
        format_duration(setup.duration),
        trials
    );
    let _ = writeln!(
        out,
        "failed: certainly not applied; unknown: the leader went down or stepped down first (may have committed);"
    );
    let _ = writeln!(
        out,
        "pending: no answer {} after the workload stopped. Latencies are of the ok writes.\n",
        format_duration(setup.drain)
    );
    let _ = writeln!(
        out,
        "  {:<26} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8}",
        "", "writes", "ok", "failed", "unknown", "pending", "p50", "p90", "p99", "max"
    );
    for r in lines {
        text_row(
            &mut out,
            &r.fault.label(),
            outcome_counts(all_ops(r)),
            ok_latencies(all_ops(r)),
        );
        if r.fault == commit_latency::Fault::LeaderCrash {
            for p in CRASH_PHASES {
                let label = match p {
                    Phase::InFlight => "  in flight at the crash".to_string(),
                    _ => format!("  invoked {} after it", format_duration(setup.after)),
                };
                let ops = || all_ops(r).filter(move |o| o.phase == p);
                text_row(&mut out, &label, outcome_counts(ops()), ok_latencies(ops()));
            }
            let rec: Vec<Sample> = r.trials.iter().filter_map(|t| t.recovery()).collect();
            if let Some(s) = summarize(&rec) {
                let _ = writeln!(
                    out,
                    "  from the crash to the first ok of a write invoked after it: p50 {} ms, p90 {} ms, max {} ms ({} trials{})",
                    ms_cell(s.median),
                    ms_cell(s.p90),
                    ms_cell(s.max),
                    s.trials,
                    if s.unresolved > 0 {
                        format!(", {} with none", s.unresolved)
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    out
}

/// `--format csv`: one row per write.
pub fn commit_csv(lines: &[LineResult]) -> String {
    let mut out = String::from("line,trial,invoked_ms,latency_ms,outcome,phase\n");
    for r in lines {
        let label = r.fault.label();
        for (t, trial) in r.trials.iter().enumerate() {
            for o in &trial.ops {
                let _ = writeln!(
                    out,
                    "{label},{t},{},{},{},{}",
                    MsJson(o.invoked as i64),
                    MsJson(o.latency as i64),
                    o.outcome.as_str(),
                    o.phase.as_str()
                );
            }
        }
    }
    out
}

// ---- Lost writes, Raft against Nacos -----------------------------------------

pub fn compared_line_json(r: &ModelResult) -> String {
    let mut out = format!("{{\"model\":\"{}\"", r.model.label());
    let _ = write!(out, ",\"loss\":{}", fmt_f64(r.loss));
    json_num(&mut out, "runs", r.runs.len());
    json_num(&mut out, "acked", r.acked());
    json_num(&mut out, "lost", r.lost());
    json_num(&mut out, "runs_with_loss", r.runs_with_loss());
    json_num(
        &mut out,
        "faults_hit",
        r.runs.iter().map(|x| x.faults_hit).sum::<u64>(),
    );
    out.push('}');
    out
}

/// "Raft lost 0 acknowledged writes; Nacos 1.0 lost 3, ..., 1.4 lost 1"
/// (totals over every loss rate).
pub fn verdict(results: &[ModelResult]) -> String {
    let mut order: Vec<Model> = Vec::new();
    for r in results {
        if !order.contains(&r.model) {
            order.push(r.model);
        }
    }
    let lost = |m: Model| -> u64 {
        results
            .iter()
            .filter(|r| r.model == m)
            .map(|r| r.lost())
            .sum()
    };
    let acked = |m: Model| -> u64 {
        results
            .iter()
            .filter(|r| r.model == m)
            .map(|r| r.acked())
            .sum()
    };
    let mut parts = Vec::new();
    let mut nacos = Vec::new();
    for m in order {
        match m {
            Model::Raft => parts.push(format!(
                "Raft lost {} of {} acknowledged writes",
                lost(m),
                acked(m)
            )),
            Model::Nacos(v) => nacos.push(format!("{v} lost {} of {}", lost(m), acked(m))),
        }
    }
    if !nacos.is_empty() {
        parts.push(format!("Nacos {}", nacos.join(", ")));
    }
    parts.join("; ")
}

/// `raftbeat experiment lost-writes --format json`.
pub fn compared_json(setup: &compared::Setup, seed: u64, results: &[ModelResult]) -> String {
    let mut out = String::from("{\"experiment\":\"lost-writes\"");
    json_num(&mut out, "nodes", setup.nodes);
    json_num(&mut out, "seed", seed);
    let _ = write!(out, ",\"rate\":{}", fmt_f64(setup.rate));
    json_num(&mut out, "keys", setup.keys);
    json_num(&mut out, "faults", setup.faults);
    let _ = write!(
        out,
        ",\"fault_length_ms\":[{},{}]",
        MsJson(setup.length.0 as i64),
        MsJson(setup.length.1 as i64)
    );
    json_num(
        &mut out,
        "raft_heartbeat_ms",
        MsJson(setup.raft.heartbeat_interval as i64),
    );
    let _ = write!(
        out,
        ",\"raft_election_ms\":[{},{}]",
        MsJson(setup.raft.election_min as i64),
        MsJson(setup.raft.election_max as i64)
    );
    json_str(&mut out, "verdict", &verdict(results));
    out.push_str(",\"lines\":[");
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&compared_line_json(r));
    }
    out.push_str("\n]}\n");
    out
}

pub fn compared_text(setup: &compared::Setup, seed: u64, results: &[ModelResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Lost acknowledged writes: Raft and each Nacos release under the same fault schedules (the durability checker's findings)."
    );
    let _ = writeln!(
        out,
        "{} nodes, {} writes/s over {} keys through the leader; {} faults a run, each {}..{} long, crashing (then restarting) or isolating (then healing) the node leading then.",
        setup.nodes,
        fmt_f64(setup.rate),
        setup.keys,
        setup.faults,
        format_duration(setup.length.0),
        format_duration(setup.length.1),
    );
    let _ = writeln!(
        out,
        "Raft with Nacos-like timings (heartbeat {}, election timeout {}..{}), Nacos with its own. Seed {seed}.\n",
        format_duration(setup.raft.heartbeat_interval),
        format_duration(setup.raft.election_min),
        format_duration(setup.raft.election_max),
    );
    let _ = writeln!(
        out,
        "{:<10} {:>5} {:>6} {:>10} {:>6} {:>14}",
        "model", "loss", "runs", "acked", "lost", "runs with loss"
    );
    for r in results {
        let _ = writeln!(
            out,
            "{:<10} {:>5} {:>6} {:>10} {:>6} {:>14}",
            r.model.label(),
            fmt_f64(r.loss),
            r.runs.len(),
            r.acked(),
            r.lost(),
            r.runs_with_loss()
        );
    }
    let _ = writeln!(out, "\n{}.", verdict(results));
    out
}
