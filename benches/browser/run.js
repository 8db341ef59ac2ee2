// The browser benchmark: per-frame cost of the page, fast-forward speed of
// the core in Chromium against the same run natively, and what the page
// weighs. Run it after `make wasm cli`:
//
//   node benches/browser/run.js            # prints a table, writes target/bench-browser.json
//   node benches/browser/run.js --quick    # fewer frames and repeats
//
// It serves www/ with the project's own server and drives Debian's Chromium
// through the e2e harness, so it measures what a visitor runs.
import { execFileSync } from 'node:child_process';
import { writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, openPage, ROOT } from '../../tests/e2e/harness.js';

const quick = process.argv.includes('--quick');
const FRAMES = quick ? 300 : 1200;
const REPEATS = quick ? 3 : 7;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (x, d = 3) => (x === undefined ? '-' : x.toFixed(d));

const server = await startServer();
const browser = await launch();

/**
 * Opens a page whose responses carry COOP/COEP, so the page is
 * cross-origin isolated and performance.now() ticks in 5 µs, not 100 µs.
 * The site is the same; only the timer gets finer.
 */
async function openIsolated(url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await context.route(`${server.url}**`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the page is not cross-origin isolated: timings would be coarse');
  return { page, context, problems };
}
const results = { date: new Date().toISOString(), frames: {}, handover: {}, fastForward: {}, size: {} };

try {
  // ---- Per frame: step one 16.7 ms frame, hand over, draw ----------------
  // The element with no controls (what an embed shows) and the full page,
  // paused so that only this loop drives them. Each frame is timed alone;
  // the median is what a steady animation costs.
  // The last case runs a client workload (10 writes/s over 100 keys, one
  // sixth of them already written): beats carry digests, pulls and commits
  // fly, and the page draws every node's datums.
  for (const [model, nodes, workload] of [['nacos', 5], ['raft', 5], ['nacos', 101], ['raft', 101], ['nacos', 5, true]]) {
    for (const controls of ['none', 'full']) {
      const url = controls === 'none'
        ? `${server.url}embed.html?controls=none&model=${model}&nodes=${nodes}&seed=1`
        : `${server.url}#model=${model}&nodes=${nodes}&seed=1&paused=1`;
      const { page, context, problems } = await openIsolated(url);
      await page.waitForFunction(() => document.querySelector('raft-beat')?.run, null, { timeout: 20_000 });
      const r = await page.evaluate(async ([frames, workload]) => {
        const el = document.querySelector('raft-beat');
        await el.ready;
        el.clock.pause();
        const run = el.run;
        // Warm up past the first election, so frames show a working cluster.
        run.advanceTo(run.model === 'nacos' ? 20_000 : 1_000);
        if (workload) {
          run.sim.act({ do: 'workload', rate: 10, keys: 100 });
          run.advanceTo(run.sim.timeMs + 2_000);
        }
        run.refresh();
        const step = [], hand = [], draw = [], total = [];
        let events = 0;
        for (let i = 0; i < frames; i++) {
          const t0 = performance.now();
          const before = run.sim.eventCount;
          run.advanceTo(run.sim.timeMs + 16.7);
          const t1 = performance.now();
          run.refresh();
          const t2 = performance.now();
          el.renderer.draw(run, t2);
          if (el.controls) el.events.emit('frame', { ts: i * 16.7, moving: true }); // the DOM side, at its own rates at 60 fps
          const t3 = performance.now();
          events += run.sim.eventCount - before;
          step.push(t1 - t0); hand.push(t2 - t1); draw.push(t3 - t2); total.push(t3 - t0);
          if (i % 100 === 99) await new Promise((res) => setTimeout(res, 0)); // let the page breathe
        }
        const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
        const p95 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length * 0.95)]; };
        return { median: med(total), p95: p95(total), step: med(step), handover: med(hand), draw: med(draw), mean: total.reduce((a, b) => a + b, 0) / frames, eventsPerFrame: events / frames };
      }, [FRAMES, !!workload]);
      results.frames[`${model} ${nodes} nodes${workload ? ', workload 10/s' : ''}, controls=${controls}`] = r;
      if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
      await context.close();
    }
  }

  // ---- Hand-over alone: what crossing the boundary costs --------------
  {
    const { page, context } = await openIsolated(`${server.url}embed.html?controls=none&nodes=101&model=raft&seed=1`);
    await page.waitForFunction(() => document.querySelector('raft-beat')?.run);
    results.handover = await page.evaluate(() => {
      const el = document.querySelector('raft-beat');
      el.clock.pause();
      const sim = el.run.sim;
      // A moment when the leader's beats and their replies are on the wire.
      sim.step(1000);
      while (sim.inFlight < 100) sim.stepEvent();
      const time = (f, n = 2000) => { const t0 = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t0) / n) * 1000; };
      return {
        messagesInFlight: sim.inFlight,
        'nodeData() 101 nodes, µs': time(() => sim.nodeData()),
        'nodes() as objects, 101 nodes, µs': time(() => sim.nodes(), 500),
        'messageData(), µs': time(() => sim.messageData()),
        'messages() as objects, µs': time(() => sim.messages(), 500),
        'events() with nothing new, µs': time(() => sim.events()),
        'timeline(n) with nothing new, µs': time(() => sim.timeline(sim.timelineLength)),
      };
    });
    await context.close();
  }

  // ---- Fast-forward: 24 simulated hours of 5 nodes, as natively ----------
  {
    const { page, context } = await openIsolated(server.url + 'embed.html?controls=none');
    await page.waitForFunction(() => document.querySelector('raft-beat')?.run);
    for (const level of ['off', 'none', 'changes']) {
      results.fastForward[`browser, traceLevel=${level}`] = await page.evaluate(async ([level, repeats]) => {
        const { Simulation } = await import('./lib/core.js');
        document.querySelector('raft-beat').clock.pause();
        const runs = [];
        let events = 0;
        // The first run is also the JIT's warm-up; it is reported apart.
        for (let i = 0; i <= repeats; i++) {
          const sim = new Simulation({ model: 'nacos', nodes: 5, seed: 1 });
          sim.traceLevel = level;
          const t0 = performance.now();
          for (let h = 0; h < 24; h++) { sim.step(3_600_000); if (level !== 'off' && level !== 'none') sim.events(); }
          const ms = performance.now() - t0;
          events = sim.eventCount;
          sim.free();
          runs.push(ms);
          await new Promise((r) => setTimeout(r, 0));
        }
        const warm = runs.slice(1).sort((a, b) => a - b);
        const med = warm[Math.floor(warm.length / 2)];
        return { events, firstRunMs: runs[0], medianMs: med, eventsPerSecond: events / (med / 1000), coldEventsPerSecond: events / (runs[0] / 1000) };
      }, [level, REPEATS]);
    }
    await context.close();
    const bin = join(ROOT, 'target', 'release', 'raftbeat');
    const native = [];
    let events = 0;
    for (let i = 0; i < REPEATS; i++) {
      const out = execFileSync(bin, ['run', '--nodes', '5', '--seed', '1', '--for', '24h']).toString();
      const m = out.match(/events (\d+) .* in ([\d.]+) s wall/);
      events = Number(m[1]);
      native.push(Number(m[2]));
    }
    const s = median(native);
    results.fastForward.native = { events, medianMs: s * 1000, eventsPerSecond: events / s };
  }

  // ---- Size: the wasm, and everything the page loads ------------------
  {
    const { page, context, foreign } = await openPage(browser, server.url);
    const sizes = new Map();
    page.on('response', async (r) => { try { sizes.set(new URL(r.url()).pathname, (await r.body()).length); } catch { /* redirects */ } });
    await page.reload();
    await page.waitForFunction(() => window.raftbeat?.sim);
    await page.waitForTimeout(500);
    const files = Object.fromEntries([...sizes].sort((a, b) => b[1] - a[1]));
    results.size = {
      wasmBytes: statSync(join(ROOT, 'www', 'pkg', 'raftbeat_bg.wasm')).size,
      pageBytes: [...sizes.values()].reduce((a, b) => a + b, 0),
      files,
      requestsToOtherHosts: foreign,
    };
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}

// ---- Report ------------------------------------------------------------
console.log('\nPer frame (step 16.7 ms + hand-over + draw), ms, median of', FRAMES, 'frames');
console.log('  case                                         median    p95   step  hand-over  draw  events/frame');
for (const [k, v] of Object.entries(results.frames)) {
  console.log(`  ${k.padEnd(44)} ${fmt(v.median).padStart(6)} ${fmt(v.p95).padStart(6)} ${fmt(v.step).padStart(6)} ${fmt(v.handover).padStart(9)} ${fmt(v.draw).padStart(6)} ${fmt(v.eventsPerFrame, 1).padStart(8)}`);
}
console.log('\nHand-over alone');
for (const [k, v] of Object.entries(results.handover)) console.log(`  ${k.padEnd(40)} ${typeof v === 'number' ? fmt(v, 2) : v}`);
console.log('\nFast-forward: nacos, 5 nodes, seed 1, 24 h simulated');
for (const [k, v] of Object.entries(results.fastForward)) {
  console.log(`  ${k.padEnd(30)} ${(v.eventsPerSecond / 1e6).toFixed(2)} M events/s  (${v.events} events, median ${fmt(v.medianMs, 1)} ms${v.firstRunMs ? `; first run ${fmt(v.firstRunMs, 1)} ms` : ''})`);
}
const best = results.fastForward['browser, traceLevel=off'];
console.log(`  browser (off) / native: ${(best.eventsPerSecond / results.fastForward.native.eventsPerSecond).toFixed(2)}`);
console.log(`\nSize: wasm ${results.size.wasmBytes} bytes; the page loads ${results.size.pageBytes} bytes in ${Object.keys(results.size.files).length} files; requests to other hosts: ${results.size.requestsToOtherHosts.length}`);
for (const [f, b] of Object.entries(results.size.files)) console.log(`  ${String(b).padStart(8)}  ${f}`);
writeFileSync(join(ROOT, 'target', 'bench-browser.json'), JSON.stringify(results, null, 2));
console.log('\nwritten to target/bench-browser.json');
