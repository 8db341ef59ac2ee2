// Shareable runs: the URL carries the seed, the settings and every action
// with its simulated time; opening it replays the same run exactly. A
// malformed URL gets a clear message and a working page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, waitForStatus, snapshot, openShared, nodeOnScreen, text } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('a shared URL replays the same run, to the same moment, exactly', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=21&nodes=5&heartbeat=4s&loss=0.05&speed=40`);
  await ready(page);
  const first = await waitForStatus(page, /Leader S\d/);
  // Act through the UI: drop the leader's beats, then crash a node from the inspector.
  await page.locator('#lab .beats button.drop').click();
  await waitForStatus(page, new RegExp(`Leader S(?!${first.match(/S(\d+)/)[1]}\\b)\\d+`), 40_000);
  const pos = await nodeOnScreen(page, 1);
  await page.mouse.click(pos.x, pos.y);
  await page.locator('#lab [data-n=crash]').click();
  await page.waitForFunction(() => document.querySelector('#lab').run.time > 45_000, null, { timeout: 30_000 });
  await page.locator('#lab [data-a=play]').click(); // pause
  const url = await page.evaluate(() => document.querySelector('#lab').shareUrl());
  const before = await snapshot(page);
  assert.equal(before.actions.length, 2);
  assert.match(url, /seed=21/);
  assert.match(url, /heartbeat=4s/);
  assert.match(url, /loss=0.05/);
  assert.match(url, /&a=[\d.]+%3Adrop-beats\+from%3D\d/);
  assert.match(url, /&a=[\d.]+%3Acrash\+1/);
  assert.match(url, /&t=[\d.]+/);

  const other = await openShared(browser, url);
  const after = await snapshot(other.page);
  assert.deepEqual(after, before, 'same time, nodes, leaders, actions and event count');
  assert.equal(await other.page.locator('#lab [data-a=play]').textContent(), '▶ Play', 'paused at the shared moment');
  // And they go on the same way.
  const on = (p) => p.evaluate(() => {
    const run = document.querySelector('#lab').run;
    run.advanceTo(run.time + 60_000);
    run.refresh();
    return Array.from(run.sim.nodeData());
  });
  assert.deepEqual(await on(other.page), await on(page));
  await other.page.screenshot({ path: join(SHOTS, 'shared-replay.png') });
  assert.deepEqual(other.problems, []);
  assert.deepEqual(problems, []);
  await other.context.close();
  await context.close();
});

test('a loss set from JavaScript replays exactly from a share link, every digit', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=9&nodes=5&speed=40`);
  await ready(page);
  await page.waitForFunction(() => document.querySelector('#lab').run.time > 2_000);
  // A settings change from JS starts a new run; its loss goes into the link's settings.
  await page.evaluate(() => document.querySelector('#lab').restart({ seed: 9, nodes: 5, loss: 0.0765432 }));
  await page.waitForFunction(() => document.querySelector('#lab').run.time > 2_000);
  // An action object from JS: the network's loss, then the run goes on.
  const logged = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    return el.run.act({ do: 'network', loss: 0.1234567, latency: '1.234ms..9ms' });
  });
  assert.equal(logged, 'network latency=1.234ms..9ms loss=0.1234567');
  await page.waitForFunction(() => document.querySelector('#lab').run.time > 6_000);
  await page.locator('#lab [data-a=play]').click(); // pause
  const url = await page.evaluate(() => document.querySelector('#lab').shareUrl());
  assert.match(url, /[#&]loss=0\.0765432(&|$)/);
  assert.match(url, /&a=[\d.]+%3Anetwork\+latency%3D1\.234ms\.\.9ms\+loss%3D0\.1234567(&|$)/);
  const read = (p) => p.evaluate(() => {
    const run = document.querySelector('#lab').run;
    return { loss: run.sim.settings().loss, first: run.config.loss, script: run.sim.toScript(), action: run.history[0].action };
  });
  const before = await read(page);
  assert.equal(before.loss, 0.1234567);
  assert.match(before.script, /^cluster model=nacos nodes=5 seed=9 loss=0\.0765432\n/);

  const other = await openShared(browser, url);
  const after = await read(other.page);
  assert.equal(after.loss, 0.1234567, 'the replayed network has the same loss, bit for bit');
  assert.deepEqual(after.action, { do: 'network', latencyMin: 1.234, latencyMax: 9, loss: 0.1234567 });
  assert.equal(after.script, before.script);
  assert.deepEqual(await snapshot(other.page), await snapshot(page), 'the same run');
  assert.deepEqual(other.problems, []);
  assert.deepEqual(problems, []);
  await other.context.close();
  await context.close();
});

test('writes, deletes, the workload, the Nacos release and sendBeatOnly replay exactly from a share link', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=11&nodes=5&version=1.2&sendBeatOnly=true&speed=40`);
  await ready(page);
  await waitForStatus(page, /Leader S\d/, 40_000);
  await page.evaluate(() => {
    const el = document.querySelector('#lab');
    el.clock.pause();
    el.run.advanceTo(el.run.time + 6_000);
    el.act('write k1');
    el.run.act({ do: 'workload', rate: 4, keys: 8, delete: 0.25 });
    el.run.advanceTo(el.run.time + 12_000);
    el.act('workload off');
    el.act('delete k1');
    el.run.advanceTo(el.run.time + 3_000);
    el.run.refresh();
  });
  const url = await page.evaluate(() => document.querySelector('#lab').shareUrl());
  assert.match(url, /[#&]version=1\.2(&|$)/);
  assert.match(url, /[#&]sendBeatOnly=true(&|$)/);
  assert.match(url, /&a=[\d.]+%3Awrite\+k1\+via%3D\d(&|$)/);
  assert.match(url, /&a=[\d.]+%3Aworkload\+rate%3D4%2Fs\+keys%3D8\+delete%3D0\.25(&|$)/);
  assert.match(url, /&a=[\d.]+%3Aworkload\+off(&|$)/);
  assert.match(url, /&a=[\d.]+%3Adelete\+k1\+via%3D\d(&|$)/);
  const read = (p) => p.evaluate(() => {
    const run = document.querySelector('#lab').run;
    return {
      script: run.sim.toScript(),
      datums: Array.from({ length: run.n }, (_, i) => run.sim.datums(i + 1)),
      counts: run.sim.client().counts,
      config: [run.config.version, run.config.sendBeatOnly],
    };
  });
  const before = await read(page);
  assert.match(before.script, /^cluster model=nacos nodes=5 seed=11 version=1\.2 sendBeatOnly=true\n/);
  assert.ok(before.counts.invoked > 20, `the workload ran: ${JSON.stringify(before.counts)}`);
  assert.ok(before.datums.every((d) => d.length > 0 && !d.some((x) => x.key === 'k1')), 'k1 was deleted everywhere');
  const other = await openShared(browser, url);
  assert.deepEqual(await read(other.page), before, 'the same script, datums on every node, client results and config');
  assert.deepEqual(await snapshot(other.page), await snapshot(page));
  assert.deepEqual(other.problems, []);
  assert.deepEqual(problems, []);
  await other.context.close();
  await context.close();
});

test('going back on the timeline replays; acting there forks the run', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=40`);
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  // Drop the beats at a fixed moment (6.05 s): at x40 a click's latency on a
  // loaded machine is many simulated seconds, and another follower might win.
  await page.evaluate(() => {
    const el = document.querySelector('#lab');
    el.clock.pause();
    el.run.advanceTo(6_050);
    el.run.refresh();
  });
  await page.locator('#lab .beats button.drop').click();
  await page.locator('#lab [data-a=play]').click();
  await waitForStatus(page, /Leader S2 · term 2/, 40_000);
  await page.locator('#lab [data-a=play]').click();
  const end = await snapshot(page);
  // Click the timeline between the first election and the drop.
  const box = await page.locator('#lab canvas.timeline').boundingBox();
  const t = await page.evaluate(() => (1_200 + document.querySelector('#lab').run.history[0].t) / 2);
  const x = await page.evaluate((t) => {
    const el = document.querySelector('#lab'), tl = el.controls.timeline;
    return 8 + (t / tl.domain(el.run)) * (tl.w - 16);
  }, t);
  await page.mouse.click(box.x + x, box.y + 20);
  const back = await snapshot(page);
  assert.ok(Math.abs(back.time - t) < 200, `went back to ${back.time}, wanted ${t}`);
  assert.deepEqual(back.leaders, [5]);
  assert.equal(back.actions.length, 1, 'the drop is still ahead, to replay');
  // The page says so, and "Latest »" replays forward to the same end.
  await page.waitForFunction(() => !document.querySelector('#lab').shadowRoot.querySelector('.behind').hidden);
  assert.match(await text(page, '.behind'), /^Replaying: \d+(\.\d)? s behind the latest moment\. Acting now drops the action recorded after this moment\./);
  await page.locator('#lab .behind .latest').click();
  assert.deepEqual(await snapshot(page), end);
  await page.waitForFunction(() => document.querySelector('#lab').shadowRoot.querySelector('.behind').hidden);
  // The last minute of the jump is logged in full, beats and all.
  const beats = await page.evaluate((t) => document.querySelector('#lab').run.log.items.filter((e) => e.event === 'receivedBeat' && e.t_ms > t - 60_000).length, end.time);
  assert.ok(beats > 0, 'beats received in the last minute are in the log');
  // Back again, and act: the drop that was ahead is dropped (a fork).
  await page.mouse.click(box.x + x, box.y + 20);
  await page.locator('#lab [data-f=heal]').click();
  const forked = await snapshot(page);
  assert.equal(forked.actions.length, 1);
  assert.match(forked.actions[0], /:heal$/);
  assert.match(await text(page, '.announce'), /You changed the past/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a malformed URL gets a clear message, and the page keeps working', async () => {
  const bad = '#model=nacos&seed=abc&nodes=5&t=-4&speed=fast&a=soon:crash 1&a=5000:explode 2&colour=red';
  const { page, context, problems } = await openPage(browser, `${server.url}${bad}`);
  await ready(page);
  const error = await text(page, '.main .error');
  assert.match(error, /t: must be a simulated time/);
  assert.match(error, /speed: must be a number/);
  assert.match(error, /a: each action must be TIME_MS:COMMAND/);
  assert.match(error, /seed: must be a whole number|colour: is not a setting/);
  // The defaults run instead, and elect.
  await page.evaluate(() => document.querySelector('#lab').clock.setSpeed(20));
  await waitForStatus(page, /Leader S\d/);
  await page.screenshot({ path: join(SHOTS, 'bad-url.png') });
  // Bad input through the API: Errors naming the field, never a panic.
  const messages = await page.evaluate(() => {
    const sim = document.querySelector('#lab').simulation;
    const out = [];
    for (const f of [() => sim.step(NaN), () => sim.step(-1), () => sim.step(Infinity), () => sim.crash(42),
      () => sim.dropBeats(1, 0), () => sim.apply('partition 1,2 | 2,3'), () => new sim.constructor({ nodes: 1e7 })]) {
      try { f(); out.push('no error'); } catch (e) { out.push(`${e instanceof Error}:${e.message}`); }
    }
    sim.step(10);
    return out;
  });
  assert.deepEqual(messages.map((m) => m.split(':').slice(0, 2).join(':')), [
    'true:dtMs', 'true:dtMs', 'true:dtMs', 'true:node', 'true:count', 'true:groups', 'true:nodes',
  ]);
  // An action that cannot apply from the UI: a message, not an exception.
  await page.locator('#lab input.groups').fill('1,2 | 2,3');
  await page.locator('#lab [data-f=partition]').click();
  assert.match(await text(page, '.main .error'), /groups: S2 is in more than one group/);
  assert.deepEqual(problems, []);
  await context.close();
});

// A link may name a moment 100 days into a 101-node Raft run: hours of work.
// The page replays it a slice at a time between frames, says how far it got,
// and stays live; Reset abandons it. (It used to freeze the tab.)
test('a link to a moment far ahead replays in slices: the page stays live, says how far it got, and Reset stops it', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&nodes=101&seed=1&t=8640000000`);
  await page.waitForFunction(() => document.querySelector('#lab')?.run, null, { timeout: 15_000 });
  await page.locator('#lab .announce', { hasText: /^Replaying to 2400:00:00\.000… / }).waitFor({ timeout: 15_000 });
  const times = [];
  for (let i = 0; i < 3; i++) {
    const asked = Date.now();
    times.push(await page.evaluate(() => document.querySelector('#lab').run.sim.timeMs));
    assert.ok(Date.now() - asked < 1500, `the page answered after ${Date.now() - asked} ms`);
    await page.waitForTimeout(400);
  }
  assert.ok(times[0] < times[1] && times[1] < times[2], `the replay moves on: ${times.join(', ')}`);
  // Acting on the way is refused with a reason, not applied to a half-built run.
  assert.equal(await page.evaluate(() => document.querySelector('#lab').act('crash 1')), null);
  assert.match(await page.locator('#lab .error').first().textContent(), /Still on the way to the chosen moment/);
  await page.locator('#lab [data-a=reset]').click();
  await page.waitForFunction(() => !document.querySelector('#lab').seeking);
  const after = await page.evaluate(() => document.querySelector('#lab').run.sim.timeMs);
  assert.ok(after < 60_000, `after Reset the run starts again from 0, at ${after} ms`);
  await page.waitForTimeout(500);
  assert.ok(await page.evaluate(() => document.querySelector('#lab').run.sim.timeMs) < 60_000, 'and the abandoned replay does not carry on');
  assert.deepEqual(problems, []);
  await context.close();
});
