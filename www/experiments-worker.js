// The experiments run here, off the page's thread: the same Rust core as
// `raftbeat experiment`, compiled to wasm. Trials run in chunks of about
// 20 ms so progress reaches the page while the run goes on; the page
// cancels a run by terminating this worker.
//
// Page -> worker:  {cmd: 'run', seed: '1', perLine: 1000, failover: 1000, lines: [0..9]}
//                  {cmd: 'replay', line: 4, seed: '1', trial: 17}
// Worker -> page:  {type: 'ready', lines, setup, failoverSetup}
//                  {type: 'progress', done, total, label}
//                  {type: 'line', index, samples (µs, Float64Array), summary (JSON text)}
//                  {type: 'failover', data (Float64Array, 4 a trial), summary (JSON text)}
//                  {type: 'done', wallMs, fig16Ms, failoverMs}
//                  {type: 'replay', script} | {type: 'error', message}
import init, {
  fig16Lines, fig16TrialsFor, fig16Trials, fig16Summary, fig16Replay,
  failoverSetup, failoverTrials, failoverSummary,
} from './pkg/raftbeat.js';

const CHUNK_MS = 20;

const ready = init().then(() => {
  const { lines, setup } = JSON.parse(fig16Lines());
  postMessage({ type: 'ready', lines, setup, failoverSetup: JSON.parse(failoverSetup()) });
}).catch((e) => postMessage({ type: 'error', message: `the wasm core did not load: ${e.message ?? e}` }));

/** Runs `count` trials with `runChunk(first, n)` in chunks sized to take about CHUNK_MS each. */
function chunked(count, runChunk, onChunk) {
  let done = 0;
  let size = 4;
  while (done < count) {
    const n = Math.min(size, count - done);
    const t0 = performance.now();
    runChunk(done, n);
    const dt = performance.now() - t0;
    done += n;
    onChunk(n);
    // Aim the next chunk at CHUNK_MS, growing at most 4x at a time.
    size = Math.max(1, Math.min(size * 4, Math.round(n * CHUNK_MS / Math.max(dt, 0.05))));
  }
}

function run({ seed, perLine, failover, lines }) {
  const t0 = performance.now();
  const picked = lines ?? [...Array(JSON.parse(fig16Lines()).lines.length).keys()];
  const counts = picked.map((i) => fig16TrialsFor(i, perLine));
  const total = counts.reduce((a, b) => a + b, 0) + failover;
  let done = 0;
  const labels = JSON.parse(fig16Lines()).lines.map((l) => l.label);
  picked.forEach((index, k) => {
    const parts = [];
    chunked(counts[k], (first, n) => parts.push(fig16Trials(index, seed, first, n)), (n) => {
      done += n;
      postMessage({ type: 'progress', done, total, label: `${labels[index]} ms` });
    });
    const samples = concat(parts);
    postMessage({ type: 'line', index, samples, summary: fig16Summary(index, samples) }, [samples.buffer]);
  });
  const t1 = performance.now();
  if (failover > 0) {
    const parts = [];
    chunked(failover, (first, n) => parts.push(failoverTrials(seed, first, n)), (n) => {
      done += n;
      postMessage({ type: 'progress', done, total, label: 'Nacos failover' });
    });
    const data = concat(parts);
    postMessage({ type: 'failover', data, summary: failoverSummary(data) }, [data.buffer]);
  }
  const t2 = performance.now();
  postMessage({ type: 'done', wallMs: t2 - t0, fig16Ms: t1 - t0, failoverMs: t2 - t1 });
}

function concat(parts) {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

onmessage = async ({ data }) => {
  await ready;
  try {
    if (data.cmd === 'run') run(data);
    else if (data.cmd === 'replay') postMessage({ type: 'replay', script: fig16Replay(data.line, data.seed, data.trial) });
    else throw new Error(`unknown command ${data.cmd}`);
  } catch (e) {
    postMessage({ type: 'error', message: e.message ?? String(e) });
  }
};
