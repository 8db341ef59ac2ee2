//! The trace: every event with its time, node, term and details.
//!
//! Events are rendered only by the sinks that want them, as one JSON object
//! per line (`{"t_ms":12345.678,"node":3,"event":"receivedBeat","term":2,...}`)
//! or as a plain-language line. Sinks stream (CLI) or keep a bounded window
//! (the page), so a long run never grows memory.

use crate::json::{json_num, json_opt, json_str};
use crate::protocol::data::{OpId, OpKind, Outcome};
use crate::protocol::{MessageKind, Micros, NodeId, Note, RequestError, Role, WireSize};
use crate::sim::monitor::Finding;
use crate::sim::network::DropReason;
use crate::time::{fmt_ms, fmt_ms_fixed, MsJson};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Write;
use std::rc::Rc;

/// What happened. Model notes are borrowed as trait objects, so this type
/// (and its renderers) exists once, not once per model.
#[derive(Clone)]
pub enum EventKind<'a> {
    /// A model step, named after the original method (sendVote, receivedBeat...).
    Protocol(&'a dyn Note),
    /// The node's tasks start (its tick phase is this time).
    Boot,
    /// A node's role changed.
    Role {
        from: Role,
        to: Role,
    },
    Send {
        id: u64,
        kind: MessageKind,
        to: NodeId,
        due: Micros,
        /// Datums or keys it carries, and its size (only when it carries some).
        load: Option<(u32, WireSize)>,
        /// HTTP: how many times TCP sent it again after a loss (its `due`
        /// includes the retransmission timeouts). 0 for datagrams.
        resent: u32,
    },
    /// HTTP: a request or reply that cannot pass a partition or cut link
    /// waits at it until its connection's timeout fails the request at `until`.
    Stall {
        id: u64,
        kind: MessageKind,
        to: NodeId,
        until: Micros,
        reason: DropReason,
    },
    /// HTTP: a request ended without its reply; the client's error callback runs.
    RequestFailed {
        id: u64,
        kind: MessageKind,
        to: NodeId,
        error: RequestError,
        sent: Micros,
    },
    Drop {
        id: u64,
        kind: MessageKind,
        from: NodeId,
        to: NodeId,
        reason: DropReason,
    },
    Crash,
    Restart,
    /// A stop-the-world stall (a long GC pause) until `until`.
    Pause {
        until: Micros,
    },
    /// The stall is over: what waited runs now.
    Resume {
        since: Micros,
    },
    /// The step just run changed what the node must sync before it speaks
    /// (`diskWrite`): `state` writes of its term and vote, and its log if
    /// `log`. Nothing runs on it until `until`; what it sends leaves then.
    DiskWrite {
        until: Micros,
        state: u32,
        log: bool,
    },
    /// The user forced an election timeout (the model's note follows).
    Timeout,
    /// The user moved a node's election clock: it now runs out at `due`,
    /// with `peer`'s (align: as close after it as the model allows) or
    /// after it (spread); `peer_due` is when `peer`'s runs out.
    ElectionClockSet {
        due: Micros,
        by: ClockSetBy,
        peer: NodeId,
        peer_due: Micros,
    },
    Partition {
        groups: String,
    },
    Heal,
    Cut {
        from: NodeId,
        to: NodeId,
    },
    Restore {
        from: NodeId,
        to: NodeId,
    },
    RuleAdded {
        id: u32,
        what: String,
    },
    RuleRemoved {
        id: u32,
        expired: bool,
    },
    Network {
        what: String,
    },
    Violation(Finding),
    /// An overlap of two or more leaders ended.
    LeadersResolved {
        since: Micros,
    },
    /// The client sends a write or delete (to no node when it found none).
    ClientRequest {
        op: OpId,
        kind: OpKind,
        key: &'a str,
        via: Option<NodeId>,
    },
    /// The client resends a request to the leader a node named.
    ClientRedirect {
        op: OpId,
        to: NodeId,
    },
    /// The client got its answer.
    ClientResult {
        op: OpId,
        kind: OpKind,
        key: &'a str,
        outcome: Outcome,
        invoked: Micros,
    },
    /// The workload started, changed or stopped.
    Workload {
        what: String,
    },
}

/// The action that moved an election clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockSetBy {
    Align,
    Spread,
}

impl ClockSetBy {
    /// The script command.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockSetBy::Align => "align-timers",
            ClockSetBy::Spread => "spread-timers",
        }
    }
}

#[derive(Clone)]
pub struct TraceEvent<'a> {
    pub t: Micros,
    pub node: Option<NodeId>,
    pub term: Option<u64>,
    pub kind: EventKind<'a>,
}

/// A trace event seen through the model-independent lens the sinks use.
pub trait Record {
    fn t(&self) -> Micros;
    fn node(&self) -> Option<NodeId>;
    fn name(&self) -> &'static str;
    /// "election", "beat", "network", "fault", "monitor", "role", "boot".
    fn category(&self) -> &'static str;
    /// Steady-state chatter (see [`Note::routine`]); every send is routine.
    fn routine(&self) -> bool;
    fn write_json(&self, out: &mut String);
    fn write_text(&self, out: &mut String);
}

impl Record for TraceEvent<'_> {
    fn t(&self) -> Micros {
        self.t
    }
    fn node(&self) -> Option<NodeId> {
        self.node
    }
    fn name(&self) -> &'static str {
        match &self.kind {
            EventKind::Protocol(n) => n.name(),
            EventKind::Boot => "boot",
            EventKind::Role { .. } => "role",
            EventKind::Send { .. } => "send",
            EventKind::Drop { .. } => "drop",
            EventKind::Stall { .. } => "stall",
            EventKind::RequestFailed { .. } => "requestFailed",
            EventKind::Crash => "crash",
            EventKind::Restart => "restart",
            EventKind::Pause { .. } => "pause",
            EventKind::Resume { .. } => "resume",
            EventKind::DiskWrite { .. } => "diskWrite",
            EventKind::Timeout => "timeout",
            EventKind::ElectionClockSet { .. } => "clock-set",
            EventKind::Partition { .. } => "partition",
            EventKind::Heal => "heal",
            EventKind::Cut { .. } => "cut",
            EventKind::Restore { .. } => "restore",
            EventKind::RuleAdded { .. } => "drop-rule",
            EventKind::RuleRemoved { .. } => "drop-rule-removed",
            EventKind::Network { .. } => "network",
            EventKind::Violation(_) => "violation",
            EventKind::LeadersResolved { .. } => "leaders-resolved",
            EventKind::ClientRequest { .. } => "clientRequest",
            EventKind::ClientResult { .. } => "clientResult",
            EventKind::ClientRedirect { .. } => "clientRedirect",
            EventKind::Workload { .. } => "workload",
        }
    }
    fn category(&self) -> &'static str {
        match &self.kind {
            EventKind::Protocol(n) => n.category(),
            EventKind::Boot => "boot",
            EventKind::Role { .. } => "role",
            EventKind::Send { .. }
            | EventKind::Drop { .. }
            | EventKind::Stall { .. }
            | EventKind::RequestFailed { .. } => "network",
            EventKind::Crash
            | EventKind::Restart
            | EventKind::Pause { .. }
            | EventKind::Resume { .. }
            | EventKind::Timeout
            | EventKind::ElectionClockSet { .. } => "fault",
            EventKind::Partition { .. }
            | EventKind::Heal
            | EventKind::Cut { .. }
            | EventKind::Restore { .. } => "fault",
            EventKind::RuleAdded { .. }
            | EventKind::RuleRemoved { .. }
            | EventKind::Network { .. } => "fault",
            EventKind::Violation(_) | EventKind::LeadersResolved { .. } => "monitor",
            EventKind::DiskWrite { state: 0, .. } => "data",
            EventKind::DiskWrite { .. } => "election",
            EventKind::ClientRequest { .. }
            | EventKind::ClientResult { .. }
            | EventKind::ClientRedirect { .. }
            | EventKind::Workload { .. } => "client",
        }
    }

    fn routine(&self) -> bool {
        match &self.kind {
            EventKind::Protocol(n) => n.routine(),
            // The model's error callback notes what matters of a failure.
            EventKind::Send { .. } | EventKind::Stall { .. } | EventKind::RequestFailed { .. } => {
                true
            }
            _ => false,
        }
    }

    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{{\"t_ms\":{}", MsJson(self.t as i64));
        match self.node {
            Some(n) => json_num(out, "node", n),
            None => out.push_str(",\"node\":null"),
        }
        json_str(out, "event", self.name());
        json_opt(out, "term", self.term);
        match &self.kind {
            EventKind::Protocol(n) => n.write_json(out),
            EventKind::Boot
            | EventKind::Crash
            | EventKind::Restart
            | EventKind::Timeout
            | EventKind::Heal => {}
            EventKind::Role { from, to } => {
                json_str(out, "from", from.as_str());
                json_str(out, "to", to.as_str());
            }
            EventKind::Send {
                id,
                kind,
                to,
                due,
                load,
                resent,
            } => {
                json_num(out, "id", id);
                json_str(out, "kind", kind.as_str());
                json_num(out, "to", to);
                json_num(out, "due_ms", MsJson(*due as i64));
                if let Some((entries, size)) = load {
                    json_num(out, "entries", entries);
                    json_num(out, "bytes", size.json);
                    json_num(out, "gzip_bytes", size.gzip);
                }
                if *resent > 0 {
                    json_num(out, "resent", resent);
                }
            }
            EventKind::Stall {
                id,
                kind,
                to,
                until,
                reason,
            } => {
                json_num(out, "id", id);
                json_str(out, "kind", kind.as_str());
                json_num(out, "to", to);
                json_num(out, "until_ms", MsJson(*until as i64));
                json_str(out, "reason", reason.as_str());
            }
            EventKind::RequestFailed {
                id,
                kind,
                to,
                error,
                sent,
            } => {
                json_num(out, "id", id);
                json_str(out, "kind", kind.as_str());
                json_num(out, "to", to);
                json_str(out, "error", error.as_str());
                json_num(out, "sent_ms", MsJson(*sent as i64));
            }
            EventKind::Pause { until } => json_num(out, "until_ms", MsJson(*until as i64)),
            EventKind::Resume { since } => json_num(out, "since_ms", MsJson(*since as i64)),
            EventKind::DiskWrite { until, state, log } => {
                json_num(out, "until_ms", MsJson(*until as i64));
                json_num(out, "state_writes", state);
                json_num(out, "log", log);
            }
            EventKind::Drop {
                id,
                kind,
                from,
                to,
                reason,
            } => {
                json_num(out, "id", id);
                json_str(out, "kind", kind.as_str());
                json_num(out, "from", from);
                json_num(out, "to", to);
                json_str(out, "reason", reason.as_str());
                if let DropReason::BeatRule(r) = reason {
                    json_num(out, "rule", r);
                }
            }
            EventKind::ElectionClockSet {
                due,
                by,
                peer,
                peer_due,
            } => {
                json_num(out, "due_ms", MsJson(*due as i64));
                json_str(out, "by", by.as_str());
                json_num(out, "peer", peer);
                json_num(out, "peer_due_ms", MsJson(*peer_due as i64));
            }
            EventKind::Partition { groups } => json_str(out, "groups", groups),
            EventKind::Cut { from, to } | EventKind::Restore { from, to } => {
                json_num(out, "from", from);
                json_num(out, "to", to);
            }
            EventKind::RuleAdded { id, what } => {
                json_num(out, "rule", id);
                json_str(out, "what", what);
            }
            EventKind::RuleRemoved { id, expired } => {
                json_num(out, "rule", id);
                json_num(out, "expired", expired);
            }
            EventKind::Network { what } => json_str(out, "what", what),
            EventKind::Violation(f) => f.write_json(out),
            EventKind::LeadersResolved { since } => {
                json_num(out, "since_ms", MsJson(*since as i64))
            }
            EventKind::ClientRequest { op, kind, key, via } => {
                json_num(out, "op", op);
                json_str(out, "kind", kind.as_str());
                json_str(out, "key", key);
                json_opt(out, "via", *via);
            }
            EventKind::ClientRedirect { op, to } => {
                json_num(out, "op", op);
                json_num(out, "to", to);
            }
            EventKind::ClientResult {
                op,
                kind,
                key,
                outcome,
                invoked,
            } => {
                json_num(out, "op", op);
                json_str(out, "kind", kind.as_str());
                json_str(out, "key", key);
                json_num(out, "ok", outcome.is_ok());
                if let Err(f) = outcome {
                    json_str(out, "reason", f.as_str());
                }
                json_num(out, "invoked_ms", MsJson(*invoked as i64));
            }
            EventKind::Workload { what } => json_str(out, "what", what),
        }
        out.push('}');
    }

    fn write_text(&self, out: &mut String) {
        let _ = match &self.kind {
            EventKind::Protocol(n) => {
                n.write_text(out);
                Ok(())
            }
            EventKind::Boot => write!(out, "timers start"),
            EventKind::Role { from, to } => write!(out, "{from} → {to}"),
            EventKind::Send { id, kind, to, due, load, resent } => {
                let _ = write!(out, "#{id} {} to S{to}, due {}", kind.as_str(), fmt_ms(*due as i64));
                if let Some((n, size)) = load {
                    let _ = write!(out, " ({n} entries, {} bytes)", size.gzip);
                }
                match resent {
                    0 => Ok(()),
                    n => write!(out, " (lost and resent {n}×)"),
                }
            }
            EventKind::Stall { id, kind, to, until, reason } => write!(
                out,
                "#{id} {} to S{to} stalls ({}): no connection; fails at {}",
                kind.as_str(),
                reason.as_str(),
                fmt_ms(*until as i64)
            ),
            EventKind::RequestFailed { id, kind, to, error, sent } => write!(
                out,
                "#{id} {} to S{to} failed: {} after {}",
                kind.as_str(),
                error.describe(),
                fmt_ms(self.t.saturating_sub(*sent) as i64)
            ),
            EventKind::Drop { id, kind, from, to, reason } => {
                let why = match reason {
                    DropReason::BeatRule(r) => format!("drop rule #{r}"),
                    other => other.as_str().to_string(),
                };
                write!(out, "#{id} {} S{from}→S{to} lost ({why})", kind.as_str())
            }
            EventKind::Crash => write!(out, "crashed: timers stop, messages to it are lost"),
            EventKind::Restart => write!(out, "restarted: volatile state lost"),
            EventKind::Pause { until } => write!(
                out,
                "paused until {}: nothing runs; messages and clients wait",
                fmt_ms(*until as i64)
            ),
            EventKind::Resume { since } => write!(
                out,
                "resumes after {} paused: what waited runs now",
                fmt_ms(self.t.saturating_sub(*since) as i64)
            ),
            EventKind::DiskWrite { until, state, log } => {
                let what = match (state, log) {
                    (0, _) => "its log".to_string(),
                    (1, false) => "its term and vote".to_string(),
                    (n, false) => format!("its term and vote ({n} writes)"),
                    (1, true) => "its term and vote, then its log".to_string(),
                    (n, true) => format!("its term and vote ({n} writes), then its log"),
                };
                write!(
                    out,
                    "syncs {what} to disk until {}: nothing else runs; what it sends leaves then",
                    fmt_ms(*until as i64)
                )
            }
            EventKind::Timeout => write!(out, "election timeout forced"),
            EventKind::ElectionClockSet { due, by: ClockSetBy::Align, peer, peer_due } if due == peer_due => {
                write!(out, "align-timers: election clock set to run out with S{peer}'s, at {}", fmt_ms(*due as i64))
            }
            EventKind::ElectionClockSet { due, by: ClockSetBy::Align, peer, peer_due } => write!(
                out,
                "align-timers: election clock set to run out as soon after S{peer}'s ({}) as it can: at {}",
                fmt_ms(*peer_due as i64),
                fmt_ms(*due as i64)
            ),
            EventKind::ElectionClockSet { due, by: ClockSetBy::Spread, peer, peer_due } => write!(
                out,
                "spread-timers: election clock moved to run out after S{peer}'s ({}): at {}",
                fmt_ms(*peer_due as i64),
                fmt_ms(*due as i64)
            ),
            EventKind::Partition { groups } => write!(out, "network partitioned: {groups}"),
            EventKind::Heal => write!(out, "network healed"),
            EventKind::Cut { from, to } => write!(out, "link S{from}→S{to} cut"),
            EventKind::Restore { from, to } => write!(out, "link S{from}→S{to} restored"),
            EventKind::RuleAdded { id, what } => write!(out, "rule #{id}: {what}"),
            EventKind::RuleRemoved { id, expired } => {
                write!(out, "rule #{id} {}", if *expired { "spent" } else { "removed" })
            }
            EventKind::Network { what } => write!(out, "network: {what}"),
            EventKind::Violation(f) => write!(out, "{}", f.describe()),
            EventKind::LeadersResolved { since } => {
                write!(out, "only one leader again (overlap since {})", fmt_ms(*since as i64))
            }
            EventKind::ClientRequest { op, kind, key, via: Some(n) } => {
                write!(out, "{} {key} (#{op}) sent to S{n}", kind.as_str())
            }
            EventKind::ClientRequest { op, kind, key, via: None } => {
                write!(out, "{} {key} (#{op}): no node to send it to", kind.as_str())
            }
            EventKind::ClientResult { op, kind, key, outcome: Ok(()), invoked } => write!(
                out,
                "{} {key} (#{op}) ok after {}",
                kind.as_str(),
                fmt_ms(self.t.saturating_sub(*invoked) as i64)
            ),
            EventKind::ClientResult { op, kind, key, outcome: Err(f), .. } => {
                write!(out, "{} {key} (#{op}) failed: {}", kind.as_str(), f.describe())
            }
            EventKind::ClientRedirect { op, to } => write!(out, "#{op} resent to S{to}"),
            EventKind::Workload { what } => write!(out, "workload {what}"),
        };
    }
}

/// Renders one record as the text format's line: time, node, event, detail.
pub fn text_line(r: &dyn Record, out: &mut String) {
    let _ = write!(out, "{:>14} ", fmt_ms_fixed(r.t() as i64));
    match r.node() {
        Some(n) => {
            let _ = write!(out, "S{n:<3} ");
        }
        None => out.push_str("--   "),
    }
    let _ = write!(out, "{}: ", r.name());
    r.write_text(out);
}

/// Where trace events go.
pub trait Sink {
    fn record(&mut self, r: &dyn Record);
    fn flush(&mut self) {}
}

/// Output format of a streaming sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Text,
}

/// Streams every event to a writer (a file, stdout).
pub struct WriterSink<W: Write> {
    writer: W,
    format: Format,
    line: String,
    pub error: Option<std::io::Error>,
}

impl<W: Write> WriterSink<W> {
    pub fn new(writer: W, format: Format) -> Self {
        WriterSink {
            writer,
            format,
            line: String::new(),
            error: None,
        }
    }
}

impl<W: Write> Sink for WriterSink<W> {
    fn record(&mut self, r: &dyn Record) {
        if self.error.is_some() {
            return;
        }
        self.line.clear();
        match self.format {
            Format::Jsonl => r.write_json(&mut self.line),
            Format::Text => text_line(r, &mut self.line),
        }
        self.line.push('\n');
        if let Err(e) = self.writer.write_all(self.line.as_bytes()) {
            self.error = Some(e);
        }
    }
    fn flush(&mut self) {
        if let Err(e) = self.writer.flush() {
            self.error.get_or_insert(e);
        }
    }
}

/// Keeps the most recent events as JSON lines, up to a bound; the page
/// drains it every frame. Events pushed out before a drain are counted.
#[derive(Debug, Default)]
pub struct Window {
    lines: VecDeque<String>,
    capacity: usize,
    /// Events that fell out of the window before anyone read them.
    pub overflowed: u64,
    /// Add a "text" field with the plain-language line to every event.
    pub with_text: bool,
}

impl Window {
    pub fn new(capacity: usize, with_text: bool) -> Self {
        Window {
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            overflowed: 0,
            with_text,
        }
    }

    /// The buffered events as a JSON array, emptying the window.
    pub fn drain_json_array(&mut self) -> String {
        let mut out =
            String::with_capacity(self.lines.iter().map(|l| l.len() + 1).sum::<usize>() + 2);
        out.push('[');
        for (i, l) in self.lines.drain(..).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&l);
        }
        out.push(']');
        out
    }

    pub fn drain_lines(&mut self) -> Vec<String> {
        self.lines.drain(..).collect()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl Sink for Window {
    fn record(&mut self, r: &dyn Record) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
            self.overflowed += 1;
        }
        let mut line = String::with_capacity(128);
        r.write_json(&mut line);
        if self.with_text {
            line.pop();
            line.push_str(",\"cat\":\"");
            line.push_str(r.category());
            line.push_str("\",\"text\":");
            let mut text = String::new();
            r.write_text(&mut text);
            json_escape_into(&mut line, &text);
            line.push('}');
        }
        self.lines.push_back(line);
    }
}

/// Which events a text collector keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Everything but routine chatter (sends, unchanged heartbeats).
    Default,
    All,
    None,
    /// Only these categories or event names.
    Only(Vec<String>),
}

impl Filter {
    pub fn keeps(&self, r: &dyn Record) -> bool {
        match self {
            Filter::Default => !r.routine(),
            Filter::All => true,
            Filter::None => false,
            Filter::Only(names) => names.iter().any(|c| c == r.category() || c == r.name()),
        }
    }
}

/// Collects text lines of the events a filter keeps (scenario goldens).
#[derive(Debug)]
pub struct TextCollector {
    pub lines: Vec<String>,
    pub filter: Filter,
}

impl Default for TextCollector {
    fn default() -> Self {
        TextCollector {
            lines: Vec::new(),
            filter: Filter::Default,
        }
    }
}

impl Sink for TextCollector {
    fn record(&mut self, r: &dyn Record) {
        if !self.filter.keeps(r) {
            return;
        }
        let mut line = String::new();
        text_line(r, &mut line);
        self.lines.push(line);
    }
}

/// A running FNV-1a digest of the JSON lines of every event: two runs with
/// the same digest and count produced the same trace.
#[derive(Clone, Debug)]
pub struct Digest {
    pub hash: u64,
    pub count: u64,
    line: String,
}

impl Default for Digest {
    fn default() -> Self {
        Digest {
            hash: 0xcbf2_9ce4_8422_2325,
            count: 0,
            line: String::new(),
        }
    }
}

impl Sink for Digest {
    fn record(&mut self, r: &dyn Record) {
        self.line.clear();
        r.write_json(&mut self.line);
        for b in self.line.bytes().chain(std::iter::once(b'\n')) {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.count += 1;
    }
}

/// A sink shared with its owner (the wasm facade reads its Window between frames).
impl<S: Sink> Sink for Rc<RefCell<S>> {
    fn record(&mut self, r: &dyn Record) {
        self.borrow_mut().record(r);
    }
    fn flush(&mut self) {
        self.borrow_mut().flush();
    }
}

/// Appends `s` as a JSON string literal.
pub fn json_escape_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escaping_handles_quotes_and_controls() {
        let mut s = String::new();
        json_escape_into(&mut s, "a\"b\\c\nd\u{1}→");
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001→\"");
    }

    #[test]
    fn window_is_bounded_and_counts_overflow() {
        let mut w = Window::new(2, false);
        for t in 0..5u64 {
            let ev = TraceEvent {
                t: t * 1000,
                node: Some(1),
                term: None,
                kind: EventKind::Crash,
            };
            w.record(&ev);
        }
        assert_eq!(w.len(), 2);
        assert_eq!(w.overflowed, 3);
        let arr = w.drain_json_array();
        assert_eq!(
            arr,
            "[{\"t_ms\":3,\"node\":1,\"event\":\"crash\",\"term\":null},{\"t_ms\":4,\"node\":1,\"event\":\"crash\",\"term\":null}]"
        );
        assert!(w.is_empty());
    }
}
