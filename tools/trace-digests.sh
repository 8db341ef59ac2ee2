#!/usr/bin/env bash
# Prints a short sha256 digest of the full trace of a fixed set of runs (both
# models, JSONL and text, loss, jitter, Pre-Vote, CheckQuorum, logs, every
# scenario and tour), to check that a refactor changed no trace byte: run it
# before and after and diff the two outputs.
# Usage: tools/trace-digests.sh [path-to-raftbeat-binary] > digests.txt
# Run from a worktree root; builds target/release/raftbeat if no binary given.
set -euo pipefail
BIN=${1:-}
if [ -z "$BIN" ]; then cargo build --release --quiet --bin raftbeat; BIN=target/release/raftbeat; fi
run() { local name=$1; shift; printf '%-60s %s\n' "$name" "$("$BIN" run "$@" --trace - 2>/dev/null | sha256sum | cut -c1-16)"; }
run nacos5-s7-jsonl --model nacos --nodes 5 --seed 7 --for 2h --format jsonl
run nacos5-s7-text --model nacos --nodes 5 --seed 7 --for 2h --format text
run nacos7-loss --model nacos --nodes 7 --seed 11 --for 1h --loss 0.2 --latency 1ms..40ms --timer-jitter 3ms
run nacos3-fast --model nacos --nodes 3 --seed 3 --for 30m --heartbeat 1s --leader-timeout 3s --leader-random 2s --tick 100ms
run raft5-s7 --model raft --nodes 5 --seed 7 --for 10m --format jsonl
run raft5-text --model raft --nodes 5 --seed 7 --for 10m --format text
run raft9-prevote-cq-loss --model raft --nodes 9 --seed 5 --for 10m --pre-vote true --check-quorum true --loss 0.3
run raft5-logs --model raft --nodes 5 --seed 2 --for 5m --logs 3:1,2:1,3:1,1:1,3:1 --election 12ms..24ms --heartbeat 6ms
for f in tests/scenarios/*.txt www/tours/*.txt; do
  printf '%-60s %s\n' "$f" "$("$BIN" run "$f" --trace - 2>/dev/null | sha256sum | cut -c1-16)"
done
