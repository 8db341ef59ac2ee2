// The tours and the Experiments page in Simplified Chinese: the catalogs
// (www/i18n/*/tours.js, experiments.js) hold what the pages need, and the
// pages show it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { startServer, launch, openPage, ROOT, SHOTS } from './harness.js';
import { ready } from './lab.js';

const catalog = async (lang, part) => (await import(pathToFileURL(join(ROOT, 'www', 'i18n', lang, `${part}.js`)).href)).default;
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** The numbers a text states, each once. */
const numbers = (text) => [...new Set(text.match(/\d+(\.\d+)?/g) ?? [])].sort();

/**
 * A tour script's about (the comment right above `cluster`) and its stops'
 * captions (the comment right above each `pause`), read as the core reads
 * them (src/wasm/scenario.rs): a blank line ends a comment paragraph.
 */
function readTour(text) {
  let note = [], about = '';
  const stops = [];
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim(), body = raw.split('#')[0].trim();
    if (!body) {
      if (trimmed.startsWith('#')) note.push(trimmed.slice(1).trim());
      else if (!trimmed) note = [];
      continue;
    }
    const caption = note.join(' ');
    note = [];
    const word = body.split(/\s+/)[0];
    if (word === 'cluster') about = caption;
    // A bare `pause` is a stop; `pause S5 for=25s` stalls a node.
    if (body === 'pause') stops.push(caption);
  }
  return { about, stops };
}

const TOURS = readdirSync(join(ROOT, 'www', 'tours')).filter((f) => f.endsWith('.txt')).sort()
  .map((f) => ({ name: f.slice(0, -4), ...readTour(readFileSync(join(ROOT, 'www', 'tours', f), 'utf8')) }));

test('every stop of every tour has a Chinese caption, stating the English caption\'s numbers', async () => {
  const zh = await catalog('zh-CN', 'tours');
  assert.ok(TOURS.length >= 11, `${TOURS.length} tours`);
  for (const { name, about, stops } of TOURS) {
    assert.ok(stops.length > 0, `${name} has stops`);
    for (const [key, english] of [[`tour.${name}.about`, about], ...stops.map((s, i) => [`tour.${name}.${i + 1}`, s])]) {
      assert.ok(zh[key]?.trim(), `${key}: no zh-CN caption (the script has ${stops.length} stops)`);
      assert.match(zh[key], /[\u4e00-\u9fff]/, `${key} is Chinese`);
      assert.deepEqual(numbers(zh[key]), numbers(english), `${key}: the numbers differ from the script's`);
    }
    assert.equal(zh[`tour.${name}.${stops.length + 1}`], undefined, `${name}: a caption for a stop the script does not have`);
  }
});

test('the English tour catalog is the scripts\' own words, key for key with the Chinese', async () => {
  const en = await catalog('en', 'tours'), zh = await catalog('zh-CN', 'tours');
  for (const { name, about, stops } of TOURS) {
    assert.equal(en[`tour.${name}.about`], about, `tour.${name}.about`);
    stops.forEach((s, i) => assert.equal(en[`tour.${name}.${i + 1}`], s, `tour.${name}.${i + 1}: edit the script, then en/tours.js and zh-CN/tours.js`));
  }
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
});

test('the Experiments page\'s catalogs hold the same keys and placeholders in both languages', async () => {
  const en = await catalog('en', 'experiments'), zh = await catalog('zh-CN', 'experiments');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in zh)), [], 'keys only in English');
  assert.deepEqual(Object.keys(zh).filter((k) => !(k in en)), [], 'keys only in Chinese');
  for (const k of Object.keys(en)) {
    assert.ok(k.startsWith('exp.'), k);
    assert.deepEqual(placeholders(zh[k]), placeholders(en[k]), `${k}: placeholders`);
  }
  // Every key the page and its script name is in the catalog.
  const used = new Set();
  for (const f of ['experiments.html', 'experiments.js']) {
    const src = readFileSync(join(ROOT, 'www', f), 'utf8');
    for (const m of src.matchAll(/['"`](exp\.[\w.]+)['"`]/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100, `${used.size} keys used`);
  assert.deepEqual([...used].filter((k) => !(k in en)), [], 'keys used but not in the catalog');
});

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const cli = (...args) => execFileSync(join(ROOT, 'target', 'release', 'raftbeat'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const done = (page) => page.waitForFunction(() => ['done', 'error', 'cancelled', 'failed'].includes(window.experiments?.status), null, { timeout: 60_000 });
const tableCells = (page, id) => page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));

test('the Experiments page in Chinese: Chinese headings, the same run and numbers, and the switch back', async () => {
  const { page, context, problems, foreign } = await openPage(browser, `${server.url}experiments.html?lang=zh-CN&seed=5&trials=20&failover=20&autorun=1`);
  await done(page);
  assert.equal(await page.evaluate(() => window.experiments.status), 'done', await page.textContent('#error'));
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.textContent('h1'), '实验');
  assert.equal(await page.textContent('#fig16-title'), '图 16：没有领导者的时间');
  assert.equal(await page.textContent('#nacos-title'), 'Nacos 1.x 故障转移');
  assert.match(await page.textContent('#status'), /^完成：202 次试验，用时 [\d.]+ s，\d 个 worker，种子 5。$/);
  assert.match(await page.textContent('#fig16-setup'), /单向延迟 0\.2–0\.4 ms；.*每次写入 1–4 ms/);
  assert.equal(await page.getAttribute('[data-lang=zh-CN]', 'aria-pressed'), 'true');
  // The numbers are the CLI's, whatever the language.
  assert.deepEqual(JSON.parse(await page.evaluate(() => window.experiments.fig16Json())),
    JSON.parse(cli('experiment', 'fig16', '--trials', '20', '--seed', '5', '--format', 'json')));
  const zhRows = await tableCells(page, 'fig16-table');
  assert.deepEqual(zhRows[0].slice(0, 3), ['上', '150-150', '2']);
  assert.deepEqual((await tableCells(page, 'nacos-table')).map((r) => r[0]), ['总计', '检测', '选举', '传播']);
  // No key shows instead of its words.
  assert.doesNotMatch(await page.textContent('body'), /exp\.[a-z]/);
  await page.screenshot({ path: join(SHOTS, 'experiments-zh-CN.png'), fullPage: true });

  // EN: the page in English again, the same numbers, the language in the URL.
  await page.click('[data-lang=en]');
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Experiments');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('#status'), /^Done: 202 trials in [\d.]+ s on \d workers?, seed 5\.$/);
  const enRows = await tableCells(page, 'fig16-table');
  assert.equal(enRows[0][0], 'top');
  assert.deepEqual(enRows.map((r) => r.slice(1, 9)), zhRows.map((r) => r.slice(1, 9)));
  assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');
  // And a run after the switch keeps it in the URL it writes.
  await page.selectOption('#trials', '100');
  await page.selectOption('#failover', '0');
  await page.click('#run');
  await done(page);
  assert.equal(new URL(page.url()).search, '?seed=5&trials=100&failover=0&lang=en');
  assert.deepEqual(problems, [], 'console errors or warnings');
  assert.deepEqual(foreign, []);
  await context.close();
});

test('the Experiments page follows a Chinese browser, and reads on a phone', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html?seed=5&trials=20&failover=20&autorun=1`, {
    locale: 'zh-CN', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  await done(page);
  assert.equal(await page.textContent('h1'), '实验');
  assert.equal(await page.textContent('#data-title'), 'Nacos 1.x 数据路径：传播、心跳大小、写入丢失');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0, 'nothing overflows the phone\'s width');
  await page.screenshot({ path: join(SHOTS, 'experiments-zh-CN-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Raft data experiments\' verdict: the core\'s own sentence in English, the same numbers in Chinese', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html?seed=3&commitTrials=5&lostRuns=10&autorun=raft`);
  await page.waitForFunction(() => ['done', 'error'].includes(window.experiments?.raft.status), null, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.experiments.raft.status), 'done', await page.textContent('#error'));
  const core = JSON.parse(await page.evaluate(() => window.experiments.raft.json.lostWrites)).verdict;
  const en = await page.textContent('#raft-verdict');
  assert.equal(en, `${core}.`);
  await page.click('[data-lang=zh-CN]');
  await page.waitForFunction(() => document.querySelector('h1').textContent === '实验');
  const zh = await page.textContent('#raft-verdict');
  assert.match(zh, /^Raft 在 \d+ 次已确认写入中丢失了 \d+ 次；Nacos 1\.0 在 \d+ 次中丢失 \d+ 次，/);
  const all = (text) => (text.match(/\d+(\.\d+)?/g) ?? []).sort();
  assert.deepEqual(all(zh), all(en));
  assert.match(await page.textContent('#raft-commit-table tbody'), /无故障[\s\S]*丢包 0\.01[\s\S]*领导者崩溃[\s\S]*崩溃时在途/);
  assert.deepEqual(problems, []);
  await context.close();
});

/** What the tour bar says, and the stop list's entries. */
const bar = (page, sel) => page.evaluate((s) => {
  const root = document.querySelector(s).shadowRoot;
  return { say: root.querySelector('.say').textContent, list: [...root.querySelectorAll('.stop-list button')].map((b) => b.textContent) };
}, sel);

for (const [width, height, shot] of [[1280, 900, 'tour-zh-CN.png'], [390, 844, 'tour-zh-CN-phone.png']]) {
  test(`tour.html in Chinese: the picker, and each stop's caption from the catalog (${width} wide)`, async () => {
    const zh = { ...await catalog('zh-CN', 'tours'), ...await catalog('zh-CN', 'pages') };
    const { page, context, problems } = await openPage(browser, `${server.url}tour.html?lang=zh-CN`, { viewport: { width, height } });
    await ready(page, '#tour');
    await page.waitForFunction((about) => document.querySelector('#tour').shadowRoot.querySelector('.say').textContent === about, zh['tour.nacos-heartbeats.about']);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.textContent('[data-tour=nacos]'), zh['tourpage.nacos']);
    assert.equal(await page.textContent('[data-tour=figure-8]'), zh['tourpage.figure-8']);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => { const el = document.querySelector('#tour'); return !el.clock.playing && el.run.stopsPassed === 1; }, null, { timeout: 30_000 });
    let s = await bar(page, '#tour');
    assert.equal(s.say, zh['tour.nacos-heartbeats.1']);
    assert.equal(s.list.length, 8);
    assert.ok(s.list.every((b, i) => b.startsWith(`${i + 1}. `) && /[\u4e00-\u9fff]/.test(b) && b.length < 48), JSON.stringify(s.list));
    const kept = new URL(page.url()).searchParams;
    assert.deepEqual([kept.get('lang'), kept.get('stop')], ['zh-CN', '1'], 'the URL keeps the language and the stop');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0, 'nothing overflows the width');
    await page.screenshot({ path: join(SHOTS, shot) });
    if (width > 1000) {
      // Another tour: its own Chinese captions.
      await page.click('[data-tour=raft]');
      await page.waitForFunction((about) => document.querySelector('#tour').shadowRoot.querySelector('.say').textContent === about, zh['tour.raft-heartbeats.about']);
      // EN: the same stop in the script's own words, the page in English.
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('#tour').run.stopsPassed === 1, null, { timeout: 30_000 });
      await page.click('[data-lang=en]');
      const english = TOURS.find((x) => x.name === 'raft-heartbeats').stops[0];
      await page.waitForFunction((en) => document.querySelector('#tour').shadowRoot.querySelector('.say').textContent === en, english);
      assert.equal(await page.textContent('[data-tour=nacos]'), 'Nacos 1.x: seconds');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      s = await bar(page, '#tour');
      assert.ok(s.list.every((b) => !/[\u4e00-\u9fff]/.test(b)), JSON.stringify(s.list));
      assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('a tour follows its page\'s lang; a scenario that is not one of ours keeps its own words', async () => {
  const zh = await catalog('zh-CN', 'tours');
  const { page, context, problems } = await openPage(browser, `${server.url}zh-tour.html`, {
    html: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
      <link rel="stylesheet" href="page.css"><script type="module" src="raft-beat.js"></script></head>
      <body><main><raft-beat id="tour" controls="minimal" scenario-src="tours/nacos-partition.txt"></raft-beat>
      <raft-beat id="own" controls="minimal" scenario="# My own tour.\ncluster model=nacos nodes=3 seed=1\nrun until=1s\n# My own words.\npause"></raft-beat></main></body></html>`,
  });
  await ready(page, '#tour');
  await page.evaluate(() => document.querySelector('#tour').goToStop(4));
  await page.waitForFunction((say) => document.querySelector('#tour').shadowRoot.querySelector('.say').textContent === say, zh['tour.nacos-partition.4']);
  await ready(page, '#own');
  await page.evaluate(() => document.querySelector('#own').goToStop(1));
  assert.equal((await bar(page, '#own')).say, 'My own words.');
  assert.deepEqual(problems, []);
  await context.close();
});
