// RaftScope's timer keys in the lab: `a` aligns two election clocks (a split
// vote in the making), `e` spreads them (none), also as buttons in the Faults
// panel; both are logged, said aloud, and replay from a shared link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, waitForStatus, snapshot, openShared, text } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const lab = (page, fn, arg) => page.evaluate(([src, a]) => (0, eval)(src)(document.querySelector('#lab'), a), [fn.toString(), arg]);
/** When each live non-leader's election clock runs out (ms, absolute), by id. */
const clocks = (page) => lab(page, (el) => {
  const out = {};
  for (let id = 1; id <= el.run.n; id++) {
    const n = el.run.node(id);
    if (n.alive && n.role !== 'LEADER' && n.leaderDueMs != null) out[id] = el.run.time + n.leaderDueMs;
  }
  return out;
});

test('Raft: a aligns the next two election clocks, Spread parts them again, and a shared link replays both', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&seed=3&speed=0.05`);
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  await page.locator('body').click({ position: { x: 5, y: 300 } }); // focus the page, not a button
  await page.keyboard.press(' '); // pause
  await page.keyboard.press('5');
  await page.keyboard.press('c'); // crash the leader
  await page.keyboard.press('Escape');
  // Let its last beats land: then nothing resets a clock.
  await lab(page, (el) => { el.run.advanceTo(el.run.time + 10); el.run.refresh(); });
  const before = await clocks(page);
  await page.keyboard.press('a');
  assert.equal(await lab(page, (el) => el.run.history.at(-1).command), 'align-timers');
  assert.match(await text(page, '.announce'), /^Aligned: the next two election clocks run out together \(the log says when\)\.$/);
  const aligned = await clocks(page);
  const first = Math.min(...Object.values(before));
  const together = Object.keys(aligned).filter((id) => Math.abs(aligned[id] - first) < 1e-6);
  assert.equal(together.length, 2, `two clocks at ${first}: ${JSON.stringify(aligned)} (before ${JSON.stringify(before)})`);
  const moved = together.find((id) => Math.abs(before[id] - first) > 1e-6);
  await page.locator('#lab .log', { hasText: `S${moved} clock-set align-timers: election clock set to run out with S` }).waitFor();
  // The inspector shows the moved timer (the drawn timeout stays as it was).
  await page.keyboard.press(String(moved));
  await page.locator('#lab dl.fields', { hasText: `election timer` }).filter({ hasText: `at ${(first / 1000).toFixed(3)} s` }).waitFor();
  await page.keyboard.press('Escape');

  // The Faults panel's button does the same as e.
  await page.locator('#lab details.faults [data-f=spread]').click();
  assert.equal(await lab(page, (el) => el.run.history.at(-1).command), 'spread-timers');
  assert.match(await text(page, '.announce'), /^Spread: no election clock runs out within a vote's delivery/);
  const spread = Object.values(await clocks(page)).sort((x, y) => x - y);
  for (let i = 1; i < spread.length; i++) assert.ok(spread[i] - spread[i - 1] >= 9 - 1e-6, `clocks ${spread}`);
  await page.locator('#lab .log', { hasText: 'spread-timers: election clock moved to run out after' }).waitFor();
  await page.locator('#lab details.faults').screenshot({ path: join(SHOTS, 'timer-keys.png') });

  // The first candidate then wins term 3 (S5's was 1; no split).
  await lab(page, (el) => { el.run.advanceTo(el.run.time + 300); el.run.refresh(); });
  const snap = await snapshot(page);
  const url = await lab(page, (el) => el.shareUrl());
  assert.match(url, /&a=[\d.]+%3Aalign-timers/);
  assert.match(url, /&a=[\d.]+%3Aspread-timers/);
  const other = await openShared(browser, url);
  assert.deepEqual(await snapshot(other.page), snap, 'the shared link replays align and spread exactly');
  assert.deepEqual([...problems, ...other.problems], []);
  await other.context.close();
  await context.close();
});

test('Nacos: align explains why its clocks cannot run out together', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20`);
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press(' ');
  await page.keyboard.press('a');
  // With a leader alive, its beats will reset the clocks: the page says so.
  assert.match(await text(page, '.announce'), /While S5 leads, its heartbeats reset them: crash it or drop its beats/);
  // leaderDue runs out only on each server's own MasterElection tick.
  await page.locator('#lab .log', { hasText: /align-timers: election clock set to run out as soon after S\d's \([\d ,.]+ ms\) as it can/ }).waitFor();
  await page.locator('#lab .log', { hasText: /Nacos: S\d can time out only on its own MasterElection tick, \d+ ms after S\d/ }).waitFor();
  // The inspector's peers field is a table, one row per other peer.
  await page.keyboard.press('2');
  await page.locator('#lab dl.fields table.peers').waitFor();
  assert.deepEqual(await page.locator('#lab table.peers td:first-child').allTextContents(), ['S1', 'S3', 'S4', 'S5']);
  // And its election timer runs out on one of its ticks, not at leaderDueMs.
  await page.locator('#lab dl.fields', { hasText: /election timer\s*runs out in [\d.]+ ms, at [\d.]+ s/ }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('with nothing to align, the page says why and keeps working', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&nodes=1&seed=1&speed=20`);
  await ready(page);
  await waitForStatus(page, /Leader S1/);
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('a');
  await page.locator('#lab', { hasText: /align-timers: needs two live nodes that are not leader/ }).waitFor();
  assert.equal(await lab(page, (el) => el.run.history.length), 0, 'nothing logged');
  const t = await lab(page, (el) => el.run.time);
  await page.waitForFunction((t0) => document.querySelector('#lab').run.time > t0, t);
  assert.deepEqual(problems, []);
  await context.close();
});
