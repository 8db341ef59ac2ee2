// Nacos's data on the page: a write from the client bar spreads to every
// node (chips on the ring, the inspector's list), the workload runs and
// stops, the log says what happened in the model's words, and the settings
// panel sets the release and sendBeatOnly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, waitForStatus, text } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** The chips the ring drew for each node: {id: [text...]}. */
function drawnChips(page) {
  return page.evaluate(() => Object.fromEntries(document.querySelector('#lab').renderer.drawn.datums.map((d) => [d.id, d.chips])));
}

test('a write from the page spreads to every node: chips on the ring within a beat', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&nodes=5&speed=10`);
  await ready(page);
  await waitForStatus(page, /Leader S\d/, 40_000);
  // Every follower knows it (from its first beat): the write goes to every node at once.
  await page.waitForFunction(() => { const run = document.querySelector('#lab').run; return [1, 2, 3, 4, 5].every((id) => run.node(id).leader === run.leaders[0]?.id); }, null, { timeout: 40_000 });
  assert.equal(await page.locator('#lab .client').isVisible(), true, 'the client bar shows for Nacos');
  const leader = await page.evaluate(() => document.querySelector('#lab').run.leaders[0].id);
  await page.locator('#lab .client button.write').click();
  const command = await page.evaluate(() => document.querySelector('#lab').run.history.at(-1).command);
  assert.equal(command, `write k1 via=${leader}`, 'an empty key field writes k1, through the leader');
  // The page's URL keeps the action (sync-url), so a reload replays it.
  await page.waitForFunction((via) => decodeURIComponent(location.hash.replace(/\+/g, ' ')).includes(`:write k1 via=${via}`), leader);
  const start = await page.evaluate(() => document.querySelector('#lab').run.time);
  // The commit reaches every follower at once; the next beat lists the key in any case.
  await page.waitForFunction(() => {
    const chips = document.querySelector('#lab').renderer.drawn.datums;
    return chips.length === 5 && chips.every((d) => d.chips.includes('k1:1'));
  }, null, { timeout: 20_000 });
  const at = await page.evaluate(() => document.querySelector('#lab').run.time);
  assert.ok(at - start <= 5_000, `every node shows k1:1 within a beat (5 s), after ${at - start} ms`);
  await page.locator('#lab .client .results', { hasText: /^1 ok · 0 failed · last: write k1 ok in \d+ ms$/ }).waitFor({ timeout: 5_000 });
  // The next write goes to k2 (here by its shortcut, W), and a typed key is written as typed.
  await page.locator('#lab canvas.ring').focus();
  await page.keyboard.press('w');
  assert.match(await page.evaluate(() => document.querySelector('#lab').run.history.at(-1).command), /^write k2 via=\d$/);
  await page.locator('#lab .client input.key').fill('cart/42');
  await page.locator('#lab .client button.write').click();
  await page.locator('#lab .client button.write').click();
  await page.waitForFunction(() => document.querySelector('#lab').renderer.drawn.datums.every((d) => d.chips.includes('cart/42:2') && d.chips.includes('k2:1')), null, { timeout: 20_000 });
  // The inspector lists a follower's datums.
  const follower = leader === 1 ? 2 : 1;
  await page.evaluate((id) => document.querySelector('#lab').select(id), follower);
  await page.locator('#lab .inspector .datum-list li', { hasText: 'cart/42:2' }).waitFor();
  assert.deepEqual(await page.locator('#lab .inspector .datum-list li').allTextContents(), ['cart/42:2', 'k1:1', 'k2:1']);
  // A delete: the key leaves every node, flashing on the way out.
  await page.locator('#lab .client input.key').fill('k1');
  await page.locator('#lab .client button.delete').click();
  await page.waitForFunction(() => document.querySelector('#lab').run.datums.flashes.some((f) => f.key === 'k1'), null, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelector('#lab').renderer.drawn.datums.every((d) => !d.chips.includes('k1:1')), null, { timeout: 10_000 });
  // The log names the model's steps and the client's results.
  await page.evaluate(() => document.querySelector('#lab').clock.pause());
  await page.waitForTimeout(300);
  const log = (await page.locator('#lab .log ol.entries li').allTextContents()).join('\n');
  assert.match(log, /signalPublish k1/);
  assert.match(log, /onPublish k1 v1 from S\d+/);
  assert.match(log, /clientResult (client: )?write k1 \(#1\) ok after/);
  assert.match(log, /onDelete k1/);
  await page.screenshot({ path: join(SHOTS, 'data-write.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the workload control runs writes at a rate and stops them; a lagging follower pulls and shows stale keys', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=3&nodes=5&speed=10`);
  await ready(page);
  await waitForStatus(page, /Leader S\d/, 40_000);
  await page.locator('#lab .client input.rate').fill('5');
  await page.locator('#lab .client input.keys').fill('30');
  await page.locator('#lab .client button.workload').click();
  // The bar relabels itself on its next refresh.
  await page.locator('#lab .client button.workload').filter({ hasText: /^Stop$/ }).waitFor({ timeout: 5_000 });
  const view = () => page.evaluate(() => document.querySelector('#lab').run.sim.client());
  assert.deepEqual((await view()).workload, { rate: 5, keys: 30, via: 'leader', delete: 0 });
  await page.waitForFunction(() => document.querySelector('#lab').run.sim.client().counts.ok >= 20, null, { timeout: 30_000 });
  assert.match(await text(page, '.client .results'), /^\d+ ok · \d+ failed/);
  // Many keys: the ring shows a count and the newest, and beats carry a size.
  await page.waitForFunction(() => document.querySelector('#lab').renderer.drawn.datums.some((d) => /^\d+ keys$/.test(d.chips[0])), null, { timeout: 20_000 });
  const sized = await page.evaluate(() => {
    const run = document.querySelector('#lab').run;
    return run.sim.messages().filter((m) => m.kind === 'beat').map((m) => [m.entries, m.bytes]);
  });
  for (const [entries, bytes] of sized) assert.ok(entries > 0 && bytes > entries, `a beat lists keys and has a size: ${entries} keys, ${bytes} B`);
  await page.locator('#lab .client button.workload').click();
  // The bar relabels itself on its next refresh.
  await page.locator('#lab .client button.workload').filter({ hasText: /^Start$/ }).waitFor({ timeout: 5_000 });
  assert.equal((await view()).workload, null);
  const stopped = (await view()).counts.invoked;
  await page.evaluate(() => { const el = document.querySelector('#lab'); el.clock.pause(); el.run.advanceTo(el.run.time + 20_000); el.run.refresh(); });
  assert.equal((await view()).counts.invoked, stopped, 'nothing is sent after Stop');
  // Both actions are in the run's script.
  const script = await page.evaluate(() => document.querySelector('#lab').run.sim.toScript());
  assert.match(script, /\nworkload rate=5\/s keys=30\n/);
  assert.match(script, /\nworkload off\n/);
  // A follower cut off misses writes: amber (stale) chips, or keys missing, until the next beat after the heal.
  await page.evaluate(() => {
    const el = document.querySelector('#lab'), l = el.run.leaders[0].id, f = l === 1 ? 2 : 1;
    el.act(`isolate ${f}`);
    // Keys the workload wrote, so the follower holds them at an older version.
    const [a, b, gone] = el.run.sim.datums(l, 3);
    for (const d of [a, b]) el.act(`write ${d.key}`);
    // And one it holds is deleted meanwhile: the next beat will not list it.
    el.act(`delete ${gone.key}`);
    el.run.advanceTo(el.run.time + 2_000); el.run.refresh();
    el.select(f);
  });
  const stale = await page.evaluate(() => {
    const el = document.querySelector('#lab'), snap = el.run.datums.read(el.run, performance.now(), true);
    return snap.nodes.map((n) => n.stale.size);
  });
  assert.equal(stale.filter((s) => s > 0).length, 1, `one node is behind the leader: ${stale}`);
  await page.locator('#lab .inspector .datum-list li.stale').first().waitFor();
  await page.evaluate(() => document.querySelector('#lab').act('heal'));
  await page.evaluate(() => { const el = document.querySelector('#lab'); el.run.advanceTo(el.run.time + 6_000); el.run.refresh(); });
  const after = await page.evaluate(() => {
    const el = document.querySelector('#lab'), snap = el.run.datums.read(el.run, performance.now(), true);
    return snap.nodes.map((n) => n.stale.size + n.missing);
  });
  assert.deepEqual(after, [0, 0, 0, 0, 0], 'a beat after the heal makes the follower pull what it missed');
  // The log says so in the model's words.
  for (const event of ['pullDatums', 'datumsPulled', 'deadKeys']) await page.locator('#lab .log ol.entries li', { hasText: event }).first().waitFor({ timeout: 5_000 });
  const lines = (await page.locator('#lab .log ol.entries li').allTextContents()).join('\n');
  assert.match(lines, /pullDatums GET \/raft\/datum from S\d+: \d+ keys missing or older here/);
  assert.match(lines, /deadKeys 1 keys not in S\d+'s beat deleted/);
  await page.screenshot({ path: join(SHOTS, 'data-workload.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the settings panel sets the Nacos release and sendBeatOnly, and the URL keeps them', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=5&nodes=3`);
  await ready(page);
  await page.locator('#lab details.settings summary').click();
  await page.locator('#lab #s-version').selectOption('1.2');
  await page.locator('#lab [name=sendBeatOnly]').check();
  await page.locator('#lab details.settings button[type=submit]').click();
  const config = await page.evaluate(() => document.querySelector('#lab').run.config);
  assert.equal(config.version, '1.2');
  assert.equal(config.sendBeatOnly, true);
  await page.waitForFunction(() => /version=1\.2/.test(location.hash) && /sendBeatOnly=true/.test(location.hash));
  // Raft has neither; its client bar stays (it takes writes too).
  await page.locator('#lab .model [data-model=raft], #lab .model button:has-text("Raft")').first().click();
  await page.waitForFunction(() => document.querySelector('#lab').run.model === 'raft');
  assert.equal(await page.locator('#lab .client').isVisible(), true);
  assert.equal(await page.locator('#lab #s-version').isVisible(), false);
  assert.deepEqual(problems, []);
  await context.close();
});
