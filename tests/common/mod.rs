//! Helpers the integration tests share (`mod common;` in each test file).
//! Each test crate uses a part of them, hence the allow.
#![allow(dead_code)]

use raftbeat::cluster::{ClusterConfig, Value};
use raftbeat::protocol::raft::LogPos;
use raftbeat::protocol::Micros;
use std::process::Command;

pub const MS: Micros = 1_000;

/// A config from settings given as text, as a script or the command line
/// gives them (`("latency", "1ms..3ms")`), through the one config parser.
/// Panics naming the settings it refuses.
pub fn config<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> ClusterConfig {
    let pairs: Vec<(String, Value)> = pairs
        .into_iter()
        .map(|(k, v)| (k.as_ref().to_string(), Value::Text(v.as_ref().to_string())))
        .collect();
    ClusterConfig::from_pairs(&pairs).unwrap_or_else(|e| panic!("{pairs:?} is refused: {e}"))
}

/// A config from `key=value` words, as a script's `cluster` line has them.
pub fn config_from_words(words: &str) -> ClusterConfig {
    config(
        words
            .split_whitespace()
            .map(|w| w.split_once('=').expect("key=value")),
    )
}

/// Logs as the `logs` setting writes them: `5:1,5:1,3:1`.
pub fn logs_text(logs: &[LogPos]) -> String {
    logs.iter()
        .map(|l| format!("{}:{}", l.index, l.term))
        .collect::<Vec<_>>()
        .join(",")
}

/// Runs the raftbeat binary: its exit code, stdout and stderr.
pub fn raftbeat(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_raftbeat"))
        .args(args)
        .output()
        .expect("the raftbeat binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
