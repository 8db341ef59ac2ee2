// What each page loads, file by file, against the lab's size budget, counted
// gzipped (gzip -9), as a reader downloads it: the wasm at most 100 KB, what
// index.html loads at startup at most 165 KB (KB = 1000 bytes). A quicker check than run.js's size
// section; run it after `make wasm cli`:
//
//   node benches/browser/size.js
//
// For the lab (index.html) it splits what loads at startup from what loads
// only when the comparison is opened; it also weighs embed.html and, outside
// the budget, experiments.html (with its workers). It exits with 1 while the
// lab is over its budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startServer, launch, openPage, SITE } from '../../tests/e2e/harness.js';

const WASM_BUDGET = 100_000;
const PAGE_BUDGET = 165_000;

/**
 * Records the path of every file a context requests (workers included); its
 * size is the file's as served (target/site/: www/ with its modules
 * minified), gzipped at level 9. Reading the bodies
 * back through the browser (r.body()) gives the same numbers but stalled
 * Playwright in some runs here.
 */
function record(context) {
  const paths = new Set();
  context.on('request', (r) => { if (!r.url().startsWith('data:')) paths.add(new URL(r.url()).pathname); });
  return () => {
    const out = new Map([...paths].map((p) => [p, gzipSync(readFileSync(join(SITE, p.endsWith('/') ? `${p}index.html` : p)), { level: 9 }).length]));
    paths.clear();
    return out;
  };
}

const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
function print(title, files, budget) {
  console.log(`\n${title}: ${total(files)} bytes gzipped (${kb(total(files))}) in ${files.size} files${budget ? `; budget ${kb(budget)}: ${total(files) <= budget ? 'within' : 'OVER'}` : ''}`);
  for (const [f, b] of [...files].sort((a, c) => c[1] - a[1])) console.log(`  ${String(b).padStart(8)}  ${f}`);
}

const server = await startServer();
const browser = await launch();
let over = false;
try {
  // The lab: the first frame with a live simulation, then a moment of play.
  {
    const { context, page, problems } = await openPage(browser, server.url + '#seed=7');
    const take = record(context);
    await page.reload();
    await page.waitForFunction(() => !!window.raftbeat?.sim);
    await page.waitForTimeout(1000);
    const startup = take();
    await page.click('[data-cmp="rejoin"]');
    await page.waitForTimeout(1000);
    const lazy = take();
    if (problems.length) throw new Error(problems.join('; '));
    print('index.html at startup', startup, PAGE_BUDGET);
    print('index.html, more when the comparison is opened', lazy);
    const all = new Map([...startup, ...lazy]);
    print('index.html, everything', all);
    const wasm = all.get('/pkg/raftbeat_bg.wasm');
    console.log(`\nthe lab's wasm: ${wasm} bytes gzipped (${kb(wasm)}); budget ${kb(WASM_BUDGET)}: ${wasm <= WASM_BUDGET ? 'within' : 'OVER'}`);
    over = total(startup) > PAGE_BUDGET || wasm > WASM_BUDGET;
    await context.close();
  }
  {
    const { context, page } = await openPage(browser, server.url + 'embed.html?seed=7');
    const take = record(context);
    await page.reload();
    await page.waitForFunction(() => !!document.querySelector('raft-beat')?.simulation);
    await page.waitForTimeout(500);
    print('embed.html', take());
    await context.close();
  }
  {
    const { context, page } = await openPage(browser, server.url + 'experiments.html?seed=1&trials=10&failover=10&workers=1&autorun=1');
    const take = record(context);
    await page.reload();
    await page.waitForFunction(() => ['done', 'error', 'failed'].includes(window.experiments?.status), null, { timeout: 60_000 });
    print('experiments.html with one worker (no budget)', take());
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
process.exitCode = over ? 1 : 0;
