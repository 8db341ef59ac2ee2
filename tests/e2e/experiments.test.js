// The Experiments view: runs Figure 16 and the Nacos failover in Web
// Workers, draws the CDFs, and gives the same numbers as the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, launch, openPage, paintedPixels, ROOT, SHOTS } from './harness.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const cli = (...args) => execFileSync(join(ROOT, 'target', 'release', 'raftbeat'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const done = (page, timeout = 60_000) => page.waitForFunction(() => ['done', 'error', 'cancelled', 'failed'].includes(window.experiments?.status), null, { timeout });

test('a run draws both Figure 16 graphs and the Nacos CDF, with the numbers of the CLI', async () => {
  const { page, context, problems, foreign } = await openPage(browser, `${server.url}experiments.html?seed=5&trials=20&failover=20&autorun=1`);
  await done(page);
  assert.equal(await page.evaluate(() => window.experiments.status), 'done', await page.textContent('#error'));
  assert.match(await page.textContent('#status'), /^Done: 202 trials in [\d.]+ s on \d workers?, seed 5\.$/);
  assert.deepEqual(await page.$eval('#progress', (p) => [p.value, p.max]), [202, 202]);

  // Figure 16: the same JSON as `raftbeat experiment fig16 --trials 20 --seed 5 --format json`.
  const pageJson = JSON.parse(await page.evaluate(() => window.experiments.fig16Json()));
  assert.deepEqual(pageJson, JSON.parse(cli('experiment', 'fig16', '--trials', '20', '--seed', '5', '--format', 'json')));
  assert.equal(pageJson.length, 10);
  assert.deepEqual(pageJson.map((l) => l.range_ms.join('-')), ['150-150', '150-151', '150-155', '150-175', '150-200', '150-300', '12-24', '25-50', '50-100', '100-200']);
  // The Nacos failover too.
  const nacos = await page.evaluate(() => window.experiments.failoverSummary);
  assert.deepEqual(nacos, JSON.parse(cli('experiment', 'nacos-failover', '--trials', '20', '--seed', '5', '--format', 'json')));

  // The table: a row a line, with its numbers and the paper's.
  const rows = await page.$$eval('#fig16-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.equal(rows.length, 10);
  assert.deepEqual(rows[0].slice(0, 3), ['top', '150-150', '2']);
  const r155 = rows.find((r) => r[1] === '150-155');
  assert.equal(r155[9], 'median 287');
  assert.match(r155[10], /^(ok|FAIL): median [\d.]+ within 20% of 287ms$/);
  assert.ok(rows.every((r) => r.slice(3, 9).every((v) => /^[\d\u2009]+(\.\d)?$/.test(v))), JSON.stringify(rows));
  const nrows = await page.$$eval('#nacos-table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
  assert.deepEqual(nrows, ['total', 'detection', 'election', 'propagation']);

  // The graphs are drawn: curves, axes and the paper's marks.
  for (const id of ['#top', '#bottom', '#nacos']) {
    const painted = await paintedPixels(page, id);
    assert.ok(painted > 8_000, `${id} has ${painted} painted pixels`);
  }
  assert.equal(await page.$$eval('#top-legend li', (li) => li.length), 6);
  assert.equal(await page.$$eval('#bottom-legend li', (li) => li.length), 5);
  assert.match(await page.textContent('#fig16-setup'), /latency 0\.2\u20130\.4 ms; before a server sends a vote request or a vote it writes its term and vote to disk \(1\u20134 ms a write/);

  // The JSON block shows what the CLI prints.
  assert.match(await page.textContent('#json'), /^\[\n\{"range_ms":\[150,150\],"trials":2,/);
  await page.screenshot({ path: join(SHOTS, 'experiments.png'), fullPage: true });
  assert.deepEqual(problems, [], 'console errors or warnings');
  assert.deepEqual(foreign, [], 'requests to other hosts');
  await context.close();
});

test('on a phone the charts stay tall enough to read', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html?seed=5&trials=20&failover=20&autorun=1`, {
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  await done(page);
  const heights = await page.$$eval('canvas', (cs) => Object.fromEntries(cs.map((c) => [c.id, Math.round(c.getBoundingClientRect().height)])));
  for (const [id, h] of Object.entries(heights)) assert.ok(h >= 200, `#${id} is ${h} px tall: ${JSON.stringify(heights)}`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0);
  await page.screenshot({ path: join(SHOTS, 'experiments-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the slowest trial of a line replays as a scenario script', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html?seed=2&trials=10&failover=0&autorun=1`);
  await done(page);
  const row = page.locator('#fig16-table tbody tr', { hasText: '150-200' });
  const trial = Number((await row.locator('button').textContent()).slice(1));
  await row.locator('button').click();
  await page.waitForFunction(() => document.getElementById('replay-script').textContent.length > 0);
  const script = await page.textContent('#replay-script');
  assert.equal(script, cli('experiment', 'fig16', '--seed', '2', '--replay', `150-200:${trial}`));
  assert.ok(await page.$eval('#replay', (d) => d.open && !d.hidden));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bad seed is refused with the rule, and a run can be cancelled and run again', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html`);
  await page.waitForFunction(() => ['idle', 'failed'].includes(window.experiments?.status));
  assert.equal(await page.evaluate(() => window.experiments.status), 'idle', await page.textContent('#error'));
  await page.fill('#seed', '12abc');
  await page.click('#run');
  assert.equal(await page.textContent('#error'), 'Seed: must be a whole number from 0 to 18446744073709551615, got `12abc`');
  assert.equal(await page.evaluate(() => window.experiments.status), 'idle');
  await page.fill('#seed', '18446744073709551616');
  await page.click('#run');
  assert.match(await page.textContent('#error'), /got `18446744073709551616`$/);

  await page.fill('#seed', '3');
  await page.selectOption('#trials', '1000');
  await page.click('#run');
  assert.equal(await page.evaluate(() => window.experiments.status), 'running');
  assert.ok(await page.$eval('#error', (e) => e.hidden));
  assert.ok(await page.$eval('#trials', (s) => s.disabled), 'settings are locked while running');
  await page.click('#cancel');
  assert.equal(await page.evaluate(() => window.experiments.status), 'cancelled');
  assert.match(await page.textContent('#status'), /^Cancelled after [\d\u2009]+ trials/);
  assert.ok(await page.$eval('#run', (b) => !b.disabled) && await page.$eval('#cancel', (b) => b.disabled));

  await page.selectOption('#trials', '100');
  await page.selectOption('#failover', '0');
  await page.click('#run');
  await done(page);
  assert.equal(await page.evaluate(() => window.experiments.status), 'done');
  assert.equal(new URL(page.url()).search, '?seed=3&trials=100&failover=0', 'the run is in the URL, to share');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Nacos data experiments run in workers and give the JSON of the CLI', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html?seed=7&keys=1000&lost=20&autorun=data`);
  await page.waitForFunction(() => ['done', 'error'].includes(window.experiments?.data.status), null, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.experiments.data.status), 'done', await page.textContent('#error'));
  assert.match(await page.textContent('#data-status'), /^Done in [\d.]+ s on \d workers?, seed 7\.$/);
  const json = await page.evaluate(() => window.experiments.data.json);
  assert.equal(json.propagation, cli('experiment', 'nacos-propagation', '--seed', '7', '--format', 'json'));
  assert.equal(json.beatSize, cli('experiment', 'nacos-beat-size', '--keys', '10,100,1000', '--seed', '7', '--format', 'json'));
  assert.equal(json.lostWrites, cli('experiment', 'nacos-lost-writes', '--runs', '20', '--seed', '7', '--format', 'json'));
  assert.equal(await page.textContent('#data-json'), json.propagation + json.beatSize + json.lostWrites);

  // The tables: two loss lines of propagation, three key counts, four release and loss lines.
  const cells = (id) => page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const prop = await cells('prop-table');
  assert.deepEqual([...new Set(prop.map((r) => r[0]))], ['0', '0.1']);
  assert.ok(prop.some((r) => r[0] === '0.1' && r[1] === 'every follower, repaired'), JSON.stringify(prop));
  const beat = await cells('beat-table');
  assert.deepEqual(beat.map((r) => r[0]), ['10', '100', '1\u2009000']);
  const lost = await cells('lost-table');
  assert.deepEqual(lost.map((r) => `${r[0]} ${r[1]}`), ['1.2 0', '1.2 0.05', '1.4 0', '1.4 0.05']);
  assert.equal(new URL(page.url()).search, '?seed=7&keys=1000&lost=20', 'the run is in the URL, to share');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Raft data experiments run in workers and give the JSON of the CLI', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}experiments.html?seed=3&commitTrials=5&lostRuns=10&autorun=raft`);
  await page.waitForFunction(() => ['done', 'error'].includes(window.experiments?.raft.status), null, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.experiments.raft.status), 'done', await page.textContent('#error'));
  assert.match(await page.textContent('#raft-data-status'), /^Done in [\d.]+ s on \d workers?, seed 3\.$/);
  const json = await page.evaluate(() => window.experiments.raft.json);
  assert.equal(json.commit, cli('experiment', 'raft-commit-latency', '--trials', '5', '--seed', '3', '--format', 'json'));
  assert.equal(json.lostWrites, cli('experiment', 'lost-writes', '--runs', '10', '--seed', '3', '--format', 'json'));
  assert.equal(await page.textContent('#raft-data-json'), json.commit + json.lostWrites);

  const cells = (id) => page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const commit = await cells('raft-commit-table');
  assert.deepEqual(commit.map((r) => r[0]), ['no faults', 'loss 0.01', 'loss 0.05', 'leader crash', 'in flight at the crash', 'invoked 1 s after it']);
  assert.ok(commit.slice(0, 4).every((r) => /^[\d.]+$/.test(r[6])), JSON.stringify(commit));
  assert.match(await page.textContent('#raft-recovery'), /^From the leader crash to the first ok of a write invoked after it: median [\d.]+ ms/);
  const lost = await cells('raft-lost-table');
  assert.deepEqual(lost.map((r) => `${r[0]} ${r[1]}`), ['raft 0', 'nacos 1.0 0', 'nacos 1.1 0', 'nacos 1.2 0', 'nacos 1.3 0', 'nacos 1.4 0',
    'raft 0.05', 'nacos 1.0 0.05', 'nacos 1.1 0.05', 'nacos 1.2 0.05', 'nacos 1.3 0.05', 'nacos 1.4 0.05']);
  assert.ok(lost.filter((r) => r[0] === 'raft').every((r) => r[4] === '0'), JSON.stringify(lost));
  assert.match(await page.textContent('#raft-verdict'), /^Raft lost 0 of [\d]+ acknowledged writes; Nacos 1\.0 lost \d+ of \d+/);
  assert.equal(new URL(page.url()).search, '?seed=3&commitTrials=5&lostRuns=10', 'the run is in the URL, to share');
  assert.deepEqual(problems, []);
  await context.close();
});
