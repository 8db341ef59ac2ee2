//! The experiments' results as text tables, JSON and CSV: one
//! implementation for the command line and the page.

use super::failover;
use super::fig16::{self, Line, Setup};
use super::stats::{ms_cell, summarize, Sample, Summary};
use crate::json::{json_num, json_str};
use crate::protocol::Micros;
use crate::time::format_duration;
use crate::time::MsJson;
use std::fmt::Write as _;

/// One line's results: every trial's sample, and the slowest trial's number.
pub struct LineResult {
    pub line: &'static Line,
    pub samples: Vec<Sample>,
    pub slowest: u32,
}

/// The JSON array: one object per line.
pub fn fig16_json(results: &[LineResult]) -> String {
    let mut out = String::from("[");
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&line_json(
            r.line,
            &summarize(&r.samples).expect("at least one trial"),
        ));
    }
    out.push_str("\n]\n");
    out
}

/// `{"range_ms":[lo,hi],"trials":n,"min_ms":..,...,"graph":..,"paper":[..]}`.
pub fn line_json(line: &Line, s: &Summary) -> String {
    let mut out = format!(
        "{{\"range_ms\":[{},{}]",
        MsJson(line.lo as i64),
        MsJson(line.hi as i64)
    );
    s.write_json_fields(&mut out);
    json_str(&mut out, "graph", line.graph.as_str());
    out.push_str(",\"paper\":[");
    for (i, c) in line.claims.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        out.push_str(&format!("\"stat\":\"{}\"", c.stat.as_str()));
        json_num(&mut out, "ms", MsJson(c.paper as i64));
        json_str(&mut out, "words", c.words);
        json_num(&mut out, "measured_ms", MsJson(s.get(c.stat) as i64));
        out.push_str(&format!(",\"check\":\"{}\"", c.describe_check()));
        json_num(&mut out, "ok", c.holds(s.get(c.stat)));
        out.push('}');
    }
    out.push_str("]}");
    out
}

pub fn fig16_csv(results: &[LineResult]) -> String {
    let mut out = String::from("range_lo_ms,range_hi_ms,graph,trials,min_ms,median_ms,mean_ms,p90_ms,p99_ms,max_ms,unresolved,paper\n");
    for r in results {
        let s = summarize(&r.samples).expect("at least one trial");
        let _ = write!(
            out,
            "{},{},{},{}",
            MsJson(r.line.lo as i64),
            MsJson(r.line.hi as i64),
            r.line.graph.as_str(),
            s.trials
        );
        for (_, v) in s.named() {
            let _ = write!(out, ",{}", MsJson(v as i64));
        }
        let paper: Vec<&str> = r.line.claims.iter().map(|c| c.words).collect();
        let _ = writeln!(out, ",{},{}", s.unresolved, paper.join("; "));
    }
    out
}

/// The aligned table with the paper's numbers beside, then the checks.
pub fn fig16_text(results: &[LineResult], setup: &Setup, seed: u64) -> String {
    let mut out = String::new();
    let logs: Vec<String> = setup
        .logs
        .iter()
        .enumerate()
        .map(|(i, l)| format!("S{} {}:{}", i + 1, l.index, l.term))
        .collect();
    let _ = writeln!(out, "Figure 16 (Raft paper, section 9.3): time without a leader, in ms, from the leader's crash");
    let _ = writeln!(
        out,
        "until every other live server has accepted the new leader's first heartbeat."
    );
    let _ = writeln!(
        out,
        "5 servers (logs {}), one-way latency {}..{}, timer jitter {}{}, heartbeat = half the minimum timeout, seed {seed}.",
        logs.join(", "),
        format_duration(setup.latency.0),
        format_duration(setup.latency.1),
        format_duration(setup.timer_jitter),
        if setup.disk_write == (0, 0) {
            String::new()
        } else {
            format!(
                ", disk write {}..{}",
                format_duration(setup.disk_write.0),
                format_duration(setup.disk_write.1)
            )
        }
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<6} {:>9} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  {:<8} paper (stated)",
        "graph", "timeout", "trials", "min", "median", "mean", "p90", "p99", "max", "slowest"
    );
    for r in results {
        let s = summarize(&r.samples).expect("at least one trial");
        let _ = write!(
            out,
            "{:<6} {:>9} {:>6}",
            r.line.graph.as_str(),
            r.line.label(),
            s.trials
        );
        for (_, v) in s.named() {
            let _ = write!(out, " {:>7}", ms_cell(v));
        }
        let _ = write!(out, "  {:<8}", format!("#{}", r.slowest));
        let paper: Vec<String> = r.line.claims.iter().map(|c| c.words.to_string()).collect();
        let _ = write!(out, " {}", paper.join(", "));
        if s.unresolved > 0 {
            let _ = write!(
                out,
                "  [{} trials unresolved after {}: lower bounds]",
                s.unresolved,
                format_duration(setup.cap)
            );
        }
        out.push('\n');
    }
    let checks: Vec<String> = results
        .iter()
        .flat_map(|r| {
            let s = summarize(&r.samples).expect("at least one trial");
            r.line
                .claims
                .iter()
                .filter(|c| c.check != fig16::Check::None)
                .map(move |c| {
                    let v = s.get(c.stat);
                    format!(
                        "  {:<4} {} {} {} ms: {} (paper: {})",
                        if c.holds(v) { "ok" } else { "FAIL" },
                        r.line.label(),
                        c.stat.as_str(),
                        ms_cell(v),
                        c.describe_check(),
                        c.words
                    )
                })
        })
        .collect();
    if !checks.is_empty() {
        let _ = writeln!(
            out,
            "\nChecks against the paper's numbers (meant for the default 1000 trials a line):"
        );
        for c in checks {
            let _ = writeln!(out, "{c}");
        }
    }
    let _ = writeln!(
        out,
        "\nThe paper also says the smallest possible downtime is about half the minimum timeout.\nReplay a trial: raftbeat experiment fig16 --seed {seed} --replay RANGE:TRIAL > t.txt; raftbeat run t.txt --verbose"
    );
    out
}

/// The phases of every trial as samples: (name, samples).
pub fn failover_phases(trials: &[failover::Trial]) -> Vec<(&'static str, Vec<Sample>)> {
    let pick = |f: &dyn Fn(&failover::Trial) -> Option<Micros>| -> Vec<Sample> {
        trials
            .iter()
            .filter_map(|t| f(t).map(|us| Sample { us, resolved: true }))
            .collect()
    };
    vec![
        ("total", trials.iter().map(|t| t.sample).collect()),
        ("detection", pick(&|t| t.detect)),
        ("election", pick(&|t| Some(t.elected? - t.detect?))),
        (
            "propagation",
            pick(&|t| {
                t.elected
                    .filter(|_| t.sample.resolved)
                    .map(|e| t.sample.us - e)
            }),
        ),
    ]
}

pub fn failover_json(trials: &[failover::Trial]) -> String {
    let mut out = String::from("{");
    for (i, (name, samples)) in failover_phases(trials).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\n\"{name}\":{{");
        if let Some(s) = summarize(samples) {
            let mut f = String::new();
            s.write_json_fields(&mut f);
            out.push_str(&f[1..]);
        }
        out.push('}');
    }
    let elections: u64 = trials.iter().map(|t| u64::from(t.elections)).sum();
    let _ = write!(
        out,
        ",\n\"elections_per_trial\":{}",
        elections as f64 / trials.len().max(1) as f64
    );
    out.push_str("\n}\n");
    out
}

pub fn failover_csv(trials: &[failover::Trial]) -> String {
    let mut out =
        String::from("phase,trials,min_ms,median_ms,mean_ms,p90_ms,p99_ms,max_ms,unresolved\n");
    for (name, samples) in failover_phases(trials) {
        if let Some(s) = summarize(&samples) {
            let _ = write!(out, "{name},{}", s.trials);
            for (_, v) in s.named() {
                let _ = write!(out, ",{}", MsJson(v as i64));
            }
            let _ = writeln!(out, ",{}", s.unresolved);
        }
    }
    out
}

pub fn failover_text(trials: &[failover::Trial], setup: &failover::Setup, seed: u64) -> String {
    let mut out = String::new();
    let c = &setup.nacos;
    let _ = writeln!(out, "Nacos 1.x failover: time, in ms, from the leader's crash until every live follower follows a new leader.");
    let _ = writeln!(
        out,
        "{} nodes, tick {}, beat every {}, leaderDue {} + [0, {}), one-way latency {}..{}, seed {seed}.",
        setup.nodes,
        format_duration(c.tick),
        format_duration(c.heartbeat_interval),
        format_duration(c.leader_timeout),
        format_duration(c.leader_random),
        format_duration(setup.network.latency_min),
        format_duration(setup.network.latency_max)
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "phase", "trials", "min", "median", "mean", "p90", "p99", "max"
    );
    for (name, samples) in failover_phases(trials) {
        if let Some(s) = summarize(&samples) {
            let _ = write!(out, "{name:<12} {:>6}", s.trials);
            for (_, v) in s.named() {
                let _ = write!(out, " {:>8}", ms_cell(v));
            }
            if s.unresolved > 0 {
                let _ = write!(
                    out,
                    "  [{} unresolved after {}]",
                    s.unresolved,
                    format_duration(setup.cap)
                );
            }
            out.push('\n');
        }
    }
    let elections: u64 = trials.iter().map(|t| u64::from(t.elections)).sum();
    let _ = writeln!(
        out,
        "\nelections per failover: {:.2} on average",
        elections as f64 / trials.len().max(1) as f64
    );
    let _ = writeln!(out, "\nDistribution of the total (1 s bins):");
    let mut bins: std::collections::BTreeMap<u64, usize> = std::collections::BTreeMap::new();
    for t in trials {
        *bins.entry(t.sample.us / 1_000_000).or_default() += 1;
    }
    let top = bins.values().copied().max().unwrap_or(1);
    for (s, n) in &bins {
        let bar = "#".repeat((n * 50).div_ceil(top));
        let _ = writeln!(out, "  {:>3}-{:<3} s {:>5}  {bar}", s, s + 1, n);
    }
    let _ = writeln!(out, "\nReplay a trial: raftbeat experiment nacos-failover --seed {seed} --replay TRIAL > t.txt; raftbeat run t.txt --verbose");
    out
}
