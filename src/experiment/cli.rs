//! `raftbeat experiment ...`: the command line of the experiments.
//!
//! Results go to stdout and are the same for the same flags, byte for byte;
//! the wall time goes to stderr.

use super::fig16::{self, Line, Setup, LINES};
use super::failover;
use super::stats::{ms_cell, summarize, Sample, Summary};
use crate::protocol::{json_num, json_str, Micros, MsJson};
use crate::sim::time::{format_duration, parse_duration};
use std::fmt::Write as _;
use std::time::Instant;

pub const HELP: &str = "\
raftbeat experiment: reproduce measurements, print them with the published numbers

USAGE:
    raftbeat experiment fig16 [--trials N] [--seed S] [--format text|json|csv]
                              [--lines LO-HI,...] [--latency MIN..MAX] [--jitter D]
                              [--replay LO-HI:TRIAL]
    raftbeat experiment nacos-failover [--trials N] [--seed S] [--format text|json|csv]
                              [--latency MIN..MAX] [--replay TRIAL]

fig16             Figure 16 of the Raft paper: five servers, two of the four
                  survivors unable to win (shorter logs), the leader crashed
                  uniformly within its heartbeat interval (half the minimum
                  timeout) after one heartbeat round; the time from the crash
                  until every other live server has accepted the new leader's
                  first heartbeat. Ten timeout ranges; the paper's stated
                  numbers beside the measured ones.
    --trials N        Trials per line (default 1000; 150-150 runs a tenth, as
                      in the paper).
    --seed S          Seed of the whole run (default 1). Trial i of a line has
                      its own seed derived from S, the range and i.
    --format F        text (default), json (an array of {\"range_ms\":[lo,hi],
                      \"trials\":n,\"min_ms\",\"median_ms\",\"mean_ms\",\"p90_ms\",
                      \"p99_ms\",\"max_ms\",...}) or csv.
    --lines L         Only these ranges, e.g. 150-155,12-24.
    --latency A..B    One-way latency of every message (default 1.5ms..4.5ms).
    --jitter D        Timers fire up to D late (default 0.2ms).
    --logs L          The five logs, index:term (default 5:1,5:1,5:1,3:1,3:1);
                      the first leader is drawn among the most up to date.
    --replay R:I      Print a scenario script replaying trial I of range R
                      (run it with `raftbeat run FILE --verbose`).

nacos-failover    Nacos 1.x (default timings, 2-8 ms LAN): crash the leader
                  within its heartbeat interval after a beat round; the time
                  until every live follower follows a new leader, with its
                  phases (detection, election, propagation) and histogram.
    --trials N        Trials (default 1000).
";

struct Opts {
    trials: Option<u32>,
    seed: u64,
    format: Format,
    lines: Option<Vec<&'static Line>>,
    latency: Option<(Micros, Micros)>,
    jitter: Option<Micros>,
    logs: Option<[crate::protocol::raft::LogPos; 5]>,
    replay: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Csv,
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str, what: &str) -> Result<&'a str, String> {
    *i += 1;
    args.get(*i).map(String::as_str).ok_or_else(|| format!("{flag}: expected {what} after it"))
}

fn parse_opts(args: &[String], experiment: &str) -> Result<Opts, String> {
    let mut o = Opts { trials: None, seed: 1, format: Format::Text, lines: None, latency: None, jitter: None, logs: None, replay: None };
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        match flag {
            "--trials" => {
                let v = value(args, &mut i, flag, "a number of trials")?;
                let n: u32 = v.parse().map_err(|_| format!("--trials: must be a whole number from 1 to 1000000, got `{v}`"))?;
                if !(1..=1_000_000).contains(&n) {
                    return Err(format!("--trials: must be a whole number from 1 to 1000000, got `{v}`"));
                }
                o.trials = Some(n);
            }
            "--seed" => {
                let v = value(args, &mut i, flag, "a seed")?;
                o.seed = v.parse().map_err(|_| format!("--seed: must be a whole number from 0 to 18446744073709551615, got `{v}`"))?;
            }
            "--format" => {
                let v = value(args, &mut i, flag, "text, json or csv")?;
                o.format = match v {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    _ => return Err(format!("--format: must be text, json or csv, got `{v}`")),
                };
            }
            "--lines" if experiment == "fig16" => {
                let v = value(args, &mut i, flag, "ranges like 150-155,12-24")?;
                let mut picked = Vec::new();
                for label in v.split(',').filter(|s| !s.trim().is_empty()) {
                    let l = fig16::line(label).ok_or_else(|| {
                        format!(
                            "--lines: `{label}` is not a Figure 16 range; the ranges are {}",
                            LINES.iter().map(|l| l.label()).collect::<Vec<_>>().join(", ")
                        )
                    })?;
                    if !picked.contains(&l) {
                        picked.push(l);
                    }
                }
                if picked.is_empty() {
                    return Err("--lines: name at least one range, e.g. 150-155".into());
                }
                o.lines = Some(picked);
            }
            "--latency" => {
                let v = value(args, &mut i, flag, "a range like 1.5ms..4.5ms")?;
                let (a, b) = v.split_once("..").ok_or_else(|| format!("--latency: must be a range like 1.5ms..4.5ms, got `{v}`"))?;
                let a = parse_duration("--latency", a).map_err(|e| e.to_string())?;
                let b = parse_duration("--latency", b).map_err(|e| e.to_string())?;
                if b < a {
                    return Err(format!("--latency: the maximum must be at least the minimum, got `{v}`"));
                }
                o.latency = Some((a, b));
            }
            "--jitter" if experiment == "fig16" => {
                let v = value(args, &mut i, flag, "a duration like 0.2ms")?;
                o.jitter = Some(parse_duration("--jitter", v).map_err(|e| e.to_string())?);
            }
            "--logs" if experiment == "fig16" => {
                let v = value(args, &mut i, flag, "five index:term logs like 5:1,5:1,5:1,3:1,3:1")?;
                let mut logs = Vec::new();
                for p in v.split(',') {
                    let bad = || format!("--logs: must be five index:term pairs like 5:1,5:1,5:1,3:1,3:1, got `{v}`");
                    let (a, b) = p.split_once(':').ok_or_else(bad)?;
                    let (index, term) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
                    if index == 0 || term == 0 {
                        return Err(format!("--logs: every log needs index and term of at least 1, got `{p}`"));
                    }
                    logs.push(crate::protocol::raft::LogPos { index, term });
                }
                o.logs = Some(logs.try_into().map_err(|_| format!("--logs: must name exactly five logs (S1..S5), got `{v}`"))?);
            }
            "--replay" => {
                let v = value(args, &mut i, flag, "a trial")?;
                o.replay = Some(v.to_string());
            }
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("{experiment}: unknown option `{other}`; try `raftbeat experiment --help`")),
        }
        i += 1;
    }
    Ok(o)
}

/// Runs `raftbeat experiment ARGS...`; returns the exit code, or an error
/// message (exit 2).
pub fn main(args: &[String]) -> Result<u8, String> {
    let Some((what, rest)) = args.split_first() else {
        print!("{HELP}");
        return Ok(0);
    };
    match what.as_str() {
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(0)
        }
        "fig16" | "nacos-failover" => {
            let opts = match parse_opts(rest, what) {
                Ok(o) => o,
                Err(e) if e.is_empty() => {
                    print!("{HELP}");
                    return Ok(0);
                }
                Err(e) => return Err(e),
            };
            if what == "fig16" {
                cmd_fig16(&opts)
            } else {
                cmd_failover(&opts)
            }
        }
        other => Err(format!("experiment: unknown experiment `{other}`; there are fig16 and nacos-failover")),
    }
}

/// One line's results: every trial's sample, and the slowest trial's number.
pub struct LineResult {
    pub line: &'static Line,
    pub samples: Vec<Sample>,
    pub slowest: u32,
}

/// Runs the Figure 16 lines; returns the results and the number of trials.
pub fn run_fig16(lines: &[&'static Line], setup: &Setup, seed: u64, per_line: u32) -> Result<Vec<LineResult>, String> {
    let mut out = Vec::new();
    for &line in lines {
        let n = line.trials_for(per_line);
        let mut samples = Vec::with_capacity(n as usize);
        let mut slowest = (0, 0);
        for t in 0..n {
            let trial = fig16::run_trial(line, setup, seed, t).map_err(|e| e.to_string())?;
            if trial.sample.us > slowest.1 {
                slowest = (t, trial.sample.us);
            }
            samples.push(trial.sample);
        }
        out.push(LineResult { line, samples, slowest: slowest.0 });
    }
    Ok(out)
}

fn fig16_setup(o: &Opts) -> Result<Setup, String> {
    let mut setup = Setup::default();
    if let Some(l) = o.latency {
        setup.latency = l;
    }
    if let Some(j) = o.jitter {
        setup.timer_jitter = j;
    }
    if let Some(l) = o.logs {
        setup.logs = l;
    }
    setup.validate().map_err(|e| format!("--{e}"))?;
    Ok(setup)
}

fn cmd_fig16(o: &Opts) -> Result<u8, String> {
    let setup = fig16_setup(o)?;
    if let Some(r) = &o.replay {
        let (label, t) = r.split_once(':').ok_or_else(|| format!("--replay: must be RANGE:TRIAL like 150-200:17, got `{r}`"))?;
        let line = fig16::line(label).ok_or_else(|| format!("--replay: `{label}` is not a Figure 16 range"))?;
        let t: u32 = t.parse().map_err(|_| format!("--replay: the trial must be a whole number, got `{t}`"))?;
        let trial = fig16::run_trial(line, &setup, o.seed, t).map_err(|e| e.to_string())?;
        print!("{}", fig16::replay_script(line, &setup, &trial));
        return Ok(0);
    }
    let lines: Vec<&'static Line> = o.lines.clone().unwrap_or_else(|| LINES.iter().collect());
    let per_line = o.trials.unwrap_or(1000);
    let started = Instant::now();
    let results = run_fig16(&lines, &setup, o.seed, per_line)?;
    let wall = started.elapsed();
    let trials: usize = results.iter().map(|r| r.samples.len()).sum();
    let text = match o.format {
        Format::Text => fig16_text(&results, &setup, o.seed),
        Format::Json => fig16_json(&results),
        Format::Csv => fig16_csv(&results),
    };
    print!("{text}");
    eprintln!("raftbeat: {trials} trials in {:.3} s wall", wall.as_secs_f64());
    Ok(0)
}

/// The JSON array of the issue: one object per line.
pub fn fig16_json(results: &[LineResult]) -> String {
    let mut out = String::from("[");
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&line_json(r.line, &summarize(&r.samples).expect("at least one trial")));
    }
    out.push_str("\n]\n");
    out
}

/// `{"range_ms":[lo,hi],"trials":n,"min_ms":..,...,"graph":..,"paper":[..]}`.
pub fn line_json(line: &Line, s: &Summary) -> String {
    let mut out = format!("{{\"range_ms\":[{},{}]", MsJson(line.lo as i64), MsJson(line.hi as i64));
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
        let _ = write!(out, "{},{},{},{}", MsJson(r.line.lo as i64), MsJson(r.line.hi as i64), r.line.graph.as_str(), s.trials);
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
    let logs: Vec<String> = setup.logs.iter().enumerate().map(|(i, l)| format!("S{} {}:{}", i + 1, l.index, l.term)).collect();
    let _ = writeln!(out, "Figure 16 (Raft paper, section 9.3): time without a leader, in ms, from the leader's crash");
    let _ = writeln!(out, "until every other live server has accepted the new leader's first heartbeat.");
    let _ = writeln!(
        out,
        "5 servers (logs {}), one-way latency {}..{}, timer jitter {}, heartbeat = half the minimum timeout, seed {seed}.",
        logs.join(", "),
        format_duration(setup.latency.0),
        format_duration(setup.latency.1),
        format_duration(setup.timer_jitter)
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<6} {:>9} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  {:<8} paper (stated)",
        "graph", "timeout", "trials", "min", "median", "mean", "p90", "p99", "max", "slowest"
    );
    for r in results {
        let s = summarize(&r.samples).expect("at least one trial");
        let _ = write!(out, "{:<6} {:>9} {:>6}", r.line.graph.as_str(), r.line.label(), s.trials);
        for (_, v) in s.named() {
            let _ = write!(out, " {:>7}", ms_cell(v));
        }
        let _ = write!(out, "  {:<8}", format!("#{}", r.slowest));
        let paper: Vec<String> = r.line.claims.iter().map(|c| c.words.to_string()).collect();
        let _ = write!(out, " {}", paper.join(", "));
        if s.unresolved > 0 {
            let _ = write!(out, "  [{} trials unresolved after {}: lower bounds]", s.unresolved, format_duration(setup.cap));
        }
        out.push('\n');
    }
    let checks: Vec<String> = results
        .iter()
        .flat_map(|r| {
            let s = summarize(&r.samples).expect("at least one trial");
            r.line.claims.iter().filter(|c| c.check != fig16::Check::None).map(move |c| {
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
        let _ = writeln!(out, "\nIssue 5's bounds (meant for the default 1000 trials a line):");
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

fn failover_setup(o: &Opts) -> Result<failover::Setup, String> {
    let mut setup = failover::Setup::default();
    if let Some((a, b)) = o.latency {
        setup.network.latency_min = a;
        setup.network.latency_max = b;
    }
    setup.validate().map_err(|e| format!("--{e}"))?;
    Ok(setup)
}

fn cmd_failover(o: &Opts) -> Result<u8, String> {
    let setup = failover_setup(o)?;
    if let Some(r) = &o.replay {
        let t: u32 = r.parse().map_err(|_| format!("--replay: must be a trial number, got `{r}`"))?;
        let trial = failover::run_trial(&setup, o.seed, t).map_err(|e| e.to_string())?;
        print!("{}", failover_replay(&setup, &trial));
        return Ok(0);
    }
    let n = o.trials.unwrap_or(failover::DEFAULT_TRIALS);
    let started = Instant::now();
    let mut trials = Vec::new();
    failover::run_trials(&setup, o.seed, 0, n, &mut trials).map_err(|e| e.to_string())?;
    let wall = started.elapsed();
    let text = match o.format {
        Format::Text => failover_text(&trials, &setup, o.seed),
        Format::Json => failover_json(&trials),
        Format::Csv => failover_csv(&trials),
    };
    print!("{text}");
    eprintln!("raftbeat: {n} trials in {:.3} s wall", wall.as_secs_f64());
    Ok(0)
}

fn failover_replay(setup: &failover::Setup, t: &failover::Trial) -> String {
    format!(
        "# Nacos failover: one trial (simulation seed {}).\n{}\nrun until={} trace=none\ncrash S{}\nrun until={} trace=role,election,fault,makeLeader\nexpect leader{}\n",
        t.seed,
        failover::cluster_words(setup, t.seed),
        format_duration(t.crash_at),
        t.crashed,
        format_duration(t.crash_at + t.sample.us),
        t.new_leader.map_or_else(String::new, |l| format!(" == S{l}"))
    )
}

/// The phases of every trial as samples: (name, samples).
pub fn failover_phases(trials: &[failover::Trial]) -> Vec<(&'static str, Vec<Sample>)> {
    let pick = |f: &dyn Fn(&failover::Trial) -> Option<Micros>| -> Vec<Sample> {
        trials.iter().filter_map(|t| f(t).map(|us| Sample { us, resolved: true })).collect()
    };
    vec![
        ("total", trials.iter().map(|t| t.sample).collect()),
        ("detection", pick(&|t| t.detect)),
        ("election", pick(&|t| Some(t.elected? - t.detect?))),
        ("propagation", pick(&|t| t.elected.filter(|_| t.sample.resolved).map(|e| t.sample.us - e))),
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
    let _ = write!(out, ",\n\"elections_per_trial\":{}", elections as f64 / trials.len().max(1) as f64);
    out.push_str("\n}\n");
    out
}

pub fn failover_csv(trials: &[failover::Trial]) -> String {
    let mut out = String::from("phase,trials,min_ms,median_ms,mean_ms,p90_ms,p99_ms,max_ms,unresolved\n");
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
    let _ = writeln!(out, "{:<12} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}", "phase", "trials", "min", "median", "mean", "p90", "p99", "max");
    for (name, samples) in failover_phases(trials) {
        if let Some(s) = summarize(&samples) {
            let _ = write!(out, "{name:<12} {:>6}", s.trials);
            for (_, v) in s.named() {
                let _ = write!(out, " {:>8}", ms_cell(v));
            }
            if s.unresolved > 0 {
                let _ = write!(out, "  [{} unresolved after {}]", s.unresolved, format_duration(setup.cap));
            }
            out.push('\n');
        }
    }
    let elections: u64 = trials.iter().map(|t| u64::from(t.elections)).sum();
    let _ = writeln!(out, "\nelections per failover: {:.2} on average", elections as f64 / trials.len().max(1) as f64);
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
