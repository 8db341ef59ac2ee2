// The Raft speed benchmark in headless Chromium (node benches/browser/raft-log.js,
// after `make wasm`): five Raft servers with RaftScope's timings (election
// timeout 100-200 ms, a heartbeat every 50 ms, one-way latency 10-15 ms),
// settled, then 10 writes/s through the leader for one simulated hour, in
// the Experiments page's wasm package (the same code as `cargo bench --bench
// raft_log speed`). Prints simulated seconds per wall second for five runs
// (target: at least 30 000), the log lengths and the wasm memory after the
// hour (flat: every node keeps one to two snapshot windows).
import { startServer, launch, openPage } from '../../tests/e2e/harness.js';

const server = await startServer();
const browser = await launch();
try {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html`);
  const runs = await page.evaluate(async () => {
    const rb = await import('./pkg-experiments/raftbeat.js');
    const wasm = await rb.default();
    const out = [];
    // The first run is also the engine's warm-up; it is reported apart.
    for (let i = 0; i <= 5; i++) {
      const load = new rb.RaftLoad(String(i + 1), 10);
      const t0 = performance.now();
      let events = 0;
      for (let m = 0; m < 60; m++) events += load.run(60e3);
      const ms = performance.now() - t0;
      out.push({ ms, events, acked: load.acked(), logs: [...load.logLengths()], memory: wasm.memory.buffer.byteLength });
      load.free();
    }
    return out;
  });
  if (problems.length) throw new Error(problems.join('; '));
  console.log(`headless Chromium ${browser.version()}, ${(await import('node:os')).cpus().length} cores`);
  runs.forEach((r, i) => {
    console.log(`${i === 0 ? 'warm-up' : `run ${i}`}: hour in ${(r.ms / 1000).toFixed(3)} s, ${Math.round(3600 / (r.ms / 1000))} sim s per wall s (target at least 30 000), `
      + `${(r.events / (r.ms / 1000) / 1e6).toFixed(2)} M events/s, ${r.acked} acked, logs ${r.logs.join('/')}, wasm memory ${(r.memory / 2 ** 20).toFixed(1)} MiB`);
  });
  const warm = runs.slice(1).map((r) => 3600 / (r.ms / 1000)).sort((a, b) => a - b);
  console.log(`median ${Math.round(warm[Math.floor(warm.length / 2)])} simulated seconds per wall second`);
  await context.close();
} finally {
  await browser.close();
  server.stop();
}
