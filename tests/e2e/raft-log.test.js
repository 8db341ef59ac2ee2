// Raft's replicated log on the page: a strip of cells under each node,
// lined up by index; a write from the client bar commits and the strips
// follow it; the inspector lists the entries; the two log tours play to
// their end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, waitForStatus } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** The strips the ring drew last, by node id. */
function drawnLogs(page) {
  return page.evaluate(() => Object.fromEntries(document.querySelector('#lab').renderer.drawn.logs.map((l) => [l.id, l])));
}

test('raft mode draws a log strip under every node, and a write from the client bar commits', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&seed=7&nodes=5&speed=0.1`);
  await ready(page);
  await waitForStatus(page, /Leader S\d/, 20_000);
  assert.equal(await page.locator('#lab .client').isVisible(), true, 'the client bar shows for Raft');
  let logs = await drawnLogs(page);
  assert.deepEqual(Object.keys(logs).map(Number), [1, 2, 3, 4, 5], 'a strip for each of five nodes');
  for (const l of Object.values(logs)) {
    assert.equal(l.mode, 'cells', `S${l.id}: cells at five nodes`);
    assert.ok(l.cells >= 5, `S${l.id}: ${l.cells} cells`);
    assert.equal(l.last, 0, 'nothing written yet');
  }
  const leader = await page.evaluate(() => document.querySelector('#lab').run.leaders[0].id);
  // A follower down while the leader writes falls behind (its strip stays, faded).
  const lagging = leader === 2 ? 3 : 2;
  await page.evaluate((id) => document.querySelector('#lab').run.act(`crash ${id}`), lagging);
  await page.locator('#lab .client button.write').click();
  assert.equal(await page.evaluate(() => document.querySelector('#lab').run.history.at(-1).command), `write k1 via=${leader}`);
  await page.locator('#lab .client .results', { hasText: /^1 ok · 0 failed · last: write k1 ok in \d+ ms$/ }).waitFor({ timeout: 20_000 });
  // The strips follow: the leader's holds index 1, committed; the crashed follower's does not.
  await page.waitForFunction(([leader, lagging]) => {
    const logs = document.querySelector('#lab').renderer.drawn.logs;
    const l = logs.find((x) => x.id === leader), f = logs.find((x) => x.id === lagging);
    return l && f && l.last === 1 && l.commit === 1 && f.last === 0;
  }, [leader, lagging], { timeout: 10_000 });
  const view = await page.evaluate((id) => {
    const run = document.querySelector('#lab').run;
    return { log: run.sim.log(id), strip: run.nodeLog(id), term: run.node(id).term };
  }, leader);
  assert.deepEqual(view.log.entries, [{ index: 1, term: view.term, op: 1, kind: 'write', key: 'k1' }]);
  assert.equal(view.strip.first, 1);
  assert.equal(view.strip.terms[0], view.term, 'the window\'s first cell is the entry, in the leader\'s term');
  // The followers that get AppendEntries learn the commit with the next one.
  await page.waitForFunction(([leader, lagging]) => document.querySelector('#lab').renderer.drawn.logs
    .every((x) => x.id === lagging || (x.last === 1 && x.commit === 1)), [leader, lagging], { timeout: 10_000 });
  // The legend explains the strips; the ring's words say how far each log reaches.
  assert.equal(await page.locator('#lab .legend .raft-only').first().isVisible(), true);
  await page.getByRole('img', { name: new RegExp(`S${leader} leader, term \\d+, log to 1, committed to 1`) }).waitFor({ timeout: 10_000 });
  // The inspector lists the entry.
  await page.evaluate((id) => document.querySelector('#lab').select(id), leader);
  await page.locator('#lab .inspector table.log-entries td', { hasText: 'write k1' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'raft-log-strips.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('at 25 nodes the strips become bars, one per node', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&seed=7&nodes=25`);
  await ready(page);
  await waitForStatus(page, /Leader S\d/, 20_000);
  await page.locator('#lab .client button.write').click();
  await page.waitForFunction(() => document.querySelector('#lab').renderer.drawn.logs.some((l) => l.commit === 1), null, { timeout: 10_000 });
  const logs = await drawnLogs(page);
  assert.equal(Object.keys(logs).length, 25);
  assert.ok(Object.values(logs).every((l) => l.mode === 'bar'));
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [name, stops] of [['raft-write', 7], ['figure-8', 5]]) {
  test(`the ${name} tour plays to its end with a caption at every stop`, async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}tour.html?tour=${name}`);
    await ready(page, '#tour');
    assert.equal(await page.evaluate(() => document.querySelector('#tour').run.stops.length), stops);
    for (let k = 1; k <= stops; k++) {
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((k) => { const el = document.querySelector('#tour'); return !el.clock.playing && el.run.stopsPassed === k; }, k, { timeout: 30_000 });
      const s = await page.evaluate(() => {
        const el = document.querySelector('#tour');
        return { say: el.shadowRoot.querySelector('.tour .say').textContent, note: el.run.stops[el.run.stopsPassed - 1].note, logs: el.renderer.drawn.logs.length };
      });
      assert.equal(s.say, s.note);
      assert.ok(s.note.length > 40, `stop ${k} has a caption`);
      assert.equal(s.logs, 5, `stop ${k}: every node's log is drawn`);
    }
    await page.screenshot({ path: join(SHOTS, `tour-${name}-end.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  });
}
