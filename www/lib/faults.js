// @ts-check
// The faults panel (full controls): partitions, cut links, the network's
// latency and loss, periodic leader crashes, the election-clock keys, skips
// ahead, the messages in flight (to drop one) and the run as a script.
import { span } from './text.js';
import { M, KINDS } from './core.js';
import { one, all, esc } from './dom.js';
import { leaderTarget, timerKey } from './actions.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */

const EVERY_MS = 200;
const MESSAGES_EVERY_MS = 300;

export class Faults {
  /** @param {ControlContext} ctx @param {HTMLElement} side */
  constructor({ host, parts, signal, t }, side) {
    this.host = host;
    this.t = t;
    /** @param {string} key */
    const w = (key) => esc(t(key));
    this.el = parts.add(side, `<details class="faults" open><summary>${w('faults.title')}</summary>
        <div class="row"><button data-f="minority" title="${w('faults.minorityTitle')}">${w('faults.minority')}</button>
          <button data-f="isolate-leader">${w('faults.isolateLeader')}</button><button data-f="heal" aria-keyshortcuts="H">${w('faults.heal')}</button></div>
        <div class="row"><label>${w('faults.partition')} <input type="text" class="groups" placeholder="1,2 | 3,4,5" size="12" aria-label="${w('faults.groupsAria')}"></label><button data-f="partition">${w('faults.split')}</button></div>
        <div class="row"><label>${w('faults.link')} <select class="cut-from" aria-label="${w('faults.linkFrom')}"></select></label>→<select class="cut-to" aria-label="${w('faults.linkTo')}"></select>
          <label><input type="checkbox" class="cut-both"> ${w('faults.bothWays')}</label><button data-f="cut">${w('faults.cut')}</button><button data-f="restore">${w('faults.restore')}</button></div>
        <div class="row"><label>${w('faults.latency')} <input type="number" class="lat-min w70" min="0" step="any" aria-label="${w('faults.latencyMin')}"></label>–<input type="number" class="lat-max w70" min="0" step="any" aria-label="${w('faults.latencyMax')}"> ms
          <label>${w('faults.loss')} <input type="number" class="loss w62" min="0" max="100" step="any" aria-label="${w('faults.lossAria')}"> %</label><button data-f="network">${w('faults.apply')}</button></div>
        <div class="row periodic"><label>${w('faults.crashEvery')} <input type="number" class="pc-every w70" min="0" step="any" aria-label="${w('faults.crashEveryAria')}"> ${w('faults.crashEveryUnit')}</label>
          <label>${w('faults.backAfter')} <input type="number" class="pc-down w62" min="0" step="any" aria-label="${w('faults.backAfterAria')}"> ${w('faults.backAfterUnit')}</label>
          <button data-f="periodic">${w('faults.start')}</button><span class="pc-next"></span></div>
        <div class="row"><span>${w('faults.clocks')}</span><button data-f="align" aria-keyshortcuts="A" title="${w('faults.alignTitle')}">${w('faults.align')}</button>
          <button data-f="spread" aria-keyshortcuts="E" title="${w('faults.spreadTitle')}">${w('faults.spread')}</button></div>
        <div class="row"><span>${w('faults.skip')}</span><button data-skip="60000">+1 min</button><button data-skip="600000">+10 min</button><button data-skip="3600000">+1 h</button></div>
        <details class="inflight"><summary>${w('faults.inFlight')} <span class="count-msgs"></span></summary><ul class="msgs"></ul></details>
        <details class="script"><summary>${w('faults.script')} <code>raftbeat run</code></summary><textarea readonly rows="8"></textarea></details>
      </details>`);
    /** True while a skip ahead runs. */
    this.skipping = false;
    this.last = 0;
    this.lastMessages = 0;
    for (const b of all(this.el, '[data-f]')) b.addEventListener('click', () => this.fault(b.dataset.f ?? ''));
    for (const b of all(this.el, '[data-skip]')) b.addEventListener('click', () => this.skip(Number(b.dataset.skip)));
    one(this.el, '.msgs').addEventListener('click', (e) => {
      const id = /** @type {HTMLElement} */ (e.target).closest('[data-msg]')?.getAttribute('data-msg');
      if (id && host.act(`drop-message ${id}`)) host.announce(t('faults.droppedMessage', { id }));
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
    const host = this.host, run = host.run, leader = leaderTarget(run)?.id ?? null, t = this.t;
    /** @param {string} sel */
    const val = (sel) => /** @type {HTMLInputElement} */ (one(this.el, sel)).value;
    if (kind === 'heal') { if (host.act('heal') !== null) host.announce(t('faults.healed')); }
    if (kind === 'partition') host.act(`partition ${val('input.groups') || '1'}`);
    if (kind === 'cut' || kind === 'restore') host.act(`${kind} ${val('select.cut-from')}${this.input('input.cut-both').checked ? '<->' : '->'}${val('select.cut-to')}`);
    if (kind === 'minority' || kind === 'isolate-leader') {
      if (!leader) { host.showError(t('faults.noLeader')); return; }
      if (kind === 'isolate-leader') host.act(`isolate ${leader}`);
      else {
        const other = (leader % run.n) + 1;
        const rest = [];
        for (let i = 1; i <= run.n; i++) if (i !== leader && i !== other) rest.push(i);
        if (host.act(`partition ${leader},${other} | ${rest.join(',')}`) !== null) host.announce(t('faults.cutOff', { leader, other }));
      }
    }
    if (kind === 'align' || kind === 'spread') { timerKey(host, kind); return; }
    if (kind === 'periodic') {
      if (run.config.periodicCrash) { if (host.act('periodic-crash off') !== null) host.announce(t('faults.periodicStopped')); } else {
        const every = val('input.pc-every'), down = val('input.pc-down');
        if (!every.trim()) { host.showError(t('faults.everyRule')); return; }
        if (host.act(`periodic-crash every=${every}s down=${down || 0}s`) !== null) host.announce(t('faults.periodicStarted', { every, down: down || 0 }));
      }
    }
    if (kind === 'network') {
      const min = this.input('input.lat-min').valueAsNumber, max = this.input('input.lat-max').valueAsNumber, loss = this.input('input.loss').valueAsNumber;
      const words = [];
      if (Number.isFinite(min)) words.push(`latencyMin=${min}ms`);
      if (Number.isFinite(max)) words.push(`latencyMax=${max}ms`);
      if (Number.isFinite(loss)) words.push(`loss=${loss / 100}`);
      if (words.length && host.act(`network ${words.join(' ')}`) !== null) host.announce(t('faults.network', { words: words.join(', ') }));
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
    const label = this.t(pc ? 'faults.stop' : 'faults.start');
    if (button.textContent !== label) {
      button.textContent = label;
      /** @type {HTMLInputElement[]} */ (all(this.el, '.periodic input')).forEach((el) => { el.disabled = !!pc; });
      if (pc) { this.input('input.pc-every').value = String(pc.every / 1000); this.input('input.pc-down').value = String(pc.down / 1000); }
    }
    const text = pc ? this.t('faults.nextIn', { span: span(pc.since + pc.every * (Math.floor((t - pc.since) / pc.every) + 1) - t) }) : '';
    if (next.textContent !== text) next.textContent = text;
  }

  updateMessages() {
    const run = this.host.run, m = run.messages, t = run.time;
    const count = m.length / M.stride;
    one(this.el, '.count-msgs').textContent = `(${count})`;
    let html = '';
    for (let i = 0; i < m.length && i < 60 * M.stride; i += M.stride) {
      html += `<li><span>#${m[i + M.id]} ${KINDS[m[i + M.kind]]} S${m[i + M.from]}→S${m[i + M.to]} · ${esc(this.t('faults.arrivesIn', { span: span(Math.max(0, m[i + M.due] - t)) }))}</span><button data-msg="${m[i + M.id]}">${esc(this.t('faults.drop'))}</button></li>`;
    }
    const ul = one(this.el, '.msgs');
    if (ul.dataset.html !== html) { ul.innerHTML = html || `<li>${esc(this.t('faults.noMessages'))}</li>`; ul.dataset.html = html; }
  }
}
