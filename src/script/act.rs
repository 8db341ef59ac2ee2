//! Carrying out commands on a running cluster: actions, runs and
//! expectations. The page and fault schedules use [`act`] alone, so they do
//! not carry the expectation checker.

use super::action::{Action, NodeRef, ScopeRef};
use super::expect::check;
use super::{Command, Span};
use crate::cluster::Cluster;
use crate::error::Error;
use crate::protocol::data::OpKind;
use crate::protocol::NodeId;
use crate::sim::network::BeatScope;
use crate::time::format_duration;

/// Carries out one command on a running cluster: an action, a run, or an
/// expectation (whose result goes to `output`). Ok(Some(msg)) is a failed
/// expectation. `cluster` commands are refused: a cluster starts once.
pub fn apply(
    c: &mut Cluster,
    command: &Command,
    output: &mut Vec<String>,
) -> Result<Option<String>, Error> {
    match command {
        Command::Cluster(_) => Err(Error::new("cluster", "the cluster is already running")),
        Command::Run { span, .. } => {
            let end = match span {
                Span::For(d) => c.now().saturating_add(*d),
                Span::Until(t) => {
                    if *t < c.now() {
                        return Err(Error::new(
                            "until",
                            format!(
                                "{} is in the past (now {})",
                                format_duration(*t),
                                format_duration(c.now())
                            ),
                        ));
                    }
                    *t
                }
            };
            c.run_until(end);
            Ok(None)
        }
        Command::Expect(e) => check(c, e, output),
        // Only the page stops for a reader.
        Command::Pause => Ok(None),
        Command::Action(a) => act(c, a).map(|_| None),
    }
}

/// Carries out an action now. Every `leader` is resolved first, to the one
/// live leader of this moment; the action is returned as done, with those
/// nodes pinned to their ids, so a replay does the same.
pub fn act(c: &mut Cluster, action: &Action) -> Result<Action, Error> {
    // A client that wants the leader and finds none still sends nothing:
    // its write fails, it is not an error.
    if let Action::Write { key, via } | Action::Delete { key, via } = action {
        let kind = if matches!(action, Action::Write { .. }) {
            OpKind::Write
        } else {
            OpKind::Delete
        };
        let target = match via {
            NodeRef::Id(id) => Some(c.node("via", *id)?),
            NodeRef::Leader => c.client_target(),
        };
        c.client_request(kind, key, target)?;
        let via = target.map_or(NodeRef::Leader, NodeRef::Id);
        let key = key.clone();
        return Ok(match kind {
            OpKind::Write => Action::Write { key, via },
            OpKind::Delete => Action::Delete { key, via },
        });
    }
    let done = action.map_nodes(|field, n| c.resolve(field, n).map(NodeRef::Id))?;
    // After map_nodes every node is an id.
    let id = |n: &NodeRef| match n {
        NodeRef::Id(id) => *id,
        NodeRef::Leader => unreachable!("map_nodes pinned every leader"),
    };
    match &done {
        Action::Crash(n) => c.crash(id(n))?,
        Action::Restart(n) => c.restart(id(n))?,
        Action::Timeout(n) => c.force_timeout(id(n))?,
        Action::Isolate(n) => c.isolate(id(n))?,
        Action::Pause { node, span } => c.pause(id(node), *span)?,
        Action::Partition(groups) => {
            let ids: Vec<Vec<NodeId>> = groups.iter().map(|g| g.iter().map(id).collect()).collect();
            c.partition(&ids)?;
        }
        Action::Heal => c.heal(),
        Action::AlignTimers => c.align_timers()?,
        Action::SpreadTimers => c.spread_timers()?,
        Action::Cut { from, to, both } | Action::Restore { from, to, both } => {
            let (a, b) = (id(from), id(to));
            let cut = matches!(done, Action::Cut { .. });
            for (x, y) in if *both {
                vec![(a, b), (b, a)]
            } else {
                vec![(a, b)]
            } {
                if cut {
                    c.cut(x, y)?;
                } else {
                    c.restore(x, y)?;
                }
            }
        }
        Action::DropBeats { scope, count } => {
            let scope = match scope {
                ScopeRef::All => BeatScope::All,
                ScopeRef::From(n) => BeatScope::From(id(n)),
                ScopeRef::To(n) => BeatScope::To(id(n)),
                ScopeRef::Link(a, b) => BeatScope::Link(id(a), id(b)),
            };
            c.drop_beats(scope, *count)?;
        }
        Action::AllowBeats(None) => c.clear_rules(),
        Action::AllowBeats(Some(rule)) => c.remove_rule(*rule)?,
        Action::DropMessage(m) => c.drop_message(*m)?,
        Action::Network(change) => {
            let next = change.apply_to(c.network())?;
            c.set_network(next)?;
        }
        Action::PeriodicCrash(schedule) => c.set_periodic_crash(*schedule)?,
        Action::Workload(w) => c.set_workload(*w)?,
        Action::Write { .. } | Action::Delete { .. } => unreachable!("handled above"),
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterConfig;

    #[test]
    fn leader_is_pinned_to_the_node_it_named_when_applied() {
        let mut c = Cluster::new(&ClusterConfig {
            seed: Some(1),
            nodes: 3,
            ..Default::default()
        })
        .unwrap();
        let crash_leader: Action = "crash leader".parse().unwrap();
        let e = act(&mut c, &crash_leader).unwrap_err();
        assert_eq!(e.field, "node");
        assert!(e.rule.contains("no leader"), "{e}");
        c.run_until(40_000_000);
        let l = c
            .leader()
            .expect("a 3-node nacos cluster elects within 40 s");
        let done = act(
            &mut c,
            &"drop-beats link=leader->1 count=2".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(
            done,
            Action::DropBeats {
                scope: ScopeRef::Link(NodeRef::Id(l), NodeRef::Id(1)),
                count: Some(2)
            }
        );
        assert_eq!(
            act(&mut c, &crash_leader).unwrap(),
            Action::Crash(NodeRef::Id(l))
        );
        assert!(!c.node_view(l).alive);
    }

    #[test]
    fn a_network_change_keeps_what_it_does_not_name_and_every_digit_of_loss() {
        let mut c = Cluster::new(&ClusterConfig {
            seed: Some(1),
            nodes: 3,
            ..Default::default()
        })
        .unwrap();
        let before = c.network().clone();
        act(&mut c, &"network loss=0.1234567".parse().unwrap()).unwrap();
        assert_eq!(c.network().loss.to_bits(), 0.1234567f64.to_bits());
        assert_eq!(
            (c.network().latency_min, c.network().latency_max),
            (before.latency_min, before.latency_max)
        );
        let e = act(&mut c, &"network latencyMin=50ms".parse().unwrap()).unwrap_err();
        assert_eq!(e.field, "network.latencyMax", "{e}");
    }
}
