// @ts-check
// The client bar (full controls): write or delete a key through the leader
// (Nacos's datums, or a command in Raft's log), run a workload of random
// writes (off or a rate), and how the client's operations ended. Every press is one action in the script
// language, so a share link replays it.
import { one } from './dom.js';
import { span } from './text.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */
/** @typedef {import('../pkg/raftbeat.js').ClientView} ClientView */

/** How often (ms) the client's results are read again while the run moves. */
const EVERY_MS = 250;
/** The keys a workload started here writes, unless told otherwise. */
const WORKLOAD_KEYS = 20;

export class ClientBar {
  /** @param {ControlContext} ctx */
  constructor({ host, parts, mount, signal }) {
    this.host = host;
    this.el = parts.add(mount.main, `<div class="client" role="group" aria-label="Client: writes to the cluster's data">
      <span class="row flush"><b>Client</b><input type="text" class="key w70" placeholder="k1" autocomplete="off" spellcheck="false" aria-label="Key to write or delete (empty: the next of k1, k2, …)">
        <button class="write primary" title="Write the key through the leader (its version goes up by one once it commits)">Write</button><button class="delete">Delete</button></span>
      <span class="row flush"><label>Workload <input type="number" class="rate w62" min="0" step="any" value="2" aria-label="Workload rate (writes per second)">/s,</label>
        <label><input type="number" class="keys w62" min="1" step="1" value="${WORKLOAD_KEYS}" aria-label="Workload keys"> keys</label>
        <button class="workload" aria-pressed="false">Start</button></span>
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
    if (!key) { this.host.showError('Delete: type the key to delete (nothing was written yet).'); return; }
    const done = this.host.act(`${kind} ${key}`);
    if (done === null) return;
    if (!typed && kind === 'write') { this.next++; this.key.placeholder = `k${this.next}`; }
    const via = /via=(\d+)/.exec(done)?.[1];
    const Kind = kind === 'write' ? 'Write' : 'Delete';
    this.host.announce(!via ? `${Kind} ${key}: there is no leader to send it to, so it fails.`
      : this.host.run.model === 'raft' ? `${Kind} ${key} through S${via}, the leader: it appends the command to its log and sends it to every follower in AppendEntries; once a majority stores it, it commits and applies it, and the client gets its answer.`
        : kind === 'write' ? `Writing ${key} through S${via}, the leader: signalPublish takes the lock, raises the term by 100 and sends the commit to every peer; a majority must confirm.`
          : `Deleting ${key} through S${via}, the leader: signalDelete sends the delete to every peer and waits for none.`);
    this.last = 0;
  }

  /** The key written last from this bar (empty: none). */
  lastWritten() { return this.next > 1 ? `k${this.next - 1}` : ''; }

  toggleWorkload() {
    const host = this.host;
    if (this.view()?.workload) {
      if (host.act('workload off') !== null) host.announce('Workload stopped (operations already sent still finish).');
      return;
    }
    const rate = this.rate.valueAsNumber, keys = this.keys.valueAsNumber;
    if (!(rate > 0)) { host.showError('Workload: give a rate above 0 writes per second.'); return; }
    if (host.act(`workload rate=${rate}/s keys=${Number.isFinite(keys) ? keys : WORKLOAD_KEYS}`) !== null) {
      host.announce(`Workload: about ${rate} writes a second through the leader, over keys k0 … k${(Number.isFinite(keys) ? keys : WORKLOAD_KEYS) - 1}.`);
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
    const label = on ? 'Stop' : 'Start';
    if (this.button.textContent !== label) {
      this.button.textContent = label;
      this.button.setAttribute('aria-pressed', String(on));
      this.rate.disabled = on; this.keys.disabled = on;
      if (c.workload) { this.rate.value = String(c.workload.rate); this.keys.value = String(c.workload.keys); }
    }
    const { invoked, ok, failed } = c.counts;
    const pending = invoked - ok - failed;
    const last = c.recent[c.recent.length - 1];
    const lastText = last
      ? ` · last: ${last.kind} ${last.key} ${last.outcome === 'ok' ? `ok in ${span((last.doneMs ?? 0) - last.invokedMs)}` : `failed (${last.reason})`}`
      : '';
    const text = invoked ? `${ok} ok · ${failed} failed${pending ? ` · ${pending} pending` : ''}${lastText}` : 'No writes yet.';
    if (this.results.textContent !== text) {
      this.results.textContent = text;
      this.results.classList.toggle('failed', !!last && last.outcome === 'failed');
    }
  }
}
