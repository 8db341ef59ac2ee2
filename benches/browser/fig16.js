// Browser benchmarks, in headless Chromium (node benches/browser/fig16.js,
// after `make wasm cli`):
//
// 1. The full Figure 16 run (9 100 trials) on the Experiments page, its
//    pool of Web Workers (one a core) and on one worker, three times each:
//    wall time from Run to the last result (target: under 2 s).
// 2. A fast-forward of the raft model with RaftScope's timings (5 nodes,
//    election 100-200 ms, heartbeat 50 ms, latency 10-15 ms, no trace):
//    simulated seconds per wall second (target: at least 50 000).
import { startServer, launch, openPage } from '../../tests/e2e/harness.js';

const server = await startServer();
const browser = await launch();
const out = [];
try {
  for (const workers of [0, 1]) {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const q = `experiments.html?seed=1&trials=1000&failover=0&autorun=1${workers ? `&workers=${workers}` : ''}`;
      const { page, context, problems } = await openPage(browser, server.url + q);
      await page.waitForFunction(() => ['done', 'error', 'failed'].includes(window.experiments?.status), null, { timeout: 120_000 });
      const r = await page.evaluate(() => ({ status: window.experiments.status, timings: window.experiments.timings, workers: window.experiments.workers }));
      if (r.status !== 'done' || problems.length) throw new Error(`run failed: ${JSON.stringify(r)} ${problems.join('; ')}`);
      times.push(r.timings.fig16Ms);
      if (i === 2) out.push(`fig16 (9 100 trials) on ${r.workers} worker${r.workers > 1 ? 's' : ''}: ${times.map((t) => (t / 1000).toFixed(2)).join(' s, ')} s (best ${(Math.min(...times) / 1000).toFixed(2)} s; target under 2 s)`);
      await context.close();
    }
  }
  const { page, context } = await openPage(browser, server.url + 'experiments.html');
  const ff = await page.evaluate(async () => {
    const rb = await import('./pkg-experiments/raftbeat.js');
    await rb.default();
    const config = 'model=raft nodes=5 seed=1 election=100ms..200ms heartbeat=50ms latency=10ms..15ms';
    rb.fastForward(config, 600e3); // warm-up: let the engine compile the hot code
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = rb.fastForward(config, 36_000e3);
      const wall = (performance.now() - t0) / 1000;
      runs.push({ simPerWall: 36_000 / wall, nsPerEvent: (wall * 1e9) / r.events });
    }
    return runs;
  });
  out.push(`fast-forward, RaftScope timings, no trace, 10 simulated hours x3: ${ff.map((r) => `${Math.round(r.simPerWall)} sim s/s (${Math.round(r.nsPerEvent)} ns/event)`).join(', ')} (target at least 50 000)`);
  await context.close();
  const version = browser.version();
  console.log(`headless Chromium ${version}, ${(await import('node:os')).cpus().length} cores`);
  for (const line of out) console.log(line);
} finally {
  await browser.close();
  server.stop();
}
