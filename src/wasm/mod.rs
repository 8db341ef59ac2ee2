//! The JavaScript-facing facade: one `Simulation` type, stepped from
//! `requestAnimationFrame`.
//!
//! Everything a user does is an [`Action`], given to [`Simulation::act`] as
//! an object (`{do: "crash", node: 3}`) or to `apply` as a line of the
//! scenario-script language (`crash 3`), and is logged, typed, with its
//! simulated time, so a run can be shared as a URL or copied as a script and
//! replays exactly, every number included. Per-frame data crosses the
//! boundary as flat `Float64Array`s (one copy, no per-object serialisation);
//! events cross as one JSON string (the trace's own JSON, as the CLI writes
//! it) parsed by the engine's JSON.parse, at the detail the page asks for
//! (`traceLevel`); the leadership timeline stays in wasm memory and is read
//! from an index on. The config and action objects in (and action objects
//! out) are read as (key, value) pairs (`object.rs`, `config.rs`); nodes,
//! messages, rules, settings, findings and a scenario's plan go out through
//! serde-wasm-bindgen (`views.rs`).

mod config;
mod layout;
mod object;
mod recorder;
mod scenario;
pub(crate) mod views;

/// The Experiments page's functions, only in its own package
/// (`www/pkg-experiments/`, `--features experiments`): the lab never calls them.
#[cfg(feature = "experiments")]
pub mod experiments;

use crate::cluster::{Cluster, ClusterConfig, Value};
use crate::error::Error;
use crate::num::fmt_f64;
use crate::protocol::Micros;
use crate::script::fields::{action_from_fields, action_to_fields};
use crate::script::{self, Action, NetworkChange, NodeRef, ScopeRef};
use crate::sim::network::BeatScope;
use crate::time::{format_duration, ms_to_micros};
use config::config_pairs;
use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array, JSON};
use recorder::{Level, Recorder};
use std::cell::RefCell;
use std::fmt::Write;
use std::rc::Rc;
use views::{
    to_js, to_js_list, ClientJs, DatumJs, FindingJs, LogJs, MessageJs, NodeJs, RuleJs, SettingsJs,
};
use wasm_bindgen::prelude::*;

pub use layout::layout;
use layout::{message, node, rule_flag};

/// Floats per node in `nodeData()`, per message in `messageData()`, per entry in `timeline()`.
pub use layout::{
    mark::STRIDE as MARK_STRIDE, message::STRIDE as MESSAGE_STRIDE, node::STRIDE as NODE_STRIDE,
};

/// Events kept between two reads of `events()`; older ones are counted, not kept.
const EVENT_WINDOW: usize = 20_000;
/// Datums `datums()` returns when not told how many: enough for the page's
/// workloads (a few hundred keys), small enough to read every few frames.
const DATUMS_DEFAULT: usize = 500;
/// Completed client operations `client()` lists when not told how many.
const RECENT_DEFAULT: usize = 50;
/// Entries `log()` lists when not told how many, and at most.
const LOG_DEFAULT: usize = 20;
const LOG_MAX: usize = 256;
/// Terms per node `logData` gives at most: more than a strip can draw.
const LOG_CELLS_MAX: usize = 64;
/// Longest span one `step` may cover: one simulated hour.
const MAX_STEP_MS: f64 = 3_600_000.0;

/// TypeScript shapes of what crosses the boundary, for `raftbeat.d.ts`.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A node: its id (3), its name ("S3") or "leader" (the one live leader now). */
export type NodeRef = number | string;
/** Durations are ms as numbers, or text with a unit: "150ms", "5s". */
export type Duration = number | string;
/** What `new Simulation()` takes; flat short keys (heartbeat, loss) work too. */
export interface SimulationConfig {
    model?: "nacos" | "raft";
    nodes?: number;
    /** A whole number; as a string for 64-bit seeds. Omitted: a fresh seed, reported by `seed`. */
    seed?: number | string;
    timings?: { tick?: Duration; heartbeat?: Duration; leaderTimeout?: Duration; leaderRandom?: Duration;
        electionMin?: Duration; electionMax?: Duration; election?: string };
    network?: { latencyMin?: Duration; latencyMax?: Duration; latency?: string; loss?: number };
    preVote?: boolean;
    checkQuorum?: boolean;
    /** Nacos only: the release modelled, "1.0" to "1.4" (default "1.4"). */
    version?: string;
    /** Nacos only: beats list no keys (`nacos.core.protocol.raft.data.sendBeatOnly`). */
    sendBeatOnly?: boolean;
    /** Nacos only: how long one run of the HeartBeat task takes (default 0). */
    beatRunTime?: Duration;
    /** Nacos only: how far HeartBeat's tick starts behind MasterElection's, or "random" per server (default 0). */
    beatPhase?: Duration | "random";
    /** Nacos only: an HTTP request across a partition or cut fails after this (default 5 s). */
    connectTimeout?: Duration;
    /** Nacos only: an HTTP request with no reply this long after it left fails (default 10 s). */
    readTimeout?: Duration;
    [shortKey: string]: unknown;
}
/** One trace event; the model adds its own fields (from, beatTerm, leaderDueMs, ...). */
export interface TraceEvent {
    t_ms: number;
    node: number | null;
    /** sendVote, receivedBeat, decideLeader, role, drop, crash, ... (docs/trace.md). */
    event: string;
    term: number | null;
    /** election, beat, role, network, fault, monitor, boot. */
    cat: string;
    /** The plain-language line, naming the model's methods. */
    text: string;
    [field: string]: unknown;
}
/** What the safety monitor checks (`expect no-violation KIND`). */
export type FindingKind = "two-leaders" | "election-safety" | "double-vote" | "term-decrease" | "lost-write"
    | "log-matching" | "leader-completeness" | "state-machine-safety";
/** A message's kind, as `layout().kinds` names the codes. */
export type MessageKindName = "beat" | "beat-reply" | "vote-request" | "vote-reply" | "prevote-request" | "prevote-reply"
    | "peer-query" | "peer-query-reply" | "commit" | "commit-reply" | "delete" | "delete-reply" | "pull" | "pull-reply"
    | "forward" | "forward-reply" | "snapshot" | "snapshot-reply";
/** Why a client operation failed. */
export type FailureReason = "no-leader" | "unreachable" | "no-majority" | "not-leader" | "connection-lost" | "no-data"
    | "leadership-lost" | "dropped" | "redirect-failed";
export interface Finding {
    tMs: number;
    kind: FindingKind;
    nodes: { node: number; term: number }[];
    /** two-leaders: when the overlap ended, once it has. */
    untilMs?: number;
    /** double-vote: the two candidates voted for. */
    first?: number; second?: number;
    /** term-decrease: the term before and after. */
    fromTerm?: number; toTerm?: number;
    text: string;
}
export interface NodeView {
    id: number; role: "FOLLOWER" | "PRE_CANDIDATE" | "CANDIDATE" | "LEADER"; term: number;
    voteFor: number | null; leader: number | null; alive: boolean;
    leaderDueMs: number | null; heartbeatDueMs: number | null;
}
export interface MessageView {
    id: number; kind: MessageKindName; from: number; to: number; sentMs: number; dueMs: number;
    term: number | null; granted: boolean | null;
    /** Keys a Nacos beat lists, datums a pull reply carries, entries a Raft AppendEntries carries, keys a snapshot holds; 0 for the others. */
    entries: number;
    /** Bytes on the wire (gzipped), where the model sizes the message (beat, pull, pull reply); else null. */
    bytes: number | null;
}
/** A stored datum: its version (a per-key counter) and token (the id of the write that stored it). */
export interface DatumView { key: string; version: number; token: number }
/** A client operation; `reason` names a failure. */
export interface ClientOp {
    op: number; kind: "write" | "delete"; key: string; via: number | null; invokedMs: number;
    outcome: "ok" | "failed" | "pending"; reason: FailureReason | null; reasonText: string | null; doneMs: number | null;
}
/** One entry of a Raft log: its index, term and client command. */
export interface LogEntryView { index: number; term: number; op: number; kind: "write" | "delete"; key: string }
/**
 * A Raft node's log: it starts after `base` (the last compacted index, 0:
 * none; `baseCommitted` false when that start is the `logs` setting's) and
 * ends at `last`; committed up to `commit`, applied up to `applied`, the
 * last snapshot at `snapshot` (0: none); its newest entries, oldest first.
 */
export interface LogView {
    base: number; baseTerm: number; baseCommitted: boolean; last: number; lastTerm: number;
    commit: number; applied: number; snapshot: number; entries: LogEntryView[];
}
export interface ClientView {
    counts: { invoked: number; ok: number; failed: number };
    workload: { rate: number; keys: number; via: "leader" | "any"; delete: number } | null;
    /** The most recently completed operations, oldest first. */
    recent: ClientOp[];
}
export interface Rule { id: number; text: string; remaining: number | null; scope: "all" | "from" | "to" | "link"; from: number | null; to: number | null }
/**
 * An action, for `act` and `applyAt`: `do` names it (camelCase), the other
 * fields are its arguments. Nodes are NodeRefs, durations are ms numbers or
 * text with a unit, `loss` a number from 0 to 1 (kept exactly). A wrong type,
 * a missing field or an unknown `do` is an Error naming `act.FIELD`.
 */
export type ActionObject =
    | { do: "crash" | "restart" | "timeout" | "isolate"; node: NodeRef }
    /** A stop-the-world stall of `node` for `for` (at most 1 h): what reaches it waits. */
    | { do: "pause"; node: NodeRef; for: Duration }
    | { do: "partition"; groups: NodeRef[][] }
    | { do: "heal" | "alignTimers" | "spreadTimers" }
    | { do: "cut" | "restore"; from: NodeRef; to: NodeRef; both?: boolean }
    /** from: beats a node sends; to: beats it receives; both: one link; or all: true. count: rounds (else until allowBeats). */
    | { do: "dropBeats"; from?: NodeRef; to?: NodeRef; all?: true; count?: number }
    /** Removes one rule, or every rule without `rule`. */
    | { do: "allowBeats"; rule?: number }
    | { do: "dropMessage"; id: number }
    /** Any subset; `latency` sets both ends ("2ms..8ms" or one duration). */
    | { do: "network"; latencyMin?: Duration; latencyMax?: Duration; latency?: Duration; loss?: number }
    /** Crash the leader every `every` and restart it `down` later (half of every unless given); `off: true` stops. */
    | { do: "periodicCrash"; every: Duration; down?: Duration }
    | { do: "periodicCrash"; off: true }
    /** A client's write or delete of `key` (letters, digits, ._-:@#/), sent to `via` (default: the leader; with none it fails). */
    | { do: "write" | "delete"; key: string; via?: NodeRef }
    /** A Poisson stream of writes over keys k0..k{keys-1}: `rate` per second, `delete` the share of deletes. */
    | { do: "workload"; rate: number; keys: number; via?: "leader" | "any"; delete?: number }
    | { do: "workload"; off: true };
/** An action as done and logged: when, its script line, and its object (`leader` pinned to the node it named). */
export interface LoggedAction { tMs: number; command: string; action: ActionObject }
export interface Settings {
    model: "nacos" | "raft"; nodes: number; seed: string; heartbeat: number;
    tick?: number; leaderTimeout?: number; leaderRandom?: number;
    electionMin?: number; electionMax?: number; preVote?: boolean; checkQuorum?: boolean;
    /** Nacos only. */
    version?: string; sendBeatOnly?: boolean;
    latencyMin: number; latencyMax: number; loss: number;
    /** `periodic-crash every= down=` in force (ms; crashes fall on since + k * every), or null. */
    periodicCrash: { every: number; down: number; since: number } | null;
}
export interface ScenarioPlan {
    config: [string, string][];
    /** An action, or a stop of a guided tour (`pause`: no command, `note` is its caption). */
    steps: ({ tMs: number; command: string; note?: string } | { tMs: number; pause: true; note: string })[];
    expects: { tMs: number; text: string }[];
    endMs: number;
    about: string;
}
export type TraceLevel = "all" | "protocol" | "changes" | "none" | "off";
"#;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

use views::ms;

/// A whole number >= 1 from JS (wasm-bindgen would silently wrap -1 or 2.5 into a u32).
fn whole(field: &str, v: &JsValue) -> Result<u32, Error> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 1.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
            Ok(n as u32)
        }
        _ => Err(Error::new(
            field,
            format!("must be a whole number >= 1, got {}", describe(v)),
        )),
    }
}

/// A whole number from 1 to `max` from JS.
fn at_most(field: &str, v: &JsValue, max: usize) -> Result<usize, Error> {
    match whole(field, v) {
        Ok(n) if n as usize <= max => Ok(n as usize),
        _ => Err(Error::new(
            field,
            format!(
                "must be a whole number from 1 to {max}, got {}",
                describe(v)
            ),
        )),
    }
}

fn describe(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        format!("`{s}`")
    } else if let Some(n) = v.as_f64() {
        crate::num::fmt_f64(n)
    } else if v.is_undefined() {
        "undefined".to_string()
    } else if v.is_null() {
        "null".to_string()
    } else if let Some(b) = v.as_bool() {
        b.to_string()
    } else if Array::is_array(v) {
        "an array".to_string()
    } else if v.is_object() {
        "an object".to_string()
    } else {
        "a value of another type".to_string()
    }
}

/// Text from JS. A `&str` parameter would take a number or an object
/// unchecked, and wasm-bindgen's copy of it traps in the allocator
/// ("memory access out of bounds").
pub(crate) fn text_arg(field: &str, v: &JsValue) -> Result<String, Error> {
    v.as_string()
        .ok_or_else(|| Error::new(field, format!("must be a string, got {}", describe(v))))
}

/// The schedule of a scenario script, for `<raft-beat scenario="...">`:
/// `{config: [[key, value]...], steps: [{tMs, command, note?}], expects:
/// [{tMs, text}], endMs, about}`. `;` separates commands like a newline
/// (in one line of text, comments too).
#[wasm_bindgen(js_name = parseScenario, unchecked_return_type = "ScenarioPlan")]
pub fn parse_scenario(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsError> {
    let text = text_arg("text", &text).map_err(js_err)?;
    to_js("parseScenario", &scenario::plan(&text).map_err(js_err)?)
}

/// A simulated cluster. `new Simulation({model: 'nacos', nodes: 5, seed: 7})`.
#[wasm_bindgen]
pub struct Simulation {
    cluster: Cluster,
    config: ClusterConfig,
    recorder: Rc<RefCell<Recorder>>,
    /// Every action applied, as done (`leader` pinned), with its time.
    actions: Vec<(Micros, Action)>,
    node_buf: Vec<f64>,
    msg_buf: Vec<f64>,
    mark_buf: Vec<f64>,
    log_buf: Vec<f64>,
}

#[wasm_bindgen]
impl Simulation {
    /// Starts a cluster. Throws an Error naming the field and the rule on a
    /// bad config. Without a seed, one is drawn and reported by `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SimulationConfig")] config: JsValue,
    ) -> Result<Simulation, JsError> {
        Self::build(config).map_err(js_err)
    }

    fn build(config: JsValue) -> Result<Simulation, Error> {
        let pairs = config_pairs(&config, "config", "{model: 'nacos', nodes: 5, seed: 7}")?;
        let config = ClusterConfig::from_pairs(&pairs)?;
        let mut cluster = Cluster::new(&config)?;
        let recorder = Rc::new(RefCell::new(Recorder::new(EVENT_WINDOW)));
        cluster.add_sink(Box::new(recorder.clone()));
        Ok(Simulation {
            cluster,
            config,
            recorder,
            actions: Vec::new(),
            node_buf: Vec::new(),
            msg_buf: Vec::new(),
            mark_buf: Vec::new(),
            log_buf: Vec::new(),
        })
    }

    /// Advances simulated time by `dtMs` milliseconds, running every event due.
    pub fn step(&mut self, dt_ms: f64) -> Result<(), JsError> {
        let us = self.check_step("dtMs", dt_ms).map_err(js_err)?;
        self.cluster.advance(us);
        Ok(())
    }

    /// Advances by up to `dtMs` but runs at most `maxEvents` events, so a
    /// fast-forward never freezes the page. Returns true when the whole span ran.
    #[wasm_bindgen(js_name = stepBudget)]
    pub fn step_budget(&mut self, dt_ms: f64, max_events: f64) -> Result<bool, JsError> {
        let us = self.check_step("dtMs", dt_ms).map_err(js_err)?;
        if !(max_events.is_finite() && max_events >= 1.0) {
            return Err(js_err(Error::new(
                "maxEvents",
                format!("must be a number >= 1, got {}", fmt_f64(max_events)),
            )));
        }
        let end = self.cluster.now().saturating_add(us);
        Ok(self.cluster.run_until_budget(end, max_events as u64))
    }

    /// Runs the next event (one protocol step: a timer or a delivery) and
    /// then on, one event at a time, until one of them leaves something in
    /// the trace window: the page's single step. Returns false when nothing
    /// is pending (every node down). With `traceLevel` "none" it runs one event.
    /// `untilMs`: run no event due after it (a planned action comes first),
    /// returning true with the clock where it was.
    #[wasm_bindgen(js_name = stepEvent)]
    pub fn step_event(&mut self, until_ms: Option<f64>) -> Result<bool, JsError> {
        let until = match until_ms {
            None => Micros::MAX,
            Some(v) => ms_to_micros("untilMs", v).map_err(js_err)?,
        };
        let seen = |r: &Recorder| r.window.len() as u64 + r.window.overflowed;
        let before = seen(&self.recorder.borrow());
        let quiet = matches!(self.recorder.borrow().level, Level::None | Level::Off);
        // Ten thousand silent ticks is over an hour of a quiet Nacos cluster.
        for _ in 0..10_000 {
            let Some(at) = self.cluster.next_event_at() else {
                return Ok(false);
            };
            if at > until {
                return Ok(true);
            }
            self.cluster.run_until_budget(at, 1);
            if quiet || seen(&self.recorder.borrow()) > before {
                return Ok(true);
            }
        }
        Ok(true)
    }

    /// When the next pending event is due (ms), or null when none is.
    #[wasm_bindgen(getter, js_name = nextEventMs)]
    pub fn next_event_ms(&self) -> Option<f64> {
        self.cluster.next_event_at().map(ms)
    }

    /// Messages on the wire now.
    #[wasm_bindgen(getter, js_name = inFlight)]
    pub fn in_flight(&self) -> u32 {
        self.cluster.in_flight_count() as u32
    }

    /// How much of the trace `events()` returns: "all" (every send too),
    /// "protocol" (the default: every model step and fault, no per-message
    /// sends), "changes" (only what changed state), "none" (no events; the
    /// timeline is still kept) or "off" (no timeline either: the core runs
    /// at its native speed). Less is faster.
    #[wasm_bindgen(getter, js_name = traceLevel, unchecked_return_type = "TraceLevel")]
    pub fn trace_level(&self) -> String {
        self.recorder.borrow().level.as_str().to_string()
    }

    #[wasm_bindgen(setter, js_name = traceLevel)]
    pub fn set_trace_level(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TraceLevel")] level: JsValue,
    ) -> Result<(), JsError> {
        let level = text_arg("traceLevel", &level).map_err(js_err)?;
        let level = Level::parse(&level).ok_or_else(|| {
            js_err(Error::new(
                "traceLevel",
                format!("must be all, protocol, changes, none or off, got `{level}`"),
            ))
        })?;
        let was = std::mem::replace(&mut self.recorder.borrow_mut().level, level);
        if level == Level::Off && was != Level::Off {
            self.cluster.clear_sinks();
        } else if was == Level::Off && level != Level::Off {
            self.cluster.add_sink(Box::new(self.recorder.clone()));
        }
        Ok(())
    }

    /// Leadership timeline entries from index `from` on (0 for all), as one
    /// Float64Array of `MARK_STRIDE` numbers each: t_ms, code, node, term
    /// (-1 none), laid out and coded as `layout()` says (`mark`,
    /// `markCodes`: became or left LEADER, an election, a crash, a
    /// restart, one leader again, a safety finding). The entries
    /// stay in wasm memory; read only the new ones (`timelineLength`).
    pub fn timeline(&mut self, from: f64) -> Result<Float64Array, JsError> {
        if !(from.is_finite() && from >= 0.0 && from.fract() == 0.0) {
            return Err(js_err(Error::new(
                "from",
                format!("must be a whole number >= 0, got {}", fmt_f64(from)),
            )));
        }
        self.recorder
            .borrow()
            .marks_from(from as usize, &mut self.mark_buf);
        Ok(Float64Array::from(&self.mark_buf[..]))
    }

    /// Timeline entries recorded so far.
    #[wasm_bindgen(getter, js_name = timelineLength)]
    pub fn timeline_length(&self) -> u32 {
        self.recorder.borrow().mark_count() as u32
    }

    fn check_step(&self, field: &str, dt_ms: f64) -> Result<Micros, Error> {
        let us = ms_to_micros(field, dt_ms)?;
        if dt_ms > MAX_STEP_MS {
            return Err(Error::new(
                field,
                format!(
                    "must be at most {} (one simulated hour per call), got {}",
                    fmt_f64(MAX_STEP_MS),
                    fmt_f64(dt_ms)
                ),
            ));
        }
        Ok(us)
    }

    /// Simulated time in milliseconds.
    #[wasm_bindgen(getter, js_name = timeMs)]
    pub fn time_ms(&self) -> f64 {
        ms(self.cluster.now())
    }

    /// The seed, as a decimal string (64-bit seeds do not fit a JS number).
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> String {
        self.cluster.seed().to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn model(&self) -> String {
        self.cluster.model().as_str().to_string()
    }

    #[wasm_bindgen(getter, js_name = nodeCount)]
    pub fn node_count(&self) -> u32 {
        self.cluster.node_count()
    }

    /// Events processed so far.
    #[wasm_bindgen(getter, js_name = eventCount)]
    pub fn event_count(&self) -> f64 {
        self.cluster.stats().events as f64
    }

    /// The config as `key=value` settings (seed included), as in a script or URL.
    #[wasm_bindgen(js_name = configText)]
    pub fn config_text(&self) -> String {
        let pairs = self.config.to_pairs(self.cluster.seed());
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Nodes as objects: {id, role, term, voteFor, leader, alive, leaderDueMs,
    /// heartbeatDueMs}. Convenient; `nodeData()` is about 30 times cheaper.
    #[wasm_bindgen(unchecked_return_type = "NodeView[]")]
    pub fn nodes(&self) -> Result<JsValue, JsError> {
        to_js_list("nodes", self.cluster.node_views().iter().map(NodeJs::from))
    }

    /// Nodes as one Float64Array, `NODE_STRIDE` numbers each, laid out as
    /// `layout().node` says: id, role code (`layout().roles`), term,
    /// voteFor (0 none), leader (0 none), alive (0/1), leaderDueMs (-1
    /// none), heartbeatDueMs (-1 none), partition group, beat-rule flags
    /// (`layout().ruleFlags`).
    #[wasm_bindgen(js_name = nodeData)]
    pub fn node_data(&mut self) -> Float64Array {
        self.node_buf.clear();
        let (groups, flags) = {
            let s = self.cluster.engine();
            let mut flags = vec![0u8; s.node_count() as usize];
            for r in s.rules() {
                match r.scope {
                    BeatScope::All => flags.iter_mut().for_each(|f| *f |= rule_flag::FROM),
                    BeatScope::From(n) => flags[(n - 1) as usize] |= rule_flag::FROM,
                    BeatScope::To(n) => flags[(n - 1) as usize] |= rule_flag::TO,
                    BeatScope::Link(a, _) => flags[(a - 1) as usize] |= rule_flag::LINK,
                }
            }
            (s.topology().groups().to_vec(), flags)
        };
        for v in self.cluster.node_views() {
            let mut r = [0.0; NODE_STRIDE];
            r[node::ID] = f64::from(v.id);
            r[node::ROLE] = f64::from(v.role.code());
            r[node::TERM] = v.term as f64;
            r[node::VOTE_FOR] = f64::from(v.vote_for.unwrap_or(0));
            r[node::LEADER] = f64::from(v.leader.unwrap_or(0));
            r[node::ALIVE] = if v.alive { 1.0 } else { 0.0 };
            r[node::LEADER_DUE] = v.countdowns.leader_due.map_or(-1.0, ms);
            r[node::HEARTBEAT_DUE] = v.countdowns.heartbeat_due.map_or(-1.0, ms);
            r[node::GROUP] = f64::from(groups[(v.id - 1) as usize]);
            r[node::RULES] = f64::from(flags[(v.id - 1) as usize]);
            r[node::PAUSED] = v.paused_for.map_or(-1.0, ms);
            r[node::WRITING] = v.writing_for.map_or(-1.0, ms);
            self.node_buf.extend_from_slice(&r);
        }
        Float64Array::from(&self.node_buf[..])
    }

    /// Messages in flight as objects: {id, kind, from, to, sentMs, dueMs,
    /// term, granted, entries, bytes}.
    #[wasm_bindgen(unchecked_return_type = "MessageView[]")]
    pub fn messages(&self) -> Result<JsValue, JsError> {
        use crate::protocol::MessageInfo;
        let carried: Vec<(u32, Option<crate::protocol::WireSize>)> = crate::with_sim!(
            &self.cluster,
            s => s.in_flight().map(|m| (m.msg.entries(), m.msg.size())).collect()
        );
        let views = self.cluster.messages();
        to_js_list(
            "messages",
            views
                .iter()
                .zip(carried)
                .map(|(m, (entries, size))| MessageJs::new(m, entries, size)),
        )
    }

    /// Messages as one Float64Array, `MESSAGE_STRIDE` numbers each, laid
    /// out as `layout().message` says: id, kind code (`layout().kinds`),
    /// from, to, sentMs, dueMs, term (-1 none), granted (-1 n/a, 0, 1),
    /// entries (keys a beat lists, datums a pull reply carries), bytes on
    /// the wire (gzip; -1 where the model does not size the message),
    /// stalled (1: waiting at a wall until `dueMs`, when its request fails).
    #[wasm_bindgen(js_name = messageData)]
    pub fn message_data(&mut self) -> Float64Array {
        self.msg_buf.clear();
        crate::with_sim!(&self.cluster, s => {
            for m in s.in_flight() {
                use crate::protocol::MessageInfo;
                let mut r = [0.0; MESSAGE_STRIDE];
                r[message::ID] = m.id as f64;
                r[message::KIND] = f64::from(m.kind.code());
                r[message::FROM] = f64::from(m.from);
                r[message::TO] = f64::from(m.to);
                r[message::SENT] = ms(m.sent);
                r[message::DUE] = ms(m.due);
                r[message::TERM] = m.msg.term().map_or(-1.0, |t| t as f64);
                r[message::GRANTED] = m.msg.granted().map_or(-1.0, |g| if g { 1.0 } else { 0.0 });
                r[message::ENTRIES] = f64::from(m.msg.entries());
                r[message::BYTES] = m.msg.size().map_or(-1.0, |s| f64::from(s.gzip));
                r[message::STALLED] = if s.is_stalled(m.id) { 1.0 } else { 0.0 };
                self.msg_buf.extend_from_slice(&r);
            }
        });
        Float64Array::from(&self.msg_buf[..])
    }

    /// Trace events since the last call, oldest first, each
    /// `{t_ms, node, event, term, cat, text, ...}`.
    #[wasm_bindgen(unchecked_return_type = "TraceEvent[]")]
    pub fn events(&mut self) -> Result<JsValue, JsError> {
        let mut rec = self.recorder.borrow_mut();
        if rec.window.is_empty() {
            return Ok(Array::new().into());
        }
        let json = rec.window.drain_json_array();
        JSON::parse(&json).map_err(|_| JsError::new("events: internal error: bad JSON"))
    }

    /// Events that fell out of the event window before `events()` read them.
    #[wasm_bindgen(getter, js_name = eventsOverflowed)]
    pub fn events_overflowed(&self) -> f64 {
        self.recorder.borrow().window.overflowed as f64
    }

    /// Cut one-way links as a Uint32Array of [from, to] pairs.
    pub fn cuts(&self) -> Uint32Array {
        let flat: Vec<u32> = self
            .cluster
            .topology()
            .cuts()
            .flat_map(|(a, b)| [a, b])
            .collect();
        Uint32Array::from(&flat[..])
    }

    /// Every setting in force, defaults included, durations in ms:
    /// {model, nodes, seed, tick, heartbeat, leaderTimeout, leaderRandom}
    /// (nacos) or {..., heartbeat, electionMin, electionMax, preVote,
    /// checkQuorum} (raft), the network now: latencyMin, latencyMax, loss,
    /// and periodicCrash: {every, down, since} while `periodic-crash` runs, else null.
    #[wasm_bindgen(unchecked_return_type = "Settings")]
    pub fn settings(&self) -> Result<JsValue, JsError> {
        let settings = SettingsJs::new(
            &self.config,
            self.cluster.seed(),
            self.cluster.network(),
            self.cluster.periodic(),
        );
        to_js("settings", &settings)
    }

    /// The safety monitor's findings: [{tMs, kind, nodes: [{node, term}], untilMs?, ..., text}].
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn findings(&self) -> Result<JsValue, JsError> {
        to_js_list(
            "findings",
            self.cluster.monitor().findings().map(FindingJs::from),
        )
    }

    /// Settings that are allowed but keep the cluster from settling
    /// (heartbeats slower than the election timeout, no randomness, a round
    /// trip longer than the timeout), each naming its fields; [] when the
    /// cluster can settle. A `network` action can add or clear some.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn warnings(&self) -> Result<JsValue, JsError> {
        to_js_list("warnings", self.cluster.warnings())
    }

    /// The one live leader's id, or null.
    pub fn leader(&self) -> Option<u32> {
        self.cluster.leader()
    }

    /// A node's model fields by their original names: [[name, value], ...].
    #[wasm_bindgen(unchecked_return_type = "[string, string][]")]
    pub fn inspect(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
    ) -> Result<JsValue, JsError> {
        let id = Self::node_arg("node", &node)
            .and_then(|n| self.cluster.resolve("node", n))
            .map_err(js_err)?;
        to_js_list("inspect", self.cluster.fields(id))
    }

    /// A node's datums in key order: [{key, version, token}], at most
    /// `limit` of them (default 500; `datumCount` says how many there are),
    /// from the first key (Raft: its state machine's).
    #[wasm_bindgen(unchecked_return_type = "DatumView[]")]
    pub fn datums(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] limit: JsValue,
    ) -> Result<JsValue, JsError> {
        let id = self.node_id("node", &node).map_err(js_err)?;
        let limit = if limit.is_undefined() || limit.is_null() {
            DATUMS_DEFAULT
        } else {
            whole("limit", &limit).map_err(js_err)? as usize
        };
        let store = self.cluster.store(id);
        to_js_list(
            "datums",
            store
                .into_iter()
                .flat_map(|s| s.iter())
                .take(limit)
                .map(DatumJs::from),
        )
    }

    /// How many datums a node holds (0 in a model without data).
    #[wasm_bindgen(js_name = datumCount)]
    pub fn datum_count(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
    ) -> Result<u32, JsError> {
        let id = self.node_id("node", &node).map_err(js_err)?;
        Ok(self.cluster.store(id).map_or(0, |s| s.len() as u32))
    }

    /// A Raft node's log: {base, baseTerm, baseCommitted, last, lastTerm,
    /// commit, applied, snapshot, entries: [{index, term, op, kind, key}]},
    /// its last `count` entries (default 20, at most 256); null in a model
    /// without a log (nacos).
    #[wasm_bindgen(unchecked_return_type = "LogView | null")]
    pub fn log(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] count: JsValue,
    ) -> Result<JsValue, JsError> {
        let id = self.node_id("node", &node).map_err(js_err)?;
        let count = if count.is_undefined() || count.is_null() {
            LOG_DEFAULT
        } else {
            at_most("count", &count, LOG_MAX).map_err(js_err)?
        };
        match self.cluster.raft_node(id) {
            Some(n) => to_js("log", &LogJs::new(n, count)),
            None => Ok(JsValue::NULL),
        }
    }

    /// Every node's log as one Float64Array: per node a head of
    /// `layout().log.stride` numbers (first, base, last, lastTerm, commit,
    /// applied, snapshot), then `count` terms (1 to 64), one per index from
    /// `first` on: the newest `count` indices of any node's log, the same
    /// for every node so their logs line up. A cell without an entry holds
    /// `layout().logCell.none` (past the node's last) or `.compacted`. Empty
    /// in a model without a log (nacos).
    #[wasm_bindgen(js_name = logData)]
    pub fn log_data(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] count: JsValue,
    ) -> Result<Float64Array, JsError> {
        let count = at_most("count", &count, LOG_CELLS_MAX).map_err(js_err)? as u64;
        self.log_buf.clear();
        let n = self.cluster.node_count();
        let end = (1..=n)
            .filter_map(|id| self.cluster.raft_node(id))
            .map(|r| r.log().last().index)
            .max();
        let Some(end) = end else {
            return Ok(Float64Array::new_with_length(0));
        };
        let first = end.saturating_sub(count - 1).max(1);
        for id in 1..=n {
            let Some(r) = self.cluster.raft_node(id) else {
                continue;
            };
            let l = r.log();
            let (base, last) = (l.base(), l.last());
            let mut head = [0.0; layout::log::STRIDE];
            head[layout::log::FIRST] = first as f64;
            head[layout::log::BASE] = base.index as f64;
            head[layout::log::LAST] = last.index as f64;
            head[layout::log::LAST_TERM] = last.term as f64;
            head[layout::log::COMMIT] = r.commit_index() as f64;
            head[layout::log::APPLIED] = r.last_applied() as f64;
            head[layout::log::SNAPSHOT] = r.snapshot_pos().index as f64;
            self.log_buf.extend_from_slice(&head);
            for i in first..first + count {
                self.log_buf.push(if i <= base.index {
                    layout::log_cell::COMPACTED
                } else {
                    l.term_at(i).map_or(layout::log_cell::NONE, |t| t as f64)
                });
            }
        }
        Ok(Float64Array::from(&self.log_buf[..]))
    }

    /// The client's side of the run: {counts: {invoked, ok, failed},
    /// workload: null | {rate, keys, via, delete}, recent: [{op, kind, key,
    /// via, invokedMs, outcome, reason, reasonText, doneMs}]}: the last
    /// `recent` completed operations (default 50, at most 256), oldest first.
    #[wasm_bindgen(unchecked_return_type = "ClientView")]
    pub fn client(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] recent: JsValue,
    ) -> Result<JsValue, JsError> {
        let recent = if recent.is_undefined() || recent.is_null() {
            RECENT_DEFAULT
        } else {
            whole("recent", &recent).map_err(js_err)? as usize
        };
        to_js("client", &ClientJs::new(self.cluster.client(), recent))
    }

    /// A node argument resolved to an id that exists now.
    fn node_id(&self, field: &str, node: &JsValue) -> Result<u32, Error> {
        Self::node_arg(field, node).and_then(|n| self.cluster.resolve(field, n))
    }

    /// The active heartbeat-drop rules: [{id, text, remaining, scope, from,
    /// to}]: scope "all", "from", "to" or "link"; from/to are node ids or null;
    /// remaining is the rounds left, or null for "until removed".
    #[wasm_bindgen(unchecked_return_type = "Rule[]")]
    pub fn rules(&self) -> Result<JsValue, JsError> {
        let rules: Vec<RuleJs> = self.cluster.rules().iter().map(RuleJs::from).collect();
        to_js_list("rules", rules)
    }

    /// A node argument of the convenience methods: an id, "S3" or "leader".
    fn node_arg(field: &str, node: &JsValue) -> Result<NodeRef, Error> {
        match config::scalar(field, node)? {
            Value::Text(t) => NodeRef::parse(field, &t),
            Value::Number(n)
                if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) =>
            {
                Ok(NodeRef::Id(n as u32))
            }
            Value::Number(n) => Err(Error::new(
                field,
                format!(
                    "must be a node id (3 or S3) or `leader`, got {}",
                    fmt_f64(n)
                ),
            )),
            Value::Bool(_) => Err(Error::new(field, "must be a node id or `leader`")),
        }
    }

    /// Applies one action now, given as an object:
    /// `act({do: "dropBeats", from: 3, count: 2})`, `act({do: "crash", node:
    /// "leader"})`, `act({do: "network", loss: 0.1234567})` (the shapes:
    /// the `ActionObject` type). Logs it for replay with `leader` pinned to
    /// the node it named, and returns it as logged: {tMs, command, action}.
    /// A wrong type, a missing field or an unknown action is an Error naming
    /// `act.FIELD` and the rule.
    #[wasm_bindgen(unchecked_return_type = "LoggedAction")]
    pub fn act(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ActionObject")] action: JsValue,
    ) -> Result<JsValue, JsError> {
        let fields = action_arg(&action).map_err(js_err)?;
        let i = self
            .do_act(&fields.1)
            .map_err(|e| js_err(in_object(e, &fields.0)))?;
        self.logged(i)
    }

    /// Applies one command of the scenario language now (crash 3,
    /// drop-beats from=leader count=2, partition 1,2|3,4,5, heal, ...): read
    /// as an action, then `act`. Returns the command as logged (`leader`
    /// pinned to an id).
    pub fn apply(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] command: JsValue,
    ) -> Result<String, JsError> {
        let action: Action = text_arg("command", &command)
            .map_err(js_err)?
            .trim()
            .parse()
            .map_err(js_err)?;
        let i = self.do_act(&action).map_err(js_err)?;
        Ok(self.actions[i].1.to_string())
    }

    /// Actions applied so far (`actions()` has them all).
    #[wasm_bindgen(getter, js_name = actionCount)]
    pub fn action_count(&self) -> u32 {
        self.actions.len() as u32
    }

    /// Carries out an action through the cluster and logs it as done;
    /// returns its place in the log.
    fn do_act(&mut self, action: &Action) -> Result<usize, Error> {
        let done = script::act(&mut self.cluster, action)?;
        self.actions.push((self.cluster.now(), done));
        Ok(self.actions.len() - 1)
    }

    /// Logged action `i` as {tMs, command, action}.
    fn logged(&self, i: usize) -> Result<JsValue, JsError> {
        let (t, a) = &self.actions[i];
        let o = Object::new();
        set(&o, "tMs", ms(*t));
        set(&o, "command", a.to_string());
        set(&o, "action", action_object(a));
        Ok(o.into())
    }

    /// Advances to simulated time `tMs` (not before now) and applies an
    /// action there, given as script text or as an object: the replay of one
    /// logged action. Returns it as logged: {tMs, command, action}. A span
    /// longer than an hour is fine here: the replay of a shared URL jumps
    /// straight to its first action.
    #[wasm_bindgen(js_name = applyAt, unchecked_return_type = "LoggedAction")]
    pub fn apply_at(
        &mut self,
        t_ms: f64,
        #[wasm_bindgen(unchecked_param_type = "string | ActionObject")] action: JsValue,
    ) -> Result<JsValue, JsError> {
        let action = if action.is_string() {
            text_arg("command", &action)
                .map_err(js_err)?
                .trim()
                .parse::<Action>()
                .map_err(js_err)?
        } else {
            action_arg(&action).map_err(js_err)?.1
        };
        let t = ms_to_micros("tMs", t_ms).map_err(js_err)?;
        if t < self.cluster.now() {
            return Err(js_err(Error::new(
                "tMs",
                format!(
                    "{} is before the current time {}",
                    fmt_f64(t_ms),
                    fmt_f64(self.time_ms())
                ),
            )));
        }
        self.cluster.run_until(t);
        let i = self.do_act(&action).map_err(js_err)?;
        self.logged(i)
    }

    /// The actions applied so far: [{t_ms, command, action}].
    #[wasm_bindgen(unchecked_return_type = "LoggedAction[]")]
    pub fn actions(&self) -> Result<Array, JsError> {
        (0..self.actions.len()).map(|i| self.logged(i)).collect()
    }

    /// This run so far as a scenario script for `raftbeat run`; every number
    /// as exact as the run's own.
    #[wasm_bindgen(js_name = toScript)]
    pub fn to_script(&self) -> String {
        let mut s = format!("cluster {}\n", self.config_text());
        for (t, a) in &self.actions {
            let _ = writeln!(s, "run until={}\n{a}", format_duration(*t));
        }
        let _ = writeln!(s, "run until={}", format_duration(self.cluster.now()));
        s
    }

    // Convenience actions: each builds its action and goes through `act`.

    fn act_now(&mut self, action: Action) -> Result<(), JsError> {
        self.do_act(&action).map(drop).map_err(js_err)
    }
    pub fn crash(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
    ) -> Result<(), JsError> {
        self.act_now(Action::Crash(
            Self::node_arg("node", &node).map_err(js_err)?,
        ))
    }
    pub fn restart(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
    ) -> Result<(), JsError> {
        self.act_now(Action::Restart(
            Self::node_arg("node", &node).map_err(js_err)?,
        ))
    }
    pub fn timeout(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
    ) -> Result<(), JsError> {
        self.act_now(Action::Timeout(
            Self::node_arg("node", &node).map_err(js_err)?,
        ))
    }
    pub fn isolate(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] node: JsValue,
    ) -> Result<(), JsError> {
        self.act_now(Action::Isolate(
            Self::node_arg("node", &node).map_err(js_err)?,
        ))
    }
    pub fn heal(&mut self) -> Result<(), JsError> {
        self.act_now(Action::Heal)
    }
    /// Drops heartbeats from `node` (the current leader if omitted): all of
    /// them until `allowBeats`, or the next `count` rounds. Returns the rule id.
    #[wasm_bindgen(js_name = dropBeats)]
    pub fn drop_beats(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef | null")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | null")] count: JsValue,
    ) -> Result<u32, JsError> {
        let from = if node.is_undefined() || node.is_null() {
            NodeRef::Leader
        } else {
            Self::node_arg("node", &node).map_err(js_err)?
        };
        // The parameter is `node`: an error names it so (the action's field is `from`).
        let from = NodeRef::Id(self.cluster.resolve("node", from).map_err(js_err)?);
        let count = if count.is_undefined() || count.is_null() {
            None
        } else {
            Some(whole("count", &count).map_err(js_err)?)
        };
        self.act_now(Action::DropBeats {
            scope: ScopeRef::From(from),
            count,
        })?;
        Ok(self.cluster.rules().last().map_or(0, |r| r.id))
    }
    /// Removes one drop rule, or all of them when `rule` is omitted.
    #[wasm_bindgen(js_name = allowBeats)]
    pub fn allow_beats(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number | null")] rule: JsValue,
    ) -> Result<(), JsError> {
        let rule = if rule.is_undefined() || rule.is_null() {
            None
        } else {
            Some(whole("rule", &rule).map_err(js_err)?)
        };
        self.act_now(Action::AllowBeats(rule))
    }
    #[wasm_bindgen(js_name = dropMessage)]
    pub fn drop_message(&mut self, id: f64) -> Result<(), JsError> {
        if !(id.is_finite() && id >= 1.0 && id.fract() == 0.0) {
            return Err(js_err(Error::new(
                "id",
                format!(
                    "must be a message id (a whole number >= 1), got {}",
                    fmt_f64(id)
                ),
            )));
        }
        self.act_now(Action::DropMessage(id as u64))
    }
    /// Splits the network: `[[1, 2], [3, 4, 5]]`; nodes not listed form one
    /// more side together.
    pub fn partition(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef[][]")] groups: JsValue,
    ) -> Result<(), JsError> {
        let bad = || {
            js_err(Error::new(
                "groups",
                "must be an array of arrays of node ids, like [[1, 2], [3, 4, 5]]",
            ))
        };
        if !Array::is_array(&groups) {
            return Err(bad());
        }
        let mut sides = Vec::new();
        for g in Array::from(&groups).iter() {
            if !Array::is_array(&g) {
                return Err(bad());
            }
            sides.push(
                Array::from(&g)
                    .iter()
                    .map(|n| Self::node_arg("groups", &n))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(js_err)?,
            );
        }
        if sides.iter().all(Vec::is_empty) {
            return Err(bad());
        }
        self.act_now(Action::Partition(sides))
    }
    /// Cuts the link `from` → `to` (both ways with `both`).
    pub fn cut(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] to: JsValue,
        both: Option<bool>,
    ) -> Result<(), JsError> {
        let (from, to) = (
            Self::node_arg("from", &from).map_err(js_err)?,
            Self::node_arg("to", &to).map_err(js_err)?,
        );
        self.act_now(Action::Cut {
            from,
            to,
            both: both.unwrap_or(false),
        })
    }
    /// Restores the link `from` → `to` (both ways with `both`).
    pub fn restore(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeRef")] to: JsValue,
        both: Option<bool>,
    ) -> Result<(), JsError> {
        let (from, to) = (
            Self::node_arg("from", &from).map_err(js_err)?,
            Self::node_arg("to", &to).map_err(js_err)?,
        );
        self.act_now(Action::Restore {
            from,
            to,
            both: both.unwrap_or(false),
        })
    }
    /// Changes the network now: `{latencyMin, latencyMax, loss}` (ms, and a
    /// probability), any subset; also `latency: '5ms..10ms'`.
    pub fn network(
        &mut self,
        #[wasm_bindgen(
            unchecked_param_type = "{ latencyMin?: Duration; latencyMax?: Duration; latency?: string; loss?: number }"
        )]
        settings: JsValue,
    ) -> Result<(), JsError> {
        let pairs = config_pairs(
            &settings,
            "settings",
            "{latencyMin: 2, latencyMax: 8, loss: 0.1}",
        )
        .map_err(js_err)?;
        if pairs.is_empty() {
            return Err(js_err(Error::new(
                "network",
                "expected latencyMin, latencyMax, latency or loss",
            )));
        }
        let mut change = NetworkChange::default();
        for (k, v) in &pairs {
            change.set(k, v).map_err(js_err)?;
        }
        self.act_now(Action::Network(change))
    }
}

/// The action object `act` and `applyAt` take, read as (key, value) pairs
/// and checked field by field (see [`script::fields`]): its fields and the action.
fn action_arg(v: &JsValue) -> Result<(script::fields::Fields, Action), Error> {
    if !v.is_object() || Array::is_array(v) {
        return Err(Error::new(
            "act",
            format!(
                "must be an object like {{do: 'crash', node: 3}}, got {}",
                describe(v)
            ),
        ));
    }
    let fields = object::action_fields(v);
    let action = action_from_fields(&fields)?;
    Ok((fields, action))
}

/// An error from carrying out an action object, named as a field of that
/// object (`act.via`) when it is one: the caller wrote `via`, not a bare `via`.
fn in_object(mut e: Error, fields: &script::fields::Fields) -> Error {
    if e.field != "do" && fields.iter().any(|(k, _)| *k == e.field) {
        e.field = format!("act.{}", e.field);
    }
    e
}

/// An action as the object `act` takes back.
fn action_object(a: &Action) -> JsValue {
    object::object(&action_to_fields(a))
}
