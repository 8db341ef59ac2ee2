// @ts-check
// Raft's replicated log on the ring: under each node a strip of its newest
// entries, one cell per index coloured by term (the nodes' own palette),
// committed cells solid and the rest faded, a tick after the commit index.
// Every strip covers the same indices (the Run's logData window), so a
// lagging follower shows empty cells where the leader has entries, and a
// conflicting one a red-edged cell of another term. Small nodes (many of
// them) get a bar instead: how far the log reaches in the window, the
// committed part solid. Nothing here moves, so reduced motion changes nothing.
import { LG, LOG_CELL, LOG_CELLS, N } from './core.js';

/** @typedef {import('./render.js').Theme} Theme */
/**
 * Where one node's strip goes: its box (CSS px, the index label included),
 * where its cells start, which side its label is on, and how it is drawn.
 * @typedef {{ id: number, x0: number, y0: number, x1: number, y1: number, cellsX: number, labelRight: boolean, cells: number, mode: 'cells' | 'bar' }} StripBox
 */
/**
 * What the renderer tells the strips: its layout and a term's colour.
 * @typedef {object} StripGeometry
 * @property {Float64Array} pos node centres, x and y by node index
 * @property {number} n @property {number} r node radius
 * @property {number} R ring radius @property {number} cx @property {number} cy the ring's centre
 * @property {number} w @property {number} h canvas size (CSS px)
 * @property {number} extent how far past a node's centre its arcs reach
 * @property {{ x0: number, x1: number, y0: number, y1: number }} clock the clock's box in the middle
 * @property {(term: number) => string} color a term's fill
 */

/** Above this many nodes, bars instead of cells. */
const MAX_CELL_NODES = 16;
/** The fewest cells worth a strip. */
const MIN_CELLS = 5;
/** Cells enough to see a few entries either side of the commit index. */
const GOOD_CELLS = 6;
/** Room for the first index shown ("#12345" at 10 px) beside the cells. */
const LABEL = 34;
const GAP = 1;

/**
 * Lays the strips out for the run's logs: one box per node that has room
 * (below it, else beside it outwards, else above it). Cells where nodes are
 * few and big, as many as fit up to the window (a strip short of room shows
 * fewer, the newest: every strip ends at the window's last index, so they
 * still line up by index); else, or where no cells fit, a bar.
 * @param {import('./core.js').Run} run @param {StripGeometry} g
 * @returns {{ boxes: StripBox[], cell: number }}
 */
export function placeStrips(run, g) {
  if (!run.logs.length || g.n < 1) return { boxes: [], cell: 0 };
  const room = g.n === 1 ? g.w * 0.6 : 2 * g.R * Math.sin(Math.PI / g.n);
  const cell = Math.round(Math.max(7, Math.min(g.r * 0.36, 14)));
  const height = Math.round(cell * 1.25);
  const most = g.n <= MAX_CELL_NODES ? Math.min(LOG_CELLS, Math.floor((Math.min(room, 420) - LABEL) / (cell + GAP))) : 0;
  const barW = Math.max(10, Math.min(room * 0.8, g.r * 2.6)), barH = Math.max(3, Math.min(6, g.r * 0.35));
  /** @type {StripBox[]} */
  const boxes = [];
  for (let i = 0; i < g.n; i++) {
    const x = g.pos[2 * i], y = g.pos[2 * i + 1];
    // The index label on the side away from the ring's middle.
    const right = x > g.cx + 1;
    /** Cells (or a bar, lw 0) of width cw centred at cx, from y top, the label on the right or not. */
    const at = (cx, top, cw, lw, h, labelRight = right) => ({
      x0: labelRight ? cx - cw / 2 : cx - cw / 2 - lw, x1: labelRight ? cx + cw / 2 + lw : cx + cw / 2,
      y0: top, y1: top + h, cellsX: cx - cw / 2, labelRight,
    });
    /** Below, beside (outwards), above; near the canvas's edge the label goes inwards. */
    const spots = (cw, lw, h) => [
      at(x, y + g.extent + 3, cw, lw, h),
      at(x, y + g.extent + 3, cw, lw, h, !right),
      at(right ? x + g.extent + 4 + cw / 2 : x - g.extent - 4 - cw / 2, y - h / 2, cw, lw, h),
      at(x, y - g.extent - 3 - h, cw, lw, h),
      at(x, y - g.extent - 3 - h, cw, lw, h, !right),
    ];
    let placed = null;
    const apart = (b, gap) => boxes.every((o) => b.x1 + gap < o.x0 || o.x1 + gap < b.x0 || b.y1 + gap < o.y0 || o.y1 + gap < b.y0);
    const free = (b) => fits(b, i, g) && apart(b, 6);
    const tryCells = (k, at) => {
      const spot = spots(k * (cell + GAP), LABEL, height)[at];
      if (free(spot)) placed = { id: i + 1, ...spot, cells: k, mode: /** @type {const} */ ('cells') };
    };
    // The first spot with enough cells (GOOD_CELLS) wins over more cells
    // further off; short of that, as many as fit anywhere.
    const good = Math.max(MIN_CELLS, Math.min(most, GOOD_CELLS));
    for (let at = 0; at < 5 && !placed; at++) for (let k = most; k >= good && !placed; k--) tryCells(k, at);
    for (let k = good - 1; k >= MIN_CELLS && !placed; k--) for (let at = 0; at < 5 && !placed; at++) tryCells(k, at);
    if (!placed) {
      // A bar goes inwards (shorter where its neighbours' crowd it): outside
      // the ring of a big cluster are the node names.
      const ux = g.cx - x, uy = g.cy - y, len = Math.hypot(ux, uy) || 1;
      const inward = (bw) => {
        const reach = g.extent * 0.8 + 3 + Math.abs(ux / len) * bw / 2 + Math.abs(uy / len) * barH / 2;
        return at(x + (ux / len) * reach, y + (uy / len) * reach - barH / 2, bw, 0, barH);
      };
      const spot = [inward(barW), inward(barW * 0.6), ...(g.n <= 12 ? spots(barW, 0, barH) : [])]
        .find((b) => fits(b, i, g) && apart(b, 1));
      if (spot) placed = { id: i + 1, ...spot, cells: 0, mode: /** @type {const} */ ('bar') };
    }
    if (placed) boxes.push(placed);
  }
  return { boxes, cell };
}

/**
 * Whether box b stays on the canvas, off the clock, off every node but its
 * own (index own), and nearer its own than any other (so it reads as its own).
 */
function fits(b, own, g) {
  if (b.x0 < 2 || b.x1 > g.w - 2 || b.y0 < 2 || b.y1 > g.h - 2) return false;
  const c = g.clock;
  if (b.x1 > c.x0 && b.x0 < c.x1 && b.y1 > c.y0 && b.y0 < c.y1) return false;
  const away = (j) => {
    const nx = g.pos[2 * j], ny = g.pos[2 * j + 1];
    return Math.hypot(Math.max(b.x0 - nx, 0, nx - b.x1), Math.max(b.y0 - ny, 0, ny - b.y1));
  };
  const mine = away(own);
  for (let j = 0; j < g.n; j++) {
    if (j === own) continue;
    const d = away(j);
    if (d < g.extent || d < mine + 4) return false;
  }
  return true;
}

/**
 * Draws the strips placed by placeStrips. Returns what it showed, per
 * node: {id, first (the first index drawn), cells, last, commit, mode}.
 * @param {CanvasRenderingContext2D} ctx @param {Theme} theme @param {import('./core.js').Run} run
 * @param {ReturnType<typeof placeStrips>} place @param {StripGeometry} g
 */
export function drawStrips(ctx, theme, run, place, g) {
  const stride = LG.stride + LOG_CELLS, d = run.logs, nodes = run.nodes;
  const shown = [];
  // The one live leader's terms, to mark a follower's cell that differs.
  const leader = run.leaders.length === 1 ? run.leaders[0].id : 0;
  const lo = leader ? (leader - 1) * stride + LG.stride : -1;
  // The newest index of any log: a strip of k cells ends there (or covers
  // the window's first k indices while the logs are shorter than k).
  let newest = 0;
  for (let o = 0; o + stride <= d.length; o += stride) newest = Math.max(newest, d[o + LG.last]);
  for (const b of place.boxes) {
    const o = (b.id - 1) * stride;
    if (o + stride > d.length) continue;
    const first = d[o + LG.first], last = d[o + LG.last], commit = d[o + LG.commit];
    const alive = nodes[(b.id - 1) * N.stride + N.alive] === 1;
    ctx.globalAlpha = alive ? 1 : 0.45;
    if (b.mode === 'cells') {
      const skip = Math.max(0, Math.min(LOG_CELLS, newest - first + 1) - b.cells), from = first + skip;
      drawCells(ctx, theme, d, o + LG.stride + skip, lo >= 0 && b.id !== leader ? lo + skip : -1, from, commit, place.cell, b, g);
      shown.push({ id: b.id, first: from, cells: b.cells, last, commit, mode: b.mode });
    } else {
      drawBar(ctx, theme, first, last, d[o + LG.lastTerm], commit, b, g);
      shown.push({ id: b.id, first, cells: 0, last, commit, mode: b.mode });
    }
    ctx.globalAlpha = 1;
  }
  return shown;
}

/**
 * One strip of cells: index `from` at the left; `at` the offset of its
 * first term in d, `lead` the leader's (-1: none, or this is the leader).
 */
function drawCells(ctx, theme, d, at, lead, from, commit, cell, b, g) {
  const cells = b.cells;
  const h = b.y1 - b.y0, x0 = b.cellsX;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = b.labelRight ? 'left' : 'right';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.muted;
  ctx.fillText(`#${from}`, b.labelRight ? x0 + cells * (cell + GAP) + 3 : x0 - 3, b.y0 + h / 2);
  const numbers = cell >= 10;
  if (numbers) { ctx.font = `600 ${Math.round(cell * 0.72)}px system-ui, sans-serif`; ctx.textAlign = 'center'; }
  for (let k = 0; k < cells; k++) {
    const term = d[at + k], index = from + k, x = x0 + k * (cell + GAP);
    if (term === LOG_CELL.none) {
      ctx.strokeStyle = theme.track; ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, b.y0 + 0.5, cell - 1, h - 1);
      continue;
    }
    if (term === LOG_CELL.compacted) {
      // In a snapshot: a flat grey cell, no term.
      ctx.fillStyle = theme.track;
      ctx.fillRect(x, b.y0 + h * 0.35, cell, h * 0.3);
      continue;
    }
    const committed = index <= commit;
    ctx.fillStyle = g.color(term);
    ctx.globalAlpha *= committed ? 1 : 0.4;
    ctx.fillRect(x, b.y0, cell, h);
    ctx.globalAlpha /= committed ? 1 : 0.4;
    const conflict = lead >= 0 && d[lead + k] >= 0 && d[lead + k] !== term;
    ctx.strokeStyle = conflict ? theme.lost : committed ? theme.fg : theme.muted;
    ctx.lineWidth = conflict ? 2 : 1;
    if (!committed && !conflict) ctx.setLineDash([2, 2]);
    ctx.strokeRect(x + 0.5, b.y0 + 0.5, cell - 1, h - 1);
    ctx.setLineDash([]);
    if (numbers) {
      ctx.fillStyle = committed ? '#111827' : theme.fg;
      ctx.fillText(String(term), x + cell / 2, b.y0 + h / 2 + 0.5);
    }
  }
  // The commit index: a tick after its cell, past the strip's edges.
  if (commit >= from) {
    const k = Math.min(commit - from + 1, cells);
    const x = x0 + k * (cell + GAP) - GAP / 2;
    ctx.strokeStyle = theme.commit; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x, b.y0 - 3); ctx.lineTo(x, b.y1 + 3); ctx.stroke();
  }
}

/** A bar for a small node: the window's width, filled to its last index, solid to its commit. */
function drawBar(ctx, theme, first, last, lastTerm, commit, b, g) {
  const w = b.x1 - b.x0, h = b.y1 - b.y0;
  // The bar has no label: its box is the bar.
  const part = (i) => Math.max(0, Math.min(1, (i - first + 1) / LOG_CELLS)) * w;
  ctx.fillStyle = theme.track;
  ctx.fillRect(b.x0, b.y0, w, h);
  const color = g.color(lastTerm);
  ctx.fillStyle = color;
  ctx.globalAlpha *= 0.45;
  ctx.fillRect(b.x0, b.y0, part(last), h);
  ctx.globalAlpha /= 0.45;
  ctx.fillRect(b.x0, b.y0, part(Math.min(commit, last)), h);
  if (commit >= first) {
    const x = b.x0 + part(commit);
    ctx.strokeStyle = theme.commit; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(x, b.y0 - 2); ctx.lineTo(x, b.y1 + 2); ctx.stroke();
  }
}
