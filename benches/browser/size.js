// What each page loads, file by file, against the weight budgets, counted
// gzipped (gzip -9), as a reader downloads it (KB = 1000 bytes):
//   - the lab's wasm at most 100 KB;
//   - what index.html loads at startup at most 165 KB;
//   - what an element with controls="none" loads at most 145 KB.
// It also reports the time from navigation to the first drawn frame (the
// element's `raftbeat:first-frame` performance mark), on the lab and in
// embeds, median of FIRST_FRAME_LOADS fresh loads served from this machine
// (no network throttling: it measures fetch, compile and start-up work).
// A quicker check than run.js's size section; run it after `make wasm cli`:
//
//   node benches/browser/size.js
//
// For the lab (index.html) it splits what loads at startup from what loads
// only when the comparison is opened; it also weighs embed.html and, outside
// the budget, experiments.html (with its workers). It exits with 1 while a
// budget is exceeded.
import { startServer, launch, openPage } from '../../tests/e2e/harness.js';
import { WEIGHTS, record, total, kb, weigh } from './weights.js';

const WASM_BUDGET = WEIGHTS.wasm.budget;
const PAGE_BUDGET = WEIGHTS.startup.budget;
const EMBED_NONE_BUDGET = WEIGHTS.embedNone.budget;
const FIRST_FRAME_LOADS = 5;

function print(title, files, budget) {
  console.log(`\n${title}: ${total(files)} bytes gzipped (${kb(total(files))}) in ${files.size} files${budget ? `; budget ${kb(budget)}: ${total(files) <= budget ? 'within' : 'OVER'}` : ''}`);
  for (const [f, b] of [...files].sort((a, c) => c[1] - a[1])) console.log(`  ${String(b).padStart(8)}  ${f}`);
}

/**
 * Milliseconds from navigation to the first drawn frame, for FIRST_FRAME_LOADS
 * loads of `url`, each in a fresh context (an empty cache): sorted.
 */
async function firstFrames(browser, url) {
  const times = [];
  for (let i = 0; i < FIRST_FRAME_LOADS; i++) {
    const { context, page, problems } = await openPage(browser, url);
    const mark = await page.waitForFunction(() => performance.getEntriesByName('raftbeat:first-frame')[0]?.startTime);
    times.push(await mark.jsonValue());
    if (problems.length) throw new Error(problems.join('; '));
    await context.close();
  }
  return times.sort((a, b) => a - b);
}

function printFrames(title, times) {
  const median = times[Math.floor((times.length - 1) / 2)];
  console.log(`first drawn frame, ${title}: median ${median.toFixed(0)} ms of ${times.length} fresh loads (${times.map((t) => t.toFixed(0)).join(', ')})`);
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
  print('embed.html (controls="minimal")', (await weigh(browser, server.url + 'embed.html?seed=7', () => !!document.querySelector('raft-beat')?.simulation)).files);
  {
    // The lightest embed: no controls, so lib/panels.js and its parts never load.
    const { files, problems } = await weigh(browser, server.url + 'embed.html?seed=7&controls=none',
      () => performance.getEntriesByName('raftbeat:first-frame').length > 0);
    if (problems.length) throw new Error(problems.join('; '));
    print('embed.html?controls=none', files, EMBED_NONE_BUDGET);
    over ||= total(files) > EMBED_NONE_BUDGET;
  }
  console.log('');
  printFrames('index.html', await firstFrames(browser, server.url + '#seed=7'));
  printFrames('embed.html (controls="minimal")', await firstFrames(browser, server.url + 'embed.html?seed=7'));
  printFrames('embed.html?controls=none', await firstFrames(browser, server.url + 'embed.html?seed=7&controls=none'));
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
