//! The binary contract with JavaScript, written once: the flat buffers'
//! strides and field offsets (`nodeData`, `messageData`, `timeline`), the
//! role and message-kind codes, and the timeline's mark codes. The writers
//! in this crate index their records with these constants, and the page
//! reads them through `layout()` instead of keeping its own copy.

use crate::protocol::{MessageKind, Role};
use crate::sim::monitor::ViolationKind;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

/// A flat record: one offset constant per field, in order, its JavaScript
/// name, and the stride (the field count). The order here is the layout.
macro_rules! record {
    ($(#[$doc:meta])* pub mod $module:ident { $($(#[$fdoc:meta])* $field:ident = $js:literal,)* }) => {
        $(#[$doc])*
        pub mod $module {
            record!(@offsets 0usize; $($(#[$fdoc])* $field)*);
            /// Floats per record.
            pub const STRIDE: usize = NAMES.len();
            /// The fields' JavaScript names, by offset.
            pub const NAMES: [&str; [$($js),*].len()] = [$($js),*];
        }
    };
    (@offsets $at:expr; $(#[$fdoc:meta])* $field:ident $($rest:tt)*) => {
        $(#[$fdoc])*
        pub const $field: usize = $at;
        record!(@offsets $at + 1; $($rest)*);
    };
    (@offsets $at:expr;) => {};
}

record! {
    /// A node in `nodeData()`.
    pub mod node {
        ID = "id",
        /// `Role::code`.
        ROLE = "role",
        TERM = "term",
        /// 0: none.
        VOTE_FOR = "voteFor",
        /// 0: none.
        LEADER = "leader",
        /// 0 or 1.
        ALIVE = "alive",
        /// ms, -1: none.
        LEADER_DUE = "leaderDue",
        /// ms, -1: none.
        HEARTBEAT_DUE = "heartbeatDue",
        /// Partition group.
        GROUP = "group",
        /// Beat-rule flags (`rule_flag`).
        RULES = "rules",
        /// ms until a paused node resumes, -1: not paused.
        PAUSED = "paused",
        /// ms until a node's disk write ends, -1: not writing.
        WRITING = "writing",
    }
}

record! {
    /// A message in flight in `messageData()`.
    pub mod message {
        ID = "id",
        /// `MessageKind::code`.
        KIND = "kind",
        FROM = "from",
        TO = "to",
        /// ms.
        SENT = "sent",
        /// ms.
        DUE = "due",
        /// -1: none.
        TERM = "term",
        /// -1: not a reply, 0: refused, 1: granted.
        GRANTED = "granted",
        /// Keys a beat lists, datums a pull reply carries; 0 for the others.
        ENTRIES = "entries",
        /// Bytes on the wire (gzip), -1 where the model does not size it.
        BYTES = "bytes",
        /// 1: an HTTP request or reply waiting at a partition or cut until
        /// its connection's timeout (`due`) fails it; 0 otherwise.
        STALLED = "stalled",
    }
}

record! {
    /// The head of a node's record in `logData(count)`: `count` terms
    /// follow it, one per index from `FIRST` on (the same window for every
    /// node, so their logs line up by index), `log_cell` where there is none.
    pub mod log {
        /// The first index of the window (the same in every record).
        FIRST = "first",
        /// The last compacted index (0: none): the log starts after it.
        BASE = "base",
        LAST = "last",
        /// The last entry's term (the base's when the log is empty).
        LAST_TERM = "lastTerm",
        COMMIT = "commit",
        APPLIED = "applied",
        /// The last snapshot's index (0: none).
        SNAPSHOT = "snapshot",
    }
}

/// What a term cell of `logData` holds where the node has no entry.
pub mod log_cell {
    /// Past the node's last index.
    pub const NONE: f64 = -1.0;
    /// At or before its base: compacted into a snapshot (or before the
    /// `logs` setting's start).
    pub const COMPACTED: f64 = -2.0;
}

record! {
    /// A leadership-timeline entry in `timeline()`.
    pub mod mark {
        /// ms.
        T = "t",
        /// `mark_code`.
        CODE = "code",
        /// 0: none.
        NODE = "node",
        /// -1: none.
        TERM = "term",
    }
}

/// Bits of a node record's `rules` field: which of its beats are dropped.
pub mod rule_flag {
    /// Its own beats.
    pub const FROM: u8 = 1;
    /// Beats sent to it.
    pub const TO: u8 = 2;
    /// Beats on some of its links.
    pub const LINK: u8 = 4;
    pub const NAMES: [(&str, u8); 3] = [("from", FROM), ("to", TO), ("link", LINK)];
}

/// Timeline mark codes.
pub mod mark_code {
    pub const BECAME_LEADER: f64 = 1.0;
    pub const LEFT_LEADER: f64 = 2.0;
    /// Became CANDIDATE or PRE_CANDIDATE.
    pub const ELECTION: f64 = 3.0;
    pub const CRASH: f64 = 4.0;
    pub const RESTART: f64 = 5.0;
    /// One leader again after two.
    pub const LEADERS_RESOLVED: f64 = 6.0;
    /// A safety finding: this plus the kind's place in `ViolationKind::ALL`.
    pub const VIOLATION: f64 = 10.0;
    pub const NAMES: [(&str, f64); 7] = [
        ("up", BECAME_LEADER),
        ("down", LEFT_LEADER),
        ("election", ELECTION),
        ("crash", CRASH),
        ("restart", RESTART),
        ("resolved", LEADERS_RESOLVED),
        ("violation", VIOLATION),
    ];
}

/// Every role, for the table of codes (`Role::code` places each).
const ROLES: [Role; 4] = [
    Role::Follower,
    Role::PreCandidate,
    Role::Candidate,
    Role::Leader,
];

/// The mark code of a safety finding named `kind` (an unknown name counts as the last kind).
pub fn violation_mark(kind: &str) -> f64 {
    let at = ViolationKind::ALL
        .iter()
        .position(|k| k.as_str() == kind)
        .unwrap_or(ViolationKind::ALL.len() - 1);
    mark_code::VIOLATION + at as f64
}

#[wasm_bindgen(typescript_custom_section)]
const TS_LAYOUT: &str = r#"
/** A flat record's stride and its fields' offsets. */
export type RecordLayout<F extends string> = { stride: number } & { [field in F]: number };
/** What `layout()` returns: the binary contract of the flat buffers. */
export interface Layout {
    node: RecordLayout<"id" | "role" | "term" | "voteFor" | "leader" | "alive" | "leaderDue" | "heartbeatDue" | "group" | "rules" | "paused" | "writing">;
    message: RecordLayout<"id" | "kind" | "from" | "to" | "sent" | "due" | "term" | "granted" | "entries" | "bytes" | "stalled">;
    /** The head of a node's record in `logData(count)`; `count` terms follow it (stride: the head's length). */
    log: RecordLayout<"first" | "base" | "last" | "lastTerm" | "commit" | "applied" | "snapshot">;
    /** What a term cell of `logData` holds where the node has no entry: past its last index, or compacted. */
    logCell: { none: number; compacted: number };
    mark: RecordLayout<"t" | "code" | "node" | "term">;
    /** Role names by code. */
    roles: ("FOLLOWER" | "PRE_CANDIDATE" | "CANDIDATE" | "LEADER")[];
    /** Message kind names by code (as in trace events' `kind`). */
    kinds: string[];
    /** Bits of a node's `rules` field. */
    ruleFlags: { from: number; to: number; link: number };
    /** Timeline mark codes; a finding is `violation` + its index in `violations`. */
    markCodes: { up: number; down: number; election: number; crash: number; restart: number; resolved: number; violation: number };
    violations: FindingKind[];
}
"#;

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn record_object(names: &[&str]) -> Object {
    let o = Object::new();
    set(&o, "stride", names.len() as f64);
    for (at, name) in names.iter().enumerate() {
        set(&o, name, at as f64);
    }
    o
}

fn names_by_code<'a>(items: impl Iterator<Item = (u8, &'a str)>) -> Array {
    let out = Array::new();
    for (code, name) in items {
        out.set(u32::from(code), JsValue::from_str(name));
    }
    out
}

/// The layout of the flat buffers (`nodeData`, `messageData`, `timeline`)
/// and the codes in them, read once by the page.
#[wasm_bindgen(js_name = layout, unchecked_return_type = "Layout")]
pub fn layout() -> JsValue {
    let o = Object::new();
    set(&o, "node", record_object(&node::NAMES));
    set(&o, "message", record_object(&message::NAMES));
    set(&o, "mark", record_object(&mark::NAMES));
    set(&o, "log", record_object(&log::NAMES));
    let cell = Object::new();
    set(&cell, "none", log_cell::NONE);
    set(&cell, "compacted", log_cell::COMPACTED);
    set(&o, "logCell", cell);
    set(
        &o,
        "roles",
        names_by_code(ROLES.iter().map(|r| (r.code(), r.as_str()))),
    );
    set(
        &o,
        "kinds",
        names_by_code(MessageKind::ALL.iter().map(|k| (k.code(), k.as_str()))),
    );
    let flags = Object::new();
    for (name, bit) in rule_flag::NAMES {
        set(&flags, name, f64::from(bit));
    }
    set(&o, "ruleFlags", flags);
    let codes = Object::new();
    for (name, code) in mark_code::NAMES {
        set(&codes, name, code);
    }
    set(&o, "markCodes", codes);
    let violations = Array::new();
    for k in ViolationKind::ALL {
        violations.push(&JsValue::from_str(k.as_str()));
    }
    set(&o, "violations", violations);
    o.into()
}
