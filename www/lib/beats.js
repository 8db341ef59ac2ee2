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
  constructor({ host, parts, mount, signal }) {
    this.host = host;
    this.el = parts.add(mount.main, `<div class="beats" aria-label="Heartbeats of the leader">
      <div class="status" aria-live="polite"><b class="who">No leader yet</b> <span class="sub"></span></div>
      <button class="danger drop" aria-pressed="false" aria-keyshortcuts="D" disabled>Drop the leader's heartbeats</button>
      <span class="row flush"><button class="next" aria-keyshortcuts="B" disabled>Drop next</button>
        <input type="number" class="count" min="1" max="999" value="3" aria-label="Heartbeat rounds to drop"> beats</span>
      <ul class="rules" aria-label="Active heartbeat-drop rules"></ul>
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
    const run = this.host.run, t = logTime(run.time);
    if (leaders.length === 1) this.host.announce(`${t}: S${leaders[0].id} is the leader (term ${leaders[0].term}).`);
    else if (leaders.length > 1) this.host.announce(`${t}: ${leaders.length} leaders at once: ${leaders.map((l) => `S${l.id} (term ${l.term})`).join(', ')}.`);
    else if (run.time > 0) this.host.announce(`${t}: no leader.`);
    this.last = 0;
  }

  /** @param {string | null} text */
  showError(text) {
    this.error.hidden = !text;
    this.error.textContent = text ?? '';
  }

  /** The leader, whom the others follow, and the drop-heartbeats control. */
  updateBeats() {
    const run = this.host.run, leaders = run.leaders;
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
      who.textContent = alive ? 'No leader' : 'Every node is down';
      sub.textContent = soonest < Infinity ? `· next election timeout in ${span(soonest)}` : '';
    } else if (leaders.length > 1) {
      who.textContent = `${leaders.length} leaders: ${leaders.map((l) => `S${l.id} (term ${l.term})`).join(', ')}`;
      sub.textContent = `· S${target.id} is known to ${knownBy} of ${alive}`;
    } else {
      who.textContent = `Leader S${target.id} · term ${target.term}`;
      const n = run.node(target.id);
      const beat = n?.heartbeatDueMs != null ? ` · next beat in ${span(n.heartbeatDueMs)}` : '';
      const dropped = n && n.rules & LAYOUT.ruleFlags.from ? ` · its beats are dropped: the first follower times out in ${span(soonest)}` : beat;
      sub.textContent = `· known to ${knownBy} of ${alive} nodes${dropped}`;
    }
    drop.disabled = !target;
    next.disabled = !target;
    drop.setAttribute('aria-pressed', String(!!mine));
    drop.textContent = target ? (mine ? `Allow S${target.id}'s heartbeats` : `Drop S${target.id}'s heartbeats`) : "Drop the leader's heartbeats";
    const list = one(this.el, '.rules');
    const html = rules.map((r) => `<li>${esc(r.text)}<button data-rule="${r.id}" aria-label="Remove rule ${r.id}: ${esc(r.text)}">✕</button></li>`).join('');
    if (list.dataset.html !== html) { list.innerHTML = html; list.dataset.html = html; }
    if (run.sim.traceLevel === 'none') run.topologyDirty = true; // rules may expire unseen
  }

  /** The core's warnings about unstable settings, read again only after a new run or action (a network change can add or clear one). */
  updateWarnings() {
    const sim = this.host.run.sim, key = sim.actionCount;
    if (this.warningsFor === sim && this.warningsKey === key) return;
    this.warningsFor = sim; this.warningsKey = key;
    const list = sim.warnings(), el = this.unstable;
    el.textContent = list.length ? `Unstable settings (allowed, and worth watching): ${list.join('; ')}.` : '';
    el.hidden = list.length === 0;
  }

  updateAlert() {
    const run = this.host.run, el = this.alert;
    const leaders = run.leaders;
    if (leaders.length > 1) {
      const since = run.timeline.segments.filter((s) => s.end === null).reduce((a, s) => Math.max(a, s.start), 0);
      el.className = 'alert';
      el.textContent = `⚠ Safety monitor: ${leaders.length} leaders at once (${leaders.map((l) => `S${l.id} term ${l.term}`).join(', ')}) for ${span(run.time - since)}.${run.model === 'nacos' ? ' Like textbook Raft without CheckQuorum, Nacos keeps a leader that is cut off as LEADER; it steps down only on a vote request of higher term or a beat of equal or higher term.' : ''}`;
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
      el.textContent = `Safety monitor: ${f.length} finding${f.length > 1 ? 's' : ''}; last at ${logTime(last.tMs)}: ${last.text}.`;
      el.hidden = false;
    } else el.hidden = true;
  }
}
