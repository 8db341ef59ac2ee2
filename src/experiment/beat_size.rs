//! Nacos beat size and pull traffic against the number of keys.
//!
//! Every beat lists every key with its version (the digest), so its size
//! grows with the store; sendBeatOnly leaves the list out. The experiment
//! pre-loads N keys through the leader, then measures, with the model's
//! byte counts (`MessageInfo::size`, `protocol/nacos/size.rs`):
//! - one beat's JSON and gzip bytes, with and without the list;
//! - a dropped commit: the commit of an update to one follower is lost,
//!   and the follower pulls that key after the next beat;
//! - a follower restart: the follower is down while the client writes at
//!   10/s to random keys; on restart it keeps its datums (Nacos reloads
//!   them from disk) and pulls, in batches of 50, the keys changed meanwhile.

use super::fig16::trial_seed;
use super::flat::{self, whole};
use super::nacos_data::{cluster, holds, settle, write_and_wait, NacosSim, Tap};
use crate::error::Error;
use crate::protocol::data::OpKind;
use crate::protocol::nacos::Message;
use crate::protocol::{nacos, MessageInfo, MessageKind, Micros, NodeId, Protocol, WireSize};
use crate::sim::client::Workload;
use crate::sim::network::NetworkConfig;

pub const DEFAULT_KEYS: [u32; 5] = [10, 100, 1_000, 10_000, 100_000];
pub const MAX_KEYS: u32 = 1_000_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub nodes: u32,
    pub nacos: nacos::Config,
    pub network: NetworkConfig,
    /// How long the restarted follower is down.
    pub down: Micros,
    /// The client's write rate while it is down.
    pub rate: f64,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            nodes: 5,
            nacos: nacos::Config::default(),
            network: NetworkConfig::default(),
            down: 60 * 1_000_000,
            rate: 10.0,
        }
    }
}

/// Pull traffic in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pulls {
    /// Keys that changed and had to be pulled.
    pub changed: u64,
    /// GET /raft/datum requests.
    pub pulls: u64,
    pub keys: u64,
    /// Requests and replies, JSON bytes.
    pub bytes: u64,
    /// From the fault's end until the follower held everything.
    pub took: Micros,
    /// It did not catch up within the cap.
    pub unresolved: bool,
}

/// One key count's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub keys: u32,
    /// Keys the beat listed, and its size.
    pub entries: u32,
    pub beat: WireSize,
    /// The same beat with sendBeatOnly on.
    pub beat_only: WireSize,
    pub dropped_commit: Pulls,
    pub restart: Pulls,
}

const CAP: Micros = 120 * 1_000_000;

impl Setup {
    pub fn validate(&self, keys: u32) -> Result<(), Error> {
        self.network.validate()?;
        if self.nodes < 3 {
            return Err(Error::new(
                "nodes",
                "must be at least 3, so that a follower can be down",
            ));
        }
        if !(1..=MAX_KEYS).contains(&keys) {
            return Err(Error::new(
                "keys",
                format!("must be a whole number from 1 to {MAX_KEYS}, got {keys}"),
            ));
        }
        Ok(())
    }
}

/// The seed of the row for `keys`.
pub fn row_seed(seed: u64, keys: u32) -> u64 {
    trial_seed(seed, 0x6265_6174, u64::from(keys), 0)
}

/// The next beat the leader sends: its size and the keys it lists.
fn next_beat(s: &mut NacosSim, leader: NodeId) -> Result<(WireSize, u32), Error> {
    // Message ids grow: a beat already on the wire may predate the last write.
    let old = s.in_flight().map(|m| m.id).max();
    let end = s.now() + 3 * s.model_config().heartbeat_interval;
    let mut found = None;
    s.run_until_condition(end, |s| {
        found = s
            .in_flight()
            .find(|m| {
                m.from == leader && m.kind == MessageKind::Beat && old.is_none_or(|o| m.id > o)
            })
            .map(|m| (m.msg.size().unwrap_or_default(), m.msg.entries()));
        found.is_some()
    });
    found.ok_or_else(|| Error::new("nacos", "the leader sent no beat"))
}

/// Runs until `f`'s store equals `leader`'s, checking every 100 ms.
fn catch_up(s: &mut NacosSim, f: NodeId, leader: NodeId, cap: Micros) -> Option<Micros> {
    let t0 = s.now();
    let same = |s: &NacosSim| {
        let (a, b) = (s.protocol(f).store(), s.protocol(leader).store());
        match (a, b) {
            (Some(a), Some(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.0 == y.0 && x.1 == y.1)
            }
            _ => false,
        }
    };
    while s.now() < t0 + cap {
        if same(s) {
            return Some(s.now() - t0);
        }
        let t = s.now() + 100_000;
        s.run_until(t);
    }
    None
}

/// One key count: pre-load, measure a beat, drop a commit, restart a follower.
pub fn run_row(setup: &Setup, keys: u32, seed: u64) -> Result<Row, Error> {
    setup.validate(keys)?;
    let sim_seed = row_seed(seed, keys);
    let mut s = cluster(
        setup.nodes,
        setup.nacos.clone(),
        setup.network.clone(),
        sim_seed,
    )?;
    let leader = settle(&mut s)?;
    for i in 0..keys {
        if !write_and_wait(&mut s, &format!("k{i}"), CAP)? {
            return Err(Error::new(
                "nacos",
                format!("pre-load write k{i} failed on a loss-free network"),
            ));
        }
    }
    let (beat, entries) = next_beat(&mut s, leader)?;
    let beat_only = Message::Beat(nacos::Beat {
        peer: nacos::Peer {
            ip: leader,
            term: s.status(leader).term,
            state: crate::protocol::Role::Leader,
            vote_for: Some(leader),
        },
        digest: None,
    })
    .size()
    .unwrap_or_default();
    // Let the followers sync with that beat before the faults.
    let t = s.now() + setup.nacos.heartbeat_interval;
    s.run_until(t);
    let leader = s.client_target().unwrap_or(leader);
    let f = (1..=s.node_count())
        .rev()
        .find(|&n| n != leader)
        .expect("three nodes or more");

    // A dropped commit: update k0, lose its commit to f.
    let tap = Tap::attach(&mut s);
    let t0 = s.now();
    let op = s.client_request(OpKind::Write, "k0", Some(leader))?;
    let commit = s
        .in_flight()
        .find(|m| m.to == f && m.kind == MessageKind::Commit)
        .map(|m| m.id);
    if let Some(id) = commit {
        s.drop_message(id)?;
    }
    let held = s.run_until_condition(t0 + CAP, |s| holds(s, f, "k0", op));
    let dropped_commit = {
        let t = tap.borrow();
        Pulls {
            changed: 1,
            pulls: t.pulls,
            keys: t.pulled_keys,
            bytes: t.pull_bytes,
            took: s.now() - t0,
            unresolved: !held,
        }
    };
    s.clear_sinks();

    // A restart: f is down while the client writes.
    s.crash(f)?;
    let before: Vec<(String, u64)> = s
        .protocol(f)
        .store()
        .map(|st| st.iter().map(|(k, d)| (k.to_string(), d.version)).collect())
        .unwrap_or_default();
    s.set_workload(Some(Workload {
        rate: setup.rate,
        keys,
        via_leader: true,
        delete: 0.0,
    }))?;
    let t = s.now() + setup.down;
    s.run_until(t);
    s.set_workload(None)?;
    // Let the last writes finish before the restart.
    let t = s.now() + 1_000_000;
    s.run_until(t);
    let changed = match s.protocol(leader).store() {
        Some(st) => before
            .iter()
            .filter(|(k, v)| st.get(k).is_none_or(|d| d.version != *v))
            .count() as u64,
        None => 0,
    };
    let tap = Tap::attach(&mut s);
    s.restart(f)?;
    let took = catch_up(&mut s, f, leader, CAP);
    let restart = {
        let t = tap.borrow();
        Pulls {
            changed,
            pulls: t.pulls,
            keys: t.pulled_keys,
            bytes: t.pull_bytes,
            took: took.unwrap_or(CAP),
            unresolved: took.is_none(),
        }
    };
    s.clear_sinks();
    Ok(Row {
        keys,
        entries,
        beat,
        beat_only,
        dropped_commit,
        restart,
    })
}

/// Numbers per row in the flat form handed to JavaScript.
pub const FLAT_STRIDE: usize = 18;

impl Row {
    pub fn write_flat(&self, out: &mut Vec<f64>) {
        out.extend([
            f64::from(self.keys),
            f64::from(self.entries),
            f64::from(self.beat.json),
            f64::from(self.beat.gzip),
            f64::from(self.beat_only.json),
            f64::from(self.beat_only.gzip),
        ]);
        for p in [&self.dropped_commit, &self.restart] {
            out.extend([
                p.changed as f64,
                p.pulls as f64,
                p.keys as f64,
                p.bytes as f64,
                p.took as f64,
                f64::from(u8::from(p.unresolved)),
            ]);
        }
    }

    pub fn read_flat(data: &[f64]) -> Result<Vec<Row>, Error> {
        let rows = flat::rows(data, FLAT_STRIDE, "row")?;
        let small = |v: f64| -> Result<u32, Error> {
            u32::try_from(whole(v)?)
                .map_err(|_| Error::new("data", format!("must hold a count, got {v}")))
        };
        let pulls = |c: &[f64]| -> Result<Pulls, Error> {
            Ok(Pulls {
                changed: whole(c[0])?,
                pulls: whole(c[1])?,
                keys: whole(c[2])?,
                bytes: whole(c[3])?,
                took: whole(c[4])?,
                unresolved: whole(c[5])? != 0,
            })
        };
        rows.map(|c| {
            Ok(Row {
                keys: small(c[0])?,
                entries: small(c[1])?,
                beat: WireSize {
                    json: small(c[2])?,
                    gzip: small(c[3])?,
                },
                beat_only: WireSize {
                    json: small(c[4])?,
                    gzip: small(c[5])?,
                },
                dropped_commit: pulls(&c[6..12])?,
                restart: pulls(&c[12..18])?,
            })
        })
        .collect()
    }
}

/// Every key count, in order.
pub fn run_all(setup: &Setup, seed: u64, keys: &[u32]) -> Result<Vec<Row>, Error> {
    keys.iter().map(|&k| run_row(setup, k, seed)).collect()
}
