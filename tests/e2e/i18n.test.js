// The lab and <raft-beat> in Simplified Chinese as well as English: the
// lab's EN / 中文 switch (kept in the URL), <html lang>, the element's own
// lang (an unknown one falls back to English with one warning), an English
// page never fetching the Chinese catalog, and a switch that leaves the run
// going. Screenshots of both languages at 1280 and 390 px wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, openPage, SHOTS } from './harness.js';
import { ready, snapshot, waitForStatus } from './lab.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** Requests for the Chinese catalog a page made. */
const zhRequests = (page) => {
  const seen = [];
  page.on('request', (r) => { if (r.url().includes('/i18n/zh-CN/')) seen.push(r.url()); });
  return seen;
};

/** The toolbar's words and the log's filters, as a reader sees them. */
async function words(page) {
  return page.evaluate(() => {
    const root = document.querySelector('#lab').shadowRoot;
    const text = (sel) => root.querySelector(sel)?.textContent.trim();
    return {
      step: text('[data-a=step]'), reset: text('[data-a=reset]'), share: text('[data-a=share]'),
      faults: text('.faults > summary'), log: text('.log h3'), filter: text('.filters [data-cat=election]'),
      who: text('.beats .who'), lang: document.documentElement.lang,
    };
  });
}

test('an English page speaks English and never fetches the Chinese catalog', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  const zh = zhRequests(page);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  await page.goto(`${server.url}#seed=7&speed=20`);
  await ready(page);
  await waitForStatus(page, /^Leader S5 · term 1$/);
  const w = await words(page);
  assert.deepEqual([w.step, w.reset, w.share, w.faults, w.log, w.filter, w.lang], ['Step', 'Reset', 'Share', 'Faults', 'Event log', 'Elections', 'en']);
  assert.deepEqual(zh, [], 'the Chinese catalog was fetched');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the lab switches to Chinese and back, the run going on: same seed, time advancing, the URL keeping the choice', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20`);
  await ready(page);
  await waitForStatus(page, /^Leader S5 · term 1$/);
  const before = await snapshot(page);
  await page.evaluate(() => { window.simBefore = window.raftbeat.sim; });
  await page.locator('header [data-lang="zh-CN"]').click();
  await page.locator('#lab .toolbar [data-a=step]', { hasText: '单步' }).waitFor();
  let w = await words(page);
  assert.deepEqual([w.step, w.reset, w.share, w.faults, w.log, w.filter, w.lang], ['单步', '重置', '分享', '故障', '事件日志', '选举', 'zh-CN']);
  // The page's own words too, and the leader line keeps the model's names.
  assert.equal((await page.locator('header nav [data-go=compare]').textContent()).trim(), '模型对比');
  await waitForStatus(page, /^领导者 S5 · term 1$/);
  // Said in the new language (the switch's own line, unless news came after it).
  assert.match(await page.locator('#lab .announce').textContent(), /[\u4e00-\u9fff]/);
  assert.match(page.url(), /[#&]lang=zh-CN(&|$)/);
  // The same run: the same simulation object, time still moving, same seed.
  const during = await snapshot(page);
  assert.ok(during.time > before.time, `time went ${before.time} → ${during.time}`);
  assert.equal(String(await page.evaluate(() => window.raftbeat.sim.seed)), '7');
  assert.equal(await page.evaluate(() => window.raftbeat.sim === window.simBefore), true, 'a new Simulation');
  assert.ok(await page.evaluate(() => document.querySelector('#lab').clock.playing), 'still playing');
  // A reload of that URL opens in Chinese.
  await page.reload();
  await ready(page);
  await page.locator('#lab .toolbar [data-a=step]', { hasText: '单步' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal((await page.locator('header [data-lang="zh-CN"]').getAttribute('aria-pressed')), 'true');
  // And back: English again, the run still going.
  const t0 = (await snapshot(page)).time;
  await page.locator('header [data-lang=en]').click();
  await page.locator('#lab .toolbar [data-a=step]', { hasText: 'Step' }).waitFor();
  w = await words(page);
  assert.deepEqual([w.step, w.faults, w.lang], ['Step', 'Faults', 'en']);
  await page.waitForFunction((t) => document.querySelector('#lab').run.time > t, t0);
  assert.match(page.url(), /[#&]lang=en(&|$)/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a switch keeps what the reader set in the controls: the log filters, its search, the notes', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#model=nacos&nodes=1&seed=1&speed=200`);
  await ready(page);
  // A one-node Nacos cluster stands alone: the note says so.
  await page.locator('#lab .log li.note').first().waitFor({ timeout: 20_000 });
  await page.locator('#lab .filters [data-cat=beat]').click();
  await page.locator('#lab .log input.q').fill('sendVote');
  await page.locator('header [data-lang="zh-CN"]').click();
  await page.locator('#lab .log li.note', { hasText: '单节点集群' }).first().waitFor();
  assert.equal(await page.locator('#lab .filters [data-cat=beat]').getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('#lab .filters [data-cat=election]').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('#lab .log input.q').inputValue(), 'sendVote');
  // The log's own words are Chinese; the trace's lines (from the core) are not translated.
  assert.match(await page.locator('#lab .log .meta').textContent(), /^保留了 \d+ 个事件/);
  assert.match(await page.locator('#lab .log li.c-election code').first().textContent(), /^sendVote$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('<html lang="zh-CN"> alone gives the Chinese element; the element follows it when it changes', async () => {
  const url = `${server.url}zh-page.html`;
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>zh</title><link rel="icon" href="data:,">
    <script type="module" src="./raft-beat.js"></script></head><body>
    <raft-beat id="lab" controls="full" seed="7" speed="20" autoplay></raft-beat></body></html>`;
  const { page, context, problems } = await openPage(browser, url, { html });
  await ready(page);
  await page.locator('#lab [data-a=reset]', { hasText: '重置' }).waitFor();
  await page.evaluate(() => { document.documentElement.lang = 'en'; });
  await page.locator('#lab [data-a=reset]', { hasText: 'Reset' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('an embed with lang="zh-CN" speaks Chinese on an English page; lang="fr" is English with one warning', async () => {
  const url = `${server.url}embed-lang.html`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>embed</title><link rel="icon" href="data:,">
    <link rel="stylesheet" href="./embed.css"><script type="module" src="./raft-beat.js"></script></head><body>
    <raft-beat id="zh" lang="zh-CN" controls="minimal" model="raft" nodes="3" seed="3" autoplay></raft-beat>
    <raft-beat id="fr" lang="fr" controls="minimal" model="raft" nodes="3" seed="3" autoplay></raft-beat>
    <raft-beat id="fr2" lang="fr" controls="minimal" model="raft" nodes="3" seed="3"></raft-beat></body></html>`;
  const { page, context, problems } = await openPage(browser, url, { html });
  for (const id of ['#zh', '#fr', '#fr2']) await ready(page, id);
  await page.locator('#zh [data-a=step]', { hasText: '单步' }).waitFor();
  await waitForStatus(page, /^领导者 S\d · term \d+$/, 30_000, '#zh');
  assert.equal((await page.locator('#fr [data-a=step]').textContent()).trim(), 'Step');
  await waitForStatus(page, /^Leader S\d · term \d+$/, 30_000, '#fr');
  // Said once, as a warning (not an error), for the two elements that ask for French.
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /^warning: raftbeat: <raft-beat> lang="fr" has no translation .*showing English/);
  // A lang set later switches that element only.
  await page.evaluate(() => document.querySelector('#fr').setAttribute('lang', 'zh'));
  await page.locator('#fr [data-a=step]', { hasText: '单步' }).waitFor();
  assert.equal((await page.locator('#fr2 [data-a=step]').textContent()).trim(), 'Step');
  assert.equal(problems.length, 1);
  await context.close();
});

test('the lab in both languages, desktop and phone: nothing overflows the toolbar', async () => {
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    for (const lang of ['en', 'zh-CN']) {
      const { page, context, problems } = await openPage(browser, `${server.url}#seed=7&speed=20&lang=${lang}`, { viewport: { width, height } });
      await ready(page);
      await waitForStatus(page, lang === 'en' ? /^Leader S5/ : /^领导者 S5/);
      // Every control inside the page's width, none cut off inside its box.
      const over = await page.evaluate(() => {
        const root = document.querySelector('#lab').shadowRoot, vw = document.documentElement.clientWidth;
        const out = [];
        for (const el of root.querySelectorAll('.toolbar button, .toolbar label, .beats button, .beats .status, .client button, .tour-nav button')) {
          const b = el.getBoundingClientRect();
          if (!b.width) continue;
          if (b.right > vw + 0.5 || el.scrollWidth > el.clientWidth + 1) out.push(`${el.className || el.tagName} "${el.textContent.trim().slice(0, 30)}" ${Math.round(b.right)} > ${vw}`);
        }
        if (document.documentElement.scrollWidth > vw) out.push(`page ${document.documentElement.scrollWidth} > ${vw}`);
        return out;
      });
      assert.deepEqual(over, [], `${lang} at ${width} px`);
      await page.screenshot({ path: join(SHOTS, `i18n-lab-${lang}-${width}.png`), fullPage: width < 500 });
      assert.deepEqual(problems, []);
      await context.close();
    }
  }
});

test('a Chinese catalog that does not load leaves the element in English, with a warning, running', async () => {
  const url = `${server.url}zh-offline.html`;
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>offline</title><link rel="icon" href="data:,">
    <script type="module" src="./raft-beat.js"></script></head><body>
    <raft-beat id="lab" controls="minimal" seed="7" speed="20" autoplay></raft-beat></body></html>`;
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  await context.route('**/i18n/zh-CN/**', (route) => route.abort());
  await context.route(url, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
  await page.goto(url);
  await ready(page);
  await waitForStatus(page, /^Leader S5 · term 1$/);
  assert.equal((await page.locator('#lab [data-a=step]').textContent()).trim(), 'Step');
  // The browser reports the failed fetch itself; the element adds one warning saying what it does.
  const ours = problems.filter((p) => p.includes('raftbeat'));
  assert.equal(ours.length, 1, problems.join('\n'));
  assert.match(ours[0], /^warning: raftbeat: the zh-CN words did not load .*showing English/);
  await context.close();
});

test("a tour's bar speaks the page's language: Back, Continue, Pause, the way to the lab", async () => {
  const url = `${server.url}tour-zh.html`;
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>tour</title><link rel="icon" href="data:,">
    <link rel="stylesheet" href="./page.css"><script type="module" src="./raft-beat.js"></script></head><body><main>
    <raft-beat id="lab" class="card" controls="minimal" scenario-src="tours/nacos-heartbeats.txt" share-base="index.html"></raft-beat></main></body></html>`;
  for (const width of [390, 1280]) {
    const { page, context, problems } = await openPage(browser, url, { html, viewport: { width, height: 900 } });
    await ready(page);
    const text = async (sel) => (await page.locator(`#lab .tour ${sel}`).textContent()).trim();
    assert.equal(await text('.back'), '‹ 上一步');
    assert.equal(await text('.next'), '继续 ›');
    assert.equal(await text('.open-lab'), '在实验室中打开此刻 ↗');
    assert.equal(await page.locator('#lab .tour').getAttribute('aria-label'), '导览');
    // The button reads Pause only while the tour plays to its next stop,
    // which on a busy machine can pass between two polls: record every
    // label it takes instead of waiting to catch this one.
    await page.evaluate(() => {
      const next = /** @type {Element} */ (document.querySelector('#lab')?.shadowRoot?.querySelector('.tour .next'));
      const labels = /** @type {string[]} */ ([]);
      Object.assign(window, { nextLabels: labels });
      new MutationObserver(() => labels.push((next.textContent ?? '').trim())).observe(next, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('#lab .tour .next').click();
    await page.waitForFunction(() => /** @type {any} */ (window).nextLabels.includes('❚❚ 暂停'));
    await page.screenshot({ path: join(SHOTS, `i18n-tour-zh-CN-${width}.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('the tours page switches to Chinese: its chrome, the tour bar, and ?lang= in its URL', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}tour.html?tour=raft`);
  await ready(page, '#tour');
  await page.locator('header [data-lang="zh-CN"]').click();
  await page.locator('[data-tour=raft]', { hasText: '教科书式 Raft：毫秒级' }).waitFor();
  await page.locator('#tour .tour .next', { hasText: '继续 ›' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.match(page.url(), /\?tour=raft&lang=zh-CN$/);
  // The script's link survives the new words, pointing at the chosen tour.
  assert.equal(await page.locator('a.src code').textContent(), 'tours/raft-heartbeats.txt');
  await page.reload();
  await page.locator('#tour .tour .next', { hasText: '继续 ›' }).waitFor();
  assert.equal((await page.locator('header nav a[href="index.html"]').textContent()).trim(), '实验室');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link naming a language with no catalog opens each page in English, with one warning', async () => {
  for (const [path, loaded] of [
    ['#seed=7&lang=fr', () => !!window.raftbeat?.sim],
    ['tour.html?lang=fr', () => !!document.querySelector('#tour')?.run],
    ['experiments.html?lang=fr', () => window.experiments?.status === 'idle'],
  ]) {
    const { page, context, problems } = await openPage(browser, `${server.url}${path}`);
    await page.waitForFunction(loaded);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', path);
    assert.equal(problems.length, 1, `${path}: ${problems.join('; ')}`);
    assert.match(problems[0], /^warning: raftbeat: .*lang="fr" has no translation .*showing English/, path);
    await context.close();
  }
});
