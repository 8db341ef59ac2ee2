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
    use clap::error::{ContextKind, ErrorKind};
    use clap::{
        Arg, ArgAction, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand,
    };
    use raftbeat::cluster::{setting_keys, Cluster, ClusterConfig, Value};
    use raftbeat::experiment::cli::{self as experiment_cli, ExperimentArgs};
    use raftbeat::protocol::Role;
    use raftbeat::script;
    use raftbeat::sim::trace::{Format, Sink, WriterSink};
    use raftbeat::time::fmt_ms;
    use raftbeat::time::{format_duration, parse_duration};
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::ExitCode;

    /// raftbeat: see how a Raft cluster keeps its leader alive with heartbeats
    #[derive(Parser)]
    #[command(
        name = "raftbeat",
        override_usage = "\
raftbeat run SCRIPT [--rewrite] [--verbose] [--trace FILE|-] [--format jsonl|text]
       raftbeat run [SETTINGS] (--for DURATION | --until TIME) [--trace FILE|-] [--format jsonl|text]
       raftbeat experiment fig16 [--trials N] [--seed S] [--format text|json|csv]
       raftbeat experiment nacos-failover [--trials N] [--seed S] [--format text|json|csv]
       raftbeat experiment nacos-propagation | nacos-beat-size | nacos-lost-writes [OPTIONS]
       raftbeat experiment raft-commit-latency | lost-writes [OPTIONS]
       raftbeat serve [--dir DIR] [--port PORT]
       raftbeat help [COMMAND]",
        after_help = "\
`raftbeat COMMAND --help` lists a command's options.
DURATIONS are written with a unit: 500us, 150ms, 1.5s, 2m, 24h."
    )]
    struct Cli {
        #[command(subcommand)]
        command: Option<Command>,
    }

    #[derive(Subcommand)]
    enum Command {
        Run(RunArgs),
        Experiment(ExperimentArgs),
        Serve(ServeArgs),
    }

    /// Run a scenario script, or a cluster without one
    ///
    /// With a SCRIPT (see docs/scenarios.md): prints every expectation's
    /// result; compares each command's output with the golden block under
    /// it, if the file has them. Exits 1 if an expectation fails or a golden
    /// block differs.
    ///
    /// Without one: runs a cluster of the SETTINGS (docs/scenarios.md has the
    /// rules) for --for DURATION or --until TIME, prints a summary, and writes
    /// its trace.
    #[derive(Args)]
    #[command(
        override_usage = "\
raftbeat run SCRIPT [--rewrite] [--verbose] [--trace FILE|-] [--format jsonl|text]
       raftbeat run [SETTINGS] (--for DURATION | --until TIME) [--trace FILE|-] [--format jsonl|text]",
        after_help = "\
JSON lines: {\"t_ms\":..,\"node\":..,\"event\":..,\"term\":..,...} (docs/trace.md lists every event).
DURATIONS are written with a unit: 500us, 150ms, 1.5s, 2m, 24h."
    )]
    struct RunArgs {
        /// A scenario script to run (docs/scenarios.md).
        script: Option<PathBuf>,
        /// Rewrite the script's golden blocks with this run's output.
        #[arg(long, help_heading = "With a SCRIPT")]
        rewrite: bool,
        /// Print every command's output, not only expectations.
        #[arg(long, short, help_heading = "With a SCRIPT")]
        verbose: bool,
        /// How long to run, e.g. 120s, 90m, 24h.
        #[arg(
            long = "for",
            value_name = "DURATION",
            allow_hyphen_values = true,
            help_heading = "Without a script"
        )]
        span_for: Option<String>,
        /// Or: run until this simulated time.
        #[arg(
            long,
            value_name = "TIME",
            allow_hyphen_values = true,
            help_heading = "Without a script"
        )]
        until: Option<String>,
        #[command(flatten)]
        settings: Settings,
        /// Write every event to FILE, or to stdout with -.
        #[arg(
            long,
            value_name = "FILE|-",
            allow_hyphen_values = true,
            help_heading = "Trace output (both forms)"
        )]
        trace: Option<String>,
        /// One JSON object per line (jsonl, the default), or plain text.
        #[arg(
            long,
            value_name = "jsonl|text",
            allow_hyphen_values = true,
            help_heading = "Trace output (both forms)"
        )]
        format: Option<String>,
    }

    /// Serve DIR on 127.0.0.1:PORT with .wasm as application/wasm
    ///
    /// Ctrl-C stops it.
    #[derive(Args)]
    struct ServeArgs {
        /// The directory to serve (default www).
        #[arg(long, value_name = "DIR", allow_hyphen_values = true)]
        dir: Option<PathBuf>,
        /// The port (default 8000, or $PORT).
        #[arg(long, value_name = "PORT", allow_hyphen_values = true)]
        port: Option<String>,
    }

    /// What `raftbeat run --help` says of each setting: its flag's value and
    /// its rule. A setting not listed here is still a flag, named after its key.
    const SETTING_HELP: &[(&str, &str, &str)] = &[
        ("model", "nacos|raft", "Protocol model (default nacos)"),
        ("nodes", "N", "Cluster size, 1 to 1001 (default 5)"),
        (
            "seed",
            "S",
            "64-bit seed (default: random; always reported)",
        ),
        ("timings.tick", "DURATION", "Nacos tick (default 500ms)"),
        (
            "timings.heartbeat",
            "DURATION",
            "Heartbeat interval (Nacos default 5s, Raft 50ms)",
        ),
        (
            "timings.leaderTimeout",
            "DURATION",
            "Nacos leader timeout (default 15s)",
        ),
        (
            "timings.leaderRandom",
            "DURATION",
            "Nacos leader timeout's random part (default 5s)",
        ),
        (
            "beatRunTime",
            "DURATION",
            "Nacos: how long a HeartBeat task run takes; the next starts a tick after it (default 0)",
        ),
        (
            "beatPhase",
            "DURATION|random",
            "Nacos: how far HeartBeat's tick starts behind MasterElection's; random: each server's own, as after long uptime (default 0)",
        ),
        (
            "connectTimeout",
            "DURATION",
            "Nacos: a request across a partition or cut link fails after this (default 5s)",
        ),
        (
            "readTimeout",
            "DURATION",
            "Nacos: a request with no reply this long after it left fails (default 10s)",
        ),
        (
            "timings.election",
            "MIN..MAX",
            "Raft election timeout range (default 150ms..300ms)",
        ),
        (
            "timings.electionMin",
            "DURATION",
            "Raft: the shortest election timeout alone",
        ),
        (
            "timings.electionMax",
            "DURATION",
            "Raft: the longest election timeout alone",
        ),
        ("preVote", "true|false", "Raft's Pre-Vote (default off)"),
        (
            "checkQuorum",
            "true|false",
            "Raft's CheckQuorum (default off)",
        ),
        (
            "logs",
            "I:T,I:T,...",
            "Raft: each node's last log index:term",
        ),
        (
            "network.latency",
            "MIN..MAX",
            "One-way latency range (default 2ms..8ms)",
        ),
        (
            "network.latencyMin",
            "DURATION",
            "The shortest one-way latency alone",
        ),
        (
            "network.latencyMax",
            "DURATION",
            "The longest one-way latency alone",
        ),
        (
            "network.loss",
            "P",
            "Message loss probability, 0 to 1 (default 0)",
        ),
        ("timerJitter", "D", "Timers fire up to D late (default 0)"),
        (
            "boot",
            "D",
            "Servers boot at random moments within D (default 0: all at once)",
        ),
        (
            "diskWrite",
            "MIN..MAX",
            "Raft: each disk write of a term, vote or follower's log takes this long and holds its node (default 0: none)",
        ),
    ];

    /// The settings flags of `raftbeat run`, one per config key: `--loss`,
    /// `--leader-timeout`, ... Any spelling of the key or of its aliases, as
    /// is or in kebab case, is the same flag (`--network.loss`,
    /// `--leaderTimeout`). Their values go, as text and in command-line order,
    /// to the one config parser, ClusterConfig::from_pairs.
    struct Settings {
        /// (canonical key, value), in command-line order.
        pairs: Vec<(&'static str, String)>,
    }

    /// `timings.leaderTimeout` -> `timings.leader-timeout`.
    fn kebab(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_uppercase() {
                out.push('-');
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The flag a setting is shown and named by: the kebab case of its first
    /// name without a dot (`network.loss` -> `loss`, `preVote` -> `pre-vote`).
    fn setting_flag(canon: &'static str, aliases: &[&'static str]) -> String {
        let short = std::iter::once(&canon)
            .chain(aliases)
            .find(|n| !n.contains('.'));
        kebab(short.unwrap_or(&canon))
    }

    fn setting_arg(&(canon, aliases): &(&'static str, &'static [&'static str])) -> Arg {
        let flag = setting_flag(canon, aliases);
        let mut spellings: Vec<String> = Vec::new();
        for name in std::iter::once(&canon).chain(aliases) {
            for s in [name.to_string(), kebab(name)] {
                if s != flag && !spellings.contains(&s) {
                    spellings.push(s);
                }
            }
        }
        let (value, help) = SETTING_HELP.iter().find(|(k, _, _)| *k == canon).map_or(
            ("VALUE", "A cluster setting (docs/scenarios.md)"),
            |(_, v, h)| (*v, *h),
        );
        Arg::new(canon)
            .long(flag)
            .aliases(spellings)
            .value_name(value)
            .help(help)
            .action(ArgAction::Append)
            .allow_hyphen_values(true)
            .help_heading("Settings (without a script; docs/scenarios.md has the rules)")
    }

    impl FromArgMatches for Settings {
        fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
            let mut found: Vec<(usize, &'static str, String)> = Vec::new();
            for &(canon, _) in setting_keys() {
                if let (Some(values), Some(at)) = (m.get_many::<String>(canon), m.indices_of(canon))
                {
                    found.extend(at.zip(values).map(|(i, v)| (i, canon, v.clone())));
                }
            }
            found.sort_by_key(|(i, _, _)| *i);
            Ok(Settings {
                pairs: found.into_iter().map(|(_, k, v)| (k, v)).collect(),
            })
        }
        fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
            *self = Self::from_arg_matches(m)?;
            Ok(())
        }
    }

    impl Args for Settings {
        fn augment_args(cmd: clap::Command) -> clap::Command {
            cmd.args(setting_keys().iter().map(setting_arg))
        }
        fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
            Self::augment_args(cmd)
        }
    }

    /// A config error names the setting's flag (`--loss: must be ...`) when
    /// the flag set it.
    fn flag_error(e: raftbeat::error::Error, given: &[(&'static str, String)]) -> String {
        match setting_keys()
            .iter()
            .find(|(canon, _)| *canon == e.field && given.iter().any(|(k, _)| k == canon))
        {
            Some(&(canon, aliases)) => format!("--{}: {}", setting_flag(canon, aliases), e.rule),
            None => e.to_string(),
        }
    }

    pub fn main() -> ExitCode {
        let argv: Vec<String> = std::env::args().collect();
        let result = match Cli::try_parse_from(&argv) {
            Ok(cli) => match cli.command {
                None => {
                    print!("{}", Cli::command().render_help());
                    Ok(ExitCode::SUCCESS)
                }
                Some(Command::Run(args)) => cmd_run(args),
                Some(Command::Serve(args)) => cmd_serve(args),
                Some(Command::Experiment(args)) => match experiment_cli::run(args) {
                    Some(result) => result.map(ExitCode::from),
                    None => {
                        // No experiment named: its help, as for `--help`.
                        let help = Cli::try_parse_from(["raftbeat", "experiment", "--help"]).err();
                        print!(
                            "{}",
                            help.map(|e| e.render().to_string()).unwrap_or_default()
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                },
            },
            Err(e) => usage_error(e, &argv[1..]),
        };
        match result {
            Ok(code) => code,
            Err(msg) => {
                eprintln!("raftbeat: {msg}");
                ExitCode::from(2)
            }
        }
    }

    /// Help is printed (exit 0); a usage error becomes one line naming the
    /// command and the bad word or flag (exit 2).
    fn usage_error(e: clap::Error, args: &[String]) -> Result<ExitCode, String> {
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
            let _ = e.print();
            return Ok(ExitCode::SUCCESS);
        }
        let context = |kind| e.get(kind).map(|v| v.to_string()).unwrap_or_default();
        // The flag alone, without its value name: `--trials <N>` -> `--trials`.
        let arg = context(ContextKind::InvalidArg);
        let arg = arg
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        let command = args.first().map(String::as_str);
        let experiment = args
            .get(1)
            .map(String::as_str)
            .filter(|w| !w.starts_with('-'));
        Err(match (e.kind(), command) {
            (ErrorKind::InvalidSubcommand, Some("experiment")) => format!(
                "experiment: unknown experiment `{}`; there are fig16, nacos-failover, nacos-propagation, nacos-beat-size, nacos-lost-writes, raft-commit-latency and lost-writes",
                context(ContextKind::InvalidSubcommand)
            ),
            (ErrorKind::InvalidSubcommand, _) => format!(
                "unknown command `{}`; try `raftbeat --help`",
                context(ContextKind::InvalidSubcommand)
            ),
            (ErrorKind::UnknownArgument, Some("run")) if arg.starts_with('-') => {
                format!("unknown option `{arg}`; try `raftbeat run --help`")
            }
            (ErrorKind::UnknownArgument, Some("run")) => format!("unexpected argument `{arg}`"),
            (ErrorKind::UnknownArgument, Some("serve")) => {
                format!("serve: unexpected argument `{arg}`")
            }
            (ErrorKind::UnknownArgument, Some("experiment")) => format!(
                "{}: unknown option `{arg}`; try `raftbeat experiment --help`",
                experiment.unwrap_or("experiment")
            ),
            (ErrorKind::UnknownArgument, _) => {
                format!("unknown command `{arg}`; try `raftbeat --help`")
            }
            // A flag at the end, without its value.
            (ErrorKind::InvalidValue, _) if context(ContextKind::InvalidValue).is_empty() => {
                let what = match command {
                    Some("experiment") => experiment_cli::expected_value(&arg),
                    _ => "a value",
                };
                format!("{arg}: expected {what} after it")
            }
            // Anything else: clap's own message, on one line.
            _ => {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or_default();
                first.trim_start_matches("error: ").to_string()
            }
        })
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

    fn cmd_run(args: RunArgs) -> Result<ExitCode, String> {
        let format = match args.format.as_deref() {
            None | Some("jsonl" | "json") => Format::Jsonl,
            Some("text") => Format::Text,
            Some(other) => return Err(format!("--format: must be jsonl or text, got `{other}`")),
        };
        let duration = |flag: &str, v: &Option<String>| -> Result<Option<u64>, String> {
            v.as_deref()
                .map(|v| parse_duration(flag, v).map_err(|e| e.to_string()))
                .transpose()
        };
        let span_for = duration("--for", &args.span_for)?;
        let until = duration("--until", &args.until)?;
        let pairs = args.settings.pairs;
        let sink = trace_sink(&args.trace, format)?;
        let trace_on_stdout = args.trace.as_deref() == Some("-");
        match args.script {
            Some(path) => {
                if !pairs.is_empty() || span_for.is_some() || until.is_some() {
                    return Err("a script sets its own cluster and run times; drop the settings flags or the script".into());
                }
                run_script(&path, args.rewrite, args.verbose, sink, trace_on_stdout)
            }
            None => {
                if args.rewrite {
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
                free_run(&pairs, end, sink, trace_on_stdout)
            }
        }
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
        pairs: &[(&'static str, String)],
        end: u64,
        sink: Option<Box<dyn Sink>>,
        trace_on_stdout: bool,
    ) -> Result<ExitCode, String> {
        let values: Vec<(String, Value)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::Text(v.clone())))
            .collect();
        let config = ClusterConfig::from_pairs(&values).map_err(|e| flag_error(e, pairs))?;
        let mut cluster = Cluster::new(&config).map_err(|e| flag_error(e, pairs))?;
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
                let _ = writeln!(
                    out,
                    "  S{:<4} {:<13} term {:<4} leader {leader}",
                    v.id, role, v.term
                );
            }
        } else {
            // Too many to list: count the roles and name the leaders.
            let live = |r: &[Role]| {
                views
                    .iter()
                    .filter(|v| v.alive && r.contains(&v.role))
                    .count()
            };
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
                if leaders.is_empty() {
                    "none".to_string()
                } else {
                    leaders.join(", ")
                }
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
    fn cmd_serve(args: ServeArgs) -> Result<ExitCode, String> {
        let dir = args.dir.unwrap_or_else(|| PathBuf::from("www"));
        let port: u16 = match args.port {
            Some(v) => v
                .parse()
                .map_err(|_| format!("--port: must be a port number, got `{v}`"))?,
            None => match std::env::var("PORT") {
                Ok(p) if !p.is_empty() => p
                    .parse()
                    .map_err(|_| format!("PORT: must be a port number, got `{p}`"))?,
                _ => 8000,
            },
        };
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
