//! Expectations (`expect leader != S2`, `expect term >= 3`, ...): their
//! grammar and their checks against a running cluster.

use super::parse::err;
use super::NodeRef;
use crate::cluster::Cluster;
use crate::error::Error;
use crate::protocol::{NodeId, Role};
use crate::sim::monitor::ViolationKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

impl Cmp {
    pub fn parse(s: &str) -> Option<Cmp> {
        Some(match s {
            "==" | "=" => Cmp::Eq,
            "!=" => Cmp::Ne,
            ">=" => Cmp::Ge,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            "<" => Cmp::Lt,
            _ => return None,
        })
    }
    pub fn holds(self, a: u64, b: u64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Ge => a >= b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Lt => a < b,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Ge => ">=",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Lt => "<",
        }
    }
}

/// What a node's role should be; `Down` for a crashed node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleOrDown {
    Role(Role),
    Down,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// Exactly one live leader, optionally equal / not equal to a node.
    Leader(Option<(Cmp, NodeRef)>),
    NoLeader,
    /// This many live nodes in LEADER state.
    Leaders(u32),
    /// The term of a node, or of the one leader when no node is named.
    Term {
        node: Option<NodeRef>,
        cmp: Cmp,
        value: u64,
    },
    Role(NodeRef, RoleOrDown),
    /// Whom a node believes is leader (None: nobody).
    KnownLeader(NodeRef, Option<NodeRef>),
    /// Whom a node voted for in its current term (None: nobody).
    VotedFor(NodeRef, Option<NodeRef>),
    NoViolations,
    Violation(ViolationKind),
    NoViolation(ViolationKind),
    /// The version a node holds for a key (None: it holds none).
    Datum(NodeRef, String, Option<u64>),
    /// How the client's last operation on a key ended.
    Write(String, WriteState),
    /// This many acknowledged writes lost (`no-lost-writes`: none).
    LostWrites(u64),
    NoLostWrites,
    /// A Raft node's log: (index, term) of entries up to its last one.
    Log(NodeRef, Vec<(u64, u64)>),
    /// A Raft node's commit index.
    Commit(NodeRef, Cmp, u64),
    /// A model field as the inspector shows it (`beatFailures`, `pullsSent`...).
    Field(NodeRef, String, String),
}

/// Reads `INDEX:TERM,...` (a run of one term as `FIRST-LAST:TERM`), or
/// `empty`: entries in increasing index order.
fn parse_log(line: usize, text: &str) -> Result<Vec<(u64, u64)>, Error> {
    let bad = |what: String| err(line, format!("expect: log: {what}"));
    if text.eq_ignore_ascii_case("empty") {
        return Ok(Vec::new());
    }
    let mut out: Vec<(u64, u64)> = Vec::new();
    for item in text.split(',') {
        let Some((at, term)) = item.split_once(':') else {
            return Err(bad(format!(
                "`{item}` is not INDEX:TERM (e.g. 3:2, or 1-4:1 for a run)"
            )));
        };
        let num = |s: &str, what: &str| -> Result<u64, Error> {
            match s.parse::<u64>() {
                Ok(v) if v >= 1 => Ok(v),
                _ => Err(bad(format!(
                    "in `{item}`: the {what} must be a whole number of at least 1, got `{s}`"
                ))),
            }
        };
        let term = num(term, "term")?;
        let (first, last) = match at.split_once('-') {
            Some((a, b)) => (num(a, "index")?, num(b, "index")?),
            None => (num(at, "index")?, num(at, "index")?),
        };
        if last < first {
            return Err(bad(format!("in `{item}`: the run ends before it starts")));
        }
        if last - first >= 100_000 {
            return Err(bad(format!("in `{item}`: at most 100000 entries in a run")));
        }
        for i in first..=last {
            if out.last().is_some_and(|(p, _)| *p >= i) {
                return Err(bad(format!(
                    "in `{item}`: indices must increase, but {i} follows {}",
                    out.last().map_or(0, |p| p.0)
                )));
            }
            out.push((i, term));
        }
    }
    Ok(out)
}

/// `1:1,2:1,3:2` → `1-2:1,3:2`: how a log is written back.
pub(crate) fn format_log(entries: &[(u64, u64)]) -> String {
    if entries.is_empty() {
        return "empty".to_string();
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let (first, term) = entries[i];
        let mut j = i;
        while j + 1 < entries.len() && entries[j + 1] == (entries[j].0 + 1, term) {
            j += 1;
        }
        parts.push(if j == i {
            format!("{first}:{term}")
        } else {
            format!("{first}-{}:{term}", entries[j].0)
        });
        i = j + 1;
    }
    parts.join(",")
}

/// How a client operation stands: answered ok, failed, or not answered yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteState {
    Ok,
    Failed,
    Pending,
}

impl WriteState {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteState::Ok => "ok",
            WriteState::Failed => "failed",
            WriteState::Pending => "pending",
        }
    }
}

fn parse_role(line: usize, s: &str) -> Result<RoleOrDown, Error> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "follower" => RoleOrDown::Role(Role::Follower),
        "candidate" => RoleOrDown::Role(Role::Candidate),
        "pre-candidate" | "precandidate" => RoleOrDown::Role(Role::PreCandidate),
        "leader" => RoleOrDown::Role(Role::Leader),
        "down" | "crashed" => RoleOrDown::Down,
        other => return Err(err(line, format!("expect role: expected follower, candidate, pre-candidate, leader or down, got `{other}`"))),
    })
}

fn node(line: usize, s: &str) -> Result<NodeRef, Error> {
    NodeRef::parse("node", s).map_err(|e| err(line, format!("expect: {e}")))
}

pub(crate) fn parse_expect(line: usize, words: &[&str]) -> Result<Expectation, Error> {
    let bad = |what: &str| err(line, format!("expect: {what}"));
    let Some((&first, rest)) = words.split_first() else {
        return Err(bad("expected what to check: leader, no-leader, leaders, term, role, known-leader, voted-for, no-violations, violation, no-violation, datum, write, lost-writes, no-lost-writes, log, commit, field"));
    };
    Ok(match (first, rest) {
        ("leader", []) => Expectation::Leader(None),
        ("leader", [n]) => Expectation::Leader(Some((Cmp::Eq, node(line, n)?))),
        ("leader", [op, n]) => match Cmp::parse(op) {
            Some(c @ (Cmp::Eq | Cmp::Ne)) => Expectation::Leader(Some((c, node(line, n)?))),
            _ => return Err(bad(&format!("leader: expected == or != before the node, got `{op}`"))),
        },
        ("no-leader", []) => Expectation::NoLeader,
        ("leaders", [n]) => Expectation::Leaders(n.parse().map_err(|_| bad(&format!("leaders: expected a count, got `{n}`")))?),
        ("term", [op, v]) | ("term", [_, op, v]) => {
            let cmp = Cmp::parse(op).ok_or_else(|| bad(&format!("term: expected ==, !=, >=, <=, > or <, got `{op}`")))?;
            let value = v.parse().map_err(|_| bad(&format!("term: expected a number, got `{v}`")))?;
            let who = if rest.len() == 3 { Some(node(line, rest[0])?) } else { None };
            Expectation::Term { node: who, cmp, value }
        }
        ("role", [n, r]) => Expectation::Role(node(line, n)?, parse_role(line, r)?),
        ("known-leader", [n, l]) | ("voted-for", [n, l]) => {
            let l = if l.eq_ignore_ascii_case("none") { None } else { Some(node(line, l)?) };
            if first == "known-leader" {
                Expectation::KnownLeader(node(line, n)?, l)
            } else {
                Expectation::VotedFor(node(line, n)?, l)
            }
        }
        ("no-violations", []) => Expectation::NoViolations,
        ("datum", [n, key, v]) => {
            let version = if v.eq_ignore_ascii_case("none") {
                None
            } else {
                Some(v.parse().map_err(|_| bad(&format!("datum: expected a version or none, got `{v}`")))?)
            };
            Expectation::Datum(node(line, n)?, key.to_string(), version)
        }
        ("write", [key, o]) => {
            let state = match *o {
                "ok" => WriteState::Ok,
                "failed" => WriteState::Failed,
                "pending" => WriteState::Pending,
                _ => return Err(bad(&format!("write: expected ok, failed or pending, got `{o}`"))),
            };
            Expectation::Write(key.to_string(), state)
        }
        ("lost-writes", [n]) => Expectation::LostWrites(
            n.parse().map_err(|_| bad(&format!("lost-writes: expected a count, got `{n}`")))?,
        ),
        ("no-lost-writes", []) => Expectation::NoLostWrites,
        ("log", [n, entries]) => Expectation::Log(node(line, n)?, parse_log(line, entries)?),
        ("log", _) => return Err(bad("log: expected `log NODE INDEX:TERM,...` (or `log NODE empty`)")),
        ("commit", [n, v]) | ("commit", [n, _, v]) => {
            let cmp = if rest.len() == 3 {
                Cmp::parse(rest[1]).ok_or_else(|| bad(&format!("commit: expected ==, !=, >=, <=, > or <, got `{}`", rest[1])))?
            } else {
                Cmp::Eq
            };
            let value = v.parse().map_err(|_| bad(&format!("commit: expected a commit index (a whole number), got `{v}`")))?;
            Expectation::Commit(node(line, n)?, cmp, value)
        }
        ("commit", _) => return Err(bad("commit: expected `commit NODE [OP] INDEX`")),
        ("field", [n, name, v]) => Expectation::Field(node(line, n)?, name.to_string(), v.to_string()),
        ("field", _) => return Err(bad("field: expected `field NODE NAME VALUE` (a field the inspector shows, e.g. beatFailures)")),
        ("violation", [k]) | ("no-violation", [k]) => {
            let kind = ViolationKind::parse(k).ok_or_else(|| {
                bad(&format!(
                    "{first}: expected one of {}, got `{k}`",
                    ViolationKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            if first == "violation" {
                Expectation::Violation(kind)
            } else {
                Expectation::NoViolation(kind)
            }
        }
        _ => return Err(bad(&format!(
            "cannot read `{}`; forms: leader [[==|!=] NODE], no-leader, leaders N, term [NODE] OP N, role NODE ROLE, known-leader NODE NODE|none, voted-for NODE NODE|none, no-violations, violation KIND, no-violation KIND, datum NODE KEY VERSION|none, write KEY ok|failed|pending, lost-writes N, no-lost-writes, log NODE INDEX:TERM,..., commit NODE [OP] INDEX, field NODE NAME VALUE",
            words.join(" ")
        ))),
    })
}

fn names(ids: &[NodeId]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.iter()
            .map(|n| format!("S{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Checks an expectation; writes "ok: ..." or "FAIL: ..." to the output.
pub(crate) fn check(
    c: &Cluster,
    e: &Expectation,
    output: &mut Vec<String>,
) -> Result<Option<String>, Error> {
    let leaders = c.leaders();
    let (ok, what): (bool, String) = match e {
        Expectation::Leader(want) => {
            let desc = format!("leaders: {}", names(&leaders));
            match (leaders.as_slice(), want) {
                ([l], None) => (
                    true,
                    format!("S{l} is the leader (term {})", c.node_view(*l).term),
                ),
                ([l], Some((cmp, n))) => {
                    let id = c.resolve("node", *n)?;
                    let ok = if *cmp == Cmp::Eq { *l == id } else { *l != id };
                    (ok, format!("leader S{l} {} S{id}", cmp.as_str()))
                }
                _ => (false, format!("expected exactly one leader; {desc}")),
            }
        }
        Expectation::NoLeader => (leaders.is_empty(), format!("leaders: {}", names(&leaders))),
        Expectation::Leaders(n) => (
            leaders.len() == *n as usize,
            format!("{} leaders: {}", leaders.len(), names(&leaders)),
        ),
        Expectation::Term { node, cmp, value } => {
            let (who, term) = match node {
                Some(n) => {
                    let id = c.resolve("node", *n)?;
                    (format!("S{id}"), c.node_view(id).term)
                }
                None => match leaders.as_slice() {
                    [l] => (format!("leader S{l}"), c.node_view(*l).term),
                    _ => {
                        return fail(
                            output,
                            format!(
                                "term of the leader: there is no single leader ({})",
                                names(&leaders)
                            ),
                        )
                    }
                },
            };
            (
                cmp.holds(term, *value),
                format!("{who} term {term} {} {value}", cmp.as_str()),
            )
        }
        Expectation::Role(n, want) => {
            let id = c.resolve("node", *n)?;
            let v = c.node_view(id);
            let actual = if v.alive {
                RoleOrDown::Role(v.role)
            } else {
                RoleOrDown::Down
            };
            let show = |r: RoleOrDown| match r {
                RoleOrDown::Role(r) => r.as_str().to_string(),
                RoleOrDown::Down => "down".to_string(),
            };
            (
                actual == *want,
                format!("S{id} is {} (expected {})", show(actual), show(*want)),
            )
        }
        Expectation::KnownLeader(n, want) | Expectation::VotedFor(n, want) => {
            let id = c.resolve("node", *n)?;
            let want = match want {
                Some(w) => Some(c.resolve("node", *w)?),
                None => None,
            };
            let v = c.node_view(id);
            let (has, what) = if matches!(e, Expectation::KnownLeader(..)) {
                (v.leader, "knows leader")
            } else {
                (v.vote_for, "voted for")
            };
            let show = |x: Option<NodeId>| x.map_or("none".to_string(), |l| format!("S{l}"));
            (
                has == want,
                format!("S{id} {what} {} (expected {})", show(has), show(want)),
            )
        }
        Expectation::Field(n, name, want) => {
            let id = c.resolve("node", *n)?;
            let fields = c.fields(id);
            let Some((_, has)) = fields.iter().find(|(k, _)| k == name) else {
                let known: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
                return fail(
                    output,
                    format!("S{id} has no field {name} (it has {})", known.join(", ")),
                );
            };
            (
                has == want,
                format!("S{id} {name} is {has} (expected {want})"),
            )
        }
        Expectation::NoViolations => {
            let m = c.monitor();
            let first = ViolationKind::ALL
                .iter()
                .filter_map(|k| m.first(*k))
                .min_by_key(|f| f.t)
                .map(|f| format!("; first: {}", f.describe()))
                .unwrap_or_default();
            (m.total() == 0, format!("{} violations{first}", m.total()))
        }
        Expectation::Violation(k) | Expectation::NoViolation(k) => {
            let m = c.monitor();
            let n = m.count(*k);
            let first = m
                .first(*k)
                .map(|f| {
                    format!(
                        "; first at {}: {}",
                        crate::time::fmt_ms(f.t as i64),
                        f.describe()
                    )
                })
                .unwrap_or_default();
            let want_some = matches!(e, Expectation::Violation(_));
            (
                want_some == (n > 0),
                format!("{n} {} findings{first}", k.as_str()),
            )
        }
        Expectation::Datum(n, key, want) => {
            let id = c.resolve("node", *n)?;
            let Some(store) = c.store(id) else {
                return fail(
                    output,
                    format!(
                        "S{id} keeps no datums: the {} model has no data",
                        c.model().as_str()
                    ),
                );
            };
            let has = store.get(key);
            let show = |v: Option<u64>| v.map_or("none".to_string(), |v| format!("v{v}"));
            let held = match has {
                Some(d) => format!("S{id} holds {key} v{} (#{})", d.version, d.token),
                None => format!("S{id} holds no {key}"),
            };
            (
                has.map(|d| d.version) == *want,
                format!("{held} (expected {})", show(*want)),
            )
        }
        Expectation::Write(key, want) => match c.client().last(key) {
            None => (false, format!("the client never wrote or deleted {key}")),
            Some(op) => {
                let state = match op.done {
                    None => WriteState::Pending,
                    Some((Ok(()), _)) => WriteState::Ok,
                    Some((Err(_), _)) => WriteState::Failed,
                };
                let why = match op.done {
                    Some((Err(f), _)) => format!(": {}", f.describe()),
                    _ => String::new(),
                };
                (
                    state == *want,
                    format!(
                        "the client's last {} of {key} (#{}) is {}{why} (expected {})",
                        op.kind.as_str(),
                        op.id,
                        state.as_str(),
                        want.as_str()
                    ),
                )
            }
        },
        Expectation::LostWrites(_) | Expectation::NoLostWrites => {
            let want = match e {
                Expectation::LostWrites(n) => *n,
                _ => 0,
            };
            let m = c.monitor();
            let n = m.count(ViolationKind::LostWrite);
            let first = m
                .first(ViolationKind::LostWrite)
                .map(|f| {
                    format!(
                        "; first at {}: {}",
                        crate::time::fmt_ms(f.t as i64),
                        f.describe()
                    )
                })
                .unwrap_or_default();
            (n == want, format!("{n} acknowledged writes lost{first}"))
        }
        Expectation::Log(n, want) => {
            let id = c.resolve("node", *n)?;
            let Some(r) = c.raft_node(id) else {
                return fail(
                    output,
                    format!(
                        "S{id} has no log: the {} model keeps none",
                        c.model().as_str()
                    ),
                );
            };
            let log = r.log();
            let from = want.first().map_or(log.base().index + 1, |e| e.0);
            if from <= log.base().index && !want.is_empty() {
                return fail(output, format!(
                    "S{id}'s log starts after index {} (compacted or set by logs); cannot check from {from}",
                    log.base().index
                ));
            }
            let has: Vec<(u64, u64)> = log.iter_from(from).map(|(i, e)| (i, e.term)).collect();
            (
                has == *want,
                format!(
                    "S{id} log from {from}: {} (expected {})",
                    format_log(&has),
                    format_log(want)
                ),
            )
        }
        Expectation::Commit(n, cmp, want) => {
            let id = c.resolve("node", *n)?;
            let Some(r) = c.raft_node(id) else {
                return fail(
                    output,
                    format!(
                        "S{id} has no commit index: the {} model keeps no log",
                        c.model().as_str()
                    ),
                );
            };
            let has = r.commit_index();
            (
                cmp.holds(has, *want),
                format!("S{id} commit index {has} {} {want}", cmp.as_str()),
            )
        }
    };
    if ok {
        output.push(format!("  ok: {what}"));
        Ok(None)
    } else {
        fail(output, what)
    }
}

fn fail(output: &mut Vec<String>, what: String) -> Result<Option<String>, Error> {
    output.push(format!("  FAIL: {what}"));
    Ok(Some(what))
}

#[cfg(test)]
mod tests {
    use super::super::{parse, run};

    #[test]
    fn voted_for_reads_each_nodes_vote_in_its_term() {
        // Seed 7: S1 wins term 1 while S4 stands too (the Raft tour's start).
        let votes: String = (1..=5)
            .map(|k| format!("\nexpect voted-for S{k} S1"))
            .collect();
        let s = parse(&format!("cluster model=raft nodes=5 seed=7\nrun until=300ms\nexpect leader S1{votes}\nexpect voted-for S4 S4")).unwrap();
        let r = run(&s, None);
        let for_s1 = r.outcomes[3..8]
            .iter()
            .filter(|o| o.output[0].starts_with("  ok: "))
            .count();
        assert!(
            for_s1 >= 3,
            "a leader of five has at least three votes: {:?}",
            r.outcomes
        );
        assert!(
            r.outcomes[6].output[0].starts_with("  FAIL: S4 voted for S4 (expected S1)"),
            "{:?}",
            r.outcomes[6]
        );
        assert!(r.outcomes[8].output[0].starts_with("  ok: S4 voted for S4"));
        // Before any election nobody has voted; an unknown node stops the script.
        let s = parse(
            "cluster model=raft nodes=3 seed=7\nexpect voted-for 2 none\nexpect voted-for 4 none",
        )
        .unwrap();
        let r = run(&s, None);
        assert!(r.outcomes[1].output[0].starts_with("  ok: S2 voted for none"));
        assert!(r.outcomes[2]
            .failure
            .as_ref()
            .unwrap()
            .contains("node 4 does not exist"));
        let e = parse("expect voted-for S1").unwrap_err();
        assert!(e.rule.contains("voted-for NODE NODE|none"), "{e}");
    }

    #[test]
    fn failed_expectations_are_reported_not_fatal() {
        let s = parse("cluster nodes=3 seed=1\nexpect leader\nexpect no-leader").unwrap();
        let r = run(&s, None);
        assert_eq!(r.failures().count(), 1);
        assert!(r.outcomes[1].output[0].starts_with("  FAIL: expected exactly one leader"));
        assert!(r.outcomes[2].output[0].starts_with("  ok:"));
    }
}
