// @ts-check
// The client bar (full controls): write or delete a key through the leader
// (Nacos's datums, or a command in Raft's log), run a workload of random
// writes (off or a rate), and how the client's operations ended. Every press is one action in the script
// language, so a share link replays it.
import { one, esc } from './dom.js';
import { span } from './text.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */
/** @typedef {import('../pkg/raftbeat.js').ClientView} ClientView */

/** How often (ms) the client's results are read again while the run moves. */
const EVERY_MS = 250;
/** The keys a workload started here writes, unless told otherwise. */
const WORKLOAD_KEYS = 20;

export class ClientBar {
  /** @param {ControlContext} ctx */
  constructor({ host, parts, mount, signal, t }) {
    this.host = host;
    this.t = t;
    /** @param {string} key */
    const w = (key) => esc(t(key));
    this.el = parts.add(mount.main, `<div class="client" role="group" aria-label="${w('client.label')}">
      <span class="row flush"><b>${w('client.client')}</b><input type="text" class="key w70" placeholder="k1" autocomplete="off" spellcheck="false" aria-label="${w('client.keyAria')}">
        <button class="write primary" title="${w('client.writeTitle')}">${w('client.write')}</button><button class="delete">${w('client.delete')}</button></span>
      <span class="row flush"><label>${w('client.workload')} <input type="number" class="rate w62" min="0" step="any" value="2" aria-label="${w('client.rateAria')}">${w('client.perSecond')}</label>
        <label><input type="number" class="keys w62" min="1" step="1" value="${WORKLOAD_KEYS}" aria-label="${w('client.keysAria')}"> ${w('client.keys')}</label>
        <button class="workload" aria-pressed="false">${w('client.start')}</button></span>
      <span class="results" aria-live="off"></span>
    </div>`, mount.tour);
    this.key = /** @type {HTMLInputElement} */ (one(this.el, 'input.key'));
    this.rate = /** @type {HTMLInputElement} */ (one(this.el, 'input.rate'));
    this.keys = /** @type {HTMLInputElement} */ (one(this.el, 'input.keys'));
    this.button = one(this.el, 'button.workload');
    this.results = one(this.el, '.results');
    /** The next key an empty key field writes. */
    this.next = 1;
    this.last = 0;
    one(this.el, 'button.write').addEventListener('click', () => this.send('write'));
    one(this.el, 'button.delete').addEventListener('click', () => this.send('delete'));
    this.key.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.send('write'); });
    this.button.addEventListener('click', () => this.toggleWorkload());
    host.events.on('command', ({ name }) => { if (name === 'write' && !this.el.hidden) this.send('write'); }, signal);
    host.events.on('run', () => this.fill(), signal);
    host.events.on('action', () => { this.last = 0; }, signal);
    host.events.on('frame', ({ ts }) => { if (ts - this.last > EVERY_MS) { this.last = ts; this.update(); } }, signal);
    this.fill();
  }

  /** Both models take writes: Nacos stores datums, Raft appends commands to its log. */
  fill() {
    this.el.hidden = false;
    this.last = 0;
  }

  /** Writes or deletes the typed key, or the next of k1, k2, … @param {'write' | 'delete'} kind */
  send(kind) {
    const typed = this.key.value.trim();
    const key = typed || (kind === 'write' ? `k${this.next}` : this.lastWritten());
    if (!key) { this.host.showError(this.t('client.deleteWhat')); return; }
    const done = this.host.act(`${kind} ${key}`);
    if (done === null) return;
    if (!typed && kind === 'write') { this.next++; this.key.placeholder = `k${this.next}`; }
    const via = /via=(\d+)/.exec(done)?.[1];
    const how = !via ? 'noLeader' : this.host.run.model === 'raft' ? 'raft' : 'nacos';
    this.host.announce(this.t(`client.${how}.${kind}`, { key, via }));
    this.last = 0;
  }

  /** The key written last from this bar (empty: none). */
  lastWritten() { return this.next > 1 ? `k${this.next - 1}` : ''; }

  toggleWorkload() {
    const host = this.host;
    if (this.view()?.workload) {
      if (host.act('workload off') !== null) host.announce(this.t('client.workloadStopped'));
      return;
    }
    const rate = this.rate.valueAsNumber, keys = this.keys.valueAsNumber;
    if (!(rate > 0)) { host.showError(this.t('client.rateRule')); return; }
    if (host.act(`workload rate=${rate}/s keys=${Number.isFinite(keys) ? keys : WORKLOAD_KEYS}`) !== null) {
      host.announce(this.t('client.workloadStarted', { rate, last: (Number.isFinite(keys) ? keys : WORKLOAD_KEYS) - 1 }));
    }
    this.last = 0;
  }

  /** The client as the core reports it (null: a freed run). @returns {ClientView | null} */
  view() {
    try { return this.host.run.sim.client(1); } catch { return null; }
  }

  update() {
    if (this.el.hidden) return;
    const c = this.view();
    if (!c) return;
    const on = !!c.workload;
    const label = this.t(on ? 'client.stop' : 'client.start');
    if (this.button.textContent !== label) {
      this.button.textContent = label;
      this.button.setAttribute('aria-pressed', String(on));
      this.rate.disabled = on; this.keys.disabled = on;
      if (c.workload) { this.rate.value = String(c.workload.rate); this.keys.value = String(c.workload.keys); }
    }
    const { invoked, ok, failed } = c.counts;
    const pending = invoked - ok - failed;
    const last = c.recent[c.recent.length - 1];
    const t = this.t;
    const lastText = last
      ? t('client.last', { kind: last.kind, key: last.key, outcome: last.outcome === 'ok' ? t('client.okIn', { span: span((last.doneMs ?? 0) - last.invokedMs) }) : t('client.failed', { reason: last.reason }) })
      : '';
    const text = invoked ? t('client.counts', { ok, failed, pending: pending ? t('client.pending', { count: pending }) : '', last: lastText }) : t('client.none');
    if (this.results.textContent !== text) {
      this.results.textContent = text;
      this.results.classList.toggle('failed', !!last && last.outcome === 'failed');
    }
  }
}
