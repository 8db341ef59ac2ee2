//! A simulation whose model is chosen at run time, and the one config format
//! shared by JavaScript, URLs, scenario scripts and the CLI.
//!
//! Keys are the same everywhere: `model`, `nodes`, `seed`, the timings
//! (`timings.tick`, `timings.heartbeat`, ... or just `heartbeat`), the network
//! (`network.latencyMin`, `network.latency` as a range, `network.loss`, or the
//! short forms) and the raft options. Errors name the field as
//! `timings.heartbeat`, `network.loss`, and so on.

use crate::error::Error;
use crate::protocol::data::{OpId, OpKind, Store};
use crate::protocol::{
    nacos, raft, Countdowns, Field, MessageInfo, MessageKind, Micros, NodeId, Protocol, Role,
};
use crate::script::NodeRef;
use crate::sim::client::Workload;
use crate::sim::network::NetworkConfig;
use crate::sim::trace::ClockSetBy;
use crate::sim::{rng, Engine, SimConfig, Simulation};
use crate::time::{format_duration, parse_duration, parse_duration_range};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Nacos,
    Raft,
}

impl Model {
    pub fn parse(s: &str) -> Result<Model, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nacos" => Ok(Model::Nacos),
            "raft" => Ok(Model::Raft),
            other => Err(Error::new(
                "model",
                format!("must be `nacos` or `raft`, got `{other}`"),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Nacos => nacos::Node::NAME,
            Model::Raft => raft::Node::NAME,
        }
    }
}

/// A config value as it arrives: text (scripts, URLs, CLI) or a JS value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    /// A number; durations given as numbers are milliseconds.
    Number(f64),
    Bool(bool),
}

impl Value {
    fn describe(&self) -> String {
        match self {
            Value::Text(s) => format!("`{s}`"),
            Value::Number(n) => crate::num::fmt_f64(*n),
            Value::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClusterConfig {
    pub model: Model,
    pub nodes: u32,
    /// None: pick one from the OS at start; the chosen seed is reported.
    pub seed: Option<u64>,
    pub nacos: nacos::Config,
    pub raft: raft::Config,
    pub network: NetworkConfig,
    /// See [`SimConfig::timer_jitter`].
    pub timer_jitter: Micros,
    /// See [`SimConfig::boot_spread`].
    pub boot_spread: Micros,
    /// See [`SimConfig::disk_write`] (raft only; (0, 0): no disk).
    pub disk_write: (Micros, Micros),
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            model: Model::Nacos,
            nodes: 5,
            seed: None,
            nacos: nacos::Config::default(),
            raft: raft::Config::default(),
            network: NetworkConfig::default(),
            timer_jitter: 0,
            boot_spread: 0,
            disk_write: (0, 0),
        }
    }
}

/// Every key a config accepts, canonical name first.
const KEYS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("nodes", &[]),
    ("seed", &[]),
    ("timings.tick", &["tick"]),
    ("timings.heartbeat", &["heartbeat"]),
    (
        "timings.leaderTimeout",
        &["leaderTimeout", "leader-timeout"],
    ),
    ("timings.leaderRandom", &["leaderRandom", "leader-random"]),
    ("version", &[]),
    ("sendBeatOnly", &["send-beat-only"]),
    ("beatRunTime", &["beat-run-time"]),
    ("beatPhase", &["beat-phase"]),
    ("connectTimeout", &["connect-timeout"]),
    ("readTimeout", &["read-timeout"]),
    ("timings.electionMin", &["electionMin", "election-min"]),
    ("timings.electionMax", &["electionMax", "election-max"]),
    ("timings.election", &["election"]),
    ("preVote", &["pre-vote", "prevote"]),
    ("checkQuorum", &["check-quorum"]),
    ("logs", &[]),
    ("network.latency", &["latency"]),
    ("network.latencyMin", &["latencyMin", "latency-min"]),
    ("network.latencyMax", &["latencyMax", "latency-max"]),
    ("network.loss", &["loss"]),
    ("timerJitter", &["timer-jitter"]),
    ("boot", &["bootSpread", "boot-spread"]),
    ("diskWrite", &["disk-write"]),
];

/// Every key a config accepts: its canonical name and its aliases (the CLI
/// makes its settings flags of them).
pub fn setting_keys() -> &'static [(&'static str, &'static [&'static str])] {
    KEYS
}

/// The canonical name of a config key, or None if it is not one.
pub fn canonical_key(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|(canon, aliases)| *canon == key || aliases.contains(&key))
        .map(|(c, _)| *c)
}

fn duration(field: &str, v: &Value) -> Result<Micros, Error> {
    match v {
        Value::Text(t) => parse_duration(field, t),
        Value::Number(ms) => crate::time::ms_to_micros(field, *ms),
        Value::Bool(_) => Err(Error::new(
            field,
            format!("must be a duration, got {}", v.describe()),
        )),
    }
}

fn integer(field: &str, v: &Value) -> Result<u64, Error> {
    let bad = || {
        Error::new(
            field,
            format!("must be a whole number, got {}", v.describe()),
        )
    };
    match v {
        Value::Text(t) => t.trim().parse::<u64>().map_err(|_| bad()),
        Value::Number(n)
            if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n <= 9.007_199_254_740_991e15 =>
        {
            Ok(*n as u64)
        }
        _ => Err(bad()),
    }
}

fn boolean(field: &str, v: &Value) -> Result<bool, Error> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Text(t) => match t.trim() {
            "true" | "on" | "yes" | "1" => Ok(true),
            "false" | "off" | "no" | "0" => Ok(false),
            _ => Err(Error::new(
                field,
                format!("must be true or false, got {}", v.describe()),
            )),
        },
        Value::Number(n) if *n == 0.0 || *n == 1.0 => Ok(*n == 1.0),
        Value::Number(_) => Err(Error::new(
            field,
            format!("must be true or false, got {}", v.describe()),
        )),
    }
}

/// A duration range `150ms..300ms` (or one duration for both ends).
fn range(field: &str, v: &Value) -> Result<(Micros, Micros), Error> {
    match v {
        Value::Text(t) => parse_duration_range(field, t),
        other => {
            let d = duration(field, other)?;
            Ok((d, d))
        }
    }
}

/// Abstract logs, one `index:term` per node in id order: `5:1,5:1,3:1`.
fn logs(field: &str, v: &Value) -> Result<Vec<raft::LogPos>, Error> {
    let Value::Text(t) = v else {
        return Err(Error::new(
            field,
            "must be text like 5:1,5:1,3:1 (index:term per node)",
        ));
    };
    t.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|p| {
            let (i, term) = p
                .trim()
                .split_once(':')
                .ok_or_else(|| Error::new(field, format!("expected index:term, got `{p}`")))?;
            let bad = || {
                Error::new(
                    field,
                    format!("expected whole numbers in index:term, got `{p}`"),
                )
            };
            Ok(raft::LogPos {
                index: i.parse().map_err(|_| bad())?,
                term: term.parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

fn probability(field: &str, v: &Value) -> Result<f64, Error> {
    let p = match v {
        Value::Text(t) => crate::num::parse_f64(t).ok_or(()).map_err(|_| {
            Error::new(
                field,
                format!("must be a number between 0 and 1, got {}", v.describe()),
            )
        })?,
        Value::Number(n) => *n,
        Value::Bool(_) => {
            return Err(Error::new(
                field,
                format!("must be a number between 0 and 1, got {}", v.describe()),
            ))
        }
    };
    crate::script::NetworkChange::check_loss(field, p)
}

impl ClusterConfig {
    /// Builds a config from key/value pairs (any order: the model is applied
    /// first, then the rest), then validates it.
    pub fn from_pairs(pairs: &[(String, Value)]) -> Result<ClusterConfig, Error> {
        let c = Self::from_pairs_unchecked(pairs)?;
        c.validate()?;
        Ok(c)
    }

    /// Like [`Self::from_pairs`] but checks each value's own rule only, not
    /// how the settings fit together.
    pub fn from_pairs_unchecked(pairs: &[(String, Value)]) -> Result<ClusterConfig, Error> {
        let mut c = ClusterConfig::default();
        let mut resolved = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let canon = canonical_key(k).ok_or_else(|| {
                Error::new(
                    k.as_str(),
                    format!(
                        "is not a setting; known: {}",
                        KEYS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            if resolved.iter().any(|(c, _)| *c == canon) {
                return Err(Error::new(canon, "is given twice"));
            }
            resolved.push((canon, v));
        }
        if let Some((_, v)) = resolved.iter().find(|(k, _)| *k == "model") {
            c.model = match v {
                Value::Text(t) => Model::parse(t)?,
                other => {
                    return Err(Error::new(
                        "model",
                        format!("must be a model name, got {}", other.describe()),
                    ))
                }
            };
        }
        for (k, v) in resolved {
            c.set(k, v)?;
        }
        Ok(c)
    }

    fn set(&mut self, key: &'static str, v: &Value) -> Result<(), Error> {
        let model = self.model;
        let only = |m: Model| -> Result<(), Error> {
            if model == m {
                Ok(())
            } else {
                Err(Error::new(
                    key,
                    format!(
                        "is a {} setting; this cluster runs {}",
                        m.as_str(),
                        model.as_str()
                    ),
                ))
            }
        };
        match key {
            "model" => {}
            "nodes" => {
                let n = integer(key, v)?;
                self.nodes = u32::try_from(n).map_err(|_| {
                    Error::new(
                        key,
                        format!("must be between 1 and {}, got {n}", crate::sim::MAX_NODES),
                    )
                })?;
            }
            "seed" => self.seed = Some(integer(key, v)?),
            "timings.tick" => {
                only(Model::Nacos)?;
                self.nacos.tick = duration(key, v)?;
            }
            "timings.heartbeat" => match model {
                Model::Nacos => self.nacos.heartbeat_interval = duration(key, v)?,
                Model::Raft => self.raft.heartbeat_interval = duration(key, v)?,
            },
            "timings.electionMin" => {
                only(Model::Raft)?;
                self.raft.election_min = duration(key, v)?;
            }
            "timings.electionMax" => {
                only(Model::Raft)?;
                self.raft.election_max = duration(key, v)?;
            }
            "timings.election" => {
                only(Model::Raft)?;
                (self.raft.election_min, self.raft.election_max) = range(key, v)?;
            }
            "preVote" => {
                only(Model::Raft)?;
                self.raft.pre_vote = boolean(key, v)?;
            }
            "checkQuorum" => {
                only(Model::Raft)?;
                self.raft.check_quorum = boolean(key, v)?;
            }
            "logs" => {
                only(Model::Raft)?;
                self.raft.logs = logs(key, v)?;
            }
            "timings.leaderTimeout" => {
                only(Model::Nacos)?;
                self.nacos.leader_timeout = duration(key, v)?;
            }
            "timings.leaderRandom" => {
                only(Model::Nacos)?;
                self.nacos.leader_random = duration(key, v)?;
            }
            "version" => {
                only(Model::Nacos)?;
                let text = match v {
                    Value::Text(t) => t.clone(),
                    Value::Number(n) => crate::num::fmt_f64(*n),
                    Value::Bool(b) => b.to_string(),
                };
                self.nacos.version = nacos::Version::parse(&text).ok_or_else(|| {
                    Error::new(
                        key,
                        format!(
                            "must be a Nacos release, {}, got {}",
                            nacos::Version::VALUES,
                            v.describe()
                        ),
                    )
                })?;
            }
            "sendBeatOnly" => {
                only(Model::Nacos)?;
                self.nacos.send_beat_only = boolean(key, v)?;
            }
            "beatRunTime" => {
                only(Model::Nacos)?;
                self.nacos.beat_run_time = duration(key, v)?;
            }
            "beatPhase" => {
                only(Model::Nacos)?;
                self.nacos.beat_phase = match v {
                    Value::Text(t) => nacos::BeatPhase::parse(key, t)?,
                    _ => nacos::BeatPhase::Fixed(duration(key, v)?),
                };
            }
            "connectTimeout" => {
                only(Model::Nacos)?;
                self.nacos.connect_timeout = duration(key, v)?;
            }
            "readTimeout" => {
                only(Model::Nacos)?;
                self.nacos.read_timeout = duration(key, v)?;
            }
            "network.latency" => {
                (self.network.latency_min, self.network.latency_max) = range(key, v)?
            }
            "network.latencyMin" => self.network.latency_min = duration(key, v)?,
            "network.latencyMax" => self.network.latency_max = duration(key, v)?,
            "network.loss" => self.network.loss = probability(key, v)?,
            "timerJitter" => self.timer_jitter = duration(key, v)?,
            "boot" => self.boot_spread = duration(key, v)?,
            "diskWrite" => {
                only(Model::Raft)?;
                self.disk_write = range(key, v)?;
            }
            _ => unreachable!("every canonical key is handled: {key}"),
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), Error> {
        self.sim_config(0).validate()?;
        match self.model {
            Model::Nacos => nacos::Node::validate_config(&self.nacos),
            Model::Raft => {
                if self.raft.logs.len() > self.nodes as usize {
                    return Err(Error::new(
                        "logs",
                        format!(
                            "gives {} logs for {} nodes",
                            self.raft.logs.len(),
                            self.nodes
                        ),
                    ));
                }
                raft::Node::validate_config(&self.raft)
            }
        }
    }

    fn sim_config(&self, seed: u64) -> SimConfig {
        SimConfig {
            nodes: self.nodes,
            seed,
            network: self.network.clone(),
            timer_jitter: self.timer_jitter,
            boot_spread: self.boot_spread,
            disk_write: self.disk_write,
        }
    }

    /// A script's `cluster` line for this config with `seed`: the pairs of
    /// [`Self::to_pairs`] as `key=value` words.
    pub fn script_line(&self, seed: u64) -> String {
        let words: Vec<String> = self
            .to_pairs(seed)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("cluster {}", words.join(" "))
    }

    /// The settings as `key=value` words, the way a script's `cluster` line
    /// or a URL writes them (only what differs from the defaults, plus seed).
    /// Exact: [`Self::from_pairs`] reads them back as the same config, the
    /// loss bit for bit.
    pub fn to_pairs(&self, seed: u64) -> Vec<(String, String)> {
        let d = ClusterConfig::default();
        let mut out = vec![
            ("model".to_string(), self.model.as_str().to_string()),
            ("nodes".to_string(), self.nodes.to_string()),
            ("seed".to_string(), seed.to_string()),
        ];
        let dur = |out: &mut Vec<(String, String)>, k: &str, v: Micros, dv: Micros| {
            if v != dv {
                out.push((k.to_string(), format_duration(v)));
            }
        };
        match self.model {
            Model::Nacos => {
                dur(&mut out, "tick", self.nacos.tick, d.nacos.tick);
                dur(
                    &mut out,
                    "heartbeat",
                    self.nacos.heartbeat_interval,
                    d.nacos.heartbeat_interval,
                );
                dur(
                    &mut out,
                    "leaderTimeout",
                    self.nacos.leader_timeout,
                    d.nacos.leader_timeout,
                );
                dur(
                    &mut out,
                    "leaderRandom",
                    self.nacos.leader_random,
                    d.nacos.leader_random,
                );
                if self.nacos.version != d.nacos.version {
                    out.push(("version".to_string(), self.nacos.version.to_string()));
                }
                if self.nacos.send_beat_only {
                    out.push(("sendBeatOnly".to_string(), "true".to_string()));
                }
                dur(
                    &mut out,
                    "beatRunTime",
                    self.nacos.beat_run_time,
                    d.nacos.beat_run_time,
                );
                if self.nacos.beat_phase != d.nacos.beat_phase {
                    out.push(("beatPhase".to_string(), self.nacos.beat_phase.to_string()));
                }
                dur(
                    &mut out,
                    "connectTimeout",
                    self.nacos.connect_timeout,
                    d.nacos.connect_timeout,
                );
                dur(
                    &mut out,
                    "readTimeout",
                    self.nacos.read_timeout,
                    d.nacos.read_timeout,
                );
            }
            Model::Raft => {
                if (self.raft.election_min, self.raft.election_max)
                    != (d.raft.election_min, d.raft.election_max)
                {
                    out.push((
                        "election".to_string(),
                        format!(
                            "{}..{}",
                            format_duration(self.raft.election_min),
                            format_duration(self.raft.election_max)
                        ),
                    ));
                }
                dur(
                    &mut out,
                    "heartbeat",
                    self.raft.heartbeat_interval,
                    d.raft.heartbeat_interval,
                );
                if self.raft.pre_vote {
                    out.push(("preVote".to_string(), "true".to_string()));
                }
                if self.raft.check_quorum {
                    out.push(("checkQuorum".to_string(), "true".to_string()));
                }
                if !self.raft.logs.is_empty() {
                    let l: Vec<String> = self
                        .raft
                        .logs
                        .iter()
                        .map(|p| format!("{}:{}", p.index, p.term))
                        .collect();
                    out.push(("logs".to_string(), l.join(",")));
                }
            }
        }
        if (self.network.latency_min, self.network.latency_max)
            != (d.network.latency_min, d.network.latency_max)
        {
            out.push((
                "latency".to_string(),
                format!(
                    "{}..{}",
                    format_duration(self.network.latency_min),
                    format_duration(self.network.latency_max)
                ),
            ));
        }
        if self.network.loss != d.network.loss {
            out.push((
                "loss".to_string(),
                crate::num::fmt_f64_exact(self.network.loss),
            ));
        }
        if self.timer_jitter != 0 {
            out.push((
                "timerJitter".to_string(),
                format_duration(self.timer_jitter),
            ));
        }
        if self.boot_spread != 0 {
            out.push(("boot".to_string(), format_duration(self.boot_spread)));
        }
        if self.disk_write != d.disk_write {
            out.push((
                "diskWrite".to_string(),
                format!(
                    "{}..{}",
                    format_duration(self.disk_write.0),
                    format_duration(self.disk_write.1)
                ),
            ));
        }
        out
    }
}

/// One node as the page and scripts see it, whatever the model.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: NodeId,
    pub role: Role,
    pub term: u64,
    pub vote_for: Option<NodeId>,
    pub leader: Option<NodeId>,
    pub alive: bool,
    /// Stalled by `pause`: how long until it resumes.
    pub paused_for: Option<Micros>,
    /// Writing to disk (Raft's `diskWrite`): how long until the write ends.
    pub writing_for: Option<Micros>,
    pub countdowns: Countdowns,
}

/// One message on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    pub id: u64,
    pub kind: MessageKind,
    pub from: NodeId,
    pub to: NodeId,
    pub sent: Micros,
    pub due: Micros,
    pub term: Option<u64>,
    pub granted: Option<bool>,
}

/// A simulation of any model.
///
/// What does not depend on the model (the clock, the network, faults,
/// drop rules, the monitor, sinks) is the [`Engine`], which a cluster hands
/// out ([`Cluster::engine`], or through `Deref` like a `Simulation`): it is
/// not forwarded verb by verb. The methods here are the ones whose work
/// depends on the model's node type.
pub enum Cluster {
    Nacos(Simulation<nacos::Node>),
    Raft(Simulation<raft::Node>),
}

/// Runs `$body` with `$s` bound to the inner `Simulation<P>`, whatever P is.
#[macro_export]
macro_rules! with_sim {
    ($cluster:expr, $s:ident => $body:expr) => {
        match $cluster {
            $crate::cluster::Cluster::Nacos($s) => $body,
            $crate::cluster::Cluster::Raft($s) => $body,
        }
    };
}

impl std::ops::Deref for Cluster {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        self.engine()
    }
}

impl std::ops::DerefMut for Cluster {
    fn deref_mut(&mut self) -> &mut Engine {
        self.engine_mut()
    }
}

impl Cluster {
    /// Starts a cluster; with no seed in the config, one is drawn (see [`Engine::seed`]).
    pub fn new(config: &ClusterConfig) -> Result<Cluster, Error> {
        config.validate()?;
        let seed = config.seed.unwrap_or_else(rng::fresh_seed);
        let sim = config.sim_config(seed);
        Ok(match config.model {
            Model::Nacos => Cluster::Nacos(Simulation::new(config.nacos.clone(), sim)?),
            Model::Raft => Cluster::Raft(Simulation::new(config.raft.clone(), sim)?),
        })
    }

    pub fn model(&self) -> Model {
        match self {
            Cluster::Nacos(_) => Model::Nacos,
            Cluster::Raft(_) => Model::Raft,
        }
    }

    /// The model-independent part: clock, network, faults, rules, monitor, sinks.
    pub fn engine(&self) -> &Engine {
        with_sim!(self, s => s.engine())
    }
    pub fn engine_mut(&mut self) -> &mut Engine {
        with_sim!(self, s => s.engine_mut())
    }

    pub fn advance(&mut self, span: Micros) {
        with_sim!(self, s => s.advance(span))
    }
    pub fn run_until(&mut self, end: Micros) {
        with_sim!(self, s => s.run_until(end))
    }
    /// Runs up to `end` but at most `budget` events; true when it got there.
    pub fn run_until_budget(&mut self, end: Micros, budget: u64) -> bool {
        with_sim!(self, s => s.run_until_budget(end, budget))
    }

    pub fn node_view(&self, id: NodeId) -> NodeView {
        with_sim!(self, s => {
            let st = s.status(id);
            NodeView {
                id,
                role: st.role,
                term: st.term,
                vote_for: st.vote_for,
                leader: st.leader,
                alive: s.is_alive(id),
                paused_for: s.paused_for(id),
                writing_for: s.writing_for(id),
                countdowns: s.countdowns(id),
            }
        })
    }

    pub fn node_views(&self) -> Vec<NodeView> {
        (1..=self.node_count())
            .map(|id| self.node_view(id))
            .collect()
    }

    pub fn messages(&self) -> Vec<MessageView> {
        with_sim!(self, s => s.in_flight().map(|m| MessageView {
            id: m.id,
            kind: m.kind,
            from: m.from,
            to: m.to,
            sent: m.sent,
            due: m.due,
            term: m.msg.term(),
            granted: m.msg.granted(),
        }).collect())
    }
    pub fn in_flight_count(&self) -> usize {
        with_sim!(self, s => s.in_flight_count())
    }

    pub fn fields(&self, id: NodeId) -> Vec<Field> {
        with_sim!(self, s => s.fields(id))
    }

    /// The node an action names, now: an id that exists, or `leader`, the
    /// one live leader at this moment. `field` names the node in an error.
    pub fn resolve(&self, field: &str, node: NodeRef) -> Result<NodeId, Error> {
        match node {
            NodeRef::Id(id) => self.node(field, id),
            NodeRef::Leader => match self.leaders().as_slice() {
                [one] => Ok(*one),
                [] => Err(Error::new(
                    field,
                    "`leader` names no node: there is no leader right now",
                )),
                many => Err(Error::new(
                    field,
                    format!(
                        "`leader` is ambiguous: {} are all LEADER; name one",
                        many.iter()
                            .map(|n| format!("S{n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            },
        }
    }

    pub fn crash(&mut self, id: NodeId) -> Result<(), Error> {
        with_sim!(self, s => s.crash(id))
    }
    pub fn restart(&mut self, id: NodeId) -> Result<(), Error> {
        with_sim!(self, s => s.restart(id))
    }
    pub fn force_timeout(&mut self, id: NodeId) -> Result<(), Error> {
        with_sim!(self, s => s.force_timeout(id))
    }
    /// A stop-the-world stall of a live node (see `Simulation::pause`).
    pub fn pause(&mut self, id: NodeId, span: Micros) -> Result<(), Error> {
        with_sim!(self, s => s.pause(id, span))
    }

    /// RaftScope's "align timers": of the live nodes that are not leader,
    /// the one whose election clock runs out first and the one that can run
    /// out soonest with it are set to run out together: a split vote in the
    /// making. In Raft that is the next clock; in Nacos, whose clocks run out
    /// only on each node's own tick, the node with the nearest tick phase,
    /// and "together" is as close as the phases are.
    pub fn align_timers(&mut self) -> Result<(), Error> {
        let mut clocks = self.election_clocks();
        let first =
            take_earliest(&mut clocks).ok_or_else(|| Error::new("align-timers", ALIGN_NEEDS))?;
        let at = first.0;
        let second = clocks
            .iter()
            .map(|&(due, id)| (with_sim!(self, s => s.election_moment(id, at)), due, id))
            .min()
            .ok_or_else(|| Error::new("align-timers", ALIGN_NEEDS))?;
        with_sim!(self, s => s.set_election_clock(second.2, at, ClockSetBy::Align, (first.1, at)));
        Ok(())
    }

    /// RaftScope's "spread timers": election clocks that run out less than a
    /// vote's delivery (network.latencyMax + 1 ms; with Pre-Vote, three
    /// latencies: the poll, its replies, then the requests) after the one
    /// before them are moved later, so the first candidate's requests
    /// arrive before the next clock runs out. Only clocks that are too
    /// close move.
    pub fn spread_timers(&mut self) -> Result<(), Error> {
        let mut clocks = self.election_clocks();
        let mut last =
            take_earliest(&mut clocks).ok_or_else(|| Error::new("spread-timers", SPREAD_NEEDS))?;
        let hops = with_sim!(self, s => s.vote_request_hops());
        // The candidate writes its term and vote before its requests leave.
        let gap = self
            .network()
            .latency_max
            .saturating_mul(hops)
            .saturating_add(self.engine().disk_write().1)
            .saturating_add(1000);
        while let Some((due, id)) = take_earliest(&mut clocks) {
            let want = last.0.saturating_add(gap);
            let due = if due < want {
                with_sim!(self, s => s.set_election_clock(id, want, ClockSetBy::Spread, (last.1, last.0)))
            } else {
                due
            };
            last = (due, id);
        }
        Ok(())
    }

    /// When each live non-leader's election clock runs out (absolute time).
    fn election_clocks(&self) -> Vec<(Micros, NodeId)> {
        let now = self.now();
        self.node_views()
            .iter()
            .filter(|v| v.alive && v.role != Role::Leader)
            .filter_map(|v| {
                v.countdowns
                    .leader_due
                    .map(|d| (now.saturating_add(d), v.id))
            })
            .collect()
    }
    /// Where a client that wants the leader sends (see [`Simulation::client_target`]).
    pub fn client_target(&self) -> Option<NodeId> {
        with_sim!(self, s => s.client_target())
    }
    /// A client's write or delete of `key`, sent to `via` now.
    pub fn client_request(
        &mut self,
        kind: OpKind,
        key: &str,
        via: Option<NodeId>,
    ) -> Result<OpId, Error> {
        with_sim!(self, s => s.client_request(kind, key, via))
    }
    pub fn set_workload(&mut self, workload: Option<Workload>) -> Result<(), Error> {
        with_sim!(self, s => s.set_workload(workload))
    }
    /// A node's datums (None in a model without data).
    pub fn store(&self, id: NodeId) -> Option<&Store> {
        with_sim!(self, s => s.protocol(id).store())
    }
    /// A Raft node, for its log (None in the Nacos model).
    pub fn raft_node(&self, id: NodeId) -> Option<&raft::Node> {
        match self {
            Cluster::Raft(s) => Some(s.protocol(id)),
            Cluster::Nacos(_) => None,
        }
    }

    pub fn set_periodic_crash(&mut self, schedule: Option<(Micros, Micros)>) -> Result<(), Error> {
        with_sim!(self, s => s.set_periodic_crash(schedule))
    }
    pub fn drop_message(&mut self, id: u64) -> Result<(), Error> {
        with_sim!(self, s => s.drop_message(id))
    }
    /// Settings that are allowed but keep the cluster from settling, each
    /// naming its fields (a change of network can add or clear some).
    pub fn warnings(&self) -> Vec<String> {
        with_sim!(self, s => s.config_warnings())
    }
}

/// Removes and returns the clock that runs out first (then the lowest id).
/// Clusters are small and this runs once per key press: no sort needed.
fn take_earliest(clocks: &mut Vec<(Micros, NodeId)>) -> Option<(Micros, NodeId)> {
    let i = (0..clocks.len()).min_by_key(|&i| clocks[i])?;
    Some(clocks.swap_remove(i))
}

const ALIGN_NEEDS: &str =
    "needs two live nodes that are not leader, with an election clock running";
const SPREAD_NEEDS: &str = "needs a live node that is not leader, with an election clock running";

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, Value)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
            .collect()
    }

    #[test]
    fn a_disk_write_is_a_raft_range_checked_by_name() {
        let raft =
            |v: &str| ClusterConfig::from_pairs(&pairs(&[("model", "raft"), ("diskWrite", v)]));
        let c = raft("0.5ms..2ms").unwrap();
        assert_eq!(c.disk_write, (500, 2_000));
        assert_eq!(
            raft("3ms").unwrap().disk_write,
            (3_000, 3_000),
            "one value: both ends"
        );
        for (bad, rule) in [
            (
                "4ms..1ms",
                "the maximum must be at least the minimum, got 4ms..1ms",
            ),
            ("1ms..2s", "must be at most 1s, got 2s"),
        ] {
            let e = raft(bad).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.rule.as_str()),
                ("diskWrite", rule),
                "{bad}"
            );
        }
        for bad in ["fast", "1ms..", "-1ms..2ms"] {
            assert_eq!(raft(bad).unwrap_err().field, "diskWrite", "{bad}");
        }
        let e = ClusterConfig::from_pairs(&pairs(&[("disk-write", "1ms..2ms")])).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.as_str()),
            ("diskWrite", "is a raft setting; this cluster runs nacos")
        );
        // Nor can a Nacos simulation be built with one directly.
        let sim = SimConfig {
            disk_write: (1_000, 2_000),
            ..ClusterConfig::default().sim_config(1)
        };
        let e = Simulation::<nacos::Node>::new(nacos::Config::default(), sim)
            .err()
            .unwrap();
        assert_eq!(e.field, "diskWrite");
    }

    #[test]
    fn http_timeouts_must_be_above_zero_and_name_their_field() {
        for key in ["connectTimeout", "readTimeout"] {
            let e = ClusterConfig::from_pairs(&pairs(&[(key, "0s")]))
                .and_then(|c| c.validate())
                .unwrap_err();
            assert_eq!(e.field, key);
            assert!(e.rule.contains("must be above 0"), "{e:?}");
            let e = ClusterConfig::from_pairs(&pairs(&[(key, "-1s")])).unwrap_err();
            assert_eq!(e.field, key);
            let e =
                ClusterConfig::from_pairs(&pairs(&[("model", "raft"), (key, "3s")])).unwrap_err();
            assert!(e.rule.contains("nacos setting"), "{e:?}");
        }
        let c =
            ClusterConfig::from_pairs(&pairs(&[("connect-timeout", "2s"), ("readTimeout", "30s")]))
                .unwrap();
        assert_eq!(
            (c.nacos.connect_timeout, c.nacos.read_timeout),
            (2_000_000, 30_000_000)
        );
    }

    #[test]
    fn beat_phase_is_below_the_tick_or_random_and_names_its_field() {
        let phase = |v: &str| {
            ClusterConfig::from_pairs(&pairs(&[("beat-phase", v)]))
                .and_then(|c| c.validate().map(|_| c.nacos.beat_phase))
        };
        assert_eq!(phase("random").unwrap(), nacos::BeatPhase::Drifted);
        assert_eq!(phase("499ms").unwrap(), nacos::BeatPhase::Fixed(499_000));
        for (bad, rule) in [
            ("500ms", "must be below the tick (500ms)"),
            ("sometimes", "a duration below the tick, or random"),
            ("-1ms", "a duration below the tick, or random"),
        ] {
            let e = phase(bad).unwrap_err();
            assert_eq!(e.field, "beatPhase", "{bad}");
            assert!(e.rule.contains(rule), "{bad}: {e}");
        }
        let c =
            ClusterConfig::from_pairs(&pairs(&[("tick", "1s"), ("beatPhase", "999ms")])).unwrap();
        assert!(c.validate().is_ok());
        let e = ClusterConfig::from_pairs(&pairs(&[("model", "raft"), ("beatPhase", "random")]))
            .unwrap_err();
        assert!(e.rule.contains("nacos setting"), "{e:?}");
        let random = ClusterConfig::from_pairs(&pairs(&[("beatPhase", "random")])).unwrap();
        assert!(random
            .to_pairs(1)
            .contains(&("beatPhase".to_string(), "random".to_string())));
    }

    #[test]
    fn short_and_canonical_keys_are_the_same_setting() {
        let a = ClusterConfig::from_pairs(&pairs(&[("heartbeat", "4s"), ("nodes", "3")])).unwrap();
        let b = ClusterConfig::from_pairs(&pairs(&[("timings.heartbeat", "4s"), ("nodes", "3")]))
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.nacos.heartbeat_interval, 4_000_000);
        let e =
            ClusterConfig::from_pairs(&pairs(&[("heartbeat", "4s"), ("timings.heartbeat", "3s")]))
                .unwrap_err();
        assert_eq!(e.field, "timings.heartbeat");
    }

    #[test]
    fn bad_values_name_the_field_and_the_rule() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (&[("nodes", "0")], "nodes", "between 1 and 1001"),
            (&[("nodes", "1002")], "nodes", "between 1 and 1001"),
            (&[("nodes", "five")], "nodes", "whole number"),
            (&[("loss", "1.5")], "network.loss", "between 0 and 1"),
            (&[("latency", "9ms..2ms")], "network.latencyMax", "at least"),
            (
                &[("heartbeat", "1ms")],
                "timings.heartbeat",
                "at least timings.tick",
            ),
            (&[("tick", "0.5ms")], "timings.tick", "whole milliseconds"),
            (&[("model", "paxos")], "model", "must be"),
            (&[("colour", "red")], "colour", "is not a setting"),
            (&[("seed", "-3")], "seed", "whole number"),
        ];
        for (input, field, rule) in cases {
            let e = ClusterConfig::from_pairs(&pairs(input)).unwrap_err();
            assert_eq!(e.field, *field, "{input:?}: {e}");
            assert!(e.rule.contains(rule), "{input:?}: {e}");
        }
    }

    #[test]
    fn settings_of_the_other_model_are_refused() {
        let e = ClusterConfig::from_pairs(&pairs(&[("model", "raft"), ("leaderTimeout", "15s")]))
            .unwrap_err();
        assert_eq!(e.field, "timings.leaderTimeout");
        assert!(
            e.rule.contains("nacos setting; this cluster runs raft"),
            "{e}"
        );
        let e = ClusterConfig::from_pairs(&pairs(&[("preVote", "true")])).unwrap_err();
        assert!(e.rule.contains("raft setting"), "{e}");
        // The model may come after its settings.
        let c = ClusterConfig::from_pairs(&pairs(&[
            ("heartbeat", "20ms"),
            ("election", "100ms..200ms"),
            ("model", "raft"),
            ("preVote", "on"),
        ]))
        .unwrap();
        assert_eq!(
            (
                c.raft.heartbeat_interval,
                c.raft.election_min,
                c.raft.election_max,
                c.raft.pre_vote
            ),
            (20_000, 100_000, 200_000, true)
        );
        let e =
            ClusterConfig::from_pairs(&pairs(&[("model", "raft"), ("logs", "5:1,x")])).unwrap_err();
        assert_eq!(e.field, "logs");
        let e = ClusterConfig::from_pairs(&pairs(&[
            ("model", "raft"),
            ("nodes", "2"),
            ("logs", "1:1,1:1,1:1"),
        ]))
        .unwrap_err();
        assert!(e.rule.contains("3 logs for 2 nodes"), "{e}");
    }

    #[test]
    fn js_numbers_are_milliseconds() {
        let c = ClusterConfig::from_pairs(&[
            ("heartbeat".into(), Value::Number(2500.0)),
            ("loss".into(), Value::Number(0.25)),
        ])
        .unwrap();
        assert_eq!(c.nacos.heartbeat_interval, 2_500_000);
        assert_eq!(c.network.loss, 0.25);
        let e = ClusterConfig::from_pairs(&[("heartbeat".into(), Value::Number(f64::NAN))])
            .unwrap_err();
        assert_eq!(e.field, "timings.heartbeat");
    }

    #[test]
    fn pairs_round_trip_through_text() {
        for input in [
            &[
                ("nodes", "7"),
                ("heartbeat", "3s"),
                ("latency", "1ms..20ms"),
                ("loss", "0.1"),
                ("beatRunTime", "1.5ms"),
                ("beatPhase", "250.5ms"),
                ("connectTimeout", "2s"),
                ("readTimeout", "3.5s"),
            ][..],
            &[
                ("model", "raft"),
                ("election", "12ms..24ms"),
                ("heartbeat", "6ms"),
                ("checkQuorum", "true"),
                ("logs", "2:1,1:1"),
                ("timerJitter", "0.5ms"),
                ("boot", "2.5s"),
                ("diskWrite", "0.4ms..1.3ms"),
            ][..],
        ] {
            let c = ClusterConfig::from_pairs(&pairs(input)).unwrap();
            let text: Vec<(String, Value)> = c
                .to_pairs(42)
                .into_iter()
                .map(|(k, v)| (k, Value::Text(v)))
                .collect();
            let again = ClusterConfig::from_pairs(&text).unwrap();
            assert_eq!(
                again,
                ClusterConfig {
                    seed: Some(42),
                    ..c
                }
            );
        }
    }

    #[test]
    fn a_boot_spread_keeps_servers_down_until_their_moment() {
        let e = ClusterConfig::from_pairs(&pairs(&[("boot", "11m")])).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.as_str()),
            ("boot", "must be at most 600s, got 660s")
        );
        let mut c = Cluster::new(&ClusterConfig {
            seed: Some(3),
            nodes: 5,
            boot_spread: 10_000_000,
            ..Default::default()
        })
        .unwrap();
        assert!(
            (1..=5).all(|id| !c.node_view(id).alive),
            "nobody is up at 0"
        );
        let e = c.crash(2).unwrap_err();
        assert_eq!(e.rule, "S2 has not booted yet");
        c.restart(2).unwrap();
        assert!(c.node_view(2).alive, "a restart boots it now");
        c.run_until(10_000_000);
        assert!(
            (1..=5).all(|id| c.node_view(id).alive),
            "all up within the spread"
        );
        // Each server's moment is its own: two seeds, two orders.
        let boots = |seed| {
            let mut c = Cluster::new(&ClusterConfig {
                seed: Some(seed),
                boot_spread: 10_000_000,
                ..Default::default()
            })
            .unwrap();
            let mut up = Vec::new();
            for t in (0..=10_000).step_by(100) {
                c.run_until(t * 1000);
                up.push((1..=5).filter(|id| c.node_view(*id).alive).count());
            }
            up
        };
        assert_eq!(boots(3), boots(3), "the same seed, the same moments");
        assert_ne!(boots(3), boots(4));
    }

    #[test]
    fn a_pause_is_checked_and_holds_what_reaches_the_node() {
        let mut c = Cluster::new(&ClusterConfig {
            seed: Some(4),
            nodes: 3,
            model: Model::Raft,
            ..Default::default()
        })
        .unwrap();
        c.run_until(1_000_000);
        let leader = c.leader().unwrap();
        for (line, rule) in [
            ("pause S2", "pause NODE for=DURATION"),
            ("pause S2 at=1s", "unknown setting `at`"),
        ] {
            let e = line.parse::<crate::script::Action>().unwrap_err();
            assert_eq!(e.field, "command", "{line}: {e}");
            assert!(e.rule.contains(rule), "{line}: {e}");
        }
        assert_eq!(
            c.pause(9, 1_000).unwrap_err().rule,
            "node 9 does not exist (nodes are 1 to 3)"
        );
        assert_eq!(c.pause(1, 0).unwrap_err().field, "for");
        assert_eq!(c.pause(1, 3_600_000_001).unwrap_err().field, "for");
        c.pause(leader, 500_000).unwrap();
        assert!(c.is_paused(leader));
        let op = c
            .client_request(crate::protocol::data::OpKind::Write, "k", Some(leader))
            .unwrap();
        assert!(
            c.client().op(op).unwrap().done.is_none(),
            "held, not refused"
        );
        c.run_until(1_499_999);
        assert!(c.is_paused(leader));
        c.run_until(1_500_000);
        assert!(!c.is_paused(leader), "it resumes on time");
        c.run_until(2_000_000);
        assert!(
            c.client().op(op).unwrap().done.is_some(),
            "the held write got its answer"
        );
        // A crash ends a pause; a down node cannot be paused.
        let other = leader % 3 + 1;
        c.pause(other, 1_000_000).unwrap();
        c.crash(other).unwrap();
        assert!(!c.is_paused(other));
        assert!(c.pause(other, 1_000).unwrap_err().rule.contains("is down"));
    }

    #[test]
    fn node_references_resolve_and_fail_clearly() {
        let mut c = Cluster::new(&ClusterConfig {
            seed: Some(1),
            nodes: 3,
            ..Default::default()
        })
        .unwrap();
        let node = |t: &str| NodeRef::parse("node", t).unwrap();
        assert_eq!(c.resolve("node", node("S2")).unwrap(), 2);
        assert_eq!(c.resolve("node", node("3")).unwrap(), 3);
        assert!(c
            .resolve("node", node("4"))
            .unwrap_err()
            .rule
            .contains("does not exist"));
        assert!(c
            .resolve("node", node("leader"))
            .unwrap_err()
            .rule
            .contains("no leader"));
        assert!(NodeRef::parse("node", "S")
            .unwrap_err()
            .rule
            .contains("must be a node id"));
        c.advance(40_000_000);
        let l = c
            .leader()
            .expect("a 3-node nacos cluster elects within 40 s");
        assert_eq!(c.resolve("node", node("leader")).unwrap(), l);
    }
}
