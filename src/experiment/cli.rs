//! `raftbeat experiment ...`: the command line of the experiments.
//!
//! Results go to stdout and are the same for the same flags, byte for byte;
//! the wall time goes to stderr.

use super::data_cli;
use super::failover;
use super::fig16::{self, Line, Setup, LINES};
use super::raft_data_cli;
use super::report::{
    failover_csv, failover_json, failover_text, fig16_csv, fig16_json, fig16_text, LineResult,
};
use crate::protocol::Micros;
use crate::time::{format_duration, parse_duration, parse_duration_range};
use std::time::Instant;

/// Reproduce a measurement and print it beside the published numbers
///
/// Results go to stdout, the same for the same flags byte for byte; the wall
/// time goes to stderr.
#[derive(clap::Args)]
#[command(
    override_usage = "\
raftbeat experiment fig16 [--trials N] [--seed S] [--format text|json|csv]
                              [--lines LO-HI,...] [--latency MIN..MAX] [--jitter D]
                              [--disk-write MIN..MAX] [--logs I:T,...] [--replay LO-HI:TRIAL]
       raftbeat experiment nacos-failover [--trials N] [--seed S] [--format text|json|csv]
                              [--latency MIN..MAX] [--replay TRIAL]
       raftbeat experiment nacos-propagation [--runs N] [--writes N] [--loss P,...] [--seed S]
                              [--format text|json] [--latency MIN..MAX]
       raftbeat experiment nacos-beat-size [--keys N,...] [--seed S] [--format text|json] [--down D]
       raftbeat experiment nacos-lost-writes [--runs N] [--versions V,...] [--seed S]
                              [--format text|json] [--rate R] [--keys N]
       raftbeat experiment raft-commit-latency [--trials N] [--seed S] [--format text|json|csv]
                              [--duration D] [--rate R] [--loss P,...]
       raftbeat experiment lost-writes [--runs N] [--versions V,...] [--seed S] [--format text|json]
                              [--rate R] [--loss P,...]",
    after_help = "`raftbeat experiment EXPERIMENT --help` explains every option."
)]
pub struct ExperimentArgs {
    #[command(subcommand)]
    experiment: Option<Experiment>,
}

#[derive(clap::Subcommand)]
enum Experiment {
    Fig16(Fig16Args),
    NacosFailover(FailoverArgs),
    NacosPropagation(data_cli::PropagationArgs),
    NacosBeatSize(data_cli::BeatSizeArgs),
    NacosLostWrites(data_cli::LostWritesArgs),
    RaftCommitLatency(raft_data_cli::CommitLatencyArgs),
    LostWrites(raft_data_cli::LostWritesArgs),
}

/// Figure 16 of the Raft paper: the time to replace a crashed leader
///
/// Five servers, two of the four survivors unable to win (shorter logs), the
/// leader crashed uniformly within its heartbeat interval (half the minimum
/// timeout) after one heartbeat round; the time from the crash until every
/// other live server has accepted the new leader's first heartbeat. Ten
/// timeout ranges; the paper's stated numbers beside the measured ones.
#[derive(clap::Args)]
struct Fig16Args {
    /// Trials per line (default 1000; 150-150 runs a tenth, as in the paper).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    trials: Option<String>,
    /// Seed of the whole run (default 1). Trial i of a line has its own seed
    /// derived from S, the range and i.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    seed: Option<String>,
    /// text (default), json (an array of {"range_ms":[lo,hi], "trials":n,
    /// "min_ms","median_ms","mean_ms","p90_ms", "p99_ms","max_ms",...}) or csv.
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    format: Option<String>,
    /// Only these ranges, e.g. 150-155,12-24.
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    lines: Option<String>,
    /// One-way latency of every message (default 0.2ms..0.4ms).
    #[arg(long, value_name = "A..B", allow_hyphen_values = true)]
    latency: Option<String>,
    /// Timers fire up to D late (default 0.2ms).
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    jitter: Option<String>,
    /// Every disk write of a term, vote or follower's log takes a uniform
    /// time in this range and holds its server (default 1ms..4ms;
    /// 0ms..0ms for none).
    #[arg(long, value_name = "A..B", allow_hyphen_values = true)]
    disk_write: Option<String>,
    /// The five logs, index:term (default 6:1,5:1,4:1,3:1,2:1); the first
    /// leader is drawn among the most up to date.
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    logs: Option<String>,
    /// Print a scenario script replaying trial I of range R (run it with
    /// `raftbeat run FILE --verbose`).
    #[arg(long, value_name = "R:I", allow_hyphen_values = true)]
    replay: Option<String>,
}

/// Nacos 1.x failover: the time from a leader crash to a new leader
///
/// Nacos 1.x (default timings, 2-8 ms LAN): crash the leader within its
/// heartbeat interval after a beat round; the time until every live follower
/// follows a new leader, with its phases (detection, election, propagation)
/// and histogram.
#[derive(clap::Args)]
struct FailoverArgs {
    /// Trials (default 1000).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    trials: Option<String>,
    /// Seed of the whole run (default 1).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    seed: Option<String>,
    /// text (default), json or csv.
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    format: Option<String>,
    /// One-way latency of every message (default 2ms..8ms).
    #[arg(long, value_name = "A..B", allow_hyphen_values = true)]
    latency: Option<String>,
    /// Print a scenario script replaying trial I (run it with
    /// `raftbeat run FILE --verbose`).
    #[arg(long, value_name = "I", allow_hyphen_values = true)]
    replay: Option<String>,
}

/// What a flag given without its value should have been followed by, for
/// the message `--trials: expected a number of trials after it`.
pub fn expected_value(flag: &str) -> &'static str {
    if let Some(what) = data_cli::expected_value(flag) {
        return what;
    }
    if let Some(what) = raft_data_cli::expected_value(flag) {
        return what;
    }
    match flag {
        "--trials" => "a number of trials",
        "--seed" => "a seed",
        "--format" => "text, json or csv",
        "--lines" => "ranges like 150-155,12-24",
        "--latency" => "a range like 1.5ms..4.5ms",
        "--jitter" => "a duration like 0.2ms",
        "--disk-write" => "a range like 0.5ms..2ms",
        "--logs" => "five index:term logs like 5:1,5:1,5:1,3:1,3:1",
        "--replay" => "a trial",
        _ => "a value",
    }
}

struct Opts {
    trials: Option<u32>,
    seed: u64,
    format: Format,
    lines: Option<Vec<&'static Line>>,
    latency: Option<(Micros, Micros)>,
    jitter: Option<Micros>,
    disk_write: Option<(Micros, Micros)>,
    logs: Option<[crate::protocol::raft::LogPos; 5]>,
    replay: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Csv,
}

impl Opts {
    /// The options both experiments have, checked: each bad value is named
    /// with its flag and the rule.
    fn common(
        trials: Option<&str>,
        seed: Option<&str>,
        format: Option<&str>,
        latency: Option<&str>,
        replay: Option<String>,
    ) -> Result<Opts, String> {
        let trials = trials
            .map(|v| {
                let bad =
                    || format!("--trials: must be a whole number from 1 to 1000000, got `{v}`");
                let n: u32 = v.parse().map_err(|_| bad())?;
                if (1..=1_000_000).contains(&n) {
                    Ok(n)
                } else {
                    Err(bad())
                }
            })
            .transpose()?;
        let seed = seed
            .map(|v| {
                v.parse().map_err(|_| {
                    format!(
                        "--seed: must be a whole number from 0 to 18446744073709551615, got `{v}`"
                    )
                })
            })
            .transpose()?
            .unwrap_or(1);
        let format = match format {
            None | Some("text") => Format::Text,
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some(v) => return Err(format!("--format: must be text, json or csv, got `{v}`")),
        };
        let latency = latency
            .map(|v| duration_range("--latency", v))
            .transpose()?;
        Ok(Opts {
            trials,
            seed,
            format,
            lines: None,
            latency,
            jitter: None,
            disk_write: None,
            logs: None,
            replay,
        })
    }

    fn fig16(a: Fig16Args) -> Result<Opts, String> {
        let mut o = Opts::common(
            a.trials.as_deref(),
            a.seed.as_deref(),
            a.format.as_deref(),
            a.latency.as_deref(),
            a.replay,
        )?;
        if let Some(v) = &a.lines {
            let mut picked = Vec::new();
            for label in v.split(',').filter(|s| !s.trim().is_empty()) {
                let l = fig16::line(label).ok_or_else(|| {
                    format!(
                        "--lines: `{label}` is not a Figure 16 range; the ranges are {}",
                        LINES
                            .iter()
                            .map(|l| l.label())
                            .collect::<Vec<_>>()
                            .join(", ")
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
        if let Some(v) = &a.jitter {
            o.jitter = Some(parse_duration("--jitter", v).map_err(|e| e.to_string())?);
        }
        if let Some(v) = &a.disk_write {
            o.disk_write = Some(duration_range("--disk-write", v)?);
        }
        if let Some(v) = &a.logs {
            let mut logs = Vec::new();
            for p in v.split(',') {
                let bad = || {
                    format!(
                        "--logs: must be five index:term pairs like 5:1,5:1,5:1,3:1,3:1, got `{v}`"
                    )
                };
                let (a, b) = p.split_once(':').ok_or_else(bad)?;
                let (index, term) = (
                    a.trim().parse().map_err(|_| bad())?,
                    b.trim().parse().map_err(|_| bad())?,
                );
                if index == 0 || term == 0 {
                    return Err(format!(
                        "--logs: every log needs index and term of at least 1, got `{p}`"
                    ));
                }
                logs.push(crate::protocol::raft::LogPos { index, term });
            }
            o.logs =
                Some(logs.try_into().map_err(|_| {
                    format!("--logs: must name exactly five logs (S1..S5), got `{v}`")
                })?);
        }
        Ok(o)
    }

    fn failover(a: FailoverArgs) -> Result<Opts, String> {
        Opts::common(
            a.trials.as_deref(),
            a.seed.as_deref(),
            a.format.as_deref(),
            a.latency.as_deref(),
            a.replay,
        )
    }
}

/// Runs `raftbeat experiment ...` as parsed: the exit code, or an error
/// message (exit 2); None when no experiment is named (the caller prints the
/// help).
pub fn run(args: ExperimentArgs) -> Option<Result<u8, String>> {
    Some(match args.experiment? {
        Experiment::Fig16(a) => Opts::fig16(a).and_then(|o| cmd_fig16(&o)),
        Experiment::NacosFailover(a) => Opts::failover(a).and_then(|o| cmd_failover(&o)),
        Experiment::NacosPropagation(a) => data_cli::cmd_propagation(a),
        Experiment::NacosBeatSize(a) => data_cli::cmd_beat_size(a),
        Experiment::NacosLostWrites(a) => data_cli::cmd_lost_writes(a),
        Experiment::RaftCommitLatency(a) => raft_data_cli::cmd_commit_latency(a),
        Experiment::LostWrites(a) => raft_data_cli::cmd_lost_writes(a),
    })
}

/// Runs the Figure 16 lines; returns the results and the number of trials.
pub fn run_fig16(
    lines: &[&'static Line],
    setup: &Setup,
    seed: u64,
    per_line: u32,
) -> Result<Vec<LineResult>, String> {
    let mut out = Vec::new();
    for &line in lines {
        let n = line.trials_for(per_line);
        let mut samples = Vec::with_capacity(n as usize);
        let mut slowest = (0, 0);
        for t in 0..n {
            // A setup the warm-up cannot hold names the flag that set it.
            let trial = fig16::run_trial(line, setup, seed, t).map_err(|e| {
                if e.field == "latency" {
                    format!("--{e}")
                } else {
                    e.to_string()
                }
            })?;
            if trial.sample.us > slowest.1 {
                slowest = (t, trial.sample.us);
            }
            samples.push(trial.sample);
        }
        out.push(LineResult {
            line,
            samples,
            slowest: slowest.0,
        });
    }
    Ok(out)
}

/// A flag's `A..B` range of durations, checked.
fn duration_range(flag: &str, v: &str) -> Result<(Micros, Micros), String> {
    if !v.contains("..") {
        return Err(format!(
            "{flag}: must be a range like 1.5ms..4.5ms, got `{v}`"
        ));
    }
    let (a, b) = parse_duration_range(flag, v).map_err(|e| e.to_string())?;
    if b < a {
        return Err(format!(
            "{flag}: the maximum must be at least the minimum, got `{v}`"
        ));
    }
    Ok((a, b))
}

fn fig16_setup(o: &Opts) -> Result<Setup, String> {
    let mut setup = Setup::default();
    if let Some(l) = o.latency {
        setup.latency = l;
    }
    if let Some(j) = o.jitter {
        setup.timer_jitter = j;
    }
    if let Some(d) = o.disk_write {
        setup.disk_write = d;
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
        let (label, t) = r
            .split_once(':')
            .ok_or_else(|| format!("--replay: must be RANGE:TRIAL like 150-200:17, got `{r}`"))?;
        let line = fig16::line(label)
            .ok_or_else(|| format!("--replay: `{label}` is not a Figure 16 range"))?;
        let t: u32 = t
            .parse()
            .map_err(|_| format!("--replay: the trial must be a whole number, got `{t}`"))?;
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
    eprintln!(
        "raftbeat: {trials} trials in {:.3} s wall",
        wall.as_secs_f64()
    );
    Ok(0)
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
        let t: u32 = r
            .parse()
            .map_err(|_| format!("--replay: must be a trial number, got `{r}`"))?;
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
