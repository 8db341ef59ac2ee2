// @ts-check
// The transport bar: Play, Step, Reset, the speed, the simulated clock, the
// model switch (and with the full controls Share and the shortcut help
// button), plus the slow-motion badge over the ring's corner.
import { speedLabel } from './text.js';
import { formatClock } from './render.js';
import { one, all, esc } from './dom.js';
import { switchModel } from './actions.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */

export class Toolbar {
  /** @param {ControlContext} ctx */
  constructor({ host, parts, mount, full, signal, t }) {
    this.host = host;
    this.t = t;
    /** @param {string} key */
    const w = (key) => esc(t(key));
    this.el = parts.add(mount.main, `<div class="toolbar" role="toolbar" aria-label="${w('toolbar.label')}">
      <button class="primary" data-a="play" aria-keyshortcuts="Space">${w('toolbar.play')}</button>
      <button data-a="step" aria-keyshortcuts="." title="${w('toolbar.stepTitle')}">${w('toolbar.step')}</button>
      <button data-a="reset" aria-keyshortcuts="R" title="${w('toolbar.resetTitle')}">${w('toolbar.reset')}</button>
      <label class="speed"><span class="label">${w('toolbar.speed')}</span> <input type="range" min="-3" max="4" step="0.05" aria-label="${w('toolbar.speedAria')}"><output>×1</output></label>
      <span class="clock" role="timer" aria-label="${w('toolbar.clockAria')}">0.000 s</span>
      <span class="model" role="radiogroup" aria-label="${w('toolbar.model')}">
        <button role="radio" data-model="nacos" aria-checked="false" title="${w('toolbar.nacosTitle')}">Nacos 1.x</button>
        <button role="radio" data-model="raft" aria-checked="false" title="${w('toolbar.raftTitle')}">Raft</button>
      </span>
      ${full ? `<button data-a="share" aria-keyshortcuts="S" title="${w('toolbar.shareTitle')}">${w('toolbar.share')}</button><button data-a="help" aria-keyshortcuts="?" aria-label="${w('toolbar.help')}">?</button>` : ''}
    </div>`, mount.tour);
    // Over the ring's corner, like a player's indicator: it comes and goes
    // without moving anything.
    this.slowEl = parts.add(mount.stage, `<span class="badge slowmo off" title="${w('toolbar.slowmoTitle')}">${w('toolbar.slowmo')}</span>`);
    this.play = one(this.el, '[data-a=play]');
    this.speed = one(/** @type {ParentNode} */ (this.el), '.speed input');
    this.speedOut = one(this.el, '.speed output');
    this.clockEl = one(this.el, '.clock');
    /** @type {number | undefined} */
    this.lastTime = undefined;
    /** @type {boolean | undefined} */
    this.slowShown = undefined;
    this.play.addEventListener('click', () => host.togglePlay());
    one(this.el, '[data-a=step]').addEventListener('click', () => host.step());
    one(this.el, '[data-a=reset]').addEventListener('click', () => host.reset());
    this.el.querySelector('[data-a=share]')?.addEventListener('click', () => host.share());
    this.speed.addEventListener('input', () => host.setSpeed(10 ** Number(/** @type {HTMLInputElement} */ (this.speed).value)));
    for (const b of all(this.el, '[data-model]')) b.addEventListener('click', () => switchModel(host, b.dataset.model ?? ''));
    host.events.on('clock', () => this.paintClock(), signal);
    host.events.on('run', () => this.paintModel(), signal);
    host.events.on('frame', ({ ts }) => this.frame(ts), signal);
    this.paintModel();
    this.paintClock();
  }

  paintModel() {
    for (const b of all(this.el, '[data-model]')) b.setAttribute('aria-checked', String(b.dataset.model === this.host.run.model));
  }

  paintClock() {
    const clock = this.host.clock, input = /** @type {HTMLInputElement} */ (this.speed);
    this.play.textContent = this.t(clock.playing ? 'toolbar.pause' : 'toolbar.play');
    this.play.setAttribute('aria-label', this.t(clock.playing ? 'toolbar.pauseAria' : 'toolbar.playAria'));
    input.value = String(Math.log10(clock.speed));
    this.speedOut.textContent = speedLabel(clock.speed);
    input.setAttribute('aria-valuetext', this.t('toolbar.speedValue', { speed: speedLabel(clock.speed) }));
  }

  /** @param {number} _ts */
  frame(_ts) {
    const run = this.host.run, clock = this.host.clock;
    if (this.lastTime !== run.time) {
      // A Text node's data: no element re-parse, and the span has a fixed width.
      const text = `t = ${formatClock(run.time)}`;
      const first = this.clockEl.firstChild;
      if (first instanceof Text) first.data = text; else this.clockEl.textContent = text;
      this.lastTime = run.time;
    }
    const slow = clock.playing && clock.flying;
    if (slow !== this.slowShown) { this.slowEl.classList.toggle('off', !slow); this.slowShown = slow; }
  }
}
