// @ts-check
// The controls of <raft-beat>, put together: the transport bar, the leader's
// heartbeats and alerts, the timeline strip, the announcement line, and with
// controls="full" the legend and a side column (inspector, faults, settings,
// event log, notes) plus the shortcut help. Each part subscribes to the
// element's events (lib/events.js) and acts through the element's methods;
// none writes the element's fields, nor the element theirs.
import { NACOS_DIFFERENCES, NACOS_LIKE_RAFT, SHORTCUTS } from './text.js';
import { Parts, one, esc } from './dom.js';
import { Toolbar } from './toolbar.js';
import { Beats } from './beats.js';
import { Scrubber } from './scrubber.js';
import { Inspector } from './inspector.js';
import { Faults } from './faults.js';
import { SettingsForm } from './settings.js';
import { EventLog } from './log.js';
import { ClientBar } from './client.js';

/** @typedef {import('../raft-beat.js').RaftBeatElement} Host */

/**
 * Where the controls go in the element's shadow root: above the ring in
 * `main` (before the tour's bar), over the ring in `stage`, the side column
 * in `grid`.
 * @typedef {{ main: HTMLElement, stage: HTMLElement, tour: HTMLElement, grid: HTMLElement }} Mount
 */

/**
 * What each part is built with.
 * @typedef {object} ControlContext
 * @property {Host} host The element: its events, its methods, its run and clock (read only).
 * @property {Parts} parts Collects what the part puts on the page.
 * @property {Mount} mount
 * @property {boolean} full controls="full"
 * @property {AbortSignal} signal Aborted when the controls go.
 * @property {(key: string, vars?: Record<string, unknown>) => string} t The words, in the element's language (lib/i18n.js).
 */

/**
 * What the reader set in the controls, carried over when they are rebuilt
 * (a language switch): the log's filters, search and notes, which panels
 * are open, the numbers typed in.
 * @typedef {{ log?: import('./log.js').LogState, open: boolean[], values: string[] }} Kept
 */

export class Controls {
  /** @param {Host} host @param {'minimal' | 'full'} mode @param {Mount} mount */
  constructor(host, mode, mount) {
    this.full = mode === 'full';
    this.parts = new Parts();
    this.connection = new AbortController();
    /** @type {ControlContext} */
    const ctx = { host, parts: this.parts, mount, full: this.full, signal: this.connection.signal, t: (key, vars) => host.t(key, vars) };
    const t = ctx.t;
    // Above the ring, in this order: toolbar, heartbeats, alerts, then a tour's caption.
    this.toolbar = new Toolbar(ctx);
    this.beats = new Beats(ctx);
    this.scrubber = new Scrubber(ctx);
    const say = this.parts.add(mount.main, '<p class="announce" aria-live="polite"></p>');
    host.events.on('say', ({ text }) => { say.textContent = text; }, ctx.signal);
    /** @type {Faults | null} */
    this.faults = null;
    if (!this.full) return;
    const legend = this.parts.add(mount.main, `<ul class="legend" aria-label="${esc(t('panels.legend'))}">
        <li><i class="k-beat"></i>${esc(t('legend.beat'))}</li><li><i class="k-beat-reply"></i>${esc(t('legend.beatReply'))}</li>
        <li><i class="k-vote"></i>${esc(t('legend.vote'))}</li><li><i class="k-vote-reply"></i>${esc(t('legend.voteReply'))}</li>
        <li><i class="k-prevote"></i>${esc(t('legend.prevote'))}</li><li><i class="k-lost"></i>${esc(t('legend.lost'))}</li>
        <li class="nacos-only"><i class="k-commit"></i>${esc(t('legend.commit'))}</li><li class="nacos-only"><i class="k-pull"></i>${esc(t('legend.pull'))}</li><li class="nacos-only"><i class="k-delete"></i>${esc(t('legend.delete'))}</li>
        <li class="nacos-only"><i class="k-stalled"></i>${esc(t('legend.stalled'))}</li><li class="nacos-only"><i class="k-failed"></i>${esc(t('legend.failed'))}</li>
        <li class="nacos-only">${esc(t('legend.nacosSize'))}</li>
        <li class="raft-only"><i class="k-snapshot"></i>${esc(t('legend.snapshot'))}</li>
        <li class="raft-only">${esc(t('legend.raftLog'))}</li>
        <li class="raft-only">${esc(t('legend.disk'))}</li>
        <li>${esc(t('legend.arcs'))}</li>
        <li>${esc(t('legend.shapes'))}</li></ul>`);
    // The data's kinds only where there is data.
    const nacosOnly = () => {
      for (const li of legend.querySelectorAll('.nacos-only')) /** @type {HTMLElement} */ (li).hidden = host.run.model !== 'nacos';
      for (const li of legend.querySelectorAll('.raft-only')) /** @type {HTMLElement} */ (li).hidden = host.run.model !== 'raft';
    };
    host.events.on('run', nacosOnly, ctx.signal);
    nacosOnly();
    this.client = new ClientBar(ctx);
    const side = this.parts.add(mount.grid, '<div class="side"></div>');
    this.inspector = new Inspector(ctx, side);
    this.faults = new Faults(ctx, side);
    this.settings = new SettingsForm(ctx, side);
    this.log = new EventLog(ctx, side);
    /** @param {string} part @param {number} count */
    const notes = (part, count) => Array.from({ length: count }, (_, i) => `<li><b>${esc(t(`${part}.${i + 1}.title`))}.</b> ${esc(t(`${part}.${i + 1}.text`))}</li>`).join('');
    this.parts.add(side, `<details class="notes"><summary>${esc(t('panels.differs'))}</summary>
        <ul>${notes('differs', NACOS_DIFFERENCES)}</ul></details>`);
    this.parts.add(side, `<details class="notes"><summary>${esc(t('panels.shares'))}</summary>
        <ul>${notes('shares', NACOS_LIKE_RAFT)}</ul></details>`);
    /** @param {string} x */
    const key = (x) => (x === 'or' || x === 'and' ? esc(t(`panels.${x}`)) : ['…', '/'].includes(x) ? x : `<kbd>${esc(x)}</kbd>`);
    const help = /** @type {HTMLDialogElement} */ (this.parts.add(mount.grid, `<dialog class="help" aria-label="${esc(t('panels.shortcuts'))}"><h3>${esc(t('panels.shortcuts'))}</h3>
      <table>${SHORTCUTS.map(([k, d]) => `<tr><td>${k.split(' ').map(key).join(' ')}</td><td>${esc(t(d))}</td></tr>`).join('')}</table>
      <p class="hint">${esc(t('panels.touchHint'))}</p>
      <form method="dialog"><button class="primary">${esc(t('panels.close'))}</button></form></dialog>`));
    one(this.toolbar.el, '[data-a=help]').addEventListener('click', () => help.showModal());
    host.events.on('command', ({ name }) => { if (name === 'help') help.showModal(); }, ctx.signal);
  }

  /** The timeline strip's renderer (tests read where times fall on it). */
  get timeline() { return this.scrubber.timeline; }

  /** True while a skip ahead runs. */
  get skipping() { return this.faults?.skipping ?? false; }

  /**
   * What the reader set in these controls, to carry into new ones
   * (restore). Panels and fields are matched by their order in the DOM,
   * which rebuilt controls share.
   * @returns {Kept}
   */
  keep() {
    const nodes = this.parts.nodes;
    const details = nodes.flatMap((n) => [...(n.matches('details') ? [n] : []), ...n.querySelectorAll('details')]);
    const fields = nodes.flatMap((n) => [...n.querySelectorAll('input:not([readonly]), select')]);
    return {
      log: this.log?.keep(),
      open: details.map((d) => /** @type {HTMLDetailsElement} */ (d).open),
      values: fields.map((f) => /** @type {HTMLInputElement} */ (f).value),
    };
  }

  /** Puts back what keep() took from the controls these replace. @param {Kept} kept */
  restore(kept) {
    const nodes = this.parts.nodes;
    const details = nodes.flatMap((n) => [...(n.matches('details') ? [n] : []), ...n.querySelectorAll('details')]);
    const fields = nodes.flatMap((n) => [...n.querySelectorAll('input:not([readonly]), select')]);
    // Another mode (full, minimal) has other panels: nothing matches then.
    if (details.length === kept.open.length) details.forEach((d, i) => { /** @type {HTMLDetailsElement} */ (d).open = kept.open[i]; });
    if (fields.length === kept.values.length) {
      fields.forEach((f, i) => {
        const el = /** @type {HTMLInputElement} */ (f);
        // Only what the reader can have typed; the rest each part fills from the run.
        if (!el.disabled && el.value !== kept.values[i]) el.value = kept.values[i];
      });
    }
    if (kept.log) this.log?.restore(kept.log);
  }

  dispose() {
    this.connection.abort();
    this.parts.remove();
  }
}
