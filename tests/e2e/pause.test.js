// A stall (a long GC pause) from the inspector: the node is drawn frozen
// with the time left, its election clock stops, it comes back on time, and
// the action is in the share link and the script. A Nacos follower paused
// past its leaderDue stands for election the moment it resumes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, waitForStatus, nodeOnScreen } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the Pause button stalls a node, which resumes on time and takes the lead back in Nacos', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&nodes=5&speed=20`);
  await ready(page);
  await waitForStatus(page, /Leader S5/, 40_000);
  const pos = await nodeOnScreen(page, 2);
  await page.mouse.click(pos.x, pos.y);
  const button = page.locator('#lab [data-n=pause]');
  // The inspector fills in the selected node's buttons on its next refresh.
  await button.filter({ hasText: 'Pause S2' }).waitFor({ timeout: 5_000 });
  assert.equal(await button.textContent(), 'Pause S2 25 s');
  await page.locator('#lab [data-a=play]').click(); // pause the clock to read the state exactly
  await button.click();
  const s = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    el.run.refresh();
    return { node: el.run.node(2), t: el.run.time, script: el.run.sim.toScript(), url: el.shareUrl() };
  });
  assert.ok(Math.abs(s.node.pausedMs - 25_000) < 1, `paused for 25 s, got ${s.node.pausedMs}`);
  assert.match(s.script, /\npause 2 for=25s\n/);
  assert.match(s.url, /&a=[\d.]+%3Apause\+2\+for%3D25s/);
  await page.evaluate(() => { const el = document.querySelector('#lab'); el.renderer.draw(el.run, performance.now()); });
  await page.locator('#lab canvas').first().screenshot({ path: join(SHOTS, 'pause-nacos-follower.png') });
  // While paused its election clock does not move; on resume the catch-up runs it out.
  const later = await page.evaluate((t) => {
    const el = document.querySelector('#lab');
    el.run.advanceTo(t + 24_000);
    el.run.refresh();
    const during = el.run.node(2);
    el.run.advanceTo(t + 25_100);
    el.run.refresh();
    return { during, after: el.run.node(2), leader: el.run.leaders.map((l) => l.id) };
  }, s.t);
  assert.ok(later.during.pausedMs > 900 && later.during.pausedMs < 1100, `still paused: ${later.during.pausedMs}`);
  assert.equal(later.after.pausedMs, null, 'resumed on time');
  assert.deepEqual(later.leader, [2], 'the resumed follower took the lead');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a paused Raft node is refused nothing and loses nothing: a write to it waits and is answered', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&seed=4&nodes=3&speed=1`);
  await ready(page);
  const r = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    const run = el.run;
    run.advanceTo(1000);
    run.refresh();
    const leader = run.leaders[0].id;
    const follower = (leader % 3) + 1;
    // Shorter than the election timeout (150-300 ms): no election on resume.
    run.sim.act({ do: 'pause', node: follower, for: 100 });
    run.sim.act({ do: 'write', key: 'k1', via: follower });
    run.refresh();
    const waiting = run.sim.client(5).counts;
    run.advanceTo(1500);
    run.refresh();
    return { waiting, done: run.sim.client(5).counts, bad: (() => { try { run.sim.act({ do: 'pause', node: 1, for: 0 }); return null; } catch (e) { return String(e.message ?? e); } })() };
  });
  assert.equal(r.waiting.ok + r.waiting.failed, 0, 'the write waits at the paused node');
  assert.equal(r.done.ok, 1, 'redirected to the leader once the node resumed, and committed');
  assert.match(r.bad, /for.*must be above 0/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a Raft node writing its term and vote to disk is drawn writing, and nothing else runs on it', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&seed=4&nodes=3&diskWrite=1ms..4ms&speed=1`);
  await ready(page);
  await page.locator('#lab [data-a=play]').click(); // the test moves time itself
  const seen = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    const run = el.run;
    run.refresh();
    // Whenever the clock stopped: a node that does not lead times out now, raises its
    // term, votes for itself and writes both before it asks for votes.
    const id = [1, 2, 3].find((i) => run.node(i).role !== 'LEADER');
    run.sim.act({ do: 'timeout', node: id });
    run.refresh();
    el.renderer.draw(run, performance.now());
    const n = run.node(id);
    return { id, t: run.time, writingMs: n.writingMs, drawn: [...el.renderer.drawn.writing], role: n.role };
  });
  assert.ok(seen.drawn.includes(seen.id), `S${seen.id} drawn writing: ${JSON.stringify(seen)}`);
  assert.equal(seen.role, 'CANDIDATE', 'it writes its new term and its vote');
  assert.ok(seen.writingMs > 0 && seen.writingMs <= 4, `a write of 1-4 ms, ${seen.writingMs} ms left`);
  await page.locator('#lab canvas').first().screenshot({ path: join(SHOTS, 'raft-disk-write.png') });
  // The write ends on time, and the node is drawn as usual again.
  const after = await page.evaluate(({ id, t, writingMs }) => {
    const el = document.querySelector('#lab');
    el.run.advanceTo(t + writingMs + 0.01);
    el.run.refresh();
    el.renderer.draw(el.run, performance.now());
    return { writing: el.run.node(id).writingMs, drawn: [...el.renderer.drawn.writing] };
  }, seen);
  assert.equal(after.writing, null);
  assert.ok(!after.drawn.includes(seen.id));
  assert.deepEqual(problems, []);
  await context.close();
});
