// @ts-check
// The faults panel (full controls): partitions, cut links, the network's
// latency and loss, periodic leader crashes, the election-clock keys, skips
// ahead, the messages in flight (to drop one) and the run as a script.
import { span } from './text.js';
import { M, KINDS } from './core.js';
import { one, all } from './dom.js';
import { leaderTarget, timerKey } from './actions.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */

const EVERY_MS = 200;
const MESSAGES_EVERY_MS = 300;

export class Faults {
  /** @param {ControlContext} ctx @param {HTMLElement} side */
  constructor({ host, parts, signal }, side) {
    this.host = host;
    this.el = parts.add(side, `<details class="faults" open><summary>Faults</summary>
        <div class="row"><button data-f="minority" title="Partition the leader and one follower from the rest">Leader into the minority</button>
          <button data-f="isolate-leader">Isolate the leader</button><button data-f="heal" aria-keyshortcuts="H">Heal</button></div>
        <div class="row"><label>Partition <input type="text" class="groups" placeholder="1,2 | 3,4,5" size="12" aria-label="Partition groups, like 1,2 | 3,4,5"></label><button data-f="partition">Split</button></div>
        <div class="row"><label>Link <select class="cut-from" aria-label="Link from"></select></label>→<select class="cut-to" aria-label="Link to"></select>
          <label><input type="checkbox" class="cut-both"> both ways</label><button data-f="cut">Cut</button><button data-f="restore">Restore</button></div>
        <div class="row"><label>Latency <input type="number" class="lat-min w70" min="0" step="any" aria-label="Minimum latency (ms)"></label>–<input type="number" class="lat-max w70" min="0" step="any" aria-label="Maximum latency (ms)"> ms
          <label>loss <input type="number" class="loss w62" min="0" max="100" step="any" aria-label="Loss (%)"> %</label><button data-f="network">Apply</button></div>
        <div class="row periodic"><label>Crash the leader every <input type="number" class="pc-every w70" min="0" step="any" aria-label="Crash the leader every (seconds)"> s,</label>
          <label>back after <input type="number" class="pc-down w62" min="0" step="any" aria-label="Restart it after (seconds)"> s</label>
          <button data-f="periodic">Start</button><span class="pc-next"></span></div>
        <div class="row"><span>Election clocks</span><button data-f="align" aria-keyshortcuts="A" title="The clock that runs out second is set to run out with the first: two candidates in one term, a split vote in the making">Align two</button>
          <button data-f="spread" aria-keyshortcuts="E" title="Clocks that run out within a vote's delivery of the one before are moved later: the first candidate wins">Spread</button></div>
        <div class="row"><span>Skip ahead</span><button data-skip="60000">+1 min</button><button data-skip="600000">+10 min</button><button data-skip="3600000">+1 h</button></div>
        <details class="inflight"><summary>Messages in flight <span class="count-msgs"></span></summary><ul class="msgs"></ul></details>
        <details class="script"><summary>This run as a script for <code>raftbeat run</code></summary><textarea readonly rows="8"></textarea></details>
      </details>`);
    /** True while a skip ahead runs. */
    this.skipping = false;
    this.last = 0;
    this.lastMessages = 0;
    for (const b of all(this.el, '[data-f]')) b.addEventListener('click', () => this.fault(b.dataset.f ?? ''));
    for (const b of all(this.el, '[data-skip]')) b.addEventListener('click', () => this.skip(Number(b.dataset.skip)));
    one(this.el, '.msgs').addEventListener('click', (e) => {
      const id = /** @type {HTMLElement} */ (e.target).closest('[data-msg]')?.getAttribute('data-msg');
      if (id && host.act(`drop-message ${id}`)) host.announce(`Dropped message #${id}.`);
    });
    const script = /** @type {HTMLDetailsElement} */ (one(this.el, 'details.script'));
    script.addEventListener('toggle', () => { if (script.open) /** @type {HTMLTextAreaElement} */ (one(script, 'textarea')).value = host.run.sim.toScript(); });
    const soon = () => { this.last = 0; };
    host.events.on('action', soon, signal);
    host.events.on('run', () => this.fill(), signal);
    host.events.on('frame', ({ ts }) => {
      if (ts - this.last > EVERY_MS) { this.last = ts; this.updatePeriodic(); }
      if (ts - this.lastMessages > MESSAGES_EVERY_MS && /** @type {HTMLDetailsElement} */ (one(this.el, 'details.inflight')).open) { this.lastMessages = ts; this.updateMessages(); }
    }, signal);
    this.fill();
  }

  /** @param {string} sel */
  input(sel) { return /** @type {HTMLInputElement} */ (one(this.el, sel)); }

  /** The run's nodes in the link pickers, its network and periodic crash in the fields. */
  fill() {
    const run = this.host.run, c = run.config;
    const opts = Array.from({ length: run.n }, (_, i) => `<option value="${i + 1}">S${i + 1}</option>`).join('');
    const from = /** @type {HTMLSelectElement} */ (one(this.el, 'select.cut-from')), to = /** @type {HTMLSelectElement} */ (one(this.el, 'select.cut-to'));
    from.innerHTML = opts;
    to.innerHTML = opts;
    if (run.n > 1) to.value = '2';
    this.input('input.lat-min').value = String(c.latencyMin);
    this.input('input.lat-max').value = String(c.latencyMax);
    this.input('input.loss').value = String(+(c.loss * 100).toPrecision(6));
    // The schedule in force, else a period that lets each re-election finish.
    const pc = c.periodicCrash ?? (c.model === 'nacos' ? { every: 40_000, down: 10_000 } : { every: 2_000, down: 1_000 });
    this.input('input.pc-every').value = String(pc.every / 1000);
    this.input('input.pc-down').value = String(pc.down / 1000);
  }

  /** @param {string} kind */
  fault(kind) {
    const host = this.host, run = host.run, leader = leaderTarget(run)?.id ?? null;
    /** @param {string} sel */
    const val = (sel) => /** @type {HTMLInputElement} */ (one(this.el, sel)).value;
    if (kind === 'heal') { if (host.act('heal') !== null) host.announce('Partitions healed (cut links and drop rules stay).'); }
    if (kind === 'partition') host.act(`partition ${val('input.groups') || '1'}`);
    if (kind === 'cut' || kind === 'restore') host.act(`${kind} ${val('select.cut-from')}${this.input('input.cut-both').checked ? '<->' : '->'}${val('select.cut-to')}`);
    if (kind === 'minority' || kind === 'isolate-leader') {
      if (!leader) { host.showError('There is no leader right now.'); return; }
      if (kind === 'isolate-leader') host.act(`isolate ${leader}`);
      else {
        const other = (leader % run.n) + 1;
        const rest = [];
        for (let i = 1; i <= run.n; i++) if (i !== leader && i !== other) rest.push(i);
        if (host.act(`partition ${leader},${other} | ${rest.join(',')}`) !== null) host.announce(`S${leader} (the leader) and S${other} are cut off from the majority.`);
      }
    }
    if (kind === 'align' || kind === 'spread') { timerKey(host, kind); return; }
    if (kind === 'periodic') {
      if (run.config.periodicCrash) { if (host.act('periodic-crash off') !== null) host.announce('Periodic crashes stopped (a restart already due still happens).'); } else {
        const every = val('input.pc-every'), down = val('input.pc-down');
        if (!every.trim()) { host.showError('Crash the leader every: give a number of seconds.'); return; }
        if (host.act(`periodic-crash every=${every}s down=${down || 0}s`) !== null) host.announce(`The leader will crash every ${every} s and come back ${down || 0} s later.`);
      }
    }
    if (kind === 'network') {
      const min = this.input('input.lat-min').valueAsNumber, max = this.input('input.lat-max').valueAsNumber, loss = this.input('input.loss').valueAsNumber;
      const words = [];
      if (Number.isFinite(min)) words.push(`latencyMin=${min}ms`);
      if (Number.isFinite(max)) words.push(`latencyMax=${max}ms`);
      if (Number.isFinite(loss)) words.push(`loss=${loss / 100}`);
      if (words.length && host.act(`network ${words.join(' ')}`) !== null) host.announce(`Network: ${words.join(', ')}.`);
    }
    this.last = 0;
  }

  /** @param {number} ms */
  async skip(ms) {
    if (this.skipping || this.host.seeking) return;
    this.skipping = true;
    const buttons = /** @type {HTMLButtonElement[]} */ (all(this.el, '[data-skip]'));
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await this.host.skip(ms);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      this.skipping = false;
    }
  }

  /** The periodic crash: Start or Stop, and when the next one falls. */
  updatePeriodic() {
    const run = this.host.run, pc = run.config.periodicCrash, t = run.time;
    const button = one(this.el, '[data-f=periodic]'), next = one(this.el, '.pc-next');
    const label = pc ? 'Stop' : 'Start';
    if (button.textContent !== label) {
      button.textContent = label;
      /** @type {HTMLInputElement[]} */ (all(this.el, '.periodic input')).forEach((el) => { el.disabled = !!pc; });
      if (pc) { this.input('input.pc-every').value = String(pc.every / 1000); this.input('input.pc-down').value = String(pc.down / 1000); }
    }
    const text = pc ? `next in ${span(pc.since + pc.every * (Math.floor((t - pc.since) / pc.every) + 1) - t)}` : '';
    if (next.textContent !== text) next.textContent = text;
  }

  updateMessages() {
    const run = this.host.run, m = run.messages, t = run.time;
    const count = m.length / M.stride;
    one(this.el, '.count-msgs').textContent = `(${count})`;
    let html = '';
    for (let i = 0; i < m.length && i < 60 * M.stride; i += M.stride) {
      html += `<li><span>#${m[i + M.id]} ${KINDS[m[i + M.kind]]} S${m[i + M.from]}→S${m[i + M.to]} · arrives in ${span(Math.max(0, m[i + M.due] - t))}</span><button data-msg="${m[i + M.id]}">Drop</button></li>`;
    }
    const ul = one(this.el, '.msgs');
    if (ul.dataset.html !== html) { ul.innerHTML = html || '<li>None right now. Pause while messages fly, then drop one.</li>'; ul.dataset.html = html; }
  }
}
