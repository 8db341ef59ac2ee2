// Helpers for the lab's end-to-end tests: what the page shows, read the way
// a person reads it (text, the drawn canvas), plus the element's own record
// of what it drew, for exact checks.

import { openPage } from './harness.js';

/** The text of an element inside <raft-beat id=lab> (playwright pierces the shadow root). */
export async function text(page, selector, host = '#lab') {
  return (await page.locator(`${host} ${selector}`).first().textContent()).trim();
}

/** Waits until the leader status line matches `re`; returns the text. */
export async function waitForStatus(page, re, timeout = 30_000, host = '#lab') {
  const loc = page.locator(`${host} .beats .who`);
  await loc.filter({ hasText: re }).first().waitFor({ timeout });
  return (await loc.first().textContent()).trim();
}

/** Where node `id` is on screen (page coordinates) and its radius. */
export async function nodeOnScreen(page, id, host = '#lab') {
  return page.evaluate(([sel, id]) => {
    const el = document.querySelector(sel);
    const p = el.renderer.nodeAt(id);
    const b = el.canvas.getBoundingClientRect();
    return { x: b.left + p.x, y: b.top + p.y, r: p.r };
  }, [host, id]);
}

/**
 * Counts pixels near node `id` whose colour is close to `rgb` (the crown is
 * gold): how a test sees that a node is drawn as leader.
 */
export async function colouredPixelsNear(page, id, rgb, host = '#lab') {
  return page.evaluate(([sel, id, rgb]) => {
    const el = document.querySelector(sel);
    const p = el.renderer.nodeAt(id);
    const dpr = el.renderer.dpr;
    const box = p.r * 2.2;
    const x0 = Math.max(0, Math.round((p.x - box) * dpr)), y0 = Math.max(0, Math.round((p.y - box) * dpr));
    const w = Math.min(el.canvas.width - x0, Math.round(2 * box * dpr)), h = Math.min(el.canvas.height - y0, Math.round(2 * box * dpr));
    // Read a copy made for reading, so the page's own canvas is never read back.
    const copy = document.createElement('canvas');
    copy.width = w; copy.height = h;
    const ctx = copy.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(el.canvas, x0, y0, w, h, 0, 0, w, h);
    const data = ctx.getImageData(0, 0, w, h).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - rgb[0]) < 40 && Math.abs(data[i + 1] - rgb[1]) < 40 && Math.abs(data[i + 2] - rgb[2]) < 40) n++;
    }
    return n;
  }, [host, id, rgb]);
}

/** The crown's gold (LIGHT.crown, #eab308). */
export const GOLD = [0xea, 0xb3, 0x08];

/** The lab's state for comparisons: time, node data, leaders, actions. */
export async function snapshot(page, host = '#lab') {
  return page.evaluate((sel) => {
    const run = document.querySelector(sel).run;
    return {
      time: run.sim.timeMs,
      nodes: Array.from(run.sim.nodeData()),
      leaders: run.leaders.map((l) => l.id),
      actions: run.allActions().map((a) => `${a.t}:${a.command}`),
      events: run.sim.eventCount,
    };
  }, host);
}

/** Opens a shared link and waits until the page has replayed it; returns what openPage returns. */
export async function openShared(browser, url, host = '#lab') {
  const opened = await openPage(browser, url);
  await ready(opened.page, host);
  await opened.page.locator(`${host} .announce`, { hasText: 'Replayed the shared run' }).waitFor();
  return opened;
}

/** Waits for the element's `ready` promise. */
export async function ready(page, host = '#lab') {
  await page.waitForFunction((sel) => document.querySelector(sel)?.run, host, { timeout: 15_000 });
  await page.evaluate((sel) => document.querySelector(sel).ready, host);
}
