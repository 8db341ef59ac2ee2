//! Experiments for a Web Worker (`www/experiments-worker.js`): the same
//! trials, statistics and JSON as `raftbeat experiment`, run in chunks so
//! the worker can report progress between them.
//!
//! Seeds cross as decimal strings (64-bit seeds do not fit a JS number).
//! Times cross as microseconds in `Float64Array`s; a negative time is a
//! trial that hit the experiment's cap (its absolute value is how long it
//! ran). Summaries cross as the JSON text the CLI prints, so the page shows
//! and offers the very document `raftbeat experiment ... --format json`
//! writes, number for number. The setups and `fastForward`'s result are
//! plain objects (serde-wasm-bindgen, camelCase, times in ms).

use super::text_arg;
use super::views::{ms, to_js};
use crate::cluster::{Cluster, ClusterConfig, Value};
use crate::error::Error;
use crate::experiment::failover::{self, FLAT_STRIDE};
use crate::experiment::fig16::{self, Check, LINES};
use crate::experiment::report;
use crate::experiment::stats::{summarize, Sample};
use crate::experiment::{
    beat_size, commit_latency, data_report, lost_writes, lost_writes_compared, propagation,
    raft_data_report,
};
use crate::protocol::nacos::Version;
use crate::time::{format_duration, ms_to_micros};
use js_sys::Float64Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
export interface Fig16Lines {
    setup: { latencyMs: [number, number]; timerJitterMs: number; diskWriteMs: [number, number]; logs: string; capMs: number };
    lines: { rangeMs: [number, number]; label: string; graph: "top" | "bottom" | "both"; paperTrials: number; heartbeatMs: number;
        claims: { stat: string; ms: number; words: string; check: string; checked: boolean }[] }[];
}
export interface FailoverSetup {
    nodes: number; tickMs: number; heartbeatMs: number; leaderTimeoutMs: number; leaderRandomMs: number;
    latencyMs: [number, number]; defaultTrials: number;
}
export interface FastForward { events: number; simMs: number; leader: number | null; term: number | null }
"#;

#[derive(Serialize)]
struct Fig16Lines {
    setup: Fig16Setup,
    lines: Vec<LineJs>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fig16Setup {
    latency_ms: [f64; 2],
    timer_jitter_ms: f64,
    /// Each disk write's range ([0, 0]: none).
    disk_write_ms: [f64; 2],
    /// `index:term` per server, S1 first.
    logs: String,
    cap_ms: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineJs {
    range_ms: [f64; 2],
    label: String,
    graph: &'static str,
    paper_trials: u32,
    heartbeat_ms: f64,
    claims: Vec<ClaimJs>,
}

#[derive(Serialize)]
struct ClaimJs {
    stat: &'static str,
    ms: f64,
    words: &'static str,
    check: String,
    checked: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FailoverSetup {
    nodes: u32,
    tick_ms: f64,
    heartbeat_ms: f64,
    leader_timeout_ms: f64,
    leader_random_ms: f64,
    latency_ms: [f64; 2],
    default_trials: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FastForward {
    events: u64,
    sim_ms: f64,
    leader: Option<u32>,
    term: Option<u64>,
}

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn parse_seed(seed: &str) -> Result<u64, Error> {
    seed.trim().parse().map_err(|_| {
        Error::new(
            "seed",
            format!("must be a whole number from 0 to 18446744073709551615, got `{seed}`"),
        )
    })
}

fn line_at(index: u32) -> Result<&'static fig16::Line, Error> {
    LINES.get(index as usize).ok_or_else(|| {
        Error::new(
            "line",
            format!("must be 0 to {}, got {index}", LINES.len() - 1),
        )
    })
}

fn samples_of(data: &[f64]) -> Result<Vec<Sample>, Error> {
    data.iter()
        .map(|&v| {
            Sample::from_f64(v).ok_or_else(|| {
                Error::new(
                    "samples",
                    format!("must be whole microseconds, got {}", crate::num::fmt_f64(v)),
                )
            })
        })
        .collect()
}

/// The Figure 16 lines and the default setup: `{setup: {latencyMs: [lo, hi],
/// timerJitterMs, diskWriteMs: [lo, hi], logs, capMs}, lines: [{rangeMs: [lo, hi], label: "150-155",
/// graph: "top", paperTrials: 1000, heartbeatMs: 75, claims: [{stat:
/// "median", ms: 287, words, check, checked}]}]}`.
#[wasm_bindgen(js_name = fig16Lines, unchecked_return_type = "Fig16Lines")]
pub fn fig16_lines() -> Result<JsValue, JsError> {
    let setup = fig16::Setup::default();
    let lines = LINES
        .iter()
        .map(|l| LineJs {
            range_ms: [ms(l.lo), ms(l.hi)],
            label: l.label(),
            graph: l.graph.as_str(),
            paper_trials: l.paper_trials,
            heartbeat_ms: ms(l.heartbeat()),
            claims: l
                .claims
                .iter()
                .map(|c| ClaimJs {
                    stat: c.stat.as_str(),
                    ms: ms(c.paper),
                    words: c.words,
                    check: c.describe_check(),
                    checked: c.check != Check::None,
                })
                .collect(),
        })
        .collect();
    let meta = Fig16Lines {
        setup: Fig16Setup {
            latency_ms: [ms(setup.latency.0), ms(setup.latency.1)],
            timer_jitter_ms: ms(setup.timer_jitter),
            disk_write_ms: [ms(setup.disk_write.0), ms(setup.disk_write.1)],
            logs: setup
                .logs
                .iter()
                .map(|l| format!("{}:{}", l.index, l.term))
                .collect::<Vec<_>>()
                .join(","),
            cap_ms: ms(setup.cap),
        },
        lines,
    };
    to_js("fig16Lines", &meta)
}

/// Trials per line for a run asked for `perLine` trials a line (150-150
/// runs a tenth, as in the paper).
#[wasm_bindgen(js_name = fig16TrialsFor)]
pub fn fig16_trials_for(line: u32, per_line: u32) -> Result<u32, JsError> {
    Ok(line_at(line).map_err(js_err)?.trials_for(per_line))
}

/// Runs trials `first .. first + count` of Figure 16 line `line` (an index
/// into `fig16Lines().lines`) under `seed`: their times in microseconds.
#[wasm_bindgen(js_name = fig16Trials)]
pub fn fig16_trials(
    line: u32,
    seed: &str,
    first: u32,
    count: u32,
) -> Result<Float64Array, JsError> {
    let l = line_at(line).map_err(js_err)?;
    let seed = parse_seed(seed).map_err(js_err)?;
    let mut out = Vec::new();
    fig16::run_trials(l, &fig16::Setup::default(), seed, first, count, &mut out).map_err(js_err)?;
    let flat: Vec<f64> = out.iter().map(|s| s.to_f64()).collect();
    Ok(Float64Array::from(&flat[..]))
}

/// The summary of a line's samples: the object of `raftbeat experiment
/// fig16 --format json` (`range_ms`, `trials`, `min_ms` ... `max_ms`,
/// `graph`, `paper` with each claim's measured value and check).
#[wasm_bindgen(js_name = fig16Summary)]
pub fn fig16_summary(line: u32, samples: &[f64]) -> Result<String, JsError> {
    let l = line_at(line).map_err(js_err)?;
    let s = samples_of(samples).map_err(js_err)?;
    let sum = summarize(&s)
        .ok_or_else(|| js_err(Error::new("samples", "must hold at least one trial")))?;
    Ok(report::line_json(l, &sum))
}

/// A scenario script replaying one trial (`raftbeat run FILE --verbose`).
#[wasm_bindgen(js_name = fig16Replay)]
pub fn fig16_replay(line: u32, seed: &str, trial: u32) -> Result<String, JsError> {
    let l = line_at(line).map_err(js_err)?;
    let setup = fig16::Setup::default();
    let t =
        fig16::run_trial(l, &setup, parse_seed(seed).map_err(js_err)?, trial).map_err(js_err)?;
    Ok(fig16::replay_script(l, &setup, &t))
}

/// The Nacos failover setup: `{nodes, tickMs, heartbeatMs, leaderTimeoutMs,
/// leaderRandomMs, latencyMs: [lo, hi], defaultTrials}`.
#[wasm_bindgen(js_name = failoverSetup, unchecked_return_type = "FailoverSetup")]
pub fn failover_setup() -> Result<JsValue, JsError> {
    let s = failover::Setup::default();
    to_js(
        "failoverSetup",
        &FailoverSetup {
            nodes: s.nodes,
            tick_ms: ms(s.nacos.tick),
            heartbeat_ms: ms(s.nacos.heartbeat_interval),
            leader_timeout_ms: ms(s.nacos.leader_timeout),
            leader_random_ms: ms(s.nacos.leader_random),
            latency_ms: [ms(s.network.latency_min), ms(s.network.latency_max)],
            default_trials: failover::DEFAULT_TRIALS,
        },
    )
}

/// Runs Nacos failover trials `first .. first + count`: four numbers a
/// trial (total, detection, election in microseconds, -1 when absent;
/// elections), see `failover::FLAT_STRIDE`.
#[wasm_bindgen(js_name = failoverTrials)]
pub fn failover_trials(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    first: u32,
    count: u32,
) -> Result<Float64Array, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let mut trials = Vec::new();
    failover::run_trials(&failover::Setup::default(), seed, first, count, &mut trials)
        .map_err(js_err)?;
    let mut flat = Vec::with_capacity(trials.len() * FLAT_STRIDE);
    for t in &trials {
        t.write_flat(&mut flat);
    }
    Ok(Float64Array::from(&flat[..]))
}

/// The summary of failover trials (the flat form of `failoverTrials`):
/// the JSON of `raftbeat experiment nacos-failover --format json`.
#[wasm_bindgen(js_name = failoverSummary)]
pub fn failover_summary(data: &[f64]) -> Result<String, JsError> {
    let trials = failover::Trial::read_flat(data).map_err(js_err)?;
    if trials.is_empty() {
        return Err(js_err(Error::new("data", "must hold at least one trial")));
    }
    Ok(report::failover_json(&trials))
}

/// Runs a cluster with no trace attached for `simMs` simulated
/// milliseconds, as fast as the core goes: what a fast-forward costs.
/// `config` is a script `cluster` line without the word, e.g.
/// `model=raft nodes=5 election=100ms..200ms heartbeat=50ms latency=10ms..15ms seed=1`.
/// Returns `{events, simMs, leader: id | null, term: n | null}`.
#[wasm_bindgen(js_name = fastForward, unchecked_return_type = "FastForward")]
pub fn fast_forward(
    #[wasm_bindgen(unchecked_param_type = "string")] config: JsValue,
    sim_ms: f64,
) -> Result<JsValue, JsError> {
    let config = text_arg("config", &config).map_err(js_err)?;
    let pairs: Vec<(String, Value)> = config
        .split_whitespace()
        .map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
                .ok_or_else(|| Error::new("config", format!("expected key=value words, got `{w}`")))
        })
        .collect::<Result<_, _>>()
        .map_err(js_err)?;
    let c = ClusterConfig::from_pairs(&pairs).map_err(js_err)?;
    let mut cluster = Cluster::new(&c).map_err(js_err)?;
    let end = ms_to_micros("simMs", sim_ms).map_err(js_err)?;
    if end > 366 * 86_400_000_000 {
        return Err(js_err(Error::new(
            "simMs",
            format!("must be at most a year, got {}", format_duration(end)),
        )));
    }
    cluster.run_until(end);
    let leader = cluster.leader();
    let term = leader.map(|l| cluster.node_view(l).term);
    to_js(
        "fastForward",
        &FastForward {
            events: cluster.stats().events,
            sim_ms: ms(end),
            leader,
            term,
        },
    )
}

// ---- The Nacos data experiments ------------------------------------------
//
// Each runs in units the worker can report progress between: a run of
// writes (propagation), a key count (beat size), a range of runs (lost
// writes). The units' numbers cross in the flat forms of
// `propagation::FLAT_STRIDE`, `beat_size::FLAT_STRIDE` and
// `lost_writes::FLAT_STRIDE`; the report functions turn every unit's
// numbers, concatenated in the CLI's order, into its JSON.

#[wasm_bindgen(typescript_custom_section)]
const TS_DATA_TYPES: &str = r#"
export interface NacosDataSetup {
    nodes: number; heartbeatMs: number; latencyMs: [number, number];
    propagation: { runs: number; writes: number; losses: number[] };
    beatSize: { keys: number[]; downMs: number; rate: number };
    lostWrites: { runs: number; versions: string[]; losses: number[]; rate: number; keys: number };
}
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NacosDataSetup {
    nodes: u32,
    heartbeat_ms: f64,
    latency_ms: [f64; 2],
    propagation: PropagationDefaults,
    beat_size: BeatSizeDefaults,
    lost_writes: LostWritesDefaults,
}

#[derive(Serialize)]
struct PropagationDefaults {
    runs: u32,
    writes: u32,
    losses: Vec<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BeatSizeDefaults {
    keys: Vec<u32>,
    down_ms: f64,
    rate: f64,
}

#[derive(Serialize)]
struct LostWritesDefaults {
    runs: u32,
    versions: Vec<String>,
    losses: Vec<f64>,
    rate: f64,
    keys: u32,
}

/// The Nacos data experiments' defaults (the CLI's).
#[wasm_bindgen(js_name = nacosDataSetup, unchecked_return_type = "NacosDataSetup")]
pub fn nacos_data_setup() -> Result<JsValue, JsError> {
    let p = propagation::Setup::default();
    let b = beat_size::Setup::default();
    let l = lost_writes::Setup::default();
    to_js(
        "nacosDataSetup",
        &NacosDataSetup {
            nodes: p.nodes,
            heartbeat_ms: ms(p.nacos.heartbeat_interval),
            latency_ms: [ms(p.network.latency_min), ms(p.network.latency_max)],
            propagation: PropagationDefaults {
                runs: propagation::DEFAULT_RUNS,
                writes: p.writes,
                losses: propagation::DEFAULT_LOSSES.to_vec(),
            },
            beat_size: BeatSizeDefaults {
                keys: beat_size::DEFAULT_KEYS.to_vec(),
                down_ms: ms(b.down),
                rate: b.rate,
            },
            lost_writes: LostWritesDefaults {
                runs: lost_writes::DEFAULT_RUNS,
                versions: lost_writes::DEFAULT_VERSIONS
                    .iter()
                    .map(|v| v.to_string())
                    .collect(),
                losses: lost_writes::DEFAULT_LOSSES.to_vec(),
                rate: l.rate,
                keys: l.keys,
            },
        },
    )
}

fn check_loss(loss: f64) -> Result<f64, Error> {
    if loss.is_finite() && (0.0..0.5).contains(&loss) {
        Ok(loss)
    } else {
        Err(Error::new(
            "loss",
            format!(
                "must be a rate from 0 to below 0.5, got {}",
                crate::num::fmt_f64(loss)
            ),
        ))
    }
}

fn propagation_setup(writes: u32) -> Result<propagation::Setup, Error> {
    let s = propagation::Setup {
        writes,
        ..propagation::Setup::default()
    };
    s.validate()?;
    Ok(s)
}

/// One propagation run: run `run` of loss line `line` (its index in the
/// list of losses) at `loss`, `writes` writes: four numbers a write.
#[wasm_bindgen(js_name = nacosPropagationRun)]
pub fn nacos_propagation_run(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    line: u32,
    loss: f64,
    run: u32,
    writes: u32,
) -> Result<Float64Array, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let mut setup = propagation_setup(writes).map_err(js_err)?;
    setup.network.loss = check_loss(loss).map_err(js_err)?;
    let out = propagation::run(&setup, propagation::run_seed(seed, line, run)).map_err(js_err)?;
    let mut flat = Vec::with_capacity(out.len() * propagation::FLAT_STRIDE);
    for w in &out {
        w.write_flat(&mut flat);
    }
    Ok(Float64Array::from(&flat[..]))
}

/// The JSON of `raftbeat experiment nacos-propagation --format json` from
/// every run's numbers, the lines in the order of `losses`.
#[wasm_bindgen(js_name = nacosPropagationReport)]
pub fn nacos_propagation_report(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    runs: u32,
    writes: u32,
    losses: &[f64],
    data: &[f64],
) -> Result<String, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let setup = propagation_setup(writes).map_err(js_err)?;
    let all = propagation::Write::read_flat(data).map_err(js_err)?;
    let per_line = runs as usize * writes as usize;
    if losses.is_empty() || all.len() != per_line * losses.len() {
        return Err(js_err(Error::new(
            "data",
            format!(
                "must hold {runs} runs of {writes} writes for each of {} losses, got {} writes",
                losses.len(),
                all.len()
            ),
        )));
    }
    let lines = losses
        .iter()
        .zip(all.chunks(per_line))
        .map(|(&loss, w)| {
            Ok(propagation::LossResult {
                loss: check_loss(loss)?,
                writes: w.to_vec(),
            })
        })
        .collect::<Result<Vec<_>, Error>>()
        .map_err(js_err)?;
    Ok(data_report::propagation_json(&setup, seed, runs, &lines))
}

/// One beat-size row: pre-load `keys` keys, measure (18 numbers).
#[wasm_bindgen(js_name = nacosBeatSizeRow)]
pub fn nacos_beat_size_row(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    keys: u32,
) -> Result<Float64Array, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let row = beat_size::run_row(&beat_size::Setup::default(), keys, seed).map_err(js_err)?;
    let mut flat = Vec::with_capacity(beat_size::FLAT_STRIDE);
    row.write_flat(&mut flat);
    Ok(Float64Array::from(&flat[..]))
}

/// The JSON of `raftbeat experiment nacos-beat-size --format json` from
/// every row's numbers, in order.
#[wasm_bindgen(js_name = nacosBeatSizeReport)]
pub fn nacos_beat_size_report(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    data: &[f64],
) -> Result<String, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let rows = beat_size::Row::read_flat(data).map_err(js_err)?;
    if rows.is_empty() {
        return Err(js_err(Error::new("data", "must hold at least one row")));
    }
    Ok(data_report::beat_size_json(
        &beat_size::Setup::default(),
        seed,
        &rows,
    ))
}

fn parse_version(v: &str) -> Result<Version, Error> {
    Version::parse(v).ok_or_else(|| {
        Error::new(
            "version",
            format!("must be a Nacos release ({}), got `{v}`", Version::VALUES),
        )
    })
}

/// Lost-writes runs `first .. first + count` of release `version` ("1.2")
/// at message loss `loss`: seven numbers a run.
#[wasm_bindgen(js_name = nacosLostWritesRuns)]
pub fn nacos_lost_writes_runs(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    version: &str,
    loss: f64,
    first: u32,
    count: u32,
) -> Result<Float64Array, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let version = parse_version(version).map_err(js_err)?;
    let mut setup = lost_writes::Setup::default();
    setup.network.loss = check_loss(loss).map_err(js_err)?;
    let runs = lost_writes::run_range(&setup, version, seed, first, count).map_err(js_err)?;
    let mut flat = Vec::with_capacity(runs.len() * lost_writes::FLAT_STRIDE);
    for r in &runs {
        r.write_flat(&mut flat);
    }
    Ok(Float64Array::from(&flat[..]))
}

/// The JSON of `raftbeat experiment nacos-lost-writes --format json` from
/// every run's numbers: releases outermost, then losses, `runs` runs each.
#[wasm_bindgen(js_name = nacosLostWritesReport)]
pub fn nacos_lost_writes_report(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    runs: u32,
    versions: Vec<String>,
    losses: &[f64],
    data: &[f64],
) -> Result<String, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let versions = versions
        .iter()
        .map(|v| parse_version(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(js_err)?;
    let all = lost_writes::Run::read_flat(data).map_err(js_err)?;
    let lines = versions.len() * losses.len();
    if lines == 0 || runs == 0 || all.len() != runs as usize * lines {
        return Err(js_err(Error::new(
            "data",
            format!(
                "must hold {runs} runs for each of {} releases and {} losses, got {} runs",
                versions.len(),
                losses.len(),
                all.len()
            ),
        )));
    }
    let mut chunks = all.chunks(runs as usize);
    let mut results = Vec::with_capacity(lines);
    for &version in &versions {
        for &loss in losses {
            results.push(lost_writes::VersionResult {
                version,
                loss: check_loss(loss).map_err(js_err)?,
                runs: chunks.next().expect("counted above").to_vec(),
            });
        }
    }
    Ok(data_report::lost_writes_json(
        &lost_writes::Setup::default(),
        seed,
        &results,
    ))
}

/// The Nacos load benchmark in the browser (`benches/browser/nacos-data.js`):
/// a settled cluster holding `keys` keys, then a workload run for a span
/// the caller times. The same as `benches/nacos_data.rs`.
#[wasm_bindgen(js_name = NacosLoad)]
pub struct NacosLoad {
    sim: crate::experiment::nacos_data::NacosSim,
}

#[wasm_bindgen(js_class = NacosLoad)]
impl NacosLoad {
    /// Five servers, keys `k0 ..` written once each through the leader.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
        keys: u32,
    ) -> Result<NacosLoad, JsError> {
        let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
        if !(1..=beat_size::MAX_KEYS).contains(&keys) {
            return Err(js_err(Error::new(
                "keys",
                format!("must be from 1 to {}, got {keys}", beat_size::MAX_KEYS),
            )));
        }
        let sim = crate::experiment::nacos_data::preloaded(5, keys, seed).map_err(js_err)?;
        Ok(NacosLoad { sim })
    }

    /// Runs a workload of `rate` writes/s over the keys for `simMs`
    /// simulated milliseconds (started on the first call, kept after);
    /// returns the events it took.
    pub fn run(&mut self, rate: f64, sim_ms: f64) -> Result<f64, JsError> {
        let span = ms_to_micros("simMs", sim_ms).map_err(js_err)?;
        let keys = self.sim.client().key_count() as u32;
        let workload = crate::sim::client::Workload {
            rate,
            keys,
            via_leader: true,
            delete: 0.0,
        };
        // Started once: a run cut into spans is the same as one long run.
        if self.sim.client().workload() != Some(workload) {
            self.sim.set_workload(Some(workload)).map_err(js_err)?;
        }
        let e0 = self.sim.stats().events;
        let end = self.sim.now().saturating_add(span);
        self.sim.run_until(end);
        Ok((self.sim.stats().events - e0) as f64)
    }

    /// Keys every store holds, S1 first.
    #[wasm_bindgen(js_name = storeSizes)]
    pub fn store_sizes(&self) -> Vec<u32> {
        use crate::protocol::Protocol;
        (1..=self.sim.node_count())
            .map(|n| self.sim.protocol(n).store().map_or(0, |s| s.len() as u32))
            .collect()
    }
}

// ---- The Raft data experiments ---------------------------------------------
//
// Commit latency runs in ranges of trials of one line; lost writes in
// ranges of runs of one model at one loss rate. Trials cross in the flat
// form of `commit_latency::Trial` (three numbers, then four an op), runs in
// `lost_writes_compared::FLAT_STRIDE`; the report functions turn them,
// concatenated in the CLI's order, into its JSON.

#[wasm_bindgen(typescript_custom_section)]
const TS_RAFT_DATA_TYPES: &str = r#"
export interface RaftDataSetup {
    nodes: number; electionMs: [number, number]; heartbeatMs: number; latencyMs: [number, number];
    commit: { trials: number; losses: number[]; durationMs: number; rate: number; keys: number; rightAfterMs: number };
    lostWrites: { runs: number; models: string[]; losses: number[]; rate: number; keys: number; faults: number;
        faultLengthMs: [number, number]; raftHeartbeatMs: number; raftElectionMs: [number, number] };
}
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RaftDataSetup {
    nodes: u32,
    election_ms: [f64; 2],
    heartbeat_ms: f64,
    latency_ms: [f64; 2],
    commit: CommitDefaults,
    lost_writes: ComparedDefaults,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CommitDefaults {
    trials: u32,
    losses: Vec<f64>,
    duration_ms: f64,
    rate: f64,
    keys: u32,
    right_after_ms: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ComparedDefaults {
    runs: u32,
    models: Vec<String>,
    losses: Vec<f64>,
    rate: f64,
    keys: u32,
    faults: u32,
    fault_length_ms: [f64; 2],
    raft_heartbeat_ms: f64,
    raft_election_ms: [f64; 2],
}

/// The model names the page passes: "raft", then the Nacos releases.
fn compared_model_names() -> Vec<String> {
    lost_writes_compared::models(&lost_writes_compared::ALL_VERSIONS)
        .iter()
        .map(|m| match m {
            lost_writes_compared::Model::Raft => "raft".to_string(),
            lost_writes_compared::Model::Nacos(v) => v.to_string(),
        })
        .collect()
}

/// The Raft data experiments' defaults (the CLI's).
#[wasm_bindgen(js_name = raftDataSetup, unchecked_return_type = "RaftDataSetup")]
pub fn raft_data_setup() -> Result<JsValue, JsError> {
    let c = commit_latency::Setup::default();
    let l = lost_writes_compared::Setup::default();
    to_js(
        "raftDataSetup",
        &RaftDataSetup {
            nodes: c.nodes,
            election_ms: [ms(c.raft.election_min), ms(c.raft.election_max)],
            heartbeat_ms: ms(c.raft.heartbeat_interval),
            latency_ms: [ms(c.network.latency_min), ms(c.network.latency_max)],
            commit: CommitDefaults {
                trials: commit_latency::DEFAULT_TRIALS,
                losses: commit_latency::DEFAULT_LOSSES.to_vec(),
                duration_ms: ms(c.duration),
                rate: c.rate,
                keys: c.keys,
                right_after_ms: ms(c.after),
            },
            lost_writes: ComparedDefaults {
                runs: lost_writes_compared::DEFAULT_RUNS,
                models: compared_model_names(),
                losses: lost_writes_compared::DEFAULT_LOSSES.to_vec(),
                rate: l.rate,
                keys: l.keys,
                faults: l.faults,
                fault_length_ms: [ms(l.length.0), ms(l.length.1)],
                raft_heartbeat_ms: ms(l.raft.heartbeat_interval),
                raft_election_ms: [ms(l.raft.election_min), ms(l.raft.election_max)],
            },
        },
    )
}

/// A commit-latency line by name: "none", "loss" (at `loss`) or "crash".
fn commit_fault(line: &str, loss: f64) -> Result<commit_latency::Fault, Error> {
    match line {
        "none" => Ok(commit_latency::Fault::None),
        "loss" => commit_latency::Fault::Loss(check_loss(loss)?).check(),
        "crash" => Ok(commit_latency::Fault::LeaderCrash),
        _ => Err(Error::new(
            "line",
            format!("must be none, loss or crash, got `{line}`"),
        )),
    }
}

/// Commit-latency trials `first .. first + count` of line `line` ("none",
/// "loss" at `loss`, "crash"), with the CLI's default setup: the flat form
/// of each trial, one after another.
#[wasm_bindgen(js_name = raftCommitTrials)]
pub fn raft_commit_trials(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    line: &str,
    loss: f64,
    first: u32,
    count: u32,
) -> Result<Float64Array, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let fault = commit_fault(line, loss).map_err(js_err)?;
    let trials =
        commit_latency::run_trials(&commit_latency::Setup::default(), fault, seed, first, count)
            .map_err(js_err)?;
    let mut flat = Vec::new();
    for t in &trials {
        t.write_flat(&mut flat);
    }
    Ok(Float64Array::from(&flat[..]))
}

/// The JSON of `raftbeat experiment raft-commit-latency --format json` from
/// every trial's numbers: the lines in the CLI's order (no faults, each of
/// `losses`, the crash), `trials` trials each.
#[wasm_bindgen(js_name = raftCommitReport)]
pub fn raft_commit_report(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    trials: u32,
    losses: &[f64],
    data: &[f64],
) -> Result<String, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let faults = commit_latency::Fault::lines(losses)
        .into_iter()
        .map(|f| f.check())
        .collect::<Result<Vec<_>, Error>>()
        .map_err(js_err)?;
    let all = commit_latency::Trial::read_flat(data).map_err(js_err)?;
    if trials == 0 || all.len() != trials as usize * faults.len() {
        return Err(js_err(Error::new(
            "data",
            format!(
                "must hold {trials} trials for each of {} lines, got {} trials",
                faults.len(),
                all.len()
            ),
        )));
    }
    let lines: Vec<commit_latency::LineResult> = faults
        .into_iter()
        .zip(all.chunks(trials as usize))
        .map(|(fault, t)| commit_latency::LineResult {
            fault,
            trials: t.to_vec(),
        })
        .collect();
    Ok(raft_data_report::commit_json(
        &commit_latency::Setup::default(),
        seed,
        trials,
        &lines,
    ))
}

fn parse_model(m: &str) -> Result<lost_writes_compared::Model, Error> {
    lost_writes_compared::Model::parse(m).ok_or_else(|| {
        Error::new(
            "model",
            format!(
                "must be raft or a Nacos release ({}), got `{m}`",
                Version::VALUES
            ),
        )
    })
}

/// Lost-writes runs `first .. first + count` of `model` ("raft" or a Nacos
/// release like "1.4") at message loss `loss`: four numbers a run.
#[wasm_bindgen(js_name = lostWritesRuns)]
pub fn lost_writes_runs(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    model: &str,
    loss: f64,
    first: u32,
    count: u32,
) -> Result<Float64Array, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let model = parse_model(model).map_err(js_err)?;
    let mut setup = lost_writes_compared::Setup::default();
    setup.network.loss = check_loss(loss).map_err(js_err)?;
    let runs =
        lost_writes_compared::run_range(&setup, model, seed, first, count).map_err(js_err)?;
    let mut flat = Vec::with_capacity(runs.len() * lost_writes_compared::FLAT_STRIDE);
    for r in &runs {
        r.write_flat(&mut flat);
    }
    Ok(Float64Array::from(&flat[..]))
}

/// The JSON of `raftbeat experiment lost-writes --format json` from every
/// run's numbers: losses outermost, then `models`, `runs` runs each.
#[wasm_bindgen(js_name = lostWritesReport)]
pub fn lost_writes_report(
    #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
    runs: u32,
    models: Vec<String>,
    losses: &[f64],
    data: &[f64],
) -> Result<String, JsError> {
    let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
    let models = models
        .iter()
        .map(|m| parse_model(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(js_err)?;
    let all = lost_writes_compared::Run::read_flat(data).map_err(js_err)?;
    let lines = models.len() * losses.len();
    if lines == 0 || runs == 0 || all.len() != runs as usize * lines {
        return Err(js_err(Error::new(
            "data",
            format!(
                "must hold {runs} runs for each of {} models and {} losses, got {} runs",
                models.len(),
                losses.len(),
                all.len()
            ),
        )));
    }
    let mut chunks = all.chunks(runs as usize);
    let mut results = Vec::with_capacity(lines);
    for &loss in losses {
        for &model in &models {
            results.push(lost_writes_compared::ModelResult {
                model,
                loss: check_loss(loss).map_err(js_err)?,
                runs: chunks.next().expect("counted above").to_vec(),
            });
        }
    }
    Ok(raft_data_report::compared_json(
        &lost_writes_compared::Setup::default(),
        seed,
        &results,
    ))
}

/// The Raft speed benchmark in the browser (`benches/browser/raft-log.js`):
/// a settled cluster with RaftScope's timings and a workload of `rate`
/// writes/s, run for spans the caller times. The same as
/// `benches/raft_log.rs`.
#[wasm_bindgen(js_name = RaftLoad)]
pub struct RaftLoad {
    sim: commit_latency::RaftSim,
}

#[wasm_bindgen(js_class = RaftLoad)]
impl RaftLoad {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue,
        rate: f64,
    ) -> Result<RaftLoad, JsError> {
        let seed = parse_seed(&text_arg("seed", &seed).map_err(js_err)?).map_err(js_err)?;
        let setup = commit_latency::Setup {
            rate,
            ..commit_latency::Setup::default()
        };
        setup.validate().map_err(js_err)?;
        let mut sim =
            commit_latency::settled(&setup, setup.network.clone(), seed).map_err(js_err)?;
        sim.set_workload(Some(setup.workload())).map_err(js_err)?;
        Ok(RaftLoad { sim })
    }

    /// Runs `simMs` simulated milliseconds more; returns the events it took.
    pub fn run(&mut self, sim_ms: f64) -> Result<f64, JsError> {
        let span = ms_to_micros("simMs", sim_ms).map_err(js_err)?;
        let e0 = self.sim.stats().events;
        let end = self.sim.now().saturating_add(span);
        self.sim.run_until(end);
        Ok((self.sim.stats().events - e0) as f64)
    }

    /// Entries in each node's log, S1 first.
    #[wasm_bindgen(js_name = logLengths)]
    pub fn log_lengths(&self) -> Vec<u32> {
        (1..=self.sim.node_count())
            .map(|n| self.sim.protocol(n).log().len() as u32)
            .collect()
    }

    /// Writes acknowledged so far.
    pub fn acked(&self) -> f64 {
        self.sim.client().counts().ok as f64
    }
}
