//! Every client operation of a run, with its invocation and outcome, for
//! the experiments that measure them one by one.
//!
//! The client history keeps in full only the ops the durability checker
//! still needs and the last [`RECENT_OPS`] completed; this reader runs the
//! simulation in slices short enough that no completion is missed between
//! two looks (it counts completions, so a slice that saw more than the
//! history keeps is an error, never a silent gap), and attaches no trace
//! sink, so the run is as fast as an untraced one and its events are the
//! same as running to the end in one go.

use crate::error::Error;
use crate::protocol::data::{OpId, Outcome};
use crate::protocol::{Micros, Protocol};
use crate::sim::client::RECENT_OPS;
use crate::sim::Simulation;

/// One finished operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    pub id: OpId,
    pub invoked: Micros,
    pub done: Micros,
    pub outcome: Outcome,
}

/// Collects completed operations as a run goes.
#[derive(Debug)]
pub struct Collector {
    /// Completions already collected (the history's ok + failed).
    seen: u64,
    /// The longest slice of simulated time run between two looks.
    slice: Micros,
    pub done: Vec<Done>,
}

impl Collector {
    /// A collector for a client that completes about `rate` ops a second:
    /// it looks at least every `RECENT_OPS / 4 / rate` seconds (a second at
    /// most), a quarter of what the history keeps at that rate.
    pub fn new(rate: f64) -> Collector {
        let per = (RECENT_OPS as f64 / 4.0 / rate.max(1e-3) * 1e6) as Micros;
        Collector {
            seen: 0,
            slice: per.clamp(1_000, 1_000_000),
            done: Vec::new(),
        }
    }

    /// Runs `s` to `end`, collecting what completes on the way.
    pub fn run_until<P: Protocol>(
        &mut self,
        s: &mut Simulation<P>,
        end: Micros,
    ) -> Result<(), Error> {
        while s.now() < end {
            let to = s.now().saturating_add(self.slice).min(end);
            s.run_until(to);
            self.collect(s)?;
        }
        self.collect(s)
    }

    /// Takes the completions since the last look (also those of a crash or
    /// a request made outside a run).
    pub fn collect<P: Protocol>(&mut self, s: &Simulation<P>) -> Result<(), Error> {
        let c = s.client().counts();
        let total = c.ok + c.failed;
        let new = (total - self.seen) as usize;
        if new == 0 {
            return Ok(());
        }
        if new > RECENT_OPS {
            return Err(Error::new(
                "rate",
                format!(
                    "{new} operations completed within one look of the client history (it keeps {RECENT_OPS}); lower the rate"
                ),
            ));
        }
        let recent: Vec<_> = s.client().recent().collect();
        for op in &recent[recent.len() - new..] {
            let (outcome, at) = op.done.expect("recent ops are completed");
            self.done.push(Done {
                id: op.id,
                invoked: op.invoked,
                done: at,
                outcome,
            });
        }
        self.seen = total;
        Ok(())
    }

    /// The ops invoked and not completed: (id, invoked), in id order.
    pub fn pending<P: Protocol>(&self, s: &Simulation<P>) -> Vec<(OpId, Micros)> {
        let invoked = s.client().counts().invoked;
        let mut finished = vec![false; invoked as usize + 1];
        for d in &self.done {
            finished[d.id as usize] = true;
        }
        (1..=invoked)
            .filter(|&id| !finished[id as usize])
            .filter_map(|id| s.client().op(id).map(|op| (id, op.invoked)))
            .collect()
    }
}
