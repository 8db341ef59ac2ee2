// A seeded monkey on the lab: hundreds of random clicks, taps on the ring
// and the timeline, shortcut keys, and junk typed into every field. The page
// must never log an error or a panic, never freeze, and keep simulating.
// A failure prints the seed and the last actions; RAFTBEAT_MONKEY_SEED=N
// replays one, RAFTBEAT_MONKEY_ACTIONS=N runs longer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, openPage, ROOT } from './harness.js';
import { ready } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [' ', '.', 'n', 'r', 'd', 'b', '1', '2', '3', '5', '7', '0', 'c', 't', 'i', 'h', 'a', 'e', '-', '+', 'm', 'Escape', '?', 'l', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Tab', 'Enter'];
const JUNK = ['', '-1', '0', '1e9', 'NaN', '3', '2.5', '1,2 | 3,4,5', '1,,2|', '9 | 9', 'leader', '<b>x</b>', '∞', '5000', '99999999999', ' '];

test('random clicks, keys and junk input never break the lab', () => monkey('', 250));

// The lab playing the guided tour: Back and Continue among everything else
// (rewinds to stops, forks, resets, model switches in the middle of a tour).
// The seed picks the tour too, so the runs of CI go over all of them.
test('random clicks, keys and junk input never break a guided tour', () => {
  const tours = readdirSync(join(ROOT, 'www/tours')).filter((f) => f.endsWith('.txt')).sort();
  return monkey((seed) => `?scenario=${encodeURIComponent(readFileSync(join(ROOT, 'www/tours', tours[seed % tours.length]), 'utf8'))}`, 150);
});

/** query: the page's query string, or a function of the seed giving it. */
async function monkey(query, defaultActions) {
  const seed = Number(process.env.RAFTBEAT_MONKEY_SEED ?? Date.now() % 100_000);
  const actions = Number(process.env.RAFTBEAT_MONKEY_ACTIONS ?? defaultActions);
  const rand = rng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const log = [];
  // The page changes under the monkey (a message's Drop button goes when it
  // lands): an element gone between counting and acting is skipped.
  const peek = (loc, fn) => loc.evaluate(fn, null, { timeout: 300 }).catch(() => null);
  if (typeof query === 'function') query = query(seed);
  const { page, context, problems } = await openPage(browser, `${server.url}${query}#seed=${seed}&speed=50`, { viewport: { width: 1280, height: 900 } });
  try {
    await ready(page);
    for (let i = 0; i < actions; i++) {
      const r = rand();
      if (r < 0.35) {
        const buttons = page.locator('#lab button:visible:enabled, #lab summary:visible');
        const n = await buttons.count();
        if (!n) continue;
        const k = Math.floor(rand() * n);
        const label = await peek(buttons.nth(k), (b) => b.textContent.trim().slice(0, 30));
        if (label === null) continue;
        log.push(`click ${label}`);
        await buttons.nth(k).click({ timeout: 300 }).catch(() => {});
      } else if (r < 0.6) {
        const key = pick(KEYS);
        // Mostly from the page, as after a click on the background; else
        // wherever the focus is (a text field keeps its keys).
        const away = rand() < 0.7;
        if (away) await page.evaluate(() => document.querySelector('#lab').shadowRoot.activeElement?.blur());
        log.push(`key ${key}${away ? '' : ' (focus kept)'}`);
        await page.keyboard.press(key);
      } else if (r < 0.8) {
        const target = rand() < 0.7 ? '#lab canvas.ring, #lab .stage canvas' : '#lab canvas.timeline';
        const box = await page.locator(target).first().boundingBox();
        if (!box) continue;
        const x = box.x + rand() * box.width, y = box.y + rand() * box.height;
        log.push(`tap ${target.includes('timeline') ? 'timeline' : 'ring'} ${Math.round(x - box.x)},${Math.round(y - box.y)}`);
        await page.mouse.click(x, y);
      } else {
        const fields = page.locator('#lab input:visible:not([type=range]):not([type=checkbox]):not([type=search]), #lab select:visible');
        const n = await fields.count();
        if (!n) continue;
        const f = fields.nth(Math.floor(rand() * n));
        const tag = await peek(f, (e) => e.tagName);
        if (tag === null) continue;
        if (tag === 'SELECT') {
          const options = (await peek(f, (s) => [...s.options].map((o) => o.value))) ?? [''];
          const v = pick(options);
          log.push(`select ${v}`);
          await f.selectOption(v, { timeout: 300 }).catch(() => {});
        } else {
          const v = pick(JUNK);
          log.push(`type "${v}" into ${await peek(f, (e) => e.className || e.name || e.type)}`);
          await f.fill(v, { timeout: 300 }).catch(() => {}); // a number field refuses text: that is the browser's rule
          await f.press("Enter", { timeout: 300 }).catch(() => {});
        }
      }
      if (log.length > 12) log.shift();
      if (i % 25 === 24) {
        // Still alive: the clock is finite, and a frame comes within a second.
        const alive = await page.evaluate(() => new Promise((resolve) => {
          const el = document.querySelector('#lab');
          const t = el.run?.time;
          requestAnimationFrame(() => resolve(Number.isFinite(t)));
          setTimeout(() => resolve(false), 1_000);
        }));
        assert.ok(alive, 'the page froze or lost its run');
        assert.deepEqual(problems, []);
      }
    }
    // Whatever happened, a plain run still plays: close dialogs, heal, play.
    await page.keyboard.press('Escape');
    await page.evaluate(() => { const el = document.querySelector('#lab'); el.shadowRoot.querySelector('dialog[open]')?.close(); el.clock.play(); });
    const t0 = await page.evaluate(() => document.querySelector('#lab').run.time);
    await page.waitForFunction((t) => document.querySelector('#lab').run.time > t, t0, { timeout: 5_000 });
    assert.deepEqual(problems, []);
  } catch (e) {
    e.message = `monkey seed ${seed} (RAFTBEAT_MONKEY_SEED=${seed} replays it); last actions: ${log.join('; ')}\n${e.message}`;
    throw e;
  } finally {
    await context.close();
  }
}
