// The page loads the wasm core, draws the cluster, elects a leader, stays
// clean, and looks right: desktop and phone, light and dark, reduced motion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, paintedPixels, SHOTS } from './harness.js';
import { ready, waitForStatus, colouredPixelsNear, GOLD } from './lab.js';

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
  const js = await fetch(new URL('raft-beat.js', server.url));
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.equal((await fetch(new URL('nope.js', server.url))).status, 404);
});

test('the page loads the core, draws the cluster and elects a leader, with a clean console', async () => {
  const { page, context, problems, foreign } = await openPage(browser, `${server.url}#seed=7&speed=20`);
  await page.waitForFunction(() => window.raftbeat?.sim, null, { timeout: 10_000 });
  // Nacos elects within 15 simulated seconds of start; seed 7 elects S5.
  const status = await waitForStatus(page, /Leader S\d/);
  assert.match(status, /^Leader S5 · term 1$/);
  assert.equal(await page.evaluate(() => window.raftbeat.sim.leader()), 5);
  const painted = await paintedPixels(page, '#lab >> canvas.ring');
  assert.ok(painted > 20_000, `canvas has ${painted} painted pixels`);
  assert.ok(await colouredPixelsNear(page, 5, GOLD) > 20, 'S5 wears the crown');
  assert.equal(await colouredPixelsNear(page, 1, GOLD), 0, 'S1 does not');
  // The simulated clock is always shown, in the toolbar and on the canvas.
  assert.match(await page.locator('#lab .clock').textContent(), /^t = \d+\.\d{3} s$/);
  // The URL carries the run from the start.
  assert.match(page.url(), /#model=nacos&nodes=5&seed=7/);
  await page.screenshot({ path: join(SHOTS, 'page.png') });
  assert.deepEqual(problems, [], 'console errors or warnings');
  assert.deepEqual(foreign, [], 'requests to other hosts');
  await context.close();
});

test('a screen reader hears the ring in words, and it follows the run', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=8`);
  await ready(page);
  // Nacos: the followers voted for S5 but learn that it leads from its first beat,
  // 4.5 s later: at x8 that is about half a second, two updates of the label.
  const ring = (name) => page.getByRole('img', { name }).waitFor({ timeout: 20_000 });
  await ring(/^Nacos cluster of 5: leader S5 \(term 1\)\. S1 follower, term 1, knows no leader, voted for S5;/);
  await ring(/^Nacos cluster of 5: leader S5 \(term 1\)\. S1 follower, term 1, follows S5; .* S5 leader, term 1\.$/);
  await page.keyboard.press('5');
  await page.keyboard.press('c');
  await ring(/^Nacos cluster of 5: no leader\. .* S5 crashed\.$/);
  // Past a dozen nodes, the counts.
  await page.evaluate(() => document.querySelector('#lab').restart({ model: 'raft', nodes: 25, seed: 3 }));
  await ring(/^Raft cluster of 25: leader S\d+ \(term \d+\)\. 24 followers, 0 candidates, 0 crashed\.$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the canvas is crisp on HiDPI screens and follows its container', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=3&speed=20`, { deviceScaleFactor: 2 });
  await ready(page);
  const size = () => page.evaluate(() => {
    const c = document.querySelector('#lab').canvas;
    return { w: c.width, h: c.height, cssW: c.getBoundingClientRect().width };
  });
  const a = await size();
  assert.equal(a.w, Math.round(a.cssW * 2), 'two device pixels per CSS pixel');
  await page.setViewportSize({ width: 600, height: 800 });
  await page.waitForTimeout(300);
  const b = await size();
  assert.ok(b.cssW < a.cssW, 'the canvas shrinks with the page');
  assert.equal(b.w, Math.round(b.cssW * 2));
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone: one column, touch works, nothing overflows', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20`, {
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
  });
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  // Every node's drawing (crown, clock arcs, selection ring) fits the small canvas, at any cluster size.
  const clipped = await page.evaluate(async () => {
    const { reachOutside } = await import('./lib/render.js');
    const lab = document.querySelector('#lab'), renderer = lab.renderer;
    const out = [];
    for (const n of [1, 2, 3, 5, 7, 9, 12, 25]) {
      renderer.layout(n);
      for (let id = 1; id <= n; id++) {
        const { x, y, r } = renderer.nodeAt(id), k = reachOutside(r);
        if (x - k < 0 || y - k < 0 || x + k > renderer.w || y + k > renderer.h) out.push(`S${id} of ${n}`);
      }
    }
    renderer.layout(lab.run.n); // back to the real cluster before anything reads positions
    return out;
  });
  assert.deepEqual(clipped, [], 'drawn past the canvas edge');
  // Tap S2: the inspector shows it with the Nacos field names.
  const box = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    const p = el.renderer.nodeAt(2), b = el.canvas.getBoundingClientRect();
    return { x: b.left + p.x, y: b.top + p.y };
  });
  await page.touchscreen.tap(box.x, box.y);
  await page.locator('#lab select.pick').evaluate((s) => s.value === '2' || Promise.reject(new Error(`selected ${s.value}`)));
  await page.locator('#lab dl.fields dt', { hasText: 'leaderDueMs' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'phone.png') });
  await page.locator('#lab .inspector').screenshot({ path: join(SHOTS, 'phone-inspector.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('dark theme and reduced motion', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20`, { colorScheme: 'dark', reducedMotion: 'reduce' });
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  const theme = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    return { bg: el.renderer.theme.bg, reduced: el.renderer.reducedMotion };
  });
  assert.equal(theme.reduced, true, 'the renderer knows motion is reduced');
  assert.equal(theme.bg, '#111827', 'the canvas follows the dark scheme');
  await page.screenshot({ path: join(SHOTS, 'page-dark-reduced-motion.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('25 nodes are legible and 101 are drawn', async () => {
  for (const [nodes, model] of [[25, 'nacos'], [101, 'raft']]) {
    const { page, context, problems } = await openPage(browser, `${server.url}#model=${model}&nodes=${nodes}&seed=5`);
    await ready(page);
    await page.waitForFunction(() => document.querySelector('#lab').run.leaders.length === 1, null, { timeout: 30_000 });
    const r = await page.evaluate(() => document.querySelector('#lab').renderer.r);
    assert.ok(r >= 4, `${nodes} nodes drawn with radius ${r}`);
    if (nodes === 25) assert.ok(r >= 14, `25 nodes keep room for their names (radius ${r})`);
    await page.screenshot({ path: join(SHOTS, `nodes-${nodes}.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('with every panel open, nothing is wider than the window (desktop, tablet, phone)', async () => {
  for (const [width, height] of [[1366, 900], [1000, 800], [390, 844]]) {
    const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20&model=raft`, { viewport: { width, height } });
    await ready(page);
    // Open every <details> in the lab (Settings, messages in flight, the script, ...).
    await page.locator('#lab details:not([open]) > summary').evaluateAll((list) => list.forEach((s) => s.click()));
    await page.waitForFunction(() => document.querySelector('#lab').shadowRoot.querySelectorAll('details:not([open])').length === 0);
    const over = await page.evaluate(() => {
      const root = document.querySelector('#lab').shadowRoot;
      const wide = [...root.querySelectorAll('input, select, button, textarea')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e) => e.name || e.className || e.textContent.trim());
      return { page: document.documentElement.scrollWidth - window.innerWidth, wide };
    });
    assert.deepEqual(over, { page: 0, wide: [] }, `at ${width} px`);
    if (width === 1366) await page.screenshot({ path: join(SHOTS, 'panels-open.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  }
});
