// The page loads the wasm core, draws the cluster, and stays clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, paintedPixels, SHOTS } from './harness.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the server serves the page and the wasm with the right types', async () => {
  const index = await fetch(server.url);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  const wasm = await fetch(new URL('pkg/raftbeat_bg.wasm', server.url));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.equal((await fetch(new URL('nope.js', server.url))).status, 404);
});

test('the page loads the core, draws the cluster and elects a leader, with a clean console', async () => {
  const { page, context, problems, foreign } = await openPage(browser, server.url);
  await page.waitForFunction(() => window.raftbeat?.sim, null, { timeout: 10_000 });
  // Nacos elects within 15 simulated seconds of start.
  await page.waitForFunction(() => window.raftbeat.sim.leader() !== undefined, null, { timeout: 15_000 });
  const painted = await paintedPixels(page);
  assert.ok(painted > 5_000, `canvas has ${painted} painted pixels`);
  await page.screenshot({ path: join(SHOTS, 'page.png') });
  assert.deepEqual(problems, [], 'console errors or warnings');
  assert.deepEqual(foreign, [], 'requests to other hosts');
  await context.close();
});
