// @ts-check
// A guided tour: a scenario's `pause` lines are its stops. The caption bar
// above the ring says the current stop; Back, Continue, the list of stops
// and ←/→ (or a presenter's PageUp/PageDown) walk it. A tour of ours
// (www/tours/<name>.txt) is captioned in the reader's language from the
// catalog (www/i18n/<lang>/tours.js); the script's own words otherwise.
import { one } from './dom.js';
import { resolveLang, loadLang, t } from './i18n.js';

/** @typedef {import('../raft-beat.js').RaftBeatElement} Host */

/** The tour a host's `scenario-src` names (`nacos-heartbeats` for tours/nacos-heartbeats.txt), or null. @param {Host} host */
function tourName(host) {
  if (host.hasAttribute('scenario')) return null;
  return host.getAttribute('scenario-src')?.match(/([\w-]+)\.txt(?:[?#].*)?$/)?.[1] ?? null;
}

/**
 * A caption cut short for the list of stops: whole words; in Chinese (twice
 * as wide) 36 characters, back to the last clause when there is one, and
 * never inside a number or a name ("任期 20…" would misread 201).
 * @param {string} note
 */
function shortCaption(note) {
  if (/[\u3400-\u9fff]/.test(note)) {
    if (note.length <= 36) return note || '…';
    let cut = note.slice(0, 36);
    const clause = Math.max(...['，', '。', '；', '：'].map((p) => cut.lastIndexOf(p)));
    cut = clause >= 16 ? cut.slice(0, clause) : cut.replace(/[\w.]+$/, '');
    return `${cut.replace(/[\s，。；：、（“]+$/, '')}…`;
  }
  return note.length > 70 ? `${note.slice(0, 70).replace(/\s+\S*$/, '').replace(/[\s.,;:]+$/, '')}…` : note || '…';
}

export class Tour {
  /** @param {Host} host @param {HTMLElement} el the element's `.tour` bar */
  constructor(host, el) {
    this.host = host;
    this.el = el;
    /** The stop last announced with a `stop` event. @type {{ run: unknown, k: number } | null} */
    this.said = null;
    /** The stops the list was made from, and in which language. @type {unknown} */
    this.listed = null;
    this.listedLang = '';
    /** Languages whose catalog is loaded or loading. @type {Set<string>} */
    this.catalogs = new Set();
    one(el, '.back').addEventListener('click', () => this.back());
    one(el, '.next').addEventListener('click', () => this.next());
    const stops = /** @type {HTMLDetailsElement} */ (one(el, 'details.stops'));
    stops.addEventListener('keydown', (e) => { if (e.key === 'Escape' && stops.open) { stops.open = false; one(stops, 'summary').focus(); } });
    one(el, '.stop-list').addEventListener('click', (e) => {
      const k = /** @type {HTMLElement} */ (e.target).closest('[data-stop]')?.getAttribute('data-stop');
      if (!k) return;
      stops.open = false;
      host.goToStop(Number(k));
    });
    // A new lang attribute (a page's language switch) re-says the caption in it.
    new MutationObserver(() => { if (host.run) this.update(); }).observe(host, { attributes: true, attributeFilter: ['lang'] });
    // The link is made when it is about to be followed: the run moves on.
    const openLab = /** @type {HTMLAnchorElement} */ (one(el, '.open-lab'));
    for (const ev of ['pointerdown', 'focus', 'click']) openLab.addEventListener(ev, () => { openLab.href = host.shareUrl(); });
  }

  /** A tour opens on its first caption when that stop is at time 0. */
  toFirstStop() {
    const run = this.host.run;
    if (run.stops.length && run.time === 0) run.advanceTo(0, Infinity, { halt: true });
    this.update();
  }

  /** Continue: play on to the next stop (or pause, while playing). */
  next() {
    this.host.togglePlay();
  }

  /** Back: to the current stop when played on from it, else to the one before. */
  back() {
    const run = this.host.run, k = run.stopsPassed, here = run.stops[k - 1];
    // Before the first stop, Back is the start (the Back button is disabled
    // there only at time 0; ← is not).
    this.host.goToStop(Math.max(0, here && run.time > here.t + 0.0005 ? k : k - 1));
  }

  /** What stop k says (0: before the first, the scenario's about), in the reader's language when the catalog has it. @param {number} k */
  caption(k) {
    const host = this.host, english = k ? host.run.stops[k - 1]?.note ?? '' : host.about;
    const lang = resolveLang(host), name = tourName(host);
    if (lang === 'en' || !name) return english;
    if (!this.catalogs.has(lang)) {
      // Said in English for the moment it takes to load, then again.
      this.catalogs.add(lang);
      loadLang(lang).then(() => { this.listed = null; this.update(); }, () => {});
      return english;
    }
    const key = `tour.${name}.${k || 'about'}`, text = t(lang, key);
    return text && text !== key ? text : english;
  }

  update() {
    const host = this.host, run = host.run, el = this.el, n = run?.stops.length ?? 0;
    if (el.hidden !== !n) { el.hidden = !n; host.root.classList.toggle('touring', !!n); host.redraw(); }
    if (!n) return;
    const k = run.stopsPassed, here = run.stops[k - 1];
    const say = here ? this.caption(k) || '…' : this.caption(0) || host.t('shell.pressContinue');
    const sayEl = one(el, '.say');
    if (sayEl.textContent !== say) sayEl.textContent = say;
    one(el, '.tour-count').textContent = `${k} / ${n}`;
    // A page can follow the reader (tour.html keeps ?stop= in its URL).
    if (this.said?.run !== run || this.said.k !== k) {
      this.said = { run, k };
      host.dispatchEvent(new CustomEvent('stop', { detail: { stop: k, stops: n, caption: here?.note ?? '', timeMs: here?.t ?? 0 } }));
    }
    // The list of stops, to jump to any: a long tour's table of contents.
    const list = one(el, '.stop-list');
    const lang = resolveLang(host);
    if (this.listed !== run.stops || this.listedLang !== lang) {
      this.listed = run.stops;
      this.listedLang = lang;
      list.replaceChildren(...run.stops.map((s, i) => {
        const li = document.createElement('li'), b = document.createElement('button');
        b.dataset.stop = String(i + 1);
        b.textContent = `${i + 1}. ${shortCaption(this.caption(i + 1))}`;
        li.append(b);
        return li;
      }));
    }
    list.querySelectorAll('button').forEach((b, i) => { if (i === k - 1) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current'); });
    // Only where the page says where its lab is (share-base).
    one(el, '.open-lab').hidden = !host.hasAttribute('share-base');
    // Nothing before: the start, or a first stop at time 0 not yet played on from.
    /** @type {HTMLButtonElement} */ (one(el, '.back')).disabled = run.time <= 0.0005 && (k === 0 || (k === 1 && here.t === 0));
    one(el, '.next').textContent = host.t(host.clock.playing ? 'shell.pause' : k < n ? 'shell.continue' : 'shell.playOn');
  }

  /** ←/→ (or PageUp/PageDown) walk a tour; true when the key was the tour's. @param {KeyboardEvent} e */
  key(e) {
    const run = this.host.run;
    if (!run?.stops.length || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return false;
    const target = /** @type {HTMLElement | undefined} */ (e.composedPath()[0]), tag = target?.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || tag === 'CANVAS' || target?.isContentEditable) return false;
    if (e.key === 'ArrowRight' || e.key === 'PageDown') { if (!this.host.clock.playing) this.next(); } else if (e.key === 'ArrowLeft' || e.key === 'PageUp') this.back();
    else return false;
    e.preventDefault();
    return true;
  }
}
