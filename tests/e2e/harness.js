// Shared setup for the end-to-end tests: the page served exactly as
// `make serve` serves it (the raftbeat binary's static server, over the
// minified site that tools/build-site.mjs builds from www/), and Debian's
// Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSite, SITE } from '../../tools/build-site.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = join(ROOT, 'target', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export { SITE };

/**
 * Brings target/site/ up to date with www/ (so a test never runs stale
 * copies), then starts `raftbeat serve` over it on a free port; resolves to
 * { url, stop }. `dir`: another directory to serve instead (a bundler's output).
 */
export async function startServer(dir = SITE) {
  if (dir === SITE) await buildSite();
  const bin = join(ROOT, 'target', 'release', 'raftbeat');
  const child = spawn(bin, ['serve', '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/[\d.]+:\d+\//);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { url, stop: () => child.kill() };
}

function chromiumPath() {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try { return execFileSync('which', [name]).toString().trim(); } catch { /* next */ }
  }
  throw new Error('no Chromium on PATH: run `make test`, which installs Debian\'s chromium');
}

/**
 * Launches headless Chromium the way this machine allows (no sandbox as root,
 * no background networking). `extraArgs`: more switches, e.g. V8's
 * `--js-flags=--expose-gc` for a test that collects garbage.
 */
export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

/**
 * Opens a page that records console messages, page errors and requests to
 * other hosts. `html`, if given, is served as the page at `url` (a bare test
 * page on the served origin), with `headers` if given.
 */
export async function openPage(browser, url, { html, headers, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  if (html !== undefined) await context.route(url, (route) => route.fulfill({ contentType: 'text/html', headers, body: html }));
  const page = await context.newPage();
  const problems = [];
  const foreign = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  const origin = new URL(url).origin;
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  await page.goto(url);
  return { page, context, problems, foreign };
}

/** Counts canvas pixels that differ from the corner pixel (the background). */
export async function paintedPixels(page, selector = 'canvas') {
  return page.$eval(selector, (c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) painted++;
    }
    return painted;
  });
}
