//! A scenario script read as a schedule for the page: the cluster settings,
//! then each action at the simulated time the script reaches it. The page
//! plays the schedule with `applyAt`, so `<raft-beat scenario="...">` runs
//! the same script the CLI runs, minus the golden checks.
//!
//! Only what a schedule needs is read here (`cluster`, `run`, actions,
//! `pause`, comments, golden blocks skipped, `expect` kept as text): the script's
//! expectation grammar stays out of the page's wasm.

use crate::error::Error;
use crate::protocol::Micros;
use crate::script;
use crate::time::parse_duration;
use serde::Serialize;

/// The schedule: `{config: [[key, value], ...], steps: [{tMs, command,
/// note?}], expects: [{tMs, text}], endMs, about}`. The comment lines above a
/// command become its `note`, a caption the page shows. A `pause` is a step
/// `{tMs, pause: true, note}` with no command: the page halts there until the
/// reader continues (a guided tour).
#[derive(Serialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    config: Vec<(String, String)>,
    steps: Vec<Step>,
    expects: Vec<Expect>,
    end_ms: f64,
    about: String,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Step {
    t_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pause: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Expect {
    t_ms: f64,
    text: String,
}

/// Attributes cannot hold newlines comfortably, so `;` separates commands
/// too. In one line of text it separates everything, comments included (a
/// comment ends at the next `;`). In several lines a comment runs to its
/// line's end, so a caption may hold a `;` (a `;` closing the line is a
/// separator, dropped).
fn split_commands(text: &str) -> String {
    if !text.contains('\n') {
        return text.replace(';', "\n");
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('#') {
            out.push_str(t.trim_end().trim_end_matches(';'));
        } else {
            out.extend(line.chars().map(|c| if c == ';' { '\n' } else { c }));
        }
        out.push('\n');
    }
    out
}

fn at(line: usize, rule: impl Into<String>) -> Error {
    Error::new(format!("scenario line {line}"), rule)
}

/// The schedule of a scenario script (see [`Plan`]).
pub fn plan(text: &str) -> Result<Plan, Error> {
    let text = split_commands(text);
    let mut now: Micros = 0;
    let mut plan = Plan::default();
    let ms = |us: Micros| us as f64 / 1000.0;
    let (mut about, mut note) = (None::<String>, Vec::<String>::new());
    let mut in_golden = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = raw.trim();
        if in_golden {
            // A golden block runs from `----` to the next blank line.
            in_golden = !trimmed.is_empty();
            continue;
        }
        if trimmed == "----" {
            in_golden = true;
            continue;
        }
        let body = raw.split('#').next().unwrap_or("").trim();
        if body.is_empty() {
            match trimmed.strip_prefix('#') {
                Some(c) => note.push(c.trim().to_string()),
                // A caption is the comment right above its command: a blank
                // line ends a paragraph that was about something else.
                None if trimmed.is_empty() => note.clear(),
                None => {}
            }
            continue;
        }
        let caption = std::mem::take(&mut note).join(" ");
        let (word, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        match word {
            "cluster" => {
                if about.is_some() {
                    return Err(at(line_no, "a scenario starts one cluster"));
                }
                about = Some(caption);
                for w in rest.split_whitespace() {
                    let Some((k, v)) = w.split_once('=') else {
                        return Err(at(
                            line_no,
                            format!("cluster: expected key=value settings, got `{w}`"),
                        ));
                    };
                    plan.config.push((k.to_string(), v.to_string()));
                }
            }
            "run" => {
                let mut moved = false;
                for w in rest.split_whitespace() {
                    match w.split_once('=') {
                        Some(("for", d)) => {
                            now = now.saturating_add(
                                parse_duration("for", d)
                                    .map_err(|e| at(line_no, format!("run: {e}")))?,
                            )
                        }
                        Some(("until", d)) => {
                            let t = parse_duration("until", d)
                                .map_err(|e| at(line_no, format!("run: {e}")))?;
                            if t < now {
                                return Err(at(line_no, "run until= goes back in time"));
                            }
                            now = t;
                        }
                        Some(("trace", _)) => continue,
                        _ => {
                            return Err(at(
                                line_no,
                                format!("run: expected for=DURATION or until=TIME, got `{w}`"),
                            ))
                        }
                    }
                    moved = true;
                }
                if !moved {
                    return Err(at(
                        line_no,
                        "run: expected for=DURATION (e.g. for=25s) or until=TIME (e.g. until=90s)",
                    ));
                }
            }
            "expect" => {
                plan.expects.push(Expect {
                    t_ms: ms(now),
                    text: body.to_string(),
                });
            }
            // `pause` alone is a tour's stop; `pause NODE for=D`, a stall, is an action.
            "pause" if rest.trim().is_empty() => {
                plan.steps.push(Step {
                    t_ms: ms(now),
                    command: None,
                    pause: true,
                    note: Some(caption),
                });
            }
            _ => {
                // Checked now, so a typo is reported with its line, not at its time.
                script::parse_action(body).map_err(|e| at(line_no, e.rule))?;
                let note = (!caption.is_empty()).then_some(caption);
                plan.steps.push(Step {
                    t_ms: ms(now),
                    command: Some(body.to_string()),
                    pause: false,
                    note,
                });
            }
        }
    }
    plan.end_ms = ms(now);
    plan.about = about.unwrap_or_default();
    Ok(plan)
}
