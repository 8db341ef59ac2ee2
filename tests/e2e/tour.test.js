// The guided tour (www/tour.html, www/tours/nacos-heartbeats.txt): a
// scenario whose `pause` lines are stops. The clock halts exactly at each,
// the caption is the comment above it, Back rebuilds the same moment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, launch, openPage, SHOTS, ROOT } from './harness.js';
import { ready, snapshot } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** A scenario's stops: its `pause` lines. */
const stopsIn = (text) => text.split('\n').filter((l) => l.trim() === 'pause').length;

/** What the tour bar shows, and where the run is. */
async function tour(page, host = '#tour') {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel), bar = el.shadowRoot.querySelector('.tour');
    return {
      shown: !bar.hidden, say: bar.querySelector('.say').textContent, count: bar.querySelector('.tour-count').textContent,
      back: !bar.querySelector('.back').disabled, next: bar.querySelector('.next').textContent,
      k: el.run.stopsPassed, time: el.run.time, playing: el.clock.playing,
      stops: el.run.stops.map((s) => ({ t: s.t, note: s.note })),
    };
  }, host);
}

const halted = (page, k, host = '#tour') => page.waitForFunction(([sel, k]) => {
  const el = document.querySelector(sel);
  return !el.clock.playing && el.run.stopsPassed === k;
}, [host, k], { timeout: 30_000 });

test('the tour halts exactly at each stop with its caption, and Back rebuilds the same moment', async () => {
  const { page, context, problems, foreign } = await openPage(browser, `${server.url}tour.html`, { viewport: { width: 1280, height: 900 } });
  await ready(page, '#tour');
  let s = await tour(page);
  assert.ok(s.shown, 'the tour bar shows');
  assert.equal(s.stops.length, 8);
  assert.equal(s.count, '0 / 8');
  assert.match(s.say, /Press Continue/, 'before the first stop: the scenario\'s about');
  assert.equal(s.back, false, 'nothing to go back to at the start');
  assert.equal(s.playing, false);

  // Walk every stop with →: the clock halts at the stop's time, to the microsecond.
  const at = [];
  for (let k = 1; k <= 8; k++) {
    await page.keyboard.press('ArrowRight');
    await halted(page, k);
    s = await tour(page);
    const stop = s.stops[k - 1];
    assert.ok(Math.abs(s.time - stop.t) < 0.0005, `stop ${k}: halted at ${s.time}, not ${stop.t}`);
    assert.equal(s.say, stop.note);
    assert.ok(stop.note.length > 40, `stop ${k} has a caption`);
    assert.equal(s.count, `${k} / 8`);
    assert.equal(s.next, k < 8 ? 'Continue ›' : 'Play on ›');
    at.push(await snapshot(page, '#tour'));
    if (k === 6) await page.screenshot({ path: join(SHOTS, 'tour-stop-6.png') });
  }
  // The captions say what the run shows: S5 led, S3 leads after the drop.
  assert.deepEqual(at[2].leaders, [5]);
  assert.deepEqual(at[7].leaders, [3]);
  assert.equal(at[3].actions.filter((a) => a.includes('drop-beats')).length, 1);

  // ← goes back a stop: the same state as when it was reached going forward.
  await page.keyboard.press('ArrowLeft');
  await halted(page, 7);
  assert.deepEqual(await snapshot(page, '#tour'), at[6]);
  assert.equal((await tour(page)).say, s.stops[6].note);
  // Back over the drop: it is undone, and replays once on the way forward.
  for (const k of [6, 5, 4, 3]) {
    await page.keyboard.press('ArrowLeft');
    await halted(page, k);
    assert.deepEqual(await snapshot(page, '#tour'), at[k - 1], `back at stop ${k}`);
  }
  await page.keyboard.press('ArrowRight');
  await halted(page, 4);
  assert.deepEqual(await snapshot(page, '#tour'), at[3]);

  // The buttons do the same with the mouse; Continue pauses while playing.
  const bar = (sel) => page.locator('#tour').locator(`.tour ${sel}`);
  await bar('.next').click();
  assert.equal(await bar('.next').textContent(), '❚❚ Pause');
  await halted(page, 5);
  await bar('.next').click();
  await page.waitForFunction(() => document.querySelector('#tour').clock.playing);
  await bar('.next').click();
  await page.waitForFunction(() => !document.querySelector('#tour').clock.playing);
  s = await tour(page);
  assert.ok(s.time > s.stops[4].t && s.time < s.stops[5].t, `paused between stops 5 and 6 at ${s.time}`);
  // Played on from a stop, Back returns to that stop.
  await bar('.back').click();
  await halted(page, 5);
  assert.deepEqual(await snapshot(page, '#tour'), at[4]);
  await page.screenshot({ path: join(SHOTS, 'tour.png') });
  // "Open this moment in the lab": the full lab, same run, same moment.
  const link = page.locator('#tour').locator('.tour .open-lab');
  const [lab] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await lab.waitForFunction(() => document.querySelector('#lab')?.run?.time > 0, null, { timeout: 20_000 });
  assert.match(lab.url(), /^http:\/\/[^/]+\/index\.html#.*scenario-src=http/);
  assert.deepEqual(await snapshot(lab, '#lab'), await snapshot(page, '#tour'));
  // The tour goes on there, at the same stop, with the lab's panels around it.
  const there = await tour(lab, '#lab');
  assert.deepEqual([there.count, there.say], [s.count, s.say]);
  await lab.close();
  // The timeline goes back in time too, and the tour bar follows it.
  await page.locator('#tour').locator('canvas.timeline').focus();
  await page.keyboard.press('Home');
  s = await tour(page);
  assert.equal(s.time, 0);
  assert.equal(s.count, '0 / 8');
  assert.match(s.say, /Press Continue/);
  // Before the first stop but past time 0 (the monkey's seed 202): ← is the start.
  await page.evaluate(() => document.querySelector('#tour').seek(200));
  assert.deepEqual([(await tour(page)).k, (await tour(page)).time], [0, 200]);
  await page.locator('#tour').locator('.tour .next').focus();
  await page.keyboard.press('ArrowLeft');
  s = await tour(page);
  assert.deepEqual([s.time, s.count], [0, '0 / 8']);

  // Switching tours quickly: the last one asked for wins, whatever loads
  // first (the first file is held back so that it arrives last).
  await page.route('**/tours/raft-heartbeats.txt', async (route) => { await new Promise((r) => setTimeout(r, 700)); await route.continue(); });
  await page.evaluate(() => {
    const el = document.querySelector('#tour');
    el.setAttribute('scenario-src', 'tours/raft-heartbeats.txt');
    el.setAttribute('scenario-src', 'tours/nacos-partition.txt');
    el.setAttribute('scenario-src', 'tours/nacos-heartbeats.txt');
  });
  await page.waitForFunction(() => document.querySelector('#tour').run.stops.length === 8 && document.querySelector('#tour').run.model === 'nacos');
  await page.waitForTimeout(1_000);
  assert.deepEqual(await page.evaluate(() => [document.querySelector('#tour').run.model, document.querySelector('#tour').run.stops.length]), ['nacos', 8]);
  await page.unroute('**/tours/raft-heartbeats.txt');
  // The Raft tour: the same element, another file, Raft's own speed.
  await page.getByRole('button', { name: /Textbook Raft/ }).click();
  await page.waitForFunction(() => document.querySelector('#tour').run.model === 'raft');
  s = await tour(page);
  assert.equal(s.count, '0 / 8');
  assert.equal(await page.evaluate(() => document.querySelector('#tour').clock.speed), 0.1);
  assert.match(await page.evaluate(() => location.search), /tour=raft/);
  for (const k of [1, 2]) {
    await page.keyboard.press('ArrowRight');
    await halted(page, k);
  }
  s = await tour(page);
  assert.ok(Math.abs(s.time - 164.5) < 0.0005, `halted at ${s.time}`);
  assert.match(s.say, /^S1 timed out at 160 ms/);
  const roles = await page.evaluate(() => [1, 4].map((id) => document.querySelector('#tour').run.node(id).role));
  assert.deepEqual(roles, ['CANDIDATE', 'CANDIDATE'], 'the caption\'s two candidates');
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test('an embedded tour without controls, and a scenario file that cannot load', async () => {
  const html = `<script type="module" src="/raft-beat.js"></script>
    <raft-beat id="a" controls="none" speed="40" scenario="# Two stops.;cluster model=nacos nodes=3 seed=4;run until=16s;# Someone leads by now.;pause;crash leader;run for=25s;# A new leader.;pause"></raft-beat>
    <raft-beat id="b" controls="minimal" scenario-src="no/such/tour.txt"></raft-beat>`;
  const { page, context, problems } = await openPage(browser, `${server.url}bare-tour.html`, { html });
  await ready(page, '#a');
  let s = await tour(page, '#a');
  assert.ok(s.shown);
  assert.equal(s.say, 'Two stops.');
  assert.equal(await page.evaluate(() => document.querySelector('#a').shadowRoot.querySelector('.bigplay').hidden), true, 'the tour bar replaces the big Play button');
  // The element's own keys, with no panels loaded: → continues.
  await page.locator('#a').locator('.tour .next').focus();
  await page.keyboard.press('ArrowRight');
  await halted(page, 1, '#a');
  assert.equal((await tour(page, '#a')).say, 'Someone leads by now.');
  await page.keyboard.press('PageDown');
  await halted(page, 2, '#a');
  assert.equal((await tour(page, '#a')).say, 'A new leader.');
  const crashed = await page.evaluate(() => document.querySelector('#a').run.history.map((a) => a.command));
  assert.equal(crashed.length, 1);
  assert.match(crashed[0], /^crash \d$/);

  await ready(page, '#b');
  const error = await page.evaluate(() => document.querySelector('#b').shadowRoot.querySelector('.error').textContent);
  assert.match(error, /scenario-src: could not load no\/such\/tour\.txt \(HTTP 404\)/);
  assert.equal(await page.evaluate(() => document.querySelector('#b').shadowRoot.querySelector('.tour').hidden), true);
  assert.deepEqual(problems.filter((p) => !/404/.test(p)), []);
  await context.close();
});

test('a scenario-src the host page sets while the first one still loads wins', async () => {
  const html = `<script type="module" src="/raft-beat.js"></script>
    <raft-beat id="t" controls="none" scenario-src="tours/nacos-heartbeats.txt"></raft-beat>`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route(`${server.url}late-switch.html`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  const page = await context.newPage();
  // While the element fetches its first file, before it has a run, the
  // page switches to another.
  await context.route('**/tours/nacos-heartbeats.txt', async (route) => {
    await page.evaluate(() => document.getElementById('t').setAttribute('scenario-src', 'tours/raft-write.txt'));
    await route.continue();
  });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}late-switch.html`);
  await ready(page, '#t');
  const pauses = stopsIn(readFileSync(join(ROOT, 'www/tours/raft-write.txt'), 'utf8'));
  const seen = await page.evaluate(() => { const el = document.querySelector('#t'); return [el.run.model, el.run.stops.length, el.shadowRoot.querySelector('.tour .say').textContent]; });
  assert.deepEqual(seen.slice(0, 2), ['raft', pauses]);
  assert.match(seen[2], /write/, 'the caption is the later tour\'s');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the list of stops jumps anywhere, and ?stop=N opens the tour there', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}tour.html?stop=6`);
  await ready(page, '#tour');
  await page.waitForFunction(() => document.querySelector('#tour').run.stopsPassed === 6);
  let s = await tour(page);
  assert.equal(s.count, '6 / 8');
  assert.ok(Math.abs(s.time - s.stops[5].t) < 0.0005);
  assert.equal(s.say, s.stops[5].note);
  const forward = await snapshot(page, '#tour');
  // Back to stop 2 from the list, then forward to 6 again from it: the same moment.
  const bar = page.locator('#tour').locator('.tour');
  await bar.locator('summary.tour-count').click();
  const items = bar.locator('.stop-list button');
  assert.equal(await items.count(), 8);
  assert.equal(await items.nth(5).getAttribute('aria-current'), 'step');
  assert.match(await items.nth(1).textContent(), /^2\. S5 ran out first/);
  await items.nth(1).click();
  s = await tour(page);
  assert.equal(s.count, '2 / 8');
  assert.ok(Math.abs(s.time - s.stops[1].t) < 0.0005);
  assert.equal(await bar.locator('details.stops').evaluate((d) => d.open), false, 'the list closes');
  await bar.locator('summary.tour-count').click();
  await items.nth(5).click();
  assert.deepEqual(await snapshot(page, '#tour'), forward);
  // From JavaScript, a bad stop is an Error naming the field.
  const bad = await page.evaluate(() => [9, -1, 2.5, NaN].map((k) => { try { document.querySelector('#tour').goToStop(k); return 'no error'; } catch (e) { return e.message; } }));
  for (const m of bad) assert.match(m, /^stop: must be a whole number from 0 to 8/);
  assert.deepEqual(await snapshot(page, '#tour'), forward, 'a refused jump changes nothing');
  // The list is a table of contents: it does not leave the page wider.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the URL follows the reader, and a link to a stop logs what led there as walking does', async () => {
  const log = (page) => page.evaluate(() => document.querySelector('#tour').run.log.items.map((e) => `${e.t_ms} S${e.node} ${e.event}: ${e.text}`));
  const { page, context, problems } = await openPage(browser, `${server.url}tour.html`);
  await ready(page, '#tour');
  const stopEvents = [];
  await page.exposeFunction('sawStop', (d) => stopEvents.push(d));
  await page.evaluate(() => document.querySelector('#tour').addEventListener('stop', (e) => window.sawStop(e.detail)));
  for (let k = 1; k <= 5; k++) {
    await page.keyboard.press('ArrowRight');
    await halted(page, k);
    assert.equal(await page.evaluate(() => location.search), `?stop=${k}`);
  }
  const s = await tour(page);
  assert.deepEqual(stopEvents.map((d) => d.stop), [1, 2, 3, 4, 5], 'one stop event per stop reached');
  assert.deepEqual(stopEvents.at(-1), { stop: 5, stops: 8, caption: s.stops[4].note, timeMs: s.stops[4].t });
  const walked = await log(page);
  assert.ok(walked.some((l) => / receivedBeat: /.test(l)), 'walking logs every beat received');
  const at = await snapshot(page, '#tour');

  // Opened at ?stop=5: the same moment, and the same log. The jump skips
  // fast only what lies more than three election timeouts (60 s) before.
  const { page: linked, context: other } = await openPage(browser, page.url());
  await ready(linked, '#tour');
  await linked.waitForFunction(() => document.querySelector('#tour').run.stopsPassed === 5);
  assert.deepEqual(await snapshot(linked, '#tour'), at);
  assert.deepEqual(await log(linked), walked);
  assert.equal(await linked.evaluate(() => location.search), '?stop=5', 'the URL keeps the stop it opened');
  await other.close();

  // Back keeps the URL in step; so does switching tours.
  await page.keyboard.press('ArrowLeft');
  await halted(page, 4);
  assert.equal(await page.evaluate(() => location.search), '?stop=4');
  await page.getByRole('button', { name: /the leader cut off/ }).click();
  await page.waitForFunction(() => document.querySelector('#tour').run.stops.length === 7);
  assert.equal(await page.evaluate(() => location.search), '?tour=partition');
  await page.keyboard.press('ArrowRight');
  await halted(page, 1);
  assert.equal(await page.evaluate(() => location.search), '?tour=partition&stop=1');
  await page.reload();
  await ready(page, '#tour');
  await page.waitForFunction(() => document.querySelector('#tour').run.stopsPassed === 1 && document.querySelector('#tour').run.stops.length === 7);
  assert.deepEqual(problems, []);
  await context.close();
});

test('every tour on tour.html loads from its button, with a caption at each stop', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}tour.html?tour=partition`);
  await ready(page, '#tour');
  const names = await page.locator('[data-tour]').evaluateAll((bs) => bs.map((b) => b.dataset.tour));
  // A button for every tour in www/tours/.
  assert.equal(names.length, readdirSync(join(ROOT, 'www', 'tours')).filter((f) => f.endsWith('.txt')).length);
  for (const name of names) {
    // A new tour is a new run: wait for it, not for the old one.
    await page.evaluate(() => { window.loaded = new Promise((r) => document.querySelector('#tour').addEventListener('simulation', r, { once: true })); });
    await page.locator(`[data-tour="${name}"]`).click();
    await page.evaluate(() => window.loaded);
    const src = await page.evaluate(() => document.querySelector('#tour').getAttribute('scenario-src'));
    const text = readFileSync(join(ROOT, 'www', src), 'utf8');
    const pauses = stopsIn(text);
    const model = /^cluster model=(\w+)/m.exec(text)[1];
    assert.deepEqual(await page.evaluate(() => [document.querySelector('#tour').run.model, document.querySelector('#tour').run.stops.length]), [model, pauses], name);
    // To the last stop: the run gets there, with a caption at every stop.
    await page.evaluate((n) => document.querySelector('#tour').goToStop(n), pauses);
    const s = await tour(page);
    assert.equal(s.count, `${pauses} / ${pauses}`, name);
    assert.ok(s.stops.every((stop) => stop.note.length > 40), `${name}: a caption at every stop`);
    assert.equal(await page.evaluate(() => location.search), name === 'nacos' ? `?stop=${pauses}` : `?tour=${name}&stop=${pauses}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a tour named in the URL is the only one the page loads, however late the page\'s own script runs', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The page's module waits for its words; slowed down, the element starts
  // first and must already see the tour the URL names.
  await context.route('**/i18n/en/pages.js', async (route) => { await new Promise((r) => setTimeout(r, 1500)); await route.continue(); });
  const page = await context.newPage();
  const scripts = [];
  page.on('request', (r) => { const path = new URL(r.url()).pathname; if (path.startsWith('/tours/')) scripts.push(path); });
  await page.goto(`${server.url}tour.html?tour=raft-write`);
  await ready(page, '#tour');
  const pauses = stopsIn(readFileSync(join(ROOT, 'www/tours/raft-write.txt'), 'utf8'));
  assert.deepEqual(await page.evaluate(() => [document.querySelector('#tour').run.model, document.querySelector('#tour').run.stops.length]), ['raft', pauses]);
  // The page's module ran later and found nothing to switch.
  await page.locator('[data-tour="raft-write"][aria-pressed="true"]').waitFor();
  assert.deepEqual(scripts, ['/tours/raft-write.txt']);
  await context.close();
});

test('the partition tour shows two leaders at once where its caption says so', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}tour.html?tour=partition&stop=4`);
  await ready(page, '#tour');
  await page.waitForFunction(() => document.querySelector('#tour').run.stopsPassed === 4);
  const s = await tour(page);
  assert.equal(s.count, '4 / 7');
  assert.match(s.say, /Two\s+leaders at once/);
  const seen = await page.evaluate(() => {
    const el = document.querySelector('#tour');
    return { leaders: el.run.leaders.map((l) => l.id).sort(), alert: el.shadowRoot.querySelector('.alert').textContent, hidden: el.shadowRoot.querySelector('.alert').hidden };
  });
  assert.deepEqual(seen.leaders, [2, 5]);
  assert.equal(seen.hidden, false);
  assert.match(seen.alert, /2 leaders at once/);
  await page.screenshot({ path: join(SHOTS, 'tour-partition.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link into the middle of a tour opens at that stop', async () => {
  const text = readFileSync(join(ROOT, 'www/tours/nacos-heartbeats.txt'), 'utf8');
  const { page, context, problems } = await openPage(browser, `${server.url}embed.html?scenario=${encodeURIComponent(text)}&t=16000`);
  await ready(page, 'raft-beat');
  const s = await tour(page, 'raft-beat');
  assert.equal(s.time, 16000);
  assert.equal(s.count, '4 / 8');
  assert.equal(s.say, s.stops[3].note);
  assert.equal(s.playing, false);
  await page.locator('raft-beat').locator('.tour .next').click();
  await halted(page, 5, 'raft-beat');
  assert.deepEqual(problems, []);
  await context.close();
});

// Single step runs on until something shows in the log. In a quiet Nacos
// cluster that can be seconds away, past a planned action or a stop: the
// action came late and the stop was passed unseen, and the next Play halted
// at it at once (a monkey seed found it).
test('single steps stop at planned actions and stops, never past them', async () => {
  const scenario = 'cluster model=nacos nodes=5 seed=7; run until=6s; # Quiet.; pause; run until=6.3s; heal; run until=6.6s; # Here.; pause; run until=7s; heal; run for=20s';
  const html = `<raft-beat id="t" controls="minimal" scenario="${scenario}"></raft-beat>`;
  const { page, context, problems } = await openPage(browser, `${server.url}step-test-page.html`, {
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>step</title><link rel="icon" href="data:,"><script type="module" src="./raft-beat.js"></script></head><body>${html}</body></html>`,
  });
  await ready(page, '#t');
  await page.evaluate(() => document.getElementById('t').goToStop(1));
  assert.equal(await page.evaluate(() => document.getElementById('t').run.time), 6000);
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.evaluate(() => document.getElementById('t').shadowRoot.querySelector('[data-a=step]').click());
    seen.push(await page.evaluate(() => {
      const run = document.getElementById('t').run;
      return { t: run.time, stops: run.stopsPassed, late: run.pending.filter((p) => p.t < run.time - 0.0005).length };
    }));
  }
  assert.deepEqual(seen.filter((s) => s.late), [], 'nothing planned is left behind the clock');
  const heals = await page.evaluate(() => document.getElementById('t').run.history.filter((a) => a.command === 'heal').map((a) => a.t));
  assert.deepEqual(heals, [6300, 7000], 'each action at its planned time');
  const atStop = seen.find((s) => s.stops === 2);
  assert.equal(atStop?.t, 6600, 'a step lands on the second stop, not past it');
  assert.deepEqual(problems, []);
  await context.close();
});
