//! The Nacos data experiments' results as JSON and text tables: one
//! implementation for the command line and the page.

use super::beat_size::{self, Pulls, Row};
use super::lost_writes::VersionResult;
use super::propagation::{self, LossResult};
use super::stats::{ms_cell, summarize, Sample, Summary};
use crate::json::json_num;
use crate::num::fmt_f64;
use crate::time::{format_duration, MsJson};
use std::fmt::Write as _;

/// `"name":{"trials":n,"min_ms":..}` (an empty object when no samples).
fn summary_json(out: &mut String, name: &str, s: Option<Summary>) {
    let _ = write!(out, ",\"{name}\":{{");
    if let Some(s) = s {
        let mut f = String::new();
        s.write_json_fields(&mut f);
        out.push_str(&f[1..]);
    }
    out.push('}');
}

/// The distributions of one loss line: (name, samples).
pub fn propagation_series(r: &LossResult) -> Vec<(&'static str, Vec<Sample>)> {
    let acked: Vec<&propagation::Write> = r.writes.iter().filter(|w| w.acked).collect();
    vec![
        (
            "ok",
            acked
                .iter()
                .map(|w| Sample {
                    us: w.ok,
                    resolved: true,
                })
                .collect(),
        ),
        ("all_followers", acked.iter().map(|w| w.all).collect()),
        ("after_ok", acked.iter().map(|w| w.after_ok()).collect()),
        (
            "repaired_all_followers",
            acked.iter().filter(|w| w.repaired).map(|w| w.all).collect(),
        ),
    ]
}

/// One loss line's object.
pub fn propagation_line_json(r: &LossResult) -> String {
    let acked = r.writes.iter().filter(|w| w.acked).count();
    let mut out = String::from("{");
    let _ = write!(out, "\"loss\":{}", fmt_f64(r.loss));
    json_num(&mut out, "writes", r.writes.len());
    json_num(&mut out, "acked", acked);
    json_num(&mut out, "failed", r.writes.len() - acked);
    json_num(
        &mut out,
        "repaired",
        r.writes.iter().filter(|w| w.acked && w.repaired).count(),
    );
    json_num(
        &mut out,
        "unresolved",
        r.writes
            .iter()
            .filter(|w| w.acked && !w.all.resolved)
            .count(),
    );
    for (name, samples) in propagation_series(r) {
        summary_json(&mut out, name, summarize(&samples));
    }
    out.push('}');
    out
}

/// `raftbeat experiment nacos-propagation --format json`.
pub fn propagation_json(
    setup: &propagation::Setup,
    seed: u64,
    runs: u32,
    lines: &[LossResult],
) -> String {
    let mut out = String::from("{\"experiment\":\"nacos-propagation\"");
    json_num(&mut out, "nodes", setup.nodes);
    json_num(&mut out, "seed", seed);
    json_num(&mut out, "runs", runs);
    json_num(&mut out, "writes_per_run", setup.writes);
    let _ = write!(
        out,
        ",\"latency_ms\":[{},{}]",
        MsJson(setup.network.latency_min as i64),
        MsJson(setup.network.latency_max as i64)
    );
    json_num(
        &mut out,
        "heartbeat_ms",
        MsJson(setup.nacos.heartbeat_interval as i64),
    );
    out.push_str(",\"lines\":[");
    for (i, r) in lines.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&propagation_line_json(r));
    }
    out.push_str("\n]}\n");
    out
}

pub fn propagation_text(
    setup: &propagation::Setup,
    seed: u64,
    runs: u32,
    lines: &[LossResult],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Nacos write propagation: time, in ms, from a write's invocation (through the leader) to the client's ok,");
    let _ = writeln!(out, "and until every follower holds it; \"after ok\" is how long the last follower lags the ok.");
    let _ = writeln!(
        out,
        "{} nodes, beat every {}, one-way latency {}..{}, {} runs of {} writes a line, each at a random moment of the beat interval, seed {seed}.",
        setup.nodes,
        format_duration(setup.nacos.heartbeat_interval),
        format_duration(setup.network.latency_min),
        format_duration(setup.network.latency_max),
        runs,
        setup.writes
    );
    for r in lines {
        let acked = r.writes.iter().filter(|w| w.acked).count();
        let repaired = r.writes.iter().filter(|w| w.acked && w.repaired).count();
        let unresolved = r
            .writes
            .iter()
            .filter(|w| w.acked && !w.all.resolved)
            .count();
        let _ = writeln!(
            out,
            "\nloss {}: {} writes, {} acknowledged, {} failed, {} repaired by a pull{}",
            fmt_f64(r.loss),
            r.writes.len(),
            acked,
            r.writes.len() - acked,
            repaired,
            if unresolved > 0 {
                format!(
                    ", {unresolved} not on every follower after {}",
                    format_duration(setup.cap)
                )
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            out,
            "  {:<24} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "", "writes", "min", "median", "mean", "p90", "p99", "max"
        );
        for (name, samples) in propagation_series(r) {
            let label = match name {
                "ok" => "client ok",
                "all_followers" => "every follower",
                "after_ok" => "after ok",
                _ => "every follower, repaired",
            };
            if let Some(s) = summarize(&samples) {
                let _ = write!(out, "  {label:<24} {:>6}", s.trials);
                for (_, v) in s.named() {
                    let _ = write!(out, " {:>8}", ms_cell(v));
                }
                out.push('\n');
            }
        }
    }
    out
}

fn pulls_json(out: &mut String, name: &str, p: &Pulls) {
    let _ = write!(out, ",\"{name}\":{{\"changed_keys\":{}", p.changed);
    json_num(out, "pulls", p.pulls);
    json_num(out, "pulled_keys", p.keys);
    json_num(out, "bytes", p.bytes);
    json_num(out, "caught_up_ms", MsJson(p.took as i64));
    if p.unresolved {
        json_num(out, "unresolved", true);
    }
    out.push('}');
}

/// One key count's object.
pub fn beat_row_json(setup: &beat_size::Setup, r: &Row) -> String {
    let mut out = String::new();
    let _ = write!(out, "{{\"keys\":{}", r.keys);
    json_num(&mut out, "beat_entries", r.entries);
    json_num(&mut out, "beat_bytes", r.beat.json);
    json_num(&mut out, "beat_gzip_bytes", r.beat.gzip);
    json_num(&mut out, "beat_only_bytes", r.beat_only.json);
    json_num(&mut out, "beat_only_gzip_bytes", r.beat_only.gzip);
    json_num(
        &mut out,
        "beat_gzip_bytes_per_s",
        beat_rate(setup, r.beat.gzip),
    );
    pulls_json(&mut out, "dropped_commit", &r.dropped_commit);
    pulls_json(&mut out, "restart", &r.restart);
    out.push('}');
    out
}

/// What the leader sends per second in beats: one to each follower per
/// interval.
pub fn beat_rate(setup: &beat_size::Setup, bytes: u32) -> u64 {
    let per_round = u64::from(bytes) * u64::from(setup.nodes - 1);
    per_round * 1_000_000 / setup.nacos.heartbeat_interval.max(1)
}

/// `raftbeat experiment nacos-beat-size --format json`.
pub fn beat_size_json(setup: &beat_size::Setup, seed: u64, rows: &[Row]) -> String {
    let mut out = String::from("{\"experiment\":\"nacos-beat-size\"");
    json_num(&mut out, "nodes", setup.nodes);
    json_num(&mut out, "seed", seed);
    json_num(
        &mut out,
        "heartbeat_ms",
        MsJson(setup.nacos.heartbeat_interval as i64),
    );
    json_num(&mut out, "restart_down_ms", MsJson(setup.down as i64));
    let _ = write!(out, ",\"restart_write_rate\":{}", fmt_f64(setup.rate));
    out.push_str(",\"rows\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&beat_row_json(setup, r));
    }
    out.push_str("\n]}\n");
    out
}

fn kb(bytes: u64) -> String {
    if bytes < 10_000 {
        format!("{bytes} B")
    } else if bytes < 10_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

pub fn beat_size_text(setup: &beat_size::Setup, seed: u64, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Nacos beat size and pull traffic against the number of keys (the model's byte counts)."
    );
    let _ = writeln!(
        out,
        "{} nodes, beat every {}; a dropped commit is one update whose commit to one follower is lost;",
        setup.nodes,
        format_duration(setup.nacos.heartbeat_interval)
    );
    let _ = writeln!(
        out,
        "a restart is one follower down {} while the client writes {}/s to random keys. Seed {seed}.\n",
        format_duration(setup.down),
        fmt_f64(setup.rate)
    );
    let _ = writeln!(
        out,
        "{:>7} {:>10} {:>10} {:>11} {:>10} | {:>14} {:>9} | {:>8} {:>6} {:>10} {:>9}",
        "keys",
        "beat JSON",
        "beat gzip",
        "gzip out",
        "beat-only",
        "drop: pulled",
        "repair",
        "restart:",
        "pulls",
        "pulled",
        "catch-up"
    );
    for r in rows {
        let d = &r.dropped_commit;
        let st = &r.restart;
        let _ = writeln!(
            out,
            "{:>7} {:>10} {:>10} {:>11} {:>10} | {:>14} {:>9} | {:>8} {:>6} {:>10} {:>9}",
            r.keys,
            kb(u64::from(r.beat.json)),
            kb(u64::from(r.beat.gzip)),
            format!("{}/s", kb(beat_rate(setup, r.beat.gzip))),
            kb(u64::from(r.beat_only.json)),
            format!("{} in {}", d.keys, kb(d.bytes)),
            format!("{} ms", ms_cell(d.took)),
            format!("{} keys", st.changed),
            st.pulls,
            kb(st.bytes),
            format!("{} ms", ms_cell(st.took)),
        );
    }
    out
}

/// (runs, runs with a loss, lost in all).
fn loss_counts(r: &VersionResult) -> (usize, usize, u64) {
    (
        r.runs.len(),
        r.runs.iter().filter(|x| x.lost > 0).count(),
        r.runs.iter().map(|x| x.lost).sum(),
    )
}

pub fn lost_version_json(r: &VersionResult) -> String {
    let (n, with, lost) = loss_counts(r);
    let nf = n.max(1) as f64;
    let sum = |f: &dyn Fn(&super::lost_writes::Run) -> u64| r.runs.iter().map(f).sum::<u64>();
    let mut out = format!("{{\"version\":\"{}\"", r.version);
    let _ = write!(out, ",\"loss\":{}", fmt_f64(r.loss));
    json_num(&mut out, "runs", n);
    json_num(&mut out, "runs_with_loss", with);
    let _ = write!(out, ",\"fraction_with_loss\":{}", fmt_f64(with as f64 / nf));
    let _ = write!(out, ",\"mean_lost_per_run\":{}", fmt_f64(lost as f64 / nf));
    json_num(
        &mut out,
        "max_lost_in_a_run",
        r.runs.iter().map(|x| x.lost).max().unwrap_or(0),
    );
    json_num(&mut out, "lost", lost);
    json_num(&mut out, "acked", sum(&|x| x.acked));
    let _ = write!(
        out,
        ",\"causes\":{{\"elected\":{},\"dead_key\":{},\"pull\":{},\"commit\":{}}}",
        sum(&|x| x.elected),
        sum(&|x| x.dead_key),
        sum(&|x| x.pull),
        sum(&|x| x.commit)
    );
    out.push('}');
    out
}

/// `raftbeat experiment nacos-lost-writes --format json`.
pub fn lost_writes_json(
    setup: &super::lost_writes::Setup,
    seed: u64,
    results: &[VersionResult],
) -> String {
    let mut out = String::from("{\"experiment\":\"nacos-lost-writes\"");
    json_num(&mut out, "nodes", setup.nodes);
    json_num(&mut out, "seed", seed);
    let _ = write!(out, ",\"rate\":{}", fmt_f64(setup.rate));
    json_num(&mut out, "keys", setup.keys);
    let _ = write!(
        out,
        ",\"crash_window_ms\":[{},{}]",
        MsJson(setup.warmup as i64),
        MsJson((setup.warmup + setup.window) as i64)
    );
    json_num(&mut out, "down_ms", MsJson(setup.down as i64));
    json_num(&mut out, "after_ms", MsJson(setup.after as i64));
    out.push_str(",\"lines\":[");
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&lost_version_json(r));
    }
    out.push_str("\n]}\n");
    out
}

pub fn lost_writes_text(
    setup: &super::lost_writes::Setup,
    seed: u64,
    results: &[VersionResult],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Nacos lost acknowledged writes: the leader crashes at a random moment of a workload (the durability checker's findings).");
    let _ = writeln!(
        out,
        "{} nodes, {} writes/s over {} keys through the leader; crash {}..{} after the first leader settles, down {}, workload on for {} after the crash. Seed {seed}.\n",
        setup.nodes,
        fmt_f64(setup.rate),
        setup.keys,
        format_duration(setup.warmup),
        format_duration(setup.warmup + setup.window),
        format_duration(setup.down),
        format_duration(setup.after)
    );
    let _ = writeln!(
        out,
        "{:<8} {:>5} {:>6} {:>10} {:>10} {:>10} {:>8} {:>9}  causes (elected, dead key, pull, commit)",
        "release", "loss", "runs", "with loss", "fraction", "mean lost", "max", "acked"
    );
    for r in results {
        let (n, with, lost) = loss_counts(r);
        let nf = n.max(1) as f64;
        let s = |f: &dyn Fn(&super::lost_writes::Run) -> u64| r.runs.iter().map(f).sum::<u64>();
        let _ = writeln!(
            out,
            "{:<8} {:>5} {:>6} {:>10} {:>10.3} {:>10.3} {:>8} {:>9}  {}, {}, {}, {}",
            r.version.to_string(),
            fmt_f64(r.loss),
            n,
            with,
            with as f64 / nf,
            lost as f64 / nf,
            r.runs.iter().map(|x| x.lost).max().unwrap_or(0),
            s(&|x| x.acked),
            s(&|x| x.elected),
            s(&|x| x.dead_key),
            s(&|x| x.pull),
            s(&|x| x.commit)
        );
    }
    out
}
