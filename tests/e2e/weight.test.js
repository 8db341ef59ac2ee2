// The weight gate: what a reader downloads, gzipped, must stay under each
// ceiling in benches/browser/weights.js (the budgets' story is there, and
// `node benches/browser/size.js` lists every file to find what grew).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch } from './harness.js';
import { WEIGHTS, weigh as weighUrl, total, kb } from '../../benches/browser/weights.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** The files `path` loads until `loaded` holds in the page, and a moment more: path -> gzipped bytes. */
async function weigh(path, loaded) {
  const { files, problems } = await weighUrl(browser, server.url + path, loaded);
  assert.deepEqual(problems, []);
  return files;
}

/** @param {keyof typeof WEIGHTS} key @param {number} bytes */
function underCeiling(key, bytes) {
  const { what, budget, ceiling } = WEIGHTS[key];
  assert.ok(bytes <= ceiling,
    `${what} is ${kb(bytes)} gzipped (${bytes} bytes), above its ceiling of ${kb(ceiling)} (the budget is ${kb(budget)}): ` +
    'find what grew with `node benches/browser/size.js`, and raise the ceiling in benches/browser/weights.js only if it is worth it');
}

test('the lab at startup, and its wasm, stay under their ceilings', async () => {
  const files = await weigh('#seed=7', () => !!window.raftbeat?.sim);
  const wasm = files.get('/pkg/raftbeat_bg.wasm');
  assert.ok(wasm > 0, 'the lab loaded its wasm');
  underCeiling('wasm', wasm);
  underCeiling('startup', total(files));
  assert.ok(![...files.keys()].some((f) => f.includes('compare')), 'the comparison loads only when opened');
});

test('an element with controls="none" stays under its ceiling, without the panels', async () => {
  const files = await weigh('embed.html?seed=7&controls=none', () => performance.getEntriesByName('raftbeat:first-frame').length > 0);
  assert.ok(![...files.keys()].some((f) => f.endsWith('/panels.js')), 'no panels without controls');
  underCeiling('embedNone', total(files));
});
