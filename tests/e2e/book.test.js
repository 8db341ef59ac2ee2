// The user guide as mdBook builds it (`make book`, into target/book/): the
// heartbeat chapter's live <raft-beat> elements inside mdBook's pages, with
// mdBook's own chapter navigation, theme menu, search box and arrow keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSite } from '../../tools/build-site.mjs';
import { ROOT, SHOTS, SITE, startServer, launch, openPage, paintedPixels } from './harness.js';

const BOOK = join(ROOT, 'target', 'book');
const CHAPTER = 'heartbeat.html';

/** Every file under dir. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

/**
 * The built book must be there and up to date: no chapter source newer than
 * its page, and the element's files the same bytes as the site's (which the
 * harness brings up to date with www/). Stale, it says what to run.
 */
async function assertBookCurrent() {
  const page = join(BOOK, CHAPTER);
  assert.ok(existsSync(page), `${page} is missing: run make book`);
  const built = statSync(page).mtimeMs;
  const sources = [...files(join(ROOT, 'docs', 'book')), join(ROOT, 'docs', 'embedding.md'), join(ROOT, 'docs', 'scenarios.md')];
  for (const f of sources) assert.ok(statSync(f).mtimeMs <= built, `${relative(ROOT, f)} is newer than the built book: run make book`);
  await buildSite();
  for (const f of [join(SITE, 'raft-beat.js'), ...files(join(SITE, 'lib')), ...files(join(SITE, 'pkg'))]) {
    const copy = join(BOOK, 'raftbeat', relative(SITE, f));
    assert.ok(existsSync(copy) && readFileSync(copy).equals(readFileSync(f)), `${relative(ROOT, copy)} differs from the site's: run make book`);
  }
}

let server, browser;
before(async () => {
  await assertBookCurrent();
  server = await startServer(BOOK);
  browser = await launch();
});
after(async () => { await browser?.close(); server?.stop(); });

/** Evaluates fn(element, arg) on the page's i-th <raft-beat>. */
const onElement = (page, i, fn, arg) => page.locator('raft-beat').nth(i).evaluate(fn, arg);

/** Waits until the i-th element (scrolled into view: off screen it rests) has a leader and its clock has moved on; returns that time. */
async function runsWithLeader(page, i = 0) {
  await page.locator('raft-beat').nth(i).scrollIntoViewIfNeeded();
  await page.waitForFunction((i) => document.querySelectorAll('raft-beat')[i]?.simulation?.leader() !== undefined, i, { timeout: 20_000 });
  const t0 = await onElement(page, i, (el) => el.run.time);
  await page.waitForFunction(([i, t]) => document.querySelectorAll('raft-beat')[i].run.time > t, [i, t0], { timeout: 10_000 });
  return onElement(page, i, (el) => el.run.time);
}

/** The first element's ring as an image, to tell two frames apart. */
const ringImage = (page) => onElement(page, 0, (el) => el.shadowRoot.querySelector('canvas.ring').toDataURL());

test('the heartbeat chapter runs its live elements: a leader, frames drawn, a lost-beats scenario and a tour, a clean console', async () => {
  const { page, context, problems, foreign } = await openPage(browser, `${server.url}${CHAPTER}`);
  assert.equal(await page.locator('raft-beat').count(), 3);
  // The healthy cluster: a leader, the clock running, the ring drawn and redrawn.
  await runsWithLeader(page, 0);
  assert.ok(await paintedPixels(page, 'raft-beat >> canvas.ring') > 10_000);
  const frame = await ringImage(page);
  await page.waitForFunction((f) => document.querySelector('raft-beat').shadowRoot.querySelector('canvas.ring').toDataURL() !== f, frame, { timeout: 10_000 });
  // The book's script gave it mdBook's (light) theme.
  assert.equal(await onElement(page, 0, (el) => el.getAttribute('theme')), 'light');
  // Three lost beat rounds: an election, and another leader.
  await page.locator('raft-beat').nth(1).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[1].run?.time > 45_000, null, { timeout: 30_000 });
  const lost = await onElement(page, 1, (el) => ({
    history: el.run.history.map((a) => `${a.t}:${a.command}`),
    leaders: el.run.leaders.map((l) => l.id),
    terms: el.simulation.nodes().map((n) => n.term),
  }));
  assert.deepEqual(lost.history, ['16000:drop-beats from=5 count=3'], '`leader` pinned to S5 at 16 s');
  assert.equal(lost.leaders.length, 1);
  assert.notEqual(lost.leaders[0], 5, 'another server leads after three lost rounds');
  assert.ok(Math.max(...lost.terms) >= 2, `terms ${lost.terms}`);
  await page.locator('raft-beat').nth(1).screenshot({ path: join(SHOTS, 'book-lost-beats.png') });
  // The tour: its bar says what to do; Continue plays to the first stop.
  const tour = page.locator('raft-beat').nth(2);
  await tour.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[2].run?.stops.length > 0, null, { timeout: 20_000 });
  assert.equal(await onElement(page, 2, (el) => el.run.stops.length), 8);
  await tour.locator('.tour .next').click();
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[2].run.stopsPassed === 1, null, { timeout: 10_000 });
  assert.match(await tour.locator('.tour .say').textContent(), /leaderDueMs/);
  await tour.screenshot({ path: join(SHOTS, 'book-tour.png') });
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test('the Chinese heartbeat chapter runs its elements in Chinese: a leader, the lost beats, the tour captioned from the zh-CN catalog', async () => {
  const zh = (await import(pathToFileURL(join(ROOT, 'www', 'i18n', 'zh-CN', 'tours.js')).href)).default;
  const { page, context, problems, foreign } = await openPage(browser, `${server.url}heartbeat.zh-CN.html`);
  assert.match(await page.locator('main h1').first().textContent(), /心跳详解/);
  assert.equal(await page.locator('raft-beat').count(), 3);
  assert.deepEqual(await page.$$eval('raft-beat', (els) => els.map((el) => el.getAttribute('lang'))), ['zh-CN', 'zh-CN', 'zh-CN']);
  await runsWithLeader(page, 0);
  assert.ok(await paintedPixels(page, 'raft-beat >> canvas.ring') > 10_000);
  await page.locator('raft-beat').nth(1).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[1].run?.time > 45_000, null, { timeout: 30_000 });
  assert.notEqual(await onElement(page, 1, (el) => el.run.leaders[0]?.id), 5, 'another server leads after three lost rounds');
  const tour = page.locator('raft-beat').nth(2);
  await tour.scrollIntoViewIfNeeded();
  await page.waitForFunction((about) => document.querySelectorAll('raft-beat')[2].shadowRoot.querySelector('.tour .say')?.textContent === about,
    zh['tour.nacos-heartbeats.about'], { timeout: 20_000 });
  await tour.locator('.tour .next').click();
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[2].run.stopsPassed === 1, null, { timeout: 10_000 });
  assert.equal(await tour.locator('.tour .say').textContent(), zh['tour.nacos-heartbeats.1']);
  await tour.screenshot({ path: join(SHOTS, 'book-tour-zh-CN.png') });
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test('the element runs again after mdBook\'s page-to-page navigation: its next link, → and ←, and the browser\'s back', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}${CHAPTER}`);
  await runsWithLeader(page);
  // mdBook's own next link.
  await page.locator('a.next >> visible=true').first().click();
  await page.waitForURL(/embedding\.html$/);
  assert.match(await page.locator('main h1').first().textContent(), /Embedding/);
  // ← (the focus on the page, not in an element) is mdBook's previous chapter.
  await page.keyboard.press('ArrowLeft');
  await page.waitForURL(new RegExp(`${CHAPTER}$`));
  await runsWithLeader(page);
  // → and the browser's back button.
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(/embedding\.html$/);
  await page.goBack();
  await page.waitForURL(new RegExp(`${CHAPTER}$`));
  await runsWithLeader(page);
  assert.ok(await paintedPixels(page, 'raft-beat >> canvas.ring') > 10_000);
  assert.deepEqual(problems, []);
  await context.close();
});

/** Picks a theme in mdBook's theme menu (in its menu bar, at the top of the page). */
async function pickTheme(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('#mdbook-theme-toggle').click();
  await page.locator(`#mdbook-theme-${name}`).click();
  await page.waitForFunction((name) => document.documentElement.classList.contains(name), name);
  // The menu stays open after a pick; Escape closes it.
  await page.keyboard.press('Escape');
  await page.locator('#mdbook-theme-list').waitFor({ state: 'hidden' });
}

test('the elements follow mdBook\'s theme menu, light and dark, and keep running; screenshots at 1280 and 390 wide', async () => {
  for (const [width, height, label] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
    const { page, context, problems } = await openPage(browser, `${server.url}${CHAPTER}`, { viewport: { width, height } });
    await runsWithLeader(page);
    const looks = () => page.evaluate(() => [...document.querySelectorAll('raft-beat')].map((el) => `${el.getAttribute('theme')}:${el.theme.bg}`));
    await pickTheme(page, 'light');
    assert.deepEqual(await looks(), ['light:#ffffff', 'light:#ffffff', 'light:#ffffff']);
    await page.locator('raft-beat').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `book-${label}-light.png`) });
    for (const dark of ['navy', 'coal', 'ayu']) {
      await pickTheme(page, dark);
      assert.deepEqual(await looks(), ['dark:#111827', 'dark:#111827', 'dark:#111827'], `mdBook's ${dark}`);
      await runsWithLeader(page);
    }
    await page.locator('raft-beat').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `book-${label}-dark.png`) });
    // mdBook keeps the choice for the next page; the element there follows it from the start.
    await page.locator('a.next >> visible=true').first().click();
    await page.waitForURL(/embedding\.html$/);
    await page.goBack();
    await page.waitForURL(new RegExp(`${CHAPTER}$`));
    await runsWithLeader(page);
    assert.deepEqual(await looks(), ['dark:#111827', 'dark:#111827', 'dark:#111827'], 'ayu kept across pages');
    await pickTheme(page, 'light');
    assert.deepEqual(await looks(), ['light:#ffffff', 'light:#ffffff', 'light:#ffffff']);
    await runsWithLeader(page);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('typing in mdBook\'s search box does not drive the element', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}${CHAPTER}`);
  await runsWithLeader(page);
  // Paused, so Space would play it and . would step it.
  await onElement(page, 0, (el) => el.clock.pause());
  const before = await onElement(page, 0, (el) => ({ t: el.run.time, playing: el.clock.playing, actions: el.run.history.length, speed: el.clock.speed }));
  await page.locator('main p').first().click(); // the focus on the page, not in an element
  await page.keyboard.press('s');
  await page.waitForFunction(() => document.activeElement?.id === 'mdbook-searchbar');
  await page.keyboard.type('space. step? drop beats');
  assert.equal(await page.locator('#mdbook-searchbar').inputValue(), 'space. step? drop beats');
  await page.waitForTimeout(300);
  const after = await onElement(page, 0, (el) => ({ t: el.run.time, playing: el.clock.playing, actions: el.run.history.length, speed: el.clock.speed }));
  assert.deepEqual(after, before);
  assert.equal(new URL(page.url()).pathname, `/${CHAPTER}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('with the focus in the element its keys work, and mdBook\'s arrow keys do not turn the page on keys it took', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}${CHAPTER}`);
  await runsWithLeader(page);
  const here = () => new URL(page.url()).pathname;
  const state = () => onElement(page, 0, (el) => ({ t: el.run.time, playing: el.clock.playing, selected: el.selected, speed: el.clock.speed }));
  // On the ring: Space pauses, . steps, → selects the next server.
  await page.locator('raft-beat >> canvas.ring').first().focus();
  assert.equal((await state()).playing, true);
  await page.keyboard.press(' ');
  const paused = await state();
  assert.equal(paused.playing, false);
  await page.keyboard.press('.');
  assert.ok((await state()).t > paused.t, 'the step key stepped');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal((await state()).selected, 2);
  assert.equal(here(), `/${CHAPTER}`);
  // On the speed slider, → is the slider's.
  const speed = (await state()).speed;
  await page.locator('raft-beat >> .speed input[type=range]').first().focus();
  await page.keyboard.press('ArrowRight');
  assert.ok((await state()).speed > speed, 'the slider moved');
  assert.equal(here(), `/${CHAPTER}`);
  // In the tour, → and ← walk its stops (from its buttons).
  const tour = page.locator('raft-beat').nth(2);
  await tour.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[2].run?.stops.length > 0, null, { timeout: 20_000 });
  await tour.locator('.tour .next').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[2].run.stopsPassed === 1, null, { timeout: 10_000 });
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[2].run.stopsPassed === 2, null, { timeout: 10_000 });
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => document.querySelectorAll('raft-beat')[2].run.stopsPassed === 1, null, { timeout: 10_000 });
  await page.waitForTimeout(300);
  assert.equal(here(), `/${CHAPTER}`, 'the tour\'s arrow keys did not turn the page');
  // Outside the element, → is mdBook's again.
  await page.locator('main p').first().click(); // the focus on the page, not in an element
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(/embedding\.html$/);
  assert.deepEqual(problems, []);
  await context.close();
});
