//! Experiments: measurements of the models, reproduced from one seed, with
//! the published numbers they are held against.
//!
//! - [`fig16`]: Figure 16 of the Raft paper, the time to detect and replace
//!   a crashed leader for ten election-timeout ranges (raft model).
//! - [`failover`]: the same question for Nacos 1.x RaftCore (nacos model).
//! - [`propagation`], [`beat_size`], [`lost_writes`]: Nacos's data path
//!   (how fast a write reaches every follower, what beats and pulls cost
//!   per key, which acknowledged writes a leader crash loses), with
//!   [`nacos_data`] and [`data_report`] shared by the three.
//! - [`commit_latency`]: Raft's commit latency with no faults, under loss
//!   and across a leader crash; [`lost_writes_compared`]: acknowledged
//!   writes lost by Raft and by each Nacos release under the same fault
//!   schedules; [`raft_data_report`] prints both, [`client_ops`] collects
//!   every client operation of a run.
//! - [`stats`]: the summaries every experiment prints.
//!
//! The same code runs on the command line (`raftbeat experiment`, [`cli`])
//! and in the browser (a Web Worker behind `www/experiments.html`).
//! See `docs/experiments.md`.

pub mod beat_size;
pub mod client_ops;
pub mod commit_latency;
pub mod data_report;
pub mod failover;
pub mod fig16;
pub mod flat;
pub mod lost_writes;
pub mod lost_writes_compared;
pub mod nacos_data;
pub mod propagation;
pub mod raft_data_report;
pub mod report;
pub mod stats;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod data_cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod raft_data_cli;
