// Nacos's messages are HTTP requests: a one-way cut in the lab stops the
// leader's beat at the cut, where it is drawn waiting, and when the connect
// timeout fails it, it is drawn going back grey; it never arrives, and the
// inspector counts the beat failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('a one-way cut holds a Nacos beat at the wall until it fails, and it never arrives', async () => {
  // Seed 5: S1 leads term 1 and beats at 7.34 s, 12.34 s, 17.34 s, ...
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=5&nodes=5&speed=1`);
  await ready(page);
  await page.locator('#lab [data-a=play]').click(); // stop the clock: the test moves time itself
  const at = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    const run = el.run;
    run.advanceTo(8000);
    run.refresh();
    run.sim.act({ do: 'cut', from: 2, to: 1 });
    // Just after the 12.34 s beat left.
    run.advanceTo(12_346);
    run.refresh();
    el.renderer.draw(run, performance.now());
    return {
      leaders: run.leaders.map((l) => l.id),
      stalls: el.renderer.drawn.http.stalled,
      beatFailures: Object.fromEntries(run.sim.inspect(1)).beatFailures,
    };
  });
  assert.deepEqual(at.leaders, [1]);
  assert.equal(at.beatFailures, '0');
  assert.ok(at.stalls >= 1, `a message is drawn waiting at the cut (${at.stalls})`);
  await page.locator('#lab canvas').first().screenshot({ path: join(SHOTS, 'http-beat-stalled.png') });
  // The stalled beat is S1's to S2, and its request fails at the connect timeout.
  const stalled = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    return Array.from(el.run.sim.messages()).filter((x) => x.kind === 'beat' && x.from === 1 && x.to === 2);
  });
  assert.equal(stalled.length, 1, 'one beat to S2 in flight');
  assert.ok(Math.abs(stalled[0].dueMs - 17_344.532) < 0.01, `held until 17.34 s, got ${stalled[0].dueMs}`);
  const later = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    const run = el.run;
    // Frame by frame through the timeout, as the page draws it.
    for (let t = 17_340; t <= 17_360; t += 5) { run.advanceTo(t); run.refresh(); el.renderer.draw(run, performance.now()); }
    const s1 = Object.fromEntries(run.sim.inspect(1));
    const s2 = Object.fromEntries(run.sim.inspect(2));
    const s3 = Object.fromEntries(run.sim.inspect(3));
    return {
      failedDrawn: el.renderer.drawn.http.failed,
      beatFailures: s1.beatFailures,
      leaderDue: [Number(s2.leaderDueMs), Number(s3.leaderDueMs)],
      toS2: Array.from(run.sim.messages()).filter((x) => x.kind === 'beat' && x.from === 1 && x.to === 2).map((x) => x.dueMs),
    };
  });
  assert.ok(later.failedDrawn >= 1, 'the failed beat is drawn going back');
  assert.equal(later.beatFailures, '1', 'the inspector counts the beat failure');
  // The next beat (17.34 s) waits at the cut in its turn, until 22.34 s.
  assert.deepEqual(later.toS2.map((d) => Math.round(d)), [22_345]);
  await page.locator('#lab canvas').first().screenshot({ path: join(SHOTS, 'http-beat-failed.png') });
  // S2 heard no beat since the cut: its leaderDue, last reset (15-20 s) by
  // the 7.34 s beat, has run down 10 s; S3's was reset at 17.35 s.
  assert.ok(later.leaderDue[0] < 11_000, `S2's leaderDue ran on: ${later.leaderDue[0]}`);
  assert.ok(later.leaderDue[1] >= 14_500, `S3 heard the beat: ${later.leaderDue[1]}`);
  assert.deepEqual(problems, []);
  await context.close();
});
