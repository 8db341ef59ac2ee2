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
 */

export class Controls {
  /** @param {Host} host @param {'minimal' | 'full'} mode @param {Mount} mount */
  constructor(host, mode, mount) {
    this.full = mode === 'full';
    this.parts = new Parts();
    this.connection = new AbortController();
    /** @type {ControlContext} */
    const ctx = { host, parts: this.parts, mount, full: this.full, signal: this.connection.signal };
    // Above the ring, in this order: toolbar, heartbeats, alerts, then a tour's caption.
    this.toolbar = new Toolbar(ctx);
    this.beats = new Beats(ctx);
    this.scrubber = new Scrubber(ctx);
    const say = this.parts.add(mount.main, '<p class="announce" aria-live="polite"></p>');
    host.events.on('say', ({ text }) => { say.textContent = text; }, ctx.signal);
    /** @type {Faults | null} */
    this.faults = null;
    if (!this.full) return;
    const legend = this.parts.add(mount.main, `<ul class="legend" aria-label="Legend">
        <li><i class="k-beat"></i>beat</li><li><i class="k-beat-reply"></i>beat reply</li>
        <li><i class="k-vote"></i>vote request</li><li><i class="k-vote-reply"></i>vote reply (✓ granted, ✗ not)</li>
        <li><i class="k-prevote"></i>pre-vote</li><li><i class="k-lost"></i>lost message</li>
        <li class="nacos-only"><i class="k-commit"></i>commit</li><li class="nacos-only"><i class="k-pull"></i>datum pull</li><li class="nacos-only"><i class="k-delete"></i>delete</li>
        <li class="nacos-only">bigger dot: more bytes (a beat lists every key) · chips: key:version, amber: behind the leader</li>
        <li class="raft-only"><i class="k-snapshot"></i>snapshot</li>
        <li class="raft-only">under each node its log, newest entries, the same indices for all: cell colour and number: the entry's term · solid: committed, faded: not yet · teal tick: commit index · red edge: differs from the leader's · bigger beat: it carries entries</li>
        <li>grey arc: time to election timeout (leaderDueMs) · green arc: leader's next beat (heartbeatDueMs)</li>
        <li>crown: leader · dashed: candidate · fill: term colour · red badge: beats dropped · dashed red wall: partition</li></ul>`);
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
    this.parts.add(side, `<details class="notes"><summary>Where Nacos differs from textbook Raft</summary>
        <ul>${NACOS_DIFFERENCES.map(([a, b]) => `<li><b>${esc(a)}.</b> ${esc(b)}</li>`).join('')}</ul></details>`);
    this.parts.add(side, `<details class="notes"><summary>What Nacos shares with textbook Raft</summary>
        <ul>${NACOS_LIKE_RAFT.map(([a, b]) => `<li><b>${esc(a)}.</b> ${esc(b)}</li>`).join('')}</ul></details>`);
    const help = /** @type {HTMLDialogElement} */ (this.parts.add(mount.grid, `<dialog class="help" aria-label="Keyboard shortcuts"><h3>Keyboard shortcuts</h3>
      <table>${SHORTCUTS.map(([k, d]) => `<tr><td>${k.split(' ').map((x) => (['or', 'and', '…', '/'].includes(x) ? x : `<kbd>${esc(x)}</kbd>`)).join(' ')}</td><td>${esc(d)}</td></tr>`).join('')}</table>
      <p class="hint">Everything also works with touch and the mouse: click a node to inspect it, click a moving message to drop it, click the timeline to go back in time.</p>
      <form method="dialog"><button class="primary">Close</button></form></dialog>`));
    one(this.toolbar.el, '[data-a=help]').addEventListener('click', () => help.showModal());
    host.events.on('command', ({ name }) => { if (name === 'help') help.showModal(); }, ctx.signal);
  }

  /** The timeline strip's renderer (tests read where times fall on it). */
  get timeline() { return this.scrubber.timeline; }

  /** True while a skip ahead runs. */
  get skipping() { return this.faults?.skipping ?? false; }

  dispose() {
    this.connection.abort();
    this.parts.remove();
  }
}
