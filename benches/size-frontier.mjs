// The lab's wasm: size against fast-forward speed, over the build settings
// that trade one for the other. The targets are both a wasm of at most
// 100 KB gzipped and a fast-forward within 2x of native; this measures how
// close each setting comes to each. Run it after `make wasm cli` (about 5 min):
//
//   node benches/size-frontier.mjs
//
// Each setting is built as the Makefile builds the lab (cargo, wasm-bindgen,
// wasm-opt with WASM_OPT_FLAGS; the lab's extra flatten/rereloop, about 1 KB
// gzipped, is left out) into target/frontier/, then runs Nacos, 5 nodes, seed 1, 24 h
// simulated, trace off, in Node's V8 (Chromium's engine; benches/browser/
// run.js measures the shipped build in Chromium itself). Native is the
// release CLI on the same run.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const OUT = join(ROOT, 'target', 'frontier');
const WASM_OPT = join(ROOT, 'node_modules', '.bin', 'wasm-opt');
const WASM_OPT_FLAGS = readFileSync(join(ROOT, 'Makefile'), 'utf8').match(/^WASM_OPT_FLAGS := (.*\\\n.*)$/m)[1].replace(/\\\n\s*/, ' ').split(/\s+/);
const REPEATS = 5;

// [name, opt-level, extra RUSTFLAGS]
const SETTINGS = [
  ['opt-level 3', '3', ''],
  ['opt-level s', 's', ''],
  ['opt-level s, #[inline] threshold 100 (shipped)', 's', '-C llvm-args=-inlinehint-threshold=100'],
  ['opt-level s, #[inline] threshold 45', 's', '-C llvm-args=-inlinehint-threshold=45'],
  ['opt-level z, inline threshold 150', 'z', '-C llvm-args=-inline-threshold=150'],
  ['opt-level z, inline threshold 75', 'z', '-C llvm-args=-inline-threshold=75'],
  ['opt-level z, inline threshold 25', 'z', '-C llvm-args=-inline-threshold=25'],
  ['opt-level z', 'z', ''],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function build(name, level, rustflags) {
  const dir = join(OUT, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir, { recursive: true });
  // A target directory per setting: RUSTFLAGS changes rebuild everything.
  const target = join(OUT, 'cargo', `${level}-${rustflags.replace(/\D/g, '') || 'default'}`);
  const env = { ...process.env, CARGO_TARGET_DIR: target, CARGO_PROFILE_RELEASE_OPT_LEVEL: level, RUSTFLAGS: rustflags };
  execFileSync('cargo', ['build', '--quiet', '--release', '--lib', '--target', 'wasm32-unknown-unknown'], { cwd: ROOT, env, stdio: 'inherit' });
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', dir, join(target, 'wasm32-unknown-unknown', 'release', 'raftbeat.wasm')], { stdio: 'inherit' });
  const wasm = join(dir, 'raftbeat_bg.wasm');
  execFileSync(WASM_OPT, [...WASM_OPT_FLAGS, wasm, '-o', wasm], { stdio: 'inherit' });
  return dir;
}

async function speed(dir) {
  const rb = await import(join(dir, 'raftbeat.js'));
  rb.initSync({ module: readFileSync(join(dir, 'raftbeat_bg.wasm')) });
  const runs = [];
  for (let i = 0; i < REPEATS + 1; i++) {
    const sim = new rb.Simulation({ model: 'nacos', nodes: 5, seed: 1 });
    sim.traceLevel = 'off';
    const t0 = performance.now();
    for (let h = 0; h < 24; h++) sim.step(3_600_000);
    const ms = performance.now() - t0;
    if (i > 0) runs.push(sim.eventCount / ms / 1000); // the first warms up
    sim.free();
  }
  return median(runs);
}

function native() {
  const cli = join(ROOT, 'target', 'release', 'raftbeat');
  const runs = [];
  for (let i = 0; i < REPEATS; i++) {
    const out = execFileSync(cli, ['run', '--seed', '1', '--for', '24h'], { encoding: 'utf8' });
    const m = out.match(/events (\d+) .* in ([\d.]+) s wall/);
    runs.push(Number(m[1]) / Number(m[2]) / 1e6);
  }
  return median(runs);
}

const rows = [];
for (const [name, level, flags] of SETTINGS) {
  const dir = build(name, level, flags);
  const wasm = readFileSync(join(dir, 'raftbeat_bg.wasm'));
  rows.push({ name, bytes: statSync(join(dir, 'raftbeat_bg.wasm')).size, gz: gzipSync(wasm, { level: 9 }).length, meps: await speed(dir) });
}
const nat = native();
console.log(`\nNacos, 5 nodes, 24 h: native ${nat.toFixed(1)} M events/s; targets: wasm <= 100 000 bytes gzipped, V8 >= ${(nat / 2).toFixed(1)} M (half of native)\n`);
console.log(`  ${'setting'.padEnd(36)} ${'bytes'.padStart(8)} ${'gzip'.padStart(7)}  M ev/s  of native  size  speed`);
for (const r of rows) {
  console.log(`  ${r.name.padEnd(36)} ${String(r.bytes).padStart(8)} ${String(r.gz).padStart(7)}  ${r.meps.toFixed(1).padStart(6)}  ${(r.meps / nat).toFixed(2).padStart(9)}  ${r.gz <= 100_000 ? 'ok  ' : 'over'}  ${r.meps >= nat / 2 ? 'ok' : 'slow'}`);
}
