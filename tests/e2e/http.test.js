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

test('a request held by a partition waits against the wall it met, on its sender\'s side', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=5&nodes=5&speed=1`);
  await ready(page);
  await page.locator('#lab [data-a=play]').click();
  const got = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    const run = el.run, r = el.renderer;
    run.advanceTo(8000);
    run.refresh();
    run.sim.act({ do: 'partition', groups: [[1, 2], [3, 4, 5]] });
    // The 12.34 s beat has left and reached the wall.
    run.advanceTo(12_400);
    run.refresh();
    r.draw(run, performance.now());
    const beats = Array.from(run.sim.messages()).filter((x) => x.kind === 'beat' && x.from === 1 && x.to >= 3);
    return {
      dots: beats.map((b) => ({ to: b.to, at: r.dots.get(b.id) })),
      pos: Array.from(r.pos), cx: r.cx, cy: r.cy, walls: r.walls, R: r.dotR,
    };
  });
  assert.equal(got.dots.length, 3, 'three beats held at the wall');
  const node = (id) => [got.pos[2 * (id - 1)], got.pos[2 * (id - 1) + 1]];
  const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  for (const { to, at } of got.dots) {
    // Where the straight way from S1 to `to` first crosses a wall (a ray from the centre).
    const p = node(1), q = node(to);
    let first = Infinity;
    for (const a of got.walls) {
      const w = [Math.cos(a), Math.sin(a)], d = [q[0] - p[0], q[1] - p[1]], c = [got.cx - p[0], got.cy - p[1]];
      const den = d[0] * w[1] - d[1] * w[0];
      const s = (c[0] * w[1] - c[1] * w[0]) / den, u = (c[0] * d[1] - c[1] * d[0]) / den;
      if (s > 0 && s < 1 && u >= 0) first = Math.min(first, s);
    }
    assert.ok(first < 1, `the way to S${to} crosses a wall`);
    const crossing = [p[0] + (q[0] - p[0]) * first, p[1] + (q[1] - p[1]) * first];
    assert.ok(dist(p, at) < dist(p, crossing), `the beat to S${to} waits on S1's side`);
    const gap = dist(at, crossing);
    assert.ok(gap >= got.R && gap <= 2 * got.R + 8, `the beat to S${to} waits against the wall: ${gap.toFixed(1)} px from it`);
  }
  await page.locator('#lab canvas').first().screenshot({ path: join(SHOTS, 'http-partition-wall.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
