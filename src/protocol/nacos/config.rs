//! Nacos's timing constants and the checks on them: what is refused, and
//! what is allowed but keeps the cluster from settling.

use crate::error::Error;
use crate::time::{format_duration, Micros};

/// Nacos's timing constants (`GlobalExecutor`), configurable. Nacos keeps them
/// as whole milliseconds, so the model requires whole milliseconds too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// TICK_PERIOD_MS: both tasks run every tick.
    pub tick: Micros,
    /// HEARTBEAT_INTERVAL_MS: what resetHeartbeatDue sets.
    pub heartbeat_interval: Micros,
    /// LEADER_TIMEOUT_MS: the fixed part of resetLeaderDue.
    pub leader_timeout: Micros,
    /// RANDOM_MS: resetLeaderDue adds uniform [0, RANDOM_MS).
    pub leader_random: Micros,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tick: 500_000,
            heartbeat_interval: 5_000_000,
            leader_timeout: 15_000_000,
            leader_random: 5_000_000,
        }
    }
}

impl Config {
    /// See [`crate::protocol::Protocol::validate_config`].
    pub(super) fn validate(&self) -> Result<(), Error> {
        let whole = |field: &str, v: Micros, min: Micros| -> Result<(), Error> {
            if v % 1000 != 0 {
                return Err(Error::new(
                    field,
                    format!(
                        "must be whole milliseconds (Nacos keeps it as a long of ms), got {}",
                        format_duration(v)
                    ),
                ));
            }
            if v < min {
                return Err(Error::new(
                    field,
                    if min == 0 {
                        "must not be negative".to_string()
                    } else {
                        format!("must be at least {}", format_duration(min))
                    },
                ));
            }
            if v > 86_400_000_000 {
                return Err(Error::new(field, "must be at most 24h"));
            }
            Ok(())
        };
        whole("timings.tick", self.tick, 1000)?;
        whole("timings.heartbeat", self.heartbeat_interval, 1000)?;
        whole("timings.leaderTimeout", self.leader_timeout, 1000)?;
        whole("timings.leaderRandom", self.leader_random, 0)?;
        if self.heartbeat_interval < self.tick {
            return Err(Error::new(
                "timings.heartbeat",
                format!(
                    "must be at least timings.tick ({}): the HeartBeat task only runs every tick",
                    format_duration(self.tick)
                ),
            ));
        }
        Ok(())
    }

    /// See [`crate::protocol::Protocol::config_warnings`].
    pub(super) fn warnings(&self, latency_max: Micros) -> Vec<String> {
        let d = format_duration;
        let mut out = Vec::new();
        // The HeartBeat task sends when heartbeatDue has run out at a tick,
        // and MasterElection checks leaderDue at its ticks: a beat can come
        // up to a tick plus the latency later than the interval says.
        if self.heartbeat_interval >= self.leader_timeout {
            out.push(format!(
                "timings.heartbeat ({}) is not below timings.leaderTimeout ({}): followers' leaderDue runs out between beats, so elections repeat and leaders come and go",
                d(self.heartbeat_interval),
                d(self.leader_timeout)
            ));
        } else if self
            .heartbeat_interval
            .saturating_add(self.tick)
            .saturating_add(latency_max)
            >= self.leader_timeout
        {
            out.push(format!(
                "timings.heartbeat ({}) plus a tick ({}) and network.latencyMax ({}) reaches timings.leaderTimeout ({}): a late beat can let a follower's leaderDue run out and start a needless election",
                d(self.heartbeat_interval),
                d(self.tick),
                d(latency_max),
                d(self.leader_timeout)
            ));
        }
        // leaderRandom 0 is no warning: the nodes' tick phases already spread
        // their timeouts over a tick (measured: no more elections than at 5 s).
        out
    }
}
