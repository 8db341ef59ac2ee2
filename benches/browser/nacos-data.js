// The Nacos load benchmark in headless Chromium (node benches/browser/nacos-data.js,
// after `make wasm`): five Nacos servers, 10 000 keys written through the
// leader, then 10 writes/s over them for one simulated hour, in the
// Experiments page's wasm package (the same code as `cargo bench --bench
// nacos_data`). Prints the wall time of the hour (target: under 4 s), three
// times, and the wasm memory after the first minute and after the hour
// (it must not grow: wasm memory never shrinks, so growth would show).
import { startServer, launch, openPage } from '../../tests/e2e/harness.js';

const server = await startServer();
const browser = await launch();
try {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html`);
  const runs = await page.evaluate(async () => {
    const rb = await import('./pkg-experiments/raftbeat.js');
    const wasm = await rb.default();
    const out = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const load = new rb.NacosLoad('1', 10_000);
      const t1 = performance.now();
      let events = load.run(10, 60e3);
      const afterMinute = wasm.memory.buffer.byteLength;
      for (let m = 1; m < 60; m++) events += load.run(10, 60e3);
      const t2 = performance.now();
      out.push({
        preloadMs: t1 - t0, hourMs: t2 - t1, events, stores: [...load.storeSizes()],
        memoryAfterMinute: afterMinute, memoryAfterHour: wasm.memory.buffer.byteLength,
      });
      load.free();
    }
    return out;
  });
  if (problems.length) throw new Error(problems.join('; '));
  console.log(`headless Chromium ${browser.version()}, ${(await import('node:os')).cpus().length} cores`);
  for (const r of runs) {
    console.log(`pre-load ${(r.preloadMs / 1000).toFixed(2)} s; hour ${(r.hourMs / 1000).toFixed(2)} s (target under 4 s), ${r.events} events, `
      + `stores ${r.stores.join('/')}; wasm memory ${(r.memoryAfterMinute / 2 ** 20).toFixed(1)} MiB after a minute, ${(r.memoryAfterHour / 2 ** 20).toFixed(1)} MiB after the hour`);
  }
  await context.close();
} finally {
  await browser.close();
  server.stop();
}
