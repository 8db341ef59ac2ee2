// <raft-beat> on a bare page with one <script type="module">, a scripted
// scenario, and embed.html taking the same settings as URL parameters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, paintedPixels, SHOTS } from './harness.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('a bare page with one module script gets a live element exposing its Simulation', async () => {
  const html = '<h1>My notes on Raft</h1><raft-beat id="demo" model="raft" nodes="3" seed="9" speed="0.3" controls="none" autoplay></raft-beat><p>After.</p>';
  const { page, context, problems, foreign } = await openWithRoute(html);
  await page.waitForFunction(() => document.getElementById('demo').simulation?.leader() !== undefined, null, { timeout: 20_000 });
  const info = await page.evaluate(() => {
    const el = document.getElementById('demo');
    const sim = el.simulation;
    return {
      model: sim.model, nodes: sim.nodeCount, seed: sim.seed, speed: el.clock.speed,
      toolbar: !!el.shadowRoot.querySelector('.toolbar'), leader: sim.leader(),
      sameObject: sim === el.run.sim, ctor: sim.constructor.name,
    };
  });
  assert.deepEqual({ ...info, leader: typeof info.leader }, {
    model: 'raft', nodes: 3, seed: '9', speed: 0.3, toolbar: false, leader: 'number', sameObject: true, ctor: 'Simulation',
  });
  assert.ok(await paintedPixels(page, '#demo >> canvas') > 10_000);
  // Without controls the panels' module is never fetched; switched on, they come.
  const loaded = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
  const before = await loaded();
  assert.ok(before.some((p) => p.endsWith('.wasm')), `resources: ${before.join(', ')}`);
  assert.ok(!before.some((p) => p.endsWith('/lib/panels.js')), `resources: ${before.join(', ')}`);
  await page.evaluate(() => document.getElementById('demo').setAttribute('controls', 'minimal'));
  await page.waitForFunction(() => !!document.getElementById('demo').shadowRoot.querySelector('.toolbar'));
  assert.ok((await loaded()).some((p) => p.endsWith('/lib/panels.js')));
  await page.evaluate(() => document.getElementById('demo').setAttribute('controls', 'none'));
  await page.waitForFunction(() => !document.getElementById('demo').shadowRoot.querySelector('.toolbar'));
  // The host page can drive it: the element's Simulation is the live one.
  await page.evaluate(() => {
    const el = document.getElementById('demo');
    el.simulation.crash(el.simulation.leader());
  });
  await page.waitForFunction(() => document.getElementById('demo').run.history.some((a) => a.source === 'api' && a.command.startsWith('crash')));
  // Attributes can change later: speed applies at once, nodes restart the run.
  await page.evaluate(() => { const el = document.getElementById('demo'); el.setAttribute('speed', '2'); el.setAttribute('nodes', '7'); });
  await page.waitForFunction(() => document.getElementById('demo').simulation.nodeCount === 7);
  assert.equal(await page.evaluate(() => document.getElementById('demo').clock.speed), 2);
  await page.screenshot({ path: join(SHOTS, 'embed-bare.png') });
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test('in a documentation column, each role label sits clear of the clock and of the other nodes', async () => {
  const html = '<main style="max-width:720px;margin:auto"><raft-beat id="demo" model="nacos" nodes="5" seed="7" speed="10" controls="minimal" autoplay></raft-beat></main>';
  const { page, context, problems } = await openWithRoute(html, { viewport: { width: 900, height: 1000 } });
  await page.waitForFunction(() => document.getElementById('demo').renderer?.drawn.labels.length > 0, null, { timeout: 20_000 });
  const { labels, clock, nodes } = await page.evaluate(() => {
    const r = document.getElementById('demo').renderer;
    const nodes = [];
    for (let id = 1; id <= r.n; id++) nodes.push(r.nodeAt(id));
    return { labels: r.drawn.labels, clock: r.clockBox(), nodes };
  });
  assert.deepEqual(labels.map((l) => l.id), [1, 2, 3, 4, 5], 'every node labelled');
  const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  for (const l of labels) {
    assert.ok(!overlaps(l, clock), `S${l.id}'s label is over the clock`);
    nodes.forEach((p, i) => {
      if (i + 1 === l.id) return;
      assert.ok(!overlaps(l, { x0: p.x - p.r, x1: p.x + p.r, y0: p.y - p.r, y1: p.y + p.r }), `S${l.id}'s label is over S${i + 1}`);
    });
  }
  await page.screenshot({ path: join(SHOTS, 'embed-doc-column.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a scripted scenario plays its actions at their simulated times, with its comments as captions', async () => {
  const scenario = '# Drop the leader\'s beats and watch the others take over.;cluster model=nacos nodes=5 seed=7;run until=6s;# Every beat of the leader is lost from now on.;drop-beats from=leader;run for=30s';
  const html = `<raft-beat id="s" speed="60" controls="minimal" autoplay scenario="${scenario.replace(/"/g, '&quot;')}"></raft-beat>`;
  const { page, context, problems } = await openWithRoute(html);
  await page.waitForFunction(() => document.getElementById('s').run?.time > 25_000, null, { timeout: 30_000 });
  const run = await page.evaluate(() => {
    const r = document.getElementById('s').run;
    return { history: r.history.map((a) => `${a.t}:${a.command}:${a.source}`), leaders: r.leaders.map((l) => l.id), config: r.sim.configText() };
  });
  assert.equal(run.config, 'model=nacos nodes=5 seed=7');
  assert.deepEqual(run.history, ['6000:drop-beats from=5:scenario'], '`leader` pinned to S5 at 6 s');
  assert.deepEqual(run.leaders, [2], 'the golden scenario 03 outcome: S2 leads');
  // The minimal controls: transport and the drop control, no side panels.
  assert.equal(await page.locator('#s .toolbar').count(), 1);
  assert.equal(await page.locator('#s .beats').count(), 1);
  assert.equal(await page.locator('#s .side').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'embed-scenario-minimal.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

// Docs sites often send a Content-Security-Policy: no inline styles, and
// WebAssembly only with 'wasm-unsafe-eval'. The element must be styled and
// run under the strict one, and say what to change under one without wasm.
test('under a strict Content-Security-Policy the element is styled and runs; without wasm-unsafe-eval it says what to add', async () => {
  const strict = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";
  const html = '<raft-beat id="demo" model="raft" nodes="5" seed="3" speed="0.3" controls="full" autoplay></raft-beat>';
  {
    const { page, context, problems } = await openWithRoute(html, { csp: strict, viewport: { width: 1280, height: 900 } });
    await page.waitForFunction(() => document.getElementById('demo').simulation?.leader() !== undefined, null, { timeout: 20_000 });
    const looks = await page.evaluate(() => {
      const root = document.getElementById('demo').shadowRoot;
      const css = (sel) => getComputedStyle(root.querySelector(sel));
      return {
        button: css('button').borderRadius,
        lost: [css('.legend .k-lost').width, css('.legend .k-lost').borderRadius],
        latency: css('.lat-min').width,
        styleElements: root.querySelectorAll('style').length,
      };
    });
    assert.deepEqual(looks, { button: '6px', lost: ['8px', '0px'], latency: '70px', styleElements: 0 });
    await page.screenshot({ path: join(SHOTS, 'embed-strict-csp.png') });
    assert.deepEqual(problems, [], 'no CSP violation or error on the console');
    await context.close();
  }
  {
    const { page, context, problems } = await openWithRoute(html, { csp: "default-src 'self'; img-src 'self' data:" });
    const failure = await page.evaluate(() => document.getElementById('demo').ready.then(() => 'started', (e) => e.message));
    assert.match(failure, /Content Security Policy/);
    const shown = await page.locator('#demo [role=alert]').textContent();
    assert.match(shown, /^raftbeat could not start: .*add 'wasm-unsafe-eval' to its script-src\.$/);
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [], 'the failure is shown, not thrown at the page');
    await context.close();
  }
  {
    // embed.html, served by a host that sends the strict policy with every page.
    const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
    await context.route('**/embed.html*', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': strict } });
    });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}embed.html?model=raft&nodes=3&seed=3&autoplay=1`);
    await page.waitForFunction(() => document.querySelector('raft-beat').simulation?.leader() !== undefined, null, { timeout: 20_000 });
    const fills = await page.evaluate(() => document.querySelector('raft-beat').getBoundingClientRect().height);
    assert.equal(fills, 480, 'embed.css makes the element fill the iframe');
    assert.deepEqual(problems, []);
    await context.close();
  }
});

// A docs site that navigates on the client removes the element on every page
// change. Nothing outside it (the document's listeners, media queries,
// observers, its clock) may keep it, and its Simulation, alive; put back, it
// goes on where it was.
test('a removed element is garbage-collected with its Simulation; moved elsewhere, it runs on', async () => {
  const gcBrowser = await launch(['--js-flags=--expose-gc']);
  try {
    const { page, context, problems } = await openPage(gcBrowser, `${server.url}gc-test-page.html`, {
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gc</title><link rel="icon" href="data:,">
        <script type="module" src="./raft-beat.js"></script></head><body><div id="a" style="width:500px"></div><div id="b" style="width:800px"></div></body></html>`,
    });
    const result = await page.evaluate(async () => {
      await customElements.whenDefined('raft-beat');
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const make = (parent) => {
        const el = document.createElement('raft-beat');
        for (const [k, v] of [['model', 'raft'], ['nodes', '5'], ['controls', 'full'], ['global-keys', ''], ['autoplay', ''], ['speed', '1']]) el.setAttribute(k, v);
        parent.append(el);
        return el;
      };
      const refs = [];
      // Moved: the same run, running on, fitted to its new place, keys still heard.
      const moved = await (async () => {
        const el = make(document.getElementById('a'));
        await el.ready;
        await sleep(300);
        const sim = el.simulation, narrow = el.renderer.w;
        document.getElementById('b').append(el);
        const t0 = sim.timeMs;
        await sleep(400);
        const ranOn = el.simulation === sim && sim.timeMs > t0;
        const wider = el.renderer.w > narrow;
        document.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
        await sleep(50);
        const keyHeard = !el.clock.playing;
        el.remove();
        refs.push(new WeakRef(el));
        return { ranOn, wider, keyHeard };
      })();
      // Removed for good: each must be collected. (The last one made is
      // not counted: V8 may still hold it in the loop's frame.)
      for (let i = 0; i < 7; i++) {
        const el = make(document.getElementById('a'));
        await el.ready;
        await sleep(100);
        if (i < 6) refs.push(new WeakRef(el));
        el.remove();
      }
      // Collection is V8's to schedule: try for up to 10 s, stopping once
      // every element is gone.
      for (let k = 0; k < 40 && refs.some((r) => r.deref()); k++) { globalThis.gc(); await sleep(250); }
      return { ...moved, alive: refs.filter((r) => r.deref()).length };
    });
    const { alive, ...rest } = result;
    assert.deepEqual(rest, { ranOn: true, wider: true, keyHeard: true });
    // A leak keeps every removed element (seven here). V8 may still hold
    // one of them now and then (which one varies from run to run), so one
    // is let pass.
    assert.ok(alive <= 1, `${alive} of 7 removed elements still alive`);
    assert.deepEqual(problems, []);
    await context.close();
  } finally { await gcBrowser.close(); }
});

// A host page sets attributes whenever it likes, with no caller to throw to:
// a bad value must be named on the element, and its run go on untouched.
test('a bad attribute set later is named on the element, and the run goes on as it was', async () => {
  const html = '<raft-beat id="demo" model="raft" nodes="3" seed="9" speed="0.3" controls="minimal" autoplay></raft-beat>';
  const { page, context, problems } = await openWithRoute(html);
  await page.waitForFunction(() => document.getElementById('demo').simulation?.leader() !== undefined, null, { timeout: 20_000 });
  const cases = [['nodes', 'abc', /^Attributes not applied: nodes: must be a whole number/], ['seed', '-1', /seed: must be a whole number/],
    ['settings', 'heartbeat=abc', /heartbeat/], ['model', 'paxos', /model: must be `nacos` or `raft`/], ['nodes', '500', /nodes: the page draws at most 101/],
    ['scenario', 'explode 1', /scenario line 1: unknown command `explode`/], ['speed', 'fast', /^speed: must be a number above 0, got "fast"$/]];
  for (const [name, value, message] of cases) {
    const before = await page.evaluate(() => { const el = document.getElementById('demo'); window.simBefore = el.simulation; return { t: el.simulation.timeMs }; });
    await page.evaluate(([n, v]) => document.getElementById('demo').setAttribute(n, v), [name, value]);
    const error = await page.locator('#demo .error').first().textContent();
    assert.match(error, message, `${name}="${value}"`);
    await page.waitForFunction((t) => document.getElementById('demo').simulation.timeMs > t, before.t);
    assert.equal(await page.evaluate(() => document.getElementById('demo').simulation === window.simBefore), true, `${name}="${value}" kept the run`);
    await page.evaluate((n) => document.getElementById('demo').setAttribute(n, { nodes: '3', seed: '9', settings: '', model: 'raft', scenario: '', speed: '0.3' }[n]), name);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('embed.html with a scenario in its URL reloads to the same run: the script once, your actions once', async () => {
  const scenario = 'cluster model=nacos nodes=5 seed=7;run until=6s;drop-beats from=leader';
  const { page, context, problems } = await openPage(browser, `${server.url}embed.html?scenario=${encodeURIComponent(scenario)}&speed=60&autoplay=1`);
  await page.waitForFunction(() => document.querySelector('raft-beat').run?.time > 7_000, null, { timeout: 30_000 });
  await page.evaluate(() => { const el = document.querySelector('raft-beat'); el.clock.pause(); el.act('crash 1'); });
  const before = await page.evaluate(() => { const r = document.querySelector('raft-beat').run; return { t: r.time, rules: r.sim.rules().length }; });
  await page.waitForFunction(() => location.hash.includes('crash'));
  await page.reload();
  await page.waitForFunction(() => document.querySelector('raft-beat').run?.history.length >= 2, null, { timeout: 20_000 });
  const after = await page.evaluate(() => {
    const r = document.querySelector('raft-beat').run;
    return { t: r.time, rules: r.sim.rules().length, history: r.history.map((a) => `${a.t}:${a.command}:${a.source}`), errors: r.errors.length };
  });
  assert.ok(after.t >= before.t, 'reloaded to the same moment (then autoplay goes on)');
  assert.deepEqual(after.history, ['6000:drop-beats from=5:scenario', `${before.t}:crash 1:replay-ahead`]);
  assert.equal(after.rules, before.rules);
  assert.equal(after.errors, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('embed.html takes the same settings as URL parameters', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}embed.html?model=raft&nodes=7&seed=3&preVote=true&speed=0.2&controls=minimal&autoplay=1`, { viewport: { width: 640, height: 480 } });
  await page.waitForFunction(() => document.querySelector('raft-beat').simulation?.leader() !== undefined, null, { timeout: 20_000 });
  const info = await page.evaluate(() => {
    const el = document.querySelector('raft-beat');
    return { text: el.simulation.configText(), speed: el.clock.speed, playing: el.clock.playing, h: el.getBoundingClientRect().height };
  });
  assert.equal(info.text, 'model=raft nodes=7 seed=3 preVote=true');
  assert.equal(info.speed, 0.2);
  assert.equal(info.playing, true);
  assert.equal(info.h, 480, 'fills the iframe');
  await page.screenshot({ path: join(SHOTS, 'embed-html.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

/** A page of the served origin whose HTML is `body`, opened with the harness's checks. */
// A docs site that moved or mis-served the core: the element names the URL
// it tried, where the browser's own message would not.
test('a core that does not load is named by its URL in the element\'s message', async () => {
  const html = '<raft-beat id="demo" model="nacos" controls="none"></raft-beat>';
  for (const [status, said] of [[404, /HTTP 404$/], [null, /did not load from \S+: .+/]]) {
    const { page, context, problems } = await openWithRoute(html);
    await page.route('**/pkg/raftbeat_bg.wasm', (route) => (status ? route.fulfill({ status, body: 'gone' }) : route.abort('connectionrefused')));
    await page.reload();
    const failure = await page.evaluate(() => document.getElementById('demo').ready.then(() => 'started', (e) => e.message));
    assert.match(failure, /^its WebAssembly core did not load from http:\/\/[^ ]+\/pkg\/raftbeat_bg\.wasm: /);
    assert.match(failure, said);
    const shown = await page.locator('#demo [role=alert]').textContent();
    assert.equal(shown, `raftbeat could not start: ${failure}`);
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [], 'the failure is shown, not thrown at the page');
    await context.close();
  }
});

function openWithRoute(body, { viewport = { width: 900, height: 700 }, csp } = {}) {
  return openPage(browser, `${server.url}bare-test-page.html`, {
    viewport,
    headers: csp ? { 'content-security-policy': csp } : undefined,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title><link rel="icon" href="data:,">
      <script type="module" src="./raft-beat.js"></script></head><body>${body}</body></html>`,
  });
}
