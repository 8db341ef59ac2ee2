// @ts-check
// The term/leader strip under the ring: who led in which term over the whole
// run, gaps without a leader, overlaps of two leaders in red, elections,
// crashes, safety findings and the user's actions as marks. Clicking or
// dragging on it moves the run to that time (the controls do the seeking).
import { MARK } from './core.js';
import { termColor, formatClock } from './render.js';

export class TimelineRenderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.w = 0; this.h = 0; this.dpr = 1;
    this.theme = null;
    this.preview = null;
    /** A fixed end of the span shown (a comparison's end), or null: the run's length. @type {number | null} */
    this.fixedEnd = null;
  }

  resize(cssW, cssH, dpr) {
    this.canvas.width = Math.max(1, Math.round(cssW * dpr));
    this.canvas.height = Math.max(1, Math.round(cssH * dpr));
    this.w = cssW; this.h = cssH; this.dpr = dpr;
  }

  /** The time span shown: the whole run, at least a minute of Nacos or a few Raft timeouts. */
  domain(run) {
    if (this.fixedEnd) return this.fixedEnd;
    const min = run.model === 'nacos' ? 60_000 : Math.max(3_000, run.config.electionMax * 12);
    return Math.max(min, run.until * 1.04, run.time * 1.04);
  }

  /** The simulated time under x (CSS px). */
  timeAt(run, x) {
    const pad = 8;
    return Math.max(0, Math.min(run.until, ((x - pad) / Math.max(1, this.w - 2 * pad)) * this.domain(run)));
  }

  draw(run) {
    const { ctx, theme } = this;
    const pad = 8, w = this.w - 2 * pad, end = this.domain(run);
    const X = (t) => pad + (t / end) * w;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, this.w, this.h);
    const laneY = 6, laneH = 18, markY = laneY + laneH + 3, axisY = this.h - 12;
    // The lane: grey where nobody leads.
    ctx.fillStyle = theme.track;
    ctx.fillRect(pad, laneY, X(run.until) - pad, laneH);
    const tl = run.timeline;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const edges = [];
    for (const s of tl.segments) {
      const e = s.end ?? run.until;
      const x0 = X(s.start), x1 = Math.max(X(e), x0 + 1);
      ctx.fillStyle = termColor(theme, s.term);
      ctx.fillRect(x0, laneY, x1 - x0, laneH);
      if (x1 - x0 > 46) {
        ctx.fillStyle = '#111827';
        ctx.fillText(`S${s.node} · t${s.term}`, x0 + 4, laneY + laneH / 2 + 0.5);
      }
      edges.push([s.start, 1], [e, -1]);
    }
    // Overlaps: two or more leaders at once, the Nacos split-brain.
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let depth = 0, since = 0;
    ctx.fillStyle = theme.lost;
    for (const [t, d] of edges) {
      if (depth >= 2 && d < 0 && depth + d < 2) {
        const x0 = X(since), x1 = Math.max(X(t), x0 + 2);
        ctx.globalAlpha = 0.35;
        ctx.fillRect(x0, laneY, x1 - x0, laneH);
        ctx.globalAlpha = 1;
        ctx.fillRect(x0, laneY + laneH, x1 - x0, 3);
      }
      if (depth < 2 && depth + d >= 2) since = t;
      depth += d;
    }
    // Marks: elections, crashes, restarts, findings.
    for (const p of tl.points) {
      const x = X(p.t);
      if (p.code === MARK.election) { ctx.fillStyle = theme.vote; ctx.fillRect(x - 0.5, markY, 1.5, 7); } else if (p.code === MARK.crash) {
        ctx.strokeStyle = theme.muted; ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.moveTo(x - 3, markY); ctx.lineTo(x + 3, markY + 6); ctx.moveTo(x + 3, markY); ctx.lineTo(x - 3, markY + 6); ctx.stroke();
      } else if (p.code === MARK.restart) { ctx.fillStyle = theme.ok; ctx.fillRect(x - 0.5, markY, 1.5, 7); } else if (p.code >= MARK.violation) {
        ctx.fillStyle = theme.lost;
        ctx.beginPath(); ctx.moveTo(x, markY); ctx.lineTo(x + 4, markY + 7); ctx.lineTo(x - 4, markY + 7); ctx.fill();
      }
    }
    // The user's actions: small blue pointers on the top edge.
    ctx.fillStyle = theme.beat;
    for (const a of run.allActions()) {
      const x = X(a.t);
      ctx.beginPath(); ctx.moveTo(x - 3.5, 0); ctx.lineTo(x + 3.5, 0); ctx.lineTo(x, 5); ctx.fill();
    }
    // What lies ahead after a rewind is shaded: it replays unless you act.
    if (run.until > run.time) {
      ctx.fillStyle = theme.bg;
      ctx.globalAlpha = 0.55;
      ctx.fillRect(X(run.time), 0, X(run.until) - X(run.time) + 1, markY + 8);
      ctx.globalAlpha = 1;
    }
    // Axis.
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'center';
    const step = niceStep(end / Math.max(2, Math.floor(w / 90)));
    for (let t = 0; t <= end; t += step) {
      const x = X(t);
      ctx.fillRect(x, axisY - 7, 1, 3);
      ctx.fillText(t === 0 ? '0' : formatTick(t, step), Math.min(Math.max(x, 12), this.w - 16), axisY);
    }
    // Now, and a drag preview.
    const cursor = (t, color) => {
      const x = X(t);
      ctx.fillStyle = color;
      ctx.fillRect(x - 1, 0, 2, markY + 9);
    };
    cursor(run.time, theme.fg);
    if (this.preview !== null) {
      cursor(this.preview, theme.select);
      ctx.fillStyle = theme.select;
      ctx.textAlign = X(this.preview) > this.w - 60 ? 'right' : 'left';
      ctx.fillText(formatClock(this.preview), X(this.preview) + (ctx.textAlign === 'left' ? 4 : -4), markY + 14);
    }
  }
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const k of [1, 2, 5, 10]) if (k * p >= raw) return k * p;
  return 10 * p;
}

function formatTick(t, step) {
  if (step >= 3_600_000) return `${t / 3_600_000} h`;
  if (step >= 60_000) return `${t / 60_000} min`;
  if (t >= 1000 || step >= 1000) return `${+(t / 1000).toFixed(3)} s`;
  return `${t} ms`;
}
