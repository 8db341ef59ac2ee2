//! A scenario script read as a schedule for the page: the cluster settings,
//! then each action at the simulated time the script reaches it. The page
//! plays the schedule with `applyAt`, so `<raft-beat scenario="...">` runs
//! the same script the CLI runs, minus the golden checks.

use crate::error::Error;
use crate::protocol::{Micros, MsJson};
use crate::script::{self, Command, Span};
use crate::sim::trace::json_escape_into;
use std::fmt::Write;

/// The schedule as JSON: `{"config":[[key,value],...],"steps":[{"t_ms",
/// "command","note"}],"expects":[{"t_ms","text"}],"end_ms"}`. A comment
/// block above a command becomes its `note`, a caption the page can show.
pub fn plan_json(text: &str) -> Result<String, Error> {
    // Attributes cannot hold newlines comfortably: `;` separates commands too.
    let text = text.replace(';', "\n");
    let parsed = script::parse(&text).map_err(|e| Error::new(format!("scenario {}", e.field), e.rule))?;
    let mut now: Micros = 0;
    let mut config = String::from("[");
    let mut steps = String::from("[");
    let mut expects = String::from("[");
    let mut seen_cluster = false;
    let mut about = String::new();
    for chunk in &parsed.chunks {
        let note = note_of(&chunk.lead);
        let command = chunk.text.split('#').next().unwrap_or("").trim();
        match &chunk.command {
            Command::Cluster(pairs) => {
                if seen_cluster {
                    return Err(Error::new(format!("scenario line {}", chunk.line_no), "a scenario starts one cluster"));
                }
                seen_cluster = true;
                about = note.clone();
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        config.push(',');
                    }
                    config.push('[');
                    json_escape_into(&mut config, k);
                    config.push(',');
                    let v = match v {
                        crate::cluster::Value::Text(t) => t.clone(),
                        crate::cluster::Value::Number(n) => n.to_string(),
                        crate::cluster::Value::Bool(b) => b.to_string(),
                    };
                    json_escape_into(&mut config, &v);
                    config.push(']');
                }
            }
            Command::Run { span, .. } => {
                now = match span {
                    Span::For(d) => now.saturating_add(*d),
                    Span::Until(t) if *t >= now => *t,
                    Span::Until(_) => {
                        return Err(Error::new(format!("scenario line {}", chunk.line_no), "run until= goes back in time"));
                    }
                };
            }
            Command::Expect(_) => {
                if expects.len() > 1 {
                    expects.push(',');
                }
                let _ = write!(expects, "{{\"t_ms\":{},\"text\":", MsJson(now as i64));
                json_escape_into(&mut expects, command);
                expects.push('}');
            }
            _ => {
                if steps.len() > 1 {
                    steps.push(',');
                }
                let _ = write!(steps, "{{\"t_ms\":{},\"command\":", MsJson(now as i64));
                json_escape_into(&mut steps, command);
                if !note.is_empty() {
                    steps.push_str(",\"note\":");
                    json_escape_into(&mut steps, &note);
                }
                steps.push('}');
            }
        }
    }
    let _ = write!(config, "],\"steps\":{steps}],\"expects\":{expects}],\"end_ms\":{},\"about\":", MsJson(now as i64));
    json_escape_into(&mut config, &about);
    Ok(format!("{{\"config\":{config}}}"))
}

/// The comment lines above a command, as one caption.
fn note_of(lead: &[String]) -> String {
    let lines: Vec<&str> = lead
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    lines.join(" ")
}
