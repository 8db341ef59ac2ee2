// @ts-check
// The leader and its heartbeats: who leads (said aloud when it changes), the
// drop-heartbeats control and its rules, and the alerts under it: the safety
// monitor, the error line, the core's warnings about unstable settings.
import { logTime, span } from './text.js';
import { LAYOUT } from './core.js';
import { one, esc } from './dom.js';
import { leaderTarget, toggleLeaderBeats, dropNext } from './actions.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */

/** How often (ms) the status is read again while the run moves. */
const EVERY_MS = 200;

export class Beats {
  /** @param {ControlContext} ctx */
  constructor({ host, parts, mount, signal, t }) {
    this.host = host;
    this.t = t;
    /** @param {string} key */
    const w = (key) => esc(t(key));
    this.el = parts.add(mount.main, `<div class="beats" aria-label="${w('beats.label')}">
      <div class="status" aria-live="polite"><b class="who">${w('beats.noLeaderYet')}</b> <span class="sub"></span></div>
      <button class="danger drop" aria-pressed="false" aria-keyshortcuts="D" disabled>${w('beats.dropLeader')}</button>
      <span class="row flush"><button class="next" aria-keyshortcuts="B" disabled>${w('beats.dropNext')}</button>
        <input type="number" class="count" min="1" max="999" value="3" aria-label="${w('beats.countAria')}"> ${w('beats.beats')}</span>
      <ul class="rules" aria-label="${w('beats.rulesAria')}"></ul>
    </div>`, mount.tour);
    this.alert = parts.add(mount.main, '<div class="alert" role="alert" hidden></div>', mount.tour);
    this.error = parts.add(mount.main, '<p class="error" role="alert" hidden></p>', mount.tour);
    this.unstable = parts.add(mount.main, '<p class="unstable" role="status" hidden></p>', mount.tour);
    this.count = /** @type {HTMLInputElement} */ (one(this.el, '.count'));
    this.last = 0;
    this.findingsDirty = true;
    /** @type {import('../pkg/raftbeat.js').Finding[] | null} */
    this.findings = null;
    /** @type {unknown} */
    this.findingsFor = null;
    /** @type {unknown} */
    this.warningsFor = null;
    this.warningsKey = -1;
    one(this.el, '.drop').addEventListener('click', () => toggleLeaderBeats(host));
    one(this.el, '.next').addEventListener('click', () => this.dropNext());
    one(this.el, '.rules').addEventListener('click', (e) => {
      const id = /** @type {HTMLElement} */ (e.target).closest('[data-rule]')?.getAttribute('data-rule');
      if (id) host.act(`allow-beats rule=${id}`);
    });
    const soon = () => { this.last = 0; };
    host.events.on('action', soon, signal);
    host.events.on('run', soon, signal);
    host.events.on('trace', ({ events }) => { for (const e of events) if (e.cat === 'monitor') { this.findingsDirty = true; this.last = 0; } }, signal);
    host.events.on('leaders', ({ leaders }) => this.sayLeaders(leaders), signal);
    host.events.on('error', ({ text }) => this.showError(text), signal);
    host.events.on('command', ({ name }) => { if (name === 'drop-next') this.dropNext(); }, signal);
    host.events.on('frame', ({ ts }) => {
      if (ts - this.last <= EVERY_MS) return;
      this.last = ts;
      this.updateBeats();
      this.updateAlert();
      this.updateWarnings();
    }, signal);
  }

  dropNext() { dropNext(this.host, Math.floor(Number(this.count.value))); }

  /** @param {{ id: number, term: number }[]} leaders */
  sayLeaders(leaders) {
    const run = this.host.run, time = logTime(run.time), t = this.t;
    if (leaders.length === 1) this.host.announce(t('beats.isLeader', { time, id: leaders[0].id, term: leaders[0].term }));
    else if (leaders.length > 1) this.host.announce(t('beats.manyLeadersSaid', { time, count: leaders.length, list: leaders.map((l) => t('beats.leaderTerm', { id: l.id, term: l.term })).join(', ') }));
    else if (run.time > 0) this.host.announce(t('beats.noLeaderSaid', { time }));
    this.last = 0;
  }

  /** @param {string | null} text */
  showError(text) {
    this.error.hidden = !text;
    this.error.textContent = text ?? '';
  }

  /** The leader, whom the others follow, and the drop-heartbeats control. */
  updateBeats() {
    const run = this.host.run, leaders = run.leaders, t = this.t;
    const who = one(this.el, '.who'), sub = one(this.el, '.sub');
    const drop = /** @type {HTMLButtonElement} */ (one(this.el, '.drop')), next = /** @type {HTMLButtonElement} */ (one(this.el, '.next'));
    const target = leaderTarget(run);
    // The earliest election timeout among live followers: when the cluster would notice.
    let soonest = Infinity, knownBy = 0, alive = 0;
    for (let id = 1; id <= run.n; id++) {
      const n = run.node(id);
      if (!n?.alive) continue;
      alive++;
      if (target && n.leader === target.id) knownBy++;
      if (n.role !== 'LEADER' && n.leaderDueMs !== null) soonest = Math.min(soonest, n.leaderDueMs);
    }
    const rules = run.rules ?? [];
    const mine = target ? rules.find((r) => r.scope === 'from' && r.from === target.id && r.remaining === null) : null;
    if (!target) {
      who.textContent = t(alive ? 'beats.noLeader' : 'beats.allDown');
      sub.textContent = soonest < Infinity ? t('beats.nextTimeout', { span: span(soonest) }) : '';
    } else if (leaders.length > 1) {
      who.textContent = t('beats.manyLeaders', { count: leaders.length, list: leaders.map((l) => t('beats.leaderTerm', { id: l.id, term: l.term })).join(', ') });
      sub.textContent = t('beats.knownToOf', { id: target.id, known: knownBy, alive });
    } else {
      who.textContent = t('beats.leader', { id: target.id, term: target.term });
      const n = run.node(target.id);
      const beat = n?.heartbeatDueMs != null ? t('beats.nextBeat', { span: span(n.heartbeatDueMs) }) : '';
      const dropped = n && n.rules & LAYOUT.ruleFlags.from ? t('beats.beatsDropped', { span: span(soonest) }) : beat;
      sub.textContent = t('beats.knownTo', { known: knownBy, alive, more: dropped });
    }
    drop.disabled = !target;
    next.disabled = !target;
    drop.setAttribute('aria-pressed', String(!!mine));
    drop.textContent = target ? t(mine ? 'beats.allow' : 'beats.drop', { id: target.id }) : t('beats.dropLeader');
    const list = one(this.el, '.rules');
    const html = rules.map((r) => `<li>${esc(r.text)}<button data-rule="${r.id}" aria-label="${esc(t('beats.removeRule', { id: r.id, text: r.text }))}">✕</button></li>`).join('');
    if (list.dataset.html !== html) { list.innerHTML = html; list.dataset.html = html; }
    if (run.sim.traceLevel === 'none') run.topologyDirty = true; // rules may expire unseen
  }

  /** The core's warnings about unstable settings, read again only after a new run or action (a network change can add or clear one). */
  updateWarnings() {
    const sim = this.host.run.sim, key = sim.actionCount;
    if (this.warningsFor === sim && this.warningsKey === key) return;
    this.warningsFor = sim; this.warningsKey = key;
    const list = sim.warnings(), el = this.unstable;
    el.textContent = list.length ? this.t('beats.unstable', { list: list.join('; ') }) : '';
    el.hidden = list.length === 0;
  }

  updateAlert() {
    const run = this.host.run, el = this.alert;
    const leaders = run.leaders;
    if (leaders.length > 1) {
      const since = run.timeline.segments.filter((s) => s.end === null).reduce((a, s) => Math.max(a, s.start), 0);
      el.className = 'alert';
      const t = this.t;
      el.textContent = `${t('beats.twoLeaders', { count: leaders.length, list: leaders.map((l) => t('beats.twoLeadersItem', { id: l.id, term: l.term })).join(', '), span: span(run.time - since) })}${run.model === 'nacos' ? t('beats.twoLeadersNacos') : ''}`;
      el.hidden = false;
      return;
    }
    if (this.findingsDirty || this.findingsFor !== run.sim) {
      this.findings = run.sim.findings();
      this.findingsDirty = false;
      this.findingsFor = run.sim;
    }
    const f = this.findings;
    if (f?.length) {
      el.className = 'alert past';
      const last = f[f.length - 1];
      el.textContent = this.t(f.length > 1 ? 'beats.findings' : 'beats.finding', { count: f.length, time: logTime(last.tMs), text: last.text });
      el.hidden = false;
    } else el.hidden = true;
  }
}
