//! The client's side of a run: single writes and deletes sent to a node,
//! and the workload, a Poisson stream of them over a key space. Requests
//! reach the node at once (the client sits next to it); what happens
//! after is the model's.

use super::client::Workload;
use super::event::Pending;
use super::simulation::Step;
use super::trace::EventKind;
use super::Simulation;
use crate::error::Error;
use crate::num::fmt_f64_exact;
use crate::protocol::data::{ClientRequest, Failure, Key, OpId, OpKind};
use crate::protocol::{Entropy, NodeId, Protocol};

/// The longest key a client may write.
pub const MAX_KEY_LEN: usize = 128;

/// Checks a key: a word of letters, digits and `._-:@#/`.
pub fn check_key(field: &str, key: &str) -> Result<(), Error> {
    let ok = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:@#/".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            field,
            format!(
                "must be 1 to {MAX_KEY_LEN} letters, digits or ._-:@#/ (no spaces), got `{key}`"
            ),
        ))
    }
}

impl Workload {
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.rate.is_finite() && self.rate > 0.0 && self.rate <= 10_000.0) {
            return Err(Error::new(
                "rate",
                format!(
                    "must be a number of operations per second above 0 and at most 10000, got {}",
                    fmt_f64_exact(self.rate)
                ),
            ));
        }
        if !(1..=1_000_000).contains(&self.keys) {
            return Err(Error::new(
                "keys",
                format!("must be between 1 and 1000000, got {}", self.keys),
            ));
        }
        if !(self.delete.is_finite() && (0.0..=1.0).contains(&self.delete)) {
            return Err(Error::new(
                "delete",
                format!(
                    "must be a probability between 0 and 1, got {}",
                    fmt_f64_exact(self.delete)
                ),
            ));
        }
        Ok(())
    }

    pub fn describe(&self) -> String {
        format!(
            "rate={}/s keys={} via={} delete={}",
            fmt_f64_exact(self.rate),
            self.keys,
            if self.via_leader { "leader" } else { "any" },
            fmt_f64_exact(self.delete)
        )
    }
}

impl<P: Protocol> Simulation<P> {
    /// Where a client that wants the leader sends: the live leader, or of
    /// several (a Nacos partition) the one with the highest term, then the
    /// lowest id; None when there is none.
    pub fn client_target(&self) -> Option<NodeId> {
        self.periodic_victim()
    }

    /// Sends a write or delete of `key` to `via` now (None: the client found
    /// no node, and the operation fails at once). Returns its op id.
    pub fn client_request(
        &mut self,
        kind: OpKind,
        key: &str,
        via: Option<NodeId>,
    ) -> Result<OpId, Error> {
        check_key("key", key)?;
        if let Some(n) = via {
            self.engine.node("via", n)?;
        }
        let key = self.engine.client.intern(key);
        Ok(self.send_request(kind, key, via))
    }

    /// Sends a request whose key and node are known to be valid.
    fn send_request(&mut self, kind: OpKind, key: Key, via: Option<NodeId>) -> OpId {
        let now = self.engine.now;
        let op = self.engine.client.invoke(kind, key.clone(), via, now);
        self.engine.emit(
            via,
            None,
            EventKind::ClientRequest {
                op,
                kind,
                key: &key,
                via,
            },
        );
        match via {
            // A paused node (or one writing to disk) accepts the
            // connection and answers nothing yet.
            Some(n) if self.engine.is_stalled(n) => {
                self.engine.held.push((n, ClientRequest { op, kind, key }));
            }
            Some(n) if self.engine.is_alive(n) => {
                self.deliver(n, ClientRequest { op, kind, key });
            }
            _ => self.engine.client_done(op, Err(Failure::Unreachable)),
        }
        op
    }

    /// Hands a request to node `n`, and follows redirects (Raft: a
    /// follower names the leader, and the client sends it there), at most
    /// once per node, so two nodes naming each other cannot loop.
    pub(super) fn deliver(&mut self, mut n: NodeId, mut request: ClientRequest) {
        for _ in 0..self.engine.n {
            self.drive(n, Step::Client(request));
            let Some((r, leader)) = self.ready.redirects.pop() else {
                return;
            };
            self.engine.client.redirect(r.op, leader);
            self.engine.emit(
                Some(n),
                None,
                EventKind::ClientRedirect {
                    op: r.op,
                    to: leader,
                },
            );
            if !self.engine.is_alive(leader) {
                self.engine.client_done(r.op, Err(Failure::RedirectFailed));
                return;
            }
            if self.engine.is_stalled(leader) {
                self.engine.held.push((leader, r));
                return;
            }
            (n, request) = (leader, r);
        }
        self.engine
            .client_done(request.op, Err(Failure::RedirectFailed));
    }

    /// Starts, replaces or (None) stops the workload.
    pub fn set_workload(&mut self, workload: Option<Workload>) -> Result<(), Error> {
        if let Some(w) = &workload {
            w.validate()?;
        }
        let e = &mut self.engine;
        e.client.workload = workload;
        e.client.workload_gen = e.client.workload_gen.wrapping_add(1);
        let what = match &workload {
            Some(w) => w.describe(),
            None => "off".to_string(),
        };
        e.emit(None, None, EventKind::Workload { what });
        if let Some(w) = workload {
            let gen = e.client.workload_gen;
            let at = e.now.saturating_add(self.next_arrival(w.rate));
            self.engine.schedule(at, Pending::Workload { gen });
        }
        Ok(())
    }

    /// Microseconds to the next arrival of a Poisson stream of `rate`/s.
    fn next_arrival(&mut self, rate: f64) -> u64 {
        // Uniform in (0, 1]: 53 random bits, never 0.
        let u = ((self.engine.client_rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64;
        let gap = -u.ln() / rate * 1e6;
        (gap.ceil() as u64).max(1)
    }

    /// One operation of the workload, then the next one scheduled.
    pub(super) fn workload_event(&mut self, gen: u32) -> bool {
        let Some(w) = self
            .engine
            .client
            .workload
            .filter(|_| gen == self.engine.client.workload_gen)
        else {
            return false;
        };
        let rng = &mut self.engine.client_rng;
        let index = rng.below(u64::from(w.keys)) as usize;
        let kind = if w.delete > 0.0 && rng.chance(w.delete) {
            OpKind::Delete
        } else {
            OpKind::Write
        };
        let via = if w.via_leader {
            self.client_target()
        } else {
            Some(self.engine.client_rng.below(u64::from(self.engine.n)) as NodeId + 1)
        };
        // The key and node are valid by construction.
        let key = self.workload_key(index);
        self.send_request(kind, key, via);
        let at = self.engine.now.saturating_add(self.next_arrival(w.rate));
        self.engine.schedule(at, Pending::Workload { gen });
        true
    }

    /// The workload's key `k{index}`, made once and shared after.
    fn workload_key(&mut self, index: usize) -> Key {
        // A huge key space is not worth a table: a key each time.
        if index >= 1 << 16 {
            return self.engine.client.intern(&format!("k{index}"));
        }
        let keys = &mut self.engine.client.workload_keys;
        if keys.len() <= index {
            keys.resize(index + 1, None);
        }
        if let Some(k) = &keys[index] {
            return k.clone();
        }
        let k = self.engine.client.intern(&format!("k{index}"));
        self.engine.client.workload_keys[index] = Some(k.clone());
        k
    }

    /// A node went down: the requests the client sent it and is still
    /// waiting on fail, without knowing whether they took effect.
    pub(super) fn client_connections_lost(&mut self, id: NodeId) {
        for op in self.engine.client.pending_via(id) {
            self.engine.client_done(op, Err(Failure::ConnectionLost));
        }
    }
}
