//! `raftbeat experiment raft-commit-latency | lost-writes`: the command
//! line of the Raft data experiments. Results go to stdout, the same for
//! the same flags byte for byte; the wall time goes to stderr.

use super::data_cli::{json_format, parse_losses, parse_versions, seed, wall, whole};
use super::raft_data_report as report;
use super::{commit_latency, lost_writes_compared as compared};
use crate::time::parse_duration;
use std::time::Instant;

/// Raft commit latency with no faults, under message loss, across a leader crash
///
/// Five servers with RaftScope's timings (election timeout 100-200 ms, a
/// heartbeat every 50 ms, one-way latency 10-15 ms); once a leader is
/// followed, a workload of 10 writes/s through the leader for a minute.
/// For each line (no faults, each loss rate, a leader crash in the middle
/// half of the workload): the time from a write's invocation to its ok
/// (p50, p90, p99, max) and how many writes ended ok, failed, unknown or
/// pending; for the crash, the writes in flight at it and invoked right
/// after it apart, and the time until the first ok after it.
#[derive(clap::Args)]
pub struct CommitLatencyArgs {
    /// Trials per line (default 20), each with its own seed.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    trials: Option<String>,
    /// Seed of the whole run (default 1).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    seed: Option<String>,
    /// text (default), json, or csv (one row per write).
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    format: Option<String>,
    /// How long the workload runs in each trial (default 1m).
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    duration: Option<String>,
    /// The workload's writes per second (default 10).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    rate: Option<String>,
    /// Message loss rates, one line each (default 0.01,0.05).
    #[arg(long, value_name = "P,...", allow_hyphen_values = true)]
    loss: Option<String>,
}

/// Lost acknowledged writes: Raft against each Nacos release, same faults
///
/// Five servers, 10 writes/s over 100 keys through the leader. Each run
/// draws a fault schedule from its seed alone (two faults, each crashing
/// and later restarting, or isolating and later healing, the node leading
/// at that moment, 5-30 s long) and plays it on Raft and on each Nacos
/// release. Raft runs Nacos-like timings (heartbeat 5 s, election timeout
/// 15-20 s) so a fault means the same to both. Counts acknowledged writes
/// and the durability checker's lost-write findings.
#[derive(clap::Args)]
pub struct LostWritesArgs {
    /// Runs per model and loss rate (default 50).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    runs: Option<String>,
    /// Nacos releases beside Raft (default 1.0,1.1,1.2,1.3,1.4).
    #[arg(long, value_name = "V,...", allow_hyphen_values = true)]
    versions: Option<String>,
    /// Seed of the whole run (default 1).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    seed: Option<String>,
    /// text (default) or json.
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    format: Option<String>,
    /// The workload's writes per second (default 10).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    rate: Option<String>,
    /// Message loss rates, one block each (default 0,0.05).
    #[arg(long, value_name = "P,...", allow_hyphen_values = true)]
    loss: Option<String>,
}

/// What a Raft data experiment's flag given without its value should have
/// been followed by; None for the flags others share.
pub fn expected_value(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "--duration" => "a duration like 1m",
        _ => return None,
    })
}

fn rate(v: Option<&str>, default: f64) -> Result<f64, String> {
    let Some(v) = v else {
        return Ok(default);
    };
    v.trim()
        .parse()
        .ok()
        .filter(|r: &f64| r.is_finite() && *r > 0.0 && *r <= 1000.0)
        .ok_or_else(|| {
            format!(
                "--rate: must be a number of writes per second above 0 and at most 1000, got `{v}`"
            )
        })
}

pub fn cmd_commit_latency(a: CommitLatencyArgs) -> Result<u8, String> {
    let trials = whole(
        "--trials",
        a.trials.as_deref(),
        commit_latency::DEFAULT_TRIALS,
        commit_latency::MAX_TRIALS,
    )?;
    let seed = seed(a.seed.as_deref())?;
    let format = match a.format.as_deref() {
        None | Some("text") => 0,
        Some("json") => 1,
        Some("csv") => 2,
        Some(v) => return Err(format!("--format: must be text, json or csv, got `{v}`")),
    };
    let mut setup = commit_latency::Setup {
        rate: rate(a.rate.as_deref(), 10.0)?,
        ..commit_latency::Setup::default()
    };
    if let Some(v) = &a.duration {
        setup.duration = parse_duration("--duration", v).map_err(|e| e.to_string())?;
        if setup.duration == 0 || setup.duration > commit_latency::MAX_DURATION {
            return Err(format!(
                "--duration: must be above 0 and at most 24h, got `{v}`"
            ));
        }
    }
    let losses = match &a.loss {
        Some(v) => parse_losses(v)?,
        None => commit_latency::DEFAULT_LOSSES.to_vec(),
    };
    setup.validate().map_err(|e| format!("--{e}"))?;
    let started = Instant::now();
    let lines =
        commit_latency::run_all(&setup, seed, trials, &losses).map_err(|e| e.to_string())?;
    print!(
        "{}",
        match format {
            0 => report::commit_text(&setup, seed, trials, &lines),
            1 => report::commit_json(&setup, seed, trials, &lines),
            _ => report::commit_csv(&lines),
        }
    );
    wall(
        &format!("{} trials", trials as usize * lines.len()),
        started,
    );
    Ok(0)
}

pub fn cmd_lost_writes(a: LostWritesArgs) -> Result<u8, String> {
    let runs = whole(
        "--runs",
        a.runs.as_deref(),
        compared::DEFAULT_RUNS,
        compared::MAX_RUNS,
    )?;
    let versions = match &a.versions {
        Some(v) => parse_versions(v)?,
        None => compared::ALL_VERSIONS.to_vec(),
    };
    let seed = seed(a.seed.as_deref())?;
    let json = json_format(a.format.as_deref())?;
    let setup = compared::Setup {
        rate: rate(a.rate.as_deref(), 10.0)?,
        ..compared::Setup::default()
    };
    let losses = match &a.loss {
        Some(v) => parse_losses(v)?,
        None => compared::DEFAULT_LOSSES.to_vec(),
    };
    setup.validate().map_err(|e| format!("--{e}"))?;
    let models = compared::models(&versions);
    let started = Instant::now();
    let results =
        compared::run_all(&setup, seed, runs, &models, &losses).map_err(|e| e.to_string())?;
    print!(
        "{}",
        if json {
            report::compared_json(&setup, seed, &results)
        } else {
            report::compared_text(&setup, seed, &results)
        }
    );
    wall(
        &format!("{} runs", runs as usize * models.len() * losses.len()),
        started,
    );
    Ok(0)
}
