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
//!
//! - [`action`]: the [`Action`] type every caller shares, printed and read back losslessly.
//! - [`fields`]: an action as the page's plain object (`{do: "crash", node: 3}`).
//! - [`parse`](mod@parse): script text to [`Command`]s.
//! - [`act`](mod@act): carrying out actions and runs on a [`Cluster`](crate::cluster::Cluster).
//! - [`expect`]: expectations and their checks.
//! - [`golden`]: the runner, golden blocks and their rewrite.

pub mod act;
pub mod action;
pub mod expect;
pub mod fields;
pub mod golden;
pub mod parse;

use crate::cluster::Value;
use crate::protocol::Micros;
use crate::sim::trace::Filter;

pub use act::{act, apply};
pub use action::{parse_action, Action, NetworkChange, NodeRef, ScopeRef};
pub use expect::{Cmp, Expectation, RoleOrDown, WriteState};
pub use golden::{run, Outcome, Report};
pub use parse::{parse, parse_command};

/// One line of a script.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Cluster(Vec<(String, Value)>),
    Run {
        span: Span,
        filter: Filter,
    },
    Expect(Expectation),
    /// A stop for a guided tour: the page halts here, showing the comment
    /// above as a caption, until the reader continues. The CLI goes on.
    Pause,
    Action(Action),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Span {
    For(Micros),
    Until(Micros),
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

/// Every command, for "unknown command" errors. `pause` is listed in its two
/// forms: alone a tour's stop, with a node a stall.
const USAGE: &str = "cluster, run, crash, restart, timeout, isolate, pause NODE for=D (a stall), partition, heal, cut, restore, drop-beats, allow-beats, drop-message, network, periodic-crash, align-timers, spread-timers, write, delete, workload, expect, pause (alone: a tour's stop)";
