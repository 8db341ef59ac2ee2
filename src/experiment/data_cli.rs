//! `raftbeat experiment nacos-propagation | nacos-beat-size |
//! nacos-lost-writes`: the command line of the Nacos data experiments.
//! Results go to stdout, the same for the same flags byte for byte; the
//! wall time goes to stderr.

use super::data_report as report;
use super::nacos_data::parse_list;
use super::{beat_size, lost_writes, propagation};
use crate::protocol::nacos::Version;
use crate::protocol::Micros;
use crate::time::parse_duration;
use std::time::Instant;

/// Nacos write propagation: from a write to its ok and to every follower
///
/// Five servers with Nacos's constants; after the first leader settles the
/// client writes new keys through the leader one at a time, each at a
/// random moment of the beat interval. For each write: the time to the
/// client's ok, until every follower holds it, and how long the last
/// follower lags the ok. A write whose commit to some follower was lost
/// reaches it by a pull after a later beat ("repaired").
#[derive(clap::Args)]
pub struct PropagationArgs {
    /// Runs per loss (default 5), each with its own seed.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    runs: Option<String>,
    /// Writes per run (default 100).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    writes: Option<String>,
    /// Message loss rates, one line each (default 0,0.1).
    #[arg(long, value_name = "P,...", allow_hyphen_values = true)]
    loss: Option<String>,
    /// Seed of the whole run (default 1).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    seed: Option<String>,
    /// text (default) or json.
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    format: Option<String>,
    /// One-way latency of every message (default 2ms..8ms).
    #[arg(long, value_name = "A..B", allow_hyphen_values = true)]
    latency: Option<String>,
}

/// Nacos beat size and pull traffic against the number of keys
///
/// Pre-loads N keys through the leader, then measures one beat (JSON and
/// gzip bytes, with and without the key list), the pulls after one commit
/// to a follower is dropped, and the pulls after a follower restarts from
/// a minute down while the client wrote 10/s.
#[derive(clap::Args)]
pub struct BeatSizeArgs {
    /// Key counts, one row each (default 10,100,1000,10000,100000).
    #[arg(long, value_name = "N,...", allow_hyphen_values = true)]
    keys: Option<String>,
    /// Seed of the whole run (default 1).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    seed: Option<String>,
    /// text (default) or json.
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    format: Option<String>,
    /// How long the restarted follower is down (default 1m).
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    down: Option<String>,
}

/// Nacos lost acknowledged writes when the leader crashes, per release
///
/// Five servers; a workload of 10 writes/s over 100 keys through the
/// leader; the leader crashes 10-30 s after the first leader settled, is
/// down 30 s, and the workload runs 60 s past the crash. Counts the
/// durability checker's lost-write findings per run, per release and
/// message loss rate.
#[derive(clap::Args)]
pub struct LostWritesArgs {
    /// Runs per release (default 200).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    runs: Option<String>,
    /// Nacos releases (default 1.2,1.4).
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
    /// The keys it writes to (default 100).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    keys: Option<String>,
    /// Message loss rates, one line each per release (default 0,0.05).
    #[arg(long, value_name = "P,...", allow_hyphen_values = true)]
    loss: Option<String>,
}

/// What a data experiment's flag given without its value should have been
/// followed by; None for the flags the other experiments share.
pub fn expected_value(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "--runs" => "a number of runs",
        "--writes" => "a number of writes",
        "--loss" => "loss rates like 0,0.1",
        "--keys" => "key counts like 10,100,1000",
        "--down" => "a duration like 1m",
        "--versions" => "Nacos releases like 1.2,1.4",
        "--rate" => "writes per second",
        _ => return None,
    })
}

pub(super) fn whole(flag: &str, v: Option<&str>, default: u32, max: u32) -> Result<u32, String> {
    let Some(v) = v else {
        return Ok(default);
    };
    match v.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{flag}: must be a whole number from 1 to {max}, got `{v}`"
        )),
    }
}

pub(super) fn seed(v: Option<&str>) -> Result<u64, String> {
    v.map_or(Ok(1), |v| {
        v.trim().parse().map_err(|_| {
            format!("--seed: must be a whole number from 0 to 18446744073709551615, got `{v}`")
        })
    })
}

/// true for json, false for text.
pub(super) fn json_format(v: Option<&str>) -> Result<bool, String> {
    match v {
        None | Some("text") => Ok(false),
        Some("json") => Ok(true),
        Some(v) => Err(format!("--format: must be text or json, got `{v}`")),
    }
}

fn latency(v: &str) -> Result<(Micros, Micros), String> {
    let (a, b) = v
        .split_once("..")
        .ok_or_else(|| format!("--latency: must be a range like 2ms..8ms, got `{v}`"))?;
    let a = parse_duration("--latency", a).map_err(|e| e.to_string())?;
    let b = parse_duration("--latency", b).map_err(|e| e.to_string())?;
    if b < a {
        return Err(format!(
            "--latency: the maximum must be at least the minimum, got `{v}`"
        ));
    }
    Ok((a, b))
}

/// Parses `--loss`: rates from 0 to below 0.5.
pub fn parse_losses(v: &str) -> Result<Vec<f64>, String> {
    parse_list("--loss", v, "rates from 0 to below 0.5, like 0,0.1", |x| {
        x.parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && (0.0..0.5).contains(p))
    })
    .map_err(|e| e.to_string())
}

/// Parses `--keys`: counts from 1 to a million.
pub fn parse_key_counts(v: &str) -> Result<Vec<u32>, String> {
    parse_list(
        "--keys",
        v,
        &format!(
            "whole numbers from 1 to {}, like 10,100,1000",
            beat_size::MAX_KEYS
        ),
        |x| {
            x.parse::<u32>()
                .ok()
                .filter(|n| (1..=beat_size::MAX_KEYS).contains(n))
        },
    )
    .map_err(|e| e.to_string())
}

/// Parses `--versions`: Nacos releases 1.0 to 1.4.
pub fn parse_versions(v: &str) -> Result<Vec<Version>, String> {
    parse_list(
        "--versions",
        v,
        &format!("Nacos releases ({}), like 1.2,1.4", Version::VALUES),
        Version::parse,
    )
    .map_err(|e| e.to_string())
}

pub(super) fn wall(what: &str, started: Instant) {
    eprintln!(
        "raftbeat: {what} in {:.3} s wall",
        started.elapsed().as_secs_f64()
    );
}

pub fn cmd_propagation(a: PropagationArgs) -> Result<u8, String> {
    let runs = whole(
        "--runs",
        a.runs.as_deref(),
        propagation::DEFAULT_RUNS,
        100_000,
    )?;
    let mut setup = propagation::Setup {
        writes: whole(
            "--writes",
            a.writes.as_deref(),
            propagation::DEFAULT_WRITES,
            propagation::MAX_WRITES,
        )?,
        ..propagation::Setup::default()
    };
    let losses = match &a.loss {
        Some(v) => parse_losses(v)?,
        None => propagation::DEFAULT_LOSSES.to_vec(),
    };
    let seed = seed(a.seed.as_deref())?;
    let json = json_format(a.format.as_deref())?;
    if let Some(v) = &a.latency {
        (setup.network.latency_min, setup.network.latency_max) = latency(v)?;
    }
    setup.validate().map_err(|e| format!("--{e}"))?;
    let started = Instant::now();
    let lines = propagation::run_all(&setup, seed, runs, &losses).map_err(|e| e.to_string())?;
    print!(
        "{}",
        if json {
            report::propagation_json(&setup, seed, runs, &lines)
        } else {
            report::propagation_text(&setup, seed, runs, &lines)
        }
    );
    wall(&format!("{} runs", runs as usize * losses.len()), started);
    Ok(0)
}

pub fn cmd_beat_size(a: BeatSizeArgs) -> Result<u8, String> {
    let keys = match &a.keys {
        Some(v) => parse_key_counts(v)?,
        None => beat_size::DEFAULT_KEYS.to_vec(),
    };
    let seed = seed(a.seed.as_deref())?;
    let json = json_format(a.format.as_deref())?;
    let mut setup = beat_size::Setup::default();
    if let Some(v) = &a.down {
        setup.down = parse_duration("--down", v).map_err(|e| e.to_string())?;
        if setup.down == 0 || setup.down > 3_600_000_000 {
            return Err(format!("--down: must be above 0 and at most 1h, got `{v}`"));
        }
    }
    let started = Instant::now();
    let rows = beat_size::run_all(&setup, seed, &keys).map_err(|e| e.to_string())?;
    print!(
        "{}",
        if json {
            report::beat_size_json(&setup, seed, &rows)
        } else {
            report::beat_size_text(&setup, seed, &rows)
        }
    );
    wall(&format!("{} rows", rows.len()), started);
    Ok(0)
}

pub fn cmd_lost_writes(a: LostWritesArgs) -> Result<u8, String> {
    let runs = whole(
        "--runs",
        a.runs.as_deref(),
        lost_writes::DEFAULT_RUNS,
        lost_writes::MAX_RUNS,
    )?;
    let versions = match &a.versions {
        Some(v) => parse_versions(v)?,
        None => lost_writes::DEFAULT_VERSIONS.to_vec(),
    };
    let seed = seed(a.seed.as_deref())?;
    let json = json_format(a.format.as_deref())?;
    let mut setup = lost_writes::Setup::default();
    if let Some(v) = &a.rate {
        setup.rate = v
            .trim()
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite() && *r > 0.0 && *r <= 1000.0)
            .ok_or_else(|| {
                format!("--rate: must be a number of writes per second above 0 and at most 1000, got `{v}`")
            })?;
    }
    setup.keys = whole("--keys", a.keys.as_deref(), setup.keys, 1_000_000)?;
    let losses = match &a.loss {
        Some(v) => parse_losses(v)?,
        None => lost_writes::DEFAULT_LOSSES.to_vec(),
    };
    setup.validate().map_err(|e| format!("--{e}"))?;
    let started = Instant::now();
    let results =
        lost_writes::run_all(&setup, seed, runs, &versions, &losses).map_err(|e| e.to_string())?;
    print!(
        "{}",
        if json {
            report::lost_writes_json(&setup, seed, &results)
        } else {
            report::lost_writes_text(&setup, seed, &results)
        }
    );
    wall(
        &format!("{} runs", runs as usize * versions.len() * losses.len()),
        started,
    );
    Ok(0)
}
