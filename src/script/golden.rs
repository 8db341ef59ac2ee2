//! The script runner: runs every command in order, collects its output, and
//! compares it with the golden blocks (or rewrites them).

use super::act::apply;
use super::{Chunk, Command, Script};
use crate::cluster::{Cluster, ClusterConfig};
use crate::error::Error;
use crate::sim::trace::{Filter, Sink, TextCollector};
use std::cell::RefCell;
use std::rc::Rc;

/// What one command did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub line_no: usize,
    pub text: String,
    pub output: Vec<String>,
    /// An expectation that did not hold, or an action that failed.
    pub failure: Option<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    pub seed: Option<u64>,
}

impl Report {
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.failure.is_some())
    }

    /// Commands whose output differs from the golden block in `script`.
    pub fn golden_mismatches<'a>(&'a self, script: &'a Script) -> Vec<(&'a Chunk, &'a Outcome)> {
        script
            .chunks
            .iter()
            .zip(&self.outcomes)
            .filter(|(c, o)| c.expected.as_ref().is_some_and(|e| *e != o.output))
            .collect()
    }

    /// The script text with every command's golden block replaced by what
    /// happened in this run.
    pub fn rewrite(&self, script: &Script) -> String {
        let mut out = String::new();
        for (i, c) in script.chunks.iter().enumerate() {
            for l in &c.lead {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(&c.text);
            out.push('\n');
            out.push_str("----\n");
            if let Some(o) = self.outcomes.get(i) {
                for l in &o.output {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            let next_lead_blank = script
                .chunks
                .get(i + 1)
                .is_some_and(|n| n.lead.first().is_some_and(|l| l.trim().is_empty()));
            if !next_lead_blank && i + 1 < script.chunks.len() {
                out.push('\n');
            }
        }
        if !script.tail.is_empty() {
            if !script.tail[0].trim().is_empty() {
                out.push('\n');
            }
            for l in &script.tail {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

/// Runs a script. `extra_sink` (e.g. a full JSONL trace) is attached to the
/// cluster when it is created. Stops at the first command that cannot run.
pub fn run(script: &Script, mut extra_sink: Option<Box<dyn Sink>>) -> Report {
    let mut report = Report::default();
    let collector = Rc::new(RefCell::new(TextCollector::default()));
    let mut cluster: Option<Cluster> = None;
    for chunk in &script.chunks {
        let mut outcome = Outcome {
            line_no: chunk.line_no,
            text: chunk.text.clone(),
            output: Vec::new(),
            failure: None,
        };
        let result = step(
            chunk,
            &mut cluster,
            &collector,
            &mut extra_sink,
            &mut outcome.output,
        );
        outcome.output.extend(
            collector
                .borrow_mut()
                .lines
                .drain(..)
                .map(|l| format!("  {l}").trim_end().to_string()),
        );
        let stop = match result {
            Ok(None) => false,
            Ok(Some(failed_expectation)) => {
                outcome.failure = Some(failed_expectation);
                false
            }
            Err(e) => {
                outcome.output.push(format!("error: {e}"));
                outcome.failure = Some(format!("line {}: {e}", chunk.line_no));
                true
            }
        };
        if let Some(c) = &cluster {
            report.seed = Some(c.seed());
        }
        report.outcomes.push(outcome);
        if stop {
            break;
        }
    }
    if let Some(c) = cluster.as_mut() {
        c.flush_sinks();
    }
    report
}

/// Runs one command of a script. Ok(Some(msg)) is a failed expectation.
fn step(
    chunk: &Chunk,
    cluster: &mut Option<Cluster>,
    collector: &Rc<RefCell<TextCollector>>,
    extra_sink: &mut Option<Box<dyn Sink>>,
    output: &mut Vec<String>,
) -> Result<Option<String>, Error> {
    if let Command::Cluster(pairs) = &chunk.command {
        if cluster.is_some() {
            return Err(Error::new(
                "cluster",
                "a script starts one cluster; this one already has it",
            ));
        }
        let config = ClusterConfig::from_pairs(pairs)?;
        let mut c = Cluster::new(&config)?;
        c.add_sink(Box::new(collector.clone()));
        if let Some(s) = extra_sink.take() {
            c.add_sink(s);
        }
        let words: Vec<String> = config
            .to_pairs(c.seed())
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        output.push(format!("  {}", words.join(" ")));
        // Allowed, and worth watching, but said where the run starts.
        output.extend(c.warnings().into_iter().map(|w| format!("  warning: {w}")));
        *cluster = Some(c);
        return Ok(None);
    }
    let c = cluster.as_mut().ok_or_else(|| {
        Error::new(
            chunk.command_name(),
            "no cluster yet: start the script with `cluster model=nacos nodes=5 seed=7`",
        )
    })?;
    collector.borrow_mut().filter = match &chunk.command {
        Command::Run { filter, .. } => filter.clone(),
        _ => Filter::Default,
    };
    apply(c, &chunk.command, output)
}

impl Chunk {
    fn command_name(&self) -> &str {
        self.text.split_whitespace().next().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn golden_blocks_are_read_and_rewritten_in_place() {
        let src = "# a comment\ncluster nodes=3 seed=1\n----\n  stale\n\nrun for=1s trace=none\n----\n\n# tail\n";
        let s = parse(src).unwrap();
        assert_eq!(s.chunks.len(), 2);
        assert_eq!(s.chunks[0].expected, Some(vec!["  stale".to_string()]));
        assert_eq!(s.chunks[1].expected, Some(vec![]));
        let report = run(&s, None);
        assert_eq!(report.golden_mismatches(&s).len(), 1);
        let rewritten = report.rewrite(&s);
        let again = parse(&rewritten).unwrap();
        assert!(
            run(&again, None).golden_mismatches(&again).is_empty(),
            "{rewritten}"
        );
        assert!(rewritten.starts_with(
            "# a comment\ncluster nodes=3 seed=1\n----\n  model=nacos nodes=3 seed=1\n"
        ));
        assert!(rewritten.ends_with("# tail\n"));
    }

    #[test]
    fn runtime_errors_stop_the_script_with_the_line() {
        let s = parse("cluster nodes=3 seed=1\ncrash 9\nrun for=1s").unwrap();
        let r = run(&s, None);
        assert_eq!(r.outcomes.len(), 2);
        let f = r.outcomes[1].failure.as_ref().unwrap();
        assert!(
            f.contains("line 2") && f.contains("node 9 does not exist"),
            "{f}"
        );
        let s = parse("run for=1s").unwrap();
        assert!(run(&s, None).outcomes[0]
            .failure
            .as_ref()
            .unwrap()
            .contains("no cluster yet"));
        for (every, rule) in [
            ("every=0s", "every: must be from 1ms to 24h, got 0ms"),
            ("every=25h", "every: must be from 1ms to 24h"),
            ("every=1s down=25h", "down: must be at most 24h"),
        ] {
            let r = run(
                &parse(&format!("cluster nodes=3 seed=1\nperiodic-crash {every}"))
                    .unwrap_or_else(|e| panic!("{every}: {e}")),
                None,
            );
            let f = r.outcomes[1].failure.as_ref().unwrap();
            assert!(f.contains("line 2") && f.contains(rule), "{every}: {f}");
        }
    }
}
