//! Experiments for a Web Worker (`www/experiments-worker.js`): the same
//! trials, statistics and JSON as `raftbeat experiment`, run in chunks so
//! the worker can report progress between them.
//!
//! Seeds cross as decimal strings (64-bit seeds do not fit a JS number).
//! Times cross as microseconds in `Float64Array`s; a negative time is a
//! trial that hit the experiment's cap (its absolute value is how long it
//! ran). Summaries cross as the JSON the CLI prints, so the page and
//! `raftbeat experiment ... --format json` can be compared number for number.

use crate::cluster::{Cluster, ClusterConfig, Value};
use crate::error::Error;
use crate::experiment::failover::{self, FLAT_STRIDE};
use crate::experiment::fig16::{self, Check, LINES};
use crate::experiment::report;
use crate::experiment::stats::{summarize, Sample};
use crate::json::{json_num, json_str};
use crate::time::MsJson;
use crate::time::{format_duration, ms_to_micros};
use js_sys::Float64Array;
use super::text_arg;
use std::fmt::Write;
use wasm_bindgen::prelude::*;

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
                Error::new("samples", format!("must be whole microseconds, got {}", crate::num::fmt_f64(v)))
            })
        })
        .collect()
}

/// The Figure 16 lines and the default setup, as JSON:
/// `{"setup":{...},"lines":[{"range_ms":[lo,hi],"label":"150-155","graph":"top",
/// "paper_trials":1000,"heartbeat_ms":75,"claims":[{"stat":"median","ms":287,"words":..,"check":..}]}]}`.
#[wasm_bindgen(js_name = fig16Lines)]
pub fn fig16_lines() -> String {
    let setup = fig16::Setup::default();
    let mut out = String::from("{\"setup\":{");
    let _ =
        write!(
        out,
        "\"latency_ms\":[{},{}],\"timer_jitter_ms\":{},\"logs\":\"{}\",\"cap_ms\":{}}},\"lines\":[",
        MsJson(setup.latency.0 as i64),
        MsJson(setup.latency.1 as i64),
        MsJson(setup.timer_jitter as i64),
        setup.logs.iter().map(|l| format!("{}:{}", l.index, l.term)).collect::<Vec<_>>().join(","),
        MsJson(setup.cap as i64)
    );
    for (i, l) in LINES.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"range_ms\":[{},{}]",
            MsJson(l.lo as i64),
            MsJson(l.hi as i64)
        );
        json_str(&mut out, "label", &l.label());
        json_str(&mut out, "graph", l.graph.as_str());
        json_num(&mut out, "paper_trials", l.paper_trials);
        json_num(&mut out, "heartbeat_ms", MsJson(l.heartbeat() as i64));
        out.push_str(",\"claims\":[");
        for (j, c) in l.claims.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "{{\"stat\":\"{}\"", c.stat.as_str());
            json_num(&mut out, "ms", MsJson(c.paper as i64));
            json_str(&mut out, "words", c.words);
            let _ = write!(out, ",\"check\":\"{}\"", c.describe_check());
            json_num(&mut out, "checked", c.check != Check::None);
            out.push('}');
        }
        out.push_str("]}");
    }
    out.push_str("]}");
    out
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

/// The Nacos failover setup, as JSON: timings and latency in ms.
#[wasm_bindgen(js_name = failoverSetup)]
pub fn failover_setup() -> String {
    let s = failover::Setup::default();
    format!(
        "{{\"nodes\":{},\"tick_ms\":{},\"heartbeat_ms\":{},\"leader_timeout_ms\":{},\"leader_random_ms\":{},\"latency_ms\":[{},{}],\"default_trials\":{}}}",
        s.nodes,
        MsJson(s.nacos.tick as i64),
        MsJson(s.nacos.heartbeat_interval as i64),
        MsJson(s.nacos.leader_timeout as i64),
        MsJson(s.nacos.leader_random as i64),
        MsJson(s.network.latency_min as i64),
        MsJson(s.network.latency_max as i64),
        failover::DEFAULT_TRIALS
    )
}

/// Runs Nacos failover trials `first .. first + count`: four numbers a
/// trial (total, detection, election in microseconds, -1 when absent;
/// elections), see `failover::FLAT_STRIDE`.
#[wasm_bindgen(js_name = failoverTrials)]
pub fn failover_trials(#[wasm_bindgen(unchecked_param_type = "string")] seed: JsValue, first: u32, count: u32) -> Result<Float64Array, JsError> {
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
/// Returns `{"events":n,"sim_ms":t,"leader":id|null,"term":n}` as JSON.
#[wasm_bindgen(js_name = fastForward)]
pub fn fast_forward(#[wasm_bindgen(unchecked_param_type = "string")] config: JsValue, sim_ms: f64) -> Result<String, JsError> {
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
    let mut out = format!("{{\"events\":{}", cluster.stats().events);
    json_num(&mut out, "sim_ms", MsJson(end as i64));
    crate::json::json_opt(&mut out, "leader", leader);
    crate::json::json_opt(&mut out, "term", term);
    out.push('}');
    Ok(out)
}
