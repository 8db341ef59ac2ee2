//! Scenario scripts, in the spirit of etcd's datadriven interaction tests.
//!
//! One command per line, `#` starts a comment. A command may be followed by
//! its expected output: a line `----`, then the lines, up to a blank line.
//! Running a script compares each command's output with what the file says
//! (a golden file) and can rewrite the file with what actually happened.
//!
//! ```text
//! cluster model=nacos nodes=5 seed=7
//! run for=25s
//! drop-beats from=leader
//! run for=30s
//! expect leader != S2
//! ```
//!
//! See `docs/scenarios.md` for every command.

use crate::cluster::{Cluster, ClusterConfig, Value};
use crate::error::Error;
use crate::protocol::{Micros, NodeId, Role};
use crate::sim::monitor::ViolationKind;
use crate::sim::network::{BeatScope, NetworkConfig};
use crate::time::{format_duration, parse_duration};
use crate::sim::trace::{Filter, Sink, TextCollector};
use std::cell::RefCell;
use std::rc::Rc;

/// A node as a script names it: `3`, `S3` or `leader`, resolved when the
/// command runs.
pub type NodeRef = String;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

impl Cmp {
    fn parse(s: &str) -> Option<Cmp> {
        Some(match s {
            "==" | "=" => Cmp::Eq,
            "!=" => Cmp::Ne,
            ">=" => Cmp::Ge,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            "<" => Cmp::Lt,
            _ => return None,
        })
    }
    fn holds(self, a: u64, b: u64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Ge => a >= b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Lt => a < b,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Ge => ">=",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Lt => "<",
        }
    }
}

/// What a node's role should be; `Down` for a crashed node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleOrDown {
    Role(Role),
    Down,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// Exactly one live leader, optionally equal / not equal to a node.
    Leader(Option<(Cmp, NodeRef)>),
    NoLeader,
    /// This many live nodes in LEADER state.
    Leaders(u32),
    /// The term of a node, or of the one leader when no node is named.
    Term { node: Option<NodeRef>, cmp: Cmp, value: u64 },
    Role(NodeRef, RoleOrDown),
    /// Whom a node believes is leader (None: nobody).
    KnownLeader(NodeRef, Option<NodeRef>),
    /// Whom a node voted for in its current term (None: nobody).
    VotedFor(NodeRef, Option<NodeRef>),
    NoViolations,
    Violation(ViolationKind),
    NoViolation(ViolationKind),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Cluster(Vec<(String, Value)>),
    Run { span: Span, filter: Filter },
    Crash(NodeRef),
    Restart(NodeRef),
    Timeout(NodeRef),
    Isolate(NodeRef),
    Partition(Vec<Vec<NodeRef>>),
    Heal,
    /// RaftScope's timer keys: two election clocks run out together, or
    /// none runs out within a vote's delivery of another.
    AlignTimers,
    SpreadTimers,
    Cut { from: NodeRef, to: NodeRef, both: bool },
    Restore { from: NodeRef, to: NodeRef, both: bool },
    DropBeats { scope: ScopeRef, count: Option<u32> },
    AllowBeats(Option<u32>),
    DropMessage(u64),
    Network(Vec<(String, Value)>),
    /// Crash the leader every `.0` and restart it `.1` later; None stops.
    PeriodicCrash(Option<(Micros, Micros)>),
    Expect(Expectation),
    /// A stop for a guided tour: the page halts here, showing the comment
    /// above as a caption, until the reader continues. The CLI goes on.
    Pause,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Span {
    For(Micros),
    Until(Micros),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ScopeRef {
    All,
    From(NodeRef),
    To(NodeRef),
    Link(NodeRef, NodeRef),
}

/// One command with the comment lines above it and its expected output.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// Comment and blank lines before the command, kept for rewriting.
    pub lead: Vec<String>,
    pub line_no: usize,
    pub text: String,
    pub command: Command,
    pub expected: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    pub chunks: Vec<Chunk>,
    /// Comment lines after the last command.
    pub tail: Vec<String>,
}

fn err(line: usize, rule: impl Into<String>) -> Error {
    Error::new(format!("line {line}"), rule)
}

const NOT_AN_ACTION: &str =
    "must be an action (crash, restart, timeout, isolate, partition, heal, cut, restore, drop-beats, allow-beats, drop-message, network, periodic-crash, align-timers, spread-timers)";

const USAGE: &str = "cluster, run, crash, restart, timeout, isolate, partition, heal, cut, restore, drop-beats, allow-beats, drop-message, network, periodic-crash, align-timers, spread-timers, expect, pause";

/// Splits `key=value` words; other words are returned as positional.
fn split_words(words: &[&str]) -> (Vec<(String, String)>, Vec<String>) {
    let mut kv = Vec::new();
    let mut pos = Vec::new();
    for w in words {
        match w.split_once('=') {
            Some((k, v)) if !k.is_empty() && !k.ends_with(['!', '<', '>', '=']) && !v.starts_with('=') => {
                kv.push((k.to_string(), v.to_string()))
            }
            _ => pos.push(w.to_string()),
        }
    }
    (kv, pos)
}

fn parse_link(line: usize, cmd: &str, s: &str) -> Result<(NodeRef, NodeRef, bool), Error> {
    if let Some((a, b)) = s.split_once("<->") {
        return Ok((a.to_string(), b.to_string(), true));
    }
    if let Some((a, b)) = s.split_once("->") {
        return Ok((a.to_string(), b.to_string(), false));
    }
    Err(err(line, format!("{cmd}: expected a link like 1->2 (one way) or 1<->2 (both ways), got `{s}`")))
}

fn parse_role(line: usize, s: &str) -> Result<RoleOrDown, Error> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "follower" => RoleOrDown::Role(Role::Follower),
        "candidate" => RoleOrDown::Role(Role::Candidate),
        "pre-candidate" | "precandidate" => RoleOrDown::Role(Role::PreCandidate),
        "leader" => RoleOrDown::Role(Role::Leader),
        "down" | "crashed" => RoleOrDown::Down,
        other => return Err(err(line, format!("expect role: expected follower, candidate, pre-candidate, leader or down, got `{other}`"))),
    })
}

fn parse_filter(line: usize, s: &str) -> Result<Filter, Error> {
    Ok(match s {
        "default" => Filter::Default,
        "all" => Filter::All,
        "none" => Filter::None,
        list => {
            let names: Vec<String> = list.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect();
            if names.is_empty() {
                return Err(err(line, "run: trace= expects default, all, none or a list of categories/events"));
            }
            Filter::Only(names)
        }
    })
}

fn parse_expect(line: usize, words: &[&str]) -> Result<Expectation, Error> {
    let bad = |what: &str| err(line, format!("expect: {what}"));
    let Some((&first, rest)) = words.split_first() else {
        return Err(bad("expected what to check: leader, no-leader, leaders, term, role, known-leader, voted-for, no-violations, violation, no-violation"));
    };
    Ok(match (first, rest) {
        ("leader", []) => Expectation::Leader(None),
        ("leader", [n]) => Expectation::Leader(Some((Cmp::Eq, n.to_string()))),
        ("leader", [op, n]) => match Cmp::parse(op) {
            Some(c @ (Cmp::Eq | Cmp::Ne)) => Expectation::Leader(Some((c, n.to_string()))),
            _ => return Err(bad(&format!("leader: expected == or != before the node, got `{op}`"))),
        },
        ("no-leader", []) => Expectation::NoLeader,
        ("leaders", [n]) => Expectation::Leaders(n.parse().map_err(|_| bad(&format!("leaders: expected a count, got `{n}`")))?),
        ("term", [op, v]) | ("term", [_, op, v]) => {
            let cmp = Cmp::parse(op).ok_or_else(|| bad(&format!("term: expected ==, !=, >=, <=, > or <, got `{op}`")))?;
            let value = v.parse().map_err(|_| bad(&format!("term: expected a number, got `{v}`")))?;
            let node = if rest.len() == 3 { Some(rest[0].to_string()) } else { None };
            Expectation::Term { node, cmp, value }
        }
        ("role", [n, r]) => Expectation::Role(n.to_string(), parse_role(line, r)?),
        ("known-leader", [n, l]) | ("voted-for", [n, l]) => {
            let l = if l.eq_ignore_ascii_case("none") { None } else { Some(l.to_string()) };
            if first == "known-leader" {
                Expectation::KnownLeader(n.to_string(), l)
            } else {
                Expectation::VotedFor(n.to_string(), l)
            }
        }
        ("no-violations", []) => Expectation::NoViolations,
        ("violation", [k]) | ("no-violation", [k]) => {
            let kind = ViolationKind::parse(k).ok_or_else(|| {
                bad(&format!(
                    "{first}: expected one of {}, got `{k}`",
                    ViolationKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            if first == "violation" {
                Expectation::Violation(kind)
            } else {
                Expectation::NoViolation(kind)
            }
        }
        _ => return Err(bad(&format!(
            "cannot read `{}`; forms: leader [[==|!=] NODE], no-leader, leaders N, term [NODE] OP N, role NODE ROLE, known-leader NODE NODE|none, voted-for NODE NODE|none, no-violations, violation KIND, no-violation KIND",
            words.join(" ")
        ))),
    })
}

/// Parses one command line (without comment).
pub fn parse_command(line: usize, text: &str) -> Result<Command, Error> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((&cmd, args)) = words.split_first() else {
        return Err(err(line, format!("expected a command ({USAGE})")));
    };
    let pairs = |kv: Vec<(String, String)>| kv.into_iter().map(|(k, v)| (k, Value::Text(v))).collect::<Vec<_>>();
    Ok(match cmd {
        "cluster" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(err(line, format!("cluster: expected key=value settings, got `{p}`")));
            }
            Command::Cluster(pairs(kv))
        }
        "run" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(err(line, format!("run: expected for=DURATION or until=TIME, got `{p}`")));
            }
            let mut span = None;
            let mut filter = Filter::Default;
            for (k, v) in kv {
                match k.as_str() {
                    "for" => span = Some(Span::For(parse_duration("for", &v).map_err(|e| err(line, format!("run: {e}")))?)),
                    "until" => span = Some(Span::Until(parse_duration("until", &v).map_err(|e| err(line, format!("run: {e}")))?)),
                    "trace" => filter = parse_filter(line, &v)?,
                    other => return Err(err(line, format!("run: unknown setting `{other}` (expected for=, until=, trace=)"))),
                }
            }
            let span = span.ok_or_else(|| err(line, "run: expected for=DURATION (e.g. for=25s) or until=TIME (e.g. until=90s)"))?;
            Command::Run { span, filter }
        }
        "expect" => Command::Expect(parse_expect(line, args)?),
        "pause" => pause(line, args)?,
        _ => action(line, cmd, args)?,
    })
}

/// `pause` stands alone: its caption is the comment above it.
pub fn pause(line: usize, args: &[&str]) -> Result<Command, Error> {
    match args {
        [] => Ok(Command::Pause),
        _ => Err(err(line, format!("pause: takes nothing after it (its caption is the comment line above), got `{}`", args.join(" ")))),
    }
}

/// Parses one action line (crash 3, drop-beats from=1, ...): what the page
/// and URLs send. `cluster`, `run`, `expect` and `pause` are refused.
pub fn parse_action(text: &str) -> Result<Command, Error> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.split_first() {
        Some((&("cluster" | "run" | "expect" | "pause"), _)) | None => Err(Error::new("command", NOT_AN_ACTION)),
        Some((&cmd, args)) => action(1, cmd, args).map_err(|e| Error::new("command", e.rule)),
    }
}

fn action(line: usize, cmd: &str, args: &[&str]) -> Result<Command, Error> {
    let one_node = |args: &[&str]| -> Result<NodeRef, Error> {
        match args {
            [n] => Ok(n.to_string()),
            _ => Err(err(line, format!("{cmd}: expected one node (3, S3 or leader), got `{}`", args.join(" ")))),
        }
    };
    Ok(match cmd {
        "network" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(err(line, format!("network: expected key=value settings, got `{p}`")));
            }
            if kv.is_empty() {
                return Err(err(line, "network: expected latency=.. and/or loss=.."));
            }
            Command::Network(kv.into_iter().map(|(k, v)| (k, Value::Text(v))).collect())
        }
        "crash" => Command::Crash(one_node(args)?),
        "restart" => Command::Restart(one_node(args)?),
        "timeout" => Command::Timeout(one_node(args)?),
        "isolate" => Command::Isolate(one_node(args)?),
        "heal" => {
            if !args.is_empty() {
                return Err(err(line, "heal: takes no arguments"));
            }
            Command::Heal
        }
        "align-timers" | "spread-timers" => {
            if !args.is_empty() {
                return Err(err(line, format!("{cmd}: takes no arguments")));
            }
            if cmd == "align-timers" { Command::AlignTimers } else { Command::SpreadTimers }
        }
        "partition" => {
            let joined = args.join(" ");
            let groups: Vec<Vec<NodeRef>> = joined
                .split('|')
                .map(|g| g.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_string).collect())
                .collect();
            if groups.len() < 2 && groups.iter().all(|g: &Vec<NodeRef>| g.is_empty()) {
                return Err(err(line, "partition: expected groups like 1,2 | 3,4,5"));
            }
            Command::Partition(groups)
        }
        "cut" | "restore" => {
            let [link] = args else {
                return Err(err(line, format!("{cmd}: expected one link like 1->2 or 1<->2")));
            };
            let (from, to, both) = parse_link(line, cmd, link)?;
            if cmd == "cut" {
                Command::Cut { from, to, both }
            } else {
                Command::Restore { from, to, both }
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
                    return Err(err(line, format!("drop-beats: expected all, from=NODE, to=NODE or link=A->B, got `{p}`")));
                }
            }
            for (k, v) in kv {
                match k.as_str() {
                    "from" => scope = Some(ScopeRef::From(v)),
                    "to" => scope = Some(ScopeRef::To(v)),
                    "link" => {
                        let (a, b, both) = parse_link(line, "drop-beats", &v)?;
                        if both {
                            return Err(err(line, "drop-beats: link= is one way (A->B)"));
                        }
                        scope = Some(ScopeRef::Link(a, b));
                    }
                    "count" => {
                        count = Some(v.parse::<u32>().ok().filter(|&c| c > 0).ok_or_else(|| {
                            err(line, format!("drop-beats: count must be a whole number of heartbeat rounds, at least 1, got `{v}`"))
                        })?)
                    }
                    other => return Err(err(line, format!("drop-beats: unknown setting `{other}`"))),
                }
            }
            let scope = scope.ok_or_else(|| err(line, "drop-beats: expected all, from=NODE, to=NODE or link=A->B"))?;
            Command::DropBeats { scope, count }
        }
        "periodic-crash" => {
            let usage = "periodic-crash: expected every=DURATION [down=DURATION] (down: half of every unless given), or off";
            if args == ["off"] {
                Command::PeriodicCrash(None)
            } else {
                let (kv, pos) = split_words(args);
                if !pos.is_empty() || kv.is_empty() {
                    return Err(err(line, usage));
                }
                let (mut every, mut down) = (None, None);
                for (k, v) in kv {
                    let slot = match k.as_str() {
                        "every" => &mut every,
                        "down" => &mut down,
                        other => return Err(err(line, format!("periodic-crash: unknown setting `{other}` (it takes every= and down=)"))),
                    };
                    *slot = Some(parse_duration(&k, &v).map_err(|e| err(line, format!("periodic-crash: {e}")))?);
                }
                let every = every.ok_or_else(|| err(line, usage))?;
                Command::PeriodicCrash(Some((every, down.unwrap_or(every / 2))))
            }
        }
        "allow-beats" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(err(line, format!("allow-beats: expected nothing or rule=N, got `{p}`")));
            }
            match kv.as_slice() {
                [] => Command::AllowBeats(None),
                [(k, v)] if k == "rule" => Command::AllowBeats(Some(
                    v.parse().map_err(|_| err(line, format!("allow-beats: rule must be a rule number, got `{v}`")))?,
                )),
                _ => return Err(err(line, "allow-beats: expected nothing (remove every rule) or rule=N")),
            }
        }
        "drop-message" => match args {
            [id] => Command::DropMessage(
                id.trim_start_matches('#').parse().map_err(|_| err(line, format!("drop-message: expected a message id, got `{id}`")))?,
            ),
            _ => return Err(err(line, "drop-message: expected one message id")),
        },
        other => return Err(err(line, format!("unknown command `{other}`; expected one of {USAGE}"))),
    })
}

/// Parses a whole script, golden blocks included.
pub fn parse(text: &str) -> Result<Script, Error> {
    let lines: Vec<&str> = text.lines().collect();
    let mut script = Script::default();
    let mut lead = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        let body = raw.split('#').next().unwrap_or("").trim();
        if body.is_empty() {
            if raw.trim() == "----" {
                return Err(err(line_no, "`----` must follow a command"));
            }
            lead.push(raw.to_string());
            i += 1;
            continue;
        }
        if body == "----" {
            return Err(err(line_no, "`----` must follow a command"));
        }
        let command = parse_command(line_no, body)?;
        i += 1;
        let mut expected = None;
        if i < lines.len() && lines[i].trim() == "----" {
            i += 1;
            let mut out = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() {
                out.push(lines[i].to_string());
                i += 1;
            }
            expected = Some(out);
        }
        script.chunks.push(Chunk { lead: std::mem::take(&mut lead), line_no, text: raw.to_string(), command, expected });
    }
    script.tail = lead;
    Ok(script)
}

/// What one command did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub line_no: usize,
    pub text: String,
    pub output: Vec<String>,
    /// An expectation that did not hold, or an action that failed.
    pub failure: Option<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    pub seed: Option<u64>,
}

impl Report {
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.failure.is_some())
    }

    /// Commands whose output differs from the golden block in `script`.
    pub fn golden_mismatches<'a>(&'a self, script: &'a Script) -> Vec<(&'a Chunk, &'a Outcome)> {
        script
            .chunks
            .iter()
            .zip(&self.outcomes)
            .filter(|(c, o)| c.expected.as_ref().is_some_and(|e| *e != o.output))
            .collect()
    }

    /// The script text with every command's golden block replaced by what
    /// happened in this run.
    pub fn rewrite(&self, script: &Script) -> String {
        let mut out = String::new();
        for (i, c) in script.chunks.iter().enumerate() {
            for l in &c.lead {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(&c.text);
            out.push('\n');
            out.push_str("----\n");
            if let Some(o) = self.outcomes.get(i) {
                for l in &o.output {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            let next_lead_blank = script.chunks.get(i + 1).is_some_and(|n| n.lead.first().is_some_and(|l| l.trim().is_empty()));
            if !next_lead_blank && i + 1 < script.chunks.len() {
                out.push('\n');
            }
        }
        if !script.tail.is_empty() {
            if !script.tail[0].trim().is_empty() {
                out.push('\n');
            }
            for l in &script.tail {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

/// Runs a script. `extra_sink` (e.g. a full JSONL trace) is attached to the
/// cluster when it is created. Stops at the first command that cannot run.
pub fn run(script: &Script, mut extra_sink: Option<Box<dyn Sink>>) -> Report {
    let mut report = Report::default();
    let collector = Rc::new(RefCell::new(TextCollector::default()));
    let mut cluster: Option<Cluster> = None;
    for chunk in &script.chunks {
        let mut outcome = Outcome { line_no: chunk.line_no, text: chunk.text.clone(), output: Vec::new(), failure: None };
        let result = step(chunk, &mut cluster, &collector, &mut extra_sink, &mut outcome.output);
        outcome.output.extend(collector.borrow_mut().lines.drain(..).map(|l| format!("  {l}").trim_end().to_string()));
        let stop = match result {
            Ok(None) => false,
            Ok(Some(failed_expectation)) => {
                outcome.failure = Some(failed_expectation);
                false
            }
            Err(e) => {
                outcome.output.push(format!("error: {e}"));
                outcome.failure = Some(format!("line {}: {e}", chunk.line_no));
                true
            }
        };
        if let Some(c) = &cluster {
            report.seed = Some(c.seed());
        }
        report.outcomes.push(outcome);
        if stop {
            break;
        }
    }
    if let Some(c) = cluster.as_mut() {
        c.flush_sinks();
    }
    report
}

/// Runs one command of a script. Ok(Some(msg)) is a failed expectation.
fn step(
    chunk: &Chunk,
    cluster: &mut Option<Cluster>,
    collector: &Rc<RefCell<TextCollector>>,
    extra_sink: &mut Option<Box<dyn Sink>>,
    output: &mut Vec<String>,
) -> Result<Option<String>, Error> {
    if let Command::Cluster(pairs) = &chunk.command {
        if cluster.is_some() {
            return Err(Error::new("cluster", "a script starts one cluster; this one already has it"));
        }
        let config = ClusterConfig::from_pairs(pairs)?;
        let mut c = Cluster::new(&config)?;
        c.add_sink(Box::new(collector.clone()));
        if let Some(s) = extra_sink.take() {
            c.add_sink(s);
        }
        let words: Vec<String> = config.to_pairs(c.seed()).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        output.push(format!("  {}", words.join(" ")));
        // Allowed, and worth watching, but said where the run starts.
        output.extend(c.warnings().into_iter().map(|w| format!("  warning: {w}")));
        *cluster = Some(c);
        return Ok(None);
    }
    let c = cluster
        .as_mut()
        .ok_or_else(|| Error::new(chunk.command_name(), "no cluster yet: start the script with `cluster model=nacos nodes=5 seed=7`"))?;
    collector.borrow_mut().filter = match &chunk.command {
        Command::Run { filter, .. } => filter.clone(),
        _ => Filter::Default,
    };
    apply(c, &chunk.command, output)
}

/// Carries out one command on a running cluster: an action, a run, or an
/// expectation (whose result goes to `output`). Ok(Some(msg)) is a failed
/// expectation. `cluster` commands are refused: a cluster starts once.
pub fn apply(c: &mut Cluster, command: &Command, output: &mut Vec<String>) -> Result<Option<String>, Error> {
    match command {
        Command::Cluster(_) => Err(Error::new("cluster", "the cluster is already running")),
        Command::Run { span, .. } => {
            let end = match span {
                Span::For(d) => c.now().saturating_add(*d),
                Span::Until(t) => {
                    if *t < c.now() {
                        return Err(Error::new("until", format!("{} is in the past (now {})", format_duration(*t), format_duration(c.now()))));
                    }
                    *t
                }
            };
            c.run_until(end);
            Ok(None)
        }
        Command::Expect(e) => check(c, e, output),
        // Only the page stops for a reader.
        Command::Pause => Ok(None),
        action => act(c, action).map(|()| None),
    }
}

/// Carries out an action (crash, partition, drop-beats, network, ...) now.
/// `cluster`, `run` and `expect` are not actions and are refused. The page
/// and fault schedules use this alone, so they do not carry the
/// expectation checker.
pub fn act(c: &mut Cluster, command: &Command) -> Result<(), Error> {
    match command {
        Command::Cluster(_) | Command::Run { .. } | Command::Expect(_) | Command::Pause => return Err(Error::new("command", NOT_AN_ACTION)),
        Command::Crash(n) => {
            let id = c.resolve("node", n)?;
            c.crash(id)?;
        }
        Command::Restart(n) => {
            let id = c.resolve("node", n)?;
            c.restart(id)?;
        }
        Command::Timeout(n) => {
            let id = c.resolve("node", n)?;
            c.force_timeout(id)?;
        }
        Command::Isolate(n) => {
            let id = c.resolve("node", n)?;
            c.isolate(id)?;
        }
        Command::Partition(groups) => {
            let mut ids = Vec::new();
            for g in groups {
                ids.push(g.iter().map(|n| c.resolve("groups", n)).collect::<Result<Vec<_>, _>>()?);
            }
            c.partition(&ids)?;
        }
        Command::Heal => c.heal(),
        Command::AlignTimers => c.align_timers()?,
        Command::SpreadTimers => c.spread_timers()?,
        Command::Cut { from, to, both } | Command::Restore { from, to, both } => {
            let (a, b) = (c.resolve("from", from)?, c.resolve("to", to)?);
            let cut = matches!(command, Command::Cut { .. });
            for (x, y) in if *both { vec![(a, b), (b, a)] } else { vec![(a, b)] } {
                if cut {
                    c.cut(x, y)?;
                } else {
                    c.restore(x, y)?;
                }
            }
        }
        Command::DropBeats { scope, count } => {
            let scope = match scope {
                ScopeRef::All => BeatScope::All,
                ScopeRef::From(n) => BeatScope::From(c.resolve("from", n)?),
                ScopeRef::To(n) => BeatScope::To(c.resolve("to", n)?),
                ScopeRef::Link(a, b) => BeatScope::Link(c.resolve("from", a)?, c.resolve("to", b)?),
            };
            c.drop_beats(scope, *count)?;
        }
        Command::AllowBeats(None) => c.clear_rules(),
        Command::AllowBeats(Some(id)) => c.remove_rule(*id)?,
        Command::DropMessage(id) => c.drop_message(*id)?,
        Command::Network(pairs) => c.set_network(network_update(&c.network(), pairs)?)?,
        Command::PeriodicCrash(schedule) => c.set_periodic_crash(*schedule)?,
    }
    Ok(())
}

/// The current network settings with `pairs` (latency=, loss=, ...) applied.
fn network_update(current: &NetworkConfig, pairs: &[(String, Value)]) -> Result<NetworkConfig, Error> {
    let mut next = current.clone();
    for (k, v) in pairs {
        let canon = crate::cluster::canonical_key(k).filter(|c| c.starts_with("network."));
        let Some(canon) = canon else {
            return Err(Error::new(k.as_str(), "network takes latency=, latencyMin=, latencyMax= and loss= only"));
        };
        // Reuse the config parser for the value rules, on a config holding only this key.
        let one = ClusterConfig::from_pairs_unchecked(&[(canon.to_string(), v.clone())])?;
        match canon {
            "network.latency" => {
                next.latency_min = one.network.latency_min;
                next.latency_max = one.network.latency_max;
            }
            "network.latencyMin" => next.latency_min = one.network.latency_min,
            "network.latencyMax" => next.latency_max = one.network.latency_max,
            _ => next.loss = one.network.loss,
        }
    }
    next.validate()?;
    Ok(next)
}

fn names(ids: &[NodeId]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(", ")
    }
}

/// Checks an expectation; writes "ok: ..." or "FAIL: ..." to the output.
fn check(c: &Cluster, e: &Expectation, output: &mut Vec<String>) -> Result<Option<String>, Error> {
    let leaders = c.leaders();
    let (ok, what): (bool, String) = match e {
        Expectation::Leader(want) => {
            let desc = format!("leaders: {}", names(&leaders));
            match (leaders.as_slice(), want) {
                ([l], None) => (true, format!("S{l} is the leader (term {})", c.node_view(*l).term)),
                ([l], Some((cmp, n))) => {
                    let id = c.resolve("node", n)?;
                    let ok = if *cmp == Cmp::Eq { *l == id } else { *l != id };
                    (ok, format!("leader S{l} {} S{id}", cmp.as_str()))
                }
                _ => (false, format!("expected exactly one leader; {desc}")),
            }
        }
        Expectation::NoLeader => (leaders.is_empty(), format!("leaders: {}", names(&leaders))),
        Expectation::Leaders(n) => (leaders.len() == *n as usize, format!("{} leaders: {}", leaders.len(), names(&leaders))),
        Expectation::Term { node, cmp, value } => {
            let (who, term) = match node {
                Some(n) => {
                    let id = c.resolve("node", n)?;
                    (format!("S{id}"), c.node_view(id).term)
                }
                None => match leaders.as_slice() {
                    [l] => (format!("leader S{l}"), c.node_view(*l).term),
                    _ => return fail(output, format!("term of the leader: there is no single leader ({})", names(&leaders))),
                },
            };
            (cmp.holds(term, *value), format!("{who} term {term} {} {value}", cmp.as_str()))
        }
        Expectation::Role(n, want) => {
            let id = c.resolve("node", n)?;
            let v = c.node_view(id);
            let actual = if v.alive { RoleOrDown::Role(v.role) } else { RoleOrDown::Down };
            let show = |r: RoleOrDown| match r {
                RoleOrDown::Role(r) => r.as_str().to_string(),
                RoleOrDown::Down => "down".to_string(),
            };
            (actual == *want, format!("S{id} is {} (expected {})", show(actual), show(*want)))
        }
        Expectation::KnownLeader(n, want) | Expectation::VotedFor(n, want) => {
            let id = c.resolve("node", n)?;
            let want = match want {
                Some(w) => Some(c.resolve("node", w)?),
                None => None,
            };
            let v = c.node_view(id);
            let (has, what) = if matches!(e, Expectation::KnownLeader(..)) { (v.leader, "knows leader") } else { (v.vote_for, "voted for") };
            let show = |x: Option<NodeId>| x.map_or("none".to_string(), |l| format!("S{l}"));
            (has == want, format!("S{id} {what} {} (expected {})", show(has), show(want)))
        }
        Expectation::NoViolations => {
            let m = c.monitor();
            let first = ViolationKind::ALL.iter().filter_map(|k| m.first(*k)).min_by_key(|f| f.t).map(|f| format!("; first: {}", f.describe())).unwrap_or_default();
            (m.total() == 0, format!("{} violations{first}", m.total()))
        }
        Expectation::Violation(k) | Expectation::NoViolation(k) => {
            let m = c.monitor();
            let n = m.count(*k);
            let first = m.first(*k).map(|f| format!("; first at {}: {}", crate::time::fmt_ms(f.t as i64), f.describe())).unwrap_or_default();
            let want_some = matches!(e, Expectation::Violation(_));
            (want_some == (n > 0), format!("{n} {} findings{first}", k.as_str()))
        }
    };
    if ok {
        output.push(format!("  ok: {what}"));
        Ok(None)
    } else {
        fail(output, what)
    }
}

fn fail(output: &mut Vec<String>, what: String) -> Result<Option<String>, Error> {
    output.push(format!("  FAIL: {what}"));
    Ok(Some(what))
}

impl Chunk {
    fn command_name(&self) -> &str {
        self.text.split_whitespace().next().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_line_and_what_was_expected() {
        let cases = [
            ("cluster nodes=5\nfly away", "line 2", "unknown command `fly`"),
            ("run 25s", "line 1", "expected for=DURATION or until=TIME"),
            ("run for=25", "line 1", "needs a unit"),
            ("crash", "line 1", "expected one node"),
            ("cut 1-2", "line 1", "expected a link like 1->2"),
            ("drop-beats count=0 all", "line 1", "at least 1"),
            ("expect term >> 3", "line 1", "expected ==, !=, >=, <=, > or <"),
            ("expect violation bad-thing", "line 1", "two-leaders"),
            ("expect role 3 king", "line 1", "expected follower"),
            ("\n\n----", "line 3", "must follow a command"),
            ("cluster nodes=3\npause here", "line 2", "pause: takes nothing after it"),
            ("periodic-crash", "line 1", "expected every=DURATION [down=DURATION]"),
            ("periodic-crash soon", "line 1", "expected every=DURATION [down=DURATION]"),
            ("periodic-crash down=5s", "line 1", "expected every=DURATION [down=DURATION]"),
            ("periodic-crash every=3", "line 1", "needs a unit"),
            ("periodic-crash every=5s wait=1s", "line 1", "unknown setting `wait`"),
            ("periodic-crash every=1s down=2d", "line 1", "unknown unit"),
        ];
        for (src, field, rule) in cases {
            let e = parse(src).unwrap_err();
            assert_eq!(e.field, field, "{src}: {e}");
            assert!(e.rule.contains(rule), "{src}: {e}");
        }
    }

    #[test]
    fn golden_blocks_are_read_and_rewritten_in_place() {
        let src = "# a comment\ncluster nodes=3 seed=1\n----\n  stale\n\nrun for=1s trace=none\n----\n\n# tail\n";
        let s = parse(src).unwrap();
        assert_eq!(s.chunks.len(), 2);
        assert_eq!(s.chunks[0].expected, Some(vec!["  stale".to_string()]));
        assert_eq!(s.chunks[1].expected, Some(vec![]));
        let report = run(&s, None);
        assert_eq!(report.golden_mismatches(&s).len(), 1);
        let rewritten = report.rewrite(&s);
        let again = parse(&rewritten).unwrap();
        assert!(run(&again, None).golden_mismatches(&again).is_empty(), "{rewritten}");
        assert!(rewritten.starts_with("# a comment\ncluster nodes=3 seed=1\n----\n  model=nacos nodes=3 seed=1\n"));
        assert!(rewritten.ends_with("# tail\n"));
    }

    #[test]
    fn runtime_errors_stop_the_script_with_the_line() {
        let s = parse("cluster nodes=3 seed=1\ncrash 9\nrun for=1s").unwrap();
        let r = run(&s, None);
        assert_eq!(r.outcomes.len(), 2);
        let f = r.outcomes[1].failure.as_ref().unwrap();
        assert!(f.contains("line 2") && f.contains("node 9 does not exist"), "{f}");
        let s = parse("run for=1s").unwrap();
        assert!(run(&s, None).outcomes[0].failure.as_ref().unwrap().contains("no cluster yet"));
        for (every, rule) in [("every=0s", "every: must be from 1ms to 24h, got 0ms"), ("every=25h", "every: must be from 1ms to 24h"), ("every=1s down=25h", "down: must be at most 24h")] {
            let r = run(&parse(&format!("cluster nodes=3 seed=1\nperiodic-crash {every}")).unwrap_or_else(|e| panic!("{every}: {e}")), None);
            let f = r.outcomes[1].failure.as_ref().unwrap();
            assert!(f.contains("line 2") && f.contains(rule), "{every}: {f}");
        }
    }

    #[test]
    fn voted_for_reads_each_nodes_vote_in_its_term() {
        // Seed 7: S1 wins term 1 while S4 stands too (the Raft tour's start).
        let votes: String = (1..=5).map(|k| format!("\nexpect voted-for S{k} S1")).collect();
        let s = parse(&format!("cluster model=raft nodes=5 seed=7\nrun until=300ms\nexpect leader S1{votes}\nexpect voted-for S4 S4")).unwrap();
        let r = run(&s, None);
        let for_s1 = r.outcomes[3..8].iter().filter(|o| o.output[0].starts_with("  ok: ")).count();
        assert!(for_s1 >= 3, "a leader of five has at least three votes: {:?}", r.outcomes);
        assert!(r.outcomes[6].output[0].starts_with("  FAIL: S4 voted for S4 (expected S1)"), "{:?}", r.outcomes[6]);
        assert!(r.outcomes[8].output[0].starts_with("  ok: S4 voted for S4"));
        // Before any election nobody has voted; an unknown node stops the script.
        let s = parse("cluster model=raft nodes=3 seed=7\nexpect voted-for 2 none\nexpect voted-for 4 none").unwrap();
        let r = run(&s, None);
        assert!(r.outcomes[1].output[0].starts_with("  ok: S2 voted for none"));
        assert!(r.outcomes[2].failure.as_ref().unwrap().contains("node 4 does not exist"));
        let e = parse("expect voted-for S1").unwrap_err();
        assert!(e.rule.contains("voted-for NODE NODE|none"), "{e}");
    }

    #[test]
    fn failed_expectations_are_reported_not_fatal() {
        let s = parse("cluster nodes=3 seed=1\nexpect leader\nexpect no-leader").unwrap();
        let r = run(&s, None);
        assert_eq!(r.failures().count(), 1);
        assert!(r.outcomes[1].output[0].starts_with("  FAIL: expected exactly one leader"));
        assert!(r.outcomes[2].output[0].starts_with("  ok:"));
    }
}
