//! Every scenario under tests/scenarios/ runs and must match its golden
//! blocks. `RAFTBEAT_REWRITE=1 cargo test --test scenarios` rewrites them
//! (then read the diff before committing it).
// Native only: `wasm-pack test` builds every integration test for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use raftbeat::script;
use std::path::Path;

#[test]
fn scenario_goldens_match() {
    let rewrite = std::env::var_os("RAFTBEAT_REWRITE").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
    files.sort();
    assert!(files.len() >= 7, "expected the scenario files, found {}", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = script::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = script::run(&parsed, None);
        for f in report.failures() {
            problems.push(format!("{name}:{}: `{}` failed: {} (seed {:?})", f.line_no, f.text.trim(), f.failure.as_deref().unwrap_or(""), report.seed));
        }
        if rewrite {
            std::fs::write(path, report.rewrite(&parsed)).unwrap();
            continue;
        }
        for (chunk, outcome) in report.golden_mismatches(&parsed) {
            problems.push(format!(
                "{name}:{}: output of `{}` differs from its golden block (RAFTBEAT_REWRITE=1 to update)\n--- expected\n{}\n--- actual\n{}",
                chunk.line_no,
                chunk.text.trim(),
                chunk.expected.as_deref().unwrap_or_default().join("\n"),
                outcome.output.join("\n")
            ));
        }
        let missing = parsed.chunks.iter().filter(|c| c.expected.is_none()).count();
        if missing > 0 {
            problems.push(format!("{name}: {missing} commands have no golden block (RAFTBEAT_REWRITE=1 to write them)"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_wasm_test_runs_every_scenario_too() {
    // tests/web.rs embeds the scenarios with include_str!; a new file must be added there.
    let web = include_str!("web.rs");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".txt") {
            assert!(web.contains(&format!("    \"{name}\",")), "tests/web.rs does not run {name}: add it to SCENARIOS");
        }
    }
}
