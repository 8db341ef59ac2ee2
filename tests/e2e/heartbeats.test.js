// The lab's main story, through the UI: wait for a leader, drop its
// heartbeats with the button, and see another node elected within Nacos's
// bounds, announced in the page and drawn as the leader.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, waitForStatus, colouredPixelsNear, GOLD, text } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('dropping the leader\'s heartbeats elects another leader, announced and drawn', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=11&speed=40`);
  await ready(page);
  const first = await waitForStatus(page, /Leader S\d · term 1/);
  const old = Number(first.match(/Leader S(\d+)/)[1]);
  // Let the first beat reach everyone, then drop every later one.
  await page.waitForFunction(() => document.querySelector('#lab').run.time > 8_000);
  const button = page.locator('#lab .beats button.drop');
  assert.equal(await button.textContent(), `Drop S${old}'s heartbeats`);
  await button.click();
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  assert.equal(await button.textContent(), `Allow S${old}'s heartbeats`);
  assert.match(await text(page, '.beats .rules'), new RegExp(`drop beats from S${old}`));
  const droppedAt = await page.evaluate(() => document.querySelector('#lab').run.history.at(-1).t);
  // The status line says why nothing happens for a while.
  await page.locator('#lab .beats .sub', { hasText: 'its beats are dropped' }).waitFor();

  const status = await waitForStatus(page, new RegExp(`Leader S(?!${old}\\b)\\d+ · term 2`), 40_000);
  const leader = Number(status.match(/Leader S(\d+)/)[1]);
  const elected = await page.evaluate(() => document.querySelector('#lab').run.timeline.segments.at(-1).start);
  // A follower times out 15-20 s after the last beat it got (at most 5 s
  // before the drop), plus one 500 ms tick: 10 to 20.5 s after the drop.
  const after = elected - droppedAt;
  assert.ok(after >= 10_000 && after <= 20_500, `re-elected ${after} ms after the drop`);
  assert.match(await text(page, '.announce'), new RegExp(`S${leader} is the leader \\(term 2\\)`));
  // Drawn as the leader: the renderer crowned it, and the gold is on the canvas there.
  await page.waitForFunction((id) => document.querySelector('#lab').renderer.drawn.leaders.join() === String(id), leader);
  assert.ok(await colouredPixelsNear(page, leader, GOLD) > 20, 'the new leader wears the crown');
  assert.equal(await colouredPixelsNear(page, old, GOLD), 0, 'the old leader no longer does');
  // The timeline shows both terms; the log names the Nacos methods.
  const segments = await page.evaluate(() => document.querySelector('#lab').run.timeline.segments.map((s) => [s.node, s.term]));
  assert.deepEqual(segments, [[old, 1], [leader, 2]]);
  // (The log updates a little after the live region: wait for it.)
  await page.locator('#lab ol.entries', { hasText: `S${leader} has become the LEADER` }).waitFor({ timeout: 5_000 });
  const log = await text(page, 'ol.entries');
  assert.match(log, /sendVote/);
  assert.match(log, /receivedVote/);
  assert.match(log, /decideLeader/);
  assert.match(log, new RegExp(`S${leader} has become the LEADER`));
  await page.screenshot({ path: join(SHOTS, 'drop-heartbeats.png') });

  // Allow them again: the rule goes away.
  await page.locator('#lab .beats .rules button').click();
  await page.locator('#lab .beats .rules li').waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('dropping the next N heartbeats, and a message clicked on the ring', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=5`);
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  await page.locator('#lab .beats input.count').fill('2');
  await page.locator('#lab .beats button.next').click();
  assert.match(await text(page, '.beats .rules'), /drop the next 2 rounds of beats from S5/);
  // Both rounds pass (beats every 5 s) and the counted rule expires on its own.
  await page.locator('#lab .beats .rules li').waitFor({ state: 'detached', timeout: 20_000 });
  // Pause while a beat is in flight and click it: it is dropped.
  await page.waitForFunction(() => document.querySelector('#lab').run.messages.length > 0, null, { timeout: 20_000 });
  await page.evaluate(() => document.querySelector('#lab').clock.pause());
  const dot = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    const [id, [x, y]] = [...el.renderer.dots][0];
    const b = el.canvas.getBoundingClientRect();
    return { id, x: b.left + x, y: b.top + y };
  });
  await page.mouse.click(dot.x, dot.y);
  assert.match(await text(page, '.announce'), new RegExp(`Dropped message #${dot.id}`));
  const last = await page.evaluate(() => document.querySelector('#lab').run.history.at(-1).command);
  assert.equal(last, `drop-message ${dot.id}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('heartbeats slower than the timeout are allowed: the lab warns, naming the fields, and shows the churn', async () => {
  // connectTimeout is not on the form, and a 120 ms HeartBeat lag is not one
  // of its two choices: a restart from the form keeps both.
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=3&speed=200&beatPhase=120ms&connectTimeout=2s`);
  await ready(page);
  assert.ok(await page.locator('#lab .unstable').isHidden(), 'no warning with the defaults');
  // Through the Settings form, as a person would: beats every 20 s against a 15 s leaderTimeout.
  await page.locator('#lab details.settings > summary').click();
  await page.locator('#lab #s-heartbeat').fill('20000');
  await page.locator('#lab details.settings button[type=submit]').click();
  const warning = page.locator('#lab .unstable');
  await warning.waitFor();
  assert.match(await warning.textContent(), /timings\.heartbeat \(20s\) is not below timings\.leaderTimeout \(15s\).*elections repeat/);
  assert.ok(await page.locator('#lab .settings-error').isHidden(), 'no error: the settings are allowed');
  assert.match(await page.evaluate(() => document.querySelector('#lab').run.sim.configText()), / heartbeat=20s .*beatPhase=120ms connectTimeout=2s/);
  assert.equal(await page.locator('#lab #s-beat-phase option:checked').textContent(), '120ms behind');
  // The churn is there to see: term after term on the timeline.
  await page.waitForFunction(() => document.querySelector('#lab').run.timeline.segments.length >= 4, null, { timeout: 30_000 });
  await page.screenshot({ path: join(SHOTS, 'unstable-settings.png') });
  // Back to a 5 s heartbeat: the warning goes.
  await page.locator('#lab #s-heartbeat').fill('5000');
  await page.locator('#lab details.settings button[type=submit]').click();
  await warning.waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a one-node Nacos cluster says why it never elects itself; Raft leads at once', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#nodes=1&seed=3&speed=100`);
  await ready(page);
  await page.locator('#lab .announce', { hasText: /one-node cluster never elects itself/ }).waitFor({ timeout: 20_000 });
  // The log shows it too, on its next update (it lags the live region a little).
  await page.locator('#lab ol.entries', { hasText: /one-node cluster never elects itself/ }).waitFor({ timeout: 5_000 });
  assert.equal(await page.evaluate(() => document.querySelector('#lab').run.leaders.length), 0);
  await page.keyboard.press('m'); // the same settings under Raft
  await waitForStatus(page, /Leader S1 · term 1/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a restarted Nacos leader wins again on rejections, and the page says why', async () => {
  // S5 leads term 1; crashed and restarted, it comes back at term 0 and
  // stands for term 1: every server rejects it, and it leads all the same.
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=40&a=20000:crash%205&a=25000:restart%205`);
  await ready(page);
  const note = page.locator('#lab ol.entries', { hasText: /S\d rejected S5's vote request \(term 1 is not above its own\), yet S5 counts the reply as a vote/ });
  await note.waitFor({ timeout: 20_000 });
  const seen = await page.evaluate(() => {
    const items = document.querySelector('#lab').run.log.items;
    const election = items.filter((e) => e.t_ms > 25_000 && e.node !== 5 && e.event === 'receivedVote' && e.from === 5);
    return { rejected: election.filter((e) => e.granted === false).length, granted: election.filter((e) => e.granted).length, won: items.some((e) => e.event === 'decideLeader' && e.node === 5 && e.elected === 5 && e.t_ms > 25_000) };
  });
  assert.deepEqual(seen, { rejected: 4, granted: 0, won: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the leader crashed every period, hands-free, until Stop', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=400`);
  await ready(page);
  await waitForStatus(page, /Leader S\d · term 1/);
  const lab = (sel) => page.locator(`#lab ${sel}`);
  await lab('input.pc-every').fill('30');
  await lab('input.pc-down').fill('5');
  await lab('[data-f=periodic]').click();
  const set = await page.evaluate(() => document.querySelector('#lab').run.history.at(-1));
  assert.equal(set.command, 'periodic-crash every=30s down=5s');
  await page.waitForFunction(() => document.querySelector('#lab').shadowRoot.querySelector('[data-f=periodic]').textContent === 'Stop');
  assert.equal(await lab('input.pc-every').isDisabled(), true, 'the schedule in force is shown, not editable');
  assert.match(await text(page, '.pc-next'), /^next in \d+(\.\d)? s$/);
  // Three periods: a crash of that moment's leader on each, back 5 s later.
  await page.waitForFunction((t) => document.querySelector('#lab').run.time > t, set.t + 3 * 30_000 + 6_000, { timeout: 40_000 });
  await lab('[data-f=periodic]').click();
  const off = await page.evaluate(() => document.querySelector('#lab').run.history.at(-1));
  assert.equal(off.command, 'periodic-crash off');
  await page.waitForFunction(() => document.querySelector('#lab').shadowRoot.querySelector('[data-f=periodic]').textContent === 'Start');
  const faults = await page.evaluate(() => document.querySelector('#lab').run.log.items.filter((e) => e.event === 'crash' || e.event === 'restart').map((e) => [e.t_ms, e.node, e.event]));
  const crashes = faults.filter((f) => f[2] === 'crash');
  assert.ok(crashes.length >= 2, `crashes: ${JSON.stringify(faults)}`);
  for (const [t, node] of crashes) {
    assert.ok(Math.abs(((t - set.t) / 30_000) - Math.round((t - set.t) / 30_000)) < 1e-6, `a crash at ${t} off the period from ${set.t}`);
    assert.ok(faults.some((f) => f[1] === node && f[2] === 'restart' && Math.abs(f[0] - (t + 5_000)) < 0.001), `S${node} is back 5 s after ${t}`);
  }
  // Each crash took down a leader: the timeline marks a new leader after each.
  assert.ok(await page.evaluate(() => document.querySelector('#lab').run.timeline.segments.length) >= crashes.length + 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the HeartBeat tick setting: drifted servers beat 4.5-5 s after they stand, fresh ones 4.5 s', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=3&nodes=5`);
  await ready(page);
  await page.locator('#lab [data-a=play]').click(); // the test moves time itself
  await page.locator('#lab details.settings > summary').click();
  const select = page.locator('#lab #s-beat-phase');
  assert.equal(await select.inputValue(), '0ms', 'a fresh cluster by default');
  await select.selectOption('random');
  await page.locator('#lab details.settings button[type=submit]').click();
  const gaps = await page.evaluate(() => {
    const run = document.querySelector('#lab').run;
    run.advanceTo(60_000);
    run.refresh();
    // Each leader's first sendBeat after its sendVote, from the event log.
    const stood = new Map(), out = [];
    for (const e of run.log.items) {
      if (e.event === 'sendVote') stood.set(e.node, e.t_ms);
      if (e.event === 'sendBeat' && stood.has(e.node)) { out.push(e.t_ms - stood.get(e.node)); stood.delete(e.node); }
    }
    return { gaps: out, config: run.sim.configText() };
  });
  assert.match(gaps.config, /beatPhase=random/);
  assert.ok(gaps.gaps.length >= 1, 'a leader beat');
  for (const g of gaps.gaps) assert.ok(g >= 4500 && g < 5000, `first beat ${g} ms after the stand`);
  assert.deepEqual(problems, []);
  await context.close();
});
