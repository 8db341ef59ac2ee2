//! The timings and options of the Raft model, each node's initial log, and
//! the checks on them: what is refused, and what is allowed but keeps the
//! cluster from settling.

use crate::error::Error;
use crate::protocol::NodeId;
use crate::time::{format_duration, Micros};

/// The longest timing the model accepts.
const MAX_TIMING: Micros = 86_400_000_000;

/// The last entry of a node's log: all the up-to-date check of §5.4.1 needs.
/// `(0, 0)` is an empty log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogPos {
    pub index: u64,
    pub term: u64,
}

impl LogPos {
    /// §5.4.1: this log is at least as up to date as `other` if its last term
    /// is higher, or the last terms are equal and it is at least as long.
    pub fn at_least_as_up_to_date_as(self, other: LogPos) -> bool {
        self.term > other.term || (self.term == other.term && self.index >= other.index)
    }
}

/// Raft's timings and the etcd options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Lower bound of the randomized election timeout (inclusive).
    pub election_min: Micros,
    /// Upper bound of the randomized election timeout (inclusive).
    pub election_max: Micros,
    /// A leader sends empty AppendEntries this often.
    pub heartbeat_interval: Micros,
    /// etcd's PreVote: poll for a majority before raising the term.
    pub pre_vote: bool,
    /// etcd's CheckQuorum: a leader that has not heard from a majority within
    /// `election_min` steps down, and followers keep a leader lease.
    pub check_quorum: bool,
    /// Initial log of each node (index `id - 1`); missing nodes have an empty log.
    pub logs: Vec<LogPos>,
}

impl Default for Config {
    /// The paper's recommended 150-300 ms election timeout, heartbeats every 50 ms.
    fn default() -> Self {
        Config {
            election_min: 150_000,
            election_max: 300_000,
            heartbeat_interval: 50_000,
            pre_vote: false,
            check_quorum: false,
            logs: Vec::new(),
        }
    }
}

impl Config {
    /// The initial log of node `id`.
    pub fn log_of(&self, id: NodeId) -> LogPos {
        id.checked_sub(1)
            .and_then(|i| self.logs.get(i as usize))
            .copied()
            .unwrap_or_default()
    }
}

impl Config {
    /// See [`crate::protocol::Protocol::validate_config`].
    pub(super) fn validate(&self) -> Result<(), Error> {
        let at_most_a_day = |field: &str, v: Micros| -> Result<(), Error> {
            if v > MAX_TIMING {
                return Err(Error::new(
                    field,
                    format!("must be at most 24h, got {}", format_duration(v)),
                ));
            }
            Ok(())
        };
        if self.election_min == 0 {
            return Err(Error::new("timings.electionMin", "must be greater than 0"));
        }
        at_most_a_day("timings.electionMin", self.election_min)?;
        at_most_a_day("timings.electionMax", self.election_max)?;
        if self.election_max < self.election_min {
            return Err(Error::new(
                "timings.electionMax",
                format!(
                    "must be at least timings.electionMin ({}), got {}",
                    format_duration(self.election_min),
                    format_duration(self.election_max)
                ),
            ));
        }
        if self.heartbeat_interval == 0 {
            return Err(Error::new("timings.heartbeat", "must be greater than 0"));
        }
        at_most_a_day("timings.heartbeat", self.heartbeat_interval)?;
        for (i, l) in self.logs.iter().enumerate() {
            if (l.index == 0) != (l.term == 0) {
                return Err(Error::new(
                    "logs",
                    format!(
                        "S{}: an empty log has index 0 and term 0, and a non-empty one a term of at least 1; got index {} term {}",
                        i + 1,
                        l.index,
                        l.term
                    ),
                ));
            }
        }
        Ok(())
    }

    /// See [`crate::protocol::Protocol::config_warnings`].
    pub(super) fn warnings(&self, latency_max: Micros) -> Vec<String> {
        let (beat, min, d) = (self.heartbeat_interval, self.election_min, format_duration);
        let mut out = Vec::new();
        if beat >= min {
            out.push(format!(
                "timings.heartbeat ({}) is not below timings.electionMin ({}): followers time out between heartbeats, so elections repeat and leaders come and go",
                d(beat),
                d(min)
            ));
        } else if beat.saturating_add(latency_max) >= min {
            out.push(format!(
                "timings.heartbeat ({}) plus network.latencyMax ({}) reaches timings.electionMin ({}): a late heartbeat can let a follower time out and start a needless election",
                d(beat),
                d(latency_max),
                d(min)
            ));
        }
        if latency_max.saturating_mul(2) >= min {
            out.push(format!(
                "a round trip (2 × network.latencyMax = {}) reaches timings.electionMin ({}): a candidate can time out before its votes come back, so elections may not settle",
                d(latency_max.saturating_mul(2)),
                d(min)
            ));
        }
        if self.election_min == self.election_max {
            out.push(format!(
                "timings.electionMin equals timings.electionMax ({}): with no randomness, candidates time out together and split votes can repeat (Figure 16's 150-150 ms line)",
                d(min)
            ));
        }
        out
    }
}
