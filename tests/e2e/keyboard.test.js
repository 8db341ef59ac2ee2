// Everything through the keyboard: the shortcuts listed under ?, Tab to the
// ring and arrow keys on it, Enter into the inspector, the timeline as a slider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, waitForStatus, text } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const run = (page, fn) => page.evaluate(fn);

test('the shortcuts under ? all do what they say', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20`);
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  await page.locator('body').click({ position: { x: 5, y: 300 } }); // focus the page, not a button
  // ? opens the help, listing the shortcuts; Escape closes it.
  await page.keyboard.press('?');
  const help = page.locator('#lab dialog.help');
  assert.equal(await help.evaluate((d) => d.open), true);
  assert.match(await help.textContent(), /Drop the leader's heartbeats/);
  await help.screenshot({ path: join(SHOTS, 'help.png') });
  await page.keyboard.press('Escape');
  assert.equal(await help.evaluate((d) => d.open), false);
  // Space pauses: the clock stops.
  await page.keyboard.press(' ');
  assert.equal(await page.locator('#lab [data-a=play]').textContent(), '▶ Play');
  const t0 = await run(page, () => document.querySelector('#lab').run.time);
  await page.waitForTimeout(300);
  assert.equal(await run(page, () => document.querySelector('#lab').run.time), t0);
  // . steps to the next event, and says what it was.
  await page.keyboard.press('.');
  const t1 = await run(page, () => document.querySelector('#lab').run.time);
  assert.ok(t1 > t0, `stepped from ${t0} to ${t1}`);
  assert.match(await text(page, '.announce'), /^Step to /);
  // + and - change the speed by a factor of two.
  await page.keyboard.press('+');
  assert.equal(await run(page, () => document.querySelector('#lab').clock.speed), 40);
  await page.keyboard.press('-');
  await page.keyboard.press('-');
  assert.equal(await run(page, () => document.querySelector('#lab').clock.speed), 10);
  // 3 selects S3 in the inspector; c crashes it, c again restarts it; t times it out.
  await page.keyboard.press('3');
  assert.equal(await page.locator('#lab select.pick').inputValue(), '3');
  await page.keyboard.press('c');
  assert.equal(await run(page, () => document.querySelector('#lab').run.node(3).alive), false);
  await page.keyboard.press('c');
  assert.equal(await run(page, () => document.querySelector('#lab').run.node(3).alive), true);
  await page.keyboard.press('t');
  assert.equal(await run(page, () => document.querySelector('#lab').run.node(3).role), 'CANDIDATE');
  // i isolates the selected node, h heals.
  await page.keyboard.press('i');
  assert.match(await run(page, () => document.querySelector('#lab').run.history.at(-1).command), /^isolate 3$/);
  await page.keyboard.press('h');
  assert.equal(await run(page, () => document.querySelector('#lab').run.history.at(-1).command), 'heal');
  // d drops the leader's heartbeats, d again allows them; b drops the next N.
  await page.keyboard.press(' ');
  const leader = await run(page, () => document.querySelector('#lab').run.leaders[0]?.id);
  await page.keyboard.press('d');
  assert.equal(await run(page, () => document.querySelector('#lab').run.history.at(-1).command), `drop-beats from=${leader}`);
  await page.keyboard.press('d');
  assert.match(await run(page, () => document.querySelector('#lab').run.history.at(-1).command), /^allow-beats rule=\d+$/);
  await page.keyboard.press('b');
  assert.equal(await run(page, () => document.querySelector('#lab').run.history.at(-1).command), `drop-beats from=${leader} count=3`);
  // Escape deselects; m switches the model; r resets.
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#lab select.pick').inputValue(), '');
  await page.keyboard.press('m');
  assert.equal(await run(page, () => document.querySelector('#lab').simulation.model), 'raft');
  await page.keyboard.press('r');
  assert.equal(await run(page, () => document.querySelector('#lab').run.history.length), 0);
  // s copies a link (or shows it); l goes to the log search.
  await page.keyboard.press('s');
  await page.locator('#lab .announce', { hasText: /Link (copied|to this run)/ }).waitFor();
  await page.keyboard.press('l');
  assert.equal(await page.evaluate(() => document.querySelector('#lab').shadowRoot.activeElement?.className), 'q');
  // Typing in the search field does not trigger shortcuts.
  await page.keyboard.type('sendBeat');
  assert.equal(await run(page, () => document.querySelector('#lab').simulation.model), 'raft');
  // From the speed slider, Space still pauses and plays (and does not scroll the page).
  await page.locator('#lab .speed input[type=range]').focus();
  const playing = () => run(page, () => document.querySelector('#lab').clock.playing);
  const before = await playing();
  // (Focusing the slider may scroll it into view; Space must not scroll further.)
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.keyboard.press(' ');
  assert.equal(await playing(), !before);
  await page.keyboard.press(' ');
  assert.equal(await playing(), before);
  assert.equal(await page.evaluate(() => window.scrollY), scrolled);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Tab reaches every control; the ring and the timeline work with arrow keys', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20`);
  await ready(page);
  await waitForStatus(page, /Leader S5/);
  // Tab from the top of the page to the ring, naming what gets focus on the way.
  const seen = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const what = await page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el ? `${el.tagName.toLowerCase()}.${el.className}` : '';
    });
    seen.push(what);
    if (what === 'canvas.ring') break;
  }
  assert.ok(seen.includes('button.primary'), `the play button is reachable: ${seen.join(' ')}`);
  assert.ok(seen.some((s) => s.startsWith('button.danger drop')), 'the drop-heartbeats button is reachable');
  assert.equal(seen.at(-1), 'canvas.ring', 'the ring takes focus');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#lab select.pick').inputValue(), '2');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#lab select.pick').inputValue(), '1');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.querySelector('#lab').shadowRoot.activeElement?.className), 'pick');
  // The timeline: a slider; Home goes back to the start, End to the latest.
  await run(page, () => document.querySelector('#lab').clock.pause());
  const timeline = page.locator('#lab canvas.timeline');
  await timeline.focus();
  assert.equal(await timeline.getAttribute('role'), 'slider');
  const latest = await run(page, () => document.querySelector('#lab').run.time);
  await page.keyboard.press('Home');
  assert.equal(await run(page, () => document.querySelector('#lab').run.time), 0);
  await page.keyboard.press('ArrowRight');
  assert.ok(await run(page, () => document.querySelector('#lab').run.time) > 0);
  await page.keyboard.press('End');
  assert.equal(await run(page, () => document.querySelector('#lab').run.time), latest);
  assert.deepEqual(problems, []);
  await context.close();
});

test('reset while skipping ahead: the skip stops cleanly, nothing touches the freed run', async () => {
  // An hour of Raft is about 700 000 events: the skip yields to the page between chunks.
  const { page, context, problems } = await openPage(browser, `${server.url}#model=raft&seed=4&speed=1`);
  await ready(page);
  await page.evaluate(() => { window.firstRun = document.querySelector('#lab').run; });
  // Click +1 h and press R in the same task: R lands while the skip waits between chunks.
  const during = await page.evaluate(() => {
    const el = document.querySelector('#lab');
    el.shadowRoot.querySelector('[data-skip="3600000"]').click();
    const skipping = el.controls.skipping;
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'r', bubbles: true }));
    return skipping;
  });
  assert.equal(during, true, 'the skip was still going when R came');
  await page.waitForFunction(() => !document.querySelector('#lab').controls.skipping);
  assert.equal(await run(page, () => document.querySelector('#lab').run !== window.firstRun), true, 'reset made a new run');
  await page.waitForTimeout(300);
  assert.deepEqual(problems, []);
  // And the new run plays.
  const t0 = await run(page, () => document.querySelector('#lab').run.time);
  await page.evaluate(() => document.querySelector('#lab').clock.play());
  await page.waitForFunction((t) => document.querySelector('#lab').run.time > t, t0);
  await context.close();
});
