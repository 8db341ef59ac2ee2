//! The one representation of what a user, a script or a fault schedule does
//! to a running cluster: [`Action`]. Scripts, the CLI, chaos schedules, the
//! page (`sim.act({do: "crash", node: 3})`), share links and `toScript()` all
//! hold this type; text is only its printed form.
//!
//! `Display` prints the exact script line and [`parse_action`] (or
//! `str::parse`) reads it back: every value round-trips, floats bit for bit
//! (shortest round-trip text), durations in whole microseconds (`1234us`
//! prints as `1.234ms`).

use crate::cluster::Value;
use crate::error::Error;
use crate::num::{fmt_f64_exact, parse_f64};
use crate::protocol::{Micros, NodeId};
use crate::sim::client::Workload;
use crate::sim::network::NetworkConfig;
use crate::sim::workload::check_key;
use crate::time::{format_duration, ms_to_micros, parse_duration};
use std::fmt;
use std::str::FromStr;

/// A node as an action names it: by id, or `leader`, the one live leader
/// when the action is applied ([`crate::cluster::Cluster::resolve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeRef {
    Id(NodeId),
    Leader,
}

impl NodeRef {
    /// Reads `3`, `S3` or `leader`. Whether the node exists is checked when
    /// the action runs.
    pub fn parse(field: &str, text: &str) -> Result<NodeRef, Error> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("leader") {
            return Ok(NodeRef::Leader);
        }
        let digits = t.strip_prefix(['S', 's']).unwrap_or(t);
        match digits.parse::<NodeId>() {
            Ok(id) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(NodeRef::Id(id)),
            _ => Err(Error::new(
                field,
                format!("must be a node id (3 or S3) or `leader`, got `{t}`"),
            )),
        }
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Id(id) => write!(f, "{id}"),
            NodeRef::Leader => f.write_str("leader"),
        }
    }
}

/// Which heartbeats `drop-beats` drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeRef {
    All,
    From(NodeRef),
    To(NodeRef),
    /// One way: beats from the first to the second.
    Link(NodeRef, NodeRef),
}

/// What `network` changes; None keeps the setting in force.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NetworkChange {
    pub latency_min: Option<Micros>,
    pub latency_max: Option<Micros>,
    pub loss: Option<f64>,
}

impl NetworkChange {
    /// The network `current` with this change made, checked as a whole.
    pub fn apply_to(&self, current: &NetworkConfig) -> Result<NetworkConfig, Error> {
        let mut next = current.clone();
        next.latency_min = self.latency_min.unwrap_or(next.latency_min);
        next.latency_max = self.latency_max.unwrap_or(next.latency_max);
        next.loss = self.loss.unwrap_or(next.loss);
        next.validate()?;
        Ok(next)
    }

    /// Checks a loss on its own (a probability), wherever it was read.
    pub fn check_loss(field: &str, p: f64) -> Result<f64, Error> {
        if p.is_finite() && (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(Error::new(
                field,
                format!(
                    "must be a probability between 0 and 1, got {}",
                    fmt_f64_exact(p)
                ),
            ))
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Crash(NodeRef),
    Restart(NodeRef),
    Timeout(NodeRef),
    Isolate(NodeRef),
    /// A stop-the-world stall of a node for a span.
    Pause {
        node: NodeRef,
        span: Micros,
    },
    /// Sides of the network; nodes not listed form one more side together.
    Partition(Vec<Vec<NodeRef>>),
    Heal,
    Cut {
        from: NodeRef,
        to: NodeRef,
        both: bool,
    },
    Restore {
        from: NodeRef,
        to: NodeRef,
        both: bool,
    },
    /// Drop heartbeats: the next `count` rounds, or until allowed again.
    DropBeats {
        scope: ScopeRef,
        count: Option<u32>,
    },
    /// Remove one drop rule, or all of them.
    AllowBeats(Option<u32>),
    DropMessage(u64),
    Network(NetworkChange),
    /// Crash the leader every `.0` and restart it `.1` later; None stops.
    PeriodicCrash(Option<(Micros, Micros)>),
    /// RaftScope's timer keys: two election clocks run out together, or
    /// none runs out within a vote's delivery of another.
    AlignTimers,
    SpreadTimers,
    /// A client writes a key: a new version with a new value.
    Write {
        key: String,
        via: NodeRef,
    },
    /// A client deletes a key.
    Delete {
        key: String,
        via: NodeRef,
    },
    /// A client writing random keys at a rate; None stops it.
    Workload(Option<Workload>),
}

/// Every action's two names, in the order docs and errors list them: the
/// script's (`drop-beats`) and the `do` of its JavaScript object (`dropBeats`).
pub const ACTION_NAMES: &[(&str, &str)] = &[
    ("crash", "crash"),
    ("restart", "restart"),
    ("timeout", "timeout"),
    ("isolate", "isolate"),
    ("pause", "pause"),
    ("partition", "partition"),
    ("heal", "heal"),
    ("cut", "cut"),
    ("restore", "restore"),
    ("drop-beats", "dropBeats"),
    ("allow-beats", "allowBeats"),
    ("drop-message", "dropMessage"),
    ("network", "network"),
    ("periodic-crash", "periodicCrash"),
    ("align-timers", "alignTimers"),
    ("spread-timers", "spreadTimers"),
    ("write", "write"),
    ("delete", "delete"),
    ("workload", "workload"),
];

pub(crate) const NOT_AN_ACTION: &str =
    "must be an action (crash, restart, timeout, isolate, pause, partition, heal, cut, restore, drop-beats, allow-beats, drop-message, network, periodic-crash, align-timers, spread-timers, write, delete, workload)";

impl Action {
    /// The script name: `drop-beats`, `crash`, ...
    pub fn name(&self) -> &'static str {
        match self {
            Action::Crash(_) => "crash",
            Action::Restart(_) => "restart",
            Action::Timeout(_) => "timeout",
            Action::Isolate(_) => "isolate",
            Action::Pause { .. } => "pause",
            Action::Partition(_) => "partition",
            Action::Heal => "heal",
            Action::Cut { .. } => "cut",
            Action::Restore { .. } => "restore",
            Action::DropBeats { .. } => "drop-beats",
            Action::AllowBeats(_) => "allow-beats",
            Action::DropMessage(_) => "drop-message",
            Action::Network(_) => "network",
            Action::PeriodicCrash(_) => "periodic-crash",
            Action::AlignTimers => "align-timers",
            Action::SpreadTimers => "spread-timers",
            Action::Write { .. } => "write",
            Action::Delete { .. } => "delete",
            Action::Workload(_) => "workload",
        }
    }

    /// The `do` name of the action's JavaScript object: `dropBeats`, `crash`, ...
    pub fn do_name(&self) -> &'static str {
        let name = self.name();
        ACTION_NAMES
            .iter()
            .find(|(script, _)| *script == name)
            .map_or(name, |(_, js)| js)
    }

    /// The same action with every node reference passed through `f` (with
    /// the field that names it: node, groups, from, to): how `leader` is
    /// pinned to a node id when the action runs.
    pub fn map_nodes(
        &self,
        mut f: impl FnMut(&'static str, NodeRef) -> Result<NodeRef, Error>,
    ) -> Result<Action, Error> {
        Ok(match self {
            Action::Crash(n) => Action::Crash(f("node", *n)?),
            Action::Restart(n) => Action::Restart(f("node", *n)?),
            Action::Timeout(n) => Action::Timeout(f("node", *n)?),
            Action::Isolate(n) => Action::Isolate(f("node", *n)?),
            Action::Pause { node, span } => Action::Pause {
                node: f("node", *node)?,
                span: *span,
            },
            Action::Partition(groups) => Action::Partition(
                groups
                    .iter()
                    .map(|g| g.iter().map(|n| f("groups", *n)).collect())
                    .collect::<Result<_, _>>()?,
            ),
            Action::Cut { from, to, both } => Action::Cut {
                from: f("from", *from)?,
                to: f("to", *to)?,
                both: *both,
            },
            Action::Restore { from, to, both } => Action::Restore {
                from: f("from", *from)?,
                to: f("to", *to)?,
                both: *both,
            },
            Action::DropBeats { scope, count } => {
                let scope = match scope {
                    ScopeRef::All => ScopeRef::All,
                    ScopeRef::From(n) => ScopeRef::From(f("from", *n)?),
                    ScopeRef::To(n) => ScopeRef::To(f("to", *n)?),
                    ScopeRef::Link(a, b) => ScopeRef::Link(f("from", *a)?, f("to", *b)?),
                };
                Action::DropBeats {
                    scope,
                    count: *count,
                }
            }
            Action::Write { key, via } => Action::Write {
                key: key.clone(),
                via: f("via", *via)?,
            },
            Action::Delete { key, via } => Action::Delete {
                key: key.clone(),
                via: f("via", *via)?,
            },
            other => other.clone(),
        })
    }
}

fn link(from: &NodeRef, to: &NodeRef, both: bool) -> String {
    format!("{from}{}{to}", if both { "<->" } else { "->" })
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            Action::Crash(n) | Action::Restart(n) | Action::Timeout(n) | Action::Isolate(n) => {
                write!(f, "{name} {n}")
            }
            Action::Pause { node, span } => {
                write!(f, "{name} {node} for={}", format_duration(*span))
            }
            Action::Partition(groups) => {
                let sides: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(NodeRef::to_string)
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect();
                write!(f, "{name} {}", sides.join(" | "))
            }
            Action::Heal | Action::AlignTimers | Action::SpreadTimers => f.write_str(name),
            Action::Cut { from, to, both } | Action::Restore { from, to, both } => {
                write!(f, "{name} {}", link(from, to, *both))
            }
            Action::DropBeats { scope, count } => {
                match scope {
                    ScopeRef::All => write!(f, "{name} all")?,
                    ScopeRef::From(n) => write!(f, "{name} from={n}")?,
                    ScopeRef::To(n) => write!(f, "{name} to={n}")?,
                    ScopeRef::Link(a, b) => write!(f, "{name} link={}", link(a, b, false))?,
                }
                match count {
                    Some(c) => write!(f, " count={c}"),
                    None => Ok(()),
                }
            }
            Action::AllowBeats(None) => f.write_str(name),
            Action::AllowBeats(Some(r)) => write!(f, "{name} rule={r}"),
            Action::DropMessage(id) => write!(f, "{name} {id}"),
            Action::Network(c) => {
                f.write_str(name)?;
                match (c.latency_min, c.latency_max) {
                    (Some(a), Some(b)) => {
                        write!(f, " latency={}..{}", format_duration(a), format_duration(b))?
                    }
                    (Some(a), None) => write!(f, " latencyMin={}", format_duration(a))?,
                    (None, Some(b)) => write!(f, " latencyMax={}", format_duration(b))?,
                    (None, None) => {}
                }
                match c.loss {
                    Some(p) => write!(f, " loss={}", fmt_f64_exact(p)),
                    None => Ok(()),
                }
            }
            Action::Write { key, via } | Action::Delete { key, via } => match via {
                NodeRef::Leader => write!(f, "{name} {key}"),
                NodeRef::Id(_) => write!(f, "{name} {key} via={via}"),
            },
            Action::Workload(None) => write!(f, "{name} off"),
            Action::Workload(Some(w)) => {
                write!(f, "{name} rate={}/s keys={}", fmt_f64_exact(w.rate), w.keys)?;
                if !w.via_leader {
                    f.write_str(" via=any")?;
                }
                if w.delete > 0.0 {
                    write!(f, " delete={}", fmt_f64_exact(w.delete))?;
                }
                Ok(())
            }
            Action::PeriodicCrash(None) => write!(f, "{name} off"),
            Action::PeriodicCrash(Some((every, down))) => write!(
                f,
                "{name} every={} down={}",
                format_duration(*every),
                format_duration(*down)
            ),
        }
    }
}

/// Parses one action line (`crash 3`, `drop-beats from=1`, ...): what the
/// page, URLs and fault schedules hold. `cluster`, `run`, `expect` and
/// `pause` are refused. Errors name the field `command`.
pub fn parse_action(text: &str) -> Result<Action, Error> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.split_first() {
        // `pause` alone is a tour's stop; with a node it is a stall.
        Some((&("cluster" | "run" | "expect"), _)) | Some((&"pause", [])) | None => {
            Err(Error::new("command", NOT_AN_ACTION))
        }
        Some((&cmd, args)) => parse_words(cmd, args).map_err(|rule| Error::new("command", rule)),
    }
}

impl FromStr for Action {
    type Err = Error;
    fn from_str(s: &str) -> Result<Action, Error> {
        if s.contains('\n') {
            return Err(Error::new("command", "must be one line"));
        }
        parse_action(s)
    }
}

/// Splits `key=value` words; other words are returned as positional.
pub(crate) fn split_words(words: &[&str]) -> (Vec<(String, String)>, Vec<String>) {
    let mut kv = Vec::new();
    let mut pos = Vec::new();
    for w in words {
        match w.split_once('=') {
            Some((k, v))
                if !k.is_empty() && !k.ends_with(['!', '<', '>', '=']) && !v.starts_with('=') =>
            {
                kv.push((k.to_string(), v.to_string()))
            }
            _ => pos.push(w.to_string()),
        }
    }
    (kv, pos)
}

fn parse_link(cmd: &str, s: &str) -> Result<(NodeRef, NodeRef, bool), String> {
    let (a, b, both) = if let Some((a, b)) = s.split_once("<->") {
        (a, b, true)
    } else if let Some((a, b)) = s.split_once("->") {
        (a, b, false)
    } else {
        return Err(format!(
            "{cmd}: expected a link like 1->2 (one way) or 1<->2 (both ways), got `{s}`"
        ));
    };
    let node = |field: &str, t: &str| NodeRef::parse(field, t).map_err(|e| format!("{cmd}: {e}"));
    Ok((node("from", a)?, node("to", b)?, both))
}

/// Parses an action from its name and its words; the error is the rule,
/// prefixed with the action's name (the caller names the field or line).
pub(crate) fn parse_words(cmd: &str, args: &[&str]) -> Result<Action, String> {
    let one_node = |args: &[&str]| -> Result<NodeRef, String> {
        match args {
            [n] => NodeRef::parse("node", n).map_err(|e| format!("{cmd}: {e}")),
            _ => Err(format!(
                "{cmd}: expected one node (3, S3 or leader), got `{}`",
                args.join(" ")
            )),
        }
    };
    let nothing = |args: &[&str]| {
        if args.is_empty() {
            Ok(())
        } else {
            Err(format!("{cmd}: takes no arguments"))
        }
    };
    Ok(match cmd {
        "crash" => Action::Crash(one_node(args)?),
        "restart" => Action::Restart(one_node(args)?),
        "timeout" => Action::Timeout(one_node(args)?),
        "isolate" => Action::Isolate(one_node(args)?),
        "pause" => {
            let usage = "pause: alone it is a tour's stop (its caption is the comment above it); with a node it is a stall: pause NODE for=DURATION, e.g. pause S2 for=5s";
            let (kv, pos) = split_words(args);
            let ([n], [(k, v)]) = (pos.as_slice(), kv.as_slice()) else {
                return Err(usage.to_string());
            };
            if k != "for" {
                return Err(format!("pause: unknown setting `{k}` (it takes for=)"));
            }
            let node = NodeRef::parse("node", n).map_err(|e| format!("pause: {e}"))?;
            let span = parse_duration("for", v).map_err(|e| format!("pause: {e}"))?;
            Action::Pause { node, span }
        }
        "heal" => {
            nothing(args)?;
            Action::Heal
        }
        "align-timers" => {
            nothing(args)?;
            Action::AlignTimers
        }
        "spread-timers" => {
            nothing(args)?;
            Action::SpreadTimers
        }
        "partition" => {
            let joined = args.join(" ");
            let groups = joined
                .split('|')
                .map(|g| {
                    g.split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(|n| NodeRef::parse("groups", n).map_err(|e| format!("partition: {e}")))
                        .collect()
                })
                .collect::<Result<Vec<Vec<NodeRef>>, String>>()?;
            if groups.iter().all(Vec::is_empty) {
                return Err("partition: expected groups like 1,2 | 3,4,5".to_string());
            }
            Action::Partition(groups)
        }
        "cut" | "restore" => {
            let [l] = args else {
                return Err(format!("{cmd}: expected one link like 1->2 or 1<->2"));
            };
            let (from, to, both) = parse_link(cmd, l)?;
            if cmd == "cut" {
                Action::Cut { from, to, both }
            } else {
                Action::Restore { from, to, both }
            }
        }
        "drop-beats" => {
            let (kv, pos) = split_words(args);
            let mut scope = None;
            let mut count = None;
            for p in pos {
                if p == "all" {
                    scope = Some(ScopeRef::All);
                } else {
                    return Err(format!(
                        "drop-beats: expected all, from=NODE, to=NODE or link=A->B, got `{p}`"
                    ));
                }
            }
            let node = |field: &str, v: &str| {
                NodeRef::parse(field, v).map_err(|e| format!("drop-beats: {e}"))
            };
            for (k, v) in kv {
                match k.as_str() {
                    "from" => scope = Some(ScopeRef::From(node("from", &v)?)),
                    "to" => scope = Some(ScopeRef::To(node("to", &v)?)),
                    "link" => {
                        let (a, b, both) = parse_link("drop-beats", &v)?;
                        if both {
                            return Err("drop-beats: link= is one way (A->B)".to_string());
                        }
                        scope = Some(ScopeRef::Link(a, b));
                    }
                    "count" => {
                        count = Some(
                            v.parse::<u32>()
                                .ok()
                                .filter(|&c| c > 0)
                                .ok_or_else(|| format!("drop-beats: count must be a whole number of heartbeat rounds, at least 1, got `{v}`"))?,
                        )
                    }
                    other => return Err(format!("drop-beats: unknown setting `{other}`")),
                }
            }
            let scope = scope.ok_or("drop-beats: expected all, from=NODE, to=NODE or link=A->B")?;
            Action::DropBeats { scope, count }
        }
        "allow-beats" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(format!(
                    "allow-beats: expected nothing or rule=N, got `{p}`"
                ));
            }
            match kv.as_slice() {
                [] => Action::AllowBeats(None),
                [(k, v)] if k == "rule" => {
                    Action::AllowBeats(Some(v.parse().map_err(|_| {
                        format!("allow-beats: rule must be a rule number, got `{v}`")
                    })?))
                }
                _ => {
                    return Err(
                        "allow-beats: expected nothing (remove every rule) or rule=N".to_string(),
                    )
                }
            }
        }
        "drop-message" => match args {
            [id] => Action::DropMessage(
                id.trim_start_matches('#')
                    .parse()
                    .map_err(|_| format!("drop-message: expected a message id, got `{id}`"))?,
            ),
            _ => return Err("drop-message: expected one message id".to_string()),
        },
        "network" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(format!("network: expected key=value settings, got `{p}`"));
            }
            if kv.is_empty() {
                return Err("network: expected latency=.. and/or loss=..".to_string());
            }
            let mut change = NetworkChange::default();
            for (k, v) in kv {
                network_setting(&mut change, &k, &v).map_err(|e| format!("network: {e}"))?;
            }
            Action::Network(change)
        }
        "periodic-crash" => {
            let usage = "periodic-crash: expected every=DURATION [down=DURATION] (down: half of every unless given), or off";
            if args == ["off"] {
                Action::PeriodicCrash(None)
            } else {
                let (kv, pos) = split_words(args);
                if !pos.is_empty() || kv.is_empty() {
                    return Err(usage.to_string());
                }
                let (mut every, mut down) = (None, None);
                for (k, v) in kv {
                    let slot = match k.as_str() {
                        "every" => &mut every,
                        "down" => &mut down,
                        other => {
                            return Err(format!(
                            "periodic-crash: unknown setting `{other}` (it takes every= and down=)"
                        ))
                        }
                    };
                    *slot =
                        Some(parse_duration(&k, &v).map_err(|e| format!("periodic-crash: {e}"))?);
                }
                let every = every.ok_or(usage)?;
                Action::PeriodicCrash(Some((every, down.unwrap_or(every / 2))))
            }
        }
        "write" | "delete" => {
            let (kv, pos) = split_words(args);
            let [key] = pos.as_slice() else {
                return Err(format!(
                    "{cmd}: expected one key, then via=NODE if not the leader"
                ));
            };
            check_key("key", key).map_err(|e| format!("{cmd}: {e}"))?;
            let mut via = NodeRef::Leader;
            for (k, v) in kv {
                match k.as_str() {
                    "via" => via = NodeRef::parse("via", &v).map_err(|e| format!("{cmd}: {e}"))?,
                    other => {
                        return Err(format!("{cmd}: unknown setting `{other}` (it takes via=)"))
                    }
                }
            }
            let key = key.clone();
            if cmd == "write" {
                Action::Write { key, via }
            } else {
                Action::Delete { key, via }
            }
        }
        "workload" => {
            if args == ["off"] {
                Action::Workload(None)
            } else {
                Action::Workload(Some(parse_workload(args)?))
            }
        }
        other => {
            return Err(format!(
                "unknown command `{other}`; expected one of {}",
                super::USAGE
            ))
        }
    })
}

fn parse_workload(args: &[&str]) -> Result<Workload, String> {
    let usage = "workload: expected rate=R/s keys=N [via=leader|any] [delete=P], or off";
    let (kv, pos) = split_words(args);
    if !pos.is_empty() {
        return Err(usage.to_string());
    }
    let (mut rate, mut keys) = (None, None);
    let mut w = Workload {
        rate: 0.0,
        keys: 0,
        via_leader: true,
        delete: 0.0,
    };
    let number = |field: &str, v: &str| {
        parse_f64(v)
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("workload: {field} must be a number, got `{v}`"))
    };
    for (k, v) in kv {
        match k.as_str() {
            "rate" => rate = Some(number("rate", v.strip_suffix("/s").unwrap_or(&v))?),
            "keys" => {
                keys = Some(v.parse::<u32>().map_err(|_| {
                    format!("workload: keys must be a whole number of keys, got `{v}`")
                })?)
            }
            "via" => {
                w.via_leader = match v.as_str() {
                    "leader" => true,
                    "any" => false,
                    _ => return Err(format!("workload: via must be leader or any, got `{v}`")),
                }
            }
            "delete" => w.delete = number("delete", &v)?,
            other => {
                return Err(format!(
                    "workload: unknown setting `{other}` (it takes rate, keys, via and delete)"
                ))
            }
        }
    }
    w.rate = rate.ok_or(usage)?;
    w.keys = keys.ok_or(usage)?;
    w.validate().map_err(|e| format!("workload: {e}"))?;
    Ok(w)
}

/// One `key=value` of `network`, by the config's names (latency, latencyMin,
/// latency-min, network.loss, ...); a later key overrides an earlier one.
fn network_setting(change: &mut NetworkChange, key: &str, value: &str) -> Result<(), Error> {
    change.set(key, &Value::Text(value.to_string()))
}

impl NetworkChange {
    /// Sets one setting by the config's names (latency, latencyMin,
    /// latency-min, network.loss, ...) from text (durations with a unit) or
    /// a JS value (durations in ms, the loss as a number).
    pub fn set(&mut self, key: &str, value: &Value) -> Result<(), Error> {
        let canon = crate::cluster::canonical_key(key).filter(|c| c.starts_with("network."));
        let duration = |v: &Value| match v {
            Value::Text(t) => parse_duration(key, t),
            Value::Number(ms) => ms_to_micros(key, *ms),
            Value::Bool(b) => Err(Error::new(key, format!("must be a duration, got {b}"))),
        };
        match canon {
            Some("network.latency") => {
                let (a, b) = match value {
                    Value::Text(t) if t.contains("..") => {
                        let (a, b) = t.split_once("..").unwrap_or_default();
                        (parse_duration(key, a)?, parse_duration(key, b)?)
                    }
                    other => {
                        let d = duration(other)?;
                        (d, d)
                    }
                };
                self.latency_min = Some(a);
                self.latency_max = Some(b);
            }
            Some("network.latencyMin") => self.latency_min = Some(duration(value)?),
            Some("network.latencyMax") => self.latency_max = Some(duration(value)?),
            Some(_) => {
                let p = match value {
                    Value::Text(t) => parse_f64(t).ok_or_else(|| {
                        Error::new(
                            "network.loss",
                            format!("must be a number between 0 and 1, got `{t}`"),
                        )
                    })?,
                    Value::Number(p) => *p,
                    Value::Bool(b) => {
                        return Err(Error::new(
                            "network.loss",
                            format!("must be a number between 0 and 1, got {b}"),
                        ))
                    }
                };
                self.loss = Some(NetworkChange::check_loss("network.loss", p)?);
            }
            None => {
                return Err(Error::new(
                    key,
                    "network takes latency=, latencyMin=, latencyMax= and loss= only",
                ))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_prints_as_the_line_that_reads_back_as_it() {
        for line in [
            "crash 3",
            "restart leader",
            "timeout 1",
            "isolate leader",
            "partition 1,2 | 3,4,5",
            "heal",
            "cut 1->2",
            "restore 2<->leader",
            "drop-beats all count=2",
            "drop-beats from=leader",
            "drop-beats to=4 count=1",
            "drop-beats link=1->2",
            "allow-beats",
            "allow-beats rule=3",
            "drop-message 17",
            "network latency=1.234ms..40ms loss=0.1234567",
            "network latencyMin=1234us",
            "network loss=1e-9",
            "periodic-crash every=5s down=1.5s",
            "periodic-crash off",
            "align-timers",
            "spread-timers",
        ] {
            let a: Action = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            let printed = a.to_string();
            assert_eq!(printed.parse::<Action>().unwrap(), a, "{line} -> {printed}");
        }
        assert_eq!(
            "network latencyMin=1234us"
                .parse::<Action>()
                .unwrap()
                .to_string(),
            "network latencyMin=1.234ms"
        );
        assert_eq!(
            "drop-beats from=S3 count=2"
                .parse::<Action>()
                .unwrap()
                .to_string(),
            "drop-beats from=3 count=2"
        );
        assert_eq!(
            "periodic-crash every=4s"
                .parse::<Action>()
                .unwrap()
                .to_string(),
            "periodic-crash every=4s down=2s"
        );
    }

    #[test]
    fn bad_lines_name_the_action_and_the_rule() {
        for (line, rule) in [
            ("crash", "crash: expected one node"),
            ("crash S", "crash: node: must be a node id"),
            ("partition a,b", "partition: groups: must be a node id"),
            ("cut 1-2", "expected a link like 1->2"),
            (
                "network loss=2",
                "network: network.loss: must be a probability between 0 and 1, got 2",
            ),
            (
                "network loss=x",
                "network: network.loss: must be a number between 0 and 1",
            ),
            (
                "network jitter=1ms",
                "network: jitter: network takes latency=",
            ),
            ("network latency=5", "network: latency: needs a unit"),
            ("run for=1s", "must be an action"),
            ("fly", "unknown command `fly`"),
        ] {
            let e = parse_action(line).unwrap_err();
            assert_eq!(e.field, "command", "{line}");
            assert!(e.rule.contains(rule), "{line}: {e}");
        }
    }
}
