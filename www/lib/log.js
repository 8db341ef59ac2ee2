// @ts-check
// The event log (full controls): the run's trace, newest at the bottom,
// filtered by category and text, with the model's quirk notes between the
// lines; it follows the newest events unless the reader scrolled back.
import { logTime, CATEGORIES } from './text.js';
import { one, all, esc } from './dom.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */
/**
 * A quirk note at an event (its absolute index): its catalog key and
 * values, so that it reads in whatever language the log is rebuilt in.
 * @typedef {{ abs: number, message: string, vars: Record<string, unknown> }} LogNote
 */
/** What a rebuilt log takes over (see Controls.keep). @typedef {{ filter: string[], query: string, notes: LogNote[] }} LogState */

const LOG_ROWS = 250;
/** Rows added per update while running: more than a reader can follow anyway. */
const APPEND_ROWS = 60;
const EVERY_MS = 150;

export class EventLog {
  /** @param {ControlContext} ctx @param {HTMLElement} side */
  constructor({ host, parts, signal, t }, side) {
    this.host = host;
    this.t = t;
    this.filter = new Set(CATEGORIES.filter((c) => c !== 'network' && c !== 'boot'));
    this.query = '';
    /** The filters the list was built with (a rewind or a filter change rebuilds it). */
    this.shownFor = '';
    /** @type {LogNote[]} */
    this.notes = [];
    this.notesShown = 0;
    /** Absolute index (dropped events included) of the first event not yet listed. */
    this.abs = 0;
    this.hidden = 0;
    /** @type {boolean | undefined} */
    this.follow = undefined;
    this.scrolling = false;
    this.last = 0;
    this.el = parts.add(side, `<section class="log" aria-label="${esc(t('log.label'))}">
        <h3>${esc(t('log.label'))}</h3>
        <div class="filters" role="group" aria-label="${esc(t('log.filtersAria'))}">${CATEGORIES.map((c) => `<button data-cat="${c}" aria-pressed="${this.filter.has(c)}">${esc(t(`cat.${c}`))}</button>`).join('')}</div>
        <input type="search" class="q" placeholder="${esc(t('log.placeholder'))}" aria-label="${esc(t('log.searchAria'))}" aria-keyshortcuts="L">
        <ol class="entries" tabindex="0" aria-label="${esc(t('log.entriesAria'))}"></ol>
        <p class="meta"></p>
      </section>`);
    this.list = one(this.el, 'ol.entries');
    this.search = /** @type {HTMLInputElement} */ (one(this.el, 'input.q'));
    for (const b of all(this.el, '.filters button')) {
      b.addEventListener('click', () => {
        const c = b.dataset.cat ?? '';
        if (this.filter.has(c)) this.filter.delete(c); else this.filter.add(c);
        b.setAttribute('aria-pressed', String(this.filter.has(c)));
        if (c === 'network') host.setTraceLevel(this.filter.has('network') ? 'all' : 'protocol');
        this.shownFor = '';
      });
    }
    this.search.addEventListener('input', () => { this.query = this.search.value.trim().toLowerCase(); this.shownFor = ''; });
    // Follow the newest events unless the reader scrolled back (measured
    // here, not at every update: reading layout every update is what costs).
    this.list.addEventListener('scroll', () => {
      if (this.scrolling) { this.scrolling = false; return; } // our own scroll to the end
      const ol = this.list;
      this.follow = ol.scrollTop + ol.clientHeight >= ol.scrollHeight - 30;
    });
    this.list.addEventListener('click', (e) => { const n = Number(/** @type {HTMLElement} */ (e.target).closest('[data-node]')?.getAttribute('data-node')); if (n) host.select(n); });
    host.events.on('run', () => { this.shownFor = ''; this.notes = []; }, signal);
    host.events.on('note', ({ message, vars, event }) => {
      const log = host.run.log;
      this.notes.push({ abs: log.dropped + log.items.lastIndexOf(event), message, vars });
    }, signal);
    host.events.on('command', ({ name }) => { if (name === 'focus-log') this.search.focus(); }, signal);
    host.events.on('frame', ({ ts }) => { if (ts - this.last > EVERY_MS) { this.last = ts; this.update(); } }, signal);
  }

  /** The reader's filters and the run's notes, for the log that replaces this one. @returns {LogState} */
  keep() { return { filter: [...this.filter], query: this.search.value, notes: this.notes }; }

  /** Takes over what the log this one replaces kept. @param {LogState} kept */
  restore(kept) {
    this.filter = new Set(kept.filter);
    for (const b of all(this.el, '.filters button')) b.setAttribute('aria-pressed', String(this.filter.has(b.dataset.cat ?? '')));
    this.search.value = kept.query;
    this.query = kept.query.trim().toLowerCase();
    this.notes = kept.notes;
    this.shownFor = '';
  }

  /** Appends what is new in the log; rebuilds it only after a filter change or a rewind. */
  update() {
    const run = this.host.run, log = run.log, ol = this.list;
    const filterKey = `${[...this.filter].join()}|${this.query}|${log.cuts}`;
    const end = log.dropped + log.items.length;
    const rebuild = this.shownFor !== filterKey || this.abs > end;
    if (!rebuild && this.abs === end && this.notesShown === this.notes.length) return;
    const follow = this.follow !== false;
    const q = this.query, cats = this.filter;
    if (rebuild) { this.abs = Math.max(log.dropped, end - 4 * LOG_ROWS); this.hidden = 0; this.notesShown = 0; ol.textContent = ''; }
    /** @type {Map<number, string[]>} */
    const notesAt = new Map();
    for (const n of this.notes) if (n.abs >= this.abs) notesAt.set(n.abs, [...(notesAt.get(n.abs) ?? []), this.t(n.message, n.vars)]);
    // Newest first, and no more rows than the list keeps: a burst of
    // thousands of events costs one list's worth of HTML, not thousands.
    const rows = [];
    const cap = rebuild ? LOG_ROWS : APPEND_ROWS;
    let skipped = 0;
    for (let k = end - 1; k >= Math.max(this.abs, log.dropped); k--) {
      const e = log.items[k - log.dropped];
      if (rows.length >= cap) { if (cats.has(e.cat)) skipped++; else this.hidden++; continue; }
      for (const note of notesAt.get(k) ?? []) rows.push(`<li class="note">${esc(note)}</li>`);
      const line = `s${e.node ?? ''} ${e.event} ${e.text ?? ''}`.toLowerCase();
      if (!cats.has(e.cat) || (q && !line.includes(q))) this.hidden++;
      else rows.push(`<li class="c-${e.cat}"${e.node ? ` data-node="${e.node}"` : ''}><time>${logTime(e.t_ms)}</time> ${e.node ? `<b>S${e.node}</b> ` : ''}<code>${esc(e.event)}</code> ${esc(e.text ?? '')}</li>`);
    }
    if (skipped) rows.push(`<li class="note">${esc(this.t('log.notListed', { count: skipped }))}</li>`);
    this.abs = end;
    this.notesShown = this.notes.length;
    const html = rows.reverse().join('');
    if (rows.length >= LOG_ROWS) ol.innerHTML = html;
    else if (html) ol.insertAdjacentHTML('beforeend', html);
    const extra = ol.childElementCount - LOG_ROWS;
    if (extra > 0) {
      const range = document.createRange();
      range.setStartBefore(/** @type {Element} */ (ol.firstElementChild));
      range.setEndAfter(ol.children[extra - 1]);
      range.deleteContents();
    }
    if ((follow || rebuild) && ol.scrollTop < ol.scrollHeight - ol.clientHeight - 1) {
      this.scrolling = true;
      ol.scrollTop = ol.scrollHeight;
    }
    const lost = log.dropped + (run.sim.eventsOverflowed || 0);
    const t = this.t;
    one(this.el, '.meta').textContent = `${t('log.kept', { count: log.items.length })}${lost ? t('log.lost', { count: lost }) : ''}${this.hidden ? t('log.hidden', { count: this.hidden }) : ''}${run.traceLevel === 'changes' ? t('log.fast') : ''}${t('log.end')}`;
    this.shownFor = filterKey;
  }
}
