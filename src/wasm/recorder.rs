//! What the page keeps of the trace: a bounded window of events for the log
//! (rendered as JSON only at the level the page asks for), and a compact
//! timeline of leadership that stays in wasm memory and is read by index.

use super::layout::{mark, mark_code, violation_mark};
use crate::sim::trace::{Record, Sink, Window};

/// How much of the trace `events()` carries. Rendering an event as JSON costs
/// far more than simulating it, so a fast-forward asks for less.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Every event, each message send included.
    All,
    /// Every model step and fault, but not the per-message `send` lines
    /// (the model's own note, e.g. sendBeat, already says what went out).
    Protocol,
    /// Only what changed something: no sends, no repeated heartbeats.
    Changes,
    /// Nothing: the timeline is still kept.
    None,
    /// Nothing at all, timeline included: the recorder is detached, and the
    /// core runs as fast as it does natively (a benchmark, a long skip).
    Off,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "all" => Some(Level::All),
            "protocol" => Some(Level::Protocol),
            "changes" => Some(Level::Changes),
            "none" => Some(Level::None),
            "off" => Some(Level::Off),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Level::All => "all",
            Level::Protocol => "protocol",
            Level::Changes => "changes",
            Level::None => "none",
            Level::Off => "off",
        }
    }
}

/// Timeline entries kept; a run that changes leader this often is noise past it.
const MAX_MARKS: usize = 250_000;

#[derive(Clone, Copy, Debug)]
pub struct Mark {
    t: u64,
    code: f64,
    node: u32,
    term: Option<u64>,
}

pub struct Recorder {
    pub level: Level,
    pub window: Window,
    marks: Vec<Mark>,
    /// Marks not kept because the timeline was full.
    pub marks_lost: u64,
    scratch: String,
}

impl Recorder {
    pub fn new(capacity: usize) -> Self {
        Recorder {
            level: Level::Protocol,
            window: Window::new(capacity, true),
            marks: Vec::new(),
            marks_lost: 0,
            scratch: String::new(),
        }
    }

    pub fn mark_count(&self) -> usize {
        self.marks.len()
    }

    /// Entries from index `from` on, flattened `mark::STRIDE` floats each.
    pub fn marks_from(&self, from: usize, out: &mut Vec<f64>) {
        out.clear();
        for m in self.marks.iter().skip(from) {
            let mut r = [0.0; mark::STRIDE];
            r[mark::T] = m.t as f64 / 1000.0;
            r[mark::CODE] = m.code;
            r[mark::NODE] = f64::from(m.node);
            r[mark::TERM] = m.term.map_or(-1.0, |t| t as f64);
            out.extend_from_slice(&r);
        }
    }

    fn push(&mut self, t: u64, code: f64, node: Option<u32>, term: Option<u64>) {
        if self.marks.len() >= MAX_MARKS {
            self.marks_lost += 1;
            return;
        }
        self.marks.push(Mark {
            t,
            code,
            node: node.unwrap_or(0),
            term,
        });
    }

    /// The string value of `"key":"..."` in the scratch JSON.
    fn text_field(&self, key: &str) -> Option<&str> {
        let s = &self.scratch;
        let at = s.find(&format!("\"{key}\":\""))? + key.len() + 4;
        let end = s[at..].find('"')?;
        Some(&s[at..at + end])
    }

    fn term_field(&self) -> Option<u64> {
        let s = &self.scratch;
        let at = s.find("\"term\":")? + 7;
        let digits: &str = &s[at..at
            + s[at..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(s.len() - at)];
        digits.parse().ok()
    }
}

impl Sink for Recorder {
    fn record(&mut self, r: &dyn Record) {
        let name = r.name();
        let keep = match self.level {
            Level::All => true,
            Level::Protocol => name != "send",
            Level::Changes => !r.routine(),
            Level::None | Level::Off => false,
        };
        if keep {
            self.window.record(r);
        }
        // Leadership, crashes and the monitor's findings go to the timeline.
        // They are rare, so reading their fields back from JSON costs nothing
        // that matters, and the Record trait stays model-independent.
        if !matches!(
            name,
            "role" | "crash" | "restart" | "violation" | "leaders-resolved"
        ) {
            return;
        }
        self.scratch.clear();
        r.write_json(&mut self.scratch);
        let (t, node, term) = (r.t(), r.node(), self.term_field());
        match name {
            "role" => {
                let from_leader = self.text_field("from") == Some("LEADER");
                let to = self.text_field("to").unwrap_or("");
                let (to_leader, to_candidate) =
                    (to == "LEADER", to == "CANDIDATE" || to == "PRE_CANDIDATE");
                if from_leader {
                    self.push(t, mark_code::LEFT_LEADER, node, term);
                }
                if to_leader {
                    self.push(t, mark_code::BECAME_LEADER, node, term);
                } else if to_candidate {
                    self.push(t, mark_code::ELECTION, node, term);
                }
            }
            "crash" => self.push(t, mark_code::CRASH, node, term),
            "restart" => self.push(t, mark_code::RESTART, node, term),
            "leaders-resolved" => self.push(t, mark_code::LEADERS_RESOLVED, node, term),
            _ => {
                let code = violation_mark(self.text_field("kind").unwrap_or(""));
                self.push(t, code, node, term);
            }
        }
    }
}
