//! HTTP over TCP, for models whose [`Protocol::HTTP`] is true (Nacos): every
//! request (a message whose kind is not a reply) opens its own connection,
//! and the reply the server sends for it travels back on that connection.
//!
//! - A partition, or a cut link in either direction, blocks the handshake:
//!   the request waits at the wall and fails after the connect timeout.
//! - A server that is down or not booted refuses at once.
//! - No reply within the read timeout of the request leaving: the request
//!   fails then, and a reply that comes later is dropped. A request or
//!   reply that meets a cut made while it was on its way stalls there until
//!   that timeout.
//! - A process that dies takes its connections along: a reply to a client
//!   that crashed or restarted since is dropped, and a server that dies
//!   while it handles a request resets the connection (the kernel's RST),
//!   so the client fails at once (the RST needs an open path; a blocked one
//!   leaves the client to its read timeout).
//! - Loss is packet loss under TCP: a lost request or reply is sent again
//!   after a retransmission timeout (200 ms, doubling each time), so it
//!   comes later; losses that reach the read timeout lose it for good.
//! - A paused server's requests wait in its socket, a paused client's
//!   replies and timeouts wait for it: nothing is lost unless a timeout fires.
//!
//! A failed request ends in the client's error callback,
//! [`Protocol::on_request_failed`]. There is no retry: what the model does
//! next is its own (Nacos only logs).

use super::event::Pending;
use super::network::{DropReason, Envelope, Wire};
use super::simulation::Step;
use super::trace::EventKind;
use super::{Engine, Simulation};
use crate::protocol::{
    HttpTimeouts, MessageInfo, MessageKind, Micros, NodeId, Protocol, RequestError, WireSize,
};

/// A lost packet's first retransmission timeout (Linux's TCP_RTO_MIN);
/// each further loss in a row doubles it.
pub const FIRST_RTO: Micros = 200_000;

/// Whether a message on the wire is on its way or waits at a wall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Motion {
    Moving,
    /// Blocked by a partition or cut: no delivery is scheduled, the
    /// connection's deadline takes it off the wire.
    Stalled,
}

/// Where a connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leg {
    /// The request is on the wire (its id is the connection's).
    Request(Motion),
    /// The server has the request and has not answered yet.
    Serving,
    /// The reply (this message id) is on the wire.
    Reply(u64, Motion),
    /// Nothing of it is left on the wire (lost, refused, reset): the client
    /// waits for its deadline.
    Gone,
}

struct Conn<M> {
    client: NodeId,
    server: NodeId,
    kind: MessageKind,
    /// Kept for the error callback.
    request: Option<M>,
    sent: Micros,
    /// The processes at each end when the request left.
    client_epoch: u32,
    server_epoch: u32,
    deadline: Micros,
    /// What the client sees if the deadline comes first.
    error: RequestError,
    leg: Leg,
    /// The client is done with it (failed or died): a reply is dropped.
    ended: bool,
    /// A deadline event is queued. Armed only when the request may miss
    /// its deadline (a stall, a loss, a paused or dead server, a slow
    /// link, a reply the server defers): most requests are answered in
    /// time and never put one in the queue.
    armed: bool,
}

impl<M> Conn<M> {
    /// Queues the deadline event, once (at `now` if the deadline passed).
    fn arm(&mut self, e: &mut Engine, id: u64) {
        if !self.armed {
            self.armed = true;
            e.schedule(self.deadline.max(e.now), Pending::ConnDeadline(id));
        }
    }

    /// The connection fails now: its server is gone (a reset).
    fn reset(&mut self, e: &mut Engine, id: u64) {
        self.leg = Leg::Gone;
        self.deadline = e.now;
        self.error = RequestError::Reset;
        self.armed = true;
        e.schedule(e.now, Pending::ConnDeadline(id));
    }
}

/// A connection's life, for the property tests ([`Simulation::record_connections`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnEvent {
    Opened {
        conn: u64,
        kind: MessageKind,
        at: Micros,
    },
    RequestDelivered {
        conn: u64,
        at: Micros,
    },
    ReplyDelivered {
        conn: u64,
        at: Micros,
        /// When it reached the client's host (`at` is later if the client
        /// was paused then).
        arrived: Micros,
    },
    Failed {
        conn: u64,
        error: RequestError,
        at: Micros,
    },
    /// The client process died (crash or restart): no callback runs.
    ClientDied {
        conn: u64,
        at: Micros,
    },
}

/// A map keyed by message ids, which only grow: a vector in id order, so
/// an insert is a push and a lookup a binary search. (A `BTreeMap` per
/// value type cost the lab's wasm several KB; few entries are live.)
struct IdMap<V>(Vec<(u64, V)>);

impl<V> IdMap<V> {
    fn new() -> Self {
        IdMap(Vec::new())
    }
    fn at(&self, id: u64) -> Option<usize> {
        self.0.binary_search_by_key(&id, |(k, _)| *k).ok()
    }
    fn insert(&mut self, id: u64, v: V) {
        debug_assert!(self.0.last().is_none_or(|(k, _)| *k < id), "ids grow");
        self.0.push((id, v));
    }
    fn get(&self, id: &u64) -> Option<&V> {
        self.at(*id).map(|i| &self.0[i].1)
    }
    fn get_mut(&mut self, id: &u64) -> Option<&mut V> {
        self.at(*id).map(|i| &mut self.0[i].1)
    }
    fn remove(&mut self, id: &u64) -> Option<V> {
        self.at(*id).map(|i| self.0.remove(i).1)
    }
    fn contains_key(&self, id: &u64) -> bool {
        self.at(*id).is_some()
    }
    /// In id order.
    fn iter(&self) -> impl Iterator<Item = (&u64, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<V> std::ops::Index<&u64> for IdMap<V> {
    type Output = V;
    fn index(&self, id: &u64) -> &V {
        self.get(id).expect("an open connection")
    }
}

/// The open connections (by their request's message id).
pub(super) struct Connections<M> {
    open: IdMap<Conn<M>>,
    /// Reply message id → its connection.
    replies: IdMap<u64>,
    /// The connection whose request is being handled right now: its
    /// server's reply goes on it.
    serving: Option<u64>,
    log: Option<Vec<ConnEvent>>,
}

impl<M> Default for Connections<M> {
    fn default() -> Self {
        Connections {
            open: IdMap::new(),
            replies: IdMap::new(),
            serving: None,
            log: None,
        }
    }
}

fn blocked_either(e: &Engine, a: NodeId, b: NodeId) -> Option<DropReason> {
    e.topology
        .blocked(a, b)
        .or_else(|| e.topology.blocked(b, a))
}

/// How long TCP takes to get one packet through: retransmissions after
/// losses, then the latency. None when the losses outlast `deadline`.
fn travel(e: &mut Engine, deadline: Micros) -> Option<(Micros, u32)> {
    let now = e.now;
    let (mut delay, mut rto, mut resent) = (0, FIRST_RTO, 0);
    if e.network.loss > 0.0 {
        while e.net_rng.chance(e.network.loss) {
            delay += rto;
            rto = rto.saturating_mul(2);
            resent += 1;
            if now.saturating_add(delay) >= deadline {
                return None;
            }
        }
    }
    let latency = e
        .net_rng
        .between(e.network.latency_min, e.network.latency_max);
    Some((now.saturating_add(delay).saturating_add(latency), resent))
}

impl<M: MessageInfo + Clone> Connections<M> {
    fn record(&mut self, ev: ConnEvent) {
        if let Some(log) = &mut self.log {
            log.push(ev);
        }
    }

    /// Sends one message of a model with HTTP: a request opens a
    /// connection, a reply goes back on its request's.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send(
        &mut self,
        e: &mut Engine,
        wire: &mut Wire<M>,
        t: HttpTimeouts,
        from: NodeId,
        to: NodeId,
        msg: M,
        round: u64,
        load: Option<(u32, WireSize)>,
    ) {
        let id = e.next_message_id;
        e.next_message_id += 1;
        e.stats.sent += 1;
        if msg.kind().is_reply() {
            self.send_reply(e, wire, id, from, to, msg, load);
        } else {
            self.send_request(e, wire, t, id, (from, to), msg, round, load);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn send_request(
        &mut self,
        e: &mut Engine,
        wire: &mut Wire<M>,
        t: HttpTimeouts,
        id: u64,
        (from, to): (NodeId, NodeId),
        msg: M,
        round: u64,
        load: Option<(u32, WireSize)>,
    ) {
        let (kind, term, now) = (msg.kind(), msg.term(), e.now);
        let mut conn = Conn {
            client: from,
            server: to,
            kind,
            request: Some(msg.clone()),
            sent: now,
            client_epoch: e.epoch[(from - 1) as usize],
            server_epoch: e.epoch[(to - 1) as usize],
            deadline: now.saturating_add(t.read),
            error: RequestError::ReadTimeout,
            leg: Leg::Gone,
            ended: false,
            armed: false,
        };
        let rule = if kind == MessageKind::Beat {
            e.topology.beat_rule_drops(from, to, round)
        } else {
            None
        };
        if let Some(rule) = rule {
            // Lost as the rule says: nothing reaches the server, and the
            // client waits out its read timeout.
            e.dropped(id, kind, from, to, term, DropReason::BeatRule(rule));
        } else if let Some(reason) = blocked_either(e, from, to) {
            conn.deadline = now.saturating_add(t.connect);
            conn.error = RequestError::ConnectTimeout;
            conn.leg = Leg::Request(Motion::Stalled);
            stall(e, wire, id, (from, to), msg, conn.deadline, reason);
        } else if !e.alive[(to - 1) as usize] {
            conn.deadline = now;
            conn.error = RequestError::Refused;
            e.dropped(id, kind, from, to, term, DropReason::Refused);
        } else if let Some((due, resent)) = travel(e, conn.deadline) {
            conn.leg = Leg::Request(Motion::Moving);
            put(e, wire, id, (from, to), msg, due, load, resent);
        } else {
            e.dropped(id, kind, from, to, term, DropReason::Loss);
        }
        // On its way in time: its deadline is queued only if it meets trouble.
        let on_time = matches!(conn.leg, Leg::Request(Motion::Moving))
            && wire.envelope(id).is_some_and(|m| m.due < conn.deadline);
        if !on_time {
            conn.arm(e, id);
        }
        self.record(ConnEvent::Opened {
            conn: id,
            kind,
            at: now,
        });
        self.open.insert(id, conn);
    }

    /// The open connection from `client` that `server` is handling and
    /// whose request a reply of `kind` answers: the one being handled now,
    /// else the oldest (a reply the model sends later, as a forwarded
    /// write's).
    fn find_serving(&self, server: NodeId, client: NodeId, kind: MessageKind) -> Option<u64> {
        let want = kind.request_of()?;
        let fits = |c: &Conn<M>| {
            c.server == server && c.client == client && c.kind == want && c.leg == Leg::Serving
        };
        if let Some(s) = self.serving {
            if self.open.get(&s).is_some_and(fits) {
                return Some(s);
            }
        }
        self.open.iter().find(|(_, c)| fits(c)).map(|(id, _)| *id)
    }

    #[allow(clippy::too_many_arguments)]
    fn send_reply(
        &mut self,
        e: &mut Engine,
        wire: &mut Wire<M>,
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: M,
        load: Option<(u32, WireSize)>,
    ) {
        let (kind, term) = (msg.kind(), msg.term());
        let Some(cid) = self.find_serving(from, to, kind) else {
            e.dropped(id, kind, from, to, term, DropReason::Closed);
            return;
        };
        let conn = self.open.get_mut(&cid).expect("found open");
        if conn.ended {
            self.open.remove(&cid);
            e.dropped(id, kind, from, to, term, DropReason::Closed);
            return;
        }
        if let Some(reason) = blocked_either(e, from, to) {
            conn.leg = Leg::Reply(id, Motion::Stalled);
            stall(e, wire, id, (from, to), msg, conn.deadline, reason);
            conn.arm(e, cid);
        } else if let Some((due, resent)) = travel(e, conn.deadline) {
            conn.leg = Leg::Reply(id, Motion::Moving);
            self.replies.insert(id, cid);
            put(e, wire, id, (from, to), msg, due, load, resent);
            if due >= conn.deadline {
                conn.arm(e, cid);
            }
        } else {
            conn.leg = Leg::Gone;
            e.dropped(id, kind, from, to, term, DropReason::Loss);
            conn.arm(e, cid);
        }
    }

    /// The client is done with a connection: what waits at a wall leaves
    /// the wire, and the connection closes unless a message of it is still
    /// on its way or at the server (its reply is dropped then). Returns the
    /// request, for the error callback.
    fn end(&mut self, cid: u64, e: &mut Engine, wire: &mut Wire<M>) -> Option<M> {
        let conn = self.open.get_mut(&cid)?;
        conn.ended = true;
        let request = conn.request.take();
        let gone = match conn.leg {
            Leg::Request(Motion::Stalled) => {
                // The failure's trace event says it; the count keeps
                // sent = delivered + dropped + on the wire.
                if wire.take(cid).is_some() {
                    e.stats.dropped += 1;
                }
                true
            }
            Leg::Reply(m, Motion::Stalled) => {
                if wire.take(m).is_some() {
                    e.stats.dropped += 1;
                }
                true
            }
            Leg::Gone => true,
            Leg::Request(Motion::Moving) | Leg::Serving | Leg::Reply(_, Motion::Moving) => false,
        };
        if gone {
            self.open.remove(&cid);
        }
        request
    }

    /// A message taken off the wire by hand: its connection has nothing
    /// left on the wire.
    pub(super) fn message_dropped(&mut self, id: u64, e: &mut Engine) {
        let cid = if self.open.contains_key(&id) {
            Some(id)
        } else if let Some(cid) = self.replies.remove(&id) {
            Some(cid)
        } else {
            self.open
                .iter()
                .find(|(_, c)| matches!(c.leg, Leg::Reply(m, _) if m == id))
                .map(|(cid, _)| *cid)
        };
        if let Some(cid) = cid {
            let conn = self.open.get_mut(&cid).expect("found open");
            conn.leg = Leg::Gone;
            if conn.ended {
                self.open.remove(&cid);
            } else {
                conn.arm(e, cid);
            }
        }
    }

    /// A request due at a paused server waits in its socket: it may miss
    /// its deadline.
    pub(super) fn request_waits(&mut self, id: u64, e: &mut Engine) {
        if let Some(conn) = self.open.get_mut(&id) {
            conn.arm(e, id);
        }
    }

    /// Whether a message on the wire waits at a partition or cut (the
    /// page draws it at the wall).
    pub(super) fn is_stalled(&self, id: u64) -> bool {
        match self.open.get(&id) {
            Some(c) if c.leg == Leg::Request(Motion::Stalled) => true,
            Some(_) => false,
            None => self
                .open
                .values()
                .any(|c| c.leg == Leg::Reply(id, Motion::Stalled)),
        }
    }
}

/// Puts a message on its way.
#[allow(clippy::too_many_arguments)]
fn put<M: MessageInfo>(
    e: &mut Engine,
    wire: &mut Wire<M>,
    id: u64,
    (from, to): (NodeId, NodeId),
    msg: M,
    due: Micros,
    load: Option<(u32, WireSize)>,
    resent: u32,
) {
    let (kind, term, sent) = (msg.kind(), msg.term(), e.now);
    e.dispatch(id, (from, to), kind, term, due, load, resent);
    let envelope = Envelope {
        id,
        from,
        to,
        kind,
        sent,
        due,
    };
    wire.push(envelope, msg);
}

/// Puts a message on the wire at a wall: it waits there until `until`,
/// when its connection's deadline takes it off.
fn stall<M: MessageInfo>(
    e: &mut Engine,
    wire: &mut Wire<M>,
    id: u64,
    (from, to): (NodeId, NodeId),
    msg: M,
    until: Micros,
    reason: DropReason,
) {
    let (kind, term, sent) = (msg.kind(), msg.term(), e.now);
    e.emit(
        Some(from),
        term,
        EventKind::Stall {
            id,
            kind,
            to,
            until,
            reason,
        },
    );
    let envelope = Envelope {
        id,
        from,
        to,
        kind,
        sent,
        due: until,
    };
    wire.push(envelope, msg);
}

impl<P: Protocol> Simulation<P> {
    /// Keep a log of every connection's life from now on (tests).
    pub fn record_connections(&mut self) {
        self.conns.log.get_or_insert_with(Vec::new);
    }

    /// The connection log ([`Self::record_connections`]).
    pub fn connection_log(&self) -> &[ConnEvent] {
        self.conns.log.as_deref().unwrap_or(&[])
    }

    /// Connections whose client still waits for their reply.
    pub fn open_requests(&self) -> usize {
        self.conns.open.values().filter(|c| !c.ended).count()
    }

    /// Whether the message in flight `id` waits at a partition or cut.
    pub fn is_stalled(&self, id: u64) -> bool {
        P::HTTP && self.conns.is_stalled(id)
    }

    /// A message of a model with HTTP is due at its receiver.
    pub(super) fn http_deliver(&mut self, id: u64) -> bool {
        let Some(env) = self.wire.envelope(id) else {
            return false;
        };
        if env.kind.is_reply() {
            self.reply_arrives(env);
        } else {
            self.request_arrives(env);
        }
        true
    }

    /// Takes a message off the wire as dropped.
    fn drop_taken(&mut self, env: Envelope, reason: DropReason) {
        if let Some((_, msg)) = self.wire.take(env.id) {
            self.engine
                .dropped(env.id, env.kind, env.from, env.to, msg.term(), reason);
        }
    }

    /// Moves a message on the wire to wait at a wall until `until`.
    fn stall_in_place(&mut self, env: Envelope, until: Micros, reason: DropReason) {
        let Some(term) = self.wire.get(env.id).map(|m| m.msg.term()) else {
            return;
        };
        self.wire.set_due(env.id, until);
        self.engine.emit(
            Some(env.from),
            term,
            EventKind::Stall {
                id: env.id,
                kind: env.kind,
                to: env.to,
                until,
                reason,
            },
        );
    }

    fn request_arrives(&mut self, env: Envelope) {
        let e = &mut self.engine;
        let Some(conn) = self.conns.open.get_mut(&env.id) else {
            self.drop_taken(env, DropReason::Closed);
            return;
        };
        let s = (env.to - 1) as usize;
        if !e.alive[s] || e.epoch[s] != conn.server_epoch {
            // The server it connected to is gone: the kernel resets.
            if conn.ended {
                self.conns.open.remove(&env.id);
            } else {
                conn.reset(e, env.id);
            }
            self.drop_taken(env, DropReason::Crashed);
            return;
        }
        if let Some(reason) = e.topology.blocked(env.from, env.to) {
            if conn.ended {
                self.conns.open.remove(&env.id);
                self.drop_taken(env, reason);
            } else {
                conn.leg = Leg::Request(Motion::Stalled);
                conn.arm(e, env.id);
                let until = conn.deadline;
                self.stall_in_place(env, until, reason);
            }
            return;
        }
        conn.leg = Leg::Serving;
        let Some((_, msg)) = self.wire.take(env.id) else {
            return;
        };
        self.engine.stats.delivered += 1;
        let at = self.engine.now;
        self.conns
            .record(ConnEvent::RequestDelivered { conn: env.id, at });
        self.conns.serving = Some(env.id);
        self.drive(env.to, Step::Message(env.from, msg));
        self.conns.serving = None;
        // No reply yet (a proxied write waits for its leader): it may be late.
        if let Some(conn) = self.conns.open.get_mut(&env.id) {
            if conn.leg == Leg::Serving {
                conn.arm(&mut self.engine, env.id);
            }
        }
    }

    fn reply_arrives(&mut self, env: Envelope) {
        let e = &mut self.engine;
        let cid = self.conns.replies.remove(&env.id);
        let c = (env.to - 1) as usize;
        let Some(conn) = cid.and_then(|cid| self.conns.open.get_mut(&cid)) else {
            self.drop_taken(env, DropReason::Closed);
            return;
        };
        let cid = cid.expect("found open");
        if conn.ended || !e.alive[c] || e.epoch[c] != conn.client_epoch {
            self.conns.open.remove(&cid);
            self.drop_taken(env, DropReason::Closed);
            return;
        }
        if let Some(reason) = e.topology.blocked(env.from, env.to) {
            conn.leg = Leg::Reply(env.id, Motion::Stalled);
            conn.arm(e, cid);
            let until = conn.deadline;
            self.stall_in_place(env, until, reason);
            return;
        }
        self.conns.open.remove(&cid);
        let Some((_, msg)) = self.wire.take(env.id) else {
            return;
        };
        self.engine.stats.delivered += 1;
        let at = self.engine.now;
        self.conns.record(ConnEvent::ReplyDelivered {
            conn: cid,
            at,
            arrived: env.due,
        });
        self.drive(env.to, Step::Message(env.from, msg));
    }

    /// A connection's deadline: the request fails, unless its reply
    /// reached the client in time (it waits for a paused client).
    pub(super) fn conn_deadline(&mut self, cid: u64) -> bool {
        let now = self.engine.now;
        let Some(conn) = self.conns.open.get(&cid) else {
            return false;
        };
        if conn.ended || conn.deadline > now {
            return false;
        }
        let (client, server, kind, error, sent) =
            (conn.client, conn.server, conn.kind, conn.error, conn.sent);
        if let Some(until) = self.engine.paused_for(client) {
            // The callback runs in the client's process: it waits.
            self.engine
                .schedule(now.saturating_add(until), Pending::ConnDeadline(cid));
            return false;
        }
        if let Leg::Reply(m, Motion::Moving) = conn.leg {
            if self
                .wire
                .envelope(m)
                .is_some_and(|r| r.due <= conn.deadline)
            {
                // Its reply reached the (paused) client in time.
                if let Some(conn) = self.conns.open.get_mut(&cid) {
                    conn.armed = false;
                }
                return false;
            }
        }
        let Some(request) = self.conns.end(cid, &mut self.engine, &mut self.wire) else {
            return false;
        };
        self.conns.record(ConnEvent::Failed {
            conn: cid,
            error,
            at: now,
        });
        let term = self.nodes[(client - 1) as usize].proto.status().term;
        self.engine.emit(
            Some(client),
            Some(term),
            EventKind::RequestFailed {
                id: cid,
                kind,
                to: server,
                error,
                sent,
            },
        );
        self.drive(client, Step::RequestFailed(server, request, error));
        true
    }

    /// A node's process died (crash, or restart): its connections go with
    /// it. As client: no callback will run, replies to it are dropped. As
    /// server: a request it was handling is reset, which fails at once
    /// where the path to its client is open.
    pub(super) fn http_process_died(&mut self, node: NodeId) {
        let now = self.engine.now;
        let ids: Vec<u64> = self
            .conns
            .open
            .iter()
            .filter(|(_, c)| c.client == node || c.server == node)
            .map(|(id, _)| *id)
            .collect();
        for cid in ids {
            let c = &self.conns.open[&cid];
            if c.client == node {
                if !c.ended {
                    self.conns.end(cid, &mut self.engine, &mut self.wire);
                    self.conns
                        .record(ConnEvent::ClientDied { conn: cid, at: now });
                }
            } else if c.leg == Leg::Serving {
                if c.ended {
                    self.conns.open.remove(&cid);
                    continue;
                }
                let open = blocked_either(&self.engine, c.client, c.server).is_none();
                let c = self.conns.open.get_mut(&cid).expect("listed");
                if open {
                    c.reset(&mut self.engine, cid);
                } else {
                    c.leg = Leg::Gone;
                    c.arm(&mut self.engine, cid);
                }
            }
        }
    }
}
