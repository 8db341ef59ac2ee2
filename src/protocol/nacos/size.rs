//! How many bytes Nacos's messages take on the wire: a documented model,
//! not a serialiser. Each size counts the JSON Nacos writes (field names as
//! RaftPeer and Datum serialise, servers as `10.0.0.N:8848`) and, for the
//! beat, the gzip stream sendBeat actually sends. The gzip size is an
//! estimate fitted to zlib's output on such beats (docs/nacos.md, "Beat
//! size"); `benches/beat-size.mjs` checks it against real gzip.

use super::message::{Beat, Digest, Peer};
use crate::protocol::data::{Datum, Key};
use crate::protocol::WireSize;

/// Decimal digits of `v`.
fn digits(mut v: u64) -> u32 {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

/// `"10.0.0.N:8848"` with its quotes.
fn ip_bytes(id: u32) -> u32 {
    2 + 7 + digits(u64::from(id)) + 5
}

/// `{"ip":..,"voteFor":..,"term":..,"leaderDueMs":..,"heartbeatDueMs":..,"state":".."}`,
/// taking the dues at their reset values (5 digits) and the double quotes
/// it holds (escaped once more inside the beat's string).
fn peer_json(p: &Peer) -> (u32, u32) {
    let vote_for = p.vote_for.map_or(4, ip_bytes);
    let bytes = 6
        + ip_bytes(p.ip)
        + 11
        + vote_for
        + 8
        + digits(p.term)
        + 15
        + 5
        + 18
        + 4
        + 9
        + 2
        + p.state.as_str().len() as u32
        + 1;
    let quotes = 12 + 2 + if p.vote_for.is_some() { 2 } else { 0 } + 2;
    (bytes, quotes)
}

/// One digest entry, `{"key":"K","timestamp":V}`: its bytes and its 6
/// double quotes.
pub fn entry_json(key: &str, version: u64) -> u32 {
    8 + key.len() as u32 + 14 + digits(version) + 1
}

/// What a digest of these entries adds to the packet.
pub fn digest_json(entries: &[(Key, u64)]) -> u32 {
    let n = entries.len() as u32;
    entries.iter().map(|(k, v)| entry_json(k, *v)).sum::<u32>() + n.saturating_sub(1)
}

/// The beat's size: the packet `{"peer":P,"datums":[...]}` goes as a JSON
/// string inside `{"beat":"..."}` (every double quote escaped), gzipped.
pub fn beat(b: &Beat) -> WireSize {
    let (peer, peer_quotes) = peer_json(&b.peer);
    let (list, entries) = b
        .digest
        .as_deref()
        .map_or((0, 0), |d: &Digest| (d.json_bytes, d.entries.len() as u32));
    let packet = 8 + peer + 11 + list + 2;
    let quotes = 4 + peer_quotes + 6 * entries;
    let json = 9 + packet + quotes + 2;
    WireSize {
        json,
        gzip: gzip_estimate(json, entries),
    }
}

/// gzip of a beat: about 160 bytes for the frame and the peer record, plus
/// 3.7 bytes per entry (deflate matches the field names back; the key's
/// number and the version are most of what is new). Fitted with zlib on
/// keys `k0`, `k1`, ... in key order: within 2% from 1 000 to 100 000
/// entries, within 6% at 1 to 100 (`node benches/beat-size.mjs`).
pub fn gzip_estimate(json: u32, entries: u32) -> u32 {
    if entries == 0 {
        return 20 + json * 7 / 10;
    }
    160 + entries * GZIP_PER_ENTRY_X10 / 10
}

/// Tenths of a byte each digest entry costs after gzip.
pub const GZIP_PER_ENTRY_X10: u32 = 37;

/// GET /raft/datum?keys=k1,k2,...: the query string.
pub fn pull(keys: &[Key]) -> WireSize {
    let json = 20 + keys.iter().map(|k| k.len() as u32 + 1).sum::<u32>();
    WireSize { json, gzip: json }
}

/// The reply: a JSON list of datums `{"key":..,"value":..,"timestamp":..}`,
/// the value counted as a small instance list (120 bytes).
pub fn pull_reply(datums: &[(Key, Datum)]) -> WireSize {
    let json = 2 + datums
        .iter()
        .map(|(k, d)| 8 + k.len() as u32 + 10 + 120 + 13 + digits(d.version) + 2)
        .sum::<u32>();
    WireSize { json, gzip: json }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Role;

    #[test]
    fn entry_json_counts_every_byte_of_the_text() {
        let text = format!("{{\"key\":\"{}\",\"timestamp\":{}}}", "k17", 1234);
        assert_eq!(entry_json("k17", 1234), text.len() as u32);
    }

    #[test]
    fn beat_json_counts_the_packet_as_an_escaped_string() {
        use std::rc::Rc;
        let entries: Vec<(Key, u64)> = vec![(Key::from("k1"), 3), (Key::from("k20"), 12)];
        let digest = Digest {
            json_bytes: digest_json(&entries),
            entries,
        };
        let peer = Peer {
            ip: 1,
            term: 7,
            state: Role::Leader,
            vote_for: None,
        };
        let packet = "{\"peer\":{\"ip\":\"10.0.0.1:8848\",\"voteFor\":null,\"term\":7,\"leaderDueMs\":15000,\"heartbeatDueMs\":5000,\"state\":\"LEADER\"},\"datums\":[{\"key\":\"k1\",\"timestamp\":3},{\"key\":\"k20\",\"timestamp\":12}]}";
        // {"beat":"<packet with every quote escaped>"}
        let content = format!("{{\"beat\":\"{}\"}}", packet.replace('"', "\\\""));
        let b = Beat {
            peer,
            digest: Some(Rc::new(digest)),
        };
        assert_eq!(beat(&b).json, content.len() as u32);
    }

    #[test]
    fn peer_json_counts_every_byte_of_the_text() {
        let p = Peer {
            ip: 3,
            term: 205,
            state: Role::Leader,
            vote_for: Some(3),
        };
        let text = "{\"ip\":\"10.0.0.3:8848\",\"voteFor\":\"10.0.0.3:8848\",\"term\":205,\"leaderDueMs\":15000,\"heartbeatDueMs\":5000,\"state\":\"LEADER\"}";
        let (bytes, quotes) = peer_json(&p);
        assert_eq!(bytes, text.len() as u32);
        assert_eq!(quotes, text.matches('"').count() as u32);
    }
}
