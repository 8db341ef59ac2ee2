//! The raftbeat command line: run scenario scripts and free runs, write
//! traces, run experiments, and serve the page.

// The CLI is native only; on wasm32 (where `wasm-pack test` also builds the
// binaries) it compiles to an empty program.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use raftbeat::cluster::{canonical_key, Cluster, ClusterConfig, Value};
    use raftbeat::protocol::Role;
    use raftbeat::time::fmt_ms;
    use raftbeat::script;
    use raftbeat::time::{format_duration, parse_duration};
    use raftbeat::sim::trace::{Format, Sink, WriterSink};
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::ExitCode;

    const HELP: &str = "\
raftbeat: see how a Raft cluster keeps its leader alive with heartbeats

USAGE:
    raftbeat run SCRIPT [--rewrite] [--verbose] [--trace FILE|-] [--format jsonl|text]
    raftbeat run [SETTINGS] (--for DURATION | --until TIME) [--trace FILE|-] [--format jsonl|text]
    raftbeat experiment fig16 [--trials N] [--seed S] [--format text|json|csv]
    raftbeat experiment nacos-failover [--trials N] [--seed S] [--format text|json|csv]
    raftbeat serve [--dir DIR] [--port PORT]
    raftbeat help

COMMANDS:
    run SCRIPT    Run a scenario script (see docs/scenarios.md). Prints every
                  expectation's result; compares each command's output with
                  the golden block under it, if the file has them. Exits 1 if
                  an expectation fails or a golden block differs.
        --rewrite     Rewrite the script's golden blocks with this run's output.
        --verbose     Print every command's output, not only expectations.

    run           Run a cluster without a script, print a summary, and
                  write its trace. SETTINGS (docs/scenarios.md has the rules):
        --model nacos|raft    Protocol model (default nacos).
        --nodes N             Cluster size, 1 to 1001 (default 5).
        --seed S              64-bit seed (default: random; always reported).
        --for DURATION        How long to run, e.g. 120s, 90m, 24h.
        --until TIME          Or: run until this simulated time.
        --tick, --heartbeat, --leader-timeout, --leader-random DURATION
                              Nacos timings (defaults 500ms, 5s, 15s, 5s).
        --election MIN..MAX   Raft election timeout range (default 150ms..300ms).
        --heartbeat DURATION  Raft heartbeat interval (default 50ms).
        --pre-vote true, --check-quorum true
                              Raft's Pre-Vote and CheckQuorum (default off).
        --logs I:T,I:T,...    Raft: each node's last log index:term.
        --latency MIN..MAX    One-way latency range (default 2ms..8ms).
        --loss P              Message loss probability, 0 to 1 (default 0).
        --timer-jitter D      Timers fire up to D late (default 0).

    experiment    Reproduce a measurement and print it beside the published
                  numbers: fig16 (the Raft paper's Figure 16, ten timeout
                  ranges), nacos-failover (Nacos leader crash to new leader).
                  `raftbeat experiment --help` for every option.

    serve         Serve DIR (default www) on 127.0.0.1:PORT (default 8000, or
                  $PORT) with .wasm as application/wasm. Ctrl-C stops it.

TRACE OUTPUT (both forms of run):
    --trace FILE|-        Write every event to FILE, or to stdout with -.
    --format jsonl|text   One JSON object per line (default), or plain text.
                          JSON lines: {\"t_ms\":..,\"node\":..,\"event\":..,\"term\":..,...}
                          (docs/trace.md lists every event).

DURATIONS are written with a unit: 500us, 150ms, 1.5s, 2m, 24h.
";

    struct Args {
        words: Vec<String>,
        pos: usize,
    }

    impl Args {
        fn next(&mut self) -> Option<String> {
            let w = self.words.get(self.pos).cloned();
            self.pos += 1;
            w
        }
        fn value(&mut self, flag: &str) -> Result<String, String> {
            self.next()
                .ok_or_else(|| format!("{flag}: expected a value after it"))
        }
    }

    pub fn main() -> ExitCode {
        let words: Vec<String> = std::env::args().skip(1).collect();
        let mut args = Args { words, pos: 0 };
        let result = match args.next().as_deref() {
            None | Some("help" | "--help" | "-h") => {
                print!("{HELP}");
                Ok(ExitCode::SUCCESS)
            }
            Some("run") => cmd_run(&mut args),
            Some("serve") => cmd_serve(&mut args),
            Some("experiment") => raftbeat::experiment::cli::main(&args.words[args.pos..]).map(ExitCode::from),
            Some(other) => Err(format!("unknown command `{other}`; try `raftbeat --help`")),
        };
        match result {
            Ok(code) => code,
            Err(msg) => {
                eprintln!("raftbeat: {msg}");
                ExitCode::from(2)
            }
        }
    }

    fn trace_sink(path: &Option<String>, format: Format) -> Result<Option<Box<dyn Sink>>, String> {
        Ok(match path.as_deref() {
            None => None,
            Some("-") => Some(Box::new(WriterSink::new(
                std::io::BufWriter::new(std::io::stdout()),
                format,
            ))),
            Some(p) => {
                let f = std::fs::File::create(p)
                    .map_err(|e| format!("--trace: cannot create {p}: {e}"))?;
                Some(Box::new(WriterSink::new(
                    std::io::BufWriter::new(f),
                    format,
                )))
            }
        })
    }

    fn cmd_run(args: &mut Args) -> Result<ExitCode, String> {
        let mut script_path = None;
        let mut rewrite = false;
        let mut verbose = false;
        let mut trace = None;
        let mut format = Format::Jsonl;
        let mut pairs: Vec<(String, Value)> = Vec::new();
        let mut span_for = None;
        let mut until = None;
        while let Some(w) = args.next() {
            match w.as_str() {
                "--help" | "-h" => {
                    print!("{HELP}");
                    return Ok(ExitCode::SUCCESS);
                }
                "--rewrite" => rewrite = true,
                "--verbose" | "-v" => verbose = true,
                "--trace" => trace = Some(args.value("--trace")?),
                "--format" => {
                    format = match args.value("--format")?.as_str() {
                        "jsonl" | "json" => Format::Jsonl,
                        "text" => Format::Text,
                        other => {
                            return Err(format!("--format: must be jsonl or text, got `{other}`"))
                        }
                    }
                }
                "--for" => {
                    span_for = Some(
                        parse_duration("--for", &args.value("--for")?)
                            .map_err(|e| e.to_string())?,
                    )
                }
                "--until" => {
                    until = Some(
                        parse_duration("--until", &args.value("--until")?)
                            .map_err(|e| e.to_string())?,
                    )
                }
                flag if flag.starts_with("--") => {
                    let key = kebab_to_camel(&flag[2..]);
                    if canonical_key(&key).is_none() {
                        return Err(format!(
                            "unknown option `{flag}`; try `raftbeat run --help`"
                        ));
                    }
                    let v = args.value(flag)?;
                    pairs.push((key, Value::Text(v)));
                }
                path if script_path.is_none() => script_path = Some(PathBuf::from(path)),
                extra => return Err(format!("unexpected argument `{extra}`")),
            }
        }
        let sink = trace_sink(&trace, format)?;
        match script_path {
            Some(path) => {
                if !pairs.is_empty() || span_for.is_some() || until.is_some() {
                    return Err("a script sets its own cluster and run times; drop the settings flags or the script".into());
                }
                run_script(&path, rewrite, verbose, sink, trace.as_deref() == Some("-"))
            }
            None => {
                if rewrite {
                    return Err("--rewrite needs a SCRIPT".into());
                }
                let end = match (span_for, until) {
                    (Some(d), None) => d,
                    (None, Some(t)) => t,
                    (Some(_), Some(_)) => return Err("give --for or --until, not both".into()),
                    (None, None) => {
                        return Err("run: give a SCRIPT, or --for DURATION (e.g. --for 120s)".into())
                    }
                };
                free_run(&pairs, end, sink, trace.as_deref() == Some("-"))
            }
        }
    }

    fn kebab_to_camel(s: &str) -> String {
        let mut out = String::new();
        let mut up = false;
        for c in s.chars() {
            if c == '-' {
                up = true;
            } else if up {
                out.push(c.to_ascii_uppercase());
                up = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    fn run_script(
        path: &PathBuf,
        rewrite: bool,
        verbose: bool,
        sink: Option<Box<dyn Sink>>,
        trace_on_stdout: bool,
    ) -> Result<ExitCode, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let parsed = script::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let report = script::run(&parsed, sink);
        // Results go to stderr when stdout carries the trace.
        let mut out: Box<dyn Write> = if trace_on_stdout {
            Box::new(std::io::stderr())
        } else {
            Box::new(std::io::stdout())
        };
        let mut expectations = 0;
        for o in &report.outcomes {
            let is_expect = o.text.trim_start().starts_with("expect");
            expectations += usize::from(is_expect);
            if verbose || is_expect || o.failure.is_some() {
                let _ = writeln!(out, "{}:{}: {}", path.display(), o.line_no, o.text.trim());
                for l in &o.output {
                    let _ = writeln!(out, "{l}");
                }
            }
        }
        let mismatches = report.golden_mismatches(&parsed);
        let failures = report.failures().count();
        if rewrite {
            std::fs::write(path, report.rewrite(&parsed))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let _ = writeln!(
                out,
                "rewrote {} ({} golden blocks changed)",
                path.display(),
                mismatches.len()
            );
        } else {
            for (chunk, outcome) in &mismatches {
                let _ = writeln!(
                    out,
                    "{}:{}: output differs from the golden block under `{}`",
                    path.display(),
                    chunk.line_no,
                    chunk.text.trim()
                );
                let _ = writeln!(
                    out,
                    "--- expected\n{}\n--- actual\n{}",
                    chunk
                        .expected
                        .as_ref()
                        .map(|e| e.join("\n"))
                        .unwrap_or_default(),
                    outcome.output.join("\n")
                );
            }
        }
        let seed = report.seed.map_or("none".to_string(), |s| s.to_string());
        let _ = writeln!(
            out,
            "{}: {} commands, {expectations} expectations, {failures} failed, {} golden mismatches (seed {seed})",
            path.display(),
            report.outcomes.len(),
            if rewrite { 0 } else { mismatches.len() }
        );
        Ok(if failures > 0 || (!rewrite && !mismatches.is_empty()) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }

    fn free_run(
        pairs: &[(String, Value)],
        end: u64,
        sink: Option<Box<dyn Sink>>,
        trace_on_stdout: bool,
    ) -> Result<ExitCode, String> {
        let config = ClusterConfig::from_pairs(pairs).map_err(|e| e.to_string())?;
        let mut cluster = Cluster::new(&config).map_err(|e| e.to_string())?;
        for w in cluster.warnings() {
            eprintln!("raftbeat: warning: {w}");
        }
        if let Some(s) = sink {
            cluster.add_sink(s);
        }
        let started = std::time::Instant::now();
        cluster.run_until(end);
        cluster.flush_sinks();
        let wall = started.elapsed();
        let mut out: Box<dyn Write> = if trace_on_stdout {
            Box::new(std::io::stderr())
        } else {
            Box::new(std::io::stdout())
        };
        let words: Vec<String> = config
            .to_pairs(cluster.seed())
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = writeln!(out, "ran {} of {}", format_duration(end), words.join(" "));
        let stats = cluster.stats();
        let _ = writeln!(
            out,
            "events {} (sent {}, delivered {}, dropped {}) in {:.3} s wall",
            stats.events,
            stats.sent,
            stats.delivered,
            stats.dropped,
            wall.as_secs_f64()
        );
        let views = cluster.node_views();
        if views.len() <= 25 {
            for v in &views {
                let role = if v.alive { v.role.as_str() } else { "DOWN" };
                let leader = v.leader.map_or("none".into(), |l| format!("S{l}"));
                let _ = writeln!(out, "  S{:<4} {:<13} term {:<4} leader {leader}", v.id, role, v.term);
            }
        } else {
            // Too many to list: count the roles and name the leaders.
            let live = |r: &[Role]| views.iter().filter(|v| v.alive && r.contains(&v.role)).count();
            let leaders: Vec<String> = views
                .iter()
                .filter(|v| v.alive && v.role == Role::Leader)
                .map(|v| format!("S{} (term {})", v.id, v.term))
                .collect();
            let _ = writeln!(
                out,
                "  {} followers, {} candidates, {} leaders, {} down; leaders: {}",
                live(&[Role::Follower]),
                live(&[Role::Candidate, Role::PreCandidate]),
                leaders.len(),
                views.iter().filter(|v| !v.alive).count(),
                if leaders.is_empty() { "none".to_string() } else { leaders.join(", ") }
            );
        }
        let m = cluster.monitor();
        let _ = writeln!(out, "safety monitor: {} findings", m.total());
        for f in m.findings().rev().take(20) {
            let _ = writeln!(
                out,
                "  {} {}: {}",
                fmt_ms(f.t as i64),
                f.kind.as_str(),
                f.describe()
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    fn cmd_serve(args: &mut Args) -> Result<ExitCode, String> {
        let mut dir = PathBuf::from("www");
        let mut port: u16 = match std::env::var("PORT") {
            Ok(p) if !p.is_empty() => p
                .parse()
                .map_err(|_| format!("PORT: must be a port number, got `{p}`"))?,
            _ => 8000,
        };
        while let Some(w) = args.next() {
            match w.as_str() {
                "--dir" => dir = PathBuf::from(args.value("--dir")?),
                "--port" => {
                    let v = args.value("--port")?;
                    port = v
                        .parse()
                        .map_err(|_| format!("--port: must be a port number, got `{v}`"))?;
                }
                other => return Err(format!("serve: unexpected argument `{other}`")),
            }
        }
        if !dir.join("index.html").is_file() {
            return Err(format!("serve: {} has no index.html", dir.display()));
        }
        raftbeat::serve::serve(&dir, &format!("127.0.0.1:{port}"), |addr| {
            println!(
                "raftbeat: serving {} at http://{addr}/  (Ctrl-C stops)",
                dir.display()
            );
            let _ = std::io::stdout().flush();
        })
        .map_err(|e| format!("serve: cannot listen on 127.0.0.1:{port}: {e}"))?;
        Ok(ExitCode::SUCCESS)
    }
}
