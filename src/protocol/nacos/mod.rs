//! Nacos 1.x RaftCore, as the code behaves (naming module,
//! `consistency/persistent/raft`: RaftCore, RaftPeer, RaftPeerSet), quirks
//! included. See `docs/nacos.md` for where it differs from textbook Raft.
//!
//! Both per-node tasks, MasterElection and HeartBeat, run on one tick timer:
//! Nacos registers them one right after the other with no initial delay, and
//! in the simulation a task takes no time, so they share a phase and the
//! election task runs first. There is no log and no AppendEntries: every
//! beat lists each datum's key and version, followers pull what they lack
//! and delete what it does not list, and every write adds 100 to the term
//! (`sync.rs`).

mod config;
mod message;
mod node;
mod note;
pub mod size;
mod sync;

pub use config::{BeatPhase, Config, Version, PUBLISH_TIMEOUT, PULL_BATCH, PULL_SLEEP, TERM_STEP};
pub use message::{Beat, BeatRejected, CommitRefused, Digest, Message, Peer, Timer};
pub use node::{Node, Persistent};
pub use note::Note;
