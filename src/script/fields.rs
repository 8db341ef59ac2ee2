//! An [`Action`] as a plain object of fields: what the page passes to
//! `sim.act(...)` (read by `src/wasm/object.rs`) and what `actions()`
//! hands back. The `do` field names the action in camelCase; nodes are ids
//! or `"leader"` (or "S3"); durations are milliseconds as numbers or text
//! with a unit; every value is checked here, so a bad one is an Error naming
//! `act.FIELD` and the rule, never a trap.
//!
//! ```text
//! {do: "crash", node: 3}                {do: "restart", node: "leader"}
//! {do: "timeout", node: 2}              {do: "isolate", node: 1}
//! {do: "pause", node: 2, for: 5000}     (a stall; `for` in ms or "5s")
//! {do: "partition", groups: [[1, 2], [3, 4, 5]]}
//! {do: "heal"}   {do: "alignTimers"}   {do: "spreadTimers"}
//! {do: "cut", from: 1, to: 2, both?: true}     {do: "restore", ...same}
//! {do: "dropBeats", from?: 3, to?: 4, all?: true, count?: 2}
//! {do: "allowBeats", rule?: 1}          {do: "dropMessage", id: 17}
//! {do: "network", latencyMin?: 2, latencyMax?: 8, latency?: "2ms..8ms", loss?: 0.1}
//! {do: "periodicCrash", every: 5000, down?: 1000}   {do: "periodicCrash", off: true}
//! {do: "write", key: "k1", via?: 3}     {do: "delete", key: "k1", via?: "leader"}
//! {do: "workload", rate: 10, keys: 100, via?: "leader"|"any", delete?: 0.1}
//! {do: "workload", off: true}
//! ```

use super::action::{Action, NetworkChange, NodeRef, ScopeRef, ACTION_NAMES};
use crate::error::Error;
use crate::num::fmt_f64_exact;
use crate::protocol::Micros;
use crate::time::{ms_to_micros, parse_duration};

/// One value of the object, as JavaScript has it.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    /// null or undefined: the same as leaving the field out.
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Field>),
    /// A nested object (no action field takes one).
    Object,
}

/// The fields of one action object, in order; a JS object has no key
/// twice, so a Vec serves (a map costs the wasm its B-tree code).
pub type Fields = Vec<(String, Field)>;

/// The field named `key`, if given.
fn lookup<'a>(fields: &'a Fields, key: &str) -> Option<&'a Field> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The fields each action takes besides `do`, for the "is not a field" error.
fn takes(name: &str) -> &'static [&'static str] {
    match name {
        "crash" | "restart" | "timeout" | "isolate" => &["node"],
        "pause" => &["node", "for"],
        "partition" => &["groups"],
        "cut" | "restore" => &["from", "to", "both"],
        "dropBeats" => &["from", "to", "all", "count"],
        "allowBeats" => &["rule"],
        "dropMessage" => &["id"],
        "network" => &["latency", "latencyMin", "latencyMax", "loss"],
        "periodicCrash" => &["every", "down", "off"],
        "write" | "delete" => &["key", "via"],
        "workload" => &["rate", "keys", "via", "delete", "off"],
        _ => &[],
    }
}

impl Field {
    fn describe(&self) -> String {
        match self {
            Field::Null => "null".to_string(),
            Field::Bool(b) => b.to_string(),
            Field::Number(n) => fmt_f64_exact(*n),
            Field::Text(t) => format!("`{t}`"),
            Field::List(_) => "an array".to_string(),
            Field::Object => "an object".to_string(),
        }
    }
}

fn field_err(name: &str, rule: impl Into<String>) -> Error {
    Error::new(format!("act.{name}"), rule)
}

/// Reads a whole number in [min, max] from a JS number.
fn whole(name: &str, v: &Field, min: f64, max: f64, what: &str) -> Result<f64, Error> {
    match v {
        Field::Number(n) if n.is_finite() && n.fract() == 0.0 && *n >= min && *n <= max => Ok(*n),
        other => Err(field_err(
            name,
            format!("must be a whole number{what}, got {}", other.describe()),
        )),
    }
}

fn node(name: &str, v: &Field) -> Result<NodeRef, Error> {
    let bad = |v: &Field| {
        field_err(
            name,
            format!(
                "must be a node id (3 or S3) or `leader`, got {}",
                v.describe()
            ),
        )
    };
    match v {
        Field::Number(_) => whole(name, v, 0.0, f64::from(u32::MAX), "")
            .map(|n| NodeRef::Id(n as u32))
            .map_err(|_| bad(v)),
        Field::Text(t) => NodeRef::parse(name, t).map_err(|_| bad(v)),
        other => Err(bad(other)),
    }
}

fn duration(name: &str, v: &Field) -> Result<Micros, Error> {
    let field = format!("act.{name}");
    match v {
        Field::Number(ms) => ms_to_micros(&field, *ms),
        Field::Text(t) => parse_duration(&field, t),
        other => Err(field_err(
            name,
            format!(
                "must be a duration (ms as a number, or text like 150ms), got {}",
                other.describe()
            ),
        )),
    }
}

fn boolean(name: &str, v: &Field) -> Result<bool, Error> {
    match v {
        Field::Bool(b) => Ok(*b),
        other => Err(field_err(
            name,
            format!("must be true or false, got {}", other.describe()),
        )),
    }
}

/// Builds an action from its object's fields; null fields count as absent.
pub fn action_from_fields(fields: &Fields) -> Result<Action, Error> {
    let one_of = || {
        ACTION_NAMES
            .iter()
            .map(|(_, js)| *js)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = match lookup(fields, "do") {
        Some(Field::Text(t)) if ACTION_NAMES.iter().any(|(_, js)| js == t) => t.as_str(),
        None | Some(Field::Null) => {
            return Err(field_err(
                "do",
                format!("is missing; it names the action, one of {}", one_of()),
            ))
        }
        Some(other) => {
            return Err(field_err(
                "do",
                format!("must be one of {}, got {}", one_of(), other.describe()),
            ))
        }
    };
    let allowed = takes(name);
    for (k, v) in fields {
        if k != "do" && !allowed.contains(&k.as_str()) && *v != Field::Null {
            let list = if allowed.is_empty() {
                "it takes no other field".to_string()
            } else {
                format!("it takes {}", allowed.join(", "))
            };
            return Err(field_err(k, format!("is not a field of {name} ({list})")));
        }
    }
    let get = |k: &str| lookup(fields, k).filter(|v| **v != Field::Null);
    let need = |k: &str| get(k).ok_or_else(|| field_err(k, format!("is missing; {name} needs it")));
    Ok(match name {
        "crash" | "restart" | "timeout" | "isolate" => {
            let n = node("node", need("node")?)?;
            match name {
                "crash" => Action::Crash(n),
                "restart" => Action::Restart(n),
                "timeout" => Action::Timeout(n),
                _ => Action::Isolate(n),
            }
        }
        "pause" => Action::Pause {
            node: node("node", need("node")?)?,
            span: duration("for", need("for")?)?,
        },
        "heal" => Action::Heal,
        "alignTimers" => Action::AlignTimers,
        "spreadTimers" => Action::SpreadTimers,
        "partition" => {
            let bad = |v: &Field| {
                field_err(
                    "groups",
                    format!(
                        "must be an array of arrays of nodes, like [[1, 2], [3, 4, 5]], got {}",
                        v.describe()
                    ),
                )
            };
            let Field::List(groups) = need("groups")? else {
                return Err(bad(need("groups")?));
            };
            let mut out = Vec::with_capacity(groups.len());
            for g in groups {
                let Field::List(nodes) = g else {
                    return Err(bad(g));
                };
                out.push(
                    nodes
                        .iter()
                        .map(|n| node("groups", n))
                        .collect::<Result<Vec<_>, _>>()?,
                );
            }
            if out.iter().all(Vec::is_empty) {
                return Err(field_err(
                    "groups",
                    "must list at least one node, like [[1, 2], [3, 4, 5]]",
                ));
            }
            Action::Partition(out)
        }
        "cut" | "restore" => {
            let (from, to) = (node("from", need("from")?)?, node("to", need("to")?)?);
            let both = get("both")
                .map(|v| boolean("both", v))
                .transpose()?
                .unwrap_or(false);
            if name == "cut" {
                Action::Cut { from, to, both }
            } else {
                Action::Restore { from, to, both }
            }
        }
        "dropBeats" => {
            let all = get("all")
                .map(|v| boolean("all", v))
                .transpose()?
                .unwrap_or(false);
            let from = get("from").map(|v| node("from", v)).transpose()?;
            let to = get("to").map(|v| node("to", v)).transpose()?;
            let scope = match (all, from, to) {
                (true, None, None) => ScopeRef::All,
                (false, Some(a), Some(b)) => ScopeRef::Link(a, b),
                (false, Some(a), None) => ScopeRef::From(a),
                (false, None, Some(b)) => ScopeRef::To(b),
                (true, _, _) => {
                    return Err(field_err(
                        "all",
                        "drops every heartbeat: give it without from and to",
                    ))
                }
                (false, None, None) => {
                    return Err(field_err(
                        "from",
                        "is missing; dropBeats needs from, to (both: one link) or all: true",
                    ))
                }
            };
            let count = get("count")
                .map(|v| {
                    whole(
                        "count",
                        v,
                        1.0,
                        f64::from(u32::MAX),
                        " of heartbeat rounds, at least 1",
                    )
                })
                .transpose()?;
            Action::DropBeats {
                scope,
                count: count.map(|c| c as u32),
            }
        }
        "allowBeats" => Action::AllowBeats(
            get("rule")
                .map(|v| {
                    whole(
                        "rule",
                        v,
                        1.0,
                        f64::from(u32::MAX),
                        " (a rule id), at least 1",
                    )
                })
                .transpose()?
                .map(|r| r as u32),
        ),
        "dropMessage" => Action::DropMessage(whole(
            "id",
            need("id")?,
            1.0,
            9_007_199_254_740_991.0,
            " (a message id), at least 1",
        )? as u64),
        "network" => {
            let mut change = NetworkChange::default();
            if let Some(v) = get("latency") {
                let (a, b) = match v {
                    Field::Text(t) if t.contains("..") => {
                        let (a, b) = t.split_once("..").unwrap_or_default();
                        (
                            duration("latency", &Field::Text(a.to_string()))?,
                            duration("latency", &Field::Text(b.to_string()))?,
                        )
                    }
                    other => {
                        let d = duration("latency", other)?;
                        (d, d)
                    }
                };
                (change.latency_min, change.latency_max) = (Some(a), Some(b));
            }
            if let Some(v) = get("latencyMin") {
                change.latency_min = Some(duration("latencyMin", v)?);
            }
            if let Some(v) = get("latencyMax") {
                change.latency_max = Some(duration("latencyMax", v)?);
            }
            if let Some(v) = get("loss") {
                let Field::Number(p) = v else {
                    return Err(field_err(
                        "loss",
                        format!("must be a number between 0 and 1, got {}", v.describe()),
                    ));
                };
                change.loss = Some(NetworkChange::check_loss("act.loss", *p)?);
            }
            if change == NetworkChange::default() {
                return Err(field_err(
                    "loss",
                    "is missing; network needs loss, latency, latencyMin or latencyMax",
                ));
            }
            Action::Network(change)
        }
        "periodicCrash" => {
            let off = get("off")
                .map(|v| boolean("off", v))
                .transpose()?
                .unwrap_or(false);
            match (off, get("every")) {
                (true, None) if get("down").is_none() => Action::PeriodicCrash(None),
                (true, _) => {
                    return Err(field_err(
                        "off",
                        "stops the crashes: give it without every and down",
                    ))
                }
                (false, None) => {
                    return Err(field_err(
                        "every",
                        "is missing; periodicCrash needs every (or off: true)",
                    ))
                }
                (false, Some(v)) => {
                    let every = duration("every", v)?;
                    let down = get("down")
                        .map(|v| duration("down", v))
                        .transpose()?
                        .unwrap_or(every / 2);
                    Action::PeriodicCrash(Some((every, down)))
                }
            }
        }
        "write" | "delete" => {
            let key = match need("key")? {
                Field::Text(t) => t.clone(),
                other => {
                    return Err(field_err(
                        "key",
                        format!("must be text, got {}", other.describe()),
                    ))
                }
            };
            crate::sim::workload::check_key("act.key", &key)?;
            let via = get("via")
                .map(|v| node("via", v))
                .transpose()?
                .unwrap_or(NodeRef::Leader);
            if name == "write" {
                Action::Write { key, via }
            } else {
                Action::Delete { key, via }
            }
        }
        "workload" => {
            let off = get("off")
                .map(|v| boolean("off", v))
                .transpose()?
                .unwrap_or(false);
            if off {
                if let Some((k, _)) = fields
                    .iter()
                    .find(|(k, v)| k != "do" && k != "off" && *v != Field::Null)
                {
                    return Err(field_err(k, "is not taken with off: true"));
                }
                Action::Workload(None)
            } else {
                let number = |k: &str| match need(k)? {
                    Field::Number(n) => Ok(*n),
                    other => Err(field_err(
                        k,
                        format!("must be a number, got {}", other.describe()),
                    )),
                };
                let rate = number("rate")?;
                let keys = whole(
                    "keys",
                    need("keys")?,
                    1.0,
                    1_000_000.0,
                    " of keys, 1 to 1000000",
                )?;
                let via_leader = match get("via") {
                    None => true,
                    Some(Field::Text(t)) if t == "leader" => true,
                    Some(Field::Text(t)) if t == "any" => false,
                    Some(other) => {
                        return Err(field_err(
                            "via",
                            format!("must be `leader` or `any`, got {}", other.describe()),
                        ))
                    }
                };
                let delete = match get("delete") {
                    None => 0.0,
                    Some(_) => number("delete")?,
                };
                let w = crate::sim::client::Workload {
                    rate,
                    keys: keys as u32,
                    via_leader,
                    delete,
                };
                w.validate().map_err(|e| field_err(&e.field, e.rule))?;
                Action::Workload(Some(w))
            }
        }
        other => unreachable!("every do name is handled: {other}"),
    })
}

fn ms(us: Micros) -> Field {
    Field::Number(us as f64 / 1000.0)
}

fn node_field(n: &NodeRef) -> Field {
    match n {
        NodeRef::Id(id) => Field::Number(f64::from(*id)),
        NodeRef::Leader => Field::Text("leader".to_string()),
    }
}

/// The object form of an action (what `act` takes back unchanged).
pub fn action_to_fields(a: &Action) -> Fields {
    let mut f = Fields::new();
    let name = a.do_name();
    // Keys by name, as the objects have always listed them.
    let mut put = |k: &str, v: Field| {
        let at = f.partition_point(|(have, _)| have.as_str() < k);
        f.insert(at, (k.to_string(), v));
    };
    put("do", Field::Text(name.to_string()));
    match a {
        Action::Crash(n) | Action::Restart(n) | Action::Timeout(n) | Action::Isolate(n) => {
            put("node", node_field(n))
        }
        Action::Pause { node, span } => {
            put("node", node_field(node));
            put("for", ms(*span));
        }
        Action::Partition(groups) => put(
            "groups",
            Field::List(
                groups
                    .iter()
                    .map(|g| Field::List(g.iter().map(node_field).collect()))
                    .collect(),
            ),
        ),
        Action::Heal | Action::AlignTimers | Action::SpreadTimers => {}
        Action::Cut { from, to, both } | Action::Restore { from, to, both } => {
            put("from", node_field(from));
            put("to", node_field(to));
            put("both", Field::Bool(*both));
        }
        Action::DropBeats { scope, count } => {
            match scope {
                ScopeRef::All => put("all", Field::Bool(true)),
                ScopeRef::From(n) => put("from", node_field(n)),
                ScopeRef::To(n) => put("to", node_field(n)),
                ScopeRef::Link(a, b) => {
                    put("from", node_field(a));
                    put("to", node_field(b));
                }
            }
            if let Some(c) = count {
                put("count", Field::Number(f64::from(*c)));
            }
        }
        Action::AllowBeats(rule) => {
            if let Some(r) = rule {
                put("rule", Field::Number(f64::from(*r)));
            }
        }
        Action::DropMessage(id) => put("id", Field::Number(*id as f64)),
        Action::Network(c) => {
            if let Some(v) = c.latency_min {
                put("latencyMin", ms(v));
            }
            if let Some(v) = c.latency_max {
                put("latencyMax", ms(v));
            }
            if let Some(p) = c.loss {
                put("loss", Field::Number(p));
            }
        }
        Action::Write { key, via } | Action::Delete { key, via } => {
            put("key", Field::Text(key.clone()));
            put("via", node_field(via));
        }
        Action::Workload(None) => put("off", Field::Bool(true)),
        Action::Workload(Some(w)) => {
            put("rate", Field::Number(w.rate));
            put("keys", Field::Number(f64::from(w.keys)));
            put(
                "via",
                Field::Text(if w.via_leader { "leader" } else { "any" }.to_string()),
            );
            put("delete", Field::Number(w.delete));
        }
        Action::PeriodicCrash(None) => put("off", Field::Bool(true)),
        Action::PeriodicCrash(Some((every, down))) => {
            put("every", ms(*every));
            put("down", ms(*down));
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(items: &[(&str, Field)]) -> Fields {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
    fn text(s: &str) -> Field {
        Field::Text(s.to_string())
    }
    fn num(n: f64) -> Field {
        Field::Number(n)
    }

    #[test]
    fn every_action_goes_to_an_object_and_back() {
        for line in [
            "crash 3",
            "restart leader",
            "timeout 1",
            "isolate 2",
            "partition 1,2 | 3,4,5",
            "heal",
            "cut 1<->2",
            "restore leader->3",
            "drop-beats all",
            "drop-beats from=3 count=2",
            "drop-beats to=leader",
            "drop-beats link=1->2 count=7",
            "allow-beats",
            "allow-beats rule=4",
            "drop-message 12",
            "network latency=1.234ms..40ms loss=0.1234567",
            "network latencyMax=9ms",
            "periodic-crash every=5s down=1.5s",
            "periodic-crash off",
            "align-timers",
            "spread-timers",
        ] {
            let a: Action = line.parse().unwrap();
            let fields = action_to_fields(&a);
            assert!(
                fields.windows(2).all(|w| w[0].0 < w[1].0),
                "{line}: keys by name"
            );
            assert_eq!(action_from_fields(&fields), Ok(a), "{line}");
        }
    }

    #[test]
    fn the_page_shapes_read_as_the_script_lines() {
        let cases: &[(Fields, &str)] = &[
            (
                obj(&[
                    ("do", text("dropBeats")),
                    ("from", num(3.0)),
                    ("count", num(2.0)),
                ]),
                "drop-beats from=3 count=2",
            ),
            (
                obj(&[("do", text("crash")), ("node", text("leader"))]),
                "crash leader",
            ),
            (
                obj(&[("do", text("crash")), ("node", text("S4"))]),
                "crash 4",
            ),
            (
                obj(&[
                    ("do", text("partition")),
                    (
                        "groups",
                        Field::List(vec![
                            Field::List(vec![num(1.0), num(2.0)]),
                            Field::List(vec![num(3.0)]),
                        ]),
                    ),
                ]),
                "partition 1,2 | 3",
            ),
            (
                obj(&[("do", text("network")), ("loss", num(0.1234567))]),
                "network loss=0.1234567",
            ),
            (
                obj(&[
                    ("do", text("network")),
                    ("latency", text("2ms..8ms")),
                    ("loss", num(1e-9)),
                ]),
                "network latency=2ms..8ms loss=1e-9",
            ),
            (
                obj(&[("do", text("network")), ("latencyMin", num(1.234))]),
                "network latencyMin=1.234ms",
            ),
            (
                obj(&[("do", text("periodicCrash")), ("every", num(5000.0))]),
                "periodic-crash every=5s down=2500ms",
            ),
            (obj(&[("do", text("heal")), ("node", Field::Null)]), "heal"),
        ];
        for (fields, line) in cases {
            assert_eq!(
                action_from_fields(fields).map(|a| a.to_string()),
                Ok(line.to_string()),
                "{fields:?}"
            );
        }
    }

    #[test]
    fn bad_objects_name_the_field_and_the_rule() {
        let cases: &[(Fields, &str)] = &[
            (obj(&[("do", text("dropBeats")), ("from", num(3.0)), ("count", num(-1.0))]), "act.count: must be a whole number of heartbeat rounds, at least 1, got -1"),
            (obj(&[("do", text("explode"))]), "act.do: must be one of crash, restart, timeout, isolate, pause, partition, heal, cut, restore, dropBeats, allowBeats, dropMessage, network, periodicCrash, alignTimers, spreadTimers, write, delete, workload, got `explode`"),
            (obj(&[("node", num(1.0))]), "act.do: is missing"),
            (obj(&[("do", num(3.0))]), "act.do: must be one of"),
            (obj(&[("do", text("crash"))]), "act.node: is missing; crash needs it"),
            (obj(&[("do", text("crash")), ("node", Field::Bool(true))]), "act.node: must be a node id (3 or S3) or `leader`, got true"),
            (obj(&[("do", text("crash")), ("node", num(1.5))]), "act.node: must be a node id"),
            (obj(&[("do", text("crash")), ("node", num(1.0)), ("colour", text("red"))]), "act.colour: is not a field of crash (it takes node)"),
            (obj(&[("do", text("heal")), ("node", num(1.0))]), "act.node: is not a field of heal (it takes no other field)"),
            (obj(&[("do", text("partition")), ("groups", num(1.0))]), "act.groups: must be an array of arrays"),
            (obj(&[("do", text("partition")), ("groups", Field::List(vec![num(1.0)]))]), "act.groups: must be an array of arrays"),
            (obj(&[("do", text("cut")), ("from", num(1.0)), ("to", num(2.0)), ("both", text("yes"))]), "act.both: must be true or false"),
            (obj(&[("do", text("dropBeats"))]), "act.from: is missing; dropBeats needs from, to"),
            (obj(&[("do", text("network")), ("loss", num(1.5))]), "act.loss: must be a probability between 0 and 1, got 1.5"),
            (obj(&[("do", text("network")), ("loss", text("0.1"))]), "act.loss: must be a number between 0 and 1, got `0.1`"),
            (obj(&[("do", text("network")), ("latencyMin", num(-3.0))]), "act.latencyMin: must not be negative"),
            (obj(&[("do", text("network"))]), "act.loss: is missing"),
            (obj(&[("do", text("dropMessage")), ("id", num(0.0))]), "act.id: must be a whole number (a message id), at least 1, got 0"),
            (obj(&[("do", text("periodicCrash")), ("every", text("5"))]), "act.every: needs a unit"),
            (obj(&[("do", text("periodicCrash"))]), "act.every: is missing"),
        ];
        for (fields, want) in cases {
            let e = action_from_fields(fields).unwrap_err().to_string();
            assert!(e.starts_with(want), "{fields:?}: {e}");
        }
    }
}
