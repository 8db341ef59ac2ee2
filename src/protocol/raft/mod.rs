//! Textbook Raft (Ongaro & Ousterhout, "In Search of an Understandable
//! Consensus Algorithm": elections §5.2, replication §5.3, the election
//! restriction §5.4.1, the commit rule of §5.4.2 and Figure 8, snapshots
//! §7), with etcd-io/raft's optional Pre-Vote and CheckQuorum.
//!
//! Clients' writes and deletes are log entries; the leader replicates them
//! with AppendEntries (a heartbeat is one with no entries), commits by
//! majority match, and every node applies committed entries to a key/value
//! state machine. The `logs` setting starts a node's log after a compacted
//! prefix of that length and term (Figure 16's logs), with nothing in it.
//!
//! Timers (two slots):
//! - [`Timer::Election`]: the randomized election timeout on followers,
//!   pre-candidates and candidates, drawn uniformly from
//!   `[election_min, election_max]` at every reset. On a leader it is used
//!   only with CheckQuorum, as the quorum check every `election_min`; without
//!   CheckQuorum a leader's election timer is cancelled.
//! - [`Timer::Heartbeat`]: on a leader, the heartbeat every
//!   `heartbeat_interval`. On a follower with CheckQuorum it is the *lease*
//!   timer: armed for `election_min` at every AppendEntries from the leader;
//!   while it runs the follower is "in lease" (it heard from a live leader less
//!   than `election_min` ago) and ignores vote requests with a higher term.
//!
//! Where the model follows the paper rather than etcd: a follower's election
//! timer is reset only by an AppendEntries from the current leader or by
//! granting a vote (Figure 2); merely seeing a higher term does not reset it
//! (etcd's becomeFollower does), and a candidate whose votes are refused
//! keeps waiting for its timeout (etcd steps back to follower).

mod config;
pub mod log;
mod message;
mod node;
mod note;
mod replication;
#[cfg(test)]
mod tests;

pub use config::{Config, LogPos};
pub use message::{Message, Timer};
pub use node::{Node, Persistent};
pub use note::{Note, Poll, Refusal, StepDownReason};
pub use replication::{MAX_BATCH, MAX_UNCOMMITTED, SNAPSHOT_EVERY};
