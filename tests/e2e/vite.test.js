// The npm package in a real bundled site: a Vite project (tests/e2e/vite-site/,
// vite pinned with its package-lock.json) copied to target/vite-site/, the
// package's tarball (make package) installed into it, `vite build`, and the
// built dist/ opened in Chromium.
//
// The install: `npm ci` from the committed lock, skipped while
// node_modules/ was installed from the same lock (a stamp holds the lock it
// came from), so a second run costs nothing. The package itself is then
// unpacked into node_modules/raftbeat/ as npm would unpack it (it has no
// dependencies and no install scripts): kept out of the lock, because the
// tarball's integrity hash changes with every build, and a lock naming it
// could not be reproduced with `npm ci`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SHOTS, startServer, launch, openPage, paintedPixels } from './harness.js';
import { tarball } from '../../tools/pack.mjs';

const SOURCE = join(ROOT, 'tests', 'e2e', 'vite-site');
const SITE = join(ROOT, 'target', 'vite-site');
const STAMP = join(SITE, 'node_modules', '.installed-from-lock');

/** target/vite-site/ with the committed project, its dependencies installed, the package unpacked. */
function prepare() {
  mkdirSync(SITE, { recursive: true });
  for (const f of readdirSync(SOURCE)) cpSync(join(SOURCE, f), join(SITE, f));
  const lock = readFileSync(join(SOURCE, 'package-lock.json'), 'utf8');
  if (!existsSync(STAMP) || readFileSync(STAMP, 'utf8') !== lock) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: SITE, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(STAMP, lock);
  }
  const tgz = tarball();
  assert.ok(existsSync(tgz), `${tgz} is missing: run make package`);
  const installed = join(SITE, 'node_modules', 'raftbeat');
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed);
  execFileSync('tar', ['-xzf', tgz, '-C', installed, '--strip-components=1']);
}

/** `vite build` into dist/; returns what it printed. */
function build() {
  rmSync(join(SITE, 'dist'), { recursive: true, force: true });
  return execFileSync(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), 'build'],
    { cwd: SITE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
}

let server, unbundled, browser, output;
before(async () => {
  prepare();
  output = build();
  server = await startServer(join(SITE, 'dist'));
  unbundled = await startServer(SITE);
  browser = await launch();
});
after(async () => { await browser?.close(); server?.stop(); unbundled?.stop(); });

test('vite build emits the core into dist/assets/ and the built site runs <raft-beat>', async () => {
  const assets = readdirSync(join(SITE, 'dist', 'assets'));
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `dist/assets: ${assets.join(', ')}\n${output}`);
  assert.ok(!/warn|error/i.test(output), output);

  const { page, context, problems, foreign } = await openPage(browser, server.url);
  await page.waitForFunction(() => document.getElementById('demo').simulation?.leader() !== undefined, null, { timeout: 20_000 });
  const t0 = await page.evaluate(() => document.getElementById('demo').simulation.timeMs);
  await page.waitForFunction((t) => document.getElementById('demo').simulation.timeMs > t, t0, { timeout: 10_000 });
  const seen = await page.evaluate(() => ({
    model: document.getElementById('demo').simulation.model,
    leader: document.getElementById('demo').simulation.leader(),
    toolbar: !!document.getElementById('demo').shadowRoot.querySelector('.toolbar'),
    wasm: performance.getEntriesByType('resource')
      .filter((e) => e.name.endsWith('.wasm'))
      .map((e) => ({ path: new URL(e.name).pathname, status: /** @type {any} */ (e).responseStatus })),
  }));
  assert.equal(seen.model, 'nacos');
  assert.ok(seen.leader >= 1 && seen.leader <= 5, `leader ${seen.leader}`);
  assert.ok(seen.toolbar, 'the controls (a module split off by the bundler) loaded');
  assert.deepEqual(seen.wasm, [{ path: `/assets/${wasm[0]}`, status: 200 }]);
  assert.ok(await paintedPixels(page, '#demo >> canvas') > 10_000);
  await page.screenshot({ path: join(SHOTS, 'vite-site.png') });
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test('the installed package also runs unbundled, served as it is', async () => {
  const html = '<link rel="icon" href="data:,"><script type="module" src="./node_modules/raftbeat/raft-beat.js"></script>'
    + '<raft-beat id="demo" model="raft" nodes="3" seed="9" speed="0.3" controls="none" autoplay></raft-beat>';
  const { page, context, problems, foreign } = await openPage(browser, `${unbundled.url}unbundled.html`, { html });
  await page.waitForFunction(() => document.getElementById('demo').simulation?.leader() !== undefined, null, { timeout: 20_000 });
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('.wasm')).map((e) => new URL(e.name).pathname));
  assert.deepEqual(wasm, ['/node_modules/raftbeat/pkg/raftbeat_bg.wasm']);
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
  await context.close();
});
