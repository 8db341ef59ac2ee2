// @ts-check
// The timeline strip under the ring: leaders and terms over the run; click,
// drag or the arrow keys go back in time (the element seeks), and while the
// run is behind its latest moment a line says so, with a way back.
import { TimelineRenderer } from './timeline.js';
import { logTime, span } from './text.js';
import { one, esc } from './dom.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */

/** How often (ms) the strip is drawn again. */
const EVERY_MS = 120;

export class Scrubber {
  /** @param {ControlContext} ctx */
  constructor({ host, parts, mount, signal, t }) {
    this.host = host;
    this.t = t;
    this.el = parts.add(mount.main, `<div class="tl"><canvas class="timeline" tabindex="0" role="slider" aria-label="${esc(t('scrub.aria'))}" aria-valuemin="0"></canvas>
      <p class="behind" hidden><span></span> <button class="latest" title="${esc(t('scrub.latestTitle'))}">${esc(t('scrub.latest'))}</button></p></div>`);
    const tl = /** @type {HTMLCanvasElement} */ (one(this.el, 'canvas.timeline'));
    this.canvas = tl;
    this.behind = one(this.el, '.behind');
    this.timeline = new TimelineRenderer(tl);
    this.timeline.theme = host.theme;
    this.last = 0;
    let dragging = false;
    /** @param {PointerEvent} e */
    const at = (e) => this.timeline.timeAt(host.run, e.clientX - tl.getBoundingClientRect().left);
    tl.addEventListener('pointerdown', (e) => { dragging = true; tl.setPointerCapture(e.pointerId); this.timeline.preview = at(e); this.last = 0; });
    tl.addEventListener('pointermove', (e) => { if (dragging) { this.timeline.preview = at(e); this.last = 0; } });
    tl.addEventListener('pointerup', (e) => {
      if (!dragging) return;
      dragging = false;
      const to = at(e);
      this.timeline.preview = null;
      host.seek(to).then((there) => {
        const run = host.run;
        if (there) host.announce(t(run.until > run.time ? 'scrub.wentReplay' : 'scrub.went', { time: logTime(run.time) }));
      });
    });
    one(this.el, '.behind .latest').addEventListener('click', () => host.seek(host.run.until).then((there) => {
      if (there) host.announce(t('scrub.back', { time: logTime(host.run.time) }));
    }));
    tl.addEventListener('keydown', (e) => {
      const run = host.run, stepMs = this.timeline.domain(run) / 40;
      let t = null;
      if (e.key === 'ArrowLeft') t = run.time - stepMs;
      else if (e.key === 'ArrowRight') t = Math.min(run.until, run.time + stepMs);
      else if (e.key === 'Home') t = 0;
      else if (e.key === 'End') t = run.until;
      if (t === null) return;
      e.preventDefault();
      e.stopPropagation();
      host.seek(Math.max(0, t));
    });
    const fit = () => { const b = tl.getBoundingClientRect(); this.timeline.resize(b.width, b.height, devicePixelRatio || 1); this.last = 0; };
    const observer = new ResizeObserver(fit);
    observer.observe(tl);
    signal.addEventListener('abort', () => observer.disconnect(), { once: true });
    fit();
    const soon = () => { this.last = 0; };
    host.events.on('action', soon, signal);
    host.events.on('run', soon, signal);
    host.events.on('theme', ({ theme }) => { this.timeline.theme = theme; }, signal);
    host.events.on('frame', ({ ts }) => { if (ts - this.last > EVERY_MS) { this.last = ts; this.draw(); } }, signal);
  }

  draw() {
    const run = this.host.run, tl = this.canvas;
    this.timeline.draw(run);
    tl.setAttribute('aria-valuemax', String(Math.round(run.until)));
    tl.setAttribute('aria-valuenow', String(Math.round(run.time)));
    tl.setAttribute('aria-valuetext', this.t('scrub.valueText', { time: logTime(run.time), until: logTime(run.until) }));
    this.updateBehind();
  }

  /** Gone back in time: how far behind the latest moment, and a way back
   *  to it (the timeline's End key does the same). */
  updateBehind() {
    const run = this.host.run, el = this.behind, gap = run.until - run.time;
    // A tour has its own way back and forth (its stops).
    const behind = gap > 0.0005 && !run.stops.length;
    if (el.hidden === behind) el.hidden = !behind;
    if (!behind) return;
    const later = run.pending.filter((p) => p.source === 'replay-ahead').length;
    const text = `${this.t('scrub.behind', { span: span(gap) })}${later ? this.t(later > 1 ? 'scrub.dropsMany' : 'scrub.dropsOne', { count: later }) : ''}`;
    const first = /** @type {Node} */ (el.firstChild);
    if (first.textContent !== text) first.textContent = text;
  }
}
