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
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("www/tours")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(web.contains(&format!("(\"{name}\", include_str!(\"../www/tours/{name}\"))")), "tests/web.rs does not run {name}: add it to TOURS");
    }
}

/// A guided tour (www/tours/) is a scenario whose `pause` lines are stops
/// with captions. Its claims are checked here: every stop has a caption, and
/// at least one `expect` since the previous stop backs it.
#[test]
fn every_tour_stop_has_a_caption_backed_by_an_expectation() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/tours");
    let mut tours = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let parsed = script::parse(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = script::run(&parsed, None);
        let failed: Vec<_> = report.failures().map(|f| format!("{name}:{}: {}", f.line_no, f.failure.as_deref().unwrap_or(""))).collect();
        assert!(failed.is_empty(), "{}", failed.join("\n"));
        assert_eq!(report.outcomes.len(), parsed.chunks.len(), "{name}: the tour stopped early");
        let (mut stops, mut checks) = (0, 0);
        for chunk in &parsed.chunks {
            match chunk.command {
                script::Command::Expect(_) => checks += 1,
                script::Command::Pause => {
                    stops += 1;
                    // The caption: the comment lines right above (after the last blank line).
                    let caption = chunk.lead.iter().rev().take_while(|l| l.trim().starts_with('#')).count();
                    assert!(caption > 0, "{name}:{}: stop {stops} has no caption (a comment right above `pause`)", chunk.line_no);
                    assert!(stops == 1 || checks > 0, "{name}:{}: nothing checks stop {stops}'s caption: add an `expect` before it", chunk.line_no);
                    checks = 0;
                }
                _ => {}
            }
        }
        assert!(stops >= 2, "{name}: a tour has stops");
        tours += 1;
    }
    assert!(tours >= 1, "no tour under www/tours");
}
