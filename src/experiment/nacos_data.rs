//! What the three Nacos data experiments share: a cluster with the model's
//! own constants, a settled leader, a client that writes and waits, and a
//! trace tap that tells a commit from a pull and adds up pull traffic.

use super::failover::followed_leader;
use crate::error::Error;
use crate::protocol::data::{OpId, OpKind};
use crate::protocol::{nacos, Micros, NodeId, Protocol};
use crate::sim::client::Workload;
use crate::sim::network::NetworkConfig;
use crate::sim::trace::{Record, Sink};
use crate::sim::{SimConfig, Simulation};
use std::cell::RefCell;
use std::rc::Rc;

pub type NacosSim = Simulation<nacos::Node>;

/// Five Nacos servers with `nacos`'s timings on `network`.
pub fn cluster(
    nodes: u32,
    nacos: nacos::Config,
    network: NetworkConfig,
    seed: u64,
) -> Result<NacosSim, Error> {
    Simulation::<nacos::Node>::new(
        nacos,
        SimConfig {
            nodes,
            seed,
            network,
            timer_jitter: 0,
            boot_spread: 0,
            disk_write: (0, 0),
        },
    )
}

/// The checks every lost-writes setup shares: a valid network with loss
/// below one half, at least three nodes (a leader can fail over), and a
/// valid workload.
pub fn check_failover_setup(
    network: &NetworkConfig,
    nodes: u32,
    workload: &Workload,
) -> Result<(), Error> {
    network.validate()?;
    if nodes < 3 {
        return Err(Error::new(
            "nodes",
            "must be at least 3, so that a leader can fail over",
        ));
    }
    workload.validate()?;
    if network.loss >= 0.5 {
        return Err(Error::new(
            "loss",
            format!("must be below 0.5, got {}", network.loss),
        ));
    }
    Ok(())
}

/// Runs until one leader is followed by every live node (Nacos elects
/// within leaderTimeout of boot, plus split votes: ten minutes is ample).
pub fn settle(s: &mut NacosSim) -> Result<NodeId, Error> {
    let end = s.now() + 600 * 1_000_000;
    if !s.run_until_condition(end, |s| followed_leader(s).is_some()) {
        return Err(Error::new(
            "nacos",
            "no settled leader within 10 minutes of simulated time",
        ));
    }
    Ok(followed_leader(s).expect("settled"))
}

/// Whether `node` holds the datum written by `op` under `key`.
pub fn holds(s: &NacosSim, node: NodeId, key: &str, op: OpId) -> bool {
    s.protocol(node)
        .store()
        .and_then(|st| st.get(key))
        .is_some_and(|d| d.token == op)
}

/// Writes `key` through the leader and runs until the client has its
/// answer (or `cap` passes); true when it was acknowledged.
pub fn write_and_wait(s: &mut NacosSim, key: &str, cap: Micros) -> Result<bool, Error> {
    let via = s.client_target();
    let op = s.client_request(OpKind::Write, key, via)?;
    let end = s.now().saturating_add(cap);
    s.run_until_condition(end, |s| s.client().op(op).is_none_or(|o| o.done.is_some()));
    Ok(s.client().op(op).is_some_and(|o| o.acked()))
}

/// How a follower last changed its datums from a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Commit,
    Pull,
}

/// What the tap saw: per node, the last accepted commit or applied pull,
/// and the pull traffic (GET /raft/datum and its replies).
#[derive(Debug, Default)]
pub struct Tapped {
    /// Index id - 1.
    pub last: Vec<Option<Via>>,
    /// Pull requests sent.
    pub pulls: u64,
    /// Keys those requests asked for.
    pub pulled_keys: u64,
    /// JSON bytes of the requests and their replies.
    pub pull_bytes: u64,
}

/// A trace sink that keeps only what the experiments measure.
pub struct Tap(pub Rc<RefCell<Tapped>>);

impl Tap {
    /// Attaches a new tap to `s`; the returned handle reads it.
    pub fn attach(s: &mut NacosSim) -> Rc<RefCell<Tapped>> {
        let t = Rc::new(RefCell::new(Tapped {
            last: vec![None; s.node_count() as usize],
            ..Tapped::default()
        }));
        s.add_sink(Box::new(Tap(t.clone())));
        t
    }
}

/// The number after `"field":` in a JSON object, if any.
pub fn json_u64(json: &str, field: &str) -> Option<u64> {
    let at = json.find(&format!("\"{field}\":"))? + field.len() + 3;
    let digits: String = json[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

impl Sink for Tap {
    fn record(&mut self, r: &dyn Record) {
        let name = r.name();
        if !matches!(name, "onPublish" | "datumsPulled" | "send") {
            return;
        }
        let mut json = String::new();
        r.write_json(&mut json);
        let mut t = self.0.borrow_mut();
        match name {
            // A refused commit carries a reason and changes nothing.
            "onPublish" if !json.contains("\"reason\"") => {
                if let Some(n) = r.node() {
                    t.last[(n - 1) as usize] = Some(Via::Commit);
                }
            }
            "datumsPulled" if json_u64(&json, "applied").is_some_and(|a| a > 0) => {
                if let Some(n) = r.node() {
                    t.last[(n - 1) as usize] = Some(Via::Pull);
                }
            }
            "send" if json.contains("\"kind\":\"pull\"") => {
                t.pulls += 1;
                t.pulled_keys += json_u64(&json, "entries").unwrap_or(0);
                t.pull_bytes += json_u64(&json, "bytes").unwrap_or(0);
            }
            "send" if json.contains("\"kind\":\"pull-reply\"") => {
                t.pull_bytes += json_u64(&json, "bytes").unwrap_or(0);
            }
            _ => {}
        }
    }
}

/// Parses a comma-separated list with `parse`, naming `field` on error.
pub fn parse_list<T>(
    field: &str,
    text: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, Error> {
    let items: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err(Error::new(field, format!("must list {what}, got `{text}`")));
    }
    items
        .iter()
        .map(|v| parse(v).ok_or_else(|| Error::new(field, format!("must list {what}, got `{v}`"))))
        .collect()
}

/// A settled cluster of `nodes` Nacos servers (default timings, LAN)
/// holding keys `k0 .. k{keys-1}`, each written once through the leader:
/// the starting point of the load benchmarks.
pub fn preloaded(nodes: u32, keys: u32, seed: u64) -> Result<NacosSim, Error> {
    let mut s = cluster(
        nodes,
        nacos::Config::default(),
        NetworkConfig::default(),
        seed,
    )?;
    settle(&mut s)?;
    for i in 0..keys {
        if !write_and_wait(&mut s, &format!("k{i}"), 60 * 1_000_000)? {
            return Err(Error::new(
                "keys",
                format!("the pre-load write of k{i} failed on a loss-free network"),
            ));
        }
    }
    Ok(s)
}
