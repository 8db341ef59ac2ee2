//! Nacos's timing constants and the checks on them: what is refused, and
//! what is allowed but keeps the cluster from settling.

use crate::error::Error;
use crate::time::{format_duration, Micros};

/// Nacos's timing constants (`GlobalExecutor`) and switches, configurable. Nacos keeps them
/// as whole milliseconds, so the model requires whole milliseconds too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// TICK_PERIOD_MS: MasterElection runs every tick (scheduleAtFixedRate),
    /// HeartBeat a tick after each of its runs ends (scheduleWithFixedDelay).
    pub tick: Micros,
    /// How long one run of the HeartBeat task takes: its next run starts a
    /// tick after this, so its phase drifts from MasterElection's. 0 (the
    /// default) keeps the two tasks in step.
    pub beat_run_time: Micros,
    /// Where the HeartBeat task's tick falls behind MasterElection's when a
    /// server's tasks are first seen running.
    pub beat_phase: BeatPhase,
    /// HEARTBEAT_INTERVAL_MS: what resetHeartbeatDue sets.
    pub heartbeat_interval: Micros,
    /// LEADER_TIMEOUT_MS: the fixed part of resetLeaderDue.
    pub leader_timeout: Micros,
    /// RANDOM_MS: resetLeaderDue adds uniform [0, RANDOM_MS).
    pub leader_random: Micros,
    /// The Nacos release: what a commit's source term is, and what term a
    /// restarted node comes back with.
    pub version: Version,
    /// switchDomain.sendBeatOnly: beats list no datums and followers skip the sync.
    pub send_beat_only: bool,
    /// The HTTP client's connect timeout: a request that cannot set up its
    /// connection (a partition or cut link) fails after this long.
    pub connect_timeout: Micros,
    /// The HTTP client's read timeout: a request whose reply has not come
    /// this long after it left fails.
    pub read_timeout: Micros,
}

/// How far a server's HeartBeat tick runs behind its MasterElection tick.
///
/// Both tasks are registered together with no initial delay, so on a server
/// that just started they tick together. HeartBeat's fixed delay then lets
/// it drift later by every run's length and every late wake-up (a fraction
/// of a millisecond a tick), so on a server that has been up for an hour or
/// more the gap is anywhere in the tick. It decides when a new leader's
/// first beat comes: 4.5 s after its vote plus this gap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeatPhase {
    /// The gap at boot, the same on every server: 0 is a fresh start.
    Fixed(Micros),
    /// Uniform in [0, tick) per server, drawn from its own stream: servers
    /// that have run long enough for the drift to cover a tick. A server
    /// restarted during the run starts its two tasks together again.
    Drifted,
}

impl BeatPhase {
    pub const VALUES: &'static str = "a duration below the tick, or random";

    pub fn parse(field: &str, text: &str) -> Result<BeatPhase, Error> {
        match text.trim() {
            "random" => Ok(BeatPhase::Drifted),
            t => crate::time::parse_duration(field, t)
                .map(BeatPhase::Fixed)
                .map_err(|_| {
                    Error::new(field, format!("must be {}, got `{t}`", BeatPhase::VALUES))
                }),
        }
    }
}

impl std::fmt::Display for BeatPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BeatPhase::Fixed(d) => f.write_str(&format_duration(*d)),
            BeatPhase::Drifted => f.write_str("random"),
        }
    }
}

/// The Nacos 1.x release a cluster runs. RaftCore changed twice in ways the
/// model shows, both in 1.3.0: the commit's `source` became a snapshot taken
/// before the leader's +100, and a restarted node stopped reading its stored
/// term back. 1.0 to 1.2 behave alike, and so do 1.3 and 1.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    /// The minor release: 0 to 4.
    pub minor: u8,
}

impl Version {
    pub const NEWEST: Version = Version { minor: 4 };
    pub const VALUES: &'static str = "1.0, 1.1, 1.2, 1.3 or 1.4";

    pub fn parse(text: &str) -> Option<Version> {
        let minor = text.trim().strip_prefix("1.")?;
        match minor {
            "0" | "1" | "2" | "3" | "4" => Some(Version {
                minor: minor.as_bytes()[0] - b'0',
            }),
            _ => None,
        }
    }

    /// 1.3.0 and later: the commit carries the leader's term from before
    /// its own +100 (a JSON snapshot of the peer taken before onPublish).
    pub fn source_is_snapshot(self) -> bool {
        self.minor >= 3
    }

    /// 1.0 to 1.2: a restarted node reads its stored term back (the local
    /// peer is built after the term is loaded; a start-up race, which the
    /// model takes as always won). From 1.3.0 it starts at term 0.
    pub fn restores_term(self) -> bool {
        self.minor < 3
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tick: 500_000,
            beat_run_time: 0,
            beat_phase: BeatPhase::Fixed(0),
            heartbeat_interval: 5_000_000,
            leader_timeout: 15_000_000,
            leader_random: 5_000_000,
            version: Version::NEWEST,
            send_beat_only: false,
            connect_timeout: 5_000_000,
            read_timeout: 10_000_000,
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
        if self.beat_run_time > 10_000_000 {
            return Err(Error::new(
                "beatRunTime",
                format!(
                    "must be at most 10s, got {}",
                    format_duration(self.beat_run_time)
                ),
            ));
        }
        if let BeatPhase::Fixed(d) = self.beat_phase {
            if d >= self.tick {
                return Err(Error::new(
                    "beatPhase",
                    format!(
                        "must be below the tick ({}), got {}: the two tasks share one tick",
                        format_duration(self.tick),
                        format_duration(d)
                    ),
                ));
            }
        }
        for (field, v) in [
            ("connectTimeout", self.connect_timeout),
            ("readTimeout", self.read_timeout),
        ] {
            if v == 0 {
                return Err(Error::new(
                    field,
                    "must be above 0: a request needs some time to be answered",
                ));
            }
            whole(field, v, 1000)?;
        }
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

/// RAFT_PUBLISH_TIMEOUT: how long signalPublish waits for a majority.
pub const PUBLISH_TIMEOUT: Micros = 5_000_000;
/// PUBLISH_TERM_INCREASE_COUNT: what every applied write adds to the term.
pub const TERM_STEP: u64 = 100;
/// receivedBeat pulls missing keys in batches of this many.
pub const PULL_BATCH: usize = 50;
/// The pull callback sleeps this long after each batch it applied.
pub const PULL_SLEEP: Micros = 200_000;
