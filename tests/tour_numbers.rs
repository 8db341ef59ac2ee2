//! The figures the guided tours (www/tours/) state in their captions, computed
//! from the runs' traces: a duration or a count in a caption must be what the
//! run shows. A split vote's cost is measured against the same tour run
//! without its forced timeouts (what would have happened left alone).
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use raftbeat::script::{self, Action, Command, Script};
use raftbeat::sim::trace::{Record, Sink};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

/// One traced event: time in ms, node (0: cluster-wide), name, its JSON line.
struct Event {
    t: f64,
    node: u32,
    name: &'static str,
    json: String,
}

impl Event {
    /// A field's raw JSON value: `3`, `"LEADER"`, `null`.
    fn raw(&self, key: &str) -> Option<&str> {
        let pat = format!("\"{key}\":");
        let at = self.json.find(&pat)? + pat.len();
        let rest = &self.json[at..];
        let end = if let Some(quoted) = rest.strip_prefix('"') {
            quoted.find('"').map(|i| i + 2)
        } else {
            rest.find([',', '}'])
        };
        Some(&rest[..end.unwrap_or(rest.len())])
    }
    fn num(&self, key: &str) -> Option<f64> {
        self.raw(key)?.parse().ok()
    }
    fn is(&self, key: &str, value: &str) -> bool {
        self.raw(key).is_some_and(|v| v.trim_matches('"') == value)
    }
}

#[derive(Default)]
struct Events(Vec<Event>);

impl Sink for Events {
    fn record(&mut self, r: &dyn Record) {
        let mut json = String::new();
        r.write_json(&mut json);
        self.0.push(Event {
            t: r.t() as f64 / 1000.0,
            node: r.node().unwrap_or(0),
            name: r.name(),
            json,
        });
    }
}

struct Tour {
    script: Script,
    events: Vec<Event>,
}

fn parse(name: &str) -> Script {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/tours")
        .join(name);
    script::parse(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run(script: Script) -> Tour {
    let events = Rc::new(RefCell::new(Events::default()));
    let report = script::run(&script, Some(Box::new(events.clone())));
    assert_eq!(report.failures().count(), 0, "every expectation holds");
    let events = std::mem::take(&mut events.borrow_mut().0);
    Tour { script, events }
}

fn tour(name: &str) -> Tour {
    run(parse(name))
}

/// The tour as it would have run without its forced timeouts.
fn left_alone(name: &str) -> Tour {
    let mut script = parse(name);
    let before = script.chunks.len();
    script
        .chunks
        .retain(|c| !matches!(c.command, Command::Action(Action::Timeout(_))));
    assert!(script.chunks.len() < before, "{name} forces timeouts");
    script
        .chunks
        .retain(|c| !matches!(c.command, Command::Expect(_)));
    run(script)
}

impl Tour {
    /// Stop k's caption (1-based), its comment lines joined.
    fn caption(&self, k: usize) -> String {
        let pause = self
            .script
            .chunks
            .iter()
            .filter(|c| matches!(c.command, Command::Pause))
            .nth(k - 1)
            .expect("the stop");
        let lines: Vec<&str> = pause
            .lead
            .iter()
            .rev()
            .take_while(|l| l.trim().starts_with('#'))
            .map(|l| l.trim().trim_start_matches('#').trim())
            .collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" ")
    }
    fn says(&self, k: usize, text: &str) {
        let caption = self.caption(k);
        assert!(
            caption.contains(text),
            "stop {k}'s caption should say \"{text}\", the run's figure:\n{caption}"
        );
    }
    fn all(&self, name: &'static str, node: u32) -> impl Iterator<Item = &Event> + '_ {
        self.events
            .iter()
            .filter(move |e| e.name == name && (node == 0 || e.node == node))
    }
    fn first(&self, name: &'static str, node: u32, after: f64) -> &Event {
        self.all(name, node)
            .find(|e| e.t >= after)
            .unwrap_or_else(|| panic!("no {name} on S{node} after {after} ms"))
    }
    fn last_before(&self, name: &'static str, node: u32, before: f64) -> &Event {
        self.all(name, node)
            .filter(|e| e.t < before)
            .last()
            .unwrap_or_else(|| panic!("no {name} on S{node} before {before} ms"))
    }
    /// When `node` (0: any) became LEADER at or after `after`.
    fn led(&self, node: u32, after: f64) -> &Event {
        self.all("role", node)
            .find(|e| e.t >= after && e.is("to", "LEADER"))
            .expect("a leader")
    }
}

fn secs(ms: f64, decimals: usize) -> String {
    format!("{:.*} s", decimals, ms / 1000.0)
}

fn millis(ms: f64) -> String {
    format!("{ms:.0} ms")
}

#[test]
fn nacos_heartbeats() {
    let t = tour("nacos-heartbeats.txt");
    let stood = t.first("sendVote", 5, 0.0);
    t.says(2, &format!("S5 ran out first, at {}", secs(stood.t, 2)));
    // S5 leads at the grant that brings its tally to a majority.
    let won = t
        .all("decideLeader", 5)
        .find(|e| e.raw("elected") == Some("5"))
        .unwrap();
    let grants = t.all("decideLeader", 5).filter(|e| e.t <= won.t).count();
    t.says(
        2,
        &format!(
            "At the {} grant",
            match grants {
                1 => "1st",
                2 => "2nd",
                3 => "3rd",
                n => panic!("{n}"),
            }
        ),
    );
    t.says(
        2,
        &format!("it had {} votes of 5", won.num("votes").unwrap()),
    );
    let beat = t.first("sendBeat", 5, 0.0);
    t.says(
        3,
        &format!(
            "first heartbeat (blue), {} after it stood",
            secs(beat.t - stood.t, 1)
        ),
    );
    let s3_stood = t.first("sendVote", 3, 0.0);
    let s3_last_beat = t
        .all("receivedBeat", 3)
        .filter(|e| e.t < s3_stood.t && e.is("accepted", "true"))
        .last()
        .unwrap();
    t.says(
        6,
        &format!(
            "{} after the last beat it received",
            secs(s3_stood.t - s3_last_beat.t, 1)
        ),
    );
    let s3_beat = t.first("sendBeat", 3, s3_stood.t);
    t.says(
        8,
        &format!(
            "S3's first beat, {} after it stood",
            secs(s3_beat.t - s3_stood.t, 1)
        ),
    );
}

#[test]
fn nacos_partition() {
    let t = tour("nacos-partition.txt");
    let two = t
        .all("violation", 0)
        .find(|e| e.is("kind", "two-leaders"))
        .unwrap();
    let one = t.first("leaders-resolved", 0, two.t);
    t.says(
        7,
        &format!("after {} with two leaders", secs(one.t - two.t, 1)),
    );
    // While the wall stands, every beat of S2 makes S3 and S4 ask S5 for its
    // state again: the query cannot connect through the wall (it stalls
    // there until its connect timeout), which leaves S5 marked LEADER in
    // their lists.
    let heal = t.first("heal", 0, 0.0).t;
    let beats = t.all("sendBeat", 2).filter(|e| e.t < heal).count();
    assert!(beats >= 2, "S2 beats more than once behind the wall");
    for asker in [3, 4] {
        let lost = t
            .all("stall", asker)
            .filter(|e| {
                e.t < heal
                    && e.is("kind", "peer-query")
                    && e.is("to", "5")
                    && e.is("reason", "partition")
            })
            .count();
        assert_eq!(
            lost, beats,
            "S{asker} asks S5 at each of S2's beats, and each query stalls at the wall"
        );
    }
    t.says(5, "they ask again at the next beat");
}

#[test]
fn nacos_split_vote_costs_what_the_run_shows() {
    let t = tour("nacos-split-vote.txt");
    t.says(
        1,
        &format!("S4 has led term 1 since {}", secs(t.led(4, 0.0).t, 1)),
    );
    let forced = t
        .all("sendVote", 2)
        .find(|e| e.is("forced", "true"))
        .unwrap();
    let again = t.first("sendVote", 2, forced.t + 1.0);
    t.says(
        4,
        &format!("Nothing happens for {}", secs(again.t - forced.t, 1)),
    );
    t.says(4, &format!("S2's ran out first, at {}", secs(again.t, 2)));
    let beat = t.first("sendBeat", 2, again.t);
    t.says(
        5,
        &format!(
            "S2's first beat, {} after it stood",
            secs(beat.t - again.t, 1)
        ),
    );
    // From the crash until the last live follower names S2.
    let crash = t.first("crash", 0, 0.0).t;
    let known = t
        .all("makeLeader", 0)
        .filter(|e| e.is("leader", "2"))
        .map(|e| e.t)
        .fold(0.0, f64::max);
    t.says(5, &format!("{} after the crash", secs(known - crash, 1)));
    // Left alone: the first natural timeout after the crash, and its leader.
    let alone = left_alone("nacos-split-vote.txt");
    let natural = alone.first("sendVote", 0, crash);
    assert_eq!(natural.node, 1, "left alone, S1 stands first");
    t.says(
        5,
        &format!(
            "S1's leaderDueMs would have run out at {}",
            secs(natural.t, 2)
        ),
    );
    let cost = t.led(0, crash).t - alone.led(0, crash).t;
    assert_eq!(alone.led(0, crash).node, 1);
    t.says(5, &format!("the split vote cost {}", secs(cost, 1)));
}

#[test]
fn nacos_stale_votes() {
    let t = tour("nacos-stale-votes.txt");
    t.says(
        1,
        &format!("S5 has led term 1 since {}", secs(t.led(5, 0.0).t, 1)),
    );
    let crash = t.first("crash", 5, 0.0).t;
    let restart = t.first("restart", 5, 0.0).t;
    t.says(
        3,
        &format!("S5 restarts {} later", secs(restart - crash, 0)),
    );
    let s3_stood = t.first("sendVote", 3, 0.0);
    let last_beat = t.last_before("receivedBeat", 3, crash);
    t.says(
        6,
        &format!(
            "({} after S5's last beat before the crash)",
            secs(s3_stood.t - last_beat.t, 1)
        ),
    );
    let s3_beat = t.first("sendBeat", 3, s3_stood.t);
    t.says(
        7,
        &format!(
            "S3's first beat, {} after it stood",
            secs(s3_beat.t - s3_stood.t, 1)
        ),
    );
    let led = t.led(5, restart);
    let fell = t
        .all("role", 5)
        .find(|e| e.t > led.t && e.is("from", "LEADER"))
        .unwrap();
    t.says(
        7,
        &format!("made S5 leader for {}", secs(fell.t - led.t, 1)),
    );
}

#[test]
fn raft_heartbeats() {
    let t = tour("raft-heartbeats.txt");
    let s1 = t.first("electionTimeout", 1, 0.0);
    let s4 = t.first("electionTimeout", 4, 0.0);
    t.says(2, &format!("S1 timed out at {}", millis(s1.t)));
    t.says(
        2,
        &format!("{} later S4 timed out too", millis(s4.t - s1.t)),
    );
    let s3 = t.first("electionTimeout", 3, 0.0);
    let last_beat = t.last_before("appendEntries", 3, s3.t);
    t.says(
        6,
        &format!(
            "S3's timer ran out first, {} after the last beat it received",
            millis(s3.t - last_beat.t)
        ),
    );
    let led = t.led(3, s3.t).t;
    t.says(
        7,
        &format!(
            "about {} ms after the last beat arrived",
            ((led - last_beat.t) / 10.0).round() * 10.0
        ),
    );
}

#[test]
fn raft_split_vote_costs_what_the_run_shows() {
    let t = tour("raft-split-vote.txt");
    let s2 = t.first("electionTimeout", 2, 500.0);
    let others: Vec<&Event> = [4, 5]
        .iter()
        .map(|&n| t.first("electionTimeout", n, 500.0))
        .collect();
    for e in &others {
        t.says(5, &format!("ran out {:.1} ms after S2's", e.t - s2.t));
    }
    // S5's next timeout against the others' election timers then: each timer
    // runs from its last reset for the timeout drawn there.
    let s5 = t.first("electionTimeout", 5, others[1].t + 1.0);
    let next_other = [2, 3, 4]
        .iter()
        .map(|&n| {
            let reset = t
                .events
                .iter()
                .rfind(|e| e.node == n && e.t < s5.t && e.num("electionTimeoutMs").is_some())
                .unwrap();
            reset.t + reset.num("electionTimeoutMs").unwrap()
        })
        .fold(f64::INFINITY, f64::min);
    t.says(
        6,
        &format!(
            "S5's timer ran out next, {} before anyone else's",
            millis(next_other - s5.t)
        ),
    );
    let crash = t.first("crash", 0, 0.0).t;
    let alone = left_alone("raft-split-vote.txt");
    let natural = alone.first("electionTimeout", 0, crash);
    assert_eq!(natural.node, 3, "left alone, S3 times out first");
    let natural_leader = alone.led(0, crash);
    assert_eq!(natural_leader.node, 3);
    t.says(
        6,
        &format!("S3's timer would have run out at {}", millis(natural.t)),
    );
    t.says(
        6,
        &format!("S3 would have led from {}", millis(natural_leader.t)),
    );
    t.says(
        6,
        &format!(
            "the split votes cost {}",
            millis(((t.led(0, crash).t - natural_leader.t) / 10.0).round() * 10.0)
        ),
    );
}

/// A tour's script text, edited line by line (None drops the line), with
/// `extra` appended: the same schedule under other settings or steps.
fn variant(name: &str, edit: impl Fn(&str) -> Option<String>, extra: &str) -> Tour {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/tours")
        .join(name);
    let mut text: String = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter_map(|l| edit(l).map(|l| l + "\n"))
        .collect();
    text.push_str(extra);
    run(script::parse(&text).unwrap_or_else(|e| panic!("{name} variant: {e}")))
}

fn ms1(ms: f64) -> String {
    format!("{ms:.1} ms")
}

impl Tour {
    /// How long after its invocation the client heard about op `op`.
    fn answered_after(&self, op: u32) -> f64 {
        let r = self
            .all("clientResult", 0)
            .find(|e| e.num("op") == Some(op as f64))
            .expect("the op's result");
        r.t - r.num("invoked_ms").unwrap()
    }
}

#[test]
fn nacos_write() {
    let t = tour("nacos-write.txt");
    t.says(
        1,
        &format!("S3 has led term 1 since {}", secs(t.led(3, 0.0).t, 1)),
    );
    t.says(
        2,
        &format!("the client hears ok after {}", ms1(t.answered_after(1))),
    );
    // The commit to S2 could not connect across the cut (it stalls there
    // until its connect timeout); S2 gets k1 from the next beat.
    let write = t.first("signalPublish", 3, 0.0);
    assert!(t
        .all("stall", 3)
        .any(|e| e.t == write.t && e.is("kind", "commit") && e.is("to", "2")));
    let beat = t.first("sendBeat", 3, write.t);
    t.says(3, &format!("S3's next beat, at {}", secs(beat.t, 2)));
    t.says(
        3,
        &format!(
            "({} bytes of JSON, about {} gzipped)",
            beat.num("bytes").unwrap(),
            beat.num("gzipBytes").unwrap()
        ),
    );
    let pull = t.first("pullDatums", 2, beat.t);
    assert!(pull.is("to", "3") && pull.is("first", "k1"));
    let pulled = t.first("datumsPulled", 2, pull.t);
    assert_eq!(
        (pulled.num("beatTerm"), pulled.num("newTerm")),
        (Some(101.0), Some(101.0))
    );
    // The delete's beat lists nothing and S1 drops k1 as a dead key.
    let delete = t.first("signalDelete", 3, 0.0);
    let beat = t.first("sendBeat", 3, delete.t);
    assert_eq!(beat.num("keys"), None, "the beat lists no key");
    t.says(6, &format!("S3's next beat, at {}", secs(beat.t, 2)));
    let dead = t.first("deadKeys", 1, beat.t);
    assert!(dead.is("from", "3") && dead.is("first", "k1"));
}

#[test]
fn nacos_partition_writes() {
    let t = tour("nacos-partition-writes.txt");
    t.says(
        1,
        &format!("S5 has led term 1 since {}", secs(t.led(5, 0.0).t, 1)),
    );
    t.says(
        6,
        &format!("the client hears ok after {}", ms1(t.answered_after(3))),
    );
    let heal = t.first("heal", 0, 0.0).t;
    let s2 = t.first("sendBeat", 2, heal);
    let s5 = t.first("sendBeat", 5, heal);
    assert!(s2.t < s5.t, "S2 beats first after the heal");
    t.says(
        9,
        &format!("S5's beat, sent {} after S2's", millis(s5.t - s2.t)),
    );
    // S1 follows S2 first, then S5: a and b die, then c.
    let first = t.first("deadKeys", 1, heal);
    assert!(first.is("from", "2") && first.is("first", "a") && first.num("count") == Some(2.0));
    let second = t.first("deadKeys", 1, first.t + 0.001);
    assert!(second.is("from", "5") && second.is("first", "c"));
    let refused = t.first("receivedBeat", 5, heal);
    assert!(refused.is("from", "2") && refused.is("accepted", "false"));
    let lost = t.first("violation", 0, heal);
    assert!(lost.is("kind", "lost-write") && lost.is("cause", "dead-key") && lost.is("key", "c"));
    // The caption's other branch: with one failed write S5 is at 101, below
    // S2's 102, and S2's data survives.
    let one = variant(
        "nacos-partition-writes.txt",
        |l| (!l.starts_with("expect") && l != "write b via=S5").then(|| l.to_string()),
        "run until=60s\nexpect leaders 1\nexpect leader S2\nexpect no-lost-writes\n\
         expect datum S5 a none\nexpect datum S1 a none\nexpect datum S5 c 1\nexpect datum S1 c 1\n",
    );
    let stepped = one
        .all("role", 5)
        .find(|e| e.t > heal && e.is("from", "LEADER"))
        .unwrap();
    let beat = one.last_before("receivedBeat", 5, stepped.t + 0.001);
    assert!(beat.is("from", "2") && beat.num("beatTerm") == Some(102.0));
    assert_eq!(
        one.first("receivedBeat", 5, heal).t,
        beat.t,
        "S5 steps down at the first beat it gets after the heal"
    );
    assert!(
        beat.t < one.first("sendBeat", 2, heal).t + 100.0,
        "S2's first"
    );
}

#[test]
fn nacos_lost_write_and_what_1_2_does_instead() {
    let t = tour("nacos-lost-write.txt");
    t.says(
        1,
        &format!("S3 has led term 1 since {}", secs(t.led(3, 0.0).t, 1)),
    );
    let crash = t.first("crash", 3, 0.0).t;
    let last = t.last_before("sendBeat", 3, crash);
    t.says(3, &format!("(due at {})", secs(last.t + 5000.0, 2)));
    let stood = t.first("sendVote", 0, crash);
    assert_eq!(stood.node, 2, "S2 stands first");
    t.says(
        4,
        &format!("S2's leaderDue runs out first, at {}", secs(stood.t, 2)),
    );
    let s2_reset = t.last_before("receivedBeat", 2, crash);
    t.says(
        4,
        &format!("S3's beat last reset it at {}", secs(s2_reset.t, 2)),
    );
    let s1_reset = t.first("onPublish", 1, 0.0);
    t.says(
        4,
        &format!("the commit reset S1's at {}", secs(s1_reset.t, 2)),
    );
    assert!(
        t.all("receivedBeat", 1)
            .all(|e| e.t < s1_reset.t || e.t > crash),
        "no beat reset S1's leaderDue after the commit"
    );
    let lost = t.first("violation", 2, crash);
    assert!(lost.is("kind", "lost-write") && lost.is("cause", "elected"));
    let beat = t.first("sendBeat", 2, stood.t);
    t.says(5, &format!("S2's first beat, at {}", secs(beat.t, 2)));
    assert!(t.first("deadKeys", 1, beat.t).is("first", "k1"));
    assert!(t.first("restart", 3, 0.0).is("term", "0"));

    // The same schedule in Nacos 1.2 keeps the write.
    let old = variant(
        "nacos-lost-write.txt",
        |l| (!l.starts_with("expect")).then(|| l.replace("version=1.4", "version=1.2")),
        "expect no-lost-writes\nexpect leader S1\nexpect term S1 == 102\n\
         expect datum S1 k1 1\nexpect datum S2 k1 1\nexpect datum S3 k1 1\n",
    );
    let applied = old.first("onPublish", 1, 0.0);
    assert_eq!(
        (applied.num("sourceTerm"), applied.num("newTerm")),
        (Some(101.0), Some(101.0))
    );
    let refused = old.first("receivedVote", 1, crash);
    assert!(refused.is("from", "2") && refused.is("granted", "false"));
    let s1 = old.first("sendVote", 1, crash);
    t.says(
        7,
        &format!(
            "S1 stands itself at {}, at term {}",
            secs(s1.t, 2),
            s1.num("newTerm").unwrap()
        ),
    );
    let s1_beat = old.first("sendBeat", 1, s1.t);
    let pulled = old.first("datumsPulled", 2, s1_beat.t);
    assert!(pulled.is("from", "1") && pulled.num("applied") == Some(1.0));
    assert!(
        pulled.t < s1_beat.t + 1000.0,
        "the pull answers S1's first beat"
    );
    let restart = old.first("restart", 3, 0.0);
    t.says(
        7,
        &format!(
            "S3 restarts at its stored term {}",
            restart.num("term").unwrap()
        ),
    );
}

/// The partition tour with one change: S5, the minority's leader, crashes
/// and restarts as the partition heals. Nacos 1.4 brings it back at term 0,
/// below S2's 102, so the majority's acknowledged write survives; 1.2 brings
/// back its stored 201, and S5 leads again and deletes it.
#[test]
fn nacos_partition_writes_with_a_restart_depend_on_the_version() {
    let restarted = |version: &str, term: u32, after: &str| {
        let v = version.to_string();
        variant(
            "nacos-partition-writes.txt",
            move |l| match l {
                l if l.starts_with("expect") => None,
                "heal" => Some(format!(
                    "crash S5\nheal\nrestart S5\nrun for=10ms\nexpect term S5 == {term}"
                )),
                l => Some(l.replace("version=1.4", &format!("version={v}"))),
            },
            &format!("run until=100s\n{after}"),
        )
    };
    let new = restarted(
        "1.4",
        0,
        "expect no-lost-writes\nexpect leader S2\nexpect datum S5 c 1\nexpect datum S1 c 1\n\
         expect datum S5 a none\nexpect datum S1 b none\n",
    );
    let old = restarted(
        "1.2",
        201,
        "expect lost-writes 1\nexpect leader S5\nexpect datum S2 c none\nexpect datum S3 c none\n\
         expect datum S2 a 1\nexpect datum S3 b 1\n",
    );
    let heal = new.first("heal", 0, 0.0).t;
    // 1.4: the restarted S5 takes S2's first beat.
    let beat = new.first("receivedBeat", 5, heal);
    assert!(beat.is("from", "2") && beat.is("accepted", "true"));
    // 1.2: S5 stands at its stored term + 1 and wins without c.
    let stood = old.first("sendVote", 0, heal);
    assert_eq!((stood.node, stood.num("newTerm")), (5, Some(202.0)));
    let lost = old.first("violation", 5, heal);
    assert!(lost.is("kind", "lost-write") && lost.is("cause", "elected") && lost.is("key", "c"));
}

/// The lost-write tour with an earlier write of k1 that S2 also missed and
/// then pulled: the pull put S2 at the leader's term (101), and the second
/// write's commit puts S1 there too. Tied again, S2 wins in 1.4 and leads
/// with the older version, which its beats cannot repair: S1 keeps the
/// newer one. In 1.2 the commit puts S1 at 201 and S2 loses.
#[test]
fn nacos_lost_write_keeps_the_older_version_on_the_new_leader() {
    let twice = |version: &str, after: &str| {
        let v = version.to_string();
        variant(
            "nacos-lost-write.txt",
            move |l| match l {
                l if l.starts_with("expect") => None,
                "run until=29s" => Some(
                    "run until=25s\ncut S3->S2\nwrite k1\nrun for=20ms\nrestore S3->S2\n\
                     run until=29s\nexpect datum S2 k1 1\nexpect term S2 == 101"
                        .to_string(),
                ),
                l => Some(l.replace("version=1.4", &format!("version={v}"))),
            },
            after,
        )
    };
    let new = twice(
        "1.4",
        "expect lost-writes 1\nexpect leader S2\nexpect datum S2 k1 1\n\
         expect datum S1 k1 2\nexpect datum S3 k1 2\n",
    );
    let crash = new.first("crash", 3, 0.0).t;
    let applied = new.last_before("onPublish", 1, crash);
    assert_eq!(
        (
            applied.num("version"),
            applied.num("sourceTerm"),
            applied.num("newTerm")
        ),
        (Some(2.0), Some(101.0), Some(101.0)),
        "S1 meets S2 at 101"
    );
    let lost = new.first("violation", 2, crash);
    assert!(lost.is("kind", "lost-write") && lost.is("cause", "elected"));
    // The new leader's beats list k1 v1; S1 has v2 and pulls nothing.
    let beat = new.first("sendBeat", 2, crash);
    assert!(new.all("pullDatums", 1).all(|e| e.t < beat.t));
    twice(
        "1.2",
        "expect no-lost-writes\nexpect leader S1\nexpect datum S1 k1 2\n\
         expect datum S2 k1 2\nexpect datum S3 k1 2\n",
    );
}

/// The Raft write tour's latencies: the client's answer for each write,
/// from its request to the leader's commit.
#[test]
fn raft_write_answers() {
    let t = tour("raft-write.txt");
    let latency = |op: &str| {
        let done = t
            .all("clientResult", 0)
            .find(|e| e.is("op", op))
            .expect("a result");
        assert!(done.is("ok", "true"), "write #{op} succeeded");
        done.t - done.num("invoked_ms").expect("its request's time")
    };
    t.says(4, &format!("ok after {:.1} ms", latency("1")));
    t.says(7, &format!("{:.1} ms after it sent", latency("2")));
    let commit = t.first("commit", 1, 0.0);
    assert_eq!(commit.num("commitIndex"), Some(1.0));
    // The followers learn it from the next AppendEntries, before stop 5.
    let stop5 = 331.0;
    for node in 2..=5 {
        assert!(t
            .all("appendEntries", node)
            .any(|e| e.t > commit.t && e.t < stop5 && e.num("commitIndex") == Some(1.0)));
    }
}

#[test]
fn nacos_gc_pause() {
    let t = tour("nacos-gc-pause.txt");
    let paused = t.first("pause", 5, 0.0);
    let resumed = t.first("resume", 5, paused.t);
    let last_beat = t.last_before("sendBeat", 5, paused.t);
    t.says(
        1,
        &format!("Its last beat left at {}", secs(last_beat.t, 2)),
    );
    t.says(
        1,
        &format!("the next is due at {}", secs(last_beat.t + 5000.0, 2)),
    );
    t.says(
        2,
        &format!("S5 stops for {}", secs(resumed.t - paused.t, 0)),
    );
    // S3 stands when its countdown, reset by that last beat, runs out.
    let stood = t.first("sendVote", 3, paused.t);
    t.says(
        3,
        &format!("{} after S5's last beat", secs(stood.t - last_beat.t, 1)),
    );
    // Its vote request to S5 fails at the read timeout, 10 s after it left.
    let failed = t
        .all("requestFailed", 3)
        .find(|e| e.is("kind", "vote-request") && e.is("to", "5"))
        .expect("S3's vote request to S5 fails");
    assert_eq!(failed.num("sent_ms"), Some(stood.t));
    assert!(failed.is("error", "read-timeout"));
    t.says(
        4,
        &format!("{} after S3 sent it", secs(failed.t - stood.t, 0)),
    );
    t.says(5, &format!("S3 gave up on it at {}", secs(failed.t, 1)));
    let beats: Vec<String> = t
        .all("sendBeat", 3)
        .filter(|e| e.t > stood.t && e.t < failed.t)
        .map(|e| secs(e.t, 1))
        .collect();
    t.says(4, &format!("sent at {}", beats.join(" and ")));
    // MasterElection's missed ticks (one every 500 ms) run back to back.
    t.says(
        5,
        &format!(
            "the {} ticks it missed",
            ((resumed.t - paused.t) / 500.0) as u64
        ),
    );
    assert!(
        t.first("sendVote", 5, paused.t).t == resumed.t,
        "S5 stands the moment it resumes"
    );
    // Two leaders from S3's win until S5 stands.
    let won = t.led(3, paused.t);
    let stepped = t
        .all("role", 5)
        .find(|e| e.t >= paused.t && e.is("from", "LEADER"))
        .expect("S5 leaves LEADER");
    t.says(
        6,
        &format!(
            "for {} two servers thought they led",
            secs(stepped.t - won.t, 1)
        ),
    );
}
