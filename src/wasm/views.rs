//! The shapes JavaScript sees of the core's state (nodes, messages, rules,
//! settings, findings), built from the core's types and carried across the
//! boundary by serde-wasm-bindgen. They live here, not as derives on the
//! core's types, so the core stays free of the page's naming (camelCase, ms).

use crate::cluster::{ClusterConfig, MessageView, Model, NodeView};
use crate::protocol::data::{Datum, Key};
use crate::protocol::raft;
use crate::protocol::{Micros, WireSize};
use crate::sim::client::{History, Op};
use crate::sim::monitor::{Finding, ViolationKind};
use crate::sim::network::{BeatRule, BeatScope, NetworkConfig};
use crate::sim::PeriodicCrash;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Maps as plain objects, `None` as null, integers as numbers (an
/// integer past 2^53 is an error, not a silent rounding).
const SERIALIZER: serde_wasm_bindgen::Serializer =
    serde_wasm_bindgen::Serializer::json_compatible();

/// `value` as a JS value; `what` names the call in the (never expected)
/// error. Serde's own message is left out: formatting it costs the lab's
/// wasm more than it would ever tell.
pub fn to_js<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<JsValue, JsError> {
    value.serialize(&SERIALIZER).map_err(|_| {
        JsError::new(&format!(
            "{what}: internal error: a value JavaScript cannot hold"
        ))
    })
}

/// A list as a JS array, one element at a time (cheaper in code than
/// serde's sequence serializer, once per element type).
pub fn to_js_list<T: Serialize>(
    what: &str,
    items: impl IntoIterator<Item = T>,
) -> Result<JsValue, JsError> {
    let out = js_sys::Array::new();
    for item in items {
        out.push(&to_js(what, &item)?);
    }
    Ok(out.into())
}

pub fn ms(us: Micros) -> f64 {
    us as f64 / 1000.0
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeJs {
    id: u32,
    role: &'static str,
    term: f64,
    vote_for: Option<u32>,
    leader: Option<u32>,
    alive: bool,
    leader_due_ms: Option<f64>,
    heartbeat_due_ms: Option<f64>,
}

impl From<&NodeView> for NodeJs {
    fn from(v: &NodeView) -> Self {
        NodeJs {
            id: v.id,
            role: v.role.as_str(),
            term: v.term as f64,
            vote_for: v.vote_for,
            leader: v.leader,
            alive: v.alive,
            leader_due_ms: v.countdowns.leader_due.map(ms),
            heartbeat_due_ms: v.countdowns.heartbeat_due.map(ms),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageJs {
    id: f64,
    kind: &'static str,
    from: u32,
    to: u32,
    sent_ms: f64,
    due_ms: f64,
    term: Option<f64>,
    granted: Option<bool>,
    /// Keys a beat lists, datums a pull reply carries; 0 for the others.
    entries: u32,
    /// Bytes on the wire (gzipped where the sender compresses), where the
    /// model sizes the message (a Nacos beat, pull or pull reply); else null.
    bytes: Option<u32>,
}

impl MessageJs {
    /// A message view with what it carries: `entries` and `size`.
    pub fn new(m: &MessageView, entries: u32, size: Option<WireSize>) -> Self {
        MessageJs {
            id: m.id as f64,
            kind: m.kind.as_str(),
            from: m.from,
            to: m.to,
            sent_ms: ms(m.sent),
            due_ms: ms(m.due),
            term: m.term.map(|t| t as f64),
            granted: m.granted,
            entries,
            bytes: size.map(|s| s.gzip),
        }
    }
}

/// One stored datum: its key, version and token (the id of the client
/// write that put it there).
#[derive(Serialize)]
pub struct DatumJs<'a> {
    key: &'a str,
    version: f64,
    token: f64,
}

impl<'a> From<(&'a Key, &'a Datum)> for DatumJs<'a> {
    fn from((key, d): (&'a Key, &'a Datum)) -> Self {
        DatumJs {
            key,
            version: d.version as f64,
            token: d.token as f64,
        }
    }
}

/// The client's side of the run: how its operations ended, the workload
/// in force (or null) and its most recent completed operations, oldest first.
#[derive(Serialize)]
pub struct ClientJs {
    counts: CountsJs,
    workload: Option<WorkloadJs>,
    recent: Vec<OpJs>,
}

#[derive(Serialize)]
pub struct CountsJs {
    invoked: f64,
    ok: f64,
    failed: f64,
}

#[derive(Serialize)]
pub struct WorkloadJs {
    rate: f64,
    keys: u32,
    /// "leader" or "any".
    via: &'static str,
    delete: f64,
}

/// One client operation: `outcome` "ok", "failed" or "pending"; `reason`
/// the failure's name (no-leader, unreachable, no-majority, not-leader,
/// connection-lost, no-data) and `reasonText` what the client was told.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpJs {
    op: f64,
    kind: &'static str,
    key: String,
    via: Option<u32>,
    invoked_ms: f64,
    outcome: &'static str,
    reason: Option<&'static str>,
    reason_text: Option<&'static str>,
    done_ms: Option<f64>,
}

impl From<&Op> for OpJs {
    fn from(op: &Op) -> Self {
        let failure = match op.done {
            Some((Err(f), _)) => Some(f),
            _ => None,
        };
        OpJs {
            op: op.id as f64,
            kind: op.kind.as_str(),
            key: op.key.to_string(),
            via: op.via,
            invoked_ms: ms(op.invoked),
            outcome: op.outcome_str(),
            reason: failure.map(|f| f.as_str()),
            reason_text: failure.map(|f| f.describe()),
            done_ms: op.done.map(|(_, t)| ms(t)),
        }
    }
}

impl ClientJs {
    /// The history's counts and workload, and its last `recent` completed ops.
    pub fn new(h: &History, recent: usize) -> Self {
        let c = h.counts();
        let all = h.recent().count();
        ClientJs {
            counts: CountsJs {
                invoked: c.invoked as f64,
                ok: c.ok as f64,
                failed: c.failed as f64,
            },
            workload: h.workload().map(|w| WorkloadJs {
                rate: w.rate,
                keys: w.keys,
                via: if w.via_leader { "leader" } else { "any" },
                delete: w.delete,
            }),
            recent: h
                .recent()
                .skip(all.saturating_sub(recent))
                .map(OpJs::from)
                .collect(),
        }
    }
}

/// A heartbeat-drop rule: scope "all", "from", "to" or "link"; from/to
/// are node ids or null; remaining is the rounds left, or null for "until removed".
#[derive(Serialize)]
pub struct RuleJs {
    id: u32,
    text: String,
    remaining: Option<u32>,
    scope: &'static str,
    from: Option<u32>,
    to: Option<u32>,
}

impl From<&BeatRule> for RuleJs {
    fn from(r: &BeatRule) -> Self {
        let (scope, from, to) = match r.scope {
            BeatScope::All => ("all", None, None),
            BeatScope::From(n) => ("from", Some(n), None),
            BeatScope::To(n) => ("to", None, Some(n)),
            BeatScope::Link(a, b) => ("link", Some(a), Some(b)),
        };
        RuleJs {
            id: r.id,
            text: r.describe(),
            remaining: r.remaining,
            scope,
            from,
            to,
        }
    }
}

/// Every setting in force, durations in ms. The model's own timings only:
/// the other model's are left out, not null.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsJs {
    model: &'static str,
    nodes: u32,
    seed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tick: Option<f64>,
    heartbeat: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    leader_timeout: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    leader_random: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    election_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    election_max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pre_vote: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    check_quorum: Option<bool>,
    /// The Nacos release modelled ("1.4").
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_beat_only: Option<bool>,
    latency_min: f64,
    latency_max: f64,
    loss: f64,
    /// `periodic-crash` in force, or null.
    periodic_crash: Option<PeriodicCrashJs>,
}

#[derive(Serialize)]
pub struct PeriodicCrashJs {
    every: f64,
    down: f64,
    since: f64,
}

impl SettingsJs {
    pub fn new(
        c: &ClusterConfig,
        seed: u64,
        net: &NetworkConfig,
        periodic: Option<PeriodicCrash>,
    ) -> Self {
        let mut s = SettingsJs {
            model: c.model.as_str(),
            nodes: c.nodes,
            seed: seed.to_string(),
            tick: None,
            heartbeat: 0.0,
            leader_timeout: None,
            leader_random: None,
            election_min: None,
            election_max: None,
            pre_vote: None,
            check_quorum: None,
            version: None,
            send_beat_only: None,
            latency_min: ms(net.latency_min),
            latency_max: ms(net.latency_max),
            loss: net.loss,
            periodic_crash: periodic.map(|p| PeriodicCrashJs {
                every: ms(p.every),
                down: ms(p.down),
                since: ms(p.since),
            }),
        };
        match c.model {
            Model::Nacos => {
                s.tick = Some(ms(c.nacos.tick));
                s.heartbeat = ms(c.nacos.heartbeat_interval);
                s.leader_timeout = Some(ms(c.nacos.leader_timeout));
                s.leader_random = Some(ms(c.nacos.leader_random));
                s.version = Some(c.nacos.version.to_string());
                s.send_beat_only = Some(c.nacos.send_beat_only);
            }
            Model::Raft => {
                s.heartbeat = ms(c.raft.heartbeat_interval);
                s.election_min = Some(ms(c.raft.election_min));
                s.election_max = Some(ms(c.raft.election_max));
                s.pre_vote = Some(c.raft.pre_vote);
                s.check_quorum = Some(c.raft.check_quorum);
            }
        }
        s
    }
}

/// A safety finding: when, what, who; `untilMs` when a two-leaders overlap
/// has ended; the two candidates of a double vote (`first`, `second`) or the
/// old and new term of a term decrease (`fromTerm`, `toTerm`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingJs {
    t_ms: f64,
    kind: &'static str,
    nodes: Vec<FindingNode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    second: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_term: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_term: Option<f64>,
    text: String,
}

#[derive(Serialize)]
pub struct FindingNode {
    node: u32,
    term: f64,
}

impl From<&Finding> for FindingJs {
    fn from(f: &Finding) -> Self {
        let (first, second) = match f.kind {
            ViolationKind::DoubleVote => (Some(f.detail.0 as f64), Some(f.detail.1 as f64)),
            _ => (None, None),
        };
        let (from_term, to_term) = match f.kind {
            ViolationKind::TermDecrease => (Some(f.detail.0 as f64), Some(f.detail.1 as f64)),
            _ => (None, None),
        };
        FindingJs {
            t_ms: ms(f.t),
            kind: f.kind.as_str(),
            nodes: f
                .nodes
                .iter()
                .map(|&(node, term)| FindingNode {
                    node,
                    term: term as f64,
                })
                .collect(),
            until_ms: f.until.map(ms),
            first,
            second,
            from_term,
            to_term,
            text: f.describe(),
        }
    }
}

/// A Raft node's log: where it starts (`base`, the last compacted index,
/// and its term), where it ends, how far it is committed and applied, the
/// last snapshot's index, and its newest entries, oldest first.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogJs<'a> {
    base: f64,
    base_term: f64,
    /// False when the base is the `logs` setting's start (entries the run
    /// never had), true when it is a snapshot's (or nothing was compacted).
    base_committed: bool,
    last: f64,
    last_term: f64,
    commit: f64,
    applied: f64,
    snapshot: f64,
    entries: Vec<EntryJs<'a>>,
}

/// One log entry: its index, term and client command (op id, "write" or "delete", key).
#[derive(Serialize)]
pub struct EntryJs<'a> {
    index: f64,
    term: f64,
    op: f64,
    kind: &'static str,
    key: &'a str,
}

impl<'a> LogJs<'a> {
    /// `node`'s log with its last `count` entries (fewer when it holds fewer).
    pub fn new(node: &'a raft::Node, count: usize) -> Self {
        let log = node.log();
        let (base, last) = (log.base(), log.last());
        let from = last
            .index
            .saturating_sub(count as u64)
            .saturating_add(1)
            .max(base.index + 1);
        LogJs {
            base: base.index as f64,
            base_term: base.term as f64,
            base_committed: log.base_committed(),
            last: last.index as f64,
            last_term: last.term as f64,
            commit: node.commit_index() as f64,
            applied: node.last_applied() as f64,
            snapshot: node.snapshot_pos().index as f64,
            entries: log
                .iter_from(from)
                .map(|(index, e)| EntryJs {
                    index: index as f64,
                    term: e.term as f64,
                    op: e.op as f64,
                    kind: e.kind.as_str(),
                    key: &e.key,
                })
                .collect(),
        }
    }
}
