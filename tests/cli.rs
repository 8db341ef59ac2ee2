//! The raftbeat binary: its commands' exit codes, their errors naming the
//! flag and the rule, and the help. (`tests/experiments.rs` has the
//! experiments' own flags.)

mod common;

use common::raftbeat;

#[test]
fn a_scenario_runs_and_passes() {
    let (code, out, err) = raftbeat(&["run", "tests/scenarios/01-first-election.txt"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" 0 failed, 0 golden mismatches"), "{out}");
}

#[test]
fn a_free_run_reports_its_settings_and_seed() {
    let (code, out, err) = raftbeat(&[
        "run",
        "--model",
        "raft",
        "--nodes",
        "3",
        "--seed",
        "7",
        "--pre-vote",
        "true",
        "--for",
        "2s",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("ran 2s of model=raft nodes=3 seed=7"),
        "{out}"
    );
    assert!(out.contains("preVote=true"), "{out}");
    assert!(out.contains("safety monitor: 0 findings"), "{out}");
    // Another spelling of a setting is the same flag, and the run the same.
    let (code, same, _) = raftbeat(&[
        "run",
        "--model",
        "raft",
        "--nodes",
        "3",
        "--seed",
        "7",
        "--preVote",
        "true",
        "--for",
        "2s",
    ]);
    assert_eq!(code, 0);
    let settled = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("s wall"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(settled(&same), settled(&out));
}

#[test]
fn a_trace_goes_to_stdout_and_the_summary_to_stderr() {
    let (code, out, err) = raftbeat(&["run", "--seed", "1", "--for", "20s", "--trace", "-"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines().count() > 10 && out.lines().all(|l| l.starts_with("{\"t_ms\":")),
        "{out}"
    );
    assert!(err.starts_with("ran 20s of model=nacos"), "{err}");
}

#[test]
fn bad_input_exits_2_naming_the_flag_and_the_rule() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "--loss", "1.5", "--for", "1s"],
            "--loss: must be a probability between 0 and 1, got 1.5",
        ),
        (&["run", "--nodes", "0", "--for", "1s"], "--nodes: "),
        (
            &[
                "run",
                "--model",
                "raft",
                "--leader-timeout",
                "1s",
                "--for",
                "1s",
            ],
            "--leader-timeout: is a nacos setting; this cluster runs raft",
        ),
        (
            &[
                "run",
                "--latency",
                "1ms",
                "--network.latency",
                "2ms",
                "--for",
                "1s",
            ],
            "--latency: is given twice",
        ),
        (&["run", "--for", "1x"], "--for: unknown unit `x`"),
        (&["run", "--nodes"], "--nodes: expected a value after it"),
        (
            &["run", "--format", "xml", "--for", "1s"],
            "--format: must be jsonl or text, got `xml`",
        ),
        (
            &["run", "--frob", "1"],
            "unknown option `--frob`; try `raftbeat run --help`",
        ),
        (&["run"], "run: give a SCRIPT, or --for DURATION"),
        (
            &["run", "--for", "1s", "--until", "2s"],
            "give --for or --until, not both",
        ),
        (
            &["run", "--rewrite", "--for", "1s"],
            "--rewrite needs a SCRIPT",
        ),
        (
            &[
                "run",
                "tests/scenarios/01-first-election.txt",
                "--nodes",
                "3",
            ],
            "a script sets its own cluster and run times",
        ),
        (
            &["run", "tests/scenarios/01-first-election.txt", "extra"],
            "unexpected argument `extra`",
        ),
        (
            &["serve", "--port", "99999"],
            "--port: must be a port number, got `99999`",
        ),
        (&["serve", "x"], "serve: unexpected argument `x`"),
        (&["frob"], "unknown command `frob`; try `raftbeat --help`"),
    ];
    for (args, want) in cases {
        let (code, out, err) = raftbeat(args);
        assert_eq!(code, 2, "{args:?} should fail: {out}{err}");
        assert!(
            err.starts_with("raftbeat: ") && err.contains(want),
            "{args:?}: expected `{want}` in `{err}`"
        );
        assert!(out.is_empty(), "{args:?}: nothing on stdout, got {out}");
    }
}

#[test]
fn help_lists_the_commands_and_every_setting() {
    for args in [&[][..], &["--help"], &["help"]] {
        let (code, out, _) = raftbeat(args);
        assert_eq!(code, 0, "{args:?}");
        for command in ["run", "experiment", "serve"] {
            assert!(
                out.contains(&format!("raftbeat {command}")),
                "{args:?}: {command} in {out}"
            );
        }
    }
    let (code, out, _) = raftbeat(&["run", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--rewrite",
        "--verbose",
        "--for",
        "--until",
        "--trace",
        "--format",
        "--model",
        "--nodes",
        "--seed",
        "--tick",
        "--heartbeat",
        "--leader-timeout",
        "--leader-random",
        "--election",
        "--pre-vote",
        "--check-quorum",
        "--logs",
        "--latency",
        "--loss",
        "--timer-jitter",
    ] {
        assert!(
            out.contains(&format!("{flag} ")) || out.contains(&format!("{flag}\n")),
            "{flag} in {out}"
        );
    }
}
