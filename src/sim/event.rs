//! What the event queue holds: a pending event, and its one-word packing.

use crate::protocol::NodeId;

/// What a queue entry is for, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pending {
    Boot {
        node: NodeId,
        epoch: u32,
    },
    Timer {
        node: NodeId,
        slot: u8,
        gen: u32,
    },
    Deliver(u64),
    /// The periodic leader crash is due (if `gen` is still the schedule's).
    PeriodicCrash {
        gen: u32,
    },
    /// Restart a node the periodic crash took down (if still down since).
    PeriodicRestart {
        node: NodeId,
        epoch: u32,
    },
    /// The workload's next operation is due (if `gen` is still the workload's).
    Workload {
        gen: u32,
    },
    /// A paused node runs again (if `epoch` is still its life).
    Resume {
        node: NodeId,
        epoch: u32,
    },
    /// An HTTP connection's deadline (its id is its request's message id):
    /// the request fails unless its reply came first (`transport.rs`).
    ConnDeadline(u64),
    /// A node's disk write ends (if `epoch` is still its life): the
    /// messages that waited for it leave (`disk.rs`).
    Synced {
        node: NodeId,
        epoch: u32,
    },
}

/// A [`Pending`] packed in one word, the kind in the top two bits (the two
/// periodic-crash kinds, the workload, the resume, the connection deadline
/// and the end of a disk write share 3, told apart by bits 61 to 57). Copying
/// an enum with a byte tag through the queue cost store-forwarding stalls
/// on every event; a word moves in a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Packed(pub(super) u64);

impl Packed {
    const BOOT: u64 = 1 << 62;
    const TIMER: u64 = 2 << 62;
    const PERIODIC: u64 = 3 << 62;
    const RESTART: u64 = 1 << 61;
    const WORKLOAD: u64 = 1 << 60;
    const RESUME: u64 = 1 << 59;
    const CONN: u64 = 1 << 58;
    const SYNCED: u64 = 1 << 57;

    #[inline]
    pub(super) fn pack(p: Pending) -> Packed {
        Packed(match p {
            Pending::Boot { node, epoch } => Self::BOOT | u64::from(node) << 32 | u64::from(epoch),
            Pending::Timer { node, slot, gen } => {
                Self::TIMER | u64::from(node) << 40 | u64::from(slot) << 32 | u64::from(gen)
            }
            // Message ids count from 1 and never reach 2^62.
            Pending::Deliver(id) => {
                debug_assert!(id < 1 << 62);
                id
            }
            Pending::PeriodicCrash { gen } => Self::PERIODIC | u64::from(gen),
            Pending::PeriodicRestart { node, epoch } => {
                Self::PERIODIC | Self::RESTART | u64::from(node) << 32 | u64::from(epoch)
            }
            Pending::Workload { gen } => Self::PERIODIC | Self::WORKLOAD | u64::from(gen),
            Pending::Resume { node, epoch } => {
                Self::PERIODIC | Self::RESUME | u64::from(node) << 32 | u64::from(epoch)
            }
            Pending::ConnDeadline(id) => {
                debug_assert!(id < Self::CONN);
                Self::PERIODIC | Self::CONN | id
            }
            Pending::Synced { node, epoch } => {
                Self::PERIODIC | Self::SYNCED | u64::from(node) << 32 | u64::from(epoch)
            }
        })
    }

    #[inline]
    pub(super) fn unpack(self) -> Pending {
        let w = self.0;
        match w >> 62 {
            0 => Pending::Deliver(w),
            1 => Pending::Boot {
                node: (w >> 32) as u32 & 0x3FFF_FFFF,
                epoch: w as u32,
            },
            2 => Pending::Timer {
                node: (w >> 40) as u32 & 0x3F_FFFF,
                slot: (w >> 32) as u8,
                gen: w as u32,
            },
            _ if w & Self::RESTART != 0 => Pending::PeriodicRestart {
                node: (w >> 32) as u32 & 0x0FFF_FFFF,
                epoch: w as u32,
            },
            _ if w & Self::WORKLOAD != 0 => Pending::Workload { gen: w as u32 },
            _ if w & Self::RESUME != 0 => Pending::Resume {
                node: (w >> 32) as u32 & 0x07FF_FFFF,
                epoch: w as u32,
            },
            _ if w & Self::CONN != 0 => Pending::ConnDeadline(w & (Self::CONN - 1)),
            _ if w & Self::SYNCED != 0 => Pending::Synced {
                node: (w >> 32) as u32 & 0x01FF_FFFF,
                epoch: w as u32,
            },
            _ => Pending::PeriodicCrash { gen: w as u32 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Packed, Pending};
    use crate::sim::MAX_NODES;

    #[test]
    fn queue_entries_pack_and_unpack_losslessly() {
        for p in [
            Pending::Resume { node: 3, epoch: 2 },
            Pending::Resume {
                node: MAX_NODES,
                epoch: u32::MAX,
            },
            Pending::Boot { node: 1, epoch: 0 },
            Pending::Boot {
                node: MAX_NODES,
                epoch: u32::MAX,
            },
            Pending::Timer {
                node: 7,
                slot: 1,
                gen: 3,
            },
            Pending::Timer {
                node: MAX_NODES,
                slot: u8::MAX,
                gen: u32::MAX,
            },
            Pending::Deliver(1),
            Pending::Deliver((1 << 62) - 1),
            Pending::PeriodicCrash { gen: 0 },
            Pending::PeriodicCrash { gen: u32::MAX },
            Pending::PeriodicRestart { node: 1, epoch: 0 },
            Pending::PeriodicRestart {
                node: MAX_NODES,
                epoch: u32::MAX,
            },
            Pending::Workload { gen: 0 },
            Pending::Workload { gen: u32::MAX },
            Pending::ConnDeadline(1),
            Pending::ConnDeadline((1 << 57) | 5),
            Pending::Synced { node: 1, epoch: 0 },
            Pending::Synced {
                node: MAX_NODES,
                epoch: u32::MAX,
            },
            Pending::ConnDeadline((1 << 58) - 1),
        ] {
            assert_eq!(Packed::pack(p).unpack(), p);
        }
    }
}
