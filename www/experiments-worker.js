// @ts-check
// One worker of the experiments pool: it runs trials of the Rust core
// (compiled to wasm), the same code as `raftbeat experiment`, off the page's
// thread. The page splits a run into tasks (a range of trials of one line)
// and hands them to idle workers; a task runs in chunks of about 20 ms and
// reports progress after each. Every trial has its own seed, so how a run
// is cut into tasks never changes a number. The page cancels a run by
// terminating its workers.
//
// Page -> worker:  {cmd: 'fig16', task, line, seed, first, count}
//                  {cmd: 'failover', task, seed, first, count}
//                  {cmd: 'replay', line, seed, trial}
//                  {cmd: 'propagation', task, seed, line, loss, run, writes}   one run of writes
//                  {cmd: 'beatSize', task, seed, keys}                         one key count
//                  {cmd: 'lostWrites', task, seed, version, loss, first, count}
//                  {cmd: 'raftCommit', task, seed, line, loss, first, count}   line: none | loss | crash
//                  {cmd: 'lostWritesCompared', task, seed, model, loss, first, count}   model: raft | 1.0 .. 1.4
// Worker -> page:  {type: 'ready'}
//                  {type: 'progress', task, n}          n more trials done
//                  {type: 'result', task, data, ms}     Float64Array (µs; failover: 4 a trial;
//                                                       the data experiments: their flat forms)
//                  {type: 'replay', script}
//                  {type: 'error', task, message}
import init, {
  fig16Trials, fig16Replay, failoverTrials, nacosPropagationRun, nacosBeatSizeRow, nacosLostWritesRuns,
  raftCommitTrials, lostWritesRuns,
} from './pkg-experiments/raftbeat.js';

const CHUNK_MS = 20;

const ready = init()
  .then(() => postMessage({ type: 'ready' }))
  .catch((e) => postMessage({ type: 'error', message: `the wasm core did not load: ${e.message ?? e}` }));

/** Runs `count` trials with `runChunk(first, n)` in chunks of about CHUNK_MS; returns the parts. */
function chunked(task, first, count, runChunk) {
  const parts = [];
  let done = 0;
  let size = 2;
  while (done < count) {
    const n = Math.min(size, count - done);
    const t0 = performance.now();
    parts.push(runChunk(first + done, n));
    const dt = performance.now() - t0;
    done += n;
    postMessage({ type: 'progress', task, n });
    // Aim the next chunk at CHUNK_MS, growing at most 4x at a time.
    size = Math.max(1, Math.min(size * 4, Math.round((n * CHUNK_MS) / Math.max(dt, 0.05))));
  }
  return concat(parts);
}

function concat(parts) {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

onmessage = async ({ data: m }) => {
  await ready;
  try {
    const t0 = performance.now();
    if (m.cmd === 'fig16') {
      const data = chunked(m.task, m.first, m.count, (first, n) => fig16Trials(m.line, m.seed, first, n));
      postMessage({ type: 'result', task: m.task, data, ms: performance.now() - t0 }, { transfer: [data.buffer] });
    } else if (m.cmd === 'failover') {
      const data = chunked(m.task, m.first, m.count, (first, n) => failoverTrials(m.seed, first, n));
      postMessage({ type: 'result', task: m.task, data, ms: performance.now() - t0 }, { transfer: [data.buffer] });
    } else if (m.cmd === 'propagation' || m.cmd === 'beatSize') {
      const data = m.cmd === 'propagation'
        ? nacosPropagationRun(m.seed, m.line, m.loss, m.run, m.writes)
        : nacosBeatSizeRow(m.seed, m.keys);
      postMessage({ type: 'progress', task: m.task, n: 1 });
      postMessage({ type: 'result', task: m.task, data, ms: performance.now() - t0 }, { transfer: [data.buffer] });
    } else if (m.cmd === 'lostWrites') {
      const data = chunked(m.task, m.first, m.count, (first, n) => nacosLostWritesRuns(m.seed, m.version, m.loss, first, n));
      postMessage({ type: 'result', task: m.task, data, ms: performance.now() - t0 }, { transfer: [data.buffer] });
    } else if (m.cmd === 'raftCommit' || m.cmd === 'lostWritesCompared') {
      // A commit-latency trial is self-delimiting (its op count comes first), so chunks concatenate.
      const data = chunked(m.task, m.first, m.count, (first, n) => (m.cmd === 'raftCommit'
        ? raftCommitTrials(m.seed, m.line, m.loss, first, n)
        : lostWritesRuns(m.seed, m.model, m.loss, first, n)));
      postMessage({ type: 'result', task: m.task, data, ms: performance.now() - t0 }, { transfer: [data.buffer] });
    } else if (m.cmd === 'replay') {
      postMessage({ type: 'replay', script: fig16Replay(m.line, m.seed, m.trial) });
    } else {
      throw new Error(`unknown command ${m.cmd}`);
    }
  } catch (e) {
    postMessage({ type: 'error', task: m.task, message: e.message ?? String(e) });
  }
};
