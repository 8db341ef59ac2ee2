//! Textbook Raft leader election (Ongaro & Ousterhout, "In Search of an
//! Understandable Consensus Algorithm", §5.2 and the election restriction of
//! §5.4.1), with etcd-io/raft's optional Pre-Vote and CheckQuorum.
//!
//! Only elections and heartbeats are modelled. Each node has an abstract log
//! ([`LogPos`]: last index and last term) that is fixed at boot and used only
//! for the up-to-date check of RequestVote; AppendEntries are empty
//! heartbeats and a leader never appends.
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
mod message;
mod node;
mod note;
#[cfg(test)]
mod tests;

pub use config::{Config, LogPos};
pub use message::{Message, Timer};
pub use node::{Node, Persistent};
pub use note::{Note, Poll, Refusal, StepDownReason};
