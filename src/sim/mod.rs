//! The simulation layer: a deterministic discrete-event simulator that drives
//! one [`Protocol`] instance per node over a simulated network.
//!
//! Time is integer microseconds. Events are ordered by (time, sequence), so
//! two events at the same instant run in the order they were scheduled.
//! [`Simulation::advance`] runs every event due within the span, so a run is
//! the same however its time is cut into steps. All randomness comes from one
//! seed (see [`rng`]).
//!
//! The work splits in two: [`Engine`] holds everything that does not depend
//! on the model (clock, event queue, network, timers' bookkeeping, faults,
//! monitor, trace) and exists once; [`Simulation`] adds the nodes' model
//! state and the messages on the wire, and is generic over the model. This
//! keeps the per-model copy of the code small (the wasm module carries one
//! per model).

pub mod client;
mod disk;
pub mod durability;
mod engine;
mod event;
mod faults;
pub mod log_safety;
pub mod monitor;
pub mod network;
pub mod queue;
pub mod rng;
mod simulation;
pub mod trace;
mod transport;
pub mod workload;

pub use engine::{Engine, Stats};
pub use faults::PeriodicCrash;
pub use simulation::Simulation;
pub use transport::{ConnEvent, FIRST_RTO};

use crate::error::Error;
use crate::protocol::{Micros, NodeId};
use network::NetworkConfig;

/// Largest cluster the simulator accepts.
pub const MAX_NODES: u32 = 1001;

/// What every run needs besides the model's own config.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub nodes: u32,
    pub seed: u64,
    pub network: NetworkConfig,
    /// Every timer fires up to this much late (uniform), as real timers do
    /// under scheduling noise. 0 (the default) keeps timers exact; a little
    /// breaks the lock-step of identical timeouts (Raft's 150-150 ms case).
    pub timer_jitter: Micros,
    /// Servers boot at a uniform random moment in `[0, boot_spread)`, as a
    /// real cluster's servers start seconds apart; until then a server is
    /// down and messages to it are lost. 0 (the default): all at once.
    pub boot_spread: Micros,
    /// Every disk write of a model that syncs its state before it speaks
    /// (Raft: term and vote, a follower's log) takes a uniform time in this
    /// range, and holds its node meanwhile (`disk.rs`). (0, 0), the
    /// default: no disk, messages leave with the step.
    pub disk_write: (Micros, Micros),
}

/// The longest disk write a run accepts.
pub const MAX_DISK_WRITE: Micros = 1_000_000;

/// The longest boot spread a run accepts.
pub const MAX_BOOT_SPREAD: Micros = 600_000_000;

impl SimConfig {
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=MAX_NODES).contains(&self.nodes) {
            return Err(Error::new(
                "nodes",
                format!("must be between 1 and {MAX_NODES}, got {}", self.nodes),
            ));
        }
        if self.timer_jitter > 1_000_000 {
            return Err(Error::new("timerJitter", "must be at most 1s"));
        }
        if self.boot_spread > MAX_BOOT_SPREAD {
            return Err(Error::new(
                "boot",
                format!(
                    "must be at most 600s, got {}",
                    crate::time::format_duration(self.boot_spread)
                ),
            ));
        }
        let (lo, hi) = self.disk_write;
        if hi < lo {
            return Err(Error::new(
                "diskWrite",
                format!(
                    "the maximum must be at least the minimum, got {}..{}",
                    crate::time::format_duration(lo),
                    crate::time::format_duration(hi)
                ),
            ));
        }
        if hi > MAX_DISK_WRITE {
            return Err(Error::new(
                "diskWrite",
                format!(
                    "must be at most 1s, got {}",
                    crate::time::format_duration(hi)
                ),
            ));
        }
        self.network.validate()
    }

    /// Whether steps that change persistent state wait for a disk write.
    pub fn disk_on(&self) -> bool {
        self.disk_write.1 > 0
    }
}

fn check_node(n: u32, field: &str, id: NodeId) -> Result<usize, Error> {
    if id == 0 || id > n {
        Err(Error::new(
            field,
            format!("node {id} does not exist (nodes are 1 to {n})"),
        ))
    } else {
        Ok((id - 1) as usize)
    }
}
