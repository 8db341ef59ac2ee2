//! Script text to commands: the line structure (comments, golden blocks),
//! `cluster`, `run` and `pause`; actions are read by [`super::action`] and
//! expectations by [`super::expect`].

use super::action::{parse_words, split_words};
use super::expect::parse_expect;
use super::{Chunk, Command, Script, Span, USAGE};
use crate::cluster::Value;
use crate::error::Error;
use crate::sim::trace::Filter;
use crate::time::parse_duration;

pub(crate) fn err(line: usize, rule: impl Into<String>) -> Error {
    Error::new(format!("line {line}"), rule)
}

fn parse_filter(line: usize, s: &str) -> Result<Filter, Error> {
    Ok(match s {
        "default" => Filter::Default,
        "all" => Filter::All,
        "none" => Filter::None,
        list => {
            let names: Vec<String> = list
                .split(',')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect();
            if names.is_empty() {
                return Err(err(
                    line,
                    "run: trace= expects default, all, none or a list of categories/events",
                ));
            }
            Filter::Only(names)
        }
    })
}

/// Parses one command line (without comment).
pub fn parse_command(line: usize, text: &str) -> Result<Command, Error> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((&cmd, args)) = words.split_first() else {
        return Err(err(line, format!("expected a command ({USAGE})")));
    };
    Ok(match cmd {
        "cluster" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(err(
                    line,
                    format!("cluster: expected key=value settings, got `{p}`"),
                ));
            }
            Command::Cluster(kv.into_iter().map(|(k, v)| (k, Value::Text(v))).collect())
        }
        "run" => {
            let (kv, pos) = split_words(args);
            if let Some(p) = pos.first() {
                return Err(err(
                    line,
                    format!("run: expected for=DURATION or until=TIME, got `{p}`"),
                ));
            }
            let mut span = None;
            let mut filter = Filter::Default;
            for (k, v) in kv {
                match k.as_str() {
                    "for" => {
                        span = Some(Span::For(
                            parse_duration("for", &v)
                                .map_err(|e| err(line, format!("run: {e}")))?,
                        ))
                    }
                    "until" => {
                        span = Some(Span::Until(
                            parse_duration("until", &v)
                                .map_err(|e| err(line, format!("run: {e}")))?,
                        ))
                    }
                    "trace" => filter = parse_filter(line, &v)?,
                    other => {
                        return Err(err(
                            line,
                            format!(
                                "run: unknown setting `{other}` (expected for=, until=, trace=)"
                            ),
                        ))
                    }
                }
            }
            let span = span.ok_or_else(|| {
                err(
                    line,
                    "run: expected for=DURATION (e.g. for=25s) or until=TIME (e.g. until=90s)",
                )
            })?;
            Command::Run { span, filter }
        }
        "expect" => Command::Expect(parse_expect(line, args)?),
        // `pause` alone is a tour's stop; `pause NODE for=D` a stall.
        "pause" if args.is_empty() => Command::Pause,
        _ => Command::Action(parse_words(cmd, args).map_err(|rule| err(line, rule))?),
    })
}

/// Parses a whole script, golden blocks included.
pub fn parse(text: &str) -> Result<Script, Error> {
    let lines: Vec<&str> = text.lines().collect();
    let mut script = Script::default();
    let mut lead = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        let body = raw.split('#').next().unwrap_or("").trim();
        if body.is_empty() {
            if raw.trim() == "----" {
                return Err(err(line_no, "`----` must follow a command"));
            }
            lead.push(raw.to_string());
            i += 1;
            continue;
        }
        if body == "----" {
            return Err(err(line_no, "`----` must follow a command"));
        }
        let command = parse_command(line_no, body)?;
        i += 1;
        let mut expected = None;
        if i < lines.len() && lines[i].trim() == "----" {
            i += 1;
            let mut out = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() {
                out.push(lines[i].to_string());
                i += 1;
            }
            expected = Some(out);
        }
        script.chunks.push(Chunk {
            lead: std::mem::take(&mut lead),
            line_no,
            text: raw.to_string(),
            command,
            expected,
        });
    }
    script.tail = lead;
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_line_and_what_was_expected() {
        let cases = [
            (
                "cluster nodes=5\nfly away",
                "line 2",
                "unknown command `fly`",
            ),
            ("run 25s", "line 1", "expected for=DURATION or until=TIME"),
            ("run for=25", "line 1", "needs a unit"),
            ("crash", "line 1", "expected one node"),
            ("cut 1-2", "line 1", "expected a link like 1->2"),
            ("drop-beats count=0 all", "line 1", "at least 1"),
            (
                "expect term >> 3",
                "line 1",
                "expected ==, !=, >=, <=, > or <",
            ),
            ("expect violation bad-thing", "line 1", "two-leaders"),
            ("expect role 3 king", "line 1", "expected follower"),
            ("\n\n----", "line 3", "must follow a command"),
            (
                "cluster nodes=3\npause here",
                "line 2",
                "pause: alone it is a tour's stop",
            ),
            (
                "periodic-crash",
                "line 1",
                "expected every=DURATION [down=DURATION]",
            ),
            (
                "periodic-crash soon",
                "line 1",
                "expected every=DURATION [down=DURATION]",
            ),
            (
                "periodic-crash down=5s",
                "line 1",
                "expected every=DURATION [down=DURATION]",
            ),
            ("periodic-crash every=3", "line 1", "needs a unit"),
            (
                "periodic-crash every=5s wait=1s",
                "line 1",
                "unknown setting `wait`",
            ),
            ("periodic-crash every=1s down=2d", "line 1", "unknown unit"),
        ];
        for (src, field, rule) in cases {
            let e = parse(src).unwrap_err();
            assert_eq!(e.field, field, "{src}: {e}");
            assert!(e.rule.contains(rule), "{src}: {e}");
        }
    }
}
