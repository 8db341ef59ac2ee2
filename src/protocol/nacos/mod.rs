//! Nacos 1.x RaftCore, as the code behaves (naming module,
//! `consistency/persistent/raft`: RaftCore, RaftPeer, RaftPeerSet), quirks
//! included. See `docs/nacos.md` for where it differs from textbook Raft.
//!
//! Both per-node tasks, MasterElection and HeartBeat, run on one tick timer:
//! Nacos registers them one right after the other with no initial delay, and
//! in the simulation a task takes no time, so they share a phase and the
//! election task runs first. There is no log, no AppendEntries and no data:
//! beats are modelled in Nacos's "beat only" form.

mod config;
mod message;
mod node;
mod note;

pub use config::Config;
pub use message::{BeatRejected, Message, Peer, Timer};
pub use node::{Node, Persistent};
pub use note::Note;
