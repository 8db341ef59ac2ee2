// @ts-check
// Draws one Run on a canvas: nodes on a ring, a colour per term, the role at
// a glance, the leader crowned, both protocol clocks as arcs, messages as
// moving dots by kind, lost messages bursting where they were lost,
// partitions as walls, cut links, crashed nodes grey. Reads the Run's
// snapshot only; knows nothing of controls.
import { N, M, ROLES, KINDS, LAYOUT } from './core.js';
import { bytesText } from './datums.js';
import { placeStrips, drawStrips } from './logstrip.js';
import { t } from './i18n.js';

const TAU = Math.PI * 2;
/** Simulated ms a stalled message takes to reach the wall. */
const STALL_REACH_MS = 4;
/** How long a lost message stays on screen (wall ms), at most. */
const LOST_MS = 900;
const MAX_LOST = 160;

export const LIGHT = {
  bg: '#ffffff', fg: '#111827', muted: '#6b7280', track: '#e5e7eb', due: '#374151', dueLow: '#dc2626',
  beatDue: '#059669', beat: '#2563eb', vote: '#d97706', prevote: '#7c3aed', query: '#6b7280',
  lost: '#dc2626', crown: '#eab308', crashed: '#c7ccd4', wall: '#b91c1c', select: '#2563eb', ok: '#059669',
  commit: '#0d9488', pull: '#db2777', del: '#9f1239', snapshot: '#0e7490', chip: '#f3f4f6', stale: '#fef3c7', staleFg: '#92400e',
  terms: ['#e5e7eb', '#93c5fd', '#86efac', '#fcd34d', '#c4b5fd', '#f9a8d4', '#5eead4', '#fdba74', '#fca5a5'],
  halos: ['rgba(148,163,184,0.16)', 'rgba(59,130,246,0.14)', 'rgba(245,158,11,0.16)', 'rgba(16,185,129,0.14)', 'rgba(236,72,153,0.13)'],
};
/** @typedef {typeof LIGHT} Theme */

export const DARK = {
  ...LIGHT, bg: '#111827', fg: '#f3f4f6', muted: '#9ca3af', track: '#374151', due: '#d1d5db', crashed: '#4b5563',
  beat: '#60a5fa', vote: '#fbbf24', prevote: '#a78bfa', query: '#9ca3af', select: '#60a5fa', wall: '#f87171', lost: '#f87171',
  commit: '#2dd4bf', pull: '#f472b6', del: '#fb7185', snapshot: '#22d3ee', chip: '#1f2937', stale: '#451a03', staleFg: '#fcd34d',
};

/** The fill of a term: term 0 grey, then a fixed cycle. */
export function termColor(theme, term) {
  return term <= 0 ? theme.terms[0] : theme.terms[1 + ((term - 1) % (theme.terms.length - 1))];
}

/**
 * [colour, filled] of a message kind (its code): requests filled, replies
 * hollow (as in RaftScope).
 * @param {Theme} theme @param {number} kind @returns {[string, boolean]}
 */
function kindStyle(theme, kind) {
  switch (KINDS[kind]) {
    case 'beat': return [theme.beat, true];
    case 'beat-reply': return [theme.beat, false];
    case 'vote-request': return [theme.vote, true];
    case 'vote-reply': return [theme.vote, false];
    case 'prevote-request': return [theme.prevote, true];
    case 'prevote-reply': return [theme.prevote, false];
    case 'peer-query': return [theme.query, true];
    case 'commit': return [theme.commit, true];
    case 'commit-reply': return [theme.commit, false];
    case 'pull': return [theme.pull, true];
    case 'pull-reply': return [theme.pull, false];
    case 'delete': return [theme.del, true];
    case 'delete-reply': return [theme.del, false];
    case 'forward': return [theme.query, true];
    case 'snapshot': return [theme.snapshot, true];
    case 'snapshot-reply': return [theme.snapshot, false];
    default: return [theme.query, false];
  }
}

export class ClusterRenderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.theme = LIGHT;
    this.reducedMotion = false;
    this.w = 0; this.h = 0; this.dpr = 1;
    this.n = 0;
    this.pos = new Float64Array(0);
    this.selected = null;
    this.hover = null;
    this.lost = [];
    /** Wall ms a loss stays drawn: shorter when fast, so rounds do not pile up. */
    this.lostMs = LOST_MS;
    /** Last drawn positions of messages: id -> [x, y]. */
    this.dots = new Map();
    /** Messages waiting at a wall in the last frame: id -> {from, to, kind, frac, t}. */
    this.stalled = new Map();

    this.caption = '';
    /** The words drawn on the ring (the element sets its language's). @type {(key: string, vars?: Record<string, unknown>) => string} */
    this.words = (key, vars) => t('en', key, vars);
    this.dirty = true;
    /** What the last frame showed, for tests and assistive text. */
    this.drawn = {
      /** Nodes drawn writing to disk (Raft's diskWrite). */
      writing: /** @type {number[]} */ ([]),
      leaders: [], labels: [], time: 0, datums: /** @type {{ id: number, chips: string[] }[]} */ ([]), sized: 0,
      /** Over HTTP (nacos): messages drawn waiting at a wall, and failed requests drawn going back, so far. */
      http: { stalled: 0, failed: 0 },
      /** The Raft log strips: per node the first index drawn, how many cells (0: a bar), its last and commit index. */
      logs: /** @type {{ id: number, first: number, cells: number, last: number, commit: number, mode: string }[]} */ ([]),
    };
    /** @type {ReturnType<typeof placeStrips>} */
    this.strips = { boxes: [], cell: 0 };
  }

  resize(cssW, cssH, dpr) {
    const w = Math.max(1, Math.round(cssW * dpr)), h = Math.max(1, Math.round(cssH * dpr));
    if (w !== this.canvas.width || h !== this.canvas.height) { this.canvas.width = w; this.canvas.height = h; }
    this.w = cssW; this.h = cssH; this.dpr = dpr;
    this.n = 0; // re-layout
    this.dirty = true;
  }

  /** Places n nodes on a ring sized to the canvas. */
  layout(n) {
    const { w, h } = this;
    const side = Math.min(w, h);
    this.n = n;
    this.cx = w / 2;
    this.cy = h / 2 + (side < 420 ? 0 : 6);
    // Room outside the ring for arcs and labels, which only small clusters get.
    let pad = n > 40 ? Math.max(side * 0.05, 18) : Math.min(Math.max(side * 0.12, 34), 84);
    const shift = this.cy - h / 2;
    for (let pass = 0; pass < 2; pass++) {
      this.R = n === 1 ? 0 : side / 2 - pad;
      const fit = n === 1 ? side * 0.12 : this.R * Math.sin(Math.PI / n) * 0.6;
      this.r = Math.max(4, Math.min(fit, side * 0.085));
      // The crown and the selection ring reach past the node: on a small
      // canvas (a phone) they were cut off at the edge, so pad to fit them.
      const reach = reachOutside(this.r) + shift + 2;
      if (n > 40 || pad >= reach) break;
      pad = reach;
    }
    this.pos = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      // Two nodes side by side (not one above the other), so the clock fits under their link.
      const a = angle(i, n);
      this.pos[2 * i] = this.cx + this.R * Math.cos(a);
      this.pos[2 * i + 1] = this.cy + this.R * Math.sin(a);
    }
  }

  /** Where node `id` is drawn, in CSS pixels: {x, y, r}. */
  nodeAt(id) {
    if (id < 1 || id > this.n) return null;
    return { x: this.pos[2 * (id - 1)], y: this.pos[2 * (id - 1) + 1], r: this.r };
  }

  /** What is under (x, y): {type: 'message', id} | {type: 'node', id} | null.
   *  @param {number} x @param {number} y @param {boolean} [touch]
   *  @returns {{ type: 'node' | 'message', id: number } | null} */
  hit(x, y, touch = false) {
    const slack = touch ? 14 : 6;
    /** @type {{ type: 'node' | 'message', id: number } | null} */
    let best = null;
    let bestD = Infinity;
    for (const [id, [mx, my]] of this.dots) {
      const d = Math.hypot(mx - x, my - y);
      if (d < Math.max(this.dotR + slack, touch ? 18 : 10) && d < bestD) { best = { type: 'message', id }; bestD = d; }
    }
    if (best) return best;
    const reach = Math.max(this.r + slack, touch ? 22 : 12);
    for (let i = 0; i < this.n; i++) {
      const d = Math.hypot(this.pos[2 * i] - x, this.pos[2 * i + 1] - y);
      if (d <= reach && d < bestD) { best = { type: 'node', id: i + 1 }; bestD = d; }
    }
    return best;
  }

  /** A message was lost: animate it bursting where it was (or just after it left). */
  addLost(run, e) {
    if (this.lost.length >= MAX_LOST) this.lost.shift();
    let frac = e.reason === 'partition' || e.reason === 'link-cut' ? 0.45 : 0.35;
    let travel = true;
    const m = this.flight?.get(e.id);
    if (m) { frac = Math.min(1, Math.max(0, (e.t_ms - m[0]) / Math.max(1e-9, m[1] - m[0]))); travel = false; }
    this.lost.push({ from: e.from, to: e.to, kind: kindCode(e.kind), frac, travel, born: performance.now(), reason: e.reason });
    this.dirty = true;
  }

  get animating() { return this.lost.length > 0; }

  draw(run, now = performance.now()) {
    const { ctx, theme } = this;
    if (this.n !== run.n) this.layout(run.n);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, this.w, this.h);
    const nodes = run.nodes, n = run.n, r = this.r;
    this.dotR = Math.max(3, Math.min(r * 0.24, 7.5));
    this.drawPartitions(nodes, n);
    this.drawCuts(run);
    this.drawMessages(run);
    this.drawLost(now);
    /** @type {import('./datums.js').DatumSnapshot | null} */
    this.snap = run.model === 'nacos' ? run.datums.read(run, now) : null;
    // The strips are placed before the nodes' labels, which keep off them.
    const geometry = this.stripGeometry();
    this.strips = placeStrips(run, geometry);
    this.drawNodes(run, nodes, n, now);
    this.drawn.logs = drawStrips(this.ctx, theme, run, this.strips, geometry);
    this.drawSizes();
    this.drawCenter(run);
    this.dirty = false;
  }

  /** What the log strips need of the layout. @returns {import('./logstrip.js').StripGeometry} */
  stripGeometry() {
    const ringW = ringWidth(this.r);
    return {
      pos: this.pos, n: this.n, r: this.r, R: this.R, cx: this.cx, cy: this.cy, w: this.w, h: this.h,
      // The heartbeat arc's outer edge (drawNodes: arcR + 1.6 ringW, drawn 1.2 ringW wide).
      extent: this.r + ringW * 3.5 + 2, clock: this.clockBox(),
      color: (term) => termColor(this.theme, term),
    };
  }

  drawPartitions(nodes, n) {
    /** The walls drawn: angle of each ray from the centre. */
    this.walls = [];
    this.wallInner = 0;
    this.groups = nodes;
    let split = false;
    for (let i = 1; i < n; i++) if (nodes[i * N.stride + N.group] !== nodes[N.group]) { split = true; break; }
    this.split = split;
    if (!split || n < 2) return;
    const { ctx, theme, r } = this;
    // A halo per side, then a wall between ring neighbours on different sides.
    // The halo stays within the node's reach, which the layout keeps on the canvas.
    const halo = Math.min(r * 1.75 + 6, reachOutside(r));
    for (let i = 0; i < n; i++) {
      const g = nodes[i * N.stride + N.group];
      ctx.fillStyle = theme.halos[g % theme.halos.length];
      ctx.beginPath();
      ctx.arc(this.pos[2 * i], this.pos[2 * i + 1], halo, 0, TAU);
      ctx.fill();
    }
    ctx.strokeStyle = theme.wall;
    ctx.lineWidth = Math.max(2, Math.min(5, r * 0.14));
    ctx.setLineDash([7, 5]);
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      if (nodes[i * N.stride + N.group] === nodes[j * N.stride + N.group]) continue;
      const a = n === 2 ? -Math.PI / 2 + Math.PI * i : -Math.PI / 2 + (TAU * (i + 0.5)) / n;
      this.walls.push(a);
      const inner = Math.max(0, this.R - halo - 10), outer = this.R + halo + 6;
      this.wallInner = inner;
      ctx.moveTo(this.cx + inner * Math.cos(a), this.cy + inner * Math.sin(a));
      ctx.lineTo(this.cx + outer * Math.cos(a), this.cy + outer * Math.sin(a));
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }

  drawCuts(run) {
    const cuts = run.cuts;
    if (!cuts || !cuts.length) return;
    const { ctx, theme } = this;
    const set = new Set();
    for (let i = 0; i < cuts.length; i += 2) set.add(cuts[i] * 4096 + cuts[i + 1]);
    ctx.strokeStyle = theme.wall;
    ctx.fillStyle = theme.wall;
    ctx.lineWidth = 2;
    for (let i = 0; i < cuts.length; i += 2) {
      const a = cuts[i], b = cuts[i + 1];
      const both = set.has(b * 4096 + a);
      if (both && a > b) continue;
      const p = this.edge(a, b, 0), q = this.edge(a, b, 1);
      ctx.setLineDash([5, 4]);
      ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
      ctx.setLineDash([]);
      const mx = (p[0] + q[0]) / 2, my = (p[1] + q[1]) / 2, s = 5;
      ctx.lineWidth = 3;
      ctx.beginPath(); ctx.moveTo(mx - s, my - s); ctx.lineTo(mx + s, my + s); ctx.moveTo(mx + s, my - s); ctx.lineTo(mx - s, my + s); ctx.stroke();
      ctx.lineWidth = 2;
      if (!both) this.arrowHead(p, q, 8);
    }
  }

  arrowHead(p, q, size) {
    const { ctx } = this;
    const a = Math.atan2(q[1] - p[1], q[0] - p[0]);
    ctx.beginPath();
    ctx.moveTo(q[0], q[1]);
    ctx.lineTo(q[0] - size * Math.cos(a - 0.45), q[1] - size * Math.sin(a - 0.45));
    ctx.lineTo(q[0] - size * Math.cos(a + 0.45), q[1] - size * Math.sin(a + 0.45));
    ctx.closePath();
    ctx.fill();
  }

  /** The length of a message's way from node a's rim to node b's rim (at least 1). */
  pathLength(a, b) {
    const [px, py] = this.edge(a, b, 0), [qx, qy] = this.edge(a, b, 1);
    return Math.max(1, Math.hypot(qx - px, qy - py));
  }

  /** The point at fraction f of the way from node a's rim to node b's rim. */
  edge(a, b, f) {
    const ax = this.pos[2 * (a - 1)], ay = this.pos[2 * (a - 1) + 1];
    const bx = this.pos[2 * (b - 1)], by = this.pos[2 * (b - 1) + 1];
    const d = Math.hypot(bx - ax, by - ay) || 1;
    const ux = (bx - ax) / d, uy = (by - ay) / d, rim = this.r + 2;
    const sx = ax + ux * rim, sy = ay + uy * rim, ex = bx - ux * rim, ey = by - uy * rim;
    return [sx + (ex - sx) * f, sy + (ey - sy) * f];
  }

  /**
   * Where a message from `a` to `b` meets a partition wall: the first wall
   * its path crosses (a wall is a ray from the centre between two sides), as
   * a fraction of its way and the wall's angle; null when no wall parts them.
   */
  wallCrossing(a, b) {
    const g = this.groups;
    if (!g || !this.walls?.length || g[(a - 1) * N.stride + N.group] === g[(b - 1) * N.stride + N.group]) return null;
    const [px, py] = this.edge(a, b, 0), [qx, qy] = this.edge(a, b, 1);
    const dx = qx - px, dy = qy - py, cx = this.cx - px, cy = this.cy - py;
    let best = null;
    for (const angle of this.walls) {
      const wx = Math.cos(angle), wy = Math.sin(angle);
      const denom = dx * wy - dy * wx;
      if (Math.abs(denom) < 1e-9) continue;
      const frac = (cx * wy - cy * wx) / denom, u = (cx * dy - cy * dx) / denom;
      if (frac > 0 && frac < 1 && u >= 0 && (!best || frac < best.frac)) best = { frac, angle, u };
    }
    return best;
  }

  drawMessages(run) {
    const { ctx, theme } = this;
    const m = run.messages, t = run.time, R = this.dotR;
    this.dots.clear();
    const flight = new Map();
    /** @type {Map<number, {from: number, to: number, kind: number, frac: number, t: number}>} */
    const stalled = new Map();
    // Path first (only when motion is reduced: the line replaces the motion).
    if (this.reducedMotion) {
      ctx.lineWidth = 1.5;
      for (let i = 0; i < m.length; i += M.stride) {
        const [c] = kindStyle(theme, m[i + M.kind]);
        const p = this.edge(m[i + M.from], m[i + M.to], 0), q = this.edge(m[i + M.from], m[i + M.to], 1);
        ctx.strokeStyle = c; ctx.fillStyle = c;
        ctx.globalAlpha = 0.55;
        ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
        ctx.globalAlpha = 1;
        this.arrowHead(p, q, 7);
      }
    }
    // What a message carries, said beside it while few are in flight.
    const say = m.length / M.stride <= 24 && R >= 4;
    const raft = run.model === 'raft';
    /** @type {[number, number, string][]} */
    const sizes = [];
    for (let i = 0; i < m.length; i += M.stride) {
      const id = m[i + M.id], kind = m[i + M.kind], from = m[i + M.from], to = m[i + M.to];
      const sent = m[i + M.sent], due = m[i + M.due];
      // Over HTTP a request or reply that meets a partition or cut waits
      // at the wall until its timeout (`due`) fails the request.
      const stall = m[i + M.stalled] === 1;
      flight.set(id, [sent, due]);
      // It stops a dot and its ring short of the wall: a partition's, or a
      // cut's mark, midway.
      const crossing = stall ? this.wallCrossing(from, to) : null;
      const wall = stall ? Math.max(0.05, (crossing?.frac ?? 0.5) - (R * 1.5 + 6) / this.pathLength(from, to)) : 0;
      const f = stall ? Math.min(wall, Math.max(0, (t - sent) / STALL_REACH_MS) * wall)
        : this.reducedMotion ? 0.5 : Math.min(1, Math.max(0, (t - sent) / Math.max(1e-9, due - sent)));
      if (stall) stalled.set(id, { from, to, kind, frac: f, t });
      const [x, y] = this.edge(from, to, f);
      this.dots.set(id, [x, y]);
      const [c, filled] = kindStyle(theme, kind);
      // A message with data grows with its size: 100 B a little, 10 KB half as big again.
      const bytes = m[i + M.bytes], entries = m[i + M.entries];
      // Raft sizes nothing: its AppendEntries grow with the entries they carry, a snapshot with its keys.
      const dot = bytes > 0 ? R * (1 + 0.5 * Math.min(1, Math.log10(1 + bytes) / 4))
        : raft && entries > 0 ? R * (1 + 0.5 * Math.min(1, Math.log10(1 + entries) / 2)) : R;
      // Said mid-flight only: near a node the label would sit on it.
      if (say && f > 0.2 && f < 0.8) {
        if (bytes > 0) sizes.push([x, y - dot - 4, `${entries} key${entries === 1 ? '' : 's'} · ${bytesText(bytes)}`]);
        else if (raft && entries > 0) sizes.push([x, y - dot - 4, carried(KINDS[kind], entries)]);
      }
      if (stall) {
        // A dashed ring: it waits here, going nowhere.
        ctx.save();
        ctx.setLineDash([3, 3]);
        ctx.strokeStyle = theme.wall; ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.arc(x, y, dot + 4, 0, TAU); ctx.stroke();
        // The walls are drawn around the ring, not across the middle: where
        // the wall it met is not drawn, a piece of it stands in its way.
        if (crossing && crossing.u < this.wallInner && f >= wall) {
          const [wx, wy] = this.edge(from, to, crossing.frac), h = dot * 1.6 + 4;
          const ux = Math.cos(crossing.angle) * h, uy = Math.sin(crossing.angle) * h;
          ctx.setLineDash([4, 3]); ctx.lineWidth = 2.5;
          ctx.beginPath(); ctx.moveTo(wx - ux, wy - uy); ctx.lineTo(wx + ux, wy + uy); ctx.stroke();
        }
        ctx.restore();
      }
      ctx.beginPath();
      ctx.arc(x, y, dot, 0, TAU);
      if (filled) { ctx.fillStyle = c; ctx.fill(); } else {
        ctx.fillStyle = theme.bg; ctx.fill();
        ctx.lineWidth = Math.max(1.5, R * 0.38);
        ctx.strokeStyle = m[i + M.granted] === 0 ? theme.lost : c;
        ctx.stroke();
      }
      // Replies say whether they grant: a tick or a cross beside the dot.
      if (!filled && R >= 4.5 && m[i + M.granted] >= 0 && (KINDS[kind] === 'vote-reply' || KINDS[kind] === 'prevote-reply')) {
        ctx.strokeStyle = m[i + M.granted] === 1 ? theme.ok : theme.lost;
        ctx.lineWidth = 2;
        ctx.beginPath();
        const s = R * 0.9, ox = x + R + 3, oy = y - R;
        if (m[i + M.granted] === 1) { ctx.moveTo(ox, oy + s * 0.5); ctx.lineTo(ox + s * 0.4, oy + s); ctx.lineTo(ox + s, oy); } else {
          ctx.moveTo(ox, oy); ctx.lineTo(ox + s, oy + s); ctx.moveTo(ox + s, oy); ctx.lineTo(ox, oy + s);
        }
        ctx.stroke();
      }
    }
    this.flight = flight;
    this.sizes = sizes;
    // A message that waited at a wall and is gone while time moved on: its
    // request failed at the timeout, and it goes back grey to the sender.
    for (const [id, w] of this.stalled) {
      if (stalled.has(id) || t < w.t) continue;
      if (this.lost.length >= MAX_LOST) this.lost.shift();
      this.lost.push({ from: w.from, to: w.to, kind: w.kind, frac: w.frac, travel: false, born: performance.now(), reason: 'timeout', back: true });
      this.drawn.http.failed++;
      this.dirty = true;
    }
    this.drawn.http.stalled += [...stalled.keys()].filter((id) => !this.stalled.has(id)).length;
    this.stalled = stalled;
  }

  /** What the messages in flight carry, over the nodes (drawn after them). */
  drawSizes() {
    const { ctx, theme } = this, sizes = this.sizes ?? [];
    let said = 0;
    if (sizes.length) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.lineWidth = 3;
      ctx.strokeStyle = theme.bg;
      ctx.fillStyle = theme.fg;
      // Only where it covers nothing: not the clock, a node, its label, or
      // another message's words (the first said wins).
      const taken = [...this.drawn.labels];
      for (const [x, y, text] of sizes) {
        const half = ctx.measureText(text).width / 2 + 2, lh = 7, mid = y - 6;
        const box = { x0: x - half, x1: x + half, y0: mid - lh, y1: mid + lh };
        if (!this.labelFits(x, mid, half, lh, -1) || taken.some((b) => box.x1 > b.x0 && box.x0 < b.x1 && box.y1 > b.y0 && box.y0 < b.y1)) continue;
        taken.push(box);
        ctx.strokeText(text, x, y); ctx.fillText(text, x, y);
        said++;
      }
    }
    this.drawn.sized = said;
  }

  drawLost(now) {
    if (!this.lost.length) return;
    const { ctx, theme } = this;
    const R = this.dotR;
    const life = this.lostMs;
    this.lost = this.lost.filter((l) => now - l.born < life && l.from <= this.n && l.to <= this.n);
    for (const l of this.lost) {
      const age = (now - l.born) / life;
      if (l.back) {
        // A failed request: grey, from the wall back to its sender, fading.
        const [x, y] = this.edge(l.from, l.to, this.reducedMotion ? l.frac : l.frac * (1 - age));
        ctx.globalAlpha = Math.max(0, 1 - age * age);
        ctx.fillStyle = theme.crashed;
        ctx.beginPath(); ctx.arc(x, y, R, 0, TAU); ctx.fill();
        ctx.globalAlpha = 1;
        continue;
      }
      // The first third: the dot travels on to where it is lost (unless motion is reduced).
      const moving = l.travel && !this.reducedMotion && age < 0.33;
      const f = moving ? l.frac * (age / 0.33) : l.frac;
      const [x, y] = this.edge(l.from, l.to, f);
      const [c, filled] = kindStyle(theme, l.kind);
      if (moving) {
        ctx.beginPath(); ctx.arc(x, y, R, 0, TAU);
        if (filled) { ctx.fillStyle = c; ctx.fill(); } else { ctx.strokeStyle = c; ctx.lineWidth = 2; ctx.stroke(); }
        continue;
      }
      const k = (age - (l.travel && !this.reducedMotion ? 0.33 : 0)) / 0.67;
      ctx.globalAlpha = Math.max(0, 1 - k);
      ctx.strokeStyle = theme.lost;
      ctx.lineWidth = 2.5;
      const s = R * 1.3;
      ctx.beginPath(); ctx.moveTo(x - s, y - s); ctx.lineTo(x + s, y + s); ctx.moveTo(x + s, y - s); ctx.lineTo(x - s, y + s); ctx.stroke();
      if (!this.reducedMotion) {
        ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.arc(x, y, R * (1.2 + 2.2 * k), 0, TAU); ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }
  }

  drawNodes(run, d, n, now = performance.now()) {
    const { ctx, theme, r } = this;
    const maxDue = run.maxLeaderDue, beat = run.heartbeatInterval;
    const ringW = ringWidth(r);
    const arcR = r + ringW * 1.3 + 2;
    const beatR = arcR + ringW * 1.6;
    const leaders = [];
    /** @type {number[]} */
    const writing = [];
    const big = r >= 20, mid = r >= 12;
    for (let i = 0; i < n; i++) {
      const o = i * N.stride;
      const x = this.pos[2 * i], y = this.pos[2 * i + 1];
      const alive = d[o + N.alive] === 1, role = ROLES[d[o + N.role]], term = d[o + N.term];
      // The election countdown (Nacos leaderDueMs, Raft's election timeout) on every node.
      if (alive) {
        const due = d[o + N.leaderDue];
        ctx.lineWidth = ringW;
        ctx.strokeStyle = theme.track;
        ctx.beginPath(); ctx.arc(x, y, arcR, 0, TAU); ctx.stroke();
        if (due >= 0) {
          const f = Math.min(1, due / maxDue);
          ctx.strokeStyle = f < 0.12 ? theme.dueLow : theme.due;
          ctx.beginPath(); ctx.arc(x, y, arcR, -Math.PI / 2, -Math.PI / 2 + f * TAU); ctx.stroke();
        }
        // The heartbeat countdown on the leader.
        const hb = d[o + N.heartbeatDue];
        if (role === 'LEADER' && hb >= 0) {
          ctx.strokeStyle = theme.beatDue;
          ctx.lineWidth = ringW * 1.2;
          ctx.beginPath(); ctx.arc(x, y, beatR, -Math.PI / 2, -Math.PI / 2 + Math.min(1, hb / beat) * TAU); ctx.stroke();
        }
      }
      const paused = alive && d[o + N.paused] >= 0;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, TAU);
      ctx.fillStyle = alive ? termColor(theme, term) : theme.crashed;
      // A paused node is frozen: drawn faded, with the pause sign below.
      if (paused) ctx.globalAlpha = 0.45;
      ctx.fill();
      ctx.globalAlpha = 1;
      // The role at a glance: leader thick, candidate dashed, pre-candidate dotted.
      ctx.lineWidth = role === 'LEADER' && alive ? Math.max(2.5, r * 0.12) : Math.max(1, r * 0.05);
      ctx.strokeStyle = !alive ? theme.muted : role === 'CANDIDATE' ? theme.vote : role === 'PRE_CANDIDATE' ? theme.prevote : theme.fg;
      // Dashes need room: tiny nodes show candidates by a thick solid ring.
      if (alive && (role === 'CANDIDATE' || role === 'PRE_CANDIDATE')) {
        ctx.lineWidth = Math.max(2, r * 0.1);
        if (r >= 10) ctx.setLineDash(role === 'CANDIDATE' ? [r * 0.3, r * 0.18] : [2, r * 0.16]);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      // The badges after the outline: they start paths of their own, and
      // the outline strokes the node's. Paused: frozen; writing its term,
      // vote or entries to disk: nothing else runs on it meanwhile.
      if (paused) this.drawPaused(x, y, r);
      else if (alive && d[o + N.writing] >= 0) { this.drawDisk(x, y, r); writing.push(i + 1); }
      if (!alive) {
        ctx.strokeStyle = theme.muted; ctx.lineWidth = Math.max(1.5, r * 0.08);
        const s = r * 0.45;
        ctx.beginPath(); ctx.moveTo(x - s, y - s); ctx.lineTo(x + s, y + s); ctx.moveTo(x + s, y - s); ctx.lineTo(x - s, y + s); ctx.stroke();
      }
      if (alive && role === 'LEADER') { leaders.push(i + 1); this.drawCrown(x, y, i, n); }
      if (d[o + N.rules] & (LAYOUT.ruleFlags.from | LAYOUT.ruleFlags.to)) this.drawMute(x, y, d[o + N.rules]);
      if (this.selected === i + 1) {
        ctx.strokeStyle = theme.select; ctx.lineWidth = 2; ctx.setLineDash([4, 3]);
        ctx.beginPath(); ctx.arc(x, y, beatR + ringW + 3, 0, TAU); ctx.stroke(); ctx.setLineDash([]);
      }
    }
    // Text last, one font at a time.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    if (mid) {
      ctx.fillStyle = '#111827';
      ctx.font = `600 ${Math.round(Math.min(r * 0.55, 20))}px system-ui, sans-serif`;
      for (let i = 0; i < n; i++) ctx.fillText(`S${i + 1}`, this.pos[2 * i], this.pos[2 * i + 1] - (big ? r * 0.2 : 0));
      if (big) {
        ctx.font = `${Math.round(Math.min(r * 0.34, 13))}px system-ui, sans-serif`;
        for (let i = 0; i < n; i++) {
          const o = i * N.stride;
          const label = d[o + N.alive] !== 1 ? this.words('drawn.down') : d[o + N.paused] >= 0 ? this.words('drawn.paused', { s: (d[o + N.paused] / 1000).toFixed(1) })
            : d[o + N.writing] >= 0 ? this.words('drawn.writing', { ms: d[o + N.writing].toFixed(1) }) : this.words('drawn.term', { term: d[o + N.term] });
          ctx.fillText(label, this.pos[2 * i], this.pos[2 * i + 1] + r * 0.33);
        }
      }
    } else if (n <= 60) {
      ctx.fillStyle = theme.muted;
      ctx.font = '10px system-ui, sans-serif';
      for (let i = 0; i < n; i += n > 30 ? 5 : 1) {
        const a = angle(i, n), out = this.R + beatR + 10;
        ctx.fillText(`S${i + 1}`, this.cx + out * Math.cos(a), this.cy + out * Math.sin(a));
      }
    }
    // Outside each node: its role and the leader it knows (Nacos followers
    // learn a new leader only from its first beat).
    const labels = [];
    const snap = this.snap;
    /** @type {{ id: number, chips: string[] }[]} */
    const datums = [];
    const roomy = n <= 12 && r >= 18 && Math.min(this.w, this.h) >= 480;
    if (roomy) {
      const font = `${Math.round(Math.min(12, r * 0.3))}px system-ui, sans-serif`;
      const lh = 15;
      for (let i = 0; i < n; i++) {
        ctx.font = font;
        const chips = snap ? this.chips(snap, i + 1, now) : [];
        const chipW = this.chipsWidth(chips);
        const half = Math.max(52, chipW / 2 + 2);
        // Two lines of label; a third for the datums, under them.
        const below = chips.length ? lh : 0;
        const o = i * N.stride, a = angle(i, n);
        const alive = d[o + N.alive] === 1, known = d[o + N.leader];
        const role = alive ? ROLES[d[o + N.role]].replace('_', '-') : 'CRASHED';
        // Outward from the ring where it fits on the canvas; else below or
        // above the node, else inward; never over the clock in the middle or
        // another node. With no room at all, no label (the inspector has it).
        const px = this.pos[2 * i], py = this.pos[2 * i + 1];
        const out = beatR + ringW + 6;
        const radial = (dir) => [
          px + dir * Math.cos(a) * (out + half * Math.abs(Math.cos(a))),
          py + dir * Math.sin(a) * (out + lh * Math.abs(Math.sin(a)) + 4),
        ];
        const away = py >= this.cy ? 1 : -1;
        const spot = [radial(1), [px, py + away * (out + lh + below)], [px, py - away * (out + lh + below)], radial(-1)]
          .find(([x, y]) => this.labelFits(x, y + below / 2, half, lh + below / 2, i));
        if (!spot) continue;
        const [x, y] = spot;
        labels.push({ id: i + 1, x0: x - half, y0: y - lh, x1: x + half, y1: y + lh + below });
        ctx.fillStyle = theme.fg;
        ctx.fillText(role, x, y - lh / 2);
        ctx.fillStyle = theme.muted;
        // With no leader known, whom it voted for: a split vote shows here.
        const vote = d[o + N.voteFor];
        ctx.fillText(alive ? (known ? this.words('drawn.leader', { id: known }) : vote ? this.words('drawn.votedFor', { id: vote }) : this.words('drawn.leaderNone')) : '', x, y + lh / 2);
        if (chips.length) {
          this.drawChips(chips, x - chipW / 2, y + lh * 1.5 + 1, now);
          datums.push({ id: i + 1, chips: chips.map((c) => c.text) });
        }
      }
    }
    // Without the labels' room: the chips alone beside the node where they
    // fit, else a badge with the count (amber when behind the leader).
    if (snap && !roomy && r >= 7) {
      const done = new Set(datums.map((d) => d.id));
      for (let i = 0; i < n; i++) {
        const nd = snap.nodes[i];
        if (!nd || done.has(i + 1) || !nd.count && !nd.missing && !snap.flashes.length) continue;
        const px = this.pos[2 * i], py = this.pos[2 * i + 1];
        if (n <= 12 && r >= 14) {
          ctx.font = '11px system-ui, sans-serif';
          const chips = this.chips(snap, i + 1, now);
          const w = this.chipsWidth(chips), a = angle(i, n), out = beatR + ringW + 10;
          const spot = [[px + Math.cos(a) * (out + w / 2 * Math.abs(Math.cos(a))), py + Math.sin(a) * out], [px, py + out], [px, py - out]]
            .find(([x, y]) => this.labelFits(x, y, w / 2 + 2, 9, i));
          if (chips.length && spot) {
            this.drawChips(chips, spot[0] - w / 2, spot[1], now);
            datums.push({ id: i + 1, chips: chips.map((c) => c.text) });
            continue;
          }
        }
        if (!nd.count && !nd.missing) continue;
        const chips = [{ text: String(nd.count), kind: nd.stale.size || nd.missing ? 'stale' : 'count', born: 0 }];
        ctx.font = `${Math.round(Math.max(9, Math.min(11, r * 0.4)))}px system-ui, sans-serif`;
        this.drawChips(chips, px + r * 0.72, py + r * 0.86, now);
        datums.push({ id: i + 1, chips: [String(nd.count)] });
      }
    }
    // A deleted key flashes by its node, rising and fading.
    if (snap?.flashes.length) {
      ctx.font = '600 12px system-ui, sans-serif';
      ctx.textAlign = 'left';
      ctx.fillStyle = theme.lost;
      for (const f of snap.flashes) {
        const age = (now - f.born) / 1200;
        if (age >= 1 || f.node > n) continue;
        const x = this.pos[2 * (f.node - 1)] + r + 6, y = this.pos[2 * (f.node - 1) + 1] - r * 0.3 - age * 14;
        ctx.globalAlpha = 1 - age;
        ctx.fillText(`−${f.key}`, x, y);
      }
      ctx.globalAlpha = 1;
      ctx.textAlign = 'center';
    }
    this.drawn.datums = datums;
    this.drawn.leaders = leaders;
    this.drawn.writing = writing;
    this.drawn.labels = labels;
  }

  /**
   * A node's datums as chips: `key:version` each when few, else the count
   * and the newest; stale ones (behind the leader) marked, deleted ones
   * struck through while they flash.
   * @param {import('./datums.js').DatumSnapshot} snap @param {number} id @param {number} now
   * @returns {{ text: string, kind: 'ok' | 'stale' | 'gone' | 'count', born: number }[]}
   */
  chips(snap, id, now) {
    const nd = snap.nodes[id - 1];
    if (!nd) return [];
    /** @type {{ text: string, kind: 'ok' | 'stale' | 'gone' | 'count', born: number }[]} */
    const out = [];
    const many = nd.count > 4;
    if (many) out.push({ text: `${nd.count} keys`, kind: nd.stale.size || nd.missing ? 'stale' : 'count', born: 0 });
    // Of many, the stale ones first (what is behind the leader), then the newest.
    const shown = many
      ? [...[...nd.stale].slice(0, 2).map((k) => /** @type {import('./datums.js').DatumView} */ (nd.map.get(k))), ...nd.newest].filter((d, j, all) => all.findIndex((x) => x.key === d.key) === j).slice(0, 2)
      : [...nd.map.values()];
    for (const d of shown) out.push({ text: `${d.key}:${d.version}`, kind: nd.stale.has(d.key) ? 'stale' : 'ok', born: 0 });
    if (!many && nd.missing) out.push({ text: `${nd.missing} missing`, kind: 'stale', born: 0 });
    for (const f of snap.flashes) if (f.node === id && out.length < 5) out.push({ text: f.key, kind: 'gone', born: f.born });
    return out;
  }

  /** @param {{ text: string }[]} chips */
  chipsWidth(chips) {
    let w = 0;
    for (const c of chips) w += this.ctx.measureText(c.text).width + 10;
    return Math.max(0, w - 3);
  }

  /** Chips in a row from (x, y) (their vertical middle), in the current font.
   * @param {{ text: string, kind: string, born: number }[]} chips @param {number} x @param {number} y @param {number} now */
  drawChips(chips, x, y, now) {
    const { ctx, theme } = this;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const h = 15;
    for (const c of chips) {
      const w = ctx.measureText(c.text).width + 7;
      if (c.kind === 'gone') ctx.globalAlpha = Math.max(0, 1 - (now - c.born) / 1200);
      ctx.fillStyle = c.kind === 'stale' ? theme.stale : c.kind === 'gone' ? theme.bg : theme.chip;
      ctx.strokeStyle = c.kind === 'stale' ? theme.staleFg : c.kind === 'gone' ? theme.lost : theme.track;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.roundRect?.(x, y - h / 2, w, h, 4);
      ctx.fill(); ctx.stroke();
      ctx.fillStyle = c.kind === 'stale' ? theme.staleFg : c.kind === 'gone' ? theme.lost : theme.fg;
      ctx.fillText(c.text, x + 3.5, y + 0.5);
      if (c.kind === 'gone') {
        ctx.strokeStyle = theme.lost;
        ctx.beginPath(); ctx.moveTo(x + 2, y); ctx.lineTo(x + w - 2, y); ctx.stroke();
        ctx.globalAlpha = 1;
      }
      x += w + 3;
    }
    ctx.textAlign = 'center';
  }

  /**
   * Whether a node label centred at (x, y), `half` wide each way and `lh`
   * tall each way, stays on the canvas, off the clock in the middle and off
   * every node but its own (`own`, an index).
   */
  labelFits(x, y, half, lh, own) {
    if (x - half < 2 || x + half > this.w - 2 || y - lh < 2 || y + lh > this.h - 2) return false;
    const clock = this.clockBox();
    if (x + half > clock.x0 && x - half < clock.x1 && y + lh > clock.y0 && y - lh < clock.y1) return false;
    for (const b of this.strips.boxes) if (x + half > b.x0 && x - half < b.x1 && y + lh > b.y0 && y - lh < b.y1) return false;
    const keep = this.r + ringWidth(this.r) * 3;
    for (let j = 0; j < this.n; j++) {
      if (j === own) continue;
      const nx = this.pos[2 * j], ny = this.pos[2 * j + 1];
      const dx = Math.max(x - half - nx, 0, nx - x - half), dy = Math.max(y - lh - ny, 0, ny - y - lh);
      if (Math.hypot(dx, dy) < keep) return false;
    }
    return true;
  }

  drawCrown(x, y, i, n) {
    const { ctx, theme, r } = this;
    const s = crownSize(r);
    // Above the node on the top half of the ring, below it on the bottom half.
    const a = angle(i, n);
    const cy = Math.sin(a) > 0.3 && n > 2 ? y + r + s * 0.35 : y - r - s * 1.05;
    const cx = x;
    ctx.beginPath();
    ctx.moveTo(cx - s, cy + s * 0.7);
    ctx.lineTo(cx - s, cy);
    ctx.lineTo(cx - s * 0.5, cy + s * 0.38);
    ctx.lineTo(cx, cy - s * 0.2);
    ctx.lineTo(cx + s * 0.5, cy + s * 0.38);
    ctx.lineTo(cx + s, cy);
    ctx.lineTo(cx + s, cy + s * 0.7);
    ctx.closePath();
    ctx.fillStyle = theme.crown;
    ctx.fill();
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = '#713f12';
    ctx.stroke();
  }

  /** A "paused" badge at the node's upper left: two bars, the pause sign. */
  drawPaused(x, y, r) {
    const { ctx, theme } = this;
    const s = Math.max(4, Math.min(r * 0.3, 10));
    const bx = x - r * 0.78, by = y - r * 0.78;
    ctx.beginPath(); ctx.arc(bx, by, s, 0, TAU);
    ctx.fillStyle = theme.bg; ctx.fill();
    ctx.strokeStyle = theme.fg; ctx.lineWidth = Math.max(1, s * 0.2); ctx.stroke();
    ctx.fillStyle = theme.fg;
    const w = s * 0.28, h = s * 1.0;
    ctx.fillRect(bx - w * 1.6, by - h / 2, w, h);
    ctx.fillRect(bx + w * 0.6, by - h / 2, w, h);
  }

  /** A "writing to disk" badge at the node's lower left: a platter. */
  drawDisk(x, y, r) {
    const { ctx, theme } = this;
    const s = Math.max(4, Math.min(r * 0.3, 10));
    const bx = x - r * 0.78, by = y + r * 0.78;
    ctx.beginPath(); ctx.arc(bx, by, s, 0, TAU);
    ctx.fillStyle = theme.fg; ctx.fill();
    ctx.beginPath(); ctx.arc(bx, by, s * 0.62, 0, TAU);
    ctx.strokeStyle = theme.bg; ctx.lineWidth = Math.max(1, s * 0.14); ctx.stroke();
    ctx.beginPath(); ctx.arc(bx, by, s * 0.18, 0, TAU);
    ctx.fillStyle = theme.bg; ctx.fill();
  }

  /** A red "beats dropped" badge at the node's upper right. */
  drawMute(x, y, flags) {
    const { ctx, theme, r } = this;
    const s = Math.max(4, Math.min(r * 0.3, 10));
    const bx = x + r * 0.78, by = y - r * 0.78;
    ctx.beginPath(); ctx.arc(bx, by, s, 0, TAU);
    ctx.fillStyle = theme.bg; ctx.fill();
    ctx.strokeStyle = theme.lost; ctx.lineWidth = Math.max(1.5, s * 0.28); ctx.stroke();
    ctx.beginPath();
    if (flags & LAYOUT.ruleFlags.from) { ctx.moveTo(bx - s * 0.7, by + s * 0.7); ctx.lineTo(bx + s * 0.7, by - s * 0.7); } else { ctx.moveTo(bx - s * 0.7, by - s * 0.7); ctx.lineTo(bx + s * 0.7, by + s * 0.7); }
    ctx.stroke();
  }

  /** Where the clock and the leader line are drawn (CSS px, generous). */
  clockBox(big = this.clockSize()) {
    const y = this.clockY(big);
    return { x0: this.cx - 3.2 * big, x1: this.cx + 3.2 * big, y0: y - 1.2 * big, y1: y + 1.7 * big };
  }

  /** The clock's centre line: the ring's middle; one or two nodes leave no middle, so below them. */
  clockY(big = this.clockSize()) {
    return this.n === 1 ? Math.min(this.h - big * 2, this.cy + this.r * 1.6 + big * 1.5) : this.n === 2 ? this.cy + big * 2 : this.cy;
  }

  /** The font size of the clock in the ring's middle. */
  clockSize() { return Math.round(Math.max(13, Math.min(Math.min(this.w, this.h) * 0.05, 30))); }

  drawCenter(run) {
    const { ctx, theme } = this;
    const big = this.clockSize();
    const y = this.clockY(big);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = theme.fg;
    ctx.font = `600 ${big}px ui-monospace, SFMono-Regular, Menlo, monospace`;
    ctx.fillText(formatClock(run.time), this.cx, y - big * 0.55);
    ctx.font = `${Math.round(big * 0.5)}px system-ui, sans-serif`;
    const ls = run.leaders;
    const line = ls.length === 0 ? this.words('drawn.noLeader') : ls.length === 1 ? this.words('drawn.oneLeader', { id: ls[0].id, term: ls[0].term })
      : this.words('drawn.leaders', { count: ls.length, list: ls.map((l) => `S${l.id}`).join(', ') });
    ctx.fillStyle = ls.length > 1 ? theme.lost : theme.muted;
    ctx.fillText(line, this.cx, y + big * 0.45);
    if (this.split) {
      ctx.fillStyle = theme.wall;
      ctx.fillText(this.words('drawn.partitioned'), this.cx, y + big * 1.15);
    }
    if (this.caption) {
      ctx.fillStyle = theme.muted;
      ctx.font = `${Math.round(Math.max(11, big * 0.45))}px system-ui, sans-serif`;
      wrapText(ctx, this.caption, this.cx, this.h - 14, this.w - 24, big * 0.55);
    }
    this.drawn.time = run.time;
  }
}

/** The width of a node's clock arcs. */
function ringWidth(r) { return Math.max(2, Math.min(5, r * 0.13)); }
/** The half-width of the leader's crown. */
function crownSize(r) { return Math.max(5, Math.min(r * 0.5, 15)); }
/** How far past a node's centre its drawing reaches: the selection ring (drawNodes) or the crown (drawCrown). */
export function reachOutside(r) {
  const ringW = ringWidth(r);
  return Math.max(r + ringW * 3.9 + 6, r + crownSize(r) * 1.25 + 1);
}

/** Where node i of n sits on the ring: S1 at the top, clockwise; two nodes side by side. */
function angle(i, n) {
  return n === 2 ? Math.PI * (1 - i) : -Math.PI / 2 + (TAU * i) / n;
}

/** What a Raft message carries, in words: "3 entries", "snapshot · 40 keys". @param {string} kind @param {number} entries */
function carried(kind, entries) {
  if (kind === 'snapshot') return `snapshot · ${entries} key${entries === 1 ? '' : 's'}`;
  return `${entries} entr${entries === 1 ? 'y' : 'ies'}`;
}

/** @param {string} kind a trace event's message kind */
function kindCode(kind) {
  return KINDS.indexOf(kind);
}

/** Bottom-anchored wrapped text. */
function wrapText(ctx, text, cx, bottom, width, lh) {
  const words = text.split(/\s+/);
  const lines = [];
  let line = '';
  for (const w of words) {
    const t = line ? `${line} ${w}` : w;
    if (ctx.measureText(t).width > width && line) { lines.push(line); line = w; } else line = t;
  }
  if (line) lines.push(line);
  lines.slice(-3).forEach((l, i, all) => ctx.fillText(l, cx, bottom - (all.length - 1 - i) * lh));
}

/** Simulated time as the page shows it: 21.130 s, 4:05.250, 2:03:04. */
export function formatClock(ms) {
  if (ms < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  const s = ms / 1000;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (h === 0) return `${m}:${sec.toFixed(1).padStart(4, '0')}`;
  return `${h}:${String(m).padStart(2, '0')}:${String(Math.floor(sec)).padStart(2, '0')}`;
}
