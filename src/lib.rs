//! raftbeat: see how a Raft cluster keeps its leader alive with heartbeats.
//!
//! - [`protocol`]: the pure models (`nacos`, `raft`): no clock, no I/O, no
//!   randomness of their own.
//! - [`sim`]: the deterministic simulator: event queue, seeded RNG, network,
//!   faults, trace and safety monitor.
//! - [`time`], [`json`]: durations and millisecond text, and JSON fields;
//!   leaves that need nothing else from the crate.
//! - [`cluster`]: a simulation whose model is chosen at run time, and its config.
//! - [`script`]: scenario scripts with golden traces.
//! - [`experiment`]: reproduced measurements (Raft's Figure 16, Nacos failover).
//! - `wasm`: the `#[wasm_bindgen]` facade the page uses.

pub mod chaos;
pub mod cluster;
pub mod error;
pub mod experiment;
pub mod json;
pub mod num;
pub mod protocol;
pub mod script;
#[cfg(not(target_arch = "wasm32"))]
pub mod serve;
pub mod sim;
pub mod time;

pub use error::Error;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
