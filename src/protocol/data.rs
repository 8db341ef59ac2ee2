//! What the models store and what clients ask of them: keys, datums,
//! client requests and their outcomes, and the changes a node reports to
//! the durability checker. Shared by every model that carries data.

use super::NodeId;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A datum's key. Shared, because beats and pulls copy keys around and a
/// key is written once and listed thousands of times.
///
/// Ordered exactly like its text (byte by byte), but mostly by one integer
/// comparison: `head` holds the first eight bytes, big-endian and padded
/// with zeros, so two heads that differ order the keys as their texts do
/// (a shorter key's padding is below any byte its longer neighbour has
/// there, or the texts agree up to the end of the head). Only equal heads
/// compare the texts. Every B-tree step of a store, a state machine and the
/// client history compares keys; byte by byte that was 6 % of a Raft run
/// under load, and a `str` comparison calls `memcmp`.
#[derive(Clone, Default)]
pub struct Key {
    head: u64,
    text: Rc<str>,
}

/// The first eight bytes of `s` as a big-endian number, zero-padded.
fn head_of(s: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = s.len().min(8);
    bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

impl Key {
    fn new(text: Rc<str>) -> Key {
        Key {
            head: head_of(&text),
            text,
        }
    }

    /// The same allocation (so certainly equal).
    #[inline]
    pub fn same(&self, other: &Key) -> bool {
        Rc::ptr_eq(&self.text, &other.text)
    }
}

impl PartialEq for Key {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        // Most compared keys are the very same allocation (the workload
        // names each key once).
        self.same(other) || (self.head == other.head && self.text == other.text)
    }
}
impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As its text hashes, like `Borrow<str>` requires.
        self.text.hash(state)
    }
}

impl PartialOrd for Key {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self.head != other.head {
            return self.head.cmp(&other.head);
        }
        if self.same(other) {
            return std::cmp::Ordering::Equal;
        }
        self.text.as_bytes().cmp(other.text.as_bytes())
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.text
    }
}
impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.text
    }
}
impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key::new(Rc::from(s))
    }
}
impl From<String> for Key {
    fn from(s: String) -> Key {
        Key::new(Rc::from(s))
    }
}
impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.text, f)
    }
}

/// Which client operation this is. Counted from 1 in invoke order; a
/// datum's value token is the id of the write that put it there, so the
/// checker can tell two writes of the same key and version apart.
pub type OpId = u64;

/// One stored datum: its version (Nacos's `timestamp`, a per-key counter)
/// and a value token, the id of the client write that produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Datum {
    pub version: u64,
    pub token: OpId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    Write,
    Delete,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Write => "write",
            OpKind::Delete => "delete",
        }
    }
}

/// A client's request as it reaches a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRequest {
    pub op: OpId,
    pub kind: OpKind,
    pub key: Key,
}

/// Why a client request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The node knows no leader to forward to (Nacos: `getLeader()` is null).
    NoLeader,
    /// The client found no node to send to (no leader, or the node is down).
    Unreachable,
    /// The leader applied the write but a majority did not confirm it in
    /// time (Nacos's "failed to notify majority"). Nothing is undone.
    NoMajority,
    /// A request queued behind the lock found the node no longer leader
    /// (onPublish on itself throws "wasn't leader").
    NotLeader,
    /// The node the client called went down before it answered.
    ConnectionLost,
    /// This model keeps no data.
    NoData,
    /// A Raft leader stepped down before the entry committed: it may still
    /// commit under the next leader.
    LeadershipLost,
    /// A Raft leader with too many uncommitted entries refused it (etcd's
    /// dropped proposal).
    Dropped,
    /// A redirect led to a node that redirected again, or to a down node.
    RedirectFailed,
    /// The node proxied it to the leader and got no answer (Nacos: the
    /// proxy's HTTP request failed). The leader may have applied it.
    ProxyFailed,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::NoLeader => "no-leader",
            Failure::Unreachable => "unreachable",
            Failure::NoMajority => "no-majority",
            Failure::NotLeader => "not-leader",
            Failure::ConnectionLost => "connection-lost",
            Failure::NoData => "no-data",
            Failure::LeadershipLost => "leadership-lost",
            Failure::Dropped => "dropped",
            Failure::RedirectFailed => "redirect-failed",
            Failure::ProxyFailed => "proxy-failed",
        }
    }

    /// What the client was told.
    pub fn describe(self) -> &'static str {
        match self {
            Failure::NoLeader => "the node knows no leader to forward to",
            Failure::Unreachable => "no node to send it to",
            Failure::NoMajority => "failed to notify majority within the publish timeout",
            Failure::NotLeader => "the node stopped being leader before it applied it",
            Failure::ConnectionLost => "the node went down before it answered",
            Failure::NoData => "this model keeps no data",
            Failure::LeadershipLost => {
                "the leader stepped down before the entry committed; it may still commit"
            }
            Failure::Dropped => "the leader has too many uncommitted entries",
            Failure::RedirectFailed => {
                "the node it was redirected to is down, or redirected it again"
            }
            Failure::ProxyFailed => "the node's request to the leader got no answer",
        }
    }

    /// True when the write certainly did not happen; false when it may
    /// have (the leader applied it before the wait failed).
    pub fn definite(self) -> bool {
        !matches!(
            self,
            Failure::NoMajority
                | Failure::ConnectionLost
                | Failure::LeadershipLost
                | Failure::ProxyFailed
        )
    }
}

/// What the client was told.
pub type Outcome = Result<(), Failure>;

/// Why a node's datum changed: what the durability checker names when a
/// change loses an acknowledged write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The node applied a client's request itself (the leader's onPublish or onDelete).
    Local,
    /// A commit or delete from the leader.
    Commit { from: NodeId },
    /// A datum pulled from the beat's sender.
    Pull { from: NodeId },
    /// The key was not listed in a beat (Nacos's dead keys).
    DeadKey { from: NodeId, beat_term: u64 },
}

/// One change to a node's store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatumChange {
    pub key: Key,
    /// The datum before; None when the key was new.
    pub before: Option<Datum>,
    /// The new datum; None when the key was deleted.
    pub datum: Option<Datum>,
    pub cause: Cause,
}

/// A node's datums, in key order, with a generation that changes with
/// every change (so a cached digest knows when it is stale).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Store {
    map: BTreeMap<Key, Datum>,
    generation: u64,
}

impl Store {
    pub fn get(&self, key: &str) -> Option<Datum> {
        self.map.get(key).copied()
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    pub fn generation(&self) -> u64 {
        self.generation
    }
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Datum)> {
        self.map.iter()
    }
    /// Stores the datum `f` makes of the one it replaces (one lookup);
    /// returns both.
    pub fn upsert(
        &mut self,
        key: Key,
        f: impl FnOnce(Option<Datum>) -> Datum,
    ) -> (Option<Datum>, Datum) {
        self.generation += 1;
        match self.map.entry(key) {
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let old = *o.get();
                let new = f(Some(old));
                o.insert(new);
                (Some(old), new)
            }
            std::collections::btree_map::Entry::Vacant(v) => {
                let new = f(None);
                v.insert(new);
                (None, new)
            }
        }
    }

    /// Stores a datum; returns the one it replaced.
    pub fn put(&mut self, key: Key, datum: Datum) -> Option<Datum> {
        self.generation += 1;
        self.map.insert(key, datum)
    }
    pub fn remove(&mut self, key: &str) -> Option<Datum> {
        let old = self.map.remove(key);
        if old.is_some() {
            self.generation += 1;
        }
        old
    }
    /// The stored key equal to `key`, shared (no new allocation).
    pub fn key(&self, key: &str) -> Option<Key> {
        self.map.get_key_value(key).map(|(k, _)| k.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::Key;
    use crate::protocol::Entropy;
    use crate::sim::rng::Stream;
    use std::cmp::Ordering;

    /// Keys order, compare and hash-match exactly as their texts do, for
    /// texts around the head's eight bytes: prefixes of each other, equal
    /// heads with different tails, zero bytes (a padded head alone cannot
    /// tell "a" from "a\0"), and bytes above 0x7f.
    #[test]
    fn keys_order_like_their_texts() {
        let mut rng = Stream::new(7, 1);
        let alphabet = ["\0", "a", "b", "k", "0", "9", "é", "/"];
        let mut texts: Vec<String> = vec![String::new(), "a".into(), "a\0".into()];
        for _ in 0..400 {
            let len = rng.below(13) as usize;
            texts.push(
                (0..len)
                    .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                    .collect(),
            );
        }
        // Every text beside its prefixes and its one-byte extensions.
        let more: Vec<String> = texts
            .iter()
            .flat_map(|t| {
                let cut = t.char_indices().map(|(i, _)| t[..i].to_string());
                cut.chain([format!("{t}a"), format!("{t}\0")])
            })
            .collect();
        texts.extend(more);
        let keys: Vec<Key> = texts.iter().map(|t| Key::from(t.as_str())).collect();
        for (a, ka) in texts.iter().zip(&keys) {
            for (b, kb) in texts.iter().zip(&keys) {
                assert_eq!(ka.cmp(kb), a.as_str().cmp(b.as_str()), "{a:?} vs {b:?}");
                assert_eq!(ka == kb, a == b, "{a:?} vs {b:?}");
            }
            assert_eq!(ka.cmp(&ka.clone()), Ordering::Equal);
            assert_eq!(&**ka, a.as_str());
        }
    }
}
